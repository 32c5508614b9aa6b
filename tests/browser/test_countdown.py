"""The phase countdown is counted by the page: right on a device whose clock is wrong, amber
then red with the words once, and with no message from the kernel while a person just reads."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from workshop.store import Store

from .conftest import PAGE_READY_MS

SLOW_PHONE = "(() => { const real = Date.now; Date.now = () => real() - 10 * 60 * 1000; })()"


def _session_ending_soon(database: str) -> str:
    """A session whose one-minute phase started 48 s ago: 12 s left, already amber."""
    with Store.open(database) as store:
        session, _ = store.add_session("Countdown test", date.today(),
                                       timeboxes={"inventory": 1})
        started = store.set_phase(session.id, "inventory").phase_started_at
        store.update_session(session.id, phase_started_at=started - timedelta(seconds=48))
        return session.code


def test_a_phone_ten_minutes_slow_counts_the_servers_time_down_without_kernel_messages(
        workshop, browser, shoot):
    code = _session_ending_soon(workshop.database)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(SLOW_PHONE)
    page = context.new_page()
    widget_messages: list[float] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda frame: widget_messages.append(time.monotonic())
        if "comm_msg" in str(frame) else None))
    try:
        page.goto(workshop.participant_url(f"code={code}"), timeout=PAGE_READY_MS)
        page.locator(".rr-join-name input").wait_for(timeout=PAGE_READY_MS)
        page.locator(".rr-join").click()
        badge = page.locator(".rr-phase-banner .rr-timer")
        badge.wait_for()
        first = badge.inner_text()
        left = int(re.fullmatch(r"0:(\d\d) left · almost up", first).group(1))
        assert 0 < left <= 12  # the server's time, though the phone is 10 minutes behind
        assert "rr-timer-ending" in badge.get_attribute("class")
        assert page.evaluate("Date.now()") < time.time() * 1000 - 9 * 60 * 1000

        time.sleep(1.0)  # whatever joining sent has arrived
        quiet_from, readings = time.monotonic(), set()
        while time.monotonic() - quiet_from < 3.2:
            readings.add(badge.inner_text())
            time.sleep(0.25)
        assert len(readings) >= 3  # it counted down on its own
        assert [t for t in widget_messages if t > quiet_from] == []  # and the kernel was quiet

        page.wait_for_function(
            "() => document.querySelector('.rr-phase-banner .rr-timer')"
            ".classList.contains('rr-timer-over')", timeout=(left + 5) * 1000)
        over = badge.inner_text()
        assert re.fullmatch(r"over by 0:0\d", over), over  # the words once
        assert badge.get_attribute("role") == "timer"
        spoken = page.locator(".rr-phase-banner .rr-countdown [aria-live]")
        assert spoken.inner_text() == "Time is up."
        shoot(page, "countdown-over-375")
    finally:
        context.close()
