"""Policies: the rules of one follow-up playbook, as a validated, hashable TOML file.

A policy is data, not code: every number the scorer uses comes from here, so a hiring team
can copy a preset, change a window or a weight, and trace any result back to the exact rules
by the policy's content hash (printed with every result).

>>> policy = load_policy("sales")
>>> policy.name, policy.windows.no_contact_days, policy.restraint.max_contacts_per_window
('sales', 7, 2)
>>> len(policy.content_hash)
12
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import PolicyError
from .schema import CHANNELS, DECISIONS, FLAGS, GRADES

Score = Annotated[float, Field(ge=0, le=100)]
Weight = Annotated[float, Field(ge=0, le=1)]
DEFAULT_POLICY = "sales"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Windows(_Section):
    """Time windows, in days counted on the local calendar from the interview day (day 0)."""

    no_contact_days: int = Field(7, ge=1, le=60, description="no inbound contact by the end of this day ⇒ NO_CONTACT")
    cadence_days: int = Field(7, ge=1, le=90, description="length of one persistence period")
    cadence_starts_day: int = Field(7, ge=0, le=60, description="persistence periods start this many days after the interview")
    opening_days: int = Field(3, ge=0, le=14, description="thank-you notes on days 0..N are the expected opening, not over-contact")
    silent_gap_days: int = Field(14, ge=1, le=365, description="no contact for longer than this before the window closes ⇒ WENT_SILENT")

    @property
    def period_word(self) -> str:
        """What one persistence period is called in reasons and explanations.

        >>> Windows().period_word, Windows(cadence_days=10).period_word
        ('week', '10-day period')
        """
        return "week" if self.cadence_days == 7 else f"{self.cadence_days}-day period"


class Speed(_Section):
    """Speed: score of the first contact by how long after the interview it came."""

    same_day_score: Score = 100
    curve: list[tuple[float, Score]] = Field(
        default=[(0, 100), (24, 90), (48, 80), (96, 55), (168, 30)],
        description="[hours after the interview, score] points, linearly interpolated; the last score holds until the no-contact deadline, after which speed is 0",
    )

    @field_validator("curve")
    @classmethod
    def _monotone(cls, curve):
        if len(curve) < 1:
            raise ValueError("needs at least one [hours, score] point")
        hours = [h for h, _ in curve]
        scores = [s for _, s in curve]
        if any(h < 0 for h in hours) or hours != sorted(hours) or len(set(hours)) != len(hours):
            raise ValueError("hours must be non-negative and strictly increasing")
        if scores != sorted(scores, reverse=True):
            raise ValueError("scores must not increase with time (a later contact never scores higher)")
        return curve

    @model_validator(mode="after")
    def _same_day_is_best(self):
        if self.curve[0][1] > self.same_day_score:
            raise ValueError("same_day_score must be at least the curve's first score")
        return self


class Persistence(_Section):
    """Persistence: keeping up a cadence, using several channels, thanking each interviewer."""

    cadence_weight: Weight = 0.6
    channels_weight: Weight = 0.2
    interviewers_weight: Weight = 0.2
    channel_target: int = Field(2, ge=1, le=len(CHANNELS), description="distinct inbound channels for full marks")


class Restraint(_Section):
    """Restraint: penalties for over-contact and for calling without leaving a message."""

    frequency_window_days: int = Field(7, ge=1, le=31)
    max_contacts_per_window: int = Field(2, ge=1, le=50, description="more contacts than this in any window ⇒ TOO_FREQUENT")
    excess_contact_penalty: Score = 25
    short_call_seconds: float = Field(10, ge=0, le=600, description="an inbound call with no outcome shorter than this is an unanswered call")
    hangups_forgiven: int = Field(1, ge=0, le=20, description="unanswered calls that cost nothing")
    hangup_penalty: Score = 15
    max_hangups: int = Field(2, ge=0, le=50, description="more unanswered calls than this ⇒ EXCESSIVE_HANGUPS")
    burst_count: int = Field(3, ge=2, le=50, description="this many unanswered calls …")
    burst_minutes: float = Field(60, gt=0, le=1440, description="… within this many minutes is a burst ⇒ EXCESSIVE_HANGUPS")
    burst_penalty: Score = 30


class Courtesy(_Section):
    """Thank-yous as manners: after every round, and after a decision (zero weights: off)."""

    thank_you_days: int = Field(1, ge=0, le=14, description="a thank-you by the end of this day after a round counts")
    every_round_weight: Weight = Field(0.0, description="persistence part: share of rounds thanked (from the second round)")
    after_decision: list[Literal[DECISIONS]] = Field(
        default=[], description="decisions after which a thank-you is credited, e.g. [\"rejected\"]")
    after_decision_weight: Weight = Field(0.0, description="persistence part: a thank-you after such a decision")
    after_decision_days: int = Field(7, ge=1, le=60, description="how long after the decision a thank-you counts")


class Deadline(_Section):
    """Check-ins timed to the employer's stated decision date (``decision_due``).

    With a zero weight, a zero penalty and ``wait_for_due`` off (the defaults) it changes nothing.
    """

    checkins_weight: Weight = Field(0.0, description="persistence part: share of the expected check-ins made")
    short_notice_days: int = Field(7, ge=0, le=60, description="a decision due by this day after the interview is short notice ...")
    short_notice_checkin_day: int = Field(2, ge=1, le=60, description="... and expects one check-in about this day")
    checkin_day: int = Field(7, ge=1, le=60, description="a later decision expects a check-in about this day ...")
    before_due_days: int = Field(3, ge=0, le=30, description="... and another in the last N days up to the due date")
    slack_days: int = Field(1, ge=0, le=14, description="a check-in this many days early or late still counts")
    early_contacts_forgiven: int = Field(0, ge=0, le=20, description="extra contacts before the due date that cost nothing")
    early_contact_penalty: Score = Field(0, description="restraint: per further contact before the due date outside the check-ins")
    wait_for_due: bool = Field(False, description="the cadence and the went-silent clock start only once the due date has passed")

    @property
    def active(self) -> bool:
        return self.checkins_weight > 0 or self.early_contact_penalty > 0 or self.wait_for_due


class Notes(_Section):
    """Thank-you notes judged from their text (mail bodies): each interviewer their own note,
    the name in the greeting spelled right, personal rather than a template (followup.notes).

    The ``notes`` component of the score, weighted by ``weights.notes`` (0, the default: off);
    with no message text in the log it is left out and the other components re-weighted.
    """

    copy_similarity: float = Field(0.6, ge=0.5, le=1, description="two notes of a round at least this similar (TF-IDF cosine, greeting and names set aside) are one note sent twice")
    template_similarity: float = Field(0.6, ge=0.5, le=1, description="a note at least this similar to another candidate's note matches it")
    template_candidates: int = Field(2, ge=1, le=1000, description="a note matching this many other candidates' notes is a template")
    min_own_words: int = Field(12, ge=0, le=200, description="a note with fewer words than this besides the greeting, names and sign-off is a stock phrase")
    name_similarity: float = Field(0.75, ge=0.5, le=1, description="a greeted name at least this close (Jaro-Winkler) to an interviewer's but not equal is misspelled")
    misspelled_penalty: Score = Field(50, description="per own note greeting a misspelled name")
    wrong_person_penalty: Score = Field(100, description="per own note greeting another interviewer, or someone not on the panel")
    no_name_penalty: Score = Field(25, description="per own note greeting no one by name")
    template_penalty: Score = Field(60, description="per own note that is a template or a stock phrase")
    copy_penalty: Score = Field(100, description="per note that copies another note of the round (it adds no note of its own)")


class Weights(_Section):
    speed: Weight = 0.4
    persistence: Weight = 0.35
    restraint: Weight = 0.25
    notes: Weight = Field(0.0, description="the thank-you notes' text: each its own, names right, not a template (0: off)")

    @model_validator(mode="after")
    def _not_all_zero(self):
        if self.speed + self.persistence + self.restraint + self.notes <= 0:
            raise ValueError("at least one component weight must be above 0")
        return self


class Grades(_Section):
    """Score thresholds of the grades; below C is D."""

    A: Score = 85
    B: Score = 70
    C: Score = 50
    caps: dict[Literal[FLAGS], Literal[GRADES]] = Field(
        default={"NO_CONTACT": "D", "EXCESSIVE_HANGUPS": "C", "TOO_FREQUENT": "C", "WENT_SILENT": "C"},
        description="best grade a candidate carrying the flag can get, whatever the score")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.A >= self.B >= self.C:
            raise ValueError("grade thresholds must satisfy A >= B >= C")
        return self


class Policy(_Section):
    """One playbook. Load it with :func:`load_policy`; every field has a documented default."""

    name: str = Field(min_length=1, max_length=64)
    summary: str = ""
    source: str = ""
    channels: list[str] = Field(default=list(CHANNELS), description="inbound channels that count as follow-up")
    opening_channels: list[str] = Field(default=["email", "letter", "linkedin"])
    windows: Windows = Windows()
    speed: Speed = Speed()
    persistence: Persistence = Persistence()
    restraint: Restraint = Restraint()
    courtesy: Courtesy = Courtesy()
    deadline: Deadline = Deadline()
    notes: Notes = Notes()
    weights: Weights = Weights()
    grades: Grades = Grades()

    @field_validator("channels", "opening_channels")
    @classmethod
    def _known_channels(cls, channels):
        unknown = sorted(set(channels) - set(CHANNELS))
        if unknown:
            raise ValueError(f"unknown channel(s) {unknown}; allowed: {list(CHANNELS)}")
        return channels

    @property
    def content_hash(self) -> str:
        """First 12 hex digits of the SHA-256 of the policy's canonical JSON form."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.content_hash})"


