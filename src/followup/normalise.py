"""Validate and normalise: raw records in, canonical events/interviews plus a rejects report out.

Every input row ends in exactly one of three places, so that
``rows_read = rows_used + duplicates + rejected`` always holds:

* **used** — a row of the normalised frame;
* **duplicate** — the same event seen again (same ``event_id``, or identical candidate, time,
  channel, direction, outcome and contact); listed in the report with the file and row it
  repeats (``duplicate_of_file``, ``duplicate_of_row``);
* **rejected** — listed in the report with its file, row, column, code and reason.

Every row of the report has a ``code`` from :class:`followup.schema.RejectCode`: what reads
the report (the accounting, explain's timeline) reads the code, never the ``reason`` sentence.

In strict mode the first rejected row raises :class:`~followup.errors.InvalidRowError` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputFileError, InvalidRowError
from .schema import (
    CHANNEL_LOOKUP,
    CHANNELS,
    DECISION_LOOKUP,
    DECISIONS,
    DIRECTION_LOOKUP,
    DIRECTIONS,
    EVENT_COLUMNS,
    INTERVIEW_COLUMNS,
    OUTCOME_LOOKUP,
    OUTCOMES,
    REQUIRED_EVENT_COLUMNS,
    REQUIRED_INTERVIEW_COLUMNS,
    REJECT_COLUMNS,
    RejectCode,
    extra_column_name,
    fold,
)
from .ids import id_text
from .readers import reject_unsplit_records
from .textcolumns import united_categories
from .timeparse import parse_times

COUNT_KEYS = ("rows_read", "rows_used", "duplicates", "rejected")


@dataclass
class Normalised:
    """A normalised table with its row accounting.

    ``frame`` holds the used rows; ``rejects`` lists every rejected and duplicate row with
    the columns of :data:`followup.schema.REJECT_COLUMNS`: ``source_file``, ``source_row``,
    ``kind`` (``rejected``/``duplicate``), ``code`` (a :class:`~followup.schema.RejectCode`),
    ``column``, ``value`` (the offending cell, shortened), ``reason``, and for a duplicate the
    ``duplicate_of_file`` and ``duplicate_of_row`` it repeats.
    """

    frame: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=lambda: empty_rejects())
    rows_read: int = 0

    @property
    def counts(self) -> dict[str, int]:
        kinds = self.rejects["kind"].value_counts()
        return {
            "rows_read": int(self.rows_read),
            "rows_used": int(len(self.frame)),
            "duplicates": int(kinds.get("duplicate", 0)),
            "rejected": int(kinds.get("rejected", 0)),
        }

    def reject(self, mask: pd.Series, column: str, code: str, reason: str | pd.Series) -> "Normalised":
        """Move the rows where ``mask`` holds from the frame to the rejects report, with the
        :class:`~followup.schema.RejectCode` ``code`` and the ``reason`` for people."""
        if not mask.any():
            return self
        bad = self.frame[mask]
        report = reject_report(bad, "rejected", column, code, reason if isinstance(reason, str) else reason[mask])
        return Normalised(self.frame[~mask], pd.concat([self.rejects, report], ignore_index=True),
                          self.rows_read)


def rows_per_file(files: pd.Series) -> pd.Series:
    """How many rows each file holds, indexed by the file's name as text. Counted on the
    categorical codes: a file name written out per row is millions of Python strings."""
    counts = files.value_counts(sort=False)
    counts = counts[counts > 0]
    counts.index = pd.Index(counts.index.astype(str), dtype=object)
    return counts


REJECT_TYPES = {"source_row": "int64", "duplicate_of_row": "Int64"}


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=REJECT_TYPES.get(c, object)) for c in REJECT_COLUMNS})


def rejects_table(rows: pd.DataFrame, kind: str, code, column: str, value, reason,
                  duplicate_of: tuple | None = None) -> pd.DataFrame:
    """The rejects report of ``rows`` (which carry ``source_file``/``source_row``): ``code``,
    ``value`` and ``reason`` are one for all or one per row; ``duplicate_of`` is the (files,
    rows) that each of the rows repeats."""
    def per_row(values):
        return values if values is None or isinstance(values, str) else np.asarray(values, dtype=object)

    first_file, first_row = duplicate_of if duplicate_of is not None else (None, None)
    return pd.DataFrame({
        "source_file": rows["source_file"].astype(object).to_numpy(),
        "source_row": rows["source_row"].astype("int64").to_numpy(),
        "kind": kind,
        "code": per_row(code),
        "column": column,
        "value": per_row(value),
        "reason": per_row(reason),
        "duplicate_of_file": per_row(first_file),
        "duplicate_of_row": (pd.array(first_row, dtype="Int64") if first_row is not None  # all missing, built
                             else pd.arrays.IntegerArray(np.zeros(len(rows), np.int64), np.ones(len(rows), bool))),
    }, columns=list(REJECT_COLUMNS))


def reject_report(rows: pd.DataFrame, kind: str, column: str, code, reason,
                  duplicate_of: tuple | None = None) -> pd.DataFrame:
    """:func:`rejects_table` quoting each row's cell of ``column`` as the user wrote it."""
    # The cell as the user wrote it (before normalisation), shortened: never a message body.
    shown = column + "_raw" if column + "_raw" in rows else column
    value = rows[shown].astype("string").str.slice(0, 60) if shown in rows else None
    return rejects_table(rows, kind, code, column, value, reason, duplicate_of)


