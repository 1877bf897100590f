"""Explain: why a candidate got their numbers, event by event.

:func:`annotate_events` tags every event of the chosen candidates (all of them by default) with
its local day after the interview and what it counted for, in whole-column passes. It asks the
scorer's own helpers what is follow-up — :func:`followup.features.follow_up_events` decides the
window, the opening thank-yous and the unanswered calls, :func:`~followup.features.interviewer_panel`
and :func:`~followup.features.person_key` who was thanked — so an explanation can never disagree
with the score it explains. :func:`explain` builds one candidate's :class:`Explanation`: the
timeline, each component's number and the arithmetic behind it, the flags, and what the playbook
expected that did not happen.

>>> import followup
>>> from followup.explain import explain
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> card = explain(result, "C007")
>>> [line.split("  ")[0] for line in card.timeline_lines() if "hung up" in line]
['day 8 10:02']
>>> card.missed
[]
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, PrivateAttr

from .errors import FollowupError
from .features import (
    NS_PER_DAY,
    NS_PER_MINUTE,
    follow_up_events,
    latest_round_at_or_before,
    cadence_start,
    checkin_roles,
    interviewer_panel,
    local_day,
    person_key,
    positions_in,
)
from .reasons import MONTHS, cat, integer, join, tenths_text, text_array, when
from .schema import FLAGS, SCORE_GRADE, UNANSWERED_OUTCOMES
from .scoring import quiet_since
from .terminal import printable_values

ROLE_SEPARATOR = "; "
OUTCOME_WORDS = {"connected": "connected", "voicemail": "voicemail left", "hang_up": "hung up",
                 "missed": "missed, no message", "busy": "busy"}
RUN_WORDS = {"hang_up": "hung up", "missed": "missed", "busy": "busy"}


def _numbers(values) -> pa.Array:
    """Whole numbers as text, in Arrow (a timeline can hold a million events)."""
    return integer(pd.Series(np.asarray(values, dtype=float)))


def _tenths(values) -> pa.Array:
    """Numbers to one decimal as text, in Arrow."""
    return tenths_text(pd.Series(np.round(np.asarray(values, dtype=float) * 10)))


def _short_dates(times: pd.Series, tz: str) -> np.ndarray:
    """``"11 Mar"`` for each UTC time (empty where missing), on the local calendar of ``tz``."""
    local = pd.to_datetime(times, utc=True).dt.tz_convert(tz)
    day = local.dt.day.to_numpy(dtype=float, na_value=np.nan)
    month = local.dt.month.to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(day)
    out = np.full(len(local), "", dtype=object)
    out[known] = (pd.Series(day[known].astype(int)).astype(str).to_numpy(dtype=object) + " "
                  + MONTHS[month[known].astype(int) - 1])
    return out


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

    def per_round(column, dtype=None):
        values = held[column].to_numpy(dtype=dtype) if dtype else held[column].to_numpy()
        if not len(values):
            return np.zeros(n, dtype=values.dtype)
        return values[slot]

    def ns(column):
        return pd.to_datetime(held[column], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")[slot] \
            if len(held) else np.zeros(n, dtype=np.int64)

    scored_round = known_round & per_round("is_shortlist_round", bool)
    counted = follow & scored_round
    round_number = per_round("round_number", float)
    anchor_ns, window_end_ns = ns("anchor"), ns("window_end")
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
    roles = _roles(events, held, policy, tz, slot, counted, is_contact, opening, unanswered, times_ns,
                   anchor_ns, inbound, in_window, known_round, latest, round_number, channel, m)

    kind = np.select([~inbound, counted & is_contact, counted & unanswered],
                     ["employer", "contact", "unanswered"], "not_counted")
    frame = pd.DataFrame({
        "candidate_id": events["candidate_id"].astype(str).to_numpy(),
        "timestamp": events["timestamp"].array,
        "day": day.astype(np.int64),
        "day_position": day_position,
        "local_time": _padded(local.iloc[:m].dt.strftime("%H:%M").to_numpy(dtype=object), n),
        "date": _padded(_short_dates(events["timestamp"].iloc[:m], tz), n),
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


def _roles(events, held, policy, tz, slot, counted, is_contact, opening, unanswered, times_ns,
           anchor_ns, inbound, in_window, known_round, latest, round_number, channel, m=None) -> np.ndarray:
    """What each event counted for, as ``"; "``-joined phrases (empty for none); with ``m``,
    for the first ``m`` events only (the rest empty): every rule is decided over all events,
    only the wording is bounded."""
    n = len(events)
    m = n if m is None else m
    windows, restraint, courtesy = policy.windows, policy.restraint, policy.courtesy
    if not len(held):
        return _padded(np.where(inbound[:m], "before the interview", "employer's message: not follow-up")
                       .astype(object), n)

    def column(name, dtype=None):
        return held[name].to_numpy(dtype=dtype)[slot]

    def times(name):
        return pd.to_datetime(held[name], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")[slot]

    contact = counted & is_contact
    first_ns = times("first_contact_at")
    first = contact & (times_ns == first_ns)
    # Same-second twins: only the first of them is "the" first contact.
    first &= ~pd.Series(first).groupby([events["candidate_id"].astype(str).to_numpy(), first]).cumcount().gt(0).to_numpy()
    hours = (times_ns - anchor_ns) / 3.6e12

    period_ns = windows.cadence_days * NS_PER_DAY
    period = np.floor_divide(times_ns - cadence_start(held, policy)[slot], period_ns)
    completed = column("periods_completed", float)
    period_word = windows.period_word

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
    closed_by = column("window_closed_by").astype(str)
    after_window = known_round & ~in_window & (times_ns > times("window_end"))
    credited = (inbound & after_window & decided & decision.isin(courtesy.after_decision).to_numpy()
                & (courtesy.after_decision_weight > 0)
                & ~pd.Series(events["outcome"].astype(object)).isin(UNANSWERED_OUTCOMES).to_numpy()
                & (times_ns <= decision_ns + courtesy.after_decision_days * NS_PER_DAY)
                & (times_ns <= times("as_of")))
    in_policy_channel = channel.isin(policy.channels).to_numpy()
    # Every rule above is decided on all n events; the words are made for the first m.
    (first, contact, opening, thanked, period, completed, in_busiest, busiest_count, unanswered, counted,
     in_burst, burst_count, credited, checkin, early, inbound, in_policy_channel, latest, in_window,
     after_window, decided, closed_by, hours, round_number, decision_ns) = (
        np.asarray(values)[:m] for values in (
            first, contact, opening, thanked, period, completed, in_busiest, busiest_count, unanswered, counted,
            in_burst, burst_count, credited, checkin, early, inbound, in_policy_channel, latest, in_window,
            after_window, decided, closed_by, hours, round_number, decision_ns))
    shortlist_round = column("is_shortlist_round", bool)[:m]
    decision = decision.iloc[:m]
    contacts_named = events["contact"].astype(object).iloc[:m]
    n = m
    scored_number = _numbers(round_number)

    parts = [
        when(first, cat("first contact, ", _tenths(hours), " h after the interview")),
        when(contact & opening, _fixed(n, f"opening thank-you (days 0–{windows.opening_days}: "
                                          "expected, not over-contact)")),
        when(thanked, cat("thanks interviewer ", text_array(contacts_named), " individually")),
        when(contact & (period >= 0) & (period < completed),
             cat(f"{period_word} ", _numbers(period + 1), " of the cadence")),
        when(contact & (period >= completed),
             cat(f"{period_word} ", _numbers(period + 1), f" of the cadence (not a completed {period_word}: not counted)")),
        when(in_busiest, cat("one of ", _numbers(busiest_count), f" contacts in {restraint.frequency_window_days} "
                             f"days (limit {restraint.max_contacts_per_window})")),
        when(unanswered & counted, _fixed(n, "unanswered call: an attempt, not a contact")),
        when(in_burst, cat("part of a burst of ", _numbers(burst_count),
                           f" unanswered calls within {restraint.burst_minutes:g} min")),
        when(credited, _fixed(n, "thank-you after the decision (credited by the policy)")),
        when(checkin, _fixed(n, "check-in timed to the decision date")),
        when(early, _fixed(n, "before the decision date, outside the check-ins (counts against restraint)")),
        when(contact & ~(first | opening | thanked | checkin | early | (period >= 0)),
             _fixed(n, "contact before the cadence starts")),
        # Why the rest did not count (the first that applies).
        when(~counted, _first_text([
            (~inbound, _fixed(n, "employer's message: not follow-up")),
            (~in_policy_channel, _fixed(n, f"channel not counted by the {policy.name} policy")),
            (latest < 0, _fixed(n, "before the interview")),
            (in_window & ~shortlist_round,
             cat("follow-up to round ", scored_number, " (only the latest round is scored)")),
            (after_window & decided,
             cat("after the decision (", text_array(decision), " on ",
                 text_array(_short_dates(pd.Series(pd.to_datetime(decision_ns, utc=True)), tz)),
                 "): the window had closed")),
            (after_window & (closed_by == "as_of"), _fixed(n, "after the as-of time: not yet counted")),
            (after_window & (closed_by == "next_interview"), _fixed(n, "during the next interview")),
        ])),
    ]
    return _padded(np.asarray(_filled(join(parts, ROLE_SEPARATOR)), dtype=object), len(events))


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
    found["roles"] = "duplicate of row " + found["source_row"].astype(str) + ": counted once"
    found["kind"] = "duplicate"
    found["counted"] = False
    found["source_file"], found["source_row"] = found.pop("dup_file"), found.pop("dup_row")
    return found[frame.columns]


# --------------------------------------------------------------------------- one candidate
class TimelineEvent(BaseModel):
    """One event of an explanation, as handed to tools (``--format json``)."""

    day: int
    local_time: str
    date: str
    timestamp: str
    channel: str
    direction: str
    outcome: str | None
    duration_s: float | None
    contact: str | None
    description: str
    kind: str
    counted: bool
    counts_for: list[str]
    source_file: str
    source_row: int


class Part(BaseModel):
    name: str
    value: float | None
    weight: float
    why: str


class Component(BaseModel):
    name: str
    value: float | None
    weight: float
    why: str
    parts: list[Part] = []


class Explanation(BaseModel):
    """One candidate's follow-up explained: what :func:`explain` returns."""

    candidate_id: str
    name: str | None
    status: str
    rank: int | None
    score: float | None
    grade: str | None
    flags: list[str]
    as_of: str
    tz: str
    policy: dict[str, str]
    interview: dict[str, object]
    events: list[TimelineEvent]
    # All of the candidate's events; ``events`` holds the first TIMELINE_LIMIT of them.
    events_total: int = 0
    components: list[Component]
    score_why: str
    grade_why: str
    flag_reasons: dict[str, str]
    missed: list[str]
    reasons: list[str]
    # With a history (``--history``): one item per run (as_of, score, grade, flags, status),
    # oldest first, this run last; the trend and its sparkline (:mod:`followup.trend`).
    score_over_time: list[dict[str, object]] = []
    trend: str | None = None
    score_trail: str | None = None
    _burst_minutes: float = PrivateAttr(default=60.0)

    def timeline_lines(self) -> list[str]:
        """The timeline as text, one line per event; a run of unanswered calls within the
        burst window is one line ("day 8 10:02  phone, hung up ×4 in 19 min")."""
        lines: list[str] = []
        events = self.events
        i = 0
        while i < len(events):  # one candidate's events: a few dozen at most
            event = events[i]
            j = i + 1
            while (event.kind == "unanswered" and j < len(events) and events[j].kind == "unanswered"
                   and _minutes_between(events[j - 1], events[j]) <= self._burst_minutes):
                j += 1
            if j - i > 1:
                run = events[i:j]
                outcomes = {e.outcome for e in run}
                verb = "hung up" if outcomes == {"hang_up"} else "unanswered"
                span = _minutes_between(run[0], run[-1])
                text = f"{event.channel}, {verb} ×{len(run)} in {span:.0f} min"
                if verb == "unanswered":
                    counts = pd.Series([RUN_WORDS.get(e.outcome or "", "no answer") for e in run]).value_counts()
                    text += " (" + ", ".join(f"{word} ×{count}" for word, count in counts.items()) + ")"
                roles = list(dict.fromkeys(role for e in run for role in e.counts_for))
            else:
                text, roles = event.description, event.counts_for
            lines.append(f"day {event.day} {event.local_time}  {text}" + (f"  — {'; '.join(roles)}" if roles else ""))
            i = j
        return lines

    def score_over_time_line(self) -> str:
        """``score over time: ▅▄▃▃▃ 45.0 → 25.5 over 5 runs since 10 Mar (declining)``."""
        scores = [item["score"] for item in self.score_over_time if item["score"] is not None]
        first = pd.Timestamp(self.score_over_time[0]["as_of"]).tz_convert(self.tz)
        span = (f"{scores[0]:.1f} → {scores[-1]:.1f}" if len(scores) > 1
                else f"{scores[0]:.1f}" if scores else "no score yet")
        return (f"score over time: {self.score_trail or ''} {span} over {len(self.score_over_time)} run(s) since "
                f"{first.day} {first.strftime('%b')} ({self.trend})")

    def text(self) -> str:
        """The whole explanation as plain text (what ``followup explain`` prints).

        Control characters in the data (a name carrying a terminal escape sequence or a line
        break) are shown as ``\\x1b``-style escapes, so the printout cannot retitle or clear the
        reader's terminal, or forge lines of its own.
        """
        printable = Explanation.model_validate(printable_values(self.model_dump()))
        printable._burst_minutes = self._burst_minutes
        return printable._text()

    def _text(self) -> str:
        title = f"{self.candidate_id}" + (f" {self.name}" if self.name else "")
        headline = f"{title} — {self.status}"
        if self.score is not None:
            headline += f", score {self.score:.1f}, grade {self.grade}"
        if self.rank is not None:
            headline += f", rank {self.rank}"
        if self.flags:
            headline += f" ({', '.join(self.flags)})"
        interview = self.interview
        out = [headline,
               f"interview {interview['summary']}",
               f"follow-up window: {interview['window']}",
               f"as of {self.as_of} ({self.tz}) · policy {self.policy['name']} ({self.policy['hash']})",
               *([self.score_over_time_line()] if self.score_over_time else []),
               "", f"Timeline (day 0 = {interview['day0']}, local time in {self.tz})"]
        lines = self.timeline_lines()
        out += [f"  {line}" for line in lines] or ["  no events"]
        if self.events_total > len(self.events):
            out.append(f"  … and {self.events_total - len(self.events):,} more events after day "
                       f"{self.events[-1].day}, not listed (the timeline shows the first {len(self.events):,}; "
                       "every event counts in the numbers below)")
        out += ["", "Components"]
        for component in self.components:
            value = "—" if component.value is None else f"{component.value:.1f}"
            out.append(f"  {component.name:<12} {value:>5}  {component.why}")
            out += [f"  {'':<12}        · {part.why}" for part in component.parts]
        out.append(f"  {'score':<12} {'—' if self.score is None else f'{self.score:.1f}':>5}  {self.score_why}")
        out.append(f"  {'grade':<12} {self.grade or '—':>5}  {self.grade_why}")
        out += ["", "Flags"]
        out += [f"  {code}: {reason}" for code, reason in self.flag_reasons.items()] or ["  none"]
        out += ["", "Expected by the playbook but did not happen"]
        out += [f"  - {item}" for item in self.missed] or ["  nothing missing"]
        return "\n".join(out) + "\n"


