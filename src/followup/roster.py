"""Who is who: tie the phone numbers and e-mail addresses found in call logs and mailboxes to
candidate ids.

A roster (``--candidates``) is one of:

* a CSV/Excel file with ``candidate_id`` and any of ``name``, ``emails``, ``phones``,
  ``application_ids``, ``profile_urls`` (LinkedIn profiles; several values in one cell
  separated by ``;`` or ``,``);
* a Greenhouse Harvest ``GET /v1/candidates`` dump (``id``, ``first_name``, ``last_name``,
  ``email_addresses[].value``, ``phone_numbers[].value``, ``application_ids``);
* a Lever ``GET /v1/opportunities`` dump (``contact`` is the person, ``id`` the opportunity,
  ``emails[]``, ``phones[].value``) — the opportunity id is kept as an application id so that
  Lever interviews can be tied to the person.

Matching rules:

* **e-mail**: the addr-spec only (display names dropped), lower-cased, with a ``+tag`` removed
  from the local part, on both sides — ``"Ana Lopez" <Ana+jobs@Example.org>`` is
  ``ana@example.org``;
* **phone**: E.164 via the ``phonenumbers`` library; numbers written without a country code are
  read in ``default_region`` (``--default-region``, e.g. ``US``), and without one they cannot
  be matched (the reject says so);
* **LinkedIn profile**: ``linkedin.com/in/<slug>`` with the scheme, ``www.`` or a country
  subdomain, query and trailing slash removed, lower-cased — ``https://www.linkedin.com/in/
  Ana-Lopez/?trk=x`` is ``linkedin.com/in/ana-lopez``;
* **name** (only where a source offers nothing better, and reported as such): case-folded with
  runs of spaces made one;
* a value that belongs to two candidates is **ambiguous** and never assigned; a value that
  belongs to none is **unmatched**. Both become rejects with the value and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import phonenumbers

from .errors import InputFileError
from .ids import id_text
from .readers import check_regular_file, json_documents, read_records
from .schema import RejectCode

ROSTER_ALIASES = {
    "candidate_id": ("candidate id", "candidate", "id", "person id", "contact"),
    "name": ("name", "full name", "candidate name"),
    "emails": ("emails", "email", "email addresses", "e mail", "email address"),
    "phones": ("phones", "phone", "phone numbers", "phone number", "mobile"),
    "application_ids": ("application ids", "application id", "applications", "opportunity ids",
                        "opportunities"),
    "profile_urls": ("profile urls", "profile url", "linkedin", "linkedin url", "linkedin urls",
                     "linkedin profile", "linkedin profile url"),
}

# An addr-spec inside any header text: display names, quotes and angle brackets fall away.
ADDRESS = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_PLUS_TAG = re.compile(r"\+[^@]*@")
_NOT_PSTN = re.compile(r"^\s*(?:client|sip|sim|tel-uri|queue):", re.IGNORECASE)


def email_key(values: pd.Series) -> pd.Series:
    """The first address in each value, lower-cased, ``+tag`` removed; missing if none.

    >>> email_key(pd.Series(['"Ana Lopez" <Ana+jobs@Example.org>', "no address"])).tolist()
    ['ana@example.org', <NA>]
    """
    found = values.astype("string").str.extract(f"({ADDRESS})", expand=False).str.lower()
    return found.str.replace(_PLUS_TAG, "@", regex=True)


def all_email_keys(values: pd.Series) -> pd.Series:
    """Every address in each value (a list per row), normalised like :func:`email_key`."""
    found = values.astype("string").fillna("").str.lower().str.findall(ADDRESS)
    return found.map(lambda addresses: [_PLUS_TAG.sub("@", a) for a in addresses])


_PROFILE = r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/([^/?#\s]+)"


def profile_key(values: pd.Series) -> pd.Series:
    """The LinkedIn member profile in each value, as ``linkedin.com/in/<slug>``; missing if none.

    >>> profile_key(pd.Series(["https://www.linkedin.com/in/Ana-Lopez/?trk=x", "nope"])).tolist()
    ['linkedin.com/in/ana-lopez', <NA>]
    """
    text = values.astype("string").str.strip().str.lower()
    return "linkedin.com/in/" + text.str.extract(_PROFILE, expand=False)


def name_key(values: pd.Series) -> pd.Series:
    """Names compared exactly but for case and spacing: ``"  ana   LOPEZ"`` is ``"ana lopez"``."""
    text = values.astype("string").str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask(text == "")


def email_domain(keys: pd.Series) -> pd.Series:
    return keys.str.split("@").str[-1]


def phone_key(values: pd.Series, default_region: str | None) -> tuple[pd.Series, pd.Series]:
    """E.164 numbers and, where a value is present but cannot be one, the reason.

    ``phonenumbers`` has no vectorised API, so each *distinct* value is parsed once and the
    result mapped back onto the column.
    """
    text = values.astype("string").str.strip()
    distinct = text.dropna().unique()
    parsed = {value: _e164(value, default_region) for value in distinct}
    numbers = text.map(lambda v: parsed[v][0] if v in parsed else pd.NA).astype("string")
    reasons = text.map(lambda v: parsed[v][1] if v in parsed else None).astype(object)
    return numbers, reasons.where(reasons.notna(), None)


def _e164(value: str, default_region: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    if _NOT_PSTN.match(value):
        return None, f"{value!r} is not a telephone number (an app, SIP or SIM address)"
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else default_region)
    except phonenumbers.NumberParseException:
        if default_region is None and not value.startswith("+"):
            return None, f"{value!r} has no country code: give --default-region (e.g. US)"
        return None, f"{value!r} is not a telephone number"
    if not phonenumbers.is_possible_number(number):
        return None, f"{value!r} is not a possible telephone number (an internal extension?)"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


class Match(NamedTuple):
    """What :meth:`Roster.matched` finds: the candidate ids, and where there is none, the
    reason for people and the reject code (:class:`~followup.schema.RejectCode`)."""

    ids: pd.Series
    reasons: pd.Series
    codes: pd.Series


@dataclass
class Roster:
    """Normalised identifiers of each candidate: ``kind`` (email/phone/application), ``value``,
    ``candidate_id``; built by :func:`load_roster`."""

    entries: pd.DataFrame
    default_region: str | None = None
    path: str = "<roster>"
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    def _lookup(self, kind: str) -> pd.Series:
        rows = self.entries[self.entries["kind"] == kind].drop_duplicates(["value", "candidate_id"])
        owners = rows.groupby("value")["candidate_id"].agg(lambda ids: ";".join(sorted(ids)))
        return owners

    def match(self, kind: str, keys: pd.Series, shown: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
        """Candidate ids for normalised ``keys`` of one kind, and a reason where there is none."""
        ids, reasons, _ = self.matched(kind, keys, shown)
        return ids, reasons

    def matched(self, kind: str, keys: pd.Series, shown: pd.Series | None = None) -> Match:
        """:meth:`match` with the reject code beside each reason: ``UNMATCHED`` for a key no
        candidate has, ``AMBIGUOUS`` for one several candidates share."""
        owners = self._lookup(kind)
        found = keys.map(owners).astype("string")
        shown = (shown if shown is not None else keys).astype("string").fillna("")
        ambiguous = found.str.contains(";", regex=False).fillna(False)
        reasons = pd.Series(None, index=keys.index, dtype=object)
        what = {"email": "address", "phone": "number", "application": "application id",
                "profile": "LinkedIn profile", "name": "name"}[kind]
        missing = found.isna() & keys.notna()
        reasons[missing] = "unmatched: " + what + " " + shown[missing] + " is not in the roster"
        reasons[ambiguous] = ("ambiguous: " + what + " " + shown[ambiguous] + " belongs to candidates "
                              + found[ambiguous].str.replace(";", ", ", regex=False))
        codes = pd.Series(None, index=keys.index, dtype=object)
        codes[missing] = RejectCode.UNMATCHED
        codes[ambiguous] = RejectCode.AMBIGUOUS
        return Match(found.mask(ambiguous), reasons, codes)


def _split_cells(frame: pd.DataFrame, column: str, pattern: str) -> pd.DataFrame:
    if column not in frame:
        return pd.DataFrame(columns=["candidate_id", "raw", "source_row"])
    parts = frame[["candidate_id", column, "source_row"]].rename(columns={column: "raw"})
    parts["raw"] = parts["raw"].astype("string").str.split(pattern)
    parts = parts.explode("raw")
    parts["raw"] = parts["raw"].astype("string").str.strip()
    return parts[parts["raw"].notna() & (parts["raw"] != "")]


def _long_table(frame: pd.DataFrame, path: Path, default_region: str | None) -> pd.DataFrame:
    if "candidate_id" not in frame:
        present = ", ".join(c for c in frame.columns if not str(c).startswith("source_"))
        raise InputFileError(path, f"a roster needs a candidate_id column; the file has: {present}")
    frame = frame.assign(candidate_id=id_text(frame["candidate_id"]))
    empty = frame["candidate_id"].isna() | (frame["candidate_id"] == "")
    if empty.any():
        raise InputFileError(path, f"row {int(frame.loc[empty, 'source_row'].iloc[0])}, column "
                                   "'candidate_id': candidate_id is empty")
    emails = _split_cells(frame, "emails", r"[;,\s]+")
    email_keys = email_key(emails["raw"])
    bad = email_keys.isna()
    if bad.any():
        row = emails[bad].iloc[0]
        raise InputFileError(path, f"row {int(row['source_row'])}, column 'emails': "
                                   f"{row['raw']!r} is not an e-mail address", quoted=[row["raw"]])
    phones = _split_cells(frame, "phones", r"[;,]")
    phone_keys, why = phone_key(phones["raw"], default_region)
    if phone_keys.isna().any():
        first = phone_keys.isna().to_numpy().argmax()
        raise InputFileError(path, f"row {int(phones['source_row'].iloc[first])}, column 'phones': "
                                   f"{why.iloc[first]}", quoted=[phones["raw"].iloc[first]])
    applications = _split_cells(frame, "application_ids", r"[;,\s]+")
    profiles = _split_cells(frame, "profile_urls", r"[;,\s]+")
    profile_keys = profile_key(profiles["raw"])
    if profile_keys.isna().any():
        row = profiles[profile_keys.isna().to_numpy()].iloc[0]
        raise InputFileError(path, f"row {int(row['source_row'])}, column 'profile_urls': "
                                   f"{row['raw']!r} is not a LinkedIn profile URL (linkedin.com/in/…)")
    names = name_key(frame["name"]) if "name" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
    named = names.notna().to_numpy()
    return pd.concat([
        pd.DataFrame({"kind": "email", "value": email_keys.to_numpy(), "candidate_id": emails["candidate_id"].to_numpy()}),
        pd.DataFrame({"kind": "phone", "value": phone_keys.to_numpy(), "candidate_id": phones["candidate_id"].to_numpy()}),
        pd.DataFrame({"kind": "application", "value": applications["raw"].to_numpy(),
                      "candidate_id": applications["candidate_id"].to_numpy()}),
        pd.DataFrame({"kind": "profile", "value": profile_keys.to_numpy(),
                      "candidate_id": profiles["candidate_id"].to_numpy()}),
        pd.DataFrame({"kind": "name", "value": names[named].to_numpy(),
                      "candidate_id": frame.loc[named, "candidate_id"].to_numpy()}),
    ], ignore_index=True).astype({"value": object, "candidate_id": object})


def _from_ats_json(path: Path) -> pd.DataFrame | None:
    """A Greenhouse candidates or Lever opportunities dump as roster columns; None if neither."""
    try:
        document = json_documents(path, path.read_bytes(), lines=False)[0]
    except (OSError, ValueError) as exc:
        raise InputFileError(path, f"cannot be read as JSON: {exc}") from None
    except RecursionError:
        raise InputFileError(path, "cannot be read as JSON: nested too deeply") from None
    records = document.get("data", document) if isinstance(document, dict) else document
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        return None
    frame = pd.json_normalize(records, max_level=0)
    frame["source_row"] = range(1, len(frame) + 1)

    def joined(column: str, key: str | None = None) -> pd.Series:
        if column not in frame:
            return pd.Series(pd.NA, index=frame.index, dtype="string")
        values = frame[column].map(lambda items: items if isinstance(items, list) else [])
        if key:
            values = values.map(lambda items: [i.get(key) for i in items if isinstance(i, dict) and i.get(key)])
        return values.map(lambda items: ";".join(str(i) for i in items))

    if "email_addresses" in frame or "phone_numbers" in frame:  # Greenhouse candidates
        name = (frame.get("first_name", pd.Series("", index=frame.index)).fillna("").astype(str) + " "
                + frame.get("last_name", pd.Series("", index=frame.index)).fillna("").astype(str)).str.strip()
        return pd.DataFrame({"candidate_id": frame["id"].astype("string"), "name": name,
                             "emails": joined("email_addresses", "value"),
                             "phones": joined("phone_numbers", "value"),
                             "application_ids": joined("application_ids"),
                             "source_row": frame["source_row"]})
    if "contact" in frame and "emails" in frame:  # Lever opportunities
        return pd.DataFrame({"candidate_id": frame["contact"].astype("string"),
                             "name": frame.get("name"), "emails": joined("emails"),
                             "phones": joined("phones", "value"),
                             "application_ids": frame["id"].astype("string"),
                             "source_row": frame["source_row"]})
    return None


def load_roster(path: str | Path, default_region: str | None = None) -> Roster:
    """Read a roster file (see the module docstring); a bad entry is a one-line error naming
    the file, row and column, since a roster is short and kept by hand."""
    path = Path(path)
    if default_region is not None and default_region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise InputFileError(path, f"--default-region {default_region!r} is not a region code "
                                   "such as US, GB or DE")
    region = default_region.upper() if default_region else None
    check_regular_file(path)  # before the ATS-dump check opens it: a FIFO would be read away
    frame = _from_ats_json(path) if path.suffix.lower() == ".json" else None
    if frame is None:
        frame = read_records(path, ROSTER_ALIASES)
    entries = _long_table(frame, path, region)
    names = pd.Series(dtype=object)
    if "name" in frame:
        named = frame.assign(candidate_id=id_text(frame["candidate_id"]))
        names = named.dropna(subset=["name"]).drop_duplicates("candidate_id").set_index("candidate_id")["name"]
    return Roster(entries, region, str(path), names.astype(object))
