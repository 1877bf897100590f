"""Partitioned scoring on Dask: the same result as one process, from several cores or machines.

Candidates are independent, so the events and interviews are split by a hash of the candidate
id into partitions and each partition is read, normalised and scored by the same pandas core
(:func:`followup.api.score`'s steps). Three things are not local to a candidate, and are done
across partitions so that the result is exactly a single run's:

* **an event id seen under two candidates** is a duplicate of its first occurrence: after
  normalising, each partition sends its (event id, file, row) to the partition that owns that
  id's hash — a second shuffle, on the event id — which finds the repeats and sends them back;
* **the ranking** and its id tie-break run over all partitions' rounds at the end;
* **row accounting, rejects and strict mode's first bad row** are combined in input order.

The work is a graph of Dask tasks: one split task per input file (reads it with the project's
reader and hands one piece to each partition), then per partition a normalising task, per
event-id bucket a repeat-finding task, and per partition a scoring task. Dask moves the pieces
between processes, spills them to disk when a worker's memory fills, and retries a task whose
worker died; a partition that keeps failing stops the run with an error naming it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import FollowupError, InputWarning
from .ids import category_id_text, id_text, loose_key, near_spellings_message
from .normalise import (
    COUNT_KEYS,
    Normalised,
    check_columns,
    duplicates_report,
    repeated_rows,
    rows_per_file,
    string_hashes,
    normalise_events,
    normalise_interviews,
    raise_first_rejected,
)
from .schema import (
    ROW_SELECTIONS,
    RejectCode,
    EVENT_COLUMN_ALIASES,
    INTERVIEW_COLUMN_ALIASES,
    REQUIRED_EVENT_COLUMNS,
    REQUIRED_INTERVIEW_COLUMNS,
)
from .textcolumns import stack_frames, text_chunks
from .timeparse import TIME_FORMATS_IN_USE, using_time_formats

# Tasks are retried this often when their worker dies before a partition is declared failed.
RETRIES = 2
# A partition costs a fixed amount on top of its events (the reasons are worded once per
# distinct combination of values, in every partition), so there are as few as memory allows:
# one per worker, or more when the log is large.
PARTITIONS_PER_WORKER = 1
# Events per partition aimed at, so that a partition's peak memory stays near 1 GB
# (about 310 bytes per event while it is scored).
EVENTS_PER_PARTITION = 3_000_000
# A local worker's memory limit, and the share of it at which Dask starts moving stored
# pieces to disk (the rest is for the task running: about 1.5 GB for a partition).
WORKER_MEMORY = 6 << 30
SPILL_AT = 0.35
COMM_TIMEOUTS = {"distributed.comm.timeouts.connect": "300s", "distributed.comm.timeouts.tcp": "600s"}
# A plain CSV larger than this is read in blocks of about this size, one task each (~2M
# events): each block pays once for its own dictionary of the ids in it, so not smaller.
BLOCK_BYTES = 128 << 20


def score_partitioned(events, interviews, policy=None, as_of=None, tz="UTC", strict=False,
                      all_rounds=False, model=None, sources=None, progress=None, workers=1,
                      scheduler=None, client=None, partitions=None, keep_events=True, group_by=None):
    """:func:`followup.api.score` on partitions of candidates (see the module docs).

    ``events``/``interviews`` are paths (or fsspec URLs) the workers can read. ``workers`` is
    a count or ``"auto"`` (one per core) for a local cluster; ``scheduler`` an address of a
    running one; ``client`` a ``distributed.Client``. ``keep_events=False`` leaves
    ``result.events`` empty, so the events never travel back to this process.

    The whole result comes back to this process (about 2 KB per candidate); to write a ranked
    file without holding it, see :func:`rank_partitioned`.
    """
    from .shortlist import loaded_model

    if model is not None:  # before any work
        loaded_model(model)
    setting = _Setting.of(events, interviews, policy, as_of, tz, sources, progress)
    with _on_cluster(workers, scheduler, client) as dask_client:
        parts, warned = _run(dask_client, setting, partitions, keep_events or model is not None)
        parts = _gathered(parts, setting.step)
    _warn(parts, warned, strict)
    setting.step("ranking")
    return _combine(parts, setting, strict, all_rounds, model, group_by)


# Ranked rows per piece handed to the consumer: the calling process holds one piece at a time.
ROWS_PER_PIECE = 200_000


def rank_partitioned(events, interviews, consume, piece_format, policy=None, as_of=None, tz="UTC",
                     strict=False, all_rounds=False, sources=None, progress=None, workers=1, scheduler=None,
                     client=None, partitions=None, group_by=None, rows_per_piece=None):
    """Score on partitions and hand the ranked shortlist to ``consume`` piece by piece, so that
    no process ever holds all of it: the memory of a 50M-event run is the partitions'.

    Each partition keeps its scored rows; this process gathers only what ranking reads (id,
    score, grade, status, round — :func:`followup.shortlist.rank_order`), ranks them, and sends
    each partition its rows' places. The workers then cut their rows into pieces of
    ``rows_per_piece`` (:data:`ROWS_PER_PIECE`) consecutive places, stack each piece in rank
    order and format it with ``piece_format(run)`` (a picklable function of the piece's frame:
    the shortlist's columns as :attr:`ScoreResult.candidates` has them). ``consume(run,
    pieces)`` gets the :class:`~followup.shortlist.ShortlistSummary` and an iterator over the
    formatted pieces, best first, and its value is returned. Rows, ranks, rejects and counts
    are exactly a single run's.
    """
    setting = _Setting.of(events, interviews, policy, as_of, tz, sources, progress)
    with _on_cluster(workers, scheduler, client) as dask_client:
        scored, warned = _run(dask_client, setting, partitions, False)
        rows = [dask_client.submit(_guarded(_ranking_rows), part, all_rounds, group_by, pure=False)
                for part in scored]
        del scored
        facts = _gathered([dask_client.submit(_ranking_facts, r, pure=False) for r in rows], setting.step)
        _warn(facts, warned, strict)
        setting.step("ranking")
        run, places = _ranked(facts, setting, strict, all_rounds)
        rows_per_piece = rows_per_piece or ROWS_PER_PIECE
        pieces = max(1, -(-run.rows // rows_per_piece))
        if hasattr(setting.step, "resize"):  # the bar counts the pieces written too
            setting.step.resize(len(facts) + 3 + pieces)
        cuts = [dask_client.submit(_guarded(_cut_ranked), r, *place, pieces, rows_per_piece,
                                   run.group_by, run.extra_columns, pure=False) for r, place in zip(rows, places)]
        del rows, places
        return consume(run, _formatted_pieces(dask_client, cuts, pieces, piece_format(run), setting.step))


@dataclass(frozen=True)
class _Setting:
    """A run's checked inputs and options, as both entry points take them."""

    event_paths: list
    interview_paths: list
    tz: str
    moment: pd.Timestamp
    rules: object
    formats: object
    step: object

    @classmethod
    def of(cls, events, interviews, policy, as_of, tz, sources, progress):
        from . import loading
        from .policy import load_policy

        tz = loading.check_timezone(tz)
        rules = load_policy(policy)
        moment = loading.parse_as_of(as_of, tz)
        setting = cls(_paths(events, "events"), _paths(interviews, "interviews"), tz, moment, rules,
                      TIME_FORMATS_IN_USE.get(), progress or (lambda stage: None))
        _check_sources(sources)
        return setting


