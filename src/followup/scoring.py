"""Score: follow-up facts in, components, score, grade, status, flags and reasons out.

Every number comes from the policy. Components are 0–100; a component or a part of one with
no data is missing (NaN) and the others are re-weighted — never scored as 0 or 100 by default.
The status and flag codes are stable; scripts depend on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .policy import Policy

STATUSES = ("upcoming", "pending", "flagged", "ok")
FLAGS = ("NO_CONTACT", "EXCESSIVE_HANGUPS", "TOO_FREQUENT", "WENT_SILENT")
SEPARATOR = "; "


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


def speed_score(first_day: pd.Series, first_hours: pd.Series, deadline_passed: pd.Series,
                policy: Policy) -> pd.Series:
    """Speed of the first contact: best on the same local day, then the policy's curve; a
    first contact after the no-contact deadline, or none once it has passed, scores 0."""
    days = first_day.astype("float64").to_numpy()
    hours = first_hours.to_numpy(dtype=float)
    xs = [h for h, _ in policy.speed.curve]
    ys = [s for _, s in policy.speed.curve]
    curve = np.interp(np.nan_to_num(hours, nan=0.0), xs, ys)
    limit = policy.windows.no_contact_days
    speed = np.where(days == 0, policy.speed.same_day_score, curve)
    speed = np.where(days > limit, 0.0, speed)
    speed = np.where(np.isnan(days), np.where(deadline_passed, 0.0, np.nan), speed)
    return pd.Series(speed, index=first_day.index)


def score_rounds(rounds: pd.DataFrame, features: pd.DataFrame, policy: Policy, tz: str) -> pd.DataFrame:
    """Join features onto every round and add components, score, grade, status, flags, reasons."""
    scored = rounds.join(features.drop(columns=["candidate_id", "interviewers_met"]), how="left")
    held = scored["held"].to_numpy()
    windows, restraint_rules = policy.windows, policy.restraint
    has_contact = scored["inbound_contacts"].fillna(0).to_numpy() > 0
    deadline_passed = held & (scored["window_end_day"].to_numpy() > windows.no_contact_days)
    late_first = scored["first_contact_day"].astype("float64").to_numpy() > windows.no_contact_days
    judged = held & (has_contact | deadline_passed)

    speed = speed_score(scored["first_contact_day"], scored["first_contact_hours"],
                        pd.Series(deadline_passed, index=scored.index), policy)

    completed = scored["periods_completed"].fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        cadence = np.where(completed > 0, scored["periods_with_contact"] / completed * 100, np.nan)
        channels = np.minimum(scored["n_channels"] / policy.persistence.channel_target, 1.0) * 100
        several = (scored["interviewers_met"].to_numpy() >= 2) & scored["contact_data"].fillna(False).to_numpy(bool)
        thanked = np.where(several, scored["interviewers_thanked"] / scored["interviewers_met"] * 100, np.nan)
    p = policy.persistence
    persistence = weighted_mean([
        (p.cadence_weight, pd.Series(cadence, index=scored.index)),
        (p.channels_weight, pd.Series(channels, index=scored.index)),
        (p.interviewers_weight, pd.Series(thanked, index=scored.index)),
    ])

    excess = np.maximum(scored["max_contacts_7d"].fillna(0) - restraint_rules.max_contacts_per_window, 0)
    hangups = scored["hangups"].fillna(0)
    burst = scored["burst_hangups"].fillna(0) >= restraint_rules.burst_count
    penalty = (excess * restraint_rules.excess_contact_penalty
               + np.maximum(hangups - restraint_rules.hangups_forgiven, 0) * restraint_rules.hangup_penalty
               + burst * restraint_rules.burst_penalty)
    restraint = (100 - penalty).clip(0, 100)

    judged_series = pd.Series(judged, index=scored.index)
    scored["speed"] = speed.where(judged_series).round(1)
    scored["persistence"] = persistence.where(judged_series).round(1)
    scored["restraint"] = restraint.where(judged_series).round(1)
    w = policy.weights
    scored["score"] = weighted_mean([
        (w.speed, scored["speed"]), (w.persistence, scored["persistence"]), (w.restraint, scored["restraint"]),
    ]).where(judged_series).round(1)

    silent_days = (scored["window_end"] - scored["last_contact_at"]) / pd.Timedelta(days=1)
    flag_masks = {
        "NO_CONTACT": pd.Series(deadline_passed & (~has_contact | late_first), index=scored.index),
        "EXCESSIVE_HANGUPS": held & ((hangups > restraint_rules.max_hangups) | burst),
        "TOO_FREQUENT": held & (excess > 0),
        "WENT_SILENT": held & has_contact & (silent_days > windows.silent_gap_days).fillna(False),
    }
    scored["flags"] = _join([pd.Series(np.where(mask, code, None), index=scored.index)
                             for code, mask in flag_masks.items()], ";")
    flagged = scored["flags"] != ""
    scored["grade"] = grade(scored["score"], policy, flag_masks)
    status = np.where(~held, "upcoming",
                      np.where(~judged, "pending",
                               np.where(flagged, "flagged", "ok")))
    scored["status"] = pd.Categorical(status, categories=STATUSES)
    scored["reasons"], scored["reason"] = _reasons(scored, flag_masks, silent_days, policy, tz)
    counts = ["inbound_contacts", "hangups", "n_channels", "periods_completed", "periods_with_contact",
              "max_contacts_7d", "burst_hangups", "interviewers_thanked", "outbound_messages"]
    scored[counts] = scored[counts].astype("Int64")
    return scored


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
    letters = np.select([score >= g.A, score >= g.B, score >= g.C], ["A", "B", "C"], "D")
    for code, mask in flag_masks.items():
        cap = g.caps.get(code)
        if cap:
            # Letters sort best-first, so the worse of grade and cap is the larger string.
            letters = np.where(np.asarray(mask, bool) & (letters < cap), cap, letters)
    return pd.Series(letters, index=score.index, dtype=object).where(score.notna())


def _join(parts: list[pd.Series], separator: str) -> pd.Series:
    """Join the non-missing strings of several aligned series, row by row."""
    out = pd.Series("", index=parts[0].index, dtype=object)
    for part in parts:
        present = part.notna().to_numpy()
        if not present.any():
            continue
        head = out[present]
        out[present] = np.where(head == "", part[present], head + separator + part[present].astype(str))
    return out


def _when(times: pd.Series, tz: str) -> pd.Series:
    """Short local date, e.g. '12 Mar'."""
    local = times.dt.tz_convert(tz)
    return local.dt.day.astype("Int64").astype(str) + " " + local.dt.strftime("%b")


def _plural(count: pd.Series, word: str) -> pd.Series:
    count = count.astype("Int64")
    return count.astype(str) + " " + word + np.where((count == 1).fillna(False), "", "s")


def _reasons(scored, flag_masks, silent_days, policy: Policy, tz: str):
    idx = scored.index
    windows, r = policy.windows, policy.restraint
    held = scored["held"]
    none = pd.Series(None, index=idx, dtype=object)
    hours = scored["first_contact_hours"]
    day = scored["first_contact_day"].astype("float64")
    has_contact = scored["inbound_contacts"].fillna(0) > 0

    def where(mask, text):
        mask = pd.Series(np.asarray(mask, dtype=bool), index=idx)
        out = none.copy()
        if mask.any():
            out[mask] = (text[mask] if isinstance(text, pd.Series) else text)
        return out

    hours_text = hours.map("{:.1f}".format)
    speed = _join([
        where(held & has_contact & (day == 0), "first contact " + hours_text + " h after the interview (same day)"),
        where(held & has_contact & (day > 0) & (day <= windows.no_contact_days),
              "first contact " + hours_text + " h after the interview (day " + day.map("{:.0f}".format) + ")"),
    ], SEPARATOR)
    days_left = windows.no_contact_days - scored["window_end_day"]
    pending = where(held & ~has_contact & (scored["status"] == "pending"),
                    "no contact yet, " + _plural(days_left.clip(lower=0), "day")
                    + f" left of the {windows.no_contact_days}-day window")
    upcoming = where(~held, "interview on " + _when(scored["interview_at"], tz) + " is after the as-of time")

    periods = "week" if windows.cadence_days == 7 else f"{windows.cadence_days}-day period"
    cadence = where(held & (scored["periods_completed"] > 0),
                    scored["periods_with_contact"].astype("Int64").astype(str) + " of "
                    + _plural(scored["periods_completed"], periods) + " with follow-up")
    channels = where(held & has_contact,
                     _plural(scored["n_channels"], "channel") + " ("
                     + scored["channels"].astype(str).str.replace(",", ", ") + ")")
    thanked = where(held & (scored["interviewers_met"] >= 2) & scored["contact_data"].fillna(False).astype(bool),
                    "thanked " + scored["interviewers_thanked"].astype("Int64").astype(str) + " of "
                    + scored["interviewers_met"].astype(str) + " interviewers individually")
    frequency = where(held & has_contact,
                      "at most " + _plural(scored["max_contacts_7d"], "contact")
                      + f" in any {r.frequency_window_days} days (limit {r.max_contacts_per_window})")
    hangups = scored["hangups"].fillna(0)
    unanswered = where(held & (hangups > 0), _plural(hangups, "call") + " hung up without a voicemail")
    burst = scored["burst_hangups"].fillna(0) >= r.burst_count
    burst_text = where(held & burst, _plural(scored["burst_hangups"], "unanswered call")
                       + f" within {r.burst_minutes:g} min on " + _when(scored["burst_at"], tz))
    uncapped = grade(scored["score"], policy, {})
    capped = where(scored["grade"].notna() & (scored["grade"] != uncapped),
                   "grade capped at " + scored["grade"].astype(str) + " by the flags (the score alone gives "
                   + uncapped.astype(str) + ")")
    decision = where(scored["window_closed_by"] == "decision",
                     "window closed by the decision (" + scored["decision"].astype(str) + ") on "
                     + _when(scored["decision_at"], tz))

    flags = flag_masks
    flag_reasons = [
        where(flags["NO_CONTACT"] & has_contact, "NO_CONTACT: first contact only on day "
              + day.map("{:.0f}".format) + f", after the {windows.no_contact_days}-day window"),
        where(flags["NO_CONTACT"] & ~has_contact, "NO_CONTACT: no contact in the "
              + scored["window_end_day"].map("{:.0f}".format) + " days since the interview"),
        where(flags["EXCESSIVE_HANGUPS"], "EXCESSIVE_HANGUPS: " + _join([unanswered, burst_text], ", ")),
        where(flags["TOO_FREQUENT"], "TOO_FREQUENT: " + _plural(scored["max_contacts_7d"], "contact")
              + f" in the {r.frequency_window_days} days to " + _when(scored["busiest_window_at"], tz)
              + f" (limit {r.max_contacts_per_window})"),
        where(flags["WENT_SILENT"], "WENT_SILENT: no contact for " + silent_days.map("{:.0f}".format)
              + " days since " + _when(scored["last_contact_at"], tz)),
    ]
    restraint = where(~flags["EXCESSIVE_HANGUPS"], _join([unanswered], SEPARATOR))
    reasons = _join(flag_reasons + [upcoming, pending, speed, cadence, channels, thanked,
                                    where(~flags["TOO_FREQUENT"], frequency), restraint, capped, decision],
                    SEPARATOR)
    flagged_first = _join(flag_reasons, SEPARATOR).str.split(SEPARATOR, n=1).str[0]
    headline = _join([flagged_first.where(flagged_first != ""), upcoming, pending,
                      _join([speed, cadence], ", ")], SEPARATOR).str.split(SEPARATOR, n=1).str[0]
    return reasons, headline
