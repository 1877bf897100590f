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
from .schema import ALL_ROWS, ROW_SELECTIONS
from .shortlist import ShortlistSummary, selected_rows
from .timeparse import time_formats, using_time_formats


def score_to_file(events, interviews, output, *, format: str | None = None, policy=None, as_of=None,
                  tz: str = "UTC", strict: bool = False, all_rounds: bool = False, sources=None, progress=None,
                  group_by: str | None = None, time_format=None, workers: "int | str" = 1,
                  scheduler: str | None = None, client=None, inputs=(), rows: str = ALL_ROWS) -> ShortlistSummary:
    """Score as :func:`followup.score` does and write the ranked shortlist to ``output``:
    a path (CSV, JSON, JSON Lines or Parquet, from ``format`` or the file's extension),
    written atomically and never over one of ``inputs`` or the event and interview paths; or
    an open text file such as ``sys.stdout`` (CSV, JSON or JSON Lines, given as ``format``).
    ``rows="with_flags"`` writes only the rows carrying a flag, as ``followup flags`` does (the
    ranks and the summary stay the whole shortlist's). Returns the run's
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
    if rows not in ROW_SELECTIONS:
        raise FollowupError(f"rows={rows!r}: choose one of {', '.join(ROW_SELECTIONS)}")
    handle = output if hasattr(output, "write") else None
    fmt = format if handle is not None else present.format_for(output, format, is_terminal=False)
    allowed = present.TEXT_PIECEWISE_FORMATS if handle is not None else present.PIECEWISE_FORMATS
    if fmt not in allowed:
        raise FollowupError(f"score_to_file writes {', '.join(allowed)}{' to an open file' if handle else ''}, "
                            f"not {fmt}; use followup.score(...) and its result for the others")
    if time_format is not None:
        with using_time_formats(time_formats(time_format)):
            return score_to_file(events, interviews, output, format=fmt, policy=policy, as_of=as_of, tz=tz,
                                 strict=strict, all_rounds=all_rounds, sources=sources, progress=progress,
                                 group_by=group_by, workers=workers, scheduler=scheduler, client=client,
                                 inputs=inputs, rows=rows)
    read = [*_named(events), *_named(interviews), *inputs]
    if handle is None:
        present.refuse_overwriting_inputs([output], read)
    options = dict(policy=policy, as_of=as_of, tz=tz, strict=strict, all_rounds=all_rounds, sources=sources,
                   progress=progress, group_by=group_by, workers=workers, scheduler=scheduler, client=client)

    def write(run, pieces):
        if handle is not None:
            present.write_pieces(run, pieces, handle, fmt, rows)
        else:
            present.atomic_write(output, lambda path: present.write_pieces(run, pieces, path, fmt, rows), read)
        return run

    if workers in (1, "1") and scheduler is None and client is None:
        result = score(events, interviews, keep_events=False, **options)
        summary = ShortlistSummary.of(result)
        if handle is not None:  # the whole shortlist as one piece
            return write(summary, [present.piece_format(summary, fmt, rows)(result.candidates)])
        chosen = selected_rows(result.candidates, rows)
        present.atomic_write(output, lambda path: present.write_result(result, fmt, path, chosen), read)
        return summary
    from .partitioned import rank_partitioned

    return rank_partitioned(events, interviews, write, lambda run: present.piece_format(run, fmt, rows), **options)


def _named(source) -> list:
    """The paths among ``source`` (a path, a list of them, or frames)."""
    items = source if isinstance(source, (list, tuple)) else [source]
    return [item for item in items if isinstance(item, (str, Path))]
