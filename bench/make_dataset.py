"""Generate one benchmark data set: events.csv, interviews.csv and dataset.json.

    python bench/make_dataset.py OUT_DIR --candidates 100000 [--seed 0] [--events-per-candidate 10]
    python bench/make_dataset.py OUT_DIR --from BASE_DIR --time-shape naive-space

The second form copies a generated set with the events' times written in another shape (see
TIME_SHAPES): the same instants, so every shape must give the same scores (--tz UTC).

dataset.json records the parameters, the number of event rows and the as-of to score at
(followup.datasets.default_as_of). run_bench.py runs this in its own process: see
_measure in run_bench.py for why the benchmark process must stay small.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv

from followup import datasets
from followup.datasets import default_as_of, write_followups

DESCRIPTION_FILE = "dataset.json"
# How exports write a time, each the same instant as the generator's `2025-12-22T17:55:16Z`.
TIME_SHAPES = {
    "iso-offset": "2025-12-22T18:55:16+01:00",
    "naive-space": "2025-12-22 17:55:16",
    "naive-t": "2025-12-22T17:55:16",
    "epoch-ms": "1766426116000",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--candidates", type=int)
    parser.add_argument("--from", dest="base", type=Path, help="a generated set to rewrite")
    parser.add_argument("--time-shape", choices=sorted(TIME_SHAPES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--events-per-candidate", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.base is not None:
        if args.time_shape is None:
            parser.error("--from needs --time-shape")
        _rewrite_times(args.base, args.out_dir, args.time_shape)
        return
    if args.candidates is None:
        parser.error("--candidates is required")

    started = time.perf_counter()
    events_path, interviews_path = write_followups(
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
        "generator_sha256": hashlib.sha256(Path(datasets.__file__).read_bytes()).hexdigest(),
        "events": _count_rows(events_path),
        "as_of": default_as_of(interview_times).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_in_s": round(time.perf_counter() - started, 1),
    }
    (args.out_dir / DESCRIPTION_FILE).write_text(json.dumps(description, indent=2) + "\n")


def _rewrite_times(base: Path, out_dir: Path, shape: str) -> None:
    """Copy the set in ``base`` with the events' ``timestamp`` written in ``shape``; the
    description records the base set's, so a changed base invalidates the copy."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base / "interviews.csv", out_dir / "interviews.csv")
    text = pa.string()
    with (base / "events.csv").open(newline="") as handle:
        names = next(csv.reader(handle))
    reader = pyarrow.csv.open_csv(
        base / "events.csv",
        read_options=pyarrow.csv.ReadOptions(block_size=64 << 20),
        convert_options=pyarrow.csv.ConvertOptions(column_types={n: text for n in names}, strings_can_be_null=False),
    )
    partial = out_dir / "events.csv.tmp"
    # No quotes, as the generator's body has none: the reader's fast path stays the same.
    options = pyarrow.csv.WriteOptions(quoting_style="none")
    with pyarrow.csv.CSVWriter(partial, reader.schema, write_options=options) as writer:
        for batch in reader:
            position = batch.schema.get_field_index("timestamp")
            times = batch.column(position)
            writer.write_batch(batch.set_column(position, "timestamp", _shaped(times, shape)))
    partial.replace(out_dir / "events.csv")
    description = json.loads((base / DESCRIPTION_FILE).read_text())
    description.update(time_shape=shape, base=str(base), generated_in_s=round(time.perf_counter() - started, 1))
    (out_dir / DESCRIPTION_FILE).write_text(json.dumps(description, indent=2) + "\n")


def _shaped(times: pa.Array, shape: str) -> pa.Array:
    """``2025-12-22T17:55:16Z`` texts written in ``shape`` (see TIME_SHAPES)."""
    if shape == "naive-t":
        return pc.utf8_slice_codeunits(times, 0, 19)
    if shape == "naive-space":
        return pc.replace_substring(pc.utf8_slice_codeunits(times, 0, 19), "T", " ")
    instants = pc.strptime(pc.utf8_slice_codeunits(times, 0, 19), "%Y-%m-%dT%H:%M:%S", "s")
    if shape == "epoch-ms":
        return pc.cast(pc.multiply(pc.cast(instants, pa.int64()), 1000), pa.string())
    shifted = pc.add(instants, pa.scalar(3600, pa.duration("s")))
    return pc.binary_join_element_wise(pc.strftime(shifted, "%Y-%m-%dT%H:%M:%S"), "+01:00", "")


def _count_rows(csv_path: Path) -> int:
    """Data rows of a CSV file without quoted newlines (the generator writes none)."""
    lines = 0
    with csv_path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines - 1


if __name__ == "__main__":
    main()
