"""Settling: from which as-of a round's result stops moving with the clock.

A round's row is a function of two things: what is known about its candidate at the as-of —
the events logged up to it, the decisions taken by it, which interviews have been held by it —
and the as-of itself, which moves every open window. :func:`settled_from` says, per scored
round, from which as-of the second stops mattering: at any later as-of at which the same is
known about the candidate, the round's row (status, score, components, grade, flags, reasons)
is the one it has now. A replay (:mod:`followup.replay`) re-scores a night only the candidates
about whom something new is known or whose rounds have not settled, and carries the rest.

Where the as-of enters the scoring (SCORING.md, :mod:`followup.rounds`, :mod:`followup.features`,
:mod:`followup.scoring`, :mod:`followup.reasons`), and what that makes of a round:

* **A window closed by the as-of** (no visible decision, no later interview held — or the
  interview still in progress) moves with it: the days since the interview (``pending``, its
  "N days left", ``NO_CONTACT`` and its "no contact in the N days"), the days since the last
  contact (``WENT_SILENT`` and its "no contact for N days"), the completed cadence periods and
  the check-ins falling due. Such a round **never settles** while its window is open: NaT.
* **A window closed by a decision or by the next interview** ends at a fixed time, so every
  count, day number and silence in it is fixed: settled from the window's end. The one clock
  left is the courtesy rule for a credited decision (a thank-you after a rejection, 0 "once
  ``after_decision_days`` have passed without one"): under a policy that credits any decision,
  a round closed by a decision settles only once those days have passed.
* **An interview not yet held** is ``upcoming`` whatever the as-of, until it is held — and an
  interview being held is a change in what is known, not the clock's doing: settled from the
  round's own as-of.

Counting "events up to the as-of" is not a clock: no new event, no new count. Anything not
listed here is treated as moving (a round one is unsure of is not settled).

Facts that other candidates share are a different matter: :func:`rows_are_per_candidate`
says whether a candidate's row depends on its own facts alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .policy import Policy
from .timeparse import UTC_NS

SETTLED_FROM = "settled_from"


def settled_from(scored: pd.DataFrame, policy: Policy) -> pd.Series:
    """Per round of :func:`followup.scoring.score_rounds`: the as-of (UTC) from which its row
    no longer depends on the as-of, as long as nothing new is known about its candidate; NaT
    for a round whose window is still open (never settles while open). See the module notes.

    >>> from followup.policy import load_policy
    >>> rounds = pd.DataFrame({
    ...     "held": [True, True, True, False],
    ...     "window_closed_by": ["as_of", "decision", "next_interview", "as_of"],
    ...     "window_end": pd.to_datetime(["2026-04-01", "2026-03-20", "2026-03-10", "2026-03-25"], utc=True),
    ...     "decision_at": pd.to_datetime([None, "2026-03-20", None, None], utc=True),
    ...     "as_of": pd.to_datetime(["2026-04-01"] * 4, utc=True)})
    >>> [str(t) for t in settled_from(rounds, load_policy("sales"))]
    ['NaT', '2026-03-20 00:00:00+00:00', '2026-03-10 00:00:00+00:00', '2026-04-01 00:00:00+00:00']
    >>> str(settled_from(rounds, load_policy("courteous"))[1])  # a rejection's thank-you may still come
    '2026-03-27 00:00:00+00:00'
    """
    held = scored["held"].to_numpy(bool)
    closed_by = scored["window_closed_by"].astype(object).to_numpy()
    closed = held & (closed_by != "as_of")
    window_end = pd.to_datetime(scored["window_end"], utc=True).astype(UTC_NS)
    settled = window_end.where(pd.Series(closed, index=scored.index))
    if policy.courtesy.after_decision:
        # Any decision, not only the credited ones: a rule left out here would be a wrong row.
        decided = closed & (closed_by == "decision")
        decision_at = pd.to_datetime(scored["decision_at"], utc=True).astype(UTC_NS)
        waited = decision_at + pd.Timedelta(days=policy.courtesy.after_decision_days)
        later = pd.Series(decided, index=scored.index) & ~(waited <= settled)
        settled = settled.where(~later, waited)
    as_of = pd.to_datetime(scored["as_of"], utc=True).astype(UTC_NS)
    settled = settled.where(pd.Series(held, index=scored.index), as_of)
    return settled.rename(SETTLED_FROM)


def settled_ns(settled: pd.Series) -> np.ndarray:
    """:func:`settled_from` as UTC nanoseconds, NaT (never) as the largest: after every as-of."""
    values = settled.to_numpy(dtype="datetime64[ns]").view("int64").copy()
    values[settled.isna().to_numpy()] = np.iinfo(np.int64).max
    return values


def rows_are_per_candidate(events: pd.DataFrame) -> bool:
    """Whether each candidate's row depends on that candidate's events and interviews alone.

    Thank-you notes with text are judged against every other note of the run (TF-IDF fitted on
    all of them, templates counted across candidates: :mod:`followup.notes`), so one candidate's
    new note can change another's row: a log with any message text is not per candidate,
    whatever the policy weighs (the conservative answer)."""
    return "body" not in events or not bool(events["body"].notna().any())