def _minutes_between(a: TimelineEvent, b: TimelineEvent) -> float:
    return (pd.Timestamp(b.timestamp) - pd.Timestamp(a.timestamp)) / pd.Timedelta(minutes=1)


SUGGESTIONS = 3


def find_candidate(result, wanted: str) -> str:
    """The candidate id ``wanted`` names: the id itself, the id in any case (``c007``), or the
    candidate's name in any case (``gloria stanton``). A name several candidates share is an
    error listing them; a miss is an error suggesting the closest ids and names (difflib's
    ratio over the shortlist's ids and names, ≥ 0.6)."""
    shortlist = result.rounds[result.rounds["is_shortlist_round"].to_numpy(bool)]
    ids = shortlist["candidate_id"].astype(str)
    names = shortlist["name"].astype("string").fillna("")
    text = str(wanted).strip()
    if (ids == text).any():
        return text
    key = text.casefold()
    for matches in (ids[(ids.str.casefold() == key).to_numpy()],
                    ids[(names.str.casefold().str.split().str.join(" ") == " ".join(key.split())).to_numpy()]):
        if len(matches) == 1:
            return matches.iloc[0]
        if len(matches) > 1:
            listed = ", ".join(f"{i} {n}".strip() for i, n in zip(matches, names[matches.index]))
            raise FollowupError(f"{text!r} names {len(matches)} candidates: {listed}; give the id")
    labels = {**{i.casefold(): i for i in ids}, **{n.casefold(): i for i, n in zip(ids, names) if n}}
    close = difflib.get_close_matches(key, list(labels), n=SUGGESTIONS * 2, cutoff=0.6)
    shown = list(dict.fromkeys(labels[c] for c in close))[:SUGGESTIONS]
    named = dict(zip(ids, names))
    hint = ("; did you mean " + " or ".join(f"{i} ({named[i]})" if named[i] else i for i in shown) + "?"
            if shown else "")
    raise FollowupError(f"candidate {text!r} is not in the interview list{hint}")


