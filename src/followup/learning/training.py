"""Train a model on past outcomes and measure it honestly against the playbook score.

:func:`train` joins the outcomes to each labelled candidate's interview, computes the
behavioural features on the log cut at each decision, and then

* cross-validates the model with folds grouped by candidate (a candidate's rows never sit on
  both sides), reporting ROC AUC, average precision and the Brier score per fold;
* scores the rule-based playbook on the *same* folds: its 0–100 score ranks the test fold
  directly (AUC, average precision); for the Brier score it is turned into a probability by a
  one-variable logistic fit on the training fold, so both columns are judged alike;
* pools the test-fold predictions into a calibration table: per probability bin, the mean
  predicted probability next to the share of those candidates who really advanced;
* measures permutation importance on each test fold (how much the AUC drops when a feature
  is shuffled) and, for the logistic model, reads its coefficients;
* fits the final model on every labelled candidate.

It refuses to train, with the reason, on fewer than :data:`MIN_LABELS` labelled candidates,
or fewer than :data:`MIN_PER_CLASS` of either outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .. import __version__
from ..loading import Source, check_timezone, parse_as_of, read_events, read_interviews, reject_unknown_candidates
from ..errors import FollowupError, InvalidRowError
from ..rounds import build_rounds
from ..normalise import Normalised
from ..policy import load_policy
from .model import LearnedModel
from .outcomes import read_outcomes, reject_unknown_candidates as reject_unknown_outcomes
from .transformer import FEATURE_NAMES, FEATURES, FollowupFeatures, candidate_rows, feature_matrix

MODEL_TYPES = ("logistic", "gradient-boosting")
MIN_LABELS = 20
MIN_PER_CLASS = 5
# Below this many labels the fold-to-fold spread is wide: the report says so.
FEW_LABELS = 200
PERMUTATION_REPEATS = 10
# The gradient-boosting option's sigmoid calibration is fitted on this many stratified folds of
# the training candidates, fewer when the rarer outcome has fewer candidates than that.
CALIBRATION_FOLDS = 3
METRICS = {"roc_auc": "ROC AUC", "average_precision": "average precision", "brier": "Brier score"}


def make_estimator(model_type: str = "logistic", seed: int = 0) -> Pipeline:
    """The model that sits on the feature columns.

    ``logistic`` (default): median imputation of the features that can be undefined →
    standard scaling → L2-regularised logistic regression (C=0.5). Its probabilities are fitted
    to the log-loss, so they are calibrated as they come out; wrapping it in sigmoid calibration
    made them *worse* on small label counts (measured in ``docs/learned-scoring.md``), so it
    is not wrapped. ``gradient-boosting``: median imputation → shallow gradient-boosted trees
    wrapped in sigmoid calibration on :data:`CALIBRATION_FOLDS` stratified folds, since boosted
    trees' raw probabilities are not calibrated (the wrapper cut their measured calibration
    error by a quarter to two fifths).
    Every fit in :func:`train` sizes those folds to the labels it gets.
    """
    impute = SimpleImputer(strategy="median", keep_empty_features=True)
    if model_type == "logistic":
        return Pipeline([("impute", impute), ("scale", StandardScaler()),
                         ("model", LogisticRegression(C=0.5, max_iter=1000))])
    if model_type == "gradient-boosting":
        trees = GradientBoostingClassifier(n_estimators=150, max_depth=2, learning_rate=0.05,
                                           subsample=0.8, random_state=seed)
        return Pipeline([("impute", impute),
                         ("model", CalibratedClassifierCV(trees, method="sigmoid", cv=CALIBRATION_FOLDS))])
    raise FollowupError(f"unknown model type {model_type!r}; use {' or '.join(MODEL_TYPES)}")


@dataclass
class TrainingReport:
    """What :func:`train` returns: the model and the evidence for (or against) trusting it."""

    model: LearnedModel
    outcomes: Normalised
    labelled: pd.DataFrame
    folds: pd.DataFrame
    metrics: pd.DataFrame
    factors: pd.DataFrame
    calibration: pd.DataFrame
    calibration_noise: float
    notes: list[str] = field(default_factory=list)

    @property
    def calibration_error(self) -> float:
        """Expected calibration error of the cross-validated predictions: the mean gap between
        predicted probability and observed rate over the bins, weighted by candidates."""
        return expected_calibration_error(self.calibration)

    def text(self) -> str:
        """The report the ``followup train`` command prints."""
        return render_report(self)


def train(events: Source, interviews: Source, outcomes, *, policy=None, as_of=None, tz: str = "UTC",
          model_type: str = "logistic", folds: int = 5, seed: int = 0, strict: bool = False,
          sources=None) -> TrainingReport:
    """Fit a model of P(advance) on the follow-up of candidates with a known outcome.

    ``outcomes`` is a path or DataFrame with ``candidate_id, outcome[, decision_at]`` (see
    :func:`~followup.learning.outcomes.read_outcomes`) or an already read table. ``sources``
    (a :class:`followup.sources.SourceOptions`) reads vendor exports as :func:`followup.score` does.
    """
    tz = check_timezone(tz)
    rules = load_policy(policy)
    moment = parse_as_of(as_of, tz)
    estimator = make_estimator(model_type, seed)
    if folds < 2:
        raise FollowupError(f"--folds must be at least 2, got {folds}")
    loaded_interviews = read_interviews(interviews, tz=tz, strict=strict, sources=sources)
    loaded_events = reject_unknown_candidates(read_events(events, tz=tz, strict=strict, sources=sources),
                                              loaded_interviews, strict)
    labels = outcomes if isinstance(outcomes, Normalised) else read_outcomes(outcomes, tz=tz)

    rounds = build_rounds(loaded_interviews.frame, moment, tz)
    shortlist = rounds[rounds["is_shortlist_round"]]
    labels = reject_unknown_outcomes(labels, shortlist["candidate_id"],
                                     "candidate has no interview in the interview list")
    labels = reject_unknown_outcomes(labels, shortlist.loc[shortlist["held"], "candidate_id"],
                                     "interview is after the as-of time: no follow-up to learn from")
    labels = Normalised(labels.frame, labels.rejects.sort_values(["source_file", "source_row"], ignore_index=True),
                        labels.rows_read)
    if strict and len(labels.rejects):
        first = labels.rejects.iloc[0]
        raise InvalidRowError(first["source_file"], first["source_row"], first["column"], first["reason"])
    rows = candidate_rows(shortlist).merge(
        labels.frame[["candidate_id", "advanced", "decision_at"]].rename(columns={"decision_at": "decided_at"}),
        on="candidate_id", how="inner")
    notes = []
    undated = rows["decision_at"].isna() & rows["decided_at"].isna()
    if undated.any():
        notes.append(f"{int(undated.sum())} labelled candidate(s) have no decision time (neither in the "
                     "interviews nor in the outcomes): their log up to the as-of is used, which may "
                     "include follow-up after the decision")
    # The earliest known decision time closes the window: nothing later can leak in.
    rows["decision_at"] = pd.concat([rows["decision_at"], rows["decided_at"]], axis=1).min(axis=1)
    rows = rows.drop(columns="decided_at")
    y = rows["advanced"].to_numpy(bool).astype(int)
    _check_labels(y)

    transformer = FollowupFeatures(loaded_events, policy=rules, tz=tz, as_of=moment).fit(rows)
    scored = transformer.scored_rounds(rows)
    features = feature_matrix(scored)
    # A candidate the playbook cannot score yet (no contact, deadline not passed) ranks lowest.
    playbook = scored["score"].astype("float64").fillna(0.0).to_numpy()

    n_folds = int(min(folds, np.bincount(y).min()))
    if n_folds < folds:
        notes.append(f"{n_folds} folds instead of {folds}: each fold needs both outcomes")
    fold_rows, importance_rows, fold_of, predicted = _cross_validate(
        estimator, features, y, playbook, rows["candidate_id"], n_folds, seed)
    final = fit_estimator(estimator, features.to_numpy(float), y)
    with np.errstate(all="ignore"):
        reference = np.nanmedian(features.to_numpy(float), axis=0)
    folds_frame = pd.DataFrame(fold_rows)
    metrics = _summary(folds_frame, y)
    factors = _factors(final, model_type, pd.DataFrame(importance_rows), features)
    bins = 5 if len(y) < FEW_LABELS else 10
    calibration = calibration_table(predicted, y, bins)
    noise = calibration_noise(predicted, bins, seed)
    labelled = pd.concat([rows[["candidate_id"]], features,
                          pd.DataFrame({"playbook_score": playbook, "advanced": y.astype(bool),
                                        "fold": fold_of, "p_cross_validated": predicted},
                                       index=rows.index)], axis=1)
    trained = {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "followup_version": __version__, "as_of": moment.isoformat(), "tz": tz,
        "policy": rules.label, "labelled": int(len(y)), "advanced": int(y.sum()),
        "rejected": int(len(y) - y.sum()), "folds": n_folds, "seed": seed,
        "metrics": json_ready(metrics),
        "calibration_error": round(expected_calibration_error(calibration), 4),
        "calibration_noise": round(noise, 4),
    }
    model = LearnedModel(estimator=final, model_type=model_type, policy=rules,
                         reference=reference, trained=trained)
    return TrainingReport(model=model, outcomes=labels, labelled=labelled, folds=folds_frame,
                          metrics=metrics, factors=factors, calibration=calibration,
                          calibration_noise=noise, notes=notes)


def _check_labels(y: np.ndarray) -> None:
    counts = np.bincount(y, minlength=2)
    if len(y) < MIN_LABELS:
        raise FollowupError(f"refusing to train: {len(y)} labelled candidate(s) with a held interview; "
                            f"at least {MIN_LABELS} are needed (a few hundred for figures you can trust)")
    if counts.min() == 0:
        only = "advanced" if counts[1] else "rejected"
        raise FollowupError(f"refusing to train: all {len(y)} labelled candidates are {only}; "
                            "a model needs both outcomes")
    if counts.min() < MIN_PER_CLASS:
        fewer = "advanced" if counts[1] < counts[0] else "rejected"
        raise FollowupError(f"refusing to train: only {counts.min()} {fewer} candidate(s); at least "
                            f"{MIN_PER_CLASS} of each outcome are needed")


def fit_estimator(estimator, X: np.ndarray, y: np.ndarray):
    """A fresh copy of ``estimator`` fitted on ``X, y``, its calibration folds (if it has any)
    no more than the rarer outcome's count, so every fold holds both outcomes."""
    fitted = clone(estimator)
    if "model__cv" in fitted.get_params():
        fitted.set_params(model__cv=int(min(CALIBRATION_FOLDS, np.bincount(y, minlength=2).min())))
    return fitted.fit(X, y)


