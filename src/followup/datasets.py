"""Datasets: seeded synthetic follow-up data, made to order — one interview per candidate and
the log around it — as :mod:`sklearn.datasets` makes its ``make_*`` sets.

:func:`make_followups` returns the two frames, :func:`write_followups` writes them as the CSV
files the CLI reads (``followup sample`` calls it), :func:`make_outcomes` draws hiring
outcomes for :func:`followup.train`, and :func:`default_as_of` is the as-of that makes a set
meaningful.

:func:`make_followups` draws one interview per candidate, gives each candidate a behaviour
archetype and simulates the communication log that an ATS / phone-system / mailbox export
would hold on ``as_of``. Nothing after ``as_of`` exists yet: later events are absent and
decisions taken later are blank. Everything is vectorised over candidates and events, so a
million candidates take seconds. The same arguments always give the same frames.

Archetypes (shares in :data:`ARCHETYPE_SHARES`, behaviour in :data:`BEHAVIOURS`):

``prompt``
    emails every interviewer within hours, often mails a letter, then follows up about once a
    week by phone, email or letter until the decision (the seeds' playbook).
``slow``
    a single thank-you 3-10 days after the interview, then every two weeks or so.
``silent``
    no event at all: the candidate exists only in the interviews.
``pesterer``
    thanks everybody, then contacts the employer several times a week on every channel.
``hang_up_bursts``
    a normal start, then bursts of calls hung up or rung out within minutes of each other.
``went_silent``
    a prompt start and weekly follow-up for two weeks, then nothing.
``employer_only``
    only the employer's outbound messages after the interview; the candidate never writes.
``pre_interview_only``
    scheduling messages before the interview, nothing after it.

Every archetype but ``silent`` also has a little background traffic that is not follow-up:
scheduling messages before the interview and the employer's own outbound messages.

Interviews fall on weekdays over :data:`INTERVIEW_WEEKS` weeks from ``start``, 13:00-21:00
UTC, with 1-3 interviewers from :data:`INTERVIEWERS`. A few have no ``interview_end``, as in
real exports. ``events_per_candidate`` is met on average by scaling every volume except the
thank-you notes (prompt, late or by letter); at the default 10 and the default ``as_of`` the
scale is close to 1, so a weekly cadence really is weekly.

Frames
------
events: ``candidate_id`` str, ``timestamp`` datetime64[us, UTC], ``channel`` str,
``direction`` str, ``outcome`` str (phone only, else missing), ``duration_s`` Int64 (calls
only), ``contact`` str (the interviewer a thank-you is addressed to, else missing),
``event_id`` str; sorted by timestamp, as exports are.

interviews: ``candidate_id``, ``name``, ``interviewers`` (``;``-separated) and ``decision``
str; ``interview_at``, ``interview_end``, ``decision_at`` and ``decision_due``
datetime64[us, UTC]. ``make_followups(..., with_archetype=True)`` adds an ``archetype`` column,
the ground truth for tests of the scorer.

Example
-------
>>> from followup.datasets import default_as_of, make_followups
>>> events, interviews = make_followups(200, seed=7)
>>> list(events.columns)  # doctest: +NORMALIZE_WHITESPACE
['candidate_id', 'timestamp', 'channel', 'direction', 'outcome', 'duration_s', 'contact',
 'event_id']
>>> len(interviews), interviews["candidate_id"].is_unique
(200, True)
>>> bool(events["timestamp"].is_monotonic_increasing)
True
>>> default_as_of(interviews)
Timestamp('2026-03-07 00:00:00+0000', tz='UTC')
>>> bool(events["timestamp"].max() < default_as_of(interviews))
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .schema import CHANNELS, DECISIONS, DIRECTIONS, OUTCOMES
from .timeparse import iso_utc_text

__all__ = [
    "ARCHETYPE_SHARES",
    "BEHAVIOURS",
    "EVENTS_FILE",
    "INTERVIEWS_FILE",
    "Behaviour",
    "default_as_of",
    "make_followups",
    "make_outcomes",
    "write_followups",
]

EVENTS_FILE = "events.csv"
INTERVIEWS_FILE = "interviews.csv"

MINUTE, HOUR, DAY, WEEK = 60, 3_600, 86_400, 604_800

ARCHETYPE_SHARES = {
    "prompt": 0.30,
    "slow": 0.12,
    "silent": 0.10,
    "pesterer": 0.08,
    "hang_up_bursts": 0.08,
    "went_silent": 0.12,
    "employer_only": 0.10,
    "pre_interview_only": 0.10,
}


@dataclass(frozen=True)
class Behaviour:
    """How one archetype communicates. Volumes are nominal: ``make_followups`` scales them."""

    thanks_each_interviewer: bool = False  # an email to every interviewer within hours
    late_note_days: tuple[float, float] | None = None  # else one email, this many days later
    letter_share: float = 0.0  # chance of a mailed thank-you letter 1-4 days later
    first_followup_days: tuple[float, float] = (0.0, 0.0)  # when the ongoing follow-up starts
    followups_per_week: float = 0.0  # its cadence
    followup_weeks: float = np.inf  # how long it lasts; inf: until the decision or as_of
    followup_channels: tuple[tuple[str, float], ...] = (("email", 1.0),)
    call_outcomes: tuple[tuple[str, float], ...] = (("connected", 0.5), ("voicemail", 0.5))
    hang_up_bursts: float = 0.0  # bursts of unanswered call-backs
    outbound_per_week: float = 0.6  # the employer's own messages after the interview
    pre_interview_events: float = 3.0  # scheduling back-and-forth before the interview


BEHAVIOURS = {
    "prompt": Behaviour(
        thanks_each_interviewer=True,
        letter_share=0.7,
        first_followup_days=(4.0, 6.0),  # seed 004: call on the fifth day
        followups_per_week=1.0,
        followup_channels=(("phone", 0.4), ("email", 0.4), ("letter", 0.2)),
        call_outcomes=(("connected", 0.45), ("voicemail", 0.5), ("hang_up", 0.05)),
    ),
    "slow": Behaviour(
        late_note_days=(3.0, 10.0),
        first_followup_days=(10.0, 20.0),
        followups_per_week=0.5,
        followup_channels=(("email", 0.8), ("phone", 0.2)),
    ),
    "silent": Behaviour(outbound_per_week=0.0, pre_interview_events=0.0),
    "pesterer": Behaviour(
        thanks_each_interviewer=True,
        first_followup_days=(0.5, 2.0),
        followups_per_week=8.0,
        followup_channels=(
            ("phone", 0.35), ("email", 0.3), ("sms", 0.15), ("linkedin", 0.15), ("in_person", 0.05),
        ),
        call_outcomes=(
            ("connected", 0.3), ("voicemail", 0.3), ("hang_up", 0.2), ("missed", 0.15),
            ("busy", 0.05),
        ),
    ),
    "hang_up_bursts": Behaviour(
        thanks_each_interviewer=True,
        first_followup_days=(1.0, 3.0),
        followups_per_week=0.7,
        followup_channels=(("phone", 0.5), ("email", 0.5)),
        hang_up_bursts=4.0,
    ),
    "went_silent": Behaviour(
        thanks_each_interviewer=True,
        letter_share=0.3,
        first_followup_days=(4.0, 6.0),
        followups_per_week=1.0,
        followup_weeks=2.0,
        followup_channels=(("email", 0.6), ("phone", 0.3), ("linkedin", 0.1)),
    ),
    "employer_only": Behaviour(outbound_per_week=2.0),
    "pre_interview_only": Behaviour(pre_interview_events=5.0),
}
ARCHETYPES = tuple(ARCHETYPE_SHARES)

DEFAULT_START = "2026-01-05"  # a Monday
INTERVIEW_WEEKS = 8
INTERVIEW_MINUTES = (30, 45, 60, 90)
INTERVIEW_END_MISSING_SHARE = 0.05
INTERVIEWERS = (
    "Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Tom Brennan",
    "Lucia Ferreira", "Ken Watanabe", "Sarah Okafor", "Jonas Lindqvist",
)
PANEL_SIZE_SHARES = {1: 0.40, 2: 0.35, 3: 0.25}
FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "David", "Elif", "Farid", "Grace", "Hugo",
    "Ines", "Jamal", "Kira", "Leo", "Maya", "Noah", "Olga", "Pablo",
)
LAST_NAMES = (
    "Adams", "Bauer", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okoro", "Patel",
)

DECISION_DUE_SHARE = 0.6  # the employer named a decision date at the interview
DECISION_DUE_DAYS = (7, 14)
DECISION_SLIP_DAYS = (-2.0, 5.0)  # decisions come around the named date, more often late
DECISION_DAYS_WITHOUT_DUE = (5.0, 35.0)
UNDECIDED_SHARE = 0.2  # still open however long after the interview
DECISION_SHARES = {"rejected": 0.55, "offer": 0.15, "hired": 0.10, "withdrawn": 0.20}

# Office hours in UTC (about 8:00-17:00 US Eastern): people write and call in the daytime.
OFFICE_OPENS, OFFICE_HOURS = 13 * HOUR, 9 * HOUR
THANKS_DELAY_HOURS = (1.0, 6.0)
LETTER_DELAY_DAYS = (1.0, 4.0)
FOLLOWUP_JITTER = 0.3  # of a cadence period: follow-ups land 0.7-1.3 periods apart
BURST_CALLS = (3, 6)  # calls in one burst, inclusive
BURST_GAP_MINUTES = (1.0, 4.0)
BURST_PICKED_UP_SHARE = 0.4  # the last call-back of a burst gets through
BURST_CALL_OUTCOMES = (("hang_up", 0.6), ("missed", 0.3), ("busy", 0.1))
EMPLOYER_CHANNELS = (("email", 0.75), ("phone", 0.25))
EMPLOYER_CALL_OUTCOMES = (("connected", 0.6), ("voicemail", 0.4))
PRE_INTERVIEW_DAYS = 14.0
PRE_INTERVIEW_INBOUND_SHARE = 0.5
CALL_SECONDS = {  # inclusive duration ranges per outcome
    "connected": (60, 900),
    "voicemail": (15, 90),
    "hang_up": (1, 8),
    "missed": (20, 40),  # rang out
    "busy": (0, 2),
}


def make_followups(
    n_candidates: int,
    *,
    seed: int = 0,
    events_per_candidate: float = 10.0,
    start: str = DEFAULT_START,
    as_of: str | None = None,
    with_archetype: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(events, interviews)`` for ``n_candidates`` candidates, as exported on ``as_of``.

    ``start`` is the first interview day (2026-01-05 is a Monday). ``as_of`` defaults to
    :func:`default_as_of` of the interviews drawn. ``with_archetype`` adds the archetype of
    each candidate to the interviews.
    """
    events, interviews = _simulate(n_candidates, seed, events_per_candidate, start, as_of)
    interviews_frame = _to_pandas(interviews)
    if not with_archetype:
        interviews_frame = interviews_frame.drop(columns="archetype")
    return _to_pandas(events), interviews_frame


