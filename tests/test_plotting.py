"""The plots say what the data says: one mark per event, red for every unanswered call, the
no-contact line where the scorer puts the deadline, bars that add up to the table."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless, before anything else touches a backend

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import followup
from followup import plotting
from followup.plotting import COLORS

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31T18:00:00-04:00"
TZ = "America/New_York"
UNANSWERED = {"hang_up", "missed", "busy"}


@pytest.fixture(scope="module")
def result():
    return followup.score(ROOT / "sample_data/events.csv", ROOT / "sample_data/interviews.csv",
                          as_of=AS_OF, tz=TZ)


def event_marks(fig: Figure):
    """(x, y, facecolour RGBA) of every event mark on the figure's first axes."""
    ax = fig.axes[0]
    xs, ys, colours = [], [], []
    for collection in ax.collections:
        gid = collection.get_gid() or ""
        if not gid.startswith("events:"):
            continue
        offsets = np.asarray(collection.get_offsets())
        faces = np.asarray(collection.get_facecolors())
        assert len(faces) == len(offsets)  # one colour per mark, never broadcast
        xs.extend(offsets[:, 0])
        ys.extend(offsets[:, 1])
        colours.extend(faces)
    return np.array(xs), np.array(ys), np.array(colours).reshape(-1, 4)


def count_colour(colours: np.ndarray, name: str) -> int:
    target = np.array(to_rgba(COLORS[name])[:3])
    return int(np.isclose(colours[:, :3], target, atol=1e-3).all(axis=1).sum())


def lines_with_gid(ax, gid: str):
    return [line for line in ax.lines if line.get_gid() == gid]


def has_no_data_text(fig: Figure) -> bool:
    return any(text.get_gid() == "no-data" for ax in fig.axes for text in ax.texts)


def renders(fig: Figure) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getbuffer().nbytes > 0


def candidate_events(result, candidate_id):
    return result.events[result.events["candidate_id"] == candidate_id]


def candidate_row(result, candidate_id):
    return result.candidates.set_index("candidate_id").loc[candidate_id]


# ----------------------------------------------------------------------------- timeline
@pytest.mark.parametrize("candidate_id", ["C007", "C001", "C011", "C024", "C025", "C030"])
def test_timeline_one_mark_per_event_and_red_for_unanswered_calls(result, candidate_id):
    events = candidate_events(result, candidate_id)
    fig = plotting.plot_candidate(result, candidate_id)

    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    xs, ys, colours = event_marks(fig)
    assert len(xs) == len(events) > 0
    unanswered = int((events["channel"].eq("phone") & events["outcome"].isin(UNANSWERED)).sum())
    assert count_colour(colours, "unanswered") == unanswered
    assert count_colour(colours, "voicemail") == int(events["outcome"].eq("voicemail").sum())
    # inbound above the axis, outbound below
    assert int((ys > 0).sum()) == int(events["direction"].eq("inbound").sum())
    assert int((ys < 0).sum()) == int(events["direction"].eq("outbound").sum())
    assert renders(fig)


def test_c007_shows_the_hangup_burst_in_red_on_day_8(result):
    fig = plotting.plot_candidate(result, "C007")
    xs, ys, colours = event_marks(fig)
    red = np.isclose(colours[:, :3], to_rgba(COLORS["unanswered"])[:3], atol=1e-3).all(axis=1)
    assert red.sum() == 4
    # Wed 11 Mar is local day 8 after the Tue 3 Mar interview; the four calls stack upwards
    assert set(np.floor(xs[red]).astype(int)) == {8}
    assert len(set(np.round(ys[red], 6))) == 4
    assert "EXCESSIVE_HANGUPS" in fig.axes[0].get_title()


def test_no_contact_line_is_drawn_at_the_end_of_day_7(result):
    fig = plotting.plot_candidate(result, "C007")
    (line,) = lines_with_gid(fig.axes[0], "no-contact-line")
    assert np.allclose(line.get_xdata(), 8.0)  # end of local day 7 = start of day 8
    (anchor,) = lines_with_gid(fig.axes[0], "anchor")
    assert 0 < anchor.get_xdata()[0] < 1  # the interview ends during day 0

    custom = plotting.plot_timeline(result.events, "C007", anchor=candidate_row(result, "C007")["anchor"],
                                    tz=TZ, no_contact_days=5)
    (line,) = lines_with_gid(custom.axes[0], "no-contact-line")
    assert np.allclose(line.get_xdata(), 6.0)


@pytest.mark.parametrize("candidate_id", ["C005", "C025", "C031", "C029", "C020"])
def test_day_axis_matches_the_scorers_local_days(result, candidate_id):
    row = candidate_row(result, candidate_id)
    fig = plotting.plot_candidate(result, candidate_id)
    xs, ys, colours = event_marks(fig)
    (anchor,) = lines_with_gid(fig.axes[0], "anchor")
    # the first inbound, answered mark after the anchor sits on the day the scorer reports
    contact = (ys > 0) & (xs >= anchor.get_xdata()[0]) & (count_mask(colours, "unanswered") == 0)
    assert int(np.floor(xs[contact].min())) == int(row["first_contact_day"])


def count_mask(colours: np.ndarray, name: str) -> np.ndarray:
    target = np.array(to_rgba(COLORS[name])[:3])
    return np.isclose(colours[:, :3], target, atol=1e-3).all(axis=1).astype(int)


