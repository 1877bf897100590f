"""Plots for notebooks and reports: one candidate's timeline and the shortlist at a glance.

Every function returns a :class:`matplotlib.figure.Figure` built with the object-oriented API
(no pyplot state, no ``plt.show()``), so it works headless, in a batch job or in a notebook
(where a returned figure displays itself). Pass ``ax=`` to draw into an axes of your own
figure instead; the function then returns that axes' figure. Empty input never raises: the
figure says "no data" instead.

>>> import followup
>>> from followup import plotting
>>> r = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                    as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")  # doctest: +SKIP
>>> plotting.plot_candidate(r, "C007").savefig("c007.png")                        # doctest: +SKIP
>>> plotting.plot_score_distribution(r)                                            # doctest: +SKIP
>>> plotting.plot_first_contact_delay(r.candidates)                                # doctest: +SKIP
>>> plotting.plot_flag_counts(r.candidates)                                        # doctest: +SKIP

Reading a timeline: the x axis counts local calendar days in ``tz`` from the interview day
(day 0 starts at local midnight of the day of the anchor, so an event at ``x = 8.4`` happened
on day 8 at about 10 am — the same day numbers the scorer uses in its reasons). Inbound
events (candidate → employer) sit above the axis, outbound ones below; several events on the
same day are stacked. Marker shape is the channel; red fill is an unanswered call
(``hang_up``/``missed``/``busy``), purple a voicemail. The dashed red line is the end of day
``no_contact_days``: a candidate with no inbound contact by then is flagged ``NO_CONTACT``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .explain import find_candidate
from .policy import Grades, Windows
from .days import day_position, local_day
from .features import unanswered_calls
from .schema import CHANNELS, FIRST_CONTACT_TIMING, FLAG_SEPARATOR, FLAGS
from .scoring import first_contact_timing
from .shortlist import carries_flags

# Without a policy, the plots draw the default policy's no-contact deadline.
DEFAULT_NO_CONTACT_DAYS = Windows().no_contact_days

__all__ = [
    "plot_timeline", "plot_candidate", "plot_score_distribution", "plot_first_contact_delay",
    "plot_flag_counts", "figure_svg", "CHANNEL_MARKERS", "COLORS", "FLAG_COLORS",
]

#: Marker shape of each channel on a timeline.
CHANNEL_MARKERS: dict[str, str] = {
    "email": "o", "phone": "^", "letter": "s", "sms": "v", "linkedin": "p",
    "in_person": "*", "other": "X",
}
#: Fill colours used on timelines and charts.
COLORS: dict[str, str] = {
    "inbound": "#1f77b4",      # blue: the candidate's own messages
    "outbound": "#9e9e9e",     # grey: the employer's messages
    "voicemail": "#9467bd",    # purple: a call that left a message (fine)
    "unanswered": "#d62728",   # red: hang-up / missed / busy (the anti-pattern)
    "anchor": "#222222",
    "no_contact": "#d62728",
    "window": "#2ca02c",
    # The report's status badges and the charts share these, so a chart reads like the table.
    "ok": "#1e7a46",           # green: no flag
    "flagged": "#b42318",      # red: carries a flag
    "pending": "#9a6700",
    "upcoming": "#2f6f9f",
    "same_day": "#1e7a46",
    "within_week": "#2f6f9f",
    "late": "#b42318",
    "grade_A": "#14532d", "grade_B": "#3f6212", "grade_C": "#854d0e", "grade_D": "#991b1b",
}
#: Each flag's colour: its badge in the report and its bar in :func:`plot_flag_counts`.
FLAG_COLORS: dict[str, str] = {
    "NO_CONTACT": "#c62828",
    "EXCESSIVE_HANGUPS": "#d9730d",
    "TOO_FREQUENT": "#e5b000",
    "WENT_SILENT": "#6b3fa0",
}
_STACK_STEP = 0.45
_OUT_OF_WINDOW_ALPHA = 0.35


# --------------------------------------------------------------------------- helpers
def _figure_and_axes(ax=None, figsize=(9, 4.5)):
    """A new constrained-layout Figure with one axes, or the given axes and its figure."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _no_data(ax, title: str, message: str = "no data") -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            fontsize=14, color="#666666", gid="no-data")
    ax.set_xticks([])
    ax.set_yticks([])


