"""LinkedIn messages: ``messages.csv`` from LinkedIn's *Get a copy of your data* (Settings &
Privacy → Data privacy → Get a copy of your data → Messages), the recruiter's own archive.

Columns, as the archive writes them (UTF-8): ``CONVERSATION ID``, ``CONVERSATION TITLE``,
``FROM`` (the sender's name), ``SENDER PROFILE URL``, ``TO`` (the recipients' names),
``RECIPIENT PROFILE URLS`` (``;``-separated), ``DATE`` (``2024-03-06 14:30:00 UTC``),
``SUBJECT``, ``CONTENT``, ``FOLDER`` (``INBOX``, ``ARCHIVE``, …).

Tying a message to a candidate, through the roster (``--candidates`` with ``profile_urls``):

1. by LinkedIn profile URL: a sender in the roster ⇒ inbound from that candidate; otherwise the
   one roster candidate among the recipients ⇒ outbound (the archive is the recruiter's, so a
   message not from a candidate is from the recruiter). Several candidates among the
   recipients ⇒ ambiguous, rejected.
2. failing that, by exact name (case and spacing aside): ``FROM`` ⇒ inbound, ``TO`` ⇒ outbound —
   only to a candidate whose roster entry lists no profile URL (one that does is a different
   person), and only when one candidate has that name (two ⇒ ambiguous, rejected). Such rows
   say ``matched by exact name`` in their note, and the run warns how many there were.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from ..errors import InputWarning
from ..readers import read_records
from ..roster import name_key, profile_key
from ..schema import RejectCode
from .calls import rename_by_alias
from .records import Adapted, coded, column, headed_like, reject_rows

HEADERS = {"conversation id", "from", "sender profile url", "recipient profile urls", "date", "content"}
ALIASES = {
    "conversation": ("conversation id",), "title": ("conversation title",),
    "sender_name": ("from",), "sender_url": ("sender profile url",),
    "recipient_names": ("to",), "recipient_urls": ("recipient profile urls",),
    "date": ("date",), "subject": ("subject",), "content": ("content",), "folder": ("folder",),
}
BY_NAME = "matched by exact name"


def csv_matches(headers: set[str]) -> bool:
    """``headers`` lower-cased and stripped."""
    return HEADERS <= headers


def _match(roster, kind: str, keys: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the candidate of each key, whether several candidates share it)."""
    if roster is None:
        return pd.Series(pd.NA, index=keys.index, dtype="string"), pd.Series(False, index=keys.index)
    ids, _, codes = roster.matched(kind, keys)
    return ids, codes == RejectCode.AMBIGUOUS


