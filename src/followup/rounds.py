"""Rounds: one row per interview, with its follow-up window, and which round each event
belongs to.

A candidate interviewed three times has three rounds. Each round's follow-up window opens
at its *anchor* (the interview's end, or start + 1 h) and closes at the earliest of
``as_of``, the round's ``decision_at`` and the candidate's next interview; the shortlist
scores one round per candidate (:func:`build_rounds` says which). Events are tied to rounds
by integer codes (``candidate_code``), never by comparing id strings row by row.

>>> import pandas as pd
>>> interviews = pd.DataFrame({
...     "candidate_id": ["ana", "ana"], "interviewers": ["Dana;Raj", "Lee"],
...     "interview_at": pd.to_datetime(["2026-03-02 14:00", "2026-03-09 14:00"], utc=True),
...     "interview_end": [pd.Timestamp("2026-03-02 15:00", tz="UTC"), pd.NaT],
...     "decision": [None, None], "decision_at": [pd.NaT, pd.NaT], "decision_due": [pd.NaT, pd.NaT]})
>>> rounds = build_rounds(interviews, pd.Timestamp("2026-03-20", tz="UTC"), tz="UTC")
>>> rounds[["round_number", "window_closed_by", "interviewers_met", "is_shortlist_round"]].to_numpy().tolist()
[[1, 'next_interview', 2, False], [2, 'as_of', 1, True]]
>>> str(rounds.loc[1, "anchor"])  # no interview_end: start + 1 h
'2026-03-09 15:00:00+00:00'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .days import local_day
from .normalise import person_key
from .schema import NAME_SEPARATOR
from .textcolumns import per_distinct, positions_in, sorted_codes, text_array
from .timeparse import UTC_NS

DEFAULT_INTERVIEW_LENGTH = pd.Timedelta(hours=1)
# The candidates numbered 0, 1, … in id order: how the engine groups and sorts rounds by
# integers. An engine artefact, not a fact about anybody: ScoreResult.rounds leaves it out.
CANDIDATE_CODE = "candidate_code"


def build_rounds(interviews: pd.DataFrame, as_of: pd.Timestamp, tz: str) -> pd.DataFrame:
    """One row per interview, with its follow-up window and whether it is the shortlist round.

    The shortlist round is a candidate's latest interview that started on or before
    ``as_of``; a candidate with none yet is represented by the next upcoming interview.
    Rounds come sorted by candidate id, then interview time; ``candidate_code`` numbers the
    candidates 0, 1, … in that order, so later steps group by integers, not by id strings.
    """
    codes = sorted_codes(text_array(interviews["candidate_id"]))
    n_candidates = int(codes.max(initial=-1)) + 1
    interview_ns = pd.to_datetime(interviews["interview_at"], utc=True).astype(UTC_NS).to_numpy(
        dtype="datetime64[ns]").view("int64")
    order = np.lexsort((interview_ns, codes))
    rounds = interviews.iloc[order].reset_index(drop=True)
    rounds[CANDIDATE_CODE] = codes = codes[order]
    for column in ("interview_at", "interview_end"):
        rounds[column] = pd.to_datetime(rounds[column], utc=True).astype(UTC_NS)
    rounds["anchor"] = rounds["interview_end"].fillna(rounds["interview_at"] + DEFAULT_INTERVIEW_LENGTH)
    rounds_per_candidate = np.bincount(codes, minlength=n_candidates)
    first_of_candidate = np.cumsum(rounds_per_candidate) - rounds_per_candidate
    round_number = np.arange(len(rounds)) - first_of_candidate[codes] + 1
    rounds["round_number"] = round_number
    rounds["rounds"] = rounds_per_candidate[codes]
    has_next = round_number < rounds["rounds"].to_numpy()
    next_at = rounds["interview_at"].shift(-1).where(pd.Series(has_next, index=rounds.index))
    rounds["next_interview_at"] = next_at
    rounds["held"] = rounds["interview_at"] <= as_of
    rounds["as_of"] = pd.Series(as_of, index=rounds.index).astype(UTC_NS)

    as_of_series = rounds["as_of"]
    decision_at = pd.to_datetime(rounds["decision_at"], utc=True).astype(UTC_NS)
    next_at = next_at.astype(UTC_NS)
    window_end = as_of_series.where(~(decision_at < as_of_series), decision_at)
    window_end = window_end.where(~(next_at < window_end), next_at)
    rounds["window_closed_by"] = np.select(
        [(window_end == next_at).to_numpy(), (window_end == decision_at).to_numpy()],
        ["next_interview", "decision"], "as_of")
    rounds["window_end"] = window_end.where(window_end >= rounds["anchor"], rounds["anchor"])
    rounds["anchor_day"] = local_day(rounds["anchor"], tz)
    rounds["window_end_day"] = local_day(rounds["window_end"], tz) - rounds["anchor_day"]
    due = pd.to_datetime(rounds["decision_due"], utc=True).astype(UTC_NS)
    has_due = due.notna().to_numpy()
    due_day = np.full(len(rounds), np.nan)
    if has_due.any():
        due_day[has_due] = local_day(due[has_due], tz) - rounds["anchor_day"].to_numpy()[has_due]
    rounds["due_day"] = due_day

    # Rounds are in time order within a candidate, so the latest held round is the number held.
    held = rounds["held"].to_numpy()
    latest_held = np.bincount(codes, weights=held, minlength=n_candidates).astype(np.int64)[codes]
    rounds["is_shortlist_round"] = np.where(latest_held > 0, round_number == latest_held, round_number == 1)
    rounds["interviewers_met"] = per_distinct(rounds["interviewers"], _count_names)
    rounds.index.name = "round_key"
    return rounds


def _count_names(names: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.count_substring_regex(names, r"[^;\s][^;]*"), 0).to_numpy(zero_copy_only=False)


def interviewer_panel(rounds: pd.DataFrame) -> pd.DataFrame:
    """One row per (round position, interviewer): ``pos`` and the comparable ``who``."""
    pos, who, vocabulary = panel_codes(rounds)
    return pd.DataFrame({"pos": pos, "who": vocabulary[who]})


def panel_codes(rounds: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The interviewer panel as integers: round positions, person codes and the person keys
    the codes stand for (:func:`~followup.normalise.person_key`, made once per distinct name)."""
    pos, who, vocabulary, _, _ = _coded_panel(rounds)
    return pos, who, vocabulary


