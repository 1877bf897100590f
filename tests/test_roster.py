"""The roster: e-mails and phone numbers as exports write them, tied to one candidate or reported."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from followup.errors import InputFileError
from followup.roster import email_key, load_roster, phone_key

DATA = Path(__file__).parent / "data" / "sources"


@pytest.fixture()
def roster():
    return load_roster(DATA / "roster.csv", default_region="us")


def test_emails_match_with_display_names_case_and_plus_tags(roster):
    seen = pd.Series(['"Ben Okafor" <Ben.Okafor+jobs@Example.NET>', "CARA.DIAZ@example.com",
                      "gary@hale.example"])
    ids, reasons = roster.match("email", email_key(seen))
    assert ids.tolist() == ["102", "103", "107"]
    assert reasons.isna().all()


def test_phone_numbers_in_national_formats_match_one_candidate(roster):
    written = pd.Series(["(650) 444-5567", "16504445567", "+1 650 444 5567", "+44 20 7946 0958"])
    numbers, why = phone_key(written, "US")
    ids, reasons = roster.match("phone", numbers, shown=written)
    assert ids.tolist() == ["101", "101", "101", "103"]
    assert why.isna().all() and reasons.isna().all()


def test_shared_number_is_ambiguous_and_unknown_is_unmatched(roster):
    written = pd.Series(["617-555-0100", "+1 303 555 0188"])
    numbers, _ = phone_key(written, "US")
    ids, reasons = roster.match("phone", numbers, shown=written)
    assert ids.isna().all()
    assert reasons[0] == "ambiguous: number 617-555-0100 belongs to candidates 105, 106"
    assert reasons[1] == "unmatched: number +1 303 555 0188 is not in the roster"


def test_national_number_without_region_says_what_to_give():
    numbers, why = phone_key(pd.Series(["415-555-0134"]), None)
    assert numbers.isna().all()
    assert "--default-region" in why[0]


def test_bad_roster_entry_is_one_line_naming_row_and_column(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("candidate_id,emails,phones\nA,a@example.org,+1 650 444 5567\nB,b@example.org,12\n")
    with pytest.raises(InputFileError, match=r"row 2, column 'phones'"):
        load_roster(path, "US")


def test_unknown_region_is_refused():
    with pytest.raises(InputFileError, match="not a region code"):
        load_roster(DATA / "roster.csv", default_region="Narnia")


def test_greenhouse_candidates_dump_is_a_roster(tmp_path):
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps([{
        "id": 53883394, "first_name": "Ana", "last_name": "Lopez", "application_ids": [69306314],
        "email_addresses": [{"value": "ana@example.org", "type": "personal"}],
        "phone_numbers": [{"value": "555-555-5555", "type": "mobile"}]}]))
    roster = load_roster(path, "US")
    assert roster.match("email", pd.Series(["ana@example.org"]))[0].tolist() == ["53883394"]
    assert roster.match("application", pd.Series(["69306314"]))[0].tolist() == ["53883394"]
    assert roster.names["53883394"] == "Ana Lopez"


def test_lever_opportunities_dump_ties_opportunities_to_the_contact():
    roster = load_roster(DATA / "lever_opportunities.json", "US")
    ids, _ = roster.match("application", pd.Series(["250d8f03-738a-4bba-a671-8a3d73477145"]))
    assert ids.tolist() == ["7f23e772-d2ea-4bfd-a43c-6f9b0f8e8d3a"]
    phone, _ = phone_key(pd.Series(["+81 90-1234-5678"]), "US")
    assert roster.match("phone", phone)[0].tolist() == ["7f23e772-d2ea-4bfd-a43c-6f9b0f8e8d3a"]
