"""Google Voice, from Google Takeout (Voice → ``Takeout/Voice/Calls/``): one HTML file per call,
voicemail or text conversation, named ``{contact} - {Kind} - {UTC time}.html``.

Google does not document these files; their shape is the hCard/hAudio microformat markup every
Takeout carries (as the public Takeout converters read it): ``<abbr class="published"
title="2016-11-22T09:57:49.000-08:00">`` the time with its offset, ``<a class="tel"
href="tel:+1…">`` the other party, ``<abbr class="duration" title="PT1M22S">`` an ISO 8601
duration, and the heading's kind: *Received call from*, *Placed call to*, *Missed call from*,
*Voicemail from*.

* Received ⇒ inbound, connected; Missed ⇒ inbound, missed; Voicemail ⇒ inbound, voicemail;
  Placed ⇒ outbound — Google keeps no answer status for placed calls, so one with a duration is
  connected and one without is missed.
* Text conversations (``- Text -``: ``<div class="hChatLog hfeed">``, one ``<div
  class="message">`` per text with ``<abbr class="dt" title="…">`` its time and ``<cite
  class="sender vcard">`` its sender — the other party's ``<a class="tel">``, or ``<abbr
  class="fn">Me</abbr>``): one ``sms`` row per text, inbound from the other party or outbound
  from Me (to the conversation's other party: the number of its other messages, else the one
  in the file name). A group conversation (``<div class="participants">``) is not between the
  recruiter and one candidate and is rejected, each text accounted for; so is a conversation
  that never names the other party's number.
* Recorded calls (which say no direction) are accounted for as rejected, not read yet.

Parsing is per file with the standard library's :mod:`html.parser`; identity is decided over
the whole table at once. Give one file or the ``Calls`` folder (expanded by :mod:`.folders`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from .calls import finish
from .identity import resolve_calls
from ..schema import RejectCode
from .records import Adapted, reject_rows, stack_rejects

KINDS = {"received call": ("inbound", "connected"), "missed call": ("inbound", "missed"),
         "voicemail": ("inbound", "voicemail"), "placed call": ("outbound", None)}
_DURATION = re.compile(r"^P(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


class _Call(HTMLParser):
    """The microformat fields of one Takeout Voice page."""

    def __init__(self):
        super().__init__()
        self.published = self.duration = self.tel = None
        self.heading, self._in_fn = "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "abbr" and "published" in classes and self.published is None:
            self.published = attrs.get("title")
        elif tag == "abbr" and "duration" in classes:
            self.duration = attrs.get("title")
        elif tag == "a" and "tel" in classes and self.tel is None:
            self.tel = (attrs.get("href") or "").removeprefix("tel:") or None
        elif tag == "span" and "fn" in classes and not self.heading:
            self._in_fn = True

    def handle_data(self, data):
        if self._in_fn:
            self.heading += data

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_fn = False


class _Texts(HTMLParser):
    """The texts of one Takeout conversation page: (time, sender number, sent by Me)."""

    def __init__(self):
        super().__init__()
        self.messages: list[dict] = []
        self.group = False
        self._in_sender = self._in_fn = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and "message" in classes:
            self.messages.append({"time": None, "tel": None, "me": False, "name": ""})
        elif tag == "div" and "participants" in classes:
            self.group = True
        elif not self.messages:
            return
        elif tag == "abbr" and "dt" in classes:
            self.messages[-1]["time"] = attrs.get("title")
        elif tag == "cite" and "sender" in classes:
            self._in_sender = True
        elif self._in_sender and tag == "a" and "tel" in classes:
            self.messages[-1]["tel"] = (attrs.get("href") or "").removeprefix("tel:") or None
        elif self._in_sender and "fn" in classes:
            self._in_fn = True

    def handle_data(self, data):
        if self._in_fn:
            self.messages[-1]["name"] += data

    def handle_endtag(self, tag):
        if tag == "cite":
            self._in_sender = False
        if tag in ("span", "abbr"):
            self._in_fn = False


def _texts(file: Path, text: str) -> pd.DataFrame:
    page = _Texts()
    page.feed(text)
    texts = pd.DataFrame(page.messages, columns=["time", "tel", "me", "name"])
    texts["me"] = texts["name"].str.strip().str.casefold() == "me"
    others = texts.loc[~texts["me"], "tel"].dropna().unique()
    named = re.match(r"^(\+\d{7,15}) - ", file.name)
    other = others[0] if len(others) == 1 else (named[1] if named and not len(others) else None)
    why = pd.Series(None, index=texts.index, dtype=object)
    code = None
    if page.group or len(others) > 1:
        why[:], code = "not a contact with one person: a Google Voice group conversation", RejectCode.NOT_A_CONTACT
    elif other is None:
        why[:] = "unmatched: the Google Voice conversation never names the other party's number"
        code = RejectCode.UNMATCHED
    inbound = ~texts["me"]
    tel = texts["tel"].where(inbound, other)
    return pd.DataFrame({
        "timestamp": texts["time"], "channel": "sms",
        "direction": pd.Series("outbound", index=texts.index).where(~inbound, "inbound"),
        "caller": tel.where(inbound), "callee": tel.where(~inbound), "why": why, "why_code": code,
        "event_id": "gv:" + file.stem + "#" + (texts.index + 1).astype(str),
        "note": "Google Voice text",
        "source_file": str(file), "source_row": texts.index + 1,
    })


def _read_texts(path: Path, text: str, options):
    frame = _texts(path, text)
    frame, not_contacts = reject_rows(frame, frame["why"], "candidate_id", frame["why_code"], value=frame["note"])
    candidate, contact, why, codes = resolve_calls(frame, options.roster, options.default_region)
    frame = frame.assign(candidate_id=candidate, contact=contact)
    frame, unmatched = reject_rows(frame, why, "candidate_id", codes,
                                   value=frame["caller"].where(frame["direction"] == "inbound", frame["callee"]))
    columns = ["candidate_id", "timestamp", "channel", "direction", "contact", "event_id", "note",
               "source_file", "source_row"]
    return Adapted(frame[columns], stack_rejects(not_contacts, unmatched), "google-voice")


def _seconds(text: str | None) -> float | None:
    match = _DURATION.match(text or "")
    if not match:
        return None
    h, m, s = (float(match[g]) if match[g] else 0.0 for g in ("h", "m", "s"))
    return h * 3600 + m * 60 + s


def is_takeout_page(head: bytes) -> bool:
    return b'class="haudio"' in head or b'class="hChatLog' in head


def _row(file: Path, text: str) -> dict:
    page = _Call()
    page.feed(text)
    heading = " ".join(page.heading.split()).lower()
    kind = next((k for k in KINDS if heading.startswith(k)), None)
    direction, outcome = KINDS.get(kind, (None, None))
    duration = _seconds(page.duration)
    if kind == "placed call":
        outcome = "connected" if duration else "missed"
    why = None
    if kind is None:
        why = f"not read yet: a Google Voice page of kind {heading or '(none)'!r}"
    return {"timestamp": page.published, "direction": direction, "outcome": outcome,
            "duration_s": duration, "tel": page.tel, "why": why,
            "event_id": "gv:" + file.stem, "note": "Google Voice: " + (heading or "(no heading)"),
            "source_file": str(file), "source_row": 1}


def read(path: Path, options):
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc}") from None
    if 'class="hChatLog' in text:
        return _read_texts(path, text, options)
    frame = pd.DataFrame([_row(path, text)],
                         columns=["timestamp", "direction", "outcome", "duration_s", "tel", "why", "event_id",
                                  "note", "source_file", "source_row"])
    frame, not_calls = reject_rows(frame, frame["why"], "channel", RejectCode.NOT_READ, value=frame["note"])
    inbound = frame["direction"] == "inbound"
    frame = frame.assign(caller=frame["tel"].where(inbound), callee=frame["tel"].where(~inbound),
                         call_key=frame["event_id"])
    return finish(frame.drop(columns=["why", "tel"]), [not_calls], options, "google-voice")
