"""Read and adapt: turn a file of any supported format into a frame of raw text columns.

The format is chosen by the file's extension: ``.csv``/``.tsv``/``.txt`` (delimited text),
``.json`` (an array of records, or an object holding one), ``.jsonl``/``.ndjson`` (one record
per line), ``.parquet`` and ``.xlsx``/``.xls``. Header spellings are mapped onto the canonical
names of :mod:`followup.schema` (``"Start Time"`` → ``timestamp``); values are left untouched
for :mod:`followup.normalise` to judge, so a bad value is reported rather than coerced here.

Every frame carries ``source_file`` and ``source_row`` (1 = the first record after the header),
which is how a rejected row is traced back to the file a user can open.

A header that names one column twice (``timestamp`` and ``Timestamp``, or ``timestamp`` and its
synonym ``Start Time``) is refused, naming both: which one holds the data would be a guess.
JSON records each carry their own keys, so there a record that does so (or repeats a key) is
the bad row, and records that each use a different spelling are read into one column.

A record that cannot be split into the header's columns (a ragged CSV row, a JSON Lines line
that is not JSON, a JSON item that is not an object) is either a one-line error naming its row,
or, with ``keep_bad_rows=True``, kept as a row whose :data:`READ_ERROR` column says what is
wrong, for :mod:`followup.normalise` to report as a rejected row. Error messages name files,
rows and columns, never the text of a record.
"""

from __future__ import annotations

import csv
import json
import re
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from . import encodings
from .errors import FollowupError, InputFileError, InputWarning
from .ids import ID_COLUMNS, INEXACT_NUMBER, INVISIBLE, JSON_NUMBERS, inexact_numbers
from .schema import RejectCode, fold

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
JSON_SUFFIXES = {".json"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES | JSON_SUFFIXES | JSON_LINES_SUFFIXES | PARQUET_SUFFIXES | EXCEL_SUFFIXES
)

# Columns whose values repeat a lot: read dictionary-encoded so that a 10M-row log costs a
# small table of distinct spellings plus integer codes, and synonym lookup runs per spelling.
LOW_CARDINALITY = {"channel", "direction", "outcome", "contact", "decision", "interviewers", "name"}
# Candidate ids repeat too, but a log's 16 MB blocks each hold mostly different ones: the
# reader's per-block dictionaries would be nearly as long as the blocks and cost a second hash
# pass to unify, so the ids are read as text and encoded once, over the whole column.
ENCODED_AFTER_READING = {"candidate_id"}

# The column that marks a record the reader could not split into fields (see module docs).
READ_ERROR = "_followup_read_error"
BLOCK_SIZE = 16 << 20
_INVISIBLE = re.compile(INVISIBLE)
# Columns the reader itself adds: a file's own column of that name is renamed (see
# :func:`_own_names`), so that no file can mark its rows as set aside or say where they came from.
PROVENANCE_COLUMNS = ("source_file", "source_row")
FROM_THE_FILE = " (from the file)"
# No export has more columns than this (Excel's own limit is 16,384); a wider header is refused
# before any work that grows with it.
MAX_COLUMNS = 5_000
# A workbook's parts unpacked. A cell takes some 30 bytes of XML, so this is about 8 million
# cells: more than the workbook reader gets through in minutes (Excel is for exports of
# thousands of rows; large ones are CSV or Parquet).
MAX_WORKBOOK_BYTES = 256 << 20


