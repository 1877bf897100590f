"""Score: follow-up facts in, components, score, grade, status, flags and reasons out.

Every number comes from the policy. Components are 0–100; a component or a part of one with
no data is missing (NaN) and the others are re-weighted — never scored as 0 or 100 by default.
The status and flag codes are stable; scripts depend on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .policy import Policy
from .reasons import explain
from .schema import (FIRST_CONTACT_TIMING, FIRST_CONTACT_TIMINGS, FLAG_REASON_COLUMNS, FLAG_SEPARATOR, GRADE_CAPPED,
                     GRADES, NOTE_COUNT_COLUMNS, QUIET_SINCE, SCORE_GRADE, STATUSES)

PENALTIES = ["penalty_frequency", "penalty_hangups", "penalty_burst", "penalty_early"]


def weighted_mean(parts: list[tuple[float, pd.Series]]) -> pd.Series:
    """Mean of the available (non-NaN) parts, each with its weight; NaN if none is available.

    >>> weighted_mean([(1.0, pd.Series([100.0, np.nan])), (3.0, pd.Series([0.0, 40.0]))]).tolist()
    [25.0, 40.0]
    """
    values = np.column_stack([p.to_numpy(dtype=float) for _, p in parts])
    weights = np.array([w for w, _ in parts], dtype=float)
    available = ~np.isnan(values)
    total = (available * weights).sum(axis=1)
    weighted = np.where(available, values, 0.0) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(total > 0, weighted / total, np.nan)
    return pd.Series(mean, index=parts[0][1].index)


def first_contact_timing(first_day: pd.Series, no_contact_days: int) -> pd.Categorical:
    """When a round's first contact came, as a code of :data:`~followup.schema.FIRST_CONTACT_TIMINGS`,
    from its local day number (day 0 = the interview's day, missing = no contact yet):
    ``same_day``, ``in_time`` (by the end of day ``no_contact_days``, the policy's no-contact
    deadline), ``late`` or ``none``.

    >>> list(first_contact_timing(pd.Series([0, 3, 9, None]), 7))
    ['same_day', 'in_time', 'late', 'none']
    """
    days = first_day.astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        code = np.select([np.isnan(days), days == 0, days > no_contact_days], [3, 0, 2], 1)
    return pd.Categorical.from_codes(code, categories=FIRST_CONTACT_TIMINGS)


def speed_score(timing: pd.Categorical, first_hours: pd.Series, deadline_passed: pd.Series,
                policy: Policy) -> pd.Series:
    """Speed of the first contact (``timing`` from :func:`first_contact_timing`): best on the
    same local day, then the policy's curve; a first contact after the no-contact deadline, or
    none once it has passed, scores 0."""
    hours = first_hours.to_numpy(dtype=float)
    xs = [h for h, _ in policy.speed.curve]
    ys = [s for _, s in policy.speed.curve]
    curve = np.interp(np.nan_to_num(hours, nan=0.0), xs, ys)
    timing = np.asarray(timing, dtype=object)
    speed = np.where(timing == "same_day", policy.speed.same_day_score, curve)
    speed = np.where(timing == "late", 0.0, speed)
    speed = np.where(timing == "none", np.where(deadline_passed, 0.0, np.nan), speed)
    return pd.Series(speed, index=first_hours.index)


def score_rounds(rounds: pd.DataFrame, features: pd.DataFrame, policy: Policy, tz: str) -> pd.DataFrame:
    """Join features onto every round and add components, score, grade, status, flags, reasons."""
    scored = rounds.join(features.drop(columns=["candidate_id", "interviewers_met"]), how="left")
    held = scored["held"].to_numpy()
    windows, restraint_rules = policy.windows, policy.restraint
    has_contact = scored["inbound_contacts"].fillna(0).to_numpy() > 0
    deadline_passed = held & (scored["window_end_day"].to_numpy() > windows.no_contact_days)
    scored[FIRST_CONTACT_TIMING] = first_contact_timing(scored["first_contact_day"], windows.no_contact_days)
    late_first = (scored[FIRST_CONTACT_TIMING] == "late").to_numpy()
    judged = held & (has_contact | deadline_passed)

    speed = speed_score(scored[FIRST_CONTACT_TIMING].array, scored["first_contact_hours"],
                        pd.Series(deadline_passed, index=scored.index), policy)

    completed = scored["periods_completed"].fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        cadence = np.where(completed > 0, scored["periods_with_contact"] / completed * 100, np.nan)
        # Variety is judged once the cadence has started: a lone thank-you the day after the
        # interview is not yet a one-channel follow-up.
        channels = np.where(completed > 0,
                            np.minimum(scored["n_channels"] / policy.persistence.channel_target, 1.0) * 100,
                            np.nan)
        several = (scored["interviewers_met"].to_numpy() >= 2) & scored["contact_data"].fillna(False).to_numpy(bool)
        thanked = np.where(several, scored["interviewers_thanked"] / scored["interviewers_met"] * 100, np.nan)
    every_round, after_decision = _courtesy_parts(scored, policy)
    expected_checkins = scored["checkins_expected"].fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        checkins = np.where(expected_checkins > 0, scored["checkins_met"] / expected_checkins * 100, np.nan)
    p, c, d = policy.persistence, policy.courtesy, policy.deadline
    # The parts stay on the rounds so an explanation can show them without recomputing.
    parts = {"cadence": (p.cadence_weight, cadence), "channels": (p.channels_weight, channels),
             "interviewers": (p.interviewers_weight, thanked), "every_round": (c.every_round_weight, every_round),
             "after_decision": (c.after_decision_weight, after_decision), "checkins": (d.checkins_weight, checkins)}
    for name, (_, values) in parts.items():
        scored[f"part_{name}"] = np.asarray(values, dtype=float)
    persistence = weighted_mean([(weight, scored[f"part_{name}"]) for name, (weight, _) in parts.items()])

    excess = np.maximum(scored["max_contacts_7d"].fillna(0) - restraint_rules.max_contacts_per_window, 0)
    hangups = scored["hangups"].fillna(0)
    burst = scored["burst_hangups"].fillna(0) >= restraint_rules.burst_count
    scored["penalty_frequency"] = excess * restraint_rules.excess_contact_penalty
    scored["penalty_hangups"] = np.maximum(hangups - restraint_rules.hangups_forgiven, 0) * restraint_rules.hangup_penalty
    scored["penalty_burst"] = burst * restraint_rules.burst_penalty
    scored["penalty_early"] = (np.maximum(scored["early_contacts"].fillna(0) - d.early_contacts_forgiven, 0)
                               * d.early_contact_penalty)
    restraint = (100 - scored[PENALTIES].sum(axis=1)).clip(0, 100)

    judged_series = pd.Series(judged, index=scored.index)
    scored["speed"] = speed.where(judged_series).round(1)
    scored["persistence"] = persistence.where(judged_series).round(1)
    scored["restraint"] = restraint.where(judged_series).round(1)
    scored["notes"] = pd.Series(notes_component(scored, policy), index=scored.index).where(judged_series).round(1)
    w = policy.weights
    scored["score"] = weighted_mean([
        (w.speed, scored["speed"]), (w.persistence, scored["persistence"]), (w.restraint, scored["restraint"]),
        (w.notes, scored["notes"]),
    ]).where(judged_series).round(1)

    scored[QUIET_SINCE] = quiet_since(scored, policy)
    silent_days = (scored["window_end"] - scored[QUIET_SINCE]) / pd.Timedelta(days=1)
    flag_masks = {
        "NO_CONTACT": pd.Series(deadline_passed & (~has_contact | late_first), index=scored.index),
        "EXCESSIVE_HANGUPS": held & ((hangups > restraint_rules.max_hangups) | burst),
        "TOO_FREQUENT": held & (excess > 0),
        "WENT_SILENT": held & has_contact & (silent_days > windows.silent_gap_days).fillna(False),
    }
    scored["flags"] = pd.Series(flag_codes(flag_masks), index=scored.index, dtype=object)
    flagged = np.any([np.asarray(mask, dtype=bool) for mask in flag_masks.values()], axis=0)
    scored["grade"] = grade(scored["score"], policy, flag_masks)
    uncapped = grade(scored["score"], policy, {})
    scored[SCORE_GRADE] = uncapped
    scored[GRADE_CAPPED] = (scored["grade"] != uncapped).to_numpy() & scored["grade"].notna().to_numpy()
    # Positions in STATUSES: a categorical from its codes, without a million status strings.
    status = np.where(~held, 0, np.where(~judged, 1, np.where(flagged, 2, 3)))
    scored["status"] = pd.Categorical.from_codes(status, categories=STATUSES)
    worded = explain(scored, flag_masks, uncapped, silent_days, policy, tz)
    scored["reasons"], scored["reason"] = worded.reasons, worded.reason
    for code, detail in worded.flags.items():
        scored[FLAG_REASON_COLUMNS[code]] = detail
    counts = ["inbound_contacts", "hangups", "n_channels", "periods_completed", "periods_with_contact",
              "max_contacts_7d", "burst_hangups", "interviewers_thanked", "outbound_messages",
              "checkins_expected", "checkins_met", "early_contacts", *NOTE_COUNT_COLUMNS]
    scored[counts] = scored[counts].astype("Int64")
    return scored


def notes_component(scored: pd.DataFrame, policy: Policy) -> np.ndarray:
    """The thank-you notes component: 100 less the policy's penalties, averaged over the round's
    notes with text (a copy of another interviewer's note costs ``copy_penalty``; an own note its
    greeting's and template's penalties), never below 0. Missing where no note with text was
    judged or the policy gives the component no weight.

    >>> from followup.policy import load_policy
    >>> facts = pd.DataFrame({"notes_judged": [2, 2, 0], "notes_copied": [0, 1, 0], "notes_misspelled": [1, 0, 0],
    ...                       "notes_wrong_person": [0, 0, 0], "notes_no_name": [0, 0, 0], "notes_template": [0, 1, 0]})
    >>> notes_component(facts, load_policy("sales")).tolist()  # a misspelling in one of two; a template and its copy
    [75.0, 20.0, nan]
    """
    rules = policy.notes
    judged = scored["notes_judged"].fillna(0).to_numpy(dtype=float)
    penalties = sum(scored[column].fillna(0).to_numpy(dtype=float) * penalty for column, penalty in (
        ("notes_copied", rules.copy_penalty), ("notes_misspelled", rules.misspelled_penalty),
        ("notes_wrong_person", rules.wrong_person_penalty), ("notes_no_name", rules.no_name_penalty),
        ("notes_template", rules.template_penalty)))
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.clip(100 - penalties / judged, 0, 100)
    return np.where((judged > 0) & (policy.weights.notes > 0), part, np.nan)


def quiet_since(scored: pd.DataFrame, policy: Policy) -> pd.Series:
    """Where the went-silent clock starts: the last contact — or, under the deadline rule
    ``wait_for_due``, the due date when that is later (waiting for the stated date is not
    going silent)."""
    last = scored["last_contact_at"]
    if not policy.deadline.wait_for_due:
        return last
    due = pd.to_datetime(scored["decision_due"], utc=True).astype(last.dtype)
    return last.where(~(due > last), due)


def _courtesy_parts(scored: pd.DataFrame, policy: Policy) -> tuple[pd.Series, pd.Series]:
    """The courtesy parts of persistence (missing unless the policy weighs them):

    * every round: the share of the candidate's rounds so far that got a thank-you by the end
      of day ``thank_you_days`` — judged from the second round on;
    * after the decision: 100 for a thank-you after a credited decision (e.g. a rejection),
      0 once ``after_decision_days`` have passed without one.
    """
    c = policy.courtesy
    held = scored["held"]
    prompt = (scored["first_contact_day"].astype("float64") <= c.thank_you_days) & held
    rounds_held, rounds_thanked = held.to_numpy(np.int64), prompt.to_numpy(np.int64)
    # A lone round's running totals are its own; only candidates with several rounds (few, as a
    # rule) need totals summed in round order.
    several = np.flatnonzero((scored["rounds"] > 1).to_numpy())
    if len(several):
        # Grouped and ordered by the candidates' integer codes (build_rounds), not their id strings.
        candidate = scored["candidate_code"].to_numpy()[several]
        order = np.lexsort((scored["round_number"].to_numpy()[several], candidate))
        rows, candidate = several[order], candidate[order]
        for totals in (rounds_held, rounds_thanked):
            totals[rows] = pd.Series(totals[rows]).groupby(candidate).cumsum().to_numpy()
    scored["rounds_held"], scored["rounds_thanked"] = rounds_held, rounds_thanked
    every_round = (scored["rounds_thanked"] / scored["rounds_held"] * 100).where(
        held & (scored["rounds_held"] >= 2))

    credited = (scored["window_closed_by"] == "decision") & scored["decision"].astype(object).isin(c.after_decision)
    thanked_after = scored["thanks_after_decision"].fillna(0) > 0
    waited = scored["as_of"] >= scored["decision_at"] + pd.Timedelta(days=c.after_decision_days)
    after_decision = pd.Series(np.where(thanked_after, 100.0, 0.0), index=scored.index).where(
        held & credited & (thanked_after | waited))
    return every_round.astype(float), after_decision


def flag_codes(flag_masks: dict[str, pd.Series]) -> np.ndarray:
    """The codes of the flags each row carries, joined with :data:`~followup.schema.FLAG_SEPARATOR`
    (``;``) in the order of ``flag_masks``.

    >>> flag_codes({"A": pd.Series([True, False, True]), "B": pd.Series([True, False, False])}).tolist()
    ['A;B', '', 'A']
    """
    codes = list(flag_masks)
    # Four flags make at most 16 combinations: each row picks its text from a table of them.
    combination = sum(np.asarray(mask, dtype=bool).astype(np.int64) << bit
                      for bit, mask in enumerate(flag_masks.values()))
    table = np.array([FLAG_SEPARATOR.join(code for bit, code in enumerate(codes) if carried >> bit & 1)
                      for carried in range(2 ** len(codes))], dtype=object)
    return table[combination]


def grade(score: pd.Series, policy: Policy, flag_masks: dict[str, pd.Series]) -> pd.Series:
    """A/B/C/D by the policy's thresholds, capped by the flags a candidate carries;
    missing where there is no score.

    >>> from followup.policy import load_policy
    >>> scores = pd.Series([90.0, 90.0, 90.0, np.nan])
    >>> grade(scores, load_policy("sales"), {"TOO_FREQUENT": pd.Series([False, True, False, False]),
    ...                                      "NO_CONTACT": pd.Series([False, False, True, False])}).tolist()
    ['A', 'C', 'D', nan]
    """
    g = policy.grades
    letters = np.select([score >= g.A, score >= g.B, score >= g.C], list(GRADES[:3]), GRADES[3])
    for code, mask in flag_masks.items():
        cap = g.caps.get(code)
        if cap:
            # Letters sort best-first, so the worse of grade and cap is the larger string.
            letters = np.where(np.asarray(mask, bool) & (letters < cap), cap, letters)
    return pd.Series(letters, index=score.index, dtype=object).where(score.notna())