def _unpack(candidates) -> tuple[pd.DataFrame | None, Any]:
    """Accept a candidates DataFrame or a ScoreResult (then also return its policy)."""
    if candidates is None:
        return None, None
    if isinstance(candidates, pd.DataFrame):
        return candidates, None
    if hasattr(candidates, "candidates"):
        return candidates.candidates, getattr(candidates, "policy", None)
    return pd.DataFrame(candidates), None


def _utc(value, tz: str) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz)
    return stamp.tz_convert("UTC")


def _as_utc_series(times: pd.Series, tz: str) -> pd.Series:
    times = pd.to_datetime(times)
    if getattr(times.dt, "tz", None) is None:
        times = times.dt.tz_localize(tz)
    return times.dt.tz_convert("UTC")


def _calls_unanswered(events: pd.DataFrame, short_call_seconds: float | None) -> np.ndarray:
    """The engine's rule (:func:`followup.features.unanswered_calls`) on a frame a caller may
    have written by hand: ``outcome`` and ``duration_s`` may be missing, durations text."""
    outcome = events["outcome"].astype("string") if "outcome" in events else pd.Series(pd.NA, index=events.index, dtype="string")
    has_duration = "duration_s" in events
    calls = pd.DataFrame({
        "channel": events["channel"].astype("string").fillna("").to_numpy(dtype=object),
        "outcome": outcome.to_numpy(dtype=object, na_value=None),
        "duration_s": pd.to_numeric(events["duration_s"], errors="coerce").to_numpy(dtype=float) if has_duration
        else np.full(len(events), np.nan)})
    return unanswered_calls(calls, short_call_seconds if has_duration else None)


def _is_voicemail(events: pd.DataFrame) -> np.ndarray:
    if "outcome" not in events:
        return np.zeros(len(events), dtype=bool)
    return (events["outcome"].astype("string") == "voicemail").fillna(False).to_numpy(dtype=bool)


# --------------------------------------------------------------------------- timeline
@dataclass
class _Timeline:
    """One candidate's timeline as drawn: the events and where day 0, the anchor, the
    no-contact deadline and the window's end fall on the day axis."""

    events: pd.DataFrame  # the candidate's events, UTC, in time order
    tz: str
    anchor_utc: pd.Timestamp
    end_utc: pd.Timestamp | None
    no_contact_days: int
    origin_day: int = field(init=False)
    anchor_x: float = field(init=False)
    deadline_x: float = field(init=False)
    end_x: float | None = field(init=False)

    def __post_init__(self):
        self.origin_day = int(local_day(pd.Series([self.anchor_utc]), self.tz)[0])
        self.anchor_x = self.x_of(self.anchor_utc)
        self.deadline_x = float(self.no_contact_days + 1)  # the end of local day `no_contact_days`
        self.end_x = None if self.end_utc is None else self.x_of(self.end_utc)

    def x_of(self, stamp: pd.Timestamp) -> float:
        return float(day_position(pd.Series([stamp]), self.origin_day, self.tz)[0])

    @property
    def shows_window(self) -> bool:
        return self.end_x is not None and self.end_x > self.anchor_x


@dataclass
class _Marks:
    """What the event marks put on the axes, for the axis limits and the legend."""

    xs: list[float]
    max_stack: int = 1
    channels: list[str] = field(default_factory=list)
    voicemail: bool = False
    unanswered: bool = False
    faded: bool = False


def _candidate_events(events, candidate_id: str, tz: str) -> pd.DataFrame:
    """The candidate's events with UTC times, in time order (none: an empty frame)."""
    frame = events if isinstance(events, pd.DataFrame) else pd.DataFrame(events)
    if len(frame) and "candidate_id" in frame:
        frame = frame[frame["candidate_id"].astype("string") == str(candidate_id)].copy()
    else:
        frame = frame.iloc[0:0].copy()
    if len(frame):
        frame["timestamp"] = _as_utc_series(frame["timestamp"], tz)
        frame = frame.dropna(subset=["timestamp"]).sort_values("timestamp", kind="stable")
    return frame


