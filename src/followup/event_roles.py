"""Per-event roles: what every event of a scored log counted for, decided once, as columns.

The engine's per-round numbers (:mod:`followup.features`) say how many contacts a round had;
:func:`event_roles` says which events they were, by the same rules and with the same helpers:
:func:`~followup.features.follow_up_events` decides the window, the opening thank-yous and
the unanswered calls, :func:`~followup.features.checkin_roles` the check-ins,
:func:`~followup.features.cadence_start` the cadence periods and
:func:`~followup.features.thanks_after_decision_events` the thank-yous after a decision. The
answer is codes — booleans, small numbers and the categories of
:data:`~followup.schema.EVENT_KINDS` and :data:`~followup.schema.NOT_COUNTED_CODES` — that
``explain``, the report and the plots read and word; none of them decides a rule again.
``ScoreResult.event_roles`` is this frame for a whole result, made on first use (a score run
that shows no event never pays for it).

>>> import followup
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> roles = result.event_roles
>>> mine = roles[(result.events["candidate_id"].to_numpy()[roles["event"]] == "C007")]
>>> int(mine["unanswered_call"].sum()), int(mine["in_burst"].sum())
(4, 4)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .days import NS_PER_DAY, NS_PER_MINUTE, day_position, local_day
from .features import (cadence_start, checkin_roles, follow_up_events, thanks_after_decision_events,
                       unanswered_calls)
from .normalise import person_key
from .policy import Policy
from .rounds import interviewer_panel, latest_round_at_or_before
from .schema import EVENT_KINDS, NOT_COUNTED_CODES, ROLE_CODES
from .textcolumns import is_one_of, positions_in, sorted_codes, text_array

# The events' columns the rules read (``body``: thank-you notes judged from their text).
RULE_COLUMNS = ("candidate_id", "timestamp", "channel", "direction", "outcome", "duration_s", "contact", "body")
#: The columns of :func:`event_roles`, besides the :data:`~followup.schema.ROLE_CODES`.
FACT_COLUMNS = ("event", "round_row", "round_number", "day", "day_position", "hours_after_anchor", "kind",
                "counted", "in_window", "unanswered_call", "unanswered_run", "cadence_period", "not_counted")


def event_roles(events: pd.DataFrame, rounds: pd.DataFrame, policy: Policy, tz: str) -> pd.DataFrame:
    """One row per event of ``events``, in candidate then time order, with what it counted for.

    ``events`` is a normalised log (``ScoreResult.events`` or part of it) and ``rounds`` the
    scored rounds of its candidates (``ScoreResult.rounds``: the features and the interview
    list). Columns:

    * ``event``: the event's row (position) in ``events``; ``round_row``: its round's row in
      ``rounds`` (the round whose window holds it, else the latest interview before it; -1 for
      none), ``round_number`` that round's number (``<NA>`` for none);
    * ``day``: the local calendar day in ``tz`` after the interview of the candidate's
      shortlist round (day 0 = interview day), ``day_position`` the same with the time of day
      as a fraction (:func:`followup.days.day_position`), ``hours_after_anchor`` the hours
      since its own round's anchor;
    * ``kind`` (:data:`~followup.schema.EVENT_KINDS`): ``contact`` and ``unanswered`` are the
      inbound follow-up of the scored round, ``employer`` the employer's messages,
      ``not_counted`` the rest; ``counted`` is ``contact`` or ``unanswered``;
    * ``in_window``: inside its round's follow-up window; ``unanswered_call``: an inbound call
      that reached nobody, by :func:`~followup.features.unanswered_calls`, inside the window or
      not; ``unanswered_run``: for a counted unanswered call, which run of them it is part of —
      calls back to back (no other event of the candidate between), each within the policy's
      ``burst_minutes`` of the one before — named by the ``event`` of its first call (a lone
      call is a run of one), -1 for other events; ``cadence_period``: the cadence period
      (0 = the first) a contact falls in, -1 before the cadence starts or for other events;
    * one boolean column per :data:`~followup.schema.ROLE_CODES` code;
    * ``not_counted`` (:data:`~followup.schema.NOT_COUNTED_CODES`): why an event that is not
      counted is not, the first reason that applies (``<NA>`` for a counted one).
    """
    order, candidate = _candidate_time_order(events)
    # Only the columns the rules read: a log's free-text columns are not copied a million rows at a time.
    events = events[[c for c in RULE_COLUMNS if c in events]].iloc[order].reset_index(drop=True)
    n = len(events)
    held_rows = np.flatnonzero(rounds["held"].to_numpy(bool))
    held = rounds.iloc[held_rows]
    windows, restraint = policy.windows, policy.restraint

    # The helper carries ``contact`` through untouched: lending it each event's row number maps
    # every follow-up row back to its event exactly, even for same-second twins.
    follow_up, _ = follow_up_events(events.assign(contact=np.arange(n)), held, policy, tz)
    row = follow_up["contact"].to_numpy(dtype=np.int64)
    position = np.full(n, -1, dtype=np.int64)
    position[row] = follow_up["round_pos"].to_numpy()
    follow = position >= 0
    is_contact = np.zeros(n, dtype=bool)
    is_contact[row] = follow_up["is_contact"].to_numpy(bool)
    opening = np.zeros(n, dtype=bool)
    opening[row] = follow_up["is_opening"].to_numpy(bool)

    times_ns = events["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    latest = latest_round_at_or_before(events, held) if len(held) else np.full(n, -1, dtype=np.int64)
    slot = np.maximum(np.where(follow, position, latest), 0)
    known_round = follow | (latest >= 0)

    def column(name, dtype=None):
        """The held rounds' ``name`` for each event (its round at ``slot``); zeros with no round."""
        values = held[name].to_numpy(dtype=dtype) if dtype else held[name].to_numpy()
        return values[slot] if len(values) else np.zeros(n, dtype=values.dtype)

    def times(name):
        """The held rounds' time ``name`` for each event, as UTC nanoseconds."""
        if not len(held):
            return np.zeros(n, dtype=np.int64)
        return pd.to_datetime(held[name], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")[slot]

    inbound = (events["direction"] == "inbound").to_numpy()
    counted = follow & known_round & column("is_shortlist_round", bool)
    unanswered = follow & ~is_contact
    contact = counted & is_contact
    anchor_ns = times("anchor")
    in_window = known_round & (times_ns >= anchor_ns) & (times_ns <= times("window_end"))
    after_window = known_round & ~in_window & (times_ns > times("window_end"))
    roles = {code: np.zeros(n, dtype=bool) for code in ROLE_CODES}
    period = np.full(n, -1, dtype=np.int64)
    if len(held):
        roles["first_contact"] = _first_contacts(events, contact, times_ns, times("first_contact_at"))
        roles["opening_thank_you"] = contact & opening
        roles["thanks_interviewer"] = _thanks_interviewers(events, held, slot, contact)
        period = np.where(contact, np.maximum(np.floor_divide(times_ns - cadence_start(held, policy)[slot],
                                                              windows.cadence_days * NS_PER_DAY), -1), -1)
        completed = column("periods_completed", float)
        roles["cadence_counted"] = contact & (period >= 0) & (period < completed)
        roles["cadence_incomplete"] = contact & (period >= completed)
        busiest_ns = times("busiest_window_at")
        roles["in_busiest_window"] = (contact & ~opening & (column("max_contacts_7d", float) > restraint.max_contacts_per_window)
                                      & (times_ns <= busiest_ns)
                                      & (times_ns > busiest_ns - restraint.frequency_window_days * NS_PER_DAY))
        roles["unanswered_attempt"] = unanswered & counted
        burst_ns = times("burst_at")
        roles["in_burst"] = (unanswered & counted & (column("burst_hangups", float) >= restraint.burst_count)
                             & (times_ns <= burst_ns)
                             & (times_ns > burst_ns - int(restraint.burst_minutes * NS_PER_MINUTE)))
        roles["thanks_after_decision"] = _thanks_after_decision(events, held, latest, times_ns, policy)
        if policy.deadline.active:
            day_in_round = local_day(events["timestamp"], tz) - column("anchor_day", np.int64)
            first, second, early = checkin_roles(held, policy, slot, day_in_round.astype(float), contact & ~opening)
            roles["checkin"], roles["early_contact"] = first | second, early
        roles["before_cadence"] = contact & ~(roles["first_contact"] | roles["opening_thank_you"]
                                              | roles["thanks_interviewer"] | roles["checkin"]
                                              | roles["early_contact"] | (period >= 0))

    kind = np.select([~inbound, contact, counted & unanswered], [2, 0, 1], 3)
    frame = pd.DataFrame({
        "event": order,
        "round_row": np.where(known_round, held_rows[slot] if len(held) else -1, -1),
        "round_number": pd.array(np.where(known_round, column("round_number", float), np.nan), dtype="Int64"),
        **_days(events, rounds, tz),
        "hours_after_anchor": (times_ns - anchor_ns) / 3.6e12,
        "kind": pd.Categorical.from_codes(kind, categories=EVENT_KINDS),
        "counted": counted,
        "in_window": in_window,
        "unanswered_call": inbound & unanswered_calls(events, restraint.short_call_seconds),
        "unanswered_run": _unanswered_runs(order, candidate, kind == EVENT_KINDS.index("unanswered"), times_ns,
                                           restraint.burst_minutes),
        "cadence_period": period,
        **roles,
    })
    frame["not_counted"] = _not_counted(events, held, inbound, counted, latest, in_window, after_window, column, policy)
    return frame


def _id_ranks(ids: pd.Series) -> np.ndarray:
    """Each id's rank in sorted order, ranked once per distinct id (a categorical's categories)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        rank = np.append(sorted_codes(text_array(pd.Series(ids.cat.categories, dtype=object))), -1)
        return rank[ids.cat.codes.to_numpy()]
    return sorted_codes(text_array(ids.astype(str).to_numpy(dtype=object)))


def _candidate_time_order(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions that put ``events`` in candidate id then time order (stable: same-time rows
    keep theirs), comparing ids by their ranks and times as nanoseconds; and the ranks of the
    ids in that order."""
    if not len(events):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    times_ns = events["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    rank = _id_ranks(events["candidate_id"])
    order = np.lexsort((times_ns, rank))
    return order, rank[order]


def _days(events: pd.DataFrame, rounds: pd.DataFrame, tz: str) -> dict[str, np.ndarray]:
    """Day numbers counted from the candidate's shortlist round, whatever round an event is of."""
    n = len(events)
    if not n:
        return {"day": np.zeros(0, dtype=np.int64), "day_position": np.zeros(0)}
    shortlist = rounds[rounds["is_shortlist_round"].to_numpy(bool)]
    which = positions_in(pd.Index(shortlist["candidate_id"].astype(str)), events["candidate_id"].astype(str))
    anchor_day = shortlist["anchor_day"].to_numpy(dtype=np.int64)[np.maximum(which, 0)] if len(shortlist) \
        else np.zeros(n, dtype=np.int64)
    return {"day": (local_day(events["timestamp"], tz) - anchor_day).astype(np.int64),
            "day_position": day_position(events["timestamp"], anchor_day, tz)}


def _unanswered_runs(order: np.ndarray, candidate: np.ndarray, unanswered: np.ndarray, times_ns: np.ndarray,
                     burst_minutes: float) -> np.ndarray:
    """Per event (in candidate then time order; ``order`` their positions, ``candidate`` their
    ids' ranks), the ``event`` of the first call of the run of unanswered calls it is part of;
    -1 for other events. A call joins the run of the event just before it when that is the
    same candidate's unanswered call at most ``burst_minutes`` earlier."""
    n = len(order)
    if not n:
        return np.zeros(0, dtype=np.int64)
    joins = np.zeros(n, dtype=bool)
    joins[1:] = (unanswered[1:] & unanswered[:-1] & (candidate[1:] == candidate[:-1])
                 & (times_ns[1:] - times_ns[:-1] <= burst_minutes * NS_PER_MINUTE))
    start = np.maximum.accumulate(np.where(joins, 0, np.arange(n)))
    return np.where(unanswered, order[start], -1)


def _first_contacts(events: pd.DataFrame, contact: np.ndarray, times_ns: np.ndarray, first_ns: np.ndarray) -> np.ndarray:
    first = contact & (times_ns == first_ns)
    # Same-second twins: only the first of them (in time order) is "the" first contact.
    marked = np.flatnonzero(first)
    if len(marked):
        candidate = _id_ranks(events["candidate_id"].iloc[marked])
        first[marked[1:][candidate[1:] == candidate[:-1]]] = False
    return first


def _thanks_interviewers(events: pd.DataFrame, held: pd.DataFrame, slot: np.ndarray, contact: np.ndarray) -> np.ndarray:
    """The first contact to each interviewer of the round: the part counts interviewers, not notes."""
    n = len(events)
    thanked = np.zeros(n, dtype=bool)
    named = contact & events["contact"].notna().to_numpy()
    rows = np.flatnonzero(named)
    if not len(rows):
        return thanked
    # Each distinct name is made comparable once (a log repeats a few names a million times).
    name_code, names = pd.factorize(events["contact"].iloc[rows].to_numpy(dtype=object))
    who = person_key(pd.Series(names, dtype="string")).to_numpy(dtype=object)[name_code]
    addressed = pd.DataFrame({"pos": slot[rows], "who": who, "row": rows})
    matches = addressed[pd.notna(who)].merge(interviewer_panel(held).drop_duplicates(), on=["pos", "who"])
    thanked[matches.sort_values("row").drop_duplicates(["pos", "who"])["row"].to_numpy(dtype=np.int64)] = True
    return thanked


def _thanks_after_decision(events, held, latest, times_ns, policy: Policy) -> np.ndarray:
    """The thank-yous after a decision the score credits: the engine's rule, on the events it
    judges (inbound, on the policy's channels), where the policy gives the part a weight."""
    if policy.courtesy.after_decision_weight <= 0:
        return np.zeros(len(events), dtype=bool)
    judged = (events["direction"] == "inbound").to_numpy() & is_one_of(events["channel"], policy.channels)
    rows = np.flatnonzero(judged)
    contact = ~unanswered_calls(events.iloc[rows], policy.restraint.short_call_seconds)
    credited = np.zeros(len(events), dtype=bool)
    credited[rows] = thanks_after_decision_events(latest[rows], times_ns[rows], contact, held, policy)
    return credited


def _not_counted(events, held, inbound, counted, latest, in_window, after_window, column,
                 policy: Policy) -> pd.Categorical:
    """Why each event that is not counted is not: the first of NOT_COUNTED_CODES that applies."""
    code = {name: i for i, name in enumerate(NOT_COUNTED_CODES)}
    if not len(held):
        reason = np.where(inbound, code["before_interview"], code["employer_message"])
    else:
        closed_by = column("window_closed_by").astype(str)
        cases = [
            (~inbound, "employer_message"),
            (~is_one_of(events["channel"], policy.channels), "channel_not_counted"),
            (latest < 0, "before_interview"),
            (in_window & ~column("is_shortlist_round", bool), "earlier_round"),
            (after_window & (closed_by == "decision"), "after_decision"),
            (after_window & (closed_by == "as_of"), "after_as_of"),
            (after_window & (closed_by == "next_interview"), "during_next_interview"),
        ]
        reason = np.select([mask for mask, _ in cases], [code[name] for _, name in cases], -1)
    return pd.Categorical.from_codes(np.where(counted, -1, reason), categories=NOT_COUNTED_CODES)
