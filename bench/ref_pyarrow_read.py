"""Benchmark reference 1: read the events CSV with pyarrow and nothing else.

    python bench/ref_pyarrow_read.py EVENTS

The floor for any tool that starts from the CSV: pyarrow's multi-threaded reader with type
inference, the same reader the product uses.
"""

from __future__ import annotations

import sys

import pyarrow.csv


def main(argv: list[str] | None = None) -> None:
    (events,) = sys.argv[1:] if argv is None else argv
    table = pyarrow.csv.read_csv(events)
    print(f"{table.num_rows} rows, {table.num_columns} columns")


if __name__ == "__main__":
    main()