def write_followups(
    out_dir: str | Path,
    n_candidates: int,
    *,
    seed: int = 0,
    events_per_candidate: float = 10.0,
) -> tuple[Path, Path]:
    """Generate and write ``events.csv`` and ``interviews.csv`` into ``out_dir``.

    Timestamps are ISO 8601 with a trailing ``Z``; missing values are empty fields. The
    ``as_of`` is the default one: pass ``default_as_of`` of the interviews read back to the
    scorer. Returns the two paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events, interviews = _simulate(n_candidates, seed, events_per_candidate, DEFAULT_START, None)
    events_path, interviews_path = out / EVENTS_FILE, out / INTERVIEWS_FILE
    _write_csv(events, events_path)
    _write_csv(interviews.drop_columns(["archetype"]), interviews_path)
    return events_path, interviews_path


def default_as_of(interviews: pd.DataFrame) -> pd.Timestamp:
    """The as-of that makes a generated set meaningful: midnight UTC ending the 7th day after
    the last interview ends (``interview_at`` + 1 h where no end is given).

    Every candidate has then had the whole 7-day no-contact window, so each is judged and
    none is ``pending`` or ``upcoming``; pass an earlier ``as_of`` to :func:`make_followups` for
    those (``write_followups`` always uses this one).
    """
    # A set read back with pandas.read_csv holds its times as text: read them as times first.
    starts = pd.to_datetime(interviews["interview_at"], utc=True, format="ISO8601")
    ends = pd.to_datetime(interviews["interview_end"], utc=True, format="ISO8601")
    ends = ends.fillna(starts + pd.Timedelta(hours=1))
    seconds = ends.to_numpy("datetime64[s]").astype(np.int64)
    return pd.Timestamp(_default_as_of_seconds(seconds), unit="s", tz="UTC")


# Log-odds of advancing by archetype: the employer in this simulation rewards prompt,
# steady, polite follow-up and marks down silence, pestering and hang-ups.
ADVANCE_LOGITS = {
    "prompt": 2.0,
    "slow": 0.5,
    "silent": -2.0,
    "pesterer": -1.5,
    "hang_up_bursts": -1.5,
    "went_silent": 0.0,
    "employer_only": -2.0,
    "pre_interview_only": -2.0,
}


def make_outcomes(
    interviews: pd.DataFrame, *, seed: int = 0, noise: float = 0.5, as_of=None
) -> pd.DataFrame:
    """Hiring outcomes that depend on each candidate's follow-up behaviour, plus noise.

    ``interviews`` must come from ``make_followups(..., with_archetype=True)``. A candidate advances
    with probability ``sigmoid(ADVANCE_LOGITS[archetype] + noise * N(0, 1))``, so behaviour
    predicts the outcome, imperfectly; ``noise`` is the spread of everything else (0: behaviour
    alone). The result has ``candidate_id``, ``outcome`` (``advanced``/``rejected``) and
    ``decision_at``: the interview's decision time where it has one, else ``as_of`` (default:
    :func:`default_as_of`), so the outcome never comes before the follow-up it depends on.
    The same arguments always give the same frame.

    >>> events, interviews = make_followups(300, seed=7, with_archetype=True)
    >>> labels = make_outcomes(interviews, seed=7)
    >>> list(labels.columns), len(labels)
    (['candidate_id', 'outcome', 'decision_at'], 300)
    >>> advanced = labels["outcome"].eq("advanced").groupby(interviews["archetype"]).mean()
    >>> bool(advanced["prompt"] > advanced["silent"])
    True
    """
    if "archetype" not in interviews:
        raise ValueError("outcomes need the archetype column: make_followups(..., with_archetype=True)")
    rng = np.random.default_rng(seed)
    logit = interviews["archetype"].astype(str).map(ADVANCE_LOGITS).to_numpy(dtype=float)
    logit = logit + noise * rng.standard_normal(len(logit))
    advanced = rng.random(len(logit)) < 1 / (1 + np.exp(-logit))
    when = default_as_of(interviews) if as_of is None else pd.Timestamp(as_of)
    decided = pd.to_datetime(interviews["decision_at"], utc=True).fillna(when)
    return pd.DataFrame({
        "candidate_id": interviews["candidate_id"].astype(str).to_numpy(),
        "outcome": np.where(advanced, "advanced", "rejected"),
        "decision_at": decided.to_numpy(),
    }).astype({"decision_at": "datetime64[us, UTC]"})


def _default_as_of_seconds(interview_ends: np.ndarray) -> int:
    return (int(interview_ends.max()) + 7 * DAY) // DAY * DAY + DAY


@dataclass
class _Cohort:
    """The candidates and their interviews as they really happen, before an export hides
    what has not happened by ``as_of``. Times are seconds since the epoch."""

    archetype: np.ndarray  # codes into ARCHETYPES
    name: pa.Array
    interview_at: np.ndarray
    interview_end: np.ndarray
    end_missing: np.ndarray  # the export leaves interview_end empty
    panel: np.ndarray  # codes into INTERVIEWERS, one column per seat
    panel_size: np.ndarray
    decision_due: np.ndarray  # -1 when the employer named no date
    decision_at: np.ndarray  # inf when undecided
    decision: np.ndarray  # codes into DECISIONS

    @property
    def published_end(self) -> np.ndarray:
        """The end a reader of the export sees: ``interview_at`` + 1 h where none is given."""
        return np.where(self.end_missing, self.interview_at + HOUR, self.interview_end)


@dataclass
class _Events:
    candidate: np.ndarray  # index into the cohort
    seconds: np.ndarray  # since the epoch: float while drawn, whole once in order
    channel: np.ndarray  # codes into CHANNELS
    inbound: np.ndarray  # bool
    outcome: np.ndarray  # codes into OUTCOMES, -1 when not a call
    contact: np.ndarray  # codes into INTERVIEWERS, -1 when nobody in particular

    @classmethod
    def concat(cls, parts: list[_Events]) -> _Events:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def take(self, index: np.ndarray) -> _Events:
        return _Events(*(getattr(self, f.name)[index] for f in fields(self)))


def _simulate(
    n: int, seed: int, events_per_candidate: float, start: str, as_of: str | None
) -> tuple[pa.Table, pa.Table]:
    """The events and interviews (with the archetype) as Arrow tables."""
    if n < 1:
        raise ValueError(f"n_candidates must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    cohort = _draw_cohort(rng, n, _utc_seconds(start))
    as_of_s = _default_as_of_seconds(cohort.published_end) if as_of is None else _utc_seconds(as_of)
    events = _draw_events(rng, cohort, as_of_s, events_per_candidate)
    candidate_ids = _numbered("C", n)
    interviews = _interview_table(cohort, candidate_ids, as_of_s)
    return _event_table(rng, events, candidate_ids), interviews


def _draw_cohort(rng, n: int, start_s: int) -> _Cohort:
    archetype = rng.choice(len(ARCHETYPES), size=n, p=list(ARCHETYPE_SHARES.values()))
    name = pc.binary_join_element_wise(
        pa.array(FIRST_NAMES).take(rng.integers(0, len(FIRST_NAMES), n)),
        pa.array(LAST_NAMES).take(rng.integers(0, len(LAST_NAMES), n)),
        " ",
    )
    # Weekdays over INTERVIEW_WEEKS weeks, starting on the half-hour from 13:00 UTC.
    business_day = rng.integers(0, INTERVIEW_WEEKS * 5, n)
    day_start = start_s + (business_day // 5 * 7 + business_day % 5) * DAY
    interview_at = day_start + 13 * HOUR + rng.integers(0, 16, n) * 30 * MINUTE
    interview_end = interview_at + rng.choice(INTERVIEW_MINUTES, n) * MINUTE
    end_missing = rng.random(n) < INTERVIEW_END_MISSING_SHARE
    panel_size = rng.choice(list(PANEL_SIZE_SHARES), n, p=list(PANEL_SIZE_SHARES.values()))
    # The first seats of a random permutation: distinct interviewers without a loop.
    panel = np.argsort(rng.random((n, len(INTERVIEWERS))), axis=1)[:, : max(PANEL_SIZE_SHARES)]

    has_due = rng.random(n) < DECISION_DUE_SHARE
    decision_due = day_start + rng.choice(DECISION_DUE_DAYS, n) * DAY
    decided_after = np.where(
        has_due,
        decision_due - interview_end + rng.uniform(*DECISION_SLIP_DAYS, n) * DAY,
        rng.uniform(*DECISION_DAYS_WITHOUT_DUE, n) * DAY,
    )
    decision_at = _office_hours(interview_end + decided_after, interview_end, np.inf)
    decision_at = np.where(rng.random(n) < UNDECIDED_SHARE, np.inf, decision_at)
    decision = rng.choice(len(DECISIONS), n, p=[DECISION_SHARES[d] for d in DECISIONS])
    return _Cohort(
        archetype, name, interview_at, interview_end, end_missing, panel, panel_size,
        np.where(has_due, decision_due, -1), decision_at, decision,
    )


def _draw_events(rng, cohort: _Cohort, as_of_s: int, events_per_candidate: float) -> _Events:
    """Every archetype's events, scaled to the mean asked for, as exported on ``as_of``."""
    archetype, interview_end = cohort.archetype, cohort.interview_end
    # Follow-up is possible from the end of the interview until the decision or the export.
    window = np.clip(np.minimum(cohort.decision_at, as_of_s) - interview_end, 0, None)
    following = window > 0
    thanks_all = _behaviour("thanks_each_interviewer", archetype) & following
    thanks = np.where(thanks_all, cohort.panel_size, 0)
    late_note_days = [BEHAVIOURS[name].late_note_days for name in ARCHETYPES]
    writes_late = np.array([days is not None for days in late_note_days])[archetype]
    late_days = np.array([days or (0.0, 0.0) for days in late_note_days])[archetype]
    late_note_after = rng.uniform(late_days[:, 0], late_days[:, 1]) * DAY
    late_note = writes_late & (late_note_after < window)
    letter = (rng.random(len(archetype)) < _behaviour("letter_share", archetype)) & following
    first_days = _behaviour("first_followup_days", archetype)
    followup_start = rng.uniform(first_days[:, 0], first_days[:, 1]) * DAY
    followup_end = np.minimum(window, _behaviour("followup_weeks", archetype) * WEEK)
    followup_span = np.clip(followup_end - followup_start, 0, None)

    # The thank-you openings are kept as drawn; every other volume is scaled by one factor
    # that brings the mean to events_per_candidate.
    expected_followups = _behaviour("followups_per_week", archetype) * followup_span / WEEK
    expected_bursts = _behaviour("hang_up_bursts", archetype) * (window > DAY)
    expected_outbound = _behaviour("outbound_per_week", archetype) * window / WEEK
    expected_pre = _behaviour("pre_interview_events", archetype)
    expected_burst_calls = expected_bursts * sum(BURST_CALLS) / 2
    expected_scaled = (
        expected_followups + expected_burst_calls + expected_outbound + expected_pre
    ).sum()
    openings = thanks.sum() + late_note.sum() + letter.sum()
    wanted = max(events_per_candidate * len(archetype) - openings, 0)
    scale = wanted / expected_scaled if expected_scaled else 0.0

    events = _Events.concat([
        _thank_you_emails(rng, thanks, interview_end, cohort.panel),
        _late_notes(late_note, late_note_after, interview_end, cohort.panel),
        _letters(rng, letter, interview_end, cohort.panel),
        _followups(
            rng, rng.poisson(scale * expected_followups), archetype, interview_end,
            followup_start, followup_span,
        ),
        _hang_up_bursts(rng, rng.poisson(scale * expected_bursts), interview_end, window),
        _employer_messages(rng, rng.poisson(scale * expected_outbound), interview_end, window),
        _pre_interview_messages(rng, rng.poisson(scale * expected_pre), cohort.interview_at),
    ])
    events = _chronological(events, len(archetype))
    return events.take(np.flatnonzero(events.seconds < as_of_s))


