"""Hiring outcomes: ``candidate_id, outcome[, decision_at]`` in, one label per candidate out.

An outcome is *advanced* (moved on, got an offer, was hired) or *rejected*. Common spellings
of each are understood (:data:`ADVANCED_SPELLINGS`, :data:`REJECTED_SPELLINGS`); anything else
— including ``withdrawn``, which says nothing about the employer's judgement — is rejected
with its file, row and reason, like a bad event row. ``decision_at``, when given, is when the
outcome was decided: the features of that candidate stop there.

>>> import pandas as pd
>>> table = read_outcomes(pd.DataFrame({"Candidate ID": ["A", "B", "C", "D", "A"],
...                                     "Result": ["Hired", "not selected", "withdrawn", "maybe", "offer"]}))
>>> table.frame[["candidate_id", "outcome"]].to_dict("records")
[{'candidate_id': 'A', 'outcome': 'advanced'}, {'candidate_id': 'B', 'outcome': 'rejected'}]
>>> table.counts
{'rows_read': 5, 'rows_used': 2, 'duplicates': 0, 'rejected': 3}
>>> table.rejects["reason"].tolist()[0]
"'withdrawn' says no hiring decision was taken on the candidate; use advanced or rejected"
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..errors import InputFileError
from ..normalise import Normalised, empty_rejects
from ..readers import canonical_columns, read_records
from ..schema import RejectCode, fold
from ..timeparse import parse_times

OUTCOME_COLUMN_ALIASES = {
    "candidate_id": ("candidate id", "candidate", "candidateid", "applicant id", "person id"),
    "outcome": ("outcome", "result", "decision", "status", "label", "hiring outcome"),
    "decision_at": ("decision at", "decided at", "decision date", "outcome at", "date"),
}

ADVANCED_SPELLINGS = (
    "advanced", "advance", "advancing", "hired", "hire", "offer", "offered", "offer made",
    "offer extended", "offer accepted", "accepted", "next round", "moved forward",
    "progressed", "passed", "pass", "yes", "y", "true", "1", "positive", "success", "successful",
)
REJECTED_SPELLINGS = (
    "rejected", "reject", "declined", "decline", "not selected", "not advanced", "not hired",
    "no offer", "turned down", "unsuccessful", "failed", "fail", "no", "n", "false", "0",
    "negative", "dropped",
)
NOT_A_DECISION = ("withdrawn", "withdrew", "no show", "ghosted", "on hold", "pending", "open")

_LOOKUP = {**{fold(s): "advanced" for s in ADVANCED_SPELLINGS},
           **{fold(s): "rejected" for s in REJECTED_SPELLINGS}}


def read_outcomes(source: "str | os.PathLike | pd.DataFrame", tz: str = "UTC") -> Normalised:
    """Read and check an outcomes file (CSV, JSON, Parquet, Excel…) or DataFrame.

    The result's ``frame`` has ``candidate_id``, ``outcome`` (``advanced``/``rejected``),
    ``advanced`` (bool), ``decision_at`` (UTC, may be empty) and the source file and row;
    ``rejects`` lists every row left out with its reason, and
    ``rows_read = rows_used + duplicates + rejected``.
    """
    raw = _raw_frame(source)
    missing = [c for c in ("candidate_id", "outcome") if c not in raw]
    if missing:
        present = ", ".join(c for c in raw.columns if not c.startswith("source_"))
        raise InputFileError(raw["source_file"].iloc[0] if len(raw) else source,
                             f"outcomes need column(s) {', '.join(missing)}; the file has: {present}")
    raw["candidate_id"] = raw["candidate_id"].astype("string").str.strip()
    spelled = raw["outcome"].astype("string").str.strip()
    folded = spelled.fillna("").map(fold)
    raw["outcome"] = folded.map(_LOOKUP)
    raw["outcome_raw"] = spelled
    if "decision_at" not in raw:
        raw["decision_at"] = pd.Series(None, index=raw.index, dtype=object)
    raw["decision_at_raw"] = raw["decision_at"]
    raw["decision_at"], time_reasons = parse_times(raw["decision_at"], tz)

    table = Normalised(raw, empty_rejects(), len(raw))
    table = table.reject(raw["candidate_id"].isna() | (raw["candidate_id"] == ""), "candidate_id",
                         RejectCode.MISSING_VALUE, "missing candidate_id")
    blank = table.frame["outcome_raw"].isna() | (table.frame["outcome_raw"] == "")
    table = table.reject(blank, "outcome", RejectCode.MISSING_VALUE, "missing outcome")
    unknown = table.frame["outcome"].isna()
    words = table.frame["outcome_raw"].fillna("").map(fold)
    reason = pd.Series(np.where(
        words.isin([fold(w) for w in NOT_A_DECISION]),
        "'" + table.frame["outcome_raw"].fillna("").astype(str)
        + "' says no hiring decision was taken on the candidate; use advanced or rejected",
        "unknown outcome '" + table.frame["outcome_raw"].fillna("").astype(str)
        + "'; use advanced (hired, offer, …) or rejected (declined, not selected, …)"),
        index=table.frame.index)
    table = table.reject(unknown, "outcome", RejectCode.UNKNOWN_DECISION, reason)
    bad_time = time_reasons.reindex(table.frame.index).notna()
    table = table.reject(bad_time, "decision_at", RejectCode.BAD_TIME, time_reasons.reindex(table.frame.index).fillna(""))
    first_row = table.frame.groupby("candidate_id", sort=False)["source_row"].transform("first")
    repeated = table.frame["candidate_id"].duplicated()
    table = table.reject(repeated, "candidate_id", RejectCode.DUPLICATE,
                         "candidate already has an outcome on row " + first_row.astype(str))
    frame = table.frame
    frame = pd.DataFrame({
        "candidate_id": frame["candidate_id"].astype(str).to_numpy(),
        "outcome": frame["outcome"].astype(str).to_numpy(),
        "advanced": (frame["outcome"] == "advanced").to_numpy(),
        "decision_at": frame["decision_at"].to_numpy(),
        "source_file": frame["source_file"].astype(str).to_numpy(),
        "source_row": frame["source_row"].astype("int64").to_numpy(),
    })
    frame["decision_at"] = pd.to_datetime(frame["decision_at"], utc=True)
    return Normalised(frame, table.rejects, table.rows_read)


def reject_unknown_candidates(outcomes: Normalised, known: pd.Series, reason: str) -> Normalised:
    """Outcomes of candidates outside ``known`` (e.g. with no held interview) are rejected."""
    return outcomes.reject(~outcomes.frame["candidate_id"].isin(set(known.astype(str))), "candidate_id",
                           RejectCode.UNKNOWN_CANDIDATE, reason)


def _raw_frame(source) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        frame = source.rename(columns=canonical_columns([str(c) for c in source.columns],
                                                         OUTCOME_COLUMN_ALIASES)).copy()
        frame["source_file"] = "<DataFrame>"
        frame["source_row"] = range(1, len(frame) + 1)
        return frame.reset_index(drop=True)
    return read_records(source, OUTCOME_COLUMN_ALIASES)
