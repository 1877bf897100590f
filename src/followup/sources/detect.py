"""Which system wrote a file: decided from its content (keys, headers, the mbox ``From`` line),
never from its name alone, so ``calls.json`` from Twilio and from RingCentral both work."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import canonical_columns, sheet_headers
from ..schema import EVENT_COLUMN_ALIASES, REQUIRED_EVENT_COLUMNS, fold
from . import greenhouse, lever, more, ringcentral, twilio
from .mapping import PAGE_KEYS
from .records import load_documents, records_under

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")
SAMPLE = 20
# How each JSON export is recognised, most specific first: a whole page (response) by its
# shape, then single records (of an array, JSON Lines, or a page under RECORD_PAGE_KEYS) by
# their keys. A new adapter adds its tests here; each must refuse the other vendors' fixtures
# (tests/test_sources.py feeds every fixture to the detector).
PAGE_TESTS = [
    (greenhouse.is_feed, "greenhouse"),
    (ringcentral.is_page, "ringcentral"),
    (twilio.is_page, "twilio"),
]
RECORD_PAGE_KEYS = ("records", "calls", "data", "scheduled_interviews")
RECORD_TESTS = [
    (greenhouse.is_scheduled_interview, "greenhouse-interviews"),
    (lever.is_interview, "lever-interviews"),
    (lever.is_note, "lever"),
    (greenhouse.is_v3_note, "greenhouse"),
    (ringcentral.is_record, "ringcentral"),
    (twilio.is_record, "twilio"),
]


def detect(path: Path, mapping=None, role: str = "events") -> str:
    """The source name for ``path`` (see :data:`followup.sources.SOURCES`); the project's own
    format (``events``/``interviews``) when nothing vendor-specific is recognised."""
    native = "interviews" if role == "interviews" else "events"
    if mapping is not None and _mapped(path, mapping):  # a --map given wins over any vendor
        return "map"
    found = more.detect(path, role)
    if found:
        return found
    suffix = path.suffix.lower()
    if suffix in (".mbox", ".mbx"):
        return "mbox"
    if suffix == ".eml":
        return "eml"
    if suffix in JSON_SUFFIXES and path.exists():
        return _json_source(path, mapping) or native
    if suffix in TABLE_SUFFIXES:
        return _table_source(path, mapping) or native
    return _mail_source(path) or native


def _json_source(path: Path, mapping=None) -> str | None:
    try:
        documents = load_documents(path, detecting=True)
    except Exception:  # unreadable: the reader that runs next reports it properly
        return None
    # A --map given applies to the JSON files whose records have its columns.
    if mapping is not None and _fits(records_under(documents, PAGE_KEYS)[:SAMPLE], mapping):
        return "map"
    flat = documents[0] if len(documents) == 1 and isinstance(documents[0], list) else documents
    for test, name in PAGE_TESTS:
        if any(test(d) for d in flat[:SAMPLE]):
            return name
    records = records_under(flat[:SAMPLE], RECORD_PAGE_KEYS)[:SAMPLE]
    for test, name in RECORD_TESTS:
        if records and any(test(r) for r in records):
            return name
    return None


def _mapped(path: Path, mapping) -> bool:
    suffix = path.suffix.lower()
    try:
        if suffix in JSON_SUFFIXES and path.is_file():
            return _fits(records_under(load_documents(path, detecting=True), PAGE_KEYS)[:SAMPLE], mapping)
        if suffix in TABLE_SUFFIXES and path.is_file():
            return any(mapping.mapped_columns() <= set(names) for names in sheet_headers(path).values())
    except Exception:  # unreadable: the reader that runs next reports it properly
        return False
    return False


def _fits(records: list[dict], mapping) -> bool:
    if not records:
        return False
    keys = set(pd.json_normalize(records).columns)
    return mapping.required_columns() <= keys


def _table_source(path: Path, mapping) -> str | None:
    """The first sheet (of a workbook; a CSV has one) that is an export the scorer knows, or
    the project's own format, decides: a workbook's first sheet is often a cover page."""
    try:
        sheets = sheet_headers(path)
    except Exception:  # unreadable: the reader that runs next reports it properly
        return None
    for headers in sheets.values():
        if mapping is not None and mapping.mapped_columns() <= set(headers):
            return "map"
        canonical = set(canonical_columns(headers, EVENT_COLUMN_ALIASES).values())
        if set(REQUIRED_EVENT_COLUMNS) <= canonical:
            return None
        found = more.table_source(path, headers)
        if found:
            return found
        folded = {fold(h) for h in headers}
        if twilio.csv_matches(folded):
            return "twilio"
        if ringcentral.csv_matches(folded):
            return "ringcentral"
    return None


def _mail_source(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    if head.startswith(b"From "):
        return "mbox"
    lines = head.lower().splitlines()[:30]
    if any(line.startswith(b"from:") for line in lines) and any(
            line.startswith((b"date:", b"message-id:", b"received:")) for line in lines):
        return "eml"
    return None
