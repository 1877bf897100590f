"""The report on any screen: measured in real Chromium at a desktop's 1400 px and a phone's
400 px, printed, and opened on shortlists bigger than one screen; and what it shows for
subsets (--flagged-only), groups (--group-by), a model and a run history."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from conftest import SAMPLE_ARGS, SAMPLE_DATA
from followup import datasets
from followup.cli import main
from followup.report import TIMELINE_LIMIT, build_report, report_data
from test_report import Page, _browser, page_data

WIDE, NARROW = 1400, 400

# Every element the page draws whose right edge passes the window's: what a reader sees as a
# sideways scroll or a cut-off word.
OVERFLOWING = """() => [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > innerWidth + 0.5 && !e.closest('.rejects-wrap');
}).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))"""
# Text boxes whose content is wider than the box (a word cut off or spilling out).
CLIPPED_TEXT = """sel => [...document.querySelectorAll(sel)].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.className + ': ' + e.textContent.slice(0, 40))"""


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "shortlist.html"
    result = CliRunner().invoke(main, ["report", *SAMPLE_ARGS, "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module's tests (each test opens its own context)."""
    from test_report import CHROMIUM, CHROMIUM_ARGS

    sync_api = _browser()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, path, width):
    return Page(None, path, browser=browser, width=width)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth")
    assert page.evaluate(OVERFLOWING) == []


def test_desktop_width_is_a_table_with_every_column(sample_page, chromium):
    view = _open(chromium, sample_page, WIDE)
    page = view.page
    try:
        _no_sideways_scroll(page)
        assert page.eval_on_selector("table.ranked thead", "h => getComputedStyle(h).display") == "table-header-group"
        headings = page.eval_on_selector_all("table.ranked thead th", "ts => ts.map(t => t.textContent.trim())")
        assert headings[1:] == ["#", "Candidate", "Status", "Score", "Grade", "Flags", "First contact",
                                "Spd", "Pers", "Rest", "Why"]
        # The table fits its frame: no column hides to the right.
        assert page.eval_on_selector("table.ranked", "t => t.scrollWidth <= t.parentElement.clientWidth")
        # One row per candidate on one line of cells, all in one horizontal band.
        tops = page.eval_on_selector_all("tbody[data-id=C007] tr.summary-row > td",
                                         "tds => tds.map(td => Math.round(td.getBoundingClientRect().top))")
        assert len(set(tops)) == 1
        page.click("#expand-all")
        _no_sideways_scroll(page)
        assert view.errors == []
    finally:
        view.browser.close()


def test_phone_width_shows_cards_without_sideways_scroll(sample_page, chromium, tmp_path):
    view = _open(chromium, sample_page, NARROW)
    page = view.page
    try:
        _no_sideways_scroll(page)
        # Rows are cards: no table heading, each candidate a bordered block as wide as the page.
        assert page.eval_on_selector("table.ranked thead", "h => getComputedStyle(h).display") == "none"
        card = page.eval_on_selector("tbody[data-id=C007]", """b => {
            const r = b.getBoundingClientRect(), s = getComputedStyle(b);
            return {display: s.display, border: s.borderTopWidth, left: r.left, right: r.right};
        }""")
        assert card["display"] == "block" and card["border"] == "1px"
        assert card["left"] >= 0 and card["right"] <= NARROW
        # Everything a desktop row shows is on the card, labelled.
        # (labels are the cells' ::before content, which inner_text leaves out)
        text = " ".join(page.eval_on_selector_all("tbody[data-id=C007] tr.summary-row > td", """tds => tds.map(td =>
            getComputedStyle(td, '::before').content.replace(/^"|"$/g, '') + ' ' + td.innerText)"""))
        for words in ("Gloria Stanton", "C007", "Flagged", "Score", "81.2", "Hang-ups", "First contact",
                      "Speed", "Persistence", "Restraint", "EXCESSIVE_HANGUPS"):
            assert words in text
        # The name is on one line beside the rank, not a letter per line.
        name = page.eval_on_selector("tbody[data-id=C007] .cand-name", "e => e.getBoundingClientRect().height")
        assert name < 30
        # The KPI cards wrap onto more lines instead of running off the screen, and each holds its text.
        stats = page.eval_on_selector_all(".stat", "ss => ss.map(s => { const r = s.getBoundingClientRect(); "
                                          "return [Math.round(r.top), r.right]; })")
        assert len({top for top, _ in stats}) >= 2 and all(right <= NARROW for _, right in stats)
        assert page.evaluate(CLIPPED_TEXT, ".stat, .stat dt, .stat dd") == []

        # An opened card keeps every word of its reasons and facts inside the screen.
        page.click("tbody[data-id=C007] button.toggle")
        detail = page.locator("tbody[data-id=C007] tr.detail-row")
        assert detail.is_visible() and "4 unanswered calls within 60 min" in detail.inner_text()
        _no_sideways_scroll(page)
        assert page.evaluate(CLIPPED_TEXT, "tr.detail-row li, tr.detail-row .facts, tr.detail-row figcaption") == []
        strip = page.eval_on_selector("tbody[data-id=C007] svg.timeline", "s => s.getBoundingClientRect().right")
        assert strip <= NARROW
        page.click("#expand-all")
        _no_sideways_scroll(page)
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        assert view.errors == [] and view.network() == []
    finally:
        view.browser.close()


