"""Zoom Phone call logs: ``GET /v2/phone/call_logs`` (account) or
``/v2/phone/users/{userId}/call_logs``, and the newer ``/v2/phone/call_history``.

Follows the fields generated from Zoom's OpenAPI (``zoom-api`` crate ``CallLogs``; Zoom Ruby SDK
``InlineResponse20063CallLogs``) and Zoom's *Understand Zoom Phone call history* guide:
pages ``{"call_logs": [...], "next_page_token", "page_size", "total_records", "from", "to"}``
(``call_history`` in the newer API), one page, an array of pages or JSON Lines.

* Legacy call logs: ``id``, ``call_id``, ``direction`` (``inbound``/``outbound``),
  ``caller_number``/``caller_name``, ``callee_number``/``callee_name``, ``date_time`` (ISO 8601
  UTC), ``duration`` (seconds), ``result``, ``has_voicemail``.
* Call history: ``start_time``, ``caller_did_number``/``callee_did_number`` (else the
  ``*_ext_number``), ``call_result``.

Results are matched case-insensitively with ``_`` and spaces alike. Connected: ``call_connected``
/ Call connected, ``answered``, ``recorded``, Auto Recorded, Answered by Other Member; voicemail:
Voicemail, ``voicemail`` — and any unanswered call with ``has_voicemail`` true; missed: No Answer,
Missed, Call Not Answered; hang_up: Hang Up, Call Cancel, Abandoned (the caller gave up); busy:
Busy. Blocked and failed calls are not contact attempts and are rejected; any other result is
rejected naming it (Zoom does not publish the full list). One ``call_id`` listed twice is one call.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..schema import RejectCode, fold
from .calls import OUTCOME_RANK, collapse, finish, with_left_messages
from .records import coded, Adapted, column, first_present, load_documents, provenance, records_under, reject_rows

RESULTS = {fold(k): v for k, v in {
    "call_connected": "connected", "answered": "connected", "recorded": "connected",
    "auto recorded": "connected", "answered by other member": "connected", "connected": "connected",
    "voicemail": "voicemail", "voicemail received": "voicemail",
    "no_answer": "missed", "missed": "missed", "call not answered": "missed", "not answered": "missed",
    "hang_up": "hang_up", "call cancel": "hang_up", "call_cancel": "hang_up", "cancelled": "hang_up",
    "canceled": "hang_up", "abandoned": "hang_up",
    "busy": "busy",
}.items()}
NOT_ATTEMPTS = {fold(r) for r in ("blocked", "call blocked", "failed", "call failed", "rejected by system")}
PAGE_KEYS = ("call_logs", "call_history")


def is_page(document) -> bool:
    return isinstance(document, dict) and any(isinstance(document.get(k), list) for k in PAGE_KEYS)


def is_record(record) -> bool:
    return (isinstance(record, dict) and "direction" in record
            and any(k in record for k in ("caller_number", "caller_did_number", "caller_ext_number")))


def read(path: Path, options) -> Adapted:
    records = records_under(load_documents(path), PAGE_KEYS)
    calls = provenance(pd.json_normalize(records, max_level=0) if records else pd.DataFrame(), path)
    raw = first_present(calls, "result", "call_result").astype("string")
    folded = raw.fillna("").map(fold)
    outcome = folded.map(RESULTS)
    voicemail = column(calls, "has_voicemail").astype("string").str.lower().eq("true").fillna(False)
    outcome = with_left_messages(outcome, voicemail)
    direction = column(calls, "direction").astype("string").str.strip().str.lower()
    frame = pd.DataFrame({
        "timestamp": first_present(calls, "date_time", "start_time"),
        "direction": direction.where(direction.isin(["inbound", "outbound"])),
        "direction_raw": direction,
        "outcome": outcome,
        "duration_s": pd.to_numeric(column(calls, "duration"), errors="coerce"),
        "caller": first_present(calls, "caller_number", "caller_did_number", "caller_ext_number"),
        "callee": first_present(calls, "callee_number", "callee_did_number", "callee_ext_number"),
        "caller_name": column(calls, "caller_name"), "callee_name": column(calls, "callee_name"),
        "call": first_present(calls, "call_id", "id").astype("string"),
        "event_id": "zoom:" + first_present(calls, "call_id", "id").astype("string"),
        "note": "Zoom Phone result: " + raw.fillna("(empty)"),
        "source_file": calls["source_file"], "source_row": calls["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    failed = folded.isin(NOT_ATTEMPTS)
    reasons[failed.to_numpy()] = "not a contact attempt: Zoom Phone result " + raw[failed]
    unknown = frame["outcome"].isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Zoom Phone result " + raw[unknown].fillna("(empty)")
                                   + "; expected Call connected, Voicemail, No Answer, Hang Up, Busy, …")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Zoom Phone direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((failed, RejectCode.NOT_A_CONTACT), (unknown, RejectCode.UNKNOWN_OUTCOME),
                                         (odd, RejectCode.UNKNOWN_DIRECTION)), value=raw)
    frame, repeats = collapse(frame, "call", frame["outcome"].map(OUTCOME_RANK), "call")
    frame = frame.assign(call_key=frame["event_id"])  # the same call in another file is a duplicate
    return finish(frame.drop(columns=["direction_raw", "call"]), [not_calls, repeats], options, "zoom")
