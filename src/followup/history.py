"""The history of runs: every scored run's per-candidate result, kept as a Parquet dataset.

Layout (docs/nightly.md): one folder per as-of date (UTC), Hive-style, one file per run::

    history/
      as_of_date=2026-04-01/run-20260401T100000Z.parquet
      as_of_date=2026-04-02/run-20260402T100000Z.parquet

pandas (``pd.read_parquet("history")``), DuckDB (``read_parquet('history/*/*.parquet',
hive_partitioning=true)``) and Spark read it as it is; Parquet was chosen over an embedded
database because those readers need no driver and a run is one immutable file, so a run is
added or replaced by one atomic rename.

* **Atomic**: a run is written to a hidden temporary file (``.run-….parquet.tmp``: every one of
  those readers skips names starting with ``.``) in its partition, flushed to disk, then renamed
  over its final name. A run killed half-way leaves the history exactly as it was.
* **Concurrent runs** write different temporary files; the rename is atomic, so two runs at once
  never mix, and two runs of the same as-of leave one complete run (the later rename).
* **The same as-of replaces**: the file name is the as-of instant, so re-running it renames over
  the earlier run rather than adding a second one.
* **Read defensively**: each run is checked when read (columns, types, codes, that it holds the
  as-of its name says, one row per candidate, the history format). A run that fails is reported
  with its file and skipped, never mixed in; a run of another policy or followup version is
  read, and the commands that compare runs say so.

>>> import tempfile, followup
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> place = tempfile.mkdtemp()
>>> append(place, result).relative_to(place).as_posix()
'as_of_date=2026-03-31/run-20260331T220000Z.parquet'
>>> runs = list_runs(place)
>>> len(runs), len(load_run(runs[0]).rows)
(1, 32)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import FollowupError, InputWarning
from .schema import FLAG_REASON_COLUMNS, FLAG_SEPARATOR, FLAGS, GRADES, STATUSES

# Bumped when the layout or the columns change incompatibly; a run written with a newer
# format is refused (named), an older one would be converted here.
HISTORY_FORMAT = 1
PARTITION = "as_of_date"
RUN_NAME = re.compile(r"^run-(\d{8}T\d{6}Z)\.parquet$")
RUN_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
METADATA_KEY = b"followup.run"
# A temporary file this old belongs to a run that was killed: removed by the next append.
STALE_TEMPORARY_SECONDS = 24 * 3600

UTC_TIME = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([
    ("as_of", UTC_TIME),
    ("candidate_id", pa.string()),
    ("name", pa.string()),
    ("interview_at", UTC_TIME),
    ("status", pa.string()),
    ("score", pa.float64()),
    ("grade", pa.string()),
    ("grade_capped", pa.bool_()),
    ("speed", pa.float64()),
    ("persistence", pa.float64()),
    ("restraint", pa.float64()),
    ("flags", pa.string()),
    ("reason", pa.string()),
    ("reasons", pa.string()),
    ("decision", pa.string()),
    ("decision_at", UTC_TIME),
    ("last_contact_at", UTC_TIME),
    ("policy_name", pa.string()),
    ("policy_hash", pa.string()),
    ("tz", pa.string()),
    ("followup_version", pa.string()),
    ("history_format", pa.int32()),
    # A model's columns (``--model``), blank in a run scored without one. A run written before
    # they existed is read with them blank.
    ("p_advance", pa.float64()),
    ("top_factors", pa.string()),
    # Each flag's reason (schema.FLAG_REASON_COLUMNS), blank where the flag is not carried: what
    # ``followup changes`` quotes for a newly raised flag. A run written before they existed is
    # read with them blank (Run.predates names them).
    *((column, pa.string()) for column in FLAG_REASON_COLUMNS.values()),
])
MODEL_COLUMNS = ("p_advance", "top_factors")
# Columns a run of an earlier followup may lack: read as blank, never a reason to skip the run.
LATER_COLUMNS = (*MODEL_COLUMNS, *FLAG_REASON_COLUMNS.values())


def followup_version() -> str:
    try:
        return metadata.version("followup")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


@dataclass(frozen=True)
class RunFile:
    """One run in the history, as its file name gives it (nothing read yet)."""

    path: Path
    as_of: pd.Timestamp

    @property
    def label(self) -> str:
        """How messages name the run: its as-of and its file."""
        return f"run {self.as_of.isoformat()} ({self.path})"


@dataclass
class Run:
    """One run read and checked: its per-candidate ``rows`` (columns of :data:`SCHEMA`);
    ``predates`` names the columns of :data:`LATER_COLUMNS` its file did not have (an earlier
    followup wrote it), read as blank."""

    file: RunFile
    rows: pd.DataFrame
    predates: tuple[str, ...] = ()

    @property
    def policy_hash(self) -> str:
        return str(self.rows["policy_hash"].iloc[0]) if len(self.rows) else ""

    @property
    def policy_label(self) -> str:
        return f"{self.rows['policy_name'].iloc[0]} ({self.policy_hash})" if len(self.rows) else "(empty run)"

    @property
    def version(self) -> str:
        return str(self.rows["followup_version"].iloc[0]) if len(self.rows) else ""


def run_rows(result) -> pd.DataFrame:
    """The per-candidate rows a result adds to the history: one per candidate (with
    ``--all-rounds``, the shortlist round, as without it), in :data:`SCHEMA`'s columns, as
    :func:`load_run` reads them back."""
    return _rows_of(run_table(result))


def run_table(result) -> pa.Table:
    """:func:`run_rows` as the Arrow table written to the run's file, built from the result's
    columns directly (a night of a replay writes one; no round trip through object columns)."""
    frame = result.candidates
    if result.all_rounds:
        shortlist = result.rounds.loc[result.rounds["is_shortlist_round"].to_numpy(bool),
                                      ["candidate_id", "round_number"]]
        frame = frame.merge(shortlist, on=["candidate_id", "round_number"], how="inner")
    n = len(frame)
    # The flags' reasons stay on the rounds (they are not shortlist columns): the candidate's
    # shortlist round, found by id (a replayed night's rounds are the shortlist rounds alone).
    rounds = result.rounds
    shortlist_rounds = rounds[rounds["is_shortlist_round"].to_numpy(bool)] if "is_shortlist_round" in rounds else rounds
    where = pd.Index(shortlist_rounds["candidate_id"].astype(object)).get_indexer(frame["candidate_id"].astype(object))
    flag_reasons = {column: shortlist_rounds[column].iloc[where].reset_index(drop=True)
                    for column in FLAG_REASON_COLUMNS.values() if column in shortlist_rounds}
    given = {
        "as_of": pd.Timestamp(result.as_of).tz_convert("UTC"),
        "candidate_id": frame["candidate_id"].astype(str),
        "grade_capped": frame["grade_capped"].fillna(False).astype(bool),
        "flags": frame["flags"].fillna("").astype(str),
        "policy_name": result.policy.name,
        "policy_hash": result.policy.content_hash,
        "tz": result.tz,
        "followup_version": followup_version(),
        "history_format": HISTORY_FORMAT,
        **flag_reasons,
    }
    columns = []
    for field in SCHEMA:
        values = given.get(field.name, frame[field.name] if field.name in frame else None)
        columns.append(_arrow_column(values, field.type, n))
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _arrow_column(values, wanted: pa.DataType, n: int) -> pa.Array:
    """One column in the history's type: a constant repeated, a column absent (a model's,
    without one) blank, a categorical decoded; times cut to the microsecond the history keeps
    (what Spark and DuckDB read; a log may hold nanoseconds, which no follow-up rule sees)."""
    if values is None:
        return pa.nulls(n, wanted)
    if not isinstance(values, (pd.Series, pa.Array)):
        return pa.array([values]).cast(wanted).take(np.zeros(n, dtype=np.int64))
    array = values if isinstance(values, pa.Array) else pa.array(values, from_pandas=True)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array.cast(wanted, safe=not pa.types.is_timestamp(wanted))


def _rows_of(table: pa.Table) -> pd.DataFrame:
    """A run's table as the rows every reader of the history gets."""
    rows = table.select(SCHEMA.names).cast(SCHEMA).to_pandas()
    rows["flags"] = rows["flags"].fillna("")
    return rows


