"""Accessibility of every page the kit serves, checked with axe-core 4 (bundled by the
``axe-playwright-python`` package) in headless Chromium, at 1280 and 375 px.

Each test drives one surface through its screens the way a person would and audits each
screen at both widths: no serious or critical violation may remain. Every audit is written
to ``artifacts/a11y-table.md`` (screen x width x serious+critical count, with the rule ids),
so a failing run says exactly what to fix. A keyboard-only test walks the participant app
from joining to a saved rating without the mouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop.demo import DEMO_CODE, DEMO_KEY
from workshop.store import Store

from .conftest import ARTIFACTS, LAPTOP, PHONE, add_relationship

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
AXE = axe_playwright.Axe()
BLOCKING = ("serious", "critical")
WIDTHS = (("1280", LAPTOP), ("375", PHONE))
DIMENSIONS = ["communication", "trust", "expectations", "momentum", "mutual-value",
              "responsiveness"]
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
AUDITS: list[tuple[str, str, int, str]] = []  # screen, width, count, rule ids


@pytest.fixture(scope="module", autouse=True)
def table():
    """Writes the audits of this module as a Markdown table once its tests are done."""
    yield
    if not AUDITS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    lines = ["| screen | width | serious + critical | rules |", "|---|---|---|---|"]
    lines += [f"| {screen} | {width} | {count} | {rules} |"
              for screen, width, count, rules in AUDITS]
    (ARTIFACTS / "a11y-table.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _settled(page) -> None:
    """Two animation frames: the layout for the new width is done before axe reads it."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r)))")


def audit(page, screen: str) -> list[str]:
    """Run axe on ``page`` at both widths; the serious and critical findings, one per line."""
    found = []
    for width, size in WIDTHS:
        page.set_viewport_size(size)
        _settled(page)
        violations = AXE.run(page).response["violations"]
        bad = [v for v in violations if v["impact"] in BLOCKING]
        count = sum(len(v["nodes"]) for v in bad)
        AUDITS.append((screen, width, count,
                       ", ".join(f"{v['id']} x{len(v['nodes'])}" for v in bad) or "-"))
        for violation in bad:
            for node in violation["nodes"]:
                found.append(f"{screen} @{width}: {violation['id']} ({violation['impact']}) "
                             f"{' '.join(map(str, node['target']))}: {node['html'][:160]}")
    page.set_viewport_size(LAPTOP)
    _settled(page)
    return found


def page_basics(page, screen: str) -> list[str]:
    """What is missing of: the page says which language it is in, and has one main landmark."""
    found = []
    if page.evaluate("() => document.documentElement.lang") != "en":
        found.append(f"{screen}: <html> does not say lang=\"en\"")
    if page.locator("main, [role=main]").count() != 1:
        found.append(f"{screen}: not exactly one main landmark")
    return found


# -- the participant app -----------------------------------------------------------------

def rated(page, count: int, total: int) -> None:
    """Wait until the health check says ``count of total rated``."""
    page.locator(".rr-progress", has_text=f"{count} of {total} rated").wait_for()


def _rate(page, value: int) -> None:
    card = page.locator(".rr-rating-card")
    for dim in DIMENSIONS:
        card.locator(f".rr-rating-{dim}").get_by_role("button", name=str(value),
                                                     exact=True).click()
    card.locator(".rr-save-ratings").click()


def _open_step(page, key: str) -> None:
    page.locator(f".rr-step-{key}").click()
    page.locator(f".rr-step-{key}.rr-current").wait_for()


