"""Learned scoring: the transformer, outcomes, training, model files and the CLI.

The honest tests use the seeded synthetic generator: outcomes there depend on each
candidate's follow-up behaviour plus noise, so a model must beat chance clearly — and must
not when the same labels are shuffled at random.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate
from sklearn.pipeline import Pipeline

import followup
from followup import datasets
from followup.cli import main
from followup.errors import FollowupError
from followup.learning import (
    FEATURE_NAMES, TRUSTED_TYPES, FollowupFeatures, load_model, make_estimator, needed_types, read_outcomes,
    save_model, train,
)
from followup.learning.training import calibration_table, expected_calibration_error

from conftest import SAMPLE_ARGS, SAMPLE_AS_OF, SAMPLE_DATA, SAMPLE_TZ, day, ev, make_events



@pytest.fixture(scope="module")
def cohort():
    events, interviews = datasets.make_followups(300, seed=11, with_archetype=True)
    labels = datasets.make_outcomes(interviews, seed=11)
    return events, interviews.drop(columns="archetype"), labels, datasets.default_as_of(interviews)


@pytest.fixture(scope="module")
def report(cohort):
    events, interviews, labels, as_of = cohort
    return train(events, interviews, labels, as_of=as_of, folds=4, seed=0)


@pytest.fixture(scope="module")
def trained_models(cohort):
    """Both model types on the synthetic cohort (3 folds, to keep the suite fast)."""
    events, interviews, labels, as_of = cohort
    return {model_type: train(events, interviews, labels, as_of=as_of, folds=3, model_type=model_type)
            for model_type in ("logistic", "gradient-boosting")}


@pytest.fixture(scope="module")
def model_files(trained_models, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    return {model_type: save_model(trained.model, folder / f"{model_type}.skops")
            for model_type, trained in trained_models.items()}


@pytest.fixture(scope="module")
def sample_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.skops"
    result = CliRunner().invoke(main, ["train", *SAMPLE_ARGS, "--outcomes",
                                       str(SAMPLE_DATA / "outcomes.csv"), "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path, result.output


# --- honest evaluation -------------------------------------------------------------------------

def test_model_beats_chance_when_outcomes_depend_on_follow_up(report):
    auc = report.metrics.loc["ROC AUC"]
    assert auc["model_mean"] > 0.7
    assert auc["model_mean"] - 2 * auc["model_std"] > 0.5
    assert report.metrics.loc["Brier score", "model_mean"] < report.metrics.loc["Brier score", "chance"]


def test_model_is_at_chance_on_shuffled_labels(cohort):
    events, interviews, labels, as_of = cohort
    shuffled = labels.assign(outcome=np.random.default_rng(5).permutation(labels["outcome"].to_numpy()))
    noise = train(events, interviews, shuffled, as_of=as_of, folds=4, seed=0)
    assert abs(noise.metrics.loc["ROC AUC", "model_mean"] - 0.5) < 0.1


def test_playbook_score_is_measured_on_the_same_folds(report):
    folds = report.folds
    assert len(folds) == 4 and folds["candidates"].sum() == report.model.trained["labelled"]
    assert folds[["playbook_roc_auc", "playbook_average_precision", "playbook_brier"]].notna().all().all()
    # the playbook also encodes behaviour the synthetic employer rewards
    assert report.metrics.loc["ROC AUC", "playbook_mean"] > 0.6
    assert set(report.labelled["fold"]) == {1, 2, 3, 4}


def test_report_explains_the_model_in_words(report):
    text = report.text()
    for words in ("ROC AUC", "average precision", "Brier score", "learned model", "playbook score",
                  "±", "odds ×", "importance"):
        assert words in text
    assert list(report.factors["feature"].sort_values()) == sorted(FEATURE_NAMES)


def test_cross_validated_probabilities_are_calibrated(report, trained_models):
    # Sampling noise alone gives perfectly calibrated probabilities an expected calibration
    # error of about 0.05 on 300 candidates in 10 bins (95th percentile 0.076); measured 0.053
    # (logistic, 4 folds) and 0.08 (gradient boosting, 3 folds).
    table = report.calibration
    assert len(table) == 10 and table["candidates"].sum() == report.model.trained["labelled"]
    assert 0.03 < report.calibration_noise < 0.07
    assert report.calibration_error < 0.10
    filled = table[table["candidates"] >= 30]
    assert len(filled) >= 3 and ((filled["predicted"] - filled["observed"]).abs() < 0.12).all()
    assert trained_models["gradient-boosting"].calibration_error < 0.12
    # the same check flags probabilities that rank as well but are not calibrated
    predicted, advanced = report.labelled["p_cross_validated"], report.labelled["advanced"]
    assert expected_calibration_error(calibration_table(predicted.to_numpy() ** 3, advanced.to_numpy(), 10)) > 0.15


def test_calibration_table_is_printed_next_to_the_brier_score(report):
    lines = report.text().splitlines()
    brier = next(i for i, line in enumerate(lines) if line.strip().startswith("Brier score"))
    heading = next(i for i, line in enumerate(lines) if line.startswith("calibration of the cross-validated"))
    assert 0 < heading - brier <= 3
    assert lines[heading].endswith(f"expected calibration error {report.calibration_error:.2f}")
    assert f"would show about {report.calibration_noise:.2f} on 300 candidates" in lines[heading + 1]
    assert lines[heading + 2].split() == ["P(advance)", "candidates", "predicted", "advanced"]
    rows = [line.split() for line in lines[heading + 3:heading + 13]]
    assert [row[0] for row in rows] == [f"{k / 10:.1f}–{(k + 1) / 10:.1f}" for k in range(10)]
    table = report.calibration
    assert [int(row[1]) for row in rows] == table["candidates"].tolist()
    assert [float(row[2]) for row in rows if row[2] != "—"] == pytest.approx(
        table["predicted"].dropna().to_numpy(), abs=0.005)


def test_refuses_too_few_labels_and_a_single_class(cohort):
    events, interviews, labels, as_of = cohort
    with pytest.raises(FollowupError, match="refusing to train: 12 labelled candidate"):
        train(events, interviews, labels.head(12), as_of=as_of)
    with pytest.raises(FollowupError, match="all 60 labelled candidates are advanced"):
        train(events, interviews, labels.head(60).assign(outcome="hired"), as_of=as_of)


# --- the transformer ---------------------------------------------------------------------------

def _two_candidates():
    events = make_events(
        ev(day(0, "19:00"), contact="Dana Whitfield"), ev(day(7), "phone"),
        ev(day(14)), ev(day(2), candidate_id="B"))
    rows = pd.DataFrame({"candidate_id": ["B", "A"], "interview_at": [day(0, "10:00")] * 2,
                         "interview_end": [day(0, "11:00")] * 2},
                        index=pd.Index([10, 20], name="applicant"))
    return events, rows


def test_transformer_keeps_rows_order_and_index_with_pandas_output():
    events, rows = _two_candidates()
    features = FollowupFeatures(events, as_of=day(30)).set_output(transform="pandas")
    table = features.fit_transform(rows)
    assert list(table.columns) == list(features.get_feature_names_out()) == list(FEATURE_NAMES)
    assert list(table.index) == [10, 20]
    assert table.loc[20, "channels"] == 2 and table.loc[10, "channels"] == 1
    assert table.loc[20, "same_day"] == 1 and table.loc[10, "first_contact_days"] == pytest.approx(2.04, abs=0.01)
    plain = FollowupFeatures(events, as_of=day(30)).fit_transform(rows)
    assert isinstance(plain, np.ndarray) and plain.shape == (2, len(FEATURE_NAMES))


def test_transformer_ignores_events_after_the_decision_and_the_decision_itself():
    events, rows = _two_candidates()
    decided = rows.assign(decision_at=day(10), decision=["hired", "rejected"])
    base = FollowupFeatures(events, as_of=day(30)).set_output(transform="pandas").fit_transform(decided)
    flipped = decided.assign(decision=["rejected", "hired"])
    later = make_events(*[ev(day(n), channel) for n in (11, 12, 13) for channel in ("sms", "linkedin")],
                        ev(day(0, "19:00"), contact="Dana Whitfield"), ev(day(7), "phone"),
                        ev(day(14)), ev(day(2), candidate_id="B"))
    after = FollowupFeatures(later, as_of=day(30)).set_output(transform="pandas")
    pd.testing.assert_frame_equal(after.fit_transform(decided), base)
    pd.testing.assert_frame_equal(
        FollowupFeatures(events, as_of=day(30)).set_output(transform="pandas").fit_transform(flipped), base)
    # the same extra events *before* the decision do change the features
    earlier = make_events(*[ev(day(n), channel) for n in (8, 9) for channel in ("sms", "linkedin")],
                          ev(day(0, "19:00"), contact="Dana Whitfield"), ev(day(2), candidate_id="B"))
    moved = FollowupFeatures(earlier, as_of=day(30)).set_output(transform="pandas").fit_transform(decided)
    assert moved.loc[20, "channels"] > base.loc[20, "channels"]


def test_an_interview_after_the_as_of_gives_an_empty_row():
    events, rows = _two_candidates()
    rows.loc[10, "interview_at"], rows.loc[10, "interview_end"] = day(40, "10:00"), day(40, "11:00")
    table = FollowupFeatures(events, as_of=day(30)).set_output(transform="pandas").fit_transform(rows)
    assert table.loc[10].isna().all() and table.loc[20].notna().any()


def test_transformer_works_in_pipeline_cross_validate_and_grid_search(cohort):
    events, interviews, labels, as_of = cohort
    rows = interviews[["candidate_id", "interview_at", "interview_end", "interviewers", "decision_at"]]
    y = labels["outcome"].eq("advanced").astype(int).to_numpy()
    pipeline = Pipeline([("features", FollowupFeatures(followup.load_events(events), as_of=as_of)),
                         ("model", make_estimator())])
    assert clone(pipeline).get_params()["features__as_of"] == as_of
    scores = cross_validate(pipeline, rows, y, groups=rows["candidate_id"], cv=GroupKFold(3),
                            scoring=["roc_auc", "neg_brier_score"])
    assert len(scores["test_roc_auc"]) == 3 and (scores["test_roc_auc"] > 0.6).all()
    search = GridSearchCV(pipeline, {"model__model__C": [0.05, 1.0]}, cv=3, scoring="roc_auc").fit(rows, y)
    assert search.best_params_["model__model__C"] in (0.05, 1.0)
    assert search.predict_proba(rows.head(5)).shape == (5, 2)


# --- outcomes ----------------------------------------------------------------------------------

def test_outcome_spellings_and_rejected_rows(tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text("Candidate,Status,Decided at\nA,Offer Extended,2026-03-20\nB,not selected,\n"
                    "C,Withdrawn,\nD,maybe,\nE,HIRED,yesterday\nA,rejected,\n,hired,\n", encoding="utf-8")
    table = read_outcomes(path)
    assert table.frame[["candidate_id", "outcome"]].values.tolist() == [["A", "advanced"], ["B", "rejected"]]
    assert table.counts == {"rows_read": 7, "rows_used": 2, "duplicates": 0, "rejected": 5}
    reasons = dict(zip(table.rejects["source_row"], table.rejects["reason"]))
    assert "no hiring decision was taken" in reasons[3]
    assert "unknown outcome 'maybe'" in reasons[4]
    assert reasons[6] == "candidate already has an outcome on row 1"
    assert reasons[7] == "missing candidate_id"
    assert table.rejects.set_index("source_row").loc[5, "column"] == "decision_at"


def test_strict_training_stops_at_the_first_bad_outcome_row(cohort):
    events, interviews, labels, as_of = cohort
    bad = labels.astype({"outcome": object})
    bad.loc[40, "outcome"] = "on hold"
    with pytest.raises(FollowupError, match=r"row 41, column 'outcome': 'on hold' says no hiring decision was taken"):
        train(events, interviews, bad, as_of=as_of, strict=True)


def test_outcomes_without_a_candidate_column_are_refused(tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text("who,outcome\nA,hired\n", encoding="utf-8")
    with pytest.raises(FollowupError, match="outcomes need column.*candidate_id"):
        read_outcomes(path)


# --- model files -------------------------------------------------------------------------------

@pytest.mark.parametrize("model_type", ["logistic", "gradient-boosting"])
def test_saved_model_gives_identical_predictions(cohort, trained_models, model_files, model_type):
    events, interviews, labels, as_of = cohort
    trained = trained_models[model_type]
    assert trained.metrics.loc["ROC AUC", "model_mean"] > 0.65
    path = model_files[model_type]
    loaded = load_model(path)  # with exactly this model type's trusted types
    direct = followup.score(events, interviews, as_of=as_of, model=trained.model).candidates
    again = followup.score(events, interviews, as_of=as_of, model=followup.load_model(path)).candidates
    # The learning layer sits above scoring: score takes the loaded model, not its file.
    with pytest.raises(followup.FollowupError, match="load_model"):
        followup.score(events, interviews, as_of=as_of, model=path)
    assert loaded.model_type == model_type and loaded.policy == trained.model.policy
    np.testing.assert_array_equal(direct["p_advance"].to_numpy(), again["p_advance"].to_numpy())
    assert direct["top_factors"].tolist() == again["top_factors"].tolist()
    assert direct["p_advance"].between(0, 1).all()


def _edit_schema(source: Path, target: Path, edit) -> None:
    """Copy a model file, passing its schema (as JSON) through ``edit``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as changed:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "schema.json":
                schema = json.loads(data)
                edit(schema)
                data = json.dumps(schema).encode()
            changed.writestr(item, data)


