"""Ashby interview schedules: ``POST https://api.ashbyhq.com/interviewSchedule.list`` responses
saved as one response, an array of them or JSON Lines.

Follows Ashby's API reference (*interviewSchedule.list*): responses are ``{"success": true,
"results": [...], "moreDataAvailable", "nextCursor"}``; a schedule has ``id``, ``status``,
``applicationId``, ``interviewStageId`` and ``interviewEvents`` — each event with ``id``,
``interviewId``, ``startTime``/``endTime`` (ISO 8601 UTC), ``interviewerUserIds``, ``location``,
``meetingLink``, ``feedbackLink``, ``hasSubmittedFeedback``.

One interview row per event. ``applicationId`` is tied to the candidate through the roster's
``application_ids`` (the roster is built from ``candidate.list``/``application.list``; see
docs/sources.md). Interviewers: the names (else e-mails) of an ``interviewers`` list when the
saved event carries one (the export command in docs/sources.md adds it from ``user.list``),
else the Ashby user ids. A schedule whose ``status`` is ``Cancelled`` is left out with that
reason; an event without a ``startTime`` is not scheduled yet and is rejected. Ashby's API has
no e-mail or activity resource for candidate correspondence: read the mailbox for that.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .identity import resolve_applications
from ..schema import RejectCode
from .records import Adapted, column, load_documents, provenance, records_under, reject_rows, stack_rejects


def is_schedule(record) -> bool:
    return isinstance(record, dict) and "interviewEvents" in record and "applicationId" in record


def is_page(document) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("results"), list)
            and any(is_schedule(r) for r in document["results"][:20]))


def _people(event: dict):
    people = event.get("interviewers")
    if isinstance(people, list) and people:
        names = [" ".join(filter(None, (p.get("firstName"), p.get("lastName")))) or p.get("email") or ""
                 for p in people if isinstance(p, dict)]
        return ";".join(n for n in names if n) or pd.NA
    ids = event.get("interviewerUserIds")
    return ";".join(map(str, ids)) if isinstance(ids, list) and ids else pd.NA


def read_interviews(path: Path, options) -> Adapted:
    schedules = records_under(load_documents(path), ("results",))
    # One row per event, in file order; a schedule with no event is still one row to account for.
    rows = [{"applicationId": s.get("applicationId"), "status": s.get("status"), **event}
            for s in schedules
            for event in (s.get("interviewEvents") if isinstance(s.get("interviewEvents"), list)
                          and s.get("interviewEvents") else [{}])]
    events = provenance(pd.DataFrame(rows) if rows else pd.DataFrame(), path)
    people = pd.Series([_people(r) for r in rows], index=events.index, dtype=object)
    status = column(events, "status").astype("string").str.strip()
    frame = pd.DataFrame({
        "application_id": column(events, "applicationId").astype("string"),
        "interview_at": column(events, "startTime"), "interview_end": column(events, "endTime"),
        "interviewers": people,
        "source_file": events["source_file"], "source_row": events["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    unscheduled = frame["interview_at"].isna()
    reasons[unscheduled.to_numpy()] = ("not scheduled yet: the Ashby schedule (status "
                                       + status[unscheduled].fillna("(none)") + ") has no event with a startTime")
    cancelled = (status.str.lower() == "cancelled").fillna(False)
    reasons[cancelled.to_numpy()] = "cancelled interview (Ashby schedule status Cancelled)"
    frame, dropped = reject_rows(frame, reasons, "interview_at", RejectCode.NOT_AN_INTERVIEW, value=status)
    frame, unmatched = resolve_applications(
        frame, "application_id", options.roster,
        no_roster="unmatched: no roster to resolve applicationId (give --candidates with application_ids)",
        no_key="unmatched: the interview has no applicationId")
    return Adapted(frame, stack_rejects(dropped, unmatched), "ashby-interviews")
