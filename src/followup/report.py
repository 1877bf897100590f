"""Report: the scored shortlist as one self-contained HTML page a hiring manager opens offline.

One file, nothing fetched: the styles and the small dependency-free script are inline, the
charts are inline SVG drawn by :mod:`followup.plotting` (text as paths, so no fonts), and a
Content-Security-Policy allows only that one script (by its hash) and no network at all.

The shortlist itself travels as one JSON document inside the page (a ``<script
type="application/json">`` data block, which never runs) built from the engine's columns in
whole-column passes: repeated texts (reasons, local times, flags, event descriptions) are sent
once and referred to by number, and the page's script draws a hundred rows at a time and each
row's details only when it is opened. So 10,000 candidates make a page of a few megabytes that
opens in about a second, and no file can make the page, or the time to build it, grow without
bound: a candidate's timeline strip draws at most :data:`TIMELINE_LIMIT` events and says how
many it left out, and the rejected rows listed are capped at :data:`REJECTS_LIMIT`.

The page's script writes every candidate-supplied string — names, ids, contacts, reasons —
as text (``textContent``), never as markup; the JSON block escapes ``<``, ``>`` and ``&``; the
rest of the page is Jinja2 with autoescaping on. A name like ``<script>`` shows as text.

>>> import followup, json
>>> from followup.report import build_report, report_data
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> data = report_data(result)
>>> len(data["candidates"]["id"]), data["candidates"]["id"][:2]
(32, ['C001', 'C002'])
>>> '<script type="application/json" id="report-data">' in build_report(result)
True
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import textwrap
from importlib import resources
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from matplotlib.figure import Figure

from . import __version__, plotting
from .explain import annotate_events
from .days import NS_PER_DAY, day_position, minute_of_day
from .textcolumns import positions_in
from .plotting import COLORS, FLAG_COLORS
from .reasons import MONTHS
from .shortlist import carries_flags
from .trend import TRAIL_RUNS
from .schema import CHANNEL_SEPARATOR, FLAG_SEPARATOR, FLAGS, GRADE_CAPPED, GRADES, GROUP, REASON_SEPARATOR, SCORE_GRADE, STATUSES

STRIP_WIDTH, STRIP_HEIGHT, STRIP_PAD, STRIP_AXIS = 640, 104, 14, 46
STACK_STEP = 9
CHART_TITLE_WIDTH = 46  # characters of a chart title's line at the report's type size
CHART_SMALLEST_TYPE = 10  # points: a chart's labels and legend, readable at a phone's width
#: Events drawn on one candidate's timeline strip at most; the strip says how many it left out.
TIMELINE_LIMIT = 300
#: Rejected and duplicate rows listed in the page at most (all of them are in ``--rejects``).
REJECTS_LIMIT = 1000
# An event this far before the interview's end or after the strip's last day cannot be on the
# strip (the strip starts at day -1 and a zone is at most 14 h from UTC): left out before the
# events are annotated, so a year of calls before the interview costs nothing.
STRIP_MARGIN_NS = 3 * NS_PER_DAY
# SVG paths around (0, 0), the same shapes as plotting.CHANNEL_MARKERS.
SHAPES = {
    "email": "M-4.5,0a4.5,4.5 0 1,0 9,0a4.5,4.5 0 1,0 -9,0Z",
    "phone": "M0,-5.5L5,3.5H-5Z",
    "letter": "M-4,-4H4V4H-4Z",
    "sms": "M0,5.5L5,-3.5H-5Z",
    "linkedin": "M0,-5L4.8,-1.5L3,4H-3L-4.8,-1.5Z",
    "in_person": "M0,-6L1.6,-2H5.8L2.5,0.7L3.7,5L0,2.5L-3.7,5L-2.5,0.7L-5.8,-2H-1.6Z",
    "other": "M-4,-2.5L-2.5,-4L0,-1.5L2.5,-4L4,-2.5L1.5,0L4,2.5L2.5,4L0,1.5L-2.5,4L-4,2.5L-1.5,0Z",
}
SHAPE_NAMES = tuple(SHAPES)
MARK_FILLS = ("outbound", "inbound", "voicemail", "unanswered")  # a mark's fill is an index here
STATUS_LABELS = {"ok": "OK", "flagged": "Flagged", "pending": "Pending", "upcoming": "Upcoming"}
STATUS_ORDER = STATUSES[::-1]  # best first, as ranked
FLAG_LABELS = {"NO_CONTACT": "No contact", "EXCESSIVE_HANGUPS": "Hang-ups",
               "TOO_FREQUENT": "Too frequent", "WENT_SILENT": "Went silent"}
CLOSED_BY = {"as_of": "as of", "next_interview": "next interview"}  # "decision" names the decision
# A local time as the page writes it (``Tue 3 Mar 2026 10:00``, strftime's "%a %-d %b %Y %H:%M").
WEEKDAYS = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], dtype=object)
# Columns another step may add (the model, a run history): shown when the frame has them.
OPTIONAL_COLUMNS = ("p_advance", "top_factors", "trend", "score_trail")

_ENVIRONMENT = Environment(loader=PackageLoader("followup", "templates"), autoescape=True,
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _asset(name: str) -> str:
    return resources.files("followup").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def build_report(result, title: str = "Follow-up shortlist", *, rows: pd.DataFrame | None = None,
                 subset: str | None = None) -> str:
    """The HTML page for a :class:`~followup.ScoreResult` (one row per candidate).

    ``rows`` is the part of ``result.candidates`` to show (default: all of it), e.g.
    ``result.with_flags``; ``subset`` says in words what it is ("rows with flags"), for the
    header. With ``result.group_by`` set, the page has one section per group with its counts.
    """
    frame = result.candidates if rows is None else rows
    script = _asset("report.js")
    policy, tz = result.policy, result.tz
    flagged_any = int(carries_flags(frame).sum())
    statuses = frame["status"].astype(str).value_counts()
    rejects, rejects_left_out = _rejects(result.rejects)
    context = {
        "title": title,
        "as_of": result.as_of.tz_convert(tz).strftime("%a %-d %b %Y, %H:%M"),
        "as_of_iso": result.as_of.tz_convert(tz).isoformat(),
        "tz": tz,
        "policy": {"name": policy.name, "hash": policy.content_hash, "summary": policy.summary},
        "shown": len(frame),
        "total": len(result.candidates),
        "subset": subset,
        "status_counts": [(s, STATUS_LABELS[s], int(statuses.get(s, 0))) for s in STATUS_ORDER],
        "flagged_any": flagged_any,
        "counts": result.counts,
        "rejects": rejects,
        "rejects_left_out": rejects_left_out,
        "charts": _charts(result, frame),
        "data": _script_json(report_data(result, frame)),
        "statuses": [(s, STATUS_LABELS[s]) for s in STATUS_ORDER],
        "flags": [(code, FLAG_LABELS.get(code, code)) for code in FLAGS],
        "grades": list(GRADES),
        "legend": _legend(),
        "no_contact_days": policy.windows.no_contact_days,
        "version": __version__,
        "style": _asset("report.css") + _colour_variables(),
        "script": script,
        "script_hash": _csp_hash(script),
    }
    return _ENVIRONMENT.get_template("report.html.j2").render(**context)


def write_report(result, path: str | Path, title: str = "Follow-up shortlist", *,
                 rows: pd.DataFrame | None = None, subset: str | None = None) -> None:
    """Write :func:`build_report` to ``path`` as UTF-8."""
    Path(path).write_text(build_report(result, title=title, rows=rows, subset=subset), encoding="utf-8")


def _script_json(payload: dict) -> str:
    """JSON safe inside a ``<script>`` data block: no ``</script>``, ``<!--`` or entity can form,
    and no quote a careless copy into an attribute could close."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(character, escape)
    return text


