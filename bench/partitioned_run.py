"""One partitioned run, watched: the stages' times, each process's peak memory and Dask's own log.

    python bench/partitioned_run.py /tmp/bench-data/events_50000000 --workers 2

Runs :func:`followup.partitioned.score_partitioned` (the whole result back in this process) or,
with ``--output FILE``, :func:`followup.score_to_file` (the ranked file written piece by piece,
as ``followup score --workers N -o FILE`` does) on ``DIR/events.csv`` and
``DIR/interviews.csv`` (as made by ``bench/make_dataset.py``) on a local Dask cluster set up as
``--workers`` sets one up, but with the scheduler's and workers' log kept (``--log``, default
``DIR/partitioned.log``): when a large run fails, the log says which call timed out, which
worker paused or was restarted, and how long its event loop was blocked. Every half second the
resident memory of this process and of each of its children (nannies, workers) is sampled;
the peaks, the progress marks (seconds since the start) and the most the workers had spilled
to disk (in the cluster's own temporary folder) are written as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from followup.memory import use_batch_memory_settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a folder with events.csv, interviews.csv, dataset.json")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log", type=Path, help="Dask's log (default: DATA/partitioned.log)")
    parser.add_argument("--out", type=Path, help="the figures as JSON (default: print them)")
    parser.add_argument("--output", type=Path, help="write the ranked shortlist here piece by piece "
                        "(.parquet, .csv, .json, .jsonl) instead of returning the whole result")
    args = parser.parse_args()
    use_batch_memory_settings()
    import dask
    import distributed
    import psutil

    from followup import partitioned

    meta = json.loads((args.data / "dataset.json").read_text())
    log = args.log or args.data / "partitioned.log"
    handler = logging.FileHandler(log, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(processName)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger("distributed").addHandler(handler)

    # The cluster's own folder, so that what it spills is told apart from any other run's.
    scratch = Path(tempfile.mkdtemp(prefix="followup-bench-"))
    peaks: dict[str, int] = {}
    spilled = {"peak_bytes": 0}

    def sample() -> None:
        me = psutil.Process()
        while True:
            for process in [me, *me.children(recursive=True)]:
                try:
                    name = "main" if process.pid == me.pid else f"{process.pid}"
                    peaks[name] = max(peaks.get(name, 0), process.memory_info().rss)
                except psutil.Error:
                    pass
            spilled["peak_bytes"] = max(spilled["peak_bytes"], _folder_bytes(scratch))
            time.sleep(0.5)

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    marks = []

    def step(stage: str) -> None:
        marks.append([round(time.perf_counter() - start, 1), stage])
        print(f"{marks[-1][0]:8.1f}  {stage}", flush=True)

    limit = min(psutil.virtual_memory().total // args.workers, partitioned.WORKER_MEMORY)
    with dask.config.set({"distributed.worker.memory.target": partitioned.SPILL_AT,
                          "distributed.worker.memory.spill": partitioned.SPILL_AT + 0.1}):
        cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=":0", worker_dashboard_address=None,
                                           memory_limit=limit, silence_logs=logging.INFO,
                                           local_directory=str(scratch))
    outcome: dict = {}
    with distributed.Client(cluster) as client:
        try:
            inputs = str(args.data / "events.csv"), str(args.data / "interviews.csv")
            if args.output:
                from followup.batch import score_to_file

                done = score_to_file(*inputs, args.output, as_of=meta["as_of"], client=client, progress=step)
                outcome = {"candidates": done.rows, "output": str(args.output)}
            else:
                done = partitioned.score_partitioned(*inputs, as_of=meta["as_of"], client=client, progress=step,
                                                     keep_events=False)
                outcome = {"candidates": len(done.candidates)}
            outcome["counts"] = {k: int(v) for k, v in done.counts.items()}
        except Exception as exc:  # the figure wanted is the failure itself, named
            outcome = {"error": f"{type(exc).__name__}: {exc}"}
    cluster.close()
    shutil.rmtree(scratch, ignore_errors=True)
    figures = {
        "events": meta.get("events"), "workers": args.workers, "wall_s": round(time.perf_counter() - start, 1),
        **outcome, "marks": marks,
        "peak_rss_mib": {name: round(rss / 2**20) for name, rss in sorted(peaks.items())},
        "peak_spilled_gib": round(spilled["peak_bytes"] / 2**30, 2), "log": str(log),
    }
    text = json.dumps(figures, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 1 if "error" in outcome else 0


def _folder_bytes(folder: Path) -> int:
    try:
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    except OSError:  # a file spilled and removed while counted
        return 0


if __name__ == "__main__":
    sys.exit(main())
