"""Each vendor adapter on its fixture (tests/data/sources, built from the vendors' documents),
then all of them at once through the CLI, judged by the scores and flags a recruiter sees."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from followup.cli import main
from followup.errors import FollowupError, InputFileError, InvalidRowError
from followup.loading import read_events, read_interviews
from followup.sources import SourceOptions
from followup.sources.detect import detect
from followup.sources.mapping import load_map

DATA = Path(__file__).parent / "data" / "sources"
TZ = "America/New_York"
AS_OF = "2024-03-25T18:00:00-04:00"
ROUTING = ["--candidates", str(DATA / "roster.csv"), "--employer-domain", "acme.com",
           "--default-region", "US", "--tz", TZ]


@pytest.fixture()
def options():
    return SourceOptions.build(candidates=DATA / "roster.csv", employer_domains=["acme.com"],
                               default_region="US", map_file=DATA / "mapping.toml")


def load(name, options, **kwargs):
    return read_events([DATA / name], tz=TZ, sources=options, **kwargs)


def reasons_of(loaded) -> list[str]:
    return loaded.rejects["reason"].tolist()


def of(loaded, candidate):
    return loaded.frame[loaded.frame["candidate_id"] == candidate].sort_values("timestamp")


@pytest.mark.parametrize("name, source", [
    ("greenhouse_feed.json", "greenhouse"), ("greenhouse_v3_notes.jsonl", "greenhouse"),
    ("greenhouse_scheduled_interviews.json", "greenhouse-interviews"),
    ("lever_interviews.json", "lever-interviews"), ("lever_notes.json", "lever"),
    ("ringcentral_call_log.json", "ringcentral"), ("ringcentral_admin.csv", "ringcentral"),
    ("twilio_calls.json", "twilio"), ("twilio_bulkexport.jsonl", "twilio"),
    ("twilio_console.csv", "twilio"), ("mailbox.mbox", "mbox"),
    ("eml/cara-thanks.eml", "eml"), ("../../../sample_data/events.csv", "events"),
    # Not (yet) read by a vendor adapter: never taken for another vendor.
    ("refused/aircall_calls_page.json", "aircall"), ("refused/graph_messages_page.json", "graph"),
    ("dialpad_calls.jsonl", "dialpad"),  # its own reader now: ms durations, call flows
])
def test_files_are_recognised_from_their_content(name, source):
    assert detect(DATA / name) == source


def test_a_mapped_export_is_recognised_by_its_columns():
    assert detect(DATA / "other_export.csv", load_map(DATA / "mapping.toml")) == "map"


def test_greenhouse_feed_emails_get_direction_and_candidate_from_addresses(options):
    loaded = load("greenhouse_feed.json", options)
    ana = of(loaded, "101")
    assert ana["direction"].tolist() == ["inbound", "outbound"]
    assert ana["contact"].tolist() == ["boone@acme.com", "boone@acme.com"]
    assert of(loaded, "105")["direction"].tolist() == ["inbound"]  # singular "email" key, display name
    # Notes and stage changes are accounted for, never scored ("Ana called, left VM" is no call).
    assert loaded.counts == {"rows_read": 6, "rows_used": 3, "duplicates": 0, "rejected": 3}
    assert sum(r.startswith("not a contact: a Greenhouse note") for r in reasons_of(loaded)) == 1
    assert (loaded.frame["channel"] == "email").all()


def test_greenhouse_v3_notes_pages_are_accounted_for(options):
    loaded = load("greenhouse_v3_notes.jsonl", options)
    assert loaded.counts["rows_read"] == 2 and loaded.counts["rows_used"] == 0


def test_greenhouse_scheduled_interviews_become_the_interview_list(options):
    loaded = read_interviews(DATA / "greenhouse_scheduled_interviews.json", tz=TZ, sources=options)
    frame = loaded.frame.set_index("candidate_id")
    assert frame.loc["101", "name"] == "Ana Lopez" and frame.loc["101", "interviewers"] == "Boone C"
    # An all-day interview runs from local midnight to the next one in --tz.
    assert frame.loc["103", "interview_at"] == pd.Timestamp("2024-03-05T00:00", tz=TZ)
    assert frame.loc["103", "interview_end"] == pd.Timestamp("2024-03-06T00:00", tz=TZ)
    assert reasons_of(loaded) == ["unmatched: application id 9999 is not in the roster"]


def test_greenhouse_all_day_interviews_over_several_days_and_impossible_dates(options, tmp_path):
    scheduled = json.loads((DATA / "greenhouse_scheduled_interviews.json").read_text())
    over_dst = {**scheduled[3], "start": {"date": "2024-03-09"}, "end": {"date": "2024-03-10"}}
    impossible = {**scheduled[0], "start": {"date": "2024-02-30"}, "end": {"date": "2024-02-30"}}
    path = tmp_path / "scheduled.json"
    path.write_text(json.dumps([over_dst, impossible]))
    loaded = read_interviews(path, tz=TZ, sources=options)
    dev = loaded.frame.set_index("candidate_id").loc["104"]
    # Harvest's all-day end date is exclusive: 9 to 10 March is the one day 9 March (over the DST change).
    assert (dev["interview_at"], dev["interview_end"]) == (pd.Timestamp("2024-03-09", tz=TZ), pd.Timestamp("2024-03-10", tz=TZ))
    assert loaded.rejects[["source_row", "column"]].values.tolist() == [[2, "interview_at"]]
    assert reasons_of(loaded)[0].startswith("not a time")


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Tokyo"])
def test_greenhouse_one_day_all_day_interview_ends_that_day(options, tmp_path, tz):
    """start D, end D+1 (Harvest's exclusive end) is one day: a thank-you the next morning is a
    follow-up, not a message sent "during the interview"."""
    scheduled = json.loads((DATA / "greenhouse_scheduled_interviews.json").read_text())
    one_day = {**scheduled[2], "start": {"date": "2024-03-05"}, "end": {"date": "2024-03-06"}}
    three_days = {**scheduled[3], "start": {"date": "2024-03-05"}, "end": {"date": "2024-03-08"}}
    path = tmp_path / "scheduled.json"
    path.write_text(json.dumps([one_day, three_days]))
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction,subject\n"
                      "103,2024-03-06T09:15:00,email,inbound,Thank you for yesterday\n"
                      "103,2024-03-13T09:15:00,email,inbound,Checking in\n")
    loaded = read_interviews(path, tz=tz, sources=options).frame.set_index("candidate_id")
    assert loaded.loc["103", "interview_end"] == pd.Timestamp("2024-03-06", tz=tz)
    assert loaded.loc["104", "interview_end"] == pd.Timestamp("2024-03-08", tz=tz)
    result = run_cli("score", events, "-i", path, "--candidates", DATA / "roster.csv", "--default-region", "US",
                     "--tz", tz, "--as-of", "2024-03-25T18:00:00", "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    cara = {c["candidate_id"]: c for c in json.loads(result.stdout)["candidates"]}["103"]
    assert "NO_CONTACT" not in cara["flags"] and cara["inbound_contacts"] == 2


def test_lever_interviews_drop_cancellations_and_tie_opportunities_to_people():
    lever = SourceOptions.build(candidates=DATA / "lever_opportunities.json")
    loaded = read_interviews(DATA / "lever_interviews.json", tz=TZ, sources=lever)
    frame = loaded.frame.set_index("name")
    assert frame.loc["Hana Ito", "interview_at"] == pd.Timestamp("2024-03-04T15:00Z")
    assert frame.loc["Hana Ito", "interview_end"] == pd.Timestamp("2024-03-04T16:00Z")
    assert frame.loc["Ivan Petrov", "interview_end"] - frame.loc["Ivan Petrov", "interview_at"] == pd.Timedelta("45min")
    assert frame.loc["Hana Ito", "candidate_id"] == "7f23e772-d2ea-4bfd-a43c-6f9b0f8e8d3a"
    assert reasons_of(loaded) == ["canceled interview (canceledAt set)"]


def test_lever_notes_are_not_contacts(options):
    loaded = load("lever_notes.json", options)
    assert loaded.counts["rejected"] == 1 and reasons_of(loaded)[0].startswith("not a contact")


def test_ringcentral_results_sessions_and_people(options):
    loaded = load("ringcentral_call_log.json", options)
    gary = of(loaded, "107")
    assert gary["outcome"].tolist() == ["hang_up", "hang_up", "hang_up", "voicemail", "connected"]
    # Two records of one session (missed, then accepted on a FindMe leg) are one connected call.
    assert gary["duration_s"].iloc[-1] == 240
    reasons = reasons_of(loaded)
    assert "not a contact attempt: a fax" in reasons
    assert any("Call Failed" in r for r in reasons)
    assert "ambiguous: number +16175550100 belongs to candidates 105, 106" in reasons
    assert loaded.counts == {"rows_read": 9, "rows_used": 5, "duplicates": 1, "rejected": 3}


RINGCENTRAL_RESULTS = {
    "Accepted": "connected", "Call connected": "connected", "Call accepted": "connected",
    "Answered Not Accepted": "connected", "Sent to Voicemail": "voicemail", "Hang Up": "hang_up",
    "Hang up": "hang_up", "Abandoned": "hang_up", "Missed": "missed", "No Answer": "missed",
    "Rejected": "missed", "Declined": "missed", "Stopped": "missed", "Busy": "busy",
    "Call Failed": "(a failed or blocked call)", "Wrong Number": "(a failed or blocked call)",
    "In Progress": "(the call was still going on when the log was read)", "Unknown": "(no outcome recorded)",
}


@pytest.mark.parametrize("written", ["json", "csv"])
def test_every_documented_ringcentral_result(options, tmp_path, written):
    results = list(RINGCENTRAL_RESULTS)
    if written == "json":
        path = tmp_path / "calls.json"
        path.write_text(json.dumps({"records": [
            {"id": f"r{n}", "sessionId": f"s{n}", "startTime": f"2024-03-06T15:{n:02d}:00.000Z", "duration": 30,
             "type": "Voice", "direction": "Inbound", "result": result, "from": {"phoneNumber": "+16504445567"},
             "to": {"phoneNumber": "+18662130006", "name": "Recruiting"},
             # The API links the voicemail left; without one, "voicemail" was a hang-up.
             **({"message": {"id": "m1", "type": "VoiceMail"}} if "Voicemail" in result else {})}
            for n, result in enumerate(results)]}))
    else:
        path = tmp_path / "calls.csv"
        path.write_text("Start Time,From,To,Direction,Result,Duration\n" + "".join(
            f"2024-03-06 10:{n:02d},(650) 444-5567,(866) 213-0006,Inbound,{result},0:00:30\n"
            for n, result in enumerate(results)))
    loaded = read_events([path], tz=TZ, sources=options)
    got = dict(zip(loaded.frame["source_row"], loaded.frame["outcome"]))
    got.update(zip(loaded.rejects["source_row"], loaded.rejects["reason"]))
    for row, (result, expected) in enumerate(RINGCENTRAL_RESULTS.items(), 1):
        assert got[row] == expected or got[row].endswith(expected), (result, got[row])
    assert loaded.counts["rows_read"] == len(results)


def test_ringcentral_admin_csv_with_aliases_durations_and_local_times(options):
    loaded = load("ringcentral_admin.csv", options)
    dev = of(loaded, "104")
    assert dev[["direction", "outcome", "duration_s"]].values.tolist() == [["outbound", "missed", 32.0]]
    assert dev["timestamp"].iloc[0] == pd.Timestamp("2024-03-20T10:00", tz=TZ)
    assert loaded.counts["rejected"] == 2


def test_twilio_forwarded_calls_count_once_with_the_child_outcome(options):
    loaded = load("twilio_calls.json", options)
    ben = of(loaded, "102")
    # The forward rang out (no-answer) but the parent went on: Ben stayed on and left a message.
    assert ben[["outcome", "duration_s"]].values.tolist() == [["voicemail", 31.0], ["connected", 295.0]]
    assert loaded.counts == {"rows_read": 5, "rows_used": 2, "duplicates": 2, "rejected": 1}
    assert any(r.startswith("child <Dial> leg of CA00000000000000000000000000000001") for r in reasons_of(loaded))


def _call(sid, start, duration, status, parent=None, end=None, direction="outbound-dial", answered_by=None):
    caller, callee = ("+18662130006", "+12125550111") if parent else ("+14155550134", "+18662130006")
    return {"sid": sid, "parent_call_sid": parent, "from": caller, "to": callee,
            "direction": "inbound" if parent is None else direction, "status": status,
            "start_time": start, "end_time": end, "duration": str(duration), "answered_by": answered_by}


def test_twilio_each_forwarded_call_is_worked_out_from_all_of_its_legs(options, tmp_path):
    """Ben (102) calls the main line five times; each is forwarded to a recruiter with <Dial>."""
    calls = [
        # Rang out at 15:00:25, Ben stayed on until 15:01:10 (45 s): a voicemail.
        _call("CA01", "Mon, 11 Mar 2024 15:00:00 +0000", 70, "completed"),
        _call("CA02", "Mon, 11 Mar 2024 15:00:01 +0000", 0, "no-answer", "CA01", end="Mon, 11 Mar 2024 15:00:25 +0000"),
        # Busy, and the application said goodbye 3 s later: busy.
        _call("CA03", "Tue, 12 Mar 2024 15:00:00 +0000", 4, "busy"),
        _call("CA04", "Tue, 12 Mar 2024 15:00:01 +0000", 0, "busy", "CA03"),
        # Ben hung up while it rang: Twilio cancels the leg.
        _call("CA05", "Wed, 13 Mar 2024 15:00:00 +0000", 12, "completed"),
        _call("CA06", "Wed, 13 Mar 2024 15:00:01 +0000", 0, "canceled", "CA05"),
        # Ringing two recruiters at once: one answered.
        _call("CA07", "Thu, 14 Mar 2024 15:00:00 +0000", 200, "completed"),
        _call("CA08", "Thu, 14 Mar 2024 15:00:01 +0000", 0, "no-answer", "CA07", end="Thu, 14 Mar 2024 15:00:20 +0000"),
        _call("CA09", "Thu, 14 Mar 2024 15:00:02 +0000", 180, "completed", "CA07"),
        # The forward failed (carrier) and Ben stayed on for the voicemail prompt.
        _call("CA10", "Fri, 15 Mar 2024 15:00:00 +0000", 40, "completed"),
        _call("CA11", "Fri, 15 Mar 2024 15:00:01 +0000", 0, "failed", "CA10"),
    ]
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({"calls": calls, "next_page_uri": None}))
    loaded = read_events([path], tz=TZ, sources=options)
    ben = of(loaded, "102")
    assert ben[["outcome", "duration_s"]].values.tolist() == [
        ["voicemail", 45.0], ["busy", 0.0], ["hang_up", 0.0], ["connected", 180.0], ["voicemail", 39.0]]
    assert "stayed on 45 s" in ben["note"].iloc[0]
    assert loaded.counts == {"rows_read": 11, "rows_used": 5, "duplicates": 6, "rejected": 0}


def test_twilio_pages_that_overlap_count_each_call_once(options, tmp_path):
    page = json.loads((DATA / "twilio_calls.json").read_text())
    pages = tmp_path / "calls.jsonl"
    pages.write_text(json.dumps({**page, "calls": page["calls"][:3]}) + "\n"
                     + json.dumps({**page, "calls": page["calls"][1:]}) + "\n")
    loaded = read_events([pages], tz=TZ, sources=options)
    ben = of(loaded, "102")
    assert ben[["outcome", "duration_s"]].values.tolist() == [["voicemail", 31.0], ["connected", 295.0]]
    assert loaded.counts == {"rows_read": 7, "rows_used": 2, "duplicates": 4, "rejected": 1}
    assert "another record of call CA00000000000000000000000000000003; counted once, on row 3" in reasons_of(loaded)


def test_twilio_bulkexport_and_console_csv(options):
    bulk = load("twilio_bulkexport.jsonl", options)
    assert of(bulk, "101")["outcome"].tolist() == ["connected"]
    assert any("client:recruiter-desk" in r for r in reasons_of(bulk))
    assert "call still ringing: no outcome yet" in reasons_of(bulk)
    console = load("twilio_console.csv", options)
    assert of(console, "107")["outcome"].tolist() == ["hang_up", "busy"]


def test_mbox_direction_copies_labels_and_date_fallbacks(options):
    loaded = load("mailbox.mbox", options)
    assert of(loaded, "101")["direction"].tolist() == ["inbound", "outbound", "inbound"]
    assert of(loaded, "102")["contact"].tolist() == ["kate@acme.com"]  # plus-tagged, display-named sender
    # -0000 means "zone unknown": the time is taken as UTC.
    assert pd.Timestamp("2024-03-12T14:00Z") in of(loaded, "101")["timestamp"].tolist()
    eli = of(loaded, "105")
    assert eli["note"].iloc[0] == "time from the Received header (no usable Date)"
    assert eli["timestamp"].iloc[0] == pd.Timestamp("2024-03-14T16:00:05Z")
    reasons = reasons_of(loaded)
    assert "duplicate of row 4" in reasons  # the same Message-ID twice
    assert "not correspondence: Gmail label Spam" in reasons
    assert any(r.startswith("unmatched: sender stranger@example.biz") for r in reasons)


def test_folder_of_eml_files_names_each_file_in_rejects_and_rows(options):
    loaded = read_events([DATA / "eml"], tz=TZ, sources=options)
    assert len(of(loaded, "103")) == 3
    assert {Path(f).name for f in loaded.frame["source_file"]} == {
        "cara-thanks.eml", "cara-followup.eml", "cara-week3.eml"}


def test_mail_without_employer_domain_explains_what_is_missing():
    bare = SourceOptions.build(candidates=DATA / "roster.csv", default_region="US")
    loaded = read_events([DATA / "mailbox.mbox"], tz=TZ, sources=bare)
    assert any("give --employer-domain" in r for r in reasons_of(loaded))
    assert (loaded.frame["direction"] == "inbound").all()


def test_mapped_export_reads_day_first_local_times_and_resolves_emails(options):
    loaded = load("other_export.csv", options)
    dev = of(loaded, "104")
    assert dev[["channel", "direction", "outcome"]].values.tolist() == [["phone", "outbound", "voicemail"]]
    assert dev["timestamp"].iloc[0] == pd.Timestamp("2024-03-05T18:30", tz="Europe/London")
    assert of(loaded, "106")["channel"].tolist() == ["sms"]
    assert "does not match time_format '%d/%m/%Y %H:%M'" in reasons_of(loaded)
    assert "unmatched: address nobody@example.org is not in the roster" in reasons_of(loaded)


def test_mapping_file_is_validated_with_the_key_named(tmp_path):
    bad = tmp_path / "map.toml"
    bad.write_text('[columns]\ncandidate = "A"\ntime = "B"\nchannel = "C"\ndirection = "D"\n'
                   '[values.outcome]\n"Left msg" = "left_voicemail"\n')
    with pytest.raises(InputFileError, match=r"values\.outcome\.Left msg"):
        load_map(bad)
    missing = tmp_path / "nochannel.toml"
    missing.write_text('[columns]\ncandidate = "A"\ntime = "B"\ndirection = "D"\n')
    with pytest.raises(InputFileError, match="give \\[columns\\] channel or \\[constants\\] channel"):
        load_map(missing)


def test_mapping_time_format_is_checked_when_the_file_is_read(tmp_path):
    bad = tmp_path / "map.toml"
    bad.write_text('time_format = "%d/%m/%Y %Q"\n[columns]\ncandidate = "A"\ntime = "B"\n'
                   'channel = "C"\ndirection = "D"\n')
    result = run_cli("validate", DATA / "other_export.csv", "--map", bad)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {bad}: time_format: '%d/%m/%Y %Q' is not a usable strftime format "
        "('Q' is a bad directive in format '%d/%m/%Y %Q'); e.g. \"%d/%m/%Y %H:%M\""]


def test_mapped_excel_date_cells_and_offsets_in_the_time_format(options, tmp_path):
    export = pd.read_csv(DATA / "other_export.csv", dtype=str).iloc[:2]
    export["Logged"] = pd.to_datetime(export["Logged"], format="%d/%m/%Y %H:%M")  # real date cells
    export.to_excel(tmp_path / "crm.xlsx", index=False)
    dev = of(read_events([tmp_path / "crm.xlsx"], tz=TZ, sources=options), "104")
    assert dev["timestamp"].tolist() == [pd.Timestamp("2024-03-05T18:30", tz="Europe/London")]

    offsets = tmp_path / "offsets.csv"
    offsets.write_text('Logged,Applicant email,Kind,Dir,Result\n'
                       '"05/03/2024 18:30 +0100",dev@example.org,Call,OUT,Left message\n'
                       '"05/07/2024 18:30 -0400",dev@example.org,Call,OUT,Left message\n')
    rules = tmp_path / "offsets.toml"
    rules.write_text('candidate_match = "email"\ntime_format = "%d/%m/%Y %H:%M %z"\n[columns]\n'
                     'candidate = "Applicant email"\ntime = "Logged"\nchannel = "Kind"\ndirection = "Dir"\n'
                     'outcome = "Result"\n[values.direction]\n"OUT" = "outbound"\n')
    mapped = SourceOptions.build(candidates=DATA / "roster.csv", default_region="US", map_file=rules)
    times = of(read_events([offsets], tz=TZ, sources=mapped), "104")["timestamp"].tolist()
    assert times == [pd.Timestamp("2024-03-05T17:30", tz="UTC"), pd.Timestamp("2024-07-05T22:30", tz="UTC")]


def test_forced_source_and_unknown_names(options):
    forced = SourceOptions.build(source=[f"{DATA / 'lever_notes.json'}=lever"])
    assert forced.source_for(DATA / "lever_notes.json", "events") == "lever"
    with pytest.raises(FollowupError, match="unknown --source 'bamboohr'"):
        SourceOptions.build(source=["bamboohr"])
    # A mistyped file name is an error, not an override that silently applies to nothing.
    result = run_cli("validate", DATA / "lever_notes.json", "--source", "lever_note.json=lever")
    assert result.exit_code == 1
    assert result.output.strip() == "error: --source lever_note.json=lever: there is no file or folder lever_note.json"


def test_strict_stops_at_an_unmatched_record_but_not_at_notes(options):
    with pytest.raises(InvalidRowError, match=r"mailbox.mbox: row 7, column 'candidate_id'"):
        load("mailbox.mbox", options, strict=True)
    assert load("greenhouse_feed.json", options, strict=True).counts["rows_used"] == 3


def test_the_same_email_in_the_ats_and_the_mailbox_counts_once(options):
    both = read_events([DATA / "greenhouse_feed.json", DATA / "mailbox.mbox"], tz=TZ, sources=options)
    ana_inbound = of(both, "101").query("direction == 'inbound'")
    assert len(ana_inbound) == 2  # the thank-you once, the check-in once
    assert any(r.startswith("the same e-mail as") and "greenhouse_feed.json row 1" in r for r in reasons_of(both))


EVERYTHING = ["greenhouse_feed.json", "greenhouse_v3_notes.jsonl", "mailbox.mbox", "eml",
              "ringcentral_call_log.json", "ringcentral_admin.csv", "twilio_calls.json",
              "twilio_bulkexport.jsonl", "twilio_console.csv", "other_export.csv"]


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_mixed_run_scores_every_candidate_from_all_sources():
    result = run_cli("score", *[DATA / f for f in EVERYTHING], "-i", DATA / "greenhouse_scheduled_interviews.json",
                     *ROUTING, "--map", DATA / "mapping.toml", "--as-of", AS_OF, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    rows = {c["candidate_id"]: c for c in document["candidates"]}
    assert set(rows) == {"101", "102", "103", "104", "105", "106", "107"}
    assert rows["101"]["name"] == "Ana Lopez"
    # Ana: thank-you the same evening (ATS + mailbox, counted once), weekly after: top marks for
    # timing — but her note is "Thanks for today..." to no one by name, a stock phrase, which the
    # notes component (Greenhouse keeps the body) marks down: seed 001's "generic thank-you note".
    ana = rows["101"]
    assert ana["status"] == "ok" and ana["flags"] == [] and ana["speed"] == 100 and ana["restraint"] == 100
    assert ana["grade"] == "B" and "1 note mostly a greeting and a stock phrase" in ana["reasons"]
    # Cara's all-day assessment: her thank-you the next morning is the same day's follow-up window.
    assert rows["103"]["status"] == "ok" and rows["103"]["flags"] == []
    # Gary hung up three times within half an hour (RingCentral) and again via Twilio.
    assert "EXCESSIVE_HANGUPS" in rows["107"]["flags"]
    # Dev was only ever called by the employer; Fay's shared line is ambiguous, never guessed.
    assert rows["104"]["flags"] == ["NO_CONTACT"] and rows["106"]["flags"] == ["NO_CONTACT"]
    counts = document["counts"]
    assert counts["rows_read"] == counts["rows_used"] + counts["duplicates"] + counts["rejected"]


def test_mailbox_copy_of_an_ats_email_does_not_change_the_score():
    common = ["-i", DATA / "greenhouse_scheduled_interviews.json", *ROUTING, "--as-of", AS_OF,
              "--format", "json", "-q"]
    alone = json.loads(run_cli("score", DATA / "greenhouse_feed.json", DATA / "twilio_bulkexport.jsonl",
                               *common).stdout)
    with_copy = json.loads(run_cli("score", DATA / "greenhouse_feed.json", DATA / "twilio_bulkexport.jsonl",
                                   DATA / "eml", *common).stdout)
    pick = {c["candidate_id"]: c for c in alone["candidates"]}["101"]
    again = {c["candidate_id"]: c for c in with_copy["candidates"]}["101"]
    assert (pick["score"], pick["inbound_contacts"]) == (again["score"], again["inbound_contacts"])


def test_validate_reports_read_used_duplicated_unmatched_rejected_per_source():
    result = run_cli("validate", *[DATA / f for f in EVERYTHING], "-i", DATA / "greenhouse_scheduled_interviews.json",
                     *ROUTING, "--map", DATA / "mapping.toml", "--format", "json")
    assert result.exit_code == 0, result.output
    sources = {Path(s["input"]).name: s for s in json.loads(result.stdout)["sources"]}
    mbox = sources["mailbox.mbox"]
    assert mbox["source"] == "mbox"
    assert (mbox["rows_read"], mbox["rows_used"], mbox["duplicates"], mbox["unmatched"], mbox["rejected"]) == (8, 4, 2, 1, 1)
    assert sources["eml"]["rows_used"] == 3 and sources["twilio_calls.json"]["duplicates"] == 2
    for row in sources.values():
        assert row["rows_read"] == row["rows_used"] + row["duplicates"] + row["unmatched"] + row["rejected"]
    document = json.loads(result.stdout)
    totals = {key: sum(row[key] for row in document["sources"]) for key in document["counts"]}
    assert document["counts"] == totals
    assert totals == {key: sum(row[key] for row in document["files"]) for key in totals}
    assert totals["unmatched"] + totals["rejected"] + totals["duplicates"] == len(document["rejects"])
    table = run_cli("validate", DATA / "mailbox.mbox", *ROUTING)
    assert "unmatched 1" in table.output and "mbox" in table.output


def test_cli_error_for_a_missing_roster_is_one_line():
    result = run_cli("validate", DATA / "mailbox.mbox", "--candidates", DATA / "nope.csv")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "nope.csv: no such file" in result.output


def test_docs_validate_example_is_what_the_command_prints(tmp_path, monkeypatch):
    docs = (Path(__file__).parents[1] / "docs" / "sources.md").read_text()
    block = docs.split("followup validate greenhouse_feed.json calls.csv", 1)[1]
    shown = block.split("```text\n", 1)[1].split("```", 1)[0]
    for name, fixture in [("greenhouse_feed.json", "greenhouse_feed.json"), ("calls.csv", "ringcentral_admin.csv"),
                          ("mailbox.mbox", "mailbox.mbox"), ("scheduled_interviews.json", "greenhouse_scheduled_interviews.json"),
                          ("roster.csv", "roster.csv")]:
        (tmp_path / name).write_bytes((DATA / fixture).read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "greenhouse_feed.json", "calls.csv", "mailbox.mbox", "-i", "scheduled_interviews.json",
                     "--candidates", "roster.csv", "--employer-domain", "acme.com", "--default-region", "US")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(shown)


def _rc_record(record_id, session, result, duration, extension):
    return {"uri": f"https://platform.ringcentral.com/restapi/v1.0/account/~/extension/{extension}/call-log/{record_id}",
            "id": record_id, "sessionId": session, "telephonySessionId": f"s-{session}",
            "startTime": "2024-03-11T15:00:00.000Z", "duration": duration, "type": "Voice", "direction": "Inbound",
            "action": "Phone Call", "result": result, "to": {"phoneNumber": "+18662130006", "name": f"Ext {extension}"},
            "from": {"phoneNumber": "+14155550134"}}


def test_the_same_call_in_two_recruiters_logs_counts_once_with_its_best_outcome(options, tmp_path):
    """A queue call rang two recruiters: Kate's log says Missed, Boone's Accepted. Given
    together (either order), Ben (102) made one connected call; the copy is a duplicate."""
    kate, boone = tmp_path / "kate_call_log.json", tmp_path / "boone_call_log.json"
    kate.write_text(json.dumps({"records": [_rc_record("AAA1", "90001", "Missed", 0, 101)], "navigation": {}}))
    boone.write_text(json.dumps({"records": [_rc_record("BBB1", "90001", "Accepted", 240, 102)], "navigation": {}}))
    for order in ([kate, boone], [boone, kate]):
        loaded = read_events(order, tz=TZ, sources=options)
        ben = of(loaded, "102")
        assert ben[["outcome", "duration_s"]].values.tolist() == [["connected", 240.0]]
        duplicate = loaded.rejects[loaded.rejects["kind"] == "duplicate"]
        assert len(duplicate) == 1 and Path(duplicate["source_file"].iloc[0]).name == "kate_call_log.json"
        assert duplicate["reason"].iloc[0].startswith("the same call (rc:s-90001) as ")
        assert loaded.counts["rows_read"] == 2 and loaded.counts["duplicates"] == 1


def test_the_same_twilio_call_in_an_export_and_api_pages_counts_once(options, tmp_path):
    page = json.loads((DATA / "twilio_calls.json").read_text())
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps(call) + "\n" for call in page["calls"][2:4]))
    loaded = read_events([DATA / "twilio_calls.json", again], tz=TZ, sources=options)
    assert of(loaded, "102")["outcome"].tolist() == ["voicemail", "connected"]
    assert any(r.startswith("the same call (tw:CA00000000000000000000000000000003)") for r in reasons_of(loaded))


def test_an_aircall_calls_page_is_not_taken_for_twilio():
    # Aircall also pages under "calls", but its records carry id/started_at, not sid/status.
    assert detect(DATA / "refused" / "aircall_calls_page.json") != "twilio"


def test_aircall_and_graph_pages_that_once_ended_in_an_internal_error_are_read():
    # Once refused rather than misread; now each has its reader (tests/test_sources_more.py).
    for name, source in (("aircall_calls_page.json", "aircall"), ("graph_messages_page.json", "graph")):
        result = run_cli("validate", DATA / "refused" / name, *ROUTING)
        assert result.exit_code == 0, result.output
        assert f" {source} " in result.output


@pytest.mark.parametrize("args", [
    ["score", DATA / "mailbox.mbox", "-i", DATA / "greenhouse_scheduled_interviews.json",
     "--employer-domain", "acme.com", "--as-of", AS_OF],
])
def test_inputs_that_once_ended_in_an_internal_error_get_a_clear_message(args):
    result = run_cli(*args)
    assert result.exit_code == 1
    assert "internal error" not in result.output and result.output.startswith("error: ")
    assert result.output.strip().count("\n") == 0


def test_greenhouse_interviews_without_a_roster_say_which_option_is_missing():
    result = run_cli("score", DATA / "mailbox.mbox", "-i", DATA / "greenhouse_scheduled_interviews.json",
                     "--employer-domain", "acme.com", "--as-of", AS_OF)
    assert "no interview can be used" in result.output and "give --candidates with application_ids" in result.output


def test_a_file_most_of_whose_contacts_match_no_candidate_is_warned_about():
    """A call log given without --candidates: every candidate would be NO_CONTACT with exit 0."""
    args = ["score", DATA / "twilio_calls.json", DATA / "mailbox.mbox", "-i", DATA / "greenhouse_scheduled_interviews.json",
            "--candidates", DATA / "roster.csv", "--default-region", "US", "--as-of", AS_OF, "-q"]
    result = run_cli(*args)   # roster given, but no --employer-domain: the mailbox's mail from the employer is lost
    assert result.exit_code in (0, 3), result.output
    assert "warning:" not in result.stderr  # 2 of 7 contacts unmatched: not most
    bare = run_cli("validate", DATA / "twilio_calls.json", DATA / "ringcentral_call_log.json")
    warnings = [line for line in bare.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and "twilio_calls.json: 2 of 2 contacts (100%) match no candidate" in warnings[0]
    assert all("give --candidates roster.csv" in w for w in warnings)
    strict = run_cli("validate", DATA / "twilio_calls.json", "--strict")
    assert strict.exit_code == 1 and "2 of 2 contacts (100%) match no candidate" in strict.output


def test_a_mapped_json_lines_export_with_millisecond_durations_nested_keys_and_voicemail_links(tmp_path):
    """Dialpad-style: three 3-second abandoned calls in half an hour are hang-ups (not three
    50-minute contacts), and a missed call with a voicemail link is a voicemail."""
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,interview_at\n107,2024-03-04T14:00:00Z\n101,2024-03-04T15:00:00Z\n")
    options = SourceOptions.build(candidates=DATA / "roster.csv", default_region="US",
                                  map_file=DATA / "dialpad_mapping.toml")
    assert detect(DATA / "dialpad_calls.jsonl", options.mapping) == "map"   # no --source map needed
    loaded = read_events([DATA / "dialpad_calls.jsonl"], tz=TZ, sources=options)
    gary, ana = of(loaded, "107"), of(loaded, "101")
    assert gary[["outcome", "duration_s", "direction"]].values.tolist() == [["hang_up", 3.0, "inbound"]] * 3
    assert ana[["outcome", "duration_s", "direction", "contact"]].values.tolist() == [["voicemail", 41.0, "inbound", "Kate A"]]
    result = run_cli("score", DATA / "dialpad_calls.jsonl", "-i", interviews, "--map", DATA / "dialpad_mapping.toml",
                     "--candidates", DATA / "roster.csv", "--default-region", "US", "--as-of", AS_OF, "--format", "json", "-q")
    assert result.exit_code in (0, 3), result.output
    flags = {c["candidate_id"]: c["flags"] for c in json.loads(result.stdout)["candidates"]}
    assert "EXCESSIVE_HANGUPS" in flags["107"] and "TOO_FREQUENT" not in flags["107"]