def _colour_variables() -> str:
    """The badges' colours as CSS variables, from the same table the charts are drawn with."""
    names = {f"--{status}": COLORS[status] for status in STATUS_ORDER}
    names.update({f"--flag-{code}": colour for code, colour in FLAG_COLORS.items()})
    names.update({f"--grade-{grade}": COLORS[f"grade_{grade}"] for grade in GRADES})
    return "\n:root { " + " ".join(f"{name}: {value};" for name, value in names.items()) + " }\n"


# --------------------------------------------------------------------------- the data block
def report_data(result, rows: pd.DataFrame | None = None) -> dict:
    """The page's data: columns of the shortlist rows (lists, one entry per row, in rank
    order), the texts they refer to by number, and the timeline strips' marks.

    Every value is read from a column the engine computed; nothing here decides what a
    contact, a flag or a grade is.
    """
    frame = (result.candidates if rows is None else rows).reset_index(drop=True)
    texts = _Texts()
    tz = result.tz
    status = frame["status"].astype(str)
    closed = np.where(frame["window_closed_by"].astype(str).to_numpy() == "decision",
                      "decision (" + frame["decision"].astype(object).fillna("").astype(str) + ")",
                      frame["window_closed_by"].astype(str).map(CLOSED_BY).fillna("").to_numpy())
    reasons = frame["reasons"].fillna("").astype(str).str.split(REASON_SEPARATOR)
    flat_reasons = reasons.explode()
    kept = flat_reasons.notna() & (flat_reasons != "")
    reason_count = kept.groupby(level=0).sum().reindex(frame.index, fill_value=0).to_numpy(dtype=np.int64)
    flat_reasons = flat_reasons[kept]
    candidates = {
        "id": frame["candidate_id"].astype(str).tolist(),
        "name": _texts_or_none(frame["name"]),
        "rank": _numbers(frame["rank"], 0),
        "status": texts.codes(status),
        "score": _numbers(frame["score"], 1),
        "grade": texts.codes(frame["grade"].astype(object).fillna("")),
        "capped": frame[GRADE_CAPPED].fillna(False).astype(bool).astype(int).tolist()
        if GRADE_CAPPED in frame else [0] * len(frame),
        "score_grade": texts.codes(frame[SCORE_GRADE].astype(object).fillna(""))
        if SCORE_GRADE in frame else texts.codes(pd.Series([""] * len(frame))),
        "flags": texts.codes(frame["flags"].fillna("").astype(str)),
        "flag_separator": FLAG_SEPARATOR,
        "first_hours": _numbers(frame["first_contact_hours"], 1),
        "first_day": _numbers(frame["first_contact_day"], 0),
        "speed": _numbers(frame["speed"], 0),
        "persistence": _numbers(frame["persistence"], 0),
        "restraint": _numbers(frame["restraint"], 0),
        "reason": texts.codes(frame["reason"].fillna("").astype(str)),
        "reasons": texts.codes(flat_reasons.astype(str)),
        "reason_count": reason_count.tolist(),
        "interview": texts.codes(_local_texts(frame["interview_at"], tz)),
        "anchor": texts.codes(_local_texts(frame["anchor"], tz)),
        "window_end": texts.codes(_local_texts(frame["window_end"], tz)),
        "closed_by": texts.codes(pd.Series(closed)),
        "contacts": _numbers(frame["inbound_contacts"], 0),
        "channels": texts.codes(frame["channels"].fillna("").astype(str).str.replace(CHANNEL_SEPARATOR, ", ")),
    }
    if GROUP in frame:
        candidates["group"] = texts.codes(frame[GROUP].astype(object).where(frame[GROUP].notna(), "(none)")
                                          .astype(str))
    extras = [column for column in result.extra_columns if column in frame and column != GROUP]
    for column in extras:
        candidates[f"extra:{column}"] = texts.codes(frame[column].astype(object).fillna("").astype(str))
    optional = {}
    if "p_advance" in frame:
        candidates["p_advance"] = _numbers(frame["p_advance"], 3)
        optional["p_advance"] = "Chance to advance"
    if "top_factors" in frame:
        candidates["top_factors"] = texts.codes(frame["top_factors"].fillna("").astype(str))
        optional["top_factors"] = "What moved it most"
    if "trend" in frame:
        candidates["trend"] = texts.codes(frame["trend"].astype(object).fillna("").astype(str))
        optional["trend"] = "Trend"
    if len(result.score_history):
        trail_values, trail_count = _trail(frame["candidate_id"], result.score_history)
        candidates["trail"], candidates["trail_count"] = trail_values, trail_count
        optional["score_trail"] = "Score over time"
    strips = _strips(result, frame, texts)  # before the texts are read: the strips add theirs
    return {
        "candidates": candidates,
        "texts": texts.values,
        "extras": extras,
        "optional": optional,
        "group_by": result.group_by if GROUP in frame else None,
        "strips": strips,
        "fills": [COLORS[name] for name in MARK_FILLS],
        "shapes": [SHAPES[name] for name in SHAPE_NAMES],
        "flag_labels": FLAG_LABELS,
        "status_labels": STATUS_LABELS,
        "no_contact_days": result.policy.windows.no_contact_days,
        "timeline_limit": TIMELINE_LIMIT,
        "strip": {"width": STRIP_WIDTH, "height": STRIP_HEIGHT, "axis": STRIP_AXIS, "pad": STRIP_PAD},
    }