def run_path(place: str | Path, as_of: pd.Timestamp) -> Path:
    """Where the run of ``as_of`` lives: its UTC date's partition, named by the instant."""
    utc = pd.Timestamp(as_of).tz_convert("UTC")
    return Path(place) / f"{PARTITION}={utc.strftime('%Y-%m-%d')}" / f"run-{utc.strftime(RUN_TIME_FORMAT)}.parquet"


def append(place: str | Path, result, inputs=()) -> Path:
    """Add ``result`` to the history at ``place`` (a folder, made if missing), replacing the
    run of the same as-of if there is one. Atomic: see the module notes. Returns the run's file."""
    return write_run(place, run_table(result), result.as_of, run_meta(result), inputs)


def run_meta(result) -> dict:
    """What a run's file says about the run as a whole (its Parquet metadata)."""
    return {"as_of": result.as_of.isoformat(), "tz": result.tz, "policy": result.policy.label,
            "counts": result.counts, "followup_version": followup_version(), "history_format": HISTORY_FORMAT}


def check_place(place: str | Path, inputs=()) -> Path:
    """``place`` as a history folder: not a file, and holding none of the run's ``inputs``."""
    root = Path(place)
    if root.exists() and not root.is_dir():
        raise FollowupError(f"history {root} is a file; --history takes a folder")
    for source in inputs:
        if Path(source).resolve() == root.resolve() or root.resolve() in Path(source).resolve().parents:
            raise FollowupError(f"history {root} holds the input {source}; give the history its own folder")
    return root


