"""Report: the scored shortlist as one self-contained HTML page a hiring manager opens offline.

One file, nothing fetched: the styles and the small dependency-free script are inline, the
charts are inline SVG drawn by :mod:`followup.plotting` (text as paths, so no fonts), and a
Content-Security-Policy allows only that one script (by its hash) and no network at all. The
page is built with Jinja2 with autoescaping on, so every candidate-supplied string — names,
ids, contacts, reasons, rejected values — is HTML-escaped: a name like ``<script>`` shows as text.

>>> import followup
>>> from followup.report import build_report
>>> result = followup.score("sample_data/events.csv", "sample_data/interviews.csv",
...                         as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
>>> page = build_report(result)
>>> page.count('<tbody class="candidate"')
32
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from matplotlib.figure import Figure

from . import __version__, plotting
from .explain import annotate_events
from .features import NS_PER_DAY
from .plotting import COLORS
from .schema import FLAGS, STATUSES

STRIP_WIDTH, STRIP_HEIGHT, STRIP_PAD, STRIP_AXIS = 640, 104, 14, 46
STACK_STEP = 9
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
STATUS_ORDER = {"ok": 0, "flagged": 1, "pending": 2, "upcoming": 3}  # best first, as ranked
STATUS_LABELS = {"ok": "OK", "flagged": "Flagged", "pending": "Pending", "upcoming": "Upcoming"}
FLAG_LABELS = {"NO_CONTACT": "No contact", "EXCESSIVE_HANGUPS": "Hang-ups",
               "TOO_FREQUENT": "Too frequent", "WENT_SILENT": "Went silent"}

_ENVIRONMENT = Environment(loader=PackageLoader("followup", "templates"), autoescape=True,
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _asset(name: str) -> str:
    return resources.files("followup").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def build_report(result, title: str = "Follow-up shortlist") -> str:
    """The HTML page for a :class:`~followup.ScoreResult` (one row per candidate)."""
    script = _asset("report.js")
    policy, tz = result.policy, result.tz
    summary = result.summary()
    flagged_any = (result.candidates["flags"].fillna("") != "").sum()
    context = {
        "title": title,
        "as_of": result.as_of.tz_convert(tz).strftime("%a %-d %b %Y, %H:%M"),
        "as_of_iso": result.as_of.tz_convert(tz).isoformat(),
        "tz": tz,
        "policy": {"name": policy.name, "hash": policy.content_hash, "summary": policy.summary},
        "summary": summary,
        "flagged_any": int(flagged_any),
        "counts": result.counts,
        "rejects": _rejects(result.rejects),
        "charts": _charts(result),
        "candidates": _rows(result),
        "statuses": [(s, STATUS_LABELS[s]) for s in STATUSES[::-1]],
        "flags": [(code, FLAG_LABELS.get(code, code)) for code in FLAGS],
        "grades": ["A", "B", "C", "D"],
        "legend": _legend(),
        "no_contact_days": policy.windows.no_contact_days,
        "version": __version__,
        "style": _asset("report.css"),
        "script": script,
        "script_hash": _csp_hash(script),
    }
    return _ENVIRONMENT.get_template("report.html.j2").render(**context)


def write_report(result, path: str | Path, title: str = "Follow-up shortlist") -> None:
    """Write :func:`build_report` to ``path`` as UTF-8."""
    Path(path).write_text(build_report(result, title=title), encoding="utf-8")


def _charts(result) -> list[dict]:
    """The three shortlist charts, drawn by :mod:`followup.plotting` into report-sized figures."""
    charts = []
    for key, caption, draw in (
        ("scores", "Scores of the judged candidates, stacked by whether they carry a flag; "
                   "dotted lines are the grade thresholds.", plotting.plot_score_distribution),
        ("delay", "Days from the end of the interview to the first contact; the dotted line is one "
                  "day, the dashed red line the no-contact limit.", plotting.plot_first_contact_delay),
        ("flags", "How many candidates carry each flag (a candidate can carry several).",
         plotting.plot_flag_counts),
    ):
        # Smaller type than a notebook's: three charts share the page's width.
        with matplotlib.rc_context({"font.size": 8.5, "axes.titlesize": 9.5}):
            figure = Figure(figsize=(5.6, 3.5), layout="constrained")
            draw(result, ax=figure.add_subplot())
        charts.append({"key": key, "caption": caption, "svg": plotting.figure_svg(figure, f"chart-{key}")})
    return charts


def _rejects(rejects: pd.DataFrame) -> list[dict]:
    frame = rejects[["source_file", "source_row", "kind", "column", "value", "reason"]].copy()
    frame["value"] = frame["value"].astype(object).where(frame["value"].notna(), "")
    return frame.astype({"source_row": int}).to_dict(orient="records")


def _text(value, fmt: str = "{}") -> str:
    return "" if value is None or pd.isna(value) else fmt.format(value)


def _rows(result) -> list[dict]:
    """One dict per shortlist row, with the sort keys, the badges and the timeline strip."""
    candidates = result.candidates
    strips = _strips(result)
    rows = []
    tz = result.tz
    for row in candidates.to_dict(orient="records"):  # presentation of the final rows
        candidate_id = str(row["candidate_id"])
        flags = [f for f in str(row["flags"] or "").split(";") if f]
        rows.append({
            "id": candidate_id,
            "name": _text(row["name"]),
            "rank": _text(row["rank"]),
            "status": str(row["status"]),
            "status_label": STATUS_LABELS.get(str(row["status"]), str(row["status"])),
            "status_order": STATUS_ORDER.get(str(row["status"]), len(STATUS_ORDER)),
            "score": _text(row["score"], "{:.1f}"),
            "grade": _text(row["grade"]),
            "flags": [(code, FLAG_LABELS.get(code, code)) for code in flags],
            "speed": _text(row["speed"], "{:.0f}"),
            "persistence": _text(row["persistence"], "{:.0f}"),
            "restraint": _text(row["restraint"], "{:.0f}"),
            "first_hours": _text(row["first_contact_hours"], "{:.1f}"),
            "first_text": _first_contact_text(row),
            "reason": _text(row["reason"]),
            "reasons": [r for r in str(row["reasons"] or "").split("; ") if r],
            "interview": _local(row["interview_at"], tz),
            "window": _window_text(row, tz),
            "contacts": _text(row["inbound_contacts"]),
            "channels": str(row["channels"] or "").replace(",", ", "),
            "strip": strips.get(candidate_id),
        })
    return rows


def _local(stamp, tz: str) -> str:
    if stamp is None or pd.isna(stamp):
        return ""
    return pd.Timestamp(stamp).tz_convert(tz).strftime("%a %-d %b %Y %H:%M")


def _first_contact_text(row: dict) -> str:
    hours, day = row["first_contact_hours"], row["first_contact_day"]
    if hours is None or pd.isna(hours):
        return "none"
    if day == 0:
        return f"{hours:.1f} h (same day)"
    return f"{hours / 24:.1f} d (day {int(day)})" if hours >= 48 else f"{hours:.1f} h (day {int(day)})"


def _window_text(row: dict, tz: str) -> str:
    if str(row["status"]) == "upcoming":
        return "opens after the interview"
    closed = {"as_of": "as of", "decision": f"decision ({row['decision']})",
              "next_interview": "next interview"}.get(str(row["window_closed_by"]), "")
    return f"{_local(row['anchor'], tz)} → {_local(row['window_end'], tz)} ({closed})"


def _strips(result) -> dict[str, dict]:
    """Each candidate's timeline strip: marks on a day axis (day 0 = interview day).

    Positions, colours and stacking are worked out for all events at once; only the final
    grouping into per-candidate strips walks the candidates.
    """
    tz, policy = result.tz, result.policy
    deadline_day = policy.windows.no_contact_days + 1  # the end of day 7 is the start of day 8
    rounds = result.rounds[result.rounds["is_shortlist_round"].to_numpy(bool)].copy()
    rounds["candidate_id"] = rounds["candidate_id"].astype(str)
    rounds = rounds.set_index("candidate_id")

    def position(column):
        local = pd.to_datetime(rounds[column], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
        return local.to_numpy(dtype="datetime64[ns]").view("int64") / NS_PER_DAY - rounds["anchor_day"].to_numpy()

    anchor_x = position("anchor")
    end_x = np.where(rounds["held"].to_numpy(bool), position("window_end"), anchor_x)
    lo = np.full(len(rounds), -1.0)
    hi = np.maximum(np.ceil(end_x) + 1, deadline_day + 1)
    scale = (STRIP_WIDTH - 2 * STRIP_PAD) / (hi - lo)
    ranges = pd.DataFrame({"lo": lo, "hi": hi, "scale": scale, "anchor": anchor_x, "end": end_x,
                           "held": rounds["held"].to_numpy(bool)}, index=rounds.index)

    events = annotate_events(result)
    events = events[(events["kind"] != "duplicate").to_numpy()].reset_index(drop=True)
    spans = ranges.reindex(events["candidate_id"]).reset_index(drop=True)
    x = events["day_position"].to_numpy()
    shown = (x >= spans["lo"].to_numpy()) & (x <= spans["hi"].to_numpy())
    inbound = (events["direction"] == "inbound").to_numpy()
    level = pd.Series(0, index=events.index).groupby(
        [events["candidate_id"], np.floor(x), inbound]).cumcount().to_numpy()
    events["x"] = np.round(STRIP_PAD + (x - spans["lo"].to_numpy()) * spans["scale"].to_numpy(), 1)
    events["y"] = np.where(inbound, STRIP_AXIS - 11 - STACK_STEP * level, STRIP_AXIS + 11 + STACK_STEP * level)
    events["y"] = np.clip(events["y"], 6, STRIP_HEIGHT - 18)
    outcome = events["outcome"].astype(object)
    events["fill"] = np.select(
        [(events["kind"] == "unanswered").to_numpy() | (inbound & outcome.isin(("hang_up", "missed", "busy")).to_numpy()),
         (outcome == "voicemail").to_numpy(), inbound],
        [COLORS["unanswered"], COLORS["voicemail"], COLORS["inbound"]], COLORS["outbound"])
    events["opacity"] = np.where(events["counted"].to_numpy() | (~inbound & events["in_window"].to_numpy()), 1.0, 0.35)
    events["shape"] = events["channel"].map(SHAPES).fillna(SHAPES["other"])
    events["label"] = ("day " + events["day"].astype(str) + " " + events["local_time"] + " · "
                       + events["description"] + np.where(events["roles"] != "", " — " + events["roles"], ""))
    events["shown"] = shown
    marks = events[["candidate_id", "x", "y", "fill", "opacity", "shape", "label", "shown"]]

    def px(day, row):
        return round(STRIP_PAD + (day - row.lo) * row.scale, 1)

    strips = {}
    by_candidate = {cid: group for cid, group in marks.groupby("candidate_id", sort=False)}
    for cid, row in ranges.iterrows():  # presentation: assemble each candidate's strip
        group = by_candidate.get(cid, marks.iloc[0:0])
        visible = group[group["shown"].to_numpy()]
        # A label at the right edge is right-aligned so that it is not cut off.
        ticks = [{"x": px(d, row), "label": f"day {d}", "major": d % 7 == 0,
                  "edge": px(d, row) > STRIP_WIDTH - STRIP_PAD - 20}
                 for d in range(int(np.ceil(row.lo)), int(row.hi) + 1)]
        strips[cid] = {
            "width": STRIP_WIDTH, "height": STRIP_HEIGHT, "axis": STRIP_AXIS,
            "left": STRIP_PAD, "right": STRIP_WIDTH - STRIP_PAD,
            "anchor": px(row.anchor, row), "deadline": px(deadline_day, row),
            "window": (px(row.anchor, row), px(row.end, row)) if row.held and row.end > row.anchor else None,
            "ticks": ticks,
            "marks": visible.drop(columns=["candidate_id", "shown"]).to_dict(orient="records"),
            "hidden": int(len(group) - len(visible)),
        }
    return strips


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
