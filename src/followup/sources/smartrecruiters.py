"""SmartRecruiters interviews: the Interview API's interview objects (``GET /interviews/{id}``,
or a list saved as one response, an array or JSON Lines).

Follows SmartRecruiters' API reference (*Interviews*, developers.smartrecruiters.com/reference/
interviews): an interview has ``id``, ``candidate`` (``{"id", "status"}`` — the candidate's
answer: ``accepted``, ``declined``, ``pending``, ``tentative``), ``jobId``, ``location``,
``organizerId``, ``timezone`` (a TZ database name) and ``timeslots`` — each with ``id``,
``interviewType``, ``title``, ``place``, ``startsOn``/``endsOn`` (ISO 8601 UTC) and
``interviewers`` (``[{"id", "status"}]``). SmartRecruiters says the API returns only the
interviews created through it, not those scheduled in its web app: docs/sources.md says so.

One interview row per timeslot, tied to the candidate by ``candidate.id``, which must be the
roster's ``candidate_id`` (build the roster from ``GET /candidates``). Interviewers are the
SmartRecruiters user ids (the object names nobody). An interview the candidate ``declined`` is
left out with that reason; a timeslot without ``startsOn`` is rejected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..schema import NAME_SEPARATOR, RejectCode
from .records import Adapted, column, load_documents, provenance, records_under, reject_rows, stack_rejects


def is_interview(record) -> bool:
    return (isinstance(record, dict) and isinstance(record.get("timeslots"), list)
            and isinstance(record.get("candidate"), dict) and ("organizerId" in record or "jobId" in record))


def is_page(document) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("content"), list)
            and any(is_interview(r) for r in document["content"][:20]))


def _known_ids(roster) -> set[str]:
    return set(roster.entries["candidate_id"].astype(str)) | set(roster.names.index.astype(str))


def read_interviews(path: Path, options) -> Adapted:
    interviews = records_under(load_documents(path), ("content",))
    rows = [{"candidate": (i.get("candidate") or {}).get("id"), "answer": (i.get("candidate") or {}).get("status"),
             "interviewers": NAME_SEPARATOR.join(str(p.get("id")) for p in slot.get("interviewers") or [] if isinstance(p, dict))
             or pd.NA, **{k: slot.get(k) for k in ("startsOn", "endsOn")}}
            for i in interviews
            for slot in (i.get("timeslots") if isinstance(i.get("timeslots"), list) and i.get("timeslots") else [{}])]
    slots = provenance(pd.DataFrame(rows) if rows else pd.DataFrame(), path)
    answer = column(slots, "answer").astype("string").str.strip().str.lower()
    frame = pd.DataFrame({
        "candidate_id": column(slots, "candidate").astype("string"),
        "interview_at": column(slots, "startsOn"), "interview_end": column(slots, "endsOn"),
        "interviewers": column(slots, "interviewers"),
        "source_file": slots["source_file"], "source_row": slots["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    unscheduled = frame["interview_at"].isna()
    reasons[unscheduled.to_numpy()] = "not scheduled: the SmartRecruiters interview has no timeslot with startsOn"
    declined = (answer == "declined").fillna(False)
    reasons[declined.to_numpy()] = "declined interview (the candidate's status is declined)"
    frame, dropped = reject_rows(frame, reasons, "interview_at", RejectCode.NOT_AN_INTERVIEW, value=answer)
    who = pd.Series(None, index=frame.index, dtype=object)
    who[frame["candidate_id"].isna().to_numpy()] = "unmatched: the interview names no candidate.id"
    if options.roster is None:
        who[who.isna()] = "unmatched: no roster to check candidate.id (give --candidates roster.csv)"
    else:
        stranger = frame["candidate_id"].notna() & ~frame["candidate_id"].isin(_known_ids(options.roster))
        who[stranger.to_numpy()] = "unmatched: candidate " + frame.loc[stranger, "candidate_id"] + " is not in the roster"
        frame["name"] = frame["candidate_id"].map(options.roster.names)
    frame, unmatched = reject_rows(frame, who, "candidate_id", RejectCode.UNMATCHED, value=frame["candidate_id"])
    return Adapted(frame, stack_rejects(dropped, unmatched), "smartrecruiters-interviews")