def test_print_layout_for_the_panel(sample_page, chromium, tmp_path):
    view = _open(chromium, sample_page, WIDE)
    page = view.page
    try:
        page.click("tbody[data-id=C007] button.toggle")
        page.emulate_media(media="print")
        style = """sel => { const e = document.querySelector(sel); return e && getComputedStyle(e); }"""
        assert page.evaluate(f"({style})('#filters').display") == "none"
        assert page.evaluate(f"({style})('td.col-toggle').display") == "none"
        assert page.evaluate(f"({style})('table.ranked thead').display") == "table-header-group"
        assert page.evaluate(f"({style})('tbody.candidate').breakInside") == "avoid"
        assert page.evaluate(f"({style})('section.charts').breakBefore") == "page"
        # On an A4 sheet's width (about 720 px inside the margins) the whole table fits.
        page.set_viewport_size({"width": 718, "height": 1000})
        assert page.eval_on_selector("table.ranked", "t => t.scrollWidth <= t.parentElement.clientWidth")
        _no_sideways_scroll(page)
        # The row opened on screen stays open on paper, with its strip.
        assert page.locator("tbody[data-id=C007] tr.detail-row").is_visible()
        assert page.locator("tbody[data-id=C007] svg.timeline").is_visible()
        pdf = tmp_path / "panel.pdf"
        page.pdf(path=str(pdf), format="A4")
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().count(b"/Type /Page") >= 2
        assert view.errors == []
    finally:
        view.browser.close()


# --------------------------------------------------------------------------- bigger lists
@pytest.fixture(scope="module")
def cohort():
    events, interviews = datasets.make_followups(1200, seed=3)
    interviews["job"] = np.where(np.arange(len(interviews)) % 3 == 0, "Account Executive", "Sales Engineer")
    return events, interviews, datasets.default_as_of(interviews)


def test_a_long_shortlist_is_drawn_a_page_at_a_time(cohort, chromium, tmp_path):
    events, interviews, as_of = cohort
    result = followup.score(events, interviews, as_of=as_of)
    path = tmp_path / "long.html"
    path.write_text(build_report(result), encoding="utf-8")
    ids = result.candidates["candidate_id"].tolist()
    view = _open(chromium, path, WIDE)
    page = view.page
    try:
        assert view.visible_ids() == ids[:100]
        assert page.text_content("#shown-count") == "1200 of 1200 candidates"
        page.click("button.show-more")
        assert view.visible_ids() == ids[:600]
        page.click("button.show-all")
        assert view.visible_ids() == ids
        # A filter counts every candidate, drawn or not.
        page.select_option("#filter-status", "flagged")
        flagged = result.candidates[result.candidates["status"] == "flagged"]["candidate_id"].tolist()
        assert page.text_content("#shown-count") == f"{len(flagged)} of 1200 candidates"
        assert view.visible_ids() == flagged[:100]
        # Sorting works over all of them, not only the drawn ones: the lowest score first.
        page.select_option("#filter-status", "")
        page.click("th[data-key=score] button")
        lowest = result.candidates.sort_values(["score", "rank"], kind="stable")["score"].dropna().iloc[0]
        assert float(view.column("td.score")[0]) == round(lowest, 1)
        assert view.errors == []
    finally:
        view.browser.close()


