"""The systems added for issue 13 — Microsoft 365 mail, Aircall, Zoom Phone, Teams PSTN,
Twilio Messages, calendars, Dialpad, Vonage, Workable, Ashby, SmartRecruiters, LinkedIn — registered in one place, with their content tests, so that
:mod:`.detect` and the reader tables take them in with one line each.

Their tests run before the older ones because two of them share a key with an older format
(an Aircall page holds ``calls`` like a Twilio page; a Twilio Messages record has ``sid``,
``status`` and ``direction`` like a Twilio call; a Workable page holds ``activities`` like a
Greenhouse feed) and are told apart here by fields only they have.
"""

from __future__ import annotations

from pathlib import Path

from . import (aircall, aircall_csv, ashby, calendar, dialpad, folders, google_voice, linkedin, outlook,
               smartrecruiters, teams, twilio_sms, vonage, workable, zoom, zoom_csv)
from .records import load_documents, records_under

EVENT_READERS = {
    "msg": outlook.read_msg,
    "graph": outlook.read_graph,
    "aircall": lambda path, options: _json_or_table(path, aircall.read, aircall_csv.read)(path, options),
    "zoom": lambda path, options: _json_or_table(path, zoom.read, zoom_csv.read)(path, options),
    "teams": teams.read,
    "twilio-sms": twilio_sms.read,
    "google-voice": google_voice.read,
    "dialpad": dialpad.read,
    "vonage": vonage.read,
    "workable": workable.read,
    "linkedin": linkedin.read,
}
INTERVIEW_READERS = {
    "ics": calendar.read,
    "ashby-interviews": ashby.read_interviews,
    "smartrecruiters-interviews": smartrecruiters.read_interviews,
}
# Files of these kinds in a folder given as input are read, not listed as unread.
for _suffix in (outlook.MSG_SUFFIX, ".html", ".htm", *calendar.ICS_SUFFIXES):
    folders.register_suffix(_suffix)

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # every .msg is an OLE compound file
SAMPLE = 20


def _json_or_table(path: Path, json_reader, table_reader):
    """One source name per vendor: its API JSON and its CSV export are read by their own readers."""
    return table_reader if path.suffix.lower() in TABLE_SUFFIXES else json_reader


def detect(path: Path, role: str) -> str | None:
    """The source name of one of these systems, or None to let the older tests decide."""
    if path.is_dir():  # a folder is expanded into its files before detection
        return None
    suffix = path.suffix.lower()
    if suffix == outlook.MSG_SUFFIX:
        return "msg"
    if suffix in calendar.ICS_SUFFIXES:
        return "ics"
    if suffix in (".html", ".htm") and path.exists():
        with open(path, "rb") as handle:
            return "google-voice" if google_voice.is_takeout_page(handle.read(8192)) else None
    if not path.exists():
        return None
    if suffix in JSON_SUFFIXES:
        return _json_source(path)
    return None  # a table's sheets are each tested by detect, through table_source


def _json_source(path: Path) -> str | None:
    try:
        documents = load_documents(path, detecting=True)
    except Exception:  # unreadable: the reader that runs next reports it properly
        return None
    flat = documents[0] if len(documents) == 1 and isinstance(documents[0], list) else documents
    head = flat[:SAMPLE]
    if any(outlook.is_graph_page(d) for d in head):
        return "graph"
    if any(aircall.is_page(d) for d in head):
        return "aircall"
    if any(zoom.is_page(d) for d in head):
        return "zoom"
    if any(twilio_sms.is_page(d) for d in head):
        return "twilio-sms"
    for test, name in ((workable.is_page, "workable"), (dialpad.is_page, "dialpad"), (vonage.is_page, "vonage"),
                       (ashby.is_page, "ashby-interviews"), (smartrecruiters.is_page, "smartrecruiters-interviews")):
        if any(test(d) for d in head):
            return name
    records = records_under(head, ("value", "calls", "messages", "items", "activities", "results", "content"))[:SAMPLE]
    for test, name in ((outlook.is_graph_message, "graph"), (aircall.is_record, "aircall"),
                       (zoom.is_record, "zoom"), (twilio_sms.is_record, "twilio-sms"),
                       (dialpad.is_record, "dialpad"), (vonage.is_record, "vonage"),
                       (workable.is_record, "workable"), (ashby.is_schedule, "ashby-interviews"),
                       (smartrecruiters.is_interview, "smartrecruiters-interviews")):
        if records and any(test(r) for r in records):
            return name
    return None


def table_source(path: Path, names: list[str]) -> str | None:
    """The source whose export has the header ``names`` (a CSV's, or one sheet's of ``path``)."""
    headers = {h.strip().lower() for h in names}
    if outlook.is_outlook_csv(headers):
        outlook.refuse_outlook_csv(path)
    if teams.csv_matches(headers):
        return "teams"
    if linkedin.csv_matches(headers):
        return "linkedin"
    if aircall_csv.csv_matches(headers):
        return "aircall"
    if zoom_csv.csv_matches(headers):
        return "zoom"
    return None
