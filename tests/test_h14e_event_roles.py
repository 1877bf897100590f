"""Per-event roles decided once by the engine (``ScoreResult.event_roles``): explain, the report
and the plots read them, so what a timeline says an event counted for is what the score counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import followup
from conftest import call, day, email, interview, make_interviews, run
from followup import datasets
from followup.days import day_position, local_day
from followup.event_roles import FACT_COLUMNS
from followup.explain import annotate_events, explain
from followup.report import report_data
from followup.schema import EVENT_KINDS, NOT_COUNTED_CODES, ROLE_CODES


@pytest.fixture(scope="module", params=["sales", "courteous", "deadline"])
def synthetic(request):
    events, interviews = datasets.make_followups(400, seed=5)
    return followup.score(events, interviews, as_of=datasets.default_as_of(interviews), tz="Europe/Berlin",
                          policy=request.param)


def test_a_score_run_does_not_make_the_roles_and_presenting_makes_them_once(synthetic):
    result = followup.score(synthetic.events, synthetic.interviews, as_of=synthetic.as_of, tz=synthetic.tz)
    assert "event_roles" not in vars(result)
    annotate_events(result)
    made = result.event_roles
    explain(result, result.candidates["candidate_id"].iloc[0])
    assert result.event_roles is made
    assert len(made) == len(result.events) and sorted(made["event"]) == list(range(len(result.events)))


def test_the_roles_are_codes_from_the_vocabulary(synthetic):
    roles = synthetic.event_roles
    assert set(roles.columns) == {*FACT_COLUMNS, *ROLE_CODES}
    assert tuple(roles["kind"].cat.categories) == EVENT_KINDS
    assert tuple(roles["not_counted"].cat.categories) == NOT_COUNTED_CODES
    assert all(roles[code].dtype == bool for code in ROLE_CODES)
    # Every event that did not count says why, and no counted one does.
    assert (roles["not_counted"].isna() == roles["counted"]).all()


def test_each_rounds_events_add_up_to_its_numbers(synthetic):
    """The sentences of a timeline cannot disagree with the score: per round, the events the
    engine marked are as many as the round's counts."""
    roles, rounds = synthetic.event_roles, synthetic.rounds
    shortlist = rounds["is_shortlist_round"].to_numpy(bool) & rounds["held"].to_numpy(bool)
    mine = roles[roles["counted"]]

    def per_round(mask):
        return np.bincount(mine["round_row"][mask], minlength=len(rounds))[shortlist]

    assert (per_round(mine["kind"] == "contact") == rounds["inbound_contacts"][shortlist]).all()
    assert (per_round(mine["kind"] == "unanswered") == rounds["hangups"][shortlist]).all()
    assert (per_round(mine["first_contact"]) == rounds["first_contact_at"][shortlist].notna()).all()
    assert (per_round(mine["checkin"]) == rounds["checkins_met"][shortlist]).all()
    assert (per_round(mine["early_contact"]) == rounds["early_contacts"][shortlist]).all()
    weeks = mine[mine["cadence_counted"]].drop_duplicates(["round_row", "cadence_period"])
    assert (np.bincount(weeks["round_row"], minlength=len(rounds))[shortlist]
            == rounds["periods_with_contact"][shortlist]).all()
    after = roles[roles["thanks_after_decision"]]
    if synthetic.policy.courtesy.after_decision_weight > 0:
        assert (np.bincount(after["round_row"], minlength=len(rounds))[rounds["held"].to_numpy(bool)]
                == rounds["thanks_after_decision"][rounds["held"]]).all()
    else:
        assert after.empty


def test_a_short_call_after_a_rejection_is_not_called_a_thank_you():
    """A 4-second call with no outcome reached nobody (the policy's short_call_seconds): the
    score gives it no after-the-decision credit, and neither does the timeline any more (it
    read only the outcome and said "thank-you after the decision (credited by the policy)")."""
    rejected = make_interviews(interview(decision="rejected", decision_at=day(5, "09:00")))
    result = run([email(day(0, "19:00"), contact="Dana Whitfield"), call(day(6, "10:00"), outcome=None, duration_s=4)],
                 rejected, as_of=day(20, "18:00"), policy="courteous")
    card = explain(result, "A")
    the_call = [e for e in card.events if e.channel == "phone"][0]
    assert "thank-you after the decision (credited by the policy)" not in the_call.counts_for
    assert the_call.description == "phone, unanswered (4 s)"
    assert result.rounds["thanks_after_decision"].iloc[0] == 0
    assert "no thank-you within 7 days of the decision (rejected)" in card.missed
    # A real call in its place is the thank-you, in the timeline and in the score alike.
    spoke = run([email(day(0, "19:00"), contact="Dana Whitfield"), call(day(6, "10:00"))],
                rejected, as_of=day(20, "18:00"), policy="courteous")
    spoken = [e for e in explain(spoke, "A").events if e.channel == "phone"][0]
    assert "thank-you after the decision (credited by the policy)" in spoken.counts_for
    assert spoke.rounds["thanks_after_decision"].iloc[0] == 1


def test_the_report_colours_a_short_call_before_the_interview_red_as_the_engine_judges_it():
    """Before the interview nothing is follow-up, but a 3-second call with no outcome still
    reached nobody: the strip draws it red, as it draws a hang-up (it was drawn blue)."""
    result = run([call(day(-1, "09:00"), outcome=None, duration_s=3), call(day(-1, "10:00"), outcome="hang_up"),
                  call(day(1, "10:00"))], as_of=day(10, "18:00"))
    strips = report_data(result)["strips"]
    red = 3  # MARK_FILLS.index("unanswered")
    assert strips["fill"][:2] == [red, red] and strips["fill"][2] != red


def test_one_local_day_position_for_explain_the_report_and_the_plots():
    """Across the spring daylight-saving change: day 2 at 10:30 local is 2.4375 everywhere."""
    tz = "America/New_York"
    interviews = make_interviews(interview(start=pd.Timestamp("2026-03-06 10:00", tz=tz).isoformat(),
                                           end=pd.Timestamp("2026-03-06 11:00", tz=tz).isoformat()))
    when = pd.Timestamp("2026-03-08 10:30", tz=tz)  # the day clocks went forward
    result = run([email(when.isoformat(), contact="Dana Whitfield")], interviews, as_of="2026-03-20T12:00:00Z", tz=tz)
    roles = result.event_roles
    assert roles["day"].tolist() == [2] and roles["day_position"].tolist() == [2.4375]
    assert annotate_events(result)["day_position"].tolist() == [2.4375]
    origin = local_day(pd.Series([pd.Timestamp("2026-03-06 16:00", tz="UTC")]), tz)[0]
    assert day_position(pd.Series([when.tz_convert("UTC")]), origin, tz).tolist() == [2.4375]
    figure = followup.plotting.plot_candidate(result, "A")
    marks = [c for c in figure.axes[0].collections if (c.get_gid() or "").startswith("events:")]
    assert marks[0].get_offsets()[0][0] == pytest.approx(2.4375, abs=1e-12)


def test_explain_of_one_candidate_reads_the_roles_of_that_candidate_only():
    """A result that has not made its roles explains one candidate from that candidate's
    events; one that has, from its own frame: the same card either way."""
    events, interviews = datasets.make_followups(50, seed=2)
    result = followup.score(events, interviews, as_of=datasets.default_as_of(interviews))
    wanted = result.candidates["candidate_id"].iloc[7]
    alone = explain(result, wanted).model_dump()
    assert "event_roles" not in vars(result)
    result.event_roles
    assert explain(result, wanted).model_dump() == alone