def concat_sources(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames read from several files, keeping shared categorical columns categorical."""
    if len(frames) == 1:
        return frames[0]
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    stacked = {}
    for column in columns:
        parts = [f[column] if column in f else pd.Series(pd.NA, index=f.index, dtype=object)
                 for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            stacked[column] = pd.Series(united_categories(parts))
        elif len({p.dtype for p in parts}) == 1:  # Arrow text stays Arrow text
            stacked[column] = pd.concat(parts, ignore_index=True)
        else:
            stacked[column] = pd.concat(
                [p.astype(object) for p in parts], ignore_index=True)
    return pd.DataFrame(stacked)


def _vocabulary(values: pd.Series, lookup: dict[str, str], allowed: tuple[str, ...]):
    """Map spellings onto a closed vocabulary; work per distinct spelling, not per row.

    Returns the canonical categorical and a mask of values present but not understood.
    """
    raw = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    spelled = pd.Series(raw.cat.categories.astype(str))
    mapped = spelled.map(lambda s: lookup.get(fold(s))).to_numpy(dtype=object)
    canonical_codes = pd.Categorical(mapped, categories=list(allowed)).codes
    blank_spelling = (spelled.str.strip() == "").to_numpy(dtype=bool)
    # Decided once per spelling; rows then pick their spelling's verdict (code -1, a missing
    # value, picks the appended spare slot).
    spelling_codes = np.append(np.where(blank_spelling, -1, canonical_codes), -1)
    spelling_codes = spelling_codes.astype(canonical_codes.dtype)
    spelling_unknown = np.append((canonical_codes < 0) & ~blank_spelling, False)
    codes = raw.cat.codes.to_numpy()
    result = pd.Categorical.from_codes(spelling_codes[codes], categories=list(allowed))
    # copy=False: pandas 3 otherwise copies every fresh 10M-row array it is handed.
    return (pd.Series(result, index=values.index, copy=False),
            pd.Series(spelling_unknown[codes], index=values.index, copy=False))


def _text(values: pd.Series) -> pd.Series:
    """Trimmed text with empty strings as missing.

    A categorical column (how the CSV reader delivers repetitive columns) stays categorical:
    the trimming is done once per distinct spelling, and spellings that become equal merge.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        trimmed = pd.Index(values.cat.categories.astype(str).str.strip())
        # Nothing to trim or blank out: the column is already what the remapping below would build.
        if (not values.cat.ordered and trimmed.dtype == values.cat.categories.dtype
                and trimmed.equals(values.cat.categories) and not (trimmed == "").any()):
            return values
        distinct = pd.Index(trimmed[trimmed != ""].unique())
        remap = np.append(distinct.get_indexer(trimmed), -1)
        codes = remap[values.cat.codes.to_numpy()]  # code -1 (missing) picks the appended -1
        return pd.Series(pd.Categorical.from_codes(codes, categories=distinct), index=values.index)
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _seconds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Durations as float seconds, and a mask of values that are present but not numbers."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64"), pd.Series(False, index=values.index)
    try:  # the common case, a clean column of numbers as text, in one C++ pass
        # Arrow-backed text is handed to Arrow as it is: Python string objects cost seconds at 10M rows.
        arrow_backed = isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"
        text = pa.array(values) if arrow_backed else pa.array(values.astype(object), type=pa.string(),
                                                              from_pandas=True)
        try:  # numbers without surrounding blanks need no trimming pass
            seconds = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            seconds = pc.cast(pc.utf8_trim_whitespace(text), pa.float64())
        if seconds.null_count == text.null_count:
            as_numbers = pd.Series(seconds.to_numpy(zero_copy_only=False), index=values.index, copy=False)
            return as_numbers, pd.Series(False, index=values.index)
    except pa.ArrowException:
        pass  # numbers mixed with text, or stray words: judged value by value below
    cleaned = _text(values)
    seconds = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    return seconds, cleaned.notna() & seconds.isna()


