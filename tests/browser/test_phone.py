"""The participant app, the phase banner and the team dashboard on a phone (issue 14).

A page that never scrolls sideways can still hide a row that scrolls inside its card (the
commitment row was 636 px in a 325 px card) or a button cut to "O…". So every visible
element of every card is measured against its card, every box that clips its content is
asked whether it hides some, and every chart label is measured against its chart. The whole
flow is walked at 375 px through the screens, with a screenshot of each; the key steps are
checked again at 320 and 414 px on a participant who already has data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from workshop.app.workbook import Workbook
from workshop.content import content
from workshop.demo import DEMO_CODE, DEMO_KEY
from workshop.store import Store

from .conftest import LAPTOP, PAGE_READY_MS, add_relationship

DIMENSIONS = ["communication", "trust", "expectations", "momentum", "mutual-value",
              "responsiveness"]
LONG = "Harbor & Pine Bakery, the wholesale side of the business"
LABELS = [LONG, "Sam in Finance", "Northwind Logistics"]

# Each finding is one line: what, where, by how much.
MEASURE = r"""
() => {
  const found = [];
  const shown = (e) => e.getClientRects().length > 0
    && getComputedStyle(e).visibility !== "hidden";
  const name = (e) => {
    const classes = (e.getAttribute("class") || "").split(/\s+/)
      .filter((c) => c.startsWith("rr-") || c.startsWith("widget-")).slice(0, 3);
    const text = (e.textContent || "").trim().slice(0, 30);
    return `<${e.tagName.toLowerCase()}${classes.length ? " ." + classes.join(".") : ""}>`
      + (text ? ` "${text}"` : "");
  };
  const px = (n) => Math.round(n);
  // Text kept for screen readers only (clipped to nothing) is not on the screen, nor are
  // Plotly's transparent drag handles (.draglayer) at a chart's corners.
  const forEars = (e, card) => {
    for (let at = e; at && at !== card; at = at.parentElement) {
      const style = getComputedStyle(at);
      if (style.clipPath !== "none" || (style.clip && style.clip !== "auto")) { return true; }
    }
    return false;
  };
  const controls = "input, select, textarea, option";
  for (const card of document.querySelectorAll(".rr-card, .rr-dashboard")) {
    if (!shown(card)) { continue; }
    const box = card.getBoundingClientRect();
    const where = name(card);
    for (const el of card.querySelectorAll("*")) {
      if (!shown(el) || forEars(el, card) || el.closest(".draglayer")) { continue; }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) { continue; }
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        found.push(`${name(el)} spans ${px(r.left)}-${px(r.right)} px, its card ${where} `
                   + `${px(box.left)}-${px(box.right)} px`);
      }
      if (el instanceof SVGElement) {
        if (el.tagName === "text" && el.closest(".main-svg")) {
          const chart = el.closest(".main-svg").getBoundingClientRect();
          if (r.left < chart.left - 1 || r.right > chart.right + 1
              || r.top < chart.top - 1 || r.bottom > chart.bottom + 1) {
            found.push(`chart label ${name(el)} is cut by its chart in ${where}`);
          }
        }
        continue;
      }
      if (el.matches(controls)) { continue; }
      const clips = ["hidden", "auto", "scroll", "clip"].includes(getComputedStyle(el).overflowX);
      if (clips && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
        found.push(`${name(el)} hides ${el.scrollWidth - el.clientWidth} px of its content `
                   + `sideways in ${where}`);
      }
    }
  }
  const page = document.documentElement.scrollWidth;
  if (page > window.innerWidth + 1) {
    found.push(`the page is ${page} px wide at ${window.innerWidth} px`);
  }
  return found;
}
"""


IN_VIEW = ("s => { const e = document.querySelector(s); if (!e) return false;"
           " const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight"
           " && document.activeElement === e || document.activeElement.contains(e) &&"
           " r.top >= 0 && r.bottom <= innerHeight; }")


def _settled(page) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r)))")


def misfits(page, screen: str) -> list[str]:
    """Every element wider than its card (or hidden sideways) on ``page``, named."""
    _settled(page)
    width = page.viewport_size["width"]
    return [f"{screen} at {width} px: {line}" for line in page.evaluate(MEASURE)]


def _phone(width: int) -> dict:
    return {"width": width, "height": 800}


def _step(page, key: str) -> None:
    page.locator(f".rr-step-{key}").click()
    page.locator(f".rr-step-{key}.rr-current").wait_for()


def _charts_drawn(page) -> None:
    for chart in ("portfolio", "priority", "states", "radar"):
        page.locator(f".rr-chart-{chart} .js-plotly-plot .main-svg").first.wait_for(
            timeout=PAGE_READY_MS)
    page.wait_for_function(
        "document.querySelectorAll('.rr-chart-priority .ytick text').length >= 3")
    _charts_fit_their_boxes(page)


def _charts_fit_their_boxes(page) -> None:
    """Wait until every chart is drawn at its box's width. Plotly's renderer may draw a
    chart before its box is in the page (a step that opens as the page arrives), at Plotly's
    default 700 px, and redraws it at the box's width once the box is laid out; a chart
    that stayed too wide would make this time out."""
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(plot => {
             const drawn = plot._fullLayout && plot._fullLayout.width;
             const box = plot.parentElement.getBoundingClientRect().width;
             return !drawn || !box || Math.abs(drawn - box) <= 2;
           })""", timeout=PAGE_READY_MS)