def _chronological(events: _Events, n_candidates: int) -> _Events:
    """The events in time order, in whole seconds, no two of one candidate in the same second.

    Such a pair would be one duplicated event to a scorer, so the later one moves on a second;
    it may land on yet another event, hence the loop (a second pass is rarely needed).
    """
    seconds = np.floor(events.seconds).astype(np.int64)
    while True:
        key = seconds * n_candidates + events.candidate
        order = np.argsort(key, kind="stable")
        clashes = order[np.flatnonzero(np.diff(key[order]) == 0) + 1]
        if len(clashes) == 0:
            break
        seconds[clashes] += 1
    events.seconds = seconds
    return events.take(order)


def _behaviour(field: str, archetype: np.ndarray) -> np.ndarray:
    """One field of :data:`BEHAVIOURS` for every candidate."""
    return np.array([getattr(BEHAVIOURS[name], field) for name in ARCHETYPES])[archetype]


def _interview_table(cohort: _Cohort, candidate_ids: pa.Array, as_of_s: int) -> pa.Table:
    decided = cohort.decision_at <= as_of_s
    seats = range(cohort.panel.shape[1])
    interviewers = pc.binary_join_element_wise(
        *(_decode(np.where(cohort.panel_size > seat, cohort.panel[:, seat], -1), INTERVIEWERS)
          for seat in seats),
        ";",
        null_handling="skip",
    )
    return pa.table({
        "candidate_id": candidate_ids,
        "name": cohort.name,
        "interview_at": _timestamps(cohort.interview_at),
        "interview_end": _timestamps(np.where(cohort.end_missing, -1, cohort.interview_end)),
        "interviewers": interviewers,
        "decision": _decode(np.where(decided, cohort.decision, -1), DECISIONS),
        "decision_at": _timestamps(np.where(decided, cohort.decision_at, -1)),
        "decision_due": _timestamps(cohort.decision_due),
        "archetype": _decode(cohort.archetype, ARCHETYPES),
    })