class _on_cluster:
    """The Dask client for a run, with the cluster's own failures as one line (a lost
    connection, a timed-out call): nothing has been written when one stops the run."""

    def __init__(self, workers, scheduler, client):
        import dask
        import distributed  # noqa: F401  (its settings must be loaded before they are set)

        # A loaded machine answers slowly: Dask's 30 s timeouts stopped a 50M-event run there.
        self.settings = dask.config.set(COMM_TIMEOUTS)
        self.cluster = cluster_client(workers, scheduler, client)

    def __enter__(self):
        self.settings.__enter__()
        try:
            return self.cluster.__enter__()
        except BaseException:
            self.settings.__exit__(None, None, None)
            raise

    def __exit__(self, kind, exc, trace):
        try:
            self.cluster.__exit__(kind, exc, trace)
        finally:
            self.settings.__exit__(None, None, None)
        if isinstance(exc, (OSError, TimeoutError)):
            from distributed.comm import CommClosedError

            what = "the connection to a Dask worker closed" if isinstance(exc, CommClosedError) else \
                "the Dask cluster did not answer in time" if isinstance(exc, TimeoutError) else "the Dask cluster failed"
            raise FollowupError(f"{what} ({type(exc).__name__}{': ' + str(exc).splitlines()[0] if str(exc) else ''}); "
                                "nothing was written") from None
        return False


def _warn(parts, warned, strict) -> None:
    """The reading's warnings, once for all partitions, as a single run gives them."""
    from . import loading

    pairs = [pair for part in parts for pair in part["near_spellings"]]
    if pairs:
        warned.append((near_spellings_message(pairs), tuple(spelling for pair in pairs for spelling in pair)))
    with loading.warnings_as_errors(strict):  # as a single run warns, or stops under --strict
        for message, quoted in warned:
            warnings.warn(InputWarning(message, quoted=quoted), stacklevel=3)


def _paths(source, role) -> list[str]:
    if isinstance(source, (str, Path)):
        source = [source]
    elif isinstance(source, (pd.DataFrame, Normalised)):
        raise FollowupError(f"partitioned scoring (--workers, --scheduler) reads {role} from files the "
                            "workers can read; pass paths, or score a DataFrame in one process (workers=1)")
    paths = [str(p) for p in source]
    from .sources import SourceOptions

    for path in paths:  # refused here, before a cluster starts; a URL's kind is checked on a worker
        if "://" in path or not os.path.exists(path):
            continue
        name = "folder" if os.path.isdir(path) else SourceOptions().source_for(Path(path), role)
        if name not in ("events", "interviews"):
            raise FollowupError(f"{path}: a {name}{' (mail, vendor exports)' if name == 'folder' else ' export'}; "
                                "--workers and --scheduler read the project's own event and interview tables: "
                                "score it in one process")
    return paths


def _check_sources(sources) -> None:
    """Vendor exports need the whole log at once (roster matching, cross-source duplicates)."""
    if sources is None:
        return
    if sources.roster is not None or sources.mapping is not None or sources.forced or sources.forced_all:
        raise FollowupError("--workers and --scheduler read the project's own event and interview tables; "
                            "score vendor exports (--source, --map, --candidates) in one process")


class cluster_client:
    """The Dask client to run on: the one given, one connected to ``scheduler``, or a local
    cluster of ``workers`` processes of one thread each (closed again at the end). Shared by
    partitioned scoring and :mod:`followup.replay`."""

    def __init__(self, workers, scheduler, client):
        self.workers, self.scheduler, self.client = workers, scheduler, client
        self.owned = []

    def __enter__(self):
        from distributed import Client, LocalCluster

        if self.client is not None:
            return self.client
        if self.scheduler is not None:
            try:
                client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise FollowupError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
            self.owned.append(client)
            return client
        count = (os.cpu_count() or 1) if self.workers == "auto" else int(self.workers)
        # One thread per process: the pandas core holds the GIL for much of a partition. The
        # workers' own logs stay quiet: a failed task is reported once, as one line naming it.
        import dask
        import psutil

        # The pieces of a large log wait in the workers' memory between the two stages: spilled
        # to disk early, so that each process stays near WORKER_MEMORY, not the log's size.
        limit = min(psutil.virtual_memory().total // count, WORKER_MEMORY)
        with dask.config.set({"distributed.worker.memory.target": SPILL_AT,
                              "distributed.worker.memory.spill": SPILL_AT + 0.1}):
            cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=":0", worker_dashboard_address=None,
                                   memory_limit=limit, silence_logs=logging.CRITICAL)
        client = Client(cluster)
        self.owned += [client, cluster]
        return client

    def __exit__(self, *exc):
        for item in self.owned:
            item.close()


