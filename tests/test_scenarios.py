"""Scenario tests: what a hiring manager reading the shortlist would notice.

One test (or a small group) per row of SCORING.md and per behaviour or anti-pattern the seeds
name. Unless a test says otherwise the interview is Monday 2 March 2026, 10:00-11:00 UTC with
one interviewer, scored with the default ``sales`` preset.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import followup
from followup.loading import read_events
from conftest import (
    call,
    day,
    email,
    ev,
    flags_of,
    hang_up,
    interview,
    letter,
    local,
    make_events,
    make_interviews,
    naive_day,
    row,
    run,
    scored_row,
    voicemail,
)

PANEL = "Dana Whitfield;Raj Patel"


# --------------------------------------------------------------------------------------------
# The seeds' own playbooks score >= 90 with no flags
# --------------------------------------------------------------------------------------------

def textbook_000() -> list[dict]:
    """Seed 000: a separate thank-you email to each interviewer the same evening, a mailed
    letter, wait a week, then a call (voicemail is fine), then alternate phone and email weekly."""
    return [
        email(day(0, "19:05"), contact="Dana Whitfield"),
        email(day(0, "19:12"), contact="raj.patel@acme-sales.com"),
        letter(day(1, "09:00"), contact="Dana Whitfield"),
        voicemail(day(8, "10:00"), contact="Dana Whitfield"),
        email(day(15, "09:30"), contact="Dana Whitfield"),
        call(day(22, "10:00"), contact="Dana Whitfield"),
        email(day(29, "09:30"), contact="Dana Whitfield"),
    ]


def pro_004() -> list[dict]:
    """Seed 004: email that very evening, a letter ASAP, a call on the fifth day (voicemail if
    she is out), then once a week rotating phone, email and letter."""
    return [
        email(day(0, "19:30"), contact="Dana Whitfield"),
        letter(day(1, "09:00"), contact="Dana Whitfield"),
        voicemail(day(5, "10:00"), contact="Dana Whitfield"),
        call(day(12, "10:00"), contact="Dana Whitfield"),
        email(day(19, "10:00"), contact="Dana Whitfield"),
        letter(day(26, "10:00"), contact="Dana Whitfield"),
        call(day(33, "10:00"), contact="Dana Whitfield"),
    ]


def test_seed_000_textbook_candidate_scores_at_least_90_with_no_flags():
    r = scored_row(textbook_000(), make_interviews(interview(interviewers=PANEL)), as_of=day(30, "18:00"))
    assert r["status"] == "ok"
    assert r["flags"] == ""
    assert r["score"] >= 90
    assert r["grade"] == "A"
    assert r["interviewers_thanked"] == 2
    assert r["hangups"] == 0


@pytest.mark.parametrize("as_of_day", range(0, 31, 2))
def test_seed_000_playbook_never_trips_a_flag_along_the_way(as_of_day):
    r = scored_row(textbook_000(), make_interviews(interview(interviewers=PANEL)),
                   as_of=day(as_of_day, "23:00"))
    assert r["flags"] == "", r["reasons"]
    assert r["status"] == "ok"


@pytest.mark.parametrize("policy", ["sales", "pro"])
def test_seed_004_pro_playbook_scores_at_least_90_and_is_not_too_frequent(policy):
    if policy not in followup.preset_names():
        pytest.skip(f"preset {policy!r} not shipped yet")
    r = scored_row(pro_004(), as_of=day(35, "18:00"), policy=policy)
    assert "TOO_FREQUENT" not in r["flags"]
    assert r["flags"] == ""
    assert r["status"] == "ok"
    assert r["score"] >= 90


@pytest.mark.parametrize("as_of_day", range(0, 36, 1))
def test_seed_004_opening_plus_day_five_call_is_not_over_contact_at_any_point(as_of_day):
    r = scored_row(pro_004(), as_of=day(as_of_day, "23:00"))
    assert r["flags"] == "", r["reasons"]
    assert r["restraint"] == 100


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------

def test_same_day_thank_you_beats_next_day_beats_day_five():
    as_of = day(6, "18:00")
    same_day = scored_row([email(day(0, "19:30"))], as_of=as_of)
    next_day = scored_row([email(day(1, "09:00"))], as_of=as_of)
    day_five = scored_row([email(day(5, "09:00"))], as_of=as_of)
    assert same_day["speed"] == 100
    assert same_day["speed"] > next_day["speed"] > day_five["speed"] > 0
    assert same_day["score"] > next_day["score"] > day_five["score"]
    assert (same_day["first_contact_day"], next_day["first_contact_day"], day_five["first_contact_day"]) == (0, 1, 5)


def test_thank_you_late_on_the_interview_day_still_counts_as_same_day():
    r = scored_row([email(day(0, "23:55"))], as_of=day(3))
    assert r["speed"] == 100
    assert r["first_contact_day"] == 0


def test_within_two_days_is_good_and_a_week_is_nearly_a_miss():
    two_days = scored_row([email(day(2, "09:00"))], as_of=day(6, "18:00"))
    a_week = scored_row([email(day(7, "09:00"))], as_of=day(7, "18:00"))
    assert two_days["speed"] >= 75
    assert 0 < a_week["speed"] <= 35


def test_first_contact_on_day_eight_is_no_contact():
    r = scored_row([email(day(8, "09:00")), voicemail(day(15))], as_of=day(20))
    assert "NO_CONTACT" in flags_of(r)
    assert r["status"] == "flagged"
    assert r["speed"] == 0
    assert r["grade"] in {"C", "D"}
    assert "day 8" in r["reasons"]


def test_first_contact_on_day_seven_is_not_no_contact():
    r = scored_row([email(day(7, "09:00"))], as_of=day(12))
    assert "NO_CONTACT" not in flags_of(r)
    assert r["speed"] > 0


def test_silent_candidate_in_interviews_only_appears_with_no_contact():
    interviews = make_interviews(interview("A"), interview("SILENT", name="Derek Sloane"))
    result = run([email(day(0, "19:00"), candidate_id="A")], interviews, as_of=day(20))
    assert set(result.candidates["candidate_id"]) == {"A", "SILENT"}
    silent = row(result, "SILENT")
    assert silent["name"] == "Derek Sloane"
    assert silent["status"] == "flagged"
    assert flags_of(silent) == {"NO_CONTACT"}
    assert silent["inbound_contacts"] == 0
    assert silent["score"] < row(result, "A")["score"]
    assert "NO_CONTACT" in silent["reason"]


def test_silent_candidate_appears_even_when_the_event_log_is_empty():
    result = run(make_events(), make_interviews(interview("A"), interview("B")), as_of=day(20))
    assert sorted(result.candidates["candidate_id"]) == ["A", "B"]
    assert set(result.candidates["flags"]) == {"NO_CONTACT"}


def test_pending_within_the_week_has_no_score():
    r = scored_row([], as_of=day(4, "18:00"))
    assert r["status"] == "pending"
    assert r["flags"] == ""
    for column in ("score", "speed", "persistence", "restraint"):
        assert pd.isna(r[column]), column
    assert pd.isna(r["grade"])
    assert pd.isna(r["rank"])
    assert "no contact yet" in r["reasons"]


def test_already_followed_up_is_not_pending_even_early():
    r = scored_row([email(day(0, "19:00"))], as_of=day(1, "09:00"))
    assert r["status"] == "ok"
    assert r["score"] >= 80


def test_upcoming_interview_has_no_score_and_ranks_last():
    interviews = make_interviews(interview("A"), interview("LATER", on_day=10))
    result = run([email(day(0, "19:00"))], interviews, as_of=day(5))
    later = row(result, "LATER")
    assert later["status"] == "upcoming"
    assert pd.isna(later["score"]) and pd.isna(later["grade"]) and later["flags"] == ""
    assert result.candidates["candidate_id"].iloc[-1] == "LATER"
    assert "after the as-of" in later["reasons"]


def test_candidate_with_a_future_second_round_is_scored_on_the_held_round():
    interviews = make_interviews(interview("A"), interview("A", on_day=20))
    r = scored_row([email(day(0, "19:00")), voicemail(day(8))], interviews, as_of=day(10))
    assert r["status"] == "ok"
    assert r["round_number"] == 1


def test_pending_candidate_ranks_after_scored_ones():
    interviews = make_interviews(interview("A"), interview("B", on_day=3))
    result = run([email(day(0, "19:00"), candidate_id="A")], interviews, as_of=day(5))
    assert list(result.candidates["candidate_id"]) == ["A", "B"]
    assert row(result, "B")["status"] == "pending"
    assert pd.isna(row(result, "B")["rank"]) and row(result, "A")["rank"] == 1


# --------------------------------------------------------------------------------------------
# Restraint: hang-ups and voicemail
# --------------------------------------------------------------------------------------------

def test_hang_up_burst_is_excessive_hangups():
    events = [email(day(0, "19:00")), letter(day(1)),
              hang_up(day(9, "10:02")), hang_up(day(9, "10:08")), call(day(9, "10:14"), "missed"),
              hang_up(day(9, "10:21")), email(day(11))]
    r = scored_row(events, as_of=day(14))
    assert "EXCESSIVE_HANGUPS" in flags_of(r)
    assert r["status"] == "flagged"
    assert r["hangups"] == 4
    assert r["restraint"] <= 50
    assert r["grade"] in {"C", "D"}
    assert "4 calls unanswered without a voicemail" in r["reasons"]
    assert "11 Mar" in r["reasons"]


def test_three_unanswered_calls_within_an_hour_is_a_burst():
    events = [email(day(0, "19:00")),
              hang_up(day(9, "10:00")), hang_up(day(9, "10:20")), hang_up(day(9, "10:40"))]
    r = scored_row(events, as_of=day(12))
    assert "EXCESSIVE_HANGUPS" in flags_of(r)
    assert "within 60 min" in r["reasons"]


def test_one_stray_hang_up_then_voicemail_is_forgiven():
    events = [email(day(0, "19:00")), letter(day(1)),
              hang_up(day(9, "09:58")), voicemail(day(9, "10:06")), email(day(16))]
    r = scored_row(events, as_of=day(20))
    assert r["flags"] == ""
    assert r["status"] == "ok"
    assert r["hangups"] == 1
    assert r["restraint"] == 100


def test_voicemail_is_not_a_hang_up():
    events = [email(day(0, "19:00")), voicemail(day(9)), voicemail(day(16)), voicemail(day(23))]
    r = scored_row(events, as_of=day(25))
    assert r["hangups"] == 0
    assert r["flags"] == ""
    assert r["restraint"] == 100
    assert r["inbound_contacts"] == 4


def test_voicemail_alone_is_a_contact_not_an_attempt():
    r = scored_row([voicemail(day(2))], as_of=day(3))
    assert r["status"] == "ok"
    assert r["inbound_contacts"] == 1


def test_unanswered_calls_are_attempts_not_contacts():
    """Hang-ups alone keep a recent candidate pending, and make an old one NO_CONTACT."""
    burst = [hang_up(day(2, "14:00")), call(day(2, "14:05"), "busy"), call(day(2, "14:10"), "missed"),
             hang_up(day(2, "14:14"))]
    recent = scored_row(burst, as_of=day(4))
    assert recent["status"] == "pending"
    assert recent["inbound_contacts"] == 0
    assert "EXCESSIVE_HANGUPS" in flags_of(recent)
    old = scored_row(burst, as_of=day(12))
    assert flags_of(old) == {"NO_CONTACT", "EXCESSIVE_HANGUPS"}


def test_short_call_without_outcome_is_a_hang_up_but_a_long_one_is_not():
    short = [email(day(0, "19:00"))] + [ev(day(9, f"10:{m:02d}"), "phone", duration_s=4) for m in (0, 10, 20)]
    r = scored_row(short, as_of=day(12))
    assert r["hangups"] == 3 and "EXCESSIVE_HANGUPS" in flags_of(r)
    long = [email(day(0, "19:00")), ev(day(9, "10:00"), "phone", duration_s=95)]
    r = scored_row(long, as_of=day(12))
    assert r["hangups"] == 0 and r["inbound_contacts"] == 2


def test_more_hang_ups_cost_more():
    base = [email(day(0, "19:00")), voicemail(day(9))]
    one = scored_row(base + [hang_up(day(10))], as_of=day(25))
    two = scored_row(base + [hang_up(day(10)), hang_up(day(17))], as_of=day(25))
    three = scored_row(base + [hang_up(day(10)), hang_up(day(17)), hang_up(day(24))], as_of=day(25))
    assert one["restraint"] > two["restraint"] > three["restraint"]
    assert "EXCESSIVE_HANGUPS" not in flags_of(two)
    assert "EXCESSIVE_HANGUPS" in flags_of(three)  # spread out, but more than 2 in total


# --------------------------------------------------------------------------------------------
# Restraint: too frequent
# --------------------------------------------------------------------------------------------

def test_more_than_two_contacts_a_week_after_the_opening_is_too_frequent():
    events = [email(day(0, "19:00")), letter(day(1)),
              email(day(8, "09:00")), voicemail(day(9, "10:00")), email(day(10, "09:00")),
              call(day(11, "10:00"))]
    r = scored_row(events, as_of=day(14))
    assert "TOO_FREQUENT" in flags_of(r)
    assert r["max_contacts_7d"] == 4
    assert r["restraint"] < 100
    assert r["grade"] in {"C", "D"}  # capped, whatever the score
    assert "TOO_FREQUENT: 4 contacts" in r["reasons"]


def test_twice_a_week_is_allowed():
    events = [email(day(0, "19:00")), email(day(8, "09:00")), voicemail(day(11, "10:00")),
              email(day(15, "09:00")), voicemail(day(18, "10:00"))]
    r = scored_row(events, as_of=day(20))
    assert "TOO_FREQUENT" not in flags_of(r)
    assert r["max_contacts_7d"] == 2
    assert r["restraint"] == 100


def test_thank_you_to_each_of_three_interviewers_plus_letter_is_the_opening():
    panel = "Dana Whitfield;Raj Patel;Mei Chen"
    events = [email(day(0, "19:05"), contact="Dana Whitfield"),
              email(day(0, "19:10"), contact="Raj Patel"),
              email(day(0, "19:15"), contact="Mei Chen"),
              letter(day(2), contact="Dana Whitfield"),
              voicemail(day(5), contact="Dana Whitfield")]
    r = scored_row(events, make_interviews(interview(interviewers=panel)), as_of=day(6))
    assert r["flags"] == ""
    assert r["restraint"] == 100


def test_a_flood_of_opening_emails_is_still_too_frequent():
    """The opening allowance is one note per interviewer, not unlimited email."""
    events = [email(day(0, f"{h}:00")) for h in (13, 15, 17, 19)]
    r = scored_row(events, as_of=day(3))
    assert "TOO_FREQUENT" in flags_of(r)


# --------------------------------------------------------------------------------------------
# Went silent
# --------------------------------------------------------------------------------------------

def test_went_silent_after_following_up():
    events = [email(day(0, "19:00")), letter(day(2)), voicemail(day(8))]
    r = scored_row(events, as_of=day(30))
    assert flags_of(r) == {"WENT_SILENT"}
    assert r["status"] == "flagged"
    assert "WENT_SILENT" in r["reasons"] and "22 days" in r["reasons"] and "10 Mar" in r["reasons"]


def test_a_gap_under_two_weeks_is_not_silence():
    events = [email(day(0, "19:00")), voicemail(day(8)), email(day(18))]
    r = scored_row(events, as_of=day(30))
    assert "WENT_SILENT" not in flags_of(r)


def test_no_contact_is_not_went_silent():
    r = scored_row([], as_of=day(40))
    assert flags_of(r) == {"NO_CONTACT"}


# --------------------------------------------------------------------------------------------
# What is (not) follow-up; the window
# --------------------------------------------------------------------------------------------

def test_employer_outbound_messages_are_not_follow_up():
    events = [ev(day(0, "16:00"), "email", direction="outbound", contact="Sofia Reyes"),
              ev(day(3), "phone", direction="outbound", outcome="voicemail", duration_s=40),
              ev(day(6), "email", direction="outbound"),
              ev(day(8), "sms", direction="outbound")]
    r = scored_row(events, as_of=day(12))
    assert flags_of(r) == {"NO_CONTACT"}
    assert r["inbound_contacts"] == 0
    assert r["outbound_messages"] == 4


def test_employer_messages_do_not_make_a_recent_candidate_look_followed_up():
    events = [ev(day(0, "16:00"), "email", direction="outbound")]
    assert scored_row(events, as_of=day(3))["status"] == "pending"


def test_events_before_the_interview_are_not_follow_up():
    events = [email(day(-7)), email(day(-1, "18:00")), email(day(0, "09:30"))]
    r = scored_row(events, as_of=day(12))
    assert flags_of(r) == {"NO_CONTACT"}
    assert r["inbound_contacts"] == 0


def test_event_during_the_interview_is_not_follow_up():
    r = scored_row([email(day(0, "10:30"))], as_of=day(3))
    assert r["status"] == "pending"


def test_missing_interview_end_means_start_plus_one_hour():
    interviews = make_interviews(interview(start=day(0, "13:00"), end=""))
    before = scored_row([email(day(0, "13:50"))], interviews, as_of=day(3))
    after = scored_row([email(day(0, "14:10"))], interviews, as_of=day(3))
    assert before["status"] == "pending"
    assert after["status"] == "ok"
    assert after["first_contact_hours"] == pytest.approx(0.2)


def test_a_decision_closes_the_window():
    interviews = make_interviews(interview(decision="rejected", decision_at=day(10, "12:00")))
    events = [email(day(0, "19:00")), voicemail(day(8)),
              # after the decision: a gracious thank-you and more; none of it counts
              email(day(10, "15:30")), email(day(11)), voicemail(day(12)), email(day(13))]
    r = scored_row(events, interviews, as_of=day(40))
    assert r["inbound_contacts"] == 2
    assert r["window_closed_by"] == "decision"
    assert "TOO_FREQUENT" not in flags_of(r)
    # silence is measured to the decision, not to as-of
    assert "WENT_SILENT" not in flags_of(r)
    assert r["status"] == "ok"
    assert "decision (rejected)" in r["reasons"]


def test_the_latest_round_is_the_one_scored():
    interviews = make_interviews(interview("A", on_day=0), interview("A", on_day=14))
    # excellent after round 1 (and a confirmation before round 2): none of it is round-2 follow-up
    events = [email(day(0, "19:00")), letter(day(1)), voicemail(day(8)), email(day(12))]
    result = run(events, interviews, as_of=day(30))
    r = row(result, "A")
    assert r["round_number"] == 2
    assert r["rounds"] == 2
    assert flags_of(r) == {"NO_CONTACT"}
    assert r["inbound_contacts"] == 0
    assert (result.candidates["candidate_id"] == "A").sum() == 1


def test_second_round_follow_up_is_scored_from_its_own_interview():
    interviews = make_interviews(interview("A", on_day=0), interview("A", on_day=14))
    events = [email(day(14, "19:00")), letter(day(15))]
    r = scored_row(events, interviews, as_of=day(17))
    assert r["status"] == "ok"
    assert r["first_contact_day"] == 0
    assert r["speed"] == 100


def test_first_round_window_closes_at_the_next_interview():
    interviews = make_interviews(interview("A", on_day=0), interview("A", on_day=14))
    result = followup.score(make_events(email(day(0, "19:00")), voicemail(day(8))), interviews,
                            as_of=day(30), all_rounds=True)
    first = result.candidates[result.candidates["round_number"] == 1].iloc[0]
    assert first["window_closed_by"] == "next_interview"
    assert first["window_end"] == local(14, "10:00")


# --------------------------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------------------------

def test_thanking_each_interviewer_raises_persistence():
    interviews = make_interviews(interview(interviewers="Dana Whitfield;Raj Patel;Mei Chen"))
    rest = [letter(day(2)), voicemail(day(9)), email(day(16))]
    everyone = scored_row([email(day(0, "19:00"), contact="Dana Whitfield"),
                           email(day(0, "19:05"), contact="raj.patel@acme-sales.com"),
                           email(day(0, "19:10"), contact="Mei Chen")] + rest,
                          interviews, as_of=day(21))
    one = scored_row([email(day(0, "19:00"), contact="Dana Whitfield")] + rest,
                     interviews, as_of=day(21))
    assert everyone["interviewers_thanked"] == 3
    assert one["interviewers_thanked"] == 1
    assert everyone["persistence"] > one["persistence"]
    assert everyone["score"] > one["score"]
    assert "3 of 3 interviewers" in everyone["reasons"]
    assert "1 of 3 interviewers" in one["reasons"]
    assert one["flags"] == ""  # lower persistence, not a flag


@pytest.mark.parametrize("people_on_panels", [6, 90])
def test_interviewers_thanked_counts_each_panel_member_once_however_many_people_there_are(people_on_panels):
    # More than 64 distinct interviewers across all panels takes a different counting path.
    names = [f"Interviewer {i:02d}" for i in range(people_on_panels)]
    rows, events = [], []
    for k in range(30):
        panel = [names[(3 * k + j) % people_on_panels] for j in range(3)]
        rows.append(interview(f"C{k:02d}", interviewers=";".join(panel)))
        thanked = panel[: k % 4]  # 0, 1, 2 or 3 of the panel, the first one twice
        events += [email(day(0, "19:00"), contact=who, candidate_id=f"C{k:02d}") for who in thanked[:1] + thanked]
        events.append(email(day(0, "20:00"), contact=names[(3 * k + 5) % people_on_panels], candidate_id=f"C{k:02d}"))
    result = run(events, make_interviews(*rows), as_of=day(3))
    counts = result.candidates.set_index("candidate_id")["interviewers_thanked"]
    assert {k: counts[f"C{k:02d}"] for k in range(30)} == {k: k % 4 for k in range(30)}


def test_weekly_cadence_raises_persistence():
    steady = scored_row([email(day(0, "19:00")), voicemail(day(8)), email(day(15)), voicemail(day(22))],
                        as_of=day(28, "18:00"))
    gappy = scored_row([email(day(0, "19:00")), voicemail(day(8)), email(day(22))],
                       as_of=day(28, "18:00"))
    assert steady["periods_with_contact"] == 3 and gappy["periods_with_contact"] == 2
    assert steady["persistence"] > gappy["persistence"]


def test_several_channels_raise_persistence():
    one = scored_row([email(day(0, "19:00")), email(day(9)), email(day(16))], as_of=day(22))
    two = scored_row([email(day(0, "19:00")), voicemail(day(9)), email(day(16))], as_of=day(22))
    assert one["channels"] == "email" and two["channels"] == "email,phone"
    assert two["persistence"] > one["persistence"]


def test_a_missing_part_is_left_out_not_scored_zero_or_perfect():
    """No completed cadence period yet and one interviewer: persistence has no data at all, so
    it is left out and the score is speed and restraint alone - neither 0 nor 100 by default."""
    early = scored_row([email(day(0, "19:00"))], as_of=day(5))
    assert early["periods_completed"] == 0
    assert pd.isna(early["persistence"])
    assert early["speed"] == 100 and early["restraint"] == 100 and early["score"] == 100
    assert "weeks with follow-up" not in early["reasons"]
    assert "interviewers individually" not in early["reasons"]
    # With a panel and addressed notes, the per-interviewer part is the only one available.
    panel = scored_row([email(day(0, "19:00"), contact="Dana Whitfield")],
                       make_interviews(interview(interviewers=PANEL)), as_of=day(5))
    assert panel["persistence"] == 50 and "thanked 1 of 2 interviewers" in panel["reasons"]


def test_channel_variety_counts_once_the_cadence_has_started():
    """A lone thank-you checked the next day is not yet a one-channel follow-up."""
    next_day = scored_row([email(day(0, "19:00"))], as_of=day(1))
    assert next_day["score"] == 100 and next_day["grade"] == "A"
    one = scored_row([email(day(0, "19:00")), email(day(9))], as_of=day(15))
    two = scored_row([email(day(0, "19:00")), voicemail(day(9))], as_of=day(15))
    assert one["persistence"] < two["persistence"] == 100


def test_per_interviewer_part_needs_contact_data():
    """Several interviewers but no `contact` recorded: thanking cannot be judged, so it is
    left out - the same persistence as a candidate interviewed by one person."""
    events = [email(day(0, "19:00")), letter(day(1)), voicemail(day(9))]
    panel = scored_row(events, make_interviews(interview(interviewers=PANEL)), as_of=day(15))
    alone = scored_row(events, as_of=day(15))
    assert panel["persistence"] == alone["persistence"] == 100
    assert "interviewers individually" not in panel["reasons"]


# --------------------------------------------------------------------------------------------
# Reasons carry the numbers
# --------------------------------------------------------------------------------------------

def test_reasons_contain_the_numbers():
    events = [email(day(0, "19:30")), voicemail(day(8)), email(day(15)),
              # nothing in the week from day 21
              email(day(29))]
    r = scored_row(events, as_of=day(35, "12:00"))
    assert "first contact 8.5 h after the interview (same day)" in r["reasons"]
    assert "3 of 4 weeks with follow-up" in r["reasons"]
    assert "2 channels (email" in r["reasons"] and "phone)" in r["reasons"]
    assert r["reason"].startswith("first contact 8.5 h after the interview (same day)")
    for sentence in r["reasons"].split("; "):
        assert sentence.strip(), r["reasons"]


def test_reason_for_a_later_first_contact_names_the_day():
    r = scored_row([email(day(2, "11:00"))], as_of=day(3))
    assert "first contact 48.0 h after the interview (day 2)" in r["reasons"]


def test_headline_reason_of_a_flagged_candidate_names_the_flag():
    r = scored_row([email(day(0, "19:00")), voicemail(day(8))], as_of=day(30))
    assert r["reason"].startswith("WENT_SILENT")


# --------------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------------

NY = "America/New_York"


def test_same_day_is_judged_in_the_local_time_zone():
    interviews = make_interviews(interview(start=day(0, "14:00", NY), end=day(0, "15:00", NY)))
    events = [email(day(0, "23:30", NY))]  # 04:30 UTC the next day
    in_new_york = scored_row(events, interviews, as_of=day(3, tz=NY), tz=NY)
    in_utc = scored_row(events, interviews, as_of=day(3, tz=NY), tz="UTC")
    assert in_new_york["first_contact_day"] == 0
    assert in_new_york["speed"] == 100
    assert "(same day)" in in_new_york["reasons"]
    assert in_utc["first_contact_day"] == 1
    assert in_utc["speed"] < 100
    assert "(day 1)" in in_utc["reasons"]
    assert in_new_york["first_contact_hours"] == in_utc["first_contact_hours"] == 8.5


def test_naive_timestamps_are_read_in_the_time_zone():
    frame = make_events(email(naive_day(0, "23:30")))
    loaded = read_events(frame, tz=NY)
    assert loaded.frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-03T04:30:00Z")
    assert read_events(frame, tz="UTC").frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-02T23:30:00Z")
    interviews = make_interviews(interview(start=naive_day(0, "14:00"), end=naive_day(0, "15:00")))
    r = scored_row(frame, interviews, as_of=naive_day(3), tz=NY)
    assert r["first_contact_day"] == 0 and r["speed"] == 100
    assert r["first_contact_hours"] == 8.5


def test_an_explicit_offset_wins_over_the_time_zone():
    frame = make_events(email("2026-03-02T23:30:00+01:00"))
    loaded = read_events(frame, tz=NY)
    assert loaded.frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-02T22:30:00Z")


# --------------------------------------------------------------------------------------------
# Normalisation of real export spellings
# --------------------------------------------------------------------------------------------

def test_synonyms_normalise():
    frame = make_events(
        ev(day(1), "Phone Call", direction="Incoming", outcome="Hang Up", duration_s=2),
        ev(day(2), "E-mail", direction="Received"),
        ev(day(3), "phone", direction="inbound", outcome="Voicemail", duration_s=40),
        ev(day(4), "Postal mail", direction="Outgoing"),
        ev(day(5), "Text", direction="Sent"),
        ev(day(6), "PHONE_CALL", direction="incoming", outcome="No Answer", duration_s=25),
        ev(day(7), "phone", direction="Incoming", outcome="Call connected", duration_s=200),
    )
    loaded = read_events(frame)
    assert loaded.counts["rejected"] == 0, loaded.rejects
    got = loaded.frame.sort_values("timestamp")
    assert list(got["channel"].astype(str)) == ["phone", "email", "phone", "letter", "sms", "phone", "phone"]
    assert list(got["direction"].astype(str)) == ["inbound", "inbound", "inbound", "outbound", "outbound",
                                                  "inbound", "inbound"]
    assert [None if pd.isna(o) else str(o) for o in got["outcome"]] == [
        "hang_up", None, "voicemail", None, None, "missed", "connected"]


def test_synonyms_score_the_same_as_canonical_spellings():
    canonical = [email(day(0, "19:00")), hang_up(day(9, "10:00")), voicemail(day(9, "10:05"))]
    spelled = [ev(day(0, "19:00"), "E-mail", direction="Received"),
               ev(day(9, "10:00"), "Phone Call", direction="Incoming", outcome="Hang Up", duration_s=2),
               ev(day(9, "10:05"), "Phone Call", direction="Incoming", outcome="Voicemail", duration_s=45)]
    a = scored_row(canonical, as_of=day(12))
    b = scored_row(spelled, as_of=day(12))
    for column in ("score", "speed", "persistence", "restraint", "hangups", "inbound_contacts", "flags"):
        assert a[column] == b[column] or (pd.isna(a[column]) and pd.isna(b[column])), column


@pytest.mark.parametrize("value", ["1772479800", "1772479800000", 1772479800, 1772479800000])
def test_epoch_seconds_and_milliseconds_normalise(value):
    frame = make_events(email(day(1)))
    frame["timestamp"] = [value]
    loaded = read_events(frame)
    assert loaded.counts["rejected"] == 0
    assert loaded.frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-02T19:30:00Z")


def test_datetime_columns_from_a_notebook_are_accepted():
    """An analyst's frame may hold real datetimes: aware ones keep their instant, naive ones
    are read in the time zone."""
    strings = make_events(email(day(0, "19:30", NY)), voicemail(day(8, "10:00", NY)))
    aware = strings.assign(timestamp=pd.to_datetime(strings["timestamp"], utc=True))
    naive = strings.assign(timestamp=aware["timestamp"].dt.tz_convert(NY).dt.tz_localize(None))
    interviews = make_interviews(interview(start=day(0, "10:00", NY), end=day(0, "11:00", NY)))
    results = [scored_row(frame, interviews, as_of=day(12, tz=NY), tz=NY) for frame in (strings, aware, naive)]
    for r in results[1:]:
        for column in ("score", "speed", "first_contact_hours", "first_contact_day", "inbound_contacts"):
            assert r[column] == results[0][column], column


def test_frames_with_wholly_empty_optional_columns_are_accepted():
    """Regression: an optional column with no values at all (no decisions yet, no phone
    outcomes) once crashed the vocabulary mapping."""
    interviews = make_interviews(interview("A"), interview("B"))
    assert interviews["decision"].isna().all()
    events = make_events(email(day(0, "19:00")), letter(day(1)))
    assert events["outcome"].isna().all()
    result = run(events, interviews, as_of=day(3))
    assert row(result, "A")["status"] == "ok"
    assert row(result, "B")["status"] == "pending"
    assert result.counts["rejected"] == 0


def test_epoch_milliseconds_from_a_csv_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("candidate_id,timestamp,channel,direction,outcome,duration_s\n"
                    "A,1772479800000,Phone Call,Incoming,Voicemail,40\n"
                    "A,2026-03-02T19:45:00Z,email,inbound,,\n")
    loaded = read_events(path)
    assert loaded.counts == {"rows_read": 2, "rows_used": 2, "duplicates": 0, "rejected": 0}
    assert loaded.frame["timestamp"].min() == pd.Timestamp("2026-03-02T19:30:00Z")


# --------------------------------------------------------------------------------------------
# Bad rows: rejected with file, row and reason; strict mode raises
# --------------------------------------------------------------------------------------------

BAD_EVENTS_CSV = """candidate_id,timestamp,channel,direction,outcome,duration_s,contact,event_id
A,2026-03-02T19:00:00Z,email,inbound,,,Dana Whitfield,EM-1
A,2026-03-03T12:00:00Z,carrier pigeon,inbound,,,,EM-2
,2026-03-03T12:00:00Z,email,inbound,,,,EM-3
A,next Tuesday,email,inbound,,,,EM-4
A,2026-03-04T12:00:00Z,email,sideways,,,,EM-5
A,2026-03-05T12:00:00Z,phone,inbound,,,,CL-6
A,2026-03-05T13:00:00Z,phone,inbound,voicemail,-5,,CL-7
A,03/05/2026,email,inbound,,,,EM-8
A,2026-03-05T14:00:00Z,phone,inbound,teleported,40,,CL-9
NOBODY,2026-03-05T15:00:00Z,email,inbound,,,,EM-10
A,2026-03-02T19:00:00Z,email,inbound,,,Dana Whitfield,EM-1
A,2026-03-10T12:00:00Z,email,inbound,,,,EM-12
"""

EXPECTED_REJECTS = {  # row -> (column, words the reason must contain)
    2: ("channel", "unknown channel"),
    3: ("candidate_id", "candidate_id is empty"),
    4: ("timestamp", "not a time"),
    5: ("direction", "unknown direction"),
    6: ("outcome", "neither an outcome nor a duration"),
    7: ("duration_s", "negative"),
    8: ("timestamp", "not a time"),
    9: ("outcome", "unknown outcome"),
    10: ("candidate_id", "no interview"),
}


@pytest.fixture
def bad_events_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(BAD_EVENTS_CSV)
    return path


def test_bad_rows_are_rejected_with_file_row_and_reason(bad_events_file):
    result = run(bad_events_file, as_of=day(12))
    rejects = result.rejects
    rejected = rejects[rejects["kind"] == "rejected"]
    assert set(rejected["source_file"]) == {str(bad_events_file)}
    by_row = {int(r.source_row): r for r in rejected.itertuples()}
    assert set(by_row) == set(EXPECTED_REJECTS)
    for number, (column, words) in EXPECTED_REJECTS.items():
        assert by_row[number].column == column, number
        assert words in by_row[number].reason, (number, by_row[number].reason)
    assert "carrier pigeon" == by_row[2].value
    duplicates = rejects[rejects["kind"] == "duplicate"]
    assert list(duplicates["source_row"]) == [11]
    assert "row 1" in duplicates["reason"].iloc[0]
    # events: 12 read, 1 duplicate, 9 rejected, 2 used; plus the one interview row
    assert result.counts == {"rows_read": 13, "rows_used": 3, "duplicates": 1, "rejected": 9}
    # the good rows still score
    r = row(result)
    assert r["inbound_contacts"] == 2


def test_strict_mode_raises_naming_the_row_and_column(bad_events_file):
    with pytest.raises(followup.InvalidRowError) as caught:
        run(bad_events_file, as_of=day(12), strict=True)
    error = caught.value
    assert error.path == str(bad_events_file)
    assert error.row == 2
    assert error.column == "channel"
    assert "unknown channel" in error.reason
    assert "row 2" in str(error) and "channel" in str(error)


def test_strict_mode_raises_for_an_unknown_candidate(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("candidate_id,timestamp,channel,direction\n"
                    "A,2026-03-02T19:00:00Z,email,inbound\n"
                    "NOBODY,2026-03-02T19:00:00Z,email,inbound\n")
    with pytest.raises(followup.InvalidRowError) as caught:
        run(path, as_of=day(12), strict=True)
    assert (caught.value.row, caught.value.column) == (2, "candidate_id")


def test_strict_mode_on_clean_input_scores_normally():
    r = scored_row(textbook_000(), make_interviews(interview(interviewers=PANEL)), as_of=day(30, "18:00"),
                   strict=True)
    assert r["score"] >= 90


def test_bad_interview_rows_are_rejected_too(tmp_path):
    path = tmp_path / "interviews.csv"
    path.write_text("candidate_id,name,interview_at,interview_end\n"
                    "A,Ana,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z\n"
                    "B,Ben,whenever,\n"
                    "C,Cy,2026-03-02T10:00:00Z,2026-03-02T09:00:00Z\n")
    result = run([email(day(0, "19:00"))], path, as_of=day(3))
    rejected = result.rejects[result.rejects["kind"] == "rejected"]
    assert sorted(zip(rejected["source_row"], rejected["column"])) == [(2, "interview_at"), (3, "interview_end")]
    assert list(result.candidates["candidate_id"]) == ["A"]


def test_a_rejected_row_does_not_take_later_rows_with_it():
    """Regression: after a row is rejected, a clean column of ISO times must still parse
    for every later row (it once came out empty and the rows were rejected too)."""
    frame = make_events(email(day(0, "19:00")), email(day(1)), voicemail(day(8)), email(day(15)))
    frame.loc[1, "candidate_id"] = ""
    loaded = read_events(frame)
    assert loaded.counts == {"rows_read": 4, "rows_used": 3, "duplicates": 0, "rejected": 1}
    assert list(loaded.rejects["source_row"]) == [2]
    interviews = make_interviews(interview("A"), interview("B", end=""),
                                 interview("C", end=day(0, "12:30")))
    interviews.loc[1, "interview_at"] = "whenever"
    result = run([email(day(0, "19:00"))], interviews, as_of=day(3))
    assert row(result, "C")["anchor"] == local(0, "12:30")


def test_exact_duplicate_is_counted_once():
    thanks = email(day(0, "19:00"), contact="Dana Whitfield", event_id="EM-1")
    once = run([thanks, voicemail(day(8))], as_of=day(12))
    twice = run([thanks, thanks, voicemail(day(8))], as_of=day(12))
    assert row(twice)["inbound_contacts"] == row(once)["inbound_contacts"] == 2
    assert twice.counts["duplicates"] == 1
    assert twice.counts["rows_read"] == once.counts["rows_read"] + 1


def test_same_event_id_is_a_duplicate_even_if_re_exported_with_another_spelling():
    a = email(day(0, "19:00"), event_id="EM-1")
    b = ev(day(0, "19:00"), "E-mail", direction="Received", event_id="EM-1")
    result = run([a, b], as_of=day(3))
    assert result.counts["duplicates"] == 1
    assert row(result)["inbound_contacts"] == 1


def test_rows_without_an_id_at_different_times_are_not_duplicates():
    result = run([letter(day(1, "09:00")), letter(day(1, "15:00"))], as_of=day(3))
    assert result.counts["duplicates"] == 0
    assert row(result)["inbound_contacts"] == 2


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------

def test_ranking_puts_good_followers_first_and_flagged_below_clean_ones():
    interviews = make_interviews(interview("GOOD", interviewers=PANEL), interview("PEST"),
                                 interview("SILENT"), interview("NEW", on_day=12))
    events = [dict(e, candidate_id="GOOD") for e in textbook_000()] + [
        email(day(0, "19:00"), candidate_id="PEST"), email(day(8), candidate_id="PEST"),
        email(day(9), candidate_id="PEST"), email(day(10), candidate_id="PEST"),
        voicemail(day(16), candidate_id="PEST"), email(day(23), candidate_id="PEST")]
    result = run(events, interviews, as_of=day(10, "18:00"))
    order = list(result.candidates["candidate_id"])
    assert order[0] == "GOOD"
    assert order.index("PEST") < order.index("SILENT")
    assert order[-1] == "NEW"
    assert list(result.candidates["rank"].iloc[:3]) == [1, 2, 3]
    assert math.isnan(float(row(result, "NEW")["score"]))