def _missing_columns(frame: pd.DataFrame, required: tuple[str, ...]) -> list[str]:
    return [c for c in required if c not in frame.columns]


def check_columns(frames: list[pd.DataFrame], required: tuple[str, ...], what: str) -> None:
    for frame in frames:
        missing = _missing_columns(frame, required)
        if missing and len(frame):
            path = frame["source_file"].iloc[0]
            # Header cells come from the file: shorten them so a mangled header stays one line.
            names = [str(c) for c in frame.columns if not str(c).startswith("source_")]
            shown = [n if len(n) <= 40 else n[:39] + "…" for n in names[:20]]
            present = ", ".join(shown) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
            raise InputFileError(
                path, f"{what} need column(s) {', '.join(missing)}; the file has: {present}")


def normalise_events(frames: list[pd.DataFrame], tz: str = "UTC", strict: bool = False) -> Normalised:
    """Validate and normalise raw event records from one or more files.

    The result keeps the input's row order (less rejected and duplicate rows) and has the
    columns ``candidate_id, timestamp, channel, direction, outcome, duration_s, contact,
    event_id, subject, note, source_file, source_row``; ``timestamp`` is UTC.
    """
    frames = [f for f in frames]
    check_columns(frames, REQUIRED_EVENT_COLUMNS, "events")
    raw = concat_sources(frames) if frames else pd.DataFrame(columns=["source_file", "source_row"])
    absent = [c for c in ("outcome", "duration_s", "contact", "event_id", "subject", "note", "body") if c not in raw]
    if absent:  # one all-missing column shared by every absent one (copy-on-write keeps them apart)
        raw = raw.assign(**dict.fromkeys(absent, pd.Series(pd.NA, index=raw.index, dtype=object)))
    state = Normalised(raw.reset_index(drop=True), rows_read=len(raw))
    state = reject_unsplit_records(state)
    if not len(raw):
        return _finish_events(state, strict)

    frame = state.frame
    frame["candidate_id"] = id_text(frame["candidate_id"])
    state = state.reject(frame["candidate_id"].isna(), "candidate_id", RejectCode.MISSING_VALUE,
                         "candidate_id is empty")

    frame = state.frame
    times, why = parse_times(frame["timestamp"], tz)
    frame["timestamp_raw"] = frame["timestamp"]
    frame["timestamp"] = times
    state = state.reject(times.isna() & why.isna(), "timestamp", RejectCode.MISSING_VALUE, "timestamp is empty")
    frame = state.frame
    if len(frame) < len(why):  # realigned only when rows left: a lookup of 10M labels is not free
        why = why.loc[frame.index]
    state = state.reject(why.notna(), "timestamp", RejectCode.BAD_TIME, why)

    for column, lookup, allowed, required, unknown_code in (
        ("channel", CHANNEL_LOOKUP, CHANNELS, True, RejectCode.UNKNOWN_CHANNEL),
        ("direction", DIRECTION_LOOKUP, DIRECTIONS, True, RejectCode.UNKNOWN_DIRECTION),
        ("outcome", OUTCOME_LOOKUP, OUTCOMES, False, RejectCode.UNKNOWN_OUTCOME),
    ):
        frame = state.frame
        original = frame[column]
        canonical, unknown = _vocabulary(original, lookup, allowed)
        frame[column + "_raw"] = original
        frame[column] = canonical
        if column == "outcome":  # outcomes belong to calls; on other channels they are ignored
            unknown &= (frame["channel"] == "phone").to_numpy()
        state = state.reject(unknown, column, unknown_code,
                             f"unknown {column}; expected one of {', '.join(allowed)} (or a known synonym)")
        if required:
            frame = state.frame
            state = state.reject(frame[column].isna(), column, RejectCode.MISSING_VALUE, f"{column} is empty")

    frame = state.frame
    duration, bad_duration = _seconds(frame["duration_s"])
    frame["duration_s"] = duration
    state = state.reject(bad_duration, "duration_s", RejectCode.BAD_DURATION, "duration_s is not a number of seconds")
    frame = state.frame
    state = state.reject(frame["duration_s"] < 0, "duration_s", RejectCode.BAD_DURATION, "duration_s is negative")
    state = state.reject(np.isinf(state.frame["duration_s"]), "duration_s", RejectCode.BAD_DURATION,
                         "duration_s is not a finite number")

    frame = state.frame
    is_phone = (frame["channel"] == "phone").to_numpy()
    frame["outcome"] = frame["outcome"].where(is_phone)
    state = state.reject(
        pd.Series(is_phone, index=frame.index) & frame["outcome"].isna() & frame["duration_s"].isna(),
        "outcome", RejectCode.NO_OUTCOME,
        "phone call with neither an outcome nor a duration: cannot tell whether it connected",
    )
    state.frame["contact"] = _text(state.frame["contact"])  # subject and note are free text, kept as written
    state.frame["event_id"] = id_text(state.frame["event_id"])
    return _finish_events(state, strict)