class _Texts:
    """The page's dictionary of texts: each distinct string once, referred to by its number."""

    def __init__(self):
        self._known = pd.Index([""], dtype=object)

    @property
    def values(self) -> list[str]:
        return self._known.tolist()

    def codes(self, values: pd.Series) -> list[int]:
        """The number of each value's text (missing values are the empty text), adding new texts."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object).reset_index(drop=True))
        uniques = pd.Index(pd.Series(uniques, dtype=object).astype(str), dtype=object)
        new = uniques[self._known.get_indexer(uniques) < 0]
        self._known = self._known.append(new.unique())
        numbers = np.append(self._known.get_indexer(uniques), 0)  # code -1 (missing): text 0, ""
        return numbers[codes].tolist()


def _numbers(values: pd.Series, decimals: int) -> list:
    """Rounded numbers, ``None`` where missing (JSON ``null``)."""
    numbers = pd.to_numeric(pd.Series(values).astype(object), errors="coerce").to_numpy(dtype=float)
    rounded = np.round(numbers, decimals)
    missing = np.isnan(numbers)
    out = np.where(missing, 0, rounded).astype(np.int64).astype(object) if decimals == 0 else rounded.astype(object)
    out[missing] = None
    return out.tolist()


def _texts_or_none(values: pd.Series) -> list:
    text = pd.Series(values, dtype="string")
    return text.astype(object).where(text.notna(), None).tolist()


def _local_texts(stamps: pd.Series, tz: str) -> pd.Series:
    """``Tue 3 Mar 2026 10:00`` in ``tz`` for each time, written once per distinct time from
    the local calendar's numbers (``strftime`` one time at a time costs a second per 30,000)."""
    times = pd.to_datetime(pd.Series(stamps).reset_index(drop=True), utc=True)
    codes, uniques = pd.factorize(times)
    local = pd.DatetimeIndex(uniques).tz_convert(tz)

    def text(numbers, width=1):
        return pd.Series(numbers, dtype=np.int64).astype(str).str.zfill(width).to_numpy(dtype=object)

    formatted = (WEEKDAYS[local.day_of_week] + " " + text(local.day) + " " + MONTHS[local.month - 1] + " "
                 + text(local.year) + " " + text(local.hour, 2) + ":" + text(local.minute, 2))
    return pd.Series(np.append(formatted, "")[codes], dtype=object)


