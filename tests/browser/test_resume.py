"""Same-device resume and reconnect, in headless Chromium against the real Voilà server: a
reload, a reopened tab and a killed kernel bring the person back where they were without a
code typed; "Forget me on this device" really forgets; a late joiner starts at Take stock."""

from __future__ import annotations

import json
from datetime import date

import psutil
import pytest

from benchmarks.kernel_memory import kernel_of
from workshop.store import Store

from .conftest import LAPTOP, PAGE_READY_MS, PHONE
from .test_participant import App

LOST = "Connection lost — your answers up to now are saved."
STORED = ("() => Object.keys(localStorage).filter(k => k.startsWith('rr-'))"
          ".reduce((o, k) => Object.assign(o, {[k]: localStorage.getItem(k)}), {})")


@pytest.fixture
def session_code(workshop):
    """A session of this test's own, so phases moved by other tests do not reach it."""
    def make(phase: str | None = None) -> str:
        with Store.open(workshop.database) as store:
            session, _ = store.add_session("Resume test session", date.today())
            if phase:
                store.set_phase(session.id, phase)
        return session.code
    return make


def _stored(page) -> dict:
    return page.evaluate(STORED)


def _key(page) -> str:
    return "rr-resume:" + page.evaluate("() => location.origin + location.pathname")


def _health_list(page) -> list[str]:
    page.locator(".rr-health-pick").first.wait_for()
    return page.locator(".rr-health-pick").all_inner_texts()


def _kernel_process(workshop, kernel_id: str) -> psutil.Process:
    """The kernel's process, under the test's Voilà server."""
    port = f"--port={workshop.server.port}"
    server = next(p for p in psutil.process_iter(["cmdline"])
                  if port in (p.info["cmdline"] or []))
    return kernel_of(server, kernel_id)


def test_reload_and_reopen_resume_without_a_code_and_forget_me_forgets(
        workshop, open_page, session_code, shoot):
    code = session_code()
    page = open_page(workshop.participant_url(f"code={code}"), size=PHONE)
    app = App(page)
    resume = app.join("Robin")
    app.add_relationship("Lakeside Printing")
    page.locator(".rr-next-health").click()
    page.locator(".rr-step-health.rr-current").wait_for()
    assert _stored(page)[_key(page)] == resume  # the code only, under this page's address

    page.reload(timeout=PAGE_READY_MS)
    page.locator(".rr-step-health.rr-current").wait_for(timeout=PAGE_READY_MS)
    assert any("Lakeside Printing" in t for t in _health_list(page))
    assert "Robin" in page.locator(".rr-who").inner_text()
    assert page.locator(".rr-resume-shown").count() == 0  # shown once, on joining
    assert not page.locator(".rr-join-view").is_visible()
    shoot(page, "resume-reloaded-health-375")

    # The tab closed and opened again: a new page of the same browser.
    again = page.context.new_page()
    again.goto(workshop.participant_url(f"code={code}"), timeout=PAGE_READY_MS)
    again.locator(".rr-step-health.rr-current").wait_for(timeout=PAGE_READY_MS)
    again.set_viewport_size(LAPTOP)
    assert any("Lakeside Printing" in t for t in _health_list(again))
    shoot(again, "resume-reopened-health-1280")
    again.close()

    forget = page.locator(".rr-forget")
    assert forget.inner_text().strip() == "Not you? Forget me on this device"
    forget.click()
    page.locator(".rr-join-view").wait_for()
    page.locator(".rr-app-status", has_text="forgotten you").wait_for()
    page.wait_for_function(f"() => localStorage.getItem({json.dumps(_key(page))}) === null")
    assert page.locator(".rr-join-code input").input_value() == code
    shoot(page, "resume-forgotten-join-375")

    page.reload(timeout=PAGE_READY_MS)
    page.locator(".rr-join-view").wait_for(timeout=PAGE_READY_MS)
    assert _stored(page) == {}
    assert not page.locator(".rr-steps").is_visible()
    assert page.locator(".rr-join-name input").input_value() == ""

    # The code still works when typed, here or on any other device.
    page.locator(".rr-resume-code input").fill(resume)
    page.locator(".rr-resume").click()
    page.locator(".rr-step-health.rr-current").wait_for()
    assert _stored(page)[_key(page)] == resume


def test_a_killed_kernel_says_so_and_one_tap_reconnects(workshop, open_page, session_code,
                                                       shoot):
    page = open_page(workshop.participant_url(f"code={session_code()}"))
    app = App(page)
    app.join("Kai")
    app.add_relationship("Harbor Freight Partners")
    app.add_relationship("Quill & Ink Studio")
    page.locator(".rr-next-health").click()
    page.locator(".rr-step-health.rr-current").wait_for()
    kernel_id = page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    _kernel_process(workshop, kernel_id).kill()

    notice = page.locator(".rr-connection-lost")
    notice.wait_for(timeout=PAGE_READY_MS)
    assert LOST in notice.inner_text()
    assert notice.get_attribute("role") == "alert"
    shoot(page, "connection-lost-1280")
    page.set_viewport_size(PHONE)
    box = page.locator(".rr-reconnect").bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shoot(page, "connection-lost-375")
    page.set_viewport_size(LAPTOP)

    with page.expect_navigation(timeout=PAGE_READY_MS):  # the old page's steps are gone
        page.locator(".rr-reconnect").click()  # one tap: the page reloads and resumes by itself
    page.locator(".rr-step-health.rr-current").wait_for(timeout=PAGE_READY_MS)
    names = " ".join(_health_list(page))
    assert "Harbor Freight Partners" in names and "Quill & Ink Studio" in names
    assert page.locator(".rr-connection-lost").count() == 0
    assert page.locator(".rr-resume-code input").count() == 0  # nothing was typed
    shoot(page, "reconnected-health-1280")


def test_joining_while_the_room_is_at_the_map_starts_at_take_stock(workshop, open_page,
                                                                   session_code):
    page = open_page(workshop.participant_url(f"code={session_code('map')}"))
    app = App(page)
    app.join("Late Joiner")
    page.locator(".rr-phase-title").get_by_text("Now:").wait_for()
    page.locator(".rr-step-stock.rr-current").wait_for()
    # A round trip after the banner's first word: the page would have moved by now.
    app.add_relationship("Granite Bay Supplies")
    assert page.locator(".rr-step-stock.rr-current").count() == 1
    assert page.locator(".rr-rel-list .rr-list-row").count() == 1
