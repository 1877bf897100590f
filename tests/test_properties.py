"""Property tests for the invariants of SCORING.md, over generated event logs.

Four candidates: A (interview on day 0), B (day 3, two interviewers), C (two rounds, day 0
and day 12) and D (interviewed, never writes). Events fall anywhere from two days before the
first interview to past the as-of time, on any channel and in either direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import followup
from conftest import (
    EVENT_COLUMNS,
    interview,
    local,
    make_events,
    make_interviews,
)

AS_OF = local(30, "18:00").isoformat()
TZS = ["UTC", "America/New_York"]
INTERVIEWS = make_interviews(
    interview("A", interviewers="Dana Whitfield"),
    interview("B", on_day=3, interviewers="Dana Whitfield;Raj Patel"),
    interview("C", on_day=0, interviewers="Mei Chen"),
    interview("C", on_day=12, interviewers="Mei Chen;Tom Alvarez"),
    interview("D"),
)
ANCHOR = {"A": local(0, "11:00"), "B": local(3, "11:00"), "C": local(12, "11:00"), "D": local(0, "11:00")}
CANDIDATES = ["A", "B", "C"]
CHANNELS = ["email", "phone", "letter", "sms", "linkedin", "in_person", "other"]
CONTACTS = [None, "Dana Whitfield", "raj.patel@acme-sales.com", "Mei Chen", "Tom Alvarez"]
OUTCOME_DURATION = {"connected": 300, "voicemail": 45, "hang_up": 2, "missed": 28, "busy": 1}
START = local(-2, "00:00")
MINUTES = 34 * 24 * 60

PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def event_dicts(draw, candidates=CANDIDATES, minutes=st.integers(0, MINUTES)):
    channel = draw(st.sampled_from(CHANNELS))
    outcome = duration = None
    if channel == "phone":
        outcome = draw(st.sampled_from([None, *OUTCOME_DURATION]))
        duration = (OUTCOME_DURATION[outcome] if outcome
                    else draw(st.sampled_from([0, 3, 9, 10, 40, 600])))
    return {
        "candidate_id": draw(st.sampled_from(candidates)),
        "timestamp": START + pd.Timedelta(minutes=draw(minutes)),
        "channel": channel,
        "direction": draw(st.sampled_from(["inbound", "inbound", "outbound"])),
        "outcome": outcome,
        "duration_s": duration,
        "contact": draw(st.sampled_from(CONTACTS)),
        "event_id": None,
    }


def _key(e: dict):
    """The de-duplication key: the generator keeps events distinct under it."""
    return (e["candidate_id"], e["timestamp"], e["channel"], e["direction"], e["outcome"], e["contact"])


event_logs = st.lists(event_dicts(), min_size=0, max_size=25, unique_by=_key)


def frame(events: list[dict]) -> pd.DataFrame:
    out = make_events(*[dict(e, timestamp=e["timestamp"].isoformat()) for e in events])
    ids = [f"EV-{n}" for n in range(len(out))]
    out["event_id"] = ids
    return out


def scored(events, tz="UTC", interviews=INTERVIEWS):
    data = events if isinstance(events, pd.DataFrame) else frame(events)
    return followup.score(data, interviews, as_of=AS_OF, tz=tz)


def by_id(result) -> pd.DataFrame:
    columns = [c for c in result.candidates.columns if c != "rank"]
    return result.candidates[columns].sort_values("candidate_id").reset_index(drop=True)


def _num(value) -> float:
    return np.nan if pd.isna(value) else float(value)


# --------------------------------------------------------------------------------------------


@PROPERTY
@given(events=event_logs, seed=st.randoms(use_true_random=False), tz=st.sampled_from(TZS))
def test_row_order_never_changes_the_output(events, seed, tz):
    data = frame(events)
    shuffled = data.iloc[seed.sample(range(len(data)), len(data))].reset_index(drop=True)
    first, second = scored(data, tz), scored(shuffled, tz)
    pd.testing.assert_frame_equal(by_id(first), by_id(second))
    assert first.counts == second.counts
    ranked = lambda r: list(r.candidates["candidate_id"])  # noqa: E731
    assert ranked(first) == ranked(second)


@PROPERTY
@given(events=event_logs.filter(bool), picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=5),
       same_id=st.booleans())
def test_exact_duplicates_are_counted_once_and_reported(events, picks, same_id):
    data = frame(events)
    copies = data.iloc[[p % len(data) for p in picks]]
    if not same_id:
        copies = copies.assign(event_id=None)  # duplicates by candidate/time/channel/...
    with_copies = pd.concat([data, copies], ignore_index=True)
    clean, doubled = scored(data), scored(with_copies)
    pd.testing.assert_frame_equal(by_id(clean), by_id(doubled))
    assert doubled.counts["duplicates"] == len(copies)
    assert doubled.counts["rows_read"] == clean.counts["rows_read"] + len(copies)
    assert doubled.counts["rows_used"] == clean.counts["rows_used"]
    reported = doubled.rejects[doubled.rejects["kind"] == "duplicate"]
    assert sorted(reported["source_row"]) == list(range(len(data) + 1, len(with_copies) + 1))


@PROPERTY
@given(events=event_logs, candidate=st.sampled_from(CANDIDATES + ["D"]),
       minute=st.integers(0, MINUTES), outcome=st.sampled_from(["hang_up", "missed", "busy", None]),
       tz=st.sampled_from(TZS))
def test_adding_a_hang_up_never_raises_a_score(events, candidate, minute, outcome, tz):
    extra = {"candidate_id": candidate, "timestamp": START + pd.Timedelta(minutes=minute, seconds=30),
             "channel": "phone", "direction": "inbound", "outcome": outcome,
             "duration_s": 2 if outcome is None else OUTCOME_DURATION[outcome], "contact": None,
             "event_id": None}
    before = by_id(scored(events, tz)).set_index("candidate_id")
    after = by_id(scored(events + [extra], tz)).set_index("candidate_id")
    for cid in before.index:
        old, new = _num(before.loc[cid, "score"]), _num(after.loc[cid, "score"])
        assert np.isnan(old) == np.isnan(new), cid
        if not np.isnan(old):
            assert new <= old, (cid, old, new, after.loc[cid, "reasons"])
        assert _num(after.loc[cid, "restraint"]) <= _num(before.loc[cid, "restraint"]) or np.isnan(old)
        assert set(before.loc[cid, "flags"].split(";")) - {""} <= set(after.loc[cid, "flags"].split(";"))


@PROPERTY
@given(events=event_logs, candidate=st.sampled_from(CANDIDATES), fraction=st.floats(0.0, 1.0),
       tz=st.sampled_from(TZS))
def test_moving_the_first_contact_earlier_never_lowers_speed(events, candidate, fraction, tz):
    result = scored(events, tz)
    r = result.candidates.set_index("candidate_id").loc[candidate]
    assume(pd.notna(r["first_contact_at"]) and pd.notna(r["speed"]))
    first = r["first_contact_at"]
    anchor = ANCHOR[candidate]
    moved_to = anchor + pd.Timedelta(minutes=1) + (first - anchor - pd.Timedelta(minutes=1)) * fraction
    moved_to = moved_to.floor("s")
    assume(moved_to <= first)
    changed = []
    done = False
    for e in events:
        if (not done and e["candidate_id"] == candidate and e["direction"] == "inbound"
                and e["timestamp"] == first and (e["channel"] != "phone" or e["duration_s"] >= 10)
                and e["outcome"] not in ("hang_up", "missed", "busy")):
            e = dict(e, timestamp=moved_to)
            done = True
        changed.append(e)
    assume(done)
    again = scored(changed, tz).candidates.set_index("candidate_id").loc[candidate]
    assert again["speed"] >= r["speed"], (r["reasons"], again["reasons"])
    assert again["first_contact_hours"] <= r["first_contact_hours"]


BAD_VALUES = {
    "candidate_id": ["", "  ", "NOBODY"],
    "timestamp": ["", "next Tuesday", "03/02/2026", "12345", "1899-01-01T00:00:00Z"],
    "channel": ["", "carrier pigeon", "fax?"],
    "direction": ["", "sideways"],
    "duration_s": ["-4", "long"],
}


@st.composite
def messy_logs(draw):
    events = draw(st.lists(event_dicts(), max_size=15, unique_by=_key))
    data = frame(events).astype(object)
    bad_rows = draw(st.lists(st.tuples(st.sampled_from(sorted(BAD_VALUES)), st.integers(0, 10_000)),
                             max_size=6))
    extra = []
    for number, (column, pick) in enumerate(bad_rows):
        # distinct times, so that two bad rows are never also duplicates of each other
        base = {"candidate_id": "A", "timestamp": local(1, f"12:{number:02d}").isoformat(), "channel": "phone",
                "direction": "inbound", "outcome": "voicemail", "duration_s": 40, "contact": None,
                "event_id": None}
        values = BAD_VALUES[column]
        base[column] = values[pick % len(values)]
        extra.append(base)
    duplicates = draw(st.lists(st.integers(0, 10_000), max_size=3)) if len(data) else []
    parts = [data, pd.DataFrame(extra, columns=EVENT_COLUMNS)]
    if duplicates:
        parts.append(data.iloc[[d % len(data) for d in duplicates]])
    return pd.concat(parts, ignore_index=True), len(extra), len(duplicates)


@PROPERTY
@given(log=messy_logs(), tz=st.sampled_from(TZS))
def test_every_row_is_accounted_for(log, tz):
    data, bad, duplicates = log
    result = scored(data, tz)
    c = result.counts
    assert c["rows_read"] == len(data) + len(INTERVIEWS)
    assert c["rows_read"] == c["rows_used"] + c["duplicates"] + c["rejected"]
    assert c["rejected"] == bad
    assert c["duplicates"] == duplicates
    assert c["rows_used"] == len(result.events) + len(result.interviews)
    assert len(result.rejects) == c["duplicates"] + c["rejected"]
    assert result.rejects["reason"].map(lambda s: isinstance(s, str) and len(s) > 0).all()
    assert result.rejects["source_row"].between(1, len(data)).all()
    # every input row is either used or reported, never both
    used = set(result.events["source_row"])
    reported = set(result.rejects["source_row"])
    assert used.isdisjoint(reported)
    assert used | reported == set(range(1, len(data) + 1))


@PROPERTY
@given(events=event_logs, tz=st.sampled_from(TZS))
def test_scores_statuses_and_flags_stay_in_range(events, tz):
    result = scored(events, tz)
    c = result.candidates
    assert sorted(c["candidate_id"]) == ["A", "B", "C", "D"]
    for column in ("score", "speed", "persistence", "restraint"):
        values = c[column].dropna()
        assert values.between(0, 100).all(), column
        assert (values.round(1) == values).all(), column
    assert set(c["status"].astype(str)) <= set(followup.STATUSES)
    assert set(followup.STATUSES) == {"upcoming", "pending", "flagged", "ok"}
    assert set(followup.FLAGS) == {"NO_CONTACT", "EXCESSIVE_HANGUPS", "TOO_FREQUENT", "WENT_SILENT"}
    for r in c.itertuples():
        flags = [f for f in r.flags.split(";") if f]
        assert set(flags) <= set(followup.FLAGS)
        assert len(flags) == len(set(flags))
        assert r.status != "upcoming"  # every interview here is before as-of
        if r.status == "pending":
            assert pd.isna(r.score) and pd.isna(r.grade)
        else:
            assert pd.notna(r.score)
            assert r.grade in {"A", "B", "C", "D"}
            assert (r.status == "flagged") == bool(flags)
        if r.status == "flagged":
            assert r.grade in {"C", "D"}
        assert isinstance(r.reasons, str) and r.reasons
    # the silent candidate is always there, and always NO_CONTACT
    d = c.set_index("candidate_id").loc["D"]
    assert "NO_CONTACT" in d["flags"]
    # ranked scores never increase down the table within a grade
    ranked = c[c["score"].notna()]
    for _, group in ranked.groupby("grade"):
        assert group["score"].is_monotonic_decreasing
