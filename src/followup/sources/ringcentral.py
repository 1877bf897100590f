"""RingCentral call logs: the REST API's JSON and the admin portal's CSV download.

Follows ``ringcentral/ringcentral-api-docs:docs/voice/call-log/api.md`` and the generated SDK
definitions (``ringcentral-java`` ``CallLogRecord``, ``CallLogFromParty``, ``CallLogRecordMessage``;
``RingCentral.Net`` ``CompanyCallLogRecord`` for older spellings), 2024 SDK generation.

* JSON: ``GET /restapi/v1.0/account/~/call-log`` (or ``extension/~/call-log``) pages
  ``{"records": [...], "paging", "navigation"}`` — one page, an array of pages, or JSON Lines.
  Fields used: ``id``, ``sessionId``, ``startTime`` (ISO 8601 UTC), ``duration`` (s) or
  ``durationMs``, ``type`` (``Voice``/``Fax``), ``direction`` (from the account's side:
  a candidate calling in is ``Inbound``), ``result``, ``from``/``to`` ``{phoneNumber,
  extensionNumber, name}``, ``message`` (a linked voicemail).
* CSV: **no public document gives the admin-portal column names**; headers are matched through
  an alias table (``Start Time``/``Date``+``Time``, ``From``/``To``, ``Direction``,
  ``Result``/``Action Result``, ``Duration``/``Call Length`` written as ``67``, ``0:01:07`` or
  ``1 min 7 sec``). Naive times are read in ``--tz``.

Results (matched case-insensitively): connected — Accepted, Call connected/accepted, Answered
Not Accepted, Received; voicemail — Voicemail or Sent to Voicemail *with* a linked voicemail
message (the CSV has no such column, so there the word is taken at face value); hang_up — Hang Up
("the caller hung up before the call was answered"), Abandoned, and Voicemail with no message
left; missed — Missed, No Answer, Rejected, Declined, Stopped; busy — Busy. Any unanswered
result with a linked voicemail message (a Missed call the caller left a message on) is a voicemail. Errors (Call Failed,
Wrong Number, Blocked, …) and faxes are not contact attempts and are reported as rejected;
an unknown result is rejected naming it. Several records of one ``sessionId`` are one call:
the record with the best result is kept and the others are reported as duplicates.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import EXCEL_SUFFIXES, TEXT_SUFFIXES, read_records
from ..schema import RejectCode, fold
from .calls import OUTCOME_RANK, collapse, duration_seconds, finish, rename_by_alias, with_left_messages
from .records import (Adapted, coded, column, first_present, headed_like, load_documents, provenance, records_under,
                      reject_rows)

RESULTS = {
    "accepted": "connected", "call connected": "connected", "call accepted": "connected",
    "answered not accepted": "connected", "received": "connected",
    "voicemail": "voicemail", "sent to voicemail": "voicemail",
    "hang up": "hang_up", "abandoned": "hang_up",
    "missed": "missed", "no answer": "missed", "rejected": "missed", "declined": "missed",
    "stopped": "missed",
    "busy": "busy",
}
NOT_ATTEMPTS = {fold(r) for r in (
    "Call Failed", "Call Failure", "Wrong Number", "Blocked", "IP Phone Offline", "Internal Error",
    "Restricted Number", "No Calling Credit", "International Disabled", "International Restricted",
    "Not Allowed", "Suspended account", "Carrier is not active", "EDGE trunk misconfigured", "911",
    "933", "Phone Login", "In Progress", "ResultInProgress", "ResultEmpty", "Unknown",
    "Poor Line Quality", "Partial Receive", "Receive Error", "Send Error", "Sent", "Reply")}
# Results that say nothing about how the call went, rather than that it failed.
NO_OUTCOME = {fold(r): why for r, why in (
    ("In Progress", "the call was still going on when the log was read"),
    ("ResultInProgress", "the call was still going on when the log was read"),
    ("Unknown", "no outcome recorded"), ("ResultEmpty", "no outcome recorded"))}

CSV_ALIASES = {
    "timestamp": ("start time", "date time", "date/time", "start"),
    "date": ("date",), "time": ("time",),
    "caller": ("from", "from number", "caller", "caller number"),
    "caller_name": ("from name", "caller name"),
    "callee": ("to", "to number", "called number", "callee"),
    "callee_name": ("to name", "called name", "extension name"),
    "direction": ("direction",),
    "result": ("result", "action result", "call result"),
    "duration": ("duration", "call length", "length", "duration seconds"),
    "type": ("type", "call type"),
    "session": ("telephony session id", "session id", "session"),
    "id": ("id", "call id", "record id"),
}


def is_page(document) -> bool:
    return isinstance(document, dict) and isinstance(document.get("records"), list)


def is_record(record) -> bool:
    return isinstance(record, dict) and "startTime" in record and "result" in record


def csv_matches(headers: set[str]) -> bool:
    return bool(headers & {"result", "action result", "call result"}) and bool(headers & {"from", "to"})


def _from_json(path: Path) -> pd.DataFrame:
    records = records_under(load_documents(path), ("records",))
    parts = provenance(pd.json_normalize(records, max_level=1) if records else pd.DataFrame(), path)
    duration = pd.to_numeric(column(parts, "duration"), errors="coerce")
    millis = pd.to_numeric(column(parts, "durationMs"), errors="coerce") / 1000
    return pd.DataFrame({
        "timestamp": column(parts, "startTime"),
        "direction": column(parts, "direction"),
        "result": column(parts, "result"),
        "duration_s": duration.where(duration.notna(), millis),
        "type": column(parts, "type"),
        "caller": first_present(parts, "from.phoneNumber", "from.extensionNumber"),
        "caller_name": column(parts, "from.name"),
        "callee": first_present(parts, "to.phoneNumber", "to.extensionNumber"),
        "callee_name": column(parts, "to.name"),
        "message_type": column(parts, "message.type"), "message_known": True,
        # One call's records share its telephony session (newer logs) or session id.
        "session": first_present(parts, "telephonySessionId", "sessionId").astype("string"),
        "event_id": "rc:" + column(parts, "id").astype("string"),
        "source_file": parts["source_file"], "source_row": parts["source_row"],
    })


def _from_csv(path: Path) -> pd.DataFrame:
    raw = rename_by_alias(read_records(path, {}, sheet_test=headed_like(csv_matches, fold)), CSV_ALIASES)
    timestamp = column(raw, "timestamp")
    if "date" in raw and "time" in raw:
        joined = raw["date"].astype("string").str.strip() + " " + raw["time"].astype("string").str.strip()
        timestamp = timestamp.where(timestamp.notna(), joined)
    return pd.DataFrame({
        "timestamp": timestamp,
        "direction": column(raw, "direction"),
        "result": column(raw, "result"),
        "duration_s": duration_seconds(column(raw, "duration")),
        "type": column(raw, "type"),
        "caller": column(raw, "caller"), "caller_name": column(raw, "caller_name"),
        "callee": column(raw, "callee"), "callee_name": column(raw, "callee_name"),
        # The CSV has no message column: its "Voicemail" is taken as written, nothing promoted.
        "message_type": pd.NA, "message_known": False,
        "session": column(raw, "session").astype("string"),
        "event_id": ("rc:" + column(raw, "id").astype("string")),
        "source_file": raw["source_file"].astype(str), "source_row": raw["source_row"],
    })


def read(path: Path, options) -> Adapted:
    suffix = path.suffix.lower()
    frame = _from_csv(path) if suffix in TEXT_SUFFIXES | EXCEL_SUFFIXES else _from_json(path)
    folded = frame["result"].astype("string").fillna("").map(fold)
    outcome = folded.map(RESULTS)
    left_message = frame["message_type"].astype("string").str.lower().eq("voicemail").fillna(False)
    no_message = ~left_message & frame["message_known"].to_numpy(bool)
    outcome = with_left_messages(outcome.mask((outcome == "voicemail") & no_message, "hang_up"), left_message)
    frame = frame.assign(outcome=outcome, note="RingCentral result: " + frame["result"].astype("string"),
                         direction=frame["direction"].astype("string").str.strip().str.lower())
    reasons = pd.Series(None, index=frame.index, dtype=object)
    fax = frame["type"].astype("string").str.lower().str.startswith("fax").fillna(False).to_numpy()
    reasons[fax] = "not a contact attempt: a fax"
    error = folded.isin(NOT_ATTEMPTS) | folded.str.startswith("fax")
    why = folded.map(NO_OUTCOME).fillna("a failed or blocked call")
    reasons[(error & reasons.isna()).to_numpy()] = ("not a contact attempt: RingCentral result "
                                                    + frame["result"].astype(str) + " (" + why + ")")
    unknown = outcome.isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown RingCentral result " + frame["result"].astype("string").fillna("(empty)")
                                   + "; expected Accepted, Voicemail, Hang Up, Missed, No Answer, Busy, …")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((fax | error.fillna(False).to_numpy(bool), RejectCode.NOT_A_CONTACT),
                                         (unknown, RejectCode.UNKNOWN_OUTCOME)), value=frame["result"])
    frame, repeats = collapse(frame, "session", frame["outcome"].map(OUTCOME_RANK), "call session")
    frame = frame.assign(call_key="rc:" + frame["session"])
    return finish(frame, [not_calls, repeats], options, "ringcentral")
