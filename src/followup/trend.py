"""Trend: is each candidate's follow-up score improving, steady or declining across runs?

The rule (docs/nightly.md#trend), as CRM score trends do it — the latest score against the
recent past, with a dead band so day-to-day noise reads as steady:

* the runs looked at are the candidate's last :data:`TREND_RUNS` runs (the current one
  included) scored under the **current policy** (a run of another policy scores by other rules);
* with fewer than :data:`TREND_MIN_SCORES` of them holding a score (pending and upcoming rows
  have none) the trend is ``not enough history``;
* otherwise the latest score is compared with the mean of the earlier scores: at least
  :data:`TREND_POINTS` points above is ``improving``, as far below is ``declining``, anything
  between is ``steady``. A latest run without a score is ``not enough history``.

``score_trail`` draws the last :data:`TRAIL_RUNS` scores as a sparkline on a fixed 0-100 scale
(``▁`` low, ``█`` 100; ``·`` a run without a score), oldest left, so a flat line is a steady
score whatever its level.

>>> rows = pd.DataFrame({"candidate_id": ["A"] * 4 + ["B"] * 2,
...                      "as_of": pd.to_datetime(["2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04",
...                                               "2026-04-03", "2026-04-04"], utc=True),
...                      "score": [90.0, 80.0, 70.0, 60.0, 50.0, 55.0]})
>>> trends(rows).to_dict(orient="records")  # doctest: +NORMALIZE_WHITESPACE
[{'candidate_id': 'A', 'trend': 'declining', 'score_trail': '█▇▆▅'},
 {'candidate_id': 'B', 'trend': 'not enough history', 'score_trail': '▅▅'}]
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import history as runs_history

TREND_RUNS = 7
TREND_MIN_SCORES = 3
TREND_POINTS = 5.0
TRAIL_RUNS = 12
TRENDS = ("improving", "steady", "declining", "not enough history")
NOT_ENOUGH = TRENDS[3]
SPARK = np.array(list("▁▂▃▄▅▆▇█"), dtype=object)
NO_SCORE = "·"


def trends(rows: pd.DataFrame) -> pd.DataFrame:
    """``candidate_id``, ``trend`` and ``score_trail`` for every candidate in ``rows`` (runs'
    rows with ``candidate_id``, ``as_of`` and ``score``, all of one policy)."""
    rows = rows.sort_values(["candidate_id", "as_of"], kind="stable")
    back = rows.groupby("candidate_id", sort=False).cumcount(ascending=False).to_numpy()
    score = rows["score"].to_numpy(dtype=float)
    ids = rows["candidate_id"].to_numpy()

    window = back < TREND_RUNS
    scored = window & ~np.isnan(score)
    sums = pd.Series(np.where(scored, score, 0.0)).groupby(ids).sum()
    counts = pd.Series(scored.astype(np.int64)).groupby(ids).sum()
    latest = pd.Series(np.where(back == 0, score, np.nan)).groupby(ids).max()
    earlier_mean = (sums - latest.fillna(0)) / (counts - 1).where(counts > 1)
    delta = latest - earlier_mean
    enough = (counts >= TREND_MIN_SCORES) & latest.notna()
    trend = np.select([~enough, delta >= TREND_POINTS, delta <= -TREND_POINTS],
                      [NOT_ENOUGH, TRENDS[0], TRENDS[2]], TRENDS[1])

    trail = back < TRAIL_RUNS
    level = np.clip((np.nan_to_num(score, nan=0.0) / 100 * len(SPARK)).astype(np.int64), 0, len(SPARK) - 1)
    marks = pd.DataFrame({"candidate_id": ids[trail], "slot": TRAIL_RUNS - 1 - back[trail],
                          "mark": np.where(np.isnan(score), NO_SCORE, SPARK[level])[trail]})
    grid = marks.pivot(index="candidate_id", columns="slot", values="mark").reindex(sums.index).fillna("")
    columns = [pa.array(grid[slot].to_numpy(dtype=object), pa.string()) for slot in grid.columns]
    sparkline = pc.binary_join_element_wise(*columns, "") if columns else pa.array([""] * len(grid))
    return pd.DataFrame({"candidate_id": sums.index.to_numpy(), "trend": trend,
                         "score_trail": sparkline.to_numpy(zero_copy_only=False)})


def with_trend(result, earlier: list[runs_history.Run]):
    """``result`` with ``trend`` and ``score_trail`` on every candidate row and its
    ``score_history`` (the runs' rows of the current policy, the current run last), given the
    ``earlier`` runs read from a history (runs of another policy are left out of the trend)."""
    current = runs_history.run_rows(result)
    kept = runs_history.same_policy(earlier, result.policy.content_hash)
    rows = pd.concat([*(run.rows for run in kept), current], ignore_index=True)
    columns = trends(rows[["candidate_id", "as_of", "score"]])
    candidates = result.candidates.drop(columns=[c for c in ("trend", "score_trail") if c in result.candidates])
    joined = candidates.merge(columns, on="candidate_id", how="left", validate="many_to_one")
    joined.index = candidates.index
    return dataclasses.replace(result, candidates=joined,
                               score_history=rows[["candidate_id", "as_of", "score", "grade", "flags", "status"]])
