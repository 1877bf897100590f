"""Replay: score the same logs as of each date, into a history, without having kept one.

``followup replay EVENTS -i INTERVIEWS --from DATE --to DATE --every 1d --history PLACE``
reads and normalises the files **once**, then for each as-of scores only what was known then
(point in time):

* events after the as-of are invisible (they are not yet in the log, so not in ``rows_read``
  either: each run's row accounting is that of the log as it stood);
* a decision taken after the as-of is blank, as the interview list held it then (a decision
  with no ``decision_at`` cannot be placed in time and is kept);
* interviews after the as-of are ``upcoming``, as on the night.

Each as-of is written to the history exactly as ``score --history`` writes it (same layout,
same replace-the-same-as-of rule), so nightly runs can carry on from a backfill. What the
replay saves is the reading and normalising — most of a run (docs/nightly.md#replay).

>>> import tempfile
>>> place = tempfile.mkdtemp()
>>> nights = replay("sample_data/events.csv", "sample_data/interviews.csv", place,
...                 start="2026-03-24T18:00", end="2026-03-31T18:00", every="1d", tz="America/New_York")
>>> len(nights), int(nights["newly_flagged"].sum())
(8, 3)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import api
from . import history as runs_history
from .changes import flag_counts
from .errors import FollowupError
from .normalise import Normalised
from .policy import load_policy

MAX_RUNS = 5_000
SUMMARY_COLUMNS = ["as_of", "candidates", "ok", "flagged", "pending", "upcoming", "with_flags",
                   "newly_flagged", "flags_cleared", "run_file"]


def as_of_times(start, end, every: str, tz: str) -> pd.DatetimeIndex:
    """The as-of instants from ``start`` to ``end`` inclusive, ``every`` apart (``1d``, ``12h``,
    ``1w``); times without an offset are read in ``tz``.

    >>> [t.isoformat() for t in as_of_times("2026-04-01", "2026-04-03", "1d", "UTC")]
    ['2026-04-01T00:00:00+00:00', '2026-04-02T00:00:00+00:00', '2026-04-03T00:00:00+00:00']
    """
    first, last = api.parse_as_of(start, tz), api.parse_as_of(end, tz)
    step = interval(every)
    if last < first:
        raise FollowupError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    count = int((last - first) // step) + 1
    if count > MAX_RUNS:
        raise FollowupError(f"{count} runs from --from to --to every {every}; at most {MAX_RUNS} — "
                            "replay in pieces or with a longer --every")
    return pd.DatetimeIndex([first + step * i for i in range(count)])  # the as-ofs, not the data


EVERY = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def interval(every: str) -> pd.Timedelta:
    """``--every``: a whole number of minutes, hours, days or weeks (``30m``, ``12h``, ``1d``, ``1w``).

    >>> interval("1w")
    Timedelta('7 days 00:00:00')
    """
    match = EVERY.match(str(every).lower())
    if not match or int(match.group(1)) == 0:
        raise FollowupError(f"--every {every!r} is not a duration such as 1d, 12h or 1w")
    return pd.Timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def replay(events, interviews, place, start, end, every: str = "1d", policy=None, tz: str = "UTC",
           strict: bool = False, sources=None, progress=None) -> pd.DataFrame:
    """Score ``events``/``interviews`` as of each time from ``start`` to ``end`` every
    ``every`` into the history at ``place``. Returns one summary row per as-of
    (:data:`SUMMARY_COLUMNS`): its counts by status and how many flags were newly raised and
    cleared since the as-of before it."""
    step = progress or (lambda stage: None)
    tz = api.check_timezone(tz)
    rules = load_policy(policy)
    moments = as_of_times(start, end, every, tz)
    step("reading interviews")
    loaded_interviews = api.read_interviews(interviews, tz=tz, strict=strict, sources=sources)
    api.refuse_unusable_files(loaded_interviews.frame, loaded_interviews.rejects)
    step("reading events")
    loaded_events = api.reject_unknown_candidates(
        api.read_events(events, tz=tz, strict=strict, sources=sources), loaded_interviews, strict)
    api.refuse_unusable_files(loaded_events.frame, loaded_events.rejects)
    inputs = [*_paths(events), *_paths(interviews)]

    event_ns = _ns(loaded_events.frame["timestamp"])
    decision_ns = _ns(loaded_interviews.frame["decision_at"])
    summaries, previous = [], None
    for moment in moments:  # one run per as-of: the loop is over dates, each run vectorised
        step(f"scoring as of {moment.tz_convert(tz).isoformat()}")
        result = api.score(as_known_at(loaded_events, event_ns, moment),
                           interviews_known_at(loaded_interviews, decision_ns, moment),
                           policy=rules, as_of=moment, tz=tz, strict=strict)
        rows = runs_history.run_rows(result)
        path = runs_history.append(place, result, inputs, rows)
        found = flag_counts(previous, rows) if previous is not None else {}
        summaries.append({"as_of": result.as_of.tz_convert(tz).isoformat(),
                          **{k: v for k, v in result.summary().items() if k != "rounds"},
                          "newly_flagged": found.get("newly_flagged", 0),
                          "flags_cleared": found.get("flag_cleared", 0), "run_file": str(path)})
        previous = rows
    return pd.DataFrame(summaries, columns=SUMMARY_COLUMNS)


def as_known_at(events: Normalised, event_ns: np.ndarray, moment: pd.Timestamp) -> Normalised:
    """The event log as it stood at ``moment``: the events up to it, counted as the rows read."""
    visible = event_ns <= moment.value
    hidden = int((~visible).sum())
    return Normalised(events.frame[visible], events.rejects, events.rows_read - hidden)


def interviews_known_at(interviews: Normalised, decision_ns: np.ndarray, moment: pd.Timestamp) -> Normalised:
    """The interview list as it stood at ``moment``: decisions taken after it not yet written."""
    later = decision_ns > moment.value
    if not later.any():
        return interviews
    frame = interviews.frame.copy(deep=False)
    for column in ("decision", "decision_at"):
        frame[column] = frame[column].where(~later)
    return Normalised(frame, interviews.rejects, interviews.rows_read)


def _ns(times: pd.Series) -> np.ndarray:
    """Times as UTC nanoseconds, a missing one (a decision without its time) as the smallest:
    never after an as-of."""
    stamps = pd.to_datetime(times, utc=True)
    values = stamps.astype("datetime64[ns, UTC]").to_numpy(dtype="datetime64[ns]").view("int64").copy()
    values[stamps.isna().to_numpy()] = np.iinfo(np.int64).min
    return values


def _paths(source) -> list:
    if isinstance(source, (str, Path)):
        return [source]
    if isinstance(source, (list, tuple)):
        return list(source)
    return []
