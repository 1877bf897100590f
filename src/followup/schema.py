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
    "body",
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
    "note": ("note", "notes", "comment"),
    # The message text itself (a mail body): read only to judge thank-you notes (followup.notes).
    "body": ("body", "message body", "message", "text", "body text", "content"),
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
# Each flag's reason as a column of its own (``reason_NO_CONTACT``, …): the sentence after the
# code in ``reasons`` ("no contact for 15 days since 2 Apr"), missing where the flag is not
# carried. Written by the engine (followup.reasons) on the rounds and kept in the history, so
# explain and changes read a flag's reason without taking ``reasons`` apart.
FLAG_REASON_COLUMNS = {code: f"reason_{code}" for code in FLAGS}
# How ``reasons`` (and the ``reason`` headline) words a flag's reason: the code, this, the text.
FLAG_REASON_MARK = ": "

# The list columns of the outputs, each joined with one separator; users split on them, so the
# characters are part of the output format (docs/scoring.md, "Output columns").
FLAG_SEPARATOR = ";"       # flags: codes of FLAGS, in that order ("NO_CONTACT;WENT_SILENT")
REASON_SEPARATOR = "; "    # reasons: every sentence of a row, in the engine's order
CHANNEL_SEPARATOR = ","    # channels: the CHANNELS a candidate used, in that order ("email,phone")
ROLE_SEPARATOR = "; "      # an event's roles in explain ("first contact; counted follow-up")
FACTOR_SEPARATOR = "; "    # top_factors of a learned model (--model)
NAME_SEPARATOR = ";"       # interviewers (as the interview list gives them) and notes_copied_to

# Per-round facts the engine computes once for what explain says a round missed (on the
# rounds, not in the shortlist's columns):
# ``quiet_since``: when the went-silent clock starts (scoring.quiet_since): the last contact,
# or under the deadline rule ``wait_for_due`` the due date when that is later. WENT_SILENT,
# its reason and explain's "no contact for N days since …" all count from it.
QUIET_SINCE = "quiet_since"
# ``cadence_start_at``: when the round's first cadence period starts
# (features.cadence_start); missing for a round not held yet.
CADENCE_START = "cadence_start_at"
# ``interviewers_not_addressed``: the round's interviewers no contact of its window was
# addressed to (compared as normalise.person_key), as the interview list names them, in its
# order, joined with NAME_SEPARATOR; missing where there are none or where thanking each
# interviewer is not judged (fewer than two, or no contact naming anyone). --redact
# pseudonymises it as it does ``interviewers``.
INTERVIEWERS_NOT_ADDRESSED = "interviewers_not_addressed"
# ``first_contact_timing``: when the round's first contact came (scoring.first_contact_timing),
# one of FIRST_CONTACT_TIMINGS: on the interview's local day, by the end of the no-contact
# day, after it, or none yet. The speed score, the late-first-contact rule, explain's speed
# line and the first-contact plot's bars all read it.
FIRST_CONTACT_TIMING = "first_contact_timing"
FIRST_CONTACT_TIMINGS = ("same_day", "in_time", "late", "none")

# Statuses are the stable codes of scoring.STATUSES; "flagged" is only ever that status. A row
# that carries any flag, whatever its status, is "with flags" (``followup flags``, summary).
WITH_FLAGS = "with_flags"
# Which shortlist rows an output holds: every row (``followup score``) or those with flags
# (``followup flags``).
ALL_ROWS = "all"
ROW_SELECTIONS = (ALL_ROWS, WITH_FLAGS)


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


# Thank-you notes (followup.notes): how the name in a note's greeting compares with the
# round's interviewers. ``right``: exactly the addressed interviewer's first, last or full name;
# ``misspelled``: close to it but not equal ("Mai" for "Mei"); ``wrong_person``: another
# interviewer's name, or a name close to nobody on the panel; ``none``: no name (no greeting,
# or "Dear Hiring Manager").
GREETINGS = ("right", "misspelled", "wrong_person", "none")
# The per-round note facts the engine computes once (features stage) and scoring, reasons and
# explain read. Counts are over the round's opening thank-you notes that carry text.
NOTE_COUNT_COLUMNS = (
    "notes_judged",        # opening thank-you notes with text
    "notes_copied",        # of them, copies of an earlier note of the round to another interviewer
    "interviewers_copied",  # interviewers whose only notes were such copies (not thanked individually)
    "notes_misspelled",    # own notes (not copies) greeting a name close to but not the interviewer's
    "notes_wrong_person",  # own notes greeting another interviewer, or someone not on the panel
    "notes_no_name",       # own notes greeting no one by name
    "notes_template",      # own notes sharing their text with other candidates', or mostly stock phrases
    "notes_stock",         # of the template notes, those with too few words of their own
    "template_matches",    # the most other candidates any one of the round's notes matches
)
# Names the note reasons quote, taken from the interview list (the panel), never the note —
# except ``greeting_name``, the one name-shaped word of a greeting that is quoted to show a
# misspelling; --redact pseudonymises all three (followup.redact).
NOTE_NAME_COLUMNS = ("notes_copied_to", "greeting_interviewer", "greeting_name")
# ``greeting_issue``: the GREETINGS code (misspelled / wrong_person) of the greeting quoted.


