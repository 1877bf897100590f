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
from ..reasons import join
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
        """``p_advance`` and the ``top_factors`` text (``"; "``-joined) for each row."""
        values = features.loc[:, list(self.feature_names)].to_numpy(dtype=float)
        unheld = np.isnan(values).all(axis=1)
        probability = self._predict(values, unheld)
        effects = np.empty_like(values)
        for j in range(values.shape[1]):  # one prediction per feature column, over all rows
            typical = values.copy()
            typical[:, j] = self.reference[j]
            effects[:, j] = probability - self._predict(typical, unheld)
        phrases = np.column_stack([phrase(name, features[name]).to_numpy(dtype=object)
                                   for name in self.feature_names])
        return probability, pd.Series(_top_factors(effects, phrases), index=features.index)

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


def phrase(name: str, values: pd.Series) -> pd.Series:
    """A feature's value in words, e.g. ``"first contact after 2.5 days"``."""
    v = values.astype("float64")
    number = v.round(1).astype(str).str.removesuffix(".0")
    whole = v.round(0).astype("Int64").astype(str)
    percent = (v * 100).round(0).astype("Int64").astype(str) + "%"
    words = {
        "contacted": pd.Series(np.where(v > 0, "made contact", "no contact"), index=v.index),
        "same_day": pd.Series(np.where(v > 0, "same-day thank-you", "no same-day contact"), index=v.index),
        "first_contact_days": pd.Series(np.where(
            v >= FIRST_CONTACT_CAP_DAYS, "no first contact", "first contact after " + number + " days"),
            index=v.index),
        "contacts_per_week": number + " contacts a week",
        "channels": whole + " channel(s)",
        "weekly_cadence": "contact in " + percent + " of cadence periods",
        "interviewers_thanked": "thanked " + percent + " of interviewers",
        "unanswered_calls": whole + " unanswered call(s)",
        "busiest_week": pd.Series(np.where(v > 0, "up to " + whole + " follow-ups in 7 days",
                                           "no follow-up beyond the thank-yous"), index=v.index),
        "hang_up_burst": whole + " unanswered calls in a burst",
    }[name]
    return words.where(v.notna())


def _top_factors(effects: np.ndarray, phrases: np.ndarray) -> np.ndarray:
    """The ``TOP_FACTORS`` largest effects of each row as ``"phrase (+12 pts)"`` texts."""
    size = np.nan_to_num(np.abs(effects), nan=0.0)
    order = np.argsort(-size, axis=1, kind="stable")[:, :TOP_FACTORS]
    parts = []
    for k in range(order.shape[1]):  # a handful of ranks, each over all rows
        column = order[:, k:k + 1]
        effect = np.take_along_axis(effects, column, axis=1)[:, 0]
        text = pd.Series(np.take_along_axis(phrases, column, axis=1)[:, 0], dtype=object)
        points = pd.Series(np.round(np.nan_to_num(effect) * 100)).astype(int)
        shown = (points.abs() >= 1).to_numpy() & text.notna().to_numpy()
        labelled = text.fillna("") + " (" + points.map("{:+d}".format) + " pts)"
        parts.append(pa.array(labelled.where(shown).to_numpy(dtype=object), type=pa.string(), from_pandas=True))
    if not parts:
        return np.full(len(effects), "", dtype=object)
    return np.asarray(pc.fill_null(join(parts, "; "), "").to_numpy(zero_copy_only=False), dtype=object)
