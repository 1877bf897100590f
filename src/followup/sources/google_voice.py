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
* Text conversations (``- Text -``, group conversations) and recorded calls (which say no
  direction) are accounted for as rejected, not read yet.

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
from .records import reject_rows

KINDS = {"received call": ("inbound", "connected"), "missed call": ("inbound", "missed"),
         "voicemail": ("inbound", "voicemail"), "placed call": ("outbound", None)}
_DURATION = re.compile(r"^P(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


class _Call(HTMLParser):
    """The microformat fields of one Takeout Voice page."""

    def __init__(self):
        super().__init__()
        self.published = self.duration = self.tel = None
        self.heading, self._in_fn, self.chat = "", False, False

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
        elif "hChatLog" in classes:
            self.chat = True

    def handle_data(self, data):
        if self._in_fn:
            self.heading += data

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_fn = False


def _seconds(text: str | None) -> float | None:
    match = _DURATION.match(text or "")
    if not match:
        return None
    h, m, s = (float(match[g]) if match[g] else 0.0 for g in ("h", "m", "s"))
    return h * 3600 + m * 60 + s


def is_takeout_page(head: bytes) -> bool:
    return b'class="haudio"' in head or b'class="hChatLog' in head


def _row(file: Path) -> dict:
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputFileError(file, f"cannot be read: {exc}") from None
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
        why = ("not read yet: a Google Voice text conversation" if page.chat or " - Text - " in file.name
               else f"not read yet: a Google Voice page of kind {heading or '(none)'!r}")
    return {"timestamp": page.published, "direction": direction, "outcome": outcome,
            "duration_s": duration, "tel": page.tel, "why": why,
            "event_id": "gv:" + file.stem, "note": "Google Voice: " + (heading or "(no heading)"),
            "source_file": str(file), "source_row": 1}


def read(path: Path, options):
    frame = pd.DataFrame([_row(path)],
                         columns=["timestamp", "direction", "outcome", "duration_s", "tel", "why", "event_id",
                                  "note", "source_file", "source_row"])
    frame, not_calls = reject_rows(frame, frame["why"], "channel", value=frame["note"])
    inbound = frame["direction"] == "inbound"
    frame = frame.assign(caller=frame["tel"].where(inbound), callee=frame["tel"].where(~inbound),
                         call_key=frame["event_id"])
    return finish(frame.drop(columns=["why", "tel"]), [not_calls], options, "google-voice")
