"""Redact: replace personal data in a result with stable, keyed pseudonyms.

A pseudonym is ``KIND-`` followed by the first 16 hex digits of
``HMAC-SHA256(key, "KIND:" + canonical value)``:

* ``email-…`` for an e-mail address (canonical: trimmed, lower case);
* ``phone-…`` for a phone number (canonical: its digits, with a leading ``+`` kept);
* ``name-…`` for a person's name (canonical: trimmed, case-folded, single spaces);
* ``text-…`` for free text a candidate wrote (subjects, notes; canonical: trimmed);
* ``value-…`` for the offending cell quoted in the rejects report or in an error;
* ``id-…`` for a candidate id that holds an e-mail address or a phone number inside other
  text (``mailto:…``, ``Dave Doe <dave@…>``; canonical: trimmed).

The same value always gets the same pseudonym under the same key, so redacted results from
different runs still join on it, and whoever holds the key can join them back to the people
by computing the pseudonyms of their own list (:meth:`Redactor.pseudonym`,
``followup pseudonym``). Without the key a pseudonym cannot be reversed or confirmed by
guessing names. Candidate ids are kept unless they are, or hold, an e-mail address or a
phone number: an internal id names no one outside the system it came from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re

import numpy as np
import pandas as pd

from .errors import FollowupError
from .schema import INTERVIEWERS_NOT_ADDRESSED, NAME_SEPARATOR, NOTE_NAME_COLUMNS, PERSON_EXTRA_COLUMNS

KEY_ENV = "FOLLOWUP_REDACT_KEY"
MIN_KEY_LENGTH = 16
DIGEST_HEX = 16  # 64 bits: no collision to expect among a few million distinct values

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Groups of digits with the separators people type, seven to fifteen digits in all (ITU
# E.164); a date such as 2026-03-02 has eight digits, so dates are excluded by shape.
PHONE = re.compile(r"(?<![\w(+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?![\w)])")
DATE_SHAPE = re.compile(r"\d{4}-\d\d-\d\d")

# How each column of the result frames is redacted.
WHOLE_VALUE = {"name": "name", "contact": "name", "subject": "text", "note": "text", "body": "text", "value": "value",
               # the interview list's own columns naming a person (recruiter, hiring manager, …)
               **dict.fromkeys(PERSON_EXTRA_COLUMNS, "name"),
               # the names the thank-you note reasons quote (followup.notes)
               "greeting_interviewer": "name", "greeting_name": "name"}
NAME_LISTS = {"interviewers": NAME_SEPARATOR, "notes_copied_to": NAME_SEPARATOR,
              INTERVIEWERS_NOT_ADDRESSED: NAME_SEPARATOR}
# Sentences that quote the names of NOTE_NAME_COLUMNS ("the same note went to Mei Chen and …").
QUOTING_COLUMNS = ("reasons", "reason")
IDENTIFIERS = ("candidate_id", "event_id")


def _is_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return 7 <= digits <= 15 and not DATE_SHAPE.search(text)


class Redactor:
    """Pseudonymises values with a secret key (see the module docs for the scheme)."""

    def __init__(self, key: str | bytes):
        key_bytes = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if len(key_bytes) < MIN_KEY_LENGTH:
            raise FollowupError(f"the redaction key must be at least {MIN_KEY_LENGTH} characters; "
                                "a short key lets anyone confirm a guessed name")
        self._key = key_bytes

    @classmethod
    def from_environment(cls, key: str | None = None) -> "Redactor":
        """The key given, else the one in ``FOLLOWUP_REDACT_KEY``; an error if there is none."""
        key = key if key is not None else os.environ.get(KEY_ENV)
        if not key:
            raise FollowupError(f"--redact needs a key: pass --redact-key KEY or set {KEY_ENV}")
        return cls(key)

    def pseudonym(self, value: str, kind: str | None = None) -> str:
        """The pseudonym of one value; ``kind`` defaults to what the value looks like
        (an e-mail address, a phone number, else a name)."""
        text = str(value).strip()
        kind = kind or _kind_of(text, "name")
        if kind == "email":
            canonical = text.lower()
        elif kind == "phone":
            canonical = ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
        elif kind == "name":
            canonical = " ".join(text.casefold().split())
        else:
            canonical = text
        digest = hmac.new(self._key, f"{kind}:{canonical}".encode("utf-8"), hashlib.sha256)
        return f"{kind}-{digest.hexdigest()[:DIGEST_HEX]}"

    def whole_values(self, values: pd.Series, kind: str) -> pd.Series:
        """Every value replaced; an address or a number keeps its own kind, so the same
        e-mail address gets the same pseudonym as a contact and as an id."""
        return self._per_distinct(values, lambda text: self.pseudonym(text, _kind_of(text, kind)))

    def identifiers(self, values: pd.Series) -> pd.Series:
        """Ids kept, unless an id is or holds an e-mail address or a phone number."""
        return self._per_distinct(values, self.identifier)

    def identifier(self, text: str) -> str:
        """One id as :meth:`identifiers` writes it: an id that is an e-mail address or a phone
        number gets that kind's pseudonym (so it joins the same address elsewhere); one that
        only holds one (``mailto:…``, ``Dave Doe <dave@…>``, ``tel:+1-…``) is replaced whole by
        an ``id-…`` pseudonym, since the rest of it may be a name; any other id is kept.

        >>> redactor = Redactor("a key of sixteen+ characters")
        >>> redactor.identifier("C007")
        'C007'
        >>> [redactor.identifier(i).split("-")[0] for i in ("dave@example.com", "mailto:dave@example.com",
        ...                                                   "Dave Doe <dave@example.com>", "tel:+1-555-010-0199")]
        ['email', 'id', 'id', 'id']
        """
        exact = _kind_of(text, "")
        if exact:
            return self.pseudonym(text, exact)
        if scrub_line(text, (), None) != text:
            return self.pseudonym(text, "id")
        return text

    def name_lists(self, values: pd.Series, separator: str) -> pd.Series:
        return self._per_distinct(values, lambda text: separator.join(
            self.pseudonym(part, _kind_of(part.strip(), "name"))
            for part in text.split(separator) if part.strip()))

    def scrubbed(self, values: pd.Series) -> pd.Series:
        """Text kept, with any e-mail address or phone number inside it replaced."""
        return self._per_distinct(values, lambda text: scrub_line(text, (), self))

    @staticmethod
    def _per_distinct(values: pd.Series, convert) -> pd.Series:
        """Apply ``convert`` once per distinct text value (hashing is per value, not per row).

        A column nothing changes in is returned as it was; a categorical stays categorical.
        """
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            converted = pd.Index([convert(str(c)) for c in categories], dtype=object)
            if converted.equals(categories.astype(object)):
                return values
            codes, merged = pd.factorize(converted)
            old_codes = values.cat.codes.to_numpy()
            new_codes = np.where(old_codes >= 0, codes[np.maximum(old_codes, 0)], -1)
            return pd.Series(pd.Categorical.from_codes(new_codes, categories=merged), index=values.index)
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        converted = [convert(str(u)) for u in uniques]
        if converted == [str(u) for u in uniques] and all(isinstance(u, str) for u in uniques):
            return values
        lookup = np.array(converted + [None], dtype=object)
        out = pd.Series(lookup[np.where(codes >= 0, codes, len(uniques))], index=values.index, dtype=object)
        return out.where(values.notna().to_numpy(), None)

    def quoted_names(self, values: pd.Series, names) -> pd.Series:
        """Each of ``names`` inside the texts (as a whole word or words) replaced by its pseudonym."""
        names = sorted({str(n).strip() for n in names if isinstance(n, str) and str(n).strip()}, key=len, reverse=True)
        if not names:
            return values
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
        return self._per_distinct(values, lambda text: pattern.sub(lambda m: self.pseudonym(m.group(0), "name"), text))

    def frame(self, frame: pd.DataFrame, quoted_names=()) -> pd.DataFrame:
        """A copy of ``frame`` with every personal value pseudonymised and other text scrubbed;
        ``quoted_names`` (the panel names the note reasons quote) are replaced inside the reasons."""
        redacted = frame.copy()
        for column in redacted.columns:
            values = redacted[column]
            if not (values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype))):
                continue
            if column in QUOTING_COLUMNS:
                values = self.quoted_names(values, quoted_names)
            if column in WHOLE_VALUE:
                redacted[column] = self.whole_values(values, WHOLE_VALUE[column])
            elif column in NAME_LISTS:
                redacted[column] = self.name_lists(values, NAME_LISTS[column])
            elif column in IDENTIFIERS:
                redacted[column] = self.identifiers(values)
            elif column not in ("source_file",):
                redacted[column] = self.scrubbed(values)
        return redacted

    def result(self, result):
        """A :class:`~followup.api.ScoreResult` with all of its frames redacted."""
        quoted = _note_names(result.rounds)
        frames = {f.name: self.frame(getattr(result, f.name), quoted) for f in dataclasses.fields(result)
                  if isinstance(getattr(result, f.name), pd.DataFrame) and f.name != "counts_by_file"}
        return dataclasses.replace(result, **frames)


def _note_names(rounds: pd.DataFrame) -> set[str]:
    """Every name the thank-you note reasons may quote (schema.NOTE_NAME_COLUMNS)."""
    names: set[str] = set()
    for column in NOTE_NAME_COLUMNS:
        if column in rounds:
            listed = rounds[column].dropna().astype(str)
            names.update(listed.str.split(NAME_SEPARATOR).explode().str.strip().dropna().unique().tolist())
    return names


def _kind_of(text: str, default: str) -> str:
    if EMAIL.fullmatch(text):
        return "email"
    if PHONE.fullmatch(text) and _is_phone(text):
        return "phone"
    return default


def scrub_line(line: str, quoted=(), redactor: Redactor | None = None) -> str:
    """An error or log line fit to print under ``--redact``: each data value it quotes (see
    :class:`~followup.errors.FollowupError`) and any e-mail address or phone number left in it
    replaced by its pseudonym — or, with no usable key, by the bare kind (``value-?``).

    >>> scrub_line("roster.csv: row 2, column 'emails': 'dave@@x.org' is not an e-mail address; "
    ...            "call +1 555 010 0199", quoted=["dave@@x.org"])
    "roster.csv: row 2, column 'emails': value-? is not an e-mail address; call phone-?"
    """
    def hidden(value: str, kind: str) -> str:
        return redactor.pseudonym(value, kind) if redactor else f"{kind}-?"

    for value in sorted(quoted, key=len, reverse=True):
        if value:
            line = line.replace(repr(value), hidden(value, "value")).replace(value, hidden(value, "value"))
    line = EMAIL.sub(lambda m: hidden(m.group(0), "email"), line)
    return PHONE.sub(lambda m: hidden(m.group(0), "phone") if _is_phone(m.group(0)) else m.group(0), line)
