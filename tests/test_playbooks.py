"""Playbook tests: each shipped preset against the seed article it encodes.

For every preset (``sales`` — seed 000, ``pro`` — seed 004, ``long-haul`` — seed 003, and
further down ``courteous`` — seed 002 and ``deadline`` — seed 001):

* the candidate who follows that article to the letter scores >= 90 with no flags under it;
* each anti-pattern the article names is flagged, or clearly penalised, under it;
* the presets really differ: the same candidates scored under the other presets come out
  differently, in the ways the articles disagree;
* the command line lists, prints and validates all of them.

Unless a test says otherwise the interview is Monday 2 March 2026, 10:00-11:00 UTC (day 0) with
Dana Whitfield as the hiring manager; docs/playbooks.md walks through the same timelines.
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from followup.cli import main
from conftest import (
    SAMPLE_DATA,
    call,
    day,
    email,
    flags_of,
    hang_up,
    interview,
    letter,
    make_events,
    make_interviews,
    scored_row,
    voicemail,
)

PRESETS = ("sales", "pro", "long-haul")
SHIPPED = (*PRESETS, "courteous", "deadline")
DANA, RAJ = "Dana Whitfield", "Raj Patel"
PANEL = f"{DANA};{RAJ}"

SALES_AS_OF = day(30, "18:00")
PRO_AS_OF = day(35, "18:00")
LONG_HAUL_AS_OF = day(120, "18:00")


def one_interviewer():
    return make_interviews(interview(interviewers=DANA))


def panel():
    return make_interviews(interview(interviewers=PANEL))


# --------------------------------------------------------------------------------------------
# The three playbooks, to the letter
# --------------------------------------------------------------------------------------------

def sales_playbook() -> list[dict]:
    """Seed 000: a short thank-you email to each interviewer the same day, a letter arriving on
    day 2, wait a week, then a call (a voicemail is fine), then alternate email and phone once a
    week."""
    return [
        email(day(0, "19:05"), contact=DANA),
        email(day(0, "19:12"), contact="raj.patel@acme-sales.com"),
        letter(day(2, "11:00"), contact=DANA),
        voicemail(day(8, "10:00"), contact=DANA),
        email(day(15, "09:30"), contact=DANA),
        call(day(22, "10:00"), contact=DANA),
        email(day(29, "09:30"), contact=DANA),
    ]


def pro_playbook(letter_day: int = 2, day_five_call: bool = True) -> list[dict]:
    """Seed 004: a thank-you email that very evening, the "reverse cover letter" ASAP, a call on
    the fifth day (voicemail if she is out), then once a week rotating phone, email and letter."""
    events = [
        email(day(0, "19:30"), contact=DANA),
        letter(day(letter_day, "11:00"), contact=DANA),
    ]
    if day_five_call:
        events.append(voicemail(day(5, "10:00"), contact=DANA))
    events += [
        call(day(12, "10:00"), contact=DANA),
        email(day(19, "10:00"), contact=DANA),
        letter(day(26, "10:00"), contact=DANA),
        call(day(33, "10:00"), contact=DANA),
    ]
    return events


def long_haul_playbook(call_day: int = 2) -> list[dict]:
    """Seed 003: a letter to each interviewer individually, a call to the hiring manager after two
    days without news, then something of value every five weeks ("every 4 to 6 weeks")."""
    return [
        letter(day(1, "11:00"), contact=DANA),
        letter(day(1, "11:00"), contact=RAJ),
        voicemail(day(call_day, "10:00"), contact=DANA),
        email(day(35, "10:00"), contact=DANA),   # an article she will find useful
        call(day(70, "10:00"), contact=DANA),
        email(day(105, "10:00"), contact=DANA),  # a webinar they ran
    ]


def assert_clean_a(r: pd.Series, minimum: float = 90) -> None:
    assert r["flags"] == "", r["reasons"]
    assert r["status"] == "ok", r["reasons"]
    assert r["score"] >= minimum, r["reasons"]
    assert r["grade"] == "A"


def test_sales_playbook_to_the_letter_scores_at_least_90_with_no_flags():
    r = scored_row(sales_playbook(), panel(), as_of=SALES_AS_OF, policy="sales")
    assert_clean_a(r)
    assert r["speed"] == 100
    assert r["first_contact_day"] == 0
    assert r["interviewers_thanked"] == 2
    assert (r["periods_completed"], r["periods_with_contact"]) == (3, 3)
    assert r["hangups"] == 0 and r["max_contacts_7d"] <= 2


@pytest.mark.parametrize("letter_day", [1, 2, 3])
def test_pro_playbook_to_the_letter_scores_at_least_90_with_no_flags(letter_day):
    r = scored_row(pro_playbook(letter_day), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    assert_clean_a(r)
    assert r["speed"] == 100
    assert set(r["channels"].split(",")) == {"email", "letter", "phone"}
    assert (r["periods_completed"], r["periods_with_contact"]) == (4, 4)
    assert r["restraint"] == 100


@pytest.mark.parametrize("call_day", [2, 3])
def test_long_haul_playbook_to_the_letter_scores_at_least_90_with_no_flags(call_day):
    r = scored_row(long_haul_playbook(call_day), panel(), as_of=LONG_HAUL_AS_OF, policy="long-haul")
    assert_clean_a(r)
    assert r["speed"] == 100
    assert r["interviewers_thanked"] == 2
    # Two completed six-week periods (days 7-49 and 49-91), each with a keep-in-touch contact.
    assert (r["periods_completed"], r["periods_with_contact"]) == (2, 2)


@pytest.mark.parametrize("policy, playbook, interviews, last_day", [
    ("sales", sales_playbook, panel, 30),
    ("pro", pro_playbook, one_interviewer, 35),
    ("long-haul", long_haul_playbook, panel, 120),
])
def test_each_playbook_never_trips_a_flag_along_the_way(policy, playbook, interviews, last_day):
    step = 2 if last_day <= 35 else 6
    for as_of_day in sorted({*range(0, last_day + 1, step), 7, 8, last_day}):
        r = scored_row(playbook(), interviews(), as_of=day(as_of_day, "23:00"), policy=policy)
        assert r["flags"] == "", (as_of_day, r["reasons"])
        assert r["status"] in {"ok", "pending"}, (as_of_day, r["reasons"])


# --------------------------------------------------------------------------------------------
# sales (seed 000): the anti-patterns it names
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("policy", PRESETS)
def test_no_contact_within_a_week_is_no_contact_and_ruled_out(policy):
    """"If I don't get some type of follow up from the candidate within a week, I'll usually rule
    them out." All three presets keep the seven-day deadline."""
    silent = scored_row([], one_interviewer(), as_of=day(10, "18:00"), policy=policy)
    late = scored_row([email(day(8, "09:00")), voicemail(day(15, "10:00"))], one_interviewer(),
                      as_of=day(20, "18:00"), policy=policy)
    on_day_seven = scored_row([email(day(7, "09:00"))], one_interviewer(), as_of=day(10, "18:00"),
                              policy=policy)
    for r in (silent, late):
        assert "NO_CONTACT" in flags_of(r), r["reasons"]
        assert r["speed"] == 0
        assert r["grade"] == "D"
    assert "NO_CONTACT" not in flags_of(on_day_seven)
    assert on_day_seven["speed"] > 0


