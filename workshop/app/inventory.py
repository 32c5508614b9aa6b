"""Take stock: add, edit and remove relationships.

:class:`RelationshipForm` is the form (``value`` is a dict ready for the store);
:class:`InventoryView` lists what was entered with edit and remove buttons.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import bidi
from ..model import KINDS
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
    run_safely,
    user_text,
)

IMPORTANCE = [("1 - minor", 1), ("2", 2), ("3 - matters", 3), ("4", 4), ("5 - vital", 5)]
CADENCES = [("Every week", 7), ("Every 2 weeks", 14), ("Every month", 30),
            ("Every 6 weeks", 45), ("Every 2 months", 60), ("Every quarter", 90),
            ("Twice a year", 182), ("Once a year", 365)]


def _half(*fields: Field) -> widgets.HBox:
    for field in fields:
        field.layout.width = "auto"
        field.layout.flex = "1 1 0"
    return classed(widgets.HBox(list(fields), layout=full()), "rr-row")


class RelationshipForm(Form):
    """One relationship: label, kind, importance, since, last contact, cadence, shared label."""

    submit_label = "Add relationship"
    submit_css = "rr-save-relationship"

    def __init__(self):
        f = {
            "label": Field("label", "Who is it?", widgets.Text(
                placeholder="A person, a team or a company", layout=full()), css="rr-rel-label"),
            "kind": Field("kind", "Kind", widgets.Dropdown(
                options=[(k.capitalize(), k) for k in KINDS], value="client", layout=full()),
                css="rr-rel-kind"),
            "importance": Field("importance", "How important is it to you?", widgets.Dropdown(
                options=IMPORTANCE, value=3, layout=full()), css="rr-rel-importance"),
            "since": Field("since", "Since when (optional)", widgets.DatePicker(layout=full()),
                           css="rr-rel-since"),
            "last_contact": Field("last_contact", "Last meaningful contact (optional)",
                                  widgets.DatePicker(layout=full()), css="rr-rel-last-contact"),
            "cadence_days": Field("cadence_days", "How often would you like to be in touch?",
                                  widgets.Dropdown(options=CADENCES, value=30, layout=full()),
                                  css="rr-rel-cadence"),
            "shared_label": Field("shared_label", "Shared name (optional)", widgets.Text(
                placeholder="e.g. Northwind Logistics", layout=full()),
                hint="If colleagues rate the same relationship, use the same name so the "
                     "group can compare views.", css="rr-rel-shared"),
        }
        self.cancel = button("Cancel", "rr-cancel-edit",  # shown while editing
                             layout=widgets.Layout(width="auto", display="none"))
        self.editing: str | None = None
        rows = [f["label"], _half(f["kind"], f["importance"]), _half(f["since"], f["last_contact"]),
                f["cadence_days"], f["shared_label"]]
        super().__init__(rows, f)
        self.children = [*self.children[:-2], classed(widgets.HBox(
            [self.submit, self.cancel]), "rr-row"), self.status]
        self.cancel.on_click(lambda _: self.reset())

    def edit(self, relationship) -> None:
        """Fill the form with a stored relationship to change it."""
        self.editing = relationship.id
        self.value = {"label": relationship.label, "kind": relationship.kind,
                      "importance": relationship.importance, "since": relationship.since,
                      "last_contact": relationship.last_contact,
                      "cadence_days": relationship.cadence_days,
                      "shared_label": relationship.shared_label or ""}
        self._ensure_cadence(relationship.cadence_days)
        self.submit.description, self.cancel.layout.display = "Save changes", None
        self.show_errors({})

    def _ensure_cadence(self, days: int) -> None:
        control = self.fields["cadence_days"].control
        if days not in [v for _, v in control.options]:
            control.options = sorted([*control.options, (f"Every {days} days", days)],
                                     key=lambda o: o[1])
            control.value = days

    def reset(self) -> None:
        self.editing = None
        self.value = {"label": "", "kind": "client", "importance": 3, "since": None,
                      "last_contact": None, "cadence_days": 30, "shared_label": ""}
        self.submit.description, self.cancel.layout.display = self.submit_label, "none"
        self.show_errors({})


class InventoryView(widgets.VBox):
    """The list of relationships, with the form to add or change one."""

    def __init__(self, workbook, on_next=None):
        self.workbook = workbook
        self.form = RelationshipForm()
        self.form.on_submit(self._save)
        self.list = widgets.VBox(layout=full(), **dom_classes("rr-rel-list"))
        self._rows: dict[str, tuple[object, widgets.HBox]] = {}  # id -> (as shown, its row)
        self.status = Status()
        self.next = button("Next: health check", "rr-next-health", "primary")
        self.next.on_click(lambda _: on_next and on_next())
        intro = heading("Take stock", "List the business relationships you want to look at: "
                        "clients, partners, vendors, referral sources, colleagues. Five to "
                        "ten is a good number.")
        super().__init__([card(intro, self.list, self.status, self.next),
                          card(heading("Add a relationship", level=3), self.form,
                               css="rr-rel-form-card")], layout=full())
        self.refresh()

    def _save(self, values: dict) -> None:
        saved = self.workbook.save_relationship(values, self.form.editing)
        changed = bool(self.form.editing)
        self.form.reset()
        self.form.status.ok(f"{'Saved changes to' if changed else 'Added'} "
                              f"“{bidi.isolated(saved.label)}”.")
        self.refresh()

    def refresh(self) -> None:
        """List the relationships. A row whose relationship did not change is kept as it is
        on the page; only new or changed ones are made (each row is 9 widget models to send),
        and rows no longer needed are closed."""
        found = self.workbook.relationships()
        rows, kept = [], {}
        for rel in found:
            shown = self._rows.get(rel.id)
            kept[rel.id] = shown if shown is not None and shown[0] == rel else (rel, self._row(rel))
            rows.append(kept[rel.id][1])
        self.list.children = rows or [self._empty]
        self.next.disabled = not found
        for rel_id, (_, row) in self._rows.items():
            if kept.get(rel_id, (None, None))[1] is not row:
                _close_tree(row)
        self._rows = kept

    @property
    def _empty(self) -> widgets.HTML:
        if getattr(self, "_empty_note", None) is None:
            self._empty_note = html('<p class="rr-hint">Nothing here yet: add your first '
                                    'relationship below.</p>')
        return self._empty_note

    def _row(self, rel) -> widgets.HBox:
        text = widgets.HTML(f'<b>{user_text(rel.label)}</b> '
                            f'<span class="rr-hint">{esc(rel.kind)} · importance '
                            f'{rel.importance} · every {rel.cadence_days} days</span>',
                            layout=widgets.Layout(flex="1 1 auto", width="auto"),
                            **dom_classes("rr-rel-name"))
        edit = button("Edit", "rr-rel-edit")
        remove = button("Remove", "rr-rel-remove", "danger")
        edit.on_click(lambda _: self.form.edit(rel))
        remove.on_click(lambda _: self._remove(rel, remove))
        actions = widgets.HBox([edit, remove], **dom_classes("rr-list-actions"))
        return widgets.HBox([text, actions], layout=full(), **dom_classes("rr-list-row"))

    def _remove(self, rel, remove: widgets.Button) -> None:
        if remove.description != "Really remove?":  # a second click confirms
            remove.description = "Really remove?"
            self.status.ok(f"Click “Really remove?” to delete “{bidi.isolated(rel.label)}” "
                           "and its ratings.")
            return
        if run_safely(self.status, lambda: self.workbook.remove_relationship(rel.id)):
            self.status.ok(f"Removed “{bidi.isolated(rel.label)}”.")
            if self.form.editing == rel.id:
                self.form.reset()
            self.refresh()


def _close_tree(widget: widgets.Widget) -> None:
    """Close a widget and everything under it (their models leave the page and the kernel)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()
