"""Any other CSV/Excel/JSON/JSON Lines export, described by a column-mapping file
(``--map mapping.toml``). JSON records are flattened with dots (``contact.phone``);
``duration_unit`` (``ms``/``s``/``min``) converts durations; ``[present.outcome]`` sets an
outcome wherever a column has a value; ``direction`` may list alternative columns,
the first with a value winning.

.. code-block:: toml

    [columns]                 # which of your columns holds what (candidate and time required)
    candidate = "Applicant"
    time = "Logged"
    channel = "Kind"
    direction = "Dir"
    outcome = "Result"
    duration = "Secs"         # also contact, event_id, subject, note

    candidate_match = "email" # how the candidate column is tied to the roster: id | email | phone
    time_format = "%d/%m/%Y %H:%M"   # strftime; needed for day-first dates, never guessed
    time_zone = "Europe/London"      # for times without an offset (default: --tz)

    [constants]               # a value for the whole file when it has no such column
    channel = "phone"

    [values.direction]        # your spellings -> ours (case-insensitive); others fall through
    "IN" = "inbound"          # to the scorer's own synonym table, then to rejects

The file is validated (unknown keys, unknown target values, a channel given neither as a column
nor a constant) with one-line errors naming the key. A data file is read through the mapping
when every mapped column is in its header (JSON: in its records), or with ``--source map``.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..errors import InputFileError
from ..readers import read_records
from ..roster import email_key, phone_key
from ..schema import RejectCode, CHANNELS, DIRECTIONS, OUTCOMES, fold
from ..timeparse import parse_times, parse_with_format
from .records import Adapted, column, first_present, load_documents, provenance, records_under, reject_rows, stack_rejects

TARGETS = {"channel": CHANNELS, "direction": DIRECTIONS, "outcome": OUTCOMES}
FIELDS = ("candidate", "time", "channel", "direction", "outcome", "duration", "contact",
          "event_id", "subject", "note")
RENAMED = {"candidate": "candidate_id", "time": "timestamp", "duration": "duration_s"}


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    candidate: str
    time: str
    channel: Optional[str] = None
    # Either of two (or more) columns: the first with a value, row by row.
    direction: Optional[str | list[str]] = None
    outcome: Optional[str] = None
    duration: Optional[str] = None
    contact: Optional[str] = None
    event_id: Optional[str] = None
    subject: Optional[str] = None
    note: Optional[str] = None


class Constants(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Optional[Literal[CHANNELS]] = None
    direction: Optional[Literal[DIRECTIONS]] = None
    outcome: Optional[Literal[OUTCOMES]] = None


class Values(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: dict[str, Literal[CHANNELS]] = {}
    direction: dict[str, Literal[DIRECTIONS]] = {}
    outcome: dict[str, Literal[OUTCOMES]] = {}


class ColumnMap(BaseModel):
    """A validated mapping file."""

    model_config = ConfigDict(extra="forbid")
    columns: Columns
    candidate_match: Literal["id", "email", "phone"] = "id"
    time_format: Optional[str] = None
    time_zone: Optional[str] = None
    constants: Constants = Constants()
    values: Values = Values()
    duration_unit: Literal["ms", "s", "min"] = "s"
    # [present.outcome] "Voicemail link" = "voicemail": a value in that column sets the outcome.
    present: Values = Values()
    path: str = ""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone):
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {zone!r}; use an IANA name such as Europe/London") from None
        return zone

    @field_validator("time_format")
    @classmethod
    def _usable_format(cls, form):
        # A bad directive would otherwise surface only when the first row is parsed.
        if form is not None:
            sample = datetime(2024, 3, 5, 18, 30, 7, tzinfo=timezone.utc)
            try:
                datetime.strptime(sample.strftime(form), form)
            except ValueError as exc:
                raise ValueError(f"{form!r} is not a usable strftime format ({exc}); "
                                 "e.g. \"%d/%m/%Y %H:%M\"") from None
        return form

    @model_validator(mode="after")
    def _channel_and_direction_given(self):
        for name in ("channel", "direction"):
            if getattr(self.columns, name) is None and getattr(self.constants, name) is None:
                raise ValueError(f"give [columns] {name} or [constants] {name}")
        return self

    def mapped_columns(self) -> set[str]:
        """The columns the mapping needs (each of several alternatives is listed: a header
        holds them all, a JSON record may leave one out)."""
        named = set()
        for value in self.columns.model_dump().values():
            named.update([value] if isinstance(value, str) else value or ())
        return named

    def required_columns(self) -> set[str]:
        """The columns a file must have for the mapping to fit it."""
        return {v for v in self.columns.model_dump().values() if isinstance(v, str)}


def load_map(path: str | Path) -> ColumnMap:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputFileError(path, "is not UTF-8 text, as a TOML mapping file must be") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(path, f"is not valid TOML: {exc}") from None
    try:
        return ColumnMap(**data, path=str(path))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "(file)"
        message = error["msg"].removeprefix("Value error, ")
        raise InputFileError(path, f"{where}: {message}") from None


UNITS = {"ms": 0.001, "s": 1, "min": 60}
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")
PAGE_KEYS = ("data", "items", "records", "calls", "results", "value", "messages", "events")


def json_columns(path: Path) -> pd.DataFrame:
    """A JSON / JSON Lines export as a table, nested objects flattened to ``from.number``."""
    records = records_under(load_documents(path), PAGE_KEYS)
    return provenance(pd.json_normalize(records) if records else pd.DataFrame(), path)


def read(path: Path, options) -> Adapted:
    rules: ColumnMap = options.mapping
    is_json = any(s.lower() in JSON_SUFFIXES for s in path.suffixes)
    raw = json_columns(path) if is_json else read_records(
        path, {}, encoding=options.encoding, sheet_test=lambda names: rules.mapped_columns() <= set(names))
    # A JSON record may leave out a key that is empty for it; a table's header has them all.
    needed = rules.required_columns() if is_json else rules.mapped_columns()
    missing = sorted(needed - set(map(str, raw.columns)))
    if missing:
        present = ", ".join(str(c) for c in raw.columns if not str(c).startswith("source_"))
        raise InputFileError(path, f"{rules.path} names column(s) {', '.join(missing)} that the file does "
                                   f"not have; it has: {present}")
    frame = pd.DataFrame({"source_file": raw["source_file"].astype(str), "source_row": raw["source_row"]})
    for name in FIELDS:
        target = RENAMED.get(name, name)
        source = getattr(rules.columns, name)
        constant = getattr(rules.constants, name, None)
        if isinstance(source, list):
            frame[target] = first_present(raw, *source)
        else:
            frame[target] = column(raw, source) if source is not None else constant
    if rules.columns.duration is not None and rules.duration_unit != "s":
        seconds = pd.to_numeric(frame["duration_s"], errors="coerce") * UNITS[rules.duration_unit]
        frame["duration_s"] = frame["duration_s"].where(seconds.isna(), seconds)
    for name, table in rules.values.model_dump().items():
        if table and getattr(rules.columns, name):
            spelled = {fold(k): v for k, v in table.items()}
            text = frame[name].astype("string")
            # Folded once per distinct spelling, not per row.
            ours = {v: spelled.get(fold(v), v) for v in pd.unique(text.dropna())}
            frame[name] = text.map(ours)
    for name, table in rules.present.model_dump().items():
        for source, value in table.items():  # a handful of rules, not rows
            given = column(raw, source).astype("string").str.strip().fillna("").ne("")
            frame[name] = frame[name].where(~given.to_numpy(), value)
    rejects = []
    if rules.time_format:
        # The one strptime reader, shared with --time-format (timeparse.parse_with_format).
        times, wrong_format = parse_with_format(frame["timestamp"], rules.time_format,
                                                rules.time_zone or options.tz,
                                                mismatch=f"does not match time_format {rules.time_format!r}")
        frame, wrong = reject_rows(frame, wrong_format, "timestamp", RejectCode.BAD_TIME)
        rejects.append(wrong)
        frame["timestamp"] = times[frame.index]
    elif rules.time_zone:
        frame["timestamp"] = _naive_in_zone(frame["timestamp"], rules.time_zone)
    if rules.candidate_match != "id":
        frame, unmatched = _resolve(frame, rules.candidate_match, options)
        rejects.append(unmatched)
    return Adapted(frame, stack_rejects(*rejects), "map")


def _naive_in_zone(values: pd.Series, zone: str) -> pd.Series:
    times, _ = parse_times(values, zone)
    return values.where(times.isna(), times)


def _resolve(frame: pd.DataFrame, kind: str, options):
    values = frame["candidate_id"]
    if kind == "email":
        keys, why = email_key(values), pd.Series(None, index=frame.index, dtype=object)
        why[keys.isna() & values.notna()] = "unmatched: " + values.astype(str) + " is not an e-mail address"
    else:
        keys, why = phone_key(values, options.default_region)
        why = "unmatched: " + why.where(why.notna())
    if options.roster is None:
        ids = pd.Series(pd.NA, index=frame.index, dtype="string")
        reasons = pd.Series(f"unmatched: candidate_match = {kind!r} needs --candidates roster.csv", index=frame.index)
    else:
        ids, reasons, codes = options.roster.matched(kind, keys, shown=values)
    codes = (pd.Series(RejectCode.UNMATCHED, index=frame.index, dtype=object) if options.roster is None
             else codes.where(why.isna(), RejectCode.UNMATCHED))
    reasons = why.where(why.notna(), reasons)
    frame = frame.assign(candidate_raw=values, candidate_id=ids)
    frame, unmatched = reject_rows(frame, reasons, "candidate_id", codes, value=frame["candidate_raw"])
    return frame.drop(columns="candidate_raw"), unmatched