def sales_with_week_two(*week_two: dict) -> list[dict]:
    """The sales playbook with its day-8 voicemail replaced by ``week_two``."""
    events = [e for e in sales_playbook() if e["timestamp"] != day(8, "10:00")]
    return events + list(week_two)


def test_sales_hanging_up_and_calling_back_is_excessive_hangups():
    """"If you keep hanging up and calling back until they pick up the phone, the person will
    just get annoyed and likely rule you out." Leave a voicemail instead."""
    pestering = sales_with_week_two(
        hang_up(day(8, "10:00"), contact=DANA), hang_up(day(8, "10:12"), contact=DANA),
        hang_up(day(8, "10:25"), contact=DANA), call(day(8, "10:40"), contact=DANA))
    playbook = scored_row(sales_playbook(), panel(), as_of=SALES_AS_OF, policy="sales")
    r = scored_row(pestering, panel(), as_of=SALES_AS_OF, policy="sales")
    assert flags_of(r) == {"EXCESSIVE_HANGUPS"}, r["reasons"]
    assert r["hangups"] == 3
    assert r["restraint"] <= 100 - 2 * 15 - 30  # two unforgiven hang-ups and a burst
    assert r["grade"] == "C"                      # capped: never an A
    assert r["score"] < playbook["score"] - 10


def test_sales_more_than_twice_a_week_is_too_frequent_and_twice_is_not():
    """"I recommend once a week, but you shouldn't attempt more than twice a week." """
    opening = sales_playbook()[:3]
    twice_a_week = [(voicemail if i % 2 == 0 else email)(day(d, "10:00"), contact=DANA)
                    for i, d in enumerate((8, 11, 15, 18, 22, 25, 29))]
    twice = scored_row(opening + twice_a_week, panel(), as_of=SALES_AS_OF, policy="sales")
    thrice = scored_row(opening + twice_a_week + [email(day(9, "10:00"), contact=DANA)],
                        panel(), as_of=SALES_AS_OF, policy="sales")
    assert twice["flags"] == "" and twice["restraint"] == 100, twice["reasons"]
    assert twice["max_contacts_7d"] == 2
    assert flags_of(thrice) == {"TOO_FREQUENT"}, thrice["reasons"]
    assert thrice["max_contacts_7d"] == 3
    assert thrice["restraint"] == 75
    assert thrice["grade"] == "C"
    assert thrice["score"] < twice["score"]


