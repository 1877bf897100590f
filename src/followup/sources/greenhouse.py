"""Greenhouse Harvest API dumps.

Follows the Harvest v1/v2 documentation in ``grnhse/greenhouse-api-docs`` (read at ``0c37c31``,
2026-01-20): ``_activity_feed.md``, ``_scheduled_interviews.md``, ``_introduction.md``; and,
for v3, the READ migration guide (harvestdocs.greenhouse.io, step-by-step-migration-instructions),
which maps the activity feed to ``GET /v3/notes``.

* **Activity feed** (``GET /v1/candidates/{id}/activity_feed``): one object per candidate with
  ``emails``/``notes``/``activities`` — or the singular ``email``/``note``/``activity`` of the
  docs' attribute table and older versions. A single response, an array of them, or JSON Lines.
  The response does not repeat the candidate id (it is in the URL); if the saved object carries
  a ``candidate_id`` key it is used, otherwise each email is tied to a candidate through the
  roster by its ``from``/``to`` addresses. Direction is not a field: ``from`` in the roster ⇒
  inbound, ``from`` on an ``--employer-domain`` ⇒ outbound.
  Notes and activities are free text and ATS workflow ("Candidate Stage Change"): they are not
  contacts between candidate and employer, so each is reported as rejected with that reason —
  never counted as a call because a note says "called".
* **v3 notes** (``GET /v3/notes``, cursor pages saved as an array or JSON Lines): the v3 field
  names are not in any document we could read, so a v3 notes page is accounted for row by row
  and reported like v1 notes; v3 emails and v3 scheduled interviews are **not yet covered**.
* **Scheduled interviews** (``GET /v1/scheduled_interviews``, ``/v1/applications/{id}/
  scheduled_interviews``): ``application_id`` is resolved to a candidate through the roster's
  application ids; ``start``/``end`` are ``{"date_time": …}`` or, for all-day interviews,
  ``{"date": "YYYY-MM-DD"}`` — read as local midnight in ``--tz``, ending at local midnight of
  the end date, which is exclusive (``D`` to ``D+1`` is one day; ``D`` to ``D`` is read as one
  day too), so an all-day interview's follow-up starts after its last day. Interviewer names (else e-mails) are
  joined with ``;``; ``name`` is the candidate's name from the roster (``interview.name`` is the
  interview's title, not kept). No cancelled status is documented;
  every status is kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..ids import id_text
from .automatic import classify_column, reject_automatic
from .identity import resolve_applications, resolve_mail
from ..schema import NAME_SEPARATOR, RejectCode
from .records import Adapted, column, load_documents, provenance, records_under, reject_rows, stack_rejects

FEED_KEYS = ("emails", "email", "notes", "note", "activities", "activity")
INTERVIEW_KEYS = ("application_id", "start", "interviewers")
NOTE_REASON = "not a contact: a Greenhouse note is free text written by the employer; notes are never scored"
ACTIVITY_REASON = "not a contact: a Greenhouse activity is an ATS workflow record"


def is_feed(document) -> bool:
    return isinstance(document, dict) and any(k in document for k in FEED_KEYS)


def is_v3_note(record) -> bool:
    return isinstance(record, dict) and "body" in record and "created_at" in record and "channel" not in record


def is_scheduled_interview(record) -> bool:
    return isinstance(record, dict) and all(k in record for k in INTERVIEW_KEYS)


def _feed_rows(documents: list) -> pd.DataFrame:
    """One row per feed item, in file order, with its kind and the feed's candidate id."""
    rows = []
    for feed in records_under(documents, ()):
        if not is_feed(feed):  # a v3 notes page is a flat list of note records
            rows.append({"kind": "note", "item": feed, "candidate_id": feed.get("candidate_id")})
            continue
        for key in FEED_KEYS:
            items = feed.get(key)
            items = items if isinstance(items, list) else [items] if isinstance(items, dict) else []
            kind = key.rstrip("s").replace("activitie", "activity")
            rows.extend({"kind": kind, "item": item, "candidate_id": feed.get("candidate_id")}
                        for item in items)
    return pd.DataFrame(rows, columns=["kind", "item", "candidate_id"])


