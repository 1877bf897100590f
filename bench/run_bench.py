"""End-to-end benchmark of `followup score` against two references, from CSV files on disk.

    python bench/run_bench.py --sizes 1000000 10000000 --repeats 3 [--shapes iso-z naive-space ...]

For each size (a number of events) it generates a synthetic data set with
followup.datasets.write_followups, ~10 events per candidate, cached in --data-dir, and for each other
time shape a copy with the events' times rewritten (make_dataset.py --from). Then it runs the
tools --repeats times, interleaved, every run a fresh Python process timed from start to exit,
and records its wall and CPU time, its peak resident memory and each of its processes' peak,
and /proc/loadavg before and after:

- pyarrow_read: only reading events.csv with pyarrow.csv.read_csv (ref_pyarrow_read.py);
- duckdb: one SQL query computing the basic features, CSV in, Parquet out (ref_duckdb.py);
- followup: `followup score ... --format parquet`, the product, CSV in, Parquet out;
- followup_w2: the same with `--workers 2` (a local Dask cluster of two processes).

The product's outputs are compared (same_frames.py): two workers against one, and each time
shape against the generator's own.

It prints a markdown table and writes the figures as JSON to --out. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PRODUCT, PARALLEL, READ_FLOOR, SQL_REFERENCE = "followup", "followup_w2", "pyarrow_read", "duckdb"
TOOLS = (READ_FLOOR, SQL_REFERENCE, PRODUCT, PARALLEL)
EVENTS_PER_CANDIDATE = 10.0
SEED = 0
# As followup.datasets.write_followups and bench/make_dataset.py name them. Neither is imported: this
# process must stay small (see _measure).
EVENTS_FILE, INTERVIEWS_FILE = "events.csv", "interviews.csv"
GENERATOR_SOURCE = BENCH_DIR.parent / "src" / "followup" / "datasets.py"
# The generator's own shape (`2025-12-22T17:55:16Z`) and make_dataset.py's TIME_SHAPES.
BASE_SHAPE = "iso-z"
SHAPES = (BASE_SHAPE, "iso-offset", "naive-space", "naive-t", "epoch-ms")
# Each shape's whole run within this many times the ISO-offset one's (issue 15).
MAX_SHAPE_OVER_OFFSET = 1.2
# --workers 2 over --workers 1 on this 2-core machine (issue 15).
MIN_SPEEDUP_TWO_WORKERS = 1.7
SAMPLE_EVERY_S = 0.1

# The targets at the largest size (bench/README.md).
MAX_TIMES_READ = 3.0
MAX_TIMES_SQL = 1.0
MAX_PEAK_MIB = 4096
# "Linear": 10x the events may take at most 12x the time.
MAX_SCALING_OVER_LINEAR = 1.2


@dataclass(frozen=True)
class Dataset:
    size: int
    shape: str
    candidates: int
    events: int
    as_of: str
    events_path: Path
    interviews_path: Path


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system of the process and its children (the workers)
    peak_rss_mib: float  # the largest of the process and each of its children (wait4)
    # Each process of the run, the tool's own first, with its peak RSS (VmHWM sampled every
    # SAMPLE_EVERY_S): the workers' figures, which wait4 folds into one.
    processes: list
    load_before: str  # /proc/loadavg: other helpers' jobs slow every tool down
    load_after: str


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    report: dict = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "repeats": args.repeats,
        "cases": [],
    }
    failed = False
    outputs = args.data_dir / "outputs"
    for size in sorted(args.sizes):
        for shape in args.shapes:
            dataset = _dataset(args.data_dir, size, shape)
            print(f"{size:,} requested, {shape}: {dataset.events:,} events, {dataset.candidates:,} "
                  f"candidates, as of {dataset.as_of}", file=sys.stderr)
            runs: dict[str, list[Run]] = {tool: [] for tool in args.tools}
            errors: dict[str, str] = {}
            # Interleaved (A, B, C, A, B, C, ...): a burst of load from other jobs on the
            # machine then slows every tool, not one tool's runs.
            for repeat in range(args.repeats):
                for tool in args.tools:
                    if tool in errors:
                        continue
                    kept = outputs / f"{size}-{shape}-{tool}.parquet" if repeat == 0 else None
                    try:
                        run = _measure(tool, dataset, kept)
                    except subprocess.CalledProcessError as error:
                        failed = True
                        errors[tool] = f"exit {error.returncode}: {error.stderr.strip()[-2000:]}"
                        print(f"  {tool}: FAILED, {errors[tool]}", file=sys.stderr)
                        continue
                    runs[tool].append(run)
                    print(f"  {tool}: {run.wall_s:.2f} s, {run.peak_rss_mib:,.0f} MiB "
                          f"(load {run.load_before.split()[0]} -> {run.load_after.split()[0]})",
                          file=sys.stderr)
            tools = {tool: _summary(runs[tool]) for tool in args.tools if tool not in errors}
            tools.update({tool: {"error": message} for tool, message in errors.items()})
            report["cases"].append({
                "size": size,
                "shape": shape,
                "events": dataset.events,
                "candidates": dataset.candidates,
                "as_of": dataset.as_of,
                "tools": tools,
                "ratios": _ratios(tools),
                "same_output": _same_outputs(outputs, size, shape, args.tools),
            })
    report["scaling"] = _scaling([c for c in report["cases"] if c["shape"] == BASE_SHAPE])
    report["targets"] = _targets(report["cases"], report["scaling"])

    print(_markdown(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".tmp")
    partial.write_text(json.dumps(report, indent=2) + "\n")
    partial.replace(args.out)
    return 1 if failed else 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000],
        help="event counts to benchmark (default: 1000000 10000000)",
    )
    parser.add_argument(
        "--shapes", nargs="+", choices=SHAPES, default=[BASE_SHAPE],
        help=f"how the events' times are written (default: {BASE_SHAPE}, the generator's)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per tool and size (default: 3)"
    )
    parser.add_argument(
        "--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="tools to run (default: all)"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=BENCH_DIR / "data",
        help="where generated data sets are cached (default: bench/data)",
    )
    parser.add_argument(
        "--out", type=Path, default=BENCH_DIR / "results" / "latest.json",
        help="JSON results file (default: bench/results/latest.json)",
    )
    return parser.parse_args(argv)


def _dataset(data_dir: Path, size: int, shape: str = BASE_SHAPE) -> Dataset:
    """The cached data set for ``size`` events with times in ``shape``, generated first if it
    is missing or was made with other parameters (a shape is a rewritten copy of the base)."""
    folder = data_dir / f"events_{size}"
    candidates = round(size / EVENTS_PER_CANDIDATE)
    wanted = {
        "candidates": candidates,
        "seed": SEED,
        "events_per_candidate": EVENTS_PER_CANDIDATE,
        "generator_sha256": hashlib.sha256(GENERATOR_SOURCE.read_bytes()).hexdigest(),
    }
    make = [sys.executable, str(BENCH_DIR / "make_dataset.py")]
    cached = _cached(folder, wanted)
    if cached is None:
        print(f"generating {size:,} events in {folder} ...", file=sys.stderr)
        subprocess.run([*make, str(folder), "--candidates", str(candidates), "--seed", str(SEED),
                        "--events-per-candidate", str(EVENTS_PER_CANDIDATE)], check=True)
        cached = _cached(folder, wanted)
    if shape != BASE_SHAPE:
        base, folder = folder, data_dir / f"events_{size}_{shape}"
        wanted.update(time_shape=shape)
        cached = _cached(folder, wanted)
        if cached is None:
            print(f"writing {size:,} events with {shape} times in {folder} ...", file=sys.stderr)
            subprocess.run([*make, str(folder), "--from", str(base), "--time-shape", shape], check=True)
            cached = _cached(folder, wanted)
    return Dataset(
        size=size,
        shape=shape,
        candidates=cached["candidates"],
        events=cached["events"],
        as_of=cached["as_of"],
        events_path=folder / EVENTS_FILE,
        interviews_path=folder / INTERVIEWS_FILE,
    )


def _cached(folder: Path, wanted: dict) -> dict | None:
    description = folder / "dataset.json"
    cached = json.loads(description.read_text()) if description.exists() else {}
    return cached if {key: cached.get(key) for key in wanted} == wanted else None


def _command(tool: str, dataset: Dataset, output: Path) -> list[str]:
    events, interviews = str(dataset.events_path), str(dataset.interviews_path)
    if tool == READ_FLOOR:
        return [sys.executable, str(BENCH_DIR / "ref_pyarrow_read.py"), events]
    if tool == SQL_REFERENCE:
        return [
            sys.executable, str(BENCH_DIR / "ref_duckdb.py"), events, interviews,
            "--as-of", dataset.as_of, "--output", str(output),
            *(["--epoch-ms"] if dataset.shape == "epoch-ms" else []),
        ]
    return [
        *_followup_executable(), "score", events, "--interviews", interviews,
        "--as-of", dataset.as_of, "--format", "parquet", "--output", str(output), "--quiet",
        *(["--workers", "2"] if tool == PARALLEL else []),
    ]


def _followup_executable() -> list[str]:
    """The `followup` script of this interpreter's environment, else `python -m followup`:
    either way the product runs on the same Python and packages as the references."""
    script = Path(sys.executable).with_name("followup")
    return [str(script)] if script.exists() else [sys.executable, "-m", "followup"]


def _measure(tool: str, dataset: Dataset, keep: Path | None = None) -> Run:
    """Run one tool in a fresh process; its wall time and peak RSS (from wait4), and the peak
    RSS of each of its processes (sampled); the result is moved to ``keep`` when given.

    Linux starts a child's ru_maxrss at the RSS high-water mark of the process that exec'd
    it (the parent, with vfork), so this process only imports the standard library and
    generates data in a separate one: its own ~20 MiB is the floor of every figure.
    """
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as scratch:
        output = Path(scratch) / f"{tool}.parquet"
        command = _command(tool, dataset, output)
        # stderr goes to a file, not a pipe: nothing is read until the child has exited,
        # and a full pipe would block it.
        with open(Path(scratch) / "stderr.txt", "w+") as stderr:
            load_before = _load()
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
            sampler = _ProcessSampler(child.pid)
            sampler.start()
            _, status, usage = os.wait4(child.pid, 0)
            wall_s = time.perf_counter() - started
            sampler.stop()
            load_after = _load()
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                stderr.seek(0)
                raise subprocess.CalledProcessError(child.returncode, command, stderr=stderr.read())
        if keep is not None and output.exists():
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(output, keep)
    # ru_maxrss is in KiB on Linux.
    return Run(
        wall_s=wall_s, cpu_s=usage.ru_utime + usage.ru_stime, peak_rss_mib=usage.ru_maxrss / 1024,
        processes=sampler.peaks(), load_before=load_before, load_after=load_after,
    )


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


class _ProcessSampler(threading.Thread):
    """Every SAMPLE_EVERY_S, the peak RSS (VmHWM) of a process and of all its descendants,
    kept per process: a Dask worker's peak is its own, not folded into its parent's."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.seen: dict[int, dict] = {}

    def run(self) -> None:
        while not self.done.is_set():
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:  # it has just exited
                    continue
                kib = next((int(line.split()[1]) for line in status.splitlines()
                            if line.startswith("VmHWM:")), 0)
                entry = self.seen.setdefault(pid, {"pid": pid, "command": command.strip()[:160], "peak_mib": 0.0})
                entry["peak_mib"] = max(entry["peak_mib"], round(kib / 1024, 1))
            self.done.wait(SAMPLE_EVERY_S)

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    # The parent id is the 2nd field after the command name in brackets.
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry.name))
        tree, queue = [], [self.root]
        while queue:
            pid = queue.pop()
            tree.append(pid)
            queue.extend(children.get(pid, []))
        return tree

    def stop(self) -> None:
        self.done.set()
        self.join()

    def peaks(self) -> list[dict]:
        return sorted(self.seen.values(), key=lambda entry: entry["pid"] != self.root)


