"""Hostile and unlucky files on the reading side (issue 12): nothing lost, nothing guessed.

Each test is a file a recruiter or an attacker could hand the scorer, and asserts what the
user sees: the scores, the rejects, the one warning or error line. The corpus twins of these
files are in tests/data/bad/read_* (MANIFEST.toml); docs/reliability.md ("Hostile reads")
states each guarantee with the test behind it.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import followup
from followup.cli import main
from followup.errors import InputFileError, InputWarning
from followup.loading import read_events, read_interviews

AS_OF = "2026-03-20T00:00:00Z"
HEADER = "candidate_id,timestamp,channel,direction,contact\n"


def interviews_file(tmp_path, rows: str, header: str = "candidate_id,name,interview_at,interviewers\n"):
    path = tmp_path / "interviews.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def scored(events, interviews, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        result = followup.score(events, interviews, as_of=AS_OF, **options)
    return result.candidates.set_index("candidate_id"), [str(w.message) for w in caught
                                                         if issubclass(w.category, InputWarning)]


# --- 1. Encodings --------------------------------------------------------------------------

def test_one_bad_byte_does_not_re_decode_the_good_rows(tmp_path):
    """The issue's case: a UTF-8 thank-you log with one stray Windows-1252 byte. Both
    interviewers are still thanked; the row with the byte is named, and only it changed."""
    interviews = interviews_file(tmp_path, "C001,Ana,2026-03-02T14:00:00Z,José Müller;Zoë Ångström\n"
                                           "C002,Bo,2026-03-02T14:00:00Z,Dana\n")
    events = tmp_path / "events.csv"
    events.write_bytes(HEADER.encode() + "C001,2026-03-02T19:30:00Z,email,inbound,José Müller\n".encode()
                       + b"C002,2026-03-02T19:31:00Z,email,inbound,Dana \x96 recruiting\n"
                       + "C001,2026-03-02T19:35:00Z,email,inbound,Zoë Ångström\n".encode())
    candidates, said = scored(events, interviews)
    assert candidates.loc["C001", "interviewers_thanked"] == 2
    assert candidates.loc["C002", "inbound_contacts"] == 1  # the row with the byte is still used
    assert said == [f"{events}: read as UTF-8, but row 2 holds bytes that are not UTF-8, shown as \ufffd; "
                    "every other row is exact (give --encoding if the file is in another encoding)"]


def test_a_stray_byte_after_the_first_64_kb_is_found_and_named(tmp_path):
    rows = "".join(f"C{n:04},2026-03-02T19:30:00Z,email,inbound,Zoë\n" for n in range(3000))
    events = tmp_path / "events.csv"
    events.write_bytes(HEADER.encode() + rows.encode() + b"C9999,2026-03-02T19:30:00Z,email,inbound,Caf\xe9\n")
    with pytest.warns(InputWarning, match=r"row 3001 holds bytes that are not UTF-8"):
        loaded = read_events(events)
    assert set(loaded.frame["contact"].iloc[:-1]) == {"Zoë"}
    assert loaded.frame["contact"].iloc[-1] == "Caf\ufffd"


@pytest.mark.parametrize("codec, names, said", [
    ("shift_jis", ["山田太郎", "佐藤花子"], "Shift-JIS (code page 932)"),
    ("gb18030", ["王小明", "李华"], "GB18030"),
    ("cp1252", ["José Müller", "Zoë Ångström"], "Windows-1252"),
])
def test_an_export_in_another_encoding_is_detected_and_named(tmp_path, codec, names, said):
    events = tmp_path / "events.csv"
    subjects = {"shift_jis": ["面接のお礼", "ありがとうございました"], "gb18030": ["感谢面试机会", "谢谢您的时间"],
                "cp1252": ["Merci beaucoup", "Vielen Dank"]}[codec]
    events.write_bytes((HEADER.replace("contact", "contact,subject") + "".join(
        f"C00{n},2026-03-02T19:3{n}:00Z,email,inbound,{name},{subject}\n"
        for n, (name, subject) in enumerate(zip(names, subjects)))).encode(codec))
    result = CliRunner().invoke(main, ["validate", str(events), "--format", "json"])
    assert result.exit_code == 0
    assert result.stderr.strip() == (f"warning: {events}: not UTF-8; read as {said} (detected; "
                                     "give --encoding if that is wrong)")
    with pytest.warns(InputWarning):
        assert read_events(events).frame["contact"].tolist() == names


def test_text_no_encoding_fits_is_refused_naming_the_option(tmp_path):
    events = tmp_path / "events.csv"
    events.write_bytes(HEADER.encode() + b"C001,2026-03-02T19:30:00Z,email,inbound,\x81\x8d\x8f\x90\x9d\x81\x8d\n")
    result = CliRunner().invoke(main, ["validate", str(events)])
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {events}: cannot tell its text encoding (it is not UTF-8")
    assert "--encoding" in line


def test_encoding_option_reads_the_file_as_told_without_a_warning(tmp_path):
    """Central European text the detector would take for Windows-1252: --encoding settles it."""
    events = tmp_path / "events.csv"
    events.write_bytes((HEADER + "C001,2026-03-02T19:30:00Z,email,inbound,Łukasz Wiśniewski\n"
                                 "C001,2026-03-02T19:35:00Z,email,inbound,Ewa Żak\n").encode("cp1250"))
    interviews = tmp_path / "interviews.csv"  # --encoding is every input's: both in code page 1250
    interviews.write_bytes("candidate_id,interview_at,interviewers\nC001,2026-03-02T14:00:00Z,Łukasz Wiśniewski;Ewa Żak\n"
                           .encode("cp1250"))
    result = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF,
                                       "--encoding", "cp1250", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("warning") == 0
    assert json.loads(result.stdout)["candidates"][0]["interviewers_thanked"] == 2
    wrong = CliRunner().invoke(main, ["validate", str(events), "--encoding", "no-such-codec"])
    assert wrong.exit_code == 1 and "unknown --encoding 'no-such-codec'" in wrong.stderr
    told_utf8 = CliRunner().invoke(main, ["validate", str(events), "--encoding", "utf-8"])
    assert told_utf8.exit_code == 1 and "is not UTF-8 text, as --encoding says" in told_utf8.stderr


def test_json_in_windows_1252_is_read_and_named(tmp_path):
    events = tmp_path / "events.json"
    events.write_bytes(json.dumps([{"candidate_id": "C001", "timestamp": "2026-03-02T19:30:00Z",
                                    "channel": "email", "direction": "inbound", "contact": "José Müller"}],
                                  ensure_ascii=False).encode("cp1252"))
    with pytest.warns(InputWarning, match="read as Windows-1252"):
        assert read_events(events).frame["contact"].tolist() == ["José Müller"]


# --- 2. Numeric ids -------------------------------------------------------------------------

def test_json_numeric_ids_match_the_interview_list_exactly(tmp_path):
    """A null beside integer ids used to make them floats ("123.0": every event rejected), and
    ids above 2^53 merged into one person."""
    big = 2 ** 53
    events = tmp_path / "events.json"
    events.write_text(json.dumps([
        {"candidate_id": 123, "timestamp": "2026-03-02T19:30:00Z", "channel": "email", "direction": "inbound"},
        {"candidate_id": None, "timestamp": "2026-03-02T19:30:00Z", "channel": "email", "direction": "inbound"},
        {"candidate_id": big + 1, "timestamp": "2026-03-02T19:30:00Z", "channel": "email", "direction": "inbound"},
        {"candidate_id": big + 2, "timestamp": "2026-03-03T19:30:00Z", "channel": "sms", "direction": "inbound"},
        {"candidate_id": big + 2, "timestamp": "2026-03-04T19:30:00Z", "channel": "email", "direction": "inbound"},
    ]))
    interviews = interviews_file(tmp_path, f"123,A,2026-03-02T14:00:00Z,\n{big + 1},B,2026-03-02T14:00:00Z,\n"
                                           f"{big + 2},C,2026-03-02T14:00:00Z,\n")
    candidates, _ = scored(events, interviews)
    assert candidates["inbound_contacts"].to_dict() == {"123": 1, str(big + 1): 1, str(big + 2): 2}
    assert "NO_CONTACT" not in " ".join(candidates["flags"])


@pytest.mark.parametrize("ids, expected", [
    (pa.array([123, None, 2 ** 53 + 1], pa.int64()), ["123", str(2 ** 53 + 1)]),
    (pa.array([123.0, None, 77.0], pa.float64()), ["123", "77"]),
    (pa.array([123, None, 77], pa.uint32()), ["123", "77"]),
])
def test_parquet_numeric_ids_are_their_integer_text(tmp_path, ids, expected):
    events = tmp_path / "events.parquet"
    pq.write_table(pa.table({"candidate_id": ids, "timestamp": ["2026-03-02T19:30:00Z"] * 3,
                             "channel": ["email"] * 3, "direction": ["inbound"] * 3}), events)
    interviews = interviews_file(tmp_path, "".join(f"{i},X,2026-03-02T14:00:00Z,\n" for i in expected))
    candidates, _ = scored(events, interviews)
    assert sorted(candidates.index) == sorted(expected)
    assert (candidates["inbound_contacts"] == 1).all()


def test_numeric_ids_in_a_roster_match_numeric_ids_in_a_dataframe():
    """The API takes DataFrames too: float ids (a column with a gap) become their digits."""
    events = pd.DataFrame({"candidate_id": [7.0, None], "timestamp": ["2026-03-02T19:30:00Z"] * 2,
                           "channel": ["email"] * 2, "direction": ["inbound"] * 2})
    interviews = pd.DataFrame({"candidate_id": ["7"], "interview_at": ["2026-03-02T14:00:00Z"]})
    candidates, _ = scored(events, interviews)
    assert candidates.loc["7", "inbound_contacts"] == 1


# --- 3. Ids one person writes two ways -------------------------------------------------------

def test_decomposed_and_composed_accents_are_one_candidate(tmp_path):
    """The issue's case: "José" typed as e + combining accent in the events, as é in the list."""
    events = tmp_path / "events.csv"
    events.write_text(HEADER + "Jose\u0301,2026-03-02T19:30:00Z,email,inbound,\n", encoding="utf-8")
    interviews = interviews_file(tmp_path, "Jos\u00e9,José,2026-03-02T14:00:00Z,\n")
    candidates, said = scored(events, interviews)
    assert candidates.loc["Jos\u00e9", "inbound_contacts"] == 1 and said == []