EVENT_OUTPUT_COLUMNS = [*EVENT_COLUMNS, "source_file", "source_row"]


EMPTY_EVENT_TYPES = {"timestamp": "datetime64[ns, UTC]", "channel": "category", "direction": "category",
                     "outcome": "category", "duration_s": "float64", "contact": "string", "event_id": "string"}


def _finish_events(state: Normalised, strict: bool) -> Normalised:
    if strict:
        raise_first_rejected(state.rejects)
    frame = state.frame
    for column in EVENT_OUTPUT_COLUMNS:
        if column not in frame:
            frame[column] = pd.Series(dtype=object)
    frame = frame[EVENT_OUTPUT_COLUMNS]
    if not len(frame):
        # No rows is still an event log: what reads it (explain, plots) may take its types
        # for granted, as for any other log.
        frame = frame.astype(EMPTY_EVENT_TYPES)
    if not isinstance(frame["candidate_id"].dtype, pd.CategoricalDtype):
        frame = frame.assign(candidate_id=frame["candidate_id"].astype("category"))
    if len(frame):
        state = _drop_duplicates(Normalised(frame, state.rejects, state.rows_read))
        frame = state.frame
    return Normalised(frame.reset_index(drop=True),
                      state.rejects.sort_values(["source_file", "source_row"], kind="stable")
                      .reset_index(drop=True), state.rows_read)


def raise_first_rejected(rejects: pd.DataFrame) -> None:
    bad = rejects[rejects["kind"] == "rejected"]
    if len(bad):
        first = bad.sort_values(["source_file", "source_row"], kind="stable").iloc[0]
        raise InvalidRowError(first["source_file"], first["source_row"], first["column"], first["reason"])


def stable_order_by_code(codes: np.ndarray, groups: int) -> np.ndarray:
    """Positions that sort ``codes`` stably: a counting sort, linear in the number of rows."""
    try:
        from pandas._libs.algos import groupsort_indexer  # pandas' own counting sort
    except ImportError:  # a pandas that moved it: numpy's stable sort does the same, slower
        return np.argsort(codes, kind="stable")
    order, _ = groupsort_indexer(codes.astype(np.intp), groups)
    return order


def group_time_order(codes: np.ndarray, groups: int, times_ns: np.ndarray) -> np.ndarray:
    """Positions that sort rows by group code, then time.

    A chronological log (as exports are) needs only a linear counting sort by group, which
    keeps time order within each group; anything else gets a full two-key sort.
    """
    if len(times_ns) < 2 or bool((times_ns[1:] >= times_ns[:-1]).all()):
        return stable_order_by_code(codes, groups)
    return np.lexsort((times_ns, codes))


