"""Nightly runs: the history of runs, what changed, the trend, and replay (docs/nightly.md).

The scenario: a batch job scores the exported logs every evening at 18:00 UTC. Each night's
export holds the log as it stood that evening: the synthetic cohort's events plus three
candidates interviewed on Monday 2 March —

* ``QUIET`` thanked Dana the same evening and followed up on days 7 and 14 (16 March, noon),
  then nothing: after 14 silent days, on the evening of 30 March (night 3), they went silent;
* ``STEADY`` follows up every week and never goes silent;
* ``LATE`` is added to the interview list on night 2 (a second-round candidate).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import followup
from followup import datasets, history
from followup.changes import compare
from followup.cli import EXIT_FLAGGED, main
from followup.replay import replay
from followup.trend import TREND_POINTS, trends

from conftest import day, email, interview, make_events, make_interviews

NIGHTS = ["2026-03-28T18:00:00Z", "2026-03-29T18:00:00Z", "2026-03-30T18:00:00Z", "2026-03-31T18:00:00Z"]
SILENT_NIGHT = 3


@pytest.fixture(scope="module")
def log():
    """The whole log (every night's export is the part of it up to that night) and the list."""
    background_events, background_interviews = datasets.make_followups(40, seed=5)
    ours = make_events(
        email(day(0, "19:30"), "Dana Whitfield", candidate_id="QUIET"),
        email(day(7, "12:00"), candidate_id="QUIET"),
        email(day(14, "12:00"), candidate_id="QUIET"),
        *[email(day(n, "09:00"), candidate_id="STEADY") for n in (0, 6, 13, 20, 27)],
        email(day(27, "20:00"), "Sam Ortega", candidate_id="LATE"),
    )
    ours["timestamp"] = pd.to_datetime(ours["timestamp"], utc=True)
    events = pd.concat([background_events, ours], ignore_index=True)
    listed = make_interviews(interview("QUIET", name="Quinn Adler"), interview("STEADY", name="Stella Reyes"),
                             interview("LATE", name="Lars Eng", on_day=27, interviewers="Sam Ortega"))
    for column in ("interview_at", "interview_end"):
        listed[column] = pd.to_datetime(listed[column], utc=True)
    interviews = pd.concat([background_interviews, listed], ignore_index=True)
    return events, interviews


def export(log, folder: Path, night: str) -> list[str]:
    """The files the night's job finds: the log up to the night, the list as it stood."""
    events, interviews = log
    folder.mkdir(parents=True, exist_ok=True)
    moment = pd.Timestamp(night)
    seen = events[events["timestamp"] <= moment]
    listed = interviews[(interviews["candidate_id"] != "LATE") | (moment >= pd.Timestamp(NIGHTS[1]))]
    seen.to_csv(folder / "events.csv", index=False)
    listed.to_csv(folder / "interviews.csv", index=False)
    return [str(folder / "events.csv"), "-i", str(folder / "interviews.csv")]


def nightly(log, tmp_path, place, nights=NIGHTS, extra=()):
    """Run the nightly job (flags --history, then changes) for each night: the changes found."""
    found = []
    for number, night in enumerate(nights, start=1):
        files = export(log, tmp_path / f"night{number}", night)
        flagged = CliRunner().invoke(main, ["flags", *files, "--as-of", night, "--history", str(place),
                                            "--format", "csv", "--quiet", *extra])
        assert flagged.exit_code == 0, flagged.output
        changed = CliRunner().invoke(main, ["changes", "--history", str(place), "--format", "json", "--quiet"])
        assert changed.exit_code in (0, EXIT_FLAGGED, 1), changed.output
        found.append((changed.exit_code, json.loads(changed.stdout) if changed.exit_code != 1 else None,
                      changed.stderr))
    return found


@pytest.fixture(scope="module")
def four_nights(log, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("nights")
    place = tmp_path / "runs"
    return place, nightly(log, tmp_path, place), tmp_path


def changes_of(document, candidate_id):
    return [c for c in document["changes"] if c["candidate_id"] == candidate_id]


def test_a_candidate_who_goes_silent_on_night_3_is_in_changes_on_night_3_only(four_nights):
    place, found, _ = four_nights
    first_exit, first, first_error = found[0]
    assert first_exit == 1 and "changes need two" in first_error  # one run: nothing to compare yet
    for number, (exit_code, document, _) in enumerate(found[1:], start=2):
        quiet = changes_of(document, "QUIET")
        if number == SILENT_NIGHT:
            # The flag, and the grade it caps: one reason each.
            assert [(c["change"], c["flag"], c["reason"]) for c in quiet] == [
                ("newly_flagged", "WENT_SILENT", "WENT_SILENT: no contact for 14 days since 16 Mar"),
                ("grade_changed", "", f"grade {quiet[1]['before']} → C, score {quiet[1]['reason'].split('score ')[1]}")]
            assert quiet[1]["reason"].endswith("(capped by the flags)")
            assert quiet[0]["name"] == "Quinn Adler" and exit_code == EXIT_FLAGGED
            assert document["since"] == "2026-03-29T18:00:00+00:00" and document["as_of"] == "2026-03-30T18:00:00+00:00"
        else:
            assert quiet == [], (number, quiet)
        assert changes_of(document, "STEADY") == []
    assert len(history.list_runs(place)) == len(NIGHTS)


def test_a_candidate_added_to_the_list_is_a_new_candidate_that_night(four_nights):
    _, found, _ = four_nights
    late = changes_of(found[1][1], "LATE")
    assert [c["change"] for c in late] == ["new_candidate"]
    assert late[0]["reason"] == "new in the interview list: interview on 29 Mar; no contact yet, 7 days left of the 7-day window"
    assert all(changes_of(document, "LATE") == [] for _, document, _ in found[2:])


def test_every_output_carries_the_trend_once_there_is_a_history(four_nights, log):
    place, _, tmp_path = four_nights
    files = export(log, tmp_path / "night4", NIGHTS[-1])
    # The same as-of again: the trend is computed from the earlier nights, and the run replaced.
    scored = CliRunner().invoke(main, ["score", *files, "--as-of", NIGHTS[-1], "--history", str(place),
                                       "--format", "json", "--quiet"])
    assert scored.exit_code == 0, scored.output
    rows = {c["candidate_id"]: c for c in json.loads(scored.stdout)["candidates"]}
    assert set(c["trend"] for c in rows.values()) <= {"improving", "steady", "declining", "not enough history"}
    assert len(rows["QUIET"]["score_trail"]) == len(NIGHTS) and rows["LATE"]["score_trail"] != ""
    assert rows["STEADY"]["trend"] == "steady" and len(set(rows["STEADY"]["score_trail"])) == 1
    assert len(history.list_runs(place)) == len(NIGHTS)
    as_csv = CliRunner().invoke(main, ["score", *files, "--as-of", NIGHTS[-1], "--history", str(place), "-q",
                                       "--format", "csv"])
    assert {"trend", "score_trail"} <= set(as_csv.stdout.splitlines()[0].split(","))
    table = CliRunner().invoke(main, ["score", *files, "--as-of", NIGHTS[-1], "--history", str(place), "-q",
                                      "--format", "table"])
    assert "Trend" in table.stdout and f"{rows['STEADY']['score_trail']} →" in table.stdout
    explained = CliRunner().invoke(main, ["explain", "QUIET", *files, "--as-of", NIGHTS[-1], "--history", str(place)])
    line = next(text for text in explained.stdout.splitlines() if text.startswith("score over time: "))
    assert f"over {len(NIGHTS)} run(s) since 28 Mar" in line and rows["QUIET"]["score_trail"] in line


def test_the_history_reads_directly_in_pandas(four_nights):
    place, _, _ = four_nights
    everything = pd.read_parquet(place)
    assert everything.groupby("as_of_date", observed=True)["candidate_id"].nunique().tolist() == [42, 43, 43, 43]
    quiet = everything[everything["candidate_id"] == "QUIET"].sort_values("as_of")
    assert quiet["flags"].tolist() == ["", "", "WENT_SILENT", "WENT_SILENT"]
    assert set(quiet["policy_name"]) == {"sales"}


def test_the_history_reads_directly_in_duckdb(four_nights):
    duckdb = pytest.importorskip("duckdb")
    place, _, _ = four_nights
    first_flagged = duckdb.sql(f"""
        SELECT candidate_id, min(as_of_date) AS first_night
        FROM read_parquet('{place}/*/*.parquet', hive_partitioning = true)
        WHERE contains(flags, 'WENT_SILENT') GROUP BY candidate_id""").df()
    assert str(first_flagged.set_index("candidate_id").loc["QUIET", "first_night"])[:10] == "2026-03-30"


def test_rerunning_the_same_as_of_replaces_that_run(tmp_path):
    place = tmp_path / "runs"
    args = ["score", str(Path("sample_data/events.csv")), "-i", "sample_data/interviews.csv",
            "--as-of", "2026-03-31T18:00:00-04:00", "--history", str(place), "-q", "-f", "csv"]
    for _ in range(2):
        assert CliRunner().invoke(main, args).exit_code == 0
    runs = history.list_runs(place)
    assert len(runs) == 1 and len(pd.read_parquet(place)) == 32


@functools.cache  # a result is only read by the history: one scoring per as-of for the module
def sample_result(as_of="2026-03-31T18:00:00-04:00", policy="sales"):
    return followup.score("sample_data/events.csv", "sample_data/interviews.csv", as_of=as_of,
                          tz="America/New_York", policy=policy)


def files_in(place: Path) -> dict[str, bytes]:
    return {str(p.relative_to(place)): p.read_bytes() for p in sorted(place.rglob("*")) if p.is_file()}


def test_a_run_killed_half_way_leaves_the_history_as_it_was(tmp_path, monkeypatch):
    place = tmp_path / "runs"
    history.append(place, sample_result("2026-03-24T18:00:00-04:00"))
    history.append(place, sample_result())
    before = files_in(place)

    def dies_mid_write(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")
        raise KeyboardInterrupt  # the job was stopped while writing

    monkeypatch.setattr(history.pq, "write_table", dies_mid_write)
    for as_of in ("2026-03-31T18:00:00-04:00", "2026-04-07T18:00:00-04:00"):  # replacing, and adding
        with pytest.raises(KeyboardInterrupt):
            history.append(place, sample_result(as_of))
    assert files_in(place) == before
    monkeypatch.undo()
    assert len(history.read(place).runs) == 2


def test_a_temporary_file_left_by_a_killed_process_is_invisible_to_every_reader(tmp_path):
    place = tmp_path / "runs"
    path = history.append(place, sample_result())
    (path.parent / f".{path.name}.abc123.tmp").write_bytes(b"PAR1 truncated by kill -9")
    assert len(history.read(place).runs) == 1
    assert len(pd.read_parquet(place)) == 32
    duckdb = pytest.importorskip("duckdb")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{place}/*/*.parquet')").fetchall() == [(32,)]


def test_two_runs_at_once_never_corrupt_the_history(tmp_path):
    place = tmp_path / "runs"
    results = {as_of: sample_result(as_of) for as_of in ("2026-03-24T18:00:00-04:00", "2026-03-31T18:00:00-04:00")}
    errors = []

    def write(result):
        try:
            for _ in range(5):
                history.append(place, result)
        except Exception as exc:  # noqa: BLE001 — collected, asserted below
            errors.append(exc)

    # Two writers of each as-of at once: the same file replaced under each other, and another.
    threads = [threading.Thread(target=write, args=(result,)) for result in results.values() for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    runs = history.read(place).runs
    assert [len(run.rows) for run in runs] == [32, 32]
    assert not list(place.rglob(".*.tmp"))


def test_two_processes_scoring_at_once_leave_one_complete_run(tmp_path):
    place = tmp_path / "runs"
    command = [sys.executable, "-m", "followup", "score", "sample_data/events.csv", "-i", "sample_data/interviews.csv",
               "--as-of", "2026-03-31T18:00:00-04:00", "--history", str(place), "-q", "-f", "csv", "-o"]
    running = [subprocess.Popen([*command, str(tmp_path / f"out{i}.csv")], stderr=subprocess.PIPE)
               for i in range(2)]
    assert [process.wait(timeout=120) for process in running] == [0, 0]
    assert len(history.read(place).runs) == 1 and len(pd.read_parquet(place)) == 32


@pytest.fixture
def three_runs(tmp_path):
    place = tmp_path / "runs"
    paths = [history.append(place, sample_result(f"2026-03-{d}T18:00:00-04:00")) for d in (17, 24, 31)]
    return place, paths


def test_a_corrupt_run_is_reported_by_name_and_skipped(three_runs):
    place, paths = three_runs
    paths[1].write_bytes(b"this is not parquet")
    changed = CliRunner().invoke(main, ["changes", "--history", str(place), "-f", "json"])
    assert changed.exit_code == EXIT_FLAGGED
    assert f"warning: history run 2026-03-24T22:00:00+00:00 ({paths[1]}) cannot be read as Parquet" in changed.stderr
    assert "skipped" in changed.stderr
    document = json.loads(changed.stdout)
    assert document["since"].startswith("2026-03-17T22:00:00") and document["as_of"].startswith("2026-03-31T22:00:00")


@pytest.mark.parametrize("edit, message", [
    (lambda rows: rows.assign(status=rows["status"].replace("ok", "great")), "status 'great' of candidate"),
    (lambda rows: rows.drop(columns=["grade"]), "column(s) grade missing"),
    (lambda rows: rows.assign(score=rows["score"].astype(str)), "column score holds large_string, not double"),
    (lambda rows: pd.concat([rows, rows.head(1)]), "appears twice"),
    (lambda rows: rows.assign(flags="SLOW_REPLY"), "flag 'SLOW_REPLY' is not one of"),
    (lambda rows: rows.assign(as_of=rows["as_of"] + pd.Timedelta(days=1)), "another as-of than the file name's"),
    (lambda rows: rows.assign(history_format=2), "written by a newer followup (history format 2"),
])
def test_a_hand_edited_run_is_refused_with_a_message_naming_it(three_runs, edit, message):
    place, paths = three_runs
    edited = edit(pd.read_parquet(paths[2]))
    edited.to_parquet(paths[2], index=False)
    with pytest.warns(followup.errors.InputWarning, match="skipped") as caught:
        found = history.read(place)
    text = str(caught[0].message)
    assert message in text and str(paths[2]) in text and "2026-03-31T22:00:00+00:00" in text
    assert len(found.runs) == 2 and found.skipped == [text.removesuffix("; skipped")]


def test_a_file_that_is_not_a_run_is_reported_and_left_alone(three_runs):
    place, paths = three_runs
    stray = paths[0].parent / "notes.parquet"
    stray.write_bytes(b"x")
    with pytest.warns(followup.errors.InputWarning, match=f"{stray} is not a run file"):
        assert len(history.read(place).runs) == 3


def test_changes_across_a_policy_change_say_so(tmp_path):
    place = tmp_path / "runs"
    history.append(place, sample_result("2026-03-24T18:00:00-04:00"))
    history.append(place, sample_result(policy="pro"))
    changed = CliRunner().invoke(main, ["changes", "--history", str(place), "-f", "csv"])
    assert "warning: the policy changed between the runs: sales (" in changed.stderr
    assert "pro (" in changed.stderr and "flags and grades may differ for that reason" in changed.stderr
    scored = CliRunner().invoke(main, ["score", "sample_data/events.csv", "-i", "sample_data/interviews.csv",
                                       "--as-of", "2026-04-07T18:00:00-04:00", "--history", str(place), "-q",
                                       "-f", "json"])
    assert "1 earlier run(s) of another policy (pro (" in scored.stderr and "left out of the trend" in scored.stderr


def test_changes_since_a_date_and_in_each_format(three_runs, tmp_path):
    place, _ = three_runs
    since = CliRunner().invoke(main, ["changes", "--history", str(place), "--since", "2026-03-20", "-f", "jsonl"])
    lines = [json.loads(line) for line in since.stdout.splitlines()]
    assert {line["since"] for line in lines} == {"2026-03-17T18:00:00-04:00"}
    latest = CliRunner().invoke(main, ["changes", "--history", str(place), "-f", "csv"])
    assert latest.stdout.splitlines()[0] == "change,candidate_id,name,flag,before,after,reason,since,as_of"
    assert "newly_flagged,C025,Lance Pryor,WENT_SILENT,,WENT_SILENT,WENT_SILENT: no contact for 18 days since 13 Mar" \
        in latest.stdout
    table = CliRunner().invoke(main, ["changes", "--history", str(place), "-f", "table", "-o", str(tmp_path / "c.txt")])
    assert table.exit_code == EXIT_FLAGGED and "C025 Lance Pryor" in (tmp_path / "c.txt").read_text()
    too_early = CliRunner().invoke(main, ["changes", "--history", str(place), "--since", "2026-01-01"])
    assert too_early.exit_code == 1 and "no run at or before 2026-01-01T00:00:00-05:00" in too_early.stderr
    missing = CliRunner().invoke(main, ["changes", "--history", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_no_newly_flagged_candidate_exits_0(tmp_path):
    place = tmp_path / "runs"
    for _ in range(2):
        history.append(place, sample_result())
        history.append(place, sample_result("2026-04-01T18:00:00-04:00"))
    changed = CliRunner().invoke(main, ["changes", "--history", str(place), "-f", "json"])
    assert changed.exit_code == 0 and json.loads(changed.stdout)["counts"]["newly_flagged"] == 0


def test_a_flag_cleared_says_what_changed():
    events = make_events(email(day(0, "19:30"), candidate_id="A"), email(day(20, "12:00"), candidate_id="A"))
    listed = make_interviews(interview("A"))
    runs = []
    for as_of in (day(19, "18:00"), day(21, "18:00")):
        result = followup.score(events[pd.to_datetime(events["timestamp"]) <= pd.Timestamp(as_of)], listed,
                                as_of=as_of)
        runs.append(history.Run(history.RunFile(Path("x"), result.as_of), history.run_rows(result)))
    found = compare(*runs).rows
    cleared = found[found["change"] == "flag_cleared"]
    assert cleared[["flag", "before", "after", "reason"]].values.tolist() == [
        ["WENT_SILENT", "WENT_SILENT", "", "WENT_SILENT cleared: contact again on 22 Mar"]]


@pytest.mark.parametrize("scores, trend", [
    ([80, 80, 80, 80], "steady"),
    ([70, 72, 71, 74], "steady"),
    ([60, 70, 75, 90], "improving"),
    ([90, 85, 80, 70], "declining"),
    ([90, 90], "not enough history"),
    ([None, None, 70], "not enough history"),
    ([80, 80, 80, None], "not enough history"),
])
def test_the_trend_in_the_documented_thresholds(scores, trend):
    rows = pd.DataFrame({"candidate_id": "A", "as_of": pd.date_range("2026-04-01", periods=len(scores), tz="UTC"),
                         "score": pd.array(scores, dtype="Float64").astype(float)})
    assert trends(rows)["trend"].tolist() == [trend]


def test_the_trend_threshold_is_the_documented_one():
    doc = Path("docs/nightly.md").read_text(encoding="utf-8")
    assert f"{TREND_POINTS:g} points" in doc


def test_replay_equals_the_nightly_runs_point_in_time(four_nights, log, tmp_path):
    """Replaying the full log gives each night exactly the run the night's own export gave:
    events after each as-of are invisible."""
    place, _, _ = four_nights
    events, interviews = log
    backfill = tmp_path / "backfill"
    summary = replay(events, interviews, backfill, start=NIGHTS[1], end=NIGHTS[-1], every="1d")
    assert summary["as_of"].tolist() == [pd.Timestamp(n).isoformat() for n in NIGHTS[1:]]
    assert summary["newly_flagged"].iloc[SILENT_NIGHT - 2] >= 1
    nightly_runs, replayed = history.read(place).runs[1:], history.read(backfill).runs
    counted = [compare(a, b).counts() for a, b in zip(replayed, replayed[1:])]
    assert summary[["newly_flagged", "flags_cleared"]].values.tolist()[1:] == [
        [c["newly_flagged"], c["flag_cleared"]] for c in counted]
    for night, again in zip(nightly_runs, replayed):
        columns = ["candidate_id", "status", "score", "grade", "flags", "reasons"]
        mine = night.rows[columns].set_index("candidate_id").sort_index()
        theirs = again.rows[columns].set_index("candidate_id").sort_index()
        pd.testing.assert_frame_equal(mine, theirs)


def test_replay_hides_decisions_taken_after_each_as_of(tmp_path):
    events = make_events(email(day(0, "19:30")))
    listed = make_interviews(interview("A", decision="rejected", decision_at=day(5, "09:00")))
    replay(events, listed, tmp_path / "runs", start=day(3, "18:00"), end=day(6, "18:00"), every="3d")
    rows = pd.read_parquet(tmp_path / "runs").sort_values("as_of")
    assert rows["decision"].fillna("").tolist() == ["", "rejected"]


def test_replay_from_the_command_line(tmp_path):
    place = tmp_path / "runs"
    replayed = CliRunner().invoke(main, ["replay", "sample_data/events.csv", "-i", "sample_data/interviews.csv",
                                         "--from", "2026-03-25T18:00", "--to", "2026-03-31T18:00", "--every", "2d",
                                         "--tz", "America/New_York", "--history", str(place), "-f", "csv"])
    assert replayed.exit_code == 0, replayed.output
    lines = replayed.stdout.splitlines()
    assert lines[0] == "as_of,candidates,ok,flagged,pending,upcoming,with_flags,newly_flagged,flags_cleared,run_file"
    assert [line.split(",")[0] for line in lines[1:]] == [f"2026-03-{d}T18:00:00-04:00" for d in (25, 27, 29, 31)]
    assert "4 runs written to" in replayed.stderr
    assert len(history.list_runs(place)) == 4
    bad = CliRunner().invoke(main, ["replay", "sample_data/events.csv", "-i", "sample_data/interviews.csv",
                                    "--from", "2026-03-25", "--to", "2026-03-20", "--history", str(place)])
    assert bad.exit_code == 1 and "is before --from" in bad.stderr
    bad = CliRunner().invoke(main, ["replay", "sample_data/events.csv", "-i", "sample_data/interviews.csv",
                                    "--from", "2026-03-25", "--to", "2026-03-28", "--every", "fortnightly",
                                    "--history", str(place)])
    assert bad.exit_code == 1 and "is not a duration such as 1d" in bad.stderr


def test_the_history_is_never_written_over_an_input(tmp_path):
    (tmp_path / "events.csv").write_bytes(Path("sample_data/events.csv").read_bytes())
    refused = CliRunner().invoke(main, ["score", str(tmp_path / "events.csv"), "-i", "sample_data/interviews.csv",
                                        "--as-of", "2026-03-31T18:00", "--history", str(tmp_path), "-q", "-f", "csv"])
    assert refused.exit_code == 1 and "holds the input" in refused.stderr


def test_followup_reads_the_history_it_wrote_with_all_rounds(tmp_path):
    place = tmp_path / "runs"
    result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
                            as_of="2026-03-31T18:00:00-04:00", tz="America/New_York", all_rounds=True)
    history.append(place, result)
    rows = history.read(place).runs[0].rows
    assert rows["candidate_id"].is_unique and len(rows) == 32
    assert os.listdir(place) == ["as_of_date=2026-03-31"]
    assert pq.read_schema(next(place.rglob("*.parquet"))).field("as_of").type == pa.timestamp("us", tz="UTC")


def trend_of(values):
    rows = pd.DataFrame({"candidate_id": "A", "as_of": pd.date_range("2026-04-01", periods=len(values), tz="UTC"),
                         "score": [float("nan") if v is None else v for v in values]})
    return trends(rows)["trend"].iloc[0]


@settings(deadline=None, max_examples=40)  # each example is a small pandas groupby on a shared machine
@given(earlier=st.lists(st.floats(0, 90), min_size=2, max_size=6), level=st.floats(0, 100),
       gap=st.floats(TREND_POINTS + 0.01, 100))
def test_a_score_well_above_or_below_its_recent_mean_is_improving_or_declining(earlier, level, gap):
    mean = sum(earlier) / len(earlier)
    assert trend_of([*earlier, mean]) == "steady"
    if mean + gap <= 100:
        assert trend_of([*earlier, mean + gap]) == "improving"
    if mean - gap >= 0:
        assert trend_of([*earlier, mean - gap]) == "declining"
    assert trend_of([level] * (len(earlier) + 1)) == "steady"
