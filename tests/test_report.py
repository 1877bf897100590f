"""`followup report`: the HTML shortlist, opened in headless Chromium the way a hiring manager
opens it — offline, no console errors, one row per candidate, sorting and filtering that work,
and hostile names shown as plain text."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from conftest import SAMPLE_ARGS, SAMPLE_AS_OF, SAMPLE_DATA, SAMPLE_TZ, day, email, hang_up, interview, make_events, make_interviews
from followup.cli import main
from followup.report import build_report, report_data

AS_OF, TZ, SAMPLE = SAMPLE_AS_OF, SAMPLE_TZ, SAMPLE_ARGS
CHROMIUM = Path(os.environ.get("FOLLOWUP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_ID = '"><img src=x onerror=alert(2)>'
HOSTILE_CONTACT = "</title><script>alert(3)</script>"


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> tuple[Path, followup.ScoreResult]:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "shortlist.html"
    result = CliRunner().invoke(main, ["report", *SAMPLE, "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path, followup.score(SAMPLE_DATA / "events.csv", SAMPLE_DATA / "interviews.csv", as_of=AS_OF, tz=TZ)


def hostile_result():
    interviews = make_interviews(interview("A", name=HOSTILE_NAME, interviewers="Dana Whitfield;Raj Patel"),
                                 interview(HOSTILE_ID, name="Plain Name"))
    events = make_events(email(day(0, "19:30"), contact=HOSTILE_CONTACT),
                         hang_up(day(8, "10:00"), candidate_id=HOSTILE_ID),
                         hang_up(day(8, "10:05"), candidate_id=HOSTILE_ID),
                         hang_up(day(8, "10:10"), candidate_id=HOSTILE_ID))
    return followup.score(events, interviews, as_of=day(20, "18:00"))


def test_report_is_one_self_contained_file(sample_report):
    path, result = sample_report
    page = path.read_text(encoding="utf-8")
    assert page_data(page)["candidates"]["id"] == result.candidates["candidate_id"].tolist()
    assert len(result.candidates) == 32
    # Nothing to fetch: no external scripts, styles, fonts or images.
    for needle in ("<script src", "<link", "@import", "url(http", 'src="http', "@font-face"):
        assert needle not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert len(executable_scripts(page)) == 1
    assert page.count("<svg") >= 3  # the three charts; the strips are drawn when a row opens
    assert "Rows read <strong>337</strong> = used 330 + duplicates 2 + rejected 5" in page
    assert "carrier pigeon" in page  # the rejected rows can be looked at


def page_data(page: str) -> dict:
    """The JSON data block the page's script draws the shortlist from."""
    block = page.split('<script type="application/json" id="report-data">', 1)[1].split("</script>", 1)[0]
    return json.loads(block)


def executable_scripts(page: str) -> list[str]:
    """Every <script> tag that a browser would run (the JSON data block is not one)."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", page) if "application/json" not in tag]


def test_candidate_text_is_escaped_in_the_html():
    page = build_report(hostile_result())
    for raw in (HOSTILE_NAME, HOSTILE_ID, HOSTILE_CONTACT, "<img src=x"):
        assert raw not in page
    assert len(executable_scripts(page)) == 1  # only the report's own script
    # In the data block the markup characters are JSON escapes, and the names come back whole.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    assert HOSTILE_NAME in page_data(page)["candidates"]["name"]


def test_missing_output_is_a_usage_error():
    result = CliRunner().invoke(main, ["report", *SAMPLE])
    assert result.exit_code == 2 and "--output" in result.output


# --------------------------------------------------------------------------- in a browser
def _browser():
    """Playwright's sync API, or a skip saying what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package (.ci/run does "
                    "when apt is usable) or set FOLLOWUP_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    return sync_api


