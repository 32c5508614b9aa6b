"""Browser-test fixtures: a real Voilà server on a free port over a temporary SQLite store,
and headless Chromium pages at phone and laptop widths.

One Voilà server serves the whole run (the machine is shared: never more than one at a time).
Screenshots go to ``tests/browser/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from workshop.app import serving
from workshop.store import Store

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).with_name("artifacts")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE, LAPTOP = {"width": 375, "height": 800}, {"width": 1280, "height": 900}
PAGE_READY_MS = 90_000  # a cold kernel on a busy 2-core machine
KERNEL_MS = 30_000  # one round trip to the kernel and back, generously


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Workshop:
    """The running server and the sessions made for the tests."""

    server: serving.Server
    database: str
    code: str
    closed_code: str
    demo_resume: str  # a demo participant with a reset plan and a history behind it
    demo_label: str  # that plan's relationship, whose state changed over time

    def participant_url(self, query: str = "") -> str:
        return self.server.url(serving.PARTICIPANT, query)


def _demo_person(store) -> tuple[str, str]:
    """The demo's first person with a planned reset whose relationship changed state."""
    from workshop import tidy
    from workshop.demo import load_demo
    demo = load_demo(store)
    # Weeks after the workshop: it ended on its last phase (the FAQ), which moves no one.
    store.set_phase(demo.session.id, "faq")
    for code in demo.resume_codes.values():
        person = store.resume(code)
        frames = tidy.load(store, participant_id=person.id)
        past = frames.history()
        for plan in store.find_plans(participant_id=person.id):
            states = past[past["relationship_id"] == plan.relationship_id]["state"]
            if plan.meeting_at and states.nunique() > 1:
                return code, store.get_relationship(plan.relationship_id).label
    raise RuntimeError("the demo has no planned reset with a change of state")


@pytest.fixture(scope="session")
def workshop(tmp_path_factory):
    """A Voilà server over a fresh store holding one open and one closed session."""
    if not shutil.which("chromium"):
        pytest.skip("the system Chromium is not installed")
    folder = tmp_path_factory.mktemp("voila")
    database = str(folder / "browser.sqlite")
    with Store.open(database) as store:
        session, _ = store.add_session("Browser test session", date.today())
        closed, _ = store.add_session("A closed session", date.today())
        store.update_session(closed.id, status="closed")
        demo_resume, demo_label = _demo_person(store)
    server = serving.Server(port=free_port())
    env = {k: v for k, v in __import__("os").environ.items()}
    env["RESET_WORKSHOP_CONFIG"] = str(folder / "absent-config.toml")
    process = serving.start(server, database, env=env, quiet=True)
    try:
        yield Workshop(server, database, session.code, closed.code, demo_resume, demo_label)
    finally:
        serving.stop(process)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module: Playwright's sync API keeps an event loop running while
    it is open, so it must be gone before any other test calls asyncio.run()."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def screenshot(page, path: Path) -> Path:
    """The whole app, not just the window: Voilà scrolls inside a panel, so the window is
    made as tall as the app for the picture, then put back."""
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll("
                           "'.rr-app, #rendered_cells'), e => e.scrollHeight + 120))")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) "
                  "e.scrollTop = 0; })")
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.rr_failed = True
    return report


@pytest.fixture
def open_page(browser, request):
    """``open_page(url, size=LAPTOP)``: a fresh page (own context) with the app loaded.

    When the test fails, each page's last state is saved to artifacts/FAILED-*.png.
    """
    contexts = []

    def make(url: str, size: dict = LAPTOP, ready: str = ".rr-app"):
        context = browser.new_context(viewport=size, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(KERNEL_MS)
        page.goto(url, timeout=PAGE_READY_MS)
        page.locator(ready).first.wait_for(timeout=PAGE_READY_MS)
        return page

    yield make
    for n, context in enumerate(contexts):
        if getattr(request.node, "rr_failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                screenshot(page, ARTIFACTS / f"FAILED-{request.node.name}-{n}.png")
        context.close()


@pytest.fixture
def shoot():
    """``shoot(page, name)``: save a full-page screenshot into tests/browser/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        return screenshot(page, ARTIFACTS / f"{name}.png")

    return save


def add_relationship(page, label: str) -> None:
    """Take stock on an open participant page: add ``label`` (last contact 50 days ago) and
    wait until its row is listed."""
    form = page.locator(".rr-rel-form-card")
    form.locator(".rr-rel-label input").fill(label)
    form.locator(".rr-rel-last-contact input").fill(
        (date.today() - timedelta(days=50)).isoformat())
    before = page.locator(".rr-rel-list .rr-list-row").count()
    form.locator(".rr-save-relationship").click()
    page.wait_for_function(
        f"document.querySelectorAll('.rr-rel-list .rr-list-row').length > {before}")
