"""The notebook-first result: ``result.explain``, ``.plot``, ``.to_html``, ``.write`` give what
the functions and commands of the same job give."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import followup
from followup import present
from followup.errors import FollowupError

ROOT = Path(__file__).resolve().parents[1]
EVENTS, INTERVIEWS = ROOT / "sample_data" / "events.csv", ROOT / "sample_data" / "interviews.csv"


@pytest.fixture(scope="module")
def result():
    return followup.score(EVENTS, INTERVIEWS, as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")


def test_explain_and_plot_are_the_functions(result):
    assert result.explain("C007").text() == followup.explain(result, "C007").text()
    with pytest.raises(FollowupError):
        result.explain("nobody at all")
    figure = result.plot("C007")
    assert figure.axes and figure.axes[0].get_title() == followup.plot_candidate(result, "C007").axes[0].get_title()


@pytest.mark.parametrize("name", ["shortlist.csv", "shortlist.json", "shortlist.jsonl", "shortlist.parquet"])
def test_write_is_what_score_dash_o_writes(result, tmp_path, name):
    result.write(tmp_path / name)
    fmt = present.format_for(name, None, False)
    present.write_result(result, fmt, tmp_path / f"expected-{name}")
    if fmt == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name), pd.read_parquet(tmp_path / f"expected-{name}"))
    else:
        assert (tmp_path / name).read_bytes() == (tmp_path / f"expected-{name}").read_bytes()


def test_write_never_overwrites_a_file_it_was_scored_from(tmp_path):
    events, interviews = tmp_path / "events.csv", tmp_path / "interviews.csv"
    events.write_bytes(EVENTS.read_bytes())
    interviews.write_bytes(INTERVIEWS.read_bytes())
    scored = followup.score(events, interviews, as_of="2026-03-31T18:00:00-04:00", tz="America/New_York")
    before = events.read_bytes()
    with pytest.raises(FollowupError):
        scored.write(events)
    assert events.read_bytes() == before


def test_to_html_returns_or_writes_the_report(result, tmp_path):
    page = result.to_html(title="Shortlist")
    assert page == followup.build_report(result, title="Shortlist")
    assert result.to_html(tmp_path / "report.html", title="Shortlist") is None
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == page