def _event_table(rng, events: _Events, candidate_ids: pa.Array) -> pa.Table:
    duration = _call_seconds(rng, events.outcome)
    direction = np.where(events.inbound, DIRECTIONS.index("inbound"), DIRECTIONS.index("outbound"))
    return pa.table({
        "candidate_id": candidate_ids.take(events.candidate),
        "timestamp": _timestamps(events.seconds),
        "channel": _decode(events.channel, CHANNELS),
        "direction": _decode(direction, DIRECTIONS),
        "outcome": _decode(events.outcome, OUTCOMES),
        "duration_s": pa.array(duration, mask=duration < 0, type=pa.int64()),
        "contact": _decode(events.contact, INTERVIEWERS),
        "event_id": _numbered("E", len(duration)),
    })


def _thank_you_emails(rng, thanks, interview_end, panel) -> _Events:
    """One email per interviewer, a few minutes apart, hours after the interview."""
    owner, seat = _expand(thanks)
    sent_after = rng.uniform(*THANKS_DELAY_HOURS, len(thanks))[owner] * HOUR
    gap = rng.uniform(2, 15, len(thanks))[owner] * MINUTE
    sent = interview_end[owner] + sent_after + seat * gap
    return _inbound(owner, sent, CHANNELS.index("email"), contact=panel[owner, seat])


