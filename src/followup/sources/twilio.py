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

A forwarded inbound call has several records: the parent ``inbound`` leg, answered by the
application and so usually ``completed``, and a child ``outbound-dial`` leg (``<Dial>``) per phone
rung. The call is counted once, on the parent, worked out from all of its legs (the rules are in
:func:`_settle_forwarded_calls`; a rung-out forward the caller stayed on after is a voicemail),
and the legs are reported as duplicates of it. The legs may be split across the run's
Twilio files (parents in one, children in another): they are settled the same way, each record
accounted for in its own file. A child whose parent is in none of them stands on its own. A call listed twice (overlapping pages) is counted once.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import EXCEL_SUFFIXES, TEXT_SUFFIXES, read_records
from ..schema import fold
from .calls import OUTCOME_RANK, collapse, finish, rename_by_alias
from ..schema import RejectCode
from .records import Adapted, coded, column, headed_like, load_documents, provenance, records_under, reject_rows

STATUSES = {"completed": "connected", "busy": "busy", "no-answer": "missed", "canceled": "hang_up"}
# What a forwarded <Dial> leg's status says about the call when the caller did not stay on.
LEG_OUTCOMES = {**STATUSES, "failed": "missed"}
# Several legs of one call: the one that says most about the attempt wins.
# A caller still on the line this long after the forward gave up reached the application's
# next verb (the voicemail prompt); a shorter tail is the "sorry, goodbye" of a bare <Dial>.
STAYED_ON = pd.Timedelta(seconds=10)
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
    "end_time": ("end time", "endtime"),
    "duration": ("duration", "duration seconds", "duration (seconds)"),
    "answered_by": ("answered by", "answeredby"),
}


def is_page(document) -> bool:
    """A Calls page: ``calls`` holding Twilio call records (``sid``, ``status``, ``direction``).
    Other vendors page under ``calls`` too (Aircall: ``id``, ``started_at``), so the records
    decide, not the key."""
    if not (isinstance(document, dict) and isinstance(document.get("calls"), list)):
        return False
    calls = [c for c in document["calls"][:20] if isinstance(c, dict)]
    return any(map(is_record, calls)) or (not calls and "next_page_uri" in document)


def is_record(record) -> bool:
    return isinstance(record, dict) and "sid" in record and "status" in record and "direction" in record


def csv_matches(headers: set[str]) -> bool:
    return bool(headers & {"call sid", "sid", "callsid"}) and "status" in headers


