"""Twilio call records: REST API pages, BulkExport JSON Lines, and the console's CSV download.

Follows the Call resource of the 2010-04-01 API (``twilio/twilio-go:rest/api/v2010/docs/
ApiV2010Call.md``; status enum from the OpenAPI spec; status meanings from Twilio support
article 223132547) and the BulkExport docs (daily gzip JSON Lines, Call resources without
``uri``).

* JSON: ``GET /2010-04-01/Accounts/{Sid}/Calls.json`` pages ``{"calls": [...], "next_page_uri",
  …}`` (one page, an array, or JSON Lines of pages) and BulkExport files (one call per line,
  ``.jsonl`` or ``.jsonl.gz``). Times are RFC 2822 (``Tue, 05 Mar 2024 21:14:06 +0000``) or
  ISO 8601; ``duration`` is a string of seconds.
* CSV: the console download's headers are **not publicly documented**; they are matched
  through an alias table (``Call Sid``/``Sid``, ``Parent Call Sid``, ``From``, ``To``,
  ``Direction``, ``Status``, ``Start Time``/``Date``, ``Duration``, ``Answered By``).

Outcomes: ``completed`` ⇒ connected (voicemail when answering-machine detection says
``machine…``), ``busy`` ⇒ busy, ``no-answer`` ⇒ missed, ``canceled`` ⇒ hang_up ("an incoming
call was disconnected by the calling party"). ``failed`` (the carrier could not connect) and
calls still ``queued``/``ringing``/``in-progress`` are reported as rejected.

A forwarded inbound call has two records: the parent ``inbound`` leg, answered by the
application and so usually ``completed``, and a child ``outbound-dial`` leg (``<Dial>``) whose
status is what really happened. The attempt is counted once — on the parent, with the child's
outcome and duration — and the child is reported as a duplicate of it. When a parent dialled
several legs, the best outcome wins (someone answered). A child whose parent is not in the file
stands on its own. A call listed twice (overlapping pages) is counted once.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import read_records
from .calls import collapse, finish, rename_by_alias
from .records import Adapted, column, load_documents, provenance, records_under, reject_rows

STATUSES = {"completed": "connected", "busy": "busy", "no-answer": "missed", "canceled": "hang_up"}
RANK = {"completed": 0, "busy": 1, "no-answer": 2, "canceled": 3}
DIRECTIONS = {"inbound": "inbound", "outbound-api": "outbound", "outbound-dial": "outbound",
              "trunking-originating": "outbound", "trunking-terminating": "inbound",
              "trunking_originating": "outbound", "trunking_terminating": "inbound"}
CSV_ALIASES = {
    "sid": ("call sid", "sid", "callsid"),
    "parent_call_sid": ("parent call sid", "parentcallsid", "parent sid"),
    "from": ("from",), "to": ("to",),
    "direction": ("direction",),
    "status": ("status", "call status"),
    "start_time": ("start time", "starttime", "date", "date created"),
    "duration": ("duration", "duration seconds", "duration (seconds)"),
    "answered_by": ("answered by", "answeredby"),
}


def is_page(document) -> bool:
    return isinstance(document, dict) and isinstance(document.get("calls"), list)


def is_record(record) -> bool:
    return isinstance(record, dict) and "sid" in record and "status" in record and "direction" in record


def csv_matches(headers: set[str]) -> bool:
    return bool(headers & {"call sid", "sid", "callsid"}) and "status" in headers


def _calls(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        raw = rename_by_alias(read_records(path, {}), CSV_ALIASES)
        raw["source_file"] = raw["source_file"].astype(str)
        return raw
    records = records_under(load_documents(path), ("calls",))
    return provenance(pd.json_normalize(records, max_level=0) if records else pd.DataFrame(), path)


def read(path: Path, options) -> Adapted:
    calls = _calls(path)
    status = column(calls, "status").astype("string").str.strip().str.lower()
    frame = pd.DataFrame({
        "sid": column(calls, "sid").astype("string"),
        "parent": column(calls, "parent_call_sid").astype("string").replace("", pd.NA),
        "status": status,
        "timestamp": column(calls, "start_time"),
        "direction_raw": column(calls, "direction").astype("string").str.strip().str.lower(),
        "duration_s": pd.to_numeric(column(calls, "duration"), errors="coerce"),
        "answered_by": column(calls, "answered_by").astype("string").str.lower(),
        "caller": column(calls, "from"), "callee": column(calls, "to"),
        "source_file": calls["source_file"], "source_row": calls["source_row"],
    })
    # Overlapping pages (a re-run fetch, BulkExport beside API pages in one file) repeat a call.
    frame, repeats = collapse(frame, "sid", pd.Series(0, index=frame.index), "call")
    # Each parent takes its best child leg's outcome; those children are reported as duplicates.
    has_parent = frame["parent"].isin(frame["sid"])
    children = frame[has_parent].assign(_rank=frame["status"].map(RANK).fillna(9))
    best = children.sort_values(["_rank", "source_row"], kind="stable").drop_duplicates("parent")
    best = best.set_index("parent")
    forwarded = frame["sid"].isin(best.index)
    for name in ("status", "duration_s", "answered_by"):
        frame[name] = frame[name].where(~forwarded, frame["sid"].map(best[name]))
    parent_row = frame.set_index("sid")["source_row"]
    reasons = pd.Series(None, index=frame.index, dtype=object)
    reasons[has_parent.to_numpy()] = ("child <Dial> leg of " + frame.loc[has_parent, "parent"]
                                      + ": the call is counted once, on row "
                                      + frame.loc[has_parent, "parent"].map(parent_row).astype(str)
                                      + ", with this leg's outcome")
    frame, legs = reject_rows(frame, reasons, "event_id", kind="duplicate", value=frame["sid"])

    outcome = frame["status"].map(STATUSES)
    machine = frame["answered_by"].str.startswith("machine").fillna(False)
    outcome = outcome.mask((outcome == "connected") & machine, "voicemail")
    frame = frame.assign(outcome=outcome, direction=frame["direction_raw"].map(DIRECTIONS),
                         event_id="tw:" + frame["sid"], note="Twilio status: " + frame["status"])
    reasons = pd.Series(None, index=frame.index, dtype=object)
    failed = frame["status"] == "failed"
    reasons[failed.fillna(False).to_numpy()] = "not a contact attempt: Twilio status failed (the carrier could not connect)"
    live = frame["status"].isin(["queued", "ringing", "in-progress", "initiated"])
    reasons[live.to_numpy()] = "call still " + frame.loc[live, "status"] + ": no outcome yet"
    unknown = outcome.isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Twilio status " + frame.loc[unknown, "status"].fillna("(empty)")
                                   + "; expected completed, busy, no-answer, canceled or failed")
    frame, not_calls = reject_rows(frame, reasons, "outcome", value=frame["status"])
    odd = frame["direction"].isna()
    frame, no_direction = reject_rows(
        frame, pd.Series("unknown Twilio direction " + frame["direction_raw"].fillna("(empty)"),
                         index=frame.index).where(odd), "direction", value=frame["direction_raw"])
    return finish(frame, [repeats, legs, not_calls, no_direction], options, "twilio")