def _late_notes(late_note, late_note_after, interview_end, panel) -> _Events:
    """A single thank-you email to the lead interviewer, days late."""
    owner = np.flatnonzero(late_note)
    sent = interview_end[owner] + late_note_after[owner]
    sent = _office_hours(sent, interview_end[owner], np.inf)
    return _inbound(owner, sent, CHANNELS.index("email"), contact=panel[owner, 0])


def _letters(rng, letter, interview_end, panel) -> _Events:
    """A mailed thank-you to the lead interviewer, logged when it arrives."""
    owner = np.flatnonzero(letter)
    sent = interview_end[owner] + rng.uniform(*LETTER_DELAY_DAYS, len(owner)) * DAY
    sent = _office_hours(sent, interview_end[owner], np.inf)
    return _inbound(owner, sent, CHANNELS.index("letter"), contact=panel[owner, 0])


def _followups(rng, counts, archetype, interview_end, start, span) -> _Events:
    """The ongoing follow-up: ``counts`` contacts evenly spread over the span, with jitter."""
    owner, rank = _expand(counts)
    first, period = interview_end[owner] + start[owner], span[owner] / counts[owner]
    sent = first + (rank + rng.uniform(0, FOLLOWUP_JITTER, len(owner))) * period
    sent = _office_hours(sent, interview_end[owner], first + span[owner])
    behaviours = [BEHAVIOURS[name] for name in ARCHETYPES]
    channels = _cumulative([b.followup_channels for b in behaviours], CHANNELS)
    outcomes = _cumulative([b.call_outcomes for b in behaviours], OUTCOMES)
    channel = _draw(rng, channels, archetype[owner])
    outcome = _draw(rng, outcomes, archetype[owner])
    outcome = np.where(channel == CHANNELS.index("phone"), outcome, -1)
    return _inbound(owner, sent, channel, outcome=outcome)


