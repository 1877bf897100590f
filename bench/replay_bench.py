"""Replay against full runs: 30 nightly as-ofs over one event log.

    python bench/replay_bench.py [--candidates 100000] [--nights 30] [--full-runs 3] [--data-dir bench/data]

Writes the synthetic set (``followup.datasets.write_followups``: about 10 events a candidate, so the
default is a 1M-event log) if it is not there, then times, in this one process:

* ``followup.replay.replay`` over ``--nights`` daily as-ofs into a fresh history (one read and
  normalise, then one scoring and one history append per night);
* ``--full-runs`` full runs (``followup.score`` from the CSV files, then a history append), at
  as-ofs spread over the same nights; 30 of them are estimated as the median times 30.

Prints one JSON object, wall and CPU seconds; docs/nightly.md#replay quotes it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

import followup
from followup import datasets, history
from followup.memory import use_batch_memory_settings
from followup.replay import replay


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--full-runs", type=int, default=3)
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

    with tempfile.TemporaryDirectory() as place:
        started, started_cpu = time.perf_counter(), time.process_time()
        nights = replay(str(events), str(interviews), Path(place) / "replayed", start=first.isoformat(),
                        end=last.isoformat(), every="1d")
        replay_s, replay_cpu = time.perf_counter() - started, time.process_time() - started_cpu

        full, full_cpu = [], []
        for i in range(args.full_runs):
            as_of = first + (last - first) * (i + 1) / args.full_runs
            started, started_cpu = time.perf_counter(), time.process_time()
            result = followup.score(str(events), str(interviews), as_of=as_of)
            history.append(Path(place) / "full", result)
            full.append(time.perf_counter() - started)
            full_cpu.append(time.process_time() - started_cpu)
    per_run, per_run_cpu = statistics.median(full), statistics.median(full_cpu)
    print(json.dumps({
        "events": int(sum(1 for _ in open(events, "rb")) - 1),
        "candidates": args.candidates,
        "nights": len(nights),
        "replay_s": round(replay_s, 1),
        "replay_per_night_s": round(replay_s / len(nights), 2),
        "full_run_s": [round(t, 2) for t in full],
        "full_runs_estimated_s": round(per_run * len(nights), 1),
        "speed_up": round(per_run * len(nights) / replay_s, 1),
        # CPU seconds of this process (all its threads): what the work costs, whatever else
        # the machine is doing; wall seconds on a shared machine include waiting for a core.
        "replay_cpu_s": round(replay_cpu, 1),
        "full_run_cpu_s": [round(t, 2) for t in full_cpu],
        "full_runs_estimated_cpu_s": round(per_run_cpu * len(nights), 1),
        "speed_up_cpu": round(per_run_cpu * len(nights) / replay_cpu, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
