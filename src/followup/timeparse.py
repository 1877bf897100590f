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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


def parse_times(values: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
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
    # Arrow's cast refuses surrounding blanks, so clean text is tried as written before a trimming pass.
    fast = _try_arrow_cast(text)
    if fast is None:
        text = text.str.strip()
        fast = _try_arrow_cast(text)
    if fast is not None:
        return _checked(fast, pd.Series(None, index, object))

    # A mixed column is mostly standard times with a few odd values: the standard ones are cast
    # by Arrow together, which reads them as pandas would, and only the rest is judged value by value.
    standard = pc.fill_null(pc.match_substring_regex(pa.array(text), _STANDARD), False)
    standard = pd.Series(standard.to_numpy(zero_copy_only=False), index=index, copy=False)
    fast = _try_arrow_cast(text[standard]) if standard.any() else None
    if fast is None:
        return _checked(*_parse_each(text, tz))
    result, reasons = _parse_each(text[~standard], tz)
    times = pd.Series(pd.NaT, index=index, dtype=UTC_NS)
    times[standard] = fast
    times[~standard] = result
    why = pd.Series(None, index=index, dtype=object)
    why[~standard] = reasons
    return _checked(times, why)


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


def _try_arrow_cast(text: pd.Series) -> pd.Series | None:
    """The common case, a clean column of offset-bearing ISO times, in one C++ pass."""
    try:
        array = pa.array(text)  # Arrow-backed text: no copy
        cast = pc.cast(array, pa.timestamp("ns", tz="UTC"))
    except pa.ArrowException:  # not all clean text: fall back to the row-by-row path
        return None
    if cast.null_count != array.null_count:
        return None
    # Positional: the text's index need not be 0..n-1 (rows rejected earlier leave gaps).
    return cast.to_pandas().set_axis(text.index).astype(UTC_NS)


def _from_epoch_numbers(numbers: pd.Series, digit_counts: pd.Series | None = None):
    numbers = pd.to_numeric(numbers, errors="coerce").astype("float64")
    if digit_counts is None:
        magnitude = np.floor(np.log10(np.abs(numbers.where(numbers != 0, 1)))) + 1
        digit_counts = pd.Series(magnitude, index=numbers.index)
    seconds = digit_counts == 10
    millis = digit_counts == 13
    # Range-checked before conversion: 9999999999 s is past what nanosecond timestamps hold.
    as_seconds = numbers.where(seconds, numbers / 1000)
    plausible = (as_seconds >= EARLIEST.timestamp()) & (as_seconds < LATEST.timestamp())
    seconds &= plausible
    millis &= plausible
    result = pd.Series(pd.NaT, index=numbers.index, dtype=UTC_NS)
    result[seconds] = pd.to_datetime(numbers[seconds] * 1e9, utc=True).astype(UTC_NS)
    result[millis] = pd.to_datetime(numbers[millis] * 1e6, utc=True).astype(UTC_NS)
    reasons = pd.Series(None, index=numbers.index, dtype=object)
    reasons[digit_counts.isin((10, 13)) & ~plausible] = IMPLAUSIBLE
    reasons[digit_counts.notna() & ~digit_counts.isin((10, 13))] = NOT_EPOCH
    return result, reasons


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
