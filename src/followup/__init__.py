"""Score how interview candidates followed up: speed, persistence, restraint and flags.

The notebook API in one place: load, score, explain, plot, report, train.

>>> import followup
>>> sorted(followup.FLAGS)
['EXCESSIVE_HANGUPS', 'NO_CONTACT', 'TOO_FREQUENT', 'WENT_SILENT']
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> result.candidates.loc[0, ["candidate_id", "status", "grade"]].tolist()
['C001', 'ok', 'A']
>>> followup.explain(result, "gloria stanton").candidate_id
'C007'

Seeded synthetic sets of any size, as :mod:`sklearn.datasets` makes them:

>>> events, interviews = followup.datasets.make_followups(50, seed=1)
>>> len(interviews), followup.datasets.default_as_of(interviews).isoformat()
(50, '2026-03-07T00:00:00+00:00')
"""

from importlib import import_module

from . import datasets
from .api import ScoreResult, load_events, load_interviews, score
from .errors import FollowupError, InputFileError, InvalidRowError, PolicyError
from .policy import Policy, load_policy, preset_names
from .schema import FLAGS, GRADES, STATUSES
from .sources import SourceOptions
# ``followup.explain`` is the function, not its module: the module is loaded here first, so a
# later ``import followup.explain`` (the CLI's) finds it loaded and leaves this name alone.
from . import explain as _explain_module
explain = _explain_module.explain
annotate_events = _explain_module.annotate_events

# Names whose modules pull in matplotlib, Jinja or scikit-learn: imported on first use, so that
# ``import followup`` stays quick for batch jobs that only score.
_LAZY = {
    "plot_timeline": "plotting", "plot_candidate": "plotting", "plot_score_distribution": "plotting",
    "plot_first_contact_delay": "plotting", "plot_flag_counts": "plotting",
    "build_report": "report", "write_report": "report",
    "train": "learning", "load_model": "learning", "LearnedModel": "learning",
    "score_to_file": "batch",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'followup' has no attribute {name!r}")


def _plot(result, candidate_id, **kwargs):
    from .plotting import plot_candidate

    return plot_candidate(result, candidate_id, **kwargs)


def _to_html(result, path, title, **kwargs):
    from . import present
    from .report import build_report

    page = build_report(result, title=title, **kwargs)
    if path is None:
        return page
    present.atomic_write(path, lambda target: target.write_text(page, encoding="utf-8"), _scored_from(result))
    return None


def _scored_from(result) -> list[str]:
    """The files a result was scored from, which its outputs must never overwrite."""
    return [str(name) for name in result.counts_by_file.get("source_file", [])]


def _write(result, path, format):
    from . import present

    fmt = present.format_for(path, format, is_terminal=False)
    present.atomic_write(path, lambda target: present.write_result(result, fmt, target), _scored_from(result))


# ScoreResult's notebook conveniences (result.explain, .plot, .to_html, .write) call these: the
# package registers them, since it sits above the result and the presentation alike.
from .shortlist import PRESENTERS as _PRESENTERS  # noqa: E402

_PRESENTERS.update(explain=explain, plot=_plot, to_html=_to_html, write=_write)

__all__ = [
    "datasets", "FLAGS", "GRADES", "STATUSES", "FollowupError", "InputFileError", "InvalidRowError", "Policy",
    "PolicyError", "ScoreResult", "SourceOptions", "load_events", "load_interviews", "load_policy",
    "preset_names", "score", "explain", "annotate_events", *_LAZY,
]
__version__ = "0.1.0"
