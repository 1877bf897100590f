"""End-to-end benchmark of `followup score` against two references, from CSV files on disk.

    python bench/run_bench.py --sizes 1000000 10000000 --repeats 3

For each size (a number of events) it generates a synthetic data set with
followup.synthetic.write, ~10 events per candidate, cached in --data-dir. Then it runs each
tool --repeats times, every run a fresh Python process timed from start to exit, and records
its wall time and peak resident memory:

- pyarrow_read: only reading events.csv with pyarrow.csv.read_csv (ref_pyarrow_read.py);
- duckdb: one SQL query computing the basic features, CSV in, Parquet out (ref_duckdb.py);
- followup: `followup score ... --format parquet`, the product, CSV in, Parquet out.

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
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TOOLS = ("pyarrow_read", "duckdb", "followup")
PRODUCT, READ_FLOOR, SQL_REFERENCE = "followup", "pyarrow_read", "duckdb"
EVENTS_PER_CANDIDATE = 10.0
SEED = 0
# As followup.synthetic.write and bench/make_dataset.py name them. Neither is imported: this
# process must stay small (see _measure).
EVENTS_FILE, INTERVIEWS_FILE = "events.csv", "interviews.csv"
GENERATOR_SOURCE = BENCH_DIR.parent / "src" / "followup" / "synthetic.py"

# The targets at the largest size (bench/README.md).
MAX_TIMES_READ = 3.0
MAX_TIMES_SQL = 1.0
MAX_PEAK_MIB = 4096
# "Linear": 10x the events may take at most 12x the time.
MAX_SCALING_OVER_LINEAR = 1.2


@dataclass(frozen=True)
class Dataset:
    size: int
    candidates: int
    events: int
    as_of: str
    events_path: Path
    interviews_path: Path


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system: less sensitive than wall time to other load on the machine
    peak_rss_mib: float


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    report: dict = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "repeats": args.repeats,
        "sizes": [],
    }
    failed = False
    for size in sorted(args.sizes):
        dataset = _dataset(args.data_dir, size)
        print(
            f"{size:,} requested: {dataset.events:,} events, {dataset.candidates:,} candidates, "
            f"as of {dataset.as_of}",
            file=sys.stderr,
        )
        # Other processes slow every tool down: the load shows how far to trust the times.
        tools, load_before = {}, os.getloadavg()[0]
        for tool in args.tools:
            try:
                runs = [_measure(tool, dataset) for _ in range(args.repeats)]
            except subprocess.CalledProcessError as error:
                failed = True
                tools[tool] = {"error": f"exit {error.returncode}: {error.stderr.strip()[-2000:]}"}
                print(f"  {tool}: FAILED, {tools[tool]['error']}", file=sys.stderr)
                continue
            tools[tool] = _summary(runs)
            print(f"  {tool}: {tools[tool]['median_s']:.2f} s", file=sys.stderr)
        report["sizes"].append({
            "size": size,
            "events": dataset.events,
            "candidates": dataset.candidates,
            "as_of": dataset.as_of,
            "load_average": {"before": load_before, "after": os.getloadavg()[0]},
            "tools": tools,
            "ratios": _ratios(tools),
        })
    report["scaling"] = _scaling(report["sizes"])
    report["targets"] = _targets(report["sizes"], report["scaling"])

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


def _dataset(data_dir: Path, size: int) -> Dataset:
    """The cached data set for ``size`` events, generated first if it is missing or was made
    with other parameters."""
    folder = data_dir / f"events_{size}"
    description = folder / "dataset.json"
    candidates = round(size / EVENTS_PER_CANDIDATE)
    wanted = {
        "candidates": candidates,
        "seed": SEED,
        "events_per_candidate": EVENTS_PER_CANDIDATE,
        "generator_sha256": hashlib.sha256(GENERATOR_SOURCE.read_bytes()).hexdigest(),
    }
    cached = json.loads(description.read_text()) if description.exists() else {}
    if {key: cached.get(key) for key in wanted} != wanted:
        print(f"generating {size:,} events in {folder} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable, str(BENCH_DIR / "make_dataset.py"), str(folder),
                "--candidates", str(candidates), "--seed", str(SEED),
                "--events-per-candidate", str(EVENTS_PER_CANDIDATE),
            ],
            check=True,
        )
        cached = json.loads(description.read_text())
    return Dataset(
        size=size,
        candidates=cached["candidates"],
        events=cached["events"],
        as_of=cached["as_of"],
        events_path=folder / EVENTS_FILE,
        interviews_path=folder / INTERVIEWS_FILE,
    )


def _command(tool: str, dataset: Dataset, output: Path) -> list[str]:
    events, interviews = str(dataset.events_path), str(dataset.interviews_path)
    if tool == READ_FLOOR:
        return [sys.executable, str(BENCH_DIR / "ref_pyarrow_read.py"), events]
    if tool == SQL_REFERENCE:
        return [
            sys.executable, str(BENCH_DIR / "ref_duckdb.py"), events, interviews,
            "--as-of", dataset.as_of, "--output", str(output),
        ]
    return [
        *_followup_executable(), "score", events, "--interviews", interviews,
        "--as-of", dataset.as_of, "--format", "parquet", "--output", str(output), "--quiet",
    ]


def _followup_executable() -> list[str]:
    """The `followup` script of this interpreter's environment, else `python -m followup`:
    either way the product runs on the same Python and packages as the references."""
    script = Path(sys.executable).with_name("followup")
    return [str(script)] if script.exists() else [sys.executable, "-m", "followup"]


def _measure(tool: str, dataset: Dataset) -> Run:
    """Run one tool in a fresh process; its wall time and its own peak RSS (from wait4).

    Linux starts a child's ru_maxrss at the RSS high-water mark of the process that exec'd
    it (the parent, with vfork), so this process only imports the standard library and
    generates data in a separate one: its own ~20 MiB is the floor of every figure.
    """
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as scratch:
        command = _command(tool, dataset, Path(scratch) / f"{tool}.parquet")
        # stderr goes to a file, not a pipe: nothing is read until the child has exited,
        # and a full pipe would block it.
        with open(Path(scratch) / "stderr.txt", "w+") as stderr:
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
            _, status, usage = os.wait4(child.pid, 0)
            wall_s = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                stderr.seek(0)
                raise subprocess.CalledProcessError(child.returncode, command, stderr=stderr.read())
    # ru_maxrss is in KiB on Linux.
    return Run(
        wall_s=wall_s, cpu_s=usage.ru_utime + usage.ru_stime, peak_rss_mib=usage.ru_maxrss / 1024
    )


def _summary(runs: list[Run]) -> dict:
    walls = [run.wall_s for run in runs]
    peaks = [run.peak_rss_mib for run in runs]
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "median_cpu_s": round(statistics.median(run.cpu_s for run in runs), 3),
        "median_peak_rss_mib": round(statistics.median(peaks), 1),
        "runs": [asdict(run) for run in runs],
    }


def _median(tools: dict, tool: str) -> float | None:
    return tools.get(tool, {}).get("median_s")


def _ratios(tools: dict) -> dict:
    """How many times the product's median wall time is each reference's."""
    product = _median(tools, PRODUCT)
    return {
        f"{PRODUCT}/{reference}": round(product / _median(tools, reference), 2)
        for reference in (READ_FLOOR, SQL_REFERENCE)
        if product and _median(tools, reference)
    }


def _scaling(sizes: list[dict]) -> dict:
    """Time at the largest size over time at the smallest, per tool; linear is the size ratio."""
    if len(sizes) < 2:
        return {}
    small, large = sizes[0], sizes[-1]
    times = {
        tool: round(_median(large["tools"], tool) / _median(small["tools"], tool), 2)
        for tool in TOOLS
        if _median(small["tools"], tool) and _median(large["tools"], tool)
    }
    return {
        "from_events": small["events"],
        "to_events": large["events"],
        "linear": round(large["events"] / small["events"], 2),
        "time_ratio": times,
    }


def _targets(sizes: list[dict], scaling: dict) -> dict:
    """The README's targets, judged at the largest size; a target without data is left out."""
    largest = sizes[-1]
    product = largest["tools"].get(PRODUCT, {})
    ratios = largest["ratios"]
    targets = {}
    if f"{PRODUCT}/{READ_FLOOR}" in ratios:
        targets[f"within {MAX_TIMES_READ:g}x the pyarrow read"] = (
            ratios[f"{PRODUCT}/{READ_FLOOR}"] <= MAX_TIMES_READ
        )
    if f"{PRODUCT}/{SQL_REFERENCE}" in ratios:
        targets["no slower than the DuckDB query"] = (
            ratios[f"{PRODUCT}/{SQL_REFERENCE}"] <= MAX_TIMES_SQL
        )
    if "median_peak_rss_mib" in product:
        targets[f"peak memory under {MAX_PEAK_MIB} MiB"] = (
            product["median_peak_rss_mib"] < MAX_PEAK_MIB
        )
    if PRODUCT in scaling.get("time_ratio", {}):
        limit = scaling["linear"] * MAX_SCALING_OVER_LINEAR
        targets[f"linear (time ratio at most {limit:g})"] = scaling["time_ratio"][PRODUCT] <= limit
    return {"at_events": largest["events"], "met": targets}


