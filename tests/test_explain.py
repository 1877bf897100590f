"""`followup explain`: a candidate's timeline as a recruiter would retell it — every event with
its day, what it counted for, each component's arithmetic, and what the playbook missed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import followup
from conftest import SAMPLE_ARGS, SAMPLE_AS_OF, SAMPLE_DATA, SAMPLE_TZ, day, email, hang_up, interview, letter, make_interviews, run, voicemail
from followup.cli import main
from followup.explain import annotate_events, explain

AS_OF, TZ, SAMPLE = SAMPLE_AS_OF, SAMPLE_TZ, SAMPLE_ARGS


@pytest.fixture(scope="module")
def sample():
    return followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv", as_of=AS_OF, tz=TZ)


def line_for(card, prefix: str) -> str:
    matches = [line for line in card.timeline_lines() if line.startswith(prefix)]
    assert len(matches) == 1, (prefix, card.timeline_lines())
    return matches[0]


def test_seed_playbook_timeline_reads_day_by_day():
    two = make_interviews(interview(interviewers="Dana Whitfield;Raj Patel"))
    result = run([email(day(0, "19:30"), contact="Dana Whitfield"), email(day(0, "19:40"), contact="Raj Patel"),
                  letter(day(2, "11:00"), contact="Dana Whitfield"), voicemail(day(8, "10:00")),
                  email(day(15, "09:00"), contact="Dana Whitfield")],
                 two, as_of=day(30, "18:00"))
    card = explain(result, "A")
    first = line_for(card, "day 0 19:30")
    assert "email → Dana Whitfield" in first
    assert "first contact, 8.5 h after the interview" in first and "opening thank-you" in first
    assert "thanks interviewer Raj Patel individually" in line_for(card, "day 0 19:40")
    assert "week 1 of the cadence" in line_for(card, "day 8 10:00")
    # Weeks 3 and 4 of the cadence (days 21-34 after the anchor) have passed without a contact.
    assert [m for m in card.missed if m.startswith("no follow-up in week")] == [
        "no follow-up in week 3 of the cadence (Mon 23 Mar 2026 – Mon 30 Mar 2026)"]


def test_hang_up_burst_is_one_line_with_its_count_and_span():
    result = run([email(day(0, "19:30")), hang_up(day(7, "10:00")), hang_up(day(7, "10:05")),
                  hang_up(day(7, "10:15"))], as_of=day(10, "18:00"))
    card = explain(result, "A")
    burst = line_for(card, "day 7 10:00")
    assert "phone, hung up ×3 in 15 min" in burst
    assert "part of a burst of 3 unanswered calls within 60 min" in burst
    assert card.flags == ["EXCESSIVE_HANGUPS"]
    assert "calls unanswered without a voicemail" in card.flag_reasons["EXCESSIVE_HANGUPS"]
    restraint = next(c for c in card.components if c.name == "restraint")
    assert restraint.why == "100 − 2 × 15 (3 unanswered calls, 1 forgiven) − 30 (a burst: 3 unanswered calls within 60 min)"
    assert restraint.value == 100 - 2 * 15 - 30


def test_sample_events_say_why_they_did_not_count(sample):
    c012 = explain(sample, "C012")
    assert "after the decision (offer on 6 Mar): the window had closed" in line_for(c012, "day 17 18:30")
    c015 = explain(sample, "C015")
    assert any("follow-up to round 1 (only the latest round is scored)" in line for line in c015.timeline_lines())
    assert "no individual thank-you to Tom Alvarez, Mei Chen" in c015.missed
    c001 = explain(sample, "C001")
    duplicate = [e for e in c001.events if e.kind == "duplicate"]
    assert [(e.source_row, e.counts_for) for e in duplicate] == [(147, ["duplicate of row 146: counted once"])]
    assert all("employer's message: not follow-up" in e.counts_for for e in c001.events if e.direction == "outbound")


def test_silent_candidate_lists_what_the_playbook_expected(sample):
    card = explain(sample, "C003")
    assert "WENT_SILENT" in card.flags
    assert "no follow-up in week 2 of the cadence (Mon 2 Mar 2026 – Mon 9 Mar 2026)" in card.missed
    assert any(m.startswith("no contact for 32 days since Fri 27 Feb 2026") for m in card.missed)
    nobody = explain(sample, "C004")
    assert nobody.events == [] and "no contact by the end of day 7" in nobody.missed


@pytest.mark.parametrize("policy", followup.preset_names())
def test_components_arithmetic_matches_the_scorer(policy):
    """The explanation re-derives each number; it must land on what the scorer gave, for every
    candidate under every preset."""
    result = followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv",
                            as_of=AS_OF, tz=TZ, policy=policy)
    for candidate_id in result.candidates["candidate_id"]:
        card = explain(result, candidate_id)
        parts = {c.name: c for c in card.components}
        if card.score is None:
            assert all(c.value is None for c in card.components)
            continue
        used = [p for p in parts["persistence"].parts if p.value is not None]
        if used:
            mean = sum(p.weight * p.value for p in used) / sum(p.weight for p in used)
            assert mean == pytest.approx(parts["persistence"].value, abs=0.051), candidate_id
            # The printed arithmetic, worked out as a reader would, lands on the printed value.
            terms, total = parts["persistence"].why.split(": ", 1)[1].split(" over ")
            printed = sum(float(w) * float(v) for w, v in (t.split(" × ") for t in terms.split(" + ")))
            assert printed / float(total) == pytest.approx(parts["persistence"].value, abs=0.051), candidate_id
        components = [c for c in card.components if c.value is not None and c.weight > 0]
        score = sum(c.weight * c.value for c in components) / sum(c.weight for c in components)
        assert score == pytest.approx(card.score, abs=0.051), candidate_id


def test_annotated_events_cover_every_used_row_once(sample):
    frame = annotate_events(sample)
    used = frame[frame["kind"] != "duplicate"]
    assert len(used) == len(sample.events)
    assert (frame["kind"] == "duplicate").sum() == sample.counts["duplicates"]
    counted = used[used["counted"]].groupby("candidate_id").size()
    contacts = sample.rounds[sample.rounds["is_shortlist_round"]].set_index("candidate_id")
    hangups = contacts["hangups"].fillna(0) + contacts["inbound_contacts"].fillna(0)
    assert counted.reindex(hangups.index, fill_value=0).astype(int).to_dict() == hangups.astype(int).to_dict()


def test_cli_text_and_json():
    runner = CliRunner()
    text = runner.invoke(main, ["explain", "C007", *SAMPLE])
    assert text.exit_code == 0, text.output
    assert "C007 Gloria Stanton — flagged, score 81.2, grade C" in text.output
    assert "day 8 10:02  phone, unanswered ×4 in 19 min (hung up ×3, missed ×1)" in text.output
    assert "Expected by the playbook but did not happen" in text.output

    as_json = runner.invoke(main, ["explain", "C007", *SAMPLE, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.output)
    assert document["candidate_id"] == "C007" and document["flags"] == ["EXCESSIVE_HANGUPS"]
    assert [c["name"] for c in document["components"]] == ["speed", "persistence", "restraint"]
    burst = [e for e in document["events"] if e["kind"] == "unanswered"]
    assert len(burst) == 4 and all(e["day"] == 8 for e in burst)


def test_unknown_candidate_is_a_one_line_error():
    result = CliRunner().invoke(main, ["explain", "NOPE", *SAMPLE])
    assert result.exit_code == 1
    assert result.output.strip() == "error: candidate 'NOPE' is not in the interview list"


def test_playbook_specific_wording(sample):
    """Each playbook's own terms: a 42-day period is not called a week, channels are counted in
    words, and a left-out courtesy part says why it was left out."""
    def score(policy):
        return followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv",
                              as_of=AS_OF, tz=TZ, policy=policy)

    long_haul = explain(score("long-haul"), "C013")
    assert ("42-day period 1 of the cadence (not a completed 42-day period: not counted)"
            in line_for(long_haul, "day 8 11:00"))
    assert not any("week" in role for e in long_haul.events for role in e.counts_for)

    pro = explain(score("pro"), "C013")
    assert "only 2 channels (email, phone); the playbook alternates 3" in pro.missed

    courteous = score("courteous")
    def after_decision(candidate_id):
        persistence = next(c for c in explain(courteous, candidate_id).components if c.name == "persistence")
        return next(p for p in persistence.parts if p.name == "after the decision")
    offer = after_decision("C012")
    assert offer.value is None and "the decision was offer; the playbook asks for one only after: rejected" in offer.why
    assert "no decision has closed the window" in after_decision("C003").why
    assert after_decision("C013").value == 100 and after_decision("C013").why.startswith("after the decision: a thank-you")


def test_text_escapes_control_characters_but_json_keeps_the_data(tmp_path):
    """A name or contact carrying a terminal escape sequence or a line break is printed
    escaped, so it cannot retitle or clear the reader's terminal or forge a line."""
    hostile_name = "Evil\x1b]0;pwned\x07\x1b[2JName\nFlags\n  none"
    hostile_contact = "Da\x1b[31mna"
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at,interview_end,interviewers\n"
                          f'X9,"{hostile_name}",2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,Dana\n', encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction,contact\n"
                      f"X9,2026-03-02T19:30:00Z,email,inbound,{hostile_contact}\n", encoding="utf-8")
    args = ["explain", "X9", str(events), "--interviews", str(interviews), "--as-of", "2026-03-31T18:00:00Z"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "\x1b" not in text.output and "\x07" not in text.output
    assert text.output.splitlines()[0].startswith("X9 Evil\\x1b]0;pwned\\x07\\x1b[2JName\\x0aFlags\\x0a  none — ")
    assert "email → Da\\x1b[31mna" in text.output
    as_json = CliRunner().invoke(main, [*args, "--format", "json"])
    document = json.loads(as_json.output)
    assert document["name"] == hostile_name and document["events"][0]["contact"] == hostile_contact


def test_json_keys_are_the_documented_ones(sample):
    """Every key `--format json` gives is named in docs/report.md, and every candidate's
    document has the same keys (a value that does not apply is null, never missing)."""
    docs = (SAMPLE_DATA.parent / "docs" / "report.md").read_text(encoding="utf-8")
    shapes = set()
    for candidate_id in ("C004", "C007", "C009", "C016", "C020"):
        document = json.loads(explain(sample, candidate_id).model_dump_json())
        keys = [*document, *document["interview"], *document["policy"]]
        keys += [key for event in document["events"] for key in event]
        keys += [key for component in document["components"] for key in component]
        keys += [key for component in document["components"] for part in component["parts"] for key in part]
        assert [key for key in dict.fromkeys(keys) if f"`{key}`" not in docs] == [], candidate_id
        shapes.add(tuple(document))
    assert len(shapes) == 1


def test_redacted_explain_finds_a_candidate_whose_id_is_an_email(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_REDACT_KEY", "0123456789abcdef0123")
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at,interview_end,interviewers\n"
                          "jane@example.com,Jane Doe,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,Dana Whitfield\n")
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction,contact\n"
                      "jane@example.com,2026-03-02T19:30:00Z,email,inbound,+1 (555) 010-9999\n")
    for fmt in ("text", "json"):
        result = CliRunner().invoke(main, ["explain", "jane@example.com", str(events), "--interviews", str(interviews),
                                           "--as-of", "2026-03-31T18:00:00Z", "--redact", "--format", fmt])
        assert result.exit_code == 0, result.output
        for personal in ("jane", "Jane", "Doe", "Whitfield", "555"):
            assert personal not in result.output
        assert "email-" in result.output and "phone-" in result.output
