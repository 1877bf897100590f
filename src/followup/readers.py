"""Read and adapt: turn a file of any supported format into a frame of raw text columns.

The format is chosen by the file's extension: ``.csv``/``.tsv``/``.txt`` (delimited text),
``.json`` (an array of records, or an object holding one), ``.jsonl``/``.ndjson`` (one record
per line), ``.parquet`` and ``.xlsx``/``.xls``. Header spellings are mapped onto the canonical
names of :mod:`followup.schema` (``"Start Time"`` → ``timestamp``); values are left untouched
for :mod:`followup.normalise` to judge, so a bad value is reported rather than coerced here.

Every frame carries ``source_file`` and ``source_row`` (1 = the first record after the header),
which is how a rejected row is traced back to the file a user can open.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from .errors import InputFileError
from .schema import fold

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
LOW_CARDINALITY = {"candidate_id", "channel", "direction", "outcome", "contact", "decision",
                   "interviewers", "name"}


def canonical_columns(columns: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map a file's header onto canonical names; unknown headers are kept as they are.

    An exact canonical name wins over an alias, so a file that has both ``timestamp`` and
    ``date`` uses ``timestamp``.

    >>> from followup.schema import EVENT_COLUMN_ALIASES
    >>> canonical_columns(["Candidate ID", "Start Time", "Result"], EVENT_COLUMN_ALIASES)
    {'Candidate ID': 'candidate_id', 'Start Time': 'timestamp', 'Result': 'outcome'}
    """
    folded = {col: fold(col) for col in columns}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for canonical in aliases:
        exact = [c for c in columns if folded[c] == fold(canonical)]
        if exact:
            mapping[exact[0]] = canonical
            taken.add(canonical)
    for canonical, spellings in aliases.items():
        if canonical in taken:
            continue
        for spelling in spellings:
            hits = [c for c in columns if c not in mapping and folded[c] == fold(spelling)]
            if hits:
                mapping[hits[0]] = canonical
                taken.add(canonical)
                break
    return mapping


def read_records(path: str | Path, aliases: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Read one file into a frame with canonical column names and provenance columns.

    Raises :class:`InputFileError` for a missing file, an unknown extension or a file that
    cannot be parsed in its format.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            path,
            f"unknown file type {suffix or '(none)'!r}; use one of "
            + ", ".join(sorted(SUPPORTED_SUFFIXES)),
        )
    try:
        if suffix in TEXT_SUFFIXES:
            frame = _read_delimited(path, aliases, delimiter="\t" if suffix == ".tsv" else None)
        elif suffix in JSON_SUFFIXES:
            frame = _read_json(path)
        elif suffix in JSON_LINES_SUFFIXES:
            frame = pd.read_json(path, lines=True, dtype=False)
        elif suffix in PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_excel(path, dtype=object)
    except InputFileError:
        raise
    except (ValueError, OSError, pa.ArrowException, UnicodeDecodeError, KeyError) as exc:
        raise InputFileError(path, f"cannot be read as {suffix[1:]}: {_first_line(exc)}") from None
    except Exception as exc:  # any parser failure (openpyxl, zip, …) is the file's fault
        raise InputFileError(path, f"cannot be read as {suffix[1:]}: {_first_line(exc)}") from None
    if suffix not in TEXT_SUFFIXES:
        frame = frame.rename(columns=canonical_columns([str(c) for c in frame.columns], aliases))
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame["source_file"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [str(path)])
    frame["source_row"] = pd.RangeIndex(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def _read_delimited(path: Path, aliases, delimiter: str | None) -> pd.DataFrame:
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    if not head.strip():
        raise InputFileError(path, "is empty")
    encoding = "utf8"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is not a different encoding.
        if exc.start < len(head) - 4:
            encoding = "cp1252"
    header_line = head.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[0]
    delimiter = delimiter or _sniff_delimiter(header_line)
    header = next(iter(pd.read_csv(
        pd.io.common.StringIO(header_line), sep=delimiter, header=None, dtype=str
    ).itertuples(index=False)))
    names = [str(h).strip() for h in header]
    mapping = canonical_columns(names, aliases)
    canonical = [mapping.get(n, n) for n in names]
    column_types = {
        name: (pa.dictionary(pa.int32(), pa.string()) if name in LOW_CARDINALITY else pa.string())
        for name in canonical
    }
    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=canonical, skip_rows=1, encoding=encoding, block_size=16 << 20
        ),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=column_types, strings_can_be_null=True, quoted_strings_can_be_null=True
        ),
    )
    table = table.unify_dictionaries()
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _read_json(path: Path) -> pd.DataFrame:
    with open(path, encoding="utf-8-sig") as handle:
        document = json.load(handle)
    records = document
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise InputFileError(
                path, "a JSON object must hold exactly one list of records (e.g. {\"events\": [...]})"
            )
        records = lists[0]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputFileError(path, "expected a JSON array of objects, one per record")
    return pd.DataFrame.from_records(records)
