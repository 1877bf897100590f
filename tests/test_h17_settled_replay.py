"""Replay re-scores a night only the candidates whose row can have changed (docs/nightly.md#replay):
every night it writes must be the run a replay re-scoring everybody writes, whatever the log,
the interview list (second rounds, decisions before, during and long after the interview, due
dates), the policy and the nights' spacing.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.policy import load_policy
from followup.replay import SettledNights, as_of_times, night_of, read_logs, replay, score_night

from conftest import SAMPLE_DATA, day, interview, local, make_events, make_interviews

CANDIDATES = ["A", "B", "C", "D", "E"]
CHANNELS = ["email", "phone", "letter", "sms", "linkedin", "other"]
OUTCOMES = [None, "connected", "voicemail", "hang_up", "missed", "busy"]
CONTACTS = [None, "Dana Whitfield", "Raj Patel", "Mei Chen"]
PANELS = ["Dana Whitfield", "Dana Whitfield;Raj Patel", "Mei Chen;Raj Patel;Dana Whitfield"]
PRESETS = ["sales", "pro", "deadline", "long-haul", "courteous"]
DECISIONS = ["offer", "hired", "rejected", "withdrawn"]


@st.composite
def moments(draw, first_day=-2, last_day=40):
    """A time on the hour half the time (so events and decisions fall exactly on an as-of)."""
    hours = draw(st.integers(first_day * 24, last_day * 24))
    minutes = draw(st.one_of(st.just(0), st.integers(0, 59)))
    return local(0, "00:00") + pd.Timedelta(hours=hours, minutes=minutes)


@st.composite
def interview_lists(draw):
    rows = []
    for candidate in CANDIDATES:
        days = sorted(draw(st.lists(st.integers(0, 25), min_size=1, max_size=2, unique=True)))
        for on_day in days:
            start = local(on_day, "10:00") + pd.Timedelta(minutes=draw(st.sampled_from([0, 30, 90])))
            end = draw(st.sampled_from([None, 45, 60, 180]))
            decision = draw(st.sampled_from([None, None, *DECISIONS]))
            decided_at = None
            if decision is not None:
                decided_at = draw(st.one_of(st.none(), st.builds(
                    lambda hours: start + pd.Timedelta(hours=hours), st.integers(-2, 30 * 24))))
            due = draw(st.one_of(st.none(), st.integers(1, 20)))
            rows.append(interview(
                candidate, start=start.isoformat(),
                end="" if end is None else (start + pd.Timedelta(minutes=end)).isoformat(),
                interviewers=draw(st.sampled_from(PANELS)), decision=decision,
                decision_at=None if decided_at is None else decided_at.isoformat(),
                decision_due=None if due is None else day(on_day + due, "17:00")))
    return make_interviews(*rows)


@st.composite
def event_logs(draw):
    events = []
    for _ in range(draw(st.integers(1, 30))):
        channel = draw(st.sampled_from(CHANNELS))
        outcome = draw(st.sampled_from(OUTCOMES)) if channel == "phone" else None
        events.append({
            "candidate_id": draw(st.sampled_from(CANDIDATES)),
            "timestamp": draw(moments()).isoformat(),
            "channel": channel,
            "direction": draw(st.sampled_from(["inbound", "inbound", "outbound"])),
            "outcome": outcome,
            "duration_s": draw(st.sampled_from([None, 2, 30, 300])) if channel == "phone" else None,
            "contact": draw(st.sampled_from(CONTACTS)),
            "event_id": None,
        })
    return make_events(*events).assign(event_id=lambda f: [f"EV-{n}" for n in range(len(f))])


@st.composite
def night_sequences(draw):
    """From anywhere between before the first interview and well after the last, every few
    hours to every few days."""
    start = draw(moments(-1, 35))
    every = draw(st.sampled_from(["6h", "12h", "1d", "1d", "2d", "3d"]))
    count = draw(st.integers(3, 8))
    step = pd.Timedelta(every.replace("d", "D"))
    return start, start + step * (count - 1), every


def both_ways(events, interviews, policy, tz, nights):
    """Each night's run as the history takes it: re-scoring only what changed, and everybody."""
    logs = read_logs(events, interviews, tz=tz)
    rules = load_policy(policy)
    start, end, every = nights
    settled = SettledNights(logs, rules)
    for moment in as_of_times(start.isoformat(), end.isoformat(), every, tz):
        yield night_of(settled.night(moment)), score_night(logs, moment, rules), settled