TIMELINE_LIMIT = 1_000


def explain(result, candidate_id: str) -> Explanation:
    """Explain ``candidate_id``'s shortlist round in ``result`` (a :class:`~followup.ScoreResult`).

    ``candidate_id`` may be the id in any case or the candidate's name (:func:`find_candidate`);
    an unknown one raises :class:`~followup.errors.FollowupError` with the closest matches.
    """
    candidate_id = find_candidate(result, candidate_id)
    rounds = result.rounds
    mine = rounds[(rounds["candidate_id"].astype(str) == str(candidate_id)).to_numpy()
                  & rounds["is_shortlist_round"].to_numpy(bool)]
    if mine.empty:
        raise FollowupError(f"candidate {candidate_id!r} is not in the interview list")
    row = mine.iloc[0]
    policy, tz = result.policy, result.tz
    events = annotate_events(result, [candidate_id], described=TIMELINE_LIMIT)
    ranked = result.candidates.set_index(result.candidates["candidate_id"].astype(str))
    rank = ranked["rank"].get(str(candidate_id)) if "rank" in ranked else None
    reasons = [r for r in str(row["reasons"] or "").split("; ") if r]
    flags = [f for f in str(row["flags"] or "").split(";") if f]
    flag_reasons = {code: text.split(": ", 1)[1] for text in reasons for code in FLAGS
                    if text.startswith(code + ": ")}
    components, score_why, grade_why = _components(row, policy)
    card = Explanation(
        candidate_id=str(candidate_id),
        name=None if pd.isna(row["name"]) else str(row["name"]),
        status=str(row["status"]),
        rank=None if rank is None or pd.isna(rank) else int(rank),
        score=None if pd.isna(row["score"]) else float(row["score"]),
        grade=None if pd.isna(row["grade"]) else str(row["grade"]),
        flags=flags,
        as_of=result.as_of.tz_convert(tz).isoformat(),
        tz=tz,
        policy={"name": policy.name, "hash": policy.content_hash},
        interview=_interview(row, tz),
        # A hostile or runaway log can hold a million events for one candidate: the card lists
        # a bounded number (one object each), the numbers come from every event.
        events=[_event_record(e) for e in events[(events["description"] != "").to_numpy()]
                .head(TIMELINE_LIMIT).to_dict(orient="records")],
        events_total=len(events),
        components=components,
        score_why=score_why,
        grade_why=grade_why,
        flag_reasons=flag_reasons,
        missed=_missed(row, events, policy, tz, cadence_start(mine, policy)[0] if row["held"] else 0,
                       quiet_since(mine, policy).iloc[0]),
        reasons=reasons,
        **_over_time(result, str(candidate_id)),
    )
    card._burst_minutes = float(policy.restraint.burst_minutes)
    return card