def test_ids_differing_by_case_or_invisible_characters_are_named_not_silently_split(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(HEADER + "c001,2026-03-02T19:30:00Z,email,inbound,\n"
                               "C\u200b002,2026-03-02T19:30:00Z,email,inbound,\n"
                               "C002,2026-03-02T19:30:00Z,sms,inbound,\n", encoding="utf-8")
    interviews = interviews_file(tmp_path, "C001,A,2026-03-02T14:00:00Z,\nC002,B,2026-03-02T14:00:00Z,\n")
    result = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF])
    assert result.exit_code == 0
    warning, = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "'C001' and 'c001'" in warning and "'C002' and 'C\\u200b002'" in warning
    strict = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF, "--strict"])
    assert strict.exit_code == 1 and "differ only in case" in strict.stderr


# --- 4. Reads that come to nothing --------------------------------------------------------

def test_a_workbook_whose_first_sheet_is_empty_reads_the_sheet_with_the_data(tmp_path):
    book = Workbook()
    book.active.title = "Summary"
    data = book.create_sheet("Activity")
    data.append(["Candidate ID", "Start Time", "Channel", "Direction"])
    data.append(["C001", "2026-03-02T19:30:00Z", "email", "inbound"])
    events = tmp_path / "events.xlsx"
    book.save(events)
    interviews = interviews_file(tmp_path, "C001,A,2026-03-02T14:00:00Z,\n")
    candidates, said = scored(events, interviews)
    assert candidates.loc["C001", "inbound_contacts"] == 1
    assert said == [f"{events}: read sheet 'Activity', whose header names the expected columns; "
                    "not read: 'Summary' (empty)"]