def _recipients(roster, urls: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the one candidate among each row's recipient URLs, the candidates when several)."""
    listed = pd.DataFrame({"row": urls.index, "url": urls.astype("string").str.split(r"[;,]\s*")}).explode("url")
    listed["key"] = profile_key(listed["url"].astype("string"))
    listed = listed.dropna(subset=["key"])
    found, _ = _match(roster, "profile", listed["key"])
    per_row = found.dropna().groupby(listed.loc[found.notna(), "row"]).agg(lambda ids: ";".join(sorted(set(ids))))
    ids = pd.Series(urls.index.map(per_row), index=urls.index, dtype="string")
    several = ids.str.contains(";", regex=False).fillna(False)
    return ids.mask(several), ids.where(several)


def read(path: Path, options) -> Adapted:
    raw = rename_by_alias(read_records(path, {}, sheet_test=headed_like(csv_matches)), ALIASES)
    raw["source_file"] = raw["source_file"].astype(str)
    roster = options.roster
    sender_name, recipient_names = column(raw, "sender_name").astype("string"), column(raw, "recipient_names").astype("string")
    from_url, _ = _match(roster, "profile", profile_key(column(raw, "sender_url")))
    to_url, several = _recipients(roster, column(raw, "recipient_urls"))
    from_name, from_name_shared = _match(roster, "name", name_key(sender_name))
    to_name, to_name_shared = _match(roster, "name", name_key(recipient_names))
    # A name only stands for a candidate the roster knows no LinkedIn profile for.
    with_profile = set() if roster is None else set(roster.entries.loc[roster.entries["kind"] == "profile", "candidate_id"])
    from_name_other = from_name.isin(with_profile).fillna(False)
    to_name_other = to_name.isin(with_profile).fillna(False)
    from_name, to_name = from_name.mask(from_name_other), to_name.mask(to_name_other)

    inbound_url = from_url.notna()
    outbound_url = ~inbound_url & to_url.notna()
    by_url = inbound_url | outbound_url | several.notna()
    inbound_name = ~by_url & from_name.notna()
    outbound_name = ~by_url & ~inbound_name & to_name.notna()
    inbound = inbound_url | inbound_name
    candidate = from_url.where(inbound_url, to_url).where(~inbound_name, from_name).where(~outbound_name, to_name)
    by_name = inbound_name | outbound_name
    when = column(raw, "date").astype("string").str.strip().str.replace(r"\s*UTC$", "+00:00", regex=True)
    frame = pd.DataFrame({
        "candidate_id": candidate.where(inbound | outbound_url | outbound_name),
        "timestamp": when,
        "channel": "linkedin",
        "direction": pd.Series("outbound", index=raw.index).where(~inbound, "inbound"),
        "contact": recipient_names.where(inbound, sender_name),
        "subject": column(raw, "subject"),
        "event_id": "linkedin:" + column(raw, "conversation").astype("string") + "@" + when.fillna("")
                    + "#" + sender_name.fillna(""),
        "note": pd.Series("LinkedIn message", index=raw.index).where(~by_name, "LinkedIn message, " + BY_NAME),
        "source_file": raw["source_file"], "source_row": raw["source_row"],
    })
    reasons = pd.Series(None, index=raw.index, dtype=object)
    unmatched = frame["candidate_id"].isna()
    shown = sender_name.fillna("(no name)") + " → " + recipient_names.fillna("(no name)")
    reasons[unmatched.to_numpy()] = ("unmatched: neither the sender's nor a recipient's LinkedIn profile or name "
                                     "is a candidate in the roster (" + shown[unmatched] + ")")
    if roster is None:
        reasons[unmatched.to_numpy()] = "unmatched: no roster to resolve LinkedIn profiles (give --candidates roster.csv)"
    ambiguous_name = unmatched & ~by_url & (from_name_shared | to_name_shared)
    reasons[ambiguous_name.to_numpy()] = ("ambiguous: the name " + sender_name.where(
        from_name_shared, recipient_names)[ambiguous_name].fillna("")
        + " belongs to several candidates and no profile URL tells them apart")
    other_person = unmatched & ~by_url & ~ambiguous_name & (from_name_other | to_name_other)
    reasons[other_person.to_numpy()] = ("unmatched: the name " + sender_name.where(from_name_other, recipient_names)[
        other_person].fillna("") + " is a candidate's, but the roster lists that candidate with another "
        "LinkedIn profile")
    ambiguous_url = several.notna()
    reasons[ambiguous_url.to_numpy()] = ("ambiguous: one message to several candidates ("
                                         + several[ambiguous_url].str.replace(";", ", ", regex=False) + ")")
    frame, rejects = reject_rows(frame, reasons, "candidate_id",
                                 coded((unmatched, RejectCode.UNMATCHED), (ambiguous_name | ambiguous_url, RejectCode.AMBIGUOUS)),
                                 value=shown)
    named = int(frame["note"].str.endswith(BY_NAME).sum())
    if named:
        warnings.warn(f"{path}: {named} LinkedIn message(s) tied to candidates by exact name only; add their "
                      "profile URLs to --candidates (profile_urls) to be sure", InputWarning, stacklevel=2)
    return Adapted(frame, rejects, "linkedin")