def _draw_guides(ax, timeline: _Timeline) -> None:
    """The axis line, the anchor, the no-contact deadline and the shaded window."""
    ax.axhline(0, color="#444444", linewidth=0.8, zorder=1)
    ax.axvline(timeline.anchor_x, color=COLORS["anchor"], linewidth=1.5, zorder=2, gid="anchor",
               label="interview end (anchor)")
    ax.axvline(timeline.deadline_x, color=COLORS["no_contact"], linestyle="--", linewidth=1.5, zorder=2,
               gid="no-contact-line", label=f"end of day {timeline.no_contact_days}: no-contact deadline")
    if timeline.shows_window:
        ax.axvspan(timeline.anchor_x, timeline.end_x, color=COLORS["window"], alpha=0.08, zorder=0, gid="window",
                   label="follow-up window")


def _draw_events(ax, timeline: _Timeline, short_call_seconds: float | None) -> _Marks:
    """One mark per event: inbound above the axis, outbound below, stacked within a local day;
    shape by channel, colour by direction and call outcome, faded outside the window."""
    marks = _Marks(xs=[timeline.anchor_x, timeline.deadline_x] + ([timeline.end_x] if timeline.end_x is not None else []))
    frame = timeline.events
    if not len(frame):
        return marks
    x = day_position(frame["timestamp"], timeline.origin_day, timeline.tz)
    inbound = frame["direction"].astype("string").fillna("").to_numpy() == "inbound"
    # stack events of the same local day and direction so bursts stay visible
    day = np.floor(x).astype(int)
    level = pd.Series(0, index=range(len(frame))).groupby([day, inbound]).cumcount().to_numpy()
    marks.max_stack = int(level.max()) + 1
    y = np.where(inbound, 1.0, -1.0) * (1.0 + _STACK_STEP * level)
    unanswered = _calls_unanswered(frame, short_call_seconds)
    voicemail = _is_voicemail(frame) & ~unanswered
    colour = np.where(inbound, COLORS["inbound"], COLORS["outbound"]).astype(object)
    colour[voicemail] = COLORS["voicemail"]
    colour[unanswered] = COLORS["unanswered"]
    inside = np.ones(len(frame), dtype=bool)
    if timeline.end_x is not None:
        inside = ((frame["timestamp"] >= timeline.anchor_utc).to_numpy()
                  & (frame["timestamp"] <= timeline.end_utc).to_numpy())
    alpha = np.where(inside, 1.0, _OUT_OF_WINDOW_ALPHA)
    channel = frame["channel"].astype("string").fillna("other").to_numpy()
    for name in list(CHANNELS) + sorted(set(channel) - set(CHANNELS)):
        picked = channel == name
        if not picked.any():
            continue
        marks.channels.append(name)
        rgba = [_rgba(c, a) for c, a in zip(colour[picked], alpha[picked])]
        ax.scatter(x[picked], y[picked], marker=CHANNEL_MARKERS.get(name, "X"), s=70,
                   c=rgba, edgecolors="#333333", linewidths=0.6, zorder=3,
                   gid=f"events:{name}")
    marks.voicemail, marks.unanswered = bool(voicemail.any()), bool(unanswered.any())
    marks.faded = bool((~inside).any())
    marks.xs += [float(x.min()), float(x.max())]
    return marks


def _frame_axes(ax, timeline: _Timeline, marks: _Marks, heading: str, origin_note: str, candidate_id: str) -> None:
    """Limits that show every mark, the direction captions, the labels and the day ticks."""
    lo, hi = min(marks.xs), max(marks.xs)
    ax.set_xlim(np.floor(min(lo, -1.0)) - 0.5, np.ceil(hi) + 1.0)
    span = 1.0 + _STACK_STEP * (marks.max_stack - 1)
    ax.set_ylim(-span - 0.8, span + 0.8)
    ax.set_yticks([])
    ax.text(0.005, 0.98, "inbound (candidate → employer) ↑", transform=ax.transAxes, va="top",
            fontsize=9, color=COLORS["inbound"])
    ax.text(0.005, 0.02, "outbound (employer → candidate) ↓", transform=ax.transAxes, va="bottom",
            fontsize=9, color="#666666")
    ax.set_xlabel(f"local day ({timeline.tz}) since the interview; day 0 = interview day{origin_note}")
    ax.set_title(heading)
    _day_ticks(ax)
    if not len(timeline.events):
        ax.text(0.5, 0.7, f"no events for {candidate_id}", transform=ax.transAxes, ha="center",
                va="center", fontsize=12, color="#666666", gid="no-data",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9})