def test_group_by_gives_a_section_per_group_with_its_counts(cohort, chromium, tmp_path):
    events, interviews, as_of = cohort
    folder = tmp_path / "in"
    folder.mkdir()
    events.to_csv(folder / "events.csv", index=False)
    interviews.to_csv(folder / "interviews.csv", index=False)
    out = tmp_path / "grouped.html"
    run = CliRunner().invoke(main, ["report", str(folder / "events.csv"), "-i", str(folder / "interviews.csv"),
                                    "--as-of", as_of.isoformat(), "--group-by", "job", "-o", str(out)])
    assert run.exit_code == 0, run.output
    result = followup.score(folder / "events.csv", folder / "interviews.csv", as_of=as_of, group_by="job")
    frame = result.candidates
    view = _open(chromium, out, WIDE)
    page = view.page
    try:
        titles = page.eval_on_selector_all("section.group h3", "hs => hs.map(h => h.textContent)")
        assert titles == ["job: Account Executive", "job: Sales Engineer"]
        counts = page.eval_on_selector_all("section.group .group-counts", "ps => ps.map(p => p.textContent)")
        for job, line in zip(["Account Executive", "Sales Engineer"], counts):
            mine = frame[frame["group"] == job]
            statuses = mine["status"].astype(str).value_counts()
            assert line.startswith(f"{len(mine)} candidates: {statuses.get('ok', 0)} OK, "
                                   f"{statuses.get('flagged', 0)} flagged, {statuses.get('pending', 0)} pending")
            first_ranks = page.eval_on_selector_all(
                f"section.group[data-group='{job}'] td.rank", "tds => tds.slice(0, 1).map(t => t.textContent)")
            assert first_ranks == ["1"]  # each group is ranked from 1
        # The interview list's own values find candidates too.
        page.fill("#filter-text", "account exec")
        executives = int((frame["group"] == "Account Executive").sum())
        assert page.text_content("#shown-count") == f"{executives} of {len(frame)} candidates"
        assert view.errors == []
    finally:
        view.browser.close()


def test_flagged_only_lists_the_candidates_with_flags(tmp_path):
    out = tmp_path / "flags.html"
    run = CliRunner().invoke(main, ["report", *SAMPLE_ARGS, "--flagged-only", "-o", str(out)])
    assert run.exit_code == 0, run.output
    result = followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv",
                            as_of=SAMPLE_ARGS[SAMPLE_ARGS.index("--as-of") + 1], tz="America/New_York")
    page = out.read_text(encoding="utf-8")
    assert page_data(page)["candidates"]["id"] == result.with_flags["candidate_id"].tolist()
    assert "Showing the candidates with flags: 10 of 32 candidates." in page
    assert '<dd id="stat-candidates">10</dd>' in page
    assert "10 of 32 candidates" in run.output


def test_report_takes_a_model(chromium, tmp_path):
    model = tmp_path / "model.skops"
    trained = CliRunner().invoke(main, ["train", *SAMPLE_ARGS, "--outcomes", str(SAMPLE_DATA / "outcomes.csv"),
                                        "--folds", "2", "-o", str(model)])
    assert trained.exit_code == 0, trained.output
    out = tmp_path / "model.html"
    run = CliRunner().invoke(main, ["report", *SAMPLE_ARGS, "--model", str(model), "-o", str(out)])
    assert run.exit_code == 0, run.output
    view = _open(chromium, out, WIDE)
    try:
        cells = view.column("td.p-advance")
        assert len(cells) == 32 and all(c.endswith("%") or c == "–" for c in cells)
        assert sum(c.endswith("%") for c in cells) >= 20
        view.page.click("tbody[data-id=C007] button.toggle")
        assert "What moved it most: " in view.page.inner_text("tbody[data-id=C007] tr.detail-row")
    finally:
        view.browser.close()


