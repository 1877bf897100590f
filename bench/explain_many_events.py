"""`followup explain` on one candidate with very many events: time and peak memory.

    python bench/explain_many_events.py                 # 200,000 events
    python bench/explain_many_events.py --events 1000000

Writes one candidate's events (a mixed log: email, phone with outcomes, sms, both directions,
two interviewers as contacts) to a temporary folder and runs `followup explain` on it in a
fresh process, reporting wall time and peak resident memory (docs/reliability.md quotes it).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def write_log(folder: Path, events: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    times = pd.Timestamp("2026-03-02T12:00Z") + pd.to_timedelta(np.sort(rng.integers(0, 28 * 86400, events)), unit="s")
    channel = rng.choice(["email", "phone", "sms"], events)
    outcome = np.where(channel == "phone", rng.choice(["connected", "voicemail", "hang_up", "missed"], events), "")
    log = folder / "events.csv"
    pd.DataFrame({"candidate_id": "C001", "timestamp": times.strftime("%Y-%m-%dT%H:%M:%SZ"), "channel": channel,
                  "direction": rng.choice(["inbound", "outbound"], events), "outcome": outcome,
                  "contact": rng.choice(["Dana Whitfield", "Mei Chen"], events)}).to_csv(log, index=False)
    interviews = folder / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at,interviewers\n"
                          "C001,Alice,2026-03-02T10:00:00Z,Dana Whitfield;Mei Chen\n")
    return log, interviews


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        log, interviews = write_log(Path(folder), args.events)
        start = time.perf_counter()
        finished = subprocess.run([sys.executable, "-m", "followup", "explain", "C001", str(log), "-i", str(interviews),
                                   "--as-of", "2026-03-31T00:00:00Z"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    lines = finished.stdout.count("\n")
    print(f"{args.events:,} events: {seconds:.1f} s, peak {peak_gb:.2f} GB, {lines} lines printed, "
          f"exit {finished.returncode}")


if __name__ == "__main__":
    main()