def test_participant_app_has_no_serious_violation_on_any_screen(workshop, open_page):
    page = open_page(workshop.participant_url(f"code={workshop.code}"))
    found = page_basics(page, "participant") + audit(page, "participant: join")

    page.locator(".rr-join-code input").fill("NOPE99")
    page.locator(".rr-join").click()
    page.locator(".rr-join-card .rr-status-error").wait_for()
    found += audit(page, "participant: join, wrong code (error)")

    page.locator(".rr-join-code input").fill(workshop.code)
    page.locator(".rr-join-name input").fill("Ada")
    page.locator(".rr-join").click()
    page.locator(".rr-resume-shown").wait_for()
    page.locator(".rr-rel-form-card").wait_for()
    found += audit(page, "participant: resume notice")
    page.locator(".rr-resume-saved").click()
    page.locator(".rr-resume-notice").wait_for(state="hidden")

    page.locator(".rr-rel-label input").fill("x" * 130)
    page.locator(".rr-save-relationship").click()
    page.locator(".rr-error-label").get_by_text("at most 120 characters").wait_for()
    found += audit(page, "participant: 1 take stock, refused field (error)")
    add_relationship(page, "Northwind Logistics")
    found += audit(page, "participant: 1 take stock")

    page.locator(".rr-next-health").click()
    page.locator(".rr-rating-card .rr-rating-trust").wait_for()
    found += audit(page, "participant: 2 health check")
    _rate(page, 2)
    rated(page, 1, 1)

    page.locator(".rr-next-map").click()
    page.wait_for_function(
        "document.querySelectorAll('.rr-chart-radar .js-plotly-plot g.trace').length === 2")
    found += audit(page, "participant: 3 see the map")

    _open_step(page, "plan")
    page.locator(".rr-plan-start").first.click()
    page.locator(".rr-plan-form .rr-plan-own textarea").wait_for()
    found += audit(page, "participant: 4 plan the reset")

    _open_step(page, "leave")
    page.locator(".rr-download-html").click()
    page.locator(".rr-save-html").wait_for()
    found += audit(page, "participant: 5 leave with a plan")

    _open_step(page, "later")
    page.locator(".rr-later-pick select").wait_for()
    page.locator(".rr-chart-history .js-plotly-plot").wait_for()
    found += audit(page, "participant: 6 check in later")
    assert not found, "\n".join(found)


# -- the facilitator console -------------------------------------------------------------

def _console(workshop, open_page):
    return open_page(workshop.server.url("facilitator.ipynb"), ready=".rr-open-form")


def test_console_has_no_serious_violation_on_any_screen(workshop, open_page):
    page = _console(workshop, open_page)
    found = page_basics(page, "console") + audit(page, "console: home")

    form = page.locator(".rr-session-form")
    form.locator(".rr-session-title input").fill("Accessibility rehearsal")
    form.locator(".rr-create-session").click()
    page.locator(".rr-facilitator-key").wait_for()
    page.locator(".rr-qr img").wait_for()
    found += audit(page, "console: new session")

    page = _console(workshop, open_page)
    page.locator(".rr-open-code input").fill(DEMO_CODE)
    page.locator(".rr-open-key input").fill(DEMO_KEY)
    page.locator(".rr-open-console").click()
    page.locator(".rr-session-console").wait_for()
    page.locator(".rr-progress-counts").wait_for()
    found += audit(page, "console: open session")

    page.locator(".rr-reveal").click()
    for chart in ("states", "dimensions", "heatmap", "drift", "gaps"):
        page.locator(f".rr-chart-{chart} .js-plotly-plot").wait_for()
    found += audit(page, "console: revealed")
    page.locator(".rr-reveal").click()  # as the demo was: hidden
    page.locator(".rr-chart-states .js-plotly-plot").wait_for(state="detached")
    assert not found, "\n".join(found)


# -- the team dashboard and the presenter view -------------------------------------------

def test_team_dashboard_has_no_serious_violation(workshop, open_page):
    with Store.open(workshop.database) as store:
        _, token = store.add_share(store.find_session(DEMO_CODE).id, "dashboard")
    page = open_page(workshop.server.url("dashboard.ipynb", f"share={token}"),
                     ready=".rr-dashboard")
    page.locator(".rr-dashboard .js-plotly-plot:visible").first.wait_for()
    found = page_basics(page, "dashboard") + audit(page, "team dashboard")
    assert not found, "\n".join(found)