def _partition_count(client, event_paths) -> int:
    workers = max(1, len(client.scheduler_info().get("workers", {})) or 1)
    size = sum(_size(p) for p in event_paths)
    # About 62 bytes per event in the benchmark's CSV.
    by_size = -(-size // (62 * EVENTS_PER_PARTITION))
    wanted = max(workers * PARTITIONS_PER_WORKER, by_size)
    return int(-(-wanted // workers) * workers)  # a whole number of rounds of work per worker


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:  # a URL: the workers know its size, this process need not
        return 0


# ---------------------------------------------------------------- the tasks (run on workers)

@dataclass
class _Failed:
    """A :class:`FollowupError` raised in a task, carried back as a value: a bad file is not a
    reason to retry, and the error's own class need not survive pickling."""

    message: str


def _guarded(function):
    def run(*args):
        try:
            return function(*args)
        except FollowupError as exc:
            return _Failed(str(exc))
    run.__name__ = function.__name__
    return run


class _Split(list):
    """A split's pieces, one per partition, with what its reading warned of (message, quoted):
    the warnings are raised again in the calling process, where ``--strict`` sees them."""

    def __init__(self, pieces, warned):
        super().__init__(pieces)
        self.warned = warned


def _split_file(path: str, role: str, count: int, tz: str, formats, block=None) -> _Split | _Failed:
    """Read one input (or the ``block`` of its lines given by :func:`_blocks`) and cut it into
    ``count`` pieces by a hash of the candidate id."""
    pieces, warned = _read_and_cut(path, role, count, formats, block)
    return _Split(pieces, warned)


def _input_warnings(caught, local: str = "", path: str = "") -> list[tuple[str, tuple[str, ...]]]:
    """The :class:`InputWarning` among ``caught``, as (message, quoted), naming ``path`` for
    its ``local`` copy."""
    return [(str(w.message).replace(local, path) if local else str(w.message), getattr(w.message, "quoted", ()))
            for w in caught if issubclass(w.category, InputWarning)]


def _warned(split) -> list:
    return [] if isinstance(split, _Failed) else split.warned


def _read_and_cut(path: str, role: str, count: int, formats, block) -> tuple[list[pd.DataFrame], list]:
    from .readers import read_records
    from .sources import SourceOptions

    aliases = INTERVIEW_COLUMN_ALIASES if role == "interviews" else EVENT_COLUMN_ALIASES
    with _local_copy(path, block) as local:
        name = SourceOptions().source_for(Path(local), role)
        if name not in ("events", "interviews"):
            raise FollowupError(f"{path}: a {name} export; --workers and --scheduler read the project's "
                                "own tables: score vendor exports in one process")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", InputWarning)
                frame = read_records(local, aliases, keep_bad_rows=True)
        except FollowupError as exc:  # it names the block's copy: name the file
            raise FollowupError(str(exc).replace(local, path)) from None
        warned = _input_warnings(caught, local, path)
    if local != path:
        frame["source_file"] = pd.Categorical.from_codes(np.zeros(len(frame), np.int8), [path])
    check_columns([frame], REQUIRED_INTERVIEW_COLUMNS if role == "interviews" else REQUIRED_EVENT_COLUMNS,
                   role)
    owner = _partition_of(frame["candidate_id"], count) if "candidate_id" in frame else np.zeros(len(frame), int)
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(count + 1))
    # A piece of an event log carries only its own categories, not the whole file's dictionary.
    # An interview piece keeps the file's names and panels in the order they first appear, so
    # the result's categories come out in a single run's order (only the ids, which become
    # plain text, are pruned).
    pruned = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)
              and (role == "events" or c == "candidate_id") and c != "source_file"]
    # One gather of the whole frame, then contiguous pieces: a gather per piece from Arrow's
    # chunked text columns costs a pass over the whole column each time (8 x 10M rows).
    ordered = _contiguous(frame).take(order)
    pieces = []
    for part in range(count):
        piece = ordered.iloc[bounds[part]:bounds[part + 1]]
        pieces.append(piece.assign(**{c: _without_unused_categories(piece[c]) for c in pruned}))
    return pieces, warned


def _without_unused_categories(values: pd.Series) -> pd.Series:
    """``values.cat.remove_unused_categories()``, the categories kept in order, found with one
    count over the codes rather than pandas' sort of them."""
    codes = values.cat.codes.to_numpy()
    used = np.zeros(len(values.cat.categories) + 1, dtype=bool)
    used[codes + 1] = True  # slot 0: a missing value
    keep = used[1:]
    if keep.all():
        return values
    remap = np.append(np.where(keep, np.cumsum(keep) - 1, -1), -1).astype(codes.dtype)
    kept = pd.CategoricalDtype(values.cat.categories[keep], ordered=values.cat.ordered)
    return pd.Series(pd.Categorical.from_codes(remap[codes], dtype=kept, validate=False), index=values.index,
                     name=values.name)


def _contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """Arrow-backed columns as one chunk each, so that a gather from them is one pass."""
    combined = {}
    for column in frame.columns:
        values = frame[column].array
        if hasattr(values, "_pa_array") and values._pa_array.num_chunks > 1:
            combined[column] = pd.Series(type(values)(pa.chunked_array([values._pa_array.combine_chunks()])),
                                         index=frame.index, copy=False)
    return frame.assign(**combined) if combined else frame


