"""A vendor export saved as a workbook whose first sheet is a cover or notes page is
recognised and read from the sheet that holds it, saying which (issue 12): detection used to
look at the first sheet only and took the workbook for the project's own format."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pytest
from openpyxl import Workbook

from followup.loading import read_events
from followup.errors import InputWarning
from followup.sources import SourceOptions
from followup.sources.detect import detect

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
VENDOR_TZ = "America/New_York"


def workbook_from(csv_file: Path, path: Path, cover_first: bool = True) -> Path:
    """The CSV export on a sheet named ``Calls``, after a cover sheet of notes."""
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Call report, exported 2024-03-10"])
    cover.append(["Filters: all lines"])
    cover.append(["Prepared by", "Boone Carter"])
    calls = book.create_sheet("Calls")
    with open(csv_file, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            calls.append(row)
    if not cover_first:
        book.move_sheet("Calls", offset=-1)
    book.save(path)
    return path


def options():
    return SourceOptions.build(candidates=SOURCES / "roster.csv", employer_domains=["acme.com"], default_region="US")


def loaded_with_warnings(path: Path):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", InputWarning)
        loaded = read_events(path, tz=VENDOR_TZ, sources=options())
    return loaded, [str(w.message) for w in said if issubclass(w.category, InputWarning)]


@pytest.mark.parametrize("export, source", [
    ("aircall/aircall_call_history.csv", "aircall"),
    ("twilio_console.csv", "twilio"),
    ("ringcentral_admin.csv", "ringcentral"),
    ("zoom/zoom_call_logs_admin.csv", "zoom"),
    ("teams/teams_pstn_calls.csv", "teams"),
])
def test_an_export_on_the_second_sheet_is_detected_and_read_like_the_csv(export, source, tmp_path):
    book = workbook_from(SOURCES / export, tmp_path / "calls.xlsx")
    assert detect(book) == source
    from_csv = read_events(SOURCES / export, tz=VENDOR_TZ, sources=options())
    from_book, said = loaded_with_warnings(book)
    assert from_book.counts == from_csv.counts
    columns = ["candidate_id", "timestamp", "direction", "outcome"]
    assert from_book.frame[columns].astype(str).values.tolist() == from_csv.frame[columns].astype(str).values.tolist()
    assert [line for line in said if "read sheet" in line] == [
        f"{book}: read sheet 'Calls', whose header is the export's; not read: 'Cover'"]


def test_an_export_on_the_first_sheet_is_read_without_a_word_about_sheets(tmp_path):
    book = workbook_from(SOURCES / "aircall" / "aircall_call_history.csv", tmp_path / "calls.xlsx", cover_first=False)
    loaded, said = loaded_with_warnings(book)
    assert loaded.counts["rows_used"] > 0
    assert any("read sheet 'Calls'" in line and "not read: 'Cover'" in line for line in said)  # data on both


def test_the_projects_own_events_after_a_cover_sheet_still_read(tmp_path):
    book = Workbook()
    book.active.title = "Read me"
    book.active.append(["Events for the March cohort"])
    events = book.create_sheet("Events")
    events.append(["candidate_id", "timestamp", "channel", "direction"])
    events.append(["101", "2024-03-06T14:05:00Z", "email", "inbound"])
    book.save(tmp_path / "events.xlsx")
    assert detect(tmp_path / "events.xlsx") == "events"
    loaded, said = loaded_with_warnings(tmp_path / "events.xlsx")
    assert loaded.frame["candidate_id"].tolist() == ["101"]
    assert any("read sheet 'Events'" in line for line in said)


def test_a_mapped_export_on_the_second_sheet_is_read_from_it(tmp_path):
    """`--map` names the columns; the sheet that has them is read, not the cover."""
    book = workbook_from(SOURCES / "other_export.csv", tmp_path / "crm.xlsx")
    mapped = SourceOptions.build(candidates=SOURCES / "roster.csv", default_region="US",
                                 map_file=SOURCES / "mapping.toml")
    from_csv = read_events(SOURCES / "other_export.csv", sources=mapped)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", InputWarning)
        from_book = read_events(book, sources=mapped)
    assert from_book.counts == from_csv.counts and from_book.counts["rows_used"] > 0
    assert any("read sheet 'Calls', whose header is the export's" in str(w.message) for w in said)