def _same_outputs(outputs: Path, size: int, shape: str, tools: list[str]) -> dict:
    """Whether the product's results are the same frames: --workers 2 against one process,
    and this shape against the generator's own (the same instants, so the same scores)."""
    pairs = {}
    single = outputs / f"{size}-{shape}-{PRODUCT}.parquet"
    if PRODUCT in tools and PARALLEL in tools:
        pairs[f"{PARALLEL} vs {PRODUCT}"] = (outputs / f"{size}-{shape}-{PARALLEL}.parquet", single)
    base = outputs / f"{size}-{BASE_SHAPE}-{PRODUCT}.parquet"
    if PRODUCT in tools and shape != BASE_SHAPE:
        pairs[f"{PRODUCT} vs {PRODUCT} on {BASE_SHAPE}"] = (single, base)
    checks = {}
    for label, (left, right) in pairs.items():
        if not (left.exists() and right.exists()):
            checks[label] = "not compared: an output is missing"
            continue
        compared = subprocess.run([sys.executable, str(BENCH_DIR / "same_frames.py"), str(left), str(right)],
                                  capture_output=True, text=True)
        checks[label] = (compared.stdout.strip() or compared.stderr.strip()[-500:])
    return checks


def _summary(runs: list[Run]) -> dict:
    walls = [run.wall_s for run in runs]
    peaks = [run.peak_rss_mib for run in runs]
    workers = [max((p["peak_mib"] for p in run.processes[1:]), default=0.0) for run in runs]
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "median_cpu_s": round(statistics.median(run.cpu_s for run in runs), 3),
        "median_peak_rss_mib": round(statistics.median(peaks), 1),
        "median_main_rss_mib": round(statistics.median(
            run.processes[0]["peak_mib"] if run.processes else run.peak_rss_mib for run in runs), 1),
        "median_largest_child_rss_mib": round(statistics.median(workers), 1),
        "runs": [asdict(run) for run in runs],
    }


