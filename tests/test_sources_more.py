"""The systems added for issue 13, each on fixtures written from its vendor's documented field
names and values: Outlook .msg and Microsoft Graph mail, Aircall, Zoom Phone, Teams PSTN,
Twilio Messages and .ics calendars — direction, outcome, time zone and accounting as a
recruiter would check them (the detector's test over every fixture is in
tests/test_sources_systems.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import load_vendor as load, of, utc
from followup.cli import main
from followup.errors import FollowupError
from followup.loading import read_events, read_interviews
from followup.sources.detect import detect

DATA = Path(__file__).parent / "data" / "sources"
TZ = "America/New_York"
ROUTING = ["--candidates", DATA / "roster.csv", "--employer-domain", "acme.com", "--default-region", "US",
           "--tz", TZ]



def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_outlook_csv_export_is_refused_naming_the_exports_to_use():
    with pytest.raises(FollowupError, match="no date column.*\\.msg.*mbox.*Graph"):
        detect(DATA / "outlook" / "outlook_export.csv")
    result = run_cli("validate", DATA / "outlook" / "outlook_export.csv", *ROUTING)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "outlook_export.csv: is an Outlook CSV export" in result.output


def test_msg_folder_reads_received_and_sent_items(options):
    loaded = load(options, "outlook/msg")
    ana = of(loaded, "101")
    thanks = ana[ana["event_id"] == "<ana-thanks@example.org>"].iloc[0]
    # The transport headers' Date keeps its own offset: 16:30 in New York is 21:30 UTC.
    assert thanks["timestamp"] == utc("2024-03-05T21:30:00Z") and thanks["direction"] == "inbound"
    assert thanks["contact"] == "boone@acme.com"
    # A sent item has no headers: an Exchange sender's SMTP address and the client submit time.
    reply = ana[ana["event_id"] == "<boone-re@acme.com>"].iloc[0]
    assert reply["direction"] == "outbound" and reply["timestamp"] == utc("2024-03-06T14:00:00Z")
    assert (loaded.frame["channel"] == "email").all()
    # .MSG in capitals is read too; every file is one row accounted for.
    assert loaded.counts["rows_read"] == 4


def test_the_same_message_as_msg_and_from_graph_counts_once(options):
    loaded = load(options, "outlook/msg", "outlook/graph_messages.json")
    thanks = loaded.frame[loaded.frame["event_id"] == "<ana-thanks@example.org>"]
    assert len(thanks) == 1
    assert loaded.counts["duplicates"] >= 2  # the thank-you and the reply, seen in both exports


def test_graph_pages_give_direction_time_and_reject_drafts_and_strangers(options):
    loaded = load(options, "outlook/graph_messages.json", "outlook/graph_messages.jsonl")
    ana = of(loaded, "101")
    assert ana.iloc[0]["timestamp"] == utc("2024-03-05T21:30:00Z")  # sentDateTime, not received
    assert ana.set_index("event_id").loc["<boone-re@acme.com>", "direction"] == "outbound"
    assert of(loaded, "104")["direction"].tolist() == ["inbound"]  # Dev@Example.org, any case
    reasons = loaded.rejects.set_index("source_row")["reason"]
    assert "a draft (never sent)" in " ".join(reasons)
    assert any(r.startswith("unmatched: sender someone@else.example") for r in reasons)
    assert loaded.counts == {"rows_read": 7, "rows_used": 3, "duplicates": 0, "rejected": 4}


@pytest.mark.parametrize("name", ["outlook/msg", "outlook/graph_messages.json"])
def test_automatic_mail_in_msg_and_graph_is_never_contact(options, name):
    loaded = load(options, name)
    assert not set(loaded.frame["event_id"]) & {"<ana-ooo@example.org>", "<ben-accept@example.net>"}
    machine = loaded.rejects[loaded.rejects["column"] == "automatic"]
    assert sorted(machine["value"]) == ["auto_reply", "calendar_response"]
    assert machine["reason"].str.startswith("not a contact").all()


def test_aircall_outcomes_voicemail_is_not_a_hang_up_and_pages_overlap(options):
    loaded = load(options, "aircall/aircall_calls.jsonl")
    ana = of(loaded, "101")
    assert ana["outcome"].tolist() == ["connected", "voicemail"]
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:05:00Z"), utc("2024-03-07T15:00:00Z")]  # UNIX s
    assert ana["duration_s"].tolist() == [312, 41]
    assert ana["contact"].iloc[0] == "Boone Carter"
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"])) == [("inbound", "hang_up"), ("outbound", "missed")]
    assert of(loaded, "104")["outcome"].tolist() == ["missed"]  # out of opening hours
    assert loaded.counts == {"rows_read": 7, "rows_used": 5, "duplicates": 1, "rejected": 1}
    assert "no outcome yet" in " ".join(loaded.rejects["reason"])


def test_zoom_phone_call_logs_and_call_history(options):
    loaded = load(options, "zoom/zoom_call_logs.json", "zoom/zoom_call_history.jsonl")
    # "No Answer" with a voicemail left is a voicemail, never a missed call or hang-up.
    assert of(loaded, "101")["outcome"].tolist() == ["connected", "voicemail"]
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"])) == [("outbound", "busy"), ("inbound", "hang_up")]
    dev = of(loaded, "104")
    assert dev["outcome"].tolist() == ["connected", "voicemail"] and dev["duration_s"].tolist() == [240, 12]
    reasons = " ".join(loaded.rejects["reason"])
    assert "not a contact attempt: Zoom Phone result Blocked" in reasons
    assert "unknown Zoom Phone result transferred_to_queue" in reasons
    assert loaded.counts == {"rows_read": 9, "rows_used": 6, "duplicates": 1, "rejected": 2}


def test_teams_calling_plan_and_direct_routing(options):
    loaded = load(options, "teams/teams_pstn_calls.csv", "teams/teams_direct_routing.csv")
    assert of(loaded, "101")["outcome"].tolist() == ["connected", "connected"]
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"])) == [("inbound", "hang_up"), ("outbound", "connected")]
    assert of(loaded, "104")["outcome"].tolist() == ["missed"]  # SIP 480
    reasons = " ".join(loaded.rejects["reason"])
    assert "conf_in is an audio-conference" in reasons and "final SIP code 503" in reasons
    assert loaded.counts == {"rows_read": 7, "rows_used": 5, "duplicates": 0, "rejected": 2}


def test_teams_candidate_found_on_either_number_column(options, tmp_path):
    swapped = tmp_path / "PSTN.calls.2024-03-31.csv"
    swapped.write_text("UsageId,Call ID,UPN,User Display Name,Caller ID,Call Type,Destination Number,"
                       "Start Time,End Time,Duration Seconds\n"
                       "u1,c1,boone@acme.com,Boone Carter,+16505550100,user_in,+16504445567,"
                       "2024-03-06T14:05:00Z,2024-03-06T14:06:00Z,60\n")
    loaded = read_events([swapped], tz=TZ, sources=options)
    assert loaded.frame["candidate_id"].tolist() == ["101"]
    assert loaded.frame["direction"].tolist() == ["inbound"]


def test_twilio_messages_are_sms_not_calls(options):
    loaded = load(options, "twilio_sms/twilio_messages.json")
    ana = of(loaded, "101")
    assert ana["channel"].tolist() == ["sms", "sms"] and ana["direction"].tolist() == ["inbound", "outbound"]
    assert ana["timestamp"].iloc[0] == utc("2024-03-06T14:30:00Z")  # RFC 2822 date_sent
    assert ana["outcome"].isna().all()
    assert of(loaded, "102")["channel"].tolist() == ["other"]  # WhatsApp
    reasons = " ".join(loaded.rejects["reason"])
    assert "undelivered (it never reached the phone)" in reasons and "still scheduled" in reasons
    assert loaded.counts == {"rows_read": 6, "rows_used": 4, "duplicates": 0, "rejected": 2}


def test_twilio_messages_in_bulkexport_and_api_pages_count_once(options):
    loaded = load(options, "twilio_sms/twilio_messages.json", "twilio_sms/twilio_messages_bulkexport.jsonl")
    assert len(of(loaded, "101")) == 2 and loaded.counts["duplicates"] == 2


def test_ics_calendar_is_the_interview_list(options):
    loaded = read_interviews(DATA / "calendar" / "google_interviews.ics", tz=TZ, sources=options)
    rows = loaded.frame.set_index("candidate_id")
    assert rows.loc["101", "interview_at"] == utc("2024-03-05T19:00:00Z")  # TZID America/New_York
    assert rows.loc["101", "interviewers"] == "Boone Carter;Raj Patel"     # no room, no candidate
    assert rows.loc["101", "name"] == "Ana Lopez"
    assert rows.loc["102", "interview_at"] == utc("2024-03-06T15:00:00Z")  # UTC "Z"
    # All day: local midnight to the next midnight (DTEND exclusive), not two days.
    assert rows.loc["103", "interview_at"] == utc("2024-03-07T05:00:00Z")
    assert rows.loc["103", "interview_end"] == utc("2024-03-08T05:00:00Z")
    reasons = loaded.rejects.set_index("source_row")["reason"]
    assert reasons[4].startswith("cancelled event") and reasons[5].startswith("a recurring event")
    assert reasons[6].startswith("ambiguous") and reasons[7].startswith("unmatched")
    assert loaded.counts["rows_read"] == 7 and loaded.counts["rows_used"] == 3


def test_outlook_invite_with_a_windows_time_zone(options):
    loaded = read_interviews(DATA / "calendar" / "outlook_invite.ics", tz=TZ, sources=options)
    row = loaded.frame.iloc[0]
    assert row["candidate_id"] == "107" and row["interviewers"] == "Boone Carter"
    assert row["interview_at"] == utc("2024-03-14T17:00:00Z")  # Pacific, already on summer time


def test_cli_scores_new_sources_with_a_calendar_as_the_interviews():
    result = run_cli("validate", DATA / "aircall" / "aircall_calls.json", DATA / "zoom" / "zoom_call_logs.json",
                     DATA / "teams" / "teams_pstn_calls.csv", DATA / "twilio_sms" / "twilio_messages.json",
                     DATA / "outlook" / "graph_messages.json", DATA / "outlook" / "msg",
                     "-i", DATA / "calendar" / "google_interviews.ics", *ROUTING)
    assert result.exit_code == 0, result.output
    for source in ("aircall", "zoom", "teams", "twilio-sms", "graph", "msg", "ics"):
        assert f" {source} " in result.output
    score = run_cli("score", DATA / "aircall" / "aircall_calls.json", DATA / "outlook" / "msg",
                    "-i", DATA / "calendar" / "google_interviews.ics", *ROUTING,
                    "--as-of", "2024-03-25T18:00:00-04:00", "-q")
    assert score.exit_code == 0, score.output
    assert "Ana Lopez" in score.output


def test_google_voice_takeout_calls_folder(options):
    loaded = load(options, "google_voice/Calls")
    ana = of(loaded, "101")
    assert ana["channel"].tolist() == ["phone", "sms", "phone"]  # the text is read too
    ana = ana[ana["channel"] == "phone"]
    assert ana["outcome"].tolist() == ["connected", "voicemail"]  # a voicemail, never a hang-up
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:05:00Z"), utc("2024-03-07T15:00:00Z")]
    assert ana["duration_s"].tolist() == [245, 22]  # ISO 8601 PT4M5S, PT22S
    assert of(loaded, "102")["outcome"].tolist() == ["missed"]
    dev = of(loaded, "104")
    assert list(zip(dev["direction"], dev["outcome"])) == [("outbound", "connected"), ("outbound", "missed")]
    assert loaded.counts == {"rows_read": 6, "rows_used": 6, "duplicates": 0, "rejected": 0}


def test_the_same_aircall_call_in_two_files_counts_once(options):
    loaded = load(options, "aircall/aircall_calls.json", "aircall/aircall_calls.jsonl")
    assert loaded.frame["event_id"].is_unique and len(of(loaded, "101")) == 2
    copies = loaded.rejects[loaded.rejects["reason"].str.startswith("the same call (aircall:")]
    assert len(copies) == 4  # page 1's four calls, again in the JSON Lines file


def test_a_damaged_msg_in_a_folder_is_one_line_naming_it(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "reply.msg").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 16)
    result = run_cli("validate", folder, *ROUTING)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert "reply.msg: cannot be read as an Outlook .msg file" in result.output
