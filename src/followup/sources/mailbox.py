"""Mailboxes: mbox files (Gmail Takeout, Thunderbird, ``mutt``) and ``.eml`` files (one by one, or
from a folder: see :mod:`followup.sources.folders`), read with the standard library's
:mod:`mailbox` and :mod:`email`.

Follows RFC 5322 (§3.6.1 ``Date``, §3.6.2 ``From``, §3.6.3 ``To``/``Cc``, §3.6.4 ``Message-ID``)
and, for Gmail Takeout, its ``X-Gmail-Labels`` and ``X-GM-THRID`` headers.

* **Time**: the ``Date`` header with its own offset; ``-0000`` ("zone unknown") is read as UTC.
  A message with no usable ``Date`` falls back to the last ``Received:`` header's date, then to
  the mbox ``From`` line, and the note says which was used; with none, it is rejected.
* **Who**: a sender in the roster makes the message inbound (candidate → employer), a sender on
  an ``--employer-domain`` outbound, with the candidate the one roster person among To/Cc;
  ``contact`` is the first employer recipient (the person addressed). One message is one event.
* **Copies**: ``event_id`` is the Message-ID, so the same message in two files (Sent and Inbox,
  or a Takeout split into ``Mail-001.mbox``, ``Mail-002.mbox``) is counted once and the copy is
  reported as a duplicate.
* **Machine-sent mail** (out-of-office replies, calendar responses, bounces, bulk mail; see
  :mod:`followup.sources.automatic`) is reported as rejected, "not a contact", with its code.
* **Not mail**: Takeout messages labelled ``Chat`` (chat transcripts), ``Spam`` or ``Trash`` are
  reported as rejected with the label.

Parsing is per message (there is no columnar mail format); identity and direction are then
decided over the whole table at once.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import html
import mailbox
import re
from datetime import timezone
from pathlib import Path

import pandas as pd

from .automatic import classify, reject_automatic
from .identity import resolve_mail
from ..schema import RejectCode
from .records import Adapted, reject_rows, stack_rejects

SKIPPED_LABELS = ("chat", "spam", "trash")


def _header(message, name: str) -> str | None:
    values = message.get_all(name)
    if not values:
        return None
    try:
        return ", ".join(str(email.header.make_header(email.header.decode_header(str(v)))) for v in values)
    except (UnicodeError, LookupError, email.errors.HeaderParseError):
        return ", ".join(str(v) for v in values)


_HTML_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
_HTML_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")


def html_text(markup: str) -> str:
    r"""The readable text of an HTML mail body: line breaks kept, tags and entities gone.

    >>> html_text("<p>Dear Mei,</p><p>Thank you &amp; see you</p>")
    'Dear Mei,\nThank you & see you\n'
    """
    text = _HTML_HIDDEN.sub("", markup)
    text = _HTML_BREAK.sub("\n", text)
    return html.unescape(_HTML_TAG.sub("", text))


def message_text(message) -> str | None:
    """The message's own text, kept only to judge thank-you notes (:mod:`followup.notes`): the
    first ``text/plain`` part that is not an attachment, else the first ``text/html`` one as text."""
    found = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html") or kind in found or part.get_filename():
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            found[kind] = payload.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            found[kind] = payload.decode("utf-8", errors="replace")
    if "text/plain" in found:
        return found["text/plain"]
    return html_text(found["text/html"]) if "text/html" in found else None


def _date(text: str | None):
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 5322 "-0000": the sender's zone is unknown, the time is UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _when(message, from_line: str | None):
    """(ISO time, which header gave it) following the documented fallbacks."""
    moment = _date(message.get("Date"))
    if moment is not None:
        return moment.isoformat(), None
    received = message.get_all("Received") or []
    if received:
        moment = _date(str(received[-1]).rpartition(";")[2])
        if moment is not None:
            return moment.isoformat(), "time from the Received header (no usable Date)"
    if from_line:
        moment = _date(from_line.split(None, 1)[1] if " " in from_line else None)
        if moment is not None:
            return moment.isoformat(), "time from the mbox From line (no usable Date)"
    return None, None


def _row(message, source_file: str, source_row: int, from_line: str | None = None) -> dict:
    when, fallback = _when(message, from_line)
    labels = _header(message, "X-Gmail-Labels") or ""
    skipped = next((part.strip() for part in labels.split(",") if part.strip().lower() in SKIPPED_LABELS), None)
    subject = _header(message, "Subject")
    machine = classify(message, subject, [part.get("Content-Type", "") for part in message.walk()],
                       _header(message, "From"))
    return {
        "timestamp": when,
        "date_raw": message.get("Date"),
        "sender": _header(message, "From"),
        "recipients": ", ".join(filter(None, (_header(message, "To"), _header(message, "Cc")))),
        "event_id": (message.get("Message-ID") or "").strip() or None,
        "subject": subject,
        "note": fallback,
        "body": message_text(message),
        "label": skipped,
        "automatic": machine.kind if machine else None,
        "evidence": machine.evidence if machine else None,
        "source_file": source_file,
        "source_row": source_row,
    }


def _messages(path: Path) -> list[dict]:
    if path.suffix.lower() == ".eml":
        with open(path, "rb") as handle:
            return [_row(email.message_from_binary_file(handle), str(path), 1)]
    box = mailbox.mbox(path, create=False)
    try:
        return [_row(message, str(path), number, message.get_from())
                for number, message in enumerate(box, 1)]
    finally:
        box.close()


def read(path: Path, options) -> Adapted:
    frame = pd.DataFrame(_messages(path), columns=["timestamp", "date_raw", "sender", "recipients", "event_id",
                                                    "subject", "note", "body", "label", "automatic", "evidence",
                                                    "source_file", "source_row"])
    frame["channel"] = "email"
    labelled = frame["label"].where(frame["label"].isna(), "not correspondence: Gmail label " + frame["label"].astype(str))
    frame, not_mail = reject_rows(frame, labelled, "channel", RejectCode.NOT_A_CONTACT, value=frame["label"])
    frame, machine = reject_automatic(frame, frame["automatic"], frame["evidence"])
    undated = pd.Series("no usable Date, Received or From-line time", index=frame.index).where(frame["timestamp"].isna())
    frame, no_time = reject_rows(frame, undated, "timestamp", RejectCode.MISSING_VALUE, value=frame["date_raw"])
    candidate, direction, contact, why, codes = resolve_mail(frame, options.roster, options.employer_domains)
    frame = frame.assign(candidate_id=candidate, direction=direction, contact=contact)
    frame, unmatched = reject_rows(frame, why, "candidate_id", codes, value=frame["sender"])
    source = "eml" if path.suffix.lower() == ".eml" else "mbox"
    return Adapted(frame.drop(columns=["date_raw", "label", "automatic", "evidence"]),
                   stack_rejects(not_mail, machine, no_time, unmatched), source)
