"""The normalised vocabulary: column names, allowed values and the spellings real exports use.

Everything downstream of :mod:`followup.normalise` sees only the canonical values defined
here. The synonym tables are matched case-insensitively after trimming and folding runs of
spaces, hyphens and underscores, so ``"Phone Call"``, ``"phone-call"`` and ``"PHONE_CALL"``
are one spelling.
"""

from __future__ import annotations

import re

EVENT_COLUMNS = (
    "candidate_id",
    "timestamp",
    "channel",
    "direction",
    "outcome",
    "duration_s",
    "contact",
    "event_id",
    "subject",
    "note",
)
REQUIRED_EVENT_COLUMNS = ("candidate_id", "timestamp", "channel", "direction")

INTERVIEW_COLUMNS = (
    "candidate_id",
    "name",
    "interview_at",
    "interview_end",
    "interviewers",
    "decision",
    "decision_at",
    "decision_due",
)
REQUIRED_INTERVIEW_COLUMNS = ("candidate_id", "interview_at")
# The time columns of both tables: the names `--time-format COLUMN=FORMAT` accepts.
TIME_COLUMNS = ("timestamp", "interview_at", "interview_end", "decision_at", "decision_due")

CHANNELS = ("email", "phone", "letter", "sms", "linkedin", "in_person", "other")
DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("connected", "voicemail", "hang_up", "missed", "busy")
DECISIONS = ("offer", "hired", "rejected", "withdrawn")

# Outcomes of an inbound call that reached nobody and left no message: the caller-ID trail
# the seeds warn about. They are attempts, never contacts.
UNANSWERED_OUTCOMES = ("hang_up", "missed", "busy")

CHANNEL_SYNONYMS = {
    "email": "email", "e mail": "email", "mail": "email", "electronic mail": "email",
    "email message": "email", "inbound email": "email", "outbound email": "email",
    "phone": "phone", "phone call": "phone", "call": "phone", "telephone": "phone",
    "voice": "phone", "voice call": "phone", "voip call": "phone", "tel": "phone",
    "cell": "phone", "mobile": "phone",
    "letter": "letter", "postal": "letter", "postal mail": "letter", "post": "letter",
    "snail mail": "letter", "card": "letter", "thank you card": "letter",
    "handwritten note": "letter", "mailed letter": "letter",
    "sms": "sms", "text": "sms", "text message": "sms", "txt": "sms", "mms": "sms",
    "linkedin": "linkedin", "linked in": "linkedin", "linkedin message": "linkedin",
    "inmail": "linkedin", "linkedin inmail": "linkedin",
    "in person": "in_person", "inperson": "in_person", "visit": "in_person",
    "walk in": "in_person", "meeting": "in_person", "drop in": "in_person",
    "other": "other", "note": "other",
}

DIRECTION_SYNONYMS = {
    "inbound": "inbound", "in": "inbound", "incoming": "inbound", "received": "inbound",
    "from candidate": "inbound", "candidate to employer": "inbound", "inbox": "inbound",
    "outbound": "outbound", "out": "outbound", "outgoing": "outbound", "sent": "outbound",
    "to candidate": "outbound", "employer to candidate": "outbound", "outbound api": "outbound",
    "outbound dial": "outbound",
}

OUTCOME_SYNONYMS = {
    "connected": "connected", "answered": "connected", "accepted": "connected",
    "call connected": "connected", "call accepted": "connected", "completed": "connected",
    "spoke": "connected", "talked": "connected", "conversation": "connected",
    "voicemail": "voicemail", "voice mail": "voicemail", "vm": "voicemail",
    "left voicemail": "voicemail", "left vm": "voicemail", "sent to voicemail": "voicemail",
    "left message": "voicemail", "message left": "voicemail",
    "hang up": "hang_up", "hangup": "hang_up", "hung up": "hang_up", "abandoned": "hang_up",
    "canceled": "hang_up", "cancelled": "hang_up", "caller hung up": "hang_up",
    "missed": "missed", "no answer": "missed", "not answered": "missed", "unanswered": "missed",
    "rang out": "missed", "no-answer": "missed",
    "busy": "busy", "line busy": "busy",
}

DECISION_SYNONYMS = {
    "offer": "offer", "offered": "offer", "offer extended": "offer", "offer made": "offer",
    "hired": "hired", "hire": "hired", "accepted offer": "hired", "offer accepted": "hired",
    "rejected": "rejected", "reject": "rejected", "declined": "rejected",
    "not selected": "rejected", "turned down": "rejected", "no hire": "rejected",
    "withdrawn": "withdrawn", "withdrew": "withdrawn", "candidate withdrew": "withdrawn",
}