def _median(tools: dict, tool: str) -> float | None:
    return tools.get(tool, {}).get("median_s")


def _ratios(tools: dict) -> dict:
    """How many times each product run's median wall time is each reference's, and the
    speed-up of two workers."""
    ratios = {
        f"{product}/{reference}": round(_median(tools, product) / _median(tools, reference), 2)
        for product in (PRODUCT, PARALLEL)
        for reference in (READ_FLOOR, SQL_REFERENCE)
        if _median(tools, product) and _median(tools, reference)
    }
    if _median(tools, PRODUCT) and _median(tools, PARALLEL):
        ratios[f"{PRODUCT}/{PARALLEL}"] = round(_median(tools, PRODUCT) / _median(tools, PARALLEL), 2)
    return ratios


def _scaling(cases: list[dict]) -> dict:
    """Time at each size over time at the smallest, per tool; linear is the size ratio."""
    if len(cases) < 2:
        return {}
    small = cases[0]
    return {
        "from_events": small["events"],
        "steps": [
            {
                "to_events": case["events"],
                "linear": round(case["events"] / small["events"], 2),
                "time_ratio": {
                    tool: round(_median(case["tools"], tool) / _median(small["tools"], tool), 2)
                    for tool in TOOLS
                    if _median(small["tools"], tool) and _median(case["tools"], tool)
                },
            }
            for case in cases[1:]
        ],
    }


