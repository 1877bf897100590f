"""What every adapter hands back, and the helpers they share to build it.

An adapter turns one input file into :class:`Adapted`: a frame of *raw* event (or interview)
columns in the project's vocabulary — the same columns :func:`followup.normalise.normalise_events`
reads from a hand-written CSV — with ``source_file``/``source_row`` on every row, plus the rows
it already knows it cannot use (unmatched or ambiguous people, records that are not a contact,
the second leg of one call) as rejects with their reasons. Nothing is dropped on the way.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from ..readers import json_documents
from ..normalise import empty_rejects, rejects_table


@dataclass
class Adapted:
    """One file after its adapter: usable rows, rejects, and which source read it."""

    frame: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=empty_rejects)
    source: str = "events"


def reject_rows(frame: pd.DataFrame, reasons: pd.Series, column: str, code, kind: str = "rejected",
                value: pd.Series | None = None,
                duplicate_of: tuple[pd.Series, pd.Series] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split off the rows that have a reason: (kept rows, their rejects report).

    ``code`` is the :class:`~followup.schema.RejectCode` of them all, or a series of codes
    beside ``reasons``; ``duplicate_of`` is the (file, row) series that duplicates repeat."""
    bad = reasons.notna().to_numpy()
    if not bad.any():
        return frame, empty_rejects()
    shown = value if value is not None else (frame[column] if column in frame else None)
    first = None if duplicate_of is None else tuple(np.asarray(part)[bad] for part in duplicate_of)
    report = rejects_table(
        frame[bad], kind, code if isinstance(code, str) else np.asarray(code, dtype=object)[bad], column,
        shown[bad].astype("string").str.slice(0, 60).astype(object).to_numpy() if shown is not None else None,
        reasons[bad].astype(object).to_numpy(), first)
    return frame[~bad], report


def stack_rejects(*reports: pd.DataFrame) -> pd.DataFrame:
    reports = [r for r in reports if len(r)]
    return pd.concat(reports, ignore_index=True) if reports else empty_rejects()


def first_present(frame: pd.DataFrame, *columns: str) -> pd.Series:
    """The first of ``columns`` that has a value, row by row (missing columns are skipped)."""
    result = pd.Series(pd.NA, index=frame.index, dtype=object)
    for column in columns:
        if column in frame:
            result = result.where(result.notna(), frame[column])
    return result


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or an all-missing column when the export left it out."""
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=object)


def provenance(frame: pd.DataFrame, path: Path, rows=None) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame["source_file"] = str(path)
    frame["source_row"] = np.arange(1, len(frame) + 1) if rows is None else np.asarray(rows)
    return frame


def lowered(name: str) -> str:
    """A header as most adapters' header tests spell it: trimmed, lower case."""
    return name.strip().lower()


def headed_like(matches, spelling=lowered):
    """A sheet test for :func:`followup.readers.read_records` from an adapter's header test
    (``matches`` over the header's names as ``spelling`` writes them): a workbook export is
    read from the sheet that detection recognised, wherever it is in the workbook."""
    return lambda names: matches({spelling(str(name)) for name in names})


def load_documents(path: Path, detecting: bool = False) -> list:
    """The JSON values in a file: one for ``.json``, one per line for JSON Lines; ``.gz``
    (as Twilio BulkExport delivers) is opened transparently. Numbers arrive as their text
    (:data:`followup.ids.JSON_NUMBERS`), as in the project's own JSON: adapters read them with
    ``pd.to_numeric`` where they are amounts, and ids keep every digit. ``detecting``: only
    looking at its shape, so what the reader will warn about is not said twice."""
    suffixes = [s.lower() for s in path.suffixes]
    opener = gzip.open if suffixes[-1:] == [".gz"] else open
    lines = any(s in (".jsonl", ".ndjson") for s in suffixes)
    try:
        with opener(path, "rb") as handle:
            return json_documents(path, handle.read(), lines, detecting)
    except (OSError, EOFError) as exc:
        raise InputFileError(path, f"cannot be read: {exc}") from None
    except ValueError as exc:
        raise InputFileError(path, f"is not JSON: {exc}") from None
    except RecursionError:
        raise InputFileError(path, "is not JSON the scorer can read: nested too deeply") from None


def records_under(documents: list, keys: tuple[str, ...]) -> list[dict]:
    """Records from single responses, arrays of responses, or pages (JSON Lines).

    A dict holding any of ``keys`` is a page and contributes the lists under them; any other
    dict is itself a record; a list is searched element by element.
    """
    found: list[dict] = []
    for document in documents:
        if isinstance(document, list):
            found.extend(records_under(document, keys))
        elif isinstance(document, dict):
            held = [k for k in keys if isinstance(document.get(k), list)]
            if held:
                for key in held:
                    found.extend(r for r in document[key] if isinstance(r, dict))
            else:
                found.append(document)
    return found


def coded(*cases: tuple) -> np.ndarray:
    """Per row, the reject code of the last ``(mask, code)`` case whose mask holds (none where
    none does): the order in which an adapter writes its reasons, a later one over an earlier."""
    masks = [np.asarray(mask.fillna(False) if hasattr(mask, "fillna") else mask, dtype=bool) for mask, _ in cases]
    codes = np.full(len(masks[0]), None, dtype=object)
    for mask, (_, code) in zip(masks, cases):
        codes[mask] = code
    return codes
