"""Builders that let scenario tests read like the seeds.

Every scenario is set around one fixed interview: **Monday 2 March 2026, 10:00-11:00 local**
(in the time zone the test scores in; UTC unless it says otherwise). ``day(n, "19:30")`` is
that local time on day ``n`` (day 0 = the interview day) as an ISO 8601 string with its
offset, which is how an export writes it.

>>> day(0, "19:30")
'2026-03-02T19:30:00+00:00'
>>> day(0, "23:30", tz="America/New_York")
'2026-03-02T23:30:00-05:00'
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

import followup
from followup.loading import read_events
from followup.sources import SourceOptions

BASE_DATE = pd.Timestamp("2026-03-02")  # a Monday, before the US clocks change on 8 March
INTERVIEW_START = "10:00"
INTERVIEW_END = "11:00"

EVENT_COLUMNS = ["candidate_id", "timestamp", "channel", "direction", "outcome", "duration_s",
                 "contact", "event_id"]
INTERVIEW_COLUMNS = ["candidate_id", "name", "interview_at", "interview_end", "interviewers",
                     "decision", "decision_at", "decision_due"]

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DATA = REPO / "sample_data"
# The as-of and zone that make the sample meaningful (sample_data/README.md), and the CLI
# arguments that score it.
SAMPLE_AS_OF = "2026-03-31T18:00:00-04:00"
SAMPLE_TZ = "America/New_York"
SAMPLE_ARGS = [str(SAMPLE_DATA / "events.csv"), "--interviews", str(SAMPLE_DATA / "interviews.csv"),
               "--as-of", SAMPLE_AS_OF, "--tz", SAMPLE_TZ]


def local(n: float, hhmm: str = "12:00", tz: str = "UTC") -> pd.Timestamp:
    """The local time ``hhmm`` on day ``n`` after the interview day, as an aware Timestamp."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    naive = BASE_DATE + pd.Timedelta(days=n, hours=hours, minutes=minutes)
    return naive.tz_localize(tz)


def day(n: float, hhmm: str = "12:00", tz: str = "UTC") -> str:
    """ISO 8601 text (with offset) for local time ``hhmm`` on day ``n``; day 0 = interview day."""
    return local(n, hhmm, tz).isoformat()


def naive_day(n: float, hhmm: str = "12:00") -> str:
    """The same wall-clock time without an offset, as a naive export writes it."""
    return local(n, hhmm, "UTC").tz_localize(None).isoformat()


def interview(candidate_id: str = "A", *, start=None, end=None, interviewers: str = "Dana Whitfield",
              name: str | None = None, decision=None, decision_at=None, decision_due=None,
              on_day: float = 0, tz: str = "UTC") -> dict:
    """One interview row; by default day ``on_day`` 10:00-11:00 local with one interviewer."""
    return {
        "candidate_id": candidate_id,
        "name": name or f"Candidate {candidate_id}",
        "interview_at": start if start is not None else day(on_day, INTERVIEW_START, tz),
        "interview_end": end if end is not None else day(on_day, INTERVIEW_END, tz),
        "interviewers": interviewers,
        "decision": decision,
        "decision_at": decision_at,
        "decision_due": decision_due,
    }


def make_interviews(*rows: dict) -> pd.DataFrame:
    """An interviews frame from :func:`interview` rows (default: one interview for ``A``)."""
    rows = rows or (interview(),)
    return pd.DataFrame(list(rows), columns=INTERVIEW_COLUMNS)


def ev(when: str, channel: str = "email", *, candidate_id: str = "A", direction: str = "inbound",
       outcome=None, duration_s=None, contact=None, event_id=None) -> dict:
    """One event row. Phone rows default to a connected 5-minute call."""
    if channel == "phone" and outcome is None and duration_s is None:
        outcome, duration_s = "connected", 300
    return {"candidate_id": candidate_id, "timestamp": when, "channel": channel,
            "direction": direction, "outcome": outcome, "duration_s": duration_s,
            "contact": contact, "event_id": event_id}


def email(when: str, contact=None, **kw) -> dict:
    return ev(when, "email", contact=contact, **kw)


def letter(when: str, contact=None, **kw) -> dict:
    return ev(when, "letter", contact=contact, **kw)


def call(when: str, outcome: str = "connected", duration_s=None, **kw) -> dict:
    """An inbound call; the duration follows the outcome the way a phone system logs it."""
    default_duration = {"connected": 300, "voicemail": 45, "hang_up": 2, "missed": 28, "busy": 1}
    if duration_s is None and outcome is not None:
        duration_s = default_duration[outcome]
    return ev(when, "phone", outcome=outcome, duration_s=duration_s, **kw)


def voicemail(when: str, **kw) -> dict:
    return call(when, "voicemail", **kw)


def hang_up(when: str, **kw) -> dict:
    return call(when, "hang_up", **kw)


def make_events(*rows: dict) -> pd.DataFrame:
    """An events frame (the columns an export has) from :func:`ev` rows; may be empty."""
    return pd.DataFrame(list(rows), columns=EVENT_COLUMNS).astype(
        {"outcome": object, "duration_s": object, "contact": object, "event_id": object})


def run(events, interviews=None, *, as_of, tz: str = "UTC", policy="sales", strict: bool = False):
    """Score and return the whole :class:`followup.ScoreResult`."""
    if interviews is None:
        interviews = make_interviews()
    if isinstance(events, list):
        events = make_events(*events)
    return followup.score(events, interviews, policy=policy, as_of=as_of, tz=tz, strict=strict)


def row(result, candidate_id: str = "A") -> pd.Series:
    """The shortlist row of one candidate (exactly one must exist)."""
    rows = result.candidates[result.candidates["candidate_id"] == candidate_id]
    assert len(rows) == 1, f"expected one row for {candidate_id}, got {len(rows)}"
    return rows.iloc[0]


def scored_row(events, interviews=None, *, as_of, candidate_id: str = "A", **kw) -> pd.Series:
    return row(run(events, interviews, as_of=as_of, **kw), candidate_id)


def flags_of(r: pd.Series) -> set[str]:
    return set(filter(None, str(r["flags"]).split(";")))


@pytest.fixture
def sample_paths():
    return SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv"


@contextmanager
def time_limit(seconds: int):
    """Fail a hostile input that makes a command hang, instead of hanging the suite."""
    def expire(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# The vendor fixtures (tests/data/sources), written from each vendor's documented shapes.
VENDOR_DATA = REPO / "tests" / "data" / "sources"
VENDOR_TZ = "America/New_York"


@pytest.fixture()
def options():
    """The options vendor exports are read with: the fixtures' roster, the employer's domain."""
    return SourceOptions.build(candidates=VENDOR_DATA / "roster.csv", employer_domains=["acme.com"],
                               default_region="US")


def load_vendor(options, *names):
    return read_events([VENDOR_DATA / n for n in names], tz=VENDOR_TZ, sources=options)


def of(loaded, candidate):
    return loaded.frame[loaded.frame["candidate_id"] == candidate].sort_values("timestamp")


def utc(text):
    return pd.Timestamp(text).tz_convert("UTC")
