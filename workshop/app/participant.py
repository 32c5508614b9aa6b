"""The participant app: join (or resume, or work alone), then six steps from taking stock to
checking in later. Each step's view is built the first time it is opened, so the join screen
needs nothing but ipywidgets; the store, pandas and Plotly load once someone is in.

In a notebook or Voilà page::

    from workshop.app.participant import ParticipantApp
    ParticipantApp.from_environment()
"""

from __future__ import annotations

import os
from collections.abc import Callable

import ipywidgets as widgets

from .components import Status, button, classed, esc, full, html, run_safely
from .join import JoinView, ResumeNotice, code_from_query

STEPS = [("stock", "1 Take stock"), ("health", "2 Health check"), ("map", "3 See the map"),
         ("plan", "4 Plan the reset"), ("leave", "5 Leave with a plan"),
         ("later", "6 Check in later")]


class ParticipantApp(widgets.VBox):
    """The whole participant journey as one composite widget."""

    def __init__(self, code: str = "", store_factory: Callable | None = None):
        self._store_factory = store_factory
        self.workbook = None
        self.views: dict[str, widgets.Widget] = {}
        self.current: str | None = None
        self.status = Status("rr-app-status")
        self.join_view = JoinView(code)
        self.join_view.join.on_submit(lambda v: self._enter("join", v))
        self.join_view.resume.on_submit(lambda v: self._enter("resume", v))
        self.join_view.solo.on_submit(lambda v: self._enter("solo", v))
        self.header = html("", "rr-who")
        self.nav = classed(widgets.HBox(layout=full()), "rr-steps")
        self.notice = widgets.VBox(layout=full())
        for hidden in (self.header, self.nav, self.notice):  # until someone is in
            hidden.layout.display = "none"
        self.body = widgets.VBox([self.join_view], layout=full())
        super().__init__([self.header, self.notice, self.nav, self.status, self.body],
                         layout=full())
        classed(self, "rr-app", "rr-participant")

    @classmethod
    def from_environment(cls) -> ParticipantApp:
        """The app with the session code prefilled from the page address (``?code=...``)."""
        return cls(code_from_query(os.environ.get("QUERY_STRING", "")))

    # -- getting in -------------------------------------------------------------------------

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
        self.start(workbook, resume)

    def start(self, workbook, resume_code: str | None = None) -> None:
        """Show the steps for ``workbook``; a new resume code is shown once."""
        self.workbook = workbook
        name = workbook.display_name
        where = workbook.session.title if workbook.session else "Working on your own"
        self.header.value = (f'<div class="rr-who-line"><b class="rr-user-text">'
                             f'{esc(name) or "Welcome"}</b> · <span class="rr-hint '
                             f'rr-user-text">{esc(where)}</span></div>')
        self.header.layout.display = self.nav.layout.display = None
        if resume_code:
            self.notice.children = [ResumeNotice(resume_code, workbook.session.title
                                                 if workbook.session else None)]
            self.notice.layout.display = None
        self.nav.children = [self._step_button(key, label) for key, label in STEPS]
        self.show(self._first_step())
        # Facilitator console integration (issue 4): the workshop's current phase and time left,
        # and this app follows the facilitator from phase to phase (see workshop/app/phase.py).
        if workbook.session is not None:
            from .phase import follow_phases
            follow_phases(self, workbook.store, workbook.session.id)

    def _first_step(self) -> str:
        if not self.workbook.relationships():
            return "stock"
        rated, total = self.workbook.progress()
        if rated < total:
            return "health"
        return "later" if self.workbook.plans() else "map"

    def _step_button(self, key: str, label: str) -> widgets.Button:
        step = button(label, f"rr-step-{key}")
        step.add_class("rr-step")
        step.on_click(lambda _: self.show(key))
        return step

    # -- steps ------------------------------------------------------------------------------

    def show(self, key: str) -> None:
        """Open step ``key``, building its view the first time."""
        def go():
            view = self.views.get(key) or self._build(key)
            self.views[key] = view
            if hasattr(view, "shown"):
                view.shown()
            elif hasattr(view, "refresh"):
                view.refresh()
            self.body.children = [view]
            self.current = key
            for child in self.nav.children:
                (child.add_class if f"rr-step-{key}" in child._dom_classes
                 else child.remove_class)("rr-current")
        self.status.clear()
        run_safely(self.status, go)

    def _build(self, key: str) -> widgets.Widget:
        wb = self.workbook
        if key == "stock":
            from .inventory import InventoryView
            return InventoryView(wb, on_next=lambda: self._finish_stock())
        if key == "health":
            from .health import HealthView
            return HealthView(wb, on_next=lambda: self.show("map"))
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


def participant_app() -> ParticipantApp:
    """What the participant notebook displays."""
    return ParticipantApp.from_environment()


__all__ = ["STEPS", "ParticipantApp", "participant_app"]