def test_timeline_accepts_an_events_frame_plus_anchor_and_an_own_axes(result):
    own = Figure()
    ax = own.add_subplot()
    events = candidate_events(result, "C008")
    fig = plotting.plot_timeline(result.events, "C008", anchor=candidate_row(result, "C008")["anchor"], tz=TZ, ax=ax)
    assert fig is own
    assert len(event_marks(fig)[0]) == len(events)
    # without an anchor, day 0 is the first event; still one mark per event
    fig = plotting.plot_timeline(events, "C008", tz=TZ)
    assert len(event_marks(fig)[0]) == len(events)
    # naive timestamps are read in tz
    naive = events.assign(timestamp=events["timestamp"].dt.tz_convert(TZ).dt.tz_localize(None))
    fig = plotting.plot_timeline(naive, "C008", anchor="2026-03-04T12:00:00", tz=TZ)
    assert len(event_marks(fig)[0]) == len(events)


def test_timeline_without_events_does_not_raise(result):
    fig = plotting.plot_candidate(result, "C004")  # interviewed, never wrote
    assert len(event_marks(fig)[0]) == 0
    assert has_no_data_text(fig)
    assert lines_with_gid(fig.axes[0], "no-contact-line")
    assert renders(fig)

    for events in (pd.DataFrame(), result.events.iloc[0:0], candidate_events(result, "C007")):
        fig = plotting.plot_timeline(events, "C999", tz=TZ)
        assert isinstance(fig, Figure) and has_no_data_text(fig) and renders(fig)


def test_plot_candidate_finds_a_candidate_as_explain_does_and_rejects_an_unknown_one(result):
    with pytest.raises(followup.FollowupError, match="C999"):
        plotting.plot_candidate(result, "C999")
    by_name = plotting.plot_candidate(result, "gloria stanton")
    assert "C007" in by_name.axes[0].get_title()


# ----------------------------------------------------------------------------- shortlist charts
def bar_heights(ax) -> float:
    return float(sum(patch.get_height() for patch in ax.patches))


def test_score_distribution_counts_every_scored_candidate_and_draws_grade_lines(result):
    fig = plotting.plot_score_distribution(result)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert bar_heights(ax) == result.candidates["score"].notna().sum()
    grades = result.policy.grades
    for letter, value in (("A", grades.A), ("B", grades.B), ("C", grades.C)):
        (line,) = lines_with_gid(ax, f"threshold:{letter}")
        assert np.allclose(line.get_xdata(), value)
    assert "score" in ax.get_xlabel() and ax.get_ylabel() == "candidates"

    custom = plotting.plot_score_distribution(result.candidates, thresholds={"A": 90, "B": 75, "C": 40})
    (line,) = lines_with_gid(custom.axes[0], "threshold:C")
    assert np.allclose(line.get_xdata(), 40)
    assert renders(fig)


@pytest.mark.parametrize("unit, per", [("days", 24.0), ("hours", 1.0)])
def test_first_contact_delay_histogram(result, unit, per):
    fig = plotting.plot_first_contact_delay(result.candidates, unit=unit)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert bar_heights(ax) == result.candidates["first_contact_hours"].notna().sum()
    (same_day,) = lines_with_gid(ax, "same-day-line")
    (week,) = lines_with_gid(ax, "one-week-line")
    assert np.allclose(same_day.get_xdata(), 24 / per)
    assert np.allclose(week.get_xdata(), 7 * 24 / per)
    assert unit in ax.get_xlabel()
    assert renders(fig)


def test_first_contact_delay_rejects_an_unknown_unit(result):
    with pytest.raises(ValueError, match="unit"):
        plotting.plot_first_contact_delay(result.candidates, unit="weeks")


def test_flag_count_bars_equal_the_flags_in_the_table(result):
    fig = plotting.plot_flag_counts(result.candidates)
    ax = fig.axes[0]
    (bars,) = ax.containers
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    heights = dict(zip(labels, (int(bar.get_height()) for bar in bars)))
    codes = result.candidates["flags"].str.split(";").explode()
    expected = codes[codes != ""].value_counts().to_dict()
    assert heights == {code: expected.get(code, 0) for code in followup.FLAGS}
    assert sum(heights.values()) == sum(expected.values()) > 0
    assert f"{len(result.flagged)} of {len(result.candidates)}" in ax.get_title()
    assert renders(fig)


def test_flag_counts_show_all_codes_even_when_nothing_is_flagged(result):
    clean = result.candidates[result.candidates["flags"] == ""]
    fig = plotting.plot_flag_counts(clean)
    (bars,) = fig.axes[0].containers
    assert [bar.get_height() for bar in bars] == [0] * len(followup.FLAGS)


@pytest.mark.parametrize("plot", [plotting.plot_score_distribution, plotting.plot_first_contact_delay,
                                  plotting.plot_flag_counts])
def test_empty_inputs_give_a_no_data_figure(result, plot):
    empty_like = result.candidates.iloc[0:0]
    unscored = result.candidates[result.candidates["status"].isin(["pending", "upcoming"])].assign(
        score=np.nan, first_contact_hours=np.nan, flags="")
    for data in (pd.DataFrame(), empty_like, unscored):
        fig = plot(data)
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 1
        if plot is not plotting.plot_flag_counts or data.empty:
            assert has_no_data_text(fig)
        assert renders(fig)


def test_plots_draw_into_a_shared_figure(result):
    fig = Figure(figsize=(12, 8), layout="constrained")
    axes = fig.subplots(2, 2)
    assert plotting.plot_score_distribution(result, ax=axes[0, 0]) is fig
    assert plotting.plot_first_contact_delay(result, ax=axes[0, 1]) is fig
    assert plotting.plot_flag_counts(result, ax=axes[1, 0]) is fig
    assert plotting.plot_candidate(result, "C007", ax=axes[1, 1]) is fig
    assert len(fig.axes) == 4
    assert renders(fig)