def _hang_up_bursts(rng, counts, interview_end, window) -> _Events:
    """Calls a few minutes apart that nobody answered; some bursts end when one gets through."""
    owner, _ = _expand(counts)
    earliest, latest = interview_end[owner] + DAY, interview_end[owner] + window[owner]
    burst_start = earliest + rng.random(len(owner)) * (latest - earliest)
    burst_start = _office_hours(burst_start, earliest, latest)
    gap = rng.uniform(*BURST_GAP_MINUTES, len(owner)) * MINUTE
    calls_per_burst = rng.integers(BURST_CALLS[0], BURST_CALLS[1] + 1, len(owner))
    burst, rank = _expand(calls_per_burst)
    sent = burst_start[burst] + rank * gap[burst]
    one_mix = np.zeros(len(burst), np.int64)
    outcome = _draw(rng, _cumulative([BURST_CALL_OUTCOMES], OUTCOMES), one_mix)
    last_call = rank == calls_per_burst[burst] - 1
    picked_up = last_call & (rng.random(len(burst)) < BURST_PICKED_UP_SHARE)
    outcome = np.where(picked_up, OUTCOMES.index("connected"), outcome)
    return _inbound(owner[burst], sent, CHANNELS.index("phone"), outcome=outcome)


def _employer_messages(rng, counts, interview_end, window) -> _Events:
    """The employer's own emails and calls after the interview: never follow-up."""
    owner, _ = _expand(counts)
    sent = interview_end[owner] + rng.random(len(owner)) * window[owner]
    sent = _office_hours(sent, interview_end[owner], interview_end[owner] + window[owner])
    return _employer_or_candidate(rng, owner, sent, inbound=np.zeros(len(owner), bool))