def _targets(cases: list[dict], scaling: dict) -> dict:
    """The targets, each judged where it applies; a target without data is left out."""
    targets = {}
    base = [c for c in cases if c["shape"] == BASE_SHAPE] or cases
    largest = base[-1]
    for product in (PRODUCT, PARALLEL):
        figures, ratios = largest["tools"].get(product, {}), largest["ratios"]
        if f"{product}/{READ_FLOOR}" in ratios:
            targets[f"{product} within {MAX_TIMES_READ:g}x the pyarrow read"] = (
                ratios[f"{product}/{READ_FLOOR}"] <= MAX_TIMES_READ)
        if f"{product}/{SQL_REFERENCE}" in ratios:
            targets[f"{product} no slower than the DuckDB query"] = (
                ratios[f"{product}/{SQL_REFERENCE}"] <= MAX_TIMES_SQL)
        if "median_peak_rss_mib" in figures:
            targets[f"{product} peak memory per process under {MAX_PEAK_MIB} MiB"] = (
                figures["median_peak_rss_mib"] < MAX_PEAK_MIB)
    if f"{PRODUCT}/{PARALLEL}" in largest["ratios"]:
        targets[f"--workers 2 at least {MIN_SPEEDUP_TWO_WORKERS:g}x faster than one process"] = (
            largest["ratios"][f"{PRODUCT}/{PARALLEL}"] >= MIN_SPEEDUP_TWO_WORKERS)
    for step in scaling.get("steps", [])[-1:]:
        if PRODUCT in step["time_ratio"]:
            limit = step["linear"] * MAX_SCALING_OVER_LINEAR
            targets[f"linear (time ratio at most {limit:g})"] = step["time_ratio"][PRODUCT] <= limit
    for case in cases:
        offset = next((c for c in cases if c["size"] == case["size"] and c["shape"] == "iso-offset"), None)
        if case["shape"] != "iso-offset" and offset and _median(case["tools"], PRODUCT) \
                and _median(offset["tools"], PRODUCT):
            ratio = _median(case["tools"], PRODUCT) / _median(offset["tools"], PRODUCT)
            targets[f"{case['shape']} within {MAX_SHAPE_OVER_OFFSET:g}x of iso-offset at "
                    f"{case['events']:,} ({ratio:.2f}x)"] = ratio <= MAX_SHAPE_OVER_OFFSET
    return {"at_events": largest["events"], "met": targets}


