"""Calendars as the interview list: ``.ics`` files (RFC 5545) exported from Google Calendar
or Outlook, or saved invites, read with the ``icalendar`` library.

One interview per ``VEVENT``: ``DTSTART`` is the start and ``DTEND`` (else ``DTSTART +
DURATION``) the end. Times keep their zone: ``TZID=…`` through the file's ``VTIMEZONE`` /
IANA name, ``…Z`` as UTC, and a floating time (no zone) in ``--tz``. An all-day event
(``VALUE=DATE``) runs from local midnight in ``--tz`` to the midnight of its ``DTEND`` date
(exclusive, as RFC 5545 says), so its follow-up window opens after the last day.

The candidate is the one ``ATTENDEE`` (``mailto:``) in the roster; an event with none is
unmatched and one with several is ambiguous. Interviewers are the organizer and the other
attendees (their ``CN``, else the address), rooms and resources (``CUTYPE=ROOM/RESOURCE``)
left out. ``STATUS:CANCELLED`` events — and every event of a ``METHOD:CANCEL`` file, which is
what a cancellation notice holds — are left out and counted. A recurring event (``RRULE``) is
an ongoing meeting, not one interview: it is rejected with that reason rather than expanded;
a single moved occurrence (``RECURRENCE-ID``) is one interview.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..readers import parser_complaint
from ..roster import email_key
from ..schema import NAME_SEPARATOR, RejectCode
from .records import coded, Adapted, reject_rows, stack_rejects

ICS_SUFFIXES = (".ics", ".ical", ".ifb")


def _moment(value, tz: str):
    """ISO text for an icalendar date or datetime: all-day dates at local midnight in ``tz``,
    floating times left without an offset (read in ``--tz`` by the normaliser)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return pd.Timestamp(value).tz_localize(tz, nonexistent="shift_forward", ambiguous=True).isoformat()
    return None


def _people(event) -> list[tuple[str | None, str | None, str | None]]:
    """(address, CN, CUTYPE) of the organizer and each attendee, organizer first."""
    found = []
    for name in ("ORGANIZER", "ATTENDEE"):
        values = event.get(name)
        values = values if isinstance(values, list) else [values] if values is not None else []
        for value in values:
            address = str(value)
            address = address[7:] if address.lower().startswith("mailto:") else address
            params = getattr(value, "params", {})
            found.append((address.strip() or None, params.get("CN"), str(params.get("CUTYPE", "")).upper()))
    return found


def _rows(path: Path, tz: str) -> list[dict]:
    import icalendar  # imported only when a calendar is read

    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except (ValueError, OSError) as exc:
        raise InputFileError(path, f"cannot be read as an iCalendar (.ics) file: {parser_complaint(exc)}") from None
    cancel_notice = str(calendar.get("METHOD", "")).upper() == "CANCEL"
    rows = []
    for number, event in enumerate(calendar.walk("VEVENT"), 1):
        start = event.get("DTSTART").dt if event.get("DTSTART") is not None else None
        end = event.get("DTEND").dt if event.get("DTEND") is not None else None
        if end is None and start is not None:
            duration = event.get("DURATION")
            end = start + duration.dt if duration is not None else (
                start + timedelta(days=1) if not isinstance(start, datetime) else None)
        people = _people(event)
        status = str(event.get("STATUS", "")).upper()
        rows.append({
            "interview_at": _moment(start, tz), "interview_end": _moment(end, tz),
            "people": people, "summary": str(event.get("SUMMARY", "")) or None,
            "cancelled": cancel_notice or status == "CANCELLED",
            "recurring": event.get("RRULE") is not None,
            "source_file": str(path), "source_row": number,
        })
    return rows


def read(path: Path, options) -> Adapted:
    rows = pd.DataFrame(_rows(path, options.tz), columns=[
        "interview_at", "interview_end", "people", "summary", "cancelled", "recurring",
        "source_file", "source_row"])
    reasons = pd.Series(None, index=rows.index, dtype=object)
    reasons[rows["cancelled"].to_numpy(dtype=bool)] = "cancelled event (STATUS:CANCELLED or a cancellation notice)"
    recurring = rows["recurring"].to_numpy(dtype=bool) & reasons.isna().to_numpy()
    reasons[recurring] = "a recurring event (RRULE) is an ongoing meeting, not one interview"
    rows, dropped = reject_rows(rows, reasons, "interview_at", RejectCode.NOT_AN_INTERVIEW, value=rows["summary"])

    # One row per person, matched to the roster at once.
    people = rows[["people"]].explode("people").dropna()
    people = pd.DataFrame(people["people"].tolist(), index=people.index, columns=["address", "cn", "cutype"])
    people["key"] = email_key(people["address"].astype("string"))
    if options.roster is not None and len(people):
        people["candidate"], _ = options.roster.match("email", people["key"])
    else:
        people["candidate"] = pd.Series(pd.NA, index=people.index, dtype="string")
    found = people.dropna(subset=["candidate"]).groupby(level=0)["candidate"].agg(lambda ids: sorted(set(ids)))
    candidates = pd.Series(rows.index.map(found), index=rows.index, dtype=object)
    staff = people[people["candidate"].isna() & ~people["cutype"].isin(["ROOM", "RESOURCE"])]
    staff = staff.assign(shown=staff["cn"].astype("string").fillna(staff["address"].astype("string")))
    interviewers = staff.groupby(level=0)["shown"].agg(lambda names: NAME_SEPARATOR.join(dict.fromkeys(names)))

    count = candidates.map(lambda ids: len(ids) if isinstance(ids, list) else 0)
    why = pd.Series(None, index=rows.index, dtype=object)
    if options.roster is None:
        why[:] = "unmatched: no roster to resolve attendees (give --candidates roster.csv)"
    else:
        why[(count == 0).to_numpy()] = "unmatched: no attendee of the event is in the roster"
        several = (count > 1).to_numpy()
        why[several] = "ambiguous: the event has several candidates (" + candidates[several].map(", ".join) + ")"
    frame = pd.DataFrame({
        "candidate_id": candidates.map(lambda ids: ids[0] if isinstance(ids, list) and len(ids) == 1 else pd.NA),
        "interview_at": rows["interview_at"], "interview_end": rows["interview_end"],
        "interviewers": pd.Series(rows.index.map(interviewers), index=rows.index, dtype=object),
        "summary": rows["summary"],
        "source_file": rows["source_file"], "source_row": rows["source_row"],
    })
    frame, unmatched = reject_rows(frame, why, "candidate_id", coded((why.notna(), RejectCode.UNMATCHED),
                                                                      ((count > 1).to_numpy(), RejectCode.AMBIGUOUS)),
                                   value=frame["summary"])
    if options.roster is not None:
        frame["name"] = frame["candidate_id"].map(options.roster.names)
    return Adapted(frame.drop(columns="summary"), stack_rejects(dropped, unmatched), "ics")