def _pre_interview_messages(rng, counts, interview_at) -> _Events:
    """Scheduling back-and-forth in the two weeks before the interview."""
    owner, _ = _expand(counts)
    sent = interview_at[owner] - rng.uniform(HOUR, PRE_INTERVIEW_DAYS * DAY, len(owner))
    sent = _office_hours(sent, -np.inf, interview_at[owner])
    inbound = rng.random(len(owner)) < PRE_INTERVIEW_INBOUND_SHARE
    return _employer_or_candidate(rng, owner, sent, inbound)


def _employer_or_candidate(rng, owner, sent, inbound) -> _Events:
    """Routine emails and calls, not addressed to an interviewer in particular."""
    zeros = np.zeros(len(owner), np.int64)
    channel = _draw(rng, _cumulative([EMPLOYER_CHANNELS], CHANNELS), zeros)
    outcome = _draw(rng, _cumulative([EMPLOYER_CALL_OUTCOMES], OUTCOMES), zeros)
    outcome = np.where(channel == CHANNELS.index("phone"), outcome, -1)
    return _Events(owner, sent, channel, inbound, outcome, np.full(len(owner), -1))


def _inbound(owner, sent, channel, *, outcome=-1, contact=-1) -> _Events:
    size = len(owner)
    return _Events(
        owner,
        sent,
        np.broadcast_to(channel, size),
        np.ones(size, bool),
        np.broadcast_to(outcome, size),
        np.broadcast_to(contact, size),
    )


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and rank of every item when owner ``i`` has ``counts[i]`` items."""
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - first[owner]


def _cumulative(mixes, vocabulary) -> np.ndarray:
    """Rows of cumulative probabilities over ``vocabulary``, one row per mix."""
    table = np.array([[dict(mix).get(word, 0.0) for word in vocabulary] for mix in mixes])
    cumulative = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    cumulative[:, -1] = 1.0
    return cumulative


def _draw(rng, cumulative: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One category per element, each from its own row of ``cumulative``.

    Shifting row ``r`` by ``r`` makes all rows one sorted array, so a single searchsorted
    draws for every element whatever its row.
    """
    width = cumulative.shape[1]
    flat = (cumulative + np.arange(len(cumulative))[:, None]).ravel()
    return np.searchsorted(flat, row + rng.random(len(row)), side="right") - row * width


