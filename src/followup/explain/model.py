"""The explanation as a record: what :func:`followup.explain.explain` returns, and its text.

The pydantic models are what ``followup explain --format json`` prints; :meth:`Explanation.text`
is the plain-text card ``followup explain`` prints.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, PrivateAttr

from ..schema import ROLE_SEPARATOR
from ..terminal import printable_values

RUN_WORDS = {"hang_up": "hung up", "missed": "missed", "busy": "busy"}


# --------------------------------------------------------------------------- one candidate
class TimelineEvent(BaseModel):
    """One event of an explanation, as handed to tools (``--format json``)."""

    day: int
    local_time: str
    date: str
    timestamp: str
    channel: str
    direction: str
    outcome: str | None
    duration_s: float | None
    contact: str | None
    description: str
    kind: str
    counted: bool
    counts_for: list[str]
    source_file: str
    source_row: int


class Part(BaseModel):
    name: str
    value: float | None
    weight: float
    why: str


class Component(BaseModel):
    name: str
    value: float | None
    weight: float
    why: str
    parts: list[Part] = []


class Explanation(BaseModel):
    """One candidate's follow-up explained: what :func:`explain` returns."""

    candidate_id: str
    name: str | None
    status: str
    rank: int | None
    score: float | None
    grade: str | None
    flags: list[str]
    as_of: str
    tz: str
    policy: dict[str, str]
    interview: dict[str, object]
    events: list[TimelineEvent]
    # All of the candidate's events; ``events`` holds the first TIMELINE_LIMIT of them.
    events_total: int = 0
    components: list[Component]
    score_why: str
    grade_why: str
    flag_reasons: dict[str, str]
    missed: list[str]
    reasons: list[str]
    # With a history (``--history``): one item per run (as_of, score, grade, flags, status),
    # oldest first, this run last; the trend and its sparkline (:mod:`followup.trend`).
    score_over_time: list[dict[str, object]] = []
    trend: str | None = None
    score_trail: str | None = None
    # Per listed event, the engine's unanswered-call run (event_roles' ``unanswered_run``; -1 for
    # none): how the timeline groups calls, kept off the JSON, which lists every event.
    _unanswered_runs: list[int] = PrivateAttr(default_factory=list)

    def timeline_lines(self) -> list[str]:
        """The timeline as text, one line per event; a run of unanswered calls within the
        burst window (the engine's runs) is one line ("day 8 10:02  phone, hung up ×4 in 19 min")."""
        lines: list[str] = []
        events = self.events
        runs = self._unanswered_runs or [-1] * len(events)
        i = 0
        while i < len(events):  # the listed events: TIMELINE_LIMIT at most
            event = events[i]
            j = i + 1
            while runs[i] >= 0 and j < len(events) and runs[j] == runs[i]:
                j += 1
            if j - i > 1:
                run = events[i:j]
                outcomes = {e.outcome for e in run}
                verb = "hung up" if outcomes == {"hang_up"} else "unanswered"
                span = (pd.Timestamp(run[-1].timestamp) - pd.Timestamp(run[0].timestamp)) / pd.Timedelta(minutes=1)
                text = f"{event.channel}, {verb} ×{len(run)} in {span:.0f} min"
                if verb == "unanswered":
                    counts = pd.Series([RUN_WORDS.get(e.outcome or "", "no answer") for e in run]).value_counts()
                    text += " (" + ", ".join(f"{word} ×{count}" for word, count in counts.items()) + ")"
                roles = list(dict.fromkeys(role for e in run for role in e.counts_for))
            else:
                text, roles = event.description, event.counts_for
            lines.append(f"day {event.day} {event.local_time}  {text}" + (f"  — {ROLE_SEPARATOR.join(roles)}" if roles else ""))
            i = j
        return lines

    def score_over_time_line(self) -> str:
        """``score over time: ▅▄▃▃▃ 45.0 → 25.5 over 5 runs since 10 Mar (declining)``."""
        scores = [item["score"] for item in self.score_over_time if item["score"] is not None]
        first = pd.Timestamp(self.score_over_time[0]["as_of"]).tz_convert(self.tz)
        span = (f"{scores[0]:.1f} → {scores[-1]:.1f}" if len(scores) > 1
                else f"{scores[0]:.1f}" if scores else "no score yet")
        return (f"score over time: {self.score_trail or ''} {span} over {len(self.score_over_time)} run(s) since "
                f"{first.day} {first.strftime('%b')} ({self.trend})")

    def text(self) -> str:
        """The whole explanation as plain text (what ``followup explain`` prints).

        Control characters in the data (a name carrying a terminal escape sequence or a line
        break) are shown as ``\\x1b``-style escapes, so the printout cannot retitle or clear the
        reader's terminal, or forge lines of its own.
        """
        printable = Explanation.model_validate(printable_values(self.model_dump()))
        printable._unanswered_runs = self._unanswered_runs
        return printable._text()

    def _text(self) -> str:
        title = f"{self.candidate_id}" + (f" {self.name}" if self.name else "")
        headline = f"{title} — {self.status}"
        if self.score is not None:
            headline += f", score {self.score:.1f}, grade {self.grade}"
        if self.rank is not None:
            headline += f", rank {self.rank}"
        if self.flags:
            headline += f" ({', '.join(self.flags)})"
        interview = self.interview
        out = [headline,
               f"interview {interview['summary']}",
               f"follow-up window: {interview['window']}",
               f"as of {self.as_of} ({self.tz}) · policy {self.policy['name']} ({self.policy['hash']})",
               *([self.score_over_time_line()] if self.score_over_time else []),
               "", f"Timeline (day 0 = {interview['day0']}, local time in {self.tz})"]
        lines = self.timeline_lines()
        out += [f"  {line}" for line in lines] or ["  no events"]
        if self.events_total > len(self.events):
            out.append(f"  … and {self.events_total - len(self.events):,} more events after day "
                       f"{self.events[-1].day}, not listed (the timeline shows the first {len(self.events):,}; "
                       "every event counts in the numbers below)")
        out += ["", "Components"]
        for component in self.components:
            value = "—" if component.value is None else f"{component.value:.1f}"
            out.append(f"  {component.name:<12} {value:>5}  {component.why}")
            out += [f"  {'':<12}        · {part.why}" for part in component.parts]
        out.append(f"  {'score':<12} {'—' if self.score is None else f'{self.score:.1f}':>5}  {self.score_why}")
        out.append(f"  {'grade':<12} {self.grade or '—':>5}  {self.grade_why}")
        out += ["", "Flags"]
        out += [f"  {code}: {reason}" for code, reason in self.flag_reasons.items()] or ["  none"]
        out += ["", "Expected by the playbook but did not happen"]
        out += [f"  - {item}" for item in self.missed] or ["  nothing missing"]
        return "\n".join(out) + "\n"