def write_run(place: str | Path, table: pa.Table, as_of: pd.Timestamp, meta: dict, inputs=()) -> Path:
    """Write one run's :func:`run_table` to its file through a hidden temporary file and a rename."""
    root = check_place(place, inputs)
    target = run_path(root, as_of)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(root)
    meta = {**meta, "written_at": pd.Timestamp.now(tz="UTC").isoformat()}
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        pq.write_table(table, temporary)
        with open(temporary, "rb+") as written:  # on disk before the rename makes it visible
            os.fsync(written.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return target


def _remove_stale_temporaries(root: Path) -> None:
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for leftover in root.glob(f"{PARTITION}=*/.run-*.tmp"):  # a few files per killed run
        with contextlib.suppress(FileNotFoundError):  # another run removed it first
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a folder is synced through a read-only descriptor)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        # Some file systems cannot sync a folder; the rename has still happened.
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def list_runs(place: str | Path) -> list[RunFile]:
    """The runs in the history, oldest first, from their file names (nothing is read). Files
    that are not runs are reported and left alone; a missing history is an error."""
    root = Path(place)
    if not root.is_dir():
        raise FollowupError(f"history {root} does not exist (write one with --history on score or flags, "
                            f"or with followup replay)")
    runs = []
    for path in sorted(root.glob(f"{PARTITION}=*/*.parquet")):  # one file per run
        match = RUN_NAME.match(path.name)
        if not match:
            warnings.warn(f"history: {path} is not a run file (run-YYYYMMDDTHHMMSSZ.parquet); skipped", InputWarning)
            continue
        as_of = pd.Timestamp(pd.to_datetime(match.group(1), format=RUN_TIME_FORMAT, utc=True))
        if path.parent.name != f"{PARTITION}={as_of.strftime('%Y-%m-%d')}":
            warnings.warn(f"history: {path} is in the wrong folder for its as-of {as_of.isoformat()}; skipped",
                          InputWarning)
            continue
        runs.append(RunFile(path, as_of))
    return sorted(runs, key=lambda run: run.as_of)


def load_run(run: RunFile) -> Run:
    """Read one run and check it; :class:`~followup.errors.FollowupError` naming the run when it
    cannot be used (unreadable, hand-edited out of shape, a newer history format)."""
    try:
        table = pq.read_table(run.path)
    except (OSError, pa.ArrowException) as exc:
        raise FollowupError(f"history {run.label} cannot be read as Parquet ({type(exc).__name__}); "
                            "the file is damaged — delete it or re-run that as-of") from None
    problem = _shape_problem(table.schema)
    if problem:
        raise FollowupError(f"history {run.label}: {problem}; it was not written by followup or was edited "
                            "— delete it or re-run that as-of")
    formats = pd.unique(table.column("history_format").to_numpy(zero_copy_only=False))
    if len(formats) and (formats > HISTORY_FORMAT).any():
        raise FollowupError(f"history {run.label} was written by a newer followup (history format "
                            f"{int(formats.max())}, this one reads {HISTORY_FORMAT}); upgrade followup")
    predates = tuple(column for column in LATER_COLUMNS if column not in table.schema.names)
    for column in predates:  # a run written before the history kept these columns
        table = table.append_column(column, pa.nulls(len(table), SCHEMA.field(column).type))
    rows = _rows_of(table)
    problem = _content_problem(rows, run)
    if problem:
        raise FollowupError(f"history {run.label}: {problem}; it was edited — delete it or re-run that as-of")
    return Run(run, rows, predates)


