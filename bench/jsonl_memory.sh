#!/usr/bin/env bash
# Peak memory (max RSS) of `followup score` writing JSON versus JSON Lines, on a synthetic set.
# Usage: bench/jsonl_memory.sh [CANDIDATES]   (default 100000; needs GNU time at /usr/bin/time)
set -euo pipefail
n=${1:-100000}
dir=$(mktemp -d)
as_of=$(followup sample -n "$n" --seed 1 -o "$dir" | sed 's/.*--as-of //')
for fmt in json jsonl; do
  /usr/bin/time -f "$fmt: %M KB peak, %e s" followup score "$dir/events.csv" -i "$dir/interviews.csv" \
      --as-of "$as_of" -q -o "$dir/out.$fmt"
  ls -l "$dir/out.$fmt" | awk -v f="$fmt" '{print f ": " $5 " bytes"}'
done
rm -rf "$dir"
