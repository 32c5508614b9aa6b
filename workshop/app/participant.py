"""The participant app: join (or resume, or work alone), then six steps from taking stock to
checking in later. Each step's view is built the first time it is opened, so the join screen
needs nothing but ipywidgets (and the small :mod:`.device` widget); the store, pandas and
Plotly load once someone is in.

The browser remembers the person (:class:`.device.Device`): after a reload, a reopened tab or
a phone waking up, the page resumes with the code it kept, on the step that was open, without
anyone typing a code. "Not you? Forget me on this device" clears it.

In a notebook or Voilà page::

    from workshop.app.participant import ParticipantApp
    ParticipantApp.from_environment()
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable

import ipywidgets as widgets

from .chart_slot import charts_off_page, replace_children
from .components import Status, button, classed, full, html, log, run_safely, user_text
from .join import JoinView, ResumeNotice, code_from_query

STEPS = [("stock", "1 Take stock"), ("health", "2 Health check"), ("map", "3 See the map"),
         ("plan", "4 Plan the reset"), ("leave", "5 Leave with a plan"),
         ("later", "6 Check in later")]
STEP_KEYS = frozenset(key for key, _ in STEPS)
# Seconds after the map opens before the plan step is built off the page (spread at random
# over the room); a facilitator gives the map longer than that.
PREPARE_PLAN_AFTER = (5.0, 20.0)
FORGET_LABEL = "Not you? Forget me on this device"
FORGOTTEN = ("This device has forgotten you. Your resume code still works here or on any "
             "other device.")
UNKNOWN_ON_DEVICE = ("This device remembered a resume code that is not known here any more. "
                     "Please join again, or type your resume code.")
OTHER_SESSION = ("This device remembers your earlier workbook: press “Continue where I left "
                 "off” to go back to it, or join the session above.")


# -- where a person lands (pure rules, tested on their own) ----------------------------------

def first_step(relationships: int, rated: int, planned: int) -> str:
    """Where someone coming in lands, from how far their own data goes."""
    if not relationships:
        return "stock"
    if rated < relationships:
        return "health"
    return "later" if planned else "map"


def step_for_phase(phase: str | None, has_relationships: bool) -> str | None:
    """The step a phase of the workshop opens (None: stay put). Someone who has no
    relationship yet stays at Take stock whatever the phase: a map of nothing helps no one."""
    from .phase import STEP_FOR_PHASE
    step = STEP_FOR_PHASE.get(phase)
    return "stock" if step and not has_relationships else step


def resumed_step(place: dict, phase: str | None, fallback: str) -> str:
    """On the same device: the step that was open, if the room is still in the phase it was
    in then; otherwise ``fallback`` (where the data and the phase lead)."""
    step = place.get("step")
    if step in STEP_KEYS and (place.get("phase") or None) == (phase or None):
        return step
    return fallback


def same_session(code: str, workbook) -> bool:
    """Whether ``workbook`` belongs to the session a page address names (no code: any)."""
    if not code.strip():
        return True
    from ..codes import normalise
    return workbook.session is not None and normalise(workbook.session.code) == normalise(code)


class ParticipantApp(widgets.VBox):
    """The whole participant journey as one composite widget."""

    def __init__(self, code: str = "", store_factory: Callable | None = None):
        from .device import Device
        from .focus import FocusMover
        self._code, self._store_factory = code, store_factory
        self.workbook, self.banner = None, None
        self.views: dict[str, widgets.Widget] = {}
        self.current: str | None = None
        self._kept = ""  # the resume code this device keeps for the person in
        self._hold: tuple[str | None] | None = None  # see step_for_phase
        self.status = Status("rr-app-status")
        self.focus_mover = FocusMover()  # no view: it only moves the page's focus (see show)
        self.device = Device()
        self.device.observe(lambda change: self._from_device(change["new"]), "found")
        self.join_view = self._new_join_view()
        self.who = html("", "rr-who")
        self.forget_button = button(FORGET_LABEL, "rr-forget",
                                    tooltip="Another person uses this device: go back to "
                                            "the join screen. Nothing you entered is deleted.")
        self.forget_button.on_click(lambda _: self.forget())
        self.header = classed(widgets.HBox([self.who, self.forget_button], layout=full()),
                              "rr-who-row")
        self.nav = classed(widgets.HBox(layout=full()), "rr-steps")
        self.notice = widgets.VBox(layout=full())
        self.body = widgets.VBox([self.join_view], layout=full())
        super().__init__([self.device, self.header, self.notice, self.nav, self.status,
                          self.body], layout=full())
        self._hide_steps()
        classed(self, "rr-app", "rr-participant")

    @classmethod
    def from_environment(cls) -> ParticipantApp:
        """The app with the session code prefilled from the page address (``?code=...``)."""
        return cls(code_from_query(os.environ.get("QUERY_STRING", "")))

    # -- getting in -------------------------------------------------------------------------

    def _new_join_view(self) -> JoinView:
        view = JoinView(self._code)
        view.join.on_submit(lambda v: self._enter("join", v))
        view.resume.on_submit(lambda v: self._enter("resume", v))
        view.solo.on_submit(lambda v: self._enter("solo", v))
        return view

    def _store(self):
        if self._store_factory is not None:
            return self._store_factory()
        from .workbook import open_store
        return open_store()

    def _enter(self, how: str, values: dict) -> None:
        """Join, resume or start alone; raises kit errors for the form to show."""
        from ..errors import InvalidInput
        from .workbook import Workbook
        if how == "join" and not values["code"].strip():
            raise InvalidInput({"code": "Please enter the session code."})
        if how == "resume" and not values["resume_code"].strip():
            raise InvalidInput({"resume_code": "Please enter your resume code."})
        store, resume = self._store(), None
        try:
            if how == "join":
                workbook, resume = Workbook.join(store, values["code"], values["name"])
            elif how == "solo":
                workbook, resume = Workbook.alone(store, values["name"])
            else:
                workbook = Workbook.resume(store, values["resume_code"])
        except InvalidInput as exc:  # the model names its field; the form calls it "name"
            store.close()
            raise InvalidInput({("name" if k == "display_name" else k): why
                                for k, why in exc.fields.items()}) from None
        except Exception:
            store.close()
            raise
        self.start(workbook, resume, keep=resume or values["resume_code"].strip())

    def _from_device(self, found: dict) -> None:
        """The page said what this browser remembers: resume with it, once, if it can."""
        code = str((found or {}).get("code") or "").strip()
        if code and self.workbook is None:
            run_safely(self.status, lambda: self._resume_here(code, found))

    def _resume_here(self, code: str, place: dict) -> None:
        from ..errors import WorkshopError
        from .workbook import Workbook
        store = self._store()
        try:
            workbook = Workbook.resume(store, code)
        except WorkshopError:  # unknown code (or its session deleted): forget it here
            store.close()
            self.device.forget()
            self.status.error(UNKNOWN_ON_DEVICE)
            return
        except Exception:  # the store is unreachable: keep the code for the next try
            store.close()
            self.device.remember(code, place.get("step", ""), place.get("phase"))
            raise
        if not same_session(self._code, workbook):  # the page names another session
            store.close()
            self.device.remember(code, place.get("step", ""), place.get("phase"))
            self.join_view.resume.value = {"resume_code": code}
            self.join_view.resume.status.ok(OTHER_SESSION)
            return
        self.start(workbook, keep=code, place=place)

    def start(self, workbook, resume_code: str | None = None, *, keep: str | None = None,
              place: dict | None = None) -> None:
        """Show the steps for ``workbook``; a new resume code is shown once.

        ``keep`` is the code this device should remember (a new ``resume_code`` by default);
        ``place`` is where this device last was (``{"step", "phase"}``), to land there again.
        """
        self.workbook, self._kept = workbook, keep or resume_code or ""
        name = workbook.display_name
        where = workbook.session.title if workbook.session else "Working on your own"
        self.who.value = (f'<div class="rr-who-line"><b>'
                          f'{user_text(name) if name else "Welcome"}</b> · <span class="rr-hint">'
                          f'{user_text(where)}</span></div>')
        for shown in (self.header, self.nav):
            shown.layout.display = None
        if resume_code:
            notice = ResumeNotice(resume_code, workbook.session.title
                                  if workbook.session else None)
            notice.done.on_click(lambda _: self.focus_mover.to(heading_of(self.current)))
            self.notice.children = [notice]
            self.notice.layout.display = None
        self.nav.children = [self._step_button(key, label) for key, label in STEPS]
        phase = workbook.session.current_phase if workbook.session else None
        step = self._first_step()
        if place is not None:
            step = resumed_step(place, phase, step)
            # Back on the step it was on: the banner's first word must not move it.
            self._hold = (phase,) if step == place.get("step") else None
        self.show(step)
        # Facilitator console integration (issue 4): the workshop's current phase and time left,
        # and this app follows the facilitator from phase to phase (see workshop/app/phase.py).
        if workbook.session is not None:
            from .phase import follow_phases
            self.banner = follow_phases(self, workbook.store, workbook.session.id)
            self.banner.on_phase(lambda _: self._remember())
        if resume_code:  # shown only now: the notice is read first, then the step
            self.focus_mover.to(".rr-resume-notice h3")

    def _first_step(self) -> str:
        rated, total = self.workbook.progress()
        return first_step(total, rated, len(self.workbook.plans()) if total else 0)

    def step_for_phase(self, phase: str | None) -> str | None:
        """Where the facilitator's move to ``phase`` takes this person (None: stay put)."""
        hold, self._hold = self._hold, None
        if hold is not None and hold[0] == phase:
            return None
        return step_for_phase(phase, bool(self.workbook.relationships()))

    def _remember(self) -> None:
        if self._kept:
            self.device.remember(self._kept, self.current or "",
                                 self.banner.phase if self.banner else None)

    # -- leaving this device ----------------------------------------------------------------

    def forget(self) -> None:
        """Forget the person on this device and go back to the join screen (their data and
        resume code stay as they are)."""
        self.device.forget()
        if self.banner is not None:
            self.children = [c for c in self.children if c is not self.banner]
            self.banner.close()
        for view in [*self.views.values(), *self.notice.children, *self.nav.children]:
            _close_tree(view)
        if self.workbook is not None:
            self.workbook.store.close()
        self.workbook, self.banner, self.current, self._kept = None, None, None, ""
        self.views, self.notice.children, self.nav.children = {}, [], []
        _close_tree(self.join_view)
        self.join_view = self._new_join_view()
        self.status.ok(FORGOTTEN)  # first, so it is there when the join screen shows
        self.body.children = [self.join_view]
        self._hide_steps()
        self.focus_mover.to(".rr-app-status")  # the button pressed is gone: say what happened

    def _hide_steps(self) -> None:
        for hidden in (self.header, self.nav, self.notice):  # until someone is in
            hidden.layout.display = "none"

    def _step_button(self, key: str, label: str) -> widgets.Button:
        step = button(label, f"rr-step-{key}", classes=("rr-step",))
        step.on_click(lambda _: self.show(key))
        return step

    # -- steps ------------------------------------------------------------------------------

    def show(self, key: str) -> None:
        """Open step ``key``, building its view the first time; the keyboard focus moves to
        the step's heading when another step opens (not when the same one is refreshed)."""
        def go():
            view = self.views.get(key)
            if view is None:  # built now, put on the page below
                view = charts_off_page(classed(self._build(key), f"rr-view-{key}"))
            self.views[key] = view
            moved = self.current != key
            if hasattr(view, "shown"):
                view.shown()
            elif hasattr(view, "refresh"):
                view.refresh()
            replace_children(self.body, [view])  # a view put back gets live charts
            self.current = key
            for child in self.nav.children:
                (child.add_class if f"rr-step-{key}" in child._dom_classes
                 else child.remove_class)("rr-current")
            if moved:
                self.focus_mover.to(heading_of(key))
            if key == "map":  # the plan comes next: ready it while the person reads the map,
                # at a time of its own so that a room moved together does not build at once
                self.prepare("plan", after=random.uniform(*PREPARE_PLAN_AFTER))
        self.status.clear()
        if run_safely(self.status, go):
            self._remember()

    def prepare(self, key: str, after: float = 0.0) -> None:
        """Build step ``key`` off the page, charts drawn, once the kernel is free (and at
        least ``after`` seconds from now): when the facilitator moves the whole room there,
        this page only has to show it. (Everyone moved at once used to mean every kernel
        building its step at the same moment.) Nothing happens without a running event
        loop, or if the step exists by then."""
        from .ticker import Ticker
        workbook = self.workbook

        async def build() -> None:
            if after:
                await asyncio.sleep(after)
            if key in self.views or self.workbook is not workbook or self.comm is None:
                return
            try:
                view = charts_off_page(classed(self._build(key), f"rr-view-{key}"))
                if hasattr(view, "shown"):
                    view.shown()
            except Exception:  # the step is then built when opened, as without this
                log.exception("could not prepare the %s step", key)
                return
            self.views.setdefault(key, view)

        Ticker.soon(build())

    def _build(self, key: str) -> widgets.Widget:
        wb = self.workbook
        if key == "stock":
            from .inventory import InventoryView
            return InventoryView(wb, on_next=lambda: self._finish_stock())
        if key == "health":
            from .health import HealthView
            return HealthView(wb, on_next=lambda: self.show("map"),
                              on_all_rated=lambda: self.prepare("map"))
        if key == "map":
            from .map_view import MapView
            return MapView(wb)
        if key == "plan":
            from .plan_view import PlanView
            return PlanView(wb, on_next=lambda: self.show("leave"))
        if key == "leave":
            from .plan_view import DownloadsView
            return DownloadsView(wb)
        from .checkin import CheckInView
        return CheckInView(wb)

    def _finish_stock(self) -> None:
        run_safely(self.status, lambda: self.workbook.finished("inventory"))
        self.show("health")

    def step_names(self) -> list[str]:
        return [key for key, _ in STEPS]


def heading_of(step: str | None) -> str:
    """The CSS selector of a step's heading (the first ``h2`` of its view)."""
    return f".rr-view-{step} h2"


def _close_tree(widget: widgets.Widget) -> None:
    """Close a widget and everything inside it (their models leave the kernel and the page)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def participant_app() -> ParticipantApp:
    """What the participant notebook displays."""
    return ParticipantApp.from_environment()


__all__ = ["STEPS", "ParticipantApp", "first_step", "heading_of", "participant_app",
           "resumed_step", "step_for_phase"]
