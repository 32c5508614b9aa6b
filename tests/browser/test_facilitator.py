"""The facilitator console in headless Chromium against the real Voilà server, with real
participant pages in their own browser contexts: what the facilitator sees, live.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta

import pytest

from workshop.store import Store

from .conftest import LAPTOP, PHONE

FACILITATOR = "facilitator.ipynb"
HOSTILE = "<b>Bold Co</b><script>window.__pwned = 1</script>"
DIMENSIONS = ["communication", "trust", "expectations", "momentum", "mutual-value",
              "responsiveness"]
LIVE_S = 10     # a count or chart must show by itself within this (polls every 2 s)
PHASE_S = 3     # a phase change must reach every participant within this


def _console_url(workshop) -> str:
    return workshop.server.url(FACILITATOR)


def _wait_text(page, selector: str, pattern: str, seconds: float) -> float:
    """Wait until ``selector``'s text matches ``pattern``; returns the seconds it took."""
    start = time.monotonic()
    page.locator(selector).filter(has_text=re.compile(pattern)).first.wait_for(
        timeout=seconds * 1000)
    return time.monotonic() - start


WATCH = """([title, step]) => {
  window.__rr_seen = {};
  const look = () => {
    const now = Date.now(), seen = window.__rr_seen;
    const banner = document.querySelector('.rr-phase-title');
    if (!seen.title && banner && banner.textContent.includes(title)) seen.title = now;
    if (!seen.step && (!step || document.querySelector(`.rr-step-${step}.rr-current`)))
      seen.step = now;
  };
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, attributes: true, characterData: true});
  look();
}"""


def _move_everyone(console, button: str, people, title: str, step: str = "") -> list[float]:
    """Click ``button`` in the console; seconds until each page showed ``title`` (and was on
    ``step``), as the pages themselves saw it (a busy page answers queries late)."""
    for person in people:
        person.page.evaluate(WATCH, [title, step])
    clicked = time.time()
    console.locator(button).click()
    took = []
    for person in people:
        person.page.wait_for_function("() => window.__rr_seen.title && window.__rr_seen.step")
        seen = person.page.evaluate("() => window.__rr_seen")
        took.append(max(seen["title"], seen["step"]) / 1000 - clicked)
    return took


class Participant:
    """One participant page: join from the console's link, add one relationship, rate it."""

    def __init__(self, page):
        self.page = page

    def join(self, name: str) -> None:
        self.page.locator(".rr-join-name input").fill(name)
        self.page.locator(".rr-join").click()
        self.page.locator(".rr-resume-shown").wait_for()

    def add(self, label: str, shared: str = "") -> None:
        form = self.page.locator(".rr-rel-form-card")
        form.locator(".rr-rel-label input").fill(label)
        form.locator(".rr-rel-last-contact input").fill(
            (date.today() - timedelta(days=20)).isoformat())
        if shared:
            form.locator(".rr-rel-shared input").fill(shared)
        form.locator(".rr-save-relationship").click()
        self.page.locator(".rr-rel-list .rr-list-row").first.wait_for()
        self.page.locator(".rr-next-health").click()
        self.page.locator(".rr-rating-card .rr-rating-trust").wait_for()

    def pick(self, value: int) -> None:
        card = self.page.locator(".rr-rating-card")
        for dim in DIMENSIONS:
            card.locator(f".rr-rating-{dim}").get_by_role(
                "button", name=str(value), exact=True).click()
        card.locator(".rr-note textarea").fill(f"private note {HOSTILE}")

    def send(self) -> None:
        self.page.locator(".rr-rating-card .rr-save-ratings").click()

    def sent(self) -> None:
        self.page.locator(".rr-rating-card .rr-status-ok").wait_for()


def _create_session(page, title: str, threshold: int) -> tuple[str, str]:
    form = page.locator(".rr-session-form")
    form.locator(".rr-session-title input").fill(title)
    box = form.locator(".rr-threshold input")
    box.fill(str(threshold))
    box.press("Enter")
    form.locator(".rr-create-session").click()
    key = page.locator(".rr-facilitator-key").inner_text().strip()
    code = page.locator(".rr-big-code").inner_text().strip()
    return code, key


@pytest.fixture
def console(workshop, open_page):
    return open_page(_console_url(workshop), LAPTOP, ready=".rr-open-form")


def test_wrong_key_is_refused_without_saying_whether_the_session_exists(workshop, console):
    form = console.locator(".rr-open-form")

    def attempt(code: str, key: str, expect: str) -> str:
        form.locator(".rr-open-code input").fill(code)
        form.locator(".rr-open-key input").fill(key)
        form.locator(".rr-open-console").click()
        status = form.locator(".rr-status-error", has_text=expect)
        status.wait_for()
        return status.inner_text().strip()

    known = attempt(workshop.code, "fk-not-the-key", "do not match")
    attempt(workshop.code, "", "highlighted")  # a different answer in between
    assert form.locator(".rr-error-key").inner_text().strip() == "is required"
    unknown = attempt("NOSUCH", "fk-not-the-key", "do not match")
    assert known == unknown == "That session code and facilitator key do not match."
    assert console.locator(".rr-session-console").count() == 0