def _shape_problem(schema: pa.Schema) -> str | None:
    missing = [name for name in SCHEMA.names if name not in schema.names and name not in LATER_COLUMNS]
    if missing:
        return f"column(s) {', '.join(missing)} missing"
    for wanted in SCHEMA:
        if wanted.name not in schema.names:
            continue
        have = schema.field(wanted.name).type
        if not _compatible(have, wanted.type):
            return f"column {wanted.name} holds {have}, not {wanted.type}"
    return None


def _compatible(have: pa.DataType, wanted: pa.DataType) -> bool:
    if pa.types.is_timestamp(wanted):
        return pa.types.is_timestamp(have) and have.tz is not None
    if pa.types.is_string(wanted):
        return pa.types.is_string(have) or pa.types.is_large_string(have) or pa.types.is_null(have)
    if pa.types.is_floating(wanted):
        return pa.types.is_floating(have) or pa.types.is_integer(have) or pa.types.is_null(have)
    if pa.types.is_integer(wanted):
        return pa.types.is_integer(have)
    return have == wanted or pa.types.is_null(have)


def _content_problem(rows: pd.DataFrame, run: RunFile) -> str | None:
    """The first thing wrong with a run's values, or ``None``: each test is a column pass."""
    if rows["candidate_id"].isna().any():
        return "a row has no candidate_id"
    if rows["candidate_id"].duplicated().any():
        first = rows.loc[rows["candidate_id"].duplicated(), "candidate_id"].iloc[0]
        return f"candidate {first} appears twice"
    if not (rows["as_of"] == run.as_of).all():
        return f"rows hold another as-of than the file name's {run.as_of.isoformat()}"
    bad_status = ~rows["status"].isin(STATUSES)
    if bad_status.any():
        return f"status {rows.loc[bad_status, 'status'].iloc[0]!r} of candidate {rows.loc[bad_status, 'candidate_id'].iloc[0]} is not one of {', '.join(STATUSES)}"
    bad_grade = rows["grade"].notna() & ~rows["grade"].isin(GRADES)
    if bad_grade.any():
        return f"grade {rows.loc[bad_grade, 'grade'].iloc[0]!r} is not one of {', '.join(GRADES)}"
    scores = rows["score"]
    if ((scores < 0) | (scores > 100)).any():
        return "a score is outside 0-100"
    codes = rows["flags"].fillna("").str.split(FLAG_SEPARATOR).explode()
    unknown = codes[(codes != "") & ~codes.isin(FLAGS)]
    if len(unknown):
        return f"flag {unknown.iloc[0]!r} is not one of {', '.join(FLAGS)}"
    for column in ("policy_hash", "policy_name", "history_format"):
        if rows[column].nunique(dropna=False) > 1:
            return f"{column} differs between rows"
    return None


@dataclass
class History:
    """The readable runs of a history, oldest first, and the runs that were skipped."""

    runs: list[Run]
    skipped: list[str]

    @property
    def rows(self) -> pd.DataFrame:
        """Every run's rows in one frame (oldest run first)."""
        if not self.runs:
            return pd.DataFrame({name: pd.Series(dtype=SCHEMA.field(name).type.to_pandas_dtype())
                                 for name in SCHEMA.names})
        return pd.concat([run.rows for run in self.runs], ignore_index=True)


def read(place: str | Path, last: int | None = None, before: pd.Timestamp | None = None) -> History:
    """The history at ``place``: its last ``last`` readable runs (all without it), only those
    with an as-of before ``before`` if given. Runs that cannot be used are reported as
    warnings naming them, and skipped.

    This is the reader to use from Python when some runs may be damaged; ``pd.read_parquet``
    on the folder reads them all, and fails on a damaged one.
    """
    files = [run for run in list_runs(place) if before is None or run.as_of < before]
    runs: list[Run] = []
    skipped: list[str] = []
    for run_file in reversed(files):  # newest first, stopping at the runs wanted
        if last is not None and len(runs) >= last:
            break
        try:
            runs.append(load_run(run_file))
        except FollowupError as exc:
            warnings.warn(f"{exc}; skipped", InputWarning)
            skipped.append(str(exc))
    return History(runs[::-1], skipped)


def policies_of(runs: list[Run]) -> list[str]:
    """The distinct policies of ``runs`` in order of first use."""
    return list(dict.fromkeys(run.policy_label for run in runs if len(run.rows)))


def same_policy(runs: list[Run], policy_hash: str) -> list[Run]:
    return [run for run in runs if run.policy_hash == policy_hash]

