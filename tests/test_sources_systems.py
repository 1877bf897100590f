"""The remaining systems of issue 13 — Dialpad, Vonage, Workable, Ashby, LinkedIn messages,
Google Voice texts and Twilio legs split across files — each on a fixture written from its
vendor's documented field names and values, checked as a recruiter would: who called or wrote
whom, how the call went, how long, when (in which zone), and where every row went.

Also the detector's test over EVERY fixture under tests/data/sources (old and new): each is
recognised as its own vendor and no other."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_vendor as load, of, utc
from followup.cli import main
from followup.errors import InputWarning
from followup.loading import read_events, read_interviews
from followup.roster import profile_key
from followup.sources import SourceOptions, dialpad
from followup.sources.detect import detect

DATA = Path(__file__).parent / "data" / "sources"
TZ = "America/New_York"
AS_OF = "2024-03-25T18:00:00-04:00"

# Every input fixture under tests/data/sources and the one source it must be taken for.
VENDOR_OF = {
    "greenhouse_feed.json": "greenhouse", "greenhouse_v3_notes.jsonl": "greenhouse",
    "greenhouse_scheduled_interviews.json": "greenhouse-interviews",
    "lever_interviews.json": "lever-interviews", "lever_notes.json": "lever",
    "lever_opportunities.json": "events",  # a roster, not a log: nothing vendor-specific to read
    "ringcentral_call_log.json": "ringcentral", "ringcentral_admin.csv": "ringcentral",
    "twilio_calls.json": "twilio", "twilio_bulkexport.jsonl": "twilio", "twilio_console.csv": "twilio",
    "twilio_split/twilio_parent_calls.json": "twilio", "twilio_split/twilio_child_legs.jsonl": "twilio",
    "mailbox.mbox": "mbox", "eml/cara-thanks.eml": "eml", "eml/cara-followup.eml": "eml",
    "eml/cara-week3.eml": "eml",
    "other_export.csv": "events", "roster.csv": "events", "linkedin/roster_linkedin.csv": "events",
    "dialpad_calls.jsonl": "dialpad", "dialpad/dialpad_calls_page.json": "dialpad",
    "vonage/vonage_calls.json": "vonage",
    "workable/workable_activities.jsonl": "workable",  # an "activities" page, yet not Greenhouse
    "ashby/ashby_interview_schedules.json": "ashby-interviews",
    "smartrecruiters/smartrecruiters_interviews.jsonl": "smartrecruiters-interviews",
    "linkedin/messages.csv": "linkedin",
    "outlook/msg/ana-thanks.msg": "msg", "outlook/msg/ana-autoreply.msg": "msg",
    "outlook/msg/ben-accepted.msg": "msg", "outlook/msg/boone-reply.MSG": "msg",
    "outlook/graph_messages.json": "graph", "outlook/graph_messages.jsonl": "graph",
    "aircall/aircall_calls.json": "aircall", "aircall/aircall_calls.jsonl": "aircall",
    "aircall/aircall_call_history.csv": "aircall",
    "zoom/zoom_call_logs.json": "zoom", "zoom/zoom_call_history.jsonl": "zoom",
    "zoom/zoom_call_logs_admin.csv": "zoom",
    "teams/teams_pstn_calls.csv": "teams", "teams/teams_direct_routing.csv": "teams",
    "twilio_sms/twilio_messages.json": "twilio-sms", "twilio_sms/twilio_messages_bulkexport.jsonl": "twilio-sms",
    "calendar/google_interviews.ics": "ics", "calendar/outlook_invite.ics": "ics",
    "refused/aircall_calls_page.json": "aircall", "refused/graph_messages_page.json": "graph",
    **{f"google_voice/Calls/{p.name}": "google-voice" for p in (DATA / "google_voice" / "Calls").iterdir()},
    **{f"google_voice_texts/{p.name}": "google-voice" for p in (DATA / "google_voice_texts").iterdir()},
}
# Not inputs: mapping files, the script that writes the .msg fixtures, and the Outlook CSV export,
# which is refused (tests/test_sources_more.py checks the error names the exports to use instead).
NOT_INPUTS = {"mapping.toml", "dialpad_mapping.toml", "outlook/make_msg.py", "outlook/outlook_export.csv"}




def reasons(loaded):
    return loaded.rejects.set_index("source_row")["reason"].to_dict()


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_fixture_is_recognised_as_its_own_vendor_and_no_other():
    found = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file()}
    assert found - NOT_INPUTS == set(VENDOR_OF), "a fixture was added or removed: list it in VENDOR_OF"
    wrong = {name: detect(DATA / name) for name, source in VENDOR_OF.items() if detect(DATA / name) != source}
    assert wrong == {}


def test_dialpad_milliseconds_call_flows_and_outcomes(options):
    loaded = load(options, "dialpad/dialpad_calls_page.json")
    ana = of(loaded, "101")
    # A queue call that rang Raj, then Kate, who answered: one connected call, 312 s (312000 ms),
    # starting when Ana dialled (epoch ms, UTC), with the agent who answered.
    assert ana[["outcome", "duration_s", "direction", "contact"]].values.tolist() == [
        ["connected", 312.0, "inbound", "Kate Amari"]]
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:05:00Z")]
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"], ben["duration_s"])) == [
        ("outbound", "missed", 0.0), ("inbound", "hang_up", 4.0)]  # abandoned after 4000 ms
    assert of(loaded, "104")["outcome"].tolist() == ["voicemail"]  # a voicemail_link: never a hang-up
    why = reasons(loaded)
    assert why[1] == "another record of call flow 7001; counted once, on row 2"
    assert why[6] == "call still ringing when saved: no outcome yet"
    assert why[7].startswith("ambiguous: number +16175550100 belongs to candidates 105, 106")
    assert loaded.counts == {"rows_read": 7, "rows_used": 4, "duplicates": 1, "rejected": 2}


def test_dialpad_json_lines_without_a_mapping_are_hang_ups_not_long_calls(options):
    loaded = load(options, "dialpad_calls.jsonl")
    gary = of(loaded, "107")
    assert gary[["outcome", "duration_s"]].values.tolist() == [["hang_up", 3.0]] * 3
    # Its fourth record says "call_direction", which is no Dialpad field: rejected, never guessed
    # (the --map test in tests/test_sources.py reads that file through a mapping that allows it).
    assert reasons(loaded)[4] == "unknown Dialpad direction (empty)"


def test_vonage_legs_of_one_conversation_are_one_call(options):
    loaded = load(options, "vonage/vonage_calls.json")
    ana = of(loaded, "101")
    # Ana's call in and the leg that rang the recruiter's mobile: one call, from Ana's side.
    assert ana[["direction", "outcome", "duration_s"]].values.tolist() == [["inbound", "connected", 312.0]]
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:05:00Z")]
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"])) == [("outbound", "voicemail"), ("inbound", "hang_up")]
    dev = of(loaded, "104")
    assert dev["outcome"].tolist() == ["missed", "busy"]  # timeout, busy
    why = reasons(loaded)
    assert why[2].startswith("another leg of Vonage conversation CON-aaaa-0001")
    assert why[7].startswith("not a contact attempt: Vonage status failed")
    assert why[8] == "call still ringing when saved: no outcome yet"
    assert loaded.counts == {"rows_read": 8, "rows_used": 5, "duplicates": 1, "rejected": 2}


def test_workable_activities_are_not_taken_for_greenhouse(options):
    assert detect(DATA / "workable" / "workable_activities.jsonl") == "workable"
    loaded = load(options, "workable/workable_activities.jsonl")
    ana = of(loaded, "101")
    # Only the recruiter's message is a contact; its offset is kept (09:30 -05:00 is 14:30 UTC).
    assert ana[["channel", "direction", "contact"]].values.tolist() == [["email", "outbound", "Boone Carter"]]
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:30:00Z")]
    why = reasons(loaded)
    # A comment saying "called her" is the employer's note, never a call.
    assert why[3] == "not a contact: a Workable comment activity is ATS workflow written by the employer"
    assert why[6].startswith("a Workable message with no member")
    assert why[8].startswith("unmatched: the activity names no candidate_id")
    assert why[9] == "unmatched: candidate 999 is not in the roster"
    assert loaded.counts == {"rows_read": 9, "rows_used": 2, "duplicates": 0, "rejected": 7}


def test_ashby_interview_schedules_are_the_interview_list(options):
    loaded = read_interviews(DATA / "ashby" / "ashby_interview_schedules.json", tz=TZ, sources=options)
    rows = loaded.frame.sort_values("interview_at")
    assert rows["candidate_id"].tolist() == ["101", "101", "102"]  # one row per event
    assert rows["interview_at"].tolist()[0] == utc("2024-03-05T19:00:00Z")
    assert rows["interviewers"].tolist() == ["Boone Carter", "Raj Patel", "u-boone;u-raj"]
    assert rows["name"].tolist()[0] == "Ana Lopez"
    why = reasons(loaded)
    assert why[4] == "cancelled interview (Ashby schedule status Cancelled)"
    assert why[5].startswith("not scheduled yet")
    assert why[6] == "unmatched: application id 7777 is not in the roster"
    assert loaded.counts["rows_read"] == 6 and loaded.counts["rows_used"] == 3


def test_smartrecruiters_interview_timeslots_are_the_interview_list(options):
    loaded = read_interviews(DATA / "smartrecruiters" / "smartrecruiters_interviews.jsonl", tz=TZ,
                                      sources=options)
    rows = loaded.frame.sort_values("interview_at")
    assert rows["candidate_id"].tolist() == ["101", "101", "102"]  # one row per timeslot
    # startsOn is UTC whatever the interview's own timezone (Europe/London for Ben's).
    assert rows["interview_at"].tolist() == [utc("2024-03-05T19:00:00Z"), utc("2024-03-05T20:00:00Z"),
                                             utc("2024-03-06T15:00:00Z")]
    assert rows["interviewers"].tolist() == ["u-boone", "u-raj;u-kate", "u-raj"]
    why = reasons(loaded)
    assert why[4] == "declined interview (the candidate's status is declined)"
    assert why[5] == "unmatched: candidate c-unknown is not in the roster"
    assert loaded.counts["rows_read"] == 5 and loaded.counts["rows_used"] == 3


@pytest.fixture()
def linkedin_options():
    return SourceOptions.build(candidates=DATA / "linkedin" / "roster_linkedin.csv", default_region="US")


def test_linkedin_messages_by_profile_url_then_exact_name(linkedin_options):
    with pytest.warns(InputWarning, match="1 LinkedIn message\\(s\\) tied to candidates by exact name only"):
        loaded = load(linkedin_options, "linkedin/messages.csv")
    assert (loaded.frame["channel"] == "linkedin").all()
    ana = of(loaded, "101")
    # The profile URL decides, whatever its case, slash or www.; "UTC" times are UTC.
    assert ana["direction"].tolist() == ["inbound", "outbound"]
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:30:00Z"), utc("2024-03-07T16:00:00Z")]
    assert ana["contact"].tolist() == ["Boone Carter", "Boone Carter"]
    ben = of(loaded, "102")  # no profile URL in the roster: his exact name, said so
    assert ben["direction"].tolist() == ["inbound"] and ben["note"].str.endswith("matched by exact name").all()
    why = reasons(loaded)
    assert why[4].startswith("ambiguous: the name Sam Lee belongs to several candidates")
    assert why[5].startswith("unmatched: the name Dev Patel is a candidate's, but the roster lists that "
                             "candidate with another LinkedIn profile")
    assert why[6] == "ambiguous: one message to several candidates (101, 107)"
    assert why[7].startswith("unmatched: neither the sender's nor a recipient's")
    assert loaded.counts == {"rows_read": 7, "rows_used": 3, "duplicates": 0, "rejected": 4}


def test_linkedin_roster_refuses_a_profile_url_that_is_not_one(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("candidate_id,name,profile_urls\n1,Ana Lopez,https://example.com/ana\n")
    result = run_cli("validate", DATA / "linkedin" / "messages.csv", "--candidates", roster)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "row 1, column 'profile_urls': 'https://example.com/ana' is not a LinkedIn profile URL" in result.output


def test_twilio_parent_and_child_legs_in_two_files_are_settled_as_in_one(options):
    for order in (("twilio_split/twilio_parent_calls.json", "twilio_split/twilio_child_legs.jsonl"),
                  ("twilio_split/twilio_child_legs.jsonl", "twilio_split/twilio_parent_calls.json")):
        loaded = load(options, *order)
        # The forward rang out and Ben stayed on 39 s: a voicemail, not a missed call.
        assert of(loaded, "102")[["outcome", "duration_s"]].values.tolist() == [["voicemail", 39.0]]
        assert of(loaded, "101")[["outcome", "duration_s"]].values.tolist() == [["connected", 295.0]]
        # A leg whose parent is in neither file stands on its own.
        assert of(loaded, "104")[["direction", "outcome"]].values.tolist() == [["outbound", "missed"]]
        legs = loaded.rejects[loaded.rejects["kind"] == "duplicate"]
        assert len(legs) == 2 and legs["source_file"].str.endswith("twilio_child_legs.jsonl").all()
        assert legs["reason"].str.contains("on row 1 of .*twilio_parent_calls.json|on row 2 of .*twilio_parent_calls.json",
                                           regex=True).all()
        assert loaded.counts == {"rows_read": 5, "rows_used": 3, "duplicates": 2, "rejected": 0}


def test_aircall_call_history_csv_in_local_time(options):
    loaded = load(options, "aircall/aircall_call_history.csv")
    ana = of(loaded, "101")
    # No offset in the export: read in --tz (09:05 in New York is 14:05 UTC); 0:05:12 is 312 s.
    assert ana[["direction", "outcome", "duration_s"]].values.tolist() == [
        ["inbound", "connected", 312.0], ["inbound", "voicemail", 41.0]]
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:05:00Z"), utc("2024-03-07T15:00:00Z")]
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"])) == [("inbound", "hang_up"), ("outbound", "missed")]
    assert of(loaded, "104")["outcome"].tolist() == ["missed"]  # out of business hours
    assert of(loaded, "107")["timestamp"].tolist() == [utc("2024-03-10T13:00:00Z")]  # after the DST change
    assert reasons(loaded)[6].startswith("not a contact: an AI Call")
    assert loaded.counts == {"rows_read": 7, "rows_used": 6, "duplicates": 0, "rejected": 1}


def test_the_same_aircall_call_in_the_csv_and_an_api_page_counts_once(options, tmp_path):
    page = tmp_path / "calls.json"
    page.write_text(json.dumps({"calls": [{"id": 3916681, "direction": "inbound", "status": "done",
                                           "started_at": 1709733900, "answered_at": 1709733905, "ended_at": 1709734212,
                                           "duration": 312, "raw_digits": "+1 650-444-5567",
                                           "number": {"digits": "+1 866-213-0006"}, "user": {"name": "Boone Carter"},
                                           "voicemail": None, "missed_call_reason": None}],
                                "meta": {"next_page_link": None}}))
    loaded = read_events([DATA / "aircall" / "aircall_call_history.csv", page], tz=TZ, sources=options)
    assert len(of(loaded, "101")) == 2 and loaded.counts["duplicates"] == 1


def test_zoom_phone_admin_csv(options):
    loaded = load(options, "zoom/zoom_call_logs_admin.csv")
    ana = of(loaded, "101")
    assert ana["outcome"].tolist() == ["connected", "voicemail"]  # No Answer with a voicemail left
    assert ana["timestamp"].tolist() == [utc("2024-03-06T14:05:00Z"), utc("2024-03-07T15:00:00Z")]
    ben = of(loaded, "102")
    assert list(zip(ben["direction"], ben["outcome"])) == [("outbound", "busy"), ("inbound", "hang_up")]
    assert of(loaded, "104")[["outcome", "duration_s"]].values.tolist() == [["connected", 240.0]]
    why = reasons(loaded)
    assert why[5] == "not a contact attempt: Zoom Phone result Blocked"
    assert why[7] == "another record of call 7018317023722949006; counted once, on row 6"
    assert loaded.counts == {"rows_read": 7, "rows_used": 5, "duplicates": 1, "rejected": 1}


def test_google_voice_texts_are_sms_each_way(options):
    loaded = load(options, "google_voice_texts")
    dev = of(loaded, "104")
    assert list(zip(dev["channel"], dev["direction"])) == [("sms", "inbound"), ("sms", "outbound"), ("sms", "inbound")]
    # The page's own offsets: 3 PM Eastern standard time, then 9:30 AM daylight time.
    assert dev["timestamp"].tolist() == [utc("2024-03-09T20:00:00Z"), utc("2024-03-09T20:05:00Z"),
                                         utc("2024-03-11T13:30:00Z")]
    ben = of(loaded, "102")  # only Me wrote: the other party is the number in the file name
    assert ben["direction"].tolist() == ["outbound"]
    group = loaded.rejects[loaded.rejects["source_file"].str.contains("Group Conversation")]
    assert len(group) == 2 and group["reason"].str.contains("group conversation").all()
    assert loaded.counts == {"rows_read": 6, "rows_used": 4, "duplicates": 0, "rejected": 2}


def test_a_mapping_given_still_wins_over_the_dialpad_reader():
    options = SourceOptions.build(candidates=DATA / "roster.csv", default_region="US",
                                  map_file=DATA / "dialpad_mapping.toml")
    assert detect(DATA / "dialpad_calls.jsonl", options.mapping) == "map"
    assert detect(DATA / "dialpad" / "dialpad_calls_page.json") == "dialpad"


def test_cli_scores_the_new_systems_together(tmp_path):
    args = ["--candidates", DATA / "roster.csv", "--employer-domain", "acme.com", "--default-region", "US", "--tz", TZ]
    inputs = [DATA / "dialpad" / "dialpad_calls_page.json", DATA / "vonage" / "vonage_calls.json",
              DATA / "workable" / "workable_activities.jsonl", DATA / "google_voice_texts"]
    result = run_cli("validate", *inputs, "-i", DATA / "ashby" / "ashby_interview_schedules.json", *args)
    assert result.exit_code == 0, result.output
    for source in ("dialpad", "vonage", "workable", "google-voice", "ashby-interviews"):
        assert f" {source} " in result.output
    score = run_cli("score", *inputs[:3], "-i", DATA / "ashby" / "ashby_interview_schedules.json", *args,
                    "--as-of", AS_OF, "--format", "json", "-q")
    assert score.exit_code in (0, 3), score.output
    scored = {c["candidate_id"] for c in json.loads(score.stdout)["candidates"]}
    assert {"101", "102"} <= scored


SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{2,30}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(slug=SLUG, scheme=st.sampled_from(["", "http://", "https://"]),
       host=st.sampled_from(["linkedin.com", "www.linkedin.com", "uk.linkedin.com", "WWW.LinkedIn.com"]),
       tail=st.sampled_from(["", "/", "/?trk=public_profile", "#about", "/details/experience/"]),
       upper=st.booleans())
def test_a_linkedin_profile_is_the_same_however_it_is_written(slug, scheme, host, tail, upper):
    written = f"{scheme}{host}/in/{slug.upper() if upper else slug}{tail}"
    assert profile_key(pd.Series([written])).tolist() == [f"linkedin.com/in/{slug}"]


ROSTER_ONLY = SourceOptions.build(candidates=DATA / "roster.csv", default_region="US")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=7_200_000), min_size=1, max_size=8))
def test_dialpad_durations_are_milliseconds_whatever_their_size(tmp_path_factory, durations):
    """Every Dialpad duration is divided by 1000 — a 3000 is 3 s, a 3 600 000 is an hour."""
    path = tmp_path_factory.mktemp("dialpad") / "calls.jsonl"
    path.write_text("\n".join(json.dumps({
        "call_id": 8000 + i, "direction": "inbound", "date_started": 1709733900000 + i * 60_000,
        "date_connected": 1709733905000 + i * 60_000, "duration": float(ms), "state": "hangup",
        "external_number": "+16504445567", "target": {"name": "Kate Amari", "phone": "+18662130006"}})
        for i, ms in enumerate(durations)))
    adapted = dialpad.read(path, ROSTER_ONLY)
    assert adapted.frame["duration_s"].tolist() == [ms / 1000 for ms in durations]
    assert (adapted.frame["outcome"] == "connected").all() and len(adapted.rejects) == 0
