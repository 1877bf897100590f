"""Bad and hostile input files: each gets a correct result, a rejects entry or one clear line.

The corpus and the behaviour each file must produce are declared in
``tests/data/bad/MANIFEST.toml``; docs/reliability.md lists the same classes for users.
"""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from conftest import time_limit
from followup.cli import main
from followup.loading import read_events, read_interviews

BAD = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST = tomllib.loads((BAD / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
AS_OF = "2026-03-31T00:00:00Z"
# A file must be judged within this many seconds: a hang is a failure, not a slow pass.
TIME_LIMIT_S = 30




def validate(case: dict):
    path = BAD / case["file"]
    tz = case.get("tz", "UTC")
    if case.get("kind") == "interviews":
        args = ["validate", str(BAD / "header_only.csv"), "--interviews", str(path)]
    else:
        args = ["validate", str(path)]
    with time_limit(TIME_LIMIT_S):
        return CliRunner().invoke(main, [*args, "--tz", tz, "--format", "json"])


def load(case: dict):
    loader = read_interviews if case.get("kind") == "interviews" else read_events
    return loader(BAD / case["file"], tz=case.get("tz", "UTC"))


def as_text(values: pd.Series) -> list[str]:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in values]
    return ["<NA>" if pd.isna(v) else str(v) for v in values.astype(object)]


def test_every_corpus_file_has_a_declared_behaviour():
    declared = {case["file"] for case in MANIFEST}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "MANIFEST.toml" and not p.name.startswith("make_")}
    assert declared == on_disk


def test_the_excel_files_are_what_their_script_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_excel", BAD / "make_excel.py")
    make_excel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_excel)
    make_excel.build(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written and all(name in {case["file"] for case in MANIFEST} for name in written)
    for name in written:
        assert (tmp_path / name).read_bytes() == (BAD / name).read_bytes(), f"re-run make_excel.py for {name}"


@pytest.mark.parametrize("case", MANIFEST, ids=[case["file"] for case in MANIFEST])
def test_bad_file_gets_its_declared_behaviour(case):
    result = validate(case)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    if case["expect"] == "error":
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {BAD / case['file']}: ")
        assert case["message"] in lines[0]
        return

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # Native files have no roster to be unmatched against (docs/sources.md).
    assert report["counts"] == {**case["counts"], "unmatched": 0}
    found = {(r["source_row"], r["column"]): r["reason"] for r in report["rejects"]}
    for expected in case.get("rejects", []):
        assert expected["reason"] in found[(expected["row"], expected["column"])]
    assert all(r["source_file"] == str(BAD / case["file"]) for r in report["rejects"])

    loaded = load(case)
    for column, expected in case.get("values", {}).items():
        assert as_text(loaded.frame[column]) == expected
    for column, expected in case.get("last_values", {}).items():
        assert as_text(loaded.frame[column])[-1] == expected


@pytest.mark.parametrize("case", [c for c in MANIFEST if c["expect"] == "read" and c["counts"]["rejected"]],
                         ids=lambda c: c["file"])
def test_strict_mode_stops_at_the_first_bad_row_naming_it(case):
    path = BAD / case["file"]
    args = (["validate", str(BAD / "header_only.csv"), "--interviews", str(path)]
            if case.get("kind") == "interviews" else ["validate", str(path)])
    with time_limit(TIME_LIMIT_S):
        result = CliRunner().invoke(main, [*args, "--strict", "--tz", case.get("tz", "UTC")])
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    first = min(r["row"] for r in case["rejects"] if "duplicate" not in r["reason"])
    assert line.startswith(f"error: {path}: row {first}, column ")


def test_a_ragged_row_is_rejected_and_the_rest_scored(tmp_path):
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,interview_at\n" + "".join(
        f"C00{i},2026-03-02T10:00:00-05:00\n" for i in range(1, 6)))
    result = followup.score(BAD / "ragged_rows.csv", interviews, as_of=AS_OF)
    assert result.counts == {"rows_read": 5 + 5, "rows_used": 2 + 5, "duplicates": 0, "rejected": 3}
    scored = result.candidates.set_index("candidate_id")
    assert scored.loc["C001", "inbound_contacts"] == 1
    assert scored.loc["C002", "inbound_contacts"] == 0  # its only row was the ragged one
    assert set(result.rejects["source_row"]) == {2, 3, 5}


def test_a_ragged_row_in_another_reader_is_one_clear_error():
    """Readers used without row accounting (roster, outcomes) refuse the file, naming the row."""
    from followup.errors import InputFileError
    from followup.readers import read_records
    from followup.schema import EVENT_COLUMN_ALIASES

    with pytest.raises(InputFileError, match=r"ragged_rows.csv: row 2: the record has 10 fields"):
        read_records(BAD / "ragged_rows.csv", EVENT_COLUMN_ALIASES)


