"""Twilio Messages (SMS/MMS): ``GET /2010-04-01/Accounts/{Sid}/Messages.json`` pages and
BulkExport Messages JSON Lines.

Follows the Message resource of the 2010-04-01 API (``twilio/twilio-go:rest/api/v2010/docs/
ApiV2010Message.md``; direction and status enums from the OpenAPI spec): pages
``{"messages": [...], "next_page_uri", …}`` — one page, an array or JSON Lines — or one message
per line. Fields used: ``sid`` (``SM…``/``MM…``), ``date_sent`` (RFC 2822, else
``date_created``), ``direction`` (``inbound``; ``outbound-api``, ``outbound-call``,
``outbound-reply`` — from the account's side), ``from``, ``to``, ``status``, ``num_media``.

A message counts when it arrived (``received``) or was handed to the carrier (``sent``,
``delivered``, ``read``, ``partially_delivered``). ``failed`` and ``undelivered`` messages never
reached the candidate and are rejected as not a contact; ``canceled`` ones were never sent;
``accepted``, ``scheduled``, ``queued``, ``sending`` and ``receiving`` have no result yet.
WhatsApp messages (``whatsapp:+…`` addresses) are channel ``other``; the rest are ``sms``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .identity import resolve_calls
from ..schema import RejectCode
from .records import coded, Adapted, column, first_present, load_documents, provenance, records_under, reject_rows, stack_rejects
from .calls import collapse

DIRECTIONS = {"inbound": "inbound", "outbound-api": "outbound", "outbound-call": "outbound",
              "outbound-reply": "outbound"}
COUNTED = ("received", "sent", "delivered", "read", "partially_delivered")
NOT_DELIVERED = ("failed", "undelivered")
PENDING = ("accepted", "scheduled", "queued", "sending", "receiving")


def is_page(document) -> bool:
    return isinstance(document, dict) and isinstance(document.get("messages"), list)


def is_record(record) -> bool:
    sid = str(record.get("sid", "")) if isinstance(record, dict) else ""
    return sid.startswith(("SM", "MM")) or (isinstance(record, dict) and "num_segments" in record
                                            and "direction" in record)


def read(path: Path, options) -> Adapted:
    records = records_under(load_documents(path), ("messages",))
    messages = provenance(pd.json_normalize(records, max_level=0) if records else pd.DataFrame(), path)
    sender, recipient = column(messages, "from").astype("string"), column(messages, "to").astype("string")
    whatsapp = sender.str.lower().str.startswith("whatsapp:").fillna(False)
    status = column(messages, "status").astype("string").str.strip().str.lower()
    raw_direction = column(messages, "direction").astype("string").str.strip().str.lower()
    frame = pd.DataFrame({
        "timestamp": first_present(messages, "date_sent", "date_created"),
        "channel": pd.Series("sms", index=messages.index).where(~whatsapp, "other"),
        "direction": raw_direction.map(DIRECTIONS),
        "caller": sender.str.replace(r"^whatsapp:", "", regex=True, case=False),
        "callee": recipient.str.replace(r"^whatsapp:", "", regex=True, case=False),
        "event_id": "tw:" + column(messages, "sid").astype("string"),
        "note": "Twilio message status: " + status.fillna("(empty)"),
        "status": status, "direction_raw": raw_direction,
        "source_file": messages["source_file"], "source_row": messages["source_row"],
    })
    frame, repeats = collapse(frame, "event_id", pd.Series(0, index=frame.index), "message")
    reasons = pd.Series(None, index=frame.index, dtype=object)
    st = frame["status"]
    bad = st.isin(NOT_DELIVERED).fillna(False)
    reasons[bad.to_numpy()] = "not a contact: the message was " + st[bad] + " (it never reached the phone)"
    canceled = (st == "canceled").fillna(False)
    reasons[canceled.to_numpy()] = "not a contact: a scheduled message that was canceled before sending"
    pending = st.isin(PENDING).fillna(False)
    reasons[pending.to_numpy()] = "message still " + st[pending] + ": no result yet"
    unknown = ~st.isin(COUNTED).fillna(False) & reasons.isna()
    reasons[unknown.to_numpy()] = "unknown Twilio message status " + st[unknown].fillna("(empty)")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Twilio message direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_contacts = reject_rows(frame, reasons, "outcome",
                                      coded((bad | canceled, RejectCode.NOT_A_CONTACT), (pending, RejectCode.NO_OUTCOME),
                                            (unknown, RejectCode.UNKNOWN_OUTCOME), (odd, RejectCode.UNKNOWN_DIRECTION)),
                                      value=frame["status"])
    candidate, contact, why, codes = resolve_calls(frame, options.roster, options.default_region)
    frame = frame.assign(candidate_id=candidate, contact=contact)
    shown = frame["caller"].where(frame["direction"] == "inbound", frame["callee"])
    frame, unmatched = reject_rows(frame, why, "candidate_id", codes, value=shown)
    columns = ["candidate_id", "timestamp", "channel", "direction", "contact", "event_id", "note",
               "source_file", "source_row"]
    return Adapted(frame[columns], stack_rejects(repeats, not_contacts, unmatched), "twilio-sms")
