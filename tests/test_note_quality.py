"""Thank-you notes judged as the seeds judge them, from the mail itself (tests/data/notes: an mbox,
a folder of .eml files and a Microsoft Graph messages page, plus the letters and calls of a CSV).

Seed 000: "Did you meet with multiple people? If so, don't be lazy…send each person a unique
message that references a specific topic of discussion", and "if you … incorrectly spell the
person's name, they may rule you out". Seed 001: "Avoid sending a generic thank-you note that
doesn't reference anything you discussed … refer to the interviewer by name".
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import followup
from followup.cli import main
from followup.explain import explain
from followup.notes import note_facts
from followup.policy import load_policy, parse_policy, preset_text
from followup.sources import SourceOptions

DATA = Path(__file__).parent / "data" / "notes"
SAMPLE = Path(__file__).parent.parent / "sample_data"
TZ = "America/New_York"
AS_OF = "2026-03-23T18:00:00-04:00"
MAIL = [DATA / "thanks.mbox", DATA / "eml", DATA / "graph_messages.json", DATA / "letters_and_calls.csv"]
ROUTING = ["--candidates", DATA / "roster.csv", "--employer-domain", "acme.com", "--tz", TZ, "--as-of", AS_OF]
KEY = "correct horse battery staple"
# Sentences from the notes themselves: none may ever appear in an output.
NOTE_TEXT = ["Q3 territory plan", "renewal-risk scoring", "I am very excited about the opportunity",
             "hospital procurement", "churn in the small-business segment", "Thanks for today, it was great"]


def score(policy="sales", events=MAIL):
    return followup.score(events, DATA / "interviews.csv", as_of=AS_OF, tz=TZ, policy=policy,
                          sources=SourceOptions.build(candidates=DATA / "roster.csv", employer_domains=["acme.com"]))


@pytest.fixture(scope="module")
def result():
    return score()


def row(result, candidate):
    return result.candidates.set_index("candidate_id").loc[candidate]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_mail_format_keeps_its_text_and_every_row_is_accounted_for(result):
    assert result.counts == {"rows_read": 24, "rows_used": 24, "duplicates": 0, "rejected": 0}
    judged = result.rounds.set_index("candidate_id")["notes_judged"]
    # mbox (N01, N02), .eml (N03, N04), Graph HTML bodies (N05–N07)
    assert judged.to_dict() == {"N01": 2, "N02": 2, "N03": 2, "N04": 2, "N05": 1, "N06": 1, "N07": 1}


def test_a_candidate_who_follows_seed_000_to_the_letter_still_scores_at_least_90(result):
    """Same-day e-mails, a unique message to each interviewer on what was discussed, names spelled
    right; a mailed letter; a week later a call with a voicemail, then an e-mail."""
    sam = row(result, "N01")
    assert sam["score"] >= 90 and sam["grade"] == "A" and sam["notes"] == 100
    assert "thanked 2 of 2 interviewers individually" in sam["reasons"]
    assert "2 thank-you notes of their own, names spelled right" in sam["reasons"]


def test_the_lazy_copy_paste_candidate_is_clearly_below(result):
    """Lee did everything Sam did — same day, letter, call, e-mail — but sent Mei and Raj the same
    note from the internet with only the name changed."""
    sam, lee = row(result, "N01"), row(result, "N02")
    assert lee["score"] <= sam["score"] - 15 and lee["grade"] == "B"
    assert lee["interviewers_thanked"] == 1  # two copies of one note thank one interviewer
    assert "thanked 1 of 2 interviewers individually" in lee["reasons"]
    assert "the same note went to Mei Chen and Raj Patel" in lee["reasons"]
    assert "note matches 2 other candidates' text" in lee["reasons"]


def test_a_misspelled_name_is_named_with_the_interviewer_from_the_interview_list(result):
    ivy = row(result, "N03")
    assert "greets 'Mai' — the interviewer is Mei Chen" in ivy["reasons"]
    rounds = result.rounds.set_index("candidate_id")
    assert rounds.loc["N03", "notes_misspelled"] == 2  # "Dear Mai" and "Hi Mr. Patell"
    assert ivy["notes"] == 50 and ivy["notes"] < row(result, "N01")["notes"]


def test_greeting_the_other_interviewer_is_the_wrong_person(result):
    omar = row(result, "N04")
    assert "greets 'Mei' — the note went to Raj Patel" in omar["reasons"]
    assert result.rounds.set_index("candidate_id").loc["N04", "notes_wrong_person"] == 1


def test_a_template_from_the_internet_is_found_across_mail_formats(result):
    """Lee (mbox), Tara and Vic (Graph) sent the same template — Vic with "this afternoon" for
    "today", Tara with "I'm" for "I am": near copies are still copies."""
    for candidate in ("N05", "N06"):
        assert "note matches 2 other candidates' text" in row(result, candidate)["reasons"]
    assert "note matches" not in row(result, "N01")["reasons"]


def test_a_greeting_and_a_stock_phrase_is_not_a_personal_note(result):
    wes = row(result, "N07")
    assert "1 note mostly a greeting and a stock phrase" in wes["reasons"]
    assert wes["notes"] == 40


def test_explain_shows_the_notes_arithmetic_and_what_the_notes_showed(result):
    card = explain(result, "N02")
    notes = next(c for c in card.components if c.name == "notes")
    assert notes.value == 20 and "1 × 100 (copied)" in notes.why and "1 × 60 (template or stock phrase)" in notes.why
    assert "the same note went to Mei Chen and Raj Patel: one note, not one each" in card.missed
    assert not any(m.startswith("no individual thank-you to") for m in card.missed)
    assert "0.25 × 20.0" in card.score_why
    assert "greets 'Mai' — the interviewer is Mei Chen" in explain(result, "N03").missed


def test_without_message_text_the_part_is_left_out_and_the_others_reweighted():
    """The sample log has no bodies: every score is what it was with the part off."""
    args = dict(as_of="2026-03-31T18:00:00-04:00", tz=TZ)
    on = followup.score(SAMPLE / "events.csv", SAMPLE / "interviews.csv", **args)
    off = followup.score(SAMPLE / "events.csv", SAMPLE / "interviews.csv", policy=without_notes(), **args)
    assert on.candidates["notes"].isna().all()
    pd.testing.assert_series_equal(on.candidates["score"], off.candidates["score"])
    assert on.candidates["reasons"].tolist() == off.candidates["reasons"].tolist()


def without_notes():
    return parse_policy(preset_text("sales").replace("notes = 0.25", "notes = 0"))


def test_a_policy_without_the_part_ignores_the_text():
    plain = score(policy=without_notes())
    assert plain.candidates["notes"].isna().all()
    assert not plain.candidates["reasons"].str.contains("note", regex=False).any()
    assert row(plain, "N02")["interviewers_thanked"] == 2  # copies are not looked for


@pytest.mark.parametrize("preset", ["sales", "pro", "courteous"])
def test_the_part_is_on_in_the_presets_that_ask_for_notes(preset):
    assert load_policy(preset).weights.notes > 0
    assert load_policy("long-haul").weights.notes == 0 == load_policy("deadline").weights.notes


def test_a_body_column_of_a_csv_log_is_message_text(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "candidate_id,timestamp,channel,direction,contact,Body\n"
        'N01,2026-03-02T15:30:00-05:00,email,inbound,Mei Chen,"Hi Mei Chen, thanks so much for the tour of the '
        'warehouse floor and the pick-rate numbers, I have ideas for the night shift."\n'
        'N01,2026-03-02T15:35:00-05:00,email,inbound,Raj Patel,"Hi Ray, thanks so much for the tour of the '
        'warehouse floor and the pick-rate numbers, I have ideas for the night shift."\n')
    scored = followup.score(events, DATA / "interviews.csv", as_of=AS_OF, tz=TZ)
    reasons = row(scored, "N01")["reasons"]
    assert "the same note went to Mei Chen and Raj Patel" in reasons
    assert "greets 'Ray' — the interviewer is Raj Patel" not in reasons  # a copy is judged as a copy
    assert row(scored, "N01")["interviewers_thanked"] == 1


def test_message_text_never_appears_in_any_output(tmp_path):
    for fmt in ("csv", "json"):
        out = tmp_path / f"shortlist.{fmt}"
        done = cli("score", *MAIL, "-i", DATA / "interviews.csv", *ROUTING, "-o", out, "--rejects",
                   tmp_path / "rejects.csv")
        assert done.exit_code == 0, done.output
        written = out.read_text() + (tmp_path / "rejects.csv").read_text()
        assert "the same note went to Mei Chen and Raj Patel" in written
        assert not [t for t in NOTE_TEXT if t in written]
    card = cli("explain", "N02", *MAIL, "-i", DATA / "interviews.csv", *ROUTING, "--format", "json")
    assert card.exit_code == 0 and not [t for t in NOTE_TEXT if t in card.output]


def test_redact_replaces_the_quoted_names_too(tmp_path):
    out = tmp_path / "shortlist.json"
    done = cli("score", *MAIL, "-i", DATA / "interviews.csv", *ROUTING, "-o", out, "--redact", "--redact-key", KEY)
    assert done.exit_code == 0, done.output
    text = out.read_text()
    assert "the same note went to name-" in text and "greets 'name-" in text
    for personal in ("Mei Chen", "Raj Patel", "'Mai'", *NOTE_TEXT):
        assert personal not in text
    redacted = {c["candidate_id"]: c for c in json.loads(text)["candidates"]}
    assert redacted["N02"]["score"] == row(score(), "N02")["score"]


# Copying, property-style: whatever the note says, the same words under two greetings are one
# note; and the same panel greeted right is never a misspelling.
WORDS = st.lists(st.sampled_from("territory pipeline renewal forecast dashboard onboarding quota coaching "
                                 "pricing demo referral churn segment playbook cadence prospect".split()),
                 min_size=8, max_size=30)


@settings(max_examples=25, deadline=None)
@given(words=WORDS)
def test_the_same_text_to_two_interviewers_is_always_one_note(words):
    text = " ".join(words)
    held = pd.DataFrame({"candidate_code": [0], "interviewers": ["Mei Chen;Raj Patel"]})
    notes = pd.DataFrame({"round_pos": [0, 0], "contact": ["Mei Chen", "Raj Patel"],
                          "body": [f"Dear Mei,\n{text}\nBest,\nSam", f"Hi Mr. Patel,\n{text}\nRegards,\nSam"]})
    facts = note_facts(notes, held, load_policy("sales")).iloc[0]
    assert facts["notes_copied"] == 1 and facts["interviewers_copied"] == 1
    assert facts["notes_misspelled"] == 0 and facts["notes_wrong_person"] == 0


def test_how_near_is_near():
    """A word changed here and there is still a copy; a note on another topic is not."""
    base = ("thank you for walking me through the territory plan and the mid-market pipeline; my weekly "
            "prospecting rhythm grew a cold territory from twelve to forty accounts")
    touched = base.replace("walking me through", "showing me").replace("weekly", "daily")
    other = ("thank you for the demo of the renewal dashboards; the risk scores you showed me are how I ran "
             "my own book of accounts and renewals rose every quarter")
    held = pd.DataFrame({"candidate_code": [0, 1], "interviewers": ["Mei Chen;Raj Patel"] * 2})
    notes = pd.DataFrame({"round_pos": [0, 0, 1, 1], "contact": ["Mei Chen", "Raj Patel"] * 2,
                          "body": [f"Dear Mei,\n{base}", f"Dear Raj,\n{touched}",
                                   f"Dear Mei,\n{base}", f"Dear Raj,\n{other}"]})
    facts = note_facts(notes, held, load_policy("sales"))
    assert facts["notes_copied"].tolist() == [1, 0]


def judge(bodies, contacts, panel="Mei Chen;Raj Patel"):
    held = pd.DataFrame({"candidate_code": [0], "interviewers": [panel]})
    notes = pd.DataFrame({"round_pos": [0] * len(bodies), "contact": contacts, "body": bodies})
    return note_facts(notes, held, load_policy("sales")).iloc[0]


PERSONAL = ("thank you for walking me through the territory plan and the mid-market pipeline review; "
            "my weekly prospecting rhythm grew a cold territory from twelve to forty accounts")


def test_a_note_to_the_recruiter_or_a_round_without_a_panel_is_not_a_wrong_name():
    to_recruiter = judge([f"Dear Sofia,\n{PERSONAL}"], ["Sofia Reyes <sofia.reyes@acme.com>"])
    assert to_recruiter["notes_wrong_person"] == 0 and to_recruiter["notes_misspelled"] == 0
    no_panel = judge([f"Dear Mai,\n{PERSONAL}"], [None], panel=None)
    assert no_panel["notes_wrong_person"] == 0 and pd.isna(no_panel["greeting_name"])


def test_a_quoted_reply_and_the_signature_are_not_the_note():
    """A reply quoting the interviewer's invitation, signed with a long signature block: only
    the candidate's own words count, so it is neither a copy nor a stock phrase."""
    quoted = ("Hi Mei,\nThanks, see you then.\n\nBest,\nSam Ortiz\nAccount Executive | Brightline | "
              "sam.ortiz@example.org | +1 555 0100 " + "signature words " * 20 +
              "\n\nOn Mon, Mar 2, 2026 at 9:00 AM Mei Chen <mei.chen@acme.com> wrote:\n> " + PERSONAL)
    facts = judge([quoted, f"Dear Raj,\n{PERSONAL}"], ["Mei Chen", "Raj Patel"])
    assert facts["notes_copied"] == 0 and facts["notes_stock"] == 1
    assert facts["notes_misspelled"] == facts["notes_wrong_person"] == facts["notes_no_name"] == 0


def test_a_role_is_not_a_name_and_a_bare_name_line_is_a_greeting():
    other = ("I enjoyed our conversation about how your reps use the CRM dashboards to forecast renewals "
             "and the risk scoring you showed me")
    facts = judge([f"Dear Hiring Manager,\n{PERSONAL}", f"Rajj,\n{other}"], ["Mei Chen", "Raj Patel"])
    assert facts["notes_no_name"] == 1 and facts["notes_copied"] == 0
    assert facts["notes_misspelled"] == 1 and facts["greeting_name"] == "Rajj"
