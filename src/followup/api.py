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

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .errors import FollowupError, InputWarning, InvalidRowError
from .ids import near_spellings, near_spellings_message
from .features import build_rounds, positions_in, round_features
from .normalise import COUNT_KEYS, Normalised, normalise_events, normalise_interviews, _report
from .policy import Policy, load_policy
from .readers import read_records
from .schema import (EVENT_COLUMN_ALIASES, GRADE_CAPPED, GRADES, GROUP, INTERVIEW_COLUMN_ALIASES, SCORE_GRADE,
                     STATUSES, WITH_FLAGS, fold)
from .scoring import score_rounds
from .timeparse import time_formats, using_time_formats

if TYPE_CHECKING:
    from .sources import SourceOptions

PathLike = Union[str, Path]
Source = Union[PathLike, pd.DataFrame, Iterable[PathLike], Normalised]

CANDIDATE_COLUMNS = [
    "rank", "candidate_id", "name", "interview_at", "status", "score", "grade", GRADE_CAPPED, SCORE_GRADE,
    "speed", "persistence", "restraint", "notes", "first_contact_hours", "inbound_contacts", "channels",
    "hangups", "max_contacts_7d", "periods_with_contact", "flags", "reasons", "reason",
    "periods_completed", "first_contact_day", "first_contact_at", "last_contact_at",
    "interviewers_met", "interviewers_thanked", "outbound_messages", "checkins_expected", "checkins_met",
    "early_contacts", "round_number", "rounds",
    "anchor", "window_end", "window_closed_by", "decision", "decision_at", "decision_due",
]


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


def load_events(source: Source, tz: str = "UTC", strict: bool = False,
                sources: "SourceOptions | None" = None) -> Normalised:
    """Read and normalise events from file path(s) or a DataFrame.

    Returns a :class:`~followup.normalise.Normalised` with ``frame`` (the used events in the
    order of the files and their rows, times in UTC), ``rejects`` and ``counts``. With ``strict=True`` the first bad
    row raises :class:`~followup.errors.InvalidRowError` instead of being rejected.
    Files may also be vendor exports (Greenhouse, Lever, RingCentral, Twilio, mbox/eml, a
    ``--map`` file), recognised from their content; ``sources`` holds the roster and the other
    options they need (see :mod:`followup.sources` and docs/sources.md).
    """
    if isinstance(source, Normalised):
        return source
    if isinstance(source, pd.DataFrame):
        return normalise_events(_frames(source, EVENT_COLUMN_ALIASES), tz=check_timezone(tz), strict=strict)
    return _load_sources(source, tz, strict, sources, "events", EVENT_COLUMN_ALIASES)


def load_interviews(source: Source, tz: str = "UTC", strict: bool = False,
                    sources: "SourceOptions | None" = None) -> Normalised:
    """Read and normalise the interview list (same conventions as :func:`load_events`); a
    Greenhouse ``scheduled_interviews`` or Lever interviews dump works too."""
    if isinstance(source, Normalised):
        return source
    if isinstance(source, pd.DataFrame):
        return normalise_interviews(_frames(source, INTERVIEW_COLUMN_ALIASES), tz=check_timezone(tz), strict=strict)
    return _load_sources(source, tz, strict, sources, "interviews", INTERVIEW_COLUMN_ALIASES)


def _load_sources(source, tz, strict, sources, role, aliases) -> Normalised:
    from . import sources as adapters

    paths = [source] if isinstance(source, (str, Path)) else list(source)
    sources = sources or adapters.SourceOptions()
    return adapters.load(paths, check_timezone(tz), strict, sources, role,
                         read_native=lambda path: _frames(path, aliases, sources.encoding)[0])


# How many shortlist rows a notebook shows of a result before "… more rows".
NOTEBOOK_ROWS = 10