def _cross_validate(estimator, features: pd.DataFrame, y, playbook, groups, n_folds: int, seed: int):
    """Per-fold metrics of the model and the playbook score, per-fold importances, each row's
    fold and its test-fold (cross-validated) probability."""
    X = features.to_numpy(float)
    splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    fold_rows, importance_rows = [], []
    fold_of = np.zeros(len(y), dtype=int)
    predicted = np.full(len(y), np.nan)
    for fold, (train_at, test_at) in enumerate(splitter.split(X, y, groups=groups.astype(str)), start=1):
        fold_of[test_at] = fold
        fitted = fit_estimator(estimator, X[train_at], y[train_at])
        p = predicted[test_at] = fitted.predict_proba(X[test_at])[:, 1]
        rule = playbook[test_at]
        platt = LogisticRegression().fit(playbook[train_at].reshape(-1, 1), y[train_at])
        rule_p = platt.predict_proba(rule.reshape(-1, 1))[:, 1]
        both = len(np.unique(y[test_at])) == 2
        fold_rows.append({
            "fold": fold, "candidates": len(test_at), "advanced": int(y[test_at].sum()),
            "model_roc_auc": roc_auc_score(y[test_at], p) if both else np.nan,
            "model_average_precision": average_precision_score(y[test_at], p) if both else np.nan,
            "model_brier": brier_score_loss(y[test_at], p),
            "playbook_roc_auc": roc_auc_score(y[test_at], rule) if both else np.nan,
            "playbook_average_precision": average_precision_score(y[test_at], rule) if both else np.nan,
            "playbook_brier": brier_score_loss(y[test_at], rule_p),
        })
        if both:
            shuffled = permutation_importance(fitted, X[test_at], y[test_at], scoring="roc_auc",
                                              n_repeats=PERMUTATION_REPEATS, random_state=seed)
            importance_rows.extend({"feature": name, "fold": fold, "importance": value}
                                   for name, value in zip(FEATURE_NAMES, shuffled.importances_mean))
    return fold_rows, importance_rows, fold_of, predicted


