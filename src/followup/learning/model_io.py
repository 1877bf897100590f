"""Model files: written with skops, read back only if every type in them is trusted.

A pickle can run any code when it is loaded, so models are never pickled. A skops file is a
zip of arrays and a JSON description of the objects to rebuild; skops rebuilds scikit-learn
estimators and plain data itself, and anything else only if named in the ``trusted`` list.
:data:`TRUSTED_TYPES` is that list — exactly the extra types a followup model needs. A file
that needs any other type (an edited or foreign file) is refused, naming the offending types,
before anything in it is built.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import skops.io as sio

from .. import __version__
from ..errors import FollowupError
from ..policy import Policy
from .model import LearnedModel
from .transformer import FEATURE_NAMES

MODEL_FORMAT = "followup-model/1"

# Beyond what skops trusts by default: array dtypes, the calibration wrapper of the
# gradient-boosting option and its fitted trees.
TRUSTED_TYPES = (
    "numpy.dtype",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.tree._tree.Tree",
)


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


def untrusted_types(path: str | Path) -> list[str]:
    """The types in a model file that are not on :data:`TRUSTED_TYPES` (empty: safe to load)."""
    path = Path(path)
    if not path.is_file():
        raise FollowupError(f"{path}: no such model file")
    try:
        needed = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise FollowupError(f"{path}: not a followup model file ({type(exc).__name__}: {exc})") from None
    return sorted(set(needed) - set(TRUSTED_TYPES))


def load_model(source: "str | Path | LearnedModel") -> LearnedModel:
    """Read a model written by :func:`save_model`; refuse a file that needs untrusted types."""
    if isinstance(source, LearnedModel):
        return source
    path = Path(source)
    offending = untrusted_types(path)
    if offending:
        raise FollowupError(f"{path}: refusing to load a model that needs untrusted types: "
                            + ", ".join(offending))
    try:
        document = sio.load(path, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops raises many kinds on a damaged file; none may escape as a traceback
        raise FollowupError(f"{path}: damaged model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
        raise FollowupError(f"{path}: not a followup model file (expected format {MODEL_FORMAT})")
    if tuple(document["features"]) != FEATURE_NAMES:
        raise FollowupError(f"{path}: the model was trained on features {document['features']}; "
                            f"this version computes {list(FEATURE_NAMES)}: train it again")
    if not hasattr(document["estimator"], "predict_proba"):
        raise FollowupError(f"{path}: the stored estimator cannot give probabilities")
    return LearnedModel(
        estimator=document["estimator"],
        model_type=str(document["model_type"]),
        policy=Policy.model_validate_json(document["policy"]),
        reference=np.asarray(document["reference"], dtype=float),
        trained=json.loads(document["trained"]),
    )
