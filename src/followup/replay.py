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
same replace-the-same-as-of rule), so nightly runs can carry on from a backfill.

What a replayed night costs is the scoring alone: the files are read, normalised and checked
once (:func:`read_logs`), with the events sorted by time once, so that the log as it stood at
an as-of is a slice of it found by binary search — no copy of the event frame per night — and
the per-run checks of a full run (unknown candidates, empty files) are not repeated. In this
process a night re-scores only the candidates whose row can have changed since the night
before — something new known about them, or a round not yet settled
(:mod:`followup.settling`) — and carries the others' rows (:class:`SettledNights`). With
``workers``/``scheduler``/``client`` the nights are scored in full as independent Dask tasks,
the logs sent to the workers once; the history is written by this process, in order
(docs/nightly.md#replay).

>>> import tempfile
>>> place = tempfile.mkdtemp()
>>> nights = replay("sample_data/events.csv", "sample_data/interviews.csv", place,
...                 start="2026-03-24T18:00", end="2026-03-31T18:00", every="1d", tz="America/New_York")
>>> len(nights), int(nights["newly_flagged"].sum())
(8, 3)
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from . import history as runs_history
from .changes import flag_counts
from .errors import FollowupError
from .features import round_features
from .loading import (check_timezone, parse_as_of, read_events, read_interviews, refuse_empty_input,
                      refuse_unusable_files, reject_unknown_candidates)
from .normalise import COUNT_KEYS, Normalised
from .partitioned import cluster_client
from .policy import Policy, load_policy
from .rounds import CANDIDATE_CODE, build_rounds
from .schema import FLAG_REASON_COLUMNS
from .scoring import score_rounds
from .settling import rows_are_per_candidate, settled_from, settled_ns
from .shortlist import CANDIDATE_COLUMNS, ScoreResult, loaded_model, output_extra_columns, rank, with_extra_columns
from .textcolumns import positions_in, sorted_codes, text_array

MAX_RUNS = 5_000
SUMMARY_COLUMNS = ["as_of", "candidates", "ok", "flagged", "pending", "upcoming", "with_flags",
                   "newly_flagged", "flags_cleared", "run_file"]


def as_of_times(start, end, every: str, tz: str) -> pd.DatetimeIndex:
    """The as-of instants from ``start`` to ``end`` inclusive, ``every`` apart (``1d``, ``12h``,
    ``1w``); times without an offset are read in ``tz``.

    >>> [t.isoformat() for t in as_of_times("2026-04-01", "2026-04-03", "1d", "UTC")]
    ['2026-04-01T00:00:00+00:00', '2026-04-02T00:00:00+00:00', '2026-04-03T00:00:00+00:00']
    """
    first, last = parse_as_of(start, tz), parse_as_of(end, tz)
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


@dataclass(frozen=True)
class ReadLogs:
    """The logs read, normalised and checked once, kept in the shape point-in-time cuts need:
    the events sorted by time (stably: events of the same instant keep their input order, which
    is all the scorer's order-dependent rules see, as it orders by round and time), with their
    times as nanoseconds; the decisions' times likewise (a missing one as the smallest)."""

    events: Normalised
    event_ns: np.ndarray
    interviews: Normalised
    decision_ns: np.ndarray
    tz: str

    def known_at(self, moment: pd.Timestamp) -> tuple[Normalised, Normalised]:
        """The event log and the interview list as they stood at ``moment``."""
        return (events_known_at(self.events, self.event_ns, moment),
                interviews_known_at(self.interviews, self.decision_ns, moment))


def read_logs(events, interviews, tz: str = "UTC", strict: bool = False, sources=None, progress=None) -> ReadLogs:
    """Read and normalise ``events``/``interviews`` with the checks a full run makes (files
    that hold nothing or nothing usable, events of candidates not in the list)."""
    step = progress or (lambda stage: None)
    tz = check_timezone(tz)
    step("reading interviews")
    loaded_interviews = read_interviews(interviews, tz=tz, strict=strict, sources=sources)
    refuse_empty_input(interviews, loaded_interviews, "interviews", sources)
    refuse_unusable_files(loaded_interviews.frame, loaded_interviews.rejects)
    step("reading events")
    events_read = read_events(events, tz=tz, strict=strict, sources=sources)
    refuse_empty_input(events, events_read, "events", sources)
    loaded_events = reject_unknown_candidates(events_read, loaded_interviews, strict)
    refuse_unusable_files(loaded_events.frame, loaded_events.rejects)
    event_ns = _ns(loaded_events.frame["timestamp"])
    order = np.argsort(event_ns, kind="stable")
    if (order != np.arange(len(order))).any():  # exports are usually in time order already
        loaded_events = Normalised(loaded_events.frame.iloc[order].reset_index(drop=True), loaded_events.rejects,
                                   loaded_events.rows_read)
        event_ns = event_ns[order]
    return ReadLogs(loaded_events, event_ns, loaded_interviews, _ns(loaded_interviews.frame["decision_at"]), tz)


def events_known_at(events: Normalised, event_ns: np.ndarray, moment: pd.Timestamp) -> Normalised:
    """The event log as it stood at ``moment``: the events up to it, counted as the rows read.
    ``events`` are sorted by time (``event_ns``), so that is the slice before the first later one."""
    visible = int(np.searchsorted(event_ns, moment.value, side="right"))
    hidden = len(event_ns) - visible
    return Normalised(events.frame.iloc[:visible], events.rejects, events.rows_read - hidden)


def interviews_known_at(interviews: Normalised, decision_ns: np.ndarray, moment: pd.Timestamp) -> Normalised:
    """The interview list as it stood at ``moment``: decisions taken after it not yet written."""
    later = decision_ns > moment.value
    if not later.any():
        return interviews
    frame = interviews.frame.copy(deep=False)
    for column in ("decision", "decision_at"):
        frame[column] = frame[column].where(~later)
    return Normalised(frame, interviews.rejects, interviews.rows_read)


def score_known_at(logs: ReadLogs, moment: pd.Timestamp, rules: Policy, model=None) -> ScoreResult:
    """The run of :func:`followup.api.score` at ``moment`` on the logs as they stood then: the
    same engine steps (windows, features, scores, ranking, the model's columns), minus the
    reading and the checks :func:`read_logs` made once."""
    events, interviews = logs.known_at(moment)
    extras = output_extra_columns(interviews.frame)
    scored = _scored_rounds(events.frame, interviews.frame, extras, moment, rules, logs.tz)
    chosen = with_extra_columns(scored[scored["is_shortlist_round"]], interviews.frame, extras)
    candidates = rank(chosen, extra_columns=tuple(extras.values()))
    if model is not None:
        candidates = model.annotate(candidates, scored, events.frame, moment, logs.tz)
    return _result(candidates, scored, events, interviews, extras, moment, rules, logs.tz)


def _scored_rounds(events: pd.DataFrame, interviews: pd.DataFrame, extras: dict, moment: pd.Timestamp,
                   rules: Policy, tz: str) -> pd.DataFrame:
    """Every round of ``interviews`` scored on ``events`` as of ``moment``: windows, features,
    components, flags, reasons (the engine of a full run, before ranking)."""
    rounds = build_rounds(interviews.drop(columns=list(extras)), moment, tz)
    return score_rounds(rounds, round_features(events, rounds, rules, tz), rules, tz)


def _result(candidates, rounds, events: Normalised, interviews: Normalised, extras: dict, moment, rules, tz):
    counts = {key: events.counts[key] + interviews.counts[key] for key in COUNT_KEYS}
    rejects = pd.concat([events.rejects, interviews.rejects], ignore_index=True)
    return ScoreResult(candidates=candidates, rounds=rounds, events=events.frame, interviews=interviews.frame,
                       rejects=rejects, counts=counts, as_of=moment, tz=tz, policy=rules,
                       extra_columns=tuple(extras.values()))


class SettledNights:
    """The nights of a replay scored in as-of order, each re-scoring only the candidates whose
    row can have changed since the night before, and carrying the others' rows.

    A candidate is re-scored when something new is known about it — an event logged between the
    two as-ofs (whatever its kind), a decision taken between them, an interview held between
    them — or when any of its rounds had not settled by the night before
    (:func:`followup.settling.settled_from`: an open window moves with the clock). The rest keep
    the night before's shortlist row, which is the row a full run gives them (docs/nightly.md#replay);
    the ranking is made again over everybody, as ranks depend on everyone.

    Only for logs whose rows are per candidate (:func:`~followup.settling.rows_are_per_candidate`)
    and without a model (its features are its own, some of them moving with the as-of); the
    caller checks :meth:`applies`.
    """

    def __init__(self, logs: ReadLogs, rules: Policy):
        self.logs, self.rules = logs, rules
        interviews = logs.interviews.frame
        self.interview_code = sorted_codes(text_array(interviews["candidate_id"]))
        self.candidates = int(self.interview_code.max(initial=-1)) + 1
        ids = np.empty(self.candidates, dtype=object)
        ids[self.interview_code] = interviews["candidate_id"].to_numpy(dtype=object)
        self.event_code = positions_in(pd.Index(ids), logs.events.frame["candidate_id"])
        self.interview_ns = _ns(interviews["interview_at"])
        self.extras = output_extra_columns(interviews)
        # The flags' reasons too: the history keeps them (history.run_table).
        self.columns = [*CANDIDATE_COLUMNS, *self.extras.values(), *FLAG_REASON_COLUMNS.values(), CANDIDATE_CODE]
        self.as_of = None  # the night before: its as-of, every candidate's shortlist row, when each settled
        self.chosen = None
        self.settled = np.full(self.candidates, np.iinfo(np.int64).max)

    @staticmethod
    def applies(logs: ReadLogs, model) -> bool:
        return model is None and rows_are_per_candidate(logs.events.frame)

    def changed_since(self, before: pd.Timestamp, moment: pd.Timestamp) -> np.ndarray:
        """Per candidate code: whether its row may differ at ``moment`` from ``before``'s."""
        logs, after, until = self.logs, before.value, moment.value
        changed = ~(self.settled <= after)
        if (self.event_code < 0).any():  # an event of nobody in the list (never, once read_logs checked)
            changed[:] = True
        logged = slice(*np.searchsorted(logs.event_ns, [after, until], side="right"))
        changed[self.event_code[logged]] = True
        for times in (self.interview_ns, logs.decision_ns):  # interviews held, decisions taken
            changed[self.interview_code[(times > after) & (times <= until)]] = True
        return changed

    def night(self, moment: pd.Timestamp) -> ScoreResult:
        """The run as of ``moment`` (after the night before's, if any): its ranked candidates as
        a full run ranks them; ``rounds`` holds the shortlist rounds (what the history quotes)."""
        events, interviews = self.logs.known_at(moment)
        first = self.as_of is None or moment < self.as_of
        rescore = np.ones(self.candidates, bool) if first else self.changed_since(self.as_of, moment)
        fresh = None
        if rescore.any():
            event_rows = np.flatnonzero(rescore[self.event_code[:len(events.frame)]])
            own = interviews.frame[rescore[self.interview_code]]
            scored = _scored_rounds(events.frame.iloc[event_rows], own, self.extras, moment, self.rules, self.logs.tz)
            # The subset numbered its own candidates 0, 1, … in id order: the same order as the
            # whole list's codes, so the k-th of the subset is the k-th re-scored candidate.
            codes = np.flatnonzero(rescore)[scored[CANDIDATE_CODE].to_numpy()]
            latest = np.full(self.candidates, np.iinfo(np.int64).min)
            np.maximum.at(latest, codes, settled_ns(settled_from(scored, self.rules)))
            self.settled[rescore] = latest[rescore]
            fresh = with_extra_columns(scored[scored["is_shortlist_round"]], own, self.extras)
            fresh = fresh.assign(**{CANDIDATE_CODE: codes[scored["is_shortlist_round"].to_numpy(bool)]})
            fresh = fresh.reindex(columns=self.columns)
        if first:
            chosen = fresh
        elif fresh is None:
            chosen = self.chosen
        else:
            kept = self.chosen[~rescore[self.chosen[CANDIDATE_CODE].to_numpy()]]
            chosen = pd.concat([kept, fresh], ignore_index=True)
        self.as_of, self.chosen = moment, chosen
        candidates = rank(chosen, extra_columns=tuple(self.extras.values()))
        return _result(candidates, chosen, events, interviews, self.extras, moment, self.rules, self.logs.tz)


@dataclass
class Night:
    """One replayed as-of, ready for the history: its rows (as written), the file's metadata
    and its counts by status."""

    as_of: pd.Timestamp
    table: pa.Table
    meta: dict
    summary: dict


def score_night(logs: ReadLogs, moment: pd.Timestamp, rules: Policy, model=None, redactor=None) -> Night:
    """Score ``logs`` as of ``moment`` for the history (in this process, or as a Dask task)."""
    return night_of(score_known_at(logs, pd.Timestamp(moment), rules, model), redactor)


def night_of(result: ScoreResult, redactor=None) -> Night:
    """A run's result as the history takes it."""
    if redactor is not None:  # only the shortlist and the rounds it quotes reach the history
        result = redactor.result(dataclasses.replace(result, events=result.events.iloc[:0],
                                                     interviews=result.interviews.iloc[:0],
                                                     rejects=result.rejects.iloc[:0]))
    return Night(result.as_of, runs_history.run_table(result), runs_history.run_meta(result),
                 {k: v for k, v in result.summary().items() if k != "rounds"})


def replay(events, interviews, place, start, end, every: str = "1d", policy=None, tz: str = "UTC",
           strict: bool = False, sources=None, progress=None, model=None, redactor=None,
           workers: "int | str" = 1, scheduler: str | None = None, client=None,
           reuse_settled: bool = True) -> pd.DataFrame:
    """Score ``events``/``interviews`` as of each time from ``start`` to ``end`` every
    ``every`` into the history at ``place``. Returns one summary row per as-of
    (:data:`SUMMARY_COLUMNS`): its counts by status and how many flags were newly raised and
    cleared since the as-of before it.

    ``model`` (a loaded :class:`~followup.learning.LearnedModel`, ``followup.load_model(path)``) adds
    ``p_advance`` and ``top_factors`` to every run's rows, as ``score --model`` does; ``redactor``
    (a :class:`~followup.redact.Redactor`) pseudonymises them, as ``score --redact``.
    ``workers`` (a number or ``"auto"``), ``scheduler`` (a Dask scheduler address) or ``client``
    (a ``distributed.Client``) score the as-ofs as parallel Dask tasks, with the same history.

    In one process each night re-scores only the candidates whose row can have changed
    (:class:`SettledNights`); ``reuse_settled=False`` re-scores every candidate every night
    instead — the same history, at the cost of full nights (what the tests compare against).
    """
    step = progress or (lambda stage: None)
    tz = check_timezone(tz)
    rules = load_policy(policy)
    moments = as_of_times(start, end, every, tz)
    inputs = [*_paths(events), *_paths(interviews)]
    runs_history.check_place(place, inputs)
    if model is not None:
        loaded_model(model)
    parallel = workers not in (1, "1") or scheduler is not None or client is not None
    if hasattr(step, "resize"):  # the reading, the cluster's start, then one stage per as-of
        step.resize(2 + int(parallel) + len(moments))
    logs = read_logs(events, interviews, tz, strict, sources, step)
    nights = (_scored_on_dask(logs, moments, rules, model, redactor, workers, scheduler, client, step) if parallel
              else _scored_here(logs, moments, rules, model, redactor, step, reuse_settled))
    try:
        return _write(place, nights, inputs, tz)
    finally:
        nights.close()  # a failed write stops the scoring (and closes a cluster started for it)


def _scored_here(logs, moments, rules, model, redactor, step, reuse_settled=True):
    """The nights scored in this process, one after the other: each on what changed since the
    night before (:class:`SettledNights`) where that applies, else in full."""
    nights = SettledNights(logs, rules) if reuse_settled and SettledNights.applies(logs, model) else None
    for moment in moments:  # one run per as-of: the loop is over dates, each run vectorised
        step(f"scoring as of {moment.tz_convert(logs.tz).isoformat()}")
        if nights is None:
            yield score_night(logs, moment, rules, model, redactor)
        else:
            yield night_of(nights.night(moment), redactor)


def _write(place, nights, inputs, tz) -> pd.DataFrame:
    """Write each night to the history as it comes, in as-of order; the summary of them all.
    A night's file is written (Arrow releases the GIL) while the next night is scored."""
    summaries, previous = [], None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-writer") as writer:
        written = []
        for night in nights:
            written.append(writer.submit(runs_history.write_run, place, night.table, night.as_of, night.meta, inputs))
            flags = night.table.select(["candidate_id", "flags"]).to_pandas()
            found = flag_counts(previous, flags) if previous is not None else {}
            summaries.append({"as_of": night.as_of.tz_convert(tz).isoformat(), **night.summary,
                              "newly_flagged": found.get("newly_flagged", 0),
                              "flags_cleared": found.get("flag_cleared", 0)})
            previous = flags
            if len(written) > 1:
                written[-2].result()  # a failed write stops the replay at the next night
        paths = [str(future.result()) for future in written]
    return pd.DataFrame([{**summary, "run_file": path} for summary, path in zip(summaries, paths)],
                        columns=SUMMARY_COLUMNS)


# Tasks are retried this often when their worker dies.
RETRIES = 2


def _scored_on_dask(logs, moments, rules, model, redactor, workers, scheduler, client, step):
    """The nights scored as Dask tasks, one as-of each, yielded in as-of order as they finish.
    The logs go to the workers once (scattered to every worker), not with each task."""
    try:
        with cluster_client(workers, scheduler, client) as dask_client:
            step(f"sending the logs to {len(dask_client.scheduler_info()['workers'])} Dask worker(s)")
            shared = dask_client.scatter(logs, broadcast=True, hash=False)
            replay_id = uuid.uuid4().hex[:12]  # two replays on one cluster never share a task
            futures = [dask_client.submit(score_night, shared, moment, rules, model, redactor,
                                          key=f"replay-{replay_id}-{moment.value}", retries=RETRIES, pure=False)
                       for moment in moments]
            for moment, future in zip(moments, futures):
                step(f"scoring as of {moment.tz_convert(logs.tz).isoformat()}")
                yield future.result()
    except (OSError, TimeoutError) as exc:  # the cluster itself: a lost connection, a timed-out call
        raise FollowupError(f"the Dask cluster failed while replaying ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}); the runs "
                            "written so far are complete, re-run the rest") from None


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
