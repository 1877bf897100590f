"""The shortlist: the ranked one-row-per-candidate table and :class:`ScoreResult`, which
carries it with everything needed to trust it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from .errors import FollowupError
from .event_roles import event_roles
from .normalise import COUNT_KEYS, Normalised, rows_per_file
from .policy import Policy
from .rounds import CANDIDATE_CODE
from .schema import ALL_ROWS, GRADE_CAPPED, GRADES, GROUP, ROW_SELECTIONS, SCORE_GRADE, STATUSES, WITH_FLAGS, fold

CANDIDATE_COLUMNS = [
    "rank", "candidate_id", "name", "interview_at", "status", "score", "grade", GRADE_CAPPED, SCORE_GRADE,
    "speed", "persistence", "restraint", "notes", "first_contact_hours", "inbound_contacts", "channels",
    "hangups", "max_contacts_7d", "periods_with_contact", "flags", "reasons", "reason",
    "periods_completed", "first_contact_day", "first_contact_at", "last_contact_at",
    "interviewers_met", "interviewers_thanked", "outbound_messages", "checkins_expected", "checkins_met",
    "early_contacts", "round_number", "rounds",
    "anchor", "window_end", "window_closed_by", "decision", "decision_at", "decision_due",
]


@dataclass(frozen=True)
class ShortlistSummary:
    """A run's result without its frames of rows: what a batch job needs once the ranked
    shortlist is written (:func:`followup.score_to_file`). ``summary()`` and ``all_rounds`` are
    the :class:`ScoreResult`'s, so a summary line reads the same; ``rows`` counts the shortlist
    rows and ``filled_columns`` names, per row selection, the output columns with a value in at
    least one row (a file written piece by piece types an empty-looking column of one piece as
    the whole column is typed)."""

    as_of: pd.Timestamp
    tz: str
    policy: Policy
    counts: dict
    counts_by_file: pd.DataFrame
    rejects: pd.DataFrame
    all_rounds: bool
    group_by: str | None
    extra_columns: tuple[str, ...]
    rows: int
    filled_columns: dict
    summary_counts: dict

    @classmethod
    def of(cls, result: "ScoreResult") -> "ShortlistSummary":
        frame = result.candidates
        return cls(as_of=result.as_of, tz=result.tz, policy=result.policy, counts=result.counts,
                   counts_by_file=result.counts_by_file, rejects=result.rejects, all_rounds=result.all_rounds,
                   group_by=result.group_by, extra_columns=result.extra_columns, rows=len(frame),
                   filled_columns=filled_columns(frame), summary_counts=result.summary())

    def summary(self) -> dict:
        return dict(self.summary_counts)


# How many shortlist rows a notebook shows of a result before "… more rows".
NOTEBOOK_ROWS = 10


@dataclass(repr=False)
class ScoreResult:
    """What :func:`score` returns: the shortlist and everything needed to trust it.

    In a notebook it shows as its summary and the top of the shortlist; ``candidates`` is the
    ranked frame, ``rejects`` every row not used and why, ``counts`` the row accounting.

    ``rounds`` has one row per interview round, in candidate-id then interview-time order:
    the interview list's columns, the follow-up window (``anchor``, ``window_end``,
    ``window_closed_by``, ``held``: the interview was before the as-of; day numbers
    ``window_end_day`` and ``due_day`` count from the anchor's local day, ``anchor_day``, in
    days since 1970), every feature and score column of ``candidates``, and the numbers
    behind the components: ``part_cadence``, ``part_channels``, ``part_interviewers``,
    ``part_every_round``, ``part_after_decision`` and ``part_checkins`` (each 0–100, the parts
    persistence weighs; NaN where a part is not judged) and ``penalty_frequency``,
    ``penalty_hangups``, ``penalty_burst`` and ``penalty_early`` (the points restraint loses
    to each), each flag's reason without its code (``reason_NO_CONTACT``, …:
    :data:`~followup.schema.FLAG_REASON_COLUMNS`; missing where the flag is not carried), and
    the facts explain words what a round missed from (:data:`~followup.schema.QUIET_SINCE`,
    :data:`~followup.schema.CADENCE_START`, :data:`~followup.schema.INTERVIEWERS_NOT_ADDRESSED`).
    ``followup explain`` quotes those; the engine's own integer numbering of the
    candidates (``candidate_code``) is left out.

    In a notebook the result explains, plots, reports and writes itself:

    >>> import followup, tempfile, pandas as pd
    >>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
    ...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
    >>> result.explain("gloria stanton").candidate_id
    'C007'
    >>> type(result.plot("C007")).__name__
    'Figure'
    >>> result.to_html().lstrip().lower().startswith("<!doctype html>")
    True
    >>> target = tempfile.mkdtemp() + "/shortlist.csv"
    >>> result.write(target)
    >>> pd.read_csv(target)["candidate_id"].iloc[0]
    'C001'
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

    def __post_init__(self):
        self.rounds = self.rounds.drop(columns=[CANDIDATE_CODE], errors="ignore")

    @cached_property
    def event_roles(self) -> pd.DataFrame:
        """What each event of :attr:`events` counted for, as codes
        (:func:`followup.event_roles.event_roles`): one row per event in candidate then time
        order, ``event`` its row in :attr:`events`. Made on first use and kept: scoring alone
        never pays for it; ``explain``, the report and the plots all read this one frame."""
        return event_roles(self.events, self.rounds, self.policy, self.tz)

    @property
    def with_flags(self) -> pd.DataFrame:
        """The rows carrying at least one flag, whatever their status (a pending candidate with
        three hang-ups on day 1 is one): what ``followup flags`` lists."""
        return selected_rows(self.candidates, WITH_FLAGS)

    @property
    def flagged(self) -> pd.DataFrame:
        """The same rows as :attr:`with_flags` (the older name, kept for existing scripts); the
        *status* ``flagged`` is narrower: a scored row with a flag."""
        return self.with_flags

    def summary(self) -> dict:
        """Counts for footers and logs: candidates (and, with ``all_rounds``, rounds), the rows
        of each status, and the rows with flags whatever their status."""
        return summary_counts(self.candidates, self.all_rounds)

    # Notebook conveniences: each hands the result to the presentation function of its name
    # (PRESENTERS), so a result never imports the layers that read it.
    def explain(self, candidate_id: str):
        """:func:`followup.explain` of one candidate (id in any case, or name)."""
        return _presenter("explain")(self, candidate_id)

    def plot(self, candidate_id: str, **kwargs):
        """:func:`followup.plot_candidate`: the candidate's timeline, a matplotlib Figure."""
        return _presenter("plot")(self, candidate_id, **kwargs)

    def to_html(self, path=None, title: str = "Follow-up shortlist", **kwargs) -> str | None:
        """The HTML report (:func:`followup.build_report`): returned as text, or written to
        ``path`` when one is given."""
        return _presenter("to_html")(self, path, title, **kwargs)

    def write(self, path, format: str | None = None) -> None:
        """Write the shortlist as ``followup score -o`` does: CSV, JSON, JSON Lines, Parquet,
        Excel or a text table, from ``format`` or the extension; atomically, and never over
        one of the files it was scored from."""
        _presenter("write")(self, path, format)

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


