"""Partitioned scoring gives exactly a single run's result (docs/performance.md#partitioned-scoring)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import followup
from followup import datasets

DATA = Path(__file__).parent / "data" / "sources"


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """Synthetic logs made messy: exact copies, an event id reused under another candidate, bad
    rows, an unknown candidate, naive times, second rounds, and the log in two files."""
    folder = tmp_path_factory.mktemp("messy")
    events_path, interviews_path = datasets.write_followups(folder / "clean", 120, seed=7)
    events = pd.read_csv(events_path, dtype=str, keep_default_na=False)
    interviews = pd.read_csv(interviews_path, dtype=str, keep_default_na=False)
    second = interviews.iloc[::4].copy()
    second["interview_at"] = (pd.to_datetime(second["interview_at"]) + pd.Timedelta(days=9)).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    second["interview_end"] = ""
    interviews = pd.concat([interviews, second, interviews.iloc[[3]]], ignore_index=True)  # + a repeat
    stolen = events.iloc[[10]].assign(candidate_id=events["candidate_id"].iloc[500])  # same id, other candidate
    odd = events.iloc[[20, 21, 22, 23]].copy()
    odd["timestamp"] = ["soon", "2026-02-30T10:00:00Z", "", "03/02/2026"]
    orphan = events.iloc[[30]].assign(candidate_id="NOBODY", event_id="E-ORPHAN")
    naive = events.iloc[40:60].copy()
    naive["timestamp"] = pd.to_datetime(naive["timestamp"]).dt.strftime("%Y-%m-%d %H:%M:%S")
    naive["event_id"] = naive["event_id"] + "-n"
    first_half = pd.concat([events.iloc[:600], events.iloc[[5, 6]], stolen, odd], ignore_index=True)
    second_half = pd.concat([events.iloc[600:], orphan, naive, events.iloc[[700]],
                             events.iloc[[15]].assign(candidate_id=events["candidate_id"].iloc[900])],
                            ignore_index=True)
    paths = [folder / "events-1.csv", folder / "events-2.csv"]
    first_half.to_csv(paths[0], index=False)
    second_half.to_csv(paths[1], index=False)
    interviews.to_csv(folder / "interviews.csv", index=False)
    as_of = datasets.default_as_of(pd.read_csv(interviews_path, parse_dates=["interview_at"]))
    return [str(p) for p in paths], str(folder / "interviews.csv"), as_of


def _assert_same(got, expected):
    for name in ("candidates", "rounds", "rejects", "counts_by_file", "interviews"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    # The events' category dictionaries are each partition's; their values and order are the same.
    pd.testing.assert_frame_equal(got.events, expected.events, check_categorical=False, obj="events")
    assert got.counts == expected.counts


def test_two_local_workers_give_the_single_run(messy, tmp_path):
    events, interviews, as_of = messy
    single = followup.score(events, interviews, as_of=as_of, tz="America/New_York", all_rounds=True)
    assert single.counts["duplicates"] >= 5 and single.counts["rejected"] >= 5
    reasons = single.rejects["reason"].astype(str)
    assert reasons.str.contains("events-1.csv row").any()  # the id repeated across candidates and files
    assert (single.rounds["rounds"] > 1).any()
    split = followup.score(events, interviews, as_of=as_of, tz="America/New_York", all_rounds=True,
                           workers=2)
    _assert_same(split, single)
    # The Parquet files a user gets are the same too.
    from followup import present

    for result, name in ((single, "one.parquet"), (split, "two.parquet")):
        present.write_result(result, "parquet", tmp_path / name, result.candidates)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two.parquet"), pd.read_parquet(tmp_path / "one.parquet"))


def test_a_scheduler_started_by_address(messy):
    """A real cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    import socket
    import subprocess
    import sys
    import tempfile
    import time

    from distributed import Client

    from followup import present

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    processes = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(1.5)
        for _ in range(2):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout="20s") as client:
            client.wait_for_workers(2, timeout=30)
        events, interviews, as_of = messy
        single = followup.score(events, interviews, as_of=as_of)
        remote = followup.score(events, interviews, as_of=as_of, scheduler=address)
        _assert_same(remote, single)
        # The ranked file written piece by piece from the cluster's workers, too.
        from followup.batch import score_to_file

        folder = Path(tempfile.mkdtemp())
        present.write_result(single, "parquet", folder / "one.parquet")
        score_to_file(events, interviews, folder / "remote.parquet", as_of=as_of, scheduler=address)
        pd.testing.assert_frame_equal(pd.read_parquet(folder / "remote.parquet"), pd.read_parquet(folder / "one.parquet"))
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=10)


