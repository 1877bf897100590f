"""The hand-worked sample data set (sample_data/README.md and expected.csv)."""

from __future__ import annotations

import pandas as pd
import pytest

import followup
from followup.loading import read_events
from conftest import SAMPLE_DATA

AS_OF = "2026-03-31T18:00:00-04:00"
TZ = "America/New_York"

# sample_data/README.md, "Rejected rows": row -> (column, words the reason must contain)
README_REJECTED = {
    86: ("channel", "unknown channel"),
    213: ("candidate_id", "no interview"),
    241: ("candidate_id", "empty"),
    265: ("direction", "unknown direction"),
    284: ("timestamp", "not a time"),
}
README_DUPLICATES = {147: 146, 166: 165}


@pytest.fixture(scope="module")
def result():
    return followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv",
                          as_of=AS_OF, tz=TZ)


@pytest.fixture(scope="module")
def expected():
    return pd.read_csv(SAMPLE_DATA / "expected.csv", dtype=str, keep_default_na=False)


def _sorted_flags(text: str) -> str:
    return ";".join(sorted(filter(None, str(text).split(";"))))


def test_every_candidate_appears_once(result, expected):
    ids = result.candidates["candidate_id"]
    assert ids.is_unique
    assert sorted(ids) == sorted(expected["candidate_id"])


@pytest.mark.parametrize("candidate_id", [f"C{n:03d}" for n in range(1, 33)])
def test_candidate_matches_expected(result, expected, candidate_id):
    want = expected.set_index("candidate_id").loc[candidate_id]
    got = result.candidates.set_index("candidate_id").loc[candidate_id]
    assert (str(got["status"]), _sorted_flags(got["flags"])) == (want["status"], _sorted_flags(want["flags"])), \
        got["reasons"]


def test_status_totals_match_the_readme(result):
    assert result.summary() == {"candidates": 32, "ok": 19, "flagged": 9, "pending": 2, "upcoming": 2,
                                "with_flags": 10}  # C011 is pending with EXCESSIVE_HANGUPS
    flags = result.candidates["flags"].str.split(";").explode()
    assert flags[flags != ""].value_counts().to_dict() == {
        "NO_CONTACT": 5, "EXCESSIVE_HANGUPS": 3, "TOO_FREQUENT": 2, "WENT_SILENT": 2}


def test_scores_follow_statuses(result):
    c = result.candidates
    unscored = c["status"].isin(["pending", "upcoming"])
    assert c.loc[unscored, "score"].isna().all()
    assert c.loc[~unscored, "score"].between(0, 100).all()
    assert c.loc[c["status"] == "flagged", "grade"].isin(["C", "D"]).all()
    # the textbook and "pro" candidates are the seeds' own playbooks
    by_id = c.set_index("candidate_id")
    assert by_id.loc["C001", "score"] >= 90
    assert by_id.loc["C002", "score"] >= 90
    # the latest round is the one scored
    assert by_id.loc["C014", "round_number"] == 2 and by_id.loc["C015", "round_number"] == 2


def test_row_accounting_matches_the_readme(result):
    events = result.counts_by_file.set_index("source_file").loc[str(SAMPLE_DATA / "events.csv")]
    assert events.to_dict() == {"rows_read": 302, "rows_used": 295, "duplicates": 2, "rejected": 5}
    interviews = result.counts_by_file.set_index("source_file").loc[str(SAMPLE_DATA / "interviews.csv")]
    assert interviews.to_dict() == {"rows_read": 35, "rows_used": 35, "duplicates": 0, "rejected": 0}
    assert result.counts == {"rows_read": 337, "rows_used": 330, "duplicates": 2, "rejected": 5}
    c = result.counts
    assert c["rows_read"] == c["rows_used"] + c["duplicates"] + c["rejected"]


def test_load_events_accounting_before_the_interview_check():
    loaded = read_events(SAMPLE_DATA / "events.csv", tz=TZ)
    # C999 (row 213) is only rejected once it is matched against the interview list
    assert loaded.counts == {"rows_read": 302, "rows_used": 296, "duplicates": 2, "rejected": 4}


def test_every_rejected_row_in_the_readme_is_reported_with_its_reason(result):
    rejects = result.rejects
    rejected = rejects[rejects["kind"] == "rejected"]
    assert set(rejected["source_file"]) == {str(SAMPLE_DATA / "events.csv")}
    by_row = {int(r.source_row): r for r in rejected.itertuples()}
    assert set(by_row) == set(README_REJECTED)
    for number, (column, words) in README_REJECTED.items():
        assert by_row[number].column == column, number
        assert words in by_row[number].reason, (number, by_row[number].reason)
    assert by_row[86].value == "carrier pigeon"
    assert by_row[265].value == "sideways"
    assert by_row[284].value == "next Tuesday"


def test_duplicates_in_the_readme_are_reported(result):
    duplicates = result.rejects[result.rejects["kind"] == "duplicate"]
    assert {int(r): reason for r, reason in zip(duplicates["source_row"], duplicates["reason"])} == {
        row: f"duplicate of row {original}" for row, original in README_DUPLICATES.items()}


def test_normalised_spellings_and_timestamps(result):
    events = result.events
    assert set(events["channel"].astype(str)) <= {"email", "phone", "letter", "sms", "linkedin", "in_person", "other"}
    assert set(events["direction"].astype(str)) == {"inbound", "outbound"}
    outcomes = set(events["outcome"].dropna().astype(str))
    assert outcomes <= {"connected", "voicemail", "hang_up", "missed", "busy"}
    assert events["timestamp"].notna().all()
    # the epoch-millisecond rows and naive New York rows land mid-day New York time
    rows = events.set_index("source_row")["timestamp"].dt.tz_convert(TZ)
    for number in (165, 211, 240, 262, 290, 296, 164, 216, 246, 253):
        assert 8 <= rows.loc[number].hour <= 18, number
    assert len(events) == 295


def test_sample_data_is_stable_under_row_order(result):
    events = pd.read_csv(SAMPLE_DATA / "events.csv", dtype=str, keep_default_na=False)
    shuffled = events.sample(frac=1.0, random_state=7).reset_index(drop=True)
    again = followup.score(shuffled, SAMPLE_DATA / "interviews.csv", as_of=AS_OF, tz=TZ)
    columns = ["candidate_id", "status", "score", "grade", "flags", "speed", "persistence", "restraint"]
    left = result.candidates[columns].sort_values("candidate_id").reset_index(drop=True)
    right = again.candidates[columns].sort_values("candidate_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    assert again.counts == result.counts