def test_errors_never_print_record_text(tmp_path):
    """A record's text (a message body, a name) never reaches stderr: only file, row, column."""
    body = "CONFIDENTIAL salary expectations of Alice Hartman"
    ragged = tmp_path / "events.csv"
    ragged.write_text("candidate_id,timestamp,channel,direction,note\n"
                      f"C001,2026-03-02T19:30:00Z,email,inbound,{body},extra,{body}\n"
                      f"C001,2026-03-03T19:30:00Z,carrier pigeon {body},inbound,{body}\n")
    lines = tmp_path / "events.jsonl"
    lines.write_text(f'{{"candidate_id": "C001", "note": "{body}"\n')
    interviews = tmp_path / "interviews.csv"
    interviews.write_text(f"candidate_id,interview_at,name\nC001,{body},{body}\n")
    runs = [
        ["validate", str(ragged), "--strict"],
        ["validate", str(lines), "--strict"],
        ["validate", str(ragged), "--interviews", str(interviews), "--strict"],
        ["score", str(ragged), "--interviews", str(interviews), "--as-of", AS_OF, "--strict"],
        ["score", str(ragged), "--interviews", str(interviews), "--as-of", AS_OF, "--format", "csv"],
    ]
    for args in runs:
        result = CliRunner().invoke(main, args)
        assert "Traceback" not in result.output
        assert "salary" not in result.stderr and "Hartman" not in result.stderr, result.stderr


def test_an_unexpected_failure_names_no_data(monkeypatch):
    """Even a bug's message (which may quote a value) stays off stderr without FOLLOWUP_DEBUG."""
    from followup import api

    def broken(*args, **kwargs):
        raise KeyError("Alice Hartman <alice@example.com>")

    monkeypatch.delenv("FOLLOWUP_DEBUG", raising=False)
    monkeypatch.setattr(api, "read_events", broken)
    result = CliRunner().invoke(main, ["validate", str(BAD / "crlf.csv")])
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert line.startswith("internal error: KeyError") and "Alice" not in line


def test_parquet_with_two_names_for_one_column_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"candidate_id": ["C001"], "timestamp": ["2026-03-02T19:30:00Z"], "channel": ["email"],
                             "direction": ["inbound"], "Date": ["2026-03-09T19:30:00Z"]}), path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {path}: the header has 'timestamp' and 'Date' (columns 2 and 5), "
                                     "which both mean timestamp; rename or remove one")


def test_an_excel_header_with_blank_and_numeric_cells_still_reads(tmp_path):
    """The header row is read as it stands: a blank or numeric heading is an extra column, not
    a reason to refuse, and rows keep their numbers (a blank row is still row 2)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Candidate ID", "Start Time", None, "channel", "direction", 2026])
    book.active.append(["C001", "2026-03-02T19:30:00Z", "x", "email", "inbound", 1])
    book.active.append([])
    book.active.append(["C002", "not a time", None, "email", "inbound", None])
    path = tmp_path / "events.xlsx"
    book.save(path)
    loaded = read_events(path)
    assert loaded.counts == {"rows_read": 3, "rows_used": 1, "duplicates": 0, "rejected": 2}
    assert loaded.frame["candidate_id"].tolist() == ["C001"]
    assert dict(zip(loaded.rejects["source_row"], loaded.rejects["column"])) == {2: "candidate_id", 3: "timestamp"}


def test_map_says_which_of_two_names_is_the_column(tmp_path):
    """The way out named in the docs: --map picks the column, the other is left unused."""
    from followup.sources import SourceOptions

    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\ncandidate = "candidate_id"\ntime = "Start Time"\n'
                       'channel = "channel"\ndirection = "direction"\n')
    loaded = read_events(BAD / "two_names_one_column.csv",
                                  sources=SourceOptions.build(map_file=mapping))
    assert as_text(loaded.frame["timestamp"]) == ["2026-03-10T00:30:00Z"]


def test_long_column_names_are_cut_short_in_messages(tmp_path):
    """A 10,000-character heading repeated: the error stays one short line."""
    heading = "Q" * 10_000
    csv_file = tmp_path / "events.csv"
    csv_file.write_text(f"candidate_id,timestamp,channel,direction,{heading},{heading}\n")
    result = CliRunner().invoke(main, ["validate", str(csv_file)])
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert "the header repeats column 'QQQ" in line and len(line) < 200 + len(str(csv_file))

    json_file = tmp_path / "events.json"
    json_file.write_text('[{"candidate_id": "C001", "timestamp": "2026-03-02T19:30:00Z", "channel": "email", '
                         f'"direction": "inbound", "{heading}": 1, "{heading}": 2}}]')
    report = json.loads(CliRunner().invoke(main, ["validate", str(json_file), "--format", "json"]).stdout)
    reason, = [r["reason"] for r in report["rejects"] if r["column"] == "(record)"]
    assert reason.startswith("key 'QQQ") and len(reason) < 100


def test_a_header_line_longer_than_64_kb_is_refused(tmp_path):
    """Not counted from its first 64 KB, which would make every record look ragged."""
    path = tmp_path / "events.csv"
    path.write_text("candidate_id,timestamp,channel,direction," + "Q" * 70_000 + ",note\n"
                    "C001,2026-03-02T19:30:00Z,email,inbound,x,y\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {path}: has a header line longer than 64 KB; no export needs one"
