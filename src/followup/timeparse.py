"""Turn a column of time values into UTC instants, with a reason for each one that fails.

Accepted, per value (a column may mix them):

* ISO 8601 with an offset (``2026-03-02T19:30:00Z``, ``…-05:00``, ``…+0100``): the offset wins;
* ISO 8601 without an offset, or a bare date: read as local time in the given time zone
  (in the repeated hour when clocks go back, the first, daylight-time reading is taken; in
  the skipped hour when they go forward, the time is moved forward);
* RFC 2822 (``Tue, 05 Mar 2024 21:14:06 +0000``), as phone systems and mail headers write it;
* epoch seconds (10 digits) or milliseconds (13 digits), as numbers or digit strings.

Anything else is not guessed: ``03/02/2026`` could be March or February, so it is rejected.
Times before 1990 or after 2100 are rejected too: they come from empty cells turned into
zero, or from typos, never from a real follow-up.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import FollowupError
from .schema import TIME_COLUMNS

EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
LATEST = pd.Timestamp("2100-01-01", tz="UTC")
UTC_NS = "datetime64[ns, UTC]"

_ISO_BODY = r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?)?"
_ISO = "^" + _ISO_BODY
_ISO_WITH_OFFSET = _ISO_BODY + r"\s?(?:[zZ]|[+-]\d\d:?\d\d)"
# The shape nearly every export writes, in ASCII digits, in years Arrow's nanoseconds hold.
_STANDARD = r"^(?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$"
_RFC2822 = r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d\d:\d\d(?::\d\d)?\s+(?:[+-]\d{4}|GMT|UT|UTC|Z)$"

UNPARSEABLE = (
    "not a time: use ISO 8601 (2026-03-02T14:30:00-05:00), RFC 2822 or epoch seconds/milliseconds"
)
IMPLAUSIBLE = "implausible date (before 1990 or after 2099)"
NOT_EPOCH = "a number that is neither epoch seconds (10 digits) nor epoch milliseconds (13 digits)"


def parse_times(values: pd.Series, tz: str, time_format: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse ``values`` into a UTC series; return it with a series of reasons for failures.

    The reason is ``None`` where a value parsed or was empty (an empty value is NaT with no
    reason: whether it is allowed is the caller's decision).

    >>> times, reasons = parse_times(pd.Series(["2026-03-02T14:30:00-05:00", "2026-03-02 09:30",
    ...                                          "1772479800000", "soon"]), "America/New_York")
    >>> [str(t) for t in times]
    ['2026-03-02 19:30:00+00:00', '2026-03-02 14:30:00+00:00', '2026-03-02 19:30:00+00:00', 'NaT']
    >>> reasons.iloc[3] is not None
    True
    """
    index = values.index
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values.dtype):
        # Parquet and Excel times may be in seconds or microseconds, which reach years that
        # nanosecond timestamps cannot hold: those are rejected before converting.
        aware = isinstance(values.dtype, pd.DatetimeTZDtype)
        low, high = (EARLIEST - pd.Timedelta(days=1), LATEST + pd.Timedelta(days=1))
        if not aware:
            low, high = low.tz_localize(None), high.tz_localize(None)
        far = values.notna() & ((values < low) | (values >= high))
        reasons = pd.Series(None, index, object).mask(far, IMPLAUSIBLE)
        values = values.mask(far)
        times = values.dt.tz_convert("UTC").astype(UTC_NS) if aware else _localize(values, tz)
        return _checked(times, reasons)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return _checked(*_from_epoch_numbers(values))

    text = values.astype("string[pyarrow]")
    written = time_format if time_format is not None else _given_format(values.name)
    if written is not None:
        return _checked(*parse_with_format(text, written, tz))
    # Arrow's cast refuses surrounding blanks, so clean text is tried as written before a trimming pass.
    fast = _try_arrow_cast(text)
    if fast is None:
        text = text.str.strip()
        fast = _try_arrow_cast(text)
    if fast is None:
        fast = _try_arrow_cast(text, naive_in=tz)
    if fast is not None:
        return _checked(fast, pd.Series(None, index, object))
    epochs = _try_epoch_cast(text)
    if epochs is not None:
        return _checked(*epochs)
    return _checked(*_parse_by_shape(text, tz))


