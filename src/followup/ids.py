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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Characters that show as nothing: a copy-paste from a web page or a chat leaves them in ids.
INVISIBLE = "[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]"


def id_text(values: pd.Series) -> pd.Series:
    """Ids as trimmed NFC text with empty ones missing; an integral number becomes its digits.

    A categorical column stays categorical, the work done once per distinct id.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.cat.categories)
        spelled = _as_text(categories)
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


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype("string")
    elif pd.api.types.is_float_dtype(values.dtype):
        text = _float_text(values)
    elif pd.api.types.is_numeric_dtype(values.dtype):
        text = values.astype("string")
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


def _loose(ids: pa.Array) -> pa.Array:
    text = pc.replace_substring_regex(ids, INVISIBLE, "")
    return pc.utf8_trim_whitespace(pc.utf8_lower(text))


def near_spellings(ids: pd.Index) -> list[tuple[str, str]]:
    """Pairs of distinct ids that are one id but for case, zero-width characters or spaces
    (the first spelling seen, then each other one), in the order of ``ids``."""
    values = ids.dropna()
    text = pc.unique(pa.array(values.astype(str).to_numpy(dtype=object), type=pa.string()))
    if len(text) < 2:
        return []
    key = pc.dictionary_encode(_loose(text))
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
