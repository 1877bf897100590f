"""Ids above 2^53 keep every digit, from every reader: the project's JSON, vendor JSON (ATS and
phone-system API pages), ATS roster dumps, Parquet and Excel (issue 12).

A float holds every integer only up to 2^53. A JSON id column with one null, read by pandas,
became float64: 9007199254740993 and 9007199254740995 both became 9007199254740992, two people
or two calls merged into one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from followup.loading import read_events, read_interviews
from followup.sources import SourceOptions

BIG = 2 ** 53  # 9007199254740992: the first integer after it a float cannot hold
AS_OF = "2026-03-31T00:00:00Z"
SOURCES = Path(__file__).resolve().parent / "data" / "sources"


def roster(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("candidate_id,name,emails,phones,application_ids\n" + "".join(f"{r}\n" for r in rows))
    return path


def test_greenhouse_interviews_with_application_ids_above_2_53_beside_a_null_stay_two_people(tmp_path):
    scheduled = json.loads((SOURCES / "greenhouse_scheduled_interviews.json").read_text())
    path = tmp_path / "scheduled.json"
    path.write_text(json.dumps([{**scheduled[0], "application_id": BIG + 1},
                                {**scheduled[1], "application_id": BIG + 3},
                                {**scheduled[2], "application_id": None}]))
    people = roster(tmp_path, f"A,Ana Lopez,ana@example.org,,{BIG + 1}", f"B,Ben Okafor,ben@example.net,,{BIG + 3}")
    loaded = read_interviews(path, sources=SourceOptions.build(candidates=people))
    assert loaded.frame["candidate_id"].tolist() == ["A", "B"]
    assert loaded.rejects["reason"].str.startswith("unmatched: the interview has no application_id").tolist() == [True]


def test_aircall_calls_with_ids_above_2_53_beside_a_null_are_two_calls(tmp_path):
    """The two calls' event ids were one float: the second was reported as a copy of the first."""
    page = json.loads((SOURCES / "aircall" / "aircall_calls.json").read_text())
    first, second, third = (dict(call) for call in page["calls"][:3])
    first["id"], second["id"], third["id"] = BIG + 1, BIG + 3, None
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({**page, "calls": [first, second, third]}))
    options = SourceOptions.build(candidates=SOURCES / "roster.csv", employer_domains=["acme.com"],
                                  default_region="US")
    loaded = read_events(path, sources=options)
    ids = loaded.frame["event_id"].astype(str).tolist()
    assert f"aircall:{BIG + 1}" in ids and f"aircall:{BIG + 3}" in ids
    assert not (loaded.rejects["kind"] == "duplicate").any()


def test_workable_candidate_ids_above_2_53_beside_a_null_match_the_interview_list(tmp_path):
    activity = {"action": "message", "stage_name": "Interview", "member": {"id": "9f", "name": "Raj Patel"},
                "body": "Following up"}
    path = tmp_path / "workable.jsonl"
    path.write_text("\n".join(json.dumps(page) for page in [
        {"candidate_id": BIG + 1, "activities": [{**activity, "id": "a1", "created_at": "2026-03-03T16:00:00Z"}]},
        {"candidate_id": BIG + 3, "activities": [{**activity, "id": "b1", "created_at": "2026-03-04T16:00:00Z"}]},
        {"candidate_id": None, "activities": [{**activity, "id": "c1", "created_at": "2026-03-05T16:00:00Z"}]},
    ]) + "\n")
    people = roster(tmp_path, f"{BIG + 1},Ana Lopez,,,", f"{BIG + 3},Ben Okafor,,,")
    loaded = read_events(path, sources=SourceOptions.build(candidates=people))
    assert sorted(loaded.frame["candidate_id"].astype(str)) == [str(BIG + 1), str(BIG + 3)]


def test_a_greenhouse_candidates_dump_as_roster_keeps_ids_above_2_53(tmp_path):
    """The roster's JSON reader takes numbers as text by the same rule as every other reader."""
    dump = tmp_path / "candidates.json"
    dump.write_text(json.dumps([
        {"id": BIG + 1, "first_name": "Ana", "last_name": "Lopez", "application_ids": [BIG + 11],
         "email_addresses": [{"value": "ana@example.org"}], "phone_numbers": []},
        {"id": BIG + 3, "first_name": "Ben", "last_name": "Okafor", "application_ids": [BIG + 13],
         "email_addresses": [{"value": "ben@example.net"}], "phone_numbers": []},
    ]))
    from followup.roster import load_roster

    entries = load_roster(dump).entries
    assert set(entries["candidate_id"].dropna().astype(str)) == {str(BIG + 1), str(BIG + 3)}
    assert set(entries.loc[entries["kind"] == "application", "value"].astype(str)) == {str(BIG + 11), str(BIG + 13)}


