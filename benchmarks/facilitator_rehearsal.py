"""A rehearsal of a live workshop: the facilitator console and N participant pages (default
10), each in its own headless Chromium context, against one Voilà server.

The facilitator creates a session (threshold 5) and reveals the group view; participants join
from the console's link, list one relationship each (under one of two shared names) and send
their ratings in three waves. Measured: how long until the console's counts show each wave,
when the group charts appear (never before 5 respondents), and how long a phase change takes
to reach every page (as each page saw it). Screenshots go to
``benchmarks/results/rehearsal-*.png``, the numbers to
``benchmarks/results/facilitator_rehearsal.json``.

Run: ``.venv/bin/python benchmarks/facilitator_rehearsal.py [--people 10]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from workshop.app import serving
from workshop.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.test_facilitator import (  # noqa: E402  (the same page drivers as the tests)
    Participant,
    _create_session,
    _move_everyone,
)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
RESULTS = Path(__file__).with_name("results")
LAPTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 800}
SHARED = ["Northwind Logistics", "Brightline Agency"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_count(console, milestone: str, at_least: int, since: float) -> float:
    console.wait_for_function(
        f"() => Number(document.querySelector('.rr-count-{milestone} .rr-count-value')"
        f"?.textContent) >= {at_least}", timeout=60_000)
    return round(time.time() - since, 2)


def _shot(page, name: str) -> None:
    from tests.browser.conftest import screenshot
    screenshot(page, RESULTS / f"rehearsal-{name}.png")


def rehearse(people: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="rr-rehearsal-"))
    database = str(folder / "rehearsal.sqlite")
    Store.open(database).close()
    server = serving.Server(port=_free_port())
    process = serving.start(server, database, quiet=True)
    numbers: dict = {"people": people}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=CHROMIUM_ARGS, headless=True)

            def page(url: str, size: dict, ready: str):
                context = browser.new_context(viewport=size)
                opened = context.new_page()
                opened.set_default_timeout(60_000)
                opened.goto(url, timeout=120_000)
                opened.locator(ready).first.wait_for(timeout=120_000)
                return opened

            console = page(server.url("facilitator.ipynb"), LAPTOP, ".rr-open-form")
            code, _ = _create_session(console, "Rehearsal", threshold=5)
            console.locator(".rr-key-saved").click()
            console.locator(".rr-reveal").click()
            link = console.locator(".rr-join-url a").get_attribute("href")
            started = time.time()
            crowd = [Participant(page(link, PHONE, ".rr-join")) for _ in range(people)]
            numbers["pages_open_s"] = round(time.time() - started, 1)
            for number, person in enumerate(crowd, 1):
                person.join(f"Person {number}")
            numbers["joined_shown_s"] = _wait_count(console, "joined", people, time.time())
            for number, person in enumerate(crowd, 1):
                person.add(f"Private client {number}", shared=SHARED[number % 2])
                person.pick(1 + number % 5)
            waves, done = [people // 3, people // 3, people - 2 * (people // 3)], 0
            numbers["waves"] = []
            for size in waves:
                batch = crowd[done:done + size]
                sent = time.time()
                for person in batch:
                    person.send()
                for person in batch:
                    person.sent()
                done += size
                shown = _wait_count(console, "health", done, sent)
                charts = console.locator(".rr-chart-states .js-plotly-plot")
                if done >= 5:
                    charts.wait_for(timeout=60_000)
                numbers["waves"].append({"sent": size, "total": done, "count_shown_s": shown,
                                         "chart_shown_s": round(time.time() - sent, 2),
                                         "charts_visible": charts.count() > 0})
                _shot(console, f"console-after-{done}")
            console.locator(".rr-chart-gaps .js-plotly-plot").wait_for(timeout=60_000)
            first = _move_everyone(console, ".rr-phase-next", crowd,
                                   "Why relationships need a reset")
            second = _move_everyone(console, ".rr-phase-map", crowd, "See the map", step="map")
            numbers["phase_change_s"] = {"banner": round(max(first), 2),
                                         "banner_and_step": round(max(second), 2)}
            _shot(console, "console-final")
            _shot(crowd[0].page, "participant-0")
            browser.close()
    finally:
        serving.stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    return numbers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    numbers = rehearse(args.people)
    (RESULTS / "facilitator_rehearsal.json").write_text(json.dumps(numbers, indent=1))
    print(json.dumps(numbers, indent=1))
    ok = all(w["charts_visible"] == (w["total"] >= 5) for w in numbers["waves"])
    return 0 if ok and numbers["phase_change_s"]["banner_and_step"] <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
