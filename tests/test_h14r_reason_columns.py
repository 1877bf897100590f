"""Each flag's reason as a column of the engine's, the list columns' one separator each, and
text tables with blank cells where a value is missing.

The sample data's C025 carries three flags (NO_CONTACT, TOO_FREQUENT, WENT_SILENT) as of
31 March; the history runs below are a week apart, so C004, C006 and C015 are newly flagged
on 24 March.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import followup
from followup import history
from followup.changes import compare
from followup.cli import main
from followup.explain import explain
from followup.present import text_table
from followup.schema import (CHANNEL_SEPARATOR, FLAG_REASON_COLUMNS, FLAG_SEPARATOR, FLAGS, REASON_SEPARATOR)

SAMPLE = ("sample_data/events.csv", "sample_data/interviews.csv")
TZ = "America/New_York"


def scored(as_of: str = "2026-03-31T18:00:00-04:00"):
    return followup.score(*SAMPLE, as_of=as_of, tz=TZ)


@pytest.fixture(scope="module")
def result():
    return scored()


def test_every_flag_a_candidate_carries_has_its_reason_column_and_the_rest_are_blank(result):
    rounds = result.rounds.set_index("candidate_id")
    c025 = rounds.loc["C025"].iloc[-1] if isinstance(rounds.loc["C025"], pd.DataFrame) else rounds.loc["C025"]
    assert c025["reason_WENT_SILENT"] == "no contact for 18 days since 13 Mar"
    assert c025["reason_TOO_FREQUENT"] == "5 contacts in the 7 days to 13 Mar (limit 2)"
    assert c025["reason_NO_CONTACT"] == "first contact only on day 13, after the 7-day window"
    assert pd.isna(c025["reason_EXCESSIVE_HANGUPS"])
    for code, column in FLAG_REASON_COLUMNS.items():
        carried = result.rounds["flags"].str.split(FLAG_SEPARATOR).map(lambda codes, c=code: c in codes)
        assert (result.rounds[column].notna() == carried).all(), code


def test_the_reasons_sentence_is_the_code_and_the_column_in_flag_order(result):
    rounds = result.rounds
    for code, column in FLAG_REASON_COLUMNS.items():
        carried = rounds[rounds[column].notna()]
        sentences = carried["reasons"].str.split(REASON_SEPARATOR)
        expected = code + ": " + carried[column].astype(str)
        assert all(sentence in listed for sentence, listed in zip(expected, sentences)), code
    # The headline of a flagged candidate is its first flag's reason.
    c025 = rounds[rounds["candidate_id"] == "C025"].iloc[-1]
    assert c025["reason"] == "NO_CONTACT: first contact only on day 13, after the 7-day window"


def test_explain_gives_each_flags_reason_as_the_engine_worded_it(result):
    card = explain(result, "C025")
    assert card.flag_reasons == {"NO_CONTACT": "first contact only on day 13, after the 7-day window",
                                 "TOO_FREQUENT": "5 contacts in the 7 days to 13 Mar (limit 2)",
                                 "WENT_SILENT": "no contact for 18 days since 13 Mar"}
    assert explain(result, "C001").flag_reasons == {}


@pytest.fixture()
def two_runs(tmp_path):
    for as_of in ("2026-03-17T18:00:00-04:00", "2026-03-24T18:00:00-04:00"):
        history.append(tmp_path, scored(as_of))
    return tmp_path


NEWLY_FLAGGED = [["C004", "NO_CONTACT", "NO_CONTACT: no contact in the 14 days since the interview"],
                 ["C006", "TOO_FREQUENT", "TOO_FREQUENT: 4 contacts in the 7 days to 19 Mar (limit 2)"],
                 ["C015", "NO_CONTACT", "NO_CONTACT: no contact in the 8 days since the interview"]]


def newly_flagged(found):
    rows = found.rows[found.rows["change"] == "newly_flagged"]
    return rows[["candidate_id", "flag", "reason"]].values.tolist()


def test_the_history_keeps_each_flags_reason_and_changes_quotes_it(two_runs):
    run = pd.read_parquet(history.list_runs(two_runs)[-1].path)
    assert set(FLAG_REASON_COLUMNS.values()) <= set(run.columns)
    c006 = run[run["candidate_id"] == "C006"].iloc[0]
    assert c006["reason_TOO_FREQUENT"] == "4 contacts in the 7 days to 19 Mar (limit 2)"
    assert pd.isna(c006["reason_WENT_SILENT"])
    found = compare(*history.read(two_runs).runs, tz=TZ)
    assert newly_flagged(found) == NEWLY_FLAGGED
    assert found.notes == []


def test_changes_on_a_history_written_before_the_reason_columns_gives_the_code_and_says_so(two_runs):
    for run in history.list_runs(two_runs):  # as an earlier followup wrote them
        table = pq.read_table(run.path)
        pq.write_table(table.drop_columns(list(FLAG_REASON_COLUMNS.values())), run.path)
    runs = history.read(two_runs).runs
    assert all(set(FLAG_REASON_COLUMNS.values()) <= set(run.predates) for run in runs)
    found = compare(*runs, tz=TZ)
    assert newly_flagged(found) == [[candidate, flag, flag] for candidate, flag, _ in NEWLY_FLAGGED]
    assert len(found.notes) == 1 and "did not keep each flag's reason" in found.notes[0]
    # The command still works: the same rows, exit 3 for the newly flagged, the note on stderr.
    outcome = CliRunner().invoke(main, ["changes", "--history", str(two_runs), "-f", "csv", "-q"])
    assert outcome.exit_code == 3
    assert "warning: " in outcome.stderr and "did not keep each flag's reason" in outcome.stderr
    assert "newly_flagged,C006,Trent Walsh,TOO_FREQUENT,,TOO_FREQUENT,TOO_FREQUENT," in outcome.stdout


def test_the_list_columns_are_joined_with_the_documented_separators(result, tmp_path):
    out = tmp_path / "shortlist.json"
    CliRunner().invoke(main, ["score", *SAMPLE[:1], "-i", SAMPLE[1], "--as-of", "2026-03-31T18:00:00-04:00",
                              "--tz", TZ, "-q", "-o", str(out)], catch_exceptions=False)
    listed = {c["candidate_id"]: c for c in json.loads(out.read_text())["candidates"]}
    c025 = result.candidates.set_index("candidate_id").loc["C025"]
    assert c025["flags"] == "NO_CONTACT;TOO_FREQUENT;WENT_SILENT"
    assert listed["C025"]["flags"] == c025["flags"].split(FLAG_SEPARATOR) == ["NO_CONTACT", "TOO_FREQUENT",
                                                                               "WENT_SILENT"]
    assert listed["C025"]["channels"] == c025["channels"].split(CHANNEL_SEPARATOR)
    assert listed["C025"]["reasons"] == c025["reasons"].split(REASON_SEPARATOR)
    assert FLAG_SEPARATOR == ";" and REASON_SEPARATOR == "; " and CHANNEL_SEPARATOR == ","
    assert set(FLAG_REASON_COLUMNS) == set(FLAGS)


def test_validate_shows_a_blank_where_a_reject_repeats_no_row(tmp_path):
    args = ["validate", SAMPLE[0], "-i", SAMPLE[1], "--tz", TZ]
    table = CliRunner().invoke(main, args, catch_exceptions=False).stdout
    assert "<NA>" not in table and "nan" not in table.split() and "None" not in table
    pigeon = next(line for line in table.splitlines() if "carrier pigeon" in line)
    assert pigeon.rstrip().endswith("(or a known synonym)")  # no duplicate_of_file or row to show
    duplicate = next(line for line in table.splitlines() if "EM-20141" in line)
    assert duplicate.split()[-2:] == ["sample_data/events.csv", "146"]
    # The machine format keeps its nulls.
    document = json.loads(CliRunner().invoke(main, [*args, "-f", "json"], catch_exceptions=False).stdout)
    pigeon = next(r for r in document["rejects"] if r["value"] == "carrier pigeon")
    assert pigeon["duplicate_of_row"] is None and pigeon["duplicate_of_file"] is None


def test_a_text_table_never_shows_a_missing_value_as_na_nan_or_none():
    frame = pd.DataFrame({"row": pd.array([3, None], dtype="Int64"), "share": [0.5, float("nan")],
                          "when": pd.to_datetime(["2026-03-02", None]), "file": pd.array(["a.csv", None], dtype="string"),
                          "note": ["x", None], "kind": pd.Categorical(["dup", None])})
    shown = text_table(frame)
    for word in ("<NA>", "NaN", "nan", "NaT", "None"):
        assert word not in shown, word
    first, second = shown.splitlines()[1:]
    assert first.split() == ["3", "0.5", "2026-03-02", "a.csv", "x", "dup"]
    assert second.strip() == ""


def test_a_replayed_history_keeps_the_flags_reasons_as_a_full_run_words_them(tmp_path):
    from followup.replay import replay

    replay(*SAMPLE, tmp_path, "2026-03-17T18:00", "2026-03-24T18:00", "7d", tz=TZ)
    run = history.read(tmp_path).runs[-1].rows.set_index("candidate_id").sort_index()
    full = history.run_rows(scored("2026-03-24T18:00:00-04:00")).set_index("candidate_id").sort_index()
    columns = list(FLAG_REASON_COLUMNS.values())
    assert run.loc["C006", "reason_TOO_FREQUENT"] == "4 contacts in the 7 days to 19 Mar (limit 2)"
    pd.testing.assert_frame_equal(run[columns], full[columns])
    assert newly_flagged(compare(*history.read(tmp_path).runs, tz=TZ)) == NEWLY_FLAGGED
