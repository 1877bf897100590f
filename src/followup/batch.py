"""Scoring straight to a file: the ranked shortlist written piece by piece, never held whole.

A batch job that only wants the ranked file need not hold a :class:`~followup.ScoreResult`
of millions of candidates. With ``workers``/``scheduler``/``client`` the partitions keep their
scored rows; the calling process ranks them from their keys and writes the pieces the workers
format, one at a time (:func:`followup.partitioned.rank_partitioned`), so every process's
memory follows the partition size, not the log. The file is the one
:meth:`ScoreResult.write`/``followup score -o`` writes, row for row.
"""

from __future__ import annotations

from pathlib import Path

from . import present
from .api import score
from .errors import FollowupError
from .shortlist import ShortlistSummary
from .timeparse import time_formats, using_time_formats


def score_to_file(events, interviews, output, *, format: str | None = None, policy=None, as_of=None,
                  tz: str = "UTC", strict: bool = False, all_rounds: bool = False, sources=None, progress=None,
                  group_by: str | None = None, time_format=None, workers: "int | str" = 1,
                  scheduler: str | None = None, client=None, inputs=()) -> ShortlistSummary:
    """Score as :func:`followup.score` does and write the ranked shortlist to ``output`` (CSV,
    JSON Lines or Parquet, from ``format`` or the file's extension), atomically and never over
    one of ``inputs`` (or the event and interview paths). Returns the run's
    :class:`~followup.shortlist.ShortlistSummary`: counts, rejects, the status summary.

    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> done = score_to_file("sample_data/events.csv", "sample_data/interviews.csv", f"{folder}/ranked.csv",
    ...                      as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
    >>> done.rows, done.summary()["ok"]
    (32, 19)
    >>> pd.read_csv(f"{folder}/ranked.csv")["candidate_id"].iloc[0]
    'C001'
    """
    fmt = present.format_for(output, format, is_terminal=False)
    if fmt not in present.PIECEWISE_FORMATS:
        raise FollowupError(f"score_to_file writes {', '.join(present.PIECEWISE_FORMATS)}, not {fmt}; "
                            "use followup.score(...).write(path) for the others")
    if time_format is not None:
        with using_time_formats(time_formats(time_format)):
            return score_to_file(events, interviews, output, format=fmt, policy=policy, as_of=as_of, tz=tz,
                                 strict=strict, all_rounds=all_rounds, sources=sources, progress=progress,
                                 group_by=group_by, workers=workers, scheduler=scheduler, client=client,
                                 inputs=inputs)
    read = [*_named(events), *_named(interviews), *inputs]
    present.refuse_overwriting_inputs([output], read)
    options = dict(policy=policy, as_of=as_of, tz=tz, strict=strict, all_rounds=all_rounds, sources=sources,
                   progress=progress, group_by=group_by, workers=workers, scheduler=scheduler, client=client)
    if workers in (1, "1") and scheduler is None and client is None:
        result = score(events, interviews, keep_events=False, **options)
        present.atomic_write(output, lambda path: present.write_result(result, fmt, path), read)
        return ShortlistSummary.of(result)
    from .partitioned import rank_partitioned

    def write(run, pieces):
        present.atomic_write(output, lambda path: present.write_pieces(run, pieces, path, fmt), read)
        return run

    return rank_partitioned(events, interviews, write, lambda run: present.piece_format(run, fmt), **options)


def _named(source) -> list:
    """The paths among ``source`` (a path, a list of them, or frames)."""
    items = source if isinstance(source, (list, tuple)) else [source]
    return [item for item in items if isinstance(item, (str, Path))]
