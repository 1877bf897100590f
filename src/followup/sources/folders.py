"""Folders as inputs: every file a folder holds, read like a file given on its own, or listed.

A folder (searched recursively, in name order) contributes each file the scorer can read —
mail (``.eml``/``.EML``, ``.mbox``, an extension-less mbox such as Thunderbird's ``Inbox``), and
tables and pages (CSV/TSV/TXT, JSON, JSON Lines, ``.jsonl.gz``, Parquet, Excel) — each recognised
from its content exactly as a top-level file is. Every other file is *listed*: it is reported
in the rejects (row 0 of that file, with its type and why it is not read) and counted in the
per-file accounting, so nothing in a folder is silently passed over. Hidden files (``.DS_Store``)
and mail-client index files (Thunderbird's ``.msf``) are listed too, as "not data", and so are
pipes, devices and sockets, which are never opened: a FIFO would wait forever for a writer. A
file given on its own that is not a regular file is refused before anything opens it.

New readers join through :func:`register_suffix` (the Outlook ``.msg`` reader, say).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..normalise import empty_rejects, rejects_table
from ..readers import SUPPORTED_SUFFIXES, check_regular_file
from ..schema import RejectCode

# What a folder's file may end with to be read (lower case; ``.gz`` for BulkExport day files).
READABLE_SUFFIXES: set[str] = {*SUPPORTED_SUFFIXES, ".eml", ".mbox", ".mbx", ".gz"}
NOT_DATA_SUFFIXES = {".msf", ".ds_store", ".lock", ".tmp"}
UNREAD_REASON = "not read"
NOT_DATA_REASON = "not data"
# The name the reject report gives a file it lists; ``source_row`` 0 is "the file itself".
FILE_COLUMN = "(file)"


def register_suffix(suffix: str) -> None:
    """Let folders read files ending in ``suffix`` (a new adapter's format, e.g. ``.msg``)."""
    READABLE_SUFFIXES.add(suffix.lower())


def _readable(file: Path) -> bool:
    if not file.is_file():  # a pipe or device: opening it to look could wait forever
        return False
    suffix = file.suffix.lower()
    if suffix in READABLE_SUFFIXES:
        return True
    if suffix:
        return False
    with open(file, "rb") as handle:  # Thunderbird keeps each mail folder as an mbox without a suffix
        return handle.read(5) == b"From "


def _not_data(file: Path) -> bool:
    """A hidden or index file (a mail client's ``.msf``): rightly skipped, not a file unread."""
    return file.is_file() and (file.name.startswith(".") or file.suffix.lower() in NOT_DATA_SUFFIXES)


def _why_not(file: Path) -> str:
    suffix = file.suffix.lower()
    if not file.is_file():
        return f"{UNREAD_REASON}: not a regular file (a pipe, device or socket)"
    if _not_data(file):
        return f"{NOT_DATA_REASON}: {file.name} is a hidden or index file"
    kind = f"file type {suffix!r}" if suffix else "a file with no extension that is not an mbox"
    return (f"{UNREAD_REASON}: {kind} is not one the scorer reads "
            f"(it reads {', '.join(sorted(READABLE_SUFFIXES))})")


def expand(path: Path) -> tuple[list[Path], pd.DataFrame]:
    """(the files to read, the files listed as not read) for one input: a file is itself; a
    folder is every file under it. A folder holding nothing to read is an error naming what
    it does hold."""
    if not path.is_dir():
        check_regular_file(path)  # before any reader (or the format detector) opens it
        return [path], empty_rejects()
    files = sorted(f for f in path.rglob("*") if not f.is_dir())
    readable = [f for f in files if _readable(f)]
    unread = [f for f in files if f not in set(readable)]
    if not readable:
        held = ", ".join(sorted({f.suffix.lower() or "(no extension)" for f in files})) or "nothing"
        raise InputFileError(path, f"the folder holds no file the scorer reads ({len(files)} file(s): {held})")
    listed = rejects_table(pd.DataFrame({"source_file": [str(f) for f in unread], "source_row": 0}), "rejected",
                           [RejectCode.NOT_DATA if _not_data(f) else RejectCode.NOT_READ for f in unread],
                           FILE_COLUMN, [f.suffix.lower() or f.name for f in unread], [_why_not(f) for f in unread])
    return readable, listed
