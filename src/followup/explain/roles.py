"""Per-event roles: what every event of a result counted for, in whole-column passes.

:func:`annotate_events` tags every event of the chosen candidates (all of them by default) with
its local day after the interview and what it counted for. It asks the scorer's own helpers
what is follow-up — :func:`followup.features.follow_up_events` decides the window, the opening
thank-yous and the unanswered calls, :func:`~followup.features.interviewer_panel` and
:func:`~followup.features.person_key` who was thanked — so an explanation can never disagree
with the score it explains. A duplicate dropped by the normaliser or an adapter is placed beside
the event it repeats, found by the rejects' ``duplicate_of_file``/``duplicate_of_row`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..days import NS_PER_DAY, NS_PER_MINUTE, local_day
from ..features import cadence_start, checkin_roles, follow_up_events
from ..normalise import person_key
from ..rounds import interviewer_panel, latest_round_at_or_before
from ..schema import ROLE_SEPARATOR, UNANSWERED_OUTCOMES
from ..textcolumns import cat, integer, join, positions_in, tenths_text, text_array, when
from .words import short_dates

OUTCOME_WORDS = {"connected": "connected", "voicemail": "voicemail left", "hang_up": "hung up",
                 "missed": "missed, no message", "busy": "busy"}


def _numbers(values) -> pa.Array:
    """Whole numbers as text, in Arrow (a timeline can hold a million events)."""
    return integer(pd.Series(np.asarray(values, dtype=float)))


def _tenths(values) -> pa.Array:
    """Numbers to one decimal as text, in Arrow."""
    return tenths_text(pd.Series(np.round(np.asarray(values, dtype=float) * 10)))


def per_round(held: pd.DataFrame, slot: np.ndarray, column: str, dtype=None) -> np.ndarray:
    """The held rounds' ``column`` for each event (its round at ``slot``); zeros with no round."""
    values = held[column].to_numpy(dtype=dtype) if dtype else held[column].to_numpy()
    if not len(values):
        return np.zeros(len(slot), dtype=values.dtype)
    return values[slot]