def read_feed(path: Path, options) -> Adapted:
    rows = provenance(_feed_rows(load_documents(path)), path)
    items = pd.json_normalize(rows["item"].tolist(), max_level=1) if len(rows) else pd.DataFrame()
    items.index = rows.index
    frame = pd.DataFrame({
        "timestamp": column(items, "created_at"),
        "channel": "email",
        "sender": column(items, "from"),
        "recipients": column(items, "to").astype("string").fillna("") + ", "
                      + column(items, "cc").astype("string").fillna(""),
        "event_id": "gh:" + rows["kind"] + ":" + column(items, "id").astype("string"),
        "subject": column(items, "subject"),
        "note": column(items, "user.name"),
        "body": column(items, "body"),  # Harvest's email body: judged as a thank-you note, never written
        "source_file": rows["source_file"], "source_row": rows["source_row"],
    })
    reasons = rows["kind"].map({"note": NOTE_REASON, "activity": ACTIVITY_REASON})
    frame, not_contacts = reject_rows(frame, reasons, "channel", RejectCode.NOT_A_CONTACT, value=rows["kind"])
    # The feed keeps no headers; subject and sender are enough to tell an auto-reply or a bounce.
    frame, machine = reject_automatic(frame, *classify_column(frame["subject"], frame["sender"]))
    known = id_text(rows.loc[frame.index, "candidate_id"])  # a null beside ints must not make them "123.0"
    candidate, direction, contact, why, codes = resolve_mail(frame, options.roster, options.employer_domains, known)
    frame = frame.assign(candidate_id=candidate, direction=direction, contact=contact)
    frame, unmatched = reject_rows(frame, why, "candidate_id", codes, value=frame["sender"])
    return Adapted(frame, stack_rejects(not_contacts, machine, unmatched), "greenhouse")


def _local_midnight(days: pd.Series, tz: str) -> pd.Series:
    return days.dt.tz_localize(tz, nonexistent="shift_forward", ambiguous=True).map(
        lambda t: t.isoformat() if pd.notna(t) else pd.NA)


def _times(parts: pd.DataFrame, tz: str) -> tuple[pd.Series, pd.Series]:
    """Start and end as written, or for an all-day interview local midnight in ``tz`` to local
    midnight on the end date: Harvest's all-day end date is exclusive (``{"date": D}`` to
    ``{"date": D+1}`` is the one day D). An end date equal to the start (or before it, or
    missing) is taken as that one day."""
    first = pd.to_datetime(column(parts, "start.date"), format="%Y-%m-%d", errors="coerce")
    last = pd.to_datetime(column(parts, "end.date"), format="%Y-%m-%d", errors="coerce")
    after = last.where(last > first, first + pd.Timedelta(days=1))
    start, end = column(parts, "start.date_time"), column(parts, "end.date_time")
    start = start.where(start.notna(), _local_midnight(first, tz))
    end = end.where(end.notna(), _local_midnight(after, tz))
    # A date that is not one (2024-02-30) is passed on as written, for its reject to show it.
    start = start.where(start.notna(), column(parts, "start.date"))
    return start, end


def read_interviews(path: Path, options) -> Adapted:
    records = [r for r in records_under(load_documents(path), ("scheduled_interviews", "data"))]
    parts = pd.json_normalize(records, max_level=1) if records else pd.DataFrame()
    parts = provenance(parts, path)
    start, end = _times(parts, options.tz)
    people = column(parts, "interviewers").map(
        lambda people: NAME_SEPARATOR.join(p.get("name") or p.get("email") or "" for p in people if isinstance(p, dict))
        if isinstance(people, list) else pd.NA)
    frame = pd.DataFrame({
        "application_id": id_text(column(parts, "application_id")),
        "interview_at": start, "interview_end": end, "interviewers": people,
        "source_file": parts["source_file"], "source_row": parts["source_row"],
    })
    frame, unmatched = resolve_applications(
        frame, "application_id", options.roster,
        no_roster="unmatched: no roster to resolve application_id (give --candidates with application_ids)",
        no_key="unmatched: the interview has no application_id")
    return Adapted(frame, unmatched, "greenhouse-interviews")
