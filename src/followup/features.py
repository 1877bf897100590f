"""Features: an event log in, one tidy row of follow-up facts per interview round out.

In the spirit of lifetimes' ``summary_data_from_transaction_data``: no scoring happens here,
only counting. Everything is whole-column work — merges by sorted keys, ``bincount`` and
``searchsorted`` over time-sorted windows — with no Python loop over candidates or events.

The rounds and their follow-up windows come from :func:`followup.rounds.build_rounds`; only
inbound events inside a round's window are follow-up. Days are counted on the local
calendar of ``tz``: day 0 is the local date of the anchor.

>>> import pandas as pd
>>> from followup.policy import load_policy
>>> from followup.rounds import build_rounds
>>> interviews = pd.DataFrame({
...     "candidate_id": ["ana"], "name": ["Ana"], "interviewers": ["Dana;Raj"],
...     "interview_at": [pd.Timestamp("2026-03-02 14:00", tz="UTC")],
...     "interview_end": [pd.Timestamp("2026-03-02 15:00", tz="UTC")],
...     "decision": [None], "decision_at": [pd.NaT], "decision_due": [pd.NaT]})
>>> events = pd.DataFrame({
...     "candidate_id": ["ana", "ana"], "channel": ["email", "email"],
...     "direction": ["inbound", "inbound"], "outcome": [None, None], "duration_s": [None, None],
...     "contact": ["Dana", "Raj"],
...     "timestamp": pd.to_datetime(["2026-03-02 19:30", "2026-03-02 19:35"], utc=True)})
>>> rounds = build_rounds(interviews, pd.Timestamp("2026-03-20", tz="UTC"), tz="UTC")
>>> row = round_features(events, rounds, load_policy("sales"), tz="UTC").iloc[0]
>>> print(row.first_contact_hours, row.first_contact_day, row.inbound_contacts, row.interviewers_thanked)
4.5 0 2 2
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .days import NS_PER_DAY, NS_PER_MINUTE, local_day
from .normalise import group_time_order, person_key
from .notes import note_facts
from .policy import Policy
from .rounds import candidate_codes, latest_round_at_or_before, named_panel_codes, round_codes
from .schema import (CADENCE_START, CHANNEL_SEPARATOR, CHANNELS, INTERVIEWERS_NOT_ADDRESSED, NAME_SEPARATOR,
                     NOTE_COUNT_COLUMNS, UNANSWERED_OUTCOMES)
from .textcolumns import is_one_of, join, per_distinct, vocabulary_codes


def round_features(events: pd.DataFrame, rounds: pd.DataFrame, policy: Policy, tz: str) -> pd.DataFrame:
    """Per held round: the facts about the candidate's inbound follow-up in its window.

    ``events`` must be normalised (see :mod:`followup.normalise`): UTC timestamps and
    canonical channel/direction/outcome values, in any row order.
    """
    held = rounds[rounds["held"]]
    event_code = candidate_codes(events, held)
    follow_up, thanks_after_decision = follow_up_events(events, held, policy, tz, event_code)
    n = len(held)
    position = follow_up["round_pos"].to_numpy()
    contact = follow_up["is_contact"].to_numpy()
    unanswered = ~contact
    features = pd.DataFrame(index=held.index)
    features["candidate_id"] = held["candidate_id"]

    contacts = follow_up[contact]
    contact_pos = position[contact]
    first_at, last_at = _first_and_last(contact_pos, contacts["timestamp"], n, held.index)
    features["first_contact_at"] = first_at
    features["first_contact_hours"] = ((first_at - held["anchor"]) / pd.Timedelta(hours=1)).round(1)
    first_day = pd.Series(np.nan, index=held.index)
    has_first = first_at.notna()
    if has_first.any():
        first_day[has_first] = local_day(first_at[has_first], tz) - held.loc[has_first, "anchor_day"]
    features["first_contact_day"] = first_day.astype("Int64")
    features["last_contact_at"] = last_at
    features["inbound_contacts"] = np.bincount(contact_pos, minlength=n)
    features["hangups"] = np.bincount(position[unanswered], minlength=n)

    channel_code = vocabulary_codes(contacts["channel"], CHANNELS)
    used = np.bincount(contact_pos * len(CHANNELS) + channel_code,
                       minlength=n * len(CHANNELS)).reshape(n, len(CHANNELS)) > 0
    features["n_channels"] = used.sum(axis=1)
    features["channels"] = _join_flags(used, CHANNELS, held.index)

    start = cadence_start(held, policy)
    features[CADENCE_START] = pd.Series(start.view("datetime64[ns]"), index=held.index).dt.tz_localize("UTC")
    features["periods_completed"], features["periods_with_contact"] = _cadence(contacts, contact_pos, held, start,
                                                                                policy)
    features["max_contacts_7d"], features["busiest_window_at"] = _busiest_window(
        follow_up[contact & ~follow_up["is_opening"].to_numpy()], held, policy)
    features["burst_hangups"], features["burst_at"] = _worst_burst(follow_up[unanswered], held, policy)
    (features["interviewers_thanked"], features["contact_data"],
     features[INTERVIEWERS_NOT_ADDRESSED]) = _interviewers_thanked(contacts, held)
    features["interviewers_met"] = held["interviewers_met"]
    features["outbound_messages"] = _outbound_counts(events, held, event_code)
    features["thanks_after_decision"] = thanks_after_decision
    features["checkins_expected"], features["checkins_met"], features["early_contacts"] = \
        _deadline_checkins(follow_up, held, policy)
    opening = follow_up[follow_up["is_opening"].to_numpy(bool)] if "body" in follow_up else follow_up.iloc[:0].assign(body=None)
    for column, values in note_facts(opening, held, policy).items():
        features[column] = values
    # One note copied to several interviewers thanks only the first of them individually.
    features["interviewers_thanked"] = np.maximum(features["interviewers_thanked"] - features["interviewers_copied"], 0)
    counts = ["checkins_expected", "checkins_met", "early_contacts", "thanks_after_decision", "inbound_contacts", "hangups", "n_channels", "periods_completed", "periods_with_contact",
              "max_contacts_7d", "burst_hangups", "interviewers_thanked", "interviewers_met",
              "outbound_messages", *NOTE_COUNT_COLUMNS]
    features[counts] = features[counts].astype("int64")
    return features


def _first_and_last(position: np.ndarray, times: pd.Series, n: int, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Each round's first and last time, from events in (round, time) order; NaT for none."""
    times_ns = times.to_numpy(dtype="datetime64[ns]").view("int64")
    starts = np.flatnonzero(np.r_[True, position[1:] != position[:-1]]) if len(position) else position
    ends = np.r_[starts[1:] - 1, len(position) - 1] if len(position) else position
    result = []
    for rows in (starts, ends):
        values = np.full(n, np.iinfo(np.int64).min)  # NaT
        values[position[rows]] = times_ns[rows]
        result.append(pd.Series(values.view("datetime64[ns]"), index=index).dt.tz_localize("UTC"))
    return result[0], result[1]


