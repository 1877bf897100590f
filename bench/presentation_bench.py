"""Presentation at the engine's speed: the three figures of issue 14, medians of three runs.

    python bench/presentation_bench.py                  # all three, default sizes
    python bench/presentation_bench.py --only explain   # one of annotate, explain, report

* ``annotate``: :func:`followup.explain.annotate_events` over every event of a scored
  synthetic set of about 1M events (100,000 candidates; the score itself is not timed), the
  roles decided afresh each run (``ScoreResult.event_roles``), and again with them made;
* ``explain``: ``followup explain`` (CSV read and scoring included) of ONE candidate whose log
  holds 1M events, each run in a fresh process: wall time and that process's peak RSS;
* ``report``: :func:`followup.report.build_report` for 10,000 candidates, and the page's size.

Writes ``bench/results/presentation-<date>.json`` and prints it. ``build_cpu_s`` and the like
are CPU times: on a shared machine the wall time is partly waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import followup
from followup import datasets
from followup.explain import annotate_events
from followup.report import build_report

sys.path.insert(0, str(Path(__file__).resolve().parent))
from explain_many_events import write_log  # noqa: E402  (the one-candidate fixture, shared)

RESULTS = Path(__file__).resolve().parent / "results"
RUNS = 3


def _timed(work) -> tuple[float, float, object]:
    started, cpu = time.perf_counter(), time.process_time()
    value = work()
    return time.perf_counter() - started, time.process_time() - cpu, value


def _medians(runs: list[tuple[float, float]]) -> dict:
    return {"wall_s": round(statistics.median(r[0] for r in runs), 2),
            "cpu_s": round(statistics.median(r[1] for r in runs), 2),
            "runs_wall_s": [round(r[0], 2) for r in runs]}


def bench_annotate(candidates: int) -> dict:
    events, interviews = datasets.make_followups(candidates, seed=0)
    result = followup.score(events, interviews, as_of=datasets.default_as_of(interviews), tz="America/New_York")
    runs, worded = [], []
    for _ in range(RUNS):
        vars(result).pop("event_roles", None)  # each run decides the roles afresh, as a new result would
        wall, cpu, frame = _timed(lambda: annotate_events(result))
        runs.append((wall, cpu))
        worded.append(_timed(lambda: annotate_events(result))[:2])  # the roles made: the words alone
    return {"events": len(result.events), "candidates": candidates, "rows": len(frame), **_medians(runs),
            "with_roles_made": _medians(worded)}


def bench_explain(events: int) -> dict:
    runs, peaks = [], []
    with tempfile.TemporaryDirectory() as folder:
        log, interviews = write_log(Path(folder), events)
        command = [sys.executable, "-m", "followup", "explain", "C001", str(log), "-i", str(interviews),
                   "--as-of", "2026-03-31T00:00:00Z", "--format", "json"]
        for _ in range(RUNS):
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"explain failed: {child.stderr.read().decode()[-500:]}")
            runs.append((wall, usage.ru_utime + usage.ru_stime))
            peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return {"events": events, **_medians(runs), "peak_rss_mb": round(statistics.median(peaks))}


def bench_report(candidates: int) -> dict:
    events, interviews = datasets.make_followups(candidates, seed=0)
    result = followup.score(events, interviews, as_of=datasets.default_as_of(interviews), tz="America/New_York")
    runs = []
    for _ in range(RUNS):
        wall, cpu, page = _timed(lambda: build_report(result))
        runs.append((wall, cpu))
    return {"candidates": candidates, "events": len(result.events), **_medians(runs),
            "html_mb": round(len(page.encode("utf-8")) / 1e6, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("annotate", "explain", "report"))
    parser.add_argument("--annotate-candidates", type=int, default=100_000)
    parser.add_argument("--explain-events", type=int, default=1_000_000)
    parser.add_argument("--report-candidates", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=RESULTS / f"presentation-{pd.Timestamp.now(tz='UTC'):%Y-%m-%d}.json")
    args = parser.parse_args()
    figures = {"version": followup.__version__, "cpus": os.cpu_count(),
               "load_average": [round(x, 2) for x in os.getloadavg()]}
    if args.only in (None, "annotate"):
        figures["annotate_events"] = bench_annotate(args.annotate_candidates)
    if args.only in (None, "explain"):
        figures["explain_one_candidate"] = bench_explain(args.explain_events)
    if args.only in (None, "report"):
        figures["build_report"] = bench_report(args.report_candidates)
    text = json.dumps(figures, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
