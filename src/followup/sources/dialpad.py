"""Dialpad calls: the Call API (``GET /api/v2/call``, ``GET /api/v2/call/{id}``) saved as one
response, pages (``{"items": [...], "cursor"}``), an array or JSON Lines, and call-event webhook
payloads saved one per line (the same call fields).

Follows Dialpad's *Call* object as its developer guides describe it (the *Call Events* guide,
developers.dialpad.com/docs/call-events-logging, names the payload's related call ids,
participants, timing and recording fields; the full API reference could not be read to confirm
every name, and docs/sources.md says so): ``call_id``,
``master_call_id`` / ``entry_point_call_id`` (the first call of a call flow: a queue or
department call rings one agent after another, each ring its own call record), ``direction``
(``inbound``/``outbound``, from the company's side), ``date_started`` / ``date_rang`` /
``date_connected`` / ``date_ended`` (**epoch milliseconds**, UTC; ``date_connected`` is null when
nobody answered), ``duration`` and ``total_duration`` (**milliseconds**), ``external_number``
(the outside party, E.164) and ``internal_number`` (the Dialpad line), ``contact`` (the outside
party: ``name``, ``phone``) and ``target`` (the Dialpad user, office or call center:
``name``, ``email``, ``phone``), ``state`` and ``voicemail_link``.

Outcome: connected when ``date_connected`` is set; otherwise voicemail when ``voicemail_link``
is set (or ``state`` is ``voicemail``); otherwise hang_up when ``state`` is ``abandoned`` (the
caller gave up while waiting); otherwise missed (``missed``, ``hangup`` with nobody answering).
A call still ``calling``/``ringing``/``connected``/``queued`` when it was saved has no outcome
and is rejected; ``blocked`` calls are not contact attempts. Several records of one call flow
(same ``entry_point_call_id``, else ``master_call_id``) are one call, with its best outcome.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .calls import OUTCOME_RANK, collapse, finish, with_left_messages
from ..schema import RejectCode
from .records import coded, Adapted, column, first_present, load_documents, provenance, records_under, reject_rows

PAGE_KEYS = ("items",)
LIVE = ("calling", "ringing", "connected", "queued", "preanswer", "hold", "merged", "parked")
NOT_ATTEMPTS = ("blocked",)
KNOWN = ("hangup", "missed", "abandoned", "voicemail", "voicemail_uploaded", "postcall", "recording",
         "transcription", "call_transcription", "")


def is_page(document) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("items"), list)
            and any(is_record(r) for r in document["items"][:20]))


def is_record(record) -> bool:
    return isinstance(record, dict) and "call_id" in record and "date_started" in record and (
        "target" in record or "external_number" in record or "entry_point_call_id" in record)


def _utc(milliseconds: pd.Series) -> pd.Series:
    moments = pd.to_datetime(pd.to_numeric(milliseconds, errors="coerce"), unit="ms", utc=True)
    return moments.map(lambda t: t.isoformat() if pd.notna(t) else pd.NA)


def read(path: Path, options) -> Adapted:
    records = records_under(load_documents(path), PAGE_KEYS)
    calls = provenance(pd.json_normalize(records, max_level=1) if records else pd.DataFrame(), path)
    direction = column(calls, "direction").astype("string").str.strip().str.lower()
    inbound = direction == "inbound"
    state = column(calls, "state").astype("string").str.strip().str.lower()
    external = first_present(calls, "external_number", "contact.phone")
    line = first_present(calls, "internal_number", "target.phone")
    agent = first_present(calls, "target.name", "target.email")
    connected = pd.to_numeric(column(calls, "date_connected"), errors="coerce").notna()
    voicemail = (column(calls, "voicemail_link").astype("string").fillna("").str.strip() != "") | (
        state == "voicemail").fillna(False)
    outcome = pd.Series("missed", index=calls.index, dtype=object)
    outcome[(state == "abandoned").fillna(False).to_numpy()] = "hang_up"
    outcome[connected.to_numpy()] = "connected"
    outcome = with_left_messages(outcome, voicemail)
    flow = first_present(calls, "entry_point_call_id", "master_call_id", "call_id").astype("string")
    started = pd.to_numeric(column(calls, "date_started"), errors="coerce")
    frame = pd.DataFrame({
        # A call flow starts when the caller dialled, not when the agent who answered was rung.
        "timestamp": _utc(started.groupby(flow.fillna("")).transform("min").where(flow.notna(), started)),
        "direction": direction.where(direction.isin(["inbound", "outbound"])),
        "direction_raw": direction,
        "outcome": outcome,
        # Dialpad gives milliseconds: a 3000 is a 3-second call, not a 50-minute one.
        "duration_s": pd.to_numeric(column(calls, "duration"), errors="coerce") / 1000,
        "caller": external.where(inbound, line), "callee": line.where(inbound, external),
        "caller_name": pd.Series(pd.NA, index=calls.index, dtype=object).where(inbound, agent),
        "callee_name": agent.where(inbound),
        "flow": flow,
        "event_id": "dialpad:" + flow,
        "note": "Dialpad state: " + state.fillna("(empty)"),
        "state": state,
        "source_file": calls["source_file"], "source_row": calls["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    live = frame["state"].isin(LIVE).fillna(False)
    reasons[live.to_numpy()] = "call still " + frame.loc[live, "state"] + " when saved: no outcome yet"
    blocked = frame["state"].isin(NOT_ATTEMPTS).fillna(False)
    reasons[blocked.to_numpy()] = "not a contact attempt: Dialpad state blocked"
    unknown = ~frame["state"].fillna("").isin((*KNOWN, *LIVE, *NOT_ATTEMPTS)) & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Dialpad state " + frame.loc[unknown, "state"]
                                   + "; expected hangup, missed, abandoned, voicemail, …")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Dialpad direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((live, RejectCode.NO_OUTCOME), (blocked, RejectCode.NOT_A_CONTACT),
                                         (unknown, RejectCode.UNKNOWN_OUTCOME), (odd, RejectCode.UNKNOWN_DIRECTION)),
                                   value=frame["state"])
    frame, legs = collapse(frame, "flow", frame["outcome"].map(OUTCOME_RANK), "call flow")
    frame = frame.assign(call_key=frame["event_id"])  # the same call in another file is a duplicate
    return finish(frame.drop(columns=["direction_raw", "flow", "state"]), [not_calls, legs], options, "dialpad")
