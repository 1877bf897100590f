"""Every supported file format gives the same shortlist; messy headers and encodings are read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import followup
from followup.errors import InputFileError
from followup.loading import read_events, read_interviews

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "sample_data" / "events.csv"
INTERVIEWS = ROOT / "sample_data" / "interviews.csv"
AS_OF = "2026-03-31T18:00:00-04:00"
TZ = "America/New_York"


def shortlist(events, interviews=INTERVIEWS) -> pd.DataFrame:
    result = followup.score(events, interviews, as_of=AS_OF, tz=TZ)
    return result.candidates[["candidate_id", "status", "score", "grade", "flags"]], result.counts


@pytest.fixture(scope="module")
def from_csv():
    return shortlist(EVENTS)


@pytest.fixture(scope="module")
def raw_events() -> pd.DataFrame:
    return pd.read_csv(EVENTS, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".parquet", ".xlsx", ".tsv"])
def test_every_format_scores_like_the_csv(tmp_path, raw_events, from_csv, suffix):
    path = tmp_path / f"events{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps({"events": raw_events.to_dict(orient="records")}))
    elif suffix == ".jsonl":
        raw_events.to_json(path, orient="records", lines=True)
    elif suffix == ".parquet":
        raw_events.to_parquet(path)
    elif suffix == ".xlsx":
        raw_events.to_excel(path, index=False)
    else:
        raw_events.to_csv(path, sep="\t", index=False)
    candidates, counts = shortlist(path)
    expected, expected_counts = from_csv
    pd.testing.assert_frame_equal(candidates, expected)
    assert counts == expected_counts


def test_json_array_of_records(tmp_path, raw_events, from_csv):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(raw_events.to_dict(orient="records")))
    assert shortlist(path)[1] == from_csv[1]


def test_exported_header_spellings_and_semicolons(tmp_path):
    events = tmp_path / "export.csv"
    events.write_text(
        "Candidate ID;Start Time;Type;Direction;Result;Duration\n"
        "A;2026-03-02 18:00;Phone Call;Incoming;Voicemail;35\n"
        "A;2026-03-09 18:00;E-mail;Received;;\n", encoding="utf-8")
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("Candidate;Interview Start;Interviewer\nA;2026-03-02 10:00;Dana\n")
    result = followup.score(events, interviews, as_of="2026-03-10T12:00", tz=TZ)
    row = result.candidates.iloc[0]
    assert row["inbound_contacts"] == 2 and row["channels"] == "email,phone"
    assert row["speed"] == 100  # 18:00 New York on the interview day: same day


def test_windows_1252_export_with_bom_free_accents(tmp_path):
    events = tmp_path / "events.csv"
    events.write_bytes("candidate_id,timestamp,channel,direction,contact\n"
                       "A,2026-03-02T20:00:00Z,email,inbound,Zoë Müller\n".encode("cp1252"))
    interviews = tmp_path / "interviews.csv"
    interviews.write_bytes("\ufeffcandidate_id,interview_at,interviewers\nA,2026-03-02T14:00:00Z,Zoë Müller;Raj\n"
                           .encode("utf-8"))
    result = followup.score(events, interviews, as_of="2026-03-05T00:00:00Z")
    row = result.candidates.iloc[0]
    assert row["interviewers_thanked"] == 1 and result.counts["rejected"] == 0


def test_epoch_seconds_and_milliseconds(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(r) for r in [
        {"candidate_id": "A", "timestamp": 1772481600, "channel": "email", "direction": "inbound"},
        {"candidate_id": "A", "timestamp": 1772481600000, "channel": "email", "direction": "inbound",
         "contact": "Raj"},
    ]))
    interviews = pd.DataFrame({"candidate_id": ["A"], "interview_at": ["2026-03-02T14:00:00Z"]})
    result = followup.score(events, interviews, as_of="2026-03-05T00:00:00Z")
    assert result.counts["rejected"] == 0
    assert set(result.events["timestamp"]) == {pd.Timestamp("2026-03-02T20:00:00Z")}


@pytest.mark.parametrize("name, content, message", [
    ("missing.csv", None, "no such file"),
    ("events.yaml", "a: 1", "unknown file type '.yaml'"),
    ("empty.csv", "", "is empty"),
    ("bad.json", '{"a": 1, "b": 2}', "exactly one list of records"),
    ("nocols.csv", "who,when\nA,2026-03-02\n", "events need column(s)"),
])
def test_unreadable_files_are_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputFileError) as caught:
        read_events(path)
    assert message in str(caught.value) and name in str(caught.value)


def test_missing_column_error_stays_one_short_line_for_a_mangled_header(tmp_path):
    path = tmp_path / "wide.csv"
    header = ["x" * 300] + [f"col{i}" for i in range(40)]
    path.write_text(",".join(header) + "\n" + ",".join("1" * len(header)) + "\n")
    with pytest.raises(InputFileError) as caught:
        read_events(path)
    message = str(caught.value)
    assert "events need column(s) candidate_id" in message and "\n" not in message
    assert "x" * 41 not in message and "and 21 more" in message and len(message) < 600


def test_header_only_file_reads_zero_rows(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("candidate_id,timestamp,channel,direction\n")
    loaded = read_events(path)
    assert loaded.counts == {"rows_read": 0, "rows_used": 0, "duplicates": 0, "rejected": 0}


def test_a_rejected_interview_time_shows_the_cell_as_written(tmp_path):
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,interview_at,decision_due\nA,2026-02-30T10:00,\nB,2026-03-02T10:00,next week\n")
    loaded = read_interviews(interviews)
    rejects = loaded.rejects.set_index("source_row")
    assert rejects.loc[1, ["column", "value"]].tolist() == ["interview_at", "2026-02-30T10:00"]
    assert rejects.loc[2, ["column", "value"]].tolist() == ["decision_due", "next week"]


def test_an_interview_list_without_rows_still_has_time_columns(tmp_path):
    # A partition that holds no interview gives this frame; the scorer adds days to its times.
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,interview_at,decision_at\n")
    loaded = read_interviews(interviews)
    for column in ("interview_at", "interview_end", "decision_at", "decision_due"):
        assert str(loaded.frame[column].dtype) == "datetime64[ns, UTC]", column


ARROW_51368 = pytest.mark.xfail(
    strict=True, reason="Arrow's reader drops the LF of a quoted CRLF that straddles a block "
                        "boundary (apache/arrow#51368, fix pending in #51394)")


@pytest.mark.parametrize("quoted, line_end", [
    (True, "\n"), (True, "\r"), pytest.param(True, "\r\n", marks=ARROW_51368),
    (False, "\n"), (False, "\r\n"), (False, "\r")])
def test_notes_with_line_breaks_survive_the_reader_cutting_a_large_file_into_blocks(tmp_path, monkeypatch, quoted,
                                                                                    line_end):
    # Blocks of 1 kB stand in for the 16 MB blocks of a large export: a quoted note that
    # spans lines must never be cut at a block boundary, and a file without quotes may be cut
    # at any line end.
    from followup import readers
    from followup.schema import EVENT_COLUMN_ALIASES

    monkeypatch.setattr(readers, "BLOCK_SIZE", 1024)
    lines = ["candidate_id,timestamp,channel,direction,note"]
    for i in range(400):
        note = f'"thanks,{line_end}see you{line_end}soon {i}"' if quoted else f"thanks {i}"
        lines.append(f"C{i:03d},2026-03-02T19:{i % 60:02d}:00Z,email,inbound,{note}")
    path = tmp_path / "events.csv"
    path.write_bytes((line_end.join(lines) + line_end).encode())
    frame = readers.read_records(path, EVENT_COLUMN_ALIASES)
    assert len(frame) == 400
    assert frame["candidate_id"].astype(str).tolist() == [f"C{i:03d}" for i in range(400)]
    expected = [f"thanks,{line_end}see you{line_end}soon {i}" if quoted else f"thanks {i}" for i in range(400)]
    assert frame["note"].astype(str).tolist() == expected
