"""Zoom Phone call logs exported from the admin portal (Phone System Management → Call Logs →
Export) or a user's web portal (Phone → Call History → Export) as CSV.

Zoom does not publish the CSV's headers; they are matched through an alias table of the call
log fields its API and *Understand Zoom Phone call history* guide name: ``Date & Time`` /
``Start Time``, ``Direction`` (``Inbound``/``Outbound``), ``Caller Name``/``Caller Number``,
``Callee Name``/``Callee Number``, ``Result`` (the same spellings as the API: *Call connected*,
*Voicemail*, *No Answer*, *Hang Up*, *Busy*, …, read by :data:`followup.sources.zoom.RESULTS`),
``Duration`` (seconds or ``hh:mm:ss``), ``Call ID`` and ``Has Voicemail``/``Voicemail``.

Times are the portal's local times without an offset: they are read in ``--tz`` (the zone the
admin portal is set to). Outcomes, rejections (blocked or failed calls, unknown results) and one
``Call ID`` listed twice are handled as for the API (:mod:`followup.sources.zoom`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import read_records
from ..schema import RejectCode, fold
from .calls import OUTCOME_RANK, collapse, duration_seconds, finish, rename_by_alias, with_left_messages
from .records import Adapted, coded, column, headed_like, reject_rows
from .zoom import NOT_ATTEMPTS, RESULTS

ALIASES = {
    "time": ("date & time", "date and time", "date time", "start time", "date"),
    "direction": ("direction", "call direction"),
    "caller": ("caller number", "caller number (ext)", "from number"),
    "caller_name": ("caller name", "from name"),
    "callee": ("callee number", "callee number (ext)", "to number"),
    "callee_name": ("callee name", "to name"),
    "result": ("result", "call result"),
    "duration": ("duration", "duration (seconds)", "call duration"),
    "call_id": ("call id", "callid"),
    "voicemail": ("has voicemail", "voicemail"),
}


def csv_matches(headers: set[str]) -> bool:
    """``headers`` lower-cased and stripped."""
    return bool(headers & {"caller number", "caller name"}) and bool(headers & {"callee number", "callee name"}) and bool(
        headers & {"result", "call result"})


def read(path: Path, options) -> Adapted:
    raw = rename_by_alias(read_records(path, {}, sheet_test=headed_like(csv_matches)), ALIASES)
    result = column(raw, "result").astype("string").str.strip()
    folded = result.fillna("").map(fold)
    outcome = folded.map(RESULTS)
    voicemail = column(raw, "voicemail").astype("string").str.strip().str.lower().isin(["yes", "true", "1"])
    outcome = with_left_messages(outcome, voicemail)
    direction = column(raw, "direction").astype("string").str.strip().str.lower()
    call_id = column(raw, "call_id").astype("string").str.strip()
    frame = pd.DataFrame({
        "timestamp": column(raw, "time"),
        "direction": direction.where(direction.isin(["inbound", "outbound"])),
        "direction_raw": direction,
        "outcome": outcome,
        "duration_s": pd.to_numeric(duration_seconds(column(raw, "duration")), errors="coerce"),
        "caller": column(raw, "caller"), "callee": column(raw, "callee"),
        "caller_name": column(raw, "caller_name"), "callee_name": column(raw, "callee_name"),
        "call": call_id,
        "event_id": "zoom:" + call_id,
        "note": "Zoom Phone result: " + result.fillna("(empty)"),
        "source_file": raw["source_file"].astype(str), "source_row": raw["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    failed = folded.isin(NOT_ATTEMPTS)
    reasons[failed.to_numpy()] = "not a contact attempt: Zoom Phone result " + result[failed]
    unknown = frame["outcome"].isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Zoom Phone result " + result[unknown].fillna("(empty)")
                                   + "; expected Call connected, Voicemail, No Answer, Hang Up, Busy, …")
    odd = frame["direction"].isna() & reasons.isna()
    reasons[odd.to_numpy()] = "unknown Zoom Phone direction " + frame.loc[odd, "direction_raw"].fillna("(empty)")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((failed, RejectCode.NOT_A_CONTACT), (unknown, RejectCode.UNKNOWN_OUTCOME),
                                         (odd, RejectCode.UNKNOWN_DIRECTION)), value=result)
    frame, repeats = collapse(frame, "call", frame["outcome"].map(OUTCOME_RANK), "call")
    frame = frame.assign(call_key=frame["event_id"])  # the same call in an API page is a duplicate
    return finish(frame.drop(columns=["direction_raw", "call"]), [not_calls, repeats], options, "zoom")