# The contact and the call length are part of "identical": two notes sent in the same minute to
# two interviewers are two events, and keeping either of two differing copies would make the
# result depend on row order.
DUPLICATE_KEY = ["candidate_id", "timestamp", "channel", "direction", "outcome", "duration_s", "contact"]


def _drop_duplicates(state: Normalised) -> Normalised:
    """Report repeated events, keeping the copy that comes first in the input.

    The frame keeps its input order. Only rows that might repeat another get the full
    comparison: those sharing a (candidate, moment) hash, and those sharing an ``event_id``.
    """
    frame = state.frame
    codes = frame["candidate_id"].cat.codes.to_numpy()
    times = frame["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.uint64)
    # Exact copies share a candidate and a moment, so they share this hash; a collision costs
    # only a comparison, which repeated_rows makes on the full key.
    moments = codes.astype(np.uint64)
    moments *= np.uint64(0x9E3779B97F4A7C15)
    moments ^= times
    _mix(moments)
    shares_moment = _shared_hashes(moments)
    found = [repeated_rows(frame.iloc[shares_moment], DUPLICATE_KEY)] if len(shares_moment) else []
    repeated_id = _repeated_values(frame["event_id"])
    if found:
        repeated_id &= ~frame.index.isin(found[0].index)
    if repeated_id.any():
        found.append(repeated_rows(frame[repeated_id], ["event_id"]))
    if not found or not sum(len(f) for f in found):
        return state
    original = pd.concat(found)
    duplicate = frame.index.isin(original.index)
    dups = frame[duplicate]
    original = original.loc[dups.index]
    report = duplicates_report(dups, original["source_file"], original["source_row"])
    return Normalised(frame[~duplicate], pd.concat([state.rejects, report], ignore_index=True),
                      state.rows_read)


def duplicates_report(dups: pd.DataFrame, first_file, first_row) -> pd.DataFrame:
    """The report of the duplicate events ``dups``, each a copy of ``first_file`` row ``first_row``."""
    first_file = np.asarray(first_file, dtype=object).astype(str)
    row_text = np.asarray(first_row).astype(str)
    same_file = first_file == dups["source_file"].astype(str).to_numpy()
    reason = np.where(same_file, "duplicate of row " + row_text, "duplicate of " + first_file + " row " + row_text)
    return reject_report(dups, "duplicate", "event_id", RejectCode.DUPLICATE, reason,
                         duplicate_of=(first_file, np.asarray(first_row, dtype=np.int64)))


def _repeated_values(values: pd.Series) -> np.ndarray:
    """Mask of non-missing values that occur more than once.

    A hash table of every distinct string costs seconds at 10M rows, so repeats are first
    narrowed down to rows whose 64-bit hash is shared (found by sorting numbers), and only those
    are compared as strings: equal strings always share a hash, so the result stays exact.
    """
    text = pa.array(values.astype("string[pyarrow]"))
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    hashes = string_hashes(text)
    valid = None
    if text.null_count:  # a missing id repeats nothing
        valid = np.flatnonzero(text.is_valid().to_numpy(zero_copy_only=False))
        hashes = hashes[valid]
    candidates = _shared_hashes(hashes)
    repeated = np.zeros(len(text), dtype=bool)
    if not len(candidates):
        return repeated
    if valid is not None:
        candidates = valid[candidates]
    codes = pc.dictionary_encode(text.take(candidates)).indices.to_numpy(zero_copy_only=False)
    repeated[candidates] = np.bincount(codes)[codes] > 1
    return repeated


def _shared_hashes(hashes: np.ndarray) -> np.ndarray:
    """Positions of the hashes that occur more than once.

    Sorting 64-bit numbers is several times faster than a hash table of them at 10M rows.
    """
    ordered = np.sort(hashes)
    shared = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if not len(shared):
        return np.zeros(0, dtype=np.intp)
    slot = np.minimum(np.searchsorted(shared, hashes), len(shared) - 1)
    return np.flatnonzero(shared[slot] == hashes)


# Hash only the first bytes of very long values: a pathological id stays cheap, and a shared
# hash is still checked against the strings themselves.
HASHED_PREFIX_BYTES = 256


def string_hashes(text: pa.Array) -> np.ndarray:
    """A 64-bit hash per string, computed 8 bytes at a time over Arrow's buffers with numpy.

    Each 10M-row temporary costs fresh memory, so the common case (every value at least as
    long as the words read) makes only two: the lengths, turned into the hashes, and one gather.
    """
    text = text.cast(pa.large_string())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8) if text.buffers()[2] else np.zeros(0, np.uint8)
    starts = offsets[:-1]
    hashes = np.diff(offsets).view(np.uint64)
    # Both capped: only compared with the positions read.
    shortest = int(hashes.min(initial=HASHED_PREFIX_BYTES))
    longest = min(int(hashes.max(initial=0)), HASHED_PREFIX_BYTES)
    hashes *= np.uint64(0x9E3779B97F4A7C15)  # the length takes part: "ab" and "ab\0" differ
    # Whole words read at least eight bytes before the data's end need no padded copy of it.
    word_at = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,)) if len(data) >= 8 else None
    lengths = rows = None
    for start in range(0, longest, 8):
        if start + 8 <= shortest:  # every string has eight more bytes: whole words, in place
            hashes ^= word_at[starts + start if start else starts]
            _mix(hashes)
            continue
        if rows is None:
            lengths = np.diff(offsets)
            rows = np.flatnonzero(lengths > start)
            # Eight spare zero bytes, so a word read at a string's tail cannot overrun the data.
            padded = np.concatenate([data, np.zeros(8, dtype=np.uint8)])
            word_at = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
        else:
            rows = rows[lengths[rows] > start]
        word = word_at[starts[rows] + start]
        # Shifting out the bytes past the string's end keeps equal strings' words equal.
        word <<= ((8 - np.minimum(lengths[rows] - start, 8)) * 8).view(np.uint64)
        hashes[rows] = _mix(hashes[rows] ^ word)
    return hashes