def _swap_class(node, old: str, module: str, name: str) -> int:
    """Point every object of class ``old`` in a skops schema at ``module.name``; how many."""
    swapped = 0
    if isinstance(node, dict):
        if node.get("__class__") == old:
            node["__class__"], node["__module__"] = name, module
            swapped += 1
        swapped += sum(_swap_class(value, old, module, name) for value in node.values())
    elif isinstance(node, list):
        swapped += sum(_swap_class(value, old, module, name) for value in node)
    return swapped


def _swapped(source: Path, target: Path, old: str, module: str, name: str) -> Path:
    _edit_schema(source, target, lambda schema: _swap_class(schema, old, module, name) or pytest.fail(old))
    return target


def _refusal(path: Path) -> str:
    """The one line the CLI prints when ``score --model path`` refuses the file."""
    result = CliRunner().invoke(main, ["score", *SAMPLE_ARGS, "--model", str(path), "-f", "csv"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ")
    return lines[0]


def test_trusted_types_are_exactly_what_each_model_file_needs(model_files):
    for model_type, path in model_files.items():
        assert needed_types(path) == (model_type, set(TRUSTED_TYPES[model_type]))
    assert not any("svm" in name or "neighbors" in name for names in TRUSTED_TYPES.values() for name in names)


@pytest.mark.parametrize("module, name", [("sklearn.svm._classes", "SVC"),
                                          ("sklearn.neighbors._classification", "KNeighborsClassifier")])
def test_a_model_file_holding_another_scikit_learn_estimator_is_refused(sample_model, tmp_path, module, name):
    # skops itself trusts every scikit-learn estimator; followup trusts only its own pipeline's
    edited = _swapped(sample_model[0], tmp_path / "edited.skops", "LogisticRegression", module, name)
    with pytest.raises(FollowupError, match=rf"refusing to load a model that needs untrusted types: {module}\.{name}$"):
        load_model(edited)
    assert _refusal(edited).endswith(f"untrusted types: {module}.{name}")


def test_a_logistic_file_holding_the_boosting_pipeline_is_refused(model_files, tmp_path):
    path = model_files["gradient-boosting"]

    def claim_logistic(schema):
        schema["content"]["model_type"]["content"] = json.dumps("logistic")

    _edit_schema(path, tmp_path / "relabelled.skops", claim_logistic)
    message = _refusal(tmp_path / "relabelled.skops")
    assert "sklearn.ensemble._gb.GradientBoostingClassifier" in message and "sklearn.tree._tree.Tree" in message


def test_a_model_file_that_would_run_code_is_refused_naming_the_types(sample_model, tmp_path):
    path, _ = sample_model
    system = _swapped(path, tmp_path / "system.skops", "LogisticRegression", "os", "system")
    with pytest.raises(FollowupError, match=r"refusing to load .*untrusted types: os\.system$"):
        load_model(system)

    def call_eval(schema):  # the imputer's strategy becomes the builtin eval function
        imputer = schema["content"]["estimator"]["content"]["content"]["steps"]["content"][0]["content"][1]
        imputer["content"]["content"]["strategy"] = {"__class__": "eval", "__module__": "builtins",
                                                     "__loader__": "FunctionNode"}

    _edit_schema(path, tmp_path / "eval.skops", call_eval)
    assert _refusal(tmp_path / "eval.skops").endswith("untrusted types: builtins.eval via FunctionNode")


def test_a_truncated_corrupted_or_pickled_file_is_refused_in_one_line(sample_model, tmp_path):
    path, _ = sample_model
    data = path.read_bytes()
    truncated = tmp_path / "truncated.skops"
    truncated.write_bytes(data[: len(data) // 2])
    assert "not a followup model file" in _refusal(truncated)
    corrupted = tmp_path / "corrupted.skops"  # every stored array's bytes flipped, the schema intact
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(corrupted, "w") as changed:
        for item in original.infolist():
            content = original.read(item.filename)
            changed.writestr(item, content if item.filename == "schema.json" else bytes(b ^ 0xFF for b in content))
    assert "damaged model file" in _refusal(corrupted)
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps({"format": "followup-model/1"}))
    assert "not a followup model file (BadZipFile" in _refusal(pickled)
    assert zipfile.is_zipfile(path)  # a skops archive, not a pickle stream


# --- command line ------------------------------------------------------------------------------

def test_train_on_the_sample_prints_metrics_side_by_side(sample_model):
    path, output = sample_model
    assert path.exists()
    assert "29 labelled candidates (14 advanced, 15 rejected)" in output
    assert "rows read 33 = used 29 + duplicates 0 + rejected 4" in output
    assert "'Withdrawn' says no hiring decision was taken" in output and "unknown outcome 'TBD'" in output
    for words in ("ROC AUC", "average precision", "Brier score", "learned model", "playbook score"):
        assert words in output


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_score_with_model_adds_probability_and_factors_to_every_format(sample_model, tmp_path, fmt):
    path, _ = sample_model
    out = tmp_path / f"shortlist.{fmt}"
    result = CliRunner().invoke(main, ["score", *SAMPLE_ARGS, "--model", str(path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = pd.DataFrame(json.loads(out.read_text())["candidates"])
        assert all(isinstance(f, list) for f in rows["top_factors"])
    else:
        rows = {"csv": pd.read_csv, "parquet": pd.read_parquet, "xlsx": pd.read_excel}[fmt](out)
    by_id = rows.set_index("candidate_id")
    assert by_id.loc[["C016", "C017"], "p_advance"].isna().all()  # upcoming: nothing to go on
    scored = by_id.drop(index=["C016", "C017"])
    assert scored["p_advance"].between(0, 1).all()
    assert by_id.loc["C001", "p_advance"] > by_id.loc["C004", "p_advance"]  # textbook vs silent
    assert "points)" in str(by_id.loc["C001", "top_factors"])  # "3 channels (+17 points)"


def _read_output(path: Path) -> pd.DataFrame:
    if path.suffix == ".json":
        return pd.DataFrame(json.loads(path.read_text())["candidates"])
    return {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".xlsx": pd.read_excel}[path.suffix](path)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_flags_with_model_adds_the_same_probability_and_factors(sample_model, tmp_path, fmt):
    path, _ = sample_model
    outputs = {}
    for command in ("score", "flags"):
        out = outputs[command] = tmp_path / f"{command}.{fmt}"
        result = CliRunner().invoke(main, [command, *SAMPLE_ARGS, "--model", str(path), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
    flagged = _read_output(outputs["flags"]).set_index("candidate_id")
    everyone = _read_output(outputs["score"]).set_index("candidate_id")
    assert len(flagged) and flagged.index.isin(everyone.index).all() and len(flagged) < len(everyone)
    if fmt == "xlsx":  # Excel has a TRUE/FALSE column per flag instead of the joined codes
        assert flagged[["NO_CONTACT", "EXCESSIVE_HANGUPS", "TOO_FREQUENT", "WENT_SILENT"]].any(axis=1).all()
    else:
        assert flagged["flags"].astype(str).str.len().gt(0).all()
    np.testing.assert_array_equal(flagged["p_advance"].to_numpy(), everyone.loc[flagged.index, "p_advance"].to_numpy())
    assert flagged["top_factors"].tolist() == everyone.loc[flagged.index, "top_factors"].tolist()
    assert flagged["p_advance"].between(0, 1).all()


def test_flags_table_shows_the_model_columns_and_fail_on_flag_still_works(sample_model):
    path, _ = sample_model
    result = CliRunner().invoke(main, ["flags", *SAMPLE_ARGS, "--model", str(path), "-f", "table", "--fail-on-flag"])
    assert result.exit_code == 3, result.output
    assert "With flags" in result.output and "P(adv)" in result.output and "Top factors" in result.output


def test_score_table_shows_the_model_columns(sample_model):
    path, _ = sample_model
    result = CliRunner().invoke(main, ["score", *SAMPLE_ARGS, "--model", str(path), "-f", "table"])
    assert result.exit_code == 0, result.output
    assert "P(adv)" in result.output and "Top factors" in result.output


def test_train_refuses_one_class_in_one_line(tmp_path):
    outcomes = tmp_path / "all_hired.csv"
    ids = [f"C{n:03d}" for n in range(1, 33) if n not in (16, 17)]
    outcomes.write_text("candidate_id,outcome\n" + "".join(f"{i},hired\n" for i in ids), encoding="utf-8")
    result = CliRunner().invoke(main, ["train", *SAMPLE_ARGS, "--outcomes", str(outcomes),
                                       "-o", str(tmp_path / "m.skops")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: refusing to train: all 30 labelled candidates are advanced; a model needs both outcomes"]
    assert not (tmp_path / "m.skops").exists()


def test_train_wants_a_skops_output(tmp_path):
    result = CliRunner().invoke(main, ["train", *SAMPLE_ARGS, "--outcomes", str(SAMPLE_DATA / "outcomes.csv"),
                                       "-o", str(tmp_path / "model.pkl")])
    assert result.exit_code == 2 and "model files end in .skops" in result.output


def test_scoring_without_a_model_is_unchanged():
    plain = followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv", as_of=SAMPLE_AS_OF, tz=SAMPLE_TZ)
    assert "p_advance" not in plain.candidates and "top_factors" not in plain.candidates
