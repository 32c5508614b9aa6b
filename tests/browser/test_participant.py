"""The participant app in headless Chromium against a real Voilà server: the clicks a person
makes, and what they see or get back."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from .conftest import LAPTOP, PAGE_READY_MS, PHONE

HOSTILE = "<script>window.__pwned = 1</script> Zoë & Co 🚀 شركة"
LABELS = ["Northwind Logistics", HOSTILE, "Sam in Finance"]
DIMENSIONS = ["communication", "trust", "expectations", "momentum", "mutual-value",
              "responsiveness"]


class App:
    """The participant app on one page, driven the way a person would."""

    def __init__(self, page):
        self.page = page

    def join(self, name: str = "") -> str:
        self.page.locator(".rr-join-name input").fill(name)
        self.page.locator(".rr-join").click()
        shown = self.page.locator(".rr-resume-shown")
        shown.wait_for()
        return shown.inner_text().strip()

    def step(self, key: str) -> None:
        self.page.locator(f".rr-step-{key}").click()
        self.page.locator(f".rr-step-{key}.rr-current").wait_for()

    def add_relationship(self, label: str, importance: str = "4") -> None:
        form = self.page.locator(".rr-rel-form-card")
        form.locator(".rr-rel-label input").fill(label)
        form.locator(".rr-rel-importance select").select_option(index=int(importance) - 1)
        form.locator(".rr-rel-last-contact input").fill(
            (date.today() - timedelta(days=50)).isoformat())
        before = self.page.locator(".rr-rel-list .rr-list-row").count()
        form.locator(".rr-save-relationship").click()
        self.page.wait_for_function(
            f"document.querySelectorAll('.rr-rel-list .rr-list-row').length > {before}")

    def rate_current(self, value: int) -> None:
        card = self.page.locator(".rr-rating-card")
        for dim in DIMENSIONS:
            card.locator(f".rr-rating-{dim}").get_by_role(
                "button", name=str(value), exact=True).click()
        card.locator(".rr-save-ratings").click()
        card.locator(".rr-status-ok").wait_for()


@pytest.fixture
def app(workshop, open_page):
    page = open_page(workshop.participant_url(f"code={workshop.code}"))
    return App(page)


def _no_script_ran(page) -> bool:
    return page.evaluate("() => window.__pwned === undefined")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.scripts = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_join_take_stock_rate_map_plan_download_and_resume(workshop, app, open_page, shoot,
                                                           tmp_path):
    page = app.page
    assert page.locator(".rr-join-code input").input_value() == workshop.code
    shoot(page, "01-join-1280")
    resume = app.join("Dana")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", resume)
    # "Copied" shows for 1.5 s: watch for it from the page itself, so a busy machine that
    # polls late cannot miss it.
    # (the whole page is watched: the notice may be drawn again, with a new button, meanwhile)
    page.evaluate(
        "() => new MutationObserver(() => { const b = document.querySelector('.rr-copy-resume');"
        " if (b && b.textContent === 'Copied') window.__rr_copied = true; })"
        ".observe(document.body, {childList: true, characterData: true, subtree: true})")
    page.locator(".rr-copy-resume").click()
    page.wait_for_function("() => window.__rr_copied === true")

    for label, importance in zip(LABELS, ["5", "3", "4"], strict=True):
        app.add_relationship(label, importance)
    rows = page.locator(".rr-rel-list .rr-list-row")
    assert rows.count() == 3
    assert any(HOSTILE in row for row in rows.all_inner_texts())  # shown as text, not run
    shoot(page, "02-take-stock-1280")

    page.locator(".rr-next-health").click()
    page.locator(".rr-rating-card .rr-rating-trust").wait_for()
    assert "0 of 3 rated" in page.locator(".rr-progress").inner_text()
    for done, value in enumerate((2, 4, 1), start=1):
        app.rate_current(value)
        page.wait_for_function(
            "n => Array.from(document.querySelectorAll('.rr-health-pick'))"
            ".filter(b => b.textContent.startsWith('✓')).length === n", arg=done)
        if done < 3:
            page.locator(".rr-health-pick", has_text="○").first.click()
            page.locator(".rr-rating-card .rr-status-ok").wait_for(state="detached")
    assert "3 of 3 rated" in page.locator(".rr-progress").inner_text()
    shoot(page, "03-health-1280")

    page.locator(".rr-next-map").click()
    points = page.locator(".rr-chart-portfolio .scatterlayer .point")
    page.wait_for_function(
        "document.querySelectorAll('.rr-chart-portfolio .scatterlayer .point').length === 3",
        timeout=PAGE_READY_MS)
    assert points.count() == 3
    page.wait_for_function(  # each chart is drawn in turn: wait for the ranking too
        "document.querySelectorAll('.rr-chart-priority .ytick text').length === 3")
    ticks = page.locator(".rr-chart-priority .ytick text").all_text_contents()
    assert any("<script>" in t for t in ticks), ticks
    page.wait_for_function(
        "document.querySelectorAll('.rr-chart-states .bars .point').length === 6")
    page.wait_for_function(  # the healthy zone and the rating
        "document.querySelectorAll('.rr-chart-radar .js-plotly-plot g.trace').length === 2")
    assert _no_script_ran(page)
    shoot(page, "04-map-1280")

    # A rating changes: the map follows, without a reload.
    healths = "() => document.querySelector('.rr-chart-portfolio .js-plotly-plot')._fullData" \
              ".flatMap(t => Array.from(t.x)).sort((a, b) => a - b)"
    assert max(page.evaluate(healths)) < 100
    app.step("health")
    page.locator(".rr-health-pick").first.click()
    page.locator(".rr-rating-card .rr-status-ok").wait_for(state="detached")
    # its form replaces the one open before: rate only once it is there
    page.locator(".rr-rating-card").get_by_text(f"How healthy is “{LABELS[0]}”").wait_for()
    app.rate_current(5)
    app.step("map")
    page.wait_for_function(f"({healths})().includes(100)")

    app.step("plan")
    page.locator(".rr-plan-start").first.click()
    form = page.locator(".rr-plan-form")
    form.locator(".rr-plan-own textarea").fill("I let our monthly calls lapse")
    form.locator(".rr-plan-proposal input").fill("a 30-minute call next week")
    meeting = date.today() + timedelta(days=7)
    form.locator(".rr-meeting-date input").fill(meeting.isoformat())
    form.locator(".rr-plan-need-mine textarea").fill("Earlier notice of changes")
    form.locator(".rr-plan-need-theirs textarea").fill("Faster answers from us")
    form.locator(".rr-add-commitment").click()
    form.locator(".rr-commitment-what input").fill("Send a recap of the call")
    form.locator(".rr-draft").click()
    message = form.locator(".rr-message textarea")
    page.wait_for_function(
        "document.querySelector('.rr-message textarea').value.includes('monthly calls')")
    planned_label = page.locator(".rr-plan-title").inner_text()
    form.locator(".rr-plan-status-line.rr-status-ok").wait_for()
    assert "Draft saved" in form.locator(".rr-plan-status-line").inner_text()
    assert "a 30-minute call next week" in message.input_value()
    shoot(page, "05-plan-1280")

    app.step("leave")
    with page.expect_download(timeout=PAGE_READY_MS) as got:  # one click, made on the spot
        page.locator(".rr-download-html").click()
    plan_html = tmp_path / "plan.html"
    got.value.save_as(plan_html)
    text = plan_html.read_text(encoding="utf-8")
    parsed = _Text()
    parsed.feed(text)
    words = " ".join(parsed.text)
    assert "I let our monthly calls lapse" in words
    assert planned_label.removeprefix("Reset plan: ").strip() in words
    assert not any("src" in s for s in parsed.scripts)  # plotly.js is inline: works offline
    assert "Plotly.newPlot" in text and "<script>window.__pwned" not in text

    with page.expect_download() as got:
        page.locator(".rr-download-ics").click()
    calendar = Calendar.from_ical(got.value.path().read_bytes())
    events = [e for e in calendar.walk("VEVENT")]
    summaries = [str(e["SUMMARY"]) for e in events]
    assert sum(s.startswith("Reset meeting:") for s in summaries) == 1
    assert sum(s.startswith("Check in:") for s in summaries) == 3
    meeting_event = next(e for e in events if str(e["SUMMARY"]).startswith("Reset meeting"))
    assert meeting_event.decoded("DTSTART").astimezone().date() == meeting
    with page.expect_download() as got:
        page.locator(".rr-download-csv").click()
    ratings = got.value.path().read_text(encoding="utf-8").splitlines()
    assert ratings[0] == "relationship,kind,taken_at,trend,dimension,rating"
    assert len(ratings) == 1 + 4 * len(DIMENSIONS)  # three check-ins and one re-rating
    shoot(page, "06-leave-1280")
    assert _no_script_ran(page)

    # Another day, another device: the resume code brings everything back.
    later = App(open_page(workshop.participant_url()))
    later.page.locator(".rr-resume-code input").fill(resume.lower())
    later.page.locator(".rr-resume").click()
    later.page.locator(".rr-steps").wait_for()
    assert later.page.locator(".rr-resume-shown").count() == 0  # shown once only
    later.step("stock")
    names = later.page.locator(".rr-rel-list .rr-list-row").all_inner_texts()
    assert sorted(n.split("\n")[0].rsplit(" client", 1)[0].strip() for n in names) == \
        sorted(label.strip() for label in LABELS)
    later.step("health")
    assert "3 of 3 rated" in later.page.locator(".rr-progress").inner_text()
    later.step("plan")
    later.page.locator(".rr-plan-open").first.click()
    own = later.page.locator(".rr-plan-form .rr-plan-own textarea")
    assert own.input_value() == "I let our monthly calls lapse"
    assert later.page.locator(".rr-commitment-what input").input_value() == \
        "Send a recap of the call"
    assert "monthly calls" in later.page.locator(".rr-message textarea").input_value()
    assert _no_script_ran(later.page)


def test_wrong_and_closed_codes_say_so(workshop, open_page):
    page = open_page(workshop.participant_url("code=NOPE99"))
    page.locator(".rr-join").click()
    status = page.locator(".rr-join-card .rr-status-error")
    status.wait_for()
    assert "no session with that code" in status.inner_text().lower()
    page.locator(".rr-join-code input").fill(workshop.closed_code)
    page.locator(".rr-join").click()
    page.get_by_text("closed to new participants").wait_for()
    page.locator(".rr-resume-code input").fill("AAAA-BBBB-CCCC")
    page.locator(".rr-resume").click()
    page.locator(".rr-resume-card .rr-status-error").get_by_text("not known").wait_for()
    assert page.locator(".rr-steps .jupyter-button").count() == 0


def test_invalid_field_shows_its_message_and_keeps_the_text(workshop, open_page, shoot):
    page = open_page(workshop.participant_url())
    page.locator(".rr-solo").click()
    page.locator(".rr-rel-form-card").wait_for()
    too_long = "x" * 130
    page.locator(".rr-rel-label input").fill(too_long)
    page.locator(".rr-rel-since input").fill("2024-05-01")
    page.locator(".rr-rel-last-contact input").fill("2023-01-01")
    page.locator(".rr-save-relationship").click()
    label_error = page.locator(".rr-error-label")
    label_error.get_by_text("at most 120 characters").wait_for()
    assert page.locator(".rr-rel-label input").input_value() == too_long
    assert page.locator(".rr-rel-list .rr-list-row").count() == 0
    page.locator(".rr-rel-label input").fill("Orchard Analytics")
    page.locator(".rr-save-relationship").click()
    page.locator(".rr-error-last-contact").get_by_text("before the relationship").wait_for()
    shoot(page, "07-invalid-1280")


def test_phone_width_fits_and_looks_right(workshop, open_page, shoot):
    page = open_page(workshop.participant_url(f"code={workshop.code}"), size=PHONE)
    shoot(page, "08-join-375")
    App(page).join("")
    page.locator(".rr-rel-form-card").wait_for()
    App(page).add_relationship("Harbor & Pine Bakery")
    shoot(page, "09-take-stock-375")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways at 375 px ({width} px)"
    page.locator(".rr-next-health").click()
    page.locator(".rr-rating-card .rr-rating-trust").wait_for()
    shoot(page, "10-health-375")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways at 375 px ({width} px)"
    assert LAPTOP["width"] > PHONE["width"]


def test_check_in_later_logs_contact_rerates_and_shows_history(workshop, open_page, shoot):
    page = open_page(workshop.participant_url())
    page.locator(".rr-resume-code input").fill(workshop.demo_resume)
    page.locator(".rr-resume").click()
    page.locator(".rr-step-later.rr-current").wait_for()  # plans made: straight to check-in
    page.locator(".rr-later-pick select").select_option(label=workshop.demo_label[:60])
    chart = page.locator(".rr-chart-history")
    chart.get_by_text(f"Health over time: {workshop.demo_label}").wait_for()
    assert chart.get_by_text("Reset meeting").count() == 1
    changes = [t for t in chart.locator(".annotation-text").all_text_contents() if "→" in t]
    assert changes, "no state change labelled on the history chart"
    points = chart.locator(".scatterlayer .point")
    before = points.count()
    assert before >= 2

    page.locator(".rr-contact-date input").fill(date.today().isoformat())
    page.locator(".rr-contact-channel select").select_option(label="Call")
    page.locator(".rr-log-contact").click()
    page.locator(".rr-contact-list").get_by_text(date.today().strftime("%d %b %Y")).wait_for()

    rating = page.locator(".rr-later-rating")
    for dim in DIMENSIONS:
        rating.locator(f".rr-rating-{dim}").get_by_role("button", name="5", exact=True).click()
    rating.locator(".rr-save-ratings").click()
    rating.locator(".rr-status-ok").wait_for()
    page.wait_for_function(
        "n => document.querySelectorAll('.rr-chart-history .scatterlayer .point').length === n",
        arg=before + 1)
    shoot(page, "11-check-in-later-1280")