def test_live_workshop_counts_charts_phases_and_privacy(workshop, console, open_page, shoot):
    code, key = _create_session(console, "Browser rehearsal", threshold=3)
    assert key.startswith("fk-") and re.fullmatch(r"[A-Z2-9]{6}", code)
    join_url = console.locator(".rr-join-url a").get_attribute("href")
    assert join_url == workshop.participant_url(f"code={code}")
    qr = console.locator(".rr-qr img")
    qr.wait_for()
    assert qr.get_attribute("alt") and qr.evaluate("img => img.naturalWidth") > 100
    console.locator(".rr-key-saved").click()
    console.locator(".rr-facilitator-key").wait_for(state="detached")
    console.locator(".rr-reveal").click()
    shoot(console, "facilitator-01-new-session")

    people = [Participant(open_page(join_url, PHONE)) for _ in range(3)]
    for number, person in enumerate(people, 1):
        assert person.page.locator(".rr-join-code input").input_value() == code
        person.join(f"Person {number}")
    _wait_text(console, ".rr-count-joined", r"^\s*3\s*Joined", LIVE_S)
    assert console.locator(".rr-waiting-states").inner_text().strip() == \
        "Hidden: waiting for 3 more respondents."

    # All three rate alike, so every group the charts draw (their state, kind, drift band)
    # holds the 3 people the threshold asks for: the anonymity rule shows no smaller group.
    for number, person in enumerate(people, 1):
        person.add(f"{HOSTILE} private {number}", shared="Northwind Logistics")
        person.pick(4)
    for person in people[:2]:  # two send at the same moment
        person.send()
    for person in people[:2]:
        person.sent()
    _wait_text(console, ".rr-count-health", r"^\s*2\s*Finished health", LIVE_S)
    _wait_text(console, ".rr-waiting-states", "waiting for 1 more respondent", LIVE_S)
    assert console.locator(".rr-chart-states .js-plotly-plot").count() == 0
    shoot(console, "facilitator-02-below-threshold")

    people[2].send()
    clicked = time.monotonic()
    people[2].sent()
    _wait_text(console, ".rr-count-health", r"^\s*3\s*Finished health", LIVE_S)
    console.locator(".rr-chart-states .js-plotly-plot").wait_for(timeout=LIVE_S * 1000)
    shown_after = time.monotonic() - clicked
    for key_ in ("dimensions", "heatmap", "drift", "gaps"):
        console.locator(f".rr-chart-{key_} .js-plotly-plot").wait_for()
    assert "Northwind Logistics (3 raters)" in console.locator(".rr-chart-gaps").inner_text()
    print(f"\nnew submission to chart on the console: {shown_after:.1f} s")

    first = _move_everyone(console, ".rr-phase-next", people, "Why relationships need a reset")
    second = _move_everyone(console, ".rr-phase-map", people, "See the map", step="map")
    print(f"phase change seen by all 3 participants after {max(first):.1f} s and "
          f"{max(second):.1f} s (banner and step)")
    assert max(first) <= PHASE_S and max(second) <= PHASE_S
    for person in people:  # the step they were moved to draws its charts too
        person.page.locator(".rr-chart-portfolio .js-plotly-plot").wait_for()
    assert re.search(r"\d+:\d\d left", console.locator(".rr-phase-clock").inner_text())
    shoot(console, "facilitator-03-revealed")
    shoot(people[0].page, "facilitator-04-participant-follows-phase")

    html = console.content()
    assert "Bold Co" not in html and "private note" not in html and "private 1" not in html
    assert console.evaluate("() => window.__pwned === undefined")
    assert console.locator(".rr-console b", has_text="Bold").count() == 0

    console.locator(".rr-export-html").click()
    with console.expect_download() as got:
        console.locator("a.rr-download-html").click()
    report = got.value.path().read_text(encoding="utf-8")
    assert "Browser rehearsal" in report and report.count("Plotly.newPlot") == 5
    assert "Bold Co" not in report and "private note" not in report
    console.locator(".rr-backup-key input").fill("fk-not-the-key")
    console.locator(".rr-export-full").click()
    console.locator(".rr-export-status", has_text="do not match").wait_for()
    console.locator(".rr-backup-key input").fill(key)
    console.locator(".rr-export-full").click()
    with console.expect_download() as got:
        console.locator("a.rr-download-json-full").click()
    backup = json.loads(got.value.path().read_text(encoding="utf-8"))
    assert len(backup["participants"]) == 3

    with Store.open(workshop.database) as store:
        session = store.open_console(code, key)
        assert len(store.find_participants(session.id)) == 3