# ---------------------------------------------------------------- per-event roles
# What each event of a scored log counted for (followup.event_roles, ``ScoreResult.event_roles``):
# codes the engine decides once and explain, the report and the plots word. ``kind`` is one of
# EVENT_KINDS: ``contact`` and ``unanswered`` are the scored round's inbound follow-up (a
# contact, or a call that reached nobody), ``employer`` an employer's message, ``not_counted``
# any other event, ``duplicate`` (explain only) a row the readers set aside as a repeat.
EVENT_KINDS = ("contact", "unanswered", "employer", "not_counted", "duplicate")
# One boolean column each, in the order an event's roles are listed.
ROLE_CODES = (
    "first_contact",          # the round's first contact
    "opening_thank_you",      # a thank-you in the opening days (expected, not over-contact)
    "thanks_interviewer",     # the first contact addressed to one of the round's interviewers
    "cadence_counted",        # a contact in a completed cadence period
    "cadence_incomplete",     # a contact in the cadence period still running (not counted yet)
    "in_busiest_window",      # one of the contacts of the busiest window, when over the limit
    "unanswered_attempt",     # a counted call that reached nobody: an attempt, not a contact
    "in_burst",               # one of the calls of the worst burst, when it is one
    "thanks_after_decision",  # a thank-you after a decision the policy credits
    "checkin",                # a check-in timed to the decision date (deadline policies)
    "early_contact",          # before the decision date, outside the check-ins (deadline policies)
    "before_cadence",         # a contact with none of the roles above, before the cadence starts
)
# ``not_counted``: why an event that is not counted is not (the first that applies; none for a
# counted event).
NOT_COUNTED_CODES = (
    "employer_message",       # outbound: never follow-up
    "channel_not_counted",    # a channel the policy does not count
    "before_interview",       # before the candidate's first interview
    "earlier_round",          # follow-up to a round that is not the scored one
    "after_decision",         # after the decision closed the window
    "after_as_of",            # after the as-of time
    "during_next_interview",  # after the next interview closed the window
)


# ---------------------------------------------------------------- the rejects report
# Each row the rejects report lists carries a stable ``code`` saying what was wrong with it;
# the ``reason`` beside it says the same to a person, with the row's particulars. Code reads
# the code (and, for a duplicate, ``duplicate_of_file``/``duplicate_of_row``), never the
# sentence: wordings differ between adapters and may change.
class RejectCode:
    """The reject codes, one attribute each (``RejectCode.DUPLICATE == "DUPLICATE"``)."""

    MISSING_VALUE = "MISSING_VALUE"          # a required cell is empty (candidate_id, timestamp, …)
    BAD_TIME = "BAD_TIME"                    # not a time, an ambiguous one, or not in the --time-format given
    UNKNOWN_CHANNEL = "UNKNOWN_CHANNEL"      # a channel that is not in CHANNELS or a known synonym
    UNKNOWN_DIRECTION = "UNKNOWN_DIRECTION"  # likewise a direction, or a vendor's direction word
    UNKNOWN_OUTCOME = "UNKNOWN_OUTCOME"      # likewise a call outcome, or a vendor's call or message status
    UNKNOWN_DECISION = "UNKNOWN_DECISION"    # likewise an interview decision (or a hiring outcome)
    BAD_DURATION = "BAD_DURATION"            # a duration that is not a finite, non-negative number of seconds
    NO_OUTCOME = "NO_OUTCOME"                # a call or message with no result yet, or none to tell it by
    END_BEFORE_START = "END_BEFORE_START"    # interview_end before interview_at
    DECISION_BEFORE_INTERVIEW = "DECISION_BEFORE_INTERVIEW"  # decision_at before interview_at
    UNREADABLE_RECORD = "UNREADABLE_RECORD"  # a record the reader could not split into fields
    NOT_READ = "NOT_READ"                    # a file (of a folder) or page of a kind the scorer does not read
    NOT_DATA = "NOT_DATA"                    # a folder's hidden or index file, rightly skipped
    DUPLICATE = "DUPLICATE"                  # the same event or interview again (kind ``duplicate``)
    UNKNOWN_CANDIDATE = "UNKNOWN_CANDIDATE"  # an event or outcome of a candidate with no interview
    UNMATCHED = "UNMATCHED"                  # a vendor record the roster ties to no candidate
    AMBIGUOUS = "AMBIGUOUS"                  # a vendor record the roster ties to several candidates
    NOT_A_CONTACT = "NOT_A_CONTACT"          # read right and set aside: a note, machine mail, a draft, a failed call
    NOT_AN_INTERVIEW = "NOT_AN_INTERVIEW"    # a cancelled, declined, unscheduled or recurring entry


REJECT_CODES = tuple(value for name, value in vars(RejectCode).items() if name.isupper())
# The columns of the rejects report, in the order every output writes them. ``source_row`` is
# 1-based (0: the file itself); the duplicate columns are empty except on duplicates.
REJECT_COLUMNS = ("source_file", "source_row", "kind", "code", "column", "value", "reason",
                  "duplicate_of_file", "duplicate_of_row")