def _over_time(result, candidate_id: str) -> dict:
    """The candidate's runs from the result's history, with the trend columns, if it has one."""
    history = result.score_history
    if not len(history) or "trend" not in result.candidates:
        return {}
    mine = history[history["candidate_id"].astype(str) == candidate_id]
    row = result.candidates[result.candidates["candidate_id"].astype(str) == candidate_id].iloc[0]
    runs = [{"as_of": pd.Timestamp(r["as_of"]).isoformat(),
             "score": None if pd.isna(r["score"]) else float(r["score"]),
             "grade": None if pd.isna(r["grade"]) else str(r["grade"]),
             "flags": [f for f in str(r["flags"] or "").split(";") if f], "status": str(r["status"])}
            for r in mine.sort_values("as_of").to_dict(orient="records")]  # one candidate's few runs
    return {"score_over_time": runs, "trend": str(row["trend"]), "score_trail": str(row["score_trail"])}


def _event_record(event: dict) -> TimelineEvent:
    def text(value):
        return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)

    duration = event["duration_s"]
    return TimelineEvent(
        day=int(event["day"]), local_time=event["local_time"], date=event["date"],
        timestamp=pd.Timestamp(event["timestamp"]).isoformat(), channel=event["channel"],
        direction=event["direction"], outcome=text(event["outcome"]),
        duration_s=None if pd.isna(duration) else float(duration), contact=text(event["contact"]),
        description=event["description"], kind=event["kind"], counted=bool(event["counted"]),
        counts_for=[r for r in event["roles"].split(ROLE_SEPARATOR) if r],
        source_file=event["source_file"], source_row=int(event["source_row"]))