class _local_copy:
    """A path to read: the path itself, for a URL (``s3://…``) a temporary copy via fsspec, and
    for a ``block`` (header end, start, stop) a temporary file of the header and those bytes."""

    def __init__(self, path: str, block=None):
        self.path, self.block, self.folder = path, block, None

    def __enter__(self) -> str:
        if "://" not in self.path and self.block is None:
            return self.path
        self.folder = tempfile.mkdtemp(prefix="followup-")
        local = os.path.join(self.folder, os.path.basename(self.path.rstrip("/")) or "input")
        if self.block is not None:
            header_end, start, stop = self.block
            with open(self.path, "rb") as source, open(local, "wb") as copy:
                copy.write(source.read(header_end))
                source.seek(start)
                copy.write(source.read(stop - start))
            return local
        import fsspec

        try:
            with fsspec.open(self.path, "rb") as remote, open(local, "wb") as copy:
                shutil.copyfileobj(remote, copy, 1 << 22)
        except (OSError, ValueError, ImportError) as exc:
            raise FollowupError(f"{self.path}: cannot be read: {exc}") from None
        return local

    def __exit__(self, *exc):
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _blocks(path: str) -> list:
    """Where to cut a large plain CSV (a local one, with no quote after its header, so that no
    value can hold a line break): (header end, start, stop) byte ranges of about BLOCK_BYTES,
    each ending at a line end. ``[None]`` (read whole) for anything else."""
    from .readers import TEXT_SUFFIXES, has_quoted_values

    if "://" in path or Path(path).suffix.lower() not in TEXT_SUFFIXES or _size(path) <= BLOCK_BYTES:
        return [None]
    try:
        if has_quoted_values(Path(path)):
            return [None]
        with open(path, "rb") as handle:
            header = handle.readline()
            if not header.endswith(b"\n"):
                return [None]
            size, blocks, start = _size(path), [], len(header)
            while start < size:
                handle.seek(min(start + BLOCK_BYTES, size))
                handle.readline()  # on to the next line end
                stop = min(handle.tell(), size)
                blocks.append((len(header), start, stop))
                start = stop
    except OSError:  # the reading task reports it, as for any file
        return [None]
    return blocks or [None]


def _failure(split) -> "_Failed | None":
    return split if isinstance(split, _Failed) else None


def _row_count(split) -> int:
    return 0 if isinstance(split, _Failed) else sum(len(piece) for piece in split)


def _numbered(piece: pd.DataFrame, offset: int) -> pd.DataFrame:
    """A block's piece with its rows numbered as in the whole file (``offset``: the rows of
    the blocks before it). Done by the task that uses the piece: a renumbered copy stored
    beside the split would be spilled and sent a second time."""
    return piece.assign(source_row=piece["source_row"] + offset) if offset else piece


def _partition_of(ids: pd.Series, count: int) -> np.ndarray:
    """Partition of each row: a hash of the id as the normaliser will write it (trimmed, NFC, a
    number as its digits: :func:`followup.ids.id_text`), one per distinct id."""
    if not isinstance(ids.dtype, pd.CategoricalDtype):
        ids = id_text(ids).astype("category")
    # Each category as the normaliser will write it: categories written as one id hash alike,
    # so the merged column id_text would build is not needed (a block's ~600k distinct ids).
    spelled = pa.array(category_id_text(ids), type=pa.large_string(), from_pandas=True)
    # By the id's loose key: ids one case or invisible character apart land in one partition,
    # where the check for such near spellings sees both.
    present = pc.is_valid(spelled).to_numpy(zero_copy_only=False)
    hashes = string_hashes(loose_key(spelled.fill_null(""))) if len(spelled) else np.zeros(0, np.uint64)
    owner = np.where(present, hashes % np.uint64(count), 0).astype(np.int64)
    return np.append(owner, 0)[ids.cat.codes.to_numpy()]  # a missing or empty id: partition 0


def _normalise_part(tz: str, formats, count: int, files: list[str], interview_pieces: list, event_pieces: list):
    """Normalise one partition (its pieces given as (piece, row offset) pairs). Repeated event
    ids are left for the shuffle on the id: the normaliser sees the ids hidden, and they are
    put back afterwards. ``files`` are the event files' names in sorted order, the order in
    which a single run looks for a first copy."""
    interview_pieces = _by_file([_numbered(piece, offset) for piece, offset in interview_pieces])
    event_pieces = _by_file([_numbered(piece, offset) for piece, offset in event_pieces])
    with using_time_formats(formats):
        interviews = normalise_interviews(interview_pieces, tz=tz, strict=False)
        hidden = [p.assign(event_id=pd.NA) if "event_id" in p else p for p in event_pieces]
        events = normalise_events(hidden, tz=tz, strict=False)
    names = pd.Index(files)
    ids = _written_ids(list(event_pieces), events.frame, names)
    frame = events.frame.assign(event_id=ids)
    rejects = events.rejects
    moment_copies = (rejects["kind"] == "duplicate").to_numpy()
    if moment_copies.any():  # their report quotes the event id, as a single run's does
        rejects = rejects.copy()
        shown = _written_ids(list(event_pieces), rejects[moment_copies], names)
        rejects.loc[moment_copies, "value"] = shown.astype("string").str.slice(0, 60).astype(object).to_numpy()
    events = Normalised(frame, rejects, events.rows_read)
    present = np.flatnonzero(ids.notna().to_numpy())
    # Numbers and Arrow text only: this is every event of the partition, sent across.
    text = pa.concat_arrays(text_chunks(ids.iloc[present])) if len(present) else pa.array([], pa.large_string())
    keyed = pd.DataFrame({
        "hash": string_hashes(text) if len(present) else np.zeros(0, np.uint64),
        "event_id": pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([text])), copy=False),
        "file": _file_codes(frame["source_file"].iloc[present], names),
        "source_row": frame["source_row"].iloc[present].to_numpy(),
        "position": present,
    })
    bucket = (keyed["hash"].to_numpy() % np.uint64(count)).astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(count + 1))
    ordered = keyed.take(order)
    buckets = [ordered.iloc[bounds[b]:bounds[b + 1]] for b in range(count)]
    return interviews, events, buckets