def _mix(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place: every input bit reaches every output bit."""
    hashes ^= hashes >> np.uint64(33)
    hashes *= np.uint64(0xFF51AFD7ED558CCD)
    hashes ^= hashes >> np.uint64(33)
    hashes *= np.uint64(0xC4CEB9FE1A85EC53)
    hashes ^= hashes >> np.uint64(33)
    return hashes


def repeated_rows(rows: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Rows whose key an earlier input row already had, with that row's file and number."""
    rows = rows.sort_values(["source_file", "source_row"], kind="stable")
    group = rows[key].astype(object).fillna("\x00").groupby(key, sort=False).ngroup()
    repeat = group.duplicated(keep="first").to_numpy()
    firsts = rows[["source_file", "source_row"]].groupby(group.to_numpy()).transform("first")
    return firsts[repeat]


INTERVIEW_TIME_COLUMNS = ("interview_at", "interview_end", "decision_at", "decision_due")


def interview_extra_columns(frame: pd.DataFrame) -> list[str]:
    """The interview list's own columns beyond the vocabulary (job, requisition, department,
    recruiter, an ATS link, …): kept as text and carried to every output (docs/scoring.md)."""
    made = {*INTERVIEW_COLUMNS, "source_file", "source_row", *(f"{c}_raw" for c in INTERVIEW_TIME_COLUMNS)}
    return [column for column in frame.columns if column not in made and extra_column_name(str(column))]


def normalise_interviews(frames: list[pd.DataFrame], tz: str = "UTC", strict: bool = False) -> Normalised:
    """Validate and normalise interview rows.

    Columns out: ``candidate_id, name, interview_at, interview_end, interviewers, decision,
    decision_at, decision_due, source_file, source_row`` (times UTC). A missing end is left
    missing here; the feature step reads it as start + 1 h.
    """
    check_columns(frames, REQUIRED_INTERVIEW_COLUMNS, "interviews")
    raw = concat_sources(frames) if frames else pd.DataFrame(
        columns=["candidate_id", "interview_at", "source_file", "source_row"])
    # A file with no rows (a JSON ``[]``) has no columns either: nothing to say they are missing.
    absent = [c for c in (*(REQUIRED_INTERVIEW_COLUMNS if not len(raw) else ()), "name", "interview_end",
                          "interviewers", "decision", "decision_at", "decision_due") if c not in raw]
    if absent:  # one all-missing column shared by every absent one (copy-on-write keeps them apart)
        raw = raw.assign(**dict.fromkeys(absent, pd.Series(pd.NA, index=raw.index, dtype=object)))
    state = Normalised(raw.reset_index(drop=True), rows_read=len(raw))
    state = reject_unsplit_records(state)
    if len(raw):
        frame = state.frame
        frame["candidate_id"] = id_text(frame["candidate_id"])
        state = state.reject(frame["candidate_id"].isna(), "candidate_id", RejectCode.MISSING_VALUE,
                             "candidate_id is empty")
        for column, required in (("interview_at", True), ("interview_end", False),
                                 ("decision_at", False), ("decision_due", False)):
            frame = state.frame
            times, why = parse_times(frame[column], tz)
            frame[column + "_raw"] = frame[column]  # a reject shows the cell as written
            frame[column] = times
            if required:
                state = state.reject(times.isna() & why.isna(), column, RejectCode.MISSING_VALUE,
                                     f"{column} is empty")
                frame = state.frame
            if len(frame) < len(why):  # realigned only when rows left: a lookup of every label is not free
                why = why.loc[frame.index]
            state = state.reject(why.notna(), column, RejectCode.BAD_TIME, why)
        frame = state.frame
        state = state.reject(frame["interview_end"] < frame["interview_at"], "interview_end",
                             RejectCode.END_BEFORE_START, "interview_end is before interview_at")
        frame = state.frame
        state = state.reject(frame["decision_at"] < frame["interview_at"], "decision_at",
                             RejectCode.DECISION_BEFORE_INTERVIEW, "decision_at is before interview_at: a decision cannot come before the interview")
        frame = state.frame
        decision, unknown = _vocabulary(frame["decision"], DECISION_LOOKUP, DECISIONS)
        frame["decision"] = decision
        state = state.reject(unknown, "decision", RejectCode.UNKNOWN_DECISION,
                             f"unknown decision; expected one of {', '.join(DECISIONS)}")
        for column in ("name", "interviewers"):
            state.frame[column] = _text(state.frame[column])
    else:  # no rows (every one rejected, or a partition with no interview): still time columns
        for column in INTERVIEW_TIME_COLUMNS:
            state.frame[column] = parse_times(state.frame[column], tz)[0]
    if strict:
        raise_first_rejected(state.rejects)
    frame = state.frame
    repeated = frame.duplicated(["candidate_id", "interview_at"], keep="first")
    if repeated.any():
        firsts = frame[~repeated].set_index(["candidate_id", "interview_at"])[["source_file", "source_row"]]
        first = firsts.reindex(pd.MultiIndex.from_frame(frame.loc[repeated, ["candidate_id", "interview_at"]]))
        first_row = first["source_row"].to_numpy(dtype=np.int64)
        report = reject_report(frame[repeated], "duplicate", "interview_at", RejectCode.DUPLICATE,
                               "duplicate of row " + first_row.astype(str),
                               duplicate_of=(first["source_file"].to_numpy(dtype=object), first_row))
        state = Normalised(frame[~repeated], pd.concat([state.rejects, report], ignore_index=True),
                           state.rows_read)
    extras = interview_extra_columns(state.frame)
    frame = state.frame[[*INTERVIEW_COLUMNS, *extras, "source_file", "source_row"]].rename(
        columns={column: extra_column_name(column) for column in extras}).sort_values(
        ["candidate_id", "interview_at"], kind="stable")
    frame["candidate_id"] = frame["candidate_id"].astype(object)
    return Normalised(frame.reset_index(drop=True),
                      state.rejects.sort_values(["source_file", "source_row"], kind="stable")
                      .reset_index(drop=True), state.rows_read)


def person_key(names: pd.Series) -> pd.Series:
    """Comparable form of a person: an email's local part and a name match each other.

    ``"Dana.Whitfield@acme.com"``, ``"dana whitfield"`` and ``"Dana Whitfield"`` all become
    ``"dana whitfield"``.
    """
    text = names.astype("string").str.strip().str.casefold()
    text = text.str.replace(r"^.*<([^>]+)>.*$", r"\1", regex=True)
    text = text.str.replace(r"@.*$", "", regex=True)
    return text.str.replace(r"[._\-\s]+", " ", regex=True).str.strip()