@pytest.fixture
def over_time_session(workshop):
    """A session whose current phase ran over its time an hour ago (the banner's worst
    case): its code."""
    with Store.open(workshop.database) as store:
        session, _ = store.add_session("Phone walk", date.today())
        store.update_session(session.id, current_phase="inventory",
                             phase_started_at=datetime.now(timezone.utc) - timedelta(hours=1))
    return session.code


def test_every_step_fits_its_cards_at_375(workshop, open_page, shoot, over_time_session):
    page = open_page(workshop.participant_url(f"code={over_time_session}"), _phone(375))
    found = misfits(page, "join")
    shoot(page, "phone-375-01-join")
    page.locator(".rr-join-name input").fill("Dana")
    page.locator(".rr-join").click()
    page.locator(".rr-resume-shown").wait_for()
    page.locator(".rr-phase-banner").wait_for()
    resume = page.locator(".rr-resume-shown").inner_text().strip()
    found += misfits(page, "resume notice and phase banner")
    shoot(page, "phone-375-02-resume-code-and-banner")
    page.locator(".rr-resume-saved").click()

    for label in LABELS:
        add_relationship(page, label)
    found += misfits(page, "take stock")
    shoot(page, "phone-375-03-take-stock")

    page.locator(".rr-next-health").click()
    card = page.locator(".rr-rating-card")
    card.locator(".rr-rating-trust").wait_for()
    found += misfits(page, "health check")
    shoot(page, "phone-375-04-health")
    for n, value in enumerate((2, 4, 1), start=1):
        title = card.locator("h3").first.inner_text()
        for dim in DIMENSIONS:
            card.locator(f".rr-rating-{dim}").get_by_role("button", name=str(value),
                                                          exact=True).click()
        card.locator(".rr-save-ratings").click()
        page.locator(".rr-progress", has_text=f"{n} of 3 rated").wait_for()
        if n < 3:  # it moved on by itself, and the next form is in view
            page.wait_for_function(
                "t => { const h = document.querySelector('.rr-rating-card h3');"
                " return h && h.textContent !== t; }", arg=title)
            page.wait_for_function(IN_VIEW, arg=".rr-rating-card h3")
    done = card.locator(".rr-health-saved")
    done.get_by_text("All 3 relationships are rated").wait_for()
    offer = card.locator(".rr-all-rated-map")
    offer.wait_for()
    page.wait_for_function(IN_VIEW, arg=".rr-rating-card .rr-all-rated-map")
    found += misfits(page, "health check, all rated")
    shoot(page, "phone-375-05-health-all-rated")

    offer.click()
    page.locator(".rr-step-map.rr-current").wait_for()
    _charts_drawn(page)
    found += misfits(page, "map")
    shoot(page, "phone-375-06-map")

    _step(page, "plan")
    page.locator(".rr-plan-start").first.click()
    plan = page.locator(".rr-plan-form")
    plan.locator(".rr-meeting-date input").fill((date.today() + timedelta(days=7)).isoformat())
    plan.locator(".rr-add-commitment").click()
    plan.locator(".rr-commitment-what input").fill("Send a recap of the call")
    plan.locator(".rr-commitment-due input").fill((date.today() + timedelta(days=9))
                                                  .isoformat())
    plan.locator(".rr-plan-status-line.rr-status-ok").wait_for()
    for part in (".rr-commitment-what input", ".rr-commitment-who input",
                 ".rr-commitment-due input", ".rr-remove-commitment",
                 ".rr-meeting-date input", ".rr-meeting-time input"):
        box = plan.locator(part).bounding_box()
        if not (box and box["x"] >= 0 and box["x"] + box["width"] <= 375):
            found.append(f"plan the reset: {part} is off-screen: {box}")
    found += misfits(page, "plan the reset")
    shoot(page, "phone-375-07-plan")

    _step(page, "leave")
    with page.expect_download() as got:
        page.locator(".rr-download-md").click()  # one click
    notes = got.value.path().read_text(encoding="utf-8")
    assert f"resume code {resume}" in notes and "participant.ipynb" in notes
    found += misfits(page, "leave with a plan")
    shoot(page, "phone-375-08-leave")

    _step(page, "later")
    page.locator(".rr-chart-history .js-plotly-plot .main-svg").first.wait_for(
        timeout=PAGE_READY_MS)
    _charts_fit_their_boxes(page)
    assert page.locator(".rr-later-rating .rr-note textarea").input_value() == ""
    found += misfits(page, "check in later")
    shoot(page, "phone-375-09-check-in-later")
    assert not found, "\n".join(found)


