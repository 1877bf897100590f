"""Lever API dumps (``https://api.lever.co/v1``).

Follows Lever's reference as mirrored in ``corbaltcode/lever-data-api-go`` (``model/interview.go``,
``model/opportunity.go``, ``reqresp.go``) and ``NangoHQ/integration-templates``
(``integrations/lever/actions/opportunities-interviews.md``, ``opportunities-notes.md``):
list responses are ``{"data": [...], "next": …, "hasNext": …}``; every datetime is **epoch
milliseconds**.

* **Interviews** (``GET /opportunities/:opportunity/interviews``) become interview rows:
  ``date`` (ms) is the start, ``date + duration`` minutes the end, ``interviewers[].name``
  (else ``email``) joined with ``;``, ``name`` from the roster. ``canceledAt`` set ⇒ the interview
  is reported as rejected ("canceled"), not scored. The response does not name its opportunity
  (it is in the URL), so each record — or the saved page — must carry ``opportunityId`` (the
  export command in docs/sources.md adds it); the roster built from ``GET /opportunities``
  ties the opportunity to the person (``contact``).
* **Notes** (``GET /opportunities/:opportunity/notes``: ``text``, ``createdAt``, …) are free text
  written by the employer: each is reported as rejected, "not a contact".
* **Emails**: Lever's documented API has no email resource (its email sync only keeps threads
  started in Lever), so there is nothing to read; use the mailbox export for candidate mail.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .identity import resolve_applications
from ..schema import RejectCode
from .records import Adapted, column, load_documents, provenance, reject_rows, stack_rejects

NOTE_REASON = "not a contact: a Lever note is free text written by the employer; notes are never scored"


def _records(documents: list) -> list[dict]:
    """Records with the opportunity they belong to, from the record or its saved page."""
    found: list[dict] = []
    for document in documents:
        if isinstance(document, list):
            found.extend(_records(document))
        elif isinstance(document, dict) and isinstance(document.get("data"), list):
            owner = document.get("opportunityId") or document.get("opportunity")
            found.extend({**r, "opportunityId": r.get("opportunityId") or owner}
                         for r in document["data"] if isinstance(r, dict))
        elif isinstance(document, dict):
            found.append(document)
    return found


def is_interview(record) -> bool:
    return isinstance(record, dict) and "interviewers" in record and "date" in record and "duration" in record


def is_note(record) -> bool:
    return isinstance(record, dict) and "text" in record and "createdAt" in record


def read_notes(path: Path, options) -> Adapted:
    records = _records(load_documents(path))
    frame = provenance(pd.json_normalize(records, max_level=0) if records else pd.DataFrame(), path)
    frame = pd.DataFrame({"timestamp": column(frame, "createdAt"), "note": column(frame, "text"),
                          "source_file": frame["source_file"], "source_row": frame["source_row"]})
    kept, rejects = reject_rows(frame, pd.Series(NOTE_REASON, index=frame.index), "note", RejectCode.NOT_A_CONTACT,
                                value=frame["timestamp"])
    return Adapted(kept, rejects, "lever")


def read_interviews(path: Path, options) -> Adapted:
    records = _records(load_documents(path))
    parts = provenance(pd.json_normalize(records, max_level=0) if records else pd.DataFrame(), path)
    start = pd.to_numeric(column(parts, "date"), errors="coerce")
    minutes = pd.to_numeric(column(parts, "duration"), errors="coerce")
    people = column(parts, "interviewers").map(
        lambda people: ";".join(p.get("name") or p.get("email") or "" for p in people if isinstance(p, dict))
        if isinstance(people, list) else pd.NA)
    frame = pd.DataFrame({
        "opportunity": column(parts, "opportunityId").astype("string"),
        # Whole milliseconds as 13-digit integers: the scorer's epoch-ms reading, never a float.
        "interview_at": start.astype("Int64"),
        "interview_end": (start + minutes * 60_000).astype("Int64"),
        "interviewers": people,
        "source_file": parts["source_file"], "source_row": parts["source_row"],
    })
    canceled = column(parts, "canceledAt")
    frame, dropped = reject_rows(frame, canceled.where(canceled.isna(), "canceled interview (canceledAt set)"),
                                 RejectCode.NOT_AN_INTERVIEW,
                                 "interview_at")
    frame, unmatched = resolve_applications(
        frame, "opportunity", options.roster,
        no_roster="unmatched: no roster to resolve the opportunity (give --candidates with the opportunities dump)",
        no_key="unmatched: the interview names no opportunityId (see docs/sources.md, Lever)")
    return Adapted(frame, stack_rejects(dropped, unmatched), "lever-interviews")
