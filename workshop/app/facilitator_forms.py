"""The facilitator's forms: set up a new session, and open a session's console with its key.

Both are :class:`~workshop.app.components.Form` widgets: one ``value``, ``on_submit``, and
messages beside the fields. The rules they are checked against live in
:mod:`workshop.session_setup` and :mod:`workshop.model`.
"""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets

from .. import agenda, creation, session_setup
from ..aggregate import dimension_name
from ..content import content
from ..errors import InvalidInput, WorkshopError
from ..model import DEFAULT_ANONYMITY
from .components import FULL, Field, Form, button, classed, esc, html, named, text_input

ROW = widgets.Layout(width="100%", align_items="center", flex_flow="row wrap")


def _number(control: widgets.Widget, css: str, label: str, width: str = "7em") -> widgets.Widget:
    control.layout = widgets.Layout(width=width)
    return named(control, label, css)


class DimensionPicker(widgets.VBox):
    """Tick the dimensions to rate, set each weight, or add a dimension of your own."""

    def __init__(self):
        self.rows: dict[str, tuple[widgets.Checkbox, widgets.FloatText]] = {}
        self.list = widgets.VBox(layout=FULL)
        self.new_name = named(text_input("e.g. Shared goals"), "A dimension of your own",
                              "rr-new-dimension")
        self.new_name.layout = widgets.Layout(width="16em")
        self.add = button("Add dimension", "rr-add-dimension")
        self.message = html("", "rr-field-error", "rr-error-new-dimension")
        self.add.on_click(lambda _: self.add_named(self.new_name.value))
        super().__init__([self.list, widgets.HBox([self.new_name, self.add], layout=ROW),
                          self.message], layout=FULL)
        for dim in content().dimensions:
            self._row(dim.key, dim.name, dim.weight, True)

    def _row(self, key: str, name: str, weight: float, ticked: bool) -> None:
        tick = classed(widgets.Checkbox(value=ticked, description=name, indent=False,
                                        layout=widgets.Layout(width="18em")), f"rr-dim-{key}")
        weigh = _number(widgets.FloatText(value=weight, step=0.5), f"rr-weight-{key}",
                        f"Weight of {name}")
        self.rows[key] = (tick, weigh)
        self.list.children = [*self.list.children,
                              widgets.HBox([tick, html('<span class="rr-hint">weight</span>'),
                                            weigh], layout=ROW)]

    def add_named(self, name: str) -> str | None:
        """Add (and tick) a dimension by its name; returns its key, or shows why not."""
        try:
            key = session_setup.dimension_key(name)
        except InvalidInput as exc:
            self.message.value = esc(exc.fields["new_dimension"])
            return None
        self.message.value = ""
        if key in self.rows:
            self.rows[key][0].value = True
        else:
            self._row(key, dimension_name(key), 1.0, True)
        self.new_name.value = ""
        return key

    @property
    def value(self) -> dict:
        ticked = [key for key, (tick, _) in self.rows.items() if tick.value]
        return {"dimensions": ticked,
                "weights": {key: float(weigh.value) for key, (_, weigh) in self.rows.items()}}

    @value.setter
    def value(self, new: dict) -> None:
        for key in new.get("dimensions", []):
            if key not in self.rows:
                self._row(key, dimension_name(key), 1.0, True)
        for key, (tick, weigh) in self.rows.items():
            tick.value = key in new.get("dimensions", [])
            weigh.value = float(new.get("weights", {}).get(key, weigh.value))


class AgendaEditor(widgets.VBox):
    """Minutes per phase of the agenda (0 leaves a phase out), with the total."""

    def __init__(self):
        self.minutes: dict[str, widgets.IntText] = {}
        rows = []
        for phase in content().phases:
            box = _number(widgets.IntText(value=phase.minutes), f"rr-minutes-{phase.key}",
                          f"Minutes for {phase.title}")
            box.observe(lambda _: self._total(), "value")
            self.minutes[phase.key] = box
            rows.append(widgets.HBox([html(esc(phase.title)), box], layout=ROW))
        self.total = html("", "rr-agenda-total", "rr-hint")
        super().__init__([*rows, self.total], layout=FULL)
        self._total()

    def _total(self) -> None:
        try:
            minutes = agenda.total_minutes(self.value)
        except (TypeError, ValueError):
            minutes = 0
        self.total.value = f"Total: {minutes} minutes"

    @property
    def value(self) -> dict[str, int]:
        return {key: int(box.value) for key, box in self.minutes.items()}

    @value.setter
    def value(self, new: dict[str, int]) -> None:
        for key, minutes in new.items():
            if key in self.minutes:
                self.minutes[key].value = int(minutes)