def _by_file(pieces) -> list[pd.DataFrame]:
    """The pieces of each file's blocks as one frame per file, as a single run reads them (the
    normaliser stacks several files' frames as Python objects: blocks must not be such files)."""
    groups: dict[str, list[pd.DataFrame]] = {}
    for piece in pieces:
        groups.setdefault(str(piece["source_file"].cat.categories[0]), []).append(piece)
    return [stack_frames(group) for group in groups.values()]


def _file_codes(column: pd.Series, files: pd.Index) -> np.ndarray:
    """Each row's position of its file in ``files``; worked out once per file, not per row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return files.get_indexer(column.cat.categories.astype(str))[column.cat.codes.to_numpy()]
    return files.get_indexer(column.astype(str))


def _frames(normalised):
    """A normalised partition without its event-id buckets, which travel on their own: the
    partition waits for the shuffle on the event id holding only what scoring needs."""
    return normalised if isinstance(normalised, _Failed) else normalised[:2]


def _bucket(normalised, bucket: int) -> pd.DataFrame:
    if isinstance(normalised, _Failed):  # reported by the partition's own scoring task
        return pd.DataFrame({"hash": np.zeros(0, np.uint64), "event_id": pd.Series([], dtype="string"),
                             "file": np.zeros(0, np.int64), "source_row": np.zeros(0, np.int64),
                             "position": np.zeros(0, np.int64)})
    return normalised[2][bucket]


def _written_ids(pieces: list[pd.DataFrame], rows: pd.DataFrame, files: pd.Index) -> pd.Series:
    """The trimmed event id of each of ``rows``, looked up by file and row in the raw pieces."""
    present = [p for p in pieces if "event_id" in p and len(p)]
    if not present or not len(rows):
        return pd.Series(pd.NA, index=rows.index, dtype="string")
    key = np.concatenate([_file_codes(p["source_file"], files).astype(np.int64) << 40 | p["source_row"].to_numpy()
                          for p in present])
    wanted = _file_codes(rows["source_file"], files).astype(np.int64) << 40 | rows["source_row"].to_numpy()
    found = pd.Index(key).get_indexer(wanted)
    text = pa.chunked_array([chunk for p in present for chunk in text_chunks(id_text(p["event_id"]))],
                            type=pa.large_string())
    picked = text.combine_chunks().take(pa.array(found))
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([picked])), index=rows.index, copy=False)


def _find_repeats(part: int, count: int, files: list[str], *buckets):
    """Event ids repeated across the whole input (this bucket of their hashes): each later copy,
    as a single run orders them, with the file and row of the first."""
    rows = pd.concat([b.assign(partition=p) for p, b in enumerate(buckets)], ignore_index=True)
    # Only ids whose hash repeats can repeat: the exact check runs on those few.
    rows = rows[rows["hash"].duplicated(keep=False).to_numpy()]
    if not len(rows):  # typed as found copies are: a row number must not become a float when stacked
        none = rows.assign(source_file=pd.Series(dtype=object), first_file=pd.Series(dtype=object),
                           first_row=pd.Series(dtype=np.int64))
        return [none] * count
    rows = rows.assign(source_file=np.asarray(files, dtype=object)[rows["file"].to_numpy()])
    repeats = repeated_rows(rows, ["event_id"])
    copies = rows.loc[repeats.index].assign(first_file=repeats["source_file"].to_numpy(),
                                            first_row=repeats["source_row"].to_numpy())
    return [copies[copies["partition"] == p] for p in range(count)]


def _score_part(normalised, moment, rules, tz: str, keep_events: bool, *repeat_lists):
    """Drop the repeated ids found across partitions, reject events of unknown candidates, score."""
    from .loading import reject_unknown_candidates
    from .shortlist import output_extra_columns
    from .features import round_features
    from .rounds import build_rounds
    from .scoring import score_rounds

    if isinstance(normalised, _Failed):
        return normalised
    interviews, events = normalised
    found = [copies for copies in repeat_lists if len(copies)]
    copies = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    if len(copies):
        frame = events.frame
        copy = np.zeros(len(frame), dtype=bool)
        copy[copies["position"].to_numpy()] = True
        dups = frame.iloc[copies["position"].to_numpy()]
        report = duplicates_report(dups, copies["first_file"].to_numpy(), copies["first_row"].to_numpy())
        events = Normalised(frame[~copy].reset_index(drop=True),
                            pd.concat([events.rejects, report], ignore_index=True), events.rows_read)
    with warnings.catch_warnings(record=True) as caught:  # near-spelled ids: said once, for all partitions
        warnings.simplefilter("always", InputWarning)
        events = reject_unknown_candidates(events, interviews, strict=False)
    spelled = [quoted for _, quoted in _input_warnings(caught)]
    # The list's own columns join the shortlist at the end (shortlist.with_extra_columns), as in one process.
    rounds = build_rounds(interviews.frame.drop(columns=list(output_extra_columns(interviews.frame))), moment, tz)
    scored = score_rounds(rounds, round_features(events.frame, rounds, rules, tz), rules, tz)
    return {
        "rounds": scored,
        "interviews": interviews.frame,
        "events": events.frame if keep_events else events.frame.iloc[:0],
        "event_rejects": events.rejects, "interview_rejects": interviews.rejects,
        "event_files": rows_per_file(events.frame["source_file"]),
        "interview_files": rows_per_file(interviews.frame["source_file"]),
        "rows_read": (events.rows_read, interviews.rows_read),
        "near_spellings": [pair for quoted in spelled for pair in zip(quoted[::2], quoted[1::2])],
    }


# Which ranked place each row holds, carried with a piece's rows until they are stacked.
_PLACE = "_place"
# What the calling process gathers of a partition's rows to rank them (shortlist.rank_order).
_RANK_KEYS = ["candidate_id", "score", "grade", "status", "round_number", "flags"]
_FACTS = ("event_rejects", "interview_rejects", "event_files", "interview_files", "rows_read", "near_spellings")


def _ranking_rows(part, all_rounds: bool, group_by):
    """A scored partition cut down to its shortlist rows (every round with ``all_rounds``) with
    the interview list's own columns joined, as :func:`_combine` makes them; the partition's
    other frames are let go."""
    from .shortlist import CANDIDATE_COLUMNS, grouping_column, output_extra_columns, with_extra_columns

    if isinstance(part, _Failed):
        return part
    rounds = part.pop("rounds")
    chosen = rounds if all_rounds else rounds[rounds["is_shortlist_round"]]
    extras = output_extra_columns(part["interviews"])
    chosen = with_extra_columns(chosen, part.pop("interviews"), extras)
    carried = tuple(extras.values())
    group_column = grouping_column(group_by, carried) if group_by else None
    columns = [c for c in dict.fromkeys([*CANDIDATE_COLUMNS, *carried]) if c in chosen]
    return {"rows": chosen[columns].reset_index(drop=True), "extra_columns": carried,
            "group_by": group_column, **{key: part[key] for key in _FACTS}}


def _ranking_facts(rows):
    """What the calling process needs of a partition to rank it and account for its rows."""
    from .shortlist import filled_columns

    if isinstance(rows, _Failed):
        return rows
    frame = rows["rows"]
    keys = [*_RANK_KEYS, *([rows["group_by"]] if rows["group_by"] and rows["group_by"] not in _RANK_KEYS else [])]
    return {**{key: value for key, value in rows.items() if key != "rows"},
            "keys": frame[keys], "filled_columns": filled_columns(frame)}


def _cut_ranked(rows, places: np.ndarray, ranks, pieces: int, rows_per_piece: int, group_by, extra_columns):
    """A partition's ranked rows (the shortlist's columns, as :func:`followup.shortlist.rank`
    gives them) cut by place into ``pieces`` runs of ``rows_per_piece`` places, each in place
    order."""
    from .shortlist import ranked_rows

    if isinstance(rows, _Failed):
        return rows
    order = np.argsort(places, kind="stable")
    frame = ranked_rows(rows["rows"], order, ranks[order], group_by, extra_columns)
    frame[_PLACE] = places[order]
    bounds = np.searchsorted(places[order] // rows_per_piece, np.arange(pieces + 1))
    return [frame.iloc[bounds[k]:bounds[k + 1]] for k in range(pieces)]


def _ranked_piece(piece_format, *cut_pieces):
    """One piece of the shortlist: the partitions' rows of its places, stacked in place order
    and formatted."""
    stacked = stack_frames(list(cut_pieces))
    piece = stacked.iloc[np.argsort(stacked[_PLACE].to_numpy(), kind="stable")].drop(columns=_PLACE)
    piece = piece.reset_index(drop=True)
    categorical = [c for c in piece.columns if isinstance(piece[c].dtype, pd.CategoricalDtype)]
    # A partition's categories are all of its rows' names: a piece keeps the ones it shows.
    return piece_format(piece.assign(**{c: _without_unused_categories(piece[c]) for c in categorical}))


# ---------------------------------------------------------------- the graph

def _run(client, setting, partitions, keep_events):
    """Submit the graph stage by stage, up to the scored partitions' futures (in partition
    order), and what the reading warned of.

    A future this process holds keeps its value on the workers (in memory or spilled), so each
    stage's futures are dropped as soon as the next stage is submitted: at 50M events, holding
    them kept every split, piece and normalised partition to the end — the log three times over,
    19 GB spilled."""
    event_paths, interview_paths, tz, formats = setting.event_paths, setting.interview_paths, setting.tz, setting.formats
    count = partitions or _partition_count(client, event_paths)
    if hasattr(setting.step, "resize"):
        setting.step.resize(count + 3)
    setting.step(f"splitting into {count} partitions")
    submit = lambda function, *args, **kw: client.submit(  # noqa: E731
        _guarded(function), *args, retries=RETRIES, pure=False, **kw)
    inputs = [(p, "interviews") for p in interview_paths] + [(p, "events") for p in event_paths]
    # Each input is read by one task, or a large plain CSV by one task per block of lines:
    # a task's memory then follows the block, not the file.
    chunked = [(path, role, _blocks(path)) for path, role in inputs]
    splits = [[submit(_split_file, path, role, count, tz, formats, block,
                      key=f"split-{n}-{k}-{os.path.basename(path)}") for k, block in enumerate(blocks)]
              for n, (path, role, blocks) in enumerate(chunked)]
    warned = _read_checks(client, chunked, splits)
    interview_pieces, event_pieces = _pieces(client, chunked, splits, count)
    del splits
    files = sorted(event_paths)
    frames, buckets = _normalising(client, submit, tz, formats, count, files, interview_pieces, event_pieces)
    del interview_pieces, event_pieces
    back = _repeats(client, submit, count, files, buckets)
    del buckets
    scored = [submit(_score_part, frames[p], setting.moment, setting.rules, tz, keep_events, *back[p],
                     key=f"score-partition-{p}") for p in range(count)]
    return scored, list(dict.fromkeys(warned))  # a warning each block of a file gave, once


def _gathered(futures: list, step) -> list:
    """The futures' values in their order, each let go on the workers as it arrives; a
    partition that failed stops the run with its one line."""
    from distributed import as_completed

    count = len(futures)
    index = {future: p for p, future in enumerate(futures)}
    futures.clear()
    values = [None] * count
    for done, future in enumerate(as_completed(list(index)), start=1):
        part = index.pop(future)
        values[part] = _raise_failed(_result(future, f"partition {part} of {count}"))
        step(f"scored partition {done}/{count}")
    return values


def _read_checks(client, chunked, splits) -> list:
    """Stop at the first unreadable input, in input order; what the reading warned of."""
    for (path, _, _), futures in zip(chunked, splits):
        for future in futures:
            _raise_failed(_result(client.submit(_failure, future, pure=False), f"reading {path}"))
    return [found for futures in splits for future in futures
            for found in _result(client.submit(_warned, future, pure=False), "reading")]


def _pieces(client, chunked, splits, count) -> list[list]:
    """Interview and event pieces: per input block, per partition, a (piece, row offset) pair;
    a block's rows are numbered from 1, the rows of the blocks before it come on top."""
    from operator import getitem

    pieces = [[], []]
    for (_, role, _), futures in zip(chunked, splits):
        counts = [client.submit(_row_count, f, pure=False) for f in futures]
        offsets = [0] + [client.submit(sum, counts[:k], pure=False) for k in range(1, len(futures))]
        pieces[role == "events"] += [[(client.submit(getitem, f, part, pure=False), offset) for part in range(count)]
                                     for f, offset in zip(futures, offsets)]
    return pieces


