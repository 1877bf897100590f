"""The command line as a user and a batch job meet it: every command, format and exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from followup.cli import main

ROOT = Path(__file__).resolve().parents[1]
EVENTS = str(ROOT / "sample_data" / "events.csv")
INTERVIEWS = str(ROOT / "sample_data" / "interviews.csv")
AS_OF = "2026-03-31T18:00:00-04:00"
TZ = "America/New_York"
SAMPLE = [EVENTS, "--interviews", INTERVIEWS, "--as-of", AS_OF, "--tz", TZ]


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_score_table_is_ranked_with_flags_and_a_footer(run):
    result = run("score", *SAMPLE, "--format", "table")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "C001 Alice Hartman" in out
    assert "NO_CONTACT" in out and "EXCESSIVE_HANGUPS" in out
    assert "as of 2026-03-31T18:00:00-04:00" in out
    assert "policy sales (" in out
    assert "rows read 337 = used 330 + duplicates 2 + rejected 5" in out
    # Ranked: the first listed candidate comes before the silent ones.
    assert out.index("C001") < out.index("C004 Derek Sloane")


def test_score_csv_when_piped_carries_as_of_and_policy(run):
    result = run("score", *SAMPLE)  # CliRunner's stdout is not a terminal: csv by default
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = lines[0].split(",")
    for column in ("candidate_id", "status", "score", "grade", "flags", "reasons", "as_of", "policy"):
        assert column in header
    assert len(lines) == 1 + 32
    assert "rows read 337" in result.stderr


def test_score_json_document_shape(run):
    result = run("score", *SAMPLE, "--format", "json", "--quiet")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) >= {"as_of", "policy", "counts", "candidates"}
    assert document["counts"] == {"rows_read": 337, "rows_used": 330, "duplicates": 2, "rejected": 5}
    assert document["policy"]["name"] == "sales" and len(document["policy"]["hash"]) == 12
    by_id = {c["candidate_id"]: c for c in document["candidates"]}
    assert by_id["C025"]["flags"] == ["NO_CONTACT", "TOO_FREQUENT", "WENT_SILENT"]
    assert isinstance(by_id["C001"]["reasons"], list) and by_id["C001"]["reasons"]
    assert by_id["C016"]["status"] == "upcoming" and by_id["C016"]["score"] is None
    assert result.stderr == ""


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet", ".xlsx"])
def test_output_format_inferred_from_extension(run, tmp_path, suffix):
    target = tmp_path / f"shortlist{suffix}"
    result = run("score", *SAMPLE, "--output", target)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        frame = pd.read_csv(target)
    elif suffix == ".json":
        frame = pd.DataFrame(json.loads(target.read_text())["candidates"])
    elif suffix == ".parquet":
        frame = pd.read_parquet(target)
    else:
        frame = pd.read_excel(target)
    assert len(frame) == 32
    assert set(frame["status"]) == {"ok", "flagged", "pending", "upcoming"}
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_rejects_report_names_file_row_and_reason(run, tmp_path):
    rejects = tmp_path / "rejects.csv"
    result = run("score", *SAMPLE, "--rejects", rejects, "--quiet")
    assert result.exit_code == 0
    report = pd.read_csv(rejects)
    assert list(report.columns) == ["source_file", "source_row", "kind", "code", "column", "value", "reason",
                                    "duplicate_of_file", "duplicate_of_row"]
    assert (report["kind"] == "rejected").sum() == 5 and (report["kind"] == "duplicate").sum() == 2
    pigeon = report[report["source_row"] == 86].iloc[0]
    assert pigeon["column"] == "channel" and pigeon["value"] == "carrier pigeon"
    assert pigeon["code"] == "UNKNOWN_CHANNEL" and "unknown channel" in pigeon["reason"]
    duplicates = report[report["kind"] == "duplicate"]
    assert set(duplicates["code"]) == {"DUPLICATE"}
    assert (duplicates["duplicate_of_file"] == duplicates["source_file"]).all()
    assert (duplicates["duplicate_of_row"] < duplicates["source_row"]).all()


def test_strict_mode_exits_1_naming_the_row(run):
    result = CliRunner().invoke(main, ["score", *SAMPLE, "--strict"])
    assert result.exit_code == 1
    assert "events.csv: row 86, column 'channel'" in result.stderr
    assert "Traceback" not in result.output


def test_flags_lists_only_flagged_and_fail_on_flag_exits_3(run):
    result = run("flags", *SAMPLE, "--format", "json", "--quiet")
    assert result.exit_code == 0
    flagged = json.loads(result.stdout)["candidates"]
    assert flagged and all(c["flags"] for c in flagged)
    assert {c["candidate_id"] for c in flagged} >= {"C004", "C007", "C006", "C003"}
    failing = CliRunner().invoke(main, ["flags", *SAMPLE, "--fail-on-flag", "--quiet"])
    assert failing.exit_code == 3


def test_fail_on_flag_exits_0_when_nobody_is_flagged(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction\n"
                      "A,2026-03-02T20:00:00Z,email,inbound\n")
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,interview_at\nA,2026-03-02T14:00:00Z\n")
    result = CliRunner().invoke(main, ["flags", str(events), "-i", str(interviews),
                                       "--as-of", "2026-03-04T00:00:00Z", "--fail-on-flag"])
    assert result.exit_code == 0


def test_validate_reports_accounting_per_file(run):
    result = run("validate", EVENTS, "--interviews", INTERVIEWS, "--tz", TZ, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["counts"] == {"rows_read": 337, "rows_used": 330, "duplicates": 2, "unmatched": 0, "rejected": 5}
    files = {Path(f["source_file"]).name: f for f in report["files"]}
    assert files["events.csv"]["rows_read"] == 302 and files["interviews.csv"]["rows_read"] == 35
    assert any(r["reason"] == "candidate has no interview in the interview list" for r in report["rejects"])
    table = run("validate", EVENTS, "--tz", TZ)
    assert "total: rows read 302" in table.output


@pytest.mark.parametrize("args, message", [
    (["score", "missing.csv", "-i", INTERVIEWS], "missing.csv: no such file"),
    (["score", EVENTS, "-i", INTERVIEWS, "--tz", "Mars/Olympus"], "unknown time zone"),
    (["score", EVENTS, "-i", INTERVIEWS, "--as-of", "someday"], "as-of 'someday' is not a time"),
    (["score", EVENTS, "-i", INTERVIEWS, "--policy", "nonsense"], "no policy 'nonsense'"),
    (["score", EVENTS, "-i", INTERVIEWS, "-o", "out.unknown"], "cannot tell the format"),
])
def test_errors_are_one_line_and_exit_1(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_score_table_shows_hostile_names_as_text(tmp_path, run):
    """A name carrying rich markup or a terminal escape sequence must not style or steer the
    hiring manager's terminal."""
    interviews = pd.read_csv(INTERVIEWS, dtype=str)
    interviews.loc[interviews["candidate_id"] == "C001", "name"] = "[blink]Eve[/blink] \x1b]0;owned\x07"
    hostile = tmp_path / "interviews.csv"
    interviews.to_csv(hostile, index=False)
    result = run("score", EVENTS, "--interviews", hostile, "--as-of", AS_OF, "--tz", TZ, "--format", "table")
    assert result.exit_code == 0, result.output
    assert "[blink]Eve[/blink]" in result.output
    assert "\x1b" not in result.output and "\\x1b]0;owned\\x07" in result.output