def test_strict_stops_at_the_row_a_single_run_stops_at(messy, tmp_path):
    events, interviews, as_of = messy
    with pytest.raises(followup.errors.FollowupError) as single:
        followup.score(events, interviews, as_of=as_of, strict=True)
    with pytest.raises(followup.errors.FollowupError) as split:
        followup.score(events, interviews, as_of=as_of, strict=True, workers=2)
    assert str(split.value) == str(single.value)
    from followup.batch import score_to_file

    with pytest.raises(followup.errors.FollowupError) as piecewise:
        score_to_file(events, interviews, tmp_path / "ranked.csv", as_of=as_of, strict=True, workers=2)
    assert str(piecewise.value) == str(single.value) and not list(tmp_path.iterdir())


def test_the_sample_on_more_partitions_than_interviews_fill(tmp_path):
    """The sample's 32 candidates over 8 partitions leave one with no interview at all: it must
    score as nobody, not stop the run (its decision times were once left as text)."""
    from click.testing import CliRunner

    from followup.cli import main

    args = ["score", "sample_data/events.csv", "-i", "sample_data/interviews.csv", "--tz", "America/New_York",
            "--as-of", "2026-03-31T18:00:00-04:00", "-f", "csv", "-q"]
    single = CliRunner().invoke(main, args)
    split = CliRunner().invoke(main, [*args, "--workers", "2"])
    assert split.exit_code == 0, split.output
    assert split.stdout == single.stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interview_list_with_no_usable_row_is_refused(tmp_path, workers):
    from followup.errors import FollowupError

    bad = tmp_path / "interviews.csv"
    bad.write_text("candidate_id,interview_at\nC001,not a time\nC002,\n", encoding="utf-8")
    with pytest.raises(FollowupError, match=r"interviews.csv: no row can be used; row 1, interview_at"):
        followup.score(["sample_data/events.csv"], str(bad), as_of="2026-03-31T18:00:00Z", workers=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_event_file_with_no_usable_row_is_refused_not_scored_as_silence(tmp_path, workers):
    """US-style times without --time-format: every event is rejected. Scoring on would flag all
    32 candidates NO_CONTACT with exit 0; the run stops, naming the file and the first bad row."""
    from followup.errors import FollowupError

    events = pd.read_csv("sample_data/events.csv", dtype=str, keep_default_na=False)
    events["timestamp"] = "03/04/2026 10:00:00"
    us = tmp_path / "us.csv"
    events.to_csv(us, index=False)
    with pytest.raises(FollowupError, match=r"us.csv: no row can be used; row 1, timestamp: not a time"):
        followup.score([str(us)], "sample_data/interviews.csv", as_of="2026-03-31T18:00:00Z", workers=workers)
    # Beside a good file it is still refused: that file is read as nothing either way.
    with pytest.raises(FollowupError, match=r"us.csv: no row can be used"):
        followup.score([str(us), "sample_data/events.csv"], "sample_data/interviews.csv",
                       as_of="2026-03-31T18:00:00Z", workers=workers)


def test_a_log_read_in_blocks_gives_the_single_run(messy, monkeypatch):
    """A large plain CSV is read by one task per block of lines (bounded memory); here blocks of
    about 4 KB, so each event file is cut into many, with repeats and bad rows across blocks."""
    from followup import partitioned

    events, interviews, as_of = messy
    monkeypatch.setattr(partitioned, "BLOCK_BYTES", 4096)
    assert len(partitioned._blocks(events[0])) > 5
    single = followup.score(events, interviews, as_of=as_of, tz="America/New_York", all_rounds=True)
    blocks = followup.score(events, interviews, as_of=as_of, tz="America/New_York", all_rounds=True,
                            workers=2)
    _assert_same(blocks, single)


@pytest.mark.parametrize("export", ["twilio_calls.json", "folder"])
def test_vendor_exports_and_folders_are_refused_in_one_line(messy, tmp_path, export):
    """Vendor exports and mail folders need the whole log at once (roster matching, duplicates
    across sources): under --workers they are refused, by name, before any cluster starts."""
    from click.testing import CliRunner

    from followup.cli import main

    _, interviews, as_of = messy
    if export == "folder":
        given = tmp_path / "mail"
        given.mkdir()
        (given / "one.eml").write_text("From: a@example.com\nTo: b@example.com\nSubject: hi\n\nhello\n")
    else:
        given = tmp_path / export
        given.write_bytes((DATA / export).read_bytes())
    outcome = CliRunner().invoke(main, ["score", str(given), "-i", interviews, "--as-of", str(as_of),
                                        "--workers", "2"])
    assert outcome.exit_code == 1
    message = outcome.output.strip()
    assert len(message.splitlines()) == 1 and str(given) in message and "in one process" in message


def _broken_scoring(*args):
    raise RuntimeError("the worker ran out of luck")


def test_a_partition_that_keeps_failing_is_named_in_one_line(messy, monkeypatch):
    """Dask retries a failed task; one that still fails stops the run, naming its partition."""
    from distributed import Client

    from followup import partitioned
    from followup.errors import FollowupError

    events, interviews, as_of = messy
    monkeypatch.setattr(partitioned, "_score_part", _broken_scoring)
    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        with pytest.raises(FollowupError) as failure:
            followup.score(events, interviews, as_of=as_of, client=client)
    message = str(failure.value)
    assert message.startswith("partition ") and "failed after 3 attempts" in message
    assert "RuntimeError: the worker ran out of luck" in message and "\n" not in message


def test_the_readers_and_the_id_checks_warn_as_in_one_process(tmp_path):
    """What the workers' readers warn of (here a byte that is not UTF-8) and ids written two ways
    (C001 in the interviews, c001 in the events: hashed to one partition by their loose key)
    reach the caller as one run's warnings, and --strict turns them into errors."""
    (tmp_path / "ev.csv").write_bytes("candidate_id,timestamp,channel,direction,note\n"
                                      "c001,2026-03-03T10:00:00Z,email,inbound,Merci Andr\xe9\n"
                                      "C002,2026-03-03T11:00:00Z,email,inbound,\n".encode("cp1252"))
    (tmp_path / "iv.csv").write_text("candidate_id,interview_at\nC001,2026-03-02T10:00:00Z\n"
                                     "C002,2026-03-02T10:00:00Z\n")
    paths = (tmp_path / "ev.csv", tmp_path / "iv.csv")

    def warned(**options):
        with pytest.warns(followup.errors.InputWarning) as caught:
            followup.score(*paths, as_of="2026-03-20", **options)
        return sorted(str(w.message) for w in caught if issubclass(w.category, followup.errors.InputWarning))

    single = warned()
    assert any("not UTF-8" in m for m in single) and any("'C001' and 'c001'" in m for m in single)
    assert warned(workers=2) == single
    with pytest.raises(followup.errors.FollowupError) as strict:
        followup.score(*paths, as_of="2026-03-20", strict=True, workers=2)
    assert "not UTF-8" in str(strict.value)


# ---------------------------------------------------------------- the ranked file, piece by piece

@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_a_file_written_piece_by_piece_is_the_single_runs_file(messy, tmp_path, monkeypatch, fmt):
    """On partitions, ``score_to_file`` ranks from the keys and writes the workers' pieces one
    at a time; the file is the one a single run writes, byte for byte (Parquet: frame for frame)
    — here in pieces of 17 rows, with every round and a ranking per decision."""
    from followup import partitioned
    from followup.batch import score_to_file

    events, interviews, as_of = messy
    monkeypatch.setattr(partitioned, "ROWS_PER_PIECE", 17)
    options = dict(as_of=as_of, tz="America/New_York", all_rounds=True, group_by="decision")
    single = score_to_file(events, interviews, tmp_path / f"one.{fmt}", **options)
    split = score_to_file(events, interviews, tmp_path / f"two.{fmt}", workers=2, **options)
    assert split.rows == single.rows > 17 * 3
    assert split.summary() == single.summary() and split.counts == single.counts
    pd.testing.assert_frame_equal(split.rejects, single.rejects)
    pd.testing.assert_frame_equal(split.counts_by_file, single.counts_by_file)
    if fmt == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two.parquet"), pd.read_parquet(tmp_path / "one.parquet"))
    else:
        assert (tmp_path / f"two.{fmt}").read_bytes() == (tmp_path / f"one.{fmt}").read_bytes()


def test_the_calling_process_gets_the_ranked_rows_one_piece_at_a_time(messy):
    """What a consumer of ``rank_partitioned`` is handed: pieces of at most the piece size,
    best first, together all of the shortlist's rows in the single run's order."""
    from followup.partitioned import rank_partitioned

    events, interviews, as_of = messy
    single = followup.score(events, interviews, as_of=as_of)

    def ids(frame):
        return frame["candidate_id"].tolist()

    def consume(run, pieces):
        return run, [next_piece for next_piece in pieces]

    run, pieces = rank_partitioned(events, interviews, consume, lambda run: ids, as_of=as_of, workers=2,
                                   rows_per_piece=25)
    assert [len(p) for p in pieces] == [25] * (len(single.candidates) // 25) + [len(single.candidates) % 25]
    assert [i for piece in pieces for i in piece] == single.candidates["candidate_id"].tolist()
    assert run.rows == len(single.candidates) and run.summary() == single.summary()


def test_score_on_workers_to_a_file_writes_the_single_runs_file(messy, tmp_path):
    """`followup score --workers 2 -o FILE` goes piece by piece, with the same file, rejects
    file and summary line as one process."""
    from click.testing import CliRunner

    from followup.cli import main

    events, interviews, as_of = messy
    runs = {}
    for name, extra in (("one", []), ("two", ["--workers", "2"])):
        result = CliRunner().invoke(main, ["score", *events, "-i", interviews, "--as-of", str(as_of), "-o",
                                           str(tmp_path / f"{name}.parquet"), "--rejects",
                                           str(tmp_path / f"{name}-rejects.csv"), *extra])
        assert result.exit_code == 0, result.output
        runs[name] = result.stderr.replace(str(tmp_path / name), "OUT")
    assert runs["one"] == runs["two"] and "rejected" in runs["two"]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two.parquet"), pd.read_parquet(tmp_path / "one.parquet"))
    assert (tmp_path / "two-rejects.csv").read_bytes() == (tmp_path / "one-rejects.csv").read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_score_on_workers_to_standard_output_prints_the_single_runs_text(messy, fmt):
    from click.testing import CliRunner

    from followup.cli import main

    events, interviews, as_of = messy
    printed = []
    for extra in ([], ["--workers", "2"]):
        result = CliRunner().invoke(main, ["score", *events, "-i", interviews, "--as-of", str(as_of),
                                           "--format", fmt, "--all-rounds", *extra])
        assert result.exit_code == 0, result.output
        printed.append((result.stdout, result.stderr))
    assert printed[1] == printed[0] and len(printed[0][0].splitlines()) > 100


def test_an_empty_shortlist_written_piece_by_piece(tmp_path):
    """No interview inside the as-of's reach still writes a well-formed file (the JSON
    document with no candidates), as one process does."""
    from followup.batch import score_to_file

    (tmp_path / "ev.csv").write_text("candidate_id,timestamp,channel,direction\nC1,2026-03-03T10:00:00Z,email,inbound\n")
    (tmp_path / "iv.csv").write_text("candidate_id,interview_at\nC1,2026-03-02T10:00:00Z\n")
    for workers in (1, 2):
        done = score_to_file(tmp_path / "ev.csv", tmp_path / "iv.csv", tmp_path / f"{workers}.json",
                             as_of="2026-03-20", workers=workers)
        assert done.rows == 1
    assert (tmp_path / "2.json").read_text() == (tmp_path / "1.json").read_text()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_flags_on_workers_write_the_single_runs_file(messy, tmp_path, monkeypatch, fmt):
    """`followup flags --workers 2 -o FILE --fail-on-flag`: the rows with flags, piece by piece,
    the same file, summary line and exit code as one process."""
    from click.testing import CliRunner

    from followup import partitioned
    from followup.cli import main

    monkeypatch.setattr(partitioned, "ROWS_PER_PIECE", 11)
    events, interviews, as_of = messy
    runs = {}
    for name, extra in (("one", []), ("two", ["--workers", "2"])):
        result = CliRunner().invoke(main, ["flags", *events, "-i", interviews, "--as-of", str(as_of), "--all-rounds",
                                           "-o", str(tmp_path / f"{name}.{fmt}"), "--fail-on-flag", *extra])
        runs[name] = (result.exit_code, result.stderr.replace(str(tmp_path / name), "OUT"))
    assert runs["two"] == runs["one"] and runs["one"][0] == 3 and " rows of " in runs["one"][1]
    if fmt == "parquet":
        single = pd.read_parquet(tmp_path / "one.parquet")
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "two.parquet"), single)
        assert len(single) > 11 and (single["flags"] != "").all()
    else:
        assert (tmp_path / f"two.{fmt}").read_bytes() == (tmp_path / f"one.{fmt}").read_bytes()