def _trail(candidate_ids: pd.Series, history: pd.DataFrame) -> tuple[list, list]:
    """Each shown candidate's scores over the history's runs (``ScoreResult.score_history``,
    the last :data:`~followup.trend.TRAIL_RUNS`, oldest first): the flat values in the rows'
    order and a count per row; a run without a score is ``None``."""
    rows = history[["candidate_id", "as_of", "score"]].sort_values(["candidate_id", "as_of"], kind="stable")
    recent = rows.groupby("candidate_id", sort=False).cumcount(ascending=False).to_numpy() < TRAIL_RUNS
    rows = rows[recent]
    position = pd.Index(candidate_ids.astype(str)).get_indexer(rows["candidate_id"].astype(str))
    shown = position >= 0
    position, rows = position[shown], rows[shown]
    order = np.lexsort((rows["as_of"].to_numpy(dtype="datetime64[ns]"), position))
    flat = rows["score"].to_numpy(dtype=float)[order]
    out = np.round(flat, 1).astype(object)
    out[np.isnan(flat)] = None
    return out.tolist(), np.bincount(position, minlength=len(candidate_ids)).tolist()


def _charts(result, frame: pd.DataFrame) -> list[dict]:
    """The three shortlist charts of the rows shown, drawn by :mod:`followup.plotting`."""
    subset = dataclasses.replace(result, candidates=frame)
    charts = []
    for key, caption, draw in (
        ("scores", "Scores of the judged candidates, stacked by whether they carry a flag; "
                   "dotted lines are the grade thresholds.", plotting.plot_score_distribution),
        ("delay", "Days from the end of the interview to the first contact; the dotted line is one "
                  "day, the dashed red line the no-contact limit.", plotting.plot_first_contact_delay),
        ("flags", "How many candidates carry each flag (a candidate can carry several).",
         plotting.plot_flag_counts),
    ):
        # A small figure with large type: scaled to a phone's or a third of a screen's width,
        # the labels stay at about the page's own text size.
        with matplotlib.rc_context({"font.size": 11, "axes.titlesize": 11.5, "legend.fontsize": 10,
                                    "xtick.labelsize": 10, "ytick.labelsize": 10}):
            figure = Figure(figsize=(4.8, 3.6), layout="constrained")
            axes = figure.add_subplot()
            draw(subset, ax=axes)
            # A long title ("…: 28 candidates (4 with no inbound contact not shown)") on two
            # lines rather than cut off at the figure's edge.
            axes.set_title(textwrap.fill(axes.get_title(), CHART_TITLE_WIDTH), pad=16, va="bottom")
            legend = axes.get_legend()
            for label in [*axes.texts, *(legend.get_texts() if legend else [])]:
                label.set_fontsize(max(label.get_fontsize(), CHART_SMALLEST_TYPE))
            if key == "flags":  # the badges' words, which fit side by side where the codes do not
                axes.set_xticks(axes.get_xticks(), [FLAG_LABELS.get(t.get_text(), t.get_text())
                                                    for t in axes.get_xticklabels()])
                axes.tick_params(axis="x", labelsize=10)
                axes.set_xlabel("flag")
        charts.append({"key": key, "caption": caption, "svg": plotting.figure_svg(figure, f"chart-{key}")})
    return charts