def preset_names() -> list[str]:
    """Names of the presets shipped with the package."""
    folder = resources.files("followup") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The commented TOML text of a shipped preset."""
    if name not in preset_names():
        raise PolicyError(f"unknown policy {name!r}; presets are: {', '.join(preset_names())}")
    return (resources.files("followup") / "presets" / f"{name}.toml").read_text(encoding="utf-8")


def load_policy(policy: "str | Path | Policy | None" = None) -> Policy:
    """A preset name, a path to a TOML file, or a :class:`Policy` (returned as is)."""
    if isinstance(policy, Policy):
        return policy
    if policy is None:
        policy = DEFAULT_POLICY
    text_name = str(policy)
    if isinstance(policy, str) and text_name in preset_names():
        return parse_policy(preset_text(text_name), origin=f"preset {text_name}")
    path = Path(policy)
    if not path.exists():
        raise PolicyError(
            f"no policy {text_name!r}: not a preset ({', '.join(preset_names())}) nor an existing file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: is not UTF-8 text, as a TOML policy file must be") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read: {exc.strerror or type(exc).__name__}") from None
    return parse_policy(text, origin=str(path))


def parse_policy(text: str, origin: str = "policy") -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{origin}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "(top level)"
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key (check the spelling against `followup policies show sales`)"
            problems.append(f"{where}: {message}")
        raise PolicyError(f"{origin}: invalid policy: " + "; ".join(problems)) from None
