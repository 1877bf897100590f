"""Generate one benchmark data set: events.csv, interviews.csv and dataset.json.

    python bench/make_dataset.py OUT_DIR --candidates 100000 [--seed 0] [--events-per-candidate 10]

dataset.json records the parameters, the number of event rows and the as-of to score at
(followup.synthetic.default_as_of). run_bench.py runs this in its own process: see
_measure in run_bench.py for why the benchmark process must stay small.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import pyarrow.csv

from followup import synthetic
from followup.synthetic import default_as_of, write

DESCRIPTION_FILE = "dataset.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--candidates", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--events-per-candidate", type=float, default=10.0)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    events_path, interviews_path = write(
        args.out_dir,
        args.candidates,
        seed=args.seed,
        events_per_candidate=args.events_per_candidate,
    )
    only_times = pyarrow.csv.ConvertOptions(include_columns=["interview_at", "interview_end"])
    interview_times = pyarrow.csv.read_csv(interviews_path, convert_options=only_times).to_pandas()
    description = {
        "candidates": args.candidates,
        "seed": args.seed,
        "events_per_candidate": args.events_per_candidate,
        # Which generator made the files: a changed generator invalidates the cache.
        "generator_sha256": hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest(),
        "events": _count_rows(events_path),
        "as_of": default_as_of(interview_times).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_in_s": round(time.perf_counter() - started, 1),
    }
    (args.out_dir / DESCRIPTION_FILE).write_text(json.dumps(description, indent=2) + "\n")


def _count_rows(csv_path: Path) -> int:
    """Data rows of a CSV file without quoted newlines (the generator writes none)."""
    lines = 0
    with csv_path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines - 1


if __name__ == "__main__":
    main()
