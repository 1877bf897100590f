"""A trained model and what it says about each candidate: ``p_advance`` and ``top_factors``.

:class:`LearnedModel` is the estimator fitted on the :data:`~followup.learning.transformer.FEATURES`
columns plus what is needed to use it again: the policy the features were computed under and
each feature's typical (median) training value.

``top_factors`` says which facts moved a candidate's probability most, and by how much: for
each feature, the probability is recomputed with that feature set to its typical value, and
the difference (in percentage points) is the feature's effect. It works the same for every
model type, and reads "compared with a typical candidate".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..normalise import Normalised
from ..policy import Policy
from ..schema import FACTOR_SEPARATOR
from ..textcolumns import join
from .transformer import FEATURE_NAMES, FIRST_CONTACT_CAP_DAYS, FollowupFeatures, candidate_rows

# Effects that round to 0 percentage points are left out: they are not a reason.
TOP_FACTORS = 3


@dataclass
class LearnedModel:
    """A fitted estimator over the feature columns, with the policy and reference values."""

    estimator: object
    model_type: str
    policy: Policy
    reference: np.ndarray
    trained: dict = field(default_factory=dict)
    feature_names: tuple[str, ...] = FEATURE_NAMES

    def probabilities(self, features: pd.DataFrame) -> np.ndarray:
        """P(advance) for each row of a feature table; NaN where the row has no follow-up
        window yet (its interview is after the as-of)."""
        values = features.loc[:, list(self.feature_names)].to_numpy(dtype=float)
        return self._predict(values, np.isnan(values).all(axis=1))

    def explain(self, features: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
        """``p_advance`` and the ``top_factors`` text (joined with ``schema.FACTOR_SEPARATOR``) for each row."""
        values = features.loc[:, list(self.feature_names)].to_numpy(dtype=float)
        unheld = np.isnan(values).all(axis=1)
        probability = self._predict(values, unheld)
        effects = np.empty_like(values)
        for j in range(values.shape[1]):  # one prediction per feature column, over all rows
            typical = values.copy()
            typical[:, j] = self.reference[j]
            effects[:, j] = probability - self._predict(typical, unheld)
        phrases = np.column_stack([phrase(name, features[name], self.policy).to_numpy(dtype=object)
                                   for name in self.feature_names])
        against = against_playbook(self.feature_names, values, self.reference, effects, self.policy)
        return probability, pd.Series(_top_factors(effects, phrases, against), index=features.index)

    def annotate(self, candidates: pd.DataFrame, rounds: pd.DataFrame, events: pd.DataFrame,
                 as_of: pd.Timestamp, tz: str) -> pd.DataFrame:
        """``candidates`` (a ranked result frame) with ``p_advance`` and ``top_factors``.

        Features are computed under the model's own policy on each shown round, with the
        window cut at its decision like in training.
        """
        shown = candidates[["candidate_id", "round_number"]].merge(
            rounds, on=["candidate_id", "round_number"], how="left")
        transformer = FollowupFeatures(Normalised(events), policy=self.policy, tz=tz, as_of=as_of)
        features = transformer.set_output(transform="pandas").fit_transform(candidate_rows(shown))
        probability, factors = self.explain(features)
        annotated = candidates.copy()
        annotated["p_advance"] = np.round(probability, 3)
        annotated["top_factors"] = factors.to_numpy()
        return annotated

    def _predict(self, values: np.ndarray, unheld: np.ndarray) -> np.ndarray:
        probability = np.full(len(values), np.nan)
        if (~unheld).any():
            probability[~unheld] = self.estimator.predict_proba(values[~unheld])[:, 1]
        return probability


# Which way the playbook counts more of each feature: +1 rewards it, -1 holds it against a
# candidate, 0 neither (contacts a week count for persistence until they become too frequent).
PLAYBOOK_DIRECTION = {"contacted": 1, "same_day": 1, "first_contact_days": -1, "contacts_per_week": 0,
                      "channels": 1, "weekly_cadence": 1, "interviewers_thanked": 1,
                      "unanswered_calls": -1, "busiest_week": -1, "hang_up_burst": -1}
AGAINST_PLAYBOOK = {1: "the playbook counts this in a candidate's favour",
                    -1: "the playbook counts this against a candidate"}


def _plural(v: pd.Series, one: str, many: str) -> pd.Series:
    """``one`` where the value as shown (to one decimal) is exactly 1, else ``many``."""
    return pd.Series(np.where(v.round(1) == 1, one, many), index=v.index)


def phrase(name: str, values: pd.Series, policy: Policy | None = None) -> pd.Series:
    """A feature's value in a manager's words, e.g. ``"first contact after 2.5 days"``,
    ``"3 channels"``, ``"a burst of 4 unanswered calls within 60 min"``."""
    v = values.astype("float64")
    number = v.round(1).astype(str).str.removesuffix(".0")
    whole = v.round(0).astype("Int64").astype(str)
    percent = (v * 100).round(0).astype("Int64").astype(str) + "%"
    restraint = policy.restraint if policy is not None else None
    burst_count = restraint.burst_count if restraint else 3
    burst_minutes = f"{restraint.burst_minutes if restraint else 60:g}"
    words = {
        "contacted": pd.Series(np.where(v > 0, "made contact", "no contact at all"), index=v.index),
        "same_day": pd.Series(np.where(v > 0, "thank-you the same day", "nothing the same day"), index=v.index),
        "first_contact_days": pd.Series(np.where(
            v >= FIRST_CONTACT_CAP_DAYS, "no first contact",
            "first contact after " + number + _plural(v, " day", " days")), index=v.index),
        "contacts_per_week": number + _plural(v, " contact a week", " contacts a week"),
        "channels": pd.Series(np.where(v > 0, whole + _plural(v, " channel", " channels"), "no channel used"),
                              index=v.index),
        "weekly_cadence": "in touch in " + percent + " of the weeks",
        "interviewers_thanked": "thanked " + percent + " of the interviewers",
        "unanswered_calls": pd.Series(np.where(v > 0, whole + _plural(v, " unanswered call", " unanswered calls"),
                                               "no unanswered calls"), index=v.index),
        "busiest_week": pd.Series(np.where(v > 0, "at most " + whole + _plural(v, " contact", " contacts")
                                           + " in any 7 days", "nothing beyond the thank-you notes"), index=v.index),
        "hang_up_burst": pd.Series(np.select(
            [(v >= burst_count).to_numpy(), (v > 0).to_numpy()],
            [("a burst of " + whole + f" unanswered calls within {burst_minutes} min").to_numpy(dtype=object),
             f"no burst of unanswered calls (fewer than {burst_count} within {burst_minutes} min)"],
            "no unanswered calls"), index=v.index),
    }[name]
    return words.where(v.notna())


def against_playbook(names, values: np.ndarray, reference: np.ndarray, effects: np.ndarray,
                     policy: Policy) -> np.ndarray:
    """For each row and feature, the playbook's direction (+1/-1) where the model moved the
    probability the other way — more of what the playbook rewards lowering it, or more of what
    it holds against a candidate raising it — else 0. What the playbook forgives (one stray
    unanswered call, two contacts in a week, fewer calls than a burst) is not held against."""
    r = policy.restraint
    forgiven = {"unanswered_calls": r.hangups_forgiven, "busiest_week": r.max_contacts_per_window,
                "hang_up_burst": r.burst_count - 1}
    direction = np.array([PLAYBOOK_DIRECTION.get(name, 0) for name in names])
    limit = np.array([forgiven.get(name, -np.inf) for name in names], dtype=float)
    counted = ~((direction < 0) & ~(np.nan_to_num(values, nan=-np.inf) > limit))
    more = np.sign(np.nan_to_num(values - reference))
    moved = np.sign(np.round(np.nan_to_num(effects) * 100))
    return np.where((more * moved * direction < 0) & counted, direction, 0)


def _top_factors(effects: np.ndarray, phrases: np.ndarray, against: np.ndarray | None = None) -> np.ndarray:
    """The ``TOP_FACTORS`` largest effects of each row as ``"phrase (+12 points)"`` texts, with
    ``— the playbook counts this against a candidate`` where the model disagrees with it."""
    against = np.zeros(effects.shape, dtype=np.int64) if against is None else against
    size = np.nan_to_num(np.abs(effects), nan=0.0)
    order = np.argsort(-size, axis=1, kind="stable")[:, :TOP_FACTORS]
    parts = []
    for k in range(order.shape[1]):  # a handful of ranks, each over all rows
        column = order[:, k:k + 1]
        effect = np.take_along_axis(effects, column, axis=1)[:, 0]
        text = pd.Series(np.take_along_axis(phrases, column, axis=1)[:, 0], dtype=object)
        disagrees = pd.Series(np.take_along_axis(against, column, axis=1)[:, 0])
        note = disagrees.map({1: " — " + AGAINST_PLAYBOOK[1], -1: " — " + AGAINST_PLAYBOOK[-1]}).fillna("")
        points = pd.Series(np.round(np.nan_to_num(effect) * 100)).astype(int)
        shown = (points.abs() >= 1).to_numpy() & text.notna().to_numpy()
        unit = pd.Series(np.where(points.abs() == 1, " point", " points"))
        labelled = text.fillna("") + " (" + points.map("{:+d}".format) + unit + note + ")"
        parts.append(pa.array(labelled.where(shown).to_numpy(dtype=object), type=pa.string(), from_pandas=True))
    if not parts:
        return np.full(len(effects), "", dtype=object)
    return np.asarray(pc.fill_null(join(parts, FACTOR_SEPARATOR), "").to_numpy(zero_copy_only=False), dtype=object)
