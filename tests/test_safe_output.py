"""Safe output: no live formulas from candidates' text in spreadsheets, whole files or none,
never over an input, progress only on a terminal."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from followup import present
from followup.cli import main
from followup.errors import FollowupError

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-10T00:00:00Z"
HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\tTAB=1", "\rCR=1"]
# Names are trimmed on input, so a leading tab or carriage return is gone before output.
SHOWN = {"'" + name for name in HOSTILE[:4]} | {"TAB=1", "CR=1", "Plain Name"}


@pytest.fixture
def hostile_files(tmp_path):
    """Candidates whose names and ids start with formula characters, and a hostile rejected cell."""
    interviews = tmp_path / "interviews.csv"
    with open(interviews, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["candidate_id", "name", "interview_at"])
        for number, name in enumerate(HOSTILE):
            writer.writerow([f"C{number}", name, "2026-03-02T10:00:00Z"])
        writer.writerow(["=1+1", "Plain Name", "2026-03-02T10:00:00Z"])
    events = tmp_path / "events.csv"
    with open(events, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["candidate_id", "timestamp", "channel", "direction"])
        writer.writerow(["C0", "2026-03-02T19:30:00Z", "email", "inbound"])
        writer.writerow(["C1", "2026-03-03T19:30:00Z", "=cmd|'/C calc'!A0", "inbound"])
    return tmp_path, events, interviews


def score(folder, events, interviews, *args):
    result = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF,
                                       *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def test_csv_cells_that_would_run_as_formulas_are_text(hostile_files):
    folder, events, interviews = hostile_files
    score(folder, events, interviews, "-o", folder / "out.csv", "--rejects", folder / "rejects.csv")
    for path in (folder / "out.csv", folder / "rejects.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], path
    shortlist = pd.read_csv(folder / "out.csv", dtype=str, keep_default_na=False)
    assert set(shortlist["name"]) == SHOWN
    assert "'=1+1" in set(shortlist["candidate_id"])
    rejects = pd.read_csv(folder / "rejects.csv", dtype=str)
    assert rejects["value"].tolist() == ["'=cmd|'/C calc'!A0"]


def test_every_formula_start_is_neutralised_in_text_columns_only():
    frame = pd.DataFrame({"text": [*HOSTILE, "ok", None], "number": [-1.5, -2, 3, 4, 5, 6, 7, None],
                          "count": pd.array([-1, 0, 1, 2, 3, 4, 5, None], dtype="Int64")})
    safe = present.spreadsheet_safe(frame)
    assert safe["text"].tolist()[:-1] == ["'" + value for value in HOSTILE] + ["ok"]
    assert pd.isna(safe["text"].iloc[-1])
    pd.testing.assert_frame_equal(safe[["number", "count"]], frame[["number", "count"]])
    assert frame["text"].tolist()[0] == HOSTILE[0]  # the caller's frame is left alone


def test_numbers_stay_numbers_in_csv(hostile_files):
    folder, events, interviews = hostile_files
    score(folder, events, interviews, "-o", folder / "out.csv")
    shortlist = pd.read_csv(folder / "out.csv")
    for column in ("score", "speed", "persistence", "restraint", "inbound_contacts"):
        assert pd.api.types.is_numeric_dtype(shortlist[column]), column
    assert shortlist["score"].notna().any()


def test_piped_csv_on_stdout_is_neutralised_too(hostile_files):
    folder, events, interviews = hostile_files
    result = score(folder, events, interviews, "--format", "csv", "--quiet")
    assert "'=HYPERLINK" in result.stdout and "\n=" not in result.stdout and ",=" not in result.stdout


def test_excel_shows_formulas_as_text_and_numbers_as_numbers(hostile_files):
    folder, events, interviews = hostile_files
    score(folder, events, interviews, "-o", folder / "out.xlsx")
    sheet = openpyxl.load_workbook(folder / "out.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert not [cell.coordinate for row in rows for cell in row if cell.data_type == "f"]
    names = [row[header.index("name")] for row in rows]
    assert all(cell.data_type == "s" for cell in names)
    assert {cell.value for cell in names} == SHOWN
    scores = [row[header.index("score")] for row in rows if row[header.index("score")].value is not None]
    assert scores and all(cell.data_type == "n" for cell in scores)


def test_json_keeps_the_exact_text(hostile_files):
    """JSON is read by programs, not spreadsheets: values are kept exactly as written."""
    folder, events, interviews = hostile_files
    import json

    document = json.loads(score(folder, events, interviews, "--format", "json").stdout)
    assert {c["name"] for c in document["candidates"]} == {name.strip() for name in HOSTILE} | {"Plain Name"}


def test_an_interrupted_write_leaves_the_previous_file_and_no_partial_one(tmp_path):
    target = tmp_path / "shortlist.csv"
    target.write_text("the previous, complete result\n")

    def interrupted(path: Path):
        path.write_text("half a res")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        present.atomic_write(target, interrupted)
    assert target.read_text() == "the previous, complete result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shortlist.csv"]

    fresh = tmp_path / "new.json"
    with pytest.raises(KeyboardInterrupt):
        present.atomic_write(fresh, interrupted)
    assert not fresh.exists()


def test_a_killed_process_leaves_no_half_written_output(tmp_path):
    """SIGKILL mid-write cannot be cleaned up after: the target is untouched, and only a hidden
    .NAME.*.tmp file is left behind."""
    target = tmp_path / "shortlist.csv"
    target.write_text("the previous, complete result\n")
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from followup.present import atomic_write\n"
        "def write(path):\n"
        "    path.write_text('half a res')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "atomic_write(sys.argv[1], write)\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, timeout=120)
    assert run.returncode == -9
    assert target.read_text() == "the previous, complete result\n"
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(name.startswith(".shortlist.csv.") and name.endswith(".tmp") for name in leftovers)


def test_refuses_to_write_over_any_input_however_it_is_named(hostile_files):
    folder, events, interviews = hostile_files
    (folder / "link.csv").symlink_to(events)
    os.link(interviews, folder / "hardlink.csv")
    before = events.read_bytes(), interviews.read_bytes()
    for args in (["-o", folder / "link.csv"], ["-o", folder / "hardlink.csv"],
                 ["-o", folder / "out.csv", "--rejects", folder / "." / "interviews.csv"]):
        result = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF,
                                           *map(str, args)])
        assert result.exit_code == 1
        assert "refusing to write output over the input file" in result.stderr
    assert (events.read_bytes(), interviews.read_bytes()) == before


def test_output_and_rejects_cannot_be_the_same_file(hostile_files):
    folder, events, interviews = hostile_files
    result = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", AS_OF,
                                       "-o", str(folder / "same.csv"), "--rejects", str(folder / "same.csv")])
    assert result.exit_code == 1 and "are the same file" in result.stderr


def test_atomic_write_refuses_a_missing_folder(tmp_path):
    with pytest.raises(FollowupError, match="does not exist"):
        present.atomic_write(tmp_path / "nowhere" / "out.csv", lambda p: p.write_text("x"))


def _run_on_a_terminal(*args) -> str:
    """Run the CLI with stderr on a pseudo-terminal (stdout to a file); return what stderr showed."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "followup", *args], stdout=subprocess.DEVNULL,
                               stderr=secondary, env=env, cwd=ROOT)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=120)
    os.close(primary)
    return shown.decode("utf-8", errors="replace")


