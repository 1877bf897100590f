"""Whether two Parquet results hold the same frame: prints `identical` or the first difference.

    python bench/same_frames.py LEFT.parquet RIGHT.parquet

run_bench.py calls it in a separate process, to stay small itself (see run_bench._measure).
"""

from __future__ import annotations

import sys

import pandas as pd


def main(argv: list[str] | None = None) -> int:
    left, right = (pd.read_parquet(path) for path in (sys.argv[1:] if argv is None else argv))
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    except AssertionError as difference:
        print("DIFFERENT: " + " ".join(str(difference).split())[:400])
        return 1
    print(f"identical ({len(left):,} rows, {left.shape[1]} columns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