def _seeded(workshop, name: str) -> str:
    """A participant with three rated relationships and one reset plan: the resume code."""
    with Store.open(workshop.database) as store:
        book, code = Workbook.join(store, workshop.code, name)
        for n, label in enumerate(LABELS):
            rel = book.save_relationship({"label": label, "importance": 3 + n % 3,
                                          "kind": "client"})
            book.rate(rel.id, f"{name}-{n}", {d.key: 1 + (n + i) % 5
                                               for i, d in enumerate(content().dimensions)})
            if n == 0:
                book.save_plan(f"{name}-plan", rel.id, {
                    "meeting_at": datetime.now(timezone.utc) + timedelta(days=7),
                    "commitments": [{"what": "Send a recap of the call", "owner": "me"}]})
    return code


@pytest.mark.parametrize("width", [320, 414])
def test_key_steps_fit_at_320_and_414(workshop, open_page, shoot, width):
    code = _seeded(workshop, f"Phone {width}")
    page = open_page(workshop.participant_url(), _phone(width))
    found = misfits(page, "join")
    page.locator(".rr-resume-code input").fill(code)
    page.locator(".rr-resume").click()
    page.locator(".rr-step-later.rr-current").wait_for()  # a plan made: check in later
    page.locator(".rr-chart-history .js-plotly-plot .main-svg").first.wait_for(
        timeout=PAGE_READY_MS)
    _charts_fit_their_boxes(page)
    found += misfits(page, "check in later")
    for key in ("stock", "health", "map", "plan", "leave"):
        _step(page, key)
        if key == "map":
            _charts_drawn(page)
        if key == "plan":
            page.locator(".rr-plan-open").first.click()
            page.locator(".rr-plan-form .rr-commitment-what input").wait_for()
        found += misfits(page, key)
        if key in ("map", "plan"):
            shoot(page, f"phone-{width}-{key}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", [320, 375, 414])
def test_team_dashboard_fits(workshop, open_page, shoot, width):
    with Store.open(workshop.database) as store:
        _, token = store.add_share(store.find_session(DEMO_CODE).id, "dashboard")
    page = open_page(workshop.server.url("dashboard.ipynb", f"share={token}"), _phone(width),
                     ready=".rr-dashboard")
    page.locator(".rr-dashboard .js-plotly-plot .main-svg").first.wait_for(
        timeout=PAGE_READY_MS)
    page.wait_for_function("document.querySelectorAll('.rr-dashboard .js-plotly-plot')"
                           ".length >= 4")
    found = misfits(page, "team dashboard")
    open_button = page.locator(".rr-dashboard-open")
    assert open_button.inner_text().strip() == "Open"
    assert page.locator(".rr-dashboard-dates").bounding_box()["width"] >= 0.6 * (width - 40)
    assert "¶" not in page.locator("h1").first.inner_text()
    shoot(page, f"phone-{width}-dashboard")
    assert not found, "\n".join(found)


def test_steps_share_one_row_at_1280(workshop, open_page, shoot):
    code = _seeded(workshop, "Laptop")
    page = open_page(workshop.participant_url(), LAPTOP)
    page.locator(".rr-resume-code input").fill(code)
    page.locator(".rr-resume").click()
    page.locator(".rr-step-later.rr-current").wait_for()
    tops = page.locator(".rr-steps .rr-step").evaluate_all(
        "bs => bs.map(b => Math.round(b.getBoundingClientRect().top))")
    assert len(tops) == 6 and len(set(tops)) == 1, f"the steps take {len(set(tops))} rows"
    shoot(page, "laptop-1280-steps")


def test_console_warns_that_phones_cannot_open_a_loopback_link(workshop, open_page, shoot):
    page = open_page(workshop.server.url("facilitator.ipynb"), _phone(375),
                     ready=".rr-open-form")
    page.locator(".rr-open-code input").fill(DEMO_CODE)
    page.locator(".rr-open-key input").fill(DEMO_KEY)
    page.locator(".rr-open-console").click()
    page.locator(".rr-session-console").wait_for()
    warning = page.locator(".rr-join-panel .rr-loopback-warning")
    warning.wait_for()  # the test server's link is http://localhost:PORT/...
    said = warning.inner_text()
    assert "Phones in the room cannot open this link" in said
    assert "--host 0.0.0.0" in said and "--public-url" in said
    # Before Reveal: one line says the results are hidden, no bare chart headings.
    page.locator(".rr-group-status", has_text="hidden").wait_for()
    bare = page.locator(".rr-group-chart h3").evaluate_all(
        "hs => hs.filter(h => h.getClientRects().length > 0).map(h => h.textContent + ' in '"
        " + h.closest('.rr-group-chart').className)")
    assert bare == [], bare
    found = [f for f in misfits(page, "console") if "rr-join-panel" in f]
    shoot(page, "phone-375-console-join-panel")
    assert not found, "\n".join(found)
