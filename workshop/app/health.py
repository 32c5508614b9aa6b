"""Health check: rate a relationship 1-5 on every dimension, with the dimension's question and
its healthy and drifting examples in view, plus a trend and an optional note.
A new check-in starts from the previous one's ratings and trend, with an empty note.

:class:`RatingForm` is one check-in (``value``: ratings, trend, note); it carries a client-made
id so that sending it twice stores it once. :class:`HealthView` walks through all
relationships and shows the progress.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import bidi
from ..content import content
from ..model import TRENDS, new_id
from ..wording import plural
from . import shared
from .components import (
    Field,
    Form,
    Status,
    button,
    card,
    classed,
    dom_classes,
    esc,
    full,
    heading,
    html,
)

SCALE = [(str(n), n) for n in range(1, 6)]


def rating_control() -> widgets.ToggleButtons:
    """The 1-5 choice of one dimension, unset (shared layout and style: it never changes
    them). The health check and the other side's invitation page both use it."""
    return widgets.ToggleButtons(options=SCALE, value=None, layout=shared.layout(),
                                 style=shared.toggle_style(button_width="46px"),
                                 tooltips=["1: drifting badly", "2", "3", "4", "5: healthy"],
                                 **dom_classes("rr-rating"))


def rated_dimensions(keys: list[str] | None) -> list:
    """The dimensions named by ``keys`` (a session's), or the method's own."""
    return [content().dimension_for(k) for k in keys] if keys else list(content().dimensions)


def _dimension_field(dim) -> Field:
    control = rating_control()
    examples = (f'<div class="rr-hint rr-examples"><b>Healthy:</b> {esc(dim.healthy)}<br>'
                f'<b>Drifting:</b> {esc(dim.drifting)}</div>')
    return Field(dim.key, dim.name, control, hint=dim.question, detail_html=examples,
                 css=f"rr-rating-{dim.key.replace('_', '-')}", classes=("rr-dimension",))


class RatingForm(Form):
    """One check-in of one relationship; ``value`` is ``{"ratings", "trend", "note"}``."""

    submit_label = "Save ratings"
    submit_css = "rr-save-ratings"

    def __init__(self, relationship, dimensions: list[str] | None = None, previous=None,
                 **kwargs):
        self.relationship = relationship
        dims = rated_dimensions(dimensions)
        self.dimension_keys = [d.key for d in dims]
        fields = {d.key: _dimension_field(d) for d in dims}
        fields["trend"] = Field("trend", "Lately, it is…", widgets.ToggleButtons(
            options=[(t.capitalize(), t) for t in TRENDS], value="stable",
            style=shared.toggle_style()), css="rr-trend")
        fields["note"] = Field("note", "Note (optional, only you see it)", widgets.Textarea(
            rows=2, layout=full()), css="rr-note")
        self.title = html(self._title(relationship))
        super().__init__([self.title, *fields.values()], fields, **kwargs)
        self.checkin_id = new_id()  # re-saving this form corrects its check-in in place
        if previous is not None:  # a starting point; the note belonged to that check-in
            self.value = {**previous.ratings, "trend": previous.trend}

    @staticmethod
    def _title(relationship) -> str:
        return (f"<h3>How healthy is “{esc(bidi.isolated(relationship.label))}”?</h3>"
                '<div class="rr-hint">1 means drifting badly, 5 means healthy.</div>')

    def load(self, relationship, previous=None) -> None:
        """Rate ``relationship`` in this same form, for a new check-in: the page updates a
        few values instead of drawing some thirty widgets again (as a new form would)."""
        self.relationship, self.checkin_id = relationship, new_id()
        self.show_errors({})
        self.title.value = self._title(relationship)
        start = previous.ratings if previous is not None else {}
        self.value = {**{k: start.get(k) for k in self.dimension_keys},
                      "trend": previous.trend if previous is not None else "stable",
                      "note": ""}

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


