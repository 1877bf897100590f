"""--redact: every output free of names, e-mail addresses, phone numbers and message text, yet
joinable back to people by whoever holds the key."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from followup.cli import main
from followup.redact import KEY_ENV, Redactor

KEY = "correct horse battery staple"
AS_OF = "2026-03-10T00:00:00Z"
PSEUDONYM = re.compile(r"(name|email|phone|text|value)-[0-9a-f]{16}")

PEOPLE = {
    "names": ["Alice Hartman", "Marcus Bell", "Dana Whitfield", "Raj Patel"],
    "emails": ["alice.hartman@example.com", "m.bell@example.org"],
    "phones": ["+1 (555) 010-0199", "555-010-0142"],
    "texts": ["Thank you for the interview, Dana", "Salary question — private"],
}


@pytest.fixture
def files(tmp_path):
    """A small log carrying names, addresses, numbers and message text in every personal column,
    with one bad row so that the rejects report has something to show."""
    events = tmp_path / "events.csv"
    events.write_text(
        "candidate_id,timestamp,channel,direction,contact,subject,note,event_id\n"
        "C1,2026-03-02T19:30:00Z,email,inbound,Dana Whitfield,Thank you for the interview; Dana,"
        "Reach me at alice.hartman@example.com or +1 (555) 010-0199,E1\n"
        "C1,2026-03-04T10:00:00Z,phone,inbound,Raj Patel,,,E2\n"
        "m.bell@example.org,2026-03-03T09:00:00Z,email,inbound,dana.whitfield@example.com,"
        "Salary question — private,,E3\n"
        "555-010-0142,2026-03-03T09:00:00Z,sms,inbound,555-010-0100,hello,,E4\n"
        "C1,2026-03-05T10:00:00Z,carrier pigeon from Alice Hartman,inbound,,,,E5\n",
        encoding="utf-8")
    events.write_text(events.read_text().replace("Thank you for the interview; Dana",
                                                 '"Thank you for the interview, Dana"'))
    interviews = tmp_path / "interviews.csv"
    interviews.write_text(
        "candidate_id,name,interview_at,interviewers\n"
        "C1,Alice Hartman,2026-03-02T10:00:00Z,Dana Whitfield;Raj Patel\n"
        "m.bell@example.org,Marcus Bell,2026-03-02T11:00:00Z,Dana Whitfield\n"
        "555-010-0142,Priya Nair,2026-03-02T12:00:00Z,Raj Patel\n")
    return tmp_path, events, interviews


def personal_strings() -> list[str]:
    return [*PEOPLE["names"], *PEOPLE["emails"], *PEOPLE["phones"], *PEOPLE["texts"],
            "Priya Nair", "dana.whitfield@example.com", "555-010-0100", "carrier pigeon",
            "5550100199", "Reach me"]


def assert_no_personal_data(text: str) -> None:
    leaked = [s for s in personal_strings() if s.lower() in text.lower()]
    assert not leaked, leaked


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet", "table"])
def test_score_output_holds_no_personal_data(files, fmt):
    folder, events, interviews = files
    out, rejects = folder / f"out.{'txt' if fmt == 'table' else fmt}", folder / "rejects.csv"
    result = run("score", events, "-i", interviews, "--as-of", AS_OF, "--format", fmt, "--output", out,
                 "--rejects", rejects, "--redact", "--redact-key", KEY)
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        text = pd.read_excel(out).to_csv()
    elif fmt == "parquet":
        text = pd.read_parquet(out).to_csv()
    else:
        text = out.read_text(encoding="utf-8")
    assert_no_personal_data(text)
    assert_no_personal_data(rejects.read_text(encoding="utf-8"))
    assert_no_personal_data(result.output)
    assert PSEUDONYM.search(text)


def test_stdout_flags_validate_explain_and_report_are_redacted_too(files):
    folder, events, interviews = files
    key = {KEY_ENV: KEY}
    outputs = [
        run("score", events, "-i", interviews, "--as-of", AS_OF, "--format", "csv", "--redact", env=key),
        run("flags", events, "-i", interviews, "--as-of", AS_OF, "--format", "json", "--redact", env=key),
        run("validate", events, "-i", interviews, "--redact", env=key),
        run("validate", events, "-i", interviews, "--format", "json", "--redact", env=key),
        run("explain", "C1", events, "-i", interviews, "--as-of", AS_OF, "--redact", env=key),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert_no_personal_data(result.output)
    report = folder / "report.html"
    result = run("report", events, "-i", interviews, "--as-of", AS_OF, "-o", report, "--redact", env=key)
    assert result.exit_code == 0, result.output
    assert_no_personal_data(report.read_text(encoding="utf-8"))


def test_numbers_are_the_same_redacted_or_not(files):
    _, events, interviews = files
    plain = followup.score(events, interviews, as_of=AS_OF)
    redacted = Redactor(KEY).result(plain)
    numbers = ["score", "speed", "persistence", "restraint", "first_contact_hours", "inbound_contacts"]
    pd.testing.assert_frame_equal(plain.candidates[numbers], redacted.candidates[numbers])
    assert plain.candidates["reasons"].tolist() == redacted.candidates["reasons"].tolist()
    assert plain.counts == redacted.counts


def test_key_holder_joins_results_back_to_people(files):
    """The pseudonyms in a shared file are what `followup pseudonym` gives the key holder."""
    folder, events, interviews = files
    out = folder / "shared.csv"
    run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", out, "--redact", "--redact-key", KEY)
    shared = pd.read_csv(out)
    lookup = run("pseudonym", "Alice Hartman", "Marcus Bell", "m.bell@example.org", "555-010-0142",
                 "--redact-key", KEY)
    mapping = dict(line.split("\t") for line in lookup.output.splitlines())
    by_name = shared.set_index("name")
    assert mapping["Alice Hartman"] in by_name.index and mapping["Marcus Bell"] in by_name.index
    assert by_name.loc[mapping["Alice Hartman"], "candidate_id"] == "C1"  # an opaque id is kept
    assert by_name.loc[mapping["Marcus Bell"], "candidate_id"] == mapping["m.bell@example.org"]
    assert mapping["555-010-0142"] in set(shared["candidate_id"])


def test_pseudonyms_are_stable_keyed_and_canonical():
    one, again, other = Redactor(KEY), Redactor(KEY), Redactor(KEY + "!")
    assert one.pseudonym("Alice Hartman") == again.pseudonym("Alice Hartman")
    assert one.pseudonym("Alice Hartman") != other.pseudonym("Alice Hartman")
    assert one.pseudonym("  alice   HARTMAN ") == one.pseudonym("Alice Hartman")
    assert one.pseudonym("Alice@Example.COM") == one.pseudonym("alice@example.com")
    assert one.pseudonym("+1 (555) 010-0199") == one.pseudonym("+1 555 010 0199")
    assert one.pseudonym("555-010-0199") != one.pseudonym("+1 555 010 0199")  # no guessing a country
    assert re.fullmatch(r"name-[0-9a-f]{16}", one.pseudonym("Alice Hartman"))
    assert one.pseudonym("alice@example.com").startswith("email-")
    assert one.pseudonym("+44 20 7946 0958").startswith("phone-")


def test_dates_and_our_own_sentences_are_not_mistaken_for_phone_numbers():
    redactor = Redactor(KEY)
    sentences = pd.Series(["not a time: use ISO 8601 (2026-03-02T14:30:00-05:00), RFC 2822",
                           "first contact 7.6 h after the interview (day 2), 3 of 3 weeks",
                           "interview on 2026-04-02 is after the as-of time"])
    assert redactor.scrubbed(sentences).tolist() == sentences.tolist()
    mixed = redactor.scrubbed(pd.Series(["call +1 555 010 0199 or mail a.b@c.co.uk today"])).iloc[0]
    assert re.fullmatch(r"call phone-[0-9a-f]{16} or mail email-[0-9a-f]{16} today", mixed)


@pytest.mark.parametrize("args, env, message", [
    (["--redact"], {KEY_ENV: None}, "--redact needs a key"),
    (["--redact", "--redact-key", "short"], {}, "at least 16 characters"),
    (["--redact-key", KEY], {}, "--redact-key was given without --redact"),
])
def test_redact_without_a_usable_key_is_refused_before_any_work(files, args, env, message):
    _, events, interviews = files
    for command in (["score", events, "-i", interviews, "--as-of", AS_OF], ["validate", events]):
        result = run(*command, *args, env=env)
        assert result.exit_code == 2
        assert message in result.output
