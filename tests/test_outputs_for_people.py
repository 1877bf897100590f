"""What the people who open the files read (issue 16): local times, one story per row, the
words "flagged" and "with flags", explain by name, model factors in words, shortlists per
opening, Excel as a spreadsheet user expects, a table that fits 100 columns, JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console

import followup
from followup import present
from followup.cli import main
from followup.errors import FollowupError
from followup.explain import explain, find_candidate
from followup.learning.model import _top_factors, against_playbook, phrase
from followup.policy import load_policy

ROOT = Path(__file__).resolve().parents[1]
EVENTS = str(ROOT / "sample_data" / "events.csv")
INTERVIEWS = str(ROOT / "sample_data" / "interviews.csv")
OPENINGS = str(ROOT / "tests" / "data" / "interviews_openings.csv")
AS_OF = "2026-03-31T18:00:00-04:00"
TZ = "America/New_York"
SAMPLE = [EVENTS, "--interviews", INTERVIEWS, "--as-of", AS_OF, "--tz", TZ]


@pytest.fixture(scope="module")
def result():
    return followup.score(EVENTS, INTERVIEWS, as_of=AS_OF, tz=TZ)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("candidate_id")


# -- times in the reader's zone ---------------------------------------------------------------

def test_csv_times_are_new_york_times_with_their_offset(tmp_path):
    out = tmp_path / "shortlist.csv"
    assert run("score", *SAMPLE, "-o", out).exit_code == 0
    rows = by_id(pd.read_csv(out, dtype=str))
    # C001 was interviewed at 10:00 New York time and wrote the same evening.
    assert rows.loc["C001", "interview_at"] == "2026-03-03T10:00:00-05:00"
    assert rows.loc["C001", "first_contact_at"].startswith("2026-03-03T19:")
    assert rows.loc["C001", "as_of"] == AS_OF
    # After the clocks changed on 8 March the offset is -04:00.
    assert rows.loc["C010", "interview_at"].endswith("-04:00")


def test_utc_stays_written_with_z(tmp_path):
    out = tmp_path / "shortlist.csv"
    assert run("score", EVENTS, "-i", INTERVIEWS, "--as-of", AS_OF, "-o", out).exit_code == 0
    assert by_id(pd.read_csv(out, dtype=str)).loc["C001", "interview_at"] == "2026-03-03T15:00:00Z"


def test_json_and_parquet_times_are_exact_instants_in_the_zone(tmp_path, result):
    document = present.json_document(result)
    c001 = next(c for c in document["candidates"] if c["candidate_id"] == "C001")
    assert c001["interview_at"] == "2026-03-03T10:00:00-05:00"
    out = tmp_path / "shortlist.parquet"
    present.write_result(result, "parquet", out)
    times = pd.read_parquet(out).set_index("candidate_id")["interview_at"]
    assert str(times.dt.tz) == TZ
    assert times["C001"] == pd.Timestamp("2026-03-03T15:00:00Z")


# -- Excel ------------------------------------------------------------------------------------

def test_excel_is_a_named_filtered_sheet_with_local_dates_and_a_column_per_flag(tmp_path, result):
    out = tmp_path / "shortlist.xlsx"
    present.write_result(result, "xlsx", out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Shortlist", "About"]
    sheet = book["Shortlist"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    header = [cell.value for cell in sheet[1]]
    assert "interview_at (America/New_York)" in header and "flags" not in header
    assert {"NO_CONTACT", "EXCESSIVE_HANGUPS", "TOO_FREQUENT", "WENT_SILENT"} <= set(header)
    rows = {row[header.index("candidate_id")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    interview = rows["C001"][header.index("interview_at (America/New_York)")]
    assert interview == pd.Timestamp("2026-03-03T10:00:00").to_pydatetime()  # a real date, local
    assert rows["C025"][header.index("TOO_FREQUENT")] is True
    assert rows["C001"][header.index("NO_CONTACT")] is False
    reason = openpyxl.utils.get_column_letter(header.index("reason") + 1)
    assert sheet.column_dimensions[reason].width > 40
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["time zone"] == TZ and about["with_flags"] == 10


# -- one story per row ------------------------------------------------------------------------

def test_equal_grade_and_score_share_a_rank_and_the_next_rank_skips(result):
    ranks = result.candidates["rank"].dropna().astype(int).tolist()
    assert ranks[:15] == [1] * 14 + [15]
    rows = by_id(result.candidates)
    assert rows.loc["C004", "rank"] == rows.loc["C019", "rank"] == 27  # both 25.0 D


def test_a_capped_grade_says_so_and_explains_its_place(result):
    rows = by_id(result.candidates)
    # 87.5 is an A by score, but TOO_FREQUENT caps it at C: ranked below an 87.0 A, marked.
    assert rows.loc["C006", "grade"] == "C" and bool(rows.loc["C006", "grade_capped"])
    assert rows.loc["C006", "rank"] > rows.loc["C029", "rank"]
    assert not rows.loc["C029", "grade_capped"]
    text = run("score", *SAMPLE, "--format", "table").output
    assert "C*" in text and "* grade capped by a flag" in text
    assert "ranked by grade, then score" in text


def test_flagged_is_a_status_and_with_flags_is_any_flag(result):
    summary = result.summary()
    assert summary["flagged"] == 9 and summary["with_flags"] == 10
    out = run("flags", *SAMPLE, "--format", "table").output
    assert "With flags — 10 of 32 candidates (9 flagged, 1 pending)" in out
    assert "C011" in out
    assert "32 candidates: 19 ok, 9 flagged, 2 pending, 2 upcoming; 10 with flags" in out


def test_batch_summary_on_stderr_gives_the_status_counts(tmp_path):
    result = CliRunner().invoke(main, ["score", *SAMPLE, "-o", str(tmp_path / "s.csv")])
    assert "32 candidates: 19 ok, 9 flagged, 2 pending, 2 upcoming; 10 with flags" in result.stderr


def test_all_rounds_counts_rounds_and_shows_the_round():
    out = run("score", *SAMPLE, "--all-rounds", "--format", "table").output
    assert "35 rounds of 32 candidates" in out
    assert "Round" in out and "1/2" in out and "2/2" in out


# -- explain finds the candidate ----------------------------------------------------------------

@pytest.mark.parametrize("asked", ["C007", "c007", " C007 ", "Gloria Stanton", "gloria  STANTON"])
def test_explain_finds_a_candidate_by_id_in_any_case_or_by_name(result, asked):
    assert explain(result, asked).candidate_id == "C007"


def test_explain_suggests_the_closest_when_nothing_fits():
    out = run("explain", "Gloria Stanten", *SAMPLE)
    assert out.exit_code == 1
    assert "did you mean C007 (Gloria Stanton)?" in out.output


def test_a_name_two_candidates_share_lists_both():
    interviews = pd.DataFrame({"candidate_id": ["A1", "B2"], "name": ["Ann Lee", "ann lee"],
                               "interview_at": ["2026-03-02T10:00:00Z"] * 2})
    events = pd.DataFrame(columns=["candidate_id", "timestamp", "channel", "direction"])
    shared = followup.score(events, interviews, as_of="2026-03-20T00:00:00Z")
    with pytest.raises(FollowupError, match="names 2 candidates: A1 Ann Lee, B2 ann lee"):
        find_candidate(shared, "Ann Lee")


# -- model factors in a manager's words -------------------------------------------------------

def test_model_factor_phrases_read_as_plain_words():
    policy = load_policy("sales")
    assert phrase("channels", pd.Series([1.0, 3.0]), policy).tolist() == ["1 channel", "3 channels"]
    assert phrase("busiest_week", pd.Series([1.0, 4.0]), policy).tolist() == [
        "at most 1 contact in any 7 days", "at most 4 contacts in any 7 days"]
    assert phrase("hang_up_burst", pd.Series([1.0, 4.0]), policy).tolist() == [
        "no burst of unanswered calls (fewer than 3 within 60 min)",
        "a burst of 4 unanswered calls within 60 min"]
    for name in ("channels", "unanswered_calls", "busiest_week", "contacts_per_week"):
        assert not any("(s)" in text for text in phrase(name, pd.Series([0.0, 1.0, 2.5]), policy))


def test_a_factor_the_playbook_holds_against_a_candidate_is_marked_when_the_model_rewards_it():
    names = ("channels", "hang_up_burst")
    values = np.array([[3.0, 4.0]])
    reference = np.array([2.0, 0.0])
    effects = np.array([[0.12, 0.37]])  # more channels +12 points (agrees), a burst +37 (does not)
    against = against_playbook(names, values, reference, effects, load_policy("sales"))
    phrases = np.array([["3 channels", "a burst of 4 unanswered calls within 60 min"]], dtype=object)
    text = _top_factors(effects, phrases, against)[0]
    assert text == ("a burst of 4 unanswered calls within 60 min (+37 points — the playbook counts this "
                    "against a candidate); 3 channels (+12 points)")


# -- shortlists per opening -------------------------------------------------------------------

def test_the_interview_lists_own_columns_reach_every_output(tmp_path):
    opened = followup.score(EVENTS, OPENINGS, as_of=AS_OF, tz=TZ)
    rows = by_id(opened.candidates)
    assert rows.loc["C007", "job_title"] == "Sales Engineer"
    assert rows.loc["C007", "requisition_id"] == "REQ-202"
    assert rows.loc["C007", "ats_link"] == "https://ats.example.com/applications/C007"
    document = present.json_document(opened)
    assert {"job_title", "recruiter", "ats_link"} <= set(document["candidates"][0])


def test_group_by_ranks_each_opening_from_one(tmp_path):
    out = tmp_path / "by_job.csv"
    assert run("score", EVENTS, "-i", OPENINGS, "--as-of", AS_OF, "--tz", TZ, "--group-by", "Job Title",
               "-o", out).exit_code == 0
    rows = pd.read_csv(out, dtype={"group": str}, keep_default_na=False)
    assert list(dict.fromkeys(rows["group"])) == ["Account Executive", "Customer Success Manager",
                                                   "Sales Engineer", ""]
    for _, part in rows[rows["rank"].astype(str) != ""].groupby("group"):
        assert part["rank"].astype(int).iloc[0] == 1
    table = run("score", EVENTS, "-i", OPENINGS, "--as-of", AS_OF, "--tz", TZ, "--group-by", "job_title",
                "-f", "table").output
    assert "job_title: Sales Engineer — " in table


def test_group_by_gives_a_sheet_per_opening(tmp_path):
    opened = followup.score(EVENTS, OPENINGS, as_of=AS_OF, tz=TZ, group_by="job_title")
    out = tmp_path / "by_job.xlsx"
    present.write_result(opened, "xlsx", out)
    assert openpyxl.load_workbook(out).sheetnames == [
        "Account Executive", "Customer Success Manager", "Sales Engineer", "(none)", "About"]


def test_group_by_an_unknown_column_is_one_line_naming_the_choices():
    out = run("score", EVENTS, "-i", OPENINGS, "--as-of", AS_OF, "--group-by", "team", "-f", "csv")
    assert out.exit_code == 1
    assert "cannot group by 'team'" in out.output and "job_title" in out.output


def test_recruiters_are_pseudonymised_under_redact(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_REDACT_KEY", "a key of at least sixteen characters")
    out = tmp_path / "shared.csv"
    assert run("score", EVENTS, "-i", OPENINGS, "--as-of", AS_OF, "--redact", "-o", out).exit_code == 0
    text = out.read_text()
    assert "Priya Nair" not in text and "name-" in text


# -- the terminal table and JSON Lines --------------------------------------------------------

def test_the_table_fits_a_100_column_terminal_one_line_per_candidate(result):
    console = Console(width=100, record=True, no_color=True)
    present.render_table(result, console)
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 100
    # 32 rows, a title, a header, its rule and four footer lines: only C025's three flags wrap.
    assert len(lines) <= 32 + 3 + 4 + 2
    assert "…" in "\n".join(lines)  # reasons shortened ...
    wide = Console(width=100, record=True, no_color=True)
    present.render_table(result, wide, wide=True)
    assert "…" not in wide.export_text()  # ... and in full with --wide


def test_jsonl_has_one_object_per_candidate_matching_the_json(result, tmp_path):
    out = run("score", *SAMPLE, "--format", "jsonl").output.splitlines()
    rows = [json.loads(line) for line in out if line.startswith("{")]
    assert len(rows) == 32
    document = present.json_document(result)["candidates"]
    assert [r["candidate_id"] for r in rows] == [c["candidate_id"] for c in document]
    assert rows[0]["as_of"] == AS_OF and rows[0]["tz"] == TZ and rows[0]["flags"] == []
    path = tmp_path / "s.jsonl"
    assert run("score", *SAMPLE, "-o", path).exit_code == 0
    assert len(path.read_text().splitlines()) == 32
