"""Health check: rate a relationship 1-5 on every dimension, with the dimension's question and
its healthy and drifting examples in view, plus a trend and an optional note.

:class:`RatingForm` is one check-in (``value``: ratings, trend, note); it carries a client-made
id so that sending it twice stores it once. :class:`HealthView` walks through all
relationships and shows the progress.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import bidi
from ..content import content
from ..model import TRENDS, new_id
from .components import Field, Form, button, card, classed, esc, full, heading, html

SCALE = [(str(n), n) for n in range(1, 6)]


def _dimension_field(dim) -> Field:
    control = widgets.ToggleButtons(options=SCALE, value=None, style={"button_width": "46px"},
                                    tooltips=["1: drifting badly", "2", "3", "4",
                                              "5: healthy"])
    examples = (f'<div class="rr-hint rr-examples"><b>Healthy:</b> {esc(dim.healthy)}<br>'
                f'<b>Drifting:</b> {esc(dim.drifting)}</div>')
    field = Field(dim.key, dim.name, control, hint=dim.question, detail_html=examples,
                  css=f"rr-rating-{dim.key.replace('_', '-')}")
    classed(control, "rr-rating")
    return classed(field, "rr-dimension")


class RatingForm(Form):
    """One check-in of one relationship; ``value`` is ``{"ratings", "trend", "note"}``."""

    submit_label = "Save ratings"
    submit_css = "rr-save-ratings"

    def __init__(self, relationship, dimensions: list[str] | None = None, previous=None):
        self.relationship = relationship
        dims = [content().dimension_for(k) for k in dimensions] if dimensions \
            else list(content().dimensions)
        self.dimension_keys = [d.key for d in dims]
        fields = {d.key: _dimension_field(d) for d in dims}
        fields["trend"] = Field("trend", "Lately, it is…", widgets.ToggleButtons(
            options=[(t.capitalize(), t) for t in TRENDS], value="stable"), css="rr-trend")
        fields["note"] = Field("note", "Note (optional, only you see it)", widgets.Textarea(
            rows=2, layout=full()), css="rr-note")
        title = heading(f"How healthy is “{bidi.isolated(relationship.label)}”?",
                        "1 means drifting badly, 5 means healthy.", level=3)
        super().__init__([title, *fields.values()], fields)
        self.checkin_id = new_id()  # re-saving this form corrects its check-in in place
        if previous is not None:
            self.value = {**previous.ratings, "trend": previous.trend, "note": previous.note}

    @property
    def value(self) -> dict:
        return {"ratings": {k: self.fields[k].value for k in self.dimension_keys},
                "trend": self.fields["trend"].value, "note": self.fields["note"].value}

    @value.setter
    def value(self, values: dict) -> None:
        flat = {**values.pop("ratings", {}), **values} if "ratings" in values else values
        for name, new in flat.items():
            if name in self.fields:
                self.fields[name].value = new

    def show_errors(self, errors: dict[str, str]) -> None:
        super().show_errors({k.removeprefix("ratings."): w for k, w in errors.items()})

    def missing(self) -> dict[str, str]:
        return {k: "please choose 1 to 5" for k in self.dimension_keys
                if self.fields[k].value is None}


class HealthView(widgets.VBox):
    """All relationships, one rating form at a time, with 'n of m rated'."""

    def __init__(self, workbook, on_next=None):
        self.workbook, self.current = workbook, None
        self.progress = html("", "rr-progress")
        self.picker = classed(widgets.VBox(layout=full()), "rr-health-list")
        self.slot = widgets.VBox(layout=full())
        self.next = button("Next: see the map", "rr-next-map", "primary")
        self.next.on_click(lambda _: on_next and on_next())
        intro = heading("Health check", "Rate each relationship on every dimension. Each "
                        "relationship's answers are saved as soon as you press save.")
        super().__init__([card(intro, self.progress, self.picker, self.next),
                          card(self.slot, css="rr-rating-card")], layout=full())
        self.refresh()

    def _dimensions(self) -> list[str] | None:
        session = self.workbook.session
        return list(session.settings.dimensions) if session else None

    def refresh(self) -> None:
        relationships = self.workbook.relationships()
        rated, total = self.workbook.progress()
        self.progress.value = (f'<b class="rr-progress-count">{rated} of {total} rated</b>'
                               if total else "Add relationships in “Take stock” first.")
        self.picker.children = [self._pick_button(r) for r in relationships]
        self.next.disabled = rated == 0
        ids = [r.id for r in relationships]
        if self.current not in ids:
            unrated = [i for i in ids if self.workbook.latest_checkin(i) is None]
            self.open_form((unrated or ids or [None])[0])

    def _pick_button(self, rel) -> widgets.Button:
        done = self.workbook.latest_checkin(rel.id) is not None
        pick = button(("✓ " if done else "○ ") + bidi.isolated(rel.label[:60]), "rr-health-pick")
        if rel.id == self.current:
            pick.add_class("rr-current")
        pick.on_click(lambda _: self.open_form(rel.id))
        return pick

    def open_form(self, relationship_id: str | None) -> None:
        self.current = relationship_id
        if relationship_id is None:
            self.slot.children = [html('<p class="rr-hint">Nothing to rate yet.</p>')]
            return
        rel = self.workbook.relationship(relationship_id)
        form = RatingForm(rel, self._dimensions(), self.workbook.latest_checkin(rel.id))
        form.on_submit(lambda values: self._save(form, values))
        self.slot.children = [form]
        for child in self.picker.children:
            child.remove_class("rr-current")
        self.refresh_picker()

    def refresh_picker(self) -> None:
        relationships = self.workbook.relationships()
        self.picker.children = [self._pick_button(r) for r in relationships]

    def _save(self, form: RatingForm, values: dict) -> None:
        missing = form.missing()
        if missing:
            from ..errors import InvalidInput
            raise InvalidInput(missing)
        self.workbook.rate(form.relationship.id, form.checkin_id, **values)
        self.refresh_picker()
        rated, total = self.workbook.progress()
        self.progress.value = f'<b class="rr-progress-count">{rated} of {total} rated</b>'
        self.next.disabled = False
        form.status.ok(f"Saved your ratings of “{bidi.isolated(form.relationship.label)}”.")
