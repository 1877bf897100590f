"""What changed between two runs of the history: for the nightly job's alert.

One row per change, each with one reason a person can act on:

``newly_flagged``
    a flag the candidate did not carry in the earlier run (a candidate new to the list counts
    too); the reason is the flag's own sentence from the run ("WENT_SILENT: no contact for 15
    days since 2 Apr"). Any of these makes ``followup changes`` exit 3.
``flag_cleared``
    a flag the earlier run carried and this one does not, with what changed: a contact since,
    a decision, or the candidate's reason now.
``grade_changed``
    a grade (A-D) that moved, with the scores ("grade A → C, score 86.0 → 85.5 (capped by the
    flags)": a new flag caps the grade, so it comes with its ``newly_flagged`` row). A row that
    had no grade before (pending, upcoming) is not a grade change: it is graded for the first
    time, and flagged then if it deserves a flag.
``new_candidate`` / ``dropped``
    a candidate in only the later / only the earlier run's interview list.
``decided``
    a decision (offer, hired, rejected, withdrawn) recorded since the earlier run.

Every step is a join or a column pass over both runs' rows.

>>> import followup, tempfile
>>> from followup import history
>>> place = tempfile.mkdtemp()
>>> for day in ("2026-03-24", "2026-03-31"):
...     _ = history.append(place, followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                        as_of=f"{day}T18:00:00-04:00", tz="America/New_York"))
>>> found = compare(*history.read(place).runs, tz="America/New_York")
>>> found.rows.loc[found.rows["candidate_id"] == "C025", ["change", "flag", "reason"]].values.tolist()
[['newly_flagged', 'WENT_SILENT', 'WENT_SILENT: no contact for 18 days since 13 Mar']]
>>> found.newly_flagged
3
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .history import Run
from .reasons import flag_sentence
from .schema import FLAG_REASON_COLUMNS, FLAG_SEPARATOR, REASON_SEPARATOR

CHANGES = ("newly_flagged", "flag_cleared", "grade_changed", "new_candidate", "dropped", "decided")
COLUMNS = ["change", "candidate_id", "name", "flag", "before", "after", "reason", "since", "as_of"]


@dataclass
class Changes:
    """The changes from run ``before`` to run ``after`` (``rows``: :data:`COLUMNS`, in the
    order of :data:`CHANGES`, then by candidate), and notes such as a policy change."""

    before: Run
    after: Run
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def newly_flagged(self) -> int:
        return int((self.rows["change"] == "newly_flagged").sum())

    def counts(self) -> dict[str, int]:
        found = self.rows["change"].value_counts()
        return {change: int(found.get(change, 0)) for change in CHANGES}


def compare(before: Run, after: Run, tz: str = "UTC") -> Changes:
    """The changes from ``before`` to ``after``; dates in the reasons are local days in ``tz``."""
    old, new = before.rows, after.rows
    notes = []
    if before.policy_hash and after.policy_hash and before.policy_hash != after.policy_hash:
        notes.append(f"the policy changed between the runs: {before.policy_label} on {_day(before, tz)}, "
                     f"{after.policy_label} on {_day(after, tz)} — flags and grades may differ for that reason")
    if before.version and after.version and before.version != after.version:
        notes.append(f"the runs were written by different followup versions ({before.version}, {after.version})")
    if any(column in after.predates for column in FLAG_REASON_COLUMNS.values()):
        notes.append(f"{after.file.label} was written by an earlier followup that did not keep each flag's "
                     "reason: a newly raised flag is given by its code alone (score that as-of again for its reason)")
    both = old.merge(new, on="candidate_id", how="outer", suffixes=("_b", "_a"), indicator=True)
    in_both = (both["_merge"] == "both").to_numpy()
    only_new = (both["_merge"] == "right_only").to_numpy()
    only_old = (both["_merge"] == "left_only").to_numpy()
    name = both["name_a"].fillna(both["name_b"])

    # Only the rows whose flags differ are split into codes: on most nights a handful.
    flags_moved = (both["flags_b"].fillna("") != both["flags_a"].fillna("")).to_numpy()
    moved_flags = both[flags_moved]
    side = {column: column.removesuffix("_b") for column in moved_flags.columns if column.endswith("_b")}
    was = moved_flags[~only_new[flags_moved]][["candidate_id", *side]].rename(columns=side)
    side = {column: column.removesuffix("_a") for column in moved_flags.columns if column.endswith("_a")}
    now = moved_flags[~only_old[flags_moved]][["candidate_id", *side]].rename(columns=side)
    parts = [_flag_changes(was, now, tz), _frame("new_candidate", both[only_new], name[only_new], "", "",
             "new in the interview list: interview on " + _days(both.loc[only_new, "interview_at_a"], tz)
             + REASON_SEPARATOR + both.loc[only_new, "reason_a"].fillna("").astype(str))]
    parts.append(_frame("dropped", both[only_old], name[only_old], "", "",
                        pd.Series("no longer in the interview list", index=both.index[only_old])))
    graded = in_both & both["grade_b"].notna().to_numpy() & both["grade_a"].notna().to_numpy() \
        & (both["grade_b"] != both["grade_a"]).to_numpy()
    moved = both[graded]
    parts.append(_frame("grade_changed", moved, name[graded], moved["grade_b"], moved["grade_a"],
                        "grade " + moved["grade_b"].astype(str) + " → " + moved["grade_a"].astype(str)
                        + ", score " + _score_text(moved["score_b"]) + " → " + _score_text(moved["score_a"])
                        + _capping(moved)))
    decided = (in_both | only_new) & both["decision_a"].notna().to_numpy() & (
        both["decision_b"].isna() | (both["decision_b"] != both["decision_a"])).to_numpy()
    made = both[decided]
    parts.append(_frame("decided", made, name[decided], made["decision_b"].fillna(""), made["decision_a"],
                        "decided: " + made["decision_a"].astype(str) + " on " + _days(made["decision_at_a"], tz)))
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else _empty()
    rows["since"] = before.file.as_of.tz_convert(tz).isoformat()
    rows["as_of"] = after.file.as_of.tz_convert(tz).isoformat()
    order = pd.Categorical(rows["change"], categories=CHANGES).codes
    rows = rows.assign(_order=order).sort_values(["_order", "candidate_id", "flag"], kind="stable")
    return Changes(before, after, rows.drop(columns="_order").reset_index(drop=True)[COLUMNS], notes)


def flag_counts(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, int]:
    """How many flags were newly raised and cleared from the rows ``before`` to ``after``, as
    :func:`compare` counts them (a candidate in one run only raises or clears all its flags),
    from the flag columns alone: what a replay reports each night, so it is kept to a lookup of
    the ids and bit sets of the codes rather than joins of a row per flag.

    >>> before = pd.DataFrame({"candidate_id": ["A", "B", "C"], "flags": ["NO_CONTACT", "", "WENT_SILENT"]})
    >>> after = pd.DataFrame({"candidate_id": ["B", "A", "D"], "flags": ["TOO_FREQUENT", "", "NO_CONTACT"]})
    >>> flag_counts(before, after)
    {'newly_flagged': 2, 'flag_cleared': 2}
    """
    (was_codes, was_values), (now_codes, now_values) = (pd.factorize(rows["flags"].fillna("").astype(object))
                                                        for rows in (before, after))
    names = sorted({code for value in [*was_values, *now_values] for code in str(value).split(FLAG_SEPARATOR) if code})
    bit = {code: np.uint64(1) << np.uint64(i) for i, code in enumerate(names)}
    was, now = _flag_bits(was_codes, was_values, bit), _flag_bits(now_codes, now_values, bit)
    where = pd.Index(before["candidate_id"].astype(object)).get_indexer(after["candidate_id"].astype(object))
    matched = where >= 0
    was_matched = np.zeros(len(after), dtype=np.uint64)
    was_matched[matched] = was[where[matched]]
    gone = np.ones(len(before), dtype=bool)
    gone[where[matched]] = False
    return {"newly_flagged": int(np.bitwise_count(now & ~was_matched).sum()),
            "flag_cleared": int(np.bitwise_count(was_matched & ~now).sum() + np.bitwise_count(was[gone]).sum())}


def _flag_bits(codes: np.ndarray, values, bit: dict) -> np.ndarray:
    """Each row's flag codes as a bit set, worked out once per distinct ``flags`` value
    (``codes`` and ``values`` as :func:`pandas.factorize` gives them; a run holds a handful)."""
    per_value = np.array([sum((bit[code] for code in set(str(value).split(FLAG_SEPARATOR)) if code), np.uint64(0))
                          for value in values], dtype=np.uint64)
    return per_value[codes] if len(codes) else np.zeros(0, dtype=np.uint64)


def _flag_changes(old: pd.DataFrame, new: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Newly raised and cleared flags, one row per candidate and flag code, from the rows
    (earlier and later) of the candidates whose flags differ."""
    was, now = _flag_pairs(old), _flag_pairs(new)
    pairs = was.merge(now, on=["candidate_id", "flag"], how="outer", indicator=True)
    raised = pairs[pairs["_merge"] == "right_only"][["candidate_id", "flag"]]
    cleared = pairs[pairs["_merge"] == "left_only"][["candidate_id", "flag"]]

    sentences = _flag_sentences(new)
    raised = raised.merge(new[["candidate_id", "name"]], on="candidate_id", how="left").merge(
        sentences, on=["candidate_id", "flag"], how="left")
    # A flag always has its sentence; the code alone stands in should a run lack it.
    raised_frame = _frame("newly_flagged", raised, raised["name"], "", raised["flag"],
                          raised["sentence"].fillna(raised["flag"]))

    cleared = cleared.merge(old[["candidate_id", "name", "last_contact_at", "decision"]], on="candidate_id",
                            how="left").merge(
        new[["candidate_id", "last_contact_at", "decision", "decision_at", "reason"]], on="candidate_id",
        how="left", suffixes=("_b", "_a"))
    contacted = (cleared["last_contact_at_a"] > cleared["last_contact_at_b"]) | (
        cleared["last_contact_at_a"].notna() & cleared["last_contact_at_b"].isna())
    decided = cleared["decision_a"].notna() & cleared["decision_b"].isna()
    gone = cleared["reason"].isna() & cleared["decision_a"].isna()
    why = pd.Series(np.select(
        [decided.to_numpy(), contacted.to_numpy(), gone.to_numpy()],
        [("decided (" + cleared["decision_a"].astype(str) + ") on " + _days(cleared["decision_at"], tz)).to_numpy(),
         ("contact again on " + _days(cleared["last_contact_at_a"], tz)).to_numpy(),
         np.full(len(cleared), "no longer in the interview list", dtype=object)],
        ("now: " + cleared["reason"].fillna("").astype(str)).to_numpy()), index=cleared.index, dtype=object)
    cleared_frame = _frame("flag_cleared", cleared, cleared["name"], cleared["flag"], "",
                           cleared["flag"] + " cleared: " + why)
    return pd.concat([raised_frame, cleared_frame], ignore_index=True)


