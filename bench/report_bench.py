"""How big and how fast the HTML report is, built and opened in Chromium.

    python bench/report_bench.py 5000 50000          # synthetic shortlists of these sizes
    python bench/report_bench.py --one-candidate-events 1000000

For each size: the time to build the page (``build_report``, after scoring), its size, and the
time headless Chromium takes to open it (navigation start to the end of the load event, which
is after the page's script has drawn the first rows), with the peak memory of this process.
``build_cpu_s`` is the build's CPU time: on a shared machine the wall time is mostly waiting.
``--one-candidate-events N`` scores one candidate with N unanswered calls (a hostile file) and
reports the same. Results are printed as one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import followup
from followup import datasets
from followup.report import build_report

CHROMIUM = "/usr/bin/chromium"


def open_in_chromium(path: Path) -> float | None:
    """Seconds from navigation start to the end of the load event, or None without a browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=300_000)
        page.wait_for_selector("tbody.candidate", timeout=300_000)
        load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        browser.close()
    return round(load_ms / 1000, 2)


def one_candidate(events: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """One candidate whose log holds ``events`` unanswered calls, a second apart."""
    interviews = pd.DataFrame({"candidate_id": ["A"], "name": ["Hostile Log"],
                               "interview_at": ["2026-03-02T10:00:00Z"], "interview_end": ["2026-03-02T11:00:00Z"]})
    stamps = pd.Timestamp("2026-03-02T12:00:00Z") + pd.to_timedelta(np.arange(events), unit="s")
    frame = pd.DataFrame({"candidate_id": "A", "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "channel": "phone", "direction": "inbound", "outcome": "hang_up"})
    return frame, interviews, "2026-03-31T18:00:00Z"


def measure(label: str, events: pd.DataFrame, interviews: pd.DataFrame, as_of) -> dict:
    result = followup.score(events, interviews, as_of=as_of, tz="America/New_York")
    started, cpu = time.perf_counter(), time.process_time()
    page = build_report(result)
    built, cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        path.write_text(page, encoding="utf-8")
        size = path.stat().st_size
        opened = open_in_chromium(path)
    return {"run": label, "candidates": len(result.candidates), "events": len(result.events),
            "build_s": round(built, 2), "build_cpu_s": round(cpu, 2), "size_mb": round(size / 1e6, 2), "chromium_load_s": opened,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int)
    parser.add_argument("--one-candidate-events", type=int)
    args = parser.parse_args()
    for size in args.sizes:
        events, interviews = datasets.make_followups(size, seed=0)
        print(json.dumps(measure(f"{size} candidates", events, interviews, datasets.default_as_of(interviews))),
              flush=True)
    if args.one_candidate_events:
        print(json.dumps(measure(f"one candidate, {args.one_candidate_events} events",
                                 *one_candidate(args.one_candidate_events))), flush=True)


if __name__ == "__main__":
    main()