# The presentation functions behind ScoreResult's conveniences, by name (explain, plot,
# to_html, write): registered by the package (followup/__init__.py), which sits above both.
PRESENTERS: dict[str, Callable] = {}


def _presenter(name: str) -> Callable:
    if name not in PRESENTERS:  # only when the package's __init__ did not finish
        raise FollowupError(f"ScoreResult.{name} needs the followup package imported (import followup)")
    return PRESENTERS[name]


def loaded_model(model):
    """``model`` as scoring takes it: a loaded model (anything with the
    :meth:`~followup.learning.LearnedModel.annotate` of one). The learning layer sits above the
    pipeline, so a model file is loaded by the caller (``followup.load_model(path)``; the CLI's
    ``--model`` does it), never here."""
    if not hasattr(model, "annotate"):
        raise FollowupError(f"model={model!r} is not a loaded model: load it with followup.load_model(path) "
                            "and pass what that returns")
    return model


def rank(scored: pd.DataFrame, group_by: str | None = None, extra_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Best first: by grade (so a capped, flagged candidate never outranks a clean one of a
    better grade), then score; pending and upcoming candidates last, without a rank.

    Equal grade and score share a rank, counted the way sports tables do ("1, 1, 3"): fourteen
    perfect 100.0s are all rank 1 and the next is 15. Within a tie rows are listed by id, which
    decides nothing. With ``group_by`` every value of that column is a list of its own, ranked
    from 1, shown in sorted order (rows without a value last) with the value in ``group``.

    ``candidate_code`` (from :func:`~followup.rounds.build_rounds`) numbers the ids in sorted
    order, so the tie-break is an integer sort rather than a million-string one.
    """
    order, ranks = rank_order(scored, group_by)
    return ranked_rows(scored, order, ranks, group_by, extra_columns)


def rank_order(scored: pd.DataFrame, group_by: str | None = None) -> tuple[np.ndarray, pd.array]:
    """The rows of ``scored`` best first (positions) and their ranks in that order: the rule
    :func:`rank` applies. It reads only ``score``, ``grade``, ``status``, ``candidate_code``,
    ``round_number`` and the ``group_by`` column, so a partitioned run ranks from those alone
    (:mod:`followup.partitioned`) and leaves the rows where they are."""
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
        scored[CANDIDATE_CODE].to_numpy(),
        -np.nan_to_num(score, nan=-1.0),
        grade,
        (scored["status"] == "upcoming").to_numpy(),
        unscored,
        group,
    ))
    return order, competition_ranks(group[order], grade[order], score[order])


def ranked_rows(scored: pd.DataFrame, order: np.ndarray, ranks: pd.array, group_by: str | None = None,
                extra_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """The shortlist's columns of ``scored``'s rows at ``order``, with their ``ranks``."""
    columns = [*([GROUP] if group_by else []), *CANDIDATE_COLUMNS, *extra_columns]
    # Only the output columns are reordered: the rounds carry as many again for explanations.
    ordered = scored.reindex(columns=columns).iloc[order].reset_index(drop=True)
    if group_by:
        ordered[GROUP] = scored[group_by].to_numpy()[order]
    ordered["rank"] = ranks
    return ordered


def carries_flags(frame: pd.DataFrame) -> np.ndarray:
    """Which shortlist rows carry at least one flag, whatever their status (a missing
    ``flags`` cell, as in a hand-made frame, carries none)."""
    return (frame["flags"].fillna("").astype(str) != "").to_numpy(bool)


def selected_rows(frame: pd.DataFrame, rows: str = ALL_ROWS) -> pd.DataFrame:
    """The shortlist rows an output holds (:data:`~followup.schema.ROW_SELECTIONS`)."""
    if rows not in ROW_SELECTIONS:
        raise FollowupError(f"rows={rows!r}: choose one of {', '.join(ROW_SELECTIONS)}")
    return frame if rows == ALL_ROWS else frame[carries_flags(frame)]


def filled_columns(frame: pd.DataFrame) -> dict[str, frozenset]:
    """Per row selection (all rows, those with flags), the columns of ``frame`` with a value
    in at least one of its rows."""
    def filled(rows: pd.DataFrame) -> frozenset:
        return frozenset(rows.columns[rows.notna().any().to_numpy()]) if len(rows) else frozenset()

    return {selection: filled(selected_rows(frame, selection)) for selection in ROW_SELECTIONS}


def summary_counts(frame: pd.DataFrame, all_rounds: bool = False) -> dict:
    """:meth:`ScoreResult.summary` of shortlist rows (or of any frame with their
    ``candidate_id``, ``status`` and ``flags``)."""
    by_status = frame["status"].value_counts()
    counted = {"candidates": int(frame["candidate_id"].nunique())}
    if all_rounds:
        counted["rounds"] = int(len(frame))
    return {**counted,
            **{status: int(by_status.get(status, 0)) for status in STATUSES[::-1]},
            WITH_FLAGS: int(carries_flags(frame).sum())}


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
        used = rows_per_file(table.frame["source_file"])
        kinds = table.rejects.groupby(["source_file", "kind"]).size()
        files = sorted(set(used.index) | set(table.rejects["source_file"].astype(str)))
        for name in files:
            duplicates = int(kinds.get((name, "duplicate"), 0))
            rejected = int(kinds.get((name, "rejected"), 0))
            rows.append({"source_file": name, "rows_read": int(used.get(name, 0)) + duplicates + rejected,
                         "rows_used": int(used.get(name, 0)), "duplicates": duplicates, "rejected": rejected})
    return pd.DataFrame(rows, columns=["source_file", *COUNT_KEYS])
