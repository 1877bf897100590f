"""Model files: written with skops, read back only if every type in them is on our list.

A pickle can run any code when it is loaded, so models are never pickled. A skops file is a
zip of arrays and a JSON schema describing the objects to rebuild, each named by module and
class. skops on its own trusts every scikit-learn estimator and plain numpy type, so a file
edited to hold a different estimator would still load. We are stricter: before anything in
the file is built, :func:`needed_types` reads the schema and lists every type it names, and
a file that needs any type not on :data:`TRUSTED_TYPES` for its model type is refused,
naming the offending types. Only then is it loaded, with ``trusted=`` exactly that list.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import skops.io as sio
from skops.io.exceptions import UntrustedTypesFoundException

from .. import __version__
from ..errors import FollowupError
from ..policy import Policy
from .model import LearnedModel
from .transformer import FEATURE_NAMES

MODEL_FORMAT = "followup-model/1"

# The model document itself: a dict of strings and lists around the estimator, and the
# arrays, dtypes and float scalars fitted estimators hold.
_DOCUMENT_TYPES = (
    "builtins.dict", "builtins.list", "builtins.str", "builtins.tuple",
    "numpy.dtype", "numpy.float64", "numpy.ndarray",
)
# Shared by both model types: the pipeline and its median imputation.
_PIPELINE_TYPES = ("sklearn.impute._base.SimpleImputer", "sklearn.pipeline.Pipeline")
# Every type a followup model file legitimately needs, by model type; names as skops writes
# them (module where the class is defined, then the class). test_learning's round trips of
# both model types check this list against what scikit-learn really writes.
TRUSTED_TYPES = {
    "logistic": tuple(sorted(_DOCUMENT_TYPES + _PIPELINE_TYPES + (
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.preprocessing._data.StandardScaler",
    ))),
    "gradient-boosting": tuple(sorted(_DOCUMENT_TYPES + _PIPELINE_TYPES + (
        "numpy.random.mtrand.RandomState",  # the trees' subsampling state
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.dummy.DummyClassifier",  # the boosting's initial estimate
        "sklearn.ensemble._gb.GradientBoostingClassifier",
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._tree.Tree",
    ))),
}
# How skops rebuilds the objects above. Any other way (functions, bound methods, partials,
# operator functions, generic ``__reduce__``) is refused whatever type it names.
_LOADERS = frozenset({
    "CachedNode", "DTypeNode", "DictNode", "JsonNode", "ListNode", "LossNode", "NdArrayNode",
    "ObjectNode", "RandomStateNode", "TreeNode", "TupleNode", "TypeNode",
})


def model_bytes(model: LearnedModel) -> bytes:
    """The model as the bytes of a skops file."""
    document = {
        "format": MODEL_FORMAT,
        "followup_version": __version__,
        "model_type": model.model_type,
        "estimator": model.estimator,
        "features": list(model.feature_names),
        "reference": [float(v) for v in model.reference],
        "policy": model.policy.model_dump_json(),
        "trained": json.dumps(model.trained),
    }
    return sio.dumps(document)


def save_model(model: LearnedModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (a ``.skops`` file)."""
    path = Path(path)
    path.write_bytes(model_bytes(model))
    return path


def needed_types(path: str | Path) -> tuple[str, set[str]]:
    """The model type a file says it holds and every type its schema names, read without
    building anything. A type rebuilt in a way we never use is named ``type via Loader``."""
    return _needed_types(_read(path), path)


def untrusted_types(path: str | Path) -> list[str]:
    """The types a model file needs that are not on :data:`TRUSTED_TYPES` for its model
    type (empty: safe to load)."""
    model_type, needed = needed_types(path)
    return sorted(needed - set(TRUSTED_TYPES[model_type]))


