"""The notebook loaders: followup.load_events / load_interviews give plain DataFrames, in the
order the rows were read, with the rejects on request, and score() takes them back."""

from __future__ import annotations

import pandas as pd

import followup
from conftest import SAMPLE_DATA

AS_OF = "2026-03-31T18:00:00-04:00"
TZ = "America/New_York"
HEADER = "candidate_id,timestamp,channel,direction,outcome\n"


def test_load_events_is_a_frame_in_the_order_the_files_and_rows_were_given(tmp_path):
    later, earlier = tmp_path / "later.csv", tmp_path / "earlier.csv"
    # Neither file is in time or id order, and the later file is given first.
    later.write_text(HEADER + "B,2026-03-09T10:00:00Z,phone,inbound,connected\nA,2026-03-08T10:00:00Z,email,inbound,\n")
    earlier.write_text(HEADER + "A,2026-03-03T10:00:00Z,phone,inbound,hang_up\n")
    events = followup.load_events([later, earlier])
    assert isinstance(events, pd.DataFrame)
    assert list(zip(events["source_file"].astype(str), events["source_row"])) == [
        (str(later), 1), (str(later), 2), (str(earlier), 1)]
    assert events["candidate_id"].astype(str).tolist() == ["B", "A", "A"]
    assert str(events["timestamp"].dtype) == "datetime64[ns, UTC]"


def test_with_rejects_the_rows_not_used_come_too(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "A,2026-03-03T10:00:00Z,email,inbound,\nA,not a time,email,inbound,\n"
                    "A,2026-03-03T10:00:00Z,email,inbound,\n")
    events, rejects = followup.load_events(path, with_rejects=True)
    assert len(events) == 1
    assert rejects[["source_row", "kind", "column"]].to_dict("records") == [
        {"source_row": 2, "kind": "rejected", "column": "timestamp"},
        {"source_row": 3, "kind": "duplicate", "column": "event_id"}]
    assert rejects.loc[1, "reason"] == "duplicate of row 1"


def test_load_interviews_has_the_same_shape():
    interviews, rejects = followup.load_interviews(SAMPLE_DATA / "interviews.csv", tz=TZ, with_rejects=True)
    assert isinstance(interviews, pd.DataFrame) and len(interviews) == 35 and rejects.empty
    assert interviews["source_row"].tolist() == list(range(1, 36))


def test_score_takes_the_loaded_frames_and_ranks_as_from_the_files():
    from_files = followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv", as_of=AS_OF, tz=TZ)
    events = followup.load_events(SAMPLE_DATA / "events.csv", tz=TZ)
    interviews = followup.load_interviews(SAMPLE_DATA / "interviews.csv", tz=TZ)
    from_frames = followup.score(events, interviews, as_of=AS_OF, tz=TZ)
    pd.testing.assert_frame_equal(from_frames.candidates[from_files.candidates.columns], from_files.candidates)
    # The rows set aside while loading are the caller's to see; only C999's events (no
    # interview) are rejected by score itself.
    assert from_frames.counts == {"rows_read": 331, "rows_used": 330, "duplicates": 0, "rejected": 1}


def test_the_public_rounds_leave_out_the_engines_integer_codes_but_keep_the_parts():
    result = followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv", as_of=AS_OF, tz=TZ)
    assert "candidate_code" not in result.rounds
    c007 = result.rounds.set_index("candidate_id").loc["C007"]
    assert c007["penalty_burst"] > 0 and 0 <= c007["part_cadence"] <= 100
    assert followup.explain(result, "C007").candidate_id == "C007"
