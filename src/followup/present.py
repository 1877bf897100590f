"""Present: a scored result as a terminal table, CSV, JSON, Parquet or Excel, written safely.

Machine formats carry the as-of time and the policy (name and content hash) on every row or
in the document header, so a file found on disk later still says what produced it. Files are
written to a temporary name beside the target and renamed into place, so an interrupted run
never leaves half a file, and no output may overwrite one of the run's inputs.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from .api import ScoreResult
from .errors import FollowupError
from .timeparse import iso_utc_text

FORMATS = ("table", "csv", "json", "parquet", "xlsx")
EXTENSION_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet",
                     ".xlsx": "xlsx", ".txt": "table"}
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


def provenance(result: ScoreResult) -> dict:
    return {"as_of": result.as_of.isoformat(), "tz": result.tz,
            "policy": {"name": result.policy.name, "hash": result.policy.content_hash}}


def tabular(result: ScoreResult, frame: pd.DataFrame | None = None, times_as_text: bool = True) -> pd.DataFrame:
    """The candidates frame for files, with the as-of and the policy on every row.

    Times become ISO 8601 text (``…Z``) for CSV and JSON; Parquet keeps real UTC timestamps
    and Excel, which has no time zones, gets them as UTC wall-clock times.
    """
    # Columns are replaced, never changed in place, so a shallow copy keeps the result intact.
    frame = (result.candidates if frame is None else frame).copy(deep=False)
    for column in TIME_COLUMNS:
        if column in frame:
            times = pd.to_datetime(frame[column], utc=True)
            frame[column] = (_iso(times) if times_as_text else times)
    frame["status"] = frame["status"].astype(str)
    frame["as_of"] = result.as_of.isoformat()
    frame["policy"] = result.policy.label
    return frame


def _iso(times: pd.Series) -> pd.Series:
    text = iso_utc_text(pa.array(times, type=pa.timestamp("ns", tz="UTC")))
    return pd.Series(text.to_numpy(zero_copy_only=False), index=times.index, dtype=object)


def json_document(result: ScoreResult, frame: pd.DataFrame | None = None) -> dict:
    """The JSON output: ``{"as_of", "tz", "policy", "counts", "summary", "candidates": [...]}``
    with ``flags``, ``reasons`` and ``channels`` as lists."""
    table = tabular(result, frame).drop(columns=["as_of", "policy"])
    for column in ("flags", "channels"):
        table[column] = _split(table[column], ";" if column == "flags" else ",")
    table["reasons"] = _split(table["reasons"], "; ")
    if "top_factors" in table:  # added by a learned model (followup score --model)
        table["top_factors"] = _split(table["top_factors"], "; ")
    records = json.loads(table.to_json(orient="records", date_format="iso"))
    return {**provenance(result), "counts": result.counts, "summary": result.summary(),
            "candidates": records}


def _split(text: pd.Series, separator: str) -> pd.Series:
    text = text.fillna("").astype(str)
    return text.str.split(separator).map(lambda parts: [p for p in parts if p])


def records(result: ScoreResult) -> list[CandidateRecord]:
    """The shortlist as validated records, for programs that want objects, not a frame."""
    return [CandidateRecord.model_validate(item) for item in json_document(result)["candidates"]]


def atomic_write(path: str | Path, write: Callable[[Path], None], inputs: list[str | Path] = ()) -> Path:
    """Write through a temporary file in the same folder, then rename into place.

    Refuses to write over any of ``inputs``.
    """
    target = Path(path)
    for source in inputs:
        if Path(source).exists() and target.exists() and os.path.samefile(source, target):
            raise FollowupError(f"refusing to write output over the input file {source}")
        if Path(source).resolve() == target.resolve():
            raise FollowupError(f"refusing to write output over the input file {source}")
    if target.parent and not target.parent.exists():
        raise FollowupError(f"cannot write {target}: folder {target.parent} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        # mkstemp makes the file owner-only; give it the mode a plain open() would have.
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        write(Path(temporary))
        with open(temporary, "rb+") as written:  # on disk before the rename makes it visible
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula, prefixed with ``'`` so they show as text.

    Names, subjects and contacts come from candidates: ``=HYPERLINK(...)`` in a name must not
    become a live link in a hiring manager's spreadsheet. Only text columns are touched, so
    numbers stay numbers (a score of -0.0 or a negative count is still a number).
    """
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if not (values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype))):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(bool)
        if risky.any():
            safe[column] = values.astype(object).where(~risky, "'" + text.astype(object))
    return safe


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        spreadsheet_safe(frame).to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "xlsx":
        spreadsheet_safe(frame).to_excel(path, index=False, engine="openpyxl")
    else:
        raise FollowupError(f"format {fmt!r} cannot be written as a table file")