def _calls(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in TEXT_SUFFIXES | EXCEL_SUFFIXES:  # the console CSV, or it saved as a workbook
        raw = rename_by_alias(read_records(path, {}, sheet_test=headed_like(csv_matches, fold)), CSV_ALIASES)
        raw["source_file"] = raw["source_file"].astype(str)
        return raw
    records = records_under(load_documents(path), ("calls",))
    return provenance(pd.json_normalize(records, max_level=0) if records else pd.DataFrame(), path)


def _when(values: pd.Series) -> pd.Series:
    """RFC 2822 (API pages) or ISO 8601 (BulkExport) times as UTC instants."""
    return pd.to_datetime(values.astype("string"), utc=True, format="mixed", errors="coerce")


def _settle_forwarded_calls(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each parent call takes its outcome from all of its <Dial> legs in the file; the legs are
    reported as duplicates of it. Per leg (then the best leg wins, see :data:`OUTCOME_RANK`):

    * answered (``completed``) ⇒ connected with the leg's duration, or voicemail when
      answering-machine detection heard a machine (the recruiter's own voicemail);
    * ``canceled`` ⇒ hang_up: the caller hung up while it rang (Twilio cancels the leg then);
    * ``no-answer``, ``busy`` or ``failed`` while the parent went on ``completed`` for at least
      :data:`STAYED_ON` after the leg ended ⇒ voicemail: the caller stayed on the line and the
      application's next verb took a message; its duration is that time on the line. The leg's
      end is its ``end_time``, else its start plus its duration; the parent's end is its start
      plus its duration;
    * otherwise ``no-answer``/``failed`` ⇒ missed, ``busy`` ⇒ busy.
    """
    start = _when(frame["timestamp"])
    leg_end = _when(frame["end_time"])
    leg_end = leg_end.where(leg_end.notna(), start + pd.to_timedelta(frame["duration_s"].fillna(0), unit="s"))
    call_end = start + pd.to_timedelta(frame["duration_s"].fillna(0), unit="s")
    has_parent = frame["parent"].isin(frame["sid"])
    by_sid = pd.DataFrame({"status": frame["status"].to_numpy(), "end": call_end.to_numpy()},
                          index=frame["sid"].to_numpy())
    by_sid = by_sid[~by_sid.index.duplicated()]
    legs = frame[has_parent]
    parent_status = legs["parent"].map(by_sid["status"])
    stayed = (legs["parent"].map(by_sid["end"]) - leg_end[has_parent]).dt.total_seconds().astype("float64")
    machine = legs["answered_by"].str.startswith("machine").fillna(False)
    unreached = legs["status"].isin(["no-answer", "busy", "failed"])
    voicemail = unreached & (parent_status == "completed") & (stayed >= STAYED_ON.total_seconds())
    outcome = legs["status"].map(LEG_OUTCOMES)
    outcome = outcome.mask((outcome == "connected") & machine, "voicemail").mask(voicemail, "voicemail")
    duration = legs["duration_s"].mask(voicemail, stayed)
    why = ("the <Dial> leg's status " + legs["status"].fillna("(empty)")).astype("string")
    why = why.mask(voicemail, "the forward went unanswered (" + legs["status"].fillna("")
                   + ") and the caller stayed on " + stayed.round().astype("Int64").astype("string") + " s")
    settled = pd.DataFrame({"parent": legs["parent"], "outcome": outcome, "duration_s": duration,
                            "why": why, "rank": outcome.map(OUTCOME_RANK).fillna(9), "row": legs["source_row"]})
    best = settled.sort_values(["rank", "row"], kind="stable").drop_duplicates("parent").set_index("parent")
    forwarded = frame["sid"].isin(best.index)
    frame = frame.assign(
        leg_outcome=frame["sid"].map(best["outcome"]).astype(object),
        duration_s=frame["duration_s"].where(~forwarded, frame["sid"].map(best["duration_s"])),
        leg_note=frame["sid"].map(best["why"]).astype("string"))
    parents = frame.drop_duplicates("sid").set_index("sid")
    children = frame[has_parent]
    parent_file = children["parent"].map(parents["source_file"])
    where = ("row " + children["parent"].map(parents["source_row"]).astype(str)
             + (" of " + parent_file).where(parent_file != children["source_file"], ""))
    reasons = pd.Series(None, index=frame.index, dtype=object)
    reasons[has_parent.to_numpy()] = ("child <Dial> leg of " + children["parent"]
                                      + ": the call is counted once, on " + where + ", from all of its legs")
    first_file = frame["parent"].map(parents["source_file"]).astype(object).to_numpy()
    first_row = frame["parent"].map(parents["source_row"]).fillna(0).astype("int64").to_numpy()
    return reject_rows(frame, reasons, "event_id", RejectCode.DUPLICATE, kind="duplicate", value=frame["sid"],
                       duplicate_of=(first_file, first_row))


def _frame(calls: pd.DataFrame) -> pd.DataFrame:
    status = column(calls, "status").astype("string").str.strip().str.lower()
    return pd.DataFrame({
        "sid": column(calls, "sid").astype("string"),
        "parent": column(calls, "parent_call_sid").astype("string").replace("", pd.NA),
        "status": status,
        "timestamp": column(calls, "start_time"),
        "direction_raw": column(calls, "direction").astype("string").str.strip().str.lower(),
        "duration_s": pd.to_numeric(column(calls, "duration"), errors="coerce"),
        "end_time": column(calls, "end_time"),
        "answered_by": column(calls, "answered_by").astype("string").str.lower(),
        "caller": column(calls, "from"), "callee": column(calls, "to"),
        "source_file": calls["source_file"].astype(str), "source_row": calls["source_row"],
    })


def _peer_calls(path: Path, options, own: pd.DataFrame) -> pd.DataFrame:
    """The calls of the run's other Twilio files that are a parent of one of this file's legs
    or a leg of one of its parents: a BulkExport of one day beside API pages of another, or
    the parent and child legs pulled separately, are settled as if they were one file. The
    run's Twilio files are found and read once (``options.memo``), not once per file."""
    if "twilio" not in options.memo:
        files = [Path(p) for p in options.inputs if options.source_for(Path(p), "events") == "twilio"]
        options.memo["twilio"] = (pd.concat([_frame(_calls(p)) for p in files], ignore_index=True)
                                  if len(files) > 1 else None)
    everything = options.memo["twilio"]
    if everything is None or not len(own):
        return own.iloc[:0]
    others = everything[~everything["source_file"].isin(set(own["source_file"]))]
    others = others[~others["sid"].isin(own["sid"])].drop_duplicates("sid")
    related = others["sid"].isin(own["parent"]) | others["parent"].isin(own["sid"])
    return others[related]


def read(path: Path, options) -> Adapted:
    frame = _frame(_calls(path))
    # Overlapping pages (a re-run fetch, BulkExport beside API pages in one file) repeat a call.
    frame, repeats = collapse(frame, "sid", pd.Series(0, index=frame.index), "call")
    own_files = set(frame["source_file"])
    frame, legs = _settle_forwarded_calls(pd.concat([frame, _peer_calls(path, options, frame)], ignore_index=True))
    # The other files' calls only helped settle this file's: each is accounted for in its own file.
    frame = frame[frame["source_file"].isin(own_files)]
    legs = legs[legs["source_file"].isin(own_files)]

    outcome = frame["status"].map(STATUSES)
    machine = frame["answered_by"].str.startswith("machine").fillna(False)
    outcome = outcome.mask((outcome == "connected") & machine, "voicemail")
    forwarded = frame["leg_outcome"].notna()
    note = ("Twilio status: " + frame["status"]).mask(forwarded, "Twilio forwarded call: " + frame["leg_note"])
    frame = frame.assign(outcome=outcome.mask(forwarded, frame["leg_outcome"]),
                         direction=frame["direction_raw"].map(DIRECTIONS),
                         event_id="tw:" + frame["sid"], note=note)
    reasons = pd.Series(None, index=frame.index, dtype=object)
    failed = (frame["status"] == "failed") & ~forwarded
    reasons[failed.fillna(False).to_numpy()] = "not a contact attempt: Twilio status failed (the carrier could not connect)"
    live = frame["status"].isin(["queued", "ringing", "in-progress", "initiated"]) & ~forwarded
    reasons[live.to_numpy()] = "call still " + frame.loc[live, "status"] + ": no outcome yet"
    unknown = frame["outcome"].isna() & reasons.isna()
    reasons[unknown.to_numpy()] = ("unknown Twilio status " + frame.loc[unknown, "status"].fillna("(empty)")
                                   + "; expected completed, busy, no-answer, canceled or failed")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((failed, RejectCode.NOT_A_CONTACT), (live, RejectCode.NO_OUTCOME),
                                         (unknown, RejectCode.UNKNOWN_OUTCOME)), value=frame["status"])
    odd = frame["direction"].isna()
    frame, no_direction = reject_rows(
        frame, pd.Series("unknown Twilio direction " + frame["direction_raw"].fillna("(empty)"),
                         index=frame.index).where(odd), "direction", RejectCode.UNKNOWN_DIRECTION,
        value=frame["direction_raw"])
    frame = frame.assign(call_key="tw:" + frame["sid"])
    return finish(frame, [repeats, legs, not_calls, no_direction], options, "twilio")