def load_model(source: "str | Path | LearnedModel") -> LearnedModel:
    """Read a model written by :func:`save_model`; refuse a file that needs any type not on
    :data:`TRUSTED_TYPES` for its model type, naming those types."""
    if isinstance(source, LearnedModel):
        return source
    path = Path(source)
    data = _read(path)  # checked and loaded from the same bytes
    model_type, needed = _needed_types(data, path)
    trusted = TRUSTED_TYPES[model_type]
    offending = sorted(needed - set(trusted))
    if offending:
        raise FollowupError(f"{path}: refusing to load a model that needs untrusted types: "
                            + ", ".join(offending))
    try:
        document = sio.loads(data, trusted=list(trusted))
    except UntrustedTypesFoundException as exc:  # skops's own audit, a second line of defence
        raise FollowupError(f"{path}: refusing to load a model that needs untrusted types "
                            f"({str(exc).splitlines()[0]})") from None
    except Exception as exc:  # skops raises many kinds on a damaged file; none may escape as a traceback
        raise FollowupError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise FollowupError(f"{path}: not a followup model file (expected format {MODEL_FORMAT})")
    if tuple(document["features"]) != FEATURE_NAMES:
        raise FollowupError(f"{path}: the model was trained on features {document['features']}; "
                            f"this version computes {list(FEATURE_NAMES)}: train it again")
    if not hasattr(document["estimator"], "predict_proba"):
        raise FollowupError(f"{path}: the stored estimator cannot give probabilities")
    reference = _reference(document, path)
    _check_shape(document["estimator"], reference, path)
    return LearnedModel(
        estimator=document["estimator"],
        model_type=str(document["model_type"]),
        policy=Policy.model_validate_json(document["policy"]),
        reference=reference,
        trained=json.loads(document["trained"]),
    )


def _reference(document: dict, path: Path) -> np.ndarray:
    try:
        reference = np.asarray(document["reference"], dtype=float)
    except (TypeError, ValueError):
        reference = None
    if reference is None or reference.shape != (len(FEATURE_NAMES),):
        raise FollowupError(f"{path}: damaged model file (its typical values are not one per feature, "
                            f"{len(FEATURE_NAMES)}): train it again")
    return reference


def _check_shape(estimator, reference: np.ndarray, path: Path) -> None:
    """The estimator scores a row of the features this version computes, into two classes —
    tried once on the typical row, so a file whose estimator was fitted on other columns is
    refused here rather than failing in the middle of scoring."""
    width = getattr(estimator, "n_features_in_", len(FEATURE_NAMES))
    if width != len(FEATURE_NAMES):
        raise FollowupError(f"{path}: damaged model file (its estimator takes {width} features, the "
                            f"model computes {len(FEATURE_NAMES)}): train it again")
    try:
        probability = np.asarray(estimator.predict_proba(reference[None, :]))
    except Exception as exc:  # any estimator's own complaint, which quotes no data
        raise FollowupError(f"{path}: damaged model file (its estimator cannot score a row: "
                            f"{type(exc).__name__}): train it again") from None
    if probability.shape != (1, 2):
        raise FollowupError(f"{path}: damaged model file (its estimator gives {probability.shape[-1]} "
                            "probabilities per row, not 2: advanced or not): train it again")


def _read(path: str | Path) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise FollowupError(f"{path}: no such model file")
    return path.read_bytes()


def _needed_types(data: bytes, path: str | Path) -> tuple[str, set[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
        model_type = json.loads(schema["content"]["model_type"]["content"])
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError, RecursionError, EOFError) as exc:
        raise FollowupError(f"{path}: not a followup model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(model_type, str) or model_type not in TRUSTED_TYPES:
        raise FollowupError(f"{path}: not a followup model file (unknown model type {model_type!r})")
    types, pending = set(), [schema]
    while pending:  # iterative: a hostile schema may nest deeper than the recursion limit
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if {"__class__", "__module__", "__loader__"} & node.keys():
            named = f"{node.get('__module__')}.{node.get('__class__')}"
            loader = node.get("__loader__")
            types.add(named if loader in _LOADERS else f"{named} via {loader}")
        pending.extend(node.values())
    return model_type, types