def named_panel_codes(rounds: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    """:func:`panel_codes` and each member's name as the interview list writes it (trimmed),
    for a fact that quotes the panel's members by name."""
    pos, who, vocabulary, names, name_of_member = _coded_panel(rounds)
    written = text_array(names.to_numpy(dtype=object, na_value=None)).take(pa.array(name_of_member))
    return pos, who, vocabulary, written


def _coded_panel(rounds: pd.DataFrame):
    pos, name_of_member, names = panel_members(rounds)
    who_of_name, vocabulary = pd.factorize(person_key(names).to_numpy(dtype=object), use_na_sentinel=False)
    return pos, who_of_name[name_of_member], np.asarray(vocabulary, dtype=object), names, name_of_member


def panel_members(rounds: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Every (round, interviewer) pair of the rounds' ``;``-separated panels: each member's
    round position, and which of ``names`` (the distinct panels' names as written, trimmed)
    the member is. Each distinct panel string is split once, however many rounds share it."""
    panels = rounds["interviewers"]
    if not isinstance(panels.dtype, pd.CategoricalDtype):
        panels = panels.astype("string").astype("category")
    names = (pd.Series(panels.cat.categories.astype(object), dtype="string")
             .str.split(NAME_SEPARATOR).explode().str.strip())
    names = names[names.notna() & (names != "")]
    panel_of_name = names.index.to_numpy(dtype=np.int64)
    names_per_panel = np.bincount(panel_of_name, minlength=len(panels.cat.categories) + 1)
    first_name = np.cumsum(names_per_panel) - names_per_panel
    codes = panels.cat.codes.to_numpy().astype(np.int64)
    codes[codes < 0] = len(panels.cat.categories)  # no panel: a category with no names
    per_round = names_per_panel[codes]
    pos = np.repeat(np.arange(len(codes)), per_round)
    within = np.arange(len(pos)) - np.repeat(np.cumsum(per_round) - per_round, per_round)
    return pos, first_name[codes[pos]] + within, names.reset_index(drop=True)


def latest_round_at_or_before(events: pd.DataFrame, held: pd.DataFrame,
                               event_code: np.ndarray | None = None) -> np.ndarray:
    """Position in ``held`` of each event's latest round anchored at or before it (-1: none).

    Rounds are grouped by candidate; the loop runs over round numbers (a handful), never
    over candidates or events.
    """
    round_code = round_codes(held)
    anchor_ns = held["anchor"].to_numpy(dtype="datetime64[ns]").view("int64")
    order = np.lexsort((anchor_ns, round_code))
    sorted_code = round_code[order]
    first_of_candidate = np.r_[True, sorted_code[1:] != sorted_code[:-1]] if len(order) else np.zeros(0, bool)
    # Each round's number within its candidate, 0 = the earliest anchor.
    kth = np.arange(len(order)) - np.maximum.accumulate(np.where(first_of_candidate, np.arange(len(order)), 0))

    code = candidate_codes(events, held) if event_code is None else event_code
    times_ns = events["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    found = np.full(len(events), -1, dtype=np.int64)
    slot_of_candidate = np.full(int(round_code.max(initial=-1)) + 2, -1, dtype=np.int64)  # last: unknown
    for k in range(int(kth.max(initial=-1)) + 1):
        # The k-th round of each candidate (one lookup per event); later rounds win.
        slot_of_candidate[:] = -1
        slot_of_candidate[sorted_code[kth == k]] = order[kth == k]
        slot = slot_of_candidate[code]  # code -1 reads the spare last entry
        reached = (slot >= 0) & (anchor_ns[slot] <= times_ns)
        found[reached] = slot[reached]
    return found


def candidate_codes(events: pd.DataFrame, held: pd.DataFrame) -> np.ndarray:
    """Each event's ``candidate_code`` among the held rounds (-1: no held round), hashing each
    distinct id once."""
    round_code = round_codes(held)
    # Held rounds come grouped by candidate: the first of each group names its candidate.
    first_of_candidate = np.flatnonzero(np.r_[True, round_code[1:] != round_code[:-1]]) if len(held) \
        else np.zeros(0, dtype=np.int64)
    ids = pd.Index(held["candidate_id"].to_numpy(dtype=object)[first_of_candidate])
    return np.append(round_code[first_of_candidate], -1)[positions_in(ids, events["candidate_id"])]


def round_codes(rounds: pd.DataFrame) -> np.ndarray:
    """Each round's :data:`CANDIDATE_CODE`. The engine's rounds carry it; a table without it
    (``ScoreResult.rounds``, or a part of it) numbers its own ids the same way: in sorted
    order, which keeps each candidate's rounds together as :func:`build_rounds` put them."""
    if CANDIDATE_CODE in rounds:
        return rounds[CANDIDATE_CODE].to_numpy()
    return sorted_codes(text_array(rounds["candidate_id"]))