def canonical_columns(columns: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map a file's header onto canonical names; unknown headers are kept as they are.

    An exact canonical name wins over an alias, so a header with both ``timestamp`` and
    ``date`` maps ``timestamp``. A file never gets that far (:func:`read_records` refuses two
    names for one column); a DataFrame handed to the API does.

    >>> from followup.schema import EVENT_COLUMN_ALIASES
    >>> canonical_columns(["Candidate ID", "Start Time", "Result"], EVENT_COLUMN_ALIASES)
    {'Candidate ID': 'candidate_id', 'Start Time': 'timestamp', 'Result': 'outcome'}
    """
    # Columns grouped by folded spelling, so that the work is one pass over the header however
    # wide it is (a hostile header of 100,000 columns took seconds when searched per synonym).
    by_spelling: dict[str, list[str]] = {}
    for col in columns:
        by_spelling.setdefault(fold(col), []).append(col)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for canonical in aliases:
        exact = by_spelling.get(fold(canonical))
        if exact:
            mapping[exact[0]] = canonical
            taken.add(canonical)
    for canonical, spellings in aliases.items():
        if canonical in taken:
            continue
        for spelling in spellings:
            hits = [c for c in by_spelling.get(fold(spelling), ()) if c not in mapping]
            if hits:
                mapping[hits[0]] = canonical
                taken.add(canonical)
                break
    return mapping


def read_records(path: str | Path, aliases: dict[str, tuple[str, ...]],
                 keep_bad_rows: bool = False, encoding: str | None = None,
                 sheet_test: Callable[[list[str]], bool] | None = None) -> pd.DataFrame:
    """Read one file into a frame with canonical column names and provenance columns.

    Raises :class:`InputFileError` for a missing file, an unknown extension or a file that
    cannot be parsed in its format. A record that cannot be split into fields raises too,
    naming its row, unless ``keep_bad_rows`` is set (see the module docs). ``encoding``
    (``--encoding``) is the text encoding of a CSV or JSON file; without it, it is detected
    (:mod:`followup.encodings`) and, when it is not UTF-8, named in an :class:`InputWarning`.
    ``sheet_test`` picks a workbook's sheet by its header row (a vendor adapter's test of its
    export's header): the first sheet that passes it is read (see :func:`_read_excel`).
    """
    path = Path(path)
    check_regular_file(path)
    if encoding is not None:
        encoding = encodings.checked(encoding)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            path,
            f"unknown file type {suffix or '(none)'!r}; use one of "
            + ", ".join(sorted(SUPPORTED_SUFFIXES)),
        )
    rows = None
    try:
        if suffix in TEXT_SUFFIXES:
            frame, rows = _read_delimited(path, aliases, delimiter="\t" if suffix == ".tsv" else None,
                                          encoding=encoding)
        elif suffix in JSON_SUFFIXES:
            frame = _read_json(path, aliases, encoding)
        elif suffix in JSON_LINES_SUFFIXES:
            frame = _read_json_lines(path, aliases, encoding)
        elif suffix in PARQUET_SUFFIXES:
            frame = _read_parquet(path, aliases)
        else:
            _check_excel_signature(path, suffix)
            frame = _read_excel(path, aliases, sheet_test)
    except (InputFileError, InputWarning):  # a warning raised as an error under --strict
        raise
    except FollowupError as exc:
        raise InputFileError(path, str(exc)) from None
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"is not {encodings.name_of(encoding or exc.encoding)} text (byte "
                                   f"0x{exc.object[exc.start]:02x} cannot be decoded); give its encoding "
                                   "with --encoding, or re-export it as UTF-8") from None
    except RecursionError:
        raise InputFileError(path, f"cannot be read as {suffix[1:]}: nested too deeply") from None
    except Exception as exc:  # any parser failure (pyarrow, openpyxl, zip, …) is the file's fault
        raise InputFileError(path, f"cannot be read as {suffix[1:]}: {parser_complaint(exc)}") from None
    if suffix not in TEXT_SUFFIXES:
        frame.columns = [str(c) for c in frame.columns]  # a spreadsheet header may hold numbers
        if suffix in EXCEL_SUFFIXES:  # the Parquet reader renames before marking rows itself
            frame.columns = _own_names(list(frame.columns), aliases)
        if suffix in EXCEL_SUFFIXES:
            from openpyxl.utils import get_column_letter  # openpyxl is slow to import; only Excel needs it

            _check_header(path, list(frame.columns), aliases, position=get_column_letter)
        elif suffix in PARQUET_SUFFIXES:
            _check_header(path, list(frame.columns), aliases)
        frame = frame.rename(columns=canonical_columns(list(frame.columns), aliases))
        if suffix in EXCEL_SUFFIXES | PARQUET_SUFFIXES:  # JSON numbers are text already
            _mark_rounded_ids(frame)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if READ_ERROR in frame and not keep_bad_rows:
        bad = frame[READ_ERROR].notna().to_numpy()
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            row = int(rows[first]) if rows is not None else first + 1
            raise InputFileError(path, f"row {row}: {frame[READ_ERROR].iloc[first]}")
    frame["source_file"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [str(path)])
    frame["source_row"] = rows if rows is not None else pd.RangeIndex(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def _mark_rounded_ids(frame: pd.DataFrame) -> None:
    """A spreadsheet's numbers and a float column are floats: an id cell beyond 2^53 there may
    already be a neighbour of the id typed (Excel keeps 15 digits: 12345678901234567890 is
    stored as 1.2345678901234567e19). Its row is set aside, saying so, rather than scored as
    someone else's."""
    for name in ID_COLUMNS:
        if name in frame:
            _mark(frame, inexact_numbers(frame[name]), f"column {name!r} {INEXACT_NUMBER}")


def parser_complaint(exc: BaseException) -> str:
    """The parser's complaint, cut before any quoted record text (which may be a message body,
    or binary garbage): every reader and adapter quotes a library's error through this.

    >>> parser_complaint(ValueError("Content line could not be parsed into parts: 'Dear Ann,…'"))
    'Content line could not be parsed into parts'
    >>> parser_complaint(ValueError("Found no components where exactly one is required: b'BEGIN:V'"))
    'Found no components where exactly one is required'
    >>> parser_complaint(ImportError("Missing optional dependency 'xlrd'."))
    "Missing optional dependency 'xlrd'."
    """
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    line = re.sub(r"(got \d+ columns?):.*", r"\1", line)
    line = re.split(r""":\s*b?['"]""", line, maxsplit=1)[0].rstrip() or type(exc).__name__  # ": 'the text'"
    return line if len(line) <= 200 else line[:200] + "…"


def header_name(text: str) -> str:
    """A column name as written, less surrounding spaces and characters that show as nothing
    (a zero-width space pasted before ``candidate_id`` made it another column, and the error
    then said a file with ``candidate_id`` lacked ``candidate_id``).

    >>> header_name("\u200bcandidate_id "), header_name("Start Time")
    ('candidate_id', 'Start Time')
    """
    return _INVISIBLE.sub("", text).strip()


def _short(name: str) -> str:
    """A column name or key cut short for a message: a file's header may be any length.

    >>> _short("Start Time"), _short("x" * 100)[-3:]
    ('Start Time', 'xx…')
    """
    return name if len(name) <= 60 else name[:60] + "…"


# The first line Excel writes to say which delimiter a CSV uses (and reads, then hides).
_EXCEL_SEPARATOR_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")  # tested before UTF-16's, which they start like
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BOMS = (b"\xef\xbb\xbf", *UTF32_BOMS, *UTF16_BOMS)
# Files that are not text whatever their name says, by their first bytes, and what to do.
_ARCHIVES = {b"\x1f\x8b": "is gzip-compressed, not text; decompress it (gunzip) and give the file inside",
             b"PK\x03\x04": "is a zip archive (an .xlsx workbook, or files zipped), not text; give a workbook "
                             "an .xlsx name, or unzip it and give the files inside",
             b"PAR1": "is a Parquet file, not text; give it a .parquet name",
             b"\xd0\xcf\x11\xe0": "is an Office document (an .xls workbook?), not text; give it its own name "
                                   "(.xls), or save it as CSV"}


def _without_bom(head: bytes) -> bytes:
    return next((head[len(bom):] for bom in _BOMS if head.startswith(bom)), head)


def _refuse_archives(path: Path, head: bytes) -> None:
    for magic, what in _ARCHIVES.items():
        if head.startswith(magic):
            raise InputFileError(path, what)


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def check_regular_file(path: Path) -> None:
    """A missing file, a folder, or a pipe, device or socket is refused before it is opened: a
    FIFO is read by whoever opens it first, so detecting its format and then reading it hangs."""
    if not path.exists():
        if path.is_symlink():
            raise InputFileError(path, "is a symbolic link to nothing (its target is missing, or it "
                                       "leads back to itself)")
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a directory, not a file")
    if not path.is_file():
        raise InputFileError(path, "is not a regular file (a pipe, device or socket); "
                                   "save the data to a file and give that")


def _own_names(names: list[str], aliases) -> list[str]:
    """A file's column named like one the reader or the normaliser adds (``source_row``,
    ``_followup_read_error``, ``timestamp_raw``) gets `` (from the file)`` added to its name:
    it is the file's data, never a mark on its rows.

    >>> _own_names(["candidate_id", "_followup_read_error", "source_row"], {"candidate_id": ()})
    ['candidate_id', '_followup_read_error (from the file)', 'source_row (from the file)']
    """
    reserved = {READ_ERROR, *PROVENANCE_COLUMNS, *(f"{name}_raw" for name in aliases)}
    return [f"{name}{FROM_THE_FILE}" if name in reserved else name for name in names]


def header_names(path: Path) -> list[str]:
    """The column names of a delimited text or Parquet file, read cheaply (to recognise which
    system wrote it) and refused when wider than :data:`MAX_COLUMNS`: a pandas frame of 100,000
    columns takes seconds to build only to be refused. A workbook gives its first sheet's
    (every sheet's: :func:`sheet_headers`)."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return next(iter(sheet_headers(path).values()), [])
    if path.suffix.lower() in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        _check_width(path, (_parquet_width(path) or 1) - 1)  # the schema's root is one field
        return list(pq.read_schema(path).names)
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    codec = "utf-32" if head.startswith(UTF32_BOMS) else "utf-16" if head.startswith(UTF16_BOMS) else "utf-8-sig"
    lines = head.decode(codec, errors="replace").splitlines()
    header_line = lines[0] if lines else ""
    hint = _EXCEL_SEPARATOR_LINE.fullmatch(header_line.strip())
    if hint:
        header_line = lines[1] if len(lines) > 1 else ""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else hint.group(1) if hint else _sniff_delimiter(header_line)
    names = [header_name(h) for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    _check_width(path, len(names))
    return names


def sheet_headers(path: Path) -> dict[str | None, list[str]]:
    """Each sheet's first row (its header), by sheet name, for a workbook: an export is often
    a workbook whose first sheet is a cover or notes page. Any other file has one header,
    under ``None``."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return {None: header_names(path)}
    _check_excel_signature(path, path.suffix.lower())
    sheets = pd.read_excel(path, sheet_name=None, header=None, nrows=1, dtype=object)
    headers = {}
    for name, sheet in sheets.items():
        row = sheet.iloc[0].tolist() if len(sheet) else []
        _check_width(path, len(row))
        headers[name] = ["" if pd.isna(cell) else header_name(str(cell)) for cell in row]
    return headers


def _parquet_width(path: Path) -> int | None:
    """How many schema fields a Parquet file's footer declares, from its first bytes alone.

    Arrow decodes the whole footer before it can count columns: 2.7 s for 100,000 of them. The
    footer (Thrift compact protocol, parquet.thrift ``FileMetaData``) starts with the format
    version (field 1) and the schema list (field 2), whose header holds the count. None when
    the footer does not start that way; the full read then judges the file.
    """
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() < 12:
            return None
        handle.seek(-8, 2)
        length, magic = int.from_bytes(handle.read(4), "little"), handle.read(4)
        if magic != b"PAR1" or not 0 < length <= handle.tell() - 12:
            return None
        handle.seek(-8 - length, 2)
        head = handle.read(min(length, 32))

    def varint(at: int) -> tuple[int, int]:
        value = shift = 0
        while at < len(head):
            byte = head[at]
            value |= (byte & 0x7F) << shift
            at, shift = at + 1, shift + 7
            if not byte & 0x80:
                return value, at
        raise IndexError

    try:
        if head[0] != 0x15:  # field 1, i32
            return None
        _, at = varint(1)
        if head[at] != 0x19 or head[at + 1] & 0x0F != 0x0C:  # field 2, a list of structs
            return None
        size = head[at + 1] >> 4
        return size if size != 0x0F else varint(at + 2)[0]
    except IndexError:
        return None


def _check_width(path: Path, width: int) -> None:
    if width > MAX_COLUMNS:
        raise InputFileError(path, f"has {width:,} columns; no export has more than {MAX_COLUMNS:,}")


def _encoding(path: Path, head: bytes) -> str:
    """UTF-32 or UTF-16 by its byte-order mark, UTF-8 if the first 64 KB are, else what
    :func:`followup.encodings.choose_encoding` makes of them."""
    if head.startswith(UTF32_BOMS):
        return "utf-32"
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    if encodings.is_utf8(head):
        return "utf8"
    return _detected(path, encodings.non_ascii_lines(path))


def _detected(path: Path, sample: bytes) -> str:
    """The encoding chosen from ``sample``; a choice other than UTF-8 is said in a warning."""
    chosen = encodings.choose_encoding(sample)
    if chosen not in ("utf8", encodings.REPLACING_UTF8):
        warnings.warn(f"{path}: not UTF-8; read as {encodings.name_of(chosen)} (detected; give --encoding "
                      "if that is wrong)", InputWarning, stacklevel=2)
    return chosen


def _warn_replaced_bytes(path: Path, frame: pd.DataFrame, rows: np.ndarray | None, text_file: bool = True) -> None:
    """Name the rows in which bytes that are not UTF-8 became U+FFFD (every other row was
    read exactly as written)."""
    hit = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            spelled = values.cat.categories.astype(str).str.contains(encodings.REPLACEMENT, regex=False)
            codes = values.cat.codes.to_numpy()
            hit |= np.append(np.asarray(spelled, dtype=bool), False)[codes]
        elif values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            found = values.astype("string").str.contains(encodings.REPLACEMENT, regex=False)
            hit |= found.fillna(False).to_numpy(dtype=bool)
    numbers = (rows if rows is not None else np.arange(1, len(frame) + 1))[hit]
    numbers = np.sort(numbers)
    shown = ", ".join(map(str, numbers[:5])) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
    where = f"row{'s' * (len(numbers) != 1)} {shown}" if len(numbers) else "the header"
    fix = " (give --encoding if the file is in another encoding)" if text_file else ""
    warnings.warn(f"{path}: read as UTF-8, but {where} hold{'s' * (len(numbers) == 1)} bytes that are not "
                  f"UTF-8, shown as \ufffd; every other row is exact{fix}", InputWarning, stacklevel=2)


def _read_delimited(path: Path, aliases, delimiter: str | None,
                    encoding: str | None = None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Arrow's multi-threaded reader; the record-by-record path only for a file it refuses.

    Returns the frame and, when some records were set aside, each row's record number.
    """
    sample = 64 * 1024
    with open(path, "rb") as handle:
        head = handle.read(sample)
    if not _without_bom(head).strip():
        raise InputFileError(path, "is empty")
    _refuse_archives(path, head)
    if len(head) == sample and b"\n" not in head and b"\r" not in head:
        # Its columns would be counted from the part read, and every record found ragged.
        raise InputFileError(path, f"has a header line longer than {sample >> 10} KB; no export needs one")
    if b"\x00" in head.splitlines()[0] and not head.startswith((*UTF16_BOMS, *UTF32_BOMS)):
        raise InputFileError(path, "is not a text file (NUL bytes in the header); "
                                   "a UTF-16 export needs its byte-order mark")
    given = "utf8" if encoding == "utf-8" else encoding  # Arrow's own name: no transcoding pass
    encoding = given or _encoding(path, head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    header_line = lines[0] if text.strip() else ""
    if "\x00" in header_line:
        raise InputFileError(path, "is not a text file (NUL bytes in the header); "
                                   "a UTF-16 export needs its byte-order mark")
    hint = _EXCEL_SEPARATOR_LINE.fullmatch(header_line.strip())
    skip = 1
    if hint:  # Excel's "sep=;" line, which says the delimiter and is not the header
        delimiter, skip = delimiter or hint.group(1), 2
        header_line = lines[1] if len(lines) > 1 else ""
        if not header_line.strip():
            raise InputFileError(path, "is empty (only Excel's sep= line)")
    delimiter = delimiter or _sniff_delimiter(header_line)
    names = [header_name(h) for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    _check_width(path, len(names))
    _check_header(path, names, aliases)
    names = _own_names(names, aliases)
    mapping = canonical_columns(names, aliases)
    canonical = [mapping.get(n, n) for n in names]
    try:
        table, rows = _read_table(path, canonical, encoding, delimiter, skip)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if encoding != "utf8" or not isinstance(exc, UnicodeDecodeError) and "invalid UTF8" not in str(exc):
            raise
        if given:
            raise InputFileError(path, "is not UTF-8 text, as --encoding says; give the file's own "
                                       "encoding, or leave --encoding out to have it detected") from None
        # UTF-8 in the first 64 KB, something else later: judged on the lines that hold it.
        encoding = _detected(path, encodings.non_ascii_lines(path))
        table, rows = _read_table(path, canonical, encoding, delimiter, skip)
    frame = _to_pandas(table)
    if encoding == encodings.REPLACING_UTF8:
        _warn_replaced_bytes(path, frame, rows)
    _mark_repeated_headers(frame, canonical, names)
    return frame, rows


def _mark_repeated_headers(frame: pd.DataFrame, canonical: list[str], names: list[str]) -> None:
    """A record that is the header line again (exports joined with ``cat``, each with its
    header) is set aside as that, not judged as a row of bad values. One comparison per
    column, on the column's distinct values where it is encoded."""
    if not len(frame) or len(canonical) < 2:
        return
    same = np.ones(len(frame), dtype=bool)
    for column, name in zip(canonical, names):
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            hits = np.append(np.asarray(values.cat.categories.astype(str).str.strip() == name, dtype=bool), False)
            same &= hits[values.cat.codes.to_numpy()]
        else:
            same &= (values.astype("string").str.strip() == name).fillna(False).to_numpy(dtype=bool)
        if not same.any():
            return
    _mark(frame, same, "the header line again (files joined with their headers?), not a record")


def _read_table(path: Path, canonical: list[str], encoding: str, delimiter: str, skip: int = 1):
    try:
        table = _read_arrow(path, canonical, encoding, delimiter, skip=skip)
        _check_closed_quotes(path, _last_value_spans_lines(table), len(table))
        return table, None
    except pa.ArrowInvalid as exc:
        if "CSV parse error" not in str(exc):
            raise
    return _read_setting_aside(path, canonical, encoding, delimiter, skip)


def _column_meanings(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each folded header spelling and the canonical column it means (the name itself included).

    >>> _column_meanings({"timestamp": ("time", "start time")})["start time"]
    'timestamp'
    """
    meanings = {fold(canonical): canonical for canonical in aliases}
    for canonical, spellings in aliases.items():
        for spelling in spellings:
            meanings.setdefault(fold(spelling), canonical)
    return meanings


def _check_header(path: Path, names: list[str], aliases: dict[str, tuple[str, ...]],
                  position=str) -> None:
    """Two columns with the same name, or two names for one column (``timestamp`` and
    ``Start Time``): which one holds the data would be a guess, so refuse.

    ``position`` labels a column's 1-based position (a spreadsheet's letters, say).
    """
    meanings = _column_meanings(aliases)
    seen: dict[str, tuple[int, str]] = {}
    for number, name in enumerate(names, start=1):
        key = fold(name)
        if not key:
            continue
        meaning = meanings.get(key, key)
        if meaning in seen:
            first_number, first_name = seen[meaning]
            where = f"columns {position(first_number)} and {position(number)}"
            if fold(first_name) == key:
                problem = f"the header repeats column {_short(name)!r} ({where})"
            else:
                problem = (f"the header has {_short(first_name)!r} and {_short(name)!r} ({where}), "
                           f"which both mean {_short(meaning)}")
            raise InputFileError(path, problem + "; rename or remove one")
        seen[meaning] = (number, name)


def _column_types(canonical: list[str]) -> dict:
    return {name: (pa.dictionary(pa.int32(), pa.string()) if name in LOW_CARDINALITY else pa.string())
            for name in canonical}


def _read_arrow(path: Path, canonical: list[str], encoding: str, delimiter: str,
                invalid_row_handler=None, skip: int = 1) -> pa.Table:
    try:
        return pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(
                column_names=canonical, skip_rows=skip, encoding=encoding, block_size=BLOCK_SIZE,
                # Row numbers reach the handler only when reading in one thread.
                use_threads=invalid_row_handler is None,
            ),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=has_quoted_values(path),
                                              invalid_row_handler=invalid_row_handler),
            convert_options=pa_csv.ConvertOptions(
                column_types=_column_types(canonical), strings_can_be_null=True,
                quoted_strings_can_be_null=True
            ),
        )
    except pa.ArrowInvalid as exc:
        if "straddling" in str(exc):
            raise InputFileError(path, f"has a record longer than {BLOCK_SIZE >> 20} MB; "
                                       "no export of messages needs one") from None
        raise


def has_quoted_values(path: Path) -> bool:
    """Whether any quote follows the header line. Without one no value can hold a line break,
    and Arrow can cut the file into blocks at any line end, which reads it much faster."""
    block = bytearray(BLOCK_SIZE)
    with open(path, "rb", buffering=0) as handle:
        header = handle.readline()
        if not header.endswith(b"\n"):  # read to the end: one line, or old Mac line ends (CR only)
            return b'"' in header[header.find(b"\r") + 1:] if b"\r" in header else False
        while size := handle.readinto(block):
            if block.find(b'"', 0, size) >= 0:
                return True
    return False


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    for name in ENCODED_AFTER_READING & set(table.column_names):
        position = table.column_names.index(name)
        table = table.set_column(position, name, pc.dictionary_encode(table.column(name).combine_chunks()))
    table = table.unify_dictionaries()
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _read_setting_aside(path: Path, canonical: list[str], encoding: str, delimiter: str, skip: int = 1):
    """Read again, setting aside records with more or fewer fields than the header.

    Only reached when the fast read refuses the file. Arrow still parses (in one thread, to
    number the rows); only the bad records reach Python. Each is kept as a row marked in
    :data:`READ_ERROR`, with its record number, and none of its text.
    """
    width = len(canonical)
    bad_rows: list[int] = []
    bad_reasons: list[str] = []
    last_bad_spans_lines = False

    def set_aside(row) -> str:
        nonlocal last_bad_spans_lines
        bad_rows.append(row.number - skip)  # Arrow counts the header (and a sep= line) as records
        bad_reasons.append(f"the record has {row.actual_columns} field{'s' * (row.actual_columns != 1)}, "
                           f"the header has {width}")
        last_bad_spans_lines = "\n" in row.text or "\r" in row.text
        return "skip"

    good = _read_arrow(path, canonical, encoding, delimiter, invalid_row_handler=set_aside, skip=skip)
    total = len(good) + len(bad_rows)
    last_is_bad = bool(bad_rows) and bad_rows[-1] == total
    _check_closed_quotes(path, last_bad_spans_lines if last_is_bad else _last_value_spans_lines(good), total)
    is_bad = np.zeros(total, dtype=bool)
    is_bad[np.asarray(bad_rows, dtype=np.int64) - 1] = True
    good_rows = np.flatnonzero(~is_bad) + 1
    good = good.append_column(READ_ERROR, pa.nulls(len(good), pa.string()))
    bad = pa.Table.from_arrays(
        [pa.nulls(len(bad_rows), field.type) for field in good.schema][:-1] + [pa.array(bad_reasons, pa.string())],
        schema=good.schema)
    return pa.concat_tables([good, bad]), np.concatenate([good_rows, np.asarray(bad_rows, dtype=np.int64)])


def _last_value_spans_lines(table: pa.Table) -> bool:
    if not (len(table) and table.num_columns):
        return False
    last = table.column(table.num_columns - 1)[-1].as_py()
    return isinstance(last, str) and ("\n" in last or "\r" in last)


def _check_closed_quotes(path: Path, last_field_spans_lines: bool, row: int) -> None:
    """A quote opened and never closed swallows the rest of the file into one field.

    That field ends the last record and holds a line break, yet the file does not end with
    a closing quote; checked on that one field, so it costs nothing on a large file.
    """
    if not last_field_spans_lines:
        return
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64))
        tail = handle.read().rstrip(b"\r\n\t \x00")
    if not tail.endswith(b'"'):
        raise InputFileError(path, f"a quoted field in row {row} is never closed: "
                                   "it runs to the end of the file")


def _check_excel_signature(path: Path, suffix: str) -> None:
    """The workbook's signature, and for a zipped one (.xlsx) the size its parts unpack to,
    from the archive's directory before anything is unpacked: a few hundred KB can unpack to
    gigabytes (a zip bomb), which the XML parser would then read for minutes."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    expected = b"\xd0\xcf\x11\xe0" if suffix == ".xls" else b"PK\x03\x04"
    if not magic.startswith(expected):
        raise InputFileError(path, f"is not an Excel workbook (no {suffix} file signature); "
                                   "if it is CSV text, give it a .csv name")
    if suffix == ".xls":
        return
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the workbook reader says what is wrong with it
    if unpacked > MAX_WORKBOOK_BYTES:
        raise InputFileError(path, f"unpacks to {unpacked / 2**20:,.0f} MB; a workbook over "
                                   f"{MAX_WORKBOOK_BYTES >> 20} MB unpacked is refused (save large exports as CSV)")


def _read_excel(path: Path, aliases, sheet_test=None) -> pd.DataFrame:
    """The first sheet whose header row passes ``sheet_test`` (a vendor's export), else the
    sheet whose header names the most expected columns (the first such sheet; a sheet with
    rows before one with only a header), its first row taken as the header here: pandas
    would rename a repeated header (``timestamp``, ``timestamp.1``) and so hide it from
    :func:`_check_header`. Which sheet was read is said whenever the workbook has data on
    another sheet, or the first sheet is not the one read."""
    sheets = pd.read_excel(path, dtype=object, header=None, sheet_name=None)
    meanings = _column_meanings(aliases)

    def fit(sheet: pd.DataFrame) -> tuple[bool, int, bool]:
        if sheet.empty:
            return (False, -1, False)
        header = ["" if pd.isna(cell) else header_name(str(cell)) for cell in sheet.iloc[0]]
        named = {meanings.get(fold(cell)) for cell in header if cell} - {None}
        return (sheet_test is not None and bool(sheet_test(header)), len(named), len(sheet) > 1)

    names = list(sheets)
    fits = [fit(sheets[name]) for name in names]
    chosen = max(range(len(names)), key=lambda n: (fits[n], -n))
    others = [f"{name!r}" + (" (empty)" if fits[n][1] < 0 else "") for n, name in enumerate(names) if n != chosen]
    if others and (chosen != 0 or any(fits[n][1] >= 0 for n in range(len(names)) if n != chosen)):
        why = "whose header is the export's" if fits[chosen][0] else "whose header names the expected columns"
        warnings.warn(f"{path}: read sheet {names[chosen]!r}, {why}; not read: {', '.join(others)}",
                      InputWarning, stacklevel=2)
    sheet = sheets[names[chosen]]
    if sheet.empty:
        return sheet
    names = [f"Unnamed: {n}" if pd.isna(cell) else header_name(cell) if isinstance(cell, str) else cell
             for n, cell in enumerate(sheet.iloc[0])]
    _check_width(path, len(names))
    return sheet.iloc[1:].set_axis(names, axis=1).reset_index(drop=True)


def _read_parquet(path: Path, aliases) -> pd.DataFrame:
    """Integer columns stay exact (nullable integers, never floats: an id above 2^53 or next
    to a missing value keeps every digit). A column of lists or structs holds no value the
    scorer can use: in a column it reads, its rows are set aside; any other is left out, saying so."""
    import pyarrow.parquet as pq  # only Parquet needs it

    _check_width(path, (_parquet_width(path) or 1) - 1)  # before Arrow decodes a footer that wide
    table = pq.read_table(path)
    names = _own_names([header_name(str(n)) for n in table.column_names], aliases)
    table = table.rename_columns(names)
    used = set(canonical_columns(names, aliases))
    marks = pa.nulls(len(table), pa.string())
    for name, column_type in zip(names, table.schema.types):
        if not pa.types.is_nested(column_type):
            continue
        column = table.column(name)
        if name in used:
            reason = f"column {_short(name)!r} holds a list or struct, not a value"
            marks = pc.if_else(pc.and_(pc.is_null(marks), pc.is_valid(column)), reason, marks)
            table = table.set_column(names.index(name), name, pa.nulls(len(table), pa.string()))
        else:
            warnings.warn(f"{path}: column {_short(name)!r} holds lists or structs; it is not read",
                          InputWarning, stacklevel=2)
            table = table.drop_columns([name])
    table, replaced = _binary_as_text(table)
    frame = table.to_pandas(types_mapper=_EXACT_INTEGERS.get)
    if marks.null_count < len(marks):
        frame[READ_ERROR] = marks.to_pandas()
    if replaced:
        _warn_replaced_bytes(path, frame, None, text_file=False)  # --encoding is for text files
    return frame


def _binary_as_text(table: pa.Table) -> tuple[pa.Table, bool]:
    """Binary columns as UTF-8 text (a writer that stored ids as bytes), and whether some
    bytes were not UTF-8 and became U+FFFD (only then is each value decoded in Python)."""
    replaced = False
    for position, field in enumerate(table.schema):
        if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
            continue
        column = table.column(position)
        try:
            text = pc.cast(column, pa.string())
        except pa.ArrowInvalid:
            text = pa.array([None if v is None else v.decode("utf-8", errors="replace") for v in column.to_pylist()],
                            pa.string())
            replaced = True
        table = table.set_column(position, field.name, text)
    return table, replaced


# Arrow integer types read as pandas' nullable integers, which keep every digit beside a null.
_EXACT_INTEGERS = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(),
}


def _json_object(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose repeated key is marked in :data:`READ_ERROR`: a plain ``dict``
    would keep the last value and say nothing. A key named like a column the reader adds is
    the file's own (see :func:`_own_names`)."""
    if any(key == READ_ERROR or key in PROVENANCE_COLUMNS for key, _ in pairs):
        pairs = [(f"{key}{FROM_THE_FILE}" if key == READ_ERROR or key in PROVENANCE_COLUMNS else key, value)
                 for key, value in pairs]
    if any(_INVISIBLE.search(key) for key, _ in pairs):
        pairs = [(header_name(key), value) for key, value in pairs]
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        record[READ_ERROR] = f"key {_short(repeated)!r} appears more than once"
    return record


def _decoded(path: Path, encoding: str | None, data: bytes | None = None) -> tuple[str, bool]:
    """The file's text (``data``: its bytes, when they are not the file's own, as in a
    ``.gz``), and whether bytes that are not UTF-8 were replaced (see :mod:`followup.encodings`;
    JSON is UTF-8 by its standard, but files are not always)."""
    raw = data if data is not None else path.read_bytes()
    if encoding is None:
        sample = (lambda: encodings.non_ascii_lines(path)) if data is None else (lambda: raw[:1 << 20])
        encoding = _encoding(path, raw[:64 * 1024]) if raw.startswith((*UTF32_BOMS, *UTF16_BOMS)) else (
            "utf8" if encodings.is_utf8(raw) else _detected(path, sample()))
    return raw.decode(encoding).lstrip("\ufeff"), encoding == encodings.REPLACING_UTF8


# ``--encoding`` for the inputs being read (set by :func:`followup.sources.load`): the vendor
# adapters' JSON is read through :func:`json_text`, many calls below the options.
ENCODING_IN_USE: ContextVar[str | None] = ContextVar("followup_encoding", default=None)


@contextmanager
def using_encoding(encoding: str | None):
    """Within the block, vendor JSON is decoded as ``encoding`` (None: detected, as without)."""
    token = ENCODING_IN_USE.set(encoding)
    try:
        yield
    finally:
        ENCODING_IN_USE.reset(token)


def json_text(path: Path, data: bytes, detecting: bool = False) -> str:
    """A vendor's JSON as text, decided as for the project's own JSON (:func:`_decoded`): the
    ``--encoding`` given, else a byte-order mark, else UTF-8, else the detected encoding, said in
    a warning; ``detecting`` only looks, and says nothing (the reader that runs next does)."""
    with warnings.catch_warnings():
        if detecting:
            warnings.simplefilter("ignore", InputWarning)
        text, replaced = _decoded(path, ENCODING_IN_USE.get(), data)  # a refusal is worded by read_records
        if replaced:
            warnings.warn(f"{path}: read as UTF-8, but some values hold bytes that are not UTF-8, shown as "
                          "\ufffd; every other value is exact", InputWarning, stacklevel=2)
    return text


def json_documents(path: Path, data: bytes, lines: bool, detecting: bool = False) -> list:
    """The JSON values in ``data`` (a vendor's export, an ATS dump given as roster): one, or
    one per line. Read by the rules of the project's own JSON: the encoding (:func:`json_text`),
    numbers as their text (:data:`followup.ids.JSON_NUMBERS`), half a UTF-16 pair as U+FFFD,
    said. A line that is not JSON is an :class:`InputFileError` naming it."""
    text = json_text(path, data, detecting)
    if not lines:
        documents = [json.loads(text, **JSON_NUMBERS)]
    else:
        documents = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    documents.append(json.loads(line, **JSON_NUMBERS))
                except ValueError as exc:
                    raise InputFileError(path, f"line {number} is not JSON: {exc}") from None
    if detecting:
        return documents
    return _without_lone_surrogates(path, documents, text)


def _json_decoder() -> json.JSONDecoder:
    return json.JSONDecoder(object_pairs_hook=_json_object, **JSON_NUMBERS)


def _read_json(path: Path, aliases, encoding: str | None = None) -> pd.DataFrame:
    text, replaced = _decoded(path, encoding)
    document = _without_lone_surrogates(path, _json_decoder().decode(text), text)
    records = document
    if isinstance(document, dict):
        if READ_ERROR in document:
            raise InputFileError(path, f"in the top-level JSON object, {document[READ_ERROR]}")
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise InputFileError(
                path, "a JSON object must hold exactly one list of records (e.g. {\"events\": [...]})"
            )
        records = lists[0]
    if not isinstance(records, list) or (records and not any(isinstance(r, dict) for r in records)):
        raise InputFileError(path, "expected a JSON array of objects, one per record")
    return _records_frame(path, records, aliases, replaced)


def _read_json_lines(path: Path, aliases, encoding: str | None = None) -> pd.DataFrame:
    """One record per line; a line that is not a JSON object is set aside, not fatal."""
    decode = _json_decoder().decode
    not_json = {READ_ERROR: "the line is not valid JSON"}
    records = []
    text, replaced = _decoded(path, encoding)
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            records.append(decode(line))
        except ValueError:
            records.append(not_json)
    records = _without_lone_surrogates(path, records, text)
    if records and not any(isinstance(r, dict) and r is not not_json for r in records):
        raise InputFileError(path, "no line is a JSON object; expected one record per line")
    return _records_frame(path, records, aliases, replaced)


def _without_lone_surrogates(path: Path, document, text: str):
    document, count = encodings.without_lone_surrogates(document, text)
    if count:
        warnings.warn(encodings.lone_surrogates_message(path, count), InputWarning, stacklevel=3)
    return document


def _records_frame(path: Path, records: list, aliases, replaced: bool = False) -> pd.DataFrame:
    """A frame from parsed JSON records, marking items that are not objects and values that
    are objects or lists (a record of the wrong shape) in :data:`READ_ERROR`."""
    rows = [r if isinstance(r, dict) else {READ_ERROR: "the record is not a JSON object"} for r in records]
    width = len(set().union(*rows)) if rows else 0
    _check_width(path, width)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    if replaced:
        _warn_replaced_bytes(path, frame, None)
    frame = _merge_spellings(frame, rows, aliases)
    for column in [c for c in frame.columns if c != READ_ERROR and frame[c].dtype == object]:
        nested = frame[column].map(lambda v: isinstance(v, (dict, list))).to_numpy(bool)
        _mark(frame, nested, f"column {_short(column)!r} holds a nested object or list, not a value")
    return frame


def _merge_spellings(frame: pd.DataFrame, rows: list[dict], aliases) -> pd.DataFrame:
    """Keys that name one column (``timestamp``, ``Timestamp``, ``Start Time``) become that one
    column: records may spell it differently. A record holding two of them is marked, since
    which one it means would be a guess."""
    meanings = _column_meanings(aliases)
    spellings: dict[str, list[str]] = {}
    for column in frame.columns:
        if column != READ_ERROR and fold(column):
            spellings.setdefault(meanings.get(fold(column), fold(column)), []).append(column)
    for meaning, columns in spellings.items():
        if len(columns) < 2:
            continue
        # Only a file whose records disagree on a spelling gets here: a look at each is affordable.
        spelled = set(columns)
        given = [[key for key in row if key in spelled] for row in rows]
        reasons = np.array([f"keys {_short(g[0])!r} and {_short(g[1])!r} both mean column {_short(meaning)}"
                            if len(g) > 1 else None for g in given], dtype=object)
        _mark(frame, pd.notna(reasons), reasons)
        # Each record's one given spelling (one with two is marked above); numpy, as a
        # row-wise pandas fill transposes the frame and takes seconds on 100,000 records.
        values = frame[columns].to_numpy(object)
        frame[columns[0]] = values[np.arange(len(values)), (~pd.isna(values)).argmax(axis=1)]
        frame = frame.drop(columns=columns[1:])
    return frame


def _mark(frame: pd.DataFrame, where: np.ndarray, reasons) -> None:
    """Mark the rows ``where`` in :data:`READ_ERROR` with ``reasons`` (one, or one per row of
    the frame), keeping the first reason a row got."""
    if not where.any():
        return
    if READ_ERROR not in frame:
        frame[READ_ERROR] = None
    unmarked = where & frame[READ_ERROR].isna().to_numpy()
    frame.loc[unmarked, READ_ERROR] = reasons[unmarked] if isinstance(reasons, np.ndarray) else reasons


def reject_unsplit_records(state):
    """Move the records the reader could not split into fields (marked in :data:`READ_ERROR`)
    to the rejects of a :class:`~followup.normalise.Normalised`, before anything else judges them."""
    if READ_ERROR not in state.frame:
        return state
    marked = state.frame[READ_ERROR].notna()
    state = state.reject(marked, "(record)", RejectCode.UNREADABLE_RECORD, state.frame[READ_ERROR])
    state.frame = state.frame.drop(columns=READ_ERROR)
    return state
