r"""Text from the data, made safe to print on a terminal.

Names, ids, file headers and message text come from candidates and from other systems. Sent
to a terminal as they are, an escape sequence in them could clear the screen or retitle the
window, a bell ring, and a line break forge a row of a table or a second error line. Every
place that prints data — the score table, ``followup explain``, ``followup validate``, error
and warning lines — shows each control character as a ``\x1b``-style escape instead, and each
invisible or text-reordering character as a ``\u200b``-style one, with the functions here (and
no other copy of them).

>>> print(printable("Bob\x1b]0;pwned\x07 =1"))
Bob\x1b]0;pwned\x07 =1
"""

from __future__ import annotations

import re

import pandas as pd

from .ids import INVISIBLE

# C0 controls, DEL and C1 controls (a C1 CSI, \x9b, starts an escape sequence on its own);
# the characters that show as nothing (zero-width spaces and joiners, a soft hyphen, a BOM),
# which make two different ids print alike; and the bidirectional overrides and isolates,
# which print what follows them reordered ("Trojan Source").
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|" + INVISIBLE)


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, characters: re.Pattern = CONTROL_CHARACTERS) -> str:
    r"""``text`` with every control character (or every one of ``characters``) escaped.

    >>> printable("line one\nline two")
    'line one\\x0aline two'
    """
    return characters.sub(_escaped, text)


def printable_text(values: pd.Series, characters: re.Pattern = CONTROL_CHARACTERS) -> pd.Series:
    """:func:`printable` over a whole text column, vectorised; missing stays missing."""
    return values.astype("string").str.replace(characters.pattern, _escaped, regex=True)


def printable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and column name of ``frame`` made :func:`printable` (for ``to_string``)."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            shown[column] = printable_text(values.astype(object).where(values.notna(), None)).fillna("")
    return shown.rename(columns=lambda name: printable(str(name)))


def printable_values(value):
    """A nested structure of dicts, lists and strings (a dumped model) with every string made
    :func:`printable`."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: printable_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable_values(item) for item in value]
    return value
