"""A folder given as an input: every file in it is read like a top-level file, or listed with
its reason; nothing in it is silently passed over."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from followup.cli import main

DATA = Path(__file__).parent / "data" / "sources"
ROUTING = ["--candidates", str(DATA / "roster.csv"), "--employer-domain", "acme.com",
           "--default-region", "US", "--tz", "America/New_York"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def export_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    (folder / "phones" / "march").mkdir(parents=True)
    (folder / "Mail").mkdir()
    shutil.copy(DATA / "ringcentral_admin.csv", folder / "phones" / "calls.csv")
    shutil.copy(DATA / "twilio_calls.json", folder / "phones" / "march" / "twilio.json")
    shutil.copy(DATA / "eml" / "cara-thanks.eml", folder / "Mail" / "CARA-THANKS.EML")  # Windows copy
    shutil.copy(DATA / "mailbox.mbox", folder / "Mail" / "Inbox")                        # Thunderbird
    (folder / "Mail" / "Inbox.msf").write_bytes(b"// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    (folder / "Mail" / "archive.pst").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return folder


def test_a_folder_reads_every_supported_file_and_lists_the_others(tmp_path):
    folder = export_folder(tmp_path)
    result = run("validate", folder, *ROUTING, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    files = {Path(f["source_file"]).name: f for f in document["files"]}
    assert files["calls.csv"]["rows_read"] == 3 and files["twilio.json"]["rows_read"] == 5
    assert files["CARA-THANKS.EML"]["rows_used"] == 1 and files["Inbox"]["rows_read"] == 8
    listed = {Path(r["source_file"]).name: r["reason"] for r in document["rejects"] if r["column"] == "(file)"}
    assert set(listed) == {"archive.pst", "notes.pdf", "Inbox.msf", ".DS_Store"}
    assert listed["archive.pst"].startswith("not read: file type '.pst'")
    assert listed["Inbox.msf"].startswith("not data")
    for name in listed:
        assert files[name]["rows_read"] == 1 and files[name]["rejected"] == 1
    sources = {(Path(s["input"]).name, s["source"]) for s in document["sources"]}
    assert {("exports", "ringcentral"), ("exports", "twilio"), ("exports", "eml"), ("exports", "mbox"),
            ("exports", "(not read)")} == sources
    assert document["counts"]["rows_read"] == sum(f["rows_read"] for f in document["files"])


def test_strict_stops_at_a_file_it_cannot_read_but_not_at_index_files(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(DATA / "eml" / "cara-thanks.eml", folder / "cara.eml")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert run("validate", folder, *ROUTING, "--strict").exit_code == 0
    (folder / "archive.pst").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("validate", folder, *ROUTING, "--strict")
    assert result.exit_code == 2 and "archive.pst" in result.output and "not read" in result.output  # a warning, escalated


def test_a_folder_of_csv_files_is_read_as_tables_not_mail(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copy(Path(__file__).parents[1] / "sample_data" / "events.csv", folder / "part-1.csv")
    result = run("validate", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["rows_used"] > 0


def test_a_folder_with_nothing_to_read_is_an_error(tmp_path):
    folder = tmp_path / "outlook"
    folder.mkdir()
    (folder / "a.pst").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "b.pst").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("validate", folder, *ROUTING)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {folder}: the folder holds no file the scorer reads (2 file(s): .pst)"


def test_a_folder_as_the_interview_list(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    shutil.copy(DATA / "greenhouse_scheduled_interviews.json", folder / "page-1.json")
    shutil.copy(DATA / "lever_interviews.json", folder / "lever.json")
    result = run("validate", DATA / "mailbox.mbox", "-i", folder, *ROUTING, "--format", "json")
    assert result.exit_code == 0, result.output
    sources = {s["source"] for s in json.loads(result.stdout)["sources"]}
    assert {"greenhouse-interviews", "lever-interviews"} <= sources