def test_sales_letters_and_emails_to_each_interviewer_are_not_over_contact():
    """The opening (an email and a letter to each of two interviewers) is four contacts in two
    days, and is what the article asks for."""
    events = sales_playbook() + [letter(day(2, "11:00"), contact=RAJ)]
    r = scored_row(events, panel(), as_of=SALES_AS_OF, policy="sales")
    assert_clean_a(r)


# --------------------------------------------------------------------------------------------
# pro (seed 004): the rotation, the day-5 call, following up until a decision
# --------------------------------------------------------------------------------------------

def pro_two_channel() -> list[dict]:
    """The pro schedule kept up on phone and email only (the sales alternation): no letter."""
    return [
        email(day(0, "19:30"), contact=DANA),
        voicemail(day(5, "10:00"), contact=DANA),
        call(day(12, "10:00"), contact=DANA),
        email(day(19, "10:00"), contact=DANA),
        call(day(26, "10:00"), contact=DANA),
        email(day(33, "10:00"), contact=DANA),
    ]


def pro_single_channel() -> list[dict]:
    """The same weekly schedule, all by email."""
    return [email(day(d, "19:30" if d == 0 else "10:00"), contact=DANA) for d in (0, 5, 12, 19, 26, 33)]


def test_pro_single_channel_follow_up_scores_lower_persistence_than_the_rotation():
    rotation = scored_row(pro_playbook(), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    two = scored_row(pro_two_channel(), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    single = scored_row(pro_single_channel(), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    # Same weeks kept, so the difference is the variety alone: 3/3, 2/3 and 1/3 channels.
    for r in (rotation, two, single):
        assert (r["periods_completed"], r["periods_with_contact"]) == (4, 4)
    assert rotation["persistence"] == 100
    assert rotation["persistence"] > two["persistence"] > single["persistence"]
    assert single["persistence"] <= 85
    assert rotation["score"] > two["score"] > single["score"]


@pytest.mark.parametrize("stop_after", ["thank-you", "letter", "day-five call"])
def test_pro_stopping_before_the_weekly_rotation_is_went_silent(stop_after):
    """"Once a week … until she says you got the job or someone else got the job": the thank-you,
    the letter and the day-5 call alone are not the pro follow-up."""
    kept = {"thank-you": 1, "letter": 2, "day-five call": 3}[stop_after]
    playbook = scored_row(pro_playbook(), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    r = scored_row(pro_playbook()[:kept], one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    assert "WENT_SILENT" in flags_of(r), r["reasons"]
    assert r["periods_with_contact"] == (1 if stop_after == "day-five call" else 0)
    assert r["persistence"] <= (45 if stop_after == "day-five call" else 35)
    assert r["grade"] == "C"
    assert r["score"] <= playbook["score"] - (15 if stop_after == "day-five call" else 25)


def test_pro_no_call_and_no_follow_up_after_the_thank_you_scores_lower():
    """No call by day 5 and nothing after it: lower than the pro, and flagged."""
    playbook = scored_row(pro_playbook(), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    r = scored_row([email(day(0, "19:30"), contact=DANA)], one_interviewer(), as_of=PRO_AS_OF,
                   policy="pro")
    assert r["score"] < playbook["score"] - 25
    assert r["persistence"] < playbook["persistence"]
    assert "WENT_SILENT" in flags_of(r)


def test_pro_skipping_only_the_day_five_call_scores_lower():
    """pro's persistence periods start on day 4, so the day-five call fills the first one."""
    playbook = scored_row(pro_playbook(), one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    skipped = scored_row(pro_playbook(day_five_call=False), one_interviewer(), as_of=PRO_AS_OF,
                         policy="pro")
    assert skipped["score"] < playbook["score"]


def test_pro_the_day_five_call_is_part_of_the_opening_not_over_contact():
    """Evening email, letter on day 3, voicemail on day 5 and a call a week later: never more
    than once a week once the opening is done."""
    events = pro_playbook(letter_day=3) + [hang_up(day(5, "09:58"), contact=DANA)]  # one slip
    r = scored_row(events, one_interviewer(), as_of=PRO_AS_OF, policy="pro")
    assert r["flags"] == "", r["reasons"]
    assert r["max_contacts_7d"] <= 1
    assert r["restraint"] == 100  # one stray hang-up is forgiven


@pytest.mark.parametrize("policy", SHIPPED)
def test_hang_up_bursts_are_flagged_under_every_preset(policy):
    events = [email(day(0, "19:30"), contact=DANA),
              hang_up(day(5, "10:00")), hang_up(day(5, "10:05")), hang_up(day(5, "10:10"))]
    r = scored_row(events, one_interviewer(), as_of=day(6, "18:00"), policy=policy)
    assert "EXCESSIVE_HANGUPS" in flags_of(r)
    assert r["restraint"] <= 40


# --------------------------------------------------------------------------------------------
# long-haul (seed 003): stay in touch every 4 to 6 weeks; call after two days of silence
# --------------------------------------------------------------------------------------------

def wrote_and_called() -> list[dict]:
    """The long-haul opening, then nothing."""
    return long_haul_playbook()[:3]


def test_long_haul_three_months_without_contact_is_went_silent():
    r = scored_row(wrote_and_called(), panel(), as_of=day(95, "18:00"), policy="long-haul")
    assert flags_of(r) == {"WENT_SILENT"}, r["reasons"]
    assert r["grade"] == "C"
    assert r["periods_with_contact"] == 0
    playbook = scored_row(long_haul_playbook(), panel(), as_of=day(95, "18:00"), policy="long-haul")
    assert r["score"] < playbook["score"] - 20


@pytest.mark.parametrize("events, as_of_day", [
    (wrote_and_called, 33),        # a month after the opening call
    (long_haul_playbook, 100),     # a month after the day-70 call
])
def test_long_haul_a_month_of_quiet_is_not_flagged(events, as_of_day):
    r = scored_row(events(), panel(), as_of=day(as_of_day, "18:00"), policy="long-haul")
    assert r["flags"] == "", r["reasons"]
    assert r["status"] == "ok"
    assert r["grade"] == "A"


def test_long_haul_no_call_after_two_days_of_silence_scores_lower_speed():
    """"If you don't hear back within two days, call the hiring manager": the candidate who
    calls on day 2 is on time; one who lets the silence run and first gets in touch on day 5
    is not."""
    as_of = day(6, "18:00")
    called = scored_row([voicemail(day(2, "10:00"), contact=DANA)], panel(), as_of=as_of,
                        policy="long-haul")
    waited = scored_row([letter(day(5, "10:00"), contact=DANA)], panel(), as_of=as_of,
                        policy="long-haul")
    assert called["speed"] == 100
    assert waited["speed"] <= 65
    assert called["score"] > waited["score"]


def test_long_haul_never_calling_scores_lower_persistence():
    """Letters alone all the way through: one channel of the two the preset expects."""
    letters_only = [letter(day(1, "11:00"), contact=DANA), letter(day(1, "11:00"), contact=RAJ)] + [
        letter(day(d, "10:00"), contact=DANA) for d in (35, 70, 105)]
    playbook = scored_row(long_haul_playbook(), panel(), as_of=LONG_HAUL_AS_OF, policy="long-haul")
    r = scored_row(letters_only, panel(), as_of=LONG_HAUL_AS_OF, policy="long-haul")
    assert r["persistence"] < playbook["persistence"]
    assert r["channels"] == "letter"


# --------------------------------------------------------------------------------------------
# The presets really differ
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of_day", [60, 100, 120])
def test_keep_in_touch_every_five_weeks_is_went_silent_under_sales_and_pro_only(as_of_day):
    as_of = day(as_of_day, "18:00")
    long_haul = scored_row(long_haul_playbook(), panel(), as_of=as_of, policy="long-haul")
    assert long_haul["flags"] == "" and long_haul["grade"] == "A"
    for policy in ("sales", "pro"):
        r = scored_row(long_haul_playbook(), panel(), as_of=as_of, policy=policy)
        assert "WENT_SILENT" in flags_of(r), (policy, r["reasons"])
        assert r["grade"] == "C"
        assert r["persistence"] < long_haul["persistence"] - 30
        assert r["periods_with_contact"] < r["periods_completed"] / 3  # most weeks empty


def test_a_month_of_quiet_is_went_silent_under_sales_and_pro_but_not_long_haul():
    as_of = day(33, "18:00")
    flags = {p: flags_of(scored_row(wrote_and_called(), panel(), as_of=as_of, policy=p)) for p in PRESETS}
    assert flags == {"sales": {"WENT_SILENT"}, "pro": {"WENT_SILENT"}, "long-haul": set()}


def test_fortnightly_contact_is_half_persistent_under_sales_and_fully_under_long_haul():
    events = [email(day(0, "19:00"), contact=DANA)] + [
        (voicemail if i % 2 == 0 else email)(day(d, "10:00"), contact=DANA)
        for i, d in enumerate(range(8, 110, 14))]
    as_of = day(112, "18:00")
    sales = scored_row(events, one_interviewer(), as_of=as_of, policy="sales")
    long_haul = scored_row(events, one_interviewer(), as_of=as_of, policy="long-haul")
    assert sales["periods_with_contact"] / sales["periods_completed"] == pytest.approx(0.5, abs=0.07)
    assert long_haul["periods_with_contact"] == long_haul["periods_completed"] == 2
    assert long_haul["persistence"] == 100
    assert sales["persistence"] < 75
    assert sales["flags"] == long_haul["flags"] == ""


def test_the_pro_rotation_beats_two_channels_under_pro_but_not_under_sales():
    scores = {(p, who): scored_row(events(), one_interviewer(), as_of=PRO_AS_OF, policy=p)["persistence"]
              for p in ("sales", "pro")
              for who, events in (("rotation", pro_playbook), ("two", pro_two_channel))}
    assert scores["pro", "rotation"] > scores["pro", "two"]
    assert scores["sales", "rotation"] == scores["sales", "two"] == 100  # channel_target 2 vs 3


def test_the_day_two_caller_gets_full_speed_under_long_haul_only():
    as_of = day(6, "18:00")
    speeds = {p: scored_row([voicemail(day(2, "10:00"), contact=DANA)], panel(), as_of=as_of,
                            policy=p)["speed"] for p in PRESETS}
    assert speeds["long-haul"] == 100
    assert speeds["sales"] == speeds["pro"] < 85     # 47 h after the interview: 80.4
    late = {p: scored_row([letter(day(5, "10:00"), contact=DANA)], panel(), as_of=as_of,
                          policy=p)["speed"] for p in PRESETS}
    assert late["long-haul"] > late["sales"] + 10    # day 5: 60.5 against 47.0


@pytest.mark.parametrize("policy", PRESETS)
def test_weekly_playbooks_are_not_penalised_under_any_preset(policy):
    """Following the sales or pro playbook is never over-contact, even under long-haul."""
    assert_clean_a(scored_row(sales_playbook(), panel(), as_of=SALES_AS_OF, policy=policy))
    assert_clean_a(scored_row(pro_playbook(), one_interviewer(), as_of=PRO_AS_OF, policy=policy))


def test_the_presets_differ_in_the_numbers_the_articles_disagree_on():
    sales, pro, long_haul = (followup.load_policy(p) for p in PRESETS)
    assert pro.persistence.channel_target == 3 > sales.persistence.channel_target
    assert "phone" in pro.opening_channels and "phone" not in sales.opening_channels
    assert pro.windows.opening_days > sales.windows.opening_days
    assert long_haul.windows.cadence_days >= 28 > sales.windows.cadence_days
    assert 30 < long_haul.windows.silent_gap_days < 90 and sales.windows.silent_gap_days == 14
    assert dict(long_haul.speed.curve)[48] == 100 > dict(sales.speed.curve)[48]


# --------------------------------------------------------------------------------------------
# Picking and editing a policy
# --------------------------------------------------------------------------------------------

@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        return result

    return invoke


def test_policies_lists_every_preset_with_sales_as_default(cli):
    result = cli("policies")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert sorted(followup.preset_names()) == sorted(SHIPPED)
    for name in SHIPPED:
        line = next(l for l in lines if l.startswith(f"{name} "))
        assert f"[{followup.load_policy(name).content_hash}]" in line
    assert any(l.startswith("sales (default)") for l in lines)


@pytest.mark.parametrize("name", SHIPPED)
def test_policies_show_output_passes_policies_check(cli, tmp_path, name):
    shown = cli("policies", "show", name)
    assert shown.exit_code == 0
    mine = tmp_path / "mine.toml"
    mine.write_text(shown.output, encoding="utf-8")
    checked = cli("policies", "check", mine)
    assert checked.exit_code == 0, checked.output
    rules = followup.load_policy(name)
    assert f"valid policy {rules.name} ({rules.content_hash})" in checked.output
    assert followup.load_policy(mine).content_hash == rules.content_hash


def test_each_preset_has_its_own_content_hash():
    hashes = {name: followup.load_policy(name).content_hash for name in SHIPPED}
    assert len(set(hashes.values())) == len(SHIPPED), hashes


@pytest.mark.parametrize("name", ["pro", "long-haul"])
def test_a_copied_preset_passed_as_a_file_scores_exactly_like_the_preset(cli, tmp_path, name):
    mine = tmp_path / "mine.toml"
    mine.write_text(cli("policies", "show", name).output, encoding="utf-8")
    args = [SAMPLE_DATA / "events.csv", "-i", SAMPLE_DATA / "interviews.csv",
            "--as-of", "2026-03-31T18:00:00-04:00", "--tz", "America/New_York", "--quiet"]
    by_name = cli("score", *args, "--policy", name)
    by_file = cli("score", *args, "--policy", mine)
    assert by_name.exit_code == by_file.exit_code == 0
    assert by_name.output == by_file.output
    default = cli("score", *args)
    assert default.output != by_name.output  # the preset changes the result


def test_an_edited_copy_changes_the_hash_and_the_result(tmp_path):
    """Edit one number (here: pro's cadence starting after the first week instead of on day 4,
    which stops crediting the day-five call) and the result says so."""
    text = followup.policy.preset_text("pro").replace("cadence_starts_day = 4", "cadence_starts_day = 7")
    mine = tmp_path / "pro-day7.toml"
    mine.write_text(text, encoding="utf-8")
    edited = followup.load_policy(mine)
    assert edited.content_hash != followup.load_policy("pro").content_hash
    events = make_events(*pro_playbook(day_five_call=False))
    as_shipped = followup.score(events, one_interviewer(), policy="pro", as_of=PRO_AS_OF)
    with_edit = followup.score(events, one_interviewer(), policy=mine, as_of=PRO_AS_OF)
    assert with_edit.policy.content_hash == edited.content_hash
    # Without the day-five call, the shipped pro loses its first period; the edit forgives it.
    assert with_edit.candidates["score"].iloc[0] > as_shipped.candidates["score"].iloc[0]


# --------------------------------------------------------------------------------------------
# courteous (seed 002): a thank-you after every round, and even after a rejection
# --------------------------------------------------------------------------------------------

def courteous_rounds(decision=None, decision_day=None):
    """Round 1 on day 0, round 2 on day 14 (a panel), a decision some days after round 2."""
    decided = {"decision": decision, "decision_at": day(decision_day, "16:00")} if decision else {}
    return make_interviews(interview(on_day=0),
                           interview(on_day=14, interviewers=f"{DANA};{RAJ}", **decided))


def courteous_playbook(after_rejection: bool = True, after_round_one: bool = True) -> list[dict]:
    events = []
    if after_round_one:
        events.append(email(day(0, "18:00"), contact=DANA))
    events += [email(day(14, "18:00"), contact=DANA), email(day(14, "18:05"), contact=RAJ)]
    if after_rejection:
        events.append(email(day(20, "09:00"), contact=DANA))  # "Don't burn bridges"
    return events


def test_courteous_playbook_to_the_letter_scores_at_least_90_with_no_flags():
    r = scored_row(courteous_playbook(), courteous_rounds("rejected", 19), as_of=day(30), policy="courteous")
    assert_clean_a(r)
    assert "thanked promptly after 2 of 2 rounds" in r["reasons"]
    assert "a thank-you after the decision (rejected)" in r["reasons"]


def test_courteous_missing_the_thank_you_after_a_rejection_is_penalised():
    gracious = scored_row(courteous_playbook(), courteous_rounds("rejected", 19), as_of=day(30),
                          policy="courteous")
    silent = scored_row(courteous_playbook(after_rejection=False), courteous_rounds("rejected", 19),
                        as_of=day(30), policy="courteous")
    assert silent["persistence"] < gracious["persistence"]
    assert silent["score"] < gracious["score"]
    assert "no thank-you in the 7 days after the decision (rejected)" in silent["reasons"]


def test_courteous_a_round_without_a_thank_you_is_penalised():
    every = scored_row(courteous_playbook(), courteous_rounds(), as_of=day(20), policy="courteous")
    skipped = scored_row(courteous_playbook(after_round_one=False), courteous_rounds(), as_of=day(20),
                         policy="courteous")
    assert "thanked promptly after 1 of 2 rounds" in skipped["reasons"]
    assert skipped["persistence"] < every["persistence"]


@pytest.mark.parametrize("policy", PRESETS)
def test_only_courteous_credits_a_thank_you_after_a_rejection(policy):
    """Elsewhere a decision closes the window: what comes after it is not follow-up."""
    with_thanks = scored_row(courteous_playbook(), courteous_rounds("rejected", 19), as_of=day(30),
                             policy=policy)
    without = scored_row(courteous_playbook(after_rejection=False), courteous_rounds("rejected", 19),
                         as_of=day(30), policy=policy)
    assert with_thanks["score"] == without["score"]
    courteous = scored_row(courteous_playbook(), courteous_rounds("rejected", 19), as_of=day(30),
                           policy="courteous")
    assert courteous["score"] >= with_thanks["score"]


def test_courteous_does_not_expect_a_weekly_chase():
    """A thank-you after each round and then patience: fine when courteous, WENT_SILENT for sales."""
    events = courteous_playbook(after_rejection=False)
    patient = scored_row(events, courteous_rounds(), as_of=day(40), policy="courteous")
    chased = scored_row(events, courteous_rounds(), as_of=day(40), policy="sales")
    assert patient["flags"] == "" and patient["score"] >= 85
    assert "WENT_SILENT" in flags_of(chased)


# --------------------------------------------------------------------------------------------
# deadline (seed 001): check-ins timed to the employer's decision date
# --------------------------------------------------------------------------------------------

def deadline_rounds(due_day: int, decided: bool = True, interviewers: str = PANEL):
    """One interview on day 0; the employer said it will decide by ``due_day`` (17:00) and, when
    ``decided``, does so that afternoon."""
    return make_interviews(interview(
        interviewers=interviewers, decision_due=day(due_day, "17:00"),
        decision="offer" if decided else None, decision_at=day(due_day, "16:00") if decided else None))


def deadline_playbook(due_day: int) -> list[dict]:
    """Seed 001: a thank-you note to every interviewer at once; then a brief call two days later
    when the decision is due within the week, or a call after a week and another shortly before
    the date when it is further out."""
    events = [email(day(0, "18:30"), contact=DANA), email(day(0, "18:40"), contact=RAJ)]
    if due_day <= 7:
        return events + [call(day(2, "10:00"), contact=DANA)]
    return events + [call(day(7, "10:00"), contact=DANA), voicemail(day(due_day - 2, "10:00"), contact=DANA)]


@pytest.mark.parametrize("due_day", [3, 5, 7, 10, 14, 21, 28])
def test_deadline_playbook_to_the_letter_scores_at_least_90_with_no_flags(due_day):
    r = scored_row(deadline_playbook(due_day), deadline_rounds(due_day), as_of=day(due_day + 3), policy="deadline")
    assert_clean_a(r)
    expected = 1 if due_day <= 7 else 2
    assert (r["checkins_expected"], r["checkins_met"], r["early_contacts"]) == (expected, expected, 0)
    assert r["restraint"] == 100 and r["interviewers_thanked"] == 2
    assert f"{expected} of {expected} check-in" in r["reasons"]


@pytest.mark.parametrize("due_day", [5, 14, 28])
def test_deadline_playbook_never_trips_a_flag_while_waiting_for_the_date(due_day):
    for as_of_day in range(0, due_day + 4):
        r = scored_row(deadline_playbook(due_day), deadline_rounds(due_day), as_of=day(as_of_day, "23:00"),
                       policy="deadline")
        assert r["flags"] == "", (as_of_day, r["reasons"])
        assert r["status"] in {"ok", "pending"}, (as_of_day, r["reasons"])


def test_deadline_badgering_before_the_date_is_penalised_and_flagged():
    """Calling every other day while the employer said it would decide in two weeks."""
    events = deadline_playbook(14) + [call(day(d, "10:00"), contact=DANA) for d in (2, 4, 9, 11)]
    r = scored_row(events, deadline_rounds(14), as_of=day(17), policy="deadline")
    good = scored_row(deadline_playbook(14), deadline_rounds(14), as_of=day(17), policy="deadline")
    assert r["early_contacts"] == 4
    assert "TOO_FREQUENT" in flags_of(r)
    assert r["restraint"] <= 40 and r["score"] < good["score"] - 20
    assert "4 contacts before the decision date outside the expected check-ins" in r["reasons"]


def test_deadline_one_extra_call_before_the_date_is_forgiven_two_are_not():
    """A decision four weeks out: check-ins on day 7 and day 26, extra calls on days 3 and 16."""
    one = scored_row(deadline_playbook(28) + [call(day(3, "10:00"), contact=DANA)], deadline_rounds(28),
                     as_of=day(31), policy="deadline")
    two = scored_row(deadline_playbook(28) + [call(day(3, "10:00"), contact=DANA),
                                              email(day(16, "10:00"), contact=DANA)],
                     deadline_rounds(28), as_of=day(31), policy="deadline")
    assert one["restraint"] == 100 and one["flags"] == ""
    assert two["early_contacts"] == 2
    assert two["restraint"] == 80 and two["flags"] == ""


def test_deadline_missing_the_check_ins_is_clearly_penalised():
    """A thank-you, then silence until the date: neither the week's call nor the one before the date."""
    thanks_only = deadline_playbook(14)[:2]
    r = scored_row(thanks_only, deadline_rounds(14), as_of=day(17), policy="deadline")
    good = scored_row(deadline_playbook(14), deadline_rounds(14), as_of=day(17), policy="deadline")
    assert (r["checkins_expected"], r["checkins_met"]) == (2, 0)
    assert r["persistence"] <= good["persistence"] - 50
    assert r["score"] < 85 <= good["score"]
    assert "0 of 2 check-ins" in r["reasons"]


def test_deadline_waiting_a_week_when_the_decision_was_due_in_days_misses_the_check_in():
    """Decision by Friday: "a reasonable time frame would be two days", not a week."""
    late = [*deadline_playbook(5)[:2], call(day(7, "10:00"), contact=DANA)]
    r = scored_row(late, deadline_rounds(5, decided=False), as_of=day(8), policy="deadline")
    on_time = scored_row(deadline_playbook(5), deadline_rounds(5, decided=False), as_of=day(8), policy="deadline")
    assert (r["checkins_expected"], r["checkins_met"]) == (1, 0)
    assert r["score"] < on_time["score"] - 15
    assert r["restraint"] == 100   # calling after the stated date is reasonable, not badgering


def test_deadline_contacting_after_the_stated_date_without_a_decision_is_reasonable():
    events = deadline_playbook(14) + [call(day(16, "10:00"), contact=DANA), email(day(22, "10:00"), contact=DANA)]
    r = scored_row(events, deadline_rounds(14, decided=False), as_of=day(24), policy="deadline")
    assert_clean_a(r)
    assert r["early_contacts"] == 0 and r["restraint"] == 100


def test_deadline_silence_after_the_date_passes_is_went_silent():
    r = scored_row(deadline_playbook(14), deadline_rounds(14, decided=False), as_of=day(35), policy="deadline")
    assert "WENT_SILENT" in flags_of(r)
    assert "since the decision was due" in r["reasons"]


def test_deadline_without_a_due_date_judges_the_rest_and_says_so():
    r = scored_row(sales_playbook(), panel(), as_of=SALES_AS_OF, policy="deadline")
    assert_clean_a(r)
    assert r["checkins_expected"] == 0
    assert "no decision date given: check-ins not judged" in r["reasons"]


def test_deadline_thanking_only_the_hiring_manager_is_penalised():
    """Seed 001: "If other people participated in the job interview, obtain their contact
    information, and send them thank-you notes as well."
    """
    only_dana = [e for e in deadline_playbook(14) if e["contact"] != RAJ]
    r = scored_row(only_dana, deadline_rounds(14), as_of=day(17), policy="deadline")
    good = scored_row(deadline_playbook(14), deadline_rounds(14), as_of=day(17), policy="deadline")
    assert r["interviewers_thanked"] == 1 and "thanked 1 of 2 interviewers individually" in r["reasons"]
    assert r["persistence"] < good["persistence"] - 10


def test_deadline_no_thank_you_within_a_week_is_no_contact():
    r = scored_row([], deadline_rounds(14), as_of=day(10), policy="deadline")
    assert "NO_CONTACT" in flags_of(r) and r["grade"] == "D"


def test_waiting_quietly_for_a_date_four_weeks_out_is_went_silent_under_sales_only():
    as_of = day(24, "18:00")
    events = deadline_playbook(28)[:3]   # thanks, the week's call, then waiting for day 25-28
    deadline = scored_row(events, deadline_rounds(28), as_of=as_of, policy="deadline")
    assert deadline["flags"] == "" and deadline["grade"] == "A"
    for policy in PRESETS[:2]:
        r = scored_row(events, deadline_rounds(28), as_of=as_of, policy=policy)
        assert "WENT_SILENT" in flags_of(r), (policy, r["reasons"])


def test_unscheduled_calls_before_the_date_cost_restraint_under_deadline_only():
    events = deadline_playbook(28) + [call(day(2, "10:00"), contact=DANA), voicemail(day(15, "10:00"), contact=DANA)]
    restraint = {p: scored_row(events, deadline_rounds(28), as_of=day(31), policy=p)["restraint"] for p in SHIPPED}
    assert restraint.pop("deadline") == 80
    assert set(restraint.values()) == {100}


def test_the_deadline_check_in_schedule_follows_the_due_date():
    policy = followup.load_policy("deadline")
    assert policy.deadline.short_notice_checkin_day == 2 and policy.deadline.checkin_day == 7
    assert policy.deadline.wait_for_due and policy.deadline.checkins_weight > 0
    assert all(not followup.load_policy(p).deadline.active for p in (*PRESETS, "courteous"))
