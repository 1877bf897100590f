"""The behavioural feature columns as a scikit-learn transformer.

:class:`FollowupFeatures` takes one row per candidate round — ``candidate_id`` and the
interview that anchors its follow-up window (``interview_at``, optionally ``interview_end``,
``interviewers`` and ``decision_at``) — and returns one row of follow-up facts for it, computed
by the same code as the scorer (:func:`followup.rounds.build_rounds`,
:func:`~followup.features.round_features`, :func:`followup.scoring.score_rounds`). The event
log is bound when the transformer is built, so the rows can be split, shuffled and resampled
by ``cross_validate`` or ``GridSearchCV`` like any other feature matrix.

**Leakage.** A row's window closes at the earliest of ``as_of``, its ``decision_at`` and the
candidate's next interview in the rows given, and events after a candidate's latest
``decision_at`` are dropped before anything is counted. The ``decision`` itself is never
read. So a model only ever sees what was known when each decision was taken.

>>> import pandas as pd
>>> events = pd.DataFrame({
...     "candidate_id": ["ana", "ana", "ana", "ben"],
...     "timestamp": ["2026-03-02T19:30:00Z", "2026-03-09T15:00:00Z", "2026-03-20T15:00:00Z",
...                   "2026-03-12T10:00:00Z"],
...     "channel": ["email", "phone", "email", "email"], "direction": ["inbound"] * 4,
...     "outcome": [None, "voicemail", None, None], "duration_s": [None, 40, None, None]})
>>> rows = pd.DataFrame({"candidate_id": ["ana", "ben"],
...                      "interview_at": ["2026-03-02T14:00:00Z", "2026-03-02T14:00:00Z"],
...                      "decision_at": ["2026-03-16T12:00:00Z", None]})
>>> features = FollowupFeatures(events, as_of="2026-03-31T00:00:00Z").set_output(transform="pandas")
>>> table = features.fit_transform(rows)
>>> table[["contacted", "same_day", "first_contact_days", "contacts_per_week"]].round(2)
   contacted  same_day  first_contact_days  contacts_per_week
0        1.0       1.0                0.19               1.01
1        1.0       0.0                9.79               0.25

Ana's third email (20 March) came after her decision (16 March), so it is not counted: two
contacts in her two-week window make about one a week.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..loading import check_timezone, load_events, parse_as_of
from ..errors import FollowupError
from ..features import round_features
from ..rounds import build_rounds
from ..textcolumns import positions_in
from ..normalise import Normalised
from ..policy import DEFAULT_POLICY, load_policy
from ..scoring import score_rounds
from ..timeparse import UTC_NS, parse_times

# No contact (yet) is read as the slowest first contact the features distinguish.
FIRST_CONTACT_CAP_DAYS = 21.0

FEATURES = {
    "contacted": "made any contact after the interview",
    "same_day": "first contact on the day of the interview",
    "first_contact_days": f"days to the first contact (none: {FIRST_CONTACT_CAP_DAYS:.0f})",
    "contacts_per_week": "contacts per week of the window (at least a week)",
    "channels": "number of channels used",
    "weekly_cadence": "share of completed cadence periods with a contact",
    "interviewers_thanked": "share of interviewers thanked by name",
    "unanswered_calls": "calls that reached nobody and left no message",
    "busiest_week": "most contacts in any 7 days (thank-yous excluded)",
    "hang_up_burst": "most unanswered calls in one burst",
}
FEATURE_NAMES = tuple(FEATURES)
REQUIRED_COLUMNS = ("candidate_id", "interview_at")
OPTIONAL_COLUMNS = ("interview_end", "interviewers", "decision_at")


class FollowupFeatures(TransformerMixin, BaseEstimator):
    """Candidate rows in, one row of behavioural follow-up features per row out.

    Parameters
    ----------
    events
        The event log: a path or list of paths, a raw or normalised DataFrame (as
        ``followup.load_events`` returns), or a :class:`~followup.normalise.Normalised` table.
        Bound here, so ``fit``/``transform`` receive only the candidate rows.
    policy
        Preset name, TOML path or :class:`~followup.policy.Policy`: it decides which channels
        count, the opening days and the cadence period behind the features.
    tz
        Time zone for naive times and for what "the same day" means.
    as_of
        The moment the log was exported (default: now, fixed at ``fit``). Windows of
        undecided candidates close here.

    ``fit`` learns nothing from the rows: it only reads the log and resolves the policy and
    the as-of, so fitting on a training fold cannot leak anything into a test fold.
    """

    def __init__(self, events, policy=DEFAULT_POLICY, tz="UTC", as_of=None):
        self.events = events
        self.policy = policy
        self.tz = tz
        self.as_of = as_of

    def fit(self, X, y=None):
        """Read the event log and resolve policy, time zone and as-of; ``X`` is only checked."""
        _check_rows(X)
        self.tz_ = check_timezone(self.tz)
        self.policy_ = load_policy(self.policy)
        self.as_of_ = parse_as_of(self.as_of, self.tz_)
        self.events_ = _event_frame(self.events, self.tz_)
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X) -> np.ndarray:
        """The feature matrix: one row per row of ``X``, in order. Rows whose interview is
        after the as-of have no follow-up yet and are all NaN."""
        check_is_fitted(self, "events_")
        scored = self.scored_rounds(X)
        return feature_matrix(scored).to_numpy(dtype=float)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray(FEATURE_NAMES, dtype=object)

    def scored_rounds(self, X) -> pd.DataFrame:
        """The scorer's full round table for the rows of ``X`` (same order and index), on the
        leakage-cut log: the features plus the rule-based ``score``, status and flags."""
        check_is_fitted(self, "events_")
        rows = _check_rows(X)
        interviews = _interview_frame(rows, self.tz_)
        events = _events_before_cutoff(self.events_, interviews, self.as_of_)
        rounds = build_rounds(interviews, self.as_of_, self.tz_)
        features = round_features(events, rounds, self.policy_, self.tz_)
        scored = score_rounds(rounds, features, self.policy_, self.tz_)
        scored = scored.set_index("row_position").sort_index()
        scored.index = rows.index
        return scored


def feature_matrix(scored: pd.DataFrame) -> pd.DataFrame:
    """The :data:`FEATURES` columns from a scored round table (NaN for rounds not held)."""
    held = scored["held"].to_numpy(bool)
    watched_days = ((scored["window_end"] - scored["anchor"]) / pd.Timedelta(days=1)).to_numpy(float)
    contacts = scored["inbound_contacts"].astype("float64").to_numpy()
    contacted = contacts > 0
    first_days = scored["first_contact_hours"].astype("float64").to_numpy() / 24
    completed = scored["periods_completed"].astype("float64").to_numpy()
    met = scored["interviewers_met"].astype("float64").to_numpy()
    named = scored["contact_data"].astype("boolean").fillna(False).to_numpy(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        cadence = np.where(completed > 0, scored["periods_with_contact"].astype("float64") / completed, np.nan)
        # The scorer judges thanking for panels of two or more, and only when messages name
        # whom they address; without any contact at all, nobody was thanked.
        thanked = np.where((met >= 2) & named, scored["interviewers_thanked"].astype("float64") / met,
                           np.where((met >= 1) & ~contacted, 0.0, np.nan))
    table = pd.DataFrame({
        "contacted": contacted.astype(float),
        "same_day": (scored["first_contact_day"].astype("float64").to_numpy() == 0).astype(float),
        "first_contact_days": np.where(contacted, np.minimum(first_days, FIRST_CONTACT_CAP_DAYS),
                                       FIRST_CONTACT_CAP_DAYS),
        # Over at least a week, so two thank-yous on day 0 are not "14 a week".
        "contacts_per_week": contacts / np.maximum(watched_days, 7.0) * 7,
        "channels": scored["n_channels"].astype("float64").to_numpy(),
        "weekly_cadence": cadence,
        "interviewers_thanked": thanked,
        "unanswered_calls": scored["hangups"].astype("float64").to_numpy(),
        "busiest_week": scored["max_contacts_7d"].astype("float64").to_numpy(),
        "hang_up_burst": scored["burst_hangups"].astype("float64").to_numpy(),
    }, index=scored.index)
    table.loc[~held, :] = np.nan
    return table


def candidate_rows(rounds: pd.DataFrame) -> pd.DataFrame:
    """Transformer input from a scorer's round table (``ScoreResult.rounds`` or the rows of
    it that are shown): candidate, interview times, interviewers and decision time."""
    columns = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
    return rounds.reindex(columns=columns).reset_index(drop=True)


def _check_rows(X) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise FollowupError("FollowupFeatures needs a DataFrame with candidate_id and interview_at "
                            f"columns, got {type(X).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in X.columns]
    if missing:
        raise FollowupError(f"candidate rows need column(s) {', '.join(missing)}; "
                            f"they have: {', '.join(map(str, X.columns))}")
    return X


def _times(values: pd.Series, tz: str, column: str) -> pd.Series:
    times, reasons = parse_times(values.reset_index(drop=True), tz)
    bad = reasons.notna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise FollowupError(f"candidate rows: row {position + 1}, column {column!r}: {reasons.iloc[position]}")
    return times


def _interview_frame(rows: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The rows as an interview list the scorer understands, minus anything about the
    decision but its time (so the outcome can never become a feature)."""
    n = len(rows)
    missing_times = pd.Series(pd.NaT, index=range(n), dtype=UTC_NS)
    frame = pd.DataFrame({
        "candidate_id": rows["candidate_id"].astype(str).to_numpy(),
        "name": None,
        "interview_at": _times(rows["interview_at"], tz, "interview_at"),
        "interview_end": (_times(rows["interview_end"], tz, "interview_end")
                          if "interview_end" in rows else missing_times),
        "interviewers": (rows["interviewers"].astype(object).to_numpy()
                         if "interviewers" in rows else None),
        "decision": None,
        "decision_at": (_times(rows["decision_at"], tz, "decision_at")
                        if "decision_at" in rows else missing_times),
        "decision_due": missing_times,
        "row_position": np.arange(n),
    })
    if frame["interview_at"].isna().any():
        position = int(np.flatnonzero(frame["interview_at"].isna().to_numpy())[0])
        raise FollowupError(f"candidate rows: row {position + 1}, column 'interview_at' is empty")
    return frame


def _events_before_cutoff(events: pd.DataFrame, interviews: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The candidates' events up to their latest decision (or the as-of): nothing later can
    reach a feature, whatever a feature counts."""
    cutoff = interviews["decision_at"].fillna(as_of).clip(upper=as_of)
    latest = cutoff.groupby(interviews["candidate_id"]).max()
    code = positions_in(latest.index, events["candidate_id"])
    limit = latest.to_numpy(dtype="datetime64[ns]").view("int64")
    times = events["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    keep = (code >= 0) & (times <= limit[np.maximum(code, 0)])
    return events[keep]


def _event_frame(events, tz: str) -> pd.DataFrame:
    """The normalised event frame for any accepted way of giving the log."""
    if isinstance(events, Normalised):
        return events.frame
    if isinstance(events, (str, Path, list, tuple, pd.DataFrame)):
        return load_events(list(events) if isinstance(events, tuple) else events, tz=tz)
    raise FollowupError(f"events must be file path(s), a DataFrame or loaded events, got {type(events).__name__}")