def calibration_table(predicted: np.ndarray, advanced: np.ndarray, bins: int) -> pd.DataFrame:
    """Per equal-width probability bin: how many candidates, their mean predicted probability
    and the share who advanced. A calibrated model has the two close in every well-filled bin."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    frame = pd.DataFrame({"bin": _bin_of(predicted, bins), "predicted": predicted,
                          "observed": advanced.astype(float)})
    table = frame.groupby("bin").agg(candidates=("predicted", "size"), predicted=("predicted", "mean"),
                                     observed=("observed", "mean")).reindex(range(bins))
    table["candidates"] = table["candidates"].fillna(0).astype(int)
    table.insert(0, "upper", edges[1:])
    table.insert(0, "lower", edges[:-1])
    return table.reset_index(drop=True)


def calibration_noise(predicted: np.ndarray, bins: int, seed: int = 0, draws: int = 1000) -> float:
    """The expected calibration error that perfectly calibrated probabilities would still show
    on this many candidates, from sampling noise alone: outcomes are drawn with exactly the
    predicted probabilities, ``draws`` times, and the error averaged."""
    which = _bin_of(predicted, bins)
    counts = np.bincount(which, minlength=bins)
    mean_predicted = np.bincount(which, weights=predicted, minlength=bins) / np.maximum(counts, 1)
    outcomes = np.random.default_rng(seed).random((draws, len(predicted))) < predicted
    advanced = outcomes.astype(float) @ np.eye(bins)[which]  # per draw, advanced per bin
    gaps = np.abs(mean_predicted - advanced / np.maximum(counts, 1))
    return float((gaps @ counts).mean() / len(predicted))


def _bin_of(predicted: np.ndarray, bins: int) -> np.ndarray:
    """Each probability's equal-width bin (1.0 falls in the last)."""
    return np.clip((predicted * bins).astype(int), 0, bins - 1)