def write_result(result: ScoreResult, fmt: str, path: Path, frame: pd.DataFrame | None = None) -> None:
    """Write a result in a machine format (csv, json, parquet, xlsx) to ``path``."""
    if fmt == "json":
        path.write_text(json.dumps(json_document(result, frame), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    elif fmt == "table":
        from rich.console import Console

        with open(path, "w", encoding="utf-8") as handle:
            render_table(result, Console(file=handle, width=200, no_color=True), frame)
    elif fmt == "xlsx":
        table = tabular(result, frame, times_as_text=False)
        for column in TIME_COLUMNS:
            if column in table:
                table[column] = table[column].dt.tz_localize(None)
        write_frame(table, path, fmt)
    else:
        write_frame(tabular(result, frame, times_as_text=fmt != "parquet"), path, fmt)


def rejects_frame(result_rejects: pd.DataFrame) -> pd.DataFrame:
    return result_rejects[["source_file", "source_row", "kind", "column", "value", "reason"]]


def write_rejects(rejects: pd.DataFrame, path: Path) -> None:
    fmt = EXTENSION_FORMATS.get(path.suffix.lower(), "csv")
    frame = rejects_frame(rejects)
    if fmt == "json":
        path.write_text(frame.to_json(orient="records", indent=2) + "\n", encoding="utf-8")
    else:
        write_frame(frame, path, "csv" if fmt == "table" else fmt)


def render_table(result: ScoreResult, console, frame: pd.DataFrame | None = None, title: str | None = None) -> None:
    """The ranked shortlist for a person: grade, flags as badges, one reason, and a footer
    with the as-of time, the policy and the row accounting."""
    from rich.table import Table
    from rich.text import Text

    frame = result.candidates if frame is None else frame
    table = Table(title=title or f"Follow-up shortlist — {len(frame)} candidates",
                  title_justify="left", header_style="bold", expand=False)
    for header, justify in (("#", "right"), ("Candidate", "left"), ("Status", "left"),
                            ("Score", "right"), ("Grade", "center"), ("Flags", "left"),
                            ("Reason", "left")):
        table.add_column(header, justify=justify, overflow="fold")
    learned = "p_advance" in frame  # scored with --model: its probability and reasons too
    if learned:
        table.add_column("P(adv)", justify="right")
        table.add_column("Top factors", justify="left", overflow="fold")
    for row in frame.itertuples(index=False):  # presentation of the final rows, not the hot path
        flags = Text()
        for code in filter(None, str(row.flags).split(";")):
            if flags:
                flags.append(" ")
            flags.append(f" {code} ", style=FLAG_STYLES.get(code, "bold"))
        who = f"{row.candidate_id}" + (f" {row.name}" if isinstance(row.name, str) and row.name else "")
        model_cells = ([_cell("" if pd.isna(row.p_advance) else f"{row.p_advance:.2f}"), _cell(str(row.top_factors))]
                       if learned else [])
        table.add_row(
            "" if pd.isna(row.rank) else str(row.rank),
            _cell(who),
            Text(str(row.status), style=STATUS_STYLES.get(str(row.status), "")),
            "" if pd.isna(row.score) else f"{row.score:.1f}",
            Text("" if not isinstance(row.grade, str) else row.grade, style=GRADE_STYLES.get(row.grade, "")),
            flags,
            _cell("" if not isinstance(row.reason, str) else row.reason),
            *model_cells,
        )
    console.print(table)
    console.print(footer(result), highlight=False)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _cell(text: str):
    """Candidate-supplied text for the terminal: never read as rich markup (``[link=…]``), and
    control characters (an escape sequence that would retitle or clear the terminal, a line
    break that would fake a row) shown as ``\\x1b``-style escapes."""
    from rich.text import Text

    return Text(CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def footer(result: ScoreResult) -> str:
    counts, summary = result.counts, result.summary()
    local = result.as_of.tz_convert(result.tz)
    return (
        f"as of {local.isoformat()} ({result.tz}) · policy {result.policy.label} · "
        f"{summary['candidates']} candidates: {summary['ok']} ok, {summary['flagged']} flagged, "
        f"{summary['pending']} pending, {summary['upcoming']} upcoming\n"
        f"rows read {counts['rows_read']} = used {counts['rows_used']} + duplicates "
        f"{counts['duplicates']} + rejected {counts['rejected']}"
        + (" (see --rejects)" if counts["rejected"] or counts["duplicates"] else "")
    )