def _office_hours(seconds, earliest, latest) -> np.ndarray:
    """Squeeze each time of day into office hours on the same date, unless that would move it
    outside ``(earliest, latest)``, where the original time is kept."""
    day = seconds // DAY * DAY
    moved = day + OFFICE_OPENS + (seconds - day) * (OFFICE_HOURS / DAY)
    return np.where((moved > earliest) & (moved < latest), moved, seconds)


def _call_seconds(rng, outcome: np.ndarray) -> np.ndarray:
    """Call durations drawn by outcome; -1 where the event is not a call."""
    low = np.array([CALL_SECONDS[o][0] for o in OUTCOMES])
    high = np.array([CALL_SECONDS[o][1] for o in OUTCOMES])
    is_call = outcome >= 0
    code = np.where(is_call, outcome, 0)
    return np.where(is_call, rng.integers(low[code], high[code] + 1), -1)


def _utc_seconds(text: str) -> int:
    stamp = pd.Timestamp(text)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.timestamp())


def _timestamps(seconds: np.ndarray) -> pa.Array:
    """Whole-second UTC timestamps; negative values (before 1970) mark a missing one."""
    whole = np.asarray(seconds, dtype=np.int64)
    return pa.array(whole, mask=whole < 0, type=pa.timestamp("s", tz="UTC"))


def _decode(codes: np.ndarray, vocabulary) -> pa.Array:
    """Strings for codes; -1 is missing."""
    return pa.array(vocabulary).take(pa.array(codes, mask=codes < 0, type=pa.int64()))


def _numbered(prefix: str, count: int) -> pa.Array:
    """``prefix`` + a zero-padded running number from 1: C000001, C000002, ..."""
    width = max(6, len(str(count)))
    numbers = pc.cast(pa.array(np.arange(1, count + 1)), pa.string())
    digits = pc.utf8_lpad(numbers, width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    columns = {
        name: table[name].cast(pa.timestamp("us", tz="UTC"))
        if pa.types.is_timestamp(table[name].type)
        else table[name]
        for name in table.column_names
    }
    return pa.table(columns).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def _write_csv(table: pa.Table, path: Path) -> None:
    columns = {
        name: iso_utc_text(table[name]) if pa.types.is_timestamp(table[name].type) else table[name]
        for name in table.column_names
    }
    # No value contains a comma, quote or newline, so no quoting is needed; pyarrow raises
    # rather than write a broken file if one ever does.
    options = pa_csv.WriteOptions(quoting_style="none")
    pa_csv.write_csv(pa.table(columns), path, write_options=options)