def _markdown(report: dict) -> str:
    lines = [
        "| events | tool | median s | min s | max s | CPU s | peak RSS MiB | vs pyarrow read"
        " | vs DuckDB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in report["sizes"]:
        for tool, figures in size["tools"].items():
            if "error" in figures:
                lines.append(f"| {size['events']:,} | {tool} | failed | | | | | | |")
                continue
            read = _median(size["tools"], READ_FLOOR)
            sql = _median(size["tools"], SQL_REFERENCE)
            lines.append(
                f"| {size['events']:,} | {tool} | {figures['median_s']:.2f}"
                f" | {figures['min_s']:.2f}"
                f" | {figures['max_s']:.2f} | {figures['median_cpu_s']:.2f}"
                f" | {figures['median_peak_rss_mib']:,.0f}"
                f" | {_times(figures['median_s'], read)} | {_times(figures['median_s'], sql)} |"
            )
    scaling = report["scaling"]
    if scaling:
        lines.append("")
        lines.append(
            f"Scaling {scaling['from_events']:,} -> {scaling['to_events']:,} events "
            f"(linear = {scaling['linear']:g}x): "
            + ", ".join(f"{tool} {ratio:g}x" for tool, ratio in scaling["time_ratio"].items())
        )
    met = report["targets"]["met"]
    if met:
        lines.append("")
        lines.append(f"Targets at {report['targets']['at_events']:,} events:")
        lines.extend(f"- {'met' if ok else 'MISSED'}: {target}" for target, ok in met.items())
    machine = report["machine"]
    loads = ", ".join(
        f"{size['events']:,}: {size['load_average']['before']:.2f}"
        f" -> {size['load_average']['after']:.2f}"
        for size in report["sizes"]
    )
    lines.append("")
    lines.append(f"Load average (1 min) before -> after each size: {loads}.")
    lines.append("")
    lines.append(
        f"{machine['cpus']} CPUs, Python {machine['python']}, pyarrow {machine['pyarrow']}, "
        f"duckdb {machine['duckdb']}, followup {machine['followup']}; "
        f"{report['repeats']} runs each, fresh process per run."
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
