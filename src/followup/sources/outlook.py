"""Microsoft 365 / Outlook mail: ``.msg`` files saved from Outlook, and Microsoft Graph
``messages`` pages. The Outlook desktop CSV export is refused (it has no date column).

* **.msg** (read with ``extract-msg``): one message per file (a folder of them is expanded by
  :mod:`.folders`; ``.MSG`` works too). Fields are MAPI properties ([MS-OXPROPS]): sender ``PR_SENDER_EMAIL_ADDRESS``
  (0x0C1F) — for Exchange-internal senders an X.500 DN with address type ``EX``, so
  ``PR_SENDER_SMTP_ADDRESS`` (0x5D01) is preferred when present — recipients from the
  recipient table (To/Cc), time from the ``Date`` of the transport headers
  (``PR_TRANSPORT_MESSAGE_HEADERS``, kept for mail received from the internet) else
  ``PR_CLIENT_SUBMIT_TIME`` (sent items) else ``PR_MESSAGE_DELIVERY_TIME``, all UTC;
  ``event_id`` is ``PR_INTERNET_MESSAGE_ID``, the same Message-ID an mbox or ``.eml`` copy
  carries, so a message saved both ways is counted once. ``PR_MESSAGE_CLASS`` tells a note
  (``IPM.Note``) from a meeting response (``IPM.Schedule.Meeting.Resp.*``) or a delivery report
  (``REPORT.IPM.Note.NDR``).
* **Graph** (``GET /v1.0/me/messages`` or ``/users/{id}/mailFolders/{id}/messages``, the
  ``message`` resource of Graph v1.0): pages ``{"@odata.context", "value": [...],
  "@odata.nextLink"}`` saved as one page, an array of pages or JSON Lines. Fields used:
  ``from.emailAddress.address`` (else ``sender``), ``toRecipients``/``ccRecipients``,
  ``sentDateTime`` (else ``receivedDateTime``; ISO 8601 UTC), ``internetMessageId``, ``subject``,
  ``isDraft`` (a draft was never sent: rejected as not correspondence), ``@odata.type``
  (``#microsoft.graph.eventMessage…`` for meeting messages) and ``internetMessageHeaders``
  (``[{name, value}]``, returned only when asked for with ``$select``).
* **Outlook CSV** (File → Open & Export → Import/Export → Export to a file → Comma Separated
  Values): its columns are ``Subject``, ``Body``, ``From: (Name)``, ``From: (Address)``,
  ``To: (Name)``, … and no date at all, so no follow-up can be timed from it; it is refused
  with a one-line error that names the exports to use instead.

Automatic mail (out-of-office replies, meeting responses, bounces) is judged by the one shared
classifier, :mod:`.automatic`, from the headers, content type, message class, sender and
subject, and reported as "not a contact". Who and direction are decided as for any mailbox
(:func:`.identity.resolve_mail`).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from datetime import timezone
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..readers import parser_complaint
from .automatic import classify, reject_automatic
from .identity import resolve_mail
from .mailbox import html_text
from ..schema import RejectCode
from .records import Adapted, load_documents, records_under, reject_rows, stack_rejects

MSG_SUFFIX = ".msg"
COLUMNS = ["timestamp", "sender", "recipients", "event_id", "subject", "body", "automatic", "evidence",
           "draft", "source_file", "source_row"]
# Graph's meeting-response resource is what a .msg calls IPM.Schedule.Meeting.Resp.*.
GRAPH_MESSAGE_CLASSES = {"#microsoft.graph.eventmessageresponse": "IPM.Schedule.Meeting.Resp"}
# Outlook's CSV export names these columns; a file with them is that export.
OUTLOOK_CSV_COLUMNS = {"from: (address)", "from: (name)", "to: (address)"}
OUTLOOK_CSV_REFUSAL = (
    "is an Outlook CSV export, which has no date column, so no follow-up can be timed from it; "
    "save the messages as .msg (drag them from Outlook to a folder), export the mailbox as mbox, "
    "or fetch them with Microsoft Graph (GET /me/messages) — see docs/sources.md, Microsoft 365 mail")


def is_graph_page(document) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("value"), list)
            and ("messages" in str(document.get("@odata.context", ""))
                 or any(is_graph_message(r) for r in document["value"][:20])))


def is_graph_message(record) -> bool:
    return (isinstance(record, dict) and "internetMessageId" in record
            or isinstance(record, dict) and isinstance(record.get("from"), dict)
            and "emailAddress" in record["from"])


def is_outlook_csv(headers: set[str]) -> bool:
    """``headers`` lower-cased as written (Outlook's ``From: (Address)`` keeps its punctuation)."""
    return OUTLOOK_CSV_COLUMNS <= headers


def refuse_outlook_csv(path: Path):
    raise InputFileError(path, OUTLOOK_CSV_REFUSAL)


def _machine(headers, subject, content_types, sender, message_class) -> dict:
    """The shared classifier's verdict (:mod:`.automatic`) as the two columns readers carry."""
    found = classify(headers, subject, content_types, sender, message_class)
    return {"automatic": found.kind if found else None, "evidence": found.evidence if found else None}


def _graph_headers(headers) -> dict:
    """Graph's ``internetMessageHeaders`` list (``[{name, value}]``) as a mapping."""
    if not isinstance(headers, list):
        return {}
    return {h["name"]: h.get("value") for h in headers if isinstance(h, dict) and h.get("name")}


def _address(party) -> str | None:
    if not isinstance(party, dict):
        return None
    inner = party.get("emailAddress") or {}
    address, name = inner.get("address"), inner.get("name")
    if not address:
        return None
    return f"{name} <{address}>" if name else address


def _addresses(parties) -> str:
    return ", ".join(filter(None, (_address(p) for p in parties))) if isinstance(parties, list) else ""


def _graph_body(record) -> str | None:
    """The message text of a Graph ``message``: ``body`` (``{contentType, content}``, HTML by
    default), else ``uniqueBody``, else the 255-character ``bodyPreview``."""
    for key in ("body", "uniqueBody"):
        body = record.get(key)
        if isinstance(body, dict) and isinstance(body.get("content"), str) and body["content"].strip():
            content = body["content"]
            return html_text(content) if str(body.get("contentType", "")).lower() == "html" else content
    preview = record.get("bodyPreview")
    return preview if isinstance(preview, str) and preview.strip() else None


def _graph_rows(path: Path) -> pd.DataFrame:
    records = records_under(load_documents(path), ("value",))
    rows = []
    for number, r in enumerate(records, 1):
        headers = _graph_headers(r.get("internetMessageHeaders"))
        sender = _address(r.get("from")) or _address(r.get("sender"))
        message_class = GRAPH_MESSAGE_CLASSES.get(str(r.get("@odata.type", "")).lower())
        rows.append({
            "timestamp": r.get("sentDateTime") or r.get("receivedDateTime"),
            "sender": sender,
            "recipients": ", ".join(filter(None, (_addresses(r.get("toRecipients")),
                                                  _addresses(r.get("ccRecipients"))))),
            "event_id": (r.get("internetMessageId") or "").strip() or (f"graph:{r['id']}" if r.get("id") else None),
            "subject": r.get("subject"),
            "body": _graph_body(r),
            **_machine(headers, r.get("subject"), [headers.get("Content-Type", "")], sender, message_class),
            "draft": bool(r.get("isDraft")),
            "source_file": str(path), "source_row": number,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _property(message, tag: str) -> str | None:
    value = message.getStringStream(f"__substg1.0_{tag}")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _msg_row(file: Path) -> dict:
    import extract_msg  # the .msg (OLE compound file) reader; imported only when a .msg is read

    try:
        message = extract_msg.openMsg(str(file), strict=False)
    except Exception as exc:  # extract-msg raises many kinds for a file that is not a .msg
        raise InputFileError(file, f"cannot be read as an Outlook .msg file: {parser_complaint(exc)}") from None
    try:
        headers = message.headerText if _property(message, "007D") else None
        parsed = email.message_from_string(headers, policy=email.policy.compat32) if headers else None
        when = None
        if parsed is not None and parsed.get("Date"):
            try:
                when = email.utils.parsedate_to_datetime(parsed["Date"])
            except (TypeError, ValueError, IndexError):
                when = None
        for tag in ("0039", "0E06"):  # PR_CLIENT_SUBMIT_TIME, PR_MESSAGE_DELIVERY_TIME
            if when is None:
                when = _time_property(message, tag)
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        address = (_property(message, "5D01")
                   or _property(message, "0C1F"))
        name = _property(message, "0C1A")
        if address and "@" not in address:  # an Exchange DN: not an address anyone can match
            address = None
        sender = (f"{name} <{address}>" if name else address) if address else (parsed or {}).get("From")
        listed = [f"{r.name} <{r.email}>" if r.name else r.email
                  for r in message.recipients if r.email and "@" in r.email and int(r.type) in (1, 2)]
        return {
            "timestamp": when.isoformat() if when is not None else None,
            "sender": sender,
            "recipients": ", ".join(listed),
            "event_id": (_property(message, "1035")
                         or ((parsed or {}).get("Message-ID") or "").strip() or None),
            "subject": message.subject,
            "body": message.body if isinstance(message.body, str) else None,
            **_machine(parsed, message.subject, [(parsed or {}).get("Content-Type", "")], sender,
                       _property(message, "001A")),
            "draft": False,
            "source_file": str(file), "source_row": 1,
        }
    finally:
        message.close()


def _time_property(message, tag: str):
    value = message.props.get(f"{tag}0040")
    return getattr(value, "value", None)


def _finish(frame: pd.DataFrame, options, source: str) -> Adapted:
    frame = frame.assign(channel="email")
    drafts = pd.Series("not correspondence: a draft (never sent)", index=frame.index).where(frame["draft"])
    frame, not_sent = reject_rows(frame, drafts, "channel", RejectCode.NOT_A_CONTACT, value=frame["subject"])
    frame, machine = reject_automatic(frame, frame["automatic"], frame["evidence"])
    undated = pd.Series("no usable date (no Date header, submit or delivery time)",
                        index=frame.index).where(frame["timestamp"].isna())
    frame, no_time = reject_rows(frame, undated, "timestamp", RejectCode.MISSING_VALUE, value=frame["subject"])
    candidate, direction, contact, why, codes = resolve_mail(frame, options.roster, options.employer_domains)
    frame = frame.assign(candidate_id=candidate, direction=direction, contact=contact)
    frame, unmatched = reject_rows(frame, why, "candidate_id", codes, value=frame["sender"])
    return Adapted(frame.drop(columns=["automatic", "evidence", "draft"]),
                   stack_rejects(not_sent, machine, no_time, unmatched), source)


def read_msg(path: Path, options) -> Adapted:
    frame = pd.DataFrame([_msg_row(path)], columns=COLUMNS)
    return _finish(frame, options, "msg")


def read_graph(path: Path, options) -> Adapted:
    return _finish(_graph_rows(path), options, "graph")