def test_usage_errors_exit_2():
    assert CliRunner().invoke(main, ["score"]).exit_code == 2
    assert CliRunner().invoke(main, ["score", EVENTS]).exit_code == 2  # no --interviews
    assert CliRunner().invoke(main, ["score", *SAMPLE, "--format", "yaml"]).exit_code == 2


def test_refuses_to_write_over_an_input(tmp_path):
    events = tmp_path / "events.csv"
    events.write_bytes(Path(EVENTS).read_bytes())
    before = events.read_bytes()
    result = CliRunner().invoke(main, ["score", str(events), "-i", INTERVIEWS, "--as-of", AS_OF,
                                       "-o", str(events)])
    assert result.exit_code == 1 and "refusing to write" in result.stderr
    assert events.read_bytes() == before


def test_outputs_get_the_usual_file_mode_and_keep_an_existing_one(tmp_path):
    """Atomic writes go through a private temporary file; the result must not stay owner-only."""
    import os
    fresh, existing = tmp_path / "fresh.csv", tmp_path / "existing.csv"
    existing.write_text("old")
    existing.chmod(0o640)
    old_mask = os.umask(0o022)
    try:
        for target in (fresh, existing):
            result = CliRunner().invoke(main, ["score", *SAMPLE, "-o", str(target)])
            assert result.exit_code == 0, result.output
    finally:
        os.umask(old_mask)
    assert fresh.stat().st_mode & 0o777 == 0o644
    assert existing.stat().st_mode & 0o777 == 0o640
    assert existing.read_text().startswith("rank,candidate_id")


