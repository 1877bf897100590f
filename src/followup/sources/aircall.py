"""Aircall calls: ``GET /v1/calls`` (or ``/v1/calls/search``) pages.

Follows Aircall's public API reference, *Call* object: ``id``, ``direction``
(``inbound``/``outbound``, from the company's side), ``status`` (``initial``, ``answered``,
``done``), ``started_at``/``answered_at``/``ended_at`` (UNIX timestamps, UTC; ``answered_at`` is
null when nobody answered), ``duration`` (seconds, ``ended_at - started_at``, ringing included),
``raw_digits`` (the external party's number, international format, or ``anonymous``),
``number.digits`` (the Aircall line), ``user.name`` (who took or made the call), ``voicemail``
(the recording's URL when the caller left one) and ``missed_call_reason``
(``out_of_opening_hours``, ``short_abandoned``, ``abandoned_in_ivr``, ``abandoned_in_classic``,
``no_available_agent``, ``agents_did_not_answer``). Pages are ``{"calls": [...], "meta":
{"next_page_link", …}}`` — one page, an array of pages or JSON Lines.

Outcome: answered ⇒ connected; not answered with a ``voicemail`` ⇒ voicemail (never a hang-up);
abandoned (``short_abandoned``, ``abandoned_in_*``) ⇒ hang_up — the caller gave up; no agent
answered, none available, or out of hours ⇒ missed; an outbound call nobody answered ⇒ missed.
A call not yet ``done`` has no outcome and is rejected. The same call id twice (overlapping
pages) is counted once.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .calls import collapse, finish, with_left_messages
from ..schema import RejectCode
from .records import coded, Adapted, column, load_documents, provenance, records_under, reject_rows

ABANDONED = ("short_abandoned", "abandoned_in_ivr", "abandoned_in_classic")
UNANSWERED = ("agents_did_not_answer", "no_available_agent", "out_of_opening_hours")


def is_page(document) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("calls"), list)
            and (isinstance(document.get("meta"), dict) or any(is_record(r) for r in document["calls"][:20])))


def is_record(record) -> bool:
    return isinstance(record, dict) and "raw_digits" in record and "started_at" in record


def _utc(seconds: pd.Series) -> pd.Series:
    moments = pd.to_datetime(pd.to_numeric(seconds, errors="coerce"), unit="s", utc=True)
    return moments.map(lambda t: t.isoformat() if pd.notna(t) else pd.NA)


def read(path: Path, options) -> Adapted:
    records = records_under(load_documents(path), ("calls",))
    calls = provenance(pd.json_normalize(records, max_level=1) if records else pd.DataFrame(), path)
    direction = column(calls, "direction").astype("string").str.strip().str.lower()
    inbound = direction == "inbound"
    external, line = column(calls, "raw_digits"), column(calls, "number.digits")
    agent = column(calls, "user.name")
    answered = column(calls, "answered_at").notna()
    voicemail = column(calls, "voicemail").astype("string").fillna("").str.strip() != ""
    reason = column(calls, "missed_call_reason").astype("string").str.strip().str.lower()
    outcome = pd.Series("missed", index=calls.index, dtype=object)
    outcome[reason.isin(ABANDONED).fillna(False).to_numpy()] = "hang_up"
    outcome[answered.to_numpy()] = "connected"
    outcome = with_left_messages(outcome, voicemail)
    status = column(calls, "status").astype("string").str.strip().str.lower()
    frame = pd.DataFrame({
        "timestamp": _utc(column(calls, "started_at")),
        "direction": direction.where(direction.isin(["inbound", "outbound"])),
        "direction_raw": direction,
        "outcome": outcome,
        "duration_s": pd.to_numeric(column(calls, "duration"), errors="coerce"),
        "caller": external.where(inbound, line), "callee": line.where(inbound, external),
        "caller_name": pd.Series(pd.NA, index=calls.index, dtype=object).where(inbound, agent),
        "callee_name": agent.where(inbound),
        "event_id": "aircall:" + column(calls, "id").astype("string"),
        "note": ("Aircall: " + status.fillna("(no status)")
                 + reason.map(lambda r: f", {r}" if isinstance(r, str) else "")),
        "status": status,
        "source_file": calls["source_file"], "source_row": calls["source_row"],
    })
    frame, repeats = collapse(frame, "event_id", pd.Series(0, index=frame.index), "call")
    reasons = pd.Series(None, index=frame.index, dtype=object)
    live = frame["status"].fillna("") != "done"
    reasons[live.to_numpy()] = ("call not finished (Aircall status " + frame.loc[live, "status"].fillna("(empty)")
                                + "): no outcome yet")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Aircall direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((live, RejectCode.NO_OUTCOME), (odd, RejectCode.UNKNOWN_DIRECTION)),
                                   value=frame["status"])
    frame = frame.assign(call_key=frame["event_id"])  # the same call in another file is a duplicate
    return finish(frame.drop(columns=["status", "direction_raw"]), [repeats, not_calls], options, "aircall")
