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
    parser.add_argument("--epoch-ms", action="store_true",
                        help="the events' times are epoch milliseconds (bench/make_dataset.py --time-shape)")
    args = parser.parse_args(argv)
    query = QUERY_FILE.read_text()
    if args.epoch_ms:  # read as numbers, turned into instants as the query reads them
        query = _replace_once(query, "'timestamp': 'TIMESTAMPTZ'", "'timestamp': 'BIGINT'")
        query = _replace_once(query, 'SELECT candidate_id, "timestamp", channel',
                              'SELECT candidate_id, to_timestamp("timestamp" / 1000) AS "timestamp", channel')

    connection = duckdb.connect()
    # Times are compared and bucketed in UTC whatever the machine's zone, like the product.
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET VARIABLE events_path = ?", [str(args.events)])
    connection.execute("SET VARIABLE interviews_path = ?", [str(args.interviews)])
    connection.execute("SET VARIABLE as_of = CAST(? AS TIMESTAMPTZ)", [args.as_of])
    connection.sql(query).write_parquet(str(args.output))


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"{QUERY_FILE.name} no longer has {old!r} exactly once: update ref_duckdb.py")
    return text.replace(old, new)


if __name__ == "__main__":
    main()
