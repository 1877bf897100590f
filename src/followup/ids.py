"""Candidate ids as text one person has one spelling of.

Ids are text: a number is its exact integer digits (``123``, never ``123.0``, and an id above
2^53 keeps every digit), trimmed, in Unicode NFC, so that an ``é`` typed as one character and
as ``e`` plus an accent are the same id. Ids that still differ only in case, zero-width
characters or spaces are not merged (``C001`` and ``c001`` may be two people in some ATS) but
reported by :func:`near_spellings`, naming both.

>>> id_text(pd.Series([123.0, None, 9007199254740993, "Jose\\u0301 "], dtype=object)).tolist()
['123', <NA>, '9007199254740993', 'José']
>>> near_spellings(pd.Index(["C001", "c001", "C\\u200b002", "C002", "C003"]))
[('C001', 'c001'), ('C\\u200b002', 'C002')]
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Every integer up to 2^53 has a float; above it a float (a spreadsheet's number, a float
# column, pandas' float64 for a JSON column holding a null) skips some, so an id there may
# have been rounded to its neighbour before any reader saw it.
EXACT_IN_A_FLOAT = 2 ** 53
# The columns whose values are ids: an id that is a rounded number names somebody else.
ID_COLUMNS = ("candidate_id", "event_id", "application_ids")
INEXACT_NUMBER = ("is a number of 2^53 or more, which a spreadsheet or float column cannot hold exactly: "
                  "its last digits may not be the id's; store ids as text")


def number_text(written: str) -> str:
    """A number as the text it was written in, an integral one as its integer digits
    (``123.0`` → ``123``): the rule for every reader that gets numbers as text (JSON), so an id
    never becomes ``123.0`` or loses digits above 2^53 through a float.

    >>> number_text("123.0"), number_text("9007199254740993"), number_text("2.5e1"), number_text("0.5")
    ('123', '9007199254740993', '25', '0.5')
    """
    try:
        number = Decimal(written)
    except InvalidOperation:
        return written
    if number.is_finite() and -30 <= number.adjusted() <= 30 and number == number.to_integral_value():
        return str(int(number))
    return written


# ``json.load(handle, **JSON_NUMBERS)``: every JSON number arrives as its text, by
# :func:`number_text`, like a CSV cell. Python's own ints are exact, but pandas makes a column
# of them float64 as soon as one value is null, and that rounds every id above 2^53.
JSON_NUMBERS = {"parse_int": str, "parse_float": number_text, "parse_constant": str}  # NaN: its text too


def inexact_numbers(values: pd.Series) -> np.ndarray:
    """Where ``values`` (a column read from a spreadsheet or a float column) holds an integral
    number from :data:`EXACT_IN_A_FLOAT` on: it may be a rounded id (see :data:`INEXACT_NUMBER`).
    Integer columns (Parquet int64) are exact and never flagged."""
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    elif values.dtype == object:
        numeric = values.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool),
                             na_action="ignore").fillna(False).to_numpy(bool)
        if not numeric.any():
            return numeric
        numbers = np.full(len(values), np.nan)
        numbers[numeric] = [float(v) for v in values[numeric]]
    else:
        return np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.abs(numbers) >= EXACT_IN_A_FLOAT  # 2^53 too: 2^53 + 1 rounds to it


# Characters that show as nothing: a copy-paste from a web page or a chat leaves them in ids.
INVISIBLE = "[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]"


def id_text(values: pd.Series) -> pd.Series:
    """Ids as trimmed NFC text with empty ones missing; an integral number becomes its digits.

    A categorical column stays categorical, the work done once per distinct id.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        spelled = category_id_text(values)
        codes_of_spelled, distinct = pd.factorize(spelled)  # one hash pass: missing ones get -1
        codes = values.cat.codes.to_numpy()
        if not np.array_equal(codes_of_spelled, np.arange(len(spelled))):  # some ids merged or emptied
            codes = np.append(codes_of_spelled, -1).astype(codes.dtype)[codes]
        # The codes index ``distinct`` by construction: checking them again is a pass per row.
        return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.Index(distinct)),
                                                   validate=False), index=values.index)
    if values.dtype == object and values.isna().all():  # a column the file does not have
        return pd.Series(pd.NA, index=values.index, dtype="string")
    return _as_text(values)