def test_the_projects_own_json_and_jsonl_keep_ids_above_2_53_beside_a_null(tmp_path):
    records = [{"candidate_id": BIG + 1, "timestamp": "2026-03-03T16:00:00Z", "channel": "email", "direction": "inbound"},
               {"candidate_id": None, "timestamp": "2026-03-03T17:00:00Z", "channel": "email", "direction": "inbound"},
               {"candidate_id": BIG + 3, "timestamp": "2026-03-03T18:00:00Z", "channel": "email", "direction": "inbound"}]
    (tmp_path / "events.json").write_text(json.dumps(records))
    (tmp_path / "events.jsonl").write_text("\n".join(map(json.dumps, records)))
    for name in ("events.json", "events.jsonl"):
        loaded = read_events(tmp_path / name)
        assert loaded.frame["candidate_id"].astype(str).tolist() == [str(BIG + 1), str(BIG + 3)], name


def test_parquet_nullable_int64_and_uint64_ids_above_2_53_keep_every_digit(tmp_path):
    table = pa.table({
        "candidate_id": pa.array([BIG + 1, None, BIG + 3], pa.int64()),
        "event_id": pa.array([2 ** 64 - 1, 2 ** 63 + 1, None], pa.uint64()),
        "timestamp": ["2026-03-03T16:00:00Z"] * 3, "channel": ["email"] * 3, "direction": ["inbound"] * 3,
    })
    pq.write_table(table, tmp_path / "events.parquet")
    loaded = read_events(tmp_path / "events.parquet")
    assert loaded.frame["candidate_id"].astype(str).tolist() == [str(BIG + 1), str(BIG + 3)]
    assert loaded.frame["event_id"].astype(object).tolist()[0] == str(2 ** 64 - 1)
    assert pd.isna(loaded.frame["event_id"].iloc[1])


def test_a_parquet_float_id_column_beyond_2_53_sets_those_rows_aside(tmp_path):
    """float64 cannot hold 9007199254740993: the row is not scored as 9007199254740992's."""
    table = pa.table({
        "candidate_id": pa.array([123.0, None, float(BIG + 2)], pa.float64()),
        "timestamp": ["2026-03-03T16:00:00Z"] * 3, "channel": ["email"] * 3, "direction": ["inbound"] * 3,
    })
    pq.write_table(table, tmp_path / "events.parquet")
    loaded = read_events(tmp_path / "events.parquet")
    assert loaded.frame["candidate_id"].astype(str).tolist() == ["123"]
    reasons = dict(zip(loaded.rejects["source_row"], loaded.rejects["reason"]))
    assert "is a number of 2^53 or more" in reasons[3] and "store ids as text" in reasons[3]


def test_excel_numeric_ids_are_their_digits_and_rounded_ones_are_set_aside(tmp_path):
    """A spreadsheet number is a float: 12345678901234567890 is stored as 1.234567890123457e+19
    (openpyxl writes it so, and Excel keeps 15 digits), and was read as the id
    12345678901234569216, someone else. Such a row is set aside saying why; an integral
    number within 2^53 is its digits, never 123.0."""
    book = Workbook()
    sheet = book.active
    sheet.append(["candidate_id", "timestamp", "channel", "direction"])
    sheet.append([12345678901234567890, "2026-03-03T16:00:00Z", "email", "inbound"])
    sheet.append([123.0, "2026-03-03T17:00:00Z", "email", "inbound"])
    sheet.append([None, "2026-03-03T18:00:00Z", "email", "inbound"])
    sheet.append([BIG + 1, "2026-03-03T19:00:00Z", "email", "inbound"])
    sheet.append([BIG, "2026-03-03T20:00:00Z", "email", "inbound"])
    book.save(tmp_path / "events.xlsx")
    loaded = read_events(tmp_path / "events.xlsx")
    assert loaded.frame["candidate_id"].astype(str).tolist() == ["123"]
    reasons = dict(zip(loaded.rejects["source_row"], loaded.rejects["reason"]))
    assert sorted(reasons) == [1, 3, 4, 5]  # 2^53 + 1 was written as 2^53: neither can be trusted
    assert all("'candidate_id' is a number of 2^53 or more" in reasons[row] for row in (1, 4, 5))
    assert reasons[3] == "candidate_id is empty"