def _join_flags(present: np.ndarray, names: tuple[str, ...], index: pd.Index) -> pd.Series:
    """The names of the columns that are True in each row of ``present``, joined with
    :data:`~followup.schema.CHANNEL_SEPARATOR`."""
    marked = [pc.if_else(pa.array(present[:, j]), name, pa.scalar(None, pa.string()))
              for j, name in enumerate(names)]
    joined = pc.fill_null(join(marked, CHANNEL_SEPARATOR), "")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=index, dtype=object)


def follow_up_events(events: pd.DataFrame, held: pd.DataFrame, policy: Policy, tz: str,
                      event_code: np.ndarray | None = None) -> pd.DataFrame:
    """Inbound events on counted channels inside a held round's window, tagged with the round.

    ``event_code`` is :func:`candidate_codes` of ``events``, when the caller has it already.
    """
    # Only the columns follow-up needs: copying a 10M-row log's free-text columns costs more
    # than all the counting.
    needed = events[["candidate_id", "timestamp", "channel", "outcome", "duration_s", "contact"]
                    + (["body"] if _judges_notes(events, policy) else [])]
    is_inbound = (events["direction"] == "inbound").to_numpy() & is_one_of(events["channel"], policy.channels)
    inbound = needed[is_inbound]
    columns = ["round_pos", "timestamp", "channel", "contact", "is_contact", "is_opening", "day"]
    if not len(inbound) or not len(held):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
            {"round_pos": "int64", "is_contact": bool, "is_opening": bool}), np.zeros(len(held), np.int64)

    position = latest_round_at_or_before(inbound, held, None if event_code is None else event_code[is_inbound])
    times_ns = inbound["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    window_end_ns = held["window_end"].to_numpy(dtype="datetime64[ns]").view("int64")
    inside = (position >= 0) & (times_ns <= window_end_ns[np.maximum(position, 0)])
    unanswered_all = unanswered_calls(inbound, policy.restraint.short_call_seconds)
    thanks_after_decision = _thanks_after_decision(position, times_ns, ~unanswered_all, held, policy)
    # Round by round, in time order: what the sliding windows and the opening ranks need.
    inside_rows = np.flatnonzero(inside)
    order = group_time_order(position[inside_rows], len(held), times_ns[inside_rows])
    follow_up = inbound.iloc[inside_rows[order]]
    position = position[inside_rows[order]]

    unanswered = unanswered_all[inside_rows[order]]
    day = local_day(follow_up["timestamp"], tz) - held["anchor_day"].to_numpy()[position]
    result = pd.DataFrame({
        "round_pos": position,
        "timestamp": follow_up["timestamp"].array,
        "channel": follow_up["channel"].array,
        "contact": follow_up["contact"].array,
        "is_contact": ~unanswered,
        "day": day,
    })
    if "body" in follow_up:
        result["body"] = follow_up["body"].array
    result["is_opening"] = _opening_notes(result, held, policy)
    return result, thanks_after_decision


def _judges_notes(events: pd.DataFrame, policy: Policy) -> bool:
    """Whether thank-you notes are judged from their text: the policy weighs them and the log
    has message text at all."""
    return policy.weights.notes > 0 and "body" in events and bool(events["body"].notna().any())


def unanswered_calls(events: pd.DataFrame, short_call_seconds: float | None) -> np.ndarray:
    """Calls that reached nobody and left no message: attempts, never contacts. A call with
    no outcome counts as one when shorter than ``short_call_seconds`` (``None``: never)."""
    outcome = events["outcome"]
    unanswered = is_one_of(outcome, UNANSWERED_OUTCOMES)
    if short_call_seconds is not None:
        unanswered = unanswered | (outcome.isna().to_numpy()
                                   & (events["duration_s"].to_numpy(dtype=float) < short_call_seconds))
    return (events["channel"] == "phone").to_numpy() & unanswered


def _thanks_after_decision(position, times_ns, is_contact, held: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Per round: how many :func:`thanks_after_decision_events` it has."""
    after = thanks_after_decision_events(position, times_ns, is_contact, held, policy)
    return np.bincount(position[after], minlength=len(held)).astype(np.int64)


def thanks_after_decision_events(position, times_ns, is_contact, held: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Which inbound events on counted channels (their latest round ``position`` in ``held``,
    -1 for none) are contacts after a decision the policy credits (e.g. a gracious thank-you
    after a rejection), within ``after_decision_days`` of it. They are never follow-up otherwise."""
    credited = policy.courtesy.after_decision
    if not credited or not len(held):
        return np.zeros(len(position), dtype=bool)
    decided = ((held["window_closed_by"] == "decision") & held["decision"].astype(object).isin(credited)).to_numpy()
    decision_ns = pd.to_datetime(held["decision_at"], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")
    slot = np.maximum(position, 0)
    as_of_ns = held["as_of"].to_numpy(dtype="datetime64[ns]").view("int64")
    limit = np.minimum(decision_ns[slot] + policy.courtesy.after_decision_days * NS_PER_DAY, as_of_ns[slot])
    return (position >= 0) & is_contact & decided[slot] & (times_ns > decision_ns[slot]) & (times_ns <= limit)


def _opening_notes(follow_up: pd.DataFrame, held: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Thank-you notes in the opening days: up to one per interviewer on each opening channel."""
    opening = (follow_up["is_contact"].to_numpy()
               & is_one_of(follow_up["channel"], policy.opening_channels)
               & (follow_up["day"].to_numpy() <= policy.windows.opening_days))
    if not opening.any():
        return opening
    candidates = follow_up[opening]
    position = candidates["round_pos"].to_numpy()
    round_and_channel = position * len(CHANNELS) + vocabulary_codes(candidates["channel"], CHANNELS)
    rank = pd.Series(round_and_channel).groupby(round_and_channel, sort=False).cumcount()
    allowance = np.maximum(held["interviewers_met"].to_numpy()[position], 1)
    opening[np.flatnonzero(opening)] = rank.to_numpy() < allowance
    return opening


def checkin_days(held: pd.DataFrame, policy: Policy) -> dict[str, np.ndarray]:
    """The days (after the interview) each round's check-ins are expected, from its due date.

    A decision due within ``short_notice_days`` expects one check-in about
    ``short_notice_checkin_day``; a later one expects a check-in about ``checkin_day`` and
    another in the last ``before_due_days`` days up to the due date. Each is a day range
    widened by ``slack_days``; the second is NaN where there is none.
    """
    d = policy.deadline
    due = held["due_day"].to_numpy(dtype=float)
    has_due = ~np.isnan(due)
    short = has_due & (due <= d.short_notice_days)
    first = np.where(short, d.short_notice_checkin_day, d.checkin_day).astype(float)
    first = np.where(has_due, first, np.nan)
    long_due = np.where(has_due & ~short, due, np.nan)
    return {"first_lo": first - d.slack_days, "first_hi": first + d.slack_days,
            "second_lo": long_due - d.before_due_days, "second_hi": long_due}


def checkin_roles(held: pd.DataFrame, policy: Policy, position: np.ndarray, day: np.ndarray,
                  eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which of the ``eligible`` contacts (in (round, time) order, with their round
    ``position`` and ``day``) were the first and the second check-in, and which came early.

    Only the first contact in each expected day range is the check-in; more in the same range,
    or any outside the ranges before the due date, are early contacts (badgering).
    """
    days = checkin_days(held, policy)
    due = held["due_day"].to_numpy(dtype=float)[position]
    eligible = eligible & ~np.isnan(due)
    with np.errstate(invalid="ignore"):
        in_first = eligible & (day >= days["first_lo"][position]) & (day <= days["first_hi"][position])
        in_second = eligible & (day >= days["second_lo"][position]) & (day <= days["second_hi"][position])
        first_checkin = _first_in_round(in_first, position)
        # When the ranges overlap, a second contact in the overlap is the second check-in.
        second_checkin = _first_in_round(in_second & ~first_checkin, position)
        early = eligible & (day < due) & ~first_checkin & ~second_checkin
    return first_checkin, second_checkin, early


def _deadline_checkins(follow_up: pd.DataFrame, held: pd.DataFrame, policy: Policy):
    """Per round: check-ins expected so far, check-ins made, and early contacts (see
    :func:`checkin_roles`).

    A check-in is a contact that is not an opening thank-you. A check-in is expected once its
    day range has passed inside the window — or, when a decision or the next interview closed
    the window, once a whole day of the range had passed — or as soon as it is made; a round
    with no due date expects none.
    """
    n = len(held)
    zeros = np.zeros(n, dtype=np.int64)
    if not policy.deadline.active or not len(follow_up):
        return zeros, zeros, zeros
    position = follow_up["round_pos"].to_numpy()
    eligible = follow_up["is_contact"].to_numpy(bool) & ~follow_up["is_opening"].to_numpy(bool)
    first_checkin, second_checkin, early = checkin_roles(
        held, policy, position, follow_up["day"].to_numpy(dtype=float), eligible)
    met_first = np.bincount(position[first_checkin], minlength=n) > 0
    met_second = np.bincount(position[second_checkin], minlength=n) > 0
    days = checkin_days(held, policy)
    window_days = held["window_end_day"].to_numpy(dtype=float)
    closed = (held["window_closed_by"] != "as_of").to_numpy()
    with np.errstate(invalid="ignore"):
        # Still open: a range is due once it has passed. Closed by a decision or the next
        # interview: once a whole day of it had passed.
        due_by = {k: np.where(closed, window_days > days[f"{k}_lo"], window_days > days[f"{k}_hi"])
                  for k in ("first", "second")}
        expected = (met_first | due_by["first"]).astype(np.int64) + (met_second | due_by["second"]).astype(np.int64)
    has_due = ~np.isnan(held["due_day"].to_numpy(dtype=float))
    expected = np.where(has_due, expected, 0)
    return expected, met_first.astype(np.int64) + met_second, np.bincount(position[early], minlength=n)


def _first_in_round(mask: np.ndarray, position: np.ndarray) -> np.ndarray:
    """The first marked event of each round (events are in (round, time) order)."""
    first = np.zeros(len(mask), dtype=bool)
    marked = np.flatnonzero(mask)
    if len(marked):
        rounds = position[marked]
        first[marked[np.r_[True, rounds[1:] != rounds[:-1]]]] = True
    return first


def cadence_start(held: pd.DataFrame, policy: Policy) -> np.ndarray:
    """When each round's first cadence period starts (UTC ns): ``cadence_starts_day`` after the
    anchor, or — under ``wait_for_due`` — the day after the due date if that is later."""
    anchor = held["anchor"].to_numpy(dtype="datetime64[ns]").view("int64")
    start_day = np.full(len(held), float(policy.windows.cadence_starts_day))
    if policy.deadline.wait_for_due:
        start_day = np.fmax(start_day, held["due_day"].to_numpy(dtype=float) + 1)
    return anchor + (start_day * NS_PER_DAY).astype(np.int64)


def _cadence(contacts: pd.DataFrame, contact_pos: np.ndarray, held: pd.DataFrame, start: np.ndarray,
             policy: Policy):
    """Completed cadence periods after the first week (from ``start``, UTC ns, by
    :func:`cadence_start`), and how many held a contact."""
    period_ns = policy.windows.cadence_days * NS_PER_DAY
    end = held["window_end"].to_numpy(dtype="datetime64[ns]").view("int64")
    completed = np.maximum((end - start) // period_ns, 0)
    if not len(contacts):
        return completed, np.zeros(len(held), dtype=np.int64)
    times = contacts["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    period = (times - start[contact_pos]) // period_ns
    counted = (period >= 0) & (period < completed[contact_pos])
    pairs = pd.DataFrame({"pos": contact_pos[counted], "period": period[counted]}).drop_duplicates()
    return completed, np.bincount(pairs["pos"].to_numpy(), minlength=len(held))


def _rolling_counts(positions: np.ndarray, times_ns: np.ndarray, width_ns: int) -> np.ndarray:
    """For events sorted by (round, time): how many of the round's events fall in (t - width, t].

    One integer key per event — the round's running segment number in the high part, whole
    seconds in the low part — makes the array globally sorted, so a single searchsorted
    finds every window's start without crossing into another round.
    """
    if not len(positions):
        return np.zeros(0, dtype=np.int64)
    segment = np.cumsum(np.r_[True, positions[1:] != positions[:-1]]).astype(np.int64)
    seconds = times_ns // 10**9
    width = max(int(width_ns // 10**9), 1)
    span = int(seconds.max() - seconds.min()) + width + 1
    key = segment * span + (seconds - seconds.min())
    start = np.searchsorted(key, key - width, side="right")
    return np.arange(len(key)) - start + 1


def _worst_window(events: pd.DataFrame, held: pd.DataFrame, width_ns: int):
    n = len(held)
    most = np.zeros(n, dtype=np.int64)
    when = pd.Series(pd.NaT, index=held.index, dtype="datetime64[ns, UTC]")
    if not len(events):
        return most, when
    positions = events["round_pos"].to_numpy()
    times = events["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    counts = _rolling_counts(positions, times, width_ns)
    np.maximum.at(most, positions, counts)
    # When the worst window ended: the first event whose count reaches the round's maximum.
    peak = counts == most[positions]
    first_peak = pd.Series(times[peak]).groupby(positions[peak]).min()
    when.iloc[first_peak.index.to_numpy()] = pd.to_datetime(first_peak.to_numpy(), utc=True)
    return most, when


def _busiest_window(counted: pd.DataFrame, held: pd.DataFrame, policy: Policy):
    return _worst_window(counted, held, policy.restraint.frequency_window_days * NS_PER_DAY)


def _worst_burst(unanswered: pd.DataFrame, held: pd.DataFrame, policy: Policy):
    return _worst_window(unanswered, held, int(policy.restraint.burst_minutes * NS_PER_MINUTE))


def _interviewers_thanked(contacts: pd.DataFrame, held: pd.DataFrame):
    """How many of a round's interviewers a contact was addressed to, whether any contact
    carried a ``contact`` at all (without that, thanking cannot be judged), and — where it is
    judged (two or more interviewers) — the interviewers none was addressed to
    (:data:`~followup.schema.INTERVIEWERS_NOT_ADDRESSED`)."""
    n = len(held)
    addressed = contacts[contacts["contact"].notna().to_numpy()]
    contact_data = np.bincount(addressed["round_pos"].to_numpy(dtype=np.int64), minlength=n) > 0
    not_addressed = pd.Series(None, index=held.index, dtype=object)
    if not len(addressed):
        return np.zeros(n, dtype=np.int64), contact_data, not_addressed
    several = (held["interviewers_met"].to_numpy() >= 2) & contact_data
    pos, who, vocabulary, written = named_panel_codes(held[several])
    pos = np.flatnonzero(several)[pos]
    # People compared as codes of the panel's person keys: a contact nobody on any panel has
    # gets -1 and matches nothing.
    reached = per_distinct(addressed["contact"], lambda names: pd.Index(vocabulary).get_indexer(
        person_key(pd.Series(names.to_pandas(), dtype="string")).to_numpy(dtype=object)))
    reached_pos = addressed["round_pos"].to_numpy(dtype=np.int64)[reached >= 0]
    reached = reached[reached >= 0]
    people = len(vocabulary)
    # The members (in round, then panel order) no contact of their round reached, by name.
    missed = ~np.isin(pos * people + who, reached_pos * people + reached)
    per_round = np.bincount(pos[missed], minlength=n)
    offsets = np.concatenate([[0], np.cumsum(per_round)]).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), written.filter(pa.array(missed))),
                            NAME_SEPARATOR)
    some = per_round > 0
    not_addressed.iloc[np.flatnonzero(some)] = np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)[some]
    if people <= 64:  # the usual case: each round's panel and the people reached as bit sets
        on_panel, addressed_to = np.zeros(n, dtype=np.uint64), np.zeros(n, dtype=np.uint64)
        np.bitwise_or.at(on_panel, pos, np.left_shift(np.uint64(1), who.astype(np.uint64)))
        np.bitwise_or.at(addressed_to, reached_pos, np.left_shift(np.uint64(1), reached.astype(np.uint64)))
        return np.bitwise_count(on_panel & addressed_to).astype(np.int64), contact_data, not_addressed
    thanked = np.intersect1d(np.unique(pos * people + who), reached_pos * people + reached)
    return np.bincount(thanked // people, minlength=n), contact_data, not_addressed


def _outbound_counts(events: pd.DataFrame, held: pd.DataFrame, event_code: np.ndarray) -> np.ndarray:
    """Employer messages per candidate (context for a reader; never follow-up)."""
    outbound = event_code[(events["direction"] == "outbound").to_numpy() & (event_code >= 0)]
    round_code = round_codes(held)
    return np.bincount(outbound, minlength=int(round_code.max(initial=-1)) + 1)[round_code].astype(np.int64)