def category_id_text(values: pd.Series) -> pd.Series:
    """:func:`id_text` of each category of a categorical column, in the categories' order (two
    may come out as one id; an empty one is missing): for work that needs only what each id is
    written as, such as a hash of it, without building the merged column."""
    return _as_text(pd.Series(values.cat.categories))


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype("string")
    elif pd.api.types.is_float_dtype(values.dtype):
        text = _float_text(values)
    elif pd.api.types.is_numeric_dtype(values.dtype):
        text = values.astype("string")
    elif values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "decimal":
        # Parquet's decimal columns: 123.0 is the id 123, as a float's is.
        text = values.map(lambda v: number_text(str(v)), na_action="ignore").astype("string")
    elif values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in (
            "floating", "mixed-integer-float", "mixed", "mixed-integer"):
        # Numbers among the text (an Excel cell, a DataFrame handed to the API): each float
        # written as its digits, text left as it is.
        is_float = values.map(lambda v: isinstance(v, (float, np.floating)), na_action="ignore")
        is_float = is_float.fillna(False).astype(bool)
        text = values.astype("string")
        if is_float.any():
            text[is_float] = _float_text(values[is_float].astype("float64"))
    else:
        text = values.astype("string")
    text = pd.Series(_nfc(pa.array(text.str.strip(), type=pa.string(), from_pandas=True)),
                     index=values.index, dtype="string")
    return text.mask(text == "")


def distinct_ids(ids: pd.Series) -> pd.Index:
    """The ids present, each once, in the order first seen (missing ones left out). A
    categorical column is read through its codes, never spelled out per row."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = pd.unique(ids.cat.codes.to_numpy())
        return pd.Index(ids.cat.categories.take(codes[codes >= 0]), dtype=object)
    return pd.Index(pd.unique(ids.dropna().to_numpy(dtype=object)), dtype=object)


def _float_text(values: pd.Series) -> pd.Series:
    """Floats as text: an integral one as its integer digits, any other as Python writes it."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    integral = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2.0 ** 63)
    text = pd.Series(values.astype("string"), index=values.index)
    if integral.any():
        digits = pd.Series(numbers[integral].astype(np.int64)).astype("string").to_numpy()
        text[integral] = digits
    return text


def _nfc(text: pa.Array) -> pa.Array:
    if pc.all(pc.string_is_ascii(text)).as_py() in (True, None):
        return text
    return pc.utf8_normalize(text, "NFC")


def loose_key(ids: pa.Array) -> pa.Array:
    """An id with case, invisible characters and surrounding spaces taken out: the ids
    :func:`near_spellings` names share one."""
    text = pc.replace_substring_regex(ids, INVISIBLE, "")
    return pc.utf8_trim_whitespace(pc.utf8_lower(text))


def near_spellings(ids: pd.Index) -> list[tuple[str, str]]:
    """Pairs of distinct ids that are one id but for case, zero-width characters or spaces
    (the first spelling seen, then each other one), in the order of ``ids``."""
    values = ids.dropna()
    text = pc.unique(pa.array(values.astype(str).to_numpy(dtype=object), type=pa.string()))
    if len(text) < 2:
        return []
    key = pc.dictionary_encode(loose_key(text))
    codes = key.indices.to_numpy(zero_copy_only=False)
    shared = np.bincount(codes)[codes] > 1  # hashed in Arrow: only the few near pairs reach Python
    if not shared.any():
        return []
    spelled = pd.Series(text.filter(pa.array(shared)).to_pylist())
    first = spelled.groupby(codes[shared], sort=False).transform("first")
    later = spelled != first
    return list(zip(first[later], spelled[later]))


def near_spellings_message(pairs: list[tuple[str, str]], what: str = "candidate ids") -> str:
    """One line naming the pairs (the first three, then how many more)."""
    shown = "; ".join(f"{a!r} and {b!r}" for a, b in pairs[:3])
    more = f" and {len(pairs) - 3} more pairs" if len(pairs) > 3 else ""
    return (f"{what} that differ only in case, invisible characters or spaces are scored as different "
            f"people: {shown}{more}; write each person's id one way in every file")