def _when(stamp, tz: str, with_time: bool = True) -> str:
    if stamp is None or pd.isna(stamp):
        return "—"
    local = pd.Timestamp(stamp).tz_convert(tz)
    return local.strftime("%a %-d %b %Y %H:%M" if with_time else "%a %-d %b %Y")


def _interview(row: pd.Series, tz: str) -> dict[str, object]:
    listed = row.get("interviewers")
    interviewers = [] if listed is None or pd.isna(listed) else [p.strip() for p in str(listed).split(";") if p.strip()]
    end = row["interview_end"]
    ends = "" if pd.isna(end) else f"–{pd.Timestamp(end).tz_convert(tz).strftime('%H:%M')}"
    round_text = f"round {row['round_number']} of {row['rounds']}, " if row["rounds"] > 1 else ""
    summary = (f"{round_text}{_when(row['interview_at'], tz)}{ends}"
               + (f" with {', '.join(interviewers)}" if interviewers else ""))
    closed = {"as_of": "the as-of time", "decision": f"the decision ({row['decision']})",
              "next_interview": "the next interview"}[str(row["window_closed_by"])]
    window = (f"{_when(row['anchor'], tz)} → {_when(row['window_end'], tz)} "
              f"(day {int(row['window_end_day'])}, closed by {closed})" if row["held"]
              else "not open yet: the interview is after the as-of time")
    return {"summary": summary, "interviewers": interviewers, "round": int(row["round_number"]),
            "rounds": int(row["rounds"]), "interview_at": pd.Timestamp(row["interview_at"]).isoformat(),
            "anchor": pd.Timestamp(row["anchor"]).isoformat(), "window": window,
            "window_end": pd.Timestamp(row["window_end"]).isoformat(),
            "window_closed_by": str(row["window_closed_by"]),
            "decision": None if pd.isna(row["decision"]) else str(row["decision"]),
            "day0": _when(row["anchor"], tz, with_time=False)}


