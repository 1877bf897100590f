"""Hostile files that cannot live in the corpus (symbolic links) or need a vendor's options,
found by probing as an attacker would (issue 12): each ends in a correct result or one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from followup.loading import read_events
from followup.cli import main
from followup.sources import SourceOptions
from followup.sources.detect import detect

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
HEADER = "candidate_id,timestamp,channel,direction\n"


def test_a_symbolic_link_to_itself_is_one_line_not_no_such_file(tmp_path):
    loop = tmp_path / "events.csv"
    os.symlink(loop.name, loop)
    result = CliRunner().invoke(main, ["validate", str(loop)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {loop}: is a symbolic link to nothing (its target is missing, "
                                     "or it leads back to itself)")


def test_a_folder_holding_a_link_back_to_itself_is_read_once(tmp_path):
    folder = tmp_path / "logs"
    (folder / "march").mkdir(parents=True)
    (folder / "march" / "events.csv").write_text(HEADER + "C001,2026-03-02T19:30:00Z,email,inbound\n")
    os.symlink("..", folder / "march" / "up")  # logs/march/up/march/up/… for ever
    result = CliRunner().invoke(main, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["rows_read"] == 1


def test_half_a_utf16_pair_in_a_vendor_page_is_replaced_and_said_not_an_internal_error(tmp_path):
    """An Aircall page whose user name held "\\ud800" ended in `internal error: UnicodeEncodeError`."""
    page = json.loads((SOURCES / "aircall" / "aircall_calls.json").read_text())
    text = json.dumps(page).replace('"Boone Carter"', '"Boone \\ud800Carter"', 1)
    path = tmp_path / "calls.json"
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(path), "--candidates", str(SOURCES / "roster.csv"),
                                       "--default-region", "US", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}: 1 value holds half of a UTF-16 character pair" in result.stderr
    assert json.loads(result.stdout)["counts"]["rows_read"] == 4


def test_a_vendor_csv_saved_by_excel_with_a_sep_line_is_still_recognised(tmp_path):
    console = (SOURCES / "twilio_console.csv").read_text(encoding="utf-8")
    path = tmp_path / "calls.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("sep=,\r\n" + console).encode())
    assert detect(path) == "twilio"
    options = SourceOptions.build(candidates=SOURCES / "roster.csv", employer_domains=["acme.com"],
                                  default_region="US")
    with_line = read_events(path, sources=options)
    without = read_events(SOURCES / "twilio_console.csv", sources=options)
    assert with_line.counts == without.counts and with_line.counts["rows_read"] > 0


def test_a_vendor_json_in_windows_1252_is_read_as_the_projects_json_is(tmp_path):
    """A Greenhouse feed saved as Windows-1252 was taken for the project's own format and
    refused with `events need column(s) candidate_id, …`: vendor JSON now goes through the
    same encoding rule (byte-order mark, UTF-8, else detected and said)."""
    feed = json.loads((SOURCES / "greenhouse_feed.json").read_text(encoding="utf-8"))
    text = json.dumps(feed, ensure_ascii=False).replace('"subject": "', '"subject": "Café ', 1)
    path = tmp_path / "feed.json"
    path.write_bytes(text.encode("cp1252"))
    options = ["--candidates", str(SOURCES / "roster.csv"), "--default-region", "US", "--employer-domain", "acme.com"]
    result = CliRunner().invoke(main, ["validate", str(path), *options, "--format", "json"])
    original = CliRunner().invoke(main, ["validate", str(SOURCES / "greenhouse_feed.json"), *options, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}: not UTF-8; read as Windows-1252" in result.stderr
    assert json.loads(result.stdout)["counts"] == json.loads(original.stdout)["counts"]
    assert json.loads(result.stdout)["sources"][0]["source"] == "greenhouse"


def test_a_calendar_the_parser_refuses_is_named_without_quoting_its_text():
    calendar = Path(__file__).resolve().parent / "data" / "bad" / "read_ics_unparsable.ics"
    empty = Path(__file__).resolve().parent / "data" / "bad" / "header_only.csv"
    result = CliRunner().invoke(main, ["validate", str(empty), "-i", str(calendar)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {calendar}: cannot be read as an iCalendar (.ics) file: "
                                     "Content line could not be parsed into parts")
