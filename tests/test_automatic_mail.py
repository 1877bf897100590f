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