def _markdown(report: dict) -> str:
    lines = [
        "| events | times | tool | median s | min s | max s | CPU s | peak RSS MiB (largest process)"
        " | vs pyarrow read | vs DuckDB |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in report["cases"]:
        for tool, figures in case["tools"].items():
            if "error" in figures:
                lines.append(f"| {case['events']:,} | {case['shape']} | {tool} | failed | | | | | | |")
                continue
            read = _median(case["tools"], READ_FLOOR)
            sql = _median(case["tools"], SQL_REFERENCE)
            lines.append(
                f"| {case['events']:,} | {case['shape']} | {tool} | {figures['median_s']:.2f}"
                f" | {figures['min_s']:.2f}"
                f" | {figures['max_s']:.2f} | {figures['median_cpu_s']:.2f}"
                f" | {figures['median_peak_rss_mib']:,.0f}"
                f" | {_times(figures['median_s'], read)} | {_times(figures['median_s'], sql)} |"
            )
    lines.append("")
    for case in report["cases"]:
        parallel = case["tools"].get(PARALLEL, {})
        if parallel.get("runs"):
            run = parallel["runs"][0]
            lines.append(f"{case['events']:,} {case['shape']}, {PARALLEL} processes (first run): " + "; ".join(
                f"{p['peak_mib']:,.0f} MiB {p['command'][:60]!r}" for p in run["processes"]))
        for label, verdict in case["same_output"].items():
            lines.append(f"{case['events']:,} {case['shape']}: {label}: {verdict}")
    for step in report["scaling"].get("steps", []):
        lines.append(
            f"Scaling {report['scaling']['from_events']:,} -> {step['to_events']:,} events "
            f"(linear = {step['linear']:g}x): "
            + ", ".join(f"{tool} {ratio:g}x" for tool, ratio in step["time_ratio"].items())
        )
    met = report["targets"]["met"]
    if met:
        lines.append("")
        lines.append(f"Targets (speed and memory at {report['targets']['at_events']:,} events):")
        lines.extend(f"- {'met' if ok else 'MISSED'}: {target}" for target, ok in met.items())
    machine = report["machine"]
    lines.append("")
    lines.append("Load (/proc/loadavg) before -> after each run: every figure is in the JSON.")
    lines.append(
        f"{machine['cpus']} CPUs, Python {machine['python']}, pyarrow {machine['pyarrow']}, "
        f"duckdb {machine['duckdb']}, followup {machine['followup']}; "
        f"{report['repeats']} runs each, interleaved, fresh process per run."
    )
    return "\n".join(lines)


def _times(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}x" if reference else ""


def _machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **{package: version(package) for package in ("pyarrow", "duckdb", "pandas", "followup")},
    }


if __name__ == "__main__":
    sys.exit(main())
