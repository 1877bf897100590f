"""Replay (docs/nightly.md#replay): every replayed as-of is exactly the run a full ``score`` of
that night's export gives, in one process or on a Dask cluster, with ``--redact`` and ``--model``.

The log is made messy the ways real exports are: second interview rounds, exact copies of
events and an event id reused under another candidate, rows that cannot be read, a candidate
not in the interview list, two events of one candidate at the same instant, decisions taken
between the as-ofs, and rows out of time order in the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import followup
from followup import datasets, history
from followup.cli import main
from followup.redact import Redactor
from followup.replay import replay

from conftest import SAMPLE_DATA

AS_OFS = pd.date_range("2026-01-20T18:00:00Z", "2026-03-06T18:00:00Z", freq="5D")
KEY = "replay-tests-key-0123456789"


@pytest.fixture(scope="module")
def messy_log(tmp_path_factory):
    """The whole log and interview list as files, as the last night exported them."""
    folder = tmp_path_factory.mktemp("messy-log")
    events, interviews = datasets.make_followups(80, seed=21)
    second = interviews.iloc[::5].assign(interview_at=lambda f: f["interview_at"] + pd.Timedelta(days=12),
                                         interview_end=lambda f: f["interview_end"] + pd.Timedelta(days=12),
                                         decision=None, decision_at=pd.NaT, decision_due=pd.NaT)
    interviews = pd.concat([interviews, second], ignore_index=True)
    early = events[events["timestamp"] < AS_OFS[0]]
    copies = early.iloc[:6]  # exact copies: duplicates in every run
    stolen = early.iloc[[7]].assign(candidate_id=events["candidate_id"].iloc[-1])  # an event id seen twice
    same_instant = events.iloc[[40]].assign(event_id="E-SAME", contact="Someone Else")
    text = pd.concat([events, copies, stolen, same_instant], ignore_index=True).astype(object)
    bad = pd.DataFrame([{**text.iloc[0].to_dict(), "channel": "pigeon", "event_id": "E-BAD1"},
                        {**text.iloc[1].to_dict(), "timestamp": "soon", "event_id": "E-BAD2"},
                        {**text.iloc[2].to_dict(), "candidate_id": "NOBODY", "event_id": "E-BAD3"}])
    text = pd.concat([text, bad], ignore_index=True).sample(frac=1.0, random_state=4)  # not in time order
    text.to_csv(folder / "events.csv", index=False)
    interviews.to_csv(folder / "interviews.csv", index=False)
    return folder / "events.csv", folder / "interviews.csv"


def export(messy_log, folder: Path, moment: pd.Timestamp) -> tuple[Path, Path]:
    """The files a nightly job would have found at ``moment``: the events logged by then (and
    the unreadable rows, which are in every export) and the decisions taken by then."""
    events_path, interviews_path = messy_log
    events = pd.read_csv(events_path, dtype=str, keep_default_na=False)
    when = pd.to_datetime(events["timestamp"], utc=True, errors="coerce", format="mixed")
    interviews = pd.read_csv(interviews_path, dtype=str, keep_default_na=False)
    later = pd.to_datetime(interviews["decision_at"], utc=True, errors="coerce", format="mixed") > moment
    interviews.loc[later, ["decision", "decision_at"]] = ""
    folder.mkdir(parents=True, exist_ok=True)
    events[when.isna() | (when <= moment)].to_csv(folder / "events.csv", index=False)
    interviews.to_csv(folder / "interviews.csv", index=False)
    return folder / "events.csv", folder / "interviews.csv"


def runs(place) -> list[pd.DataFrame]:
    """Each run's rows by candidate, and its file's counts, oldest first."""
    return [(run.rows.drop(columns="followup_version").sort_values("candidate_id", ignore_index=True),
             history.json.loads(pq.read_schema(run.file.path).metadata[history.METADATA_KEY])["counts"])
            for run in history.read(place).runs]


@pytest.fixture(scope="module")
def replayed(messy_log, tmp_path_factory):
    place = tmp_path_factory.mktemp("replayed") / "runs"
    summary = replay(str(messy_log[0]), str(messy_log[1]), place, start=AS_OFS[0], end=AS_OFS[-1], every="5d")
    return place, summary


def test_every_replayed_as_of_is_the_full_run_of_that_nights_export(messy_log, replayed, tmp_path):
    place, summary = replayed
    full = tmp_path / "full"
    for number, moment in enumerate(AS_OFS):
        events, interviews = export(messy_log, tmp_path / f"night-{number}", moment)
        history.append(full, followup.score(str(events), str(interviews), as_of=moment))
    mine, theirs = runs(place), runs(full)
    assert len(mine) == len(AS_OFS) == len(summary)
    for (replayed_rows, replayed_counts), (full_rows, full_counts) in zip(mine, theirs):
        pd.testing.assert_frame_equal(replayed_rows, full_rows)
        assert replayed_counts == full_counts
    # The messy parts were there to be got right: second rounds, copies, rejects, decisions.
    assert mine[-1][1]["duplicates"] >= 7 and mine[-1][1]["rejected"] >= 3
    assert mine[0][0]["decision"].notna().sum() < mine[-1][0]["decision"].notna().sum()
    assert (mine[-1][0]["interview_at"] > mine[0][0]["interview_at"]).any()  # a later round took over


def test_replay_on_a_dask_cluster_writes_the_same_history(messy_log, replayed, tmp_path):
    """A real LocalCluster of two worker processes on 127.0.0.1, reached with --scheduler."""
    from distributed import LocalCluster

    place, summary = replayed
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        done = CliRunner().invoke(main, ["replay", str(messy_log[0]), "-i", str(messy_log[1]),
                                         "--from", AS_OFS[0].isoformat(), "--to", AS_OFS[-1].isoformat(),
                                         "--every", "5d", "--history", str(tmp_path / "runs"), "-f", "csv",
                                         "--scheduler", cluster.scheduler_address])
    assert done.exit_code == 0, done.output
    assert [rows.equals(again) and counts == counted
            for (rows, counts), (again, counted) in zip(runs(place), runs(tmp_path / "runs"))] == [True] * len(AS_OFS)
    printed = pd.read_csv(pd.io.common.StringIO(done.stdout))
    pd.testing.assert_frame_equal(printed.drop(columns="run_file"), summary.drop(columns="run_file"),
                                  check_dtype=False)


def test_replay_with_local_workers(tmp_path):
    """--workers 2 starts its own two processes; the runs are those of one process."""
    arguments = ["replay", str(SAMPLE_DATA / "events.csv"), "-i", str(SAMPLE_DATA / "interviews.csv"),
                 "--from", "2026-03-25T18:00", "--to", "2026-03-31T18:00", "--every", "2d",
                 "--tz", "America/New_York", "-f", "csv", "-q"]
    alone = CliRunner().invoke(main, [*arguments, "--history", str(tmp_path / "alone")])
    shared = CliRunner().invoke(main, [*arguments, "--history", str(tmp_path / "shared"), "--workers", "2"])
    assert alone.exit_code == 0 and shared.exit_code == 0, shared.output
    assert alone.stdout.replace("alone", "shared") == shared.stdout
    assert all(rows.equals(again) for (rows, _), (again, _) in zip(runs(tmp_path / "alone"), runs(tmp_path / "shared")))


def test_replay_redacts_the_history_as_score_does(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_REDACT_KEY", KEY)
    sample = [str(SAMPLE_DATA / "events.csv"), "-i", str(SAMPLE_DATA / "interviews.csv"), "--tz", "America/New_York"]
    night = "2026-03-31T18:00"
    done = CliRunner().invoke(main, ["replay", *sample, "--from", "2026-03-29T18:00", "--to", night, "--every", "1d",
                                     "--history", str(tmp_path / "replayed"), "--redact", "-f", "csv"])
    assert done.exit_code == 0, done.output
    assert "redacted" in done.stderr
    scored = CliRunner().invoke(main, ["score", *sample, "--as-of", night, "--history", str(tmp_path / "scored"),
                                       "--redact", "-f", "csv", "-q"])
    assert scored.exit_code == 0, scored.output
    replayed_rows, scored_rows = runs(tmp_path / "replayed")[-1][0], runs(tmp_path / "scored")[0][0]
    pd.testing.assert_frame_equal(replayed_rows, scored_rows)
    # No name of the interview list is left in any run, and the pseudonyms join back with the key.
    people = pd.read_csv(SAMPLE_DATA / "interviews.csv")["name"]
    every_run = pd.read_parquet(tmp_path / "replayed")
    written = every_run[["name", "reason", "reasons"]].astype(str).to_string()
    assert not [name for name in people if name in written]
    assert set(every_run["name"]) <= {Redactor(KEY).pseudonym(name, "name") for name in people}


def test_replay_with_a_model_keeps_its_columns_as_score_does(tmp_path):
    sample = [str(SAMPLE_DATA / "events.csv"), "-i", str(SAMPLE_DATA / "interviews.csv"), "--tz", "America/New_York"]
    model = tmp_path / "model.skops"
    trained = CliRunner().invoke(main, ["train", *sample, "--as-of", "2026-03-31T18:00", "--outcomes",
                                        str(SAMPLE_DATA / "outcomes.csv"), "-o", str(model)])
    assert trained.exit_code == 0, trained.output
    night = "2026-03-31T18:00"
    done = CliRunner().invoke(main, ["replay", *sample, "--from", "2026-03-27T18:00", "--to", night, "--every", "2d",
                                     "--history", str(tmp_path / "replayed"), "--model", str(model), "-q"])
    assert done.exit_code == 0, done.output
    scored = CliRunner().invoke(main, ["score", *sample, "--as-of", night, "--history", str(tmp_path / "scored"),
                                       "--model", str(model), "-f", "csv", "-q"])
    assert scored.exit_code == 0, scored.output
    replayed_runs = runs(tmp_path / "replayed")
    pd.testing.assert_frame_equal(replayed_runs[-1][0], runs(tmp_path / "scored")[0][0])
    shown = pd.read_csv(pd.io.common.StringIO(scored.stdout)).set_index("candidate_id")
    last = replayed_runs[-1][0].set_index("candidate_id")
    pd.testing.assert_series_equal(last["p_advance"], shown.loc[last.index, "p_advance"], check_names=False)
    assert last["p_advance"].notna().sum() >= 20 and last["top_factors"].notna().sum() >= 20
    # Each night's probability is that night's: the first run's differ from the last's somewhere.
    first = replayed_runs[0][0].set_index("candidate_id")
    assert (first["p_advance"] != last.loc[first.index, "p_advance"]).any()


def test_a_history_written_before_model_columns_is_read_with_them_blank(tmp_path):
    result = followup.score(str(SAMPLE_DATA / "events.csv"), str(SAMPLE_DATA / "interviews.csv"),
                            as_of="2026-03-31T18:00:00-04:00")
    path = history.append(tmp_path, result)
    old = pq.read_table(path)
    pq.write_table(old.drop_columns(list(history.MODEL_COLUMNS)).replace_schema_metadata(old.schema.metadata), path)
    (run,) = history.read(tmp_path).runs
    assert run.rows["p_advance"].isna().all() and run.rows["top_factors"].isna().all()
    assert len(run.rows) == len(result.candidates)


def test_replay_refuses_an_unreachable_scheduler_and_redact_without_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FOLLOWUP_REDACT_KEY", raising=False)
    arguments = ["replay", str(SAMPLE_DATA / "events.csv"), "-i", str(SAMPLE_DATA / "interviews.csv"),
                 "--from", "2026-03-30", "--to", "2026-03-31", "--history", str(tmp_path / "runs")]
    unreachable = CliRunner().invoke(main, [*arguments, "--scheduler", "tcp://127.0.0.1:9"])
    assert unreachable.exit_code == 1
    assert unreachable.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(unreachable.stderr.splitlines()) == 1
    keyless = CliRunner().invoke(main, [*arguments, "--redact"])
    assert keyless.exit_code == 2 and "--redact needs a key" in keyless.stderr
    assert not (tmp_path / "runs").exists()  # nothing written by either
