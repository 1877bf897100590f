"""What the phone-system adapters share: durations as written in exports, header aliases for
undocumented CSV downloads, collapsing several records of one call, and tying calls to people."""

from __future__ import annotations

import pandas as pd

from ..schema import RejectCode, UNANSWERED_OUTCOMES, fold
from .identity import resolve_calls
from .records import Adapted, reject_rows, stack_rejects

_CLOCK = r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})$"
_WORDS = r"^(?:(?P<h>\d+)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>\d+)\s*m(?:in(?:ute)?s?)?)?\s*(?:(?P<s>\d+)\s*s(?:ec(?:ond)?s?)?)?$"


def duration_seconds(values: pd.Series) -> pd.Series:
    """Seconds from ``67``, ``0:01:07``, ``1:07`` or ``1 min 7 sec``; text left as it was
    where none of these fits, for the scorer to reject with its usual reason.

    >>> duration_seconds(pd.Series(["67", "0:01:07", "1 min 7 sec", "2 hrs", "soon"])).tolist()
    [67, 67, 67, 7200, 'soon']
    """
    text = values.astype("string").str.strip().str.lower()
    plain = pd.to_numeric(text, errors="coerce")
    result = plain.astype(object)
    for pattern in (_CLOCK, _WORDS):
        parts = text.str.extract(pattern).apply(pd.to_numeric, errors="coerce")
        matched = parts.notna().any(axis=1) & text.notna() & (text != "")
        seconds = (parts["h"].fillna(0) * 3600 + parts["m"].fillna(0) * 60 + parts["s"].fillna(0))
        result = result.where(~(matched & plain.isna()), seconds)
    return result.where(result.notna(), values)


def rename_by_alias(frame: pd.DataFrame, aliases: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Rename the first header matching one of each target's spellings (folded)."""
    folded = {fold(c): c for c in frame.columns}
    mapping = {}
    for target, spellings in aliases.items():
        hit = next((folded[fold(s)] for s in spellings if fold(s) in folded), None)
        if hit is not None and hit not in mapping:
            mapping[hit] = target
    return frame.rename(columns=mapping)


def collapse(frame: pd.DataFrame, key: str, rank: pd.Series, what: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one record per ``key`` (the lowest ``rank``, then the first in the file) and report
    the others as duplicates of it."""
    ordered = frame.assign(_rank=rank).sort_values(["_rank", "source_row"], kind="stable")
    grouped = ordered[key].notna()
    repeat = grouped & ordered.duplicated(key, keep="first")
    if not repeat.any():
        return frame, stack_rejects()
    keeper_row = ordered[grouped & ~repeat].set_index(key)["source_row"]
    reasons = pd.Series(None, index=ordered.index, dtype=object)
    reasons[repeat] = (f"another record of {what} " + ordered.loc[repeat, key].astype(str)
                       + "; counted once, on row " + ordered.loc[repeat, key].map(keeper_row).astype(str))
    shown = ordered["event_id"] if "event_id" in ordered else ordered[key]
    kept, report = reject_rows(ordered.drop(columns="_rank"), reasons, "event_id", RejectCode.DUPLICATE,
                               kind="duplicate", value=shown,
                               duplicate_of=(ordered["source_file"].astype(str),
                                             ordered[key].map(keeper_row).fillna(0).astype("int64")))
    return kept.sort_values("source_row", kind="stable"), report


# The key by which one call is recognised across files (see followup.sources.cross_file_calls).
CALL_KEY = "call_key"
# When one call left several records (legs, per-extension copies, several files), the record
# kept is the one that says most about the attempt.
OUTCOME_RANK = {"connected": 0, "voicemail": 1, "busy": 2, "missed": 3, "hang_up": 4}


def with_left_messages(outcome: pd.Series, left_message: pd.Series) -> pd.Series:
    """An unanswered call (missed, hung up, busy) that left a message is a voicemail, whatever
    word the phone system logged for it: the caller stayed on and spoke, so it is a contact.

    >>> with_left_messages(pd.Series(["missed", "hang_up", "connected", "missed"]),
    ...                    pd.Series([True, True, True, False])).tolist()
    ['voicemail', 'voicemail', 'connected', 'missed']
    """
    left = left_message.fillna(False).to_numpy(bool)
    return outcome.mask(left & outcome.isin(UNANSWERED_OUTCOMES).to_numpy(), "voicemail")


def finish(frame: pd.DataFrame, rejects: list[pd.DataFrame], options, source: str) -> Adapted:
    """Tie calls to candidates and hand back the event columns, with each call's
    :data:`CALL_KEY` (the vendor's session or call id, prefixed by the vendor)."""
    candidate, contact, why, codes = resolve_calls(frame, options.roster, options.default_region)
    frame = frame.assign(candidate_id=candidate, contact=contact, channel="phone")
    shown = frame["caller"].where(frame["direction"] == "inbound", frame["callee"])
    frame, unmatched = reject_rows(frame, why, "candidate_id", codes, value=shown)
    columns = ["candidate_id", "timestamp", "channel", "direction", "outcome", "duration_s",
               "contact", "event_id", "note", "source_file", "source_row", CALL_KEY]
    return Adapted(frame[columns], stack_rejects(*rejects, unmatched), source)