def test_policies_list_show_and_check(run, tmp_path):
    listing = run("policies")
    assert listing.exit_code == 0 and "sales (default)" in listing.output
    shown = run("policies", "show", "sales")
    assert "no_contact_days = 7" in shown.output
    copy = tmp_path / "mine.toml"
    copy.write_text(shown.output.replace("no_contact_days = 7", "no_contact_days = 5"))
    assert "valid policy" in run("policies", "check", copy).output
    copy.write_text(shown.output.replace("no_contact_days = 7", "no_contact_days = 500"))
    bad = CliRunner().invoke(main, ["policies", "check", str(copy)])
    assert bad.exit_code == 1 and "windows.no_contact_days" in bad.stderr
    copy.write_text("surprise = 1\n" + shown.output)
    unknown = CliRunner().invoke(main, ["policies", "check", str(copy)])
    assert unknown.exit_code == 1 and "surprise: unknown key" in unknown.stderr


def test_edited_policy_changes_the_result(run, tmp_path):
    strict_policy = tmp_path / "strict.toml"
    strict_policy.write_text(run("policies", "show", "sales").output.replace(
        "max_contacts_per_window = 2", "max_contacts_per_window = 1"))
    default = json.loads(run("score", *SAMPLE, "-f", "json", "-q").stdout)
    edited = json.loads(run("score", *SAMPLE, "-f", "json", "-q", "--policy", strict_policy).stdout)
    count = lambda doc: sum("TOO_FREQUENT" in c["flags"] for c in doc["candidates"])
    assert count(edited) > count(default)
    assert edited["policy"]["hash"] != default["policy"]["hash"]


def test_sample_command_writes_a_scoreable_set(run, tmp_path):
    result = run("sample", "--candidates", 200, "--seed", 3, "--output-dir", tmp_path)
    assert result.exit_code == 0
    as_of = result.output.strip().split("--as-of ")[1]
    scored = run("score", tmp_path / "events.csv", "-i", tmp_path / "interviews.csv",
                 "--as-of", as_of, "-f", "json", "-q")
    document = json.loads(scored.stdout)
    assert len(document["candidates"]) == 200
    assert {c["status"] for c in document["candidates"]} >= {"ok", "flagged"}


def test_console_script_runs_as_a_subprocess():
    completed = subprocess.run([sys.executable, "-m", "followup", "score", *SAMPLE, "-f", "csv", "-q"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("rank,candidate_id")
    help_text = subprocess.run([sys.executable, "-m", "followup", "score", "--help"],
                               capture_output=True, text=True, timeout=60).stdout
    assert "--as-of" in help_text and "--fail-on-flag" not in help_text


def test_records_are_validated_objects_for_programs():
    from followup import score
    from followup.present import records

    shortlist = records(score(EVENTS, INTERVIEWS, as_of=AS_OF, tz=TZ))
    assert len(shortlist) == 32
    silent = next(r for r in shortlist if r.candidate_id == "C004")
    assert silent.flags == ["NO_CONTACT"] and silent.grade == "D" and silent.inbound_contacts == 0


def test_a_run_uses_arrows_jemalloc_pool_unless_the_user_chose_one(run, monkeypatch):
    """The faster pool behind the 10M-event figure in docs/performance.md."""
    import pyarrow as pa

    if "jemalloc" not in pa.supported_memory_backends():
        pytest.skip("this pyarrow build has no jemalloc")
    chosen = pa.default_memory_pool()
    try:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
        assert run("policies").exit_code == 0
        assert pa.default_memory_pool().backend_name == "jemalloc"
        pa.set_memory_pool(pa.system_memory_pool())
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
        assert run("policies").exit_code == 0
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(chosen)