def _rejects(rejects: pd.DataFrame) -> tuple[list[dict], int]:
    """The first :data:`REJECTS_LIMIT` rejected and duplicate rows, and how many more there are."""
    shown = rejects.iloc[:REJECTS_LIMIT]
    frame = shown[["source_file", "source_row", "kind", "column", "value", "reason"]].copy()
    frame["value"] = frame["value"].astype(object).where(frame["value"].notna(), "")
    return frame.astype({"source_row": int}).to_dict(orient="records"), max(len(rejects) - REJECTS_LIMIT, 0)


# --------------------------------------------------------------------------- timeline strips
def _strips(result, frame: pd.DataFrame, texts: _Texts) -> dict:
    """Each shown candidate's timeline strip: marks on a day axis (day 0 = interview day).

    Per candidate (lists in the order of ``frame``): the axis range in days (``lo``, ``hi``) and
    pixels per day (``scale``), where the interview ended, the window's end and the no-contact
    deadline (pixels), and the slice ``[start, start + count)`` of the flat mark lists, with
    how many events were ``left_out`` (off the strip's days, or beyond :data:`TIMELINE_LIMIT`).
    All in whole-column passes; the page draws a strip when its row is opened.
    """
    tz, policy = result.tz, result.policy
    deadline_day = policy.windows.no_contact_days + 1  # the end of day 7 is the start of day 8
    ids = frame["candidate_id"].astype(str).reset_index(drop=True)
    rounds = result.rounds[result.rounds["is_shortlist_round"].to_numpy(bool)]
    which = positions_in(pd.Index(rounds["candidate_id"].astype(str)), ids)
    rounds = rounds.iloc[np.maximum(which, 0)].reset_index(drop=True)
    has_round = which >= 0
    n = len(ids)

    def position(column):
        return day_position(pd.to_datetime(rounds[column], utc=True), rounds["anchor_day"].to_numpy(), tz)

    held = rounds["held"].to_numpy(bool) & has_round
    anchor_x = position("anchor") if n else np.zeros(0)
    end_x = np.where(held, position("window_end"), anchor_x) if n else np.zeros(0)
    lo = np.full(n, -1.0)
    hi = np.maximum(np.ceil(np.nan_to_num(end_x, nan=0.0)) + 1, deadline_day + 1)
    scale = (STRIP_WIDTH - 2 * STRIP_PAD) / (hi - lo)

    def px(day):
        return np.round(STRIP_PAD + (day - lo) * scale, 1)

    marks, start, count, left_out = _marks(result, ids, rounds, has_round, lo, hi, scale, texts)
    return {
        "lo": lo.tolist(), "hi": hi.astype(np.int64).tolist(), "scale": np.round(scale, 4).tolist(),
        "anchor": _numbers(pd.Series(px(anchor_x)), 1),
        "window_end": _numbers(pd.Series(np.where(held & (end_x > anchor_x), px(end_x), np.nan)), 1),
        "deadline": px(np.full(n, float(deadline_day))).tolist(),
        "start": start, "count": count, "left_out": left_out,
        "has": has_round.astype(int).tolist(),
        **marks,
    }