def expected_calibration_error(table: pd.DataFrame) -> float:
    """The candidates-weighted mean of |predicted − observed| over the bins of a calibration table."""
    weight = table["candidates"] / table["candidates"].sum()
    return float((weight * (table["predicted"] - table["observed"]).abs()).sum())


def _summary(folds: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """Mean and spread (standard deviation over folds) of each metric, with chance levels."""
    share = float(y.mean())
    chance = {"roc_auc": 0.5, "average_precision": share, "brier": share * (1 - share)}
    rows = []
    for key, label in METRICS.items():
        rows.append({
            "metric": label,
            "model_mean": folds[f"model_{key}"].mean(), "model_std": folds[f"model_{key}"].std(ddof=0),
            "playbook_mean": folds[f"playbook_{key}"].mean(),
            "playbook_std": folds[f"playbook_{key}"].std(ddof=0),
            "chance": chance[key],
            "better": "lower" if key == "brier" else "higher",
        })
    return pd.DataFrame(rows).set_index("metric")


def _factors(final, model_type: str, importances: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Per feature: permutation importance over folds and, for the logistic model, the
    coefficient per standard deviation and its odds ratio."""
    table = pd.DataFrame({"feature": FEATURE_NAMES, "meaning": [FEATURES[n] for n in FEATURE_NAMES]})
    if len(importances):
        by_feature = importances.groupby("feature")["importance"]
        table["importance_mean"] = table["feature"].map(by_feature.mean())
        table["importance_std"] = table["feature"].map(by_feature.std(ddof=0))
    else:
        table["importance_mean"] = table["importance_std"] = np.nan
    if model_type == "logistic":
        coefficients = final.named_steps["model"].coef_[0]
        table["coefficient"] = coefficients
        table["odds_ratio_per_sd"] = np.exp(coefficients)
        table["one_sd"] = final.named_steps["scale"].scale_
    table["spread_in_data"] = features.std(ddof=0).to_numpy()
    return table.sort_values("importance_mean", ascending=False, kind="stable").reset_index(drop=True)


def json_ready(metrics: pd.DataFrame) -> dict:
    """The metrics table as plain numbers, for the model file's provenance."""
    return {metric: {key: (round(float(v), 4) if isinstance(v, (int, float, np.floating)) else v)
                     for key, v in row.items()}
            for metric, row in metrics.to_dict(orient="index").items()}


def render_report(report: TrainingReport) -> str:
    """The training report in plain words."""
    t = report.model.trained
    counts = report.outcomes.counts
    lines = [
        f"{report.model.model_type} model on {t['labelled']} labelled candidates "
        f"({t['advanced']} advanced, {t['rejected']} rejected) · policy {t['policy']} · as of {t['as_of']}",
        f"outcomes: rows read {counts['rows_read']} = used {counts['rows_used']} + duplicates "
        f"{counts['duplicates']} + rejected {counts['rejected']}",
    ]
    rejects = report.outcomes.rejects
    for row in rejects.head(10).itertuples(index=False):
        lines.append(f"  {row.source_file} row {row.source_row}: {row.reason}")
    if len(rejects) > 10:
        lines.append(f"  … and {len(rejects) - 10} more (write them all with --rejects FILE)")
    lines += [f"note: {note}" for note in report.notes]
    lines += ["", f"cross-validated on {t['folds']} folds grouped by candidate (mean ± spread over folds):",
              f"  {'':<19}{'learned model':>16}{'playbook score':>17}{'chance':>9}"]
    for metric, row in report.metrics.iterrows():
        hint = "  (lower is better)" if row["better"] == "lower" else ""
        lines.append(f"  {metric:<19}{_pm(row['model_mean'], row['model_std']):>16}"
                     f"{_pm(row['playbook_mean'], row['playbook_std']):>17}{row['chance']:>9.2f}{hint}")
    if t["labelled"] < FEW_LABELS:
        lines.append(f"  only {t['labelled']} labels: expect a wide spread; a few hundred labelled "
                     "candidates give figures to rely on")
    lines += ["", "calibration of the cross-validated probabilities: expected calibration error "
              f"{report.calibration_error:.2f}",
              f"(perfectly calibrated probabilities would show about {report.calibration_noise:.2f} "
              f"on {t['labelled']} candidates, by chance alone)",
              f"  {'P(advance)':<12}{'candidates':>11}{'predicted':>11}{'advanced':>10}"]
    shown = report.calibration[["predicted", "observed"]].map("{:.2f}".format).where(
        report.calibration["candidates"] > 0, "—")
    for row, text in zip(report.calibration.itertuples(index=False), shown.itertuples(index=False)):
        lines.append(f"  {row.lower:.1f}–{row.upper:.1f}     {row.candidates:>11}{text.predicted:>11}{text.observed:>10}")
    lines += ["", "what moves the prediction (importance: drop in test-fold AUC when the feature is shuffled):"]
    for row in report.factors.itertuples(index=False):
        words = f"  {row.meaning}: importance {_pm(row.importance_mean, row.importance_std, 3)}"
        if "coefficient" in report.factors and np.isfinite(row.coefficient) and row.spread_in_data > 0:
            direction = "more goes with advancing" if row.coefficient > 0 else "more goes with rejection"
            words += (f"; {direction}, odds ×{row.odds_ratio_per_sd:.2f} per {row.one_sd:.2g} "
                      "(one standard deviation)")
        elif row.spread_in_data == 0:
            words += "; the same for every labelled candidate, so it cannot matter"
        lines.append(words)
    return "\n".join(lines)


def _pm(mean: float, spread: float, digits: int = 2) -> str:
    if not np.isfinite(mean):
        return "n/a"
    return f"{mean:.{digits}f} ± {spread:.{digits}f}"