def test_a_workbook_with_one_sheet_reads_it_without_a_word(tmp_path):
    book = Workbook()
    book.active.append(["candidate_id", "timestamp", "channel", "direction"])
    book.active.append(["C001", "2026-03-02T19:30:00Z", "email", "inbound"])
    events = tmp_path / "events.xlsx"
    book.save(events)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        assert read_events(events).counts["rows_used"] == 1


def test_a_folder_of_csv_files_reads_every_one(tmp_path):
    folder = tmp_path / "exports"
    (folder / "march").mkdir(parents=True)
    (folder / "a.csv").write_text(HEADER + "C001,2026-03-02T19:30:00Z,email,inbound,\n")
    (folder / "B.CSV").write_text(HEADER + "C002,2026-03-02T19:30:00Z,email,inbound,\n")
    (folder / "march" / "c.tsv").write_text(HEADER.replace(",", "\t") + "C003\t2026-03-02T19:30:00Z\tsms\tin\t\n")
    interviews = interviews_file(tmp_path, "".join(f"C00{n},X,2026-03-02T14:00:00Z,\n" for n in (1, 2, 3)))
    candidates, _ = scored(folder, interviews)
    assert candidates["inbound_contacts"].to_dict() == {"C001": 1, "C002": 1, "C003": 1}


