"""Learned scoring: does follow-up predict who advances *here*?

The playbooks encode a belief about good follow-up. With past outcomes (who advanced, who was
rejected) a team can test that belief on its own history and get a probability calibrated to
its own decisions. The parts, by job:

* :mod:`~followup.learning.transformer` — :class:`FollowupFeatures`, a scikit-learn transformer
  from candidate rows to behavioural feature columns (the scorer's own counting, cut at each
  decision so nothing after it leaks in);
* :mod:`~followup.learning.outcomes` — reading ``candidate_id, outcome`` files;
* :mod:`~followup.learning.training` — :func:`train`: grouped cross-validation side by side
  with the playbook score, importances, the final fit;
* :mod:`~followup.learning.model` — :class:`LearnedModel`: ``p_advance`` and ``top_factors``;
* :mod:`~followup.learning.model_io` — skops files, loaded only if every type they need is on
  our explicit list for their model type.

``docs/learned-scoring.md`` explains when to trust the result.
"""

from .model import LearnedModel
from .model_io import TRUSTED_TYPES, load_model, needed_types, save_model, untrusted_types
from .outcomes import read_outcomes
from .training import MIN_LABELS, MIN_PER_CLASS, MODEL_TYPES, TrainingReport, make_estimator, train
from .transformer import FEATURE_NAMES, FEATURES, FollowupFeatures

__all__ = [
    "FEATURES", "FEATURE_NAMES", "FollowupFeatures", "LearnedModel", "MIN_LABELS", "MIN_PER_CLASS",
    "MODEL_TYPES", "TRUSTED_TYPES", "TrainingReport", "load_model", "make_estimator", "needed_types",
    "read_outcomes", "save_model", "train", "untrusted_types",
]
