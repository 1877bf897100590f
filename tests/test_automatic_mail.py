"""Machine-sent mail (auto-replies, calendar responses, bounces, bulk) is accounted for and never
counts as a candidate following up, in every mail reader."""

from __future__ import annotations

import pytest

from followup.schema import AUTOMATIC_KINDS
from followup.sources.automatic import DESCRIPTIONS, automatic_kind, classify


@pytest.mark.parametrize("kwargs, kind", [
    ({"headers": {"Auto-Submitted": "auto-replied"}}, "auto_reply"),            # RFC 3834 §5
    ({"headers": {"auto-submitted": "auto-generated; owner-email=x@y"}}, "auto_generated"),
    ({"headers": {"Auto-Submitted": "auto-notified"}}, "auto_generated"),
    ({"headers": {"X-Autoreply": "yes"}}, "auto_reply"),
    ({"headers": {"X-Autorespond": "Vacation"}}, "auto_reply"),
    ({"headers": {"Precedence": "auto_reply"}}, "auto_reply"),
    ({"headers": {"Precedence": "bulk"}}, "bulk"),
    ({"headers": {"Precedence": "junk"}}, "bulk"),
    ({"headers": {"Precedence": "list"}}, "bulk"),
    ({"headers": {"X-Failed-Recipients": "kate@acme.com"}}, "delivery_failure"),
    ({"headers": {"Return-Path": "<>"}}, "auto_generated"),
    ({"subject": "Automatic reply: Thank you"}, "auto_reply"),
    ({"subject": "RE: Out of Office"}, "auto_reply"),
    ({"subject": "Autosvar: Tack för intervjun"}, "auto_reply"),
    ({"subject": "Automatische Antwort: Danke"}, "auto_reply"),
    ({"subject": "Réponse automatique : Merci"}, "auto_reply"),
    ({"subject": "Accepted: Onsite interview @ Tue Mar 5, 2024 10am - 11am (EST) (kate@acme.com)"}, "calendar_response"),
    ({"subject": "Declined: Phone screen"}, "calendar_response"),
    ({"subject": "Tentative: Phone screen"}, "calendar_response"),
    ({"subject": "Undeliverable: Thanks for today"}, "delivery_failure"),
    ({"subject": "Delivery Status Notification (Failure)"}, "delivery_failure"),
    ({"content_type": 'multipart/report; report-type="delivery-status"; boundary="b1"'}, "delivery_failure"),
    ({"content_type": ["multipart/mixed", "message/delivery-status"]}, "delivery_failure"),
    ({"content_type": "multipart/report; report-type=disposition-notification"}, "auto_generated"),
    ({"content_type": ["multipart/alternative", "text/plain", "text/calendar; charset=UTF-8; method=REPLY"]},
     "calendar_response"),
    ({"sender": "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"}, "delivery_failure"),
    ({"sender": "postmaster@outlook.com"}, "delivery_failure"),
    ({"message_class": "IPM.Note.Rules.OofTemplate.Microsoft"}, "auto_reply"),
    ({"message_class": "IPM.Schedule.Meeting.Resp.Pos"}, "calendar_response"),
    ({"message_class": "REPORT.IPM.Note.NDR"}, "delivery_failure"),
])
def test_each_documented_sign_of_machine_mail(kwargs, kind):
    assert automatic_kind(**kwargs) == kind


@pytest.mark.parametrize("kwargs", [
    {"headers": {"Auto-Submitted": "no"}, "subject": "Thank you for today"},
    {"subject": "Re: Tentative times for next week"},
    {"subject": "I accepted: a note about my notice period"},
    {"subject": "Following up on the onsite"},
    {"content_type": "text/calendar; method=REQUEST"},        # an invitation, not a response
    {"sender": "daemon.fan@example.org"},
    {"headers": {"Precedence": "first-class"}},
])
def test_a_persons_mail_is_not_machine_mail(kwargs):
    assert classify(**kwargs) is None


def test_every_code_is_in_the_vocabulary_and_described():
    assert set(DESCRIPTIONS) == set(AUTOMATIC_KINDS)


# --- applied in the readers -------------------------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from followup.cli import main  # noqa: E402

DATA = Path(__file__).parent / "data" / "sources"
ROUTING = ["--candidates", str(DATA / "roster.csv"), "--employer-domain", "acme.com",
           "--default-region", "US", "--tz", "America/New_York"]

