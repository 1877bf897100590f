"""Write the .msg fixtures beside this file (run once; the .msg files are committed).

Uses ``aspose-email-foss`` (MIT, pure Python; ``pip install -e ".[fixtures]"``), which writes
Outlook compound files; the adapter reads them with ``extract-msg``, a different library, so
the fixtures are not read back by the code that wrote them. Property ids are MAPI's
([MS-OXPROPS]): 0x007D transport headers, 0x0039 client submit time, 0x0C1A/0x0C1E/0x0C1F
sender name/address type/address, 0x5D01 sender SMTP address, 0x001A message class,
0x1035 Internet Message-ID.
"""

from datetime import datetime, timezone
from pathlib import Path

from aspose.email_foss import msg
from aspose.email_foss.msg import CommonMessagePropertyId as P
from aspose.email_foss.msg.property_types import PropertyTypeCode as T

HERE = Path(__file__).parent / "msg"
SUBMIT_TIME, SMTP_ADDRESS = 0x0039, 0x5D01


def received(name, headers, sender_name, sender, to, subject, message_id, message_class="IPM.Note"):
    """Mail that came from the internet: Outlook keeps its transport headers."""
    message = msg.MapiMessage.create(subject, "Thank you.")
    message.set_property(P.MESSAGE_CLASS, T.PTYP_STRING, message_class)
    message.set_property(P.TRANSPORT_MESSAGE_HEADERS, T.PTYP_STRING, headers.replace("\n", "\r\n"))
    message.set_property(P.SENDER_NAME, T.PTYP_STRING, sender_name)
    message.set_property(P.SENDER_ADDRESS_TYPE, T.PTYP_STRING, "SMTP")
    message.set_property(P.SENDER_EMAIL_ADDRESS, T.PTYP_STRING, sender)
    message.set_property(P.INTERNET_MESSAGE_ID, T.PTYP_STRING, message_id)
    for address, display in to:
        message.add_recipient(address, display_name=display)
    message.save(HERE / name)


def ana_thanks():
    received("ana-thanks.msg", (
        "Received: from mail.example.org by mx.acme.com; Tue, 5 Mar 2024 21:30:05 +0000\n"
        "From: Ana Lopez <ana@example.org>\nTo: Boone <boone@acme.com>\n"
        "Subject: Thank you for today\nDate: Tue, 05 Mar 2024 16:30:00 -0500\n"
        "Message-ID: <ana-thanks@example.org>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n"),
        "Ana Lopez", "ana@example.org", [("boone@acme.com", "Boone")],
        "Thank you for today", "<ana-thanks@example.org>")


def ana_autoreply():
    received("ana-autoreply.msg", (
        "From: Ana Lopez <ana@example.org>\nTo: Boone <boone@acme.com>\n"
        "Subject: Automatic reply: Next steps\nDate: Thu, 07 Mar 2024 09:00:02 -0500\n"
        "Message-ID: <ana-ooo@example.org>\nAuto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"),
        "Ana Lopez", "ana@example.org", [("boone@acme.com", "Boone")],
        "Automatic reply: Next steps", "<ana-ooo@example.org>")


def ben_accepted():
    received("ben-accepted.msg", (
        "From: Ben Okafor <ben.okafor@example.net>\nTo: boone@acme.com\n"
        "Subject: Accepted: Interview with Acme\nDate: Mon, 04 Mar 2024 12:00:00 +0000\n"
        "Message-ID: <ben-accept@example.net>\nMIME-Version: 1.0\n"
        "Content-Type: text/calendar; method=REPLY; charset=utf-8\n\n"),
        "Ben Okafor", "ben.okafor@example.net", [("boone@acme.com", None)],
        "Accepted: Interview with Acme", "<ben-accept@example.net>",
        message_class="IPM.Schedule.Meeting.Resp.Pos")


def boone_sent():
    """A sent item: no transport headers; an Exchange sender (X.500 DN, type EX) whose SMTP
    address is in PR_SENDER_SMTP_ADDRESS; the time is the client submit time."""
    message = msg.MapiMessage.create("Re: Thank you for today", "Thanks Ana, talk soon.")
    message.set_property(P.MESSAGE_CLASS, T.PTYP_STRING, "IPM.Note")
    message.set_property(P.SENDER_NAME, T.PTYP_STRING, "Boone Carter")
    message.set_property(P.SENDER_ADDRESS_TYPE, T.PTYP_STRING, "EX")
    message.set_property(P.SENDER_EMAIL_ADDRESS, T.PTYP_STRING,
                         "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=BOONE")
    message.set_property(SMTP_ADDRESS, T.PTYP_STRING, "boone@acme.com")
    message.set_property(SUBMIT_TIME, T.PTYP_TIME, datetime(2024, 3, 6, 14, 0, tzinfo=timezone.utc))
    message.set_property(P.INTERNET_MESSAGE_ID, T.PTYP_STRING, "<boone-re@acme.com>")
    message.add_recipient("ana@example.org", display_name="Ana Lopez")
    message.save(HERE / "boone-reply.MSG")


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    ana_thanks(), ana_autoreply(), ben_accepted(), boone_sent()
