"""Each component's number and the arithmetic behind it, read from the round's columns.

Nothing here decides a rule: the numbers are :mod:`followup.scoring`'s columns (``speed``,
``part_*``, ``penalty_*``, …); this module writes out how they add up.
"""

from __future__ import annotations

import pandas as pd

from ..schema import CHANNEL_SEPARATOR, FIRST_CONTACT_TIMING, FLAG_SEPARATOR, SCORE_GRADE
from .model import Component, Part

def _value(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def components_of(row: pd.Series, policy) -> tuple[list[Component], str, str]:
    """Each component's number and the arithmetic behind it, from the round's facts."""
    w, windows, rules, grades = policy.weights, policy.windows, policy.restraint, policy.grades
    judged = not pd.isna(row["score"])
    if not judged:
        why = "not judged yet: " + ("the interview is after the as-of time" if not row["held"]
                                    else f"no contact, and day {windows.no_contact_days} is not over")
        components = [Component(name=name, value=None, weight=weight, why=why)
                      for name, weight in (("speed", w.speed), ("persistence", w.persistence),
                                           ("restraint", w.restraint))]
        return components, why, "no grade without a score"

    day, hours = row["first_contact_day"], row["first_contact_hours"]
    limit = windows.no_contact_days
    curve = ", ".join(f"{h:g} h → {s:g}" for h, s in policy.speed.curve)
    timing = row[FIRST_CONTACT_TIMING]  # the engine's: which branch of the speed score applied
    if timing == "none":
        speed_why = f"no contact by the end of day {limit}: 0"
    elif timing == "same_day":
        speed_why = (f"first contact {hours:.1f} h after the interview, on the interview day (day 0): "
                     f"a same-day contact scores {policy.speed.same_day_score:g}")
    elif timing == "late":
        speed_why = f"first contact only on day {int(day)}, after the end of day {limit}: 0"
    else:
        speed_why = (f"first contact {hours:.1f} h after the interview (day {int(day)}), read off the "
                     f"policy's curve ({curve})")
    speed = Component(name="speed", value=_value(row["speed"]), weight=w.speed, why=speed_why)

    parts = _persistence_parts(row, policy)
    shown = [p for p in parts if p.value is not None and p.weight > 0]
    persistence_why = ("weighted mean of the parts with data: "
                       + " + ".join(f"{p.weight:g} × {_part_value(p.value)}" for p in shown)
                       + f" over {sum(p.weight for p in shown):g}") if shown else "no part has data yet"
    persistence = Component(name="persistence", value=_value(row["persistence"]), weight=w.persistence,
                            why=persistence_why, parts=[p for p in parts if p.weight > 0])

    deadline = policy.deadline
    per_unit = [
        ("penalty_frequency", rules.excess_contact_penalty,
         f"({row['max_contacts_7d']} contacts in the busiest {rules.frequency_window_days} days, "
         f"limit {rules.max_contacts_per_window})"),
        ("penalty_hangups", rules.hangup_penalty,
         f"({row['hangups']} unanswered calls, {rules.hangups_forgiven} forgiven)"),
        ("penalty_early", deadline.early_contact_penalty,
         f"({row['early_contacts']} contacts before the decision date outside the check-ins, "
         f"{deadline.early_contacts_forgiven} forgiven)"),
    ]
    penalties = [f"{row[column] / each:g} × {each:g} {why}" for column, each, why in per_unit if row[column]]
    if row["penalty_burst"]:
        penalties.append(f"{row['penalty_burst']:g} (a burst: {row['burst_hangups']} unanswered calls within "
                         f"{rules.burst_minutes:g} min)")
    restraint_why = ("100 − " + " − ".join(penalties) + (", clipped at 0" if row["restraint"] == 0 else "")
                     if penalties else "100: no over-contact and no more unanswered calls than forgiven")
    restraint = Component(name="restraint", value=_value(row["restraint"]), weight=w.restraint, why=restraint_why)

    components = [speed, persistence, restraint]
    if w.notes > 0 and (row.get("notes_judged") or 0) > 0:
        components.append(Component(name="notes", value=_value(row["notes"]), weight=w.notes, why=_notes_why(row, policy)))
    available = [c for c in components if c.value is not None and c.weight > 0]
    score_why = ("(" + " + ".join(f"{c.weight:g} × {c.value:.1f}" for c in available)
                 + f") / {sum(c.weight for c in available):g}")
    letter = row[SCORE_GRADE]
    grade_why = f"{letter} from the score (A ≥ {grades.A:g}, B ≥ {grades.B:g}, C ≥ {grades.C:g})"
    if letter != row["grade"]:
        caps = [f"{code} caps at {grades.caps[code]}" for code in str(row["flags"]).split(FLAG_SEPARATOR)
                if code in grades.caps]
        grade_why += f", capped at {row['grade']} by the flags ({', '.join(caps)})"
    return components, score_why, grade_why


def _notes_why(row: pd.Series, policy) -> str:
    """The notes component's arithmetic: 100 less each note's penalties, over the notes judged."""
    rules = policy.notes
    judged = int(row["notes_judged"])
    costs = [(row["notes_copied"], rules.copy_penalty, "copied"), (row["notes_misspelled"], rules.misspelled_penalty,
             "misspelled name"), (row["notes_wrong_person"], rules.wrong_person_penalty, "wrong person"),
             (row["notes_no_name"], rules.no_name_penalty, "no name"),
             (row["notes_template"], rules.template_penalty, "template or stock phrase")]
    listed = [f"{int(count)} × {penalty:g} ({what})" for count, penalty, what in costs if count]
    notes = f"{judged} thank-you note{'s' * (judged != 1)} with text"
    if not listed:
        return f"{notes}: each its own, names spelled right, not a template: 100"
    return f"{notes}: 100 − ({' + '.join(listed)}) / {judged}" + (", clipped at 0" if row["notes"] == 0 else "")


def _part_value(value: float) -> str:
    """A part's value to one decimal, without a trailing ``.0`` (``33.3``, ``100``): whole
    numbers would not add up to the persistence shown beside them."""
    return f"{value:.1f}".removesuffix(".0")


def _persistence_parts(row: pd.Series, policy) -> list[Part]:
    """The persistence parts as :mod:`followup.scoring` computed them (its ``part_*`` columns),
    each with the facts behind it; a part with no data is left out (value ``None``)."""
    p, c = policy.persistence, policy.courtesy
    period = policy.windows.period_word
    completed = int(row["periods_completed"] or 0)
    if completed:
        cadence = Part(name="cadence", weight=p.cadence_weight,
                       value=_value(row["part_cadence"]),
                       why=f"cadence: {row['periods_with_contact']} of {completed} {period}{'s' * (completed != 1)}"
                           " with a contact")
        channels = Part(name="channels", weight=p.channels_weight,
                        value=_value(row["part_channels"]),
                        why=f"channels: {row['n_channels']} used "
                            f"({str(row['channels']).replace(CHANNEL_SEPARATOR, ', ') or 'none'})"
                            f", {p.channel_target} wanted")
    else:
        cadence = Part(name="cadence", weight=p.cadence_weight, value=None,
                       why=f"cadence: left out, no {period} has completed yet")
        channels = Part(name="channels", weight=p.channels_weight, value=None,
                        why="channels: left out until the cadence has started")
    if pd.notna(row["part_interviewers"]):  # judged: two or more interviewers, and contacts naming whom
        interviewers = Part(name="interviewers", weight=p.interviewers_weight,
                            value=_value(row["part_interviewers"]),
                            why=f"interviewers: {row['interviewers_thanked']} of {row['interviewers_met']} "
                                "thanked individually")
    else:
        interviewers = Part(name="interviewers", weight=p.interviewers_weight, value=None,
                            why="interviewers: left out (" + ("one interviewer" if row["interviewers_met"] < 2
                                                              else "no contact names in the log") + ")")
    parts = [cadence, channels, interviewers]
    if c.every_round_weight > 0:
        judged = pd.notna(row["part_every_round"])  # from the second round on
        parts.append(Part(name="every round", weight=c.every_round_weight,
                          value=_value(row["part_every_round"]),
                          why=(f"every round: {row['rounds_thanked']} of {row['rounds_held']} rounds thanked by "
                               f"day {c.thank_you_days}") if judged else "every round: left out (one round)"))
    if c.after_decision_weight > 0:
        value = _value(row["part_after_decision"])
        parts.append(Part(name="after the decision", weight=c.after_decision_weight, value=value,
                          why="after the decision: " + ("a thank-you" if value == 100 else
                                                        f"no thank-you within {c.after_decision_days} days"
                                                        if value == 0 else _after_decision_left_out(row, c))))
    d = policy.deadline
    if d.checkins_weight > 0:
        expected = int(row["checkins_expected"] or 0)
        parts.append(Part(name="check-ins", weight=d.checkins_weight,
                          value=_value(row["part_checkins"]),
                          why=(f"check-ins: {row['checkins_met']} of {expected} timed to the decision due on day "
                               f"{int(row['due_day'])}") if expected else
                              "check-ins: left out (no decision date, or none due yet)"))
    return [part.model_copy(update={"why": part.why + ("" if part.value is None else f" = {_part_value(part.value)}")
                                    + f" (weight {part.weight:g})"}) for part in parts]


def _after_decision_left_out(row: pd.Series, courtesy) -> str:
    """Why the after-the-decision part has no value for this round."""
    credited = " or ".join(courtesy.after_decision)
    if row["window_closed_by"] != "decision":
        return f"left out (no decision has closed the window; the playbook asks for one after: {credited})"
    if row["decision"] not in courtesy.after_decision:
        return f"left out (the decision was {row['decision']}; the playbook asks for one only after: {credited})"
    return f"left out until {courtesy.after_decision_days} days after the decision have passed"
