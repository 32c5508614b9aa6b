"""Real Chromium pages for the room simulator, in a process of their own (Playwright must not
run under the simulator's gevent patching).

``python benchmarks/room_browser.py --url URL --code CODE [--pages 2] [--shot FILE]``: each
page joins, adds five relationships, rates them, waits for the facilitator to move the room
to "See the map" and "Plan the reset conversation", plans one reset and leaves (the first
page closes its tab, running the page's unload handler; the others lose their context). It
prints ``rated N`` once page N has rated everything, then one line ``result <json>`` with
every write the pages saw saved and when each page saw each phase (``Date.now()``, seconds).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 375, "height": 800}
DIMENSIONS = ["communication", "trust", "expectations", "momentum", "mutual-value",
              "responsiveness"]
WATCH = """() => {
  window.__rr_seen = {};
  const look = () => {
    const now = Date.now() / 1000, seen = window.__rr_seen;
    const title = document.querySelector('.rr-phase-title');
    if (title) { const t = title.textContent.trim(); if (!(t in seen)) seen[t] = now; }
    document.querySelectorAll('.rr-step.rr-current').forEach(b => {
      const key = [...b.classList].find(c => c.startsWith('rr-step-')).slice(8);
      if (!(('step:' + key) in seen)) seen['step:' + key] = now; });
  };
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, attributes: true, characterData: true});
  look();
}"""
MS = 120_000


def say(line: str) -> None:
    print(line, flush=True)


def shot(page, path: str) -> None:
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from tests.browser.conftest import screenshot
    screenshot(page, __import__("pathlib").Path(path))


class Person:
    def __init__(self, browser, url: str, number: int):
        self.number, self.name = number, f"Chromium guest {number}"
        self.context = browser.new_context(viewport=PHONE)
        self.page = self.context.new_page()
        self.page.set_default_timeout(MS)
        self.record = {"name": self.name, "relationships": {}, "checkins": {}, "plan": None,
                       "times": {}}
        self.record["times"]["arrive"] = time.time()
        self.page.goto(url, timeout=MS)
        self.page.locator(".rr-join").wait_for(timeout=MS)
        self.record["times"]["join_screen"] = time.time()

    def join(self) -> None:
        self.page.locator(".rr-join-name input").fill(self.name)
        self.record["times"]["join_click"] = time.time()
        self.page.locator(".rr-join").click()
        self.page.locator(".rr-rel-form-card .rr-rel-label input").wait_for()
        self.record["times"]["first_step"] = time.time()
        self.page.evaluate(WATCH)

    def add(self, n: int) -> None:
        label = f"Chromium {self.number} contact {n}"
        form = self.page.locator(".rr-rel-form-card")
        form.locator(".rr-rel-label input").fill(label)
        contact = date.today() - timedelta(days=20 * n)
        form.locator(".rr-rel-last-contact input").fill(contact.isoformat())
        form.locator(".rr-save-relationship").click()
        form.locator(".rr-status-ok", has_text=label).wait_for()
        self.record["relationships"][label] = {"kind": "client", "importance": 3,
                                               "last_contact": contact.isoformat()}

    def rate_all(self) -> None:
        self.page.locator(".rr-next-health").click()
        card = self.page.locator(".rr-rating-card")
        card.get_by_text("How healthy is").first.wait_for()  # the first form is open
        for label in self.record["relationships"]:
            if not card.get_by_text(f"“{label}”").count():
                self.page.locator(".rr-health-pick", has_text=f"○ {label}").click()
            card.get_by_text(f"How healthy is “{label}”").first.wait_for()
            ratings = {}
            for k, dim in enumerate(DIMENSIONS):
                value = 1 + (self.number + k) % 5
                card.locator(f".rr-rating-{dim}").get_by_role(
                    "button", name=str(value), exact=True).click()
                ratings[dim.replace("-", "_")] = value
            card.locator(".rr-save-ratings").click()
            card.locator(".rr-status-ok", has_text=f"Saved your ratings of “{label}”").wait_for()
            self.record["checkins"][label] = {"ratings": ratings, "note": ""}

    def wait_step(self, step: str) -> None:
        self.page.locator(f".rr-step-{step}.rr-current").wait_for(timeout=600_000)

    def plan(self) -> None:
        self.page.locator(".rr-plan-start").first.click()
        status = self.page.locator(".rr-status-ok", has_text="Planning the reset with")
        status.wait_for()
        label = status.inner_text().split("“")[1].split("”")[0]
        text = f"Could we meet next week? ({self.name})"
        self.page.locator(".rr-plan-ask textarea").fill(text)
        self.page.locator(".rr-plan-ask textarea").press("Tab")  # on to the next field: sent
        self.page.locator(".rr-plan-status-line.rr-status-ok").wait_for()
        self.record["plan"] = {"label": label, "ask": text}

    def leave(self, cleanly: bool) -> None:
        self.record["seen"] = self.page.evaluate("() => window.__rr_seen || {}")
        self.record["left"] = "closed" if cleanly else "dropped"
        if cleanly:
            self.page.close(run_before_unload=True)
            time.sleep(1.0)
        self.context.close()


def below_the_kit(niceness: int = 10) -> list[int]:
    """Run this process's Chromium below the kit's priority; the sessions lowered.

    These pages stand for people's own phones and laptops, which in a real room do not share
    the server's two cores. Here they do (Chromium loading the Voilà page took up to 0.9 of
    a core), so they yield to the kit: they still show what a person sees, and their own
    timings, if anything, come out slower. Chromium starts its own session, which on Linux
    with autogroups is a scheduling group of its own, competing with the server's and each
    kernel's as an equal whatever its processes' nice values (its browser process even
    raises its own), so its group's niceness is set (``/proc/PID/autogroup``).
    """
    lowered = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            session = os.getsid(child.pid)
            if session != os.getsid(0) and session not in lowered:
                Path(f"/proc/{child.pid}/autogroup").write_text(f"{niceness}\n")
                lowered.append(session)
    os.nice(5)  # this process itself: it only drives the pages
    return lowered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--code", required=True)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--shot", default="")
    args = parser.parse_args(argv)
    people, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=CHROMIUM_ARGS, headless=True)
        below_the_kit()
        try:
            url = f"{args.url}/voila/render/participant.ipynb?code={args.code}"
            for n in range(args.pages):
                people.append(Person(browser, url, n + 1))
            for person in people:
                person.join()
            for n in range(1, 6):
                for person in people:
                    person.add(n)
            for person in people:
                person.rate_all()
                say(f"rated {person.number}")
            for step in ("map", "plan"):
                for person in people:
                    person.wait_step(step)
                say(f"{step} all")
            for person in people:
                person.plan()
            if args.shot and people:
                shot(people[0].page, args.shot)
            for number, person in enumerate(people):
                person.leave(cleanly=number == 0)
        except Exception as error:  # noqa: BLE001 - reported to the simulator, not raised
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
            if args.shot and people:
                with contextlib.suppress(Exception):
                    shot(people[-1].page, args.shot.replace(".png", "-FAILED.png"))
                import traceback
                traceback.print_exc(file=sys.stderr)
        finally:
            browser.close()
    say("result " + json.dumps({"pages": [p.record for p in people], "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