@dataclass(repr=False)
class ScoreResult:
    """What :func:`score` returns: the shortlist and everything needed to trust it.

    In a notebook it shows as its summary and the top of the shortlist; ``candidates`` is the
    ranked frame, ``rejects`` every row not used and why, ``counts`` the row accounting.
    """

    candidates: pd.DataFrame
    rounds: pd.DataFrame
    events: pd.DataFrame
    interviews: pd.DataFrame
    rejects: pd.DataFrame
    counts: dict[str, int]
    as_of: pd.Timestamp
    tz: str
    policy: Policy
    counts_by_file: pd.DataFrame = field(default_factory=pd.DataFrame)
    all_rounds: bool = False
    group_by: str | None = None
    extra_columns: tuple[str, ...] = ()
    # Scored with a history (``--history``, :func:`followup.trend.with_trend`): each candidate's
    # earlier runs (candidate_id, as_of, score, grade, flags, status), the current run last.
    score_history: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def with_flags(self) -> pd.DataFrame:
        """The rows carrying at least one flag, whatever their status (a pending candidate with
        three hang-ups on day 1 is one): what ``followup flags`` lists."""
        return self.candidates[self.candidates["flags"] != ""]

    @property
    def flagged(self) -> pd.DataFrame:
        """The same rows as :attr:`with_flags` (the older name, kept for existing scripts); the
        *status* ``flagged`` is narrower: a scored row with a flag."""
        return self.with_flags

    def summary(self) -> dict:
        """Counts for footers and logs: candidates (and, with ``all_rounds``, rounds), the rows
        of each status, and the rows with flags whatever their status."""
        frame = self.candidates
        by_status = frame["status"].value_counts()
        counted = {"candidates": int(frame["candidate_id"].nunique())}
        if self.all_rounds:
            counted["rounds"] = int(len(frame))
        return {**counted,
                **{status: int(by_status.get(status, 0)) for status in STATUSES[::-1]},
                WITH_FLAGS: int((frame["flags"] != "").sum())}

    def _headline(self) -> str:
        counted = self.summary()
        shown = ", ".join(f"{counted[status]} {status}" for status in STATUSES[::-1])
        return (f"{counted['candidates']} candidates ({shown}; {counted[WITH_FLAGS]} with flags) as of "
                f"{self.as_of.tz_convert(self.tz).isoformat()} ({self.tz}), policy {self.policy.label}; "
                f"rows read {self.counts['rows_read']}, rejected {self.counts['rejected']}")

    def __repr__(self) -> str:
        # The frames are large: a repr that dumps them buries the one line worth reading.
        return f"<ScoreResult: {self._headline()}>"

    def _repr_html_(self) -> str:
        from html import escape

        columns = [c for c in ("rank", "candidate_id", "name", "status", "score", "grade", "flags", "reason")
                   if c in self.candidates]
        top = self.candidates[columns].head(NOTEBOOK_ROWS)
        more = len(self.candidates) - len(top)
        return (f"<p><b>ScoreResult</b>: {escape(self._headline())}</p>" + top.to_html(index=False, na_rep="")
                + (f"<p>… {more} more rows in <code>.candidates</code></p>" if more > 0 else ""))


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
    used = set(frame["source_file"].astype(str).unique())
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
    interviewed = pd.Index(pd.unique(interviews.frame["candidate_id"].astype(object)))
    written = interviewed.append(pd.Index(pd.unique(events.frame["candidate_id"].astype(object))))
    pairs = near_spellings(written)
    if pairs:
        if strict:
            raise FollowupError(near_spellings_message(pairs))
        warnings.warn(near_spellings_message(pairs), InputWarning, stacklevel=2)
    orphan = pd.Series(positions_in(interviewed, events.frame["candidate_id"]) < 0, index=events.frame.index)
    if strict and orphan.any():
        first = events.frame[orphan].sort_values(["source_file", "source_row"]).iloc[0]
        raise InvalidRowError(first["source_file"], first["source_row"], "candidate_id",
                              "candidate has no interview in the interview list")
    return events.reject(orphan, "candidate_id", "candidate has no interview in the interview list")


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

    ``events``/``interviews`` may be paths, lists of paths, DataFrames or already loaded
    tables. ``as_of`` defaults to now (pass it explicitly in batch jobs and tests); naive
    times are read in ``tz``, which also decides what "the same day" means. Returns a
    :class:`ScoreResult` whose ``candidates`` frame has one ranked row per candidate (with
    ``all_rounds=True``, one row per interview round). ``model`` (a ``.skops`` path or a
    :class:`~followup.learning.LearnedModel`) adds ``p_advance`` and ``top_factors``.
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
    loaded_interviews = load_interviews(interviews, tz=tz, strict=strict, sources=sources)
    refuse_empty_input(interviews, loaded_interviews, "interviews", sources)
    refuse_unusable_files(loaded_interviews.frame, loaded_interviews.rejects)
    step("reading events")
    read_events = load_events(events, tz=tz, strict=strict, sources=sources)
    refuse_empty_input(events, read_events, "events", sources)
    loaded_events = reject_unknown_candidates(read_events, loaded_interviews, strict)
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
    if model is not None:  # scikit-learn and skops are imported only when a model is used
        from .learning import load_model

        candidates = load_model(model).annotate(candidates, scored, loaded_events.frame, moment, tz)

    rejects = pd.concat([loaded_events.rejects, loaded_interviews.rejects], ignore_index=True).sort_values(
        ["source_file", "source_row"], kind="stable", ignore_index=True)
    counts = {key: loaded_events.counts[key] + loaded_interviews.counts[key] for key in COUNT_KEYS}
    return ScoreResult(
        candidates=candidates, rounds=scored, events=loaded_events.frame,
        interviews=loaded_interviews.frame, rejects=rejects, counts=counts, as_of=moment, tz=tz,
        policy=rules, counts_by_file=counts_by_file(loaded_events, loaded_interviews),
        all_rounds=all_rounds, group_by=group_column, extra_columns=carried,
    )