def _marks(result, ids, rounds, has_round, lo, hi, scale, texts):
    """The flat mark lists of every strip, and each candidate's slice of them."""
    n = len(ids)
    events = result.events
    position = positions_in(pd.Index(ids), events["candidate_id"].astype(str))
    mine = position >= 0
    total = np.bincount(position[mine], minlength=n)
    empty = {key: [] for key in ("x", "y", "fill", "faded", "shape", "day", "minute", "what", "roles")}
    if not mine.any():
        return empty, [0] * n, [0] * n, total.tolist()
    # Only events that can be on a strip are annotated, at most TIMELINE_LIMIT per candidate.
    stamps = pd.to_datetime(events["timestamp"], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")
    anchor_ns = pd.to_datetime(rounds["anchor"], utc=True).to_numpy(dtype="datetime64[ns]").view("int64")
    slot = np.maximum(position, 0)
    near = mine & (stamps >= anchor_ns[slot] - STRIP_MARGIN_NS) \
        & (stamps <= anchor_ns[slot] + (hi[slot].astype(np.int64) * NS_PER_DAY + STRIP_MARGIN_NS))
    candidates = events[near]
    order = np.lexsort((stamps[near], position[near]))
    candidates = candidates.iloc[order]
    within = pd.Series(position[near][order]).groupby(position[near][order]).cumcount().to_numpy()
    candidates = candidates[within < TIMELINE_LIMIT]
    if not len(candidates):  # none near an interview: nothing to draw
        return empty, [0] * n, [0] * n, total.tolist()
    subset = dataclasses.replace(result, events=candidates.reset_index(drop=True),
                                 rejects=result.rejects.iloc[0:0])
    annotated = annotate_events(subset)  # no rejects, so no duplicates: one row per event_roles row
    # Red: an inbound call that reached nobody, by the engine's rule, in the window or not.
    annotated["unanswered_call"] = subset.event_roles["unanswered_call"].to_numpy()
    owner = positions_in(pd.Index(ids), annotated["candidate_id"])
    x = annotated["day_position"].to_numpy(dtype=float)
    shown = (owner >= 0) & has_round[np.maximum(owner, 0)] & (x >= lo[np.maximum(owner, 0)]) \
        & (x <= hi[np.maximum(owner, 0)])
    annotated, owner, x = annotated[shown], owner[shown], x[shown]
    order = np.lexsort((annotated["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64"), owner))
    annotated, owner, x = annotated.iloc[order].reset_index(drop=True), owner[order], x[order]

    inbound = (annotated["direction"] == "inbound").to_numpy()
    level = pd.Series(0, index=annotated.index).groupby([owner, np.floor(x), inbound]).cumcount().to_numpy()
    y = np.where(inbound, STRIP_AXIS - 11 - STACK_STEP * level, STRIP_AXIS + 11 + STACK_STEP * level)
    y = np.clip(y, 6, STRIP_HEIGHT - 18)
    outcome = annotated["outcome"].astype(object)
    fill = np.select([annotated["unanswered_call"].to_numpy(), (outcome == "voicemail").to_numpy(), inbound],
                     [3, 2, 1], 0)
    faded = ~(annotated["counted"].to_numpy(bool) | (~inbound & annotated["in_window"].to_numpy(bool)))
    shape = pd.Categorical(annotated["channel"].astype(str), categories=SHAPE_NAMES).codes
    shape = np.where(shape < 0, SHAPE_NAMES.index("other"), shape)
    minutes = minute_of_day(annotated["timestamp"], result.tz)
    count = np.bincount(owner, minlength=n)
    start = np.concatenate([[0], np.cumsum(count)[:-1]]) if n else np.zeros(0, dtype=np.int64)
    marks = {
        "x": np.round(STRIP_PAD + (x - lo[owner]) * scale[owner], 1).tolist(),
        "y": y.astype(np.int64).tolist(),
        "fill": fill.astype(np.int64).tolist(),
        "faded": faded.astype(np.int64).tolist(),
        "shape": shape.astype(np.int64).tolist(),
        "day": annotated["day"].to_numpy(dtype=np.int64).tolist(),
        "minute": minutes.tolist(),
        "what": texts.codes(annotated["description"].astype(str)),
        "roles": texts.codes(annotated["roles"].astype(str)),
    }
    return marks, start.astype(np.int64).tolist(), count.tolist(), (total - count).tolist()


def _legend() -> list[dict]:
    return [
        {"shape": SHAPES["email"], "fill": COLORS["inbound"], "label": "email"},
        {"shape": SHAPES["phone"], "fill": COLORS["inbound"], "label": "call"},
        {"shape": SHAPES["letter"], "fill": COLORS["inbound"], "label": "letter"},
        {"shape": SHAPES["sms"], "fill": COLORS["inbound"], "label": "text"},
        {"shape": SHAPES["linkedin"], "fill": COLORS["inbound"], "label": "LinkedIn"},
        {"shape": SHAPES["in_person"], "fill": COLORS["inbound"], "label": "in person"},
        {"shape": SHAPES["phone"], "fill": COLORS["voicemail"], "label": "voicemail"},
        {"shape": SHAPES["phone"], "fill": COLORS["unanswered"], "label": "hang-up / missed"},
        {"shape": SHAPES["email"], "fill": COLORS["outbound"], "label": "employer (below the line)"},
    ]
