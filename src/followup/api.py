"""The Python API that the CLI and notebooks call: load, validate, score.

>>> import followup
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> result.counts
{'rows_read': 337, 'rows_used': 330, 'duplicates': 2, 'rejected': 5}
>>> result.candidates.set_index("candidate_id").loc["C004", ["status", "grade", "flags"]].tolist()
['flagged', 'D', 'NO_CONTACT']
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pandas as pd

from .features import round_features
from .loading import (IN_MEMORY, Source, check_timezone, load_events, load_interviews, parse_as_of, read_events,
                      read_interviews, refuse_empty_input, refuse_unusable_files, reject_unknown_candidates)
from .normalise import COUNT_KEYS
from .policy import Policy, load_policy
from .rounds import build_rounds
from .scoring import score_rounds
from .shortlist import (CANDIDATE_COLUMNS, loaded_model, ScoreResult, competition_ranks, counts_by_file, grouping_column,
                        output_extra_columns, rank, with_extra_columns)
from .timeparse import time_formats, using_time_formats

if TYPE_CHECKING:
    from .sources import SourceOptions

# The names scripts and the CLI reach through ``followup.api``; each lives in its own module.
__all__ = [
    "CANDIDATE_COLUMNS", "IN_MEMORY", "ScoreResult", "Source", "check_timezone", "competition_ranks",
    "counts_by_file", "grouping_column", "load_events", "load_interviews", "output_extra_columns",
    "parse_as_of", "rank", "read_events", "read_interviews", "refuse_empty_input", "refuse_unusable_files",
    "reject_unknown_candidates", "score", "with_extra_columns",
]

def score(
    events: Source,
    interviews: Source,
    *,
    policy: "str | Path | Policy | None" = None,
    as_of=None,
    tz: str = "UTC",
    strict: bool = False,
    all_rounds: bool = False,
    model=None,
    sources: "SourceOptions | None" = None,
    progress: "Callable[[str], None] | None" = None,
    group_by: str | None = None,
    time_format=None,
    workers: "int | str" = 1,
    scheduler: "str | None" = None,
    client=None,
    keep_events: bool = True,
) -> ScoreResult:
    """Score every candidate in ``interviews`` on the follow-up found in ``events``.

    ``events``/``interviews`` may be paths, lists of paths or DataFrames — raw, or as
    :func:`load_events`/:func:`load_interviews` return them (``counts`` and ``rejects`` then
    account for the rows handed over; those set aside while loading came with
    ``with_rejects=True``). ``as_of`` defaults to now (pass it explicitly in batch jobs and tests); naive
    times are read in ``tz``, which also decides what "the same day" means. Returns a
    :class:`ScoreResult` whose ``candidates`` frame has one ranked row per candidate (with
    ``all_rounds=True``, one row per interview round). ``model`` (a loaded
    :class:`~followup.learning.LearnedModel`: ``followup.load_model("model.skops")``) adds
    ``p_advance`` and ``top_factors``.
    ``sources`` (a :class:`followup.sources.SourceOptions`: roster, employer domains, …) is
    what vendor exports need to be tied to candidates (docs/sources.md). ``progress`` is
    called with the name of each stage as it starts (see :mod:`followup.progress`).
    ``time_format`` (a strptime format, or ``COLUMN=FORMAT`` items, as ``--time-format``) reads
    times no shape can be guessed from, such as ``%m/%d/%Y %H:%M``.
    ``workers`` (a number or ``"auto"``), ``scheduler`` (a Dask scheduler address) or ``client``
    (a ``distributed.Client``) score partitions of candidates in parallel, with the same result
    (see :mod:`followup.partitioned`; inputs must then be paths the workers can read);
    ``keep_events=False`` then leaves ``result.events`` empty, so that the events never travel
    back to this process (the CLI's ``score`` and ``flags`` do not need them).
    The interview list's own columns (job, requisition, recruiter, …) are carried onto every
    row; ``group_by`` names one of them (or ``decision``) to rank within each of its values,
    with a ``group`` column (see :func:`rank`).
    """
    if model is not None:  # before any work
        loaded_model(model)
    if time_format is not None:
        with using_time_formats(time_formats(time_format)):
            return score(events, interviews, policy=policy, as_of=as_of, tz=tz, strict=strict,
                         all_rounds=all_rounds, model=model, sources=sources, progress=progress,
                         group_by=group_by, workers=workers, scheduler=scheduler, client=client,
                         keep_events=keep_events)
    if workers not in (1, "1") or scheduler is not None or client is not None:
        from .partitioned import score_partitioned

        return score_partitioned(events, interviews, policy=policy, as_of=as_of, tz=tz, strict=strict,
                                 all_rounds=all_rounds, model=model, sources=sources, progress=progress,
                                 group_by=group_by, workers=workers, scheduler=scheduler, client=client,
                                 keep_events=keep_events)
    step = progress or (lambda stage: None)
    tz = check_timezone(tz)
    rules = load_policy(policy)
    moment = parse_as_of(as_of, tz)
    step("reading interviews")
    loaded_interviews = read_interviews(interviews, tz=tz, strict=strict, sources=sources)
    refuse_empty_input(interviews, loaded_interviews, "interviews", sources)
    refuse_unusable_files(loaded_interviews.frame, loaded_interviews.rejects)
    step("reading events")
    events_read = read_events(events, tz=tz, strict=strict, sources=sources)
    refuse_empty_input(events, events_read, "events", sources)
    loaded_events = reject_unknown_candidates(events_read, loaded_interviews, strict)
    refuse_unusable_files(loaded_events.frame, loaded_events.rejects)

    step("follow-up windows")
    extras = output_extra_columns(loaded_interviews.frame)
    # The list's own columns join the shortlist at the end, under their output names, so none
    # can stand in for a column the scorer makes on the way (an interview list's "held").
    rounds = build_rounds(loaded_interviews.frame.drop(columns=list(extras)), moment, tz)
    features = round_features(loaded_events.frame, rounds, rules, tz)
    step("scoring")
    scored = score_rounds(rounds, features, rules, tz)
    step("ranking")
    chosen = scored if all_rounds else scored[scored["is_shortlist_round"]]
    chosen = with_extra_columns(chosen, loaded_interviews.frame, extras)
    carried = tuple(extras.values())
    group_column = grouping_column(group_by, carried) if group_by else None
    candidates = rank(chosen, group_by=group_column, extra_columns=carried)
    if model is not None:
        candidates = model.annotate(candidates, scored, loaded_events.frame, moment, tz)

    rejects = pd.concat([loaded_events.rejects, loaded_interviews.rejects], ignore_index=True).sort_values(
        ["source_file", "source_row"], kind="stable", ignore_index=True)
    counts = {key: loaded_events.counts[key] + loaded_interviews.counts[key] for key in COUNT_KEYS}
    return ScoreResult(
        candidates=candidates, rounds=scored, events=loaded_events.frame,
        interviews=loaded_interviews.frame, rejects=rejects, counts=counts, as_of=moment, tz=tz,
        policy=rules, counts_by_file=counts_by_file(loaded_events, loaded_interviews),
        all_rounds=all_rounds, group_by=group_column, extra_columns=carried,
    )