# Dev (104) was interviewed 2024-03-04 19:00Z; every message "from" him is a machine's.
MACHINE_MBOX = """\
From dev@example.org Tue Mar  5 09:00:00 2024
From: Dev Patel <dev@example.org>
To: boone@acme.com
Subject: Automatic reply: Thank you for coming in
Date: Tue, 05 Mar 2024 09:00:00 -0500
Message-ID: <ooo-1@example.org>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All

I am away until 11 March.

From dev@example.org Tue Mar  5 10:00:00 2024
From: dev@example.org
To: boone@acme.com
Subject: Accepted: Second round @ Mon Mar 11, 2024 10am - 11am (EST) (boone@acme.com)
Date: Tue, 05 Mar 2024 10:00:00 -0500
Message-ID: <cal-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8

Dev Patel has accepted this invitation.
--b1
Content-Type: text/calendar; charset=UTF-8; method=REPLY

BEGIN:VCALENDAR
METHOD:REPLY
END:VCALENDAR
--b1--

From MAILER-DAEMON Tue Mar  5 11:00:00 2024
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: dev@example.org
Subject: Delivery Status Notification (Failure)
Date: Tue, 05 Mar 2024 11:00:00 -0500
Message-ID: <dsn-1@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b2"

--b2
Content-Type: text/plain

Your message wasn't delivered.
--b2
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Final-Recipient: rfc822; boone@acme.com
Action: failed
Status: 5.1.1
--b2--

From news@example.org Tue Mar  5 12:00:00 2024
From: dev@example.org
To: boone@acme.com
Subject: My weekly digest
Date: Tue, 05 Mar 2024 12:00:00 -0500
Message-ID: <bulk-1@example.org>
Precedence: bulk

digest
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_machine_mail_in_a_mailbox_is_accounted_for_and_never_contact(tmp_path):
    box = tmp_path / "dev.mbox"
    box.write_text(MACHINE_MBOX)
    eml = tmp_path / "ooo.eml"
    eml.write_text(MACHINE_MBOX.split("\n\n", 1)[0].split("\n", 1)[1] + "\n\nAway.\n")
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,interview_at,interviewers\n104,2024-03-04T19:00:00Z,Boone C\n")
    common = ["-i", interviews, *ROUTING, "--as-of", "2024-03-25T18:00:00-04:00"]
    scored = run("score", box, eml, *common, "--format", "json", "-q", "--strict")
    assert scored.exit_code == 0, scored.output   # accounted for, not a bad row under --strict
    dev = {c["candidate_id"]: c for c in json.loads(scored.stdout)["candidates"]}["104"]
    assert dev["flags"] == ["NO_CONTACT"] and dev["inbound_contacts"] == 0
    checked = json.loads(run("validate", box, eml, *common[:-2], "--format", "json").stdout)
    codes = {(Path(r["source_file"]).name, r["value"]) for r in checked["rejects"] if r["column"] == "automatic"}
    assert codes == {("dev.mbox", "auto_reply"), ("dev.mbox", "calendar_response"),
                     ("dev.mbox", "delivery_failure"), ("dev.mbox", "bulk"), ("ooo.eml", "auto_reply")}
    assert all(r["reason"].startswith("not a contact") for r in checked["rejects"] if r["column"] == "automatic")
    mail = [f for f in checked["files"] if f["source_file"].endswith(("dev.mbox", "ooo.eml"))]
    assert sum(f["rows_read"] for f in mail) == 5 and sum(f["rows_used"] for f in mail) == 0


def test_greenhouse_feed_auto_replies_are_not_contacts(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"emails": [
        {"id": 1, "created_at": "2024-03-05T14:00:00Z", "subject": "Automatic reply: Next steps",
         "body": "I am out of the office", "from": "dev@example.org", "to": "boone@acme.com", "cc": None, "user": None},
        {"id": 2, "created_at": "2024-03-05T15:00:00Z", "subject": "Undeliverable: Next steps", "body": "...",
         "from": "postmaster@example.org", "to": "boone@acme.com", "cc": None, "user": None},
        {"id": 3, "created_at": "2024-03-06T15:00:00Z", "subject": "Thank you", "body": "Thanks!",
         "from": "ana@example.org", "to": "boone@acme.com", "cc": None, "user": None}]}]))
    checked = json.loads(run("validate", feed, *ROUTING, "--format", "json").stdout)
    assert checked["counts"]["rows_used"] == 1
    assert sorted(r["value"] for r in checked["rejects"] if r["column"] == "automatic") == [
        "auto_reply", "delivery_failure"]