# --- 5. Impossible interviews ---------------------------------------------------------------

def test_a_decision_before_the_interview_is_rejected_with_the_reason(tmp_path):
    interviews = interviews_file(tmp_path, "C001,2026-03-02T15:00:00Z,offer,2026-03-01T09:00:00Z\n"
                                           "C002,2026-03-02T15:00:00Z,offer,2026-03-04T09:00:00Z\n",
                                 header="candidate_id,interview_at,decision,decision_at\n")
    loaded = read_interviews(interviews)
    assert loaded.frame["candidate_id"].tolist() == ["C002"]
    reject, = loaded.rejects.to_dict(orient="records")
    assert (reject["source_row"], reject["column"]) == (1, "decision_at")
    assert reject["reason"].startswith("decision_at is before interview_at")


# --- 6. Columns a file cannot spoof ---------------------------------------------------------

def test_a_column_named_like_the_readers_marker_is_the_files_data(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction,_followup_read_error,source_row,source_file\n"
                      "C001,2026-03-02T19:30:00Z,email,inbound,the record has 9 fields,999,/etc/passwd\n")
    loaded = read_events(events)
    assert loaded.counts["rows_used"] == 1 and not len(loaded.rejects)
    assert loaded.frame[["source_file", "source_row"]].values.tolist() == [[str(events), 1]]
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text('{"candidate_id": "C001", "timestamp": "2026-03-02T19:30:00Z", "channel": "email", '
                     '"direction": "inbound", "_followup_read_error": "spoofed"}\n')
    assert read_events(jsonl).counts["rows_used"] == 1


def test_an_interview_list_column_named_like_a_marker_is_carried_as_its_own(tmp_path):
    interviews = interviews_file(tmp_path, "C001,2026-03-02T14:00:00Z,x\n",
                                 header="candidate_id,interview_at,_followup_read_error\n")
    loaded = read_interviews(interviews)
    assert loaded.counts["rows_used"] == 1


# --- 7. Pipes and devices -------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_fifo_is_refused_at_once_never_waited_on(tmp_path):
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["validate", str(fifo)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {fifo}: is not a regular file (a pipe, device or socket); "
                                     "save the data to a file and give that")
    assert time.monotonic() - started < 5
    with pytest.raises(InputFileError, match="not a regular file"):
        read_interviews(fifo)
    roster = tmp_path / "roster.json"
    os.mkfifo(roster)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nothing.csv"), "--candidates", str(roster)])
    assert result.exit_code == 1 and f"error: {roster}: is not a regular file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_fifo_in_a_folder_is_listed_not_opened(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text(HEADER + "C001,2026-03-02T19:30:00Z,email,inbound,\n")
    os.mkfifo(folder / "pipe.csv")
    loaded = read_events(folder)
    assert loaded.counts["rows_used"] == 1
    listed, = loaded.rejects.to_dict(orient="records")
    assert listed["source_file"] == str(folder / "pipe.csv") and "not a regular file" in listed["reason"]


