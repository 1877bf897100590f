"""Explain: why a candidate got their numbers, event by event.

Three jobs, one module each, importing downward only (words → roles, model → components,
missed → build):

* :mod:`.roles` — :func:`annotate_events`: every event of a result tagged, in whole-column
  passes, with its local day after the interview and what it counted for (first contact,
  opening thank-you, cadence week, part of a burst, …), by asking the scorer's own helpers, so
  an explanation can never disagree with the score it explains;
* :mod:`.model` — the :class:`Explanation` record (:class:`TimelineEvent`, :class:`Component`,
  :class:`Part`) and its plain-text card;
* :mod:`.build` — :func:`explain`: one candidate's timeline, each component's number and the
  arithmetic behind it (:mod:`.components`), the flags, and what the playbook expected that did
  not happen (:mod:`.missed`); :func:`find_candidate` (:mod:`.find`) reads the id or name given.

>>> import followup
>>> from followup.explain import explain
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> card = explain(result, "C007")
>>> [line.split("  ")[0] for line in card.timeline_lines() if "hung up" in line]
['day 8 10:02']
>>> card.missed
[]
"""

from .build import TIMELINE_LIMIT, explain
from .find import find_candidate
from .model import Component, Explanation, Part, TimelineEvent
from .roles import ROLE_SEPARATOR, annotate_events

__all__ = ["TIMELINE_LIMIT", "ROLE_SEPARATOR", "Component", "Explanation", "Part", "TimelineEvent",
           "annotate_events", "explain", "find_candidate"]