def _value(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _components(row: pd.Series, policy) -> tuple[list[Component], str, str]:
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
    if pd.isna(day):
        speed_why = f"no contact by the end of day {limit}: 0"
    elif day == 0:
        speed_why = (f"first contact {hours:.1f} h after the interview, on the interview day (day 0): "
                     f"a same-day contact scores {policy.speed.same_day_score:g}")
    elif day > limit:
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
        caps = [f"{code} caps at {grades.caps[code]}" for code in str(row["flags"]).split(";")
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


def _notes_missed(row: pd.Series, policy) -> list[str]:
    """What the thank-you notes' text showed against the playbook (the columns of followup.notes)."""
    if policy.weights.notes <= 0 or not (row.get("notes_judged") or 0):
        return []
    missed = []
    if isinstance(row["notes_copied_to"], str):
        names = row["notes_copied_to"].split(";")
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        missed.append(f"the same note went to {listed}: one note, not one each")
    if isinstance(row["greeting_name"], str):
        who = "the interviewer is" if row["greeting_issue"] == "misspelled" else "the note went to"
        missed.append(f"greets '{row['greeting_name']}' — {who} {row['greeting_interviewer']}")
    if row["notes_no_name"]:
        missed.append(f"{row['notes_no_name']} note{'s' * (row['notes_no_name'] != 1)} greeting no one by name")
    if row["template_matches"] >= policy.notes.template_candidates:
        missed.append(f"note matches {row['template_matches']} other candidates' text (a template, not a personal note)")
    if row["notes_stock"]:
        missed.append(f"{row['notes_stock']} note{'s' * (row['notes_stock'] != 1)} mostly a greeting and a stock "
                      f"phrase (fewer than {policy.notes.min_own_words} words of its own)")
    return missed


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
                        why=f"channels: {row['n_channels']} used ({str(row['channels']).replace(',', ', ') or 'none'})"
                            f", {p.channel_target} wanted")
    else:
        cadence = Part(name="cadence", weight=p.cadence_weight, value=None,
                       why=f"cadence: left out, no {period} has completed yet")
        channels = Part(name="channels", weight=p.channels_weight, value=None,
                        why="channels: left out until the cadence has started")
    several = row["interviewers_met"] >= 2 and bool(row["contact_data"])
    if several:
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
        judged = row["rounds_held"] >= 2
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


def _missed(row: pd.Series, events: pd.DataFrame, policy, tz: str, start_ns: int, quiet_from) -> list[str]:
    """What the playbook expected by the as-of time that the log does not show."""
    if not row["held"]:
        return []
    windows, p = policy.windows, policy.persistence
    missed = []
    day = row["first_contact_day"]
    end_day = int(row["window_end_day"])
    if pd.isna(day):
        if end_day > windows.no_contact_days:
            missed.append(f"no contact by the end of day {windows.no_contact_days}")
        else:
            left = windows.no_contact_days - end_day
            missed.append(f"no thank-you yet ({left} day{'s' if left != 1 else ''} left of the "
                          f"{windows.no_contact_days}-day window)")
    elif day > 0:
        missed.append(f"no thank-you on the interview day (the first came on day {int(day)})")
    if not pd.isna(day) and day > windows.no_contact_days:
        missed.append(f"no contact by the end of day {windows.no_contact_days}")

    completed = int(row["periods_completed"] or 0)
    if completed:
        period_ns = windows.cadence_days * NS_PER_DAY
        start = pd.Timestamp(start_ns, tz="UTC")
        contacts = events[(events["kind"] == "contact").to_numpy()]
        index = ((contacts["timestamp"] - start) / pd.Timedelta(period_ns, "ns")).to_numpy(dtype=float)
        held_periods = set(np.floor(index[(index >= 0) & (index < completed)]).astype(int).tolist())
        word = windows.period_word
        for k in sorted(set(range(completed)) - held_periods):
            begin = start + pd.Timedelta(days=k * windows.cadence_days)
            finish = begin + pd.Timedelta(days=windows.cadence_days)
            missed.append(f"no follow-up in {word} {k + 1} of the cadence "
                          f"({_when(begin, tz, False)} – {_when(finish, tz, False)})")
        if row["n_channels"] < p.channel_target and row["inbound_contacts"]:
            used = int(row["n_channels"])
            listed = str(row["channels"]).replace(",", ", ")
            missed.append(f"only {used} channel{'s' * (used != 1)} ({listed}); the playbook alternates "
                          f"{p.channel_target}")

    if row["interviewers_met"] >= 2 and bool(row["contact_data"]) and row["interviewers_thanked"] < row["interviewers_met"]:
        names = [n.strip() for n in str(row["interviewers"]).split(";") if n.strip()]
        addressed = set(person_key(events.loc[(events["kind"] == "contact").to_numpy(), "contact"]
                                   .astype("string")).dropna())
        keys = person_key(pd.Series(names, dtype="string"))
        missing = [name for name, key in zip(names, keys) if key not in addressed]
        if missing:  # else every one was addressed, but some only with a copy (see the notes lines)
            missed.append("no individual thank-you to " + ", ".join(missing))

    expected = int(row["checkins_expected"] or 0)
    if policy.deadline.checkins_weight > 0 and expected > int(row["checkins_met"] or 0):
        missed.append(f"{expected - int(row['checkins_met'])} of {expected} check-ins timed to the decision "
                      f"date (due on day {int(row['due_day'])}) not made")
    if "WENT_SILENT" in str(row["flags"]):
        gap = (row["window_end"] - quiet_from) / pd.Timedelta(days=1)
        missed.append(f"no contact for {gap:.0f} days since {_when(quiet_from, tz, False)} "
                      f"(more than {windows.silent_gap_days} allowed)")
    courtesy = policy.courtesy
    if (courtesy.after_decision_weight > 0 and row["window_closed_by"] == "decision"
            and row["decision"] in courtesy.after_decision and not (row["thanks_after_decision"] or 0)
            and row["as_of"] >= row["decision_at"] + pd.Timedelta(days=courtesy.after_decision_days)):
        missed.append(f"no thank-you within {courtesy.after_decision_days} days of the decision ({row['decision']})")
    return missed + _notes_missed(row, policy)
