"""Replay against full runs: 30 nightly as-ofs over one event log.

    python bench/replay_bench.py [--candidates 100000] [--nights 30] [--full-runs 3] [--repeat 1]
                                 [--workers 1] [--data-dir bench/data]

Writes the synthetic set (``followup.datasets.write_followups``: about 10 events a candidate, so the
default is a 1M-event log) if it is not there, then times, in this one process:

* ``followup.replay.replay`` over ``--nights`` daily as-ofs into a fresh history (one read and
  normalise, then per night the scoring of the candidates whose row can have changed and one
  history append; with ``--workers N`` the nights are scored in full on a local Dask cluster of
  N processes, started before the clock starts, whose CPU time is added to this process's);
* the same replay re-scoring every candidate every night (``reuse_settled=False``: what replay
  cost before it reused settled rows), and checks that every night's run file holds the same
  frame as the first replay's (``pandas.testing.assert_frame_equal``; the check is not timed);
* ``--full-runs`` full runs (``followup.score`` from the CSV files, then a history append), at
  as-ofs spread over the same nights; 30 of them are estimated as the median times 30.

``--repeat N`` times both replays N times and reports the medians. Prints one JSON object, wall
and CPU seconds; docs/nightly.md#replay quotes it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

import followup
from followup import datasets, history
from followup.memory import use_batch_memory_settings
from followup.replay import replay


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--full-runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path("bench/data"))
    args = parser.parse_args(argv)
    use_batch_memory_settings()

    folder = args.data_dir / f"replay-{args.candidates}"
    events, interviews = folder / datasets.EVENTS_FILE, folder / datasets.INTERVIEWS_FILE
    if not events.exists():
        datasets.write_followups(folder, args.candidates, seed=0)
    listed = pd.read_csv(interviews, usecols=["interview_at", "interview_end"], parse_dates=["interview_at", "interview_end"])
    last = datasets.default_as_of(listed)
    first = last - pd.Timedelta(days=args.nights - 1)

    with tempfile.TemporaryDirectory() as place, _cluster(args.workers) as client:
        def timed_replay(name: str, reuse_settled: bool):
            workers_cpu = _workers_cpu(client)
            started, started_cpu = time.perf_counter(), time.process_time()
            nights = replay(str(events), str(interviews), Path(place) / name, start=first.isoformat(),
                            end=last.isoformat(), every="1d", client=client, reuse_settled=reuse_settled)
            wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            return nights, wall, cpu + _workers_cpu(client) - workers_cpu

        reused, reused_s, reused_cpu, everyone_s, everyone_cpu = None, [], [], [], []
        for attempt in range(args.repeat):
            reused, wall, cpu = timed_replay(f"reused-{attempt}", True)
            reused_s.append(wall), reused_cpu.append(cpu)
            everyone, wall, cpu = timed_replay(f"everyone-{attempt}", False)
            everyone_s.append(wall), everyone_cpu.append(cpu)
        same = _same_runs(reused, everyone)

        full, full_cpu = [], []
        for i in range(args.full_runs):
            as_of = first + (last - first) * (i + 1) / args.full_runs
            started, started_cpu = time.perf_counter(), time.process_time()
            result = followup.score(str(events), str(interviews), as_of=as_of)
            history.append(Path(place) / "full", result)
            full.append(time.perf_counter() - started)
            full_cpu.append(time.process_time() - started_cpu)
    per_run, per_run_cpu = statistics.median(full), statistics.median(full_cpu)
    replay_s, replay_cpu = statistics.median(reused_s), statistics.median(reused_cpu)
    print(json.dumps({
        "events": int(sum(1 for _ in open(events, "rb")) - 1),
        "candidates": args.candidates,
        "nights": len(reused),
        "workers": args.workers,
        "repeat": args.repeat,
        "replay_s": round(replay_s, 1),
        "replay_per_night_s": round(replay_s / len(reused), 2),
        "full_run_s": [round(t, 2) for t in full],
        "full_runs_estimated_s": round(per_run * len(reused), 1),
        "speed_up": round(per_run * len(reused) / replay_s, 1),
        # CPU seconds of this process (all its threads) and of any Dask workers: what the work
        # costs, whatever else the machine is doing; wall seconds on a shared machine include
        # waiting for a core.
        "replay_cpu_s": round(replay_cpu, 1),
        "replay_cpu_s_each": [round(t, 1) for t in reused_cpu],
        "replay_every_candidate_cpu_s": round(statistics.median(everyone_cpu), 1),
        "replay_every_candidate_cpu_s_each": [round(t, 1) for t in everyone_cpu],
        "full_run_cpu_s": [round(t, 2) for t in full_cpu],
        "full_runs_estimated_cpu_s": round(per_run_cpu * len(reused), 1),
        "speed_up_cpu": round(per_run_cpu * len(reused) / replay_cpu, 1),
        "nights_identical_to_every_candidate_replay": same,
    }, indent=2))


def _same_runs(reused: pd.DataFrame, everyone: pd.DataFrame) -> int:
    """How many nights' run files hold the same frame in both replays (all of them, or this
    fails with the first difference); the version column says which build wrote them, no more."""
    for mine, theirs in zip(reused["run_file"], everyone["run_file"], strict=True):
        pd.testing.assert_frame_equal(pq.read_table(mine).to_pandas(), pq.read_table(theirs).to_pandas())
    pd.testing.assert_frame_equal(reused.drop(columns="run_file"), everyone.drop(columns="run_file"))
    return len(reused)


class _cluster:
    """A local Dask cluster of ``workers`` one-thread processes (none for one worker)."""

    def __init__(self, workers: int):
        self.workers, self.owned = workers, []

    def __enter__(self):
        if self.workers <= 1:
            return None
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0")
        self.owned = [Client(cluster), cluster]
        return self.owned[0]

    def __exit__(self, *exc):
        for owned in self.owned:
            owned.close()


def _workers_cpu(client) -> float:
    """CPU seconds the cluster's worker processes have used so far (0 without a cluster)."""
    if client is None:
        return 0.0

    def used() -> float:
        import psutil

        times = psutil.Process().cpu_times()
        return times.user + times.system

    return sum(client.run(used).values())


if __name__ == "__main__":
    main()