def _normalising(client, submit, tz, formats, count, files, interview_pieces, event_pieces):
    """Per partition, its normalised frames and its event-id buckets, as separate futures."""
    normalised = [submit(_normalise_part, tz, formats, count, files, [block[p] for block in interview_pieces],
                         [block[p] for block in event_pieces], key=f"normalise-partition-{p}")
                  for p in range(count)]
    buckets = [[client.submit(_bucket, n, b, pure=False) for n in normalised] for b in range(count)]
    return [client.submit(_frames, n, pure=False) for n in normalised], buckets


def _repeats(client, submit, count, files, buckets):
    """Per partition, the repeated event ids found in each bucket of the shuffle on the id."""
    from operator import getitem

    repeats = [submit(_find_repeats, b, count, files, *buckets[b], key=f"event-ids-{b}") for b in range(count)]
    return [[client.submit(getitem, r, p, pure=False) for r in repeats] for p in range(count)]


def _result(future, what: str):
    try:
        return future.result()
    except FollowupError:
        raise
    except Exception as exc:  # a worker that kept dying, or a bug: name the partition, one line
        raise FollowupError(f"{what} failed after {RETRIES + 1} attempts: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None


def _raise_failed(value):
    if isinstance(value, _Failed):
        raise FollowupError(value.message)
    return value


# ---------------------------------------------------------------- combining

def _combine(parts, setting, strict, all_rounds, model, group_by):
    from .shortlist import ScoreResult, grouping_column, output_extra_columns, rank, with_extra_columns

    event_paths, interview_paths, moment, tz, rules = (setting.event_paths, setting.interview_paths,
                                                       setting.moment, setting.tz, setting.rules)
    interview_rejects, event_rejects = _checked_rejects(parts, strict)
    # Each part's frames are let go as they are stacked: at 5M candidates the calling process
    # holds the whole result, and a second copy of every part would double it.
    rounds = stack_frames([p.pop("rounds") for p in parts])
    rounds = _global_candidate_order(rounds)
    file_order = {name: n for n, name in enumerate([*event_paths, *interview_paths])}
    orphans = event_rejects[event_rejects["code"] == RejectCode.UNKNOWN_CANDIDATE]
    events = _in_input_order(stack_frames([p.pop("events") for p in parts]), file_order, orphans)
    interviews = stack_frames([p.pop("interviews") for p in parts]).sort_values(
        ["candidate_id", "interview_at"], kind="stable", ignore_index=True)
    extras = output_extra_columns(interviews)
    chosen = rounds if all_rounds else rounds[rounds["is_shortlist_round"]]
    chosen = with_extra_columns(chosen, interviews, extras)
    carried = tuple(extras.values())
    group_column = grouping_column(group_by, carried) if group_by else None
    candidates = rank(chosen, group_by=group_column, extra_columns=carried)
    del chosen
    if model is not None:  # loaded by the caller (shortlist.loaded_model checked it)
        candidates = model.annotate(candidates, rounds, events, moment, tz)
    rejects, counts, by_file = _accounting(parts, interview_rejects, event_rejects)
    return ScoreResult(candidates=candidates, rounds=rounds, events=events, interviews=interviews,
                       rejects=rejects, counts=counts, as_of=moment, tz=tz, policy=rules,
                       counts_by_file=by_file, all_rounds=all_rounds, group_by=group_column,
                       extra_columns=carried)


def _checked_rejects(parts, strict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The interview and event rejects of all partitions in input order — after the checks a
    single run makes of them: a file none of whose rows could be used stops the run, and under
    --strict the first bad row does (interviews first, then events)."""
    from .loading import refuse_unusable_files

    interview_rejects = _stack([p["interview_rejects"] for p in parts])
    event_rejects = _stack([p["event_rejects"] for p in parts])
    if not strict:  # under --strict the first bad row below says it, as in one process
        for files, rejects in (("interview_files", interview_rejects), ("event_files", event_rejects)):
            used = pd.DataFrame({"source_file": sorted({f for p in parts for f in p[files].index})})
            refuse_unusable_files(used, rejects)
    if strict:
        raise_first_rejected(interview_rejects)
        not_orphan = event_rejects["code"] != RejectCode.UNKNOWN_CANDIDATE
        raise_first_rejected(event_rejects[not_orphan])
        raise_first_rejected(event_rejects)
    return interview_rejects, event_rejects


def _accounting(parts, interview_rejects, event_rejects):
    """The rejects in input order, the run's counts and the counts per file."""
    from .shortlist import counts_by_file

    event_table = _accounted(parts, "event_files", event_rejects, 0)
    interview_table = _accounted(parts, "interview_files", interview_rejects, 1)
    rejects = pd.concat([event_rejects, interview_rejects], ignore_index=True).sort_values(
        ["source_file", "source_row"], kind="stable", ignore_index=True)
    counts = {key: event_table.counts[key] + interview_table.counts[key] for key in COUNT_KEYS}
    return rejects, counts, counts_by_file(event_table, interview_table)


def _ranked(facts, setting, strict, all_rounds):
    """Rank the partitions' rows from their keys alone: the run's
    :class:`~followup.shortlist.ShortlistSummary`, and per
    partition its rows' places (0 = best) and ranks, in the partition's row order."""
    from .rounds import CANDIDATE_CODE
    from .shortlist import ShortlistSummary, rank_order, summary_counts
    from .textcolumns import sorted_codes, text_array

    interview_rejects, event_rejects = _checked_rejects(facts, strict)
    rejects, counts, by_file = _accounting(facts, interview_rejects, event_rejects)
    group_by = facts[0]["group_by"] if facts else None
    lengths = [len(f["keys"]) for f in facts]
    keys = stack_frames([f.pop("keys") for f in facts])
    keys[CANDIDATE_CODE] = sorted_codes(text_array(keys["candidate_id"]))  # ids in sorted order, as one run
    order, ranks = rank_order(keys, group_by)
    places = np.empty(len(keys), dtype=np.int64)
    places[order] = np.arange(len(keys))
    ranks_by_row = ranks[places]
    starts = np.cumsum([0, *lengths])
    per_part = [(places[a:b], ranks_by_row[a:b]) for a, b in zip(starts[:-1], starts[1:])]
    run = ShortlistSummary(as_of=setting.moment, tz=setting.tz, policy=setting.rules, counts=counts,
                           counts_by_file=by_file, rejects=rejects, all_rounds=all_rounds, group_by=group_by,
                           extra_columns=facts[0]["extra_columns"] if facts else (), rows=len(keys),
                           filled_columns={rows: frozenset().union(*(f["filled_columns"][rows] for f in facts))
                                           for rows in ROW_SELECTIONS},
                           summary_counts=summary_counts(keys, all_rounds))
    return run, per_part


# Pieces being stacked and formatted ahead of the one the consumer is at, per worker.
PIECES_AHEAD_PER_WORKER = 2


def _formatted_pieces(client, cuts, pieces: int, piece_format, step):
    """The ranked pieces, best first, formatted on the workers a few ahead of the consumer;
    each is let go once it is handed over."""
    from collections import deque
    from operator import getitem

    cut_pieces = [[client.submit(getitem, cut, k, pure=False) for cut in cuts] for k in range(pieces)]
    cuts.clear()
    ahead = max(1, len(client.scheduler_info().get("workers", {}))) * PIECES_AHEAD_PER_WORKER
    waiting = deque()
    for k in range(pieces):
        while len(waiting) <= ahead and k + len(waiting) < pieces:
            n = k + len(waiting)
            waiting.append(client.submit(_guarded(_ranked_piece), piece_format, *cut_pieces[n], pure=False))
            cut_pieces[n] = None
        value = _raise_failed(_result(waiting.popleft(), f"ranked piece {k + 1} of {pieces}"))
        step(f"wrote piece {k + 1}/{pieces}")
        yield value


def _stack(rejects: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(rejects, ignore_index=True).sort_values(["source_file", "source_row"], kind="stable",
                                                             ignore_index=True)


def _global_candidate_order(rounds: pd.DataFrame) -> pd.DataFrame:
    """``candidate_code`` renumbered over all partitions (ids in sorted order, as build_rounds
    numbers them), and the rounds in that order."""
    from .rounds import CANDIDATE_CODE
    from .textcolumns import sorted_codes, text_array

    codes = sorted_codes(text_array(rounds["candidate_id"]))
    order = np.argsort(codes, kind="stable")
    rounds = rounds.iloc[order].reset_index(drop=True)
    rounds[CANDIDATE_CODE] = codes[order]
    rounds.index.name = "round_key"  # as build_rounds names it
    return rounds


def _in_input_order(events: pd.DataFrame, file_order: dict[str, int], orphans: pd.DataFrame) -> pd.DataFrame:
    """The used events in input order, labelled as a single run labels them: by position among
    the rows left after de-duplication, before the events of unknown candidates were taken out."""
    if not len(events):
        return events
    names = pd.Index(list(file_order))  # in input order: a row's code is its file's place
    files = np.concatenate([_file_codes(events["source_file"], names), _file_codes(orphans["source_file"], names)])
    rows = np.concatenate([events["source_row"].to_numpy(), orphans["source_row"].to_numpy()])
    order = np.lexsort((rows, files))
    used = order[order < len(events)]
    labels = np.flatnonzero(order < len(events))
    return events.iloc[used].set_axis(pd.Index(labels, dtype="int64") if len(orphans) else
                                      pd.RangeIndex(len(events)))


def _accounted(parts, key: str, rejects: pd.DataFrame, which: int) -> Normalised:
    """A stand-in table with the combined used rows per file, for the row accounting."""
    used = pd.concat([p[key] for p in parts]).groupby(level=0).sum() if parts else pd.Series(dtype=int)
    names = list(used.index)
    codes = np.repeat(np.arange(len(names), dtype=np.int32), used.to_numpy(dtype=np.int64))
    frame = pd.DataFrame({"source_file": pd.Categorical.from_codes(codes, categories=names)})
    return Normalised(frame, rejects, sum(p["rows_read"][which] for p in parts))
