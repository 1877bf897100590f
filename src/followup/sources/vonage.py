"""Vonage Voice API call records: ``GET https://api.nexmo.com/v1/calls`` pages saved as one
response, an array of pages or JSON Lines.

Follows the Voice API reference and the ``@vonage/voice`` SDK's ``CallDetail`` types: pages are
``{"count", "page_size", "record_index", "_links", "_embedded": {"calls": [...]}}``; each call
has ``uuid`` (the leg), ``conversation_uuid`` (the call: an inbound leg and the leg a
``connect`` action rang share it), ``direction`` (``inbound``/``outbound``, from the
application's side), ``status``, ``from``/``to`` (``{"type": "phone", "number": "14155550100"}``:
E.164 without the ``+``), ``start_time``/``end_time`` (ISO 8601 UTC) and ``duration`` (a string
of seconds).

Statuses: ``completed`` ⇒ connected; ``machine`` ⇒ voicemail (answering-machine detection heard
a machine); ``busy`` ⇒ busy; ``cancelled`` ⇒ hang_up (the caller hung up before it was
answered); ``timeout`` and ``unanswered`` ⇒ missed; ``failed`` and ``rejected`` (by Vonage,
before connecting) are not contact attempts; ``started``, ``ringing`` and ``answered`` are calls
still going when saved, with no outcome yet. A conversation's legs are one call: the first leg
says who called whom and when, the best outcome of all legs says how it went (a forwarded call
answered on the second leg is connected); the other legs are reported as duplicates of it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .calls import OUTCOME_RANK, finish
from ..schema import RejectCode
from .records import coded, Adapted, column, load_documents, provenance, reject_rows

STATUSES = {"completed": "connected", "machine": "voicemail", "busy": "busy", "cancelled": "hang_up",
            "timeout": "missed", "unanswered": "missed"}
NOT_ATTEMPTS = ("failed", "rejected")
LIVE = ("started", "ringing", "answered")


def is_page(document) -> bool:
    embedded = document.get("_embedded") if isinstance(document, dict) else None
    return isinstance(embedded, dict) and isinstance(embedded.get("calls"), list)


def is_record(record) -> bool:
    return isinstance(record, dict) and "uuid" in record and "conversation_uuid" in record and "status" in record


def _records(documents: list) -> list[dict]:
    found: list[dict] = []
    for document in documents:
        if isinstance(document, list):
            found.extend(_records(document))
        elif is_page(document):
            found.extend(r for r in document["_embedded"]["calls"] if isinstance(r, dict))
        elif isinstance(document, dict):
            found.append(document)
    return found


def _e164(numbers: pd.Series) -> pd.Series:
    """Vonage writes E.164 without its ``+``; put it back so no default region is needed."""
    text = numbers.astype("string").str.strip()
    return text.where(~text.str.fullmatch(r"\d{8,15}").fillna(False), "+" + text)


def read(path: Path, options) -> Adapted:
    records = _records(load_documents(path))
    calls = provenance(pd.json_normalize(records, max_level=1) if records else pd.DataFrame(), path)
    status = column(calls, "status").astype("string").str.strip().str.lower()
    direction = column(calls, "direction").astype("string").str.strip().str.lower()
    frame = pd.DataFrame({
        "start": pd.to_datetime(column(calls, "start_time"), utc=True, errors="coerce"),
        "timestamp": column(calls, "start_time"),
        "direction": direction.where(direction.isin(["inbound", "outbound"])),
        "direction_raw": direction,
        "outcome": status.map(STATUSES),
        "duration_s": pd.to_numeric(column(calls, "duration"), errors="coerce"),
        "caller": _e164(column(calls, "from.number")), "callee": _e164(column(calls, "to.number")),
        "conversation": column(calls, "conversation_uuid").astype("string"),
        "event_id": "vonage:" + column(calls, "conversation_uuid").astype("string"),
        "note": "Vonage status: " + status.fillna("(empty)"),
        "status": status,
        "source_file": calls["source_file"], "source_row": calls["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    failed = frame["status"].isin(NOT_ATTEMPTS).fillna(False)
    reasons[failed.to_numpy()] = ("not a contact attempt: Vonage status " + frame.loc[failed, "status"]
                                  + " (the call never connected)")
    live = frame["status"].isin(LIVE).fillna(False)
    reasons[live.to_numpy()] = "call still " + frame.loc[live, "status"] + " when saved: no outcome yet"
    unknown = frame["outcome"].isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Vonage status " + frame.loc[unknown, "status"].fillna("(empty)")
                                   + "; expected completed, machine, busy, cancelled, timeout, unanswered, …")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Vonage direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((failed, RejectCode.NOT_A_CONTACT), (live, RejectCode.NO_OUTCOME),
                                         (unknown, RejectCode.UNKNOWN_OUTCOME), (odd, RejectCode.UNKNOWN_DIRECTION)),
                                   value=frame["status"])
    frame, legs = _one_call_per_conversation(frame)
    frame = frame.assign(call_key=frame["event_id"])  # the same call in another file is a duplicate
    return finish(frame.drop(columns=["start", "direction_raw", "conversation", "status"]), [not_calls, legs],
                  options, "vonage")


def _one_call_per_conversation(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first leg of each conversation, with the best outcome (and its duration) of all."""
    ordered = frame.assign(rank=frame["outcome"].map(OUTCOME_RANK)).sort_values(["start", "source_row"], kind="stable")
    grouped = ordered["conversation"].notna()
    first = grouped & ~ordered.duplicated("conversation", keep="first")
    best = (ordered[grouped].sort_values(["rank", "source_row"], kind="stable")
            .drop_duplicates("conversation").set_index("conversation"))
    keep = first | ~grouped
    settled = ordered["conversation"].map(best["outcome"])
    ordered["outcome"] = ordered["outcome"].where(~first, settled)
    ordered["duration_s"] = ordered["duration_s"].where(~first, ordered["conversation"].map(best["duration_s"]))
    first_row = ordered[first].set_index("conversation")["source_row"]
    reasons = pd.Series(None, index=ordered.index, dtype=object)
    reasons[(~keep).to_numpy()] = ("another leg of Vonage conversation " + ordered.loc[~keep, "conversation"]
                                   + "; the call is counted once, on row "
                                   + ordered.loc[~keep, "conversation"].map(first_row).astype(str)
                                   + ", from all of its legs")
    kept, report = reject_rows(ordered.drop(columns="rank"), reasons, "event_id", RejectCode.DUPLICATE,
                               kind="duplicate", duplicate_of=(ordered["source_file"].astype(str),
                                                               ordered["conversation"].map(first_row).fillna(0).astype("int64")))
    return kept.sort_values("source_row", kind="stable"), report