# The shapes exports write, each cast by Arrow in bulk (RE2 patterns: ASCII digits only, years
# nanosecond timestamps hold). Anything else, and any value Arrow refuses, is judged by _parse_each.
_FAST_DATE = r"(?:19|20)\d\d-\d\d-\d\d"
_FAST_CLOCK = r"[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?"
_FAST_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
_FAST_NAIVE = f"^{_FAST_DATE}(?:{_FAST_CLOCK})?$"
_FAST_WITH_OFFSET = f"^{_FAST_DATE}{_FAST_CLOCK}{_FAST_OFFSET}$"
_FAST_EPOCH = r"^(?:\d{10}|\d{13})$"
_FAST_RFC2822 = (r"^(?:[A-Za-z]{3}, ?)?\d{1,2} [A-Za-z]{3} (?:19|20)\d\d \d\d:\d\d:\d\d "
                 r"(?:[+-](?:[01]\d|2[0-3])[0-5]\d|GMT|UT|UTC|Z)$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A failed cast sends its whole block value by value, so one odd value costs a block, not the column.
CAST_BLOCK_ROWS = 1 << 16
NAT = np.iinfo(np.int64).min
WHOLE_CAST_SAMPLE = 1024


def _parse_by_shape(text: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
    """Times and reasons for trimmed text: each common shape in bulk, the leftovers value by value."""
    index = text.index
    array = pa.array(text)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    nanos = np.full(len(array), NAT, dtype=np.int64)
    reasons = np.full(len(array), None, dtype=object)
    done = ~pc.fill_null(pc.not_equal(array, ""), False).to_numpy(zero_copy_only=False)  # empty: NaT, no reason
    shapes = [(_FAST_WITH_OFFSET, _cast_with_offset), (_FAST_NAIVE, _cast_naive),
              (_FAST_EPOCH, _cast_epoch), (_FAST_RFC2822, _cast_rfc2822)]
    # A column is mostly one shape: the shape of its first values is matched first, and each
    # later pattern only over the rows still open.
    head = array.slice(0, WHOLE_CAST_SAMPLE)
    shapes.sort(key=lambda shape: -pc.sum(pc.match_substring_regex(head, shape[0])).as_py() or 0)
    for pattern, cast in shapes:
        open_rows = np.flatnonzero(~done)
        if not len(open_rows):
            break
        candidates = array if len(open_rows) == len(array) else array.take(open_rows)
        matched = pc.fill_null(pc.match_substring_regex(candidates, pattern), False).to_numpy(zero_copy_only=False)
        positions = open_rows[matched]
        if not len(positions):
            continue
        parsed, why, ok = cast(candidates.filter(pa.array(matched)), tz)
        nanos[positions[ok]] = parsed[ok]
        reasons[positions[ok]] = why[ok]
        done[positions[ok]] = True
    times = pd.Series(nanos.view("datetime64[ns]"), index=index, copy=False).dt.tz_localize("UTC")
    why = pd.Series(reasons, index=index, copy=False)
    rest = np.flatnonzero(~done)
    if len(rest):
        leftover, leftover_why = _parse_each(text.iloc[rest], tz)
        times.iloc[rest] = leftover.array
        why.iloc[rest] = leftover_why.array
    return times, why


def _cast_blocks(array: pa.Array, target: pa.DataType) -> tuple[np.ndarray, np.ndarray]:
    """Arrow's validating cast, block by block; a block it refuses is marked not done."""
    nanos = np.full(len(array), NAT, dtype=np.int64)
    ok = np.zeros(len(array), dtype=bool)
    for start in range(0, len(array), CAST_BLOCK_ROWS):
        block = array.slice(start, CAST_BLOCK_ROWS)
        try:
            cast = pc.cast(block, target)
        except pa.ArrowException:
            continue
        nanos[start:start + len(block)] = pc.cast(cast, pa.int64()).to_numpy(zero_copy_only=False)
        ok[start:start + len(block)] = True
    return nanos, ok


def _no_reasons(count: int) -> np.ndarray:
    return np.full(count, None, dtype=object)


def _cast_with_offset(array: pa.Array, tz: str):
    nanos, ok = _cast_blocks(array, pa.timestamp("ns", tz="UTC"))
    return nanos, _no_reasons(len(array)), ok


def _cast_naive(array: pa.Array, tz: str):
    wall, ok = _cast_blocks(array, pa.timestamp("ns"))
    nanos = np.full(len(array), NAT, dtype=np.int64)
    if ok.any():  # the same localisation as the value-by-value path: DST gaps and folds alike
        local = pd.Series(wall[ok].view("datetime64[ns]"), copy=False)
        nanos[ok] = _localize(local, tz).array.asi8
    return nanos, _no_reasons(len(array)), ok


# The plausible range in each epoch unit, and nanoseconds per unit: 10 digits are seconds, 13
# milliseconds. Integer arithmetic: float nanoseconds lose the last digits of a millisecond time.
_EPOCH_UNITS = {10: (10 ** 9, EARLIEST.value // 10 ** 9, LATEST.value // 10 ** 9),
                13: (10 ** 6, EARLIEST.value // 10 ** 6, LATEST.value // 10 ** 6)}


def _cast_epoch(array: pa.Array, tz: str):
    """Digit strings of 10 or 13 digits (the only ones this shape matches) as instants."""
    numbers = pc.cast(array, pa.int64()).to_numpy(zero_copy_only=False)
    digits = pc.utf8_length(array).to_numpy(zero_copy_only=False)
    nanos, why = _epoch_nanos(numbers, digits)
    return nanos, why, np.ones(len(array), dtype=bool)


def _cast_rfc2822(array: pa.Array, tz: str):
    """``Tue, 5 Mar 2024 21:14:06 +0000`` rewritten as ISO text, so Arrow's cast validates the date."""
    text = pc.replace_substring_regex(array, r"^[A-Za-z]{3}, ?", "")
    text = pc.replace_substring_regex(text, r" (?:GMT|UT|UTC|Z)$", " +0000")
    text = pc.replace_substring_regex(text, r"^(\d) ", r"0\1 ")
    # Now every value is "05 Mar 2024 21:14:06 +0000": the parts are at fixed places.
    def part(start, stop):
        return pc.utf8_slice_codeunits(text, start, stop)

    month = pc.index_in(pc.utf8_lower(part(3, 6)), value_set=pa.array(_MONTHS))
    number = pa.array([f"{n:02d}" for n in range(1, 13)], type=text.type).take(month)
    dash, clock = pa.scalar("-", text.type), pa.scalar("T", text.type)
    iso = pc.binary_join_element_wise(part(7, 11), dash, number, dash, part(0, 2), clock, part(12, 20),
                                      part(21, 26), pa.scalar("", text.type))
    nanos, ok = _cast_blocks(pc.fill_null(iso, "unknown month"), pa.timestamp("ns", tz="UTC"))
    return nanos, _no_reasons(len(array)), ok


# Formats given with --time-format (or ``time_format=`` in the API) for the run under way: one
# for every time column (key None) and/or one per canonical column name. Kept in a context
# variable so that every reader path, the vendor adapters included, honours them unchanged.
TIME_FORMATS_IN_USE: ContextVar[dict[str | None, str]] = ContextVar("followup_time_formats", default={})
EXCEL_CELL = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?"


def time_formats(given: "str | Iterable[str] | Mapping[str | None, str] | None") -> dict[str | None, str]:
    """``FORMAT`` (every time column) and ``COLUMN=FORMAT`` (one column) as a lookup, checked.

    >>> time_formats(["%m/%d/%Y %H:%M", "interview_at=%d.%m.%Y %H:%M"])
    {None: '%m/%d/%Y %H:%M', 'interview_at': '%d.%m.%Y %H:%M'}
    """
    if given is None:
        return {}
    if isinstance(given, Mapping):
        pairs = list(given.items())
    else:
        pairs = []
        for item in [given] if isinstance(given, str) else list(given):
            column, equals, written = item.partition("=")
            known = equals and column.strip() in TIME_COLUMNS
            pairs.append((column.strip(), written) if known else (None, item))
    formats: dict[str | None, str] = {}
    for column, written in pairs:
        if column is not None and column not in TIME_COLUMNS:
            raise FollowupError(f"--time-format names column {column!r}; time columns are "
                                f"{', '.join(TIME_COLUMNS)}")
        check_time_format(written)
        formats[column] = written
    return formats


def check_time_format(written: str) -> str:
    """``written`` if it is a strptime format that reads back what it writes, else a one-line error."""
    sample = datetime(2024, 11, 23, 17, 45, 30, tzinfo=timezone.utc)
    if "%" not in written:
        raise FollowupError(f"time format {written!r} has no % directive; use strptime syntax, "
                            "e.g. %m/%d/%Y %H:%M")
    try:
        datetime.strptime(sample.strftime(written), written)
    except ValueError as exc:
        raise FollowupError(f"time format {written!r} is not a usable strptime format: {exc}") from None
    return written


@contextmanager
def using_time_formats(formats: dict[str | None, str]) -> Iterator[None]:
    """Within the block, :func:`parse_times` reads text columns with these formats."""
    token = TIME_FORMATS_IN_USE.set(dict(formats))
    try:
        yield
    finally:
        TIME_FORMATS_IN_USE.reset(token)


def _given_format(column) -> str | None:
    formats = TIME_FORMATS_IN_USE.get()
    return formats.get(column, formats.get(None)) if formats else None


def parse_with_format(values: pd.Series, written: str, tz: str,
                      mismatch: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Text read with one strptime format: the one parser behind ``--time-format`` and ``--map``.

    Without ``%z`` the times are local in ``tz`` (DST as everywhere else: the first reading in a
    repeated hour, moved forward in a skipped one); with it each row keeps its own offset.
    Excel date cells arrive as ``2024-03-05 18:30:00`` text whatever the format: never
    ambiguous, so they are read as such. A value that does not match gets ``mismatch``.
    """
    text = values.astype("string[pyarrow]").str.strip()
    with_offset = "%z" in written or "%Z" in written
    parsed = pd.to_datetime(text, format=written, errors="coerce", utc=with_offset)
    if not with_offset:
        cell = text.str.fullmatch(EXCEL_CELL).fillna(False) & parsed.isna()
        if cell.any():
            parsed[cell] = pd.to_datetime(text[cell], format="ISO8601")
        parsed = _localize(parsed, tz)
    times = parsed.astype(UTC_NS)
    bad = times.isna() & text.notna() & (text != "")
    reason = mismatch or f"does not match time format {written!r}"
    reasons = pd.Series(np.where(bad.to_numpy(dtype=bool), reason, None), index=values.index, dtype=object)
    return times, reasons


def _parse_each(text: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
    """Times and failure reasons for trimmed text of mixed formats, judged value by value."""
    index = text.index
    result = pd.Series(pd.NaT, index=index, dtype=UTC_NS)
    reasons = pd.Series(None, index=index, dtype=object)
    present = text.notna() & (text != "")
    digits = present & text.str.fullmatch(r"\d+").fillna(False)
    iso = present & ~digits & text.str.match(_ISO).fillna(False)
    rfc = present & ~digits & ~iso & text.str.match(_RFC2822).fillna(False)
    # A year far outside the plausible range (0001, 2999) would overflow the nanosecond
    # timestamps before the range check could reject it, so it is judged on the text.
    year = pd.to_numeric(text.where(iso).str.slice(0, 4), errors="coerce").fillna(
        pd.to_numeric(text.where(rfc).str.extract(r"\s(\d{4})\s", expand=False), errors="coerce"))
    far = (iso | rfc) & ((year < EARLIEST.year - 1) | (year > LATEST.year)).fillna(False)
    reasons[far] = IMPLAUSIBLE
    iso &= ~far
    rfc &= ~far
    # Whole-value matches: a malformed offset (-5:00) must not reach the naive parser, which
    # would read it as an offset and refuse the whole column as "mixed time zones".
    with_offset = iso & text.str.fullmatch(_ISO_WITH_OFFSET).fillna(False)
    naive = iso & text.str.fullmatch(_ISO_BODY).fillna(False)

    if digits.any():
        counts = text[digits].str.len()
        # Only 10- and 13-digit strings become numbers: a 5,000-digit "time" is not converted.
        epoch_like = text[digits].where(counts.isin((10, 13)))
        parsed, why = _from_epoch_numbers(pd.to_numeric(epoch_like), digit_counts=counts)
        result[digits] = parsed
        reasons[digits] = why
    if with_offset.any():
        result[with_offset] = _to_ns(
            pd.to_datetime(text[with_offset], format="ISO8601", utc=True, errors="coerce"))
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        result[naive] = _localize(local, tz)
    if rfc.any():
        result[rfc] = _to_ns(pd.to_datetime(
            text[rfc].str.replace(r"\s+(GMT|UT|UTC|Z)$", " +0000", regex=True)
            .str.replace(r"^[A-Za-z]{3},\s*", "", regex=True),
            format="%d %b %Y %H:%M:%S %z", utc=True, errors="coerce"))
    failed = present & result.isna() & reasons.isna()
    reasons[failed] = UNPARSEABLE
    return result, reasons


def _to_ns(series: pd.Series) -> pd.Series:
    return series.astype(UTC_NS)


def _localize(naive: pd.Series, tz: str) -> pd.Series:
    naive = naive.astype("datetime64[ns]")
    return naive.dt.tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    ).dt.tz_convert("UTC").astype(UTC_NS)


# The lengths of the naive shapes read in bulk: a date; then with hh:mm, hh:mm:ss, or a fraction.
_NAIVE_LENGTHS = pa.array([10, 16, 19, *range(21, 30)], pa.int32())


_EPOCH_LENGTHS = pa.array([10, 13], pa.int32())


def _all_lengths_in(array, lengths: pa.Array) -> bool:
    """Whether every value present is as many characters long as one of ``lengths``."""
    fits = pc.is_in(pc.cast(pc.utf8_length(array), pa.int32()), value_set=lengths)
    return bool(pc.all(pc.or_kleene(pc.is_null(array), fits)).as_py())


def _try_arrow_cast(text: pd.Series, naive_in: str | None = None) -> pd.Series | None:
    """The common cases in one C++ pass: a clean column of ISO times with offsets, or — given
    ``naive_in``, the zone they are local to — one of ISO times without (``T`` or a space)."""
    target = pa.timestamp("ns") if naive_in else pa.timestamp("ns", tz="UTC")
    try:
        array = pa.array(text)  # Arrow-backed text: no copy
        # A refused cast costs about as much as a million parsed values, so a column whose first
        # values are refused (other shapes) is not tried whole: it would be refused too.
        if len(array) > WHOLE_CAST_SAMPLE:
            pc.cast(array.slice(0, WHOLE_CAST_SAMPLE), target)
        cast = pc.cast(array, target)
    except pa.ArrowException:  # not all clean text of this shape: sorted out shape by shape
        return None
    if cast.null_count != array.null_count:
        return None
    if naive_in and not _all_lengths_in(array, _NAIVE_LENGTHS):
        return None  # Arrow also reads an hour alone (2026-03-02 10), which a person may not mean
    # Positional: the text's index need not be 0..n-1 (rows rejected earlier leave gaps).
    times = cast.to_pandas().set_axis(text.index)
    return _localize(times, naive_in) if naive_in else times.astype(UTC_NS)


def _try_epoch_cast(text: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """A clean column of epoch seconds or milliseconds (10 or 13 digits each), in bulk."""
    array = pa.array(text)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    head = array.slice(0, WHOLE_CAST_SAMPLE)
    if not pc.all(pc.match_substring_regex(head, _FAST_EPOCH)).as_py():
        return None
    if not _all_lengths_in(array, _EPOCH_LENGTHS):
        return None
    try:
        pc.cast(array, pa.uint64())  # digits only: a sign or a blank is not an epoch time
    except pa.ArrowException:
        return None
    present = pc.is_valid(array).to_numpy(zero_copy_only=False)
    nanos, why, _ = _cast_epoch(pc.fill_null(array, "0000000000"), "UTC")
    nanos[~present] = NAT
    why[~present] = None
    times = pd.Series(nanos.view("datetime64[ns]"), index=text.index, copy=False).dt.tz_localize("UTC")
    return times, pd.Series(why, index=text.index, dtype=object)


def _from_epoch_numbers(numbers: pd.Series, digit_counts: pd.Series | None = None):
    """Epoch seconds or milliseconds (numbers, or ``digit_counts`` digits of text) as instants."""
    values = pd.to_numeric(numbers, errors="coerce").astype("float64").to_numpy()
    if digit_counts is None:
        magnitude = np.floor(np.log10(np.abs(np.where(values != 0, values, 1)))) + 1
        digits = magnitude
    else:
        digits = digit_counts.reindex(numbers.index).to_numpy(dtype="float64", na_value=np.nan)
    whole = np.isfinite(values) & (np.floor(values) == values)
    # Whole units exactly (a float of nanoseconds loses a millisecond time's last digits); epoch
    # numbers have at most 13 digits, which a float holds exactly.
    finite = np.isfinite(values) & (np.abs(values) < 2.0 ** 62)
    integers = np.floor(np.where(finite, values, 0)).astype(np.int64)
    nanos, why = _epoch_nanos(integers, digits, fraction=np.where(whole, 0.0, values - np.floor(values)))
    times = pd.Series(nanos.view("datetime64[ns]"), index=numbers.index, copy=False).dt.tz_localize("UTC")
    return times, pd.Series(why, index=numbers.index, dtype=object)


def _epoch_nanos(whole_units: np.ndarray, digits: np.ndarray, fraction: np.ndarray | None = None):
    """Nanoseconds and reasons for epoch numbers of ``digits`` digits: 10 are seconds, 13
    milliseconds, anything else no epoch time; each unit range-checked before scaling."""
    nanos = np.full(len(whole_units), NAT, dtype=np.int64)
    why = np.where(np.isnan(digits), None, NOT_EPOCH).astype(object) if digits.dtype.kind == "f" \
        else np.full(len(whole_units), NOT_EPOCH, dtype=object)
    for count, (unit, low, high) in _EPOCH_UNITS.items():
        this = digits == count
        plausible = this & (whole_units >= low) & (whole_units < high)
        nanos[plausible] = whole_units[plausible] * unit
        if fraction is not None:
            nanos[plausible] += (fraction[plausible] * unit).astype(np.int64)
        why[this] = np.where(plausible[this], None, IMPLAUSIBLE)
    return nanos, why


def _checked(times: pd.Series, reasons: pd.Series) -> tuple[pd.Series, pd.Series]:
    implausible = times.notna() & ((times < EARLIEST) | (times >= LATEST))
    if implausible.any():
        reasons = reasons.copy()
        reasons[implausible] = IMPLAUSIBLE
        times = times.mask(implausible)
    return times, reasons


def iso_utc_text(timestamps: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``2026-03-02T19:30:00Z`` strings from UTC timestamps (whole seconds); nulls stay null.

    Casting a zone-naive timestamp to text and patching it is many times faster than
    ``strftime``, which looks the zone up for every value.
    """
    text = pc.cast(timestamps.cast(pa.timestamp("s")), pa.string())
    iso = pc.replace_substring(text, " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(iso, "Z", "")