# Header spellings seen in exports, folded the same way as values.
EVENT_COLUMN_ALIASES = {
    "candidate_id": ("candidate id", "candidate", "candidateid", "applicant id", "person id"),
    "timestamp": ("timestamp", "time", "date", "datetime", "date time", "created at",
                  "occurred at", "start time", "sent at", "when"),
    "channel": ("channel", "type", "medium", "activity type", "kind"),
    "direction": ("direction", "dir", "inbound outbound"),
    "outcome": ("outcome", "result", "call result", "status", "disposition"),
    "duration_s": ("duration s", "duration", "duration seconds", "seconds", "call length s"),
    "contact": ("contact", "to", "recipient", "interviewer", "addressed to"),
    "event_id": ("event id", "id", "message id", "call id", "activity id"),
    "subject": ("subject", "title"),
    "note": ("note", "notes", "body", "comment"),
}

INTERVIEW_COLUMN_ALIASES = {
    "candidate_id": ("candidate id", "candidate", "candidateid", "applicant id", "person id"),
    "name": ("name", "candidate name", "full name"),
    "interview_at": ("interview at", "interview start", "start", "start time", "interview date",
                     "scheduled at", "date"),
    "interview_end": ("interview end", "end", "end time", "ends at"),
    "interviewers": ("interviewers", "interviewer", "panel", "interviewed by"),
    "decision": ("decision", "outcome", "result", "status"),
    "decision_at": ("decision at", "decided at", "decision date"),
    "decision_due": ("decision due", "decision by", "decide by", "due", "decision expected"),
}

_FOLD = re.compile(r"[\s_\-\.]+")


def fold(text: str) -> str:
    """Fold a spelling for synonym lookup: lower case, separators to single spaces.

    >>> fold("  Phone_Call ")
    'phone call'
    >>> fold("E-Mail")
    'e mail'
    """
    return _FOLD.sub(" ", str(text).strip().lower()).strip()


def _folded(table: dict[str, str]) -> dict[str, str]:
    folded = {fold(key): value for key, value in table.items()}
    folded.update({fold(value): value for value in table.values()})
    return folded


CHANNEL_LOOKUP = _folded(CHANNEL_SYNONYMS)
DIRECTION_LOOKUP = _folded(DIRECTION_SYNONYMS)
OUTCOME_LOOKUP = _folded(OUTCOME_SYNONYMS)
DECISION_LOOKUP = _folded(DECISION_SYNONYMS)

# Mail that a machine sent rather than a person: accounted for as rejected, never a contact.
# Each code is what :func:`followup.sources.automatic.automatic_kind` answers; the rejects
# carry it in ``value`` with ``column`` = AUTOMATIC_COLUMN.
AUTOMATIC_KINDS = (
    "auto_reply",         # out-of-office / vacation / "Automatic reply:" (RFC 3834 auto-replied)
    "auto_generated",     # any other machine-made message (RFC 3834 auto-generated, read receipts)
    "calendar_response",  # an invitation accepted / declined / tentative (iTIP METHOD:REPLY)
    "delivery_failure",   # a bounce: mailer-daemon, RFC 3464 delivery-status report
    "bulk",               # Precedence: bulk / junk / list (newsletters, list traffic)
)
AUTOMATIC_COLUMN = "automatic"

# Output vocabulary of the shortlist (what present.py and the report read as columns).
# Statuses, worst-judged first as the engine numbers them; flags in the order they are listed.
# Scripts depend on these codes: they are stable.
STATUSES = ("upcoming", "pending", "flagged", "ok")
FLAGS = ("NO_CONTACT", "EXCESSIVE_HANGUPS", "TOO_FREQUENT", "WENT_SILENT")
# Grades best first, so the worse of two letters is the larger string.
GRADES = ("A", "B", "C", "D")
# ``score_grade``: the grade the score alone earns, before the flags' caps (scoring.grade).
SCORE_GRADE = "score_grade"
# ``grade_capped``: the flags lowered the grade below what the score alone earns (scoring.grade).
GRADE_CAPPED = "grade_capped"
# ``group``: the value of the ``--group-by`` column; ranks are then counted within each group.
GROUP = "group"
# Statuses are the stable codes of scoring.STATUSES; "flagged" is only ever that status. A row
# that carries any flag, whatever its status, is "with flags" (``followup flags``, summary).
WITH_FLAGS = "with_flags"


def extra_column_name(header: str) -> str:
    """How an interview list's own column (``Job Title``, ``ATS Link``) is named in the outputs:
    folded to ``job_title``, ``ats_link`` so it is a stable key in JSON, Parquet and --group-by.

    >>> extra_column_name(" Requisition ID ")
    'requisition_id'
    """
    return fold(header).replace(" ", "_")


# Extra interview columns holding a person's name: pseudonymised like ``name`` under --redact.
PERSON_EXTRA_COLUMNS = ("recruiter", "hiring_manager", "coordinator", "sourcer", "recruiter_name",
                        "hiring_manager_name", "owner")