def next_unrated(order: list[str], rated, after: str | None = None) -> str | None:
    """The first relationship in ``order`` not in ``rated``, looking after ``after`` first
    and then from the top; None when every one is rated."""
    start = order.index(after) + 1 if after in order else 0
    return next((rid for rid in order[start:] + order[:start] if rid not in rated), None)


class HealthView(widgets.VBox):
    """All relationships, one rating form at a time, with 'n of m rated'. Saving moves on
    to the next unrated relationship (brought into view); once all are rated it says so and
    offers the map."""

    def __init__(self, workbook, on_next=None, focus=None, on_all_rated=None):
        self.workbook, self.current = workbook, None
        self._on_all_rated = on_all_rated  # called after a save that leaves none unrated
        self._picks: dict[str, widgets.Button] = {}  # relationship id -> its picker button
        self._forms: list[RatingForm] = []  # the two that take turns (open_form)
        if focus is None:  # the page focuses (and so scrolls to) what comes next
            from .focus import FocusMover
            self._mover = FocusMover()
            focus = self._mover.to
        self._focus = focus
        self.progress = html("", "rr-progress")
        self.picker = classed(widgets.VBox(layout=full()), "rr-health-list")
        self.slot = widgets.VBox(layout=full())
        self.next = button("Next: see the map", "rr-next-map", "primary")
        self.next.on_click(lambda _: on_next and on_next())
        # Above the form, and replaced with it (one message: the page never shows a new
        # notice over the old form): what was saved and what comes next.
        self.saved = Status("rr-health-saved")
        self.to_map = button("See the map", "rr-all-rated-map", "primary")
        self.to_map.on_click(lambda _: on_next and on_next())
        intro = heading("Health check", "Rate each relationship on every dimension. Each "
                        "relationship's answers are saved as soon as you press save.")
        super().__init__([card(intro, self.progress, self.picker, self.next),
                          card(self.slot, css="rr-rating-card")], layout=full())
        self.refresh()

    def _dimensions(self) -> list[str] | None:
        session = self.workbook.session
        return list(session.settings.dimensions) if session else None

    def _order_and_rated(self) -> tuple[list[str], set[str]]:
        ids = [r.id for r in self.workbook.relationships()]
        return ids, {i for i in ids if self.workbook.latest_checkin(i) is not None}

    def refresh(self) -> None:
        rated, total = self.workbook.progress()
        self.progress.value = (f'<b class="rr-progress-count">{rated} of {total} rated</b>'
                               if total else "Add relationships in “Take stock” first.")
        self.refresh_picker()
        self.next.disabled = rated == 0
        ids, done = self._order_and_rated()
        if self.current not in ids:
            self.open_form(next_unrated(ids, done) or (ids or [None])[0])

    def _pick_button(self, rel, label: str) -> widgets.Button:
        """A picker button; :meth:`refresh_picker` keeps its label and current mark."""
        pick = button(label, "rr-health-pick")
        pick.on_click(lambda _: self.choose(rel.id))
        return pick

    def choose(self, relationship_id: str) -> None:
        """The person picked a relationship: the last save's notice gives way to it. Picking
        the one already open keeps its form (and whatever was chosen in it)."""
        self._quiet_notice()
        if relationship_id != self.current or not self.slot.children:
            self.open_form(relationship_id)

    def _quiet_notice(self) -> None:
        self.saved.clear()
        self.saved.remove_class("rr-status-ok")
        for form in self.slot.children:
            form.children = [c for c in form.children if c is not self.to_map]

    def open_form(self, relationship_id: str | None, notice: str = "") -> RatingForm | None:
        """Show ``relationship_id``'s rating form, with ``notice`` (what was saved) above.

        Two forms take turns (classes ``rr-rating-turn-a`` and ``-b``, so the page can tell
        the new one from the one it replaces): the next relationship is loaded into the form
        not on screen (:meth:`RatingForm.load`: a few values, not thirty new widgets), and
        the one just saved stays as it was, so a double click on its button saves it again
        and nothing else. A form already showing ``relationship_id`` stays."""
        self.current = relationship_id
        if relationship_id is None:
            self.slot.children = [html('<p class="rr-hint">Nothing to rate yet.</p>')]
            return None
        shown = self.slot.children[0] if self.slot.children else None
        if isinstance(shown, RatingForm) and shown.relationship.id == relationship_id:
            form = shown
        else:
            rel = self.workbook.relationship(relationship_id)
            form = self._spare_form(shown, rel, self.workbook.latest_checkin(rel.id))
        self.saved = form.saved
        if notice:
            self.saved.ok(notice)
        else:
            self.saved.clear()
        if self.to_map in form.children:
            form.children = [c for c in form.children if c is not self.to_map]
        if shown is not form:
            self.slot.children = [form]
        self.refresh_picker()
        return form

    def _spare_form(self, shown, rel, previous) -> RatingForm:
        """The form of the two that is not on screen, loaded with ``rel``; made on first use
        (again if the session's dimensions changed)."""
        dimensions = self._dimensions()
        keys = [d.key for d in rated_dimensions(dimensions)]
        if any(f.dimension_keys != keys for f in self._forms):
            self._forms = []
        spare = next((f for f in self._forms if f is not shown), None)
        if spare is not None:
            spare.load(rel, previous)
            return spare
        turn = "b" if any(f.turn == "a" for f in self._forms) else "a"
        spare = RatingForm(rel, dimensions, previous, _dom_classes=(f"rr-rating-turn-{turn}",))
        spare.turn, spare.saved = turn, Status("rr-health-saved")  # the notice goes with
        spare.children = [spare.saved, *spare.children]  # its form, at the top
        spare.on_submit(lambda values, form=spare: self._save(form, values))
        self._forms.append(spare)
        return spare

    def refresh_picker(self) -> None:
        """The picker's buttons, kept and updated in place (a tick, the current one)."""
        relationships = self.workbook.relationships()
        buttons = []
        for rel in relationships:
            done = self.workbook.latest_checkin(rel.id) is not None
            label = ("✓ " if done else "○ ") + bidi.isolated(rel.label[:60])
            pick = self._picks.get(rel.id) or self._pick_button(rel, label)
            self._picks[rel.id] = pick
            if pick.description != label:
                pick.description = label
            current = "rr-current" in pick._dom_classes
            if current != (rel.id == self.current):
                (pick.remove_class if current else pick.add_class)("rr-current")
            buttons.append(pick)
        for gone in set(self._picks) - {r.id for r in relationships}:
            self._picks.pop(gone).close()
        if list(self.picker.children) != buttons:
            self.picker.children = buttons

    def _save(self, form: RatingForm, values: dict) -> None:
        missing = form.missing()
        if missing:
            from ..errors import InvalidInput
            raise InvalidInput(missing)
        self.workbook.rate(form.relationship.id, form.checkin_id, **values)
        rated, total = self.workbook.progress()
        self.progress.value = f'<b class="rr-progress-count">{rated} of {total} rated</b>'
        self.next.disabled = False
        said = f"Saved your ratings of “{bidi.isolated(form.relationship.label)}”."
        ids, done = self._order_and_rated()
        following = next_unrated(ids, done, form.relationship.id)
        if following is None:
            self.refresh_picker()
            self.saved.ok(f"{said} All {plural(total, 'relationship')} are rated: "
                          "see where each one stands on the map."
                          if total > 1 else f"{said} It is rated: see where it stands on "
                          "the map.")
            form.children = [self.saved, self.to_map, *form.children[1:]]
            self._focus(".rr-rating-card .rr-all-rated-map")
            if self._on_all_rated:
                self._on_all_rated()
            return
        label = bidi.isolated(self.workbook.relationship(following).label)
        shown = self.open_form(following, f"{said} Next: “{label}” "
                                          f"({plural(total - rated, 'relationship')} left to "
                                          "rate).")
        self._focus(f".rr-rating-card .rr-rating-turn-{shown.turn} h3")
