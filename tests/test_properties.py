"""Property tests for the invariants of SCORING.md, over generated event logs.

Four candidates: A (interview on day 0), B (day 3, two interviewers), C (two rounds, day 0
and day 12) and D (interviewed, never writes). Events fall anywhere from two days before the
first interview to past the as-of time, on any channel and in either direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import followup
from followup.loading import read_interviews
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
INTERVIEWS_LOADED = read_interviews(INTERVIEWS)  # parsed once, reused (saves ~20 ms a call)
ANCHOR = {"A": local(0, "11:00"), "B": local(3, "11:00"), "C": local(12, "11:00"), "D": local(0, "11:00")}
CANDIDATES = ["A", "B", "C"]
CHANNELS = ["email", "phone", "letter", "sms", "linkedin", "in_person", "other"]
CONTACTS = [None, "Dana Whitfield", "raj.patel@acme-sales.com", "Mei Chen", "Tom Alvarez"]
OUTCOME_DURATION = {"connected": 300, "voicemail": 45, "hang_up": 2, "missed": 28, "busy": 1}
START = local(-2, "00:00")
MINUTES = 34 * 24 * 60

# One scoring call takes ~60 ms (pandas overhead on tiny frames): the example counts keep each
# property at a few seconds.
PROPERTY = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Comparing two whole logs needs two calls per example.
ROW_ORDER = settings(PROPERTY, max_examples=30)


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
    """A score as a float, NaN when missing."""
    return np.nan if pd.isna(value) else float(value)


# --------------------------------------------------------------------------------------------


@ROW_ORDER
@given(events=event_logs, seed=st.randoms(use_true_random=False), tz=st.sampled_from(TZS))
def test_row_order_never_changes_the_output(events, seed, tz):
    # a chronological export (as real ones are) against the same rows in any order
    data = frame(sorted(events, key=lambda e: (e["timestamp"], e["candidate_id"])))
    shuffled = data.iloc[seed.sample(range(len(data)), len(data))].reset_index(drop=True)
    first, second = scored(data, tz, INTERVIEWS_LOADED), scored(shuffled, tz, INTERVIEWS_LOADED)
    pd.testing.assert_frame_equal(by_id(first), by_id(second))
    assert first.counts == second.counts
    assert list(first.candidates["candidate_id"]) == list(second.candidates["candidate_id"])


def variant(table: pd.DataFrame, side: str) -> pd.DataFrame:
    """The rows of one variant of a paired run, ids without the prefix, rank dropped."""
    rows = table[table["candidate_id"].str.startswith(side + ":")]
    rows = rows.assign(candidate_id=rows["candidate_id"].str.split(":").str[1])
    return rows.drop(columns="rank").sort_values("candidate_id").reset_index(drop=True)


def paired(events: list[dict], before: str, after: str) -> list[dict]:
    """The same log twice, for candidates renamed ``before:X`` and ``after:X``."""
    return [dict(e, candidate_id=f"{side}:{e['candidate_id']}") for side in (before, after) for e in events]


def paired_interviews(before: str, after: str):
    """The interview list for :func:`paired` logs, parsed once."""
    frames = [INTERVIEWS.assign(candidate_id=side + ":" + INTERVIEWS["candidate_id"]) for side in (before, after)]
    return read_interviews(pd.concat(frames, ignore_index=True))


# Candidates are scored independently, so a "before" and an "after" variant of the same log
# can share one scoring call under different ids: half the cost per example.
HANGUP_INTERVIEWS = paired_interviews("before", "after")
MOVE_INTERVIEWS = paired_interviews("late", "early")


DUPLICATE_INTERVIEWS = paired_interviews("clean", "dup")


@PROPERTY
@given(events=event_logs.filter(bool), picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=5),
       same_id=st.booleans())
def test_exact_duplicates_are_counted_once_and_reported(events, picks, same_id):
    data = frame(paired(events, "clean", "dup"))
    originals = data[data["candidate_id"].str.startswith("dup:")]
    copies = originals.iloc[[p % len(originals) for p in picks]]
    if not same_id:
        copies = copies.assign(event_id=None)  # a duplicate by candidate/time/channel/direction/outcome
    with_copies = pd.concat([data, copies], ignore_index=True)
    result = scored(with_copies, interviews=DUPLICATE_INTERVIEWS)
    pd.testing.assert_frame_equal(variant(result.candidates, "clean"), variant(result.candidates, "dup"))
    assert result.counts["duplicates"] == len(copies)
    assert result.counts["rows_used"] == len(data) + len(DUPLICATE_INTERVIEWS.frame)
    assert result.counts["rows_read"] == len(with_copies) + len(DUPLICATE_INTERVIEWS.frame)
    reported = result.rejects[result.rejects["kind"] == "duplicate"]
    assert sorted(reported["source_row"]) == list(range(len(data) + 1, len(with_copies) + 1))
    assert reported["reason"].str.startswith("duplicate of row ").all()


@PROPERTY
@given(events=event_logs, candidate=st.sampled_from(CANDIDATES + ["D"]),
       minute=st.integers(0, MINUTES), outcome=st.sampled_from(["hang_up", "missed", "busy", None]),
       tz=st.sampled_from(TZS))
def test_adding_a_hang_up_never_raises_a_score(events, candidate, minute, outcome, tz):
    extra = {"candidate_id": f"after:{candidate}", "timestamp": START + pd.Timedelta(minutes=minute, seconds=30),
             "channel": "phone", "direction": "inbound", "outcome": outcome,
             "duration_s": 2 if outcome is None else OUTCOME_DURATION[outcome], "contact": None,
             "event_id": None}
    table = scored(paired(events, "before", "after") + [extra], tz, HANGUP_INTERVIEWS).candidates
    table = table.set_index("candidate_id")
    for cid in CANDIDATES + ["D"]:
        before, after = table.loc[f"before:{cid}"], table.loc[f"after:{cid}"]
        old, new = _num(before["score"]), _num(after["score"])
        assert np.isnan(old) == np.isnan(new), cid
        if not np.isnan(old):
            assert new <= old, (cid, old, new, after["reasons"])
            assert _num(after["restraint"]) <= _num(before["restraint"])
        assert set(before["flags"].split(";")) - {""} <= set(after["flags"].split(";"))
        if cid != candidate:  # candidates are scored independently
            assert after["hangups"] == before["hangups"] and after["reasons"] == before["reasons"]


@PROPERTY
@given(events=event_logs, candidate=st.sampled_from(CANDIDATES),
       first_minutes=st.integers(1, 12 * 24 * 60), earlier=st.floats(0.0, 1.0),
       channel=st.sampled_from(["email", "letter", "phone", "linkedin", "sms"]), tz=st.sampled_from(TZS))
def test_moving_the_first_contact_earlier_never_lowers_speed(events, candidate, first_minutes, earlier,
                                                            channel, tz):
    anchor = ANCHOR[candidate]
    first_at = anchor + pd.Timedelta(minutes=first_minutes, seconds=30)
    moved_at = anchor + pd.Timedelta(minutes=int(first_minutes * earlier), seconds=15)
    # the generated log, minus any of this candidate's inbound events up to the first contact
    rest = [e for e in events
            if not (e["candidate_id"] == candidate and e["direction"] == "inbound"
                    and anchor <= e["timestamp"] <= first_at)]
    contact = {"timestamp": first_at, "channel": channel, "direction": "inbound",
               "outcome": "voicemail" if channel == "phone" else None,
               "duration_s": 45 if channel == "phone" else None, "contact": None, "event_id": None}
    log = paired(rest, "late", "early") + [
        dict(contact, candidate_id=f"late:{candidate}"),
        dict(contact, candidate_id=f"early:{candidate}", timestamp=moved_at)]
    table = scored(log, tz, MOVE_INTERVIEWS).candidates.set_index("candidate_id")
    late, early = table.loc[f"late:{candidate}"], table.loc[f"early:{candidate}"]
    assert late["first_contact_at"] == first_at and early["first_contact_at"] == moved_at
    assert early["speed"] >= late["speed"], (late["reasons"], early["reasons"])
    assert early["first_contact_hours"] <= late["first_contact_hours"]
    assert early["first_contact_day"] <= late["first_contact_day"]
    assert not ("NO_CONTACT" in early["flags"] and "NO_CONTACT" not in late["flags"])


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
    result = scored(events, tz, INTERVIEWS_LOADED)
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