def assert_same_night(mine, everyone):
    pd.testing.assert_frame_equal(mine.table.to_pandas(), everyone.table.to_pandas())
    assert mine.table.equals(everyone.table)
    assert mine.meta == everyone.meta and mine.summary == everyone.summary


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(events=event_logs(), interviews=interview_lists(), policy=st.sampled_from(PRESETS),
       tz=st.sampled_from(["UTC", "America/New_York"]), nights=night_sequences())
def test_every_night_is_the_run_of_a_replay_re_scoring_everybody(events, interviews, policy, tz, nights):
    for mine, everyone, _ in both_ways(events, interviews, policy, tz, nights):
        assert_same_night(mine, everyone)


def test_a_decided_candidate_is_carried_until_something_new_is_known():
    """A rejected candidate's row is kept from night to night once the courteous playbook's
    week for a thank-you after the rejection has passed; an email arriving later makes it
    re-scored that night only. The nights are the same as re-scoring everybody's."""
    interviews = make_interviews(
        interview("A", decision="rejected", decision_at=day(5, "09:00")),
        interview("B"))
    events = make_events(
        {"candidate_id": "A", "timestamp": day(0, "18:00"), "channel": "email", "direction": "inbound"},
        {"candidate_id": "B", "timestamp": day(0, "19:00"), "channel": "email", "direction": "inbound"},
        {"candidate_id": "A", "timestamp": day(16, "09:00"), "channel": "email", "direction": "inbound"})
    nights = (local(6, "18:00"), local(18, "18:00"), "1d")
    for mine, everyone, _ in both_ways(events, interviews, "courteous", "UTC", nights):
        assert_same_night(mine, everyone)
    logs = read_logs(events, interviews)
    settled = SettledNights(logs, load_policy("courteous"))
    changed = {}
    for moment in as_of_times(local(6, "18:00").isoformat(), local(18, "18:00").isoformat(), "1d", "UTC"):
        if settled.as_of is not None:
            changed[moment.day - local(0).day] = settled.changed_since(settled.as_of, moment).tolist()
        settled.night(moment)
    # A (code 0) is waited for until 7 days after the decision, then carried; the late thank-you
    # on day 16 is news. B (code 1), never decided, has an open window: re-scored every night.
    assert changed[7] == [True, True] and changed[13] == [False, True]
    assert changed[16] == [True, True] and changed[17] == [False, True]


def test_replay_writes_the_same_history_either_way(tmp_path):
    """The public switch end to end, on the sample data: the run files hold the same frames."""
    arguments = dict(start="2026-03-20T18:00", end="2026-03-31T18:00", every="1d", tz="America/New_York")
    sample = (str(SAMPLE_DATA / "events.csv"), str(SAMPLE_DATA / "interviews.csv"))
    reused = replay(*sample, tmp_path / "reused", **arguments)
    everyone = replay(*sample, tmp_path / "everyone", **arguments, reuse_settled=False)
    assert len(reused) == 12
    for mine, theirs in zip(reused["run_file"], everyone["run_file"]):
        pd.testing.assert_frame_equal(pq.read_table(mine).to_pandas(), pq.read_table(theirs).to_pandas())
    pd.testing.assert_frame_equal(reused.drop(columns="run_file"), everyone.drop(columns="run_file"))


def test_a_log_with_note_text_is_re_scored_in_full_every_night():
    """Notes are judged against every other candidate's notes: no row is carried."""
    logs = read_logs(str(SAMPLE_DATA / "events.csv"), str(SAMPLE_DATA / "interviews.csv"))
    with_text = logs.events.frame.assign(body="Dear Dana, thank you for the talk about the territory plan.")
    noted = type(logs)(type(logs.events)(with_text, logs.events.rejects, logs.events.rows_read), logs.event_ns,
                       logs.interviews, logs.decision_ns, logs.tz)
    assert SettledNights.applies(logs, model=None)
    assert not SettledNights.applies(noted, model=None)
    assert not SettledNights.applies(logs, model="model.skops")