SAMPLE_ARGS = ["score", "sample_data/events.csv", "-i", "sample_data/interviews.csv",
               "--as-of", "2026-03-31T18:00:00-04:00", "--format", "csv"]


def test_progress_shows_on_a_terminal_and_not_with_quiet():
    shown = _run_on_a_terminal(*SAMPLE_ARGS)
    # Which stages a refresh catches depends on the machine's speed: any of them will do.
    stages = ("starting", "reading interviews", "reading events", "follow-up windows", "scoring", "ranking")
    assert any(stage in shown for stage in stages), shown
    quiet = _run_on_a_terminal(*SAMPLE_ARGS, "--quiet")
    assert quiet.strip() == ""


def test_no_progress_when_stderr_is_piped():
    run = subprocess.run([sys.executable, "-m", "followup", *SAMPLE_ARGS], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0
    assert run.stderr.strip().splitlines() == [line for line in run.stderr.strip().splitlines()
                                               if line.startswith("32 candidates: 19 ok")]


def test_progress_names_each_stage_in_order():
    from rich.console import Console

    from followup.progress import SCORE_STAGES, stages

    screen = io.StringIO()
    with stages(enabled=True, console=Console(file=screen, force_terminal=True, width=100)) as step:
        for stage in SCORE_STAGES:
            step(stage)
    assert f"{len(SCORE_STAGES) - 1}/{len(SCORE_STAGES)}" in screen.getvalue()


@pytest.mark.parametrize("option", ["--output", "--rejects"])
def test_an_output_into_a_missing_folder_is_refused_before_any_work(tmp_path, option):
    """A long partitioned run must not find out at its end that it cannot write its file."""
    from click.testing import CliRunner

    from followup.cli import main

    target = tmp_path / "no-such-folder" / "out.csv"
    result = CliRunner().invoke(main, [*SAMPLE_ARGS, "--workers", "2", option, str(target)])
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: folder {target.parent} does not exist\n"
    assert "Dask" not in result.output and not target.parent.exists()
