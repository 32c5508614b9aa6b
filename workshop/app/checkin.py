"""Check in later: log a contact, re-rate, and see each relationship's health over time with
the reset meeting marked and state changes named.
"""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets

from .. import bidi
from ..model import CHANNELS, new_id
from .components import (
    ChartSlot,
    Field,
    Form,
    Status,
    card,
    full,
    heading,
    html,
    named,
    run_safely,
    set_options,
)
from .health import RatingForm


class ContactForm(Form):
    """A meaningful contact: date, channel, note; it restarts the drift clock."""

    submit_label = "Log this contact"
    submit_css = "rr-log-contact"

    def __init__(self):
        fields = {
            "date": Field("date", "When", widgets.DatePicker(value=date.today(), layout=full()),
                          css="rr-contact-date"),
            "channel": Field("channel", "How", widgets.Dropdown(
                options=[(c.capitalize(), c) for c in CHANNELS], value="meeting", layout=full()),
                css="rr-contact-channel"),
            "note": Field("note", "Note (optional)", widgets.Textarea(rows=2, layout=full()),
                          css="rr-contact-note"),
        }
        super().__init__([heading("Log a contact", level=3), *fields.values()], fields)
        self.contact_id = new_id()

    def sent(self) -> None:
        self.contact_id = new_id()
        self.value = {"note": ""}


class CheckInView(widgets.VBox):
    """One relationship at a time: contact log, a fresh rating, its history."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.pick = named(widgets.Dropdown(layout=full()), "Relationship to check in on",
                          "rr-later-pick")
        self._quiet = False
        self.pick.observe(lambda _: None if self._quiet else run_safely(
            self.status, self.open_selected), "value")
        self.status = Status()
        self.contact = ContactForm()
        self.contact.on_submit(self._log)
        self.history = ChartSlot("rr-chart-history")
        self.rating_slot = widgets.VBox(layout=full())
        self.invite_slot = widgets.VBox(layout=full())  # issue 11: ask the other side again
        self.contacts = html("", "rr-contact-list")
        intro = heading("Check in later", "Come back with your resume code after the reset: "
                        "log when you were in touch, rate the relationship again, and see "
                        "whether it is recovering.")
        super().__init__([card(intro, self.pick, self.status),
                          card(self.history), card(self.contact, self.contacts),
                          card(self.rating_slot, css="rr-later-rating"),
                          self.invite_slot], layout=full())
        self._stale = True
        workbook.on_change(lambda what: setattr(self, "_stale", True))

    def shown(self) -> None:
        options = [(bidi.isolated(r.label[:60]), r.id) for r in self.workbook.relationships()]
        plans = self.workbook.plans()
        options.sort(key=lambda o: o[1] not in plans)  # planned resets first
        self._quiet = True
        try:
            set_options(self.pick, options)
        finally:
            self._quiet = False
        if not options:
            self.status.ok("Add and rate relationships first.")
        run_safely(self.status, self.open_selected)

    def open_selected(self) -> None:
        rid = self.pick.value
        if rid is None:
            return
        rel = self.workbook.relationship(rid)
        form = RatingForm(rel, list(self.workbook.session.settings.dimensions)
                          if self.workbook.session else None, self.workbook.latest_checkin(rid))
        form.submit.description = "Save new ratings"
        form.on_submit(lambda values: self._rate(form, values))
        self.rating_slot.children = [form]
        from .invite_panel import InvitePanel
        panel = InvitePanel(self.workbook, rid)
        self.invite_slot.children = [panel]
        panel.draw()
        self._draw(rid)

    def _draw(self, rid: str) -> None:
        from .. import charts
        frames = self.workbook.frames()
        past = frames.history()
        mine = past[past["relationship_id"] == rid] if not past.empty else past
        plans = frames.plans[frames.plans["relationship_id"] == rid]
        label = self.workbook.relationship(rid).label
        self.history.show(charts.health_over_time(mine, plans, title=f"Health over time: "
                                                                      f"{label}"))
        seen = self.workbook.contacts(rid)
        self.contacts.value = ("<p class='rr-hint'>Contacts logged: " + ", ".join(
            f"{c.date:%d %b %Y} ({c.channel})" for c in seen[-5:]) + "</p>") if seen else ""

    def _log(self, values: dict) -> None:
        rid = self.pick.value
        self.workbook.log_contact(rid, self.contact.contact_id, values)
        self.contact.sent()
        self.contact.status.ok("Contact logged; the drift clock restarts from that date.")
        self._draw(rid)

    def _rate(self, form: RatingForm, values: dict) -> None:
        missing = form.missing()
        if missing:
            from ..errors import InvalidInput
            raise InvalidInput(missing)
        self.workbook.rate(form.relationship.id, form.checkin_id, **values)
        form.status.ok("Saved. The chart above now includes this check-in.")
        self._draw(form.relationship.id)
