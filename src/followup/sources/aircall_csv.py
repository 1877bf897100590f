"""Aircall's call history CSV (Dashboard → Calls/Analytics → Export).

Aircall documents the *fields* of its Call History page and Analytics+ drill-down (support
article 13395542101661, *Analytics: Call attributes*) but not the CSV's exact headers, so they
are matched through an alias table of those field names: ``Call ID (internal)`` (the API's call
id), ``Call direction`` (``Inbound``/``Outbound``), ``Call type`` (inbound: ``Answered``,
``Abandoned``, ``Out of business hours``, ``Voicemail``, ``Missed``, ``AI Call``; outbound:
``Outbound``) or the combined ``Call direction - Type`` (``Inbound - Answered``), ``Answered``
(``Yes``/``No``: an outbound call is answered when the recipient — or their voicemail — picks
up), ``Unanswered Call Reason``, the external party's number, the Aircall line, the user, the
start time and the duration (seconds or ``h:mm:ss``).

Outcome: Answered ⇒ connected; Voicemail ⇒ voicemail; Abandoned ⇒ hang_up (the caller hung up
first); Missed and Out of business hours ⇒ missed; Outbound ⇒ connected when answered, else
missed. An ``AI Call`` handled wholly by Aircall's voice agent never reached a recruiter and is
rejected as not a contact. Times without an offset are read in ``--tz`` (a header naming UTC
reads them as UTC). The same call id as in an API page is one call (see
``followup.sources.cross_file_calls``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import read_records
from .calls import collapse, duration_seconds, finish, rename_by_alias
from ..schema import RejectCode
from .records import Adapted, coded, column, headed_like, reject_rows

ALIASES = {
    "id": ("call id (internal)", "call id", "id"),
    "direction": ("call direction", "direction"),
    "type": ("call type",),
    "direction_type": ("call direction - type", "call direction type"),
    "answered": ("answered",),
    "reason": ("unanswered call reason", "missed call reason"),
    "time": ("date (utc)", "started at (utc)", "started at", "start time", "date and time", "date", "call date"),
    "duration": ("duration (total)", "total duration", "duration", "duration (in seconds)"),
    "external": ("external number", "contact number", "customer number", "phone number", "raw digits"),
    "line": ("aircall number", "number", "line", "number digits"),
    "user": ("user", "user name", "teammate", "agent"),
}
TYPES = {"answered": "connected", "voicemail": "voicemail", "abandoned": "hang_up", "missed": "missed",
         "out of business hours": "missed"}


def csv_matches(headers: set[str]) -> bool:
    """``headers`` lower-cased and stripped: Aircall's own field names, which no other export uses."""
    return ("call direction - type" in headers or "call id (internal)" in headers or "unanswered call reason" in headers
            or ("call direction" in headers and "call type" in headers and "answered" in headers))


def read(path: Path, options) -> Adapted:
    raw = read_records(path, {}, sheet_test=headed_like(csv_matches))
    in_utc = any("utc" in str(c).lower() for c in raw.columns if str(c).lower().startswith(("date", "started")))
    raw = rename_by_alias(raw, ALIASES)
    combined = column(raw, "direction_type").astype("string").str.split(r"\s+-\s+", n=1, regex=True)
    direction = column(raw, "direction").astype("string").where(column(raw, "direction").notna(), combined.str[0])
    direction = direction.str.strip().str.lower()
    kind = column(raw, "type").astype("string").where(column(raw, "type").notna(), combined.str[1])
    kind = kind.fillna(direction.where(direction == "outbound")).str.strip().str.lower()
    answered = column(raw, "answered").astype("string").str.strip().str.lower().isin(["yes", "true", "1"])
    outcome = kind.map(TYPES).astype(object)
    outbound_kind = (kind == "outbound").fillna(False)
    outcome[outbound_kind.to_numpy()] = answered[outbound_kind].map({True: "connected", False: "missed"})
    inbound = direction == "inbound"
    external, line, user = column(raw, "external"), column(raw, "line"), column(raw, "user")
    when = column(raw, "time").astype("string").str.strip()
    when = when + "+00:00" if in_utc else when
    frame = pd.DataFrame({
        "timestamp": when,
        "direction": direction.where(direction.isin(["inbound", "outbound"])),
        "direction_raw": direction,
        "outcome": outcome,
        "duration_s": pd.to_numeric(duration_seconds(column(raw, "duration")), errors="coerce"),
        "caller": external.where(inbound, line), "callee": line.where(inbound, external),
        "caller_name": pd.Series(pd.NA, index=raw.index, dtype=object).where(inbound, user),
        "callee_name": user.where(inbound),
        "event_id": "aircall:" + column(raw, "id").astype("string").str.strip(),
        "note": "Aircall: " + kind.fillna("(no call type)")
                + column(raw, "reason").astype("string").map(lambda r: f", {r}" if isinstance(r, str) and r else ""),
        "kind": kind,
        "source_file": raw["source_file"].astype(str), "source_row": raw["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    robot = (frame["kind"] == "ai call").fillna(False)
    reasons[robot.to_numpy()] = "not a contact: an AI Call, handled by Aircall's voice agent, reached no recruiter"
    unknown = frame["outcome"].isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Aircall call type " + frame.loc[unknown, "kind"].fillna("(empty)")
                                   + "; expected Answered, Voicemail, Abandoned, Missed, Out of business hours, Outbound")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Aircall direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((robot, RejectCode.NOT_A_CONTACT), (unknown, RejectCode.UNKNOWN_OUTCOME),
                                         (odd, RejectCode.UNKNOWN_DIRECTION)), value=frame["kind"])
    frame, repeats = collapse(frame, "event_id", pd.Series(0, index=frame.index), "call")
    frame = frame.assign(call_key=frame["event_id"])  # the same call in an API page is a duplicate
    return finish(frame.drop(columns=["direction_raw", "kind"]), [not_calls, repeats], options, "aircall")
