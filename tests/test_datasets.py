"""The datasets module (followup.datasets): determinism, volume, order, archetypes and the written files."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from followup import datasets
from followup.datasets import ARCHETYPE_SHARES, default_as_of, make_followups, write_followups

EVENT_DTYPES = {
    "candidate_id": "str",
    "timestamp": "datetime64[us, UTC]",
    "channel": "str",
    "direction": "str",
    "outcome": "str",
    "duration_s": "Int64",
    "contact": "str",
    "event_id": "str",
}
INTERVIEW_DTYPES = {
    "candidate_id": "str",
    "name": "str",
    "interview_at": "datetime64[us, UTC]",
    "interview_end": "datetime64[us, UTC]",
    "interviewers": "str",
    "decision": "str",
    "decision_at": "datetime64[us, UTC]",
    "decision_due": "datetime64[us, UTC]",
}


@pytest.fixture(scope="module")
def labelled():
    """2000 candidates with their archetype: enough for every archetype to occur."""
    return make_followups(2000, seed=11, with_archetype=True)


def _with_archetype(events: pd.DataFrame, interviews: pd.DataFrame) -> pd.DataFrame:
    labels = interviews[["candidate_id", "archetype", "interview_end"]]
    return events.merge(labels, on="candidate_id")


def test_same_seed_gives_identical_frames():
    first, second = make_followups(300, seed=5), make_followups(300, seed=5)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_different_seeds_give_different_frames():
    events_a, interviews_a = make_followups(300, seed=5)
    events_b, interviews_b = make_followups(300, seed=6)
    assert not events_a.equals(events_b)
    assert not interviews_a.equals(interviews_b)


@pytest.mark.parametrize("events_per_candidate", [4.0, 10.0, 20.0])
def test_mean_events_per_candidate_is_as_asked(events_per_candidate):
    events, interviews = make_followups(2000, seed=3, events_per_candidate=events_per_candidate)
    assert len(events) / len(interviews) == pytest.approx(events_per_candidate, rel=0.1)


def test_columns_and_dtypes_are_as_documented(labelled):
    events, interviews = make_followups(50, seed=2)
    assert {name: str(dtype) for name, dtype in events.dtypes.items()} == EVENT_DTYPES
    assert {name: str(dtype) for name, dtype in interviews.dtypes.items()} == INTERVIEW_DTYPES
    assert list(labelled[1].columns) == [*INTERVIEW_DTYPES, "archetype"]


def test_values_come_from_the_vocabulary(labelled):
    events, interviews = labelled
    assert set(events["channel"]) <= set(datasets.CHANNELS)
    assert set(events["direction"]) == {"inbound", "outbound"}
    calls = events["channel"] == "phone"
    assert events.loc[calls, "outcome"].notna().all()
    assert events.loc[~calls, "outcome"].isna().all()
    assert events.loc[calls, "duration_s"].notna().all()
    assert set(events["outcome"].dropna()) == set(datasets.OUTCOMES)
    assert events["event_id"].is_unique
    assert interviews["candidate_id"].is_unique
    assert set(events["contact"].dropna()) <= set(datasets.INTERVIEWERS)
    panels = interviews["interviewers"].str.split(";")
    assert panels.map(len).between(1, 3).all()
    assert panels.map(lambda names: len(set(names)) == len(names)).all()
    assert set(interviews["decision"].dropna()) == set(datasets.DECISIONS)


def test_events_are_a_chronological_log(labelled):
    events, _ = labelled
    assert events["timestamp"].is_monotonic_increasing


def test_no_two_events_of_a_candidate_share_a_second():
    # A scorer would take such a pair for one duplicated event.
    events, _ = make_followups(20_000, seed=1)
    assert not events.duplicated(["candidate_id", "timestamp"]).any()


def test_interviews_spread_over_about_eight_weeks(labelled):
    _, interviews = labelled
    span = interviews["interview_at"].max() - interviews["interview_at"].min()
    assert pd.Timedelta(weeks=7) < span < pd.Timedelta(weeks=8)
    assert (interviews["interview_at"].dt.day_of_week < 5).all()


def test_every_archetype_occurs(labelled):
    _, interviews = labelled
    assert set(interviews["archetype"]) == set(ARCHETYPE_SHARES)


def test_silent_candidates_have_interviews_but_no_events(labelled):
    events, interviews = labelled
    silent = interviews.loc[interviews["archetype"] == "silent", "candidate_id"]
    assert len(silent) > 0
    assert not events["candidate_id"].isin(silent).any()
    assert events["candidate_id"].isin(interviews["candidate_id"]).all()


def test_archetypes_behave_as_described(labelled):
    events = _with_archetype(*labelled)
    candidates = labelled[1]["archetype"].value_counts()
    after = events["timestamp"] > events["interview_end"]
    inbound_after = events[after & (events["direction"] == "inbound")]
    per_archetype = inbound_after.groupby("archetype").size()
    assert "employer_only" not in per_archetype
    assert "pre_interview_only" not in per_archetype
    unanswered = inbound_after[inbound_after["outcome"].isin(["hang_up", "missed", "busy"])]
    assert unanswered["archetype"].value_counts().idxmax() == "hang_up_bursts"
    thanked = inbound_after[inbound_after["contact"].notna()]
    assert set(thanked["archetype"]) >= {"prompt", "pesterer", "went_silent", "slow"}
    follow_ups_per_candidate = per_archetype / candidates
    assert follow_ups_per_candidate["pesterer"] > 2 * follow_ups_per_candidate["prompt"]


def test_nothing_after_as_of_is_exported():
    as_of = "2026-02-02"
    events, interviews = make_followups(1000, seed=4, as_of=as_of)
    cutoff = pd.Timestamp(as_of, tz="UTC")
    assert (events["timestamp"] < cutoff).all()
    assert (interviews["decision_at"].dropna() <= cutoff).all()
    assert interviews["decision"].isna().eq(interviews["decision_at"].isna()).all()
    upcoming = interviews.loc[interviews["interview_at"] > cutoff, "candidate_id"]
    assert len(upcoming) > 0


def test_default_as_of_follows_the_last_interview_by_a_week(labelled):
    events, interviews = labelled
    as_of = default_as_of(interviews)
    last_end = interviews["interview_end"].max()
    assert pd.Timedelta(days=7) <= as_of - last_end <= pd.Timedelta(days=8)
    assert as_of == as_of.normalize()
    assert events["timestamp"].max() < as_of


def test_default_as_of_of_a_list_read_back_from_csv(tmp_path, recwarn):
    """A notebook reads the written list with pandas.read_csv: its times are text then."""
    _, interviews_path = write_followups(tmp_path, 60, seed=4)
    read_back = pd.read_csv(interviews_path)
    assert default_as_of(read_back) == default_as_of(make_followups(60, seed=4)[1])
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]


def test_written_files_read_back_as_generated(tmp_path):
    events_path, interviews_path = write_followups(tmp_path, 200, seed=9)
    events, interviews = make_followups(200, seed=9)
    read_events = pd.read_csv(
        events_path, dtype={"duration_s": "Int64"}, parse_dates=["timestamp"]
    )
    read_interviews = pd.read_csv(
        interviews_path,
        parse_dates=["interview_at", "interview_end", "decision_at", "decision_due"],
    )
    pd.testing.assert_frame_equal(read_events, events)
    pd.testing.assert_frame_equal(read_interviews, interviews)
    first_event = events_path.read_text().splitlines()[1]
    assert first_event.split(",")[1].endswith("Z")


def test_at_least_one_candidate_is_required():
    with pytest.raises(ValueError, match="at least 1"):
        make_followups(0)


def test_module_example_runs():
    assert doctest.testmod(datasets).failed == 0