# --- 8. Work a header can cause -------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_a_header_of_100000_columns_is_refused_before_any_work(tmp_path, suffix):
    """It took 10.7 s to refuse; now the width is counted first (bench/ has no need: it is a bound)."""
    path = tmp_path / f"events{suffix}"
    width = 100_000
    if suffix == ".csv":  # empty names keep the header line under 64 KB: counted, not cut
        path.write_text("candidate_id" + "," * (30_000) + "\n")
        width = 30_001
    elif suffix == ".json":
        path.write_text(json.dumps([{f"q{n}": 1 for n in range(width)}]))
    else:
        width = 20_000  # the bound reads only the footer's first bytes; a wider file only takes longer to write
        pq.write_table(pa.table({f"q{n}": pa.nulls(1, pa.int8()) for n in range(width)}), path)
    started = time.monotonic()
    with pytest.raises(InputFileError, match=f"has {width:,} columns; no export has more than 5,000"):
        read_events(path)
    assert time.monotonic() - started < 5  # a hang-class bound, generous for a loaded CI machine


# --- 9. Parquet nested columns ----------------------------------------------------------------

def test_parquet_lists_and_structs_are_rejects_or_left_out_never_internal_errors(tmp_path):
    events = tmp_path / "events.parquet"
    pq.write_table(pa.table({
        "candidate_id": pa.array([["C001"], ["C002"], None], pa.list_(pa.string())),
        "timestamp": ["2026-03-02T19:30:00Z"] * 3, "channel": ["email"] * 3, "direction": ["inbound"] * 3,
        "subject": pa.array([{"t": "x"}, None, None], pa.struct([("t", pa.string())])),
        "labels": pa.array([["a"], None, ["b"]], pa.list_(pa.string())),
    }), events)
    result = CliRunner().invoke(main, ["validate", str(events), "--format", "json"])
    assert result.exit_code == 0 and "internal error" not in result.stderr
    assert f"warning: {events}: column 'labels' holds lists or structs; it is not read" in result.stderr
    reasons = {r["source_row"]: r["reason"] for r in json.loads(result.stdout)["rejects"]}
    assert reasons == {1: "column 'candidate_id' holds a list or struct, not a value",
                       2: "column 'candidate_id' holds a list or struct, not a value",
                       3: "candidate_id is empty"}
    interviews = interviews_file(tmp_path, "C001,A,2026-03-02T14:00:00Z,\n")
    score = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF])
    assert "internal error" not in score.stderr and "Traceback" not in score.output


def test_greenhouse_interviews_with_a_missing_application_id_still_resolve_the_others(tmp_path):
    """A vendor export too: one interview without an application_id made the others' ids floats
    ("9001.0"), and no interview matched the roster's 9001."""
    from followup.sources import SourceOptions

    sources = Path(__file__).resolve().parent / "data" / "sources"
    scheduled = json.loads((sources / "greenhouse_scheduled_interviews.json").read_text())
    path = tmp_path / "scheduled.json"
    path.write_text(json.dumps([scheduled[0], {**scheduled[1], "application_id": None}]))
    options = SourceOptions.build(candidates=sources / "roster.csv", default_region="US")
    loaded = read_interviews(path, sources=options)
    assert loaded.frame["candidate_id"].tolist() == ["101"]
    assert [r.split(":")[0] for r in loaded.rejects["reason"]] == ["unmatched"]


def test_an_input_with_no_rows_stops_the_run_unless_asked_for(tmp_path):
    """A header-only event log scored as "nobody contacted anyone", exit 0: now one line,
    unless --allow-empty says that no contact yet is what the user means."""
    events = tmp_path / "events.csv"
    events.write_text(HEADER)
    interviews = interviews_file(tmp_path, "C001,A,2026-03-02T14:00:00Z,\n")
    refused = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (f"error: {events}: no events rows at all (nothing after the header); every "
                                      "candidate would be flagged NO_CONTACT. If that is what you mean, give "
                                      "--allow-empty")
    allowed = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF,
                                        "--allow-empty", "--format", "json"])
    assert allowed.exit_code == 0
    assert "NO_CONTACT" in json.loads(allowed.stdout)["candidates"][0]["flags"]
    empty_list = tmp_path / "empty_interviews.json"
    empty_list.write_text("[]")
    no_interviews = CliRunner().invoke(main, ["score", str(events), "-i", str(empty_list), "--as-of", AS_OF])
    assert no_interviews.exit_code == 1 and "no interviews rows at all" in no_interviews.stderr
    assert CliRunner().invoke(main, ["validate", str(events)]).exit_code == 0  # validate still reports it