def _capping(moved: pd.DataFrame) -> pd.Series:
    """`` (capped by the flags)`` where a flag now caps the grade, ``(cap lifted)`` where one no longer does."""
    now, was = moved["grade_capped_a"].fillna(False).astype(bool), moved["grade_capped_b"].fillna(False).astype(bool)
    return pd.Series(np.select([(now & ~was).to_numpy(), (was & ~now).to_numpy()],
                               [" (capped by the flags)", " (no longer capped by a flag)"], ""), index=moved.index)


def _flag_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    codes = rows[["candidate_id"]].assign(flag=rows["flags"].fillna("").str.split(FLAG_SEPARATOR)).explode("flag")
    return codes.loc[codes["flag"].fillna("") != "", ["candidate_id", "flag"]].drop_duplicates()


def _flag_sentences(rows: pd.DataFrame) -> pd.DataFrame:
    """Each flag's own sentence in a run, ``CODE: …`` as the run's reasons word it, from the
    flag's reason column (blank in a run written before the history kept them)."""
    parts = []
    for code, column in FLAG_REASON_COLUMNS.items():  # one pass per flag code, over all rows
        carried = rows[column].notna().to_numpy() if column in rows else np.zeros(len(rows), dtype=bool)
        parts.append(pd.DataFrame({"candidate_id": rows["candidate_id"].to_numpy()[carried], "flag": code,
                                   "sentence": flag_sentence(code, rows[column].astype(object).to_numpy()[carried])
                                   if carried.any() else np.array([], dtype=object)}))
    return pd.concat(parts, ignore_index=True)


