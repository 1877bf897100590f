"""Loading: read and normalise the event log and the interview list, from files or frames,
with the checks every run makes before scoring (the time zone, the as-of, files that
yield nothing, events of candidates not in the list).

Below :mod:`followup.api` and :mod:`followup.learning`, which both load this way.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .errors import FollowupError, InputWarning, InvalidRowError, StrictInputError
from .ids import distinct_ids, near_spellings, near_spellings_message
from .normalise import Normalised, normalise_events, normalise_interviews, rows_per_file
from .readers import read_records
from .schema import EVENT_COLUMN_ALIASES, INTERVIEW_COLUMN_ALIASES, RejectCode
from .textcolumns import positions_in
from .timeparse import using_time_formats

if TYPE_CHECKING:
    from .sources import SourceOptions

PathLike = Union[str, Path]
Source = Union[PathLike, pd.DataFrame, Iterable[PathLike], Normalised]


def check_timezone(tz: str) -> str:
    """Return ``tz`` if it is a known IANA zone name, else raise a one-line error."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise FollowupError(f"unknown time zone {tz!r}; use an IANA name such as UTC or Europe/London") from None
    return tz


AS_OF_EXAMPLE = "write it as ISO 8601 (2026-03-31T18:00:00-04:00, or 2026-03-31 18:00 in --tz) or epoch seconds"


def parse_as_of(as_of, tz: str) -> pd.Timestamp:
    """The as-of instant in UTC; ``None`` means now.

    Text is read exactly as the data's times are (:func:`~followup.timeparse.parse_times`,
    never with a ``--time-format``): ISO 8601, RFC 2822 or epoch seconds/milliseconds; an offset
    wins, and a time without one is local in ``tz``. Anything else — ``31/03/2026``,
    ``03/04/2026`` (day or month first?), ``-1``, ``March 31`` — is refused with an example.
    A local time the clocks skip or repeat is resolved as in the data, with a warning saying
    how: in the repeated hour the first (daylight-saving) reading, in the skipped hour the
    first instant after the gap.

    >>> str(parse_as_of("2026-03-31T18:00:00-04:00", "UTC"))
    '2026-03-31 22:00:00+00:00'
    >>> str(parse_as_of("1775000000", "UTC"))
    '2026-03-31 23:33:20+00:00'
    >>> parse_as_of("31/03/2026", "UTC")
    Traceback (most recent call last):
    ...
    followup.errors.FollowupError: --as-of '31/03/2026' is not a time; write it as ISO 8601 (2026-03-31T18:00:00-04:00, or 2026-03-31 18:00 in --tz) or epoch seconds
    """
    import warnings

    from .errors import InputWarning
    from .timeparse import UNPARSEABLE, parse_times

    if as_of is None:
        return pd.Timestamp.now(tz="UTC").floor("s")
    if isinstance(as_of, str) and not as_of.strip():
        raise FollowupError(f"--as-of is empty; {AS_OF_EXAMPLE}")
    if isinstance(as_of, (pd.Timestamp, np.datetime64)) or hasattr(as_of, "tzinfo"):
        written = pd.Series([pd.Timestamp(as_of)])
    elif isinstance(as_of, (str, int, np.integer)) and not isinstance(as_of, bool):
        written = pd.Series([str(as_of).strip()], dtype=object)
    else:
        raise FollowupError(f"--as-of {as_of!r} is not a time; {AS_OF_EXAMPLE}")
    with using_time_formats({}):  # a --time-format describes the files, not what the user typed
        times, why = parse_times(written, tz)
        as_utc, _ = parse_times(written, "UTC")
    if pd.isna(times.iloc[0]):
        reason = why.iloc[0]
        said = "is not a time" if reason in (None, UNPARSEABLE) else f"is not a time: {reason}"
        raise FollowupError(f"--as-of {str(as_of)!r} {said}; {AS_OF_EXAMPLE}")
    moment = pd.Timestamp(times.iloc[0])
    if moment != as_utc.iloc[0]:  # no offset: the wall-clock time was read in tz
        wall = pd.Timestamp(as_utc.iloc[0]).tz_localize(None)
        _warn_about_clock_changes(as_of, wall, moment, tz, warnings, InputWarning)
    return moment.tz_convert("UTC")


def _warn_about_clock_changes(as_of, wall: pd.Timestamp, moment: pd.Timestamp, tz: str, warnings, category) -> None:
    """Say how a local time the clocks skip or repeat in ``tz`` was read."""
    try:
        wall.tz_localize(tz, ambiguous="raise", nonexistent="raise")
    except Exception as exc:  # pytz's AmbiguousTimeError / NonExistentTimeError, both ValueErrors
        chosen = moment.tz_convert(tz).isoformat()
        if "ambiguous" in type(exc).__name__.lower() or "ambiguous" in str(exc).lower():
            what = (f"happens twice in {tz} (the clocks go back); read as the first, daylight-saving "
                    f"one, {chosen}; give the offset to choose")
        else:
            what = (f"does not exist in {tz} (the clocks go forward); read as the first time after "
                    f"the gap, {chosen}; give the offset to choose")
        warnings.warn(category(f"--as-of {str(as_of)!r} {what}"), stacklevel=3)


