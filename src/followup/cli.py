"""The ``followup`` command: a thin layer over :mod:`followup.api` and :mod:`followup.present`.

Exit codes: 0 ok · 1 bad input under ``--strict``, an unreadable file or an invalid policy ·
2 usage error, or a warning about the inputs under ``--strict`` · 3 flagged candidates with
``--fail-on-flag``.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from pathlib import Path

import click

from . import api, present
from .errors import FollowupError, InputWarning
from .memory import use_batch_memory_settings
from .redact import KEY_ENV as REDACT_ENV
from .schema import ALL_ROWS, WITH_FLAGS
from .terminal import printable
from .policy import DEFAULT_POLICY, load_policy, preset_names, preset_text

EXIT_FLAGGED = 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class OutputPath(click.Path):
    """A path the command writes. Every other path parameter is one it reads, and
    :func:`_read_paths` protects all of those from being written over."""


OUTPUT_FILE = OutputPath(dir_okay=False)
OUTPUT_FOLDER = OutputPath(file_okay=False)
# Parameters that name a preset or a file: a file when one of that name exists.
NAME_OR_FILE_PARAMETERS = ("policy",)


class FollowupGroup(click.Group):
    """Turns any library error into one line on stderr and exit code 1 — never a traceback."""

    def invoke(self, ctx):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", InputWarning)
                shown = warnings.showwarning
                warnings.showwarning = lambda message, category, *rest, **kw: (
                    click.echo(_error_line(ctx, f"warning: {message}", getattr(message, "quoted", ())), err=True)
                    if issubclass(category, InputWarning)
                    else shown(message, category, *rest, **kw))
                return super().invoke(ctx)
        except FollowupError as exc:
            click.echo(_error_line(ctx, f"error: {exc}", exc.quoted), err=True)
            ctx.exit(exc.exit_code)  # 2 for a warning under --strict (errors.StrictInputError)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (`followup validate … | head`): not a bug. Python's own recipe:
            # point stdout at devnull so the flush at exit does not fail a second time.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except OSError as exc:
            # The machine, not the data: standard output on a full disk, a file that vanished.
            # Files the tool writes say so themselves (present.atomic_write); this is the rest.
            where = exc.filename if exc.filename is not None else "standard output"
            reason = exc.strerror or type(exc).__name__
            click.echo(_error_line(ctx, f"error: cannot read or write {where}: {reason}"), err=True)
            ctx.exit(1)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for debugging
            if os.environ.get("FOLLOWUP_DEBUG"):
                raise
            # The exception's text may quote a value from the data (a name, a message body),
            # so only its type and where it was raised are printed.
            where = traceback.extract_tb(exc.__traceback__)[-1]
            click.echo(f"internal error: {type(exc).__name__} at {Path(where.filename).name}:{where.lineno} "
                       "(set FOLLOWUP_DEBUG=1 for the traceback)", err=True)
            ctx.exit(1)


SETTINGS_KEY = "followup.settings"


def _error_line(ctx, line: str, quoted=()) -> str:
    """An error or warning as printed: control characters escaped (a file's header may hold
    ESC or BEL; a line break would fake a second line), and under ``--redact`` the data values
    it quotes and any e-mail address or phone number in it replaced by pseudonyms."""
    given = ctx.meta.get(REDACT_KEY, {})  # shared by every context of the run
    if given.get("redact"):
        from .redact import Redactor

        try:
            redactor = Redactor.from_environment(given.get("redact_key"))
        except FollowupError:
            redactor = None  # no usable key: the values go, with no pseudonym to join them back
        from .redact import scrub_line

        line = scrub_line(line, quoted, redactor)
    return printable(line)


@click.group(cls=FollowupGroup, context_settings=CONTEXT)
@click.version_option(package_name="followup")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Settings file with the defaults of the options (tz, policy, employer_domains, "
                   "default_region, roster, history). Default: $FOLLOWUP_CONFIG, else followup.toml "
                   "in the working folder. `followup config` shows what is in force.")
@click.pass_context
def main(ctx, config_file):
    """Score how interview candidates followed up: how fast, how persistently, with how
    much restraint — and flag anyone who made no contact within a week.

    \b
    Typical use:
      followup score events.csv --interviews interviews.csv --as-of 2026-03-31T18:00
      followup flags events.csv --interviews interviews.csv --fail-on-flag
      followup validate events.csv --interviews interviews.csv --rejects rejects.csv

    Inputs may be CSV, TSV, JSON, JSON Lines, Parquet or Excel (by extension). Defaults of
    the options come from followup.toml and FOLLOWUP_* variables (see `followup config`).
    """
    from . import config

    use_batch_memory_settings()
    settings = config.effective(config_file)
    ctx.meta[SETTINGS_KEY] = settings
    # click's own mechanism: the command line wins over a default_map value, which wins over
    # the built-in default; the variables are folded in by config.effective.
    ctx.default_map = settings.default_map(main.commands)


def input_options(command):
    """The inputs and the rules to score them by: shared by every command that scores."""
    options = [
        click.argument("events", nargs=-1, required=True, type=click.Path()),
        click.option("--interviews", "-i", required=True, type=click.Path(),
                     help="Interview list: candidate_id, interview_at (+ name, interview_end, "
                          "interviewers, decision, decision_at, decision_due), or a Greenhouse "
                          "scheduled_interviews / Lever interviews dump, or a folder of them."),
        click.option("--as-of", "as_of", metavar="TIME",
                     help="Score as things stood at TIME: ISO 8601 (no offset means --tz), RFC 2822 "
                          "or epoch seconds; never a guessed 31/03/2026. Default: now. Batch jobs "
                          "should pass it."),
        click.option("--tz", default="UTC", show_default=True, metavar="ZONE",
                     help="IANA time zone for naive times and for what counts as 'the same day'."),
        click.option("--policy", "-p", default=DEFAULT_POLICY, show_default=True, metavar="NAME|FILE",
                     help="A preset name (see `followup policies`) or a policy TOML file."),
        click.option("--strict", is_flag=True,
                     help="Stop at the first bad row (exit 1) instead of rejecting it, and at the "
                          "first warning about the inputs (exit 2)."),
        source_options,
        time_format_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _use_time_formats(ctx, param, value):
    """Every reader in this command, vendor adapters included, reads times with these formats."""
    from .timeparse import TIME_FORMATS_IN_USE, time_formats

    if value:
        try:
            token = TIME_FORMATS_IN_USE.set(time_formats(value))
        except FollowupError as exc:
            raise click.BadParameter(str(exc)) from None
        ctx.call_on_close(lambda: TIME_FORMATS_IN_USE.reset(token))
    return value


time_format_option = click.option(
    "--time-format", multiple=True, expose_value=False, callback=_use_time_formats,
    metavar="FORMAT|COLUMN=FORMAT",
    help="strptime format of times no shape can be guessed from, e.g. '%m/%d/%Y %H:%M' "
         "(no %z: local in --tz). COLUMN=FORMAT for one column (timestamp, interview_at, "
         "interview_end, decision_at, decision_due). Repeatable.")


def parallel_options(command):
    """``--workers`` and ``--scheduler``: partitioned scoring (docs/performance.md)."""
    options = [
        click.option("--workers", default="1", show_default=True, metavar="N|auto",
                     callback=lambda ctx, param, value: _workers(value),
                     help="Score partitions of candidates in N local processes (auto: one per "
                          "core). Same result as one process."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Score on an existing Dask cluster (e.g. tcp://10.0.0.5:8786); the "
                          "input paths must be readable by its workers (shared folder or URL)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _workers(value):
    if value == "auto":
        return value
    try:
        count = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number of workers or 'auto'") from None
    if count < 1:
        raise click.BadParameter("give at least 1 worker")
    return count


SOURCE_OPTIONS_KEY = "followup.source_options"


def _remember(ctx, param, value):
    ctx.meta.setdefault(SOURCE_OPTIONS_KEY, {})[param.name] = value
    return value


def source_options(command):
    """Options for vendor exports (docs/sources.md). They are kept in the click context, not
    passed as parameters, so every command that reads events takes them unchanged."""
    options = [
        click.option("--source", multiple=True, metavar="NAME|FILE=NAME", expose_value=False,
                     callback=_remember,
                     help="Read the files as this source instead of recognising them "
                          "(greenhouse, greenhouse-interviews, lever, lever-interviews, "
                          "ringcentral, twilio, mbox, eml, map, events). Repeatable."),
        click.option("--candidates", type=click.Path(dir_okay=False), expose_value=False,
                     callback=_remember, metavar="ROSTER",
                     help="Roster tying phones, e-mails and application ids to candidate ids: "
                          "CSV/Excel (candidate_id, name, emails, phones, application_ids) or a "
                          "Greenhouse candidates / Lever opportunities dump."),
        click.option("--default-region", expose_value=False, callback=_remember, metavar="CC",
                     help="Country for phone numbers written without +country code (e.g. US, GB)."),
        click.option("--employer-domain", multiple=True, expose_value=False, callback=_remember,
                     metavar="DOMAIN",
                     help="The employer's mail domain (repeatable): mail from it is outbound."),
        click.option("--map", "map_file", type=click.Path(dir_okay=False), expose_value=False,
                     callback=_remember, metavar="MAPPING.toml",
                     help="Column mapping for any other CSV/Excel export (docs/sources.md)."),
        click.option("--encoding", expose_value=False, callback=_remember, metavar="CODEC",
                     help="Text encoding of the CSV/JSON inputs (e.g. cp1252, shift_jis, gb18030). "
                          "Default: detected per file, and named in a warning when not UTF-8."),
        click.option("--allow-empty", is_flag=True, expose_value=False, callback=_remember,
                     help="Score even when an input file has no rows at all (no contact yet); "
                          "otherwise that is an error, as it would flag everyone NO_CONTACT."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _sources():
    """The source options given on the command line, as the API takes them. The roster is
    read here, so its warnings are escalated here under ``--strict`` as the inputs' are."""
    from .loading import warnings_as_errors
    from .sources import SourceOptions

    ctx = click.get_current_context()
    given = ctx.meta.get(SOURCE_OPTIONS_KEY, {})
    with warnings_as_errors(bool(ctx.params.get("strict"))):
        return SourceOptions.build(candidates=given.get("candidates"),
                                   employer_domains=given.get("employer_domain") or (),
                                   default_region=given.get("default_region"),
                                   source=given.get("source") or (), map_file=given.get("map_file"),
                                   encoding=given.get("encoding"), allow_empty=given.get("allow_empty"))


