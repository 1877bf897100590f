"""Score how interview candidates followed up: speed, persistence, restraint and flags.

>>> import followup
>>> sorted(followup.FLAGS)
['EXCESSIVE_HANGUPS', 'NO_CONTACT', 'TOO_FREQUENT', 'WENT_SILENT']
"""

from .api import ScoreResult, load_events, load_interviews, score
from .errors import FollowupError, InputFileError, InvalidRowError, PolicyError
from .policy import Policy, load_policy, preset_names
from .scoring import FLAGS, STATUSES

__all__ = [
    "FLAGS", "STATUSES", "FollowupError", "InputFileError", "InvalidRowError", "Policy",
    "PolicyError", "ScoreResult", "load_events", "load_interviews", "load_policy",
    "preset_names", "score",
]
__version__ = "0.1.0"
