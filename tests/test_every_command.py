"""Every command of ``followup --help``, and every file-taking option, over every file of the
bad-input corpus (tests/data/bad/): each run ends with a documented exit code — 0, or 1 with
an ``error:`` line — never an ``internal error`` line, a traceback or a hang. A new command or
option that takes a file is run here too, or this test says it is missing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import time_limit
from followup.cli import OutputPath, main

BAD = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST = tomllib.loads((BAD / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
AS_OF = "2026-03-31T00:00:00Z"
TIME_LIMIT_S = 30
# `sample` and `pseudonym` read no file; `policies` lists the presets, `policies show` names one.
NO_FILE_COMMANDS = {"sample", "pseudonym", "policies"}




@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """Small valid inputs to pair each bad file with."""
    folder = tmp_path_factory.mktemp("good")
    (folder / "events.csv").write_text("candidate_id,timestamp,channel,direction\n"
                                       "C001,2026-03-02T19:30:00Z,email,inbound\n")
    (folder / "interviews.csv").write_text("candidate_id,name,interview_at,interviewers\n"
                                           "C001,Ann Lee,2026-03-02T10:00:00Z,Dana Whitfield\n"
                                           "C002,Bo Ek,2026-03-02T11:00:00Z,\n")
    (folder / "outcomes.csv").write_text("candidate_id,outcome\nC001,hired\nC002,rejected\n")
    return folder


def runs(file: Path, kind: str, good: Path, out: Path) -> list[list]:
    """Each command with ``file`` in every place a file goes."""
    events, interviews, outcomes = good / "events.csv", good / "interviews.csv", good / "outcomes.csv"
    as_events, as_interviews = ([file], interviews) if kind == "events" else ([events], file)
    scored = [*as_events, "-i", as_interviews, "--as-of", AS_OF]
    plain = [events, "-i", interviews, "--as-of", AS_OF]
    return [
        ["score", *scored, "--format", "csv", "--rejects", out / "rejects.json"],
        ["flags", *scored, "--format", "json"],
        ["report", *scored, "-o", out / "report.html"],
        ["explain", "C001", *scored],
        ["validate", *as_events, "-i", as_interviews, "--rejects", out / "rejects.xlsx"],
        ["train", *scored, "--outcomes", outcomes, "-o", out / "model.skops"],
        # The same file in every other place a command reads one.
        ["train", *plain, "--outcomes", file, "-o", out / "model.skops"],
        ["score", *plain, "--candidates", file, "--format", "csv"],
        ["score", *plain, "--map", file, "--source", "map", "--format", "csv"],
        ["score", *plain, "--policy", file, "--format", "csv"],
        ["score", *plain, "--model", file, "--format", "csv"],
        ["policies", "check", file],
        ["replay", *as_events, "-i", as_interviews, "--from", "2026-03-29T00:00:00Z", "--to", AS_OF,
         "--every", "1d", "--history", out / "replayed"],
        ["score", *plain, "--history", out / "runs", "--format", "csv"],
        # A history holding the file where a run should be: a hand-edited or corrupt run.
        ["changes", "--history", _history_holding(file, out)],
        ["--config", file, "config"],
    ]


def _history_holding(file: Path, out: Path) -> Path:
    place = out / "history"
    night = place / "as_of_date=2026-03-31"
    night.mkdir(parents=True, exist_ok=True)
    (night / "run-20260331T000000Z.parquet").write_bytes(file.read_bytes())
    return place


def test_every_command_and_file_option_is_exercised():
    """The runs above cover every command and every option that reads a file: a new one
    must be added to them."""
    covered_commands = {"score", "flags", "report", "explain", "validate", "train", "check", "replay", "changes",
                        "config"}
    covered_options = {"events", "interviews", "outcomes", "candidates", "map_file", "policy", "model", "file",
                       "history"}
    commands = {name: command for name, command in main.commands.items() if name not in NO_FILE_COMMANDS}
    commands.update(main.commands["policies"].commands)
    commands.pop("show")
    assert set(commands) == covered_commands
    reading = {param.name for command in commands.values() for param in command.params
               if isinstance(param.type, click.Path) and not isinstance(param.type, OutputPath)}
    assert reading | {"policy"} == covered_options


@pytest.mark.parametrize("case", MANIFEST, ids=[case["file"] for case in MANIFEST])
def test_no_command_ends_in_an_internal_error_on_any_bad_file(case, good, tmp_path):
    file = BAD / case["file"]
    for args in runs(file, case.get("kind", "events"), good, tmp_path):
        with time_limit(TIME_LIMIT_S):
            result = CliRunner().invoke(main, [str(a) for a in args])
        shown = " ".join(map(str, args))
        assert result.exception is None or isinstance(result.exception, SystemExit), (shown, result.exception)
        assert "Traceback" not in result.output and "internal error" not in result.output, (shown, result.output)
        assert result.exit_code in (0, 1), (shown, result.exit_code, result.output)
        if result.exit_code == 1:
            assert result.stderr.strip().splitlines()[-1].startswith("error: "), (shown, result.stderr)