def output_extra_columns(interviews: pd.DataFrame) -> dict[str, str]:
    """The interview list's own columns and their names in the outputs: as normalised
    (``job_title``), or ``interview_<name>`` where that would clash with a shortlist column
    (an interview list's own ``score`` or ``rank`` must not pass for ours)."""
    from .normalise import interview_extra_columns

    return {column: f"interview_{column}" if column in CANDIDATE_COLUMNS or column == GROUP else column
            for column in interview_extra_columns(interviews)}


def with_extra_columns(rounds: pd.DataFrame, interviews: pd.DataFrame, extras: dict[str, str]) -> pd.DataFrame:
    """``rounds`` with the interview list's own columns joined on by round (candidate and
    interview time: one interview row each, duplicates having been set aside)."""
    if not extras:
        return rounds
    own = interviews[["candidate_id", "interview_at", *extras]].rename(columns=extras)
    own = own.assign(interview_at=pd.to_datetime(own["interview_at"], utc=True).astype(rounds["interview_at"].dtype))
    joined = rounds.merge(own, on=["candidate_id", "interview_at"], how="left", validate="many_to_one")
    joined.index = rounds.index
    return joined


def grouping_column(group_by: str, extra_columns: tuple[str, ...]) -> str:
    """The column ``--group-by`` names, matched like headers (``Job Title`` is ``job_title``);
    a one-line error listing the choices when there is none."""
    choices = [*extra_columns, "decision", "status"]
    wanted = fold(group_by).replace(" ", "_")
    for column in choices:
        if fold(column).replace(" ", "_") in (wanted, f"interview_{wanted}"):
            return column
    raise FollowupError(f"cannot group by {group_by!r}: the interview list has no such column "
                        f"(choices: {', '.join(choices)})")


