"""Text columns in bulk: as Arrow strings, built and joined row-wise, and looked up once per
distinct value.

The engine and the presentation share these so that no column of text is ever walked in
Python: a sentence is concatenated by Arrow's kernels, and a lookup on a categorical column
(how the readers deliver repetitive text) is made once per category, not once per row.

>>> import pandas as pd
>>> join([text_array(["a", None]), text_array(["b", None])], ", ").to_pylist()
['a, b', None]
>>> is_one_of(pd.Series(["phone", "email", None], dtype="category"), ["phone"]).tolist()
[True, False, False]
>>> sorted_codes(text_array(["b", "a", "b"])).tolist()
[1, 0, 1]
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NULL_TEXT = pa.scalar(None, pa.string())


def text_array(values) -> pa.Array:
    """Text values (a Series, an array, a list) as one Arrow string array, nulls where missing."""
    if isinstance(values, pa.Array):
        return values
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def integer(values: pd.Series) -> pa.Array:
    """Whole numbers as text; null where missing."""
    return pc.cast(pa.array(pd.to_numeric(values).round().astype("Int64"), type=pa.int64()), pa.string())


def tenths_text(tenths: pd.Series) -> pa.Array:
    """A whole number of tenths as a decimal: ``76`` → ``"7.6"``; null where missing."""
    tenths = pa.array(pd.to_numeric(tenths).astype("Int64"), type=pa.int64())
    return cat(pc.cast(pc.divide(tenths, 10), pa.string()), ".",
               pc.cast(pc.abs(pc.subtract(tenths, pc.multiply(pc.divide(tenths, 10), 10))), pa.string()))


def cat(*parts) -> pa.Array:
    """Concatenate texts and arrays element-wise; null wherever any part is null."""
    return pc.binary_join_element_wise(*parts, "")


def when(mask, text: pa.Array) -> pa.Array:
    """``text`` where ``mask`` holds, null elsewhere."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), text, NULL_TEXT)


def choose(mask, yes, no) -> pa.Array:
    """``yes`` where ``mask`` holds, ``no`` elsewhere."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), yes, no)


def join(parts: list[pa.Array], separator: str) -> pa.Array:
    """Join the non-null texts of each row with ``separator``; null where all are null.

    The non-null texts are laid out row by row as one list array, and Arrow joins each list —
    one pass, whatever the number of parts.
    """
    rows, width = len(parts[0]), len(parts)
    stacked = pa.concat_arrays([p.cast(pa.string()) for p in parts])
    present = np.column_stack([~np.asarray(p.is_null().to_numpy(zero_copy_only=False)) for p in parts])
    # Present (row i, part j) in row-major order; part j's texts start at j * rows in ``stacked``.
    cells = np.flatnonzero(present)
    texts = stacked.take(pa.array(cells % width * rows + cells // width))
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), texts), separator)
    return pc.if_else(pc.equal(offsets[1:] - offsets[:-1], 0), NULL_TEXT, joined)


def per_distinct(values: pd.Series, compute: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
    """``compute`` (Arrow strings in, numpy out) applied once per distinct value of a
    categorical column — a panel of interviewers repeats across thousands of rounds."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return compute(text_array(values))
    per_category = compute(text_array(pd.Series(values.cat.categories, dtype=object)))
    missing = compute(pa.array([None], pa.string()))
    return np.append(per_category, missing)[values.cat.codes.to_numpy()]


def is_one_of(values: pd.Series, allowed) -> np.ndarray:
    """``values.isin(allowed)`` as a mask, judged once per category of a categorical column."""
    allowed = pa.array(list(allowed), pa.string())
    return per_distinct(values, lambda names: pc.is_in(names, value_set=allowed).to_numpy(zero_copy_only=False))


def vocabulary_codes(values: pd.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Codes of canonical values in ``vocabulary`` (-1 where missing): the normalised
    categorical's own codes when its categories are the vocabulary."""
    if isinstance(values.dtype, pd.CategoricalDtype) and tuple(values.cat.categories) == vocabulary:
        return values.cat.codes.to_numpy()
    return pd.Categorical(values.astype(object), categories=vocabulary).codes


def positions_in(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` for text ids, hashed in Arrow (once per category when
    ``values`` is categorical); -1 where a value is not in ``index``."""
    known = text_array(pd.Series(index, dtype=object))
    return per_distinct(values, lambda ids: pc.fill_null(pc.index_in(ids, value_set=known), -1)
                        .to_numpy(zero_copy_only=False).astype(np.int64))


def sorted_codes(ids: pa.Array) -> np.ndarray:
    """Each value's rank among the distinct values in sorted order (0, 1, …): ids numbered so
    that later steps group and sort by integers, not by strings."""
    if not len(ids):
        return np.zeros(0, np.int64)
    encoded = pc.dictionary_encode(ids)
    distinct_order = pc.sort_indices(encoded.dictionary).to_numpy()
    code_of_distinct = np.empty(len(distinct_order), dtype=np.int64)
    code_of_distinct[distinct_order] = np.arange(len(distinct_order))
    return code_of_distinct[encoded.indices.to_numpy(zero_copy_only=False)]