def test_a_run_history_shows_trend_and_score_over_time(chromium, tmp_path):
    """With a run history (``trend`` on the ranked table, the runs' scores in
    ``score_history``) the report shows both: a column, and a line of the scores per
    candidate (on the card at phone width too)."""
    result = followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv",
                            as_of=SAMPLE_ARGS[SAMPLE_ARGS.index("--as-of") + 1], tz="America/New_York")
    frame = result.candidates.copy()
    frame["trend"] = np.where(frame["candidate_id"] == "C007", "declining", "steady")
    runs = pd.to_datetime(["2026-03-29", "2026-03-31", "2026-03-30"], utc=True)  # out of order on purpose
    history = pd.DataFrame({"candidate_id": ["C007"] * 3, "as_of": runs, "score": [90.0, 81.2, 85.0]})
    with_history = dataclasses.replace(result, candidates=frame, score_history=history)
    path = tmp_path / "history.html"
    path.write_text(build_report(with_history), encoding="utf-8")
    data = report_data(with_history)
    assert data["candidates"]["trail"] == [90.0, 85.0, 81.2]
    assert sum(data["candidates"]["trail_count"]) == 3
    for width in (WIDE, NARROW):
        view = _open(chromium, path, width)
        page = view.page
        try:
            assert page.inner_text("tbody[data-id=C007] td.trend").strip().endswith("declining")
            line = page.get_attribute("tbody[data-id=C007] td.trail svg", "aria-label")
            assert line == "score over time: 90, 85, 81.2"
            assert page.locator("tbody[data-id=C007] td.trail polyline").count() == 1
            _no_sideways_scroll(page)
        finally:
            view.browser.close()


def test_a_candidate_with_a_huge_log_draws_a_bounded_strip():
    """A hostile log of one candidate (here 20,000 hang-ups) costs a bounded page: the strip
    draws TIMELINE_LIMIT events and says how many it left out."""
    calls = 20_000
    interviews = pd.DataFrame({"candidate_id": ["A"], "interview_at": ["2026-03-02T10:00:00Z"],
                               "interview_end": ["2026-03-02T11:00:00Z"]})
    stamps = pd.Timestamp("2026-03-02T12:00:00Z") + pd.to_timedelta(np.arange(calls), unit="min")
    events = pd.DataFrame({"candidate_id": "A", "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "channel": "phone", "direction": "inbound", "outcome": "hang_up"})
    result = followup.score(events, interviews, as_of="2026-03-31T18:00:00Z")
    data = report_data(result)
    assert data["strips"]["count"] == [TIMELINE_LIMIT]
    assert data["strips"]["left_out"] == [calls - TIMELINE_LIMIT]
    assert len(build_report(result)) < 400_000


def test_an_empty_list_and_an_empty_log_still_make_a_page(chromium, tmp_path):
    """--flagged-only when no one carries a flag, and an event log with no rows: a page that
    says so, not an error."""
    from conftest import day, email, interview, make_events, make_interviews

    clean = followup.score(make_events(email(day(0, "19:30"))), make_interviews(interview("A")),
                           as_of=day(3, "18:00"))
    assert clean.with_flags.empty
    path = tmp_path / "none.html"
    path.write_text(build_report(clean, rows=clean.with_flags, subset="the candidates with flags"), encoding="utf-8")
    silent = followup.score(make_events(email(day(0, "19:30"))).iloc[0:0], make_interviews(interview("A")),
                            as_of=day(20, "18:00"))
    assert report_data(silent)["strips"]["left_out"] == [0]
    view = _open(chromium, path, NARROW)
    try:
        assert view.page.text_content("#shown-count") == "0 of 0 candidates"
        assert "No candidate here matches" in view.page.inner_text("#sections")
        assert view.errors == []
    finally:
        view.browser.close()
