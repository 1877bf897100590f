"""Benchmark reference 2: the basic follow-up features in one DuckDB query (reference_features.sql).

    python bench/ref_duckdb.py EVENTS INTERVIEWS --as-of 2026-03-09T00:00:00Z --output OUT.parquet

Reads both CSV files, computes one row per candidate and writes it to a Parquet file, end to
end, like `followup score --format parquet`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

QUERY_FILE = Path(__file__).with_name("reference_features.sql")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=Path)
    parser.add_argument("interviews", type=Path)
    parser.add_argument("--as-of", required=True, help="ISO 8601 time with an offset or Z")
    parser.add_argument("--output", required=True, type=Path)
    args = parser.parse_args(argv)

    connection = duckdb.connect()
    # Times are compared and bucketed in UTC whatever the machine's zone, like the product.
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET VARIABLE events_path = ?", [str(args.events)])
    connection.execute("SET VARIABLE interviews_path = ?", [str(args.interviews)])
    connection.execute("SET VARIABLE as_of = CAST(? AS TIMESTAMPTZ)", [args.as_of])
    connection.sql(QUERY_FILE.read_text()).write_parquet(str(args.output))


if __name__ == "__main__":
    main()