class SessionForm(Form):
    """Set up a workshop session: title, date, dimensions and weights, threshold, agenda.

    Follows the operator's :mod:`~workshop.creation` rule (``rule``, else the configured one):
    with ``key`` it asks for the creation key too; with ``nobody`` it is a plain notice.
    """

    submit_label = "Create session"
    submit_css = "rr-create-session"

    def __init__(self, rule: creation.CreationRule | None = None):
        try:
            self.rule = rule or creation.rule()
        except WorkshopError as exc:  # a misconfigured server: say so, create nothing
            self.rule, self.refusal = creation.CreationRule("nobody"), str(exc)
        else:
            self.refusal = creation.TURNED_OFF
        self.dimensions = DimensionPicker()
        self.agenda = AgendaEditor()
        fields = {
            "title": Field("title", "Title", text_input("e.g. Q3 client reset"),
                           css="rr-session-title"),
            "date": Field("date", "Date", widgets.DatePicker(value=date.today()),
                          css="rr-session-date"),
            "dimensions": Field("dimensions", "Health dimensions and their weights",
                                self.dimensions, css="rr-dimensions"),
            "anonymity_threshold": Field(
                "anonymity_threshold", "Anonymity threshold",
                _number(widgets.IntText(value=DEFAULT_ANONYMITY), "rr-threshold",
                        "Anonymity threshold"),
                hint="Group charts stay hidden until this many people answered (at least 3).",
                css="rr-threshold"),
            "timeboxes": Field("timeboxes", "Agenda (minutes per phase, 0 leaves it out)",
                               self.agenda, css="rr-agenda-editor"),
        }
        if self.rule.who == "key":
            fields["creation_key"] = Field(
                "creation_key", "Creation key", widgets.Password(layout=FULL),
                hint="This server asks for its creation key before making a session; the "
                     "person who runs the server has it.", css="rr-creation-key")
        super().__init__([html("<h2>New session</h2>"), *fields.values()], fields)
        classed(self, "rr-session-form", "rr-card")
        if self.rule.who == "nobody":
            self.children = [html("<h2>New session</h2>"),
                             html(f'<p class="rr-hint">{esc(self.refusal)}</p>',
                                  "rr-create-off")]

    @property
    def value(self) -> dict:
        picked = self.dimensions.value
        value = {"title": self.fields["title"].value, "on": self.fields["date"].value,
                 "dimensions": picked["dimensions"], "weights": picked["weights"],
                 "anonymity_threshold": self.fields["anonymity_threshold"].value,
                 "timeboxes": self.agenda.value}
        if "creation_key" in self.fields:
            value["creation_key"] = self.fields["creation_key"].value
        return value

    def submit_values(self) -> bool:
        done = super().submit_values()
        if done and "creation_key" in self.fields:  # not kept in the page once used
            self.fields["creation_key"].value = ""
        return done

    @value.setter
    def value(self, new: dict) -> None:
        simple = {"title": "title", "on": "date", "anonymity_threshold": "anonymity_threshold",
                  **({"creation_key": "creation_key"} if "creation_key" in self.fields else {})}
        for key, name in simple.items():
            if key in new:
                self.fields[name].value = new[key]
        if "dimensions" in new or "weights" in new:
            self.dimensions.value = {"dimensions": new.get("dimensions", []),
                                     "weights": new.get("weights", {})}
        if "timeboxes" in new:
            self.agenda.value = new["timeboxes"]

    def show_errors(self, errors: dict[str, str]) -> None:
        renamed = {("dimensions" + k.removeprefix("weights") if k.startswith("weights") else k): w
                   for k, w in errors.items()}
        super().show_errors(renamed)


class OpenForm(Form):
    """Open a session's console with its join code and facilitator key."""

    submit_label = "Open console"
    submit_css = "rr-open-console"

    def __init__(self):
        fields = {"code": Field("code", "Session code", text_input("e.g. K7QF3M"),
                                css="rr-open-code"),
                  "key": Field("key", "Facilitator key",
                               widgets.Password(placeholder="fk-...", layout=FULL),
                               hint="Shown once when the session was created.",
                               css="rr-open-key")}
        super().__init__([html("<h2>Open a session</h2>"), *fields.values()], fields)
        classed(self, "rr-open-form", "rr-card")