# The source_file of rows handed over as a DataFrame: the caller holds them, and sees any
# that could not be used in ``counts`` and ``rejects``; only files can be read as nothing.
IN_MEMORY = "<DataFrame>"


def _frames(source, aliases, encoding: str | None = None) -> list[pd.DataFrame]:
    if isinstance(source, pd.DataFrame):
        frame = source.rename(columns={c: c for c in source.columns}).copy()
        from .readers import canonical_columns

        frame = frame.rename(columns=canonical_columns([str(c) for c in frame.columns], aliases))
        if "source_file" not in frame:
            frame["source_file"] = IN_MEMORY
        if "source_row" not in frame:
            frame["source_row"] = range(1, len(frame) + 1)
        return [frame.reset_index(drop=True)]
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    return [read_records(p, aliases, keep_bad_rows=True, encoding=encoding) for p in paths]


@contextmanager
def warnings_as_errors(strict: bool):
    """Under ``strict``, the first :class:`InputWarning` that a reader or an adapter raises
    while this is open (an encoding guessed, bytes replaced, a sheet chosen, ids spelled two
    ways, a file matching nobody…) stops the run as a :class:`StrictInputError`, its message
    unchanged: the one place ``--strict`` escalates warnings, whoever raises them."""
    if not strict:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        try:
            yield
        except InputWarning as warning:
            raise StrictInputError(str(warning), quoted=getattr(warning, "quoted", ())) from None


def load_events(source: Source, *, tz: str = "UTC", strict: bool = False,
                sources: "SourceOptions | None" = None, with_rejects: bool = False):
    """The event log as one normalised DataFrame, from file path(s) or a DataFrame.

    One row per event used: the canonical columns (``candidate_id``, ``timestamp`` in UTC,
    ``channel``, ``direction``, ``outcome``, ``duration_s``, ``contact``, …) and where it
    came from (``source_file``, ``source_row``). Rows are in the order they were read — the
    files in the order given, each file's rows in its own order — *not* sorted by candidate
    or time (``events.sort_values(["candidate_id", "timestamp"])`` does that); a duplicate
    is left out where it repeats an earlier row. With ``with_rejects=True`` the result is
    ``(events, rejects)``: ``rejects`` lists every row not used (``source_file``,
    ``source_row``, ``kind`` ``rejected``/``duplicate``, ``column``, ``value``, ``reason``),
    in file and row order. With ``strict=True`` the first bad row raises
    :class:`~followup.errors.InvalidRowError` instead of being rejected.

    Files may also be vendor exports (Greenhouse, Lever, RingCentral, Twilio, mbox/eml, a
    ``--map`` file), recognised from their content; ``sources`` holds the roster and the other
    options they need (see :mod:`followup.sources` and docs/sources.md). :func:`followup.score`
    takes the frame as it takes any DataFrame.

    >>> events, rejects = load_events("sample_data/events.csv", tz="America/New_York", with_rejects=True)
    >>> len(events), len(rejects), str(events["timestamp"].dtype)
    (296, 6, 'datetime64[ns, UTC]')
    >>> bool(events["source_row"].is_monotonic_increasing)
    True
    """
    loaded = read_events(source, tz=tz, strict=strict, sources=sources)
    return (loaded.frame, loaded.rejects) if with_rejects else loaded.frame


def load_interviews(source: Source, *, tz: str = "UTC", strict: bool = False,
                    sources: "SourceOptions | None" = None, with_rejects: bool = False):
    """The interview list as one normalised DataFrame (same conventions as
    :func:`load_events`: rows in the order read, ``(interviews, rejects)`` with
    ``with_rejects=True``); a Greenhouse ``scheduled_interviews`` or Lever interviews dump, an
    Ashby or SmartRecruiters export or an ``.ics`` calendar works too."""
    loaded = read_interviews(source, tz=tz, strict=strict, sources=sources)
    return (loaded.frame, loaded.rejects) if with_rejects else loaded.frame


def read_events(source: Source, tz: str = "UTC", strict: bool = False,
                sources: "SourceOptions | None" = None) -> Normalised:
    """:func:`load_events` with the row accounting every run reports: a
    :class:`~followup.normalise.Normalised` (``frame``, ``rejects``, ``counts``), which
    :func:`followup.score` and the CLI's checks read."""
    if isinstance(source, Normalised):
        return source
    with warnings_as_errors(strict):
        if isinstance(source, pd.DataFrame):
            return normalise_events(_frames(source, EVENT_COLUMN_ALIASES), tz=check_timezone(tz), strict=strict)
        return _load_sources(source, tz, strict, sources, "events", EVENT_COLUMN_ALIASES)


