"""``--strict`` escalates every warning about the inputs (issue 12, the lead's decision): what a
lenient run says in a ``warning:`` line and goes on past — an encoding guessed, bytes replaced,
a sheet chosen among several, ids spelled two ways, a folder's file passed over, a file whose
contacts match nobody — stops a strict run with that line as an ``error:``, exit code 2.
Lenient runs keep the warning and exit 0."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from followup.cli import main

BAD = Path(__file__).resolve().parent / "data" / "bad"
SOURCES = Path(__file__).resolve().parent / "data" / "sources"
AS_OF = "2026-03-31T00:00:00Z"
HEADER = "candidate_id,timestamp,channel,direction\n"


def interviews(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "interviews.csv"
    path.write_text("candidate_id,interview_at\n" + "".join(f"{i},2026-03-02T10:00:00Z\n" for i in ids))
    return path


def two_sheet_workbook(tmp_path: Path) -> Path:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Exported by the recruiting team"])
    book.active.append(["see the next sheet"])
    data = book.create_sheet("Activity")
    data.append(["candidate_id", "timestamp", "channel", "direction"])
    data.append(["C001", "2026-03-03T16:00:00Z", "email", "inbound"])
    path = tmp_path / "events.xlsx"
    book.save(path)
    return path


def near_spelled_ids(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "c001,2026-03-03T16:00:00Z,email,inbound\n")
    return path


def folder_with_an_unread_file(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "events.csv").write_text(HEADER + "C001,2026-03-03T16:00:00Z,email,inbound\n")
    (folder / "archive.pst").write_bytes(b"\xd0\xcf\x11\xe0")
    return folder


def cp1252_roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes("candidate_id,name,emails\nC001,José Müller,jose@example.org\n".encode("cp1252"))
    return path


# (what is warned about, the events input, extra arguments, words of the line, the file it names)
KINDS = {
    "encoding guessed": (lambda tmp: BAD / "windows1252.csv", [], "not UTF-8; read as Windows-1252",
                         lambda tmp: BAD / "windows1252.csv"),
    "bytes replaced": (lambda tmp: BAD / "read_utf8_one_bad_byte.csv", [], "bytes that are not UTF-8",
                       lambda tmp: BAD / "read_utf8_one_bad_byte.csv"),
    "sheet chosen": (two_sheet_workbook, [], "read sheet 'Activity'", lambda tmp: tmp / "events.xlsx"),
    "ids spelled two ways": (near_spelled_ids, [], "'C001' and 'c001'", None),
    "a folder's file not read": (folder_with_an_unread_file, [], "not read: file type '.pst'",
                                 lambda tmp: tmp / "logs" / "archive.pst"),
    "contacts matching nobody": (lambda tmp: SOURCES / "twilio_calls.json", [], "match no candidate",
                                 lambda tmp: SOURCES / "twilio_calls.json"),
    "the roster's encoding guessed": (lambda tmp: BAD / "utf8_bom.csv", ["--candidates", cp1252_roster],
                                      "not UTF-8; read as Windows-1252", lambda tmp: tmp / "roster.csv"),
}


def arguments(tmp_path: Path, kind: str) -> tuple[list[str], str, Path | None]:
    events, extra, words, named = KINDS[kind]
    resolved = [str(a(tmp_path)) if callable(a) else a for a in extra]
    args = ["score", str(events(tmp_path)), "-i", str(interviews(tmp_path, "C001", "C002")), "--as-of", AS_OF,
            "--format", "csv", *resolved]
    return args, words, named(tmp_path) if named else None


@pytest.mark.parametrize("kind", KINDS)
def test_a_warning_about_the_inputs_stops_a_strict_run_with_exit_2(kind, tmp_path):
    args, words, named = arguments(tmp_path, kind)
    lenient = CliRunner().invoke(main, args)
    assert lenient.exit_code in (0, 1), lenient.output  # 1: twilio's contacts then leave no usable row
    assert any(line.startswith("warning: ") and words in line for line in lenient.stderr.splitlines()), lenient.stderr

    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 2, strict.output
    line, = strict.stderr.strip().splitlines()
    assert line.startswith("error: ") and words in line and "Traceback" not in strict.output
    if named is not None:
        assert line.startswith(f"error: {named}: ")
    assert strict.stdout == ""  # nothing scored


def test_validate_and_train_escalate_the_same_warnings(tmp_path):
    validated = CliRunner().invoke(main, ["validate", str(BAD / "windows1252.csv"), "--strict"])
    assert validated.exit_code == 2 and "read as Windows-1252" in validated.stderr
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("candidate_id,outcome\nC001,hired\nC002,rejected\n")
    trained = CliRunner().invoke(main, ["train", str(BAD / "windows1252.csv"), "-i", str(interviews(tmp_path, "C001")),
                                        "--as-of", AS_OF, "--outcomes", str(outcomes), "-o", str(tmp_path / "m.skops"),
                                        "--strict"])
    assert trained.exit_code == 2 and "read as Windows-1252" in trained.stderr


def test_the_api_raises_the_warning_as_an_error_under_strict(tmp_path):
    import warnings

    import followup
    from followup.errors import InputWarning, StrictInputError

    with pytest.raises(StrictInputError, match="read as Windows-1252"):
        followup.load_events(BAD / "windows1252.csv", strict=True)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", InputWarning)
        assert len(followup.load_events(BAD / "windows1252.csv")) == 2
    assert [str(w.message) for w in said if "Windows-1252" in str(w.message)]


def test_a_clean_strict_run_is_unchanged(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(HEADER + "C001,2026-03-03T16:00:00Z,email,inbound\n")
    result = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews(tmp_path, "C001")),
                                       "--as-of", AS_OF, "--strict", "--format", "csv"])
    assert result.exit_code == 0 and "C001" in result.stdout
    assert "warning:" not in result.stderr and "error:" not in result.stderr


def test_encoding_is_honoured_by_the_vendor_json_readers(tmp_path):
    """--encoding reaches every vendor adapter's JSON, not only the project's own tables: a
    Twilio calls file with a UTF-8 'é' is refused under --encoding ascii (it was decoded by
    detection whatever the option said), and read as before without it."""
    calls = tmp_path / "twilio_calls.json"
    calls.write_bytes((SOURCES / "twilio_calls.json").read_bytes().replace(b'"(415) 555-0134"', '"José (415)"'.encode()))
    args = ["score", str(calls), "-i", str(interviews(tmp_path, "C001", "C002")), "--as-of", AS_OF, "--format", "csv"]
    refused = CliRunner().invoke(main, [*args, "--encoding", "ascii"])
    assert refused.exit_code == 1, refused.output
    assert f"{calls}: is not ascii text (byte 0xc3 cannot be decoded)" in refused.stderr
    assert "is not ascii" not in CliRunner().invoke(main, args).stderr