class Page:
    """A page opened from disk, recording console errors, network requests and dialogs."""

    def __init__(self, playwright, path: Path, *, browser=None, width: int = 1400):
        # ``browser``: one already running, shared by a module's tests; the page then gets a
        # context of its own, which ``self.browser.close()`` closes.
        viewport = {"width": width, "height": 1000}
        if browser is None:
            self.browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            self.page = self.browser.new_page(viewport=viewport)
        else:
            self.browser = browser.new_context(viewport=viewport)
            self.page = self.browser.new_page()
        self.errors, self.requests, self.dialogs = [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def visible_ids(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "tbody.candidate", "bodies => bodies.filter(b => !b.hidden).map(b => b.dataset.id)")

    def column(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(
            f"tbody.candidate:not([hidden]) {selector}", "cells => cells.map(c => c.textContent.trim())")

    def network(self) -> list[str]:
        return [url for url in self.requests if url != self.url]


def test_report_in_chromium(sample_report, tmp_path):
    path, result = sample_report
    candidates = result.candidates
    sync_api = _browser()
    with sync_api.sync_playwright() as playwright:
        view = Page(playwright, path)
        page = view.page
        try:
            # One row per candidate, in rank order as written.
            assert view.visible_ids() == candidates["candidate_id"].tolist()

            # Sort by score, ascending: lowest scores first, unscored candidates last.
            page.click("th[data-key=score] button")
            scores = [float(s) if s != "–" else None for s in view.column("td.score")]
            scored = [s for s in scores if s is not None]
            assert scored == sorted(scored) and scores[len(scored):] == [None] * (len(scores) - len(scored))
            page.click("th[data-key=score] button")
            assert [float(s) for s in view.column("td.score")[:3]] == sorted(scored, reverse=True)[:3]
            assert page.get_attribute("th[data-key=score]", "aria-sort") == "descending"

            # Filter by status, by flag, by grade, and by a name typed into the search box.
            page.select_option("#filter-status", "flagged")
            flagged = candidates[candidates["status"] == "flagged"]["candidate_id"]
            assert sorted(view.visible_ids()) == sorted(flagged)
            assert page.text_content("#shown-count") == f"{len(flagged)} of 32 candidates"
            page.select_option("#filter-status", "")
            page.select_option("#filter-flag", "EXCESSIVE_HANGUPS")
            hangups = candidates[candidates["flags"].str.contains("EXCESSIVE_HANGUPS")]["candidate_id"]
            assert sorted(view.visible_ids()) == sorted(hangups) == ["C007", "C011", "C024"]
            page.select_option("#filter-flag", "")
            page.select_option("#filter-grade", "A")
            assert sorted(view.visible_ids()) == sorted(candidates[candidates["grade"] == "A"]["candidate_id"])
            page.select_option("#filter-grade", "")
            page.fill("#filter-text", "gloria")
            assert view.visible_ids() == ["C007"]

            # The row expands to its reasons and its timeline strip: four red hang-ups.
            page.click("tbody[data-id=C007] button.toggle")
            detail = page.locator("tbody[data-id=C007] tr.detail-row")
            assert detail.is_visible()
            assert "4 unanswered calls within 60 min" in detail.inner_text()
            red = page.locator("tbody[data-id=C007] svg.timeline path.mark[fill='#d62728']")
            assert red.count() == 4
            assert page.locator("tbody[data-id=C007] svg.timeline line.deadline").count() == 1

            page.click("button[type=reset]")
            # The page's CSP forbids eval, so wait with a locator assertion, not wait_for_function.
            sync_api.expect(page.locator("#shown-count")).to_have_text("32 of 32 candidates")
            page.click("#expand-all")
            shot = tmp_path / "shortlist.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 50_000
            assert view.errors == [] and view.network() == [] and view.dialogs == []
        finally:
            view.browser.close()


def test_hostile_names_render_as_text_in_chromium(tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(build_report(hostile_result()), encoding="utf-8")
    with _browser().sync_playwright() as playwright:
        view = Page(playwright, path)
        page = view.page
        try:
            assert sorted(view.visible_ids()) == sorted(["A", HOSTILE_ID])
            names = page.eval_on_selector_all(".cand-name", "cells => cells.map(c => c.textContent)")
            assert HOSTILE_NAME in names
            assert page.locator("img").count() == 0
            assert page.locator("script:not([type='application/json'])").count() == 1
            page.click("tbody[data-id='A'] button.toggle")
            titles = page.eval_on_selector_all("tbody[data-id='A'] path.mark title", "ts => ts.map(t => t.textContent)")
            assert any(HOSTILE_CONTACT in t for t in titles)
            page.screenshot(path=str(tmp_path / "hostile.png"))
            assert view.dialogs == [] and view.errors == [] and view.network() == []
        finally:
            view.browser.close()


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="only meaningful where CI can apt-get chromium")
def test_ci_installs_chromium_when_missing():
    script = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "apt-get install -y -q chromium" in script and "[ ! -x /usr/bin/chromium ]" in script
    assert "|| echo" in script  # a failed install does not fail CI


def test_report_counts_match_the_result(sample_report):
    path, result = sample_report
    page = path.read_text(encoding="utf-8")
    summary = result.summary()
    for label in ("ok", "flagged", "pending", "upcoming"):
        assert f'<div class="stat stat-{label}"><dt>' in page
    assert f'<dd id="stat-candidates">{summary["candidates"]}</dd>' in page
    statuses = pd.Series(result.candidates["status"].astype(str)).value_counts()
    data = page_data(page)
    shown = pd.Series([data["texts"][code] for code in data["candidates"]["status"]]).value_counts()
    assert shown.to_dict() == statuses[statuses > 0].to_dict()
    assert f'<div class="stat stat-flagged"><dt>Flagged</dt><dd>{statuses["flagged"]}</dd>' in page


def test_hostile_rejected_values_and_contacts_are_escaped(tmp_path):
    """Rejected rows are shown with their offending value: that value is candidate-supplied too."""
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("candidate_id,name,interview_at,interview_end,interviewers\n"
                          f'A,Plain,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z,"Dana;{HOSTILE_CONTACT}"\n')
    events = tmp_path / "events.csv"
    events.write_text("candidate_id,timestamp,channel,direction,contact,subject\n"
                      f'A,2026-03-02T19:30:00Z,email,inbound,"\' onmouseover=\'alert(4)","{HOSTILE_NAME}"\n'
                      "A,2026-03-03T19:30:00Z,<svg onload=alert(5)>,inbound,Dana,\n"
                      "A,not a time <script>alert(6)</script>,email,inbound,Dana,\n")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(events), "--interviews", str(interviews),
                                       "--as-of", "2026-03-31T18:00:00Z", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    for raw in ("<svg onload", "<script>alert", "' onmouseover='", HOSTILE_CONTACT):
        assert raw not in page
    assert "&lt;svg onload=alert(5)&gt;" in page and "&lt;script&gt;alert(6)&lt;/script&gt;" in page
    assert len(executable_scripts(page)) == 1


def test_redacted_report_names_no_one(tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_REDACT_KEY", "0123456789abcdef0123")
    out = tmp_path / "redacted.html"
    result = CliRunner().invoke(main, ["report", *SAMPLE, "--redact", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    interviews = pd.read_csv(SAMPLE_DATA / "interviews.csv", dtype=str)
    events = pd.read_csv(SAMPLE_DATA / "events.csv", dtype=str)
    people = set(interviews["name"].dropna()) | set(events["contact"].dropna())
    people |= {p.strip() for listed in interviews["interviewers"].dropna() for p in listed.split(";")}
    assert len(people) > 30
    assert sorted(p for p in people if p in page) == []
    names = page_data(page)["candidates"]["name"]
    assert len(names) == 32 and all(name.startswith("name-") for name in names)


def test_flag_chart_counts_carriers_not_the_flagged_status(sample_report):
    """A pending candidate can carry a flag (C011): the chart's count is of candidates carrying
    one and says so, so it does not contradict the header's 'Flagged' status count."""
    _, result = sample_report
    from followup.plotting import plot_flag_counts
    carriers = int((result.candidates["flags"].fillna("") != "").sum())
    assert carriers > result.summary()["flagged"]
    title = plot_flag_counts(result.candidates).axes[0].get_title()
    assert title.endswith(f"{carriers} of 32 candidates carry a flag")


def test_last_day_label_of_a_strip_is_not_cut_off(sample_report):
    path, _ = sample_report
    with _browser().sync_playwright() as playwright:
        view = Page(playwright, path)
        try:
            view.page.click("tbody[data-id=C020] button.toggle")
            labels = view.page.eval_on_selector_all(
                "tbody[data-id=C020] svg.timeline text.tick-label",
                "ts => ts.map(t => [t.getAttribute('class'), parseFloat(t.getAttribute('x')), t.textContent])")
            assert labels[-1][0] == "tick-label edge" and labels[-1][1] <= 640
            assert all(css == "tick-label" for css, _, _ in labels[:-1])
            # Drawn inside the strip: the right end of the last label is within the picture.
            right = view.page.eval_on_selector_all(
                "tbody[data-id=C020] svg.timeline", "s => s.map(svg => [svg.getBoundingClientRect().right, "
                "[...svg.querySelectorAll('text.tick-label')].pop().getBoundingClientRect().right])")[0]
            assert right[1] <= right[0]
        finally:
            view.browser.close()