def read_interviews(source: Source, tz: str = "UTC", strict: bool = False,
                    sources: "SourceOptions | None" = None) -> Normalised:
    """:func:`load_interviews` with its row accounting (as :func:`read_events`)."""
    if isinstance(source, Normalised):
        return source
    with warnings_as_errors(strict):
        if isinstance(source, pd.DataFrame):
            return normalise_interviews(_frames(source, INTERVIEW_COLUMN_ALIASES), tz=check_timezone(tz),
                                        strict=strict)
        return _load_sources(source, tz, strict, sources, "interviews", INTERVIEW_COLUMN_ALIASES)


def _load_sources(source, tz, strict, sources, role, aliases) -> Normalised:
    from . import sources as adapters

    paths = [source] if isinstance(source, (str, Path)) else list(source)
    sources = sources or adapters.SourceOptions()
    return adapters.load(paths, check_timezone(tz), strict, sources, role,
                         read_native=lambda path: _frames(path, aliases, sources.encoding)[0])



def refuse_unusable_files(frame: pd.DataFrame, rejects: pd.DataFrame) -> None:
    """A file that had rows but not one usable would score as if it were not there — every
    candidate NO_CONTACT when it is the event log (a time format the scorer must not guess), an
    empty shortlist when it is the interview list — with exit 0. Stop instead, naming the file
    and its first bad row. A file whose rows are all copies of rows used from another file, or
    records read right that are not contacts (machine mail, notes), or a folder's files of a kind
    the scorer does not read (listed on their own), is not such a file; nor is a DataFrame
    (:data:`IN_MEMORY`)."""
    from .sources import understood_not_contacts
    from .sources.folders import FILE_COLUMN

    problems = rejects[(rejects["kind"] != "duplicate") & (rejects["column"] != FILE_COLUMN)
                       & (rejects["source_file"].astype(str) != IN_MEMORY) & ~understood_not_contacts(rejects)]
    if not len(problems):
        return
    used = set(rows_per_file(frame["source_file"]).index)
    unusable = problems[~problems["source_file"].astype(str).isin(used)]
    if not len(unusable):
        return
    name = str(unusable["source_file"].iloc[0])
    own = unusable[unusable["source_file"].astype(str) == name].sort_values("source_row", kind="stable")
    first, more = own.iloc[0], len(own) - 1
    raise FollowupError(f"{name}: no row can be used; row {first['source_row']}, {first['column']}: "
                        f"{first['reason']}" + (f" (and {more} more rows; see --rejects)" if more else ""))


def refuse_empty_input(source, loaded: Normalised, role: str, sources) -> None:
    """Files that hold no row at all (a header only, ``[]``, an empty sheet) would score as if
    nobody had been contacted — or as an empty shortlist — with exit 0: stop, unless the user
    said that this is what they mean (``--allow-empty``, :attr:`SourceOptions.allow_empty`).
    A DataFrame is the caller's own and is never refused."""
    from .sources.folders import FILE_COLUMN

    if isinstance(source, (pd.DataFrame, Normalised)) or (sources is not None and sources.allow_empty):
        return
    if len(loaded.frame) or (loaded.rejects["column"] != FILE_COLUMN).any():
        return
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    consequence = ("every candidate would be flagged NO_CONTACT" if role == "events"
                   else "the shortlist would be empty")
    raise FollowupError(f"{', '.join(map(str, paths))}: no {role} rows at all (nothing after the header); "
                        f"{consequence}. If that is what you mean, give --allow-empty")


def reject_unknown_candidates(events: Normalised, interviews: Normalised, strict: bool) -> Normalised:
    """Events of a candidate with no interview cannot be anchored: reject them, visibly. Ids
    of the two tables that differ only in case, invisible characters or spaces are named in an
    :class:`InputWarning` (an error under ``strict``): they are two people to the scorer."""
    interviewed = distinct_ids(interviews.frame["candidate_id"])
    written = interviewed.append(distinct_ids(events.frame["candidate_id"]))
    pairs = near_spellings(written)
    if pairs:
        spellings = [spelling for pair in pairs for spelling in pair]  # for --redact: ids may be names
        with warnings_as_errors(strict):
            warnings.warn(InputWarning(near_spellings_message(pairs), quoted=spellings), stacklevel=2)
    orphan = pd.Series(positions_in(interviewed, events.frame["candidate_id"]) < 0, index=events.frame.index)
    if strict and orphan.any():
        first = events.frame[orphan].sort_values(["source_file", "source_row"]).iloc[0]
        raise InvalidRowError(first["source_file"], first["source_row"], "candidate_id",
                              "candidate has no interview in the interview list")
    return events.reject(orphan, "candidate_id", RejectCode.UNKNOWN_CANDIDATE,
                         "candidate has no interview in the interview list")