@pytest.fixture
def demo_on_the_projector(workshop):
    """The demo session before its workshop starts, with a presenter link; put back as the
    other tests expect it (last phase, results hidden, no presenter link) afterwards."""
    from workshop import projector
    with Store.open(workshop.database) as store:
        session = store.find_session(DEMO_CODE)
        _, token = store.add_share(session.id, "presenter")
        store.set_phase(session.id, None)
        projector.set_projector(store, session.id, revealed=False, chart="states")
    yield session, token, projector
    with Store.open(workshop.database) as store:
        store.set_phase(session.id, "faq")
        projector.set_projector(store, session.id, revealed=False, chart="states")
        for share in store.find_shares(session.id, kind="presenter"):
            if share.revoked_at is None:
                store.revoke_share(share.id)


@pytest.mark.skipif(not (NOTEBOOKS / "presenter.ipynb").exists(),
                    reason="notebooks/presenter.ipynb is not there yet")
def test_presenter_view_has_no_serious_violation(workshop, open_page, demo_on_the_projector):
    session, token, projector = demo_on_the_projector
    page = open_page(workshop.server.url("presenter.ipynb"), ready=".rr-presenter")
    page.locator(".rr-presenter-paste input").wait_for()
    found = page_basics(page, "presenter") + audit(page, "presenter: no link yet")

    page = open_page(workshop.server.url("presenter.ipynb", f"code={session.code}&share={token}"),
                     ready=".rr-slide-join h1")
    found += audit(page, "presenter: join slide")
    with Store.open(workshop.database) as store:
        store.set_phase(session.id, "map")
    page.locator(".rr-slide-phase h1").wait_for()
    found += audit(page, "presenter: phase and countdown")
    with Store.open(workshop.database) as store:
        projector.set_projector(store, session.id, revealed=True, chart="states")
    page.locator(".rr-slide-chart .js-plotly-plot").wait_for()
    found += audit(page, "presenter: revealed chart")
    assert not found, "\n".join(found)


# -- the keyboard alone ------------------------------------------------------------------

TABS = 120  # more than the focusable controls between any two stops of the walk below


def tab_to(page, selector: str, text: str | None = None) -> None:
    """Press Tab until the focused element matches ``selector`` (and shows ``text``)."""
    wanted = "([s, t]) => { const e = document.activeElement; return !!e && e.matches(s) && " \
             "(t === null || e.textContent.trim() === t); }"
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate(wanted, [selector, text]):
            return
    raise AssertionError(f"Tab never reached {selector} {text or ''}".strip())


def focused(page, selector: str) -> None:
    """Wait until the keyboard focus is on an element matching ``selector``."""
    page.wait_for_function("s => !!document.activeElement && document.activeElement.matches(s)",
                           arg=selector)


def test_keyboard_alone_joins_adds_and_saves_a_rating(workshop, open_page):
    page = open_page(workshop.participant_url(f"code={workshop.code}"), size=PHONE)
    tab_to(page, ".rr-join-name input")
    page.keyboard.type("Kim")  # as fast as the keyboard goes: Join comes right after
    tab_to(page, "button.rr-join")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert ring not in ("", "none"), "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    page.locator(".rr-resume-shown").wait_for()
    focused(page, ".rr-resume-notice h3")  # the code shown once is read first
    tab_to(page, "button.rr-resume-saved")
    page.keyboard.press("Enter")
    focused(page, ".rr-view-stock h2")  # then the step's heading

    tab_to(page, ".rr-rel-label input")
    page.keyboard.type("Northwind Logistics")
    tab_to(page, "button.rr-save-relationship")
    page.keyboard.press("Enter")
    page.locator(".rr-rel-list .rr-list-row").get_by_text("Northwind Logistics").wait_for()
    tab_to(page, "button.rr-next-health")
    page.keyboard.press("Enter")
    focused(page, ".rr-view-health h2")

    for dim in DIMENSIONS:
        tab_to(page, f".rr-rating-{dim} button", "4")
        page.keyboard.press("Space")
    tab_to(page, "button.rr-save-ratings")
    page.keyboard.press("Enter")
    rated(page, 1, 1)
    with Store.open(workshop.database) as store:
        people = store.find_participants(store.find_session(workshop.code).id)
        person = next(p for p in people if p.display_name == "Kim")
        relationship = store.find_relationships(person.id)[0]
        ratings = store.find_checkins(relationship.id)[-1].ratings
    assert set(ratings.values()) == {4} and len(ratings) == len(DIMENSIONS)