REDACT_KEY = "followup.redact"


def _remember_redaction(ctx, param, value):
    ctx.meta.setdefault(REDACT_KEY, {})[param.name] = value
    if param.name == "redact_key" and value is not None:
        ctx.meta[REDACT_KEY]["key_from_command_line"] = (
            ctx.get_parameter_source(param.name) == click.core.ParameterSource.COMMANDLINE)
    return value


def redact_options(command):
    """``--redact`` and its key (docs/reliability.md#redaction). Kept in the click context like
    the source options, so a command only needs the decorator and :func:`_redactor`."""
    options = [
        click.option("--redact", is_flag=True, expose_value=False, callback=_remember_redaction,
                     help="Replace names, e-mail addresses, phone numbers and message text in "
                          "every output with keyed pseudonyms (name-…, email-…, phone-…)."),
        click.option("--redact-key", metavar="KEY", envvar=REDACT_ENV, show_envvar=True,
                     expose_value=False, callback=_remember_redaction,
                     help="The secret key for --redact (at least 16 characters). Prefer the "
                          "environment variable: a command line is visible to other users."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _redactor():
    """The :class:`~followup.redact.Redactor` asked for, or ``None``; a usage error (exit 2)
    before any work when --redact has no usable key."""
    from .redact import Redactor

    given = click.get_current_context().meta.get(REDACT_KEY, {})
    if not given.get("redact"):
        if given.get("key_from_command_line"):
            raise click.UsageError("--redact-key was given without --redact; add --redact")
        return None
    try:
        return Redactor.from_environment(given.get("redact_key"))
    except FollowupError as exc:
        raise click.UsageError(str(exc)) from None


LAYOUT_KEY = "followup.layout"


def _remember_layout(ctx, param, value):
    ctx.meta.setdefault(LAYOUT_KEY, {})[param.name] = value
    return value


def _layout(name):
    """A layout option (``--group-by``, ``--wide``) kept in the click context like the source options."""
    return click.get_current_context().meta.get(LAYOUT_KEY, {}).get(name)


def scoring_options(command):
    """Options shared by ``score`` and ``flags``."""
    options = [
        input_options,
        click.option("--format", "-f", "fmt", type=click.Choice(present.FORMATS),
                     help="Output format. Default: table on a terminal, csv when piped, or "
                          "from the --output extension."),
        click.option("--output", "-o", type=OUTPUT_FILE,
                     help="Write here (atomically) instead of standard output."),
        click.option("--rejects", type=OUTPUT_FILE,
                     help="Write rejected and duplicate rows (file, row, column, reason) here "
                          "(.csv, .json, .jsonl, .parquet or .xlsx)."),
        click.option("--all-rounds", is_flag=True,
                     help="One row per interview round instead of the latest round per candidate."),
        click.option("--group-by", "group_by", metavar="COLUMN", expose_value=False, callback=_remember_layout,
                     help="One ranked list per value of this interview-list column (e.g. job): a "
                          "table each, a sheet each in Excel, a group column in CSV/JSON."),
        click.option("--wide", is_flag=True, expose_value=False, callback=_remember_layout,
                     help="Table: every column at full width, reasons not shortened."),
        click.option("--quiet", "-q", is_flag=True,
                     help="No summary line and no progress display on stderr."),
        redact_options,
        parallel_options,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _score(events, interviews, as_of, tz, policy, strict, all_rounds, model=None, quiet=False,
           workers=1, scheduler=None, history=None):
    """Score, with a progress display on a terminal, and redacted when --redact was given.
    With ``history``, the trend from its earlier runs is added (:func:`_record` appends the run)."""
    from .progress import stages

    redactor = _redactor()
    model = _loaded_model(model)
    with stages(enabled=not quiet and sys.stderr.isatty()) as step:
        result = api.score(list(events), interviews, policy=policy, as_of=as_of, tz=tz,
                           strict=strict, all_rounds=all_rounds, model=model, sources=_sources(),
                           progress=step, group_by=_layout("group_by"), workers=workers,
                           scheduler=scheduler, keep_events=False)  # score and flags show no events
    result = redactor.result(result) if redactor else result
    if not history:
        return result
    from .history import check_place

    check_place(history, [*events, interviews])  # before any output is written
    return _with_trend(result, history)


def _loaded_model(path):
    """``--model FILE`` loaded (scikit-learn and skops are imported only when one is given):
    the learning layer sits above scoring, so the command loads it and scoring takes the model."""
    if path is None:
        return None
    from .learning import load_model

    return load_model(path)


def _record(result, place, inputs):
    """Append the run to the history — once its outputs are written, so a run that failed
    to write them is not in the history either."""
    from . import history

    if place:
        history.append(place, result, inputs)


def _with_trend(result, place):
    """The trend from the history's earlier runs of this policy."""
    from . import history
    from .trend import TRAIL_RUNS, with_trend

    earlier = history.read(place, last=TRAIL_RUNS - 1, before=result.as_of) if Path(place).is_dir() \
        else history.History([], [])
    others = [run for run in earlier.runs if run.policy_hash != result.policy.content_hash]
    if others:
        click.echo(f"warning: history: {len(others)} earlier run(s) of another policy "
                   f"({', '.join(history.policies_of(others))}) left out of the trend; this run's policy is "
                   f"{result.policy.label}", err=True)
    return with_trend(result, earlier.runs)


history_option = click.option(
    "--history", type=click.Path(file_okay=False), metavar="FOLDER",
    help="Append this run to the history in FOLDER (made if missing; the same as-of replaces "
         "its earlier run) and add each candidate's trend and score_trail (docs/nightly.md).")


def _read_paths() -> list[str]:
    """Every path this run reads: each path parameter of the command (the event files and
    folders, the interview list, ``--candidates``, ``--map``, ``--model``, ``--outcomes``, …)
    that is not an :class:`OutputPath`, and ``--policy`` when it names a file. Taken from the
    command's declaration, so an input option added later is protected without a change here."""
    ctx = click.get_current_context()
    given = {**ctx.meta.get(SOURCE_OPTIONS_KEY, {}), **ctx.params}
    paths = []
    for param in ctx.command.params:
        value = given.get(param.name)
        if value is None or isinstance(param.type, OutputPath):
            continue
        if isinstance(param.type, click.Path) or (param.name in NAME_OR_FILE_PARAMETERS and Path(value).is_file()):
            paths.extend(value if isinstance(value, (tuple, list)) else [value])
    return [str(path) for path in paths]


def _check_outputs(output=None, rejects=None) -> None:
    """Refuse, before any work, outputs that would overwrite what the run reads, outputs into a
    folder that does not exist (a long run would find out only at its end) and a rejects file
    whose format cannot be told from its name (checked again as each is written)."""
    present.refuse_overwriting_inputs([path for path in (output, rejects) if path], _read_paths())
    for path in (output, rejects):
        if path and not Path(path).parent.exists():
            raise FollowupError(f"cannot write {path}: folder {Path(path).parent} does not exist")
    if rejects:
        present.rejects_format(rejects)


def _write(path, write) -> None:
    """Write an output file atomically, never over anything the run reads."""
    present.atomic_write(path, write, _read_paths())


def _emit(result, frame, fmt, output, rejects, quiet, title=None):
    """Write the result (and the rejects) where asked; print a summary line on stderr."""
    _check_outputs(output, rejects)
    is_terminal = sys.stdout.isatty()
    fmt = present.format_for(output, fmt, is_terminal)
    rejects_format = present.rejects_format(rejects) if rejects else None
    if rejects:
        _write(rejects, lambda p: present.write_rejects(result.rejects, p, rejects_format))
    if output:
        _write(output, lambda p: present.write_result(result, fmt, p, frame))
    elif fmt == "table":
        from rich.console import Console

        present.render_table(result, Console(width=None if is_terminal else 200), frame, title,
                             wide=bool(_layout("wide")))
    elif fmt in ("parquet", "xlsx"):
        raise FollowupError(f"--format {fmt} is binary: give --output FILE")
    elif fmt == "json":
        import json

        click.echo(json.dumps(present.json_document(result, frame), indent=2, ensure_ascii=False))
    elif fmt == "jsonl":
        for chunk in present.jsonl_chunks(result, frame):
            click.echo(chunk, nl=False)
    else:
        click.echo(present.csv_text(present.tabular(result, frame)), nl=False)
    if not quiet and (output or fmt != "table"):
        _summary_line(result, output, len(frame) if len(frame) != len(result.candidates) else None)


def _summary_line(result, output, shown_rows=None) -> None:
    """The run's one line on stderr: statuses, as-of, policy, row accounting, where it went.
    ``result`` is a ScoreResult or the ShortlistSummary of a run written piece by piece."""
    counts = result.counts
    where = f" → {output}" if output else ""
    shown = f"{shown_rows} rows of " if shown_rows is not None else ""
    click.echo(f"{shown}{present.status_counts(result)}; as of {result.as_of.tz_convert(result.tz).isoformat()} (policy "
               f"{result.policy.label}); rows read {counts['rows_read']}, used "
               f"{counts['rows_used']}, duplicates {counts['duplicates']}, rejected "
               f"{counts['rejected']}{where}", err=True)


def _score_to_file(events, interviews, as_of, tz, policy, strict, all_rounds, quiet, workers, scheduler,
                   output, fmt, rejects, rows=ALL_ROWS):
    """``score``/``flags`` on partitions: the ranked file (or standard output) is written piece
    by piece as the workers format it, so the calling process never holds the whole shortlist
    (followup.batch). Returns the run's ShortlistSummary."""
    from .batch import score_to_file
    from .progress import stages

    with stages(enabled=not quiet and sys.stderr.isatty()) as step:
        done = score_to_file(list(events), interviews, output or _Echoed(), format=fmt,
                             policy=policy, as_of=as_of, tz=tz,
                             strict=strict, all_rounds=all_rounds, sources=_sources(), progress=step,
                             group_by=_layout("group_by"), workers=workers, scheduler=scheduler,
                             inputs=_read_paths(), rows=rows)
    if rejects:
        _write(rejects, lambda p: present.write_rejects(done.rejects, p, present.rejects_format(rejects)))
    if not quiet:
        shown = done.summary()[WITH_FLAGS] if rows == WITH_FLAGS else done.rows
        _summary_line(done, output, shown if shown != done.rows else None)
    return done


class _Echoed:
    """Standard output as a file for the pieces: written with ``click.echo``, as the whole
    result's text is, so the bytes (and the encoding's handling) are the same."""

    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)


def _piecewise(output, fmt, workers, scheduler, model, history) -> bool:
    """Whether ``score`` writes piece by piece: a partitioned run in a format that can be
    (CSV, JSON, JSON Lines, Parquet to a file; the text ones to standard output too), with
    nothing that needs every row at once — a model's annotations, a history's trend, redaction."""
    partitioned = workers not in (1, "1") or scheduler is not None
    formats = present.PIECEWISE_FORMATS if output else present.TEXT_PIECEWISE_FORMATS
    return partitioned and model is None and not history and _redactor() is None \
        and present.format_for(output, fmt, sys.stdout.isatty()) in formats


model_option = click.option(
    "--model", "-m", type=click.Path(dir_okay=False), metavar="MODEL.skops",
    help="A model from `followup train`: adds p_advance (calibrated probability of "
         "advancing) and top_factors (what moved it most) to every row.")


@main.command(context_settings=CONTEXT)
@scoring_options
@model_option
@history_option
def score(events, interviews, as_of, tz, policy, fmt, output, rejects, strict, all_rounds, quiet,
          workers, scheduler, model, history):
    """Score every candidate in the interview list on the follow-up in EVENTS.

    EVENTS are one or more event logs (candidate_id, timestamp, channel, direction, outcome,
    duration_s, contact, event_id); candidates with no events at all are scored as silent.
    The result is ranked best first, with status, score, grade, flags and a reason.

    \b
    Examples:
      followup score sample_data/events.csv --interviews sample_data/interviews.csv \\
          --as-of 2026-03-31T18:00:00-04:00 --tz America/New_York
      followup score calls.csv emails.json -i interviews.xlsx -o shortlist.json
    """
    _check_outputs(output, rejects)
    if _piecewise(output, fmt, workers, scheduler, model, history):
        _score_to_file(events, interviews, as_of, tz, policy, strict, all_rounds, quiet, workers, scheduler,
                       output, present.format_for(output, fmt, sys.stdout.isatty()), rejects)
        return
    result = _score(events, interviews, as_of, tz, policy, strict, all_rounds, model, quiet, workers, scheduler,
                    history)
    _emit(result, result.candidates, fmt, output, rejects, quiet)
    _record(result, history, [*events, interviews, *([model] if model else [])])


@main.command(context_settings=CONTEXT)
@scoring_options
@click.option("--fail-on-flag", is_flag=True,
              help=f"Exit with code {EXIT_FLAGGED} when any candidate carries a flag, whatever its "
                   "status (for scheduled jobs).")
@model_option
@history_option
def flags(events, interviews, as_of, tz, policy, fmt, output, rejects, strict, all_rounds, quiet,
          workers, scheduler, fail_on_flag, model, history):
    """Only the candidates with flags: who made no contact, went silent or pestered?

    Every row carrying a flag, whatever its status: the `flagged` ones (scored, with a flag)
    and any `pending` one already showing, say, three hang-ups on day 1. Same inputs and options
    as `score` (including --model). Flags: NO_CONTACT, EXCESSIVE_HANGUPS, TOO_FREQUENT,
    WENT_SILENT.
    """
    _check_outputs(output, rejects)
    if _piecewise(output, fmt, workers, scheduler, model, history):
        done = _score_to_file(events, interviews, as_of, tz, policy, strict, all_rounds, quiet, workers,
                              scheduler, output, present.format_for(output, fmt, sys.stdout.isatty()), rejects,
                              rows=WITH_FLAGS)
        if fail_on_flag and done.summary()[WITH_FLAGS]:
            sys.exit(EXIT_FLAGGED)
        return
    result = _score(events, interviews, as_of, tz, policy, strict, all_rounds, model, quiet, workers, scheduler,
                    history)
    with_flags = result.with_flags
    by_status = with_flags["status"].astype(str).value_counts()
    statuses = ", ".join(f"{count} {status}" for status, count in by_status.items())
    unit = "rounds" if all_rounds else "candidates"
    inputs = [*events, interviews, *([model] if model else [])]
    _emit(result, with_flags, fmt, output, rejects, quiet,
          title=f"With flags — {len(with_flags)} of {len(result.candidates)} {unit}"
                + (f" ({statuses})" if statuses else ""))
    _record(result, history, inputs)
    if fail_on_flag and len(with_flags):
        sys.exit(EXIT_FLAGGED)


@main.command("explain", context_settings=CONTEXT)
@click.argument("candidate_id")
@input_options
@redact_options
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for tools.")
@click.option("--output", "-o", type=OUTPUT_FILE,
              help="Write here (atomically) instead of standard output.")
@click.option("--history", type=click.Path(file_okay=False), metavar="FOLDER",
              help="Show the candidate's score over time from this history (read only).")
def explain_command(candidate_id, events, interviews, as_of, tz, policy, strict, fmt, output, history):
    """Why CANDIDATE_ID got their score: every event after the interview with its day
    ("day 0 19:30 email → Dana Whitfield"), what each counted for, each component's number
    and the arithmetic behind it, the flags, and what the playbook expected that did not
    happen ("no follow-up in week 4 of the cadence").

    CANDIDATE_ID is the id in any case (c007) or the candidate's name ("Gloria Stanton"). Same
    inputs and options as `score`. An unknown one is an error (exit 1) suggesting the closest
    ids and names; a name several candidates share lists them.

    \b
    Example:
      followup explain C007 sample_data/events.csv -i sample_data/interviews.csv \\
          --as-of 2026-03-31T18:00:00-04:00 --tz America/New_York
    """
    from .explain import explain

    _check_outputs(output)
    result = _score(events, interviews, as_of, tz, policy, strict, all_rounds=False, history=history)
    redactor = _redactor()
    if redactor:
        import pandas as pd

        # An id that is itself an e-mail address or phone number is a pseudonym in the redacted
        # result; the user names the candidate as the files do.
        # A name is looked up by its pseudonym, as the redacted result holds it.
        as_id = redactor.identifiers(pd.Series([candidate_id])).iloc[0]
        as_name = redactor.pseudonym(candidate_id, "name")
        candidate_id = as_id if (result.rounds["candidate_id"].astype(str).str.casefold() == as_id.casefold()).any() \
            else as_name
    card = explain(result, candidate_id)
    text = card.model_dump_json(indent=2) + "\n" if fmt == "json" else card.text()
    if output:
        _write(output, lambda p: p.write_text(text, encoding="utf-8"))
    else:
        click.echo(text, nl=False)


@main.command("report", context_settings=CONTEXT)
@input_options
@redact_options
@click.option("--output", "-o", required=True, type=OUTPUT_FILE,
              help="The HTML file to write (atomically), e.g. shortlist.html.")
@click.option("--title", default="Follow-up shortlist", show_default=True,
              help="Heading of the report.")
@click.option("--flagged-only", is_flag=True,
              help="Only the candidates carrying a flag, whatever their status (the rows "
                   "`followup flags` lists).")
@click.option("--group-by", "group_by", metavar="COLUMN", expose_value=False, callback=_remember_layout,
              help="A section per value of this interview-list column (e.g. job), each ranked "
                   "from 1 with its own counts.")
@model_option
@click.option("--history", type=click.Path(file_okay=False), metavar="FOLDER",
              help="Show each candidate's trend and score over time from this history (read only).")
def report_command(events, interviews, as_of, tz, policy, strict, output, title, flagged_only, model, history):
    """One self-contained HTML report a hiring manager opens in a browser, offline: the
    counts, the ranked shortlist (sortable, filterable by status, flag and grade; each row
    expands to its reasons and a timeline strip) and charts of scores, first-contact delays
    and flags. It works from a phone's width up and prints as a handout. No network, no
    external files: safe to email.

    \b
    Examples:
      followup report sample_data/events.csv -i sample_data/interviews.csv \\
          --as-of 2026-03-31T18:00:00-04:00 --tz America/New_York -o shortlist.html
      followup report calls.csv -i interviews.csv --group-by job --flagged-only -o panel.html
    """
    from .report import write_report

    _check_outputs(output)
    result = _score(events, interviews, as_of, tz, policy, strict, all_rounds=False, model=model,
                    history=history)
    rows = result.with_flags if flagged_only else None
    subset = "the candidates with flags" if flagged_only else None
    _write(output, lambda p: write_report(result, p, title=title, rows=rows, subset=subset))
    shown = f"{len(rows)} of " if rows is not None else ""
    click.echo(f"{shown}{len(result.candidates)} candidates as of {result.as_of.isoformat()} (policy "
               f"{result.policy.label}) → {output}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("events", nargs=-1, required=True, type=click.Path())
@click.option("--interviews", "-i", type=click.Path(),
              help="Also check the interview list, and reject events of candidates not in it.")
@source_options
@click.option("--tz", default="UTC", show_default=True, metavar="ZONE",
              help="IANA time zone for times without an offset.")
@click.option("--rejects", type=OUTPUT_FILE,
              help="Write the rejected and duplicate rows here (.csv, .json, .jsonl, .parquet or .xlsx).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--strict", is_flag=True,
              help="Stop at the first bad row (exit 1) and at the first warning about the inputs (exit 2).")
@time_format_option
@redact_options
def validate(events, interviews, tz, rejects, fmt, strict):
    """Check input files without scoring: row accounting per input and source (read, used,
    duplicated, unmatched to a candidate, otherwise rejected) and the reasons rows were
    rejected. Exit 0 when the files could be read (rejected rows are reported, not fatal)."""
    from .sources import COUNTS, counts_by_source, row_accounting

    redactor = _redactor()
    _check_outputs(rejects=rejects)
    sources = _sources()
    loaded = api.read_events(list(events), tz=tz, strict=strict, sources=sources)
    tables = [loaded]
    if interviews:
        loaded_interviews = api.read_interviews(interviews, tz=tz, strict=strict, sources=sources)
        loaded = api.reject_unknown_candidates(loaded, loaded_interviews, strict)
        tables = [loaded, loaded_interviews]
    by_file = row_accounting(sources, *tables)
    by_source = counts_by_source(by_file)
    all_rejects = __import__("pandas").concat([t.rejects for t in tables], ignore_index=True)
    if redactor:
        all_rejects = redactor.frame(all_rejects)
    if rejects:
        rejects_format = present.rejects_format(rejects)
        _write(rejects, lambda p: present.write_rejects(all_rejects, p, rejects_format))
    totals = {key: int(by_file[key].sum()) for key in COUNTS}
    if fmt == "json":
        import json

        reasons = present.rejects_frame(all_rejects)
        files = by_file[["source_file", *COUNTS]].to_dict(orient="records")
        click.echo(json.dumps({"counts": totals, "files": files,
                               "sources": by_source.to_dict(orient="records"),
                               "rejects": json.loads(reasons.to_json(orient="records"))}, indent=2))
        return
    click.echo(present.text_table(by_source))
    click.echo(f"total: rows read {totals['rows_read']} = used {totals['rows_used']} + duplicates "
               f"{totals['duplicates']} + unmatched {totals['unmatched']} + rejected {totals['rejected']}")
    if len(all_rejects):
        click.echo("")
        shown = present.rejects_frame(all_rejects).head(20)
        click.echo(present.text_table(shown))
        if len(all_rejects) > len(shown):
            click.echo(f"… and {len(all_rejects) - len(shown)} more (write them all with --rejects FILE)")


@main.command("pseudonym", context_settings=CONTEXT)
@click.argument("values", nargs=-1, required=True)
@click.option("--redact-key", metavar="KEY", envvar=REDACT_ENV, show_envvar=True,
              help="The key the results were redacted with.")
@click.option("--kind", type=click.Choice(["auto", "name", "email", "phone", "text", "value", "id"]),
              default="auto", show_default=True,
              help="auto: an e-mail address or phone number by its shape, else a name; id: a "
                   "candidate id as --redact writes it (kept, unless it holds an address or number).")
def pseudonym_command(values, redact_key, kind):
    """Print the pseudonym `--redact` gives each VALUE, tab-separated after it: how the key
    holder joins redacted results back to people. VALUE `-` reads one value per line from
    standard input.

    \b
    Example:
      followup pseudonym "Alice Hartman" alice@example.com "+1 555 010 0199"
    """
    from .redact import Redactor

    if values == ("-",):
        values = tuple(line.rstrip("\r\n") for line in sys.stdin if line.strip())
    if not redact_key:
        raise click.UsageError(f"the key is needed: pass --redact-key KEY or set {REDACT_ENV}")
    try:
        redactor = Redactor(redact_key)
    except FollowupError as exc:
        raise click.UsageError(str(exc)) from None
    for value in values:
        shown = (redactor.identifier(value) if kind == "id"
                 else redactor.pseudonym(value, None if kind == "auto" else kind))
        click.echo(f"{value}\t{shown}")


@main.group(context_settings=CONTEXT, invoke_without_command=True)
@click.pass_context
def policies(ctx):
    """List the policy presets; `show NAME` prints one ready to copy, `check FILE` validates one."""
    if ctx.invoked_subcommand is None:
        for name in preset_names():
            rules = load_policy(name)
            marker = " (default)" if name == DEFAULT_POLICY else ""
            click.echo(f"{name}{marker} [{rules.content_hash}]: {rules.summary}")


@policies.command("show")
@click.argument("name")
def policies_show(name):
    """Print preset NAME as commented TOML (save it, edit it, pass it with --policy FILE)."""
    click.echo(preset_text(name), nl=False)


@policies.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def policies_check(file):
    """Validate a policy file: exit 0 and print its hash, or exit 1 naming the bad field."""
    rules = load_policy(Path(file))
    click.echo(f"{file}: valid policy {rules.label}")


@main.command(context_settings=CONTEXT)
@click.option("--candidates", "-n", default=1000, show_default=True, type=click.IntRange(1, 50_000_000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--events-per-candidate", default=10.0, show_default=True, type=click.FloatRange(0.5, 200))
@click.option("--output-dir", "-o", required=True, type=OUTPUT_FOLDER)
def sample(candidates, seed, events_per_candidate, output_dir):
    """Write a synthetic, seeded events.csv and interviews.csv (for trials and benchmarks),
    and print the as-of that makes them meaningful."""
    import pandas as pd

    from . import datasets

    events_path, interviews_path = datasets.write_followups(
        output_dir, candidates, seed=seed, events_per_candidate=events_per_candidate)
    interviews = pd.read_csv(interviews_path, parse_dates=["interview_at", "interview_end"])
    as_of = datasets.default_as_of(interviews)
    click.echo(f"wrote {events_path} and {interviews_path}; score them with --as-of {as_of.isoformat()}")


@main.command("train", context_settings=CONTEXT)
@input_options
@click.option("--outcomes", "-y", required=True, type=click.Path(dir_okay=False),
              help="Past outcomes: candidate_id, outcome (advanced/hired/offer… or "
                   "rejected/declined…), optional decision_at.")
@click.option("--output", "-o", required=True, type=OUTPUT_FILE,
              help="The model file to write (atomically), e.g. model.skops.")
@click.option("--model-type", type=click.Choice(["logistic", "gradient-boosting"]),
              default="logistic", show_default=True,
              help="logistic: scaled features → regularised logistic regression (calibrated by "
                   "its own fit); gradient-boosting: shallow boosted trees, sigmoid-calibrated.")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Cross-validation folds (grouped by candidate).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for the folds and the trees.")
@click.option("--rejects", type=OUTPUT_FILE,
              help="Write the outcome rows left out, with their reasons, here (.csv, .json, .jsonl, .parquet or .xlsx).")
def train_command(events, interviews, as_of, tz, policy, strict, outcomes, output, model_type, folds,
                  seed, rejects):
    """Learn from past outcomes whether follow-up predicts who advances here, and save a
    model for `followup score --model`.

    Prints cross-validated ROC AUC, average precision and Brier score (mean ± spread over
    folds) for the model and, on the same folds, for the playbook score; a calibration table
    (predicted probability vs share who advanced, per bin); then what drives the model.
    Only events up to each candidate's decision are used. Refuses (exit 1) with too
    few labelled candidates or only one outcome. See docs/learned-scoring.md.

    \b
    Example:
      followup train sample_data/events.csv -i sample_data/interviews.csv \\
          --outcomes sample_data/outcomes.csv --as-of 2026-03-31T18:00:00-04:00 \\
          --tz America/New_York -o model.skops
    """
    from .learning import train
    from .learning.model_io import model_bytes

    if not output.endswith(".skops"):
        raise click.BadParameter("model files end in .skops", param_hint="--output")
    _check_outputs(output, rejects)
    report = train(list(events), interviews, outcomes, policy=policy, as_of=as_of, tz=tz,
                   model_type=model_type, folds=folds, seed=seed, strict=strict, sources=_sources())
    if rejects:
        rejects_format = present.rejects_format(rejects)
        _write(rejects, lambda p: present.write_rejects(report.outcomes.rejects, p, rejects_format))
    content = model_bytes(report.model)
    _write(output, lambda p: p.write_bytes(content))
    click.echo(report.text())
    click.echo(f"\nsaved → {output} (use it with: followup score ... --model {output})")


@main.command("changes", context_settings=CONTEXT)
@click.option("--history", type=click.Path(file_okay=False), metavar="FOLDER",
              help="The history written by score/flags --history or by replay.")
@click.option("--since", metavar="TIME",
              help="Compare the latest run with the last run at or before TIME (a date means its "
                   "midnight in --tz). Default: with the run before the latest.")
@click.option("--tz", metavar="ZONE", help="Zone for the dates shown. Default: the latest run's.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "jsonl"]),
              help="Default: table on a terminal, csv when piped, or from the --output extension.")
@click.option("--output", "-o", type=OUTPUT_FILE,
              help="Write here (atomically) instead of standard output.")
@click.option("--quiet", "-q", is_flag=True, help="No summary line on stderr.")
def changes_command(history, since, tz, fmt, output, quiet):
    """What changed since the previous run: candidates newly flagged, flags cleared, grade
    changes, new candidates (and ones no longer listed) and decisions, one reason each.

    Exit code 3 when any candidate is newly flagged (for alerting), else 0.

    \b
    Example (nightly, after `followup flags … --history runs/`):
      followup changes --history runs/ --format csv -o changes.csv || mail-the-team changes.csv
    """
    from . import history as runs
    from .changes import compare

    if not history:
        raise click.UsageError("give --history FOLDER (or set history in followup.toml / FOLLOWUP_HISTORY)")
    found = runs.read(history)
    if len(found.runs) < 2:
        raise FollowupError(f"history {history} holds {len(found.runs)} readable run(s); changes need two "
                            "(run score or flags --history again tomorrow, or backfill with followup replay)")
    latest = found.runs[-1]
    zone = api.check_timezone(tz or (str(latest.rows["tz"].iloc[0]) if len(latest.rows) else "UTC"))
    if since:
        cutoff = api.parse_as_of(since, zone)
        earlier = [run for run in found.runs[:-1] if run.file.as_of <= cutoff]
        if not earlier:
            raise FollowupError(f"no run at or before {cutoff.tz_convert(zone).isoformat()} in history {history}; "
                                f"the first is {found.runs[0].file.label}")
        baseline = earlier[-1]
    else:
        baseline = found.runs[-2]
    result = compare(baseline, latest, zone)
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    _emit_changes(result, fmt, output)
    if not quiet:
        counts = result.counts()
        shown = ", ".join(f"{count} {change.replace('_', ' ')}" for change, count in counts.items() if count)
        click.echo(f"changes from {baseline.file.as_of.tz_convert(zone).isoformat()} to "
                   f"{latest.file.as_of.tz_convert(zone).isoformat()}: {shown or 'none'}"
                   + (f" → {output}" if output else ""), err=True)
    if result.newly_flagged:
        sys.exit(EXIT_FLAGGED)


def _emit_changes(result, fmt, output):
    import json

    fmt = present.format_for(output, fmt, sys.stdout.isatty())
    rows = result.rows
    document = {"since": result.before.file.as_of.isoformat(), "as_of": result.after.file.as_of.isoformat(),
                "policy": {"before": result.before.policy_label, "after": result.after.policy_label},
                "notes": result.notes, "counts": result.counts(),
                "changes": json.loads(rows.to_json(orient="records", force_ascii=False))}

    def write(path: Path):
        with open(path, "w", encoding="utf-8") as handle:
            if fmt == "json":
                handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
            elif fmt == "jsonl":
                handle.write(rows.to_json(orient="records", lines=True, force_ascii=False))
            elif fmt == "csv":
                handle.write(present.csv_text(rows))
            else:
                handle.write(_changes_text(result))

    if fmt not in ("table", "csv", "json", "jsonl"):
        raise FollowupError(f"changes are written as table, csv, json or jsonl, not {fmt}")
    if output:
        _check_outputs(output)
        _write(output, write)
    elif fmt == "table":
        click.echo(_changes_text(result), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif fmt == "jsonl":
        click.echo(rows.to_json(orient="records", lines=True, force_ascii=False), nl=False)
    else:
        click.echo(present.csv_text(rows), nl=False)


def _changes_text(result) -> str:
    rows = result.rows
    head = (f"Changes since {result.before.file.as_of.isoformat()} — run {result.after.file.as_of.isoformat()}"
            f" · policy {result.after.policy_label}\n")
    notes = "".join(f"note: {note}\n" for note in result.notes)
    if not len(rows):
        return head + notes + "no changes\n"
    who = (rows["candidate_id"] + " " + rows["name"].fillna("").astype(str)).str.strip()
    # Names and reasons are candidates' text: a control character is shown escaped, never sent.
    shown = rows[["change"]].assign(candidate=who, reason=rows["reason"])
    return head + notes + present.text_table(shown) + "\n"


@main.command("replay", context_settings=CONTEXT)
@input_options
@click.option("--from", "start", required=True, metavar="TIME",
              help="The first as-of (a date means its midnight in --tz; give a time, e.g. "
                   "2026-03-01T18:00, to replay evening runs).")
@click.option("--to", "end", required=True, metavar="TIME", help="The last as-of (included).")
@click.option("--every", default="1d", show_default=True, metavar="N{m,h,d,w}",
              help="Time between as-ofs: 1d, 12h, 1w, …")
@click.option("--history", type=click.Path(file_okay=False), metavar="FOLDER",
              help="The history to write the runs into (made if missing; an as-of already there is replaced).")
@model_option
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]),
              help="The per-run summary. Default: table on a terminal, csv when piped.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display and no summary line on stderr.")
@redact_options
@parallel_options
def replay_command(events, interviews, as_of, tz, policy, strict, start, end, every, history, model, fmt, quiet,
                   workers, scheduler):
    """Score the same logs as of every date from --from to --to into a history, point in
    time: each run sees only the events up to its as-of and the decisions taken by then. The
    files are read and normalised once; --workers/--scheduler score the as-ofs in parallel.
    Prints one line per run: counts by status and the flags newly raised and cleared since the
    run before. --model and --redact apply to every run as in `score`.

    \b
    Example (backfill March, then see when each flag first appeared with DuckDB):
      followup replay events.csv -i interviews.csv --from 2026-03-01T18:00 \\
          --to 2026-03-31T18:00 --every 1d --tz America/New_York --history runs/
    """
    import json

    from .progress import stages
    from .replay import replay

    if as_of:
        raise click.UsageError("replay takes --from/--to/--every, not --as-of")
    if not history:
        raise click.UsageError("give --history FOLDER (or set history in followup.toml / FOLLOWUP_HISTORY)")
    redactor = _redactor()
    if model:
        from .history import check_place

        check_place(history, [model])  # the history folder must not hold the model file either
    with stages(enabled=not quiet and sys.stderr.isatty()) as step:
        nights = replay(list(events), interviews, history, start, end, every, policy=policy, tz=tz,
                        strict=strict, sources=_sources(), progress=step, model=_loaded_model(model),
                        redactor=redactor,
                        workers=workers, scheduler=scheduler)
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    shown = nights.drop(columns="run_file")
    if fmt == "json":
        click.echo(json.dumps(json.loads(nights.to_json(orient="records")), indent=2))
    elif fmt == "csv":
        click.echo(nights.to_csv(index=False), nl=False)
    else:
        click.echo(present.text_table(shown))
    if not quiet:
        click.echo(f"{len(nights)} runs written to {history} (policy {load_policy(policy).label}"
                   f"{'; redacted' if redactor else ''})", err=True)


@main.command("config", context_settings=CONTEXT)
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def config_command(ctx, fmt):
    """The settings in force — the defaults of the options — and where each came from: the
    settings file (--config, $FOLLOWUP_CONFIG or ./followup.toml), a FOLLOWUP_* variable, or
    the built-in default. An option given on the command line wins over all of them.

    \b
    A followup.toml:
      tz = "America/New_York"
      policy = "pro"                     # a preset or a policy file
      employer_domains = ["acme.com"]
      default_region = "US"
      roster = "roster.csv"              # paths are relative to this file
      history = "runs"
    """
    import json

    settings = ctx.find_root().meta[SETTINGS_KEY]
    rows = settings.rows()
    if fmt == "json":
        click.echo(json.dumps({"file": str(settings.file) if settings.file else None, "settings": rows}, indent=2))
        return
    click.echo(f"settings file: {settings.file or '(none: no --config, $FOLLOWUP_CONFIG or ./followup.toml)'}")
    width = max(len(row["value"]) for row in rows)
    for row in rows:
        click.echo(f"  {row['setting']:<17} {row['option']:<18} {row['value']:<{width}}  from {row['from']}")
    click.echo("an option on the command line wins over these")


if __name__ == "__main__":
    main()