def _frame(change: str, rows: pd.DataFrame, name, before, after, reason) -> pd.DataFrame:
    index = rows.index
    return pd.DataFrame({
        "change": change,
        "candidate_id": rows["candidate_id"].astype(str).to_numpy(),
        "name": pd.Series(name, index=index).to_numpy() if len(index) else [],
        "flag": (rows["flag"].to_numpy() if "flag" in rows else np.full(len(index), "", dtype=object)),
        "before": pd.Series(before, index=index).astype(str).to_numpy() if len(index) else [],
        "after": pd.Series(after, index=index).astype(str).to_numpy() if len(index) else [],
        "reason": pd.Series(reason, index=index).astype(str).to_numpy() if len(index) else [],
    })


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS if column not in ("since", "as_of")})


def _days(times: pd.Series, tz: str) -> pd.Series:
    """``2 Apr``: a time as its local day, as the reasons write days."""
    local = pd.to_datetime(times, utc=True).dt.tz_convert(tz)
    return (local.dt.day.astype("Int64").astype(str) + " " + local.dt.strftime("%b")).fillna("?")


def _score_text(scores: pd.Series) -> pd.Series:
    return pd.to_numeric(scores).round(1).astype("Float64").astype("string").fillna("—")


def _day(run: Run, tz: str) -> str:
    return run.file.as_of.tz_convert(tz).strftime("%Y-%m-%d")