def rank(scored: pd.DataFrame, group_by: str | None = None, extra_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Best first: by grade (so a capped, flagged candidate never outranks a clean one of a
    better grade), then score; pending and upcoming candidates last, without a rank.

    Equal grade and score share a rank, counted the way sports tables do ("1, 1, 3"): fourteen
    perfect 100.0s are all rank 1 and the next is 15. Within a tie rows are listed by id, which
    decides nothing. With ``group_by`` every value of that column is a list of its own, ranked
    from 1, shown in sorted order (rows without a value last) with the value in ``group``.

    ``candidate_code`` (from :func:`~followup.features.build_rounds`) numbers the ids in sorted
    order, so the tie-break is an integer sort rather than a million-string one.
    """
    score = scored["score"].to_numpy(dtype=float)
    grade = pd.Categorical(scored["grade"].astype(object), categories=GRADES).codes.astype(np.int64)
    grade = np.where(grade < 0, len(GRADES), grade)
    if group_by is None:
        group = np.zeros(len(scored), dtype=np.int64)
    else:
        group, _ = pd.factorize(scored[group_by].astype("string"), sort=True, use_na_sentinel=True)
        group = np.where(group < 0, group.max(initial=-1) + 1, group)
    unscored = np.isnan(score)
    order = np.lexsort((
        scored["round_number"].to_numpy(),
        scored["candidate_code"].to_numpy(),
        -np.nan_to_num(score, nan=-1.0),
        grade,
        (scored["status"] == "upcoming").to_numpy(),
        unscored,
        group,
    ))
    columns = [*([GROUP] if group_by else []), *CANDIDATE_COLUMNS, *extra_columns]
    # Only the output columns are reordered: the rounds carry as many again for explanations.
    ordered = scored.reindex(columns=columns).iloc[order].reset_index(drop=True)
    if group_by:
        ordered[GROUP] = scored[group_by].to_numpy()[order]
    ordered["rank"] = competition_ranks(group[order], grade[order], score[order])
    return ordered


def competition_ranks(group: np.ndarray, grade: np.ndarray, score: np.ndarray) -> pd.array:
    """Ranks of rows already sorted best first within each group: equal (grade, score) share
    the rank of the first of them, the next rank skips the tied places; unscored rows none.

    >>> competition_ranks(np.array([0, 0, 0, 0, 1]), np.array([0, 0, 0, 1, 0]),
    ...                   np.array([100.0, 100.0, 90.0, 95.0, 80.0])).tolist()
    [1, 1, 3, 4, 1]
    """
    n = len(score)
    positions = np.arange(n)
    new_group = np.r_[True, group[1:] != group[:-1]] if n else np.zeros(0, bool)
    new_key = new_group | np.r_[True, (grade[1:] != grade[:-1]) | (score[1:] != score[:-1])] if n else new_group
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0)) if n else positions
    key_start = np.maximum.accumulate(np.where(new_key, positions, 0)) if n else positions
    ranks = pd.array(key_start - group_start + 1, dtype="Int64")
    ranks[np.isnan(score)] = pd.NA
    return ranks


def counts_by_file(*tables: Normalised) -> pd.DataFrame:
    """Row accounting per input file: rows read, used, duplicates, rejected."""
    rows = []
    for table in tables:
        used = table.frame["source_file"].value_counts()
        used.index = used.index.astype(str)
        kinds = table.rejects.groupby(["source_file", "kind"]).size()
        files = sorted(set(used.index) | set(table.rejects["source_file"].astype(str)))
        for name in files:
            duplicates = int(kinds.get((name, "duplicate"), 0))
            rejected = int(kinds.get((name, "rejected"), 0))
            rows.append({"source_file": name, "rows_read": int(used.get(name, 0)) + duplicates + rejected,
                         "rows_used": int(used.get(name, 0)), "duplicates": duplicates, "rejected": rejected})
    return pd.DataFrame(rows, columns=["source_file", *COUNT_KEYS])