def round_times(held: pd.DataFrame, slot: np.ndarray, column: str) -> np.ndarray:
    """The held rounds' time ``column`` for each event, as UTC nanoseconds; zeros with no round."""
    if not len(held):
        return np.zeros(len(slot), dtype=np.int64)
    return pd.to_datetime(held[column], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")[slot]


@dataclass
class EventFacts:
    """What :func:`annotate_events` decided of each event (sorted by candidate and time), which
    the role rules then word: one parallel array per fact, all of the events' length."""

    events: pd.DataFrame
    held: pd.DataFrame         # the rounds whose interview has taken place
    slot: np.ndarray           # each event's round, a position in ``held`` (0 where it has none)
    times_ns: np.ndarray       # the event's time, UTC nanoseconds
    anchor_ns: np.ndarray      # its round's anchor (the interview's end)
    inbound: np.ndarray
    channel: pd.Series
    counted: np.ndarray        # follow-up of the scored (shortlist) round
    is_contact: np.ndarray     # follow-up that is a contact (not an unanswered call)
    opening: np.ndarray        # an opening thank-you
    unanswered: np.ndarray     # follow-up that is an unanswered call
    known_round: np.ndarray    # the event has a round (it is not before every interview)
    latest: np.ndarray         # the latest round at or before it (-1: before every interview)
    in_window: np.ndarray      # inside its round's follow-up window
    round_number: np.ndarray


def annotate_events(result, candidate_ids=None, described: int | None = None) -> pd.DataFrame:
    """Every event of ``candidate_ids`` (default: all), in time order, with what it counted for.

    Columns: ``candidate_id``, ``timestamp`` (UTC), ``day`` (local calendar day after the
    interview of the candidate's shortlist round; day 0 = interview day), ``day_position``
    (the same with the time of day as a fraction, for drawing), ``local_time`` (``HH:MM``),
    ``channel``, ``direction``, ``outcome``, ``duration_s``, ``contact``, ``description``
    (``"email → Dana Whitfield"``), ``kind`` (``contact``, ``unanswered``, ``employer``,
    ``not_counted``, ``duplicate``), ``counted`` (inbound follow-up of the scored round),
    ``in_window``, ``roles`` (``"; "``-joined: first contact, opening thank-you, cadence week,
    part of a burst, after the decision, …), ``source_file`` and ``source_row``.

    With ``described``, only the first that many rows (in the order above) get their text
    (``local_time``, ``date``, ``description``, ``roles``; the rest have empty text but every
    other column): what a bounded timeline needs, at the cost of the text of those rows only.
    """
    policy, tz = result.policy, result.tz
    rounds, events = result.rounds, result.events
    if candidate_ids is not None:
        wanted = [str(c) for c in candidate_ids]
        rounds = rounds[rounds["candidate_id"].astype(str).isin(wanted).to_numpy()]
        events = events[events["candidate_id"].isin(wanted).to_numpy()]
    events = _sorted(events)
    held = rounds[rounds["held"].to_numpy(bool)]
    shortlist = rounds[rounds["is_shortlist_round"].to_numpy(bool)]
    n = len(events)
    m = n if described is None else min(int(described), n)

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
    unanswered = follow & ~is_contact

    times_ns = events["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    latest = latest_round_at_or_before(events, held) if len(held) else np.full(n, -1, dtype=np.int64)
    slot = np.maximum(np.where(follow, position, latest), 0)
    known_round = follow | (latest >= 0)

    scored_round = known_round & per_round(held, slot, "is_shortlist_round", bool)
    counted = follow & scored_round
    round_number = per_round(held, slot, "round_number", float)
    anchor_ns, window_end_ns = round_times(held, slot, "anchor"), round_times(held, slot, "window_end")
    in_window = known_round & (times_ns >= anchor_ns) & (times_ns <= window_end_ns)

    # Day numbers are counted from the shortlist round, whatever round an event belongs to.
    short_ids = pd.Index(shortlist["candidate_id"].astype(str))
    which = positions_in(short_ids, events["candidate_id"].astype(str))
    anchor_day = shortlist["anchor_day"].to_numpy(dtype=np.int64)[np.maximum(which, 0)] if len(shortlist) \
        else np.zeros(n, dtype=np.int64)
    local = events["timestamp"].dt.tz_convert(tz).dt.tz_localize(None)
    local_ns = local.to_numpy(dtype="datetime64[ns]").view("int64")
    day = local_day(events["timestamp"], tz) - anchor_day if n else np.zeros(0, dtype=np.int64)
    day_position = local_ns / NS_PER_DAY - anchor_day

    inbound = (events["direction"] == "inbound").to_numpy()
    outcome = events["outcome"].astype(object)
    channel = events["channel"].astype(str)
    contact = events["contact"].astype(object)
    facts = EventFacts(events=events, held=held, slot=slot, times_ns=times_ns, anchor_ns=anchor_ns,
                       inbound=inbound, channel=channel, counted=counted, is_contact=is_contact,
                       opening=opening, unanswered=unanswered, known_round=known_round, latest=latest,
                       in_window=in_window, round_number=round_number)
    roles = _roles(facts, policy, tz, m)

    kind = np.select([~inbound, counted & is_contact, counted & unanswered],
                     ["employer", "contact", "unanswered"], "not_counted")
    frame = pd.DataFrame({
        "candidate_id": events["candidate_id"].astype(str).to_numpy(),
        "timestamp": events["timestamp"].array,
        "day": day.astype(np.int64),
        "day_position": day_position,
        "local_time": _padded(local.iloc[:m].dt.strftime("%H:%M").to_numpy(dtype=object), n),
        "date": _padded(short_dates(events["timestamp"].iloc[:m], tz), n),
        "channel": channel.to_numpy(dtype=object),
        "direction": events["direction"].astype(str).to_numpy(dtype=object),
        "outcome": outcome.to_numpy(),
        "duration_s": events["duration_s"].to_numpy(dtype=float),
        "contact": contact.to_numpy(),
        "description": _padded(_describe(channel.iloc[:m], inbound[:m], outcome.iloc[:m], contact.iloc[:m],
                                         events["duration_s"].iloc[:m], unanswered[:m]), n),
        "kind": kind,
        "counted": counted,
        "in_window": in_window,
        "round_number": pd.array(np.where(known_round, round_number, np.nan), dtype="Int64"),
        "roles": roles,
        "source_file": events["source_file"].astype(str).to_numpy(dtype=object),
        "source_row": events["source_row"].to_numpy(),
    })
    duplicates = _duplicates(result.rejects, frame)
    if len(duplicates):
        frame = pd.concat([frame, duplicates], ignore_index=True).sort_values(
            ["candidate_id", "timestamp", "kind"], kind="stable", ignore_index=True)
    return frame


def _padded(texts: np.ndarray, n: int) -> np.ndarray:
    """``texts`` for the first rows, empty text for the rest up to ``n``."""
    if len(texts) == n:
        return texts
    return np.concatenate([np.asarray(texts, dtype=object), np.full(n - len(texts), "", dtype=object)])


def _sorted(events: pd.DataFrame) -> pd.DataFrame:
    # Times as nanoseconds, not Timestamp objects: a million of those would cost seconds and a GB.
    order = pd.DataFrame({"c": events["candidate_id"].astype(str).to_numpy(),
                          "t": events["timestamp"].to_numpy(dtype="datetime64[ns]")}).sort_values(
        ["c", "t"], kind="stable").index
    return events.iloc[order.to_numpy()].reset_index(drop=True)


def _describe(channel, inbound, outcome, contact, duration, unanswered) -> np.ndarray:
    """``"email → Dana Whitfield"``, ``"phone, hung up"``, ``"email ← Sofia Reyes"``."""
    who = contact.where(contact.notna(), "").astype(str).to_numpy(dtype=object)
    arrow = np.where(inbound, " → ", " ← ").astype(object)
    text = channel.to_numpy(dtype=object) + np.where(who != "", arrow + who, "")
    seconds = pd.to_numeric(duration, errors="coerce").to_numpy(dtype=float)
    words = outcome.map(OUTCOME_WORDS).to_numpy(dtype=object)
    has_word = pd.notna(words)
    words = np.where(has_word, words, np.where(unanswered, "unanswered", ""))
    minutes = np.where(seconds >= 60, cat(_numbers(np.round(seconds / 60)), " min").to_numpy(zero_copy_only=False),
                       cat(_numbers(seconds), " s").to_numpy(zero_copy_only=False))
    length = np.where(np.isnan(seconds), "", np.where(words != "", " (", " (") + minutes.astype(str) + ")")
    is_phone = (channel == "phone").to_numpy()
    phone_text = np.where(words != "", ", " + words.astype(str), "") + np.where(np.isnan(seconds), "", length)
    return np.where(is_phone, text + phone_text, text)


def _roles(facts: EventFacts, policy, tz: str, m: int | None = None) -> np.ndarray:
    """What each event counted for, as ``"; "``-joined phrases (empty for none); with ``m``,
    for the first ``m`` events only (the rest empty): every rule is decided over all events,
    only the wording is bounded."""
    n = len(facts.events)
    m = n if m is None else m
    if not len(facts.held):
        return _padded(np.where(facts.inbound[:m], "before the interview", "employer's message: not follow-up")
                       .astype(object), n)
    # Every rule is decided on all n events; the words are made for the first m.
    decided = SimpleNamespace(**{name: np.asarray(values)[:m] for name, values in _role_rules(facts, policy, tz).items()})
    decision = pd.Series(per_round(facts.held, facts.slot, "decision")).astype(object).iloc[:m]
    contacts_named = facts.events["contact"].astype(object).iloc[:m]
    return _padded(_role_words(decided, decision, contacts_named, policy, tz, m), n)


def _role_rules(facts: EventFacts, policy, tz: str) -> dict[str, np.ndarray]:
    """Each rule behind a role, one mask (or number) per event, over all events."""
    events, held, slot, times_ns, anchor_ns = facts.events, facts.held, facts.slot, facts.times_ns, facts.anchor_ns
    counted, is_contact, opening, unanswered = facts.counted, facts.is_contact, facts.opening, facts.unanswered
    inbound, in_window, known_round = facts.inbound, facts.in_window, facts.known_round
    n = len(events)
    windows, restraint, courtesy = policy.windows, policy.restraint, policy.courtesy

    def column(name, dtype=None):
        return per_round(held, slot, name, dtype)

    def times(name):
        return round_times(held, slot, name)

    contact = counted & is_contact
    first_ns = times("first_contact_at")
    first = contact & (times_ns == first_ns)
    # Same-second twins: only the first of them is "the" first contact.
    first &= ~pd.Series(first).groupby([events["candidate_id"].astype(str).to_numpy(), first]).cumcount().gt(0).to_numpy()

    period_ns = windows.cadence_days * NS_PER_DAY
    period = np.floor_divide(times_ns - cadence_start(held, policy)[slot], period_ns)

    panel = interviewer_panel(held)
    who = person_key(events["contact"].astype("string"))
    addressed = pd.DataFrame({"pos": slot, "who": who.to_numpy(dtype=object), "row": np.arange(n)})
    thanked = np.zeros(n, dtype=bool)
    matches = addressed[contact & who.notna().to_numpy()].merge(panel.drop_duplicates(), on=["pos", "who"])
    # The part counts interviewers, not notes: the first contact to each is the thank-you.
    matches = matches.sort_values("row").drop_duplicates(["pos", "who"])
    thanked[matches["row"].to_numpy(dtype=np.int64)] = True

    busiest_ns = times("busiest_window_at")
    busiest_count = column("max_contacts_7d", float)
    too_many = busiest_count > restraint.max_contacts_per_window
    window_ns = restraint.frequency_window_days * NS_PER_DAY
    in_busiest = (contact & ~opening & too_many & (times_ns <= busiest_ns)
                  & (times_ns > busiest_ns - window_ns))
    burst_ns = times("burst_at")
    burst_count = column("burst_hangups", float)
    in_burst = (unanswered & counted & (burst_count >= restraint.burst_count) & (times_ns <= burst_ns)
                & (times_ns > burst_ns - int(restraint.burst_minutes * NS_PER_MINUTE)))

    checkin, early = _checkins(events, held, policy, slot, contact & ~opening, day_of(events, held, slot, tz))

    decided = column("window_closed_by").astype(str) == "decision"
    decision = pd.Series(column("decision")).astype(object)
    decision_ns = times("decision_at")
    after_window = known_round & ~in_window & (times_ns > times("window_end"))
    credited = (inbound & after_window & decided & decision.isin(courtesy.after_decision).to_numpy()
                & (courtesy.after_decision_weight > 0)
                & ~pd.Series(events["outcome"].astype(object)).isin(UNANSWERED_OUTCOMES).to_numpy()
                & (times_ns <= decision_ns + courtesy.after_decision_days * NS_PER_DAY)
                & (times_ns <= times("as_of")))
    return {
        "first": first, "contact": contact, "opening": opening, "thanked": thanked, "period": period,
        "completed": column("periods_completed", float), "in_busiest": in_busiest, "busiest_count": busiest_count,
        "unanswered": unanswered, "counted": counted, "in_burst": in_burst, "burst_count": burst_count,
        "credited": credited, "checkin": checkin, "early": early, "inbound": inbound,
        "in_policy_channel": facts.channel.isin(policy.channels).to_numpy(), "latest": facts.latest,
        "in_window": in_window, "after_window": after_window, "decided": decided,
        "closed_by": column("window_closed_by").astype(str), "hours": (times_ns - anchor_ns) / 3.6e12,
        "round_number": facts.round_number, "decision_ns": decision_ns,
        "shortlist_round": column("is_shortlist_round", bool),
    }


def _role_words(r: SimpleNamespace, decision: pd.Series, contacts_named: pd.Series, policy, tz: str,
                n: int) -> np.ndarray:
    """The roles' phrases for the ``n`` events whose rules are ``r`` (see :func:`_role_rules`)."""
    windows, restraint = policy.windows, policy.restraint
    period_word = windows.period_word
    parts = [
        when(r.first, cat("first contact, ", _tenths(r.hours), " h after the interview")),
        when(r.contact & r.opening, _fixed(n, f"opening thank-you (days 0–{windows.opening_days}: "
                                              "expected, not over-contact)")),
        when(r.thanked, cat("thanks interviewer ", text_array(contacts_named), " individually")),
        when(r.contact & (r.period >= 0) & (r.period < r.completed),
             cat(f"{period_word} ", _numbers(r.period + 1), " of the cadence")),
        when(r.contact & (r.period >= r.completed),
             cat(f"{period_word} ", _numbers(r.period + 1), f" of the cadence (not a completed {period_word}: not counted)")),
        when(r.in_busiest, cat("one of ", _numbers(r.busiest_count), f" contacts in {restraint.frequency_window_days} "
                               f"days (limit {restraint.max_contacts_per_window})")),
        when(r.unanswered & r.counted, _fixed(n, "unanswered call: an attempt, not a contact")),
        when(r.in_burst, cat("part of a burst of ", _numbers(r.burst_count),
                             f" unanswered calls within {restraint.burst_minutes:g} min")),
        when(r.credited, _fixed(n, "thank-you after the decision (credited by the policy)")),
        when(r.checkin, _fixed(n, "check-in timed to the decision date")),
        when(r.early, _fixed(n, "before the decision date, outside the check-ins (counts against restraint)")),
        when(r.contact & ~(r.first | r.opening | r.thanked | r.checkin | r.early | (r.period >= 0)),
             _fixed(n, "contact before the cadence starts")),
        # Why the rest did not count (the first that applies).
        when(~r.counted, _first_text([
            (~r.inbound, _fixed(n, "employer's message: not follow-up")),
            (~r.in_policy_channel, _fixed(n, f"channel not counted by the {policy.name} policy")),
            (r.latest < 0, _fixed(n, "before the interview")),
            (r.in_window & ~r.shortlist_round,
             cat("follow-up to round ", _numbers(r.round_number), " (only the latest round is scored)")),
            (r.after_window & r.decided,
             cat("after the decision (", text_array(decision), " on ",
                 text_array(short_dates(pd.Series(pd.to_datetime(r.decision_ns, utc=True)), tz)),
                 "): the window had closed")),
            (r.after_window & (r.closed_by == "as_of"), _fixed(n, "after the as-of time: not yet counted")),
            (r.after_window & (r.closed_by == "next_interview"), _fixed(n, "during the next interview")),
        ])),
    ]
    return np.asarray(_filled(join(parts, ROLE_SEPARATOR)), dtype=object)


def day_of(events: pd.DataFrame, held: pd.DataFrame, slot: np.ndarray, tz: str) -> np.ndarray:
    """Local day of each event after the anchor of its round (``slot``)."""
    return local_day(events["timestamp"], tz) - held["anchor_day"].to_numpy(dtype=np.int64)[slot]


def _checkins(events, held, policy, slot, eligible, day) -> tuple[np.ndarray, np.ndarray]:
    """Under a deadline policy: which contacts were the check-ins and which came early
    (the rule is :func:`followup.features.checkin_roles`)."""
    if not policy.deadline.active:
        return np.zeros(len(events), dtype=bool), np.zeros(len(events), dtype=bool)
    first, second, early = checkin_roles(held, policy, slot, day.astype(float), eligible)
    return first | second, early


def _fixed(n: int, text: str) -> pa.Array:
    return pa.repeat(pa.scalar(text, pa.string()), n)


def _first_text(cases: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """Per row, the text of the first case whose mask holds; null where none does."""
    out = pa.nulls(len(cases[0][1]), pa.string())
    for mask, text in reversed(cases):
        out = pc.if_else(pa.array(np.asarray(mask, bool)), text, out)
    return out


def _filled(values: pa.Array) -> np.ndarray:
    return pc.fill_null(values, "").to_numpy(zero_copy_only=False)


def _duplicates(rejects: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows dropped as duplicates, placed beside the event they repeated."""
    dups = rejects[(rejects["kind"] == "duplicate").to_numpy() & rejects["duplicate_of_row"].notna().to_numpy()]
    if not len(dups) or not len(frame):
        return frame.iloc[0:0]
    keys = pd.DataFrame({"source_file": dups["duplicate_of_file"].astype(str).to_numpy(dtype=object),
                         "source_row": dups["duplicate_of_row"].to_numpy(dtype=np.int64),
                         "dup_file": dups["source_file"].astype(str).to_numpy(dtype=object),
                         "dup_row": dups["source_row"].to_numpy()})
    keys["source_row"] = keys["source_row"].astype(frame["source_row"].dtype)
    found = frame[frame["kind"] != "duplicate"].merge(keys, on=["source_file", "source_row"])
    # The row it repeats, and its file when that is another one (as the reject's reason says it).
    other_file = found["source_file"].astype(str).where(found["source_file"] != found["dup_file"])
    found["roles"] = ("duplicate of " + (other_file + " ").fillna("") + "row " + found["source_row"].astype(str)
                      + ": counted once")
    found["kind"] = "duplicate"
    found["counted"] = False
    found["source_file"], found["source_row"] = found.pop("dup_file"), found.pop("dup_row")
    return found[frame.columns]
