"""The people of the room simulator: a participant and the facilitator's console, each a
:class:`~benchmarks.room_pages.LivePage` driven through the same widgets a person uses.

Each participant keeps a :class:`Journal`: when things happened, and every write the page
acknowledged (the status line said it was saved), which the simulator later finds in the
database, and nothing else.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import gevent

from benchmarks.room_pages import LivePage
from benchmarks.widget_client import PageError
from workshop.content import content
from workshop.model import KINDS

RELATIONSHIPS = 5
QUOTED = re.compile(r"“(.*?)”")


def phase_title(key: str) -> str:
    return f"<strong>Now: {content().phase(key).title}</strong>"


@dataclass
class Journal:
    """What one participant did and saw acknowledged; times are ``time.time()``."""

    name: str
    times: dict[str, float] = field(default_factory=dict)
    relationships: dict[str, dict] = field(default_factory=dict)
    checkins: dict[str, dict] = field(default_factory=dict)
    plan: dict | None = None
    resume_code: str = ""
    left: str = ""  # "closed" (beacon + websocket close) or "dropped"
    beacon_status: int | None = None
    error: str = ""
    kernel_id: str = ""


class Participant:
    """One person on a phone: joins, takes stock, rates, follows the room, plans, leaves."""

    def __init__(self, number: int, url: str, code: str, think: float, drop: bool,
                 timeout: float = 120.0):
        self.number, self.url, self.code, self.think_s = number, url, code, think
        self.journal = Journal(f"Room guest {number:03d}")
        self.journal.left = "dropped" if drop else "closed"
        self.rng = random.Random(number)
        self.page = LivePage(url, timeout=timeout)
        self.on_timing = lambda name, started: None  # the simulator times each save

    def think(self) -> None:
        gevent.sleep(self.rng.uniform(0.5, 1.5) * self.think_s)

    def mark(self, what: str) -> float:
        self.journal.times[what] = time.time()
        return self.journal.times[what]

    # -- the journey -------------------------------------------------------------------------
    def arrive(self) -> None:
        self.mark("arrive")
        self.page.open()
        self.journal.kernel_id = self.page.kernel_id
        self.page.wait_for("rr-join")
        self.mark("join_screen")

    def join(self) -> None:
        page = self.page
        code_box = page.wait_for("rr-join-code")
        if code_box.state.get("value") != self.code:  # not prefilled (e.g. a preheated kernel)
            page.set(code_box.id, value=self.code)
        page.set(page.find("rr-join-name").id, value=self.journal.name)
        self.mark("join_click")
        page.click(page.find("rr-join").id)
        page.until(lambda: self._in_stock() or page.outcome(
            page.find("rr-join-view"), "\0") is not None, what="the first step after joining")
        if not self._in_stock():
            raise PageError(f"join refused: {page.outcome(page.find('rr-join-view'), chr(0))}")
        self.mark("first_step")
        found = re.search(r"rr-resume-shown\">([^<]+)<", page.text())
        self.journal.resume_code = found.group(1).strip() if found else ""

    def _in_stock(self) -> bool:
        return (self.page.on_step("stock") and self.page.find("rr-save-relationship")
                is not None and self.page.find("rr-rel-label") is not None)

    def add_relationships(self) -> None:
        page = self.page
        for n in range(1, RELATIONSHIPS + 1):
            self.think()
            label = f"Guest {self.number:03d} contact {n}"
            kind, importance = self.rng.randrange(len(KINDS)), self.rng.randint(1, 5)
            contact = date.today() - timedelta(days=self.rng.randint(5, 200))
            page.set(page.find("rr-rel-label").id, value=label)
            page.set(page.find("rr-rel-kind").id, index=kind)
            page.set(page.find("rr-rel-importance").id, index=importance - 1)
            page.set(page.find("rr-rel-last-contact").id, value={
                "year": contact.year, "month": contact.month - 1, "date": contact.day})
            started = time.time()
            page.click(page.find("rr-save-relationship").id)
            page.expect(lambda: page.find("rr-rel-form-card"), f"“{label}”",
                        f"saving relationship {n}")
            self.on_timing("add relationship", started)
            self.journal.relationships[label] = {"kind": KINDS[kind], "importance": importance,
                                                 "last_contact": contact}
        self.think()
        page.click(page.find("rr-next-health").id)
        page.until(lambda: self._rating_form() is not None, what="the health check")
        self.mark("inventory_ack")

    def _rating_form(self):
        card = self.page.find("rr-rating-card")
        slot = self.page.children(card) if card else []
        forms = self.page.children(slot[0]) if slot else []
        form = forms[0] if forms else None
        return form if form is not None and "rr-form" in form.classes else None

    def _form_label(self, form) -> str:
        """The relationship a rating form is for, from its heading ("How healthy is “…”");
        a notice of the last save may sit above it."""
        for part in self.page.children(form) if form is not None else []:
            text = str(part.state.get("value", ""))
            if "rr-status" not in " ".join(part.classes) and (found := QUOTED.search(text)):
                return found.group(1)
        return ""

    def rate_all(self) -> None:
        page = self.page
        while len(self.journal.checkins) < RELATIONSHIPS:
            form = self._rating_form()
            label = self._form_label(form)
            if label in self.journal.checkins or label not in self.journal.relationships:
                raise PageError(f"the health check offered {label!r} to rate")
            self.think()
            ratings = {}
            for control in [m for m in page.descendants(form) if "rr-rating" in m.classes]:
                dim = next(c for c in control.classes if c.startswith("rr-rating-"))
                ratings[dim.removeprefix("rr-rating-").replace("-", "_")] = value = \
                    self.rng.randint(1, 5)
                page.set(control.id, index=value - 1)
            note = f"private note of guest {self.number}"
            page.set(page.within(form, "rr-note").id, value=note)
            started = time.time()
            page.click(page.within(form, "rr-save-ratings").id)
            # the health check says so above the next relationship's form (or, after the
            # last one, above this form with the way to the map)
            page.expect(lambda: page.find("rr-rating-card"), f"Saved your ratings of “{label}”",
                        f"saving the ratings of {label}")
            self.on_timing("save ratings", started)
            self.journal.checkins[label] = {"ratings": ratings, "note": note}
            self.mark("health_ack")
            left = [r for r in self.journal.relationships if r not in self.journal.checkins]
            if left and self._form_label(self._rating_form()) not in left:
                self._pick(left[0])

    def _pick(self, label: str) -> None:
        page = self.page
        page.until(lambda: page.within(page.find("rr-health-list"), "rr-health-pick",
                                       description=f"○ {label}") is not None,
                   what=f"the picker button of {label}")
        page.click(page.within(page.find("rr-health-list"), "rr-health-pick",
                               description=f"○ {label}").id)
        page.until(lambda: self._form_label(self._rating_form()) == label,
                   what=f"the rating form of {label}")

    def follow(self, step: str, timeout: float) -> None:
        """Wait (reading all along) until the facilitator has moved this page to ``step``."""
        self.page.until(lambda: self.page.on_step(step), timeout, what=f"the {step} step")

    def plan(self) -> None:
        page = self.page
        self.think()
        page.until(lambda: page.within(page.find("rr-plan-choices"), "rr-plan-start")
                   is not None, what="a relationship to plan")
        start = page.within(page.find("rr-plan-choices"), "rr-plan-start")
        page.click(start.id)
        opened = lambda: next((m for m in page.find_all("rr-status-ok")  # noqa: E731
                               if "Planning the reset with" in str(m.state.get("value"))), None)
        page.until(lambda: opened() is not None and page.find("rr-plan-ask") is not None,
                   what="the plan form")
        label = QUOTED.search(opened().state["value"]).group(1)
        self.mark("plan_ack")
        text = ""
        for chunk in ("Could we meet", " for thirty minutes", f" next week? (guest {self.number})"):
            self.think()
            text += chunk
            sent = page.set(page.find("rr-plan-ask").id, value=text)
        page.settled(sent)
        form = page.find_all("rr-plan-form")[-1]
        page.expect(lambda: form, "Draft saved", "saving the plan draft", timeout=5)
        self.journal.plan = {"label": label, "ask": text}
        self.mark("plan_saved")

    def leave(self) -> None:
        self.think()
        self.mark("leave")
        if self.journal.left == "closed":
            self.journal.beacon_status = self.page.leave()
        else:
            self.page.drop()


class Console:
    """The facilitator's console: opens the session with its key, reveals, moves the room."""

    def __init__(self, url: str, code: str, key: str, timeout: float = 120.0):
        self.url, self.timeout = url, timeout
        self.page = LivePage(url, timeout=timeout)
        self.code, self.key = code, key
        self.moves: list[dict] = []
        self.reloads: list[str] = []
        self._counts: list[tuple[float, dict[str, int]]] = []

    def reload(self, why: str) -> None:
        """The console lost its connection: open it again, as a facilitator reloads a tab."""
        self.reloads.append(why[:200])
        self._counts += self.page.counts
        self.page.drop()
        self.page = LivePage(self.url, timeout=self.timeout)
        self._open_session()

    def open(self) -> None:
        self._open_session()
        for phase in ("why", "inventory"):  # start the workshop, then "Take stock"
            self.move(phase, "rr-phase-next")

    def _open_session(self) -> None:
        page = self.page
        page.open()
        page.set(page.wait_for("rr-open-code").id, value=self.code)
        page.set(page.find("rr-open-key").id, value=self.key)
        page.click(page.find("rr-open-console").id)
        page.wait_for("rr-session-console")
        page.set(page.wait_for("rr-reveal").id, value=True)

    def move(self, phase: str, button: str | None = None) -> float:
        """Click ``button`` (default: the phase's own button); when it was clicked. A console
        whose connection was lost is reloaded first (counted in ``reloads``)."""
        if self.page.failure is not None or self.page._ws is None:
            self.reload(f"before moving to {phase}: {self.page.failure!r}")
        page = self.page
        css = button or f"rr-phase-{phase}"
        panel = lambda: next((m for m in reversed(page.find_all("rr-agenda-panel"))  # noqa: E731
                              if page.within(m, css) is not None), None)
        page.until(lambda: panel() is not None, what=f"the console's .{css} button")
        target = page.within(panel(), css)
        clicked = time.time()
        page.click(target.id)
        page.until(lambda: page.find("rr-current-phase").state.get("value") ==
                   phase_title(phase), what=f"the console to show phase {phase}")
        self.moves.append({"phase": phase, "clicked": clicked})
        return clicked

    def counts(self) -> list[tuple[float, dict[str, int]]]:
        return [*self._counts, *self.page.counts]
