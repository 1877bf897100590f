"""What a hostile or unlucky run does to the outputs, the terminal and the error lines
(issue 12, the output side): nothing the run reads is overwritten, every output file has the
format its name says, no cell becomes a live formula, --redact leaves no address or number
anywhere, data never drives the terminal, a full disk is one line, --as-of is never guessed,
and explain stays bounded. The files are in tests/data/bad/ (out_*)."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from followup import present, terminal
from followup.cli import main
from followup.errors import FollowupError

BAD = Path(__file__).resolve().parent / "data" / "bad"
ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31T00:00:00Z"
KEY = "a long secret, kept by the data owner"
FORMULA_STARTS = ("=", "+", "-", "@")


def run(*args, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.output
    return result


@pytest.fixture
def inputs(tmp_path):
    """A small run: events, an interview list, a roster, a policy file and a column mapping."""
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction\nC001,2026-03-02T19:30:00Z,email,inbound\n"
                      "C002,2026-03-03T19:30:00Z,carrier pigeon,inbound\n")
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at\nC001,Ann Lee,2026-03-02T10:00:00Z\n"
                          "C002,Bo Ek,2026-03-02T11:00:00Z\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("candidate_id,name,emails,phones\nC001,Ann Lee,ann@example.com,\n")
    policy = tmp_path / "policy.toml"
    policy.write_text(run("policies", "show", "sales").stdout)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\ncandidate = "candidate_id"\ntime = "timestamp"\n'
                       'channel = "channel"\ndirection = "direction"\n')
    return tmp_path, events, interviews, roster, policy, mapping


# ------------------------------------------------------------------ 1. never over an input
def _spellings(folder: Path, target: Path) -> dict[str, Path]:
    """The same file under other names: absolute, through .., a symlink and a hard link."""
    (folder / "sub").mkdir(exist_ok=True)
    (folder / f"link-{target.name}").symlink_to(target)
    os.link(target, folder / f"hard-{target.name}")
    return {"as given": target, "absolute": target.resolve(), "dot-dot": folder / "sub" / ".." / target.name,
            "symlink": folder / f"link-{target.name}", "hard link": folder / f"hard-{target.name}"}


@pytest.mark.parametrize("which", ["events", "interviews", "roster", "policy", "mapping"])
@pytest.mark.parametrize("option", ["--output", "--rejects"])
def test_no_output_overwrites_any_file_the_run_reads_however_it_is_spelled(inputs, which, option):
    folder, events, interviews, roster, policy, mapping = inputs
    target = {"events": events, "interviews": interviews, "roster": roster, "policy": policy,
              "mapping": mapping}[which]
    before = {path: path.read_bytes() for path in (events, interviews, roster, policy, mapping)}
    for spelling, path in _spellings(folder, target).items():
        other = ["--rejects", folder / "r.csv"] if option == "--output" else ["--output", folder / "o.csv"]
        result = run("score", events, "-i", interviews, "--as-of", AS_OF, "--candidates", roster,
                     "--policy", policy, "--map", mapping, "--format", "csv", option, path, *other)
        assert result.exit_code == 1, (spelling, result.output)
        assert "refusing to write output over the input file" in result.stderr, spelling
        assert {p: p.read_bytes() for p in before} == before, spelling
        assert not (folder / "r.csv").exists() and not (folder / "o.csv").exists(), "nothing written first"


def test_every_command_that_writes_protects_its_inputs(inputs):
    folder, events, interviews, roster, policy, mapping = inputs
    before = {path: path.read_bytes() for path in (events, interviews, roster, policy)}
    common = [events, "-i", interviews, "--as-of", AS_OF, "--policy", policy]
    runs = [["validate", events, "-i", interviews, "--candidates", roster, "--rejects", roster],
            ["explain", "C001", *common, "-o", policy],
            ["report", *common, "-o", folder / "hard-policy"],
            ["flags", *common, "--candidates", roster, "-o", roster, "--format", "csv"],
            ["train", *common, "--outcomes", roster, "-o", folder / "model.skops", "--rejects", roster]]
    os.link(policy, folder / "hard-policy")
    for args in runs:
        result = run(*args)
        assert result.exit_code == 1 and "refusing to write" in result.stderr, args
    assert {p: p.read_bytes() for p in before} == before


def test_a_file_inside_an_input_folder_is_protected_and_the_folder_not_written_into(inputs, tmp_path):
    folder, events, interviews, *_ = inputs
    logs = tmp_path / "logs"
    (logs / "2026").mkdir(parents=True)
    inside = logs / "2026" / "march.csv"
    inside.write_bytes(events.read_bytes())
    result = run("score", logs, "-i", interviews, "--as-of", AS_OF, "-o", inside)
    assert result.exit_code == 1 and "over the input file" in result.stderr
    result = run("score", logs, "-i", interviews, "--as-of", AS_OF, "-o", logs / "shortlist.csv")
    assert result.exit_code == 1 and "inside the input folder" in result.stderr
    assert inside.read_bytes() == events.read_bytes() and not (logs / "shortlist.csv").exists()
    assert run("score", logs, "-i", interviews, "--as-of", AS_OF, "-o", tmp_path / "out.csv").exit_code == 0


def test_the_guard_is_one_function_every_write_goes_through(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("x\n")
    os.link(source, tmp_path / "alias.csv")
    with pytest.raises(FollowupError, match="over the input file"):
        present.atomic_write(tmp_path / "alias.csv", lambda p: p.write_text("y"), [source])
    with pytest.raises(FollowupError, match="are the same file"):
        present.refuse_overwriting_inputs([tmp_path / "a.csv", tmp_path / "." / "a.csv"], [])
    assert source.read_text() == "x\n"


# ------------------------------------------------------------------ 2. rejects in their format
READERS = {".csv": pd.read_csv, ".json": pd.read_json, ".jsonl": lambda p: pd.read_json(p, lines=True),
           ".parquet": pd.read_parquet, ".xlsx": pd.read_excel}


@pytest.mark.parametrize("suffix", list(READERS))
@pytest.mark.parametrize("command", ["score", "validate"])
def test_rejects_are_written_in_the_format_their_name_says(inputs, suffix, command):
    folder, events, interviews, *_ = inputs
    rejects = folder / f"rejects{suffix}"
    args = (["score", events, "-i", interviews, "--as-of", AS_OF, "-o", folder / "out.csv"]
            if command == "score" else ["validate", events, "-i", interviews])
    assert run(*args, "--rejects", rejects).exit_code == 0
    if suffix == ".xlsx":
        assert openpyxl.load_workbook(rejects).active.max_row == 2
    frame = READERS[suffix](rejects)
    assert frame[["source_row", "column", "value"]].astype(str).values.tolist() == [["2", "channel", "carrier pigeon"]]


def test_a_rejects_name_without_a_known_format_is_refused_before_any_work(inputs):
    folder, events, interviews, *_ = inputs
    result = run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", folder / "out.csv",
                 "--rejects", folder / "rejects.txt")
    assert result.exit_code == 1 and "name it .csv, .json, .jsonl, .parquet or .xlsx" in result.stderr
    assert not (folder / "out.csv").exists()


# ------------------------------------------------------------------ 3. line breaks and formulas
def _no_line_starts_a_formula(raw: str) -> None:
    """Even a reader that splits rows on every bare CR or LF finds no row starting with a formula."""
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(FORMULA_STARTS), repr(line)


def _hostile_run(tmp_path):
    events = tmp_path / "events.csv"
    with open(events, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["candidate_id", "timestamp", "channel", "direction"])
        writer.writerow(["C001", "2026-03-02T19:30:00Z", "email", "inbound"])
        writer.writerow(["C002", "2026-03-03T19:30:00Z", "email\r=1+2", "inbound"])  # rejected, quoted back
    return events, BAD / "out_interviews_without_interviewers.csv"


def test_a_line_break_in_a_cell_is_quoted_and_neutralised_in_outputs_and_rejects(tmp_path):
    events, interviews = _hostile_run(tmp_path)
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    assert run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", out, "--rejects", rejects).exit_code == 0
    for path, column, expected in ((out, "name", "Bob\r'=1+2"), (rejects, "value", "email\r'=1+2")):
        raw = path.read_bytes().decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(raw, newline="")))
        assert expected in [row[column] for row in rows]  # one cell, quoted: no extra row
        _no_line_starts_a_formula(raw)
    piped = run("score", events, "-i", interviews, "--as-of", AS_OF, "--format", "csv").stdout
    _no_line_starts_a_formula(piped)
    assert "Bob\r'=1+2" in [row["name"] for row in csv.DictReader(io.StringIO(piped, newline=""))]


def test_a_line_break_in_a_cell_is_neutralised_in_excel_too(tmp_path):
    events, interviews = _hostile_run(tmp_path)
    out, rejects = tmp_path / "out.xlsx", tmp_path / "rejects.xlsx"
    assert run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", out, "--rejects", rejects).exit_code == 0
    # XML, inside the workbook, reads a CR back as an LF.
    cells = [cell.value for path in (out, rejects) for row in openpyxl.load_workbook(path).active.iter_rows()
             for cell in row if isinstance(cell.value, str)]
    assert "Bob\n'=1+2" in cells and "email\n'=1+2" in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]


def test_control_characters_excel_cannot_hold_are_shown_escaped_not_a_crash(tmp_path):
    events = BAD / "out_terminal_escapes.csv"
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at\nC001\x1b[2J,Bell\x07Name,2026-03-02T10:00:00Z\n")
    out = tmp_path / "out.xlsx"
    assert run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", out, "--rejects", tmp_path / "r.xlsx").exit_code == 0
    names = [row[2].value for row in openpyxl.load_workbook(out).active.iter_rows(min_row=2)]
    assert names == ["Bell\\x07Name"]


# ------------------------------------------------------------------ 4. redaction everywhere
SECRETS = ("dave@", "Dave Doe", "555-010-0199", "5550100199")


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def contact_ids(tmp_path):
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at\nmailto:dave@example.com,D,2026-03-02T10:00:00Z\n"
                          "Dave Doe <dave@example.com>,D,2026-03-02T10:00:00Z\n"
                          "tel:+1-555-010-0199,D,2026-03-02T10:00:00Z\n")
    return BAD / "out_contact_data_in_ids.csv", interviews


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl", ".parquet", ".xlsx", ".txt"])
def test_redact_hides_addresses_and_numbers_inside_candidate_ids_in_every_output(contact_ids, tmp_path, suffix):
    events, interviews = contact_ids
    out = tmp_path / f"out{suffix}"
    rejects = tmp_path / "rejects.json"
    result = run("score", events, "-i", interviews, "--as-of", AS_OF, "--redact", "-o", out, "--rejects", rejects,
                 env={"FOLLOWUP_REDACT_KEY": KEY})
    assert result.exit_code == 0, result.output
    if suffix == ".parquet":
        shown = pd.read_parquet(out).to_csv()
    elif suffix == ".xlsx":
        shown = pd.concat(pd.read_excel(out, sheet_name=None).values()).to_csv()
    else:
        shown = out.read_text(encoding="utf-8")
    assert _leaks(shown + rejects.read_text() + result.stderr) == []
    assert shown.count("id-") >= 2  # mailto: and Name <address> become id-… pseudonyms, not kept


def test_redact_covers_stdout_explain_report_validate_and_the_pseudonym_lookup(contact_ids, tmp_path):
    events, interviews = contact_ids
    env = {"FOLLOWUP_REDACT_KEY": KEY}
    common = [events, "-i", interviews, "--as-of", AS_OF, "--redact"]
    outputs = [run("score", *common, "--format", "json", env=env).stdout,
               run("flags", *common, "--format", "csv", env=env).stdout,
               run("validate", events, "-i", interviews, "--redact", "--format", "json", env=env).stdout,
               run("explain", "tel:+1-555-010-0199", *common, env=env).stdout]
    run("report", *common, "-o", tmp_path / "r.html", env=env)
    outputs.append((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert all(outputs) and [_leaks(text) for text in outputs] == [[]] * len(outputs)
    lookup = run("pseudonym", "--kind", "id", "mailto:dave@example.com", "C007", env=env).stdout
    pseudonym = lookup.splitlines()[0].split("\t")[1]
    assert pseudonym.startswith("id-") and pseudonym in outputs[0]
    assert lookup.splitlines()[1] == "C007\tC007"


@pytest.mark.parametrize("bad, column", [("dave@@example.com", "emails"), ("+1 555 0100 0199 9999 99", "phones")])
def test_roster_errors_quote_no_address_or_number_under_redact(tmp_path, bad, column):
    roster = tmp_path / "roster.csv"
    roster.write_text(f'candidate_id,name,emails,phones\nC001,Ann,{bad if column == "emails" else ""},'
                      f'"{bad if column == "phones" else ""}"\n')
    events = tmp_path / "calls.csv"
    events.write_text("candidate_id,timestamp,channel,direction,outcome\nC001,2026-03-02T19:30:00Z,phone,inbound,connected\n")
    args = ["validate", events, "--candidates", roster]
    plain = run(*args)
    assert plain.exit_code == 1 and bad in plain.stderr  # without --redact the user sees what to fix
    redacted = run(*args, "--redact", env={"FOLLOWUP_REDACT_KEY": KEY})
    assert redacted.exit_code == 1
    line, = redacted.stderr.strip().splitlines()
    assert bad not in line and "value-" in line and f"column '{column}'" in line


# ------------------------------------------------------------------ 5. data never drives the terminal
RAW_CONTROLS = ("\x1b", "\x07", "\x9b")


def test_validate_prints_escape_sequences_from_the_data_escaped():
    result = run("validate", BAD / "out_terminal_escapes.csv")
    assert result.exit_code == 0
    assert not any(c in result.stdout for c in RAW_CONTROLS)
    assert "e\\x1b]0;owned\\x07mail" in result.stdout and "email\\x9b2J" in result.stdout


def test_a_header_error_prints_esc_and_bel_escaped_on_one_line():
    result = run("validate", BAD / "out_header_escapes.csv")
    line, = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and not any(c in line for c in RAW_CONTROLS)
    assert "time\\x1b]0;pwned\\x07stamp" in line


def test_explain_and_the_table_show_the_same_escapes(tmp_path):
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at\nC001\x1b[2J,Title\x1b]0;x\x07,2026-03-02T10:00:00Z\n")
    events = BAD / "out_terminal_escapes.csv"
    explained = run("explain", "C001\x1b[2J", events, "-i", interviews, "--as-of", AS_OF).stdout
    table = run("score", events, "-i", interviews, "--as-of", AS_OF, "--format", "table", "--wide").stdout
    for shown in (explained, table):
        assert not any(c in shown for c in RAW_CONTROLS) and "C001\\x1b[2J" in shown


def test_there_is_one_escaping_function():
    """The table, explain, validate and the error lines share followup.terminal.printable."""
    import importlib

    from followup import terminal

    explain = importlib.import_module("followup.explain")  # followup.explain is also the function
    assert present.printable is terminal.printable
    sources = [Path(module.__file__).read_text() for module in (present, explain, importlib.import_module("followup.cli"))]
    assert not [s for s in sources if "x1f\\x7f" in s or "CONTROL_CHARACTERS" in s]


def test_invisible_and_reordering_characters_are_shown_escaped(tmp_path):
    """Two ids that differ by a zero-width space print differently, and a right-to-left
    override in a name cannot reorder the rest of its row."""
    events = tmp_path / "events.csv"
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at\n"
                          "C001,Ann,2026-03-02T10:00:00Z\n"
                          "C\u200b001,Bo \u202eb,2026-03-02T11:00:00Z\n", encoding="utf-8")
    events.write_text("candidate_id,timestamp,channel,direction\n"
                      "C001,2026-03-02T15:00:00Z,email,inbound\n", encoding="utf-8")
    from click.testing import CliRunner
    from followup.cli import main

    out = CliRunner().invoke(main, ["score", str(events), "-i", str(interviews), "--as-of", "2026-03-20",
                                  "--format", "table"]).output
    assert "C\\u200b001" in out and "Bo \\u202eb" in out
    assert "\u200b" not in out and "\u202e" not in out
    assert terminal.printable("x\ufeffy\u2066z") == "x\\ufeffy\\u2066z"


# ------------------------------------------------------------------ 6. the disk fails
def _write_limited(args, limit_bytes: int):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "followup", *map(str, args)], preexec_fn=limit,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json", ".parquet"])
def test_a_file_size_limit_is_one_line_and_the_old_output_stays(tmp_path, suffix):
    target = tmp_path / f"shortlist{suffix}"
    target.write_text("the previous, complete result\n")
    finished = _write_limited(["score", ROOT / "sample_data" / "events.csv", "-i", ROOT / "sample_data" / "interviews.csv",
                               "--as-of", AS_OF, "-o", target, "-q"], 4_000)
    assert finished.returncode == 1
    line, = finished.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot write {target}: ") and "File too large" in line
    assert "the previous file is unchanged" in line
    assert target.read_text() == "the previous, complete result\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json", ".parquet", ".jsonl"])
def test_a_full_disk_is_one_line_naming_the_file(inputs, monkeypatch, suffix):
    folder, events, interviews, *_ = inputs
    target = folder / f"out{suffix}"
    target.write_text("old\n")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", target)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: cannot write {target}: No space left on device (ENOSPC); "
                                     "the previous file is unchanged")
    assert target.read_text() == "old\n" and sorted(p.name for p in folder.glob(".*.tmp")) == []


def test_a_read_only_folder_is_one_line(inputs, monkeypatch):
    folder, events, interviews, *_ = inputs
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root writes anywhere: the folder refuses as a read-only mount would
            import tempfile

            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(locked))

            monkeypatch.setattr(tempfile, "mkstemp", read_only)
        result = run("score", events, "-i", interviews, "--as-of", AS_OF, "-o", locked / "out.csv")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot write {locked / 'out.csv'}: ") and "nothing was written" in line


def test_standard_output_on_a_full_device_is_one_line():
    with open("/dev/full", "w") as full:
        finished = subprocess.run([sys.executable, "-m", "followup", "score", "sample_data/events.csv", "-i",
                                   "sample_data/interviews.csv", "--as-of", AS_OF, "--format", "csv", "-q"],
                                  stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert finished.returncode == 1
    assert finished.stderr.strip() == "error: cannot read or write standard output: No space left on device"


# ------------------------------------------------------------------ 7. no internal errors
def test_explain_without_an_interviewers_column():
    result = run("explain", "C001", BAD / "out_line_breaks_before_formulas.csv",
                 "-i", BAD / "out_interviews_without_interviewers.csv", "--as-of", AS_OF)
    assert result.exit_code == 0 and "interview Mon 2 Mar 2026 10:00\n" in result.stdout


def test_explain_when_the_events_come_to_zero_rows():
    result = run("explain", "C001", BAD / "header_only.csv", "-i", BAD / "out_interviews_without_interviewers.csv",
                 "--as-of", AS_OF, "--allow-empty")  # without it, zero rows is refused, as it should be
    assert result.exit_code == 0 and "no events" in result.stdout and "NO_CONTACT" in result.stdout


def test_a_model_whose_estimator_has_the_wrong_shape_is_refused(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from followup.learning.model import LearnedModel
    from followup.learning.model_io import model_bytes
    from followup.learning.transformer import FEATURE_NAMES
    from followup.policy import load_policy

    rng = np.random.default_rng(0)
    narrow = Pipeline([("scale", StandardScaler()), ("fit", LogisticRegression())]).fit(
        rng.normal(size=(20, 3)), np.arange(20) % 2)
    path = tmp_path / "narrow.skops"
    path.write_bytes(model_bytes(LearnedModel(narrow, "logistic", load_policy("sales"),
                                              np.zeros(len(FEATURE_NAMES)), {})))
    result = run("score", ROOT / "sample_data" / "events.csv", "-i", ROOT / "sample_data" / "interviews.csv",
                 "--as-of", AS_OF, "--model", path, "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {path}: damaged model file (its estimator takes 3 features, the model "
                                     f"computes {len(FEATURE_NAMES)}): train it again")


# ------------------------------------------------------------------ 8. --as-of
SAMPLE = [ROOT / "sample_data" / "events.csv", "-i", ROOT / "sample_data" / "interviews.csv"]


@pytest.mark.parametrize("written", ["31/03/2026", "03/04/2026", "-1", "March 31", "0", "2999-01-01", "someday", " "])
def test_an_as_of_that_would_be_a_guess_is_refused_with_an_example(written):
    result = run("score", *SAMPLE, "--as-of", written, "--format", "csv")
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert line.startswith("error: --as-of ") and "2026-03-31T18:00:00-04:00" in line


@pytest.mark.parametrize("written", ["2026-03-31T22:00:00Z", "2026-03-31T18:00:00-04:00", "2026-03-31 18:00",
                                     "1774994400", "1774994400000", "Tue, 31 Mar 2026 22:00:00 +0000"])
def test_the_as_of_takes_the_forms_the_data_does(written):
    result = run("score", *SAMPLE, "--as-of", written, "--tz", "America/New_York", "--format", "json", "-q")
    assert result.exit_code == 0
    assert pd.Timestamp(json.loads(result.stdout)["as_of"]) == pd.Timestamp("2026-03-31T18:00:00-04:00")


@pytest.mark.parametrize("written, chosen, words", [
    ("2026-03-08T02:30", "2026-03-08T03:00:00-04:00", "does not exist in America/New_York (the clocks go forward)"),
    ("2026-11-01T01:30", "2026-11-01T01:30:00-04:00", "happens twice in America/New_York (the clocks go back)"),
])
def test_an_as_of_in_a_clock_change_is_resolved_and_says_how(written, chosen, words):
    result = run("score", *SAMPLE, "--as-of", written, "--tz", "America/New_York", "--format", "json", "-q")
    assert result.exit_code == 0 and pd.Timestamp(json.loads(result.stdout)["as_of"]) == pd.Timestamp(chosen)
    assert result.stderr.startswith(f"warning: --as-of '{written}' {words}") and chosen in result.stderr
    given = run("score", *SAMPLE, "--as-of", written + "-05:00", "--tz", "America/New_York", "--format", "json", "-q")
    assert given.stderr == ""  # an offset chooses: nothing to say


# ------------------------------------------------------------------ 9. explain stays bounded
def test_explain_lists_a_bounded_timeline_but_counts_every_event(tmp_path):
    from followup.explain import TIMELINE_LIMIT, explain

    n = TIMELINE_LIMIT * 5
    times = pd.Timestamp("2026-03-02T12:00Z") + pd.to_timedelta(np.arange(n) * 97, unit="s")
    events = pd.DataFrame({"candidate_id": "C001", "timestamp": times.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "channel": "email", "direction": "inbound", "contact": "Dana Whitfield"})
    interviews = pd.DataFrame({"candidate_id": ["C001"], "interview_at": ["2026-03-02T10:00:00Z"],
                               "interviewers": ["Dana Whitfield"]})
    result = followup.score(events, interviews, as_of=AS_OF)
    card = explain(result, "C001")
    assert len(card.events) == TIMELINE_LIMIT and card.events_total == n
    assert card.text().count("\n  day ") == TIMELINE_LIMIT
    assert f"… and {n - TIMELINE_LIMIT:,} more events after day" in card.text()
    assert result.candidates["inbound_contacts"].iloc[0] == n  # the numbers use every event
    assert card.events[0].counts_for[0].startswith("first contact")
