"""What the playbook expected by the as-of time that the log does not show."""

from __future__ import annotations

import pandas as pd

from ..schema import (CADENCE_START, CHANNEL_SEPARATOR, FIRST_CONTACT_TIMING, FLAG_SEPARATOR,
                      INTERVIEWERS_NOT_ADDRESSED, NAME_SEPARATOR, QUIET_SINCE)
from .words import local_when


def expected_but_missed(row: pd.Series, events: pd.DataFrame, policy, tz: str) -> list[str]:
    """What the playbook expected by the as-of time that the log does not show: ``row`` is the
    round's row of the engine's rounds, ``events`` its candidate's annotated events."""
    if not row["held"]:
        return []
    windows, p = policy.windows, policy.persistence
    missed = []
    day, timing = row["first_contact_day"], row[FIRST_CONTACT_TIMING]
    flags = str(row["flags"] or "").split(FLAG_SEPARATOR)
    # NO_CONTACT is the engine's (no contact, or only a late one, once the deadline day is over).
    if timing == "none":
        if "NO_CONTACT" not in flags:
            left = windows.no_contact_days - int(row["window_end_day"])
            missed.append(f"no thank-you yet ({left} day{'s' if left != 1 else ''} left of the "
                          f"{windows.no_contact_days}-day window)")
    elif timing != "same_day":
        missed.append(f"no thank-you on the interview day (the first came on day {int(day)})")
    if "NO_CONTACT" in flags:
        missed.append(f"no contact by the end of day {windows.no_contact_days}")

    completed = int(row["periods_completed"] or 0)
    if completed:
        start = row[CADENCE_START]
        # The engine's periods (event_roles' cadence_period) of the round's counted contacts.
        period = events.loc[(events["kind"] == "contact").to_numpy(), "cadence_period"].to_numpy()
        held_periods = set(period[(period >= 0) & (period < completed)].tolist())
        word = windows.period_word
        for k in sorted(set(range(completed)) - held_periods):
            begin = start + pd.Timedelta(days=k * windows.cadence_days)
            finish = begin + pd.Timedelta(days=windows.cadence_days)
            missed.append(f"no follow-up in {word} {k + 1} of the cadence "
                          f"({local_when(begin, tz, False)} – {local_when(finish, tz, False)})")
        if row["n_channels"] < p.channel_target and row["inbound_contacts"]:
            used = int(row["n_channels"])
            listed = str(row["channels"]).replace(CHANNEL_SEPARATOR, ", ")
            missed.append(f"only {used} channel{'s' * (used != 1)} ({listed}); the playbook alternates "
                          f"{p.channel_target}")

    # The engine names who no contact was addressed to where thanking each is judged; with
    # none named, every one was addressed, but some only with a copy (see the notes lines).
    missing = row[INTERVIEWERS_NOT_ADDRESSED]
    if row["interviewers_thanked"] < row["interviewers_met"] and isinstance(missing, str):
        missed.append("no individual thank-you to " + ", ".join(missing.split(NAME_SEPARATOR)))

    expected = int(row["checkins_expected"] or 0)
    if policy.deadline.checkins_weight > 0 and expected > int(row["checkins_met"] or 0):
        missed.append(f"{expected - int(row['checkins_met'])} of {expected} check-ins timed to the decision "
                      f"date (due on day {int(row['due_day'])}) not made")
    if "WENT_SILENT" in flags:
        quiet_from = row[QUIET_SINCE]
        gap = (row["window_end"] - quiet_from) / pd.Timedelta(days=1)
        missed.append(f"no contact for {gap:.0f} days since {local_when(quiet_from, tz, False)} "
                      f"(more than {windows.silent_gap_days} allowed)")
    courtesy = policy.courtesy
    # The part is 0 once a credited decision's days have passed without a thank-you (scoring).
    if courtesy.after_decision_weight > 0 and row["part_after_decision"] == 0:
        missed.append(f"no thank-you within {courtesy.after_decision_days} days of the decision ({row['decision']})")
    return missed + _notes_missed(row, policy)


def _notes_missed(row: pd.Series, policy) -> list[str]:
    """What the thank-you notes' text showed against the playbook (the columns of followup.notes)."""
    if policy.weights.notes <= 0 or not (row.get("notes_judged") or 0):
        return []
    missed = []
    if isinstance(row["notes_copied_to"], str):
        names = row["notes_copied_to"].split(NAME_SEPARATOR)
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        missed.append(f"the same note went to {listed}: one note, not one each")
    if isinstance(row["greeting_name"], str):
        who = "the interviewer is" if row["greeting_issue"] == "misspelled" else "the note went to"
        missed.append(f"greets '{row['greeting_name']}' — {who} {row['greeting_interviewer']}")
    if row["notes_no_name"]:
        unnamed = int(row["notes_no_name"])  # a numpy count: 's' * numpy.bool_ is a TypeError
        missed.append(f"{unnamed} note{'s' * (unnamed != 1)} greeting no one by name")
    if row["template_matches"] >= policy.notes.template_candidates:
        missed.append(f"note matches {row['template_matches']} other candidates' text (a template, not a personal note)")
    if row["notes_stock"]:
        stock = int(row["notes_stock"])
        missed.append(f"{stock} note{'s' * (stock != 1)} mostly a greeting and a stock "
                      f"phrase (fewer than {policy.notes.min_own_words} words of its own)")
    return missed