def _legend(ax, timeline: _Timeline, marks: _Marks) -> None:
    """Only what the picture shows: its channels, and the colours and lines drawn."""
    handles = [Line2D([], [], linestyle="", marker=CHANNEL_MARKERS.get(name, "X"), markersize=8,
                      markerfacecolor="white", markeredgecolor="#333333", label=name)
               for name in marks.channels]
    handles += [Patch(color=COLORS["inbound"], label="inbound"),
                Patch(color=COLORS["outbound"], label="outbound")]
    if marks.voicemail:
        handles.append(Patch(color=COLORS["voicemail"], label="voicemail"))
    if marks.unanswered:
        handles.append(Patch(color=COLORS["unanswered"], label="unanswered call"))
    if marks.faded:
        handles.append(Patch(color=COLORS["outbound"], alpha=_OUT_OF_WINDOW_ALPHA, label="outside window"))
    handles += [Line2D([], [], color=COLORS["anchor"], label="interview end (anchor)"),
                Line2D([], [], color=COLORS["no_contact"], linestyle="--",
                       label=f"end of day {timeline.no_contact_days} (no-contact)")]
    if timeline.shows_window:
        handles.append(Patch(color=COLORS["window"], alpha=0.2, label="follow-up window"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)


def plot_timeline(

    events: pd.DataFrame,
    candidate_id: str,
    *,
    anchor=None,
    tz: str = "UTC",
    no_contact_days: int = DEFAULT_NO_CONTACT_DAYS,
    window_end=None,
    short_call_seconds: float | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """One candidate's communication log as marks on a day axis (day 0 = interview day).

    ``events`` is a normalised events frame (``ScoreResult.events`` or ``followup.load_events(...)``)
    with ``candidate_id``, ``timestamp``, ``channel``, ``direction`` and optionally ``outcome``
    and ``duration_s``. ``anchor`` is the interview end (``ScoreResult.candidates["anchor"]``);
    without it, day 0 is the candidate's first event. ``tz`` decides where local days begin.
    Every event of the candidate is one mark: inbound above the axis, outbound below, shape by
    channel, red for unanswered calls (and, with ``short_call_seconds``, outcome-less calls
    shorter than that), purple for voicemails. A solid black line marks the anchor, a dashed
    red line the end of day ``no_contact_days``. With ``window_end`` the follow-up window is
    shaded and events outside it are drawn faded.

    >>> fig = plot_timeline(r.events, "C007", anchor=r.candidates.set_index("candidate_id").at["C007", "anchor"],
    ...                     tz=r.tz)  # doctest: +SKIP
    >>> fig.savefig("c007.png")       # doctest: +SKIP

    See :func:`plot_candidate` for the one-call version that reads anchor, window and tz from a
    :class:`~followup.ScoreResult`.
    """
    fig, ax = _figure_and_axes(ax, figsize=(11, 4.5))
    frame = _candidate_events(events, candidate_id, tz)
    anchor_utc = _utc(anchor, tz)
    origin_note = ""
    if anchor_utc is None and len(frame):
        anchor_utc = frame["timestamp"].iloc[0]
        origin_note = " (no anchor given: day 0 = first event)"
    heading = title or f"{candidate_id}: follow-up timeline"
    if anchor_utc is None:  # nothing to place on the axis at all
        _no_data(ax, heading, f"no events for {candidate_id}")
        return fig

    timeline = _Timeline(frame, tz, anchor_utc, _utc(window_end, tz), no_contact_days)
    _draw_guides(ax, timeline)
    marks = _draw_events(ax, timeline, short_call_seconds)
    _frame_axes(ax, timeline, marks, heading, origin_note, candidate_id)
    _legend(ax, timeline, marks)
    return fig


def _rgba(colour: str, alpha: float):
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def _day_ticks(ax) -> None:
    """Weekly major ticks (day 0, 7, 14, ...) and a light grid line at every local midnight."""
    from matplotlib.ticker import MultipleLocator

    lo, hi = ax.get_xlim()
    ax.xaxis.set_major_locator(MultipleLocator(7 if hi - lo > 14 else 1))
    ax.xaxis.set_minor_locator(MultipleLocator(1))
    ax.grid(axis="x", which="minor", color="#eeeeee", linewidth=0.5, zorder=0)
    ax.grid(axis="x", which="major", color="#cccccc", linewidth=0.8, zorder=0)


def plot_candidate(result, candidate_id: str, *, ax=None, **kwargs) -> Figure:
    """:func:`plot_timeline` for one candidate of a :class:`~followup.ScoreResult`.

    Anchor, follow-up window, time zone, the no-contact deadline and the short-call rule come
    from the result and its policy; the title carries the name, status, score, grade and flags,
    and the headline reason is printed under the axis. Extra keyword arguments go to
    :func:`plot_timeline`. ``candidate_id`` is found as :func:`followup.explain` finds it (the
    id in any case, or the name); an unknown one raises :class:`~followup.FollowupError` with
    the closest matches.

    >>> fig = plot_candidate(r, "C007")   # doctest: +SKIP
    """
    candidates = result.candidates
    candidate_id = find_candidate(result, candidate_id)
    rows = candidates[candidates["candidate_id"].astype("string") == candidate_id]
    if "round_number" in rows:
        rows = rows.sort_values("round_number")
    row = rows.iloc[-1]
    policy = getattr(result, "policy", None)
    defaults: dict[str, Any] = {
        "anchor": row.get("anchor"),
        "tz": getattr(result, "tz", "UTC"),
        "window_end": row.get("window_end"),
    }
    if policy is not None:
        defaults["no_contact_days"] = policy.windows.no_contact_days
        defaults["short_call_seconds"] = policy.restraint.short_call_seconds
    score = row.get("score")
    scored = "" if pd.isna(score) else f", score {score:.1f} ({row.get('grade')})"
    flags = row.get("flags") or ""
    name = row.get("name")
    name = "" if pd.isna(name) else f" {name}"
    defaults["title"] = (f"{candidate_id}{name}: {row.get('status')}{scored}"
                         + (f" — {flags.replace(FLAG_SEPARATOR, ', ')}" if flags else ""))
    defaults.update(kwargs)
    fig = plot_timeline(result.events, candidate_id, ax=ax, **defaults)
    reason = row.get("reason")
    if isinstance(reason, str) and reason:
        target = ax if ax is not None else fig.axes[0]
        target.annotate(reason, xy=(0, 0), xycoords="axes fraction", xytext=(0, -38),
                        textcoords="offset points", fontsize=8, color="#444444", va="top",
                        annotation_clip=False)
    return fig


# --------------------------------------------------------------------------- shortlist
def plot_score_distribution(candidates, *, thresholds: Mapping[str, float] | None = None,
                            bins: int = 20, ax=None) -> Figure:
    """Histogram of ``score`` (0–100), stacked ok / flagged, with the grade thresholds as lines.

    ``candidates`` is ``ScoreResult.candidates`` or the ScoreResult itself (its policy then
    supplies the thresholds); otherwise ``thresholds`` (default A 85, B 70, C 50) is used.
    Unscored (pending / upcoming) candidates are counted in the title, not plotted.

    >>> fig = plot_score_distribution(r)             # doctest: +SKIP
    >>> fig = plot_score_distribution(r.candidates, thresholds={"A": 90, "B": 75, "C": 50})  # doctest: +SKIP
    """
    frame, policy = _unpack(candidates)
    if thresholds is None:
        grades = policy.grades if policy is not None else Grades()
        thresholds = {"A": grades.A, "B": grades.B, "C": grades.C}
    fig, ax = _figure_and_axes(ax)
    title = "Score distribution"
    score = _numbers_to_plot(frame, "score", ax, title,
                             lambda n: f"no scored candidates ({n} pending / upcoming)")
    if score is None:
        return fig
    scored = score.notna()
    flagged = pd.Series(carries_flags(frame) if "flags" in frame else False, index=frame.index)
    groups = [score[scored & ~flagged].to_numpy(), score[scored & flagged].to_numpy()]
    edges = np.linspace(0, 100, bins + 1)
    ax.hist(groups, bins=edges, stacked=True, color=[COLORS["ok"], COLORS["flagged"]],
            label=["no flags", "flagged"], edgecolor="white")
    for letter, value in sorted(thresholds.items(), key=lambda kv: -kv[1]):
        ax.axvline(value, color="#333333", linestyle=":", linewidth=1.2, gid=f"threshold:{letter}")
        ax.text(value, 1.0, f" {letter} ≥ {value:g}", transform=ax.get_xaxis_transform(),
                va="bottom", ha="left", fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (0–100)")
    ax.set_ylabel("candidates")
    ax.yaxis.get_major_locator().set_params(integer=True)
    unscored = int((~scored).sum())
    ax.set_title(f"{title}: {int(scored.sum())} scored"
                 + (f", {unscored} unscored (pending / upcoming)" if unscored else ""), pad=14)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def _numbers_to_plot(frame, column: str, ax, title: str, nothing) -> "pd.Series | None":
    """``frame[column]`` as numbers, or ``None`` after drawing a "no data" note on ``ax``
    (``nothing(len(frame))`` says why when the column is there but empty)."""
    if frame is None or frame.empty or column not in frame:
        _no_data(ax, title)
        return None
    values = pd.to_numeric(frame[column], errors="coerce")
    if not values.notna().any():
        _no_data(ax, title, nothing(len(frame)))
        return None
    return values


def _first_contact_timing(frame: pd.DataFrame, candidates, hours: pd.Series, no_contact_days: int) -> np.ndarray:
    """Each row's first-contact timing code: the engine's, from a ScoreResult's rounds; for a
    plain frame (or a deadline other than the policy's) the engine's rule function on its
    ``first_contact_day`` (or, without calendar days, the elapsed whole days)."""
    rounds = getattr(candidates, "rounds", None)
    if rounds is not None and FIRST_CONTACT_TIMING in rounds and "round_number" in frame:
        keys = ["candidate_id", "round_number"]
        joined = frame[keys].merge(rounds[[*keys, FIRST_CONTACT_TIMING]], on=keys, how="left")
        return joined[FIRST_CONTACT_TIMING].astype(object).to_numpy()
    day = (pd.to_numeric(frame["first_contact_day"], errors="coerce") if "first_contact_day" in frame
           else np.floor(hours / 24.0))
    return np.asarray(first_contact_timing(pd.Series(day), no_contact_days), dtype=object)


def plot_first_contact_delay(candidates, *, unit: str = "days", no_contact_days: int | None = None,
                             bins: int | None = None, ax=None) -> Figure:
    """Histogram of ``first_contact_hours`` (in ``unit`` = ``"days"`` or ``"hours"``).

    Bars are stacked by the local calendar day of the first contact (``first_contact_day``):
    same day (day 0), within the week (days 1 to ``no_contact_days``) and late. A dotted line
    marks one day (24 h) and a dashed red line one week (``no_contact_days``, from the result's
    policy when a ScoreResult is passed, else the default policy's, 7). Candidates with no inbound contact are
    counted in the title.

    >>> fig = plot_first_contact_delay(r.candidates, unit="hours")   # doctest: +SKIP
    """
    if unit not in ("days", "hours"):
        raise ValueError("unit must be 'days' or 'hours'")
    frame, policy = _unpack(candidates)
    engine_days = no_contact_days is None  # the bars are then the engine's own timing codes
    if no_contact_days is None:
        no_contact_days = policy.windows.no_contact_days if policy is not None else DEFAULT_NO_CONTACT_DAYS
    fig, ax = _figure_and_axes(ax)
    title = "Time to first follow-up"
    hours = _numbers_to_plot(frame, "first_contact_hours", ax, title,
                             lambda n: f"no candidate has followed up yet ({n} candidates)")
    if hours is None:
        return fig
    has = hours.notna()
    per = 24.0 if unit == "days" else 1.0
    values = hours / per
    timing = _first_contact_timing(frame, candidates if engine_days else None, hours, no_contact_days)
    same = has & (timing == "same_day")
    late = has & (timing == "late")
    week = has & ~same & ~late
    top = max(float(values[has].max()), (no_contact_days + 1) * 24.0 / per)
    if bins is None:
        step = 0.5 if unit == "days" else 12.0
        edges = np.arange(0.0, top + step, step)
    else:
        edges = np.linspace(0.0, top, bins + 1)
    ax.hist([values[same].to_numpy(), values[week].to_numpy(), values[late].to_numpy()], bins=edges,
            stacked=True, color=[COLORS["same_day"], COLORS["within_week"], COLORS["late"]],
            label=["same day (day 0)", f"days 1–{no_contact_days}", f"after day {no_contact_days}"],
            edgecolor="white")
    ax.axvline(24.0 / per, color="#333333", linestyle=":", linewidth=1.2, gid="same-day-line")
    ax.text(24.0 / per, 1.0, " 1 day", transform=ax.get_xaxis_transform(), va="bottom", fontsize=8)
    ax.axvline(no_contact_days * 24.0 / per, color=COLORS["no_contact"], linestyle="--", linewidth=1.5,
               gid="one-week-line")
    ax.text(no_contact_days * 24.0 / per, 1.0, f" {no_contact_days} days (no-contact limit)",
            transform=ax.get_xaxis_transform(), va="bottom", fontsize=8)
    ax.set_xlim(0, edges[-1])
    ax.set_xlabel(f"{unit} from interview end to first inbound contact")
    ax.set_ylabel("candidates")
    ax.yaxis.get_major_locator().set_params(integer=True)
    missing = int((~has).sum())
    ax.set_title(f"{title}: {int(has.sum())} candidates"
                 + (f" ({missing} with no inbound contact not shown)" if missing else ""), pad=14)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return fig


def plot_flag_counts(candidates, *, ax=None) -> Figure:
    """Bar chart: how many candidates carry each flag code (all four codes always shown).

    A candidate with several flags counts once under each; the title gives the number of
    candidates with at least one flag. Unknown codes found in ``flags`` get their own bar.

    >>> fig = plot_flag_counts(r.candidates)   # doctest: +SKIP
    """
    frame, _ = _unpack(candidates)
    fig, ax = _figure_and_axes(ax, figsize=(7, 4))
    title = "Flags raised"
    if frame is None or frame.empty or "flags" not in frame:
        _no_data(ax, title)
        return fig
    flags = frame["flags"].fillna("").astype(str)
    codes = flags.str.split(FLAG_SEPARATOR).explode().str.strip()
    counts = codes[codes != ""].value_counts()
    order = list(FLAGS) + sorted(set(counts.index) - set(FLAGS))
    heights = [int(counts.get(code, 0)) for code in order]
    bars = ax.bar(order, heights, color=[FLAG_COLORS.get(code, COLORS["flagged"]) for code in order], edgecolor="#333333", linewidth=0.6,
                  gid="flag-bars")
    ax.bar_label(bars, padding=2)
    ax.set_ylim(0, max(heights + [1]) * 1.2)
    ax.set_xlabel("flag code")
    ax.set_ylabel("candidates")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelsize=8)
    n_flagged = int(carries_flags(frame).sum())
    # "carry a flag", not "flagged": a pending candidate can carry one while its status stays
    # pending, and the report's header counts statuses.
    ax.set_title(f"{title}: {n_flagged} of {len(frame)} candidates carry a flag")
    return fig


# --------------------------------------------------------------------------- export
_SVG_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)([^"\)]+)')
_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)  # RDF boilerplate with namespace URLs


def figure_svg(fig: Figure, id_prefix: str = "fig") -> str:
    """The figure as an inline ``<svg>`` element for an HTML page.

    Text is drawn as paths, so the picture needs no font on the reader's machine; the XML
    prolog and the RDF metadata are dropped and every ``id`` (and each reference to one) gets ``id_prefix``, so several
    figures can share one page without their glyph and clip-path ids colliding. The output is
    the same for the same figure (no date, a fixed hash salt).

    >>> fig = plot_flag_counts(pd.DataFrame({"flags": ["NO_CONTACT", ""]}))
    >>> svg = figure_svg(fig, "flags")
    >>> svg.startswith("<svg") and 'id="flags-' in svg
    True
    """
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "followup"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = _SVG_METADATA.sub("", buffer.getvalue())
    return _SVG_REFERENCE.sub(lambda m: f"{m.group(1)}{id_prefix}-{m.group(2)}", text[text.index("<svg"):])
