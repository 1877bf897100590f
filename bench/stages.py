"""Where a `followup score` run spends its time: wall and CPU seconds per stage, in-process.

    python bench/stages.py                      # the 10M set made by run_bench.py
    python bench/stages.py --size 1000000 --repeats 3

The stages are the ones `followup.api.score` reports to its progress callback (the same names
the progress bar shows), plus writing the Parquet result as `followup score --format parquet`
does. CPU time counts both cores: where it exceeds the wall time, Arrow was reading or
hashing in parallel. The data set must exist already (run bench/run_bench.py or
bench/make_dataset.py once). Run it on a quiet machine: the figures are per stage, so another
busy process shows up as a slow stage rather than as noise in a total.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from followup import api
from followup.memory import use_batch_memory_settings
from followup.present import write_result

BENCH_DIR = Path(__file__).resolve().parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(data_dir: Path) -> list[tuple[str, float, float]]:
    """One run: ``(stage, wall s, CPU s)`` in the order the stages ran."""
    meta = json.loads((data_dir / "dataset.json").read_text())
    marks: list[tuple[str, float, float]] = []

    def step(stage: str) -> None:
        marks.append((stage, time.perf_counter(), _cpu()))

    step("start")
    result = api.score(data_dir / "events.csv", data_dir / "interviews.csv", as_of=meta["as_of"], progress=step)
    step("writing parquet")
    with tempfile.TemporaryDirectory() as scratch:
        write_result(result, "parquet", Path(scratch) / "out.parquet")
    step("end")
    return [(stage, wall_end - wall, cpu_end - cpu)
            for (stage, wall, cpu), (_, wall_end, cpu_end) in zip(marks[1:-1], marks[2:])] + \
        [("total", marks[-1][1] - marks[0][1], marks[-1][2] - marks[0][2])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000, help="event count of the data set")
    parser.add_argument("--repeats", type=int, default=1, help="runs (medians are shown)")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    args = parser.parse_args(argv)
    data_dir = args.data_dir / f"events_{args.size}"
    if not (data_dir / "dataset.json").exists():
        print(f"no data set in {data_dir}: run bench/run_bench.py --sizes {args.size} once", file=sys.stderr)
        return 1
    use_batch_memory_settings()  # as the CLI does
    runs = [measure(data_dir) for _ in range(args.repeats)]
    print(f"| stage ({args.size:,} events, median of {args.repeats}) | wall s | CPU s |")
    print("|---|---:|---:|")
    for position, (stage, _, _) in enumerate(runs[0]):
        wall = statistics.median(run[position][1] for run in runs)
        cpu = statistics.median(run[position][2] for run in runs)
        print(f"| {stage} | {wall:.2f} | {cpu:.2f} |")
    print(f"\npeak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
