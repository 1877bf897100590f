"""Present: a scored result as a terminal table, CSV, JSON, Parquet or Excel, written safely.

Machine formats carry the as-of time and the policy (name and content hash) on every row or
in the document header, so a file found on disk later still says what produced it. Files are
written to a temporary name beside the target and renamed into place, so an interrupted run
never leaves half a file, and no output may overwrite one of the run's inputs.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import io
import json
import os
import re
import stat
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from .shortlist import ScoreResult, ShortlistSummary, selected_rows
from .errors import FollowupError
from .schema import (ALL_ROWS, CHANNEL_SEPARATOR, FACTOR_SEPARATOR, FLAG_SEPARATOR, FLAGS, GRADE_CAPPED, GROUP,
                     REASON_SEPARATOR, REJECT_COLUMNS, WITH_FLAGS)
from .terminal import printable, printable_frame, printable_text

FORMATS = ("table", "csv", "json", "jsonl", "parquet", "xlsx")
EXTENSION_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
                     ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".txt": "table"}
TIME_COLUMNS = ("interview_at", "first_contact_at", "last_contact_at", "anchor", "window_end",
                "decision_at", "decision_due")
FLAG_STYLES = {"NO_CONTACT": "bold white on red", "EXCESSIVE_HANGUPS": "bold white on dark_orange3",
               "TOO_FREQUENT": "bold black on yellow", "WENT_SILENT": "bold white on purple4"}
STATUS_STYLES = {"ok": "green", "flagged": "red", "pending": "yellow", "upcoming": "cyan"}
GRADE_STYLES = {"A": "bold green", "B": "green", "C": "yellow", "D": "red"}


class CandidateRecord(BaseModel):
    """One shortlist row as handed to other programs (the ``candidates`` items of JSON output)."""

    model_config = ConfigDict(extra="allow")

    rank: int | None
    candidate_id: str
    name: str | None
    interview_at: str | None
    status: str
    score: float | None
    grade: str | None
    grade_capped: bool = False
    speed: float | None
    persistence: float | None
    restraint: float | None
    first_contact_hours: float | None
    inbound_contacts: int | None
    channels: list[str]
    hangups: int | None
    max_contacts_7d: int | None
    periods_with_contact: int | None
    flags: list[str]
    reasons: list[str]


def format_for(output: str | Path | None, requested: str | None, is_terminal: bool) -> str:
    """The output format: as asked, else from the output file's extension, else ``table`` on a
    terminal and ``csv`` when piped."""
    if requested:
        return requested
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in EXTENSION_FORMATS:
            raise FollowupError(
                f"cannot tell the format of {output} from its extension; pass --format "
                + "|".join(FORMATS))
        return EXTENSION_FORMATS[suffix]
    return "table" if is_terminal else "csv"


def provenance(result: "ScoreResult | ShortlistSummary") -> dict:
    return {"as_of": result.as_of.isoformat(), "tz": result.tz,
            "policy": {"name": result.policy.name, "hash": result.policy.content_hash}}


def tabular(result: "ScoreResult | Stamp", frame: pd.DataFrame | None = None,
            times_as_text: bool = True) -> pd.DataFrame:
    """The candidates frame for files, with the as-of and the policy on every row (``result``
    may be a :class:`Stamp` when ``frame`` is given: one piece of a partitioned run's rows).

    Times are in the reader's zone, ``--tz``: for CSV and JSON ISO 8601 text with its offset
    (``2026-03-03T10:00:00-05:00``; ``…Z`` under the default UTC), an exact instant that reads
    as local time; with ``times_as_text=False`` (Parquet) real timestamps carrying the zone.
    """
    # Columns are replaced, never changed in place, so a shallow copy keeps the result intact.
    frame = (result.candidates if frame is None else frame).copy(deep=False)
    for column in TIME_COLUMNS:
        if column in frame:
            times = pd.to_datetime(frame[column], utc=True).dt.tz_convert(result.tz)
            frame[column] = local_iso(times) if times_as_text else times
    frame["status"] = frame["status"].astype(str)
    frame["as_of"] = local_iso(pd.Series([result.as_of]).dt.tz_convert(result.tz)).iloc[0]
    frame["policy"] = result.policy.label
    return frame


def local_iso(times: pd.Series) -> pd.Series:
    """ISO 8601 text of zone-aware times in their own zone, to the second, with the offset
    (``Z`` for UTC); missing stays missing. Vectorised: the wall-clock text comes from Arrow,
    and the offset text is made once per distinct offset (a zone has two or three)."""
    wall = times.dt.tz_localize(None)
    utc = times.dt.tz_convert("UTC").dt.tz_localize(None)
    offset_minutes = ((wall - utc) / pd.Timedelta(minutes=1)).round()
    codes, distinct = pd.factorize(offset_minutes)
    texts = np.array([_offset_text(minutes, str(times.dt.tz)) for minutes in distinct] + [""], dtype=object)
    # To the second: a time with a fraction (nanoseconds from an export) is cut, not refused.
    text = pc.cast(pc.cast(pa.array(wall), pa.timestamp("s"), safe=False), pa.string())
    iso = pc.replace_substring(text, " ", "T", max_replacements=1)
    joined = pc.binary_join_element_wise(iso, pa.array(texts[codes], type=pa.string()), "")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=times.index, dtype=object)


def _offset_text(minutes: float, zone: str) -> str:
    if minutes == 0 and zone == "UTC":
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(int(abs(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def json_document(result: ScoreResult, frame: pd.DataFrame | None = None) -> dict:
    """The JSON output: ``{"as_of", "tz", "policy", "counts", "summary", "candidates": [...]}``
    with ``flags``, ``reasons`` and ``channels`` as lists."""
    return {**provenance(result), "counts": result.counts, "summary": result.summary(),
            "candidates": json.loads(_json_records(result, frame, drop=("as_of", "policy")))}


def _json_records(result: ScoreResult, frame: pd.DataFrame | None, drop=(), lines: bool = False) -> str:
    table = tabular(result, frame).drop(columns=list(drop))
    table["flags"] = _split(table["flags"], FLAG_SEPARATOR)
    table["channels"] = _split(table["channels"], CHANNEL_SEPARATOR)
    table["reasons"] = _split(table["reasons"], REASON_SEPARATOR)
    if "top_factors" in table:  # added by a learned model (followup score --model)
        table["top_factors"] = _split(table["top_factors"], FACTOR_SEPARATOR)
    return table.to_json(orient="records", date_format="iso", lines=lines, force_ascii=False)


JSONL_CHUNK_ROWS = 5_000


def jsonl_chunks(result: ScoreResult, frame: pd.DataFrame | None = None):
    """JSON Lines for batch jobs: one object per row (the JSON format's ``candidates`` items,
    each with ``as_of``, ``tz`` and ``policy`` like a CSV row), produced a few thousand rows at
    a time, so memory stays that of the result, not of one document holding every row."""
    frame = result.candidates if frame is None else frame
    for start in range(0, len(frame), JSONL_CHUNK_ROWS):  # chunks of rows, each vectorised
        text = _json_records(result, frame.iloc[start:start + JSONL_CHUNK_ROWS].assign(tz=result.tz), lines=True)
        yield text if text.endswith("\n") else text + "\n"


def _split(text: pd.Series, separator: str) -> pd.Series:
    text = text.fillna("").astype(str)
    return text.str.split(separator).map(lambda parts: [p for p in parts if p])


def records(result: ScoreResult) -> list[CandidateRecord]:
    """The shortlist as validated records, for programs that want objects, not a frame."""
    return [CandidateRecord.model_validate(item) for item in json_document(result)["candidates"]]


def atomic_write(path: str | Path, write: Callable[[Path], None], inputs: Iterable[str | Path] = ()) -> Path:
    """Write through a temporary file in the same folder, then rename into place.

    Refuses to write over any of ``inputs`` (:func:`refuse_overwriting_inputs`). A failure of
    the file system (a full disk, a read-only folder, a file-size limit) is one
    :class:`FollowupError` naming the file; the previous file, if any, is left as it was.
    """
    target = Path(path)
    refuse_overwriting_inputs([target], inputs)
    if target.parent and not target.parent.exists():
        raise FollowupError(f"cannot write {target}: folder {target.parent} does not exist")
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
        # mkstemp makes the file owner-only; give it the mode a plain open() would have.
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        write(Path(temporary))
        with open(temporary, "rb+") as written:  # on disk before the rename makes it visible
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        reason = _os_reason(exc)
        _discard(temporary)
        _release_quietly(exc)
        raise FollowupError(f"cannot write {target}: {reason}; "
                            + ("the previous file is unchanged" if target.exists() else "nothing was written")) from None
    except BaseException:
        _discard(temporary)
        raise
    return target


def _release_quietly(exc: OSError) -> None:
    """Free what the failed write left open now, not at exit. A library's writer (openpyxl's
    per-sheet temporary files, say) fails a second time when its half-written state is
    cleaned up, and Python prints that as ``Exception ignored …`` with a traceback: it is the
    same failure, already reported in one line, so it is not printed again."""
    previous = sys.unraisablehook
    sys.unraisablehook = lambda failure: (None if isinstance(failure.exc_value, OSError) else previous(failure))
    try:
        exc.__traceback__ = None
        exc.__context__ = None
        gc.collect()
    finally:
        sys.unraisablehook = previous


def _discard(temporary: str | None) -> None:
    if temporary is not None:
        # The folder may have become unwritable: the hidden .tmp file is then all that is left.
        with contextlib.suppress(OSError):
            Path(temporary).unlink(missing_ok=True)


def _os_reason(exc: OSError) -> str:
    """The system's words for a failed write (``No space left on device``), never a value
    from the data; a library that wraps the error keeps the original as its cause."""
    while exc.strerror is None and isinstance(exc.__cause__ or exc.__context__, OSError):
        exc = exc.__cause__ or exc.__context__
    if exc.errno is not None:
        return f"{exc.strerror or os.strerror(exc.errno)} ({errno.errorcode.get(exc.errno, exc.errno)})"
    return type(exc).__name__


def refuse_overwriting_inputs(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """The one guard that keeps a run from destroying what it reads.

    An output is refused when it is any file the run reads (one of ``inputs``, or any file
    inside an input folder) however it is spelled — relative or absolute, through ``..``, a
    symbolic link or a hard link: files are compared by device and inode, not by name — and
    when it would be written inside an input folder, where the next run would read it as
    input. Two outputs naming the same file are refused too.

    >>> refuse_overwriting_inputs(["out.csv"], ["README.md", "missing.csv"])
    """
    outputs = [Path(output) for output in outputs]
    read_files: dict[tuple[int, int], Path] = {}
    read_folders: list[tuple[Path, Path]] = []
    for source in inputs:
        source = Path(source)
        try:
            status = source.stat()
        except (OSError, ValueError):  # not on this machine (a URL) or not there: nothing to protect
            continue
        if stat.S_ISDIR(status.st_mode):
            read_folders.append((source, source.resolve()))
            for folder, _, names in os.walk(source):
                for name in names:
                    member = Path(folder, name)
                    try:
                        inside = member.stat()
                    except OSError:
                        continue
                    read_files.setdefault((inside.st_dev, inside.st_ino), member)
        else:
            read_files.setdefault((status.st_dev, status.st_ino), source)
    seen: dict[tuple[int, int] | Path, Path] = {}
    for output in outputs:
        try:
            status = output.stat()
            identity = (status.st_dev, status.st_ino)
        except OSError:
            identity = None
        if identity in read_files:
            alias = "" if str(read_files[identity]) == str(output) else f" (given as {output})"
            raise FollowupError(f"refusing to write output over the input file {read_files[identity]}"
                                f"{alias}; choose another name")
        where = output.resolve().parent
        for folder, resolved in read_folders:
            if where == resolved or resolved in where.parents:
                raise FollowupError(f"refusing to write {output} inside the input folder {folder}: "
                                    "the next run would read it as input; write it elsewhere")
        key = identity or output.resolve()
        if key in seen:
            raise FollowupError(f"{seen[key]} and {output} are the same file; give each output its own name")
        seen[key] = output


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same after a line break inside a cell: a reader that splits rows on a bare CR or LF
# would start a row there, with a live formula.
FORMULA_AFTER_LINE_BREAK = re.compile(r"(?<=[\r\n])(?=[=+\-@\t])")
# CSV files end lines the RFC 4180 way, so the writer quotes any cell holding a CR or an LF.
CSV_LINE_END = "\r\n"
# What openpyxl refuses in a cell (control characters but tab, LF, CR): shown escaped instead.
EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_safe(frame: pd.DataFrame, excel: bool = False) -> pd.DataFrame:
    r"""Text cells a spreadsheet would run as a formula, prefixed with ``'`` so they show as text.

    Names, subjects and contacts come from candidates: ``=HYPERLINK(...)`` in a name must not
    become a live link in a hiring manager's spreadsheet, nor ``Bob\r=1+2`` a second row with a
    formula — a ``'`` goes after every line break that a formula character follows, too. Only
    text columns are touched, so numbers stay numbers (a score of -0.0 or a negative count is
    still a number). With ``excel``, control characters no workbook can hold are shown as
    ``\x1b``-style escapes (:func:`printable`) instead of failing the write.

    >>> spreadsheet_safe(pd.DataFrame({"name": ["=1+2", "Bob\r=1+2", "Ann"]}))["name"].tolist()
    ["'=1+2", "Bob\r'=1+2", 'Ann']
    """
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if not (values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype))):
            continue
        text = values.astype("string")
        broken = text.str.contains(FORMULA_AFTER_LINE_BREAK.pattern, regex=True).fillna(False).to_numpy(bool)
        illegal = (text.str.contains(EXCEL_ILLEGAL.pattern, regex=True).fillna(False).to_numpy(bool)
                   if excel else np.zeros(len(text), bool))
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(bool)
        if not (broken.any() or illegal.any() or risky.any()):
            continue
        fixed = text.str.replace(FORMULA_AFTER_LINE_BREAK.pattern, "'", regex=True)
        if excel:
            fixed = printable_text(fixed, EXCEL_ILLEGAL)
        fixed = fixed.where(~risky, "'" + fixed)
        changed = broken | illegal | risky
        safe[column] = values.astype(object).where(~changed, fixed.astype(object))
    return safe


def csv_text(frame: pd.DataFrame, path: Path | None = None) -> str | None:
    """``frame`` as formula-safe CSV, to ``path`` or returned as text (for standard output)."""
    return spreadsheet_safe(frame).to_csv(path, index=False, lineterminator=CSV_LINE_END)


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        csv_text(frame, path)
    elif fmt == "parquet":
        _categories_in_row_order(frame).to_parquet(path, index=False)
    elif fmt == "xlsx":
        with _workbook_file(path) as target:
            spreadsheet_safe(frame, excel=True).to_excel(target, index=False, engine="openpyxl")
    else:
        raise FollowupError(f"format {fmt!r} cannot be written as a table file")


def write_result(result: ScoreResult, fmt: str, path: Path, frame: pd.DataFrame | None = None) -> None:
    """Write a result in a machine format (csv, json, jsonl, parquet, xlsx) to ``path``."""
    if fmt == "json":
        path.write_text(json.dumps(json_document(result, frame), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(jsonl_chunks(result, frame))
    elif fmt == "table":
        from rich.console import Console

        with open(path, "w", encoding="utf-8") as handle:
            render_table(result, Console(file=handle, width=200, no_color=True), frame, wide=True)
    elif fmt == "xlsx":
        write_workbook(result, path, frame)
    else:
        write_frame(tabular(result, frame, times_as_text=fmt != "parquet"), path, fmt)


# The formats a ranked shortlist can be written in piece by piece (followup.score_to_file),
# and those of them that are text (and so can go to standard output).
PIECEWISE_FORMATS = ("csv", "json", "jsonl", "parquet")
TEXT_PIECEWISE_FORMATS = ("csv", "json", "jsonl")
# The JSON document's indentation, and that of its candidates' items inside it.
JSON_INDENT = 2
JSON_ITEM_INDENT = " " * (2 * JSON_INDENT)


@dataclass(frozen=True)
class Stamp:
    """What every row of a file says produced it — the as-of, the zone, the policy: all that
    :func:`tabular` reads of a result besides its rows, small enough to travel with each piece
    of a partitioned run."""

    as_of: pd.Timestamp
    tz: str
    policy: object


def piece_format(run, fmt: str, rows: str = ALL_ROWS) -> Callable[[pd.DataFrame], object]:
    """The function that turns one piece of ``run``'s ranked shortlist (rows as
    :attr:`ScoreResult.candidates` has them) into what :func:`write_pieces` writes of it: for
    CSV the header and the rows' text, for JSON the candidates' items, for JSON Lines the
    text, for Parquet an Arrow table — of the piece's ``rows`` (every row, or those with flags:
    :func:`~followup.shortlist.selected_rows`). It runs where the piece is (a Dask worker), so
    it is a plain picklable function."""
    if fmt not in PIECEWISE_FORMATS:
        raise FollowupError(f"--format {fmt} cannot be written piece by piece (choices: {', '.join(PIECEWISE_FORMATS)})")
    return functools.partial(_formatted_piece, fmt, Stamp(run.as_of, run.tz, run.policy), rows)


def _formatted_piece(fmt: str, stamp: Stamp, rows: str, frame: pd.DataFrame):
    frame = selected_rows(frame, rows).reset_index(drop=True)
    if fmt == "csv":
        table = tabular(stamp, frame)
        return csv_text(table.iloc[:0]), csv_text(table)
    if fmt == "json":
        items = json.loads(_json_records(stamp, frame, drop=("as_of", "policy")))
        return ",\n".join(JSON_ITEM_INDENT + json.dumps(item, indent=JSON_INDENT, ensure_ascii=False)
                          .replace("\n", "\n" + JSON_ITEM_INDENT) for item in items)
    if fmt == "jsonl":
        return "".join(jsonl_chunks(stamp, frame))
    return pa.Table.from_pandas(_categories_in_row_order(tabular(stamp, frame, times_as_text=False)),
                                preserve_index=False)


def write_pieces(run, pieces: Iterable, target, fmt: str, rows: str = ALL_ROWS) -> None:
    """Write the formatted pieces (:func:`piece_format`), best first, to ``target`` (a path,
    or for the text formats an open text file such as standard output): the same bytes
    :func:`write_result` writes of the whole result's ``rows``, holding one piece at a time."""
    if fmt == "parquet":
        _write_parquet_pieces(pieces, target, run.filled_columns[rows])
    elif hasattr(target, "write"):
        _write_text_pieces(run, pieces, target, fmt)
    else:
        with open(target, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as handle:
            _write_text_pieces(run, pieces, handle, fmt)


def _write_text_pieces(run, pieces: Iterable, handle, fmt: str) -> None:
    if fmt == "json":  # the document around the items, as json_document and write_result make it
        head = json.dumps({**provenance(run), "counts": run.counts, "summary": run.summary(), "candidates": []},
                          indent=JSON_INDENT, ensure_ascii=False)
        opening, closing = head.removesuffix("[]\n}"), "\n" + " " * JSON_INDENT + "]\n}\n"
        items = (piece for piece in pieces if piece)
        first = next(items, None)
        if first is None:
            handle.write(head + "\n")
            return
        handle.write(opening + "[\n" + first)
        for piece in items:
            handle.write(",\n" + piece)
        handle.write(closing)
        return
    for n, piece in enumerate(pieces):
        if fmt == "csv":
            header, text = piece
            handle.write(text if n == 0 else text[len(header):])
        else:
            handle.write(piece)


def _categories_in_row_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns with their categories in order of first appearance, unused ones
    dropped. A Parquet reader rebuilds a long dictionary from the rows in that order anyway
    (past the writer's dictionary page limit), and a file written piece by piece reads back
    that way too: so every Parquet file says the same whatever its size or how it was written."""
    changed = {}
    for column in frame.columns:
        values = frame[column]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        codes = values.cat.codes.to_numpy()
        seen = pd.unique(codes[codes >= 0])
        remap = np.full(len(values.cat.categories) + 1, -1, dtype=np.int64)  # the last slot: missing
        remap[seen] = np.arange(len(seen))
        kept = pd.CategoricalDtype(values.cat.categories[seen], ordered=values.cat.ordered)
        changed[column] = pd.Categorical.from_codes(remap[codes], dtype=kept, validate=False)
    return frame.assign(**changed) if changed else frame


def _write_parquet_pieces(pieces: Iterable, path: Path, filled: frozenset) -> None:
    import pyarrow.parquet as pq

    writer = schema = None
    try:
        for table in pieces:
            if writer is None:
                schema = _whole_column_types(table.schema, filled)
                writer = pq.ParquetWriter(path, schema)
            writer.write_table(table.cast(schema))
    finally:
        if writer is not None:
            writer.close()


def _whole_column_types(schema: pa.Schema, filled: frozenset) -> pa.Schema:
    """The first piece's schema, typed as the whole shortlist's columns are: a text column
    with no value in this piece but some in others is text, not Arrow's null type; a
    categorical's codes are 32-bit, whatever the count of categories in one piece."""
    metadata = json.loads(schema.metadata[b"pandas"]) if schema.metadata and b"pandas" in schema.metadata else None
    fields = []
    for field in schema:
        if pa.types.is_null(field.type) and field.name in filled:
            field = field.with_type(pa.string())
            if metadata:
                for column in metadata["columns"]:
                    if column["name"] == field.name:
                        column["pandas_type"] = "unicode"
        elif pa.types.is_dictionary(field.type):
            values = pa.string() if pa.types.is_null(field.type.value_type) else field.type.value_type
            field = field.with_type(pa.dictionary(pa.int32(), values))
        fields.append(field)
    typed = pa.schema(fields)
    return typed.with_metadata({**schema.metadata, b"pandas": json.dumps(metadata).encode()}) if metadata \
        else typed.with_metadata(schema.metadata)


SHEET_NAME = "Shortlist"
EXCEL_DATE_FORMAT = "yyyy-mm-dd hh:mm"
# Characters Excel refuses in a sheet name, and its length limit.
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LIMIT = 31


def excel_sheet(result: ScoreResult, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The shortlist as a spreadsheet reads it: times as real (zone-less) Excel dates in
    ``--tz``, the zone in their header (``interview_at (America/New_York)``), and one TRUE/FALSE
    column per flag code instead of the ``;``-joined ``flags`` text, so a filter picks them."""
    table = tabular(result, frame, times_as_text=False)
    zone = f" ({result.tz})"
    for column in TIME_COLUMNS:
        if column in table:
            table[column] = table[column].dt.tz_localize(None)
    table = table.rename(columns={column: column + zone for column in TIME_COLUMNS if column in table})
    # Separators on both ends, so each code is found whole: ";NO_CONTACT;" in ";NO_CONTACT;WENT_SILENT;".
    carried = FLAG_SEPARATOR + table["flags"].fillna("").astype(str) + FLAG_SEPARATOR
    position = table.columns.get_loc("flags")
    for offset, code in enumerate(FLAGS):  # four codes, each a whole-column test
        table.insert(position + 1 + offset, code,
                     carried.str.contains(FLAG_SEPARATOR + code + FLAG_SEPARATOR, regex=False).astype(bool))
    return table.drop(columns=["flags"])


def write_workbook(result: ScoreResult, path: Path, frame: pd.DataFrame | None = None) -> None:
    """Excel: one sheet ``Shortlist`` (or, with ``--group-by``, a sheet per group), each with a
    frozen header row, an autofilter and column widths that fit, and a sheet ``About`` with the
    as-of, the zone, the policy and the row accounting."""
    table = spreadsheet_safe(excel_sheet(result, frame), excel=True)
    if GROUP in table:
        sheets = {_sheet_name(value, i): part for i, (value, part) in
                  enumerate(table.groupby(table[GROUP].fillna("(none)").astype(str), sort=False))}
    else:
        sheets = {SHEET_NAME: table}
    summary = result.summary()
    about = pd.DataFrame({"": ["as of", "time zone", "policy", *result.counts, *summary],
                          "value": [result.as_of.tz_convert(result.tz).isoformat(), result.tz,
                                    result.policy.label, *result.counts.values(), *summary.values()]})
    with _workbook_file(path) as target, pd.ExcelWriter(target, engine="openpyxl",
                                                        datetime_format=EXCEL_DATE_FORMAT) as writer:
        for name, part in {**sheets, "About": about}.items():
            part.to_excel(writer, sheet_name=name, index=False)
            _lay_out(writer.sheets[name], part)


@contextmanager
def _workbook_file(path: Path):
    """A workbook is zipped in memory and written to ``path`` in one call: zipfile writing
    straight to a full disk fails twice (once more when the broken archive is collected, as a
    traceback on stderr); this way a failure of the disk is one OSError, raised here."""
    buffer = io.BytesIO()
    yield buffer
    path.write_bytes(buffer.getbuffer())


def _sheet_name(value: str, index: int) -> str:
    name = SHEET_FORBIDDEN.sub(" ", value).strip("' ") or "(none)"
    suffix = f" ({index + 1})"
    return name if len(name) <= SHEET_NAME_LIMIT else name[:SHEET_NAME_LIMIT - len(suffix)] + suffix


WIDTH_SAMPLE_ROWS = 2_000
MAX_COLUMN_WIDTH = 60


def _lay_out(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sample = frame.head(WIDTH_SAMPLE_ROWS)
    for number, column in enumerate(frame.columns, start=1):
        values = sample[column]
        longest = (16 if pd.api.types.is_datetime64_any_dtype(values)
                   else int(values.astype("string").fillna("").str.len().max()) if len(values) else 0)
        width = min(max(longest, len(str(column)) + 2, 6), MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(number)].width = width + 1


def text_table(frame: pd.DataFrame) -> str:
    """``frame`` as the plain-text table of ``validate``, ``changes`` and ``replay``: text made
    printable (:func:`~followup.terminal.printable_frame`), a missing value a blank cell — never
    ``<NA>``, ``nan``, ``NaT`` or ``None`` (machine formats keep their nulls)."""
    shown = printable_frame(frame)
    for column in shown.columns:
        values = shown[column]
        # Floats and times keep their own formatting, with na_rep below; pandas prints the
        # missing values of other columns (nullable integers, text) as <NA> whatever na_rep says.
        if not (pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype)):
            missing = values.isna().to_numpy()
            if missing.any():
                shown[column] = values.astype(object).where(~missing, "")
    return shown.to_string(index=False, na_rep="")


def rejects_frame(result_rejects: pd.DataFrame) -> pd.DataFrame:
    """The rejects report's columns (:data:`followup.schema.REJECT_COLUMNS`), in their order."""
    return result_rejects[list(REJECT_COLUMNS)]


REJECTS_FORMATS = ("csv", "json", "jsonl", "parquet", "xlsx")


def rejects_format(path: str | Path) -> str:
    """The format of a rejects file, from the name the user gave (never the temporary file's)."""
    fmt = EXTENSION_FORMATS.get(Path(path).suffix.lower())
    if fmt not in REJECTS_FORMATS:
        raise FollowupError(f"cannot tell the format of the rejects file {path} from its extension; "
                            "name it .csv, .json, .jsonl, .parquet or .xlsx")
    return fmt


def write_rejects(rejects: pd.DataFrame, path: Path, fmt: str = "csv") -> None:
    """The rejected and duplicate rows (file, row, kind, code, column, value, reason, and the
    file and row a duplicate repeats) as ``fmt``."""
    frame = rejects_frame(rejects).astype({"source_file": "string", "kind": "string", "code": "string",
                                            "column": "string", "value": "string", "reason": "string",
                                            "duplicate_of_file": "string", "duplicate_of_row": "Int64"})
    if fmt == "json":
        path.write_text(frame.to_json(orient="records", indent=2, force_ascii=False) + "\n", encoding="utf-8")
    elif fmt == "jsonl":
        text = frame.to_json(orient="records", lines=True, force_ascii=False)
        path.write_text(text if not text or text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        write_frame(frame, path, fmt)


# Scored with --history (followup.trend): the score trail and an arrow for the trend.
TREND, SCORE_TRAIL = "trend", "score_trail"
TREND_ARROWS = {"improving": "↑", "steady": "→", "declining": "↓", "not enough history": ""}
TREND_WIDTH = 14
COMPACT_REASON_WIDTH = 20
COMPACT_FLAGS_WIDTH = 12
COMPACT_NAME_WIDTH = 22
# Flag badges in the compact table: short enough that three fit in one cell.
FLAG_SHORT = {"NO_CONTACT": "NO CONTACT", "EXCESSIVE_HANGUPS": "HANG-UPS",
              "TOO_FREQUENT": "TOO OFTEN", "WENT_SILENT": "SILENT"}
RANKING_NOTE = "ranked by grade, then score · equal grade and score share a rank · * grade capped by a flag"


def render_table(result: ScoreResult, console, frame: pd.DataFrame | None = None, title: str | None = None,
                 wide: bool = False) -> None:
    """The ranked shortlist for a person: rank, candidate, status, score, grade (``C*`` when a
    flag capped it), flags as badges, one reason, and a footer with the as-of time, the policy
    and the counts. Compact by default — one line per row in 100 columns, the reason cut short
    with ``…`` — and every word with ``wide`` (``--wide``). With ``--group-by``, a table per group."""
    frame = result.candidates if frame is None else frame
    if GROUP in frame and len(frame):
        groups = frame.groupby(frame[GROUP].fillna("(none)").astype(str), sort=False)
        for value, part in groups:  # one table per group: a handful, not per row
            console.print(_table(result, part, f"{result.group_by}: {value} — {_count_words(result, part)}",
                                 wide, console.width))
    else:
        console.print(_table(result, frame, title or f"Follow-up shortlist — {_count_words(result, frame)}",
                             wide, console.width))
    console.print(footer(result, frame), highlight=False)


def _count_words(result: ScoreResult, frame: pd.DataFrame) -> str:
    candidates = frame["candidate_id"].nunique()
    if result.all_rounds:
        return f"{len(frame)} rounds of {candidates} candidates"
    return f"{candidates} candidates"


def _compact_widths(frame: pd.DataFrame, console_width: int, all_rounds: bool, learned: bool) -> dict[str, int]:
    """Widths that keep each row on one line of the console: the short columns as they need,
    the reason (and the model's factors) sharing what is left, never under
    ``COMPACT_REASON_WIDTH`` (a narrower console wraps rather than hiding the reason)."""
    shown = frame["candidate_id"].astype(str) + " " + frame["name"].astype("string").fillna("")
    names = printable_text(shown).str.len()  # as _cell shows them, escapes and all
    ranks = frame["rank"].dropna()
    widths = {"#": max(len(str(int(ranks.max()))) if len(ranks) else 1, 1),
              **({"Round": 5} if all_rounds else {}),
              "Candidate": int(min(max(names.max() if len(frame) else 9, 9),
                                   max(COMPACT_NAME_WIDTH, console_width // 4))),
              "Status": 8, "Score": 5, "Grade": 5, "Flags": COMPACT_FLAGS_WIDTH,
              **({"P(adv)": 6} if learned else {}),
              **({"Trend": TREND_WIDTH} if TREND in frame else {})}
    flexible = ["Reason", *(["Top factors"] if learned else [])]
    # Between columns one space of padding and the (blank) rule; no edges.
    left = console_width - sum(widths.values()) - 2 * (len(widths) + len(flexible) - 1) - 1
    share = max(left // len(flexible), COMPACT_REASON_WIDTH)
    return {**widths, **dict.fromkeys(flexible, share)}


def _table(result: ScoreResult, frame: pd.DataFrame, title: str, wide: bool, console_width: int = 100):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(printable(title)), title_justify="left", header_style="bold", expand=False,
                  box=box.SIMPLE_HEAD if not wide else box.HEAVY_HEAD, pad_edge=False,
                  show_edge=wide, padding=(0, 1) if wide else (0, 1, 0, 0))
    learned = "p_advance" in frame  # scored with --model: its probability and reasons too
    widths = {} if wide else _compact_widths(frame, console_width, result.all_rounds, learned)
    fit = {"overflow": "fold"} if wide else {"overflow": "ellipsis", "no_wrap": True}
    table.add_column("#", justify="right", no_wrap=True, width=widths.get("#"))
    if result.all_rounds:
        table.add_column("Round", justify="right", no_wrap=True, width=widths.get("Round"))
    table.add_column("Candidate", **fit, width=widths.get("Candidate"))
    table.add_column("Status", no_wrap=True, width=widths.get("Status"))
    table.add_column("Score", justify="right", no_wrap=True, width=widths.get("Score"))
    table.add_column("Grade", justify="center", no_wrap=True, width=widths.get("Grade"))
    table.add_column("Flags", overflow="fold", width=widths.get("Flags"))
    trended = TREND in frame
    if trended:
        table.add_column("Trend", no_wrap=True, width=widths.get("Trend"))
    table.add_column("Reason", **fit, width=widths.get("Reason"))
    if learned:
        table.add_column("P(adv)", justify="right", no_wrap=True, width=widths.get("P(adv)"))
        table.add_column("Top factors", **fit, width=widths.get("Top factors"))
    capped = frame[GRADE_CAPPED].fillna(False).to_numpy(bool) if GRADE_CAPPED in frame else np.zeros(len(frame), bool)
    for row, is_capped in zip(frame.itertuples(index=False), capped):  # the final rows for a person, not the hot path
        flags = Text()
        for code in filter(None, str(row.flags).split(FLAG_SEPARATOR)):
            if flags:
                flags.append(" ")
            flags.append(f" {code if wide else FLAG_SHORT.get(code, code)} ", style=FLAG_STYLES.get(code, "bold"))
        who = f"{row.candidate_id}" + (f" {row.name}" if isinstance(row.name, str) and row.name else "")
        grade = "" if not isinstance(row.grade, str) else row.grade + ("*" if is_capped else "")
        model_cells = ([_cell("" if pd.isna(row.p_advance) else f"{row.p_advance:.2f}"), _cell(str(row.top_factors))]
                       if learned else [])
        round_cell = [f"{row.round_number}/{row.rounds}"] if result.all_rounds else []
        trend_cell = ([f"{getattr(row, SCORE_TRAIL) or ''} {TREND_ARROWS.get(getattr(row, TREND), '')}".rstrip()]
                      if trended else [])
        table.add_row(
            "" if pd.isna(row.rank) else str(row.rank),
            *round_cell,
            _cell(who),
            Text(str(row.status), style=STATUS_STYLES.get(str(row.status), "")),
            "" if pd.isna(row.score) else f"{row.score:.1f}",
            Text(grade, style=GRADE_STYLES.get(row.grade, "")),
            flags,
            *trend_cell,
            _cell("" if not isinstance(row.reason, str) else row.reason),
            *model_cells,
        )
    return table


def _cell(text: str):
    """Candidate-supplied text for the terminal: never read as rich markup (``[link=…]``), and
    control characters shown as escapes (:func:`printable`)."""
    from rich.text import Text

    return Text(printable(text))


def footer(result: ScoreResult, frame: pd.DataFrame | None = None) -> str:
    """The lines under a table: as-of, zone and policy; what the list holds by status (the
    rows with flags counted apart: a pending candidate can carry one); how it is ranked; and
    the row accounting."""
    counts = result.counts
    local = result.as_of.tz_convert(result.tz)
    return (
        f"as of {local.isoformat()} ({result.tz}) · policy {result.policy.label}\n{status_counts(result)}\n"
        f"{RANKING_NOTE}" + (f", within each {result.group_by}" if result.group_by else "") + "\n"
        f"rows read {counts['rows_read']} = used {counts['rows_used']} + duplicates "
        f"{counts['duplicates']} + rejected {counts['rejected']}"
        + (" (see --rejects)" if counts["rejected"] or counts["duplicates"] else "")
    )


def status_counts(result: ScoreResult) -> str:
    """``32 candidates: 19 ok, 9 flagged, 2 pending, 2 upcoming; 10 with flags`` — with
    ``--all-rounds`` the statuses are counted in rounds (``40 rounds of 32 candidates: …``)."""
    summary = result.summary()
    whole = (f"{summary['rounds']} rounds of {summary['candidates']} candidates" if result.all_rounds
             else f"{summary['candidates']} candidates")
    return (f"{whole}: {summary['ok']} ok, {summary['flagged']} flagged, {summary['pending']} pending, "
            f"{summary['upcoming']} upcoming; {summary[WITH_FLAGS]} with flags")
