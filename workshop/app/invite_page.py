"""The other party's page (``invite.ipynb?token=...``): who is asking and why, what will and
will not be shared, the same dimensions with the questions turned around, 1-5, two optional
"needs", saved as they go, amendable until submitted; then the comparison, once both sides
have answered. Phone first: one column, big targets.

The page shows nothing of the participant's data but this relationship's comparison: no other
relationship, no notes, no plan beyond the two "needs". Every answer is checked in the kernel
(:class:`workshop.invites.Invites`), and every name is escaped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs

import ipywidgets as widgets

from ..errors import InvalidInput
from ..invitation import Invitation, fill, words
from .components import (
    Field,
    Status,
    button,
    card,
    classed,
    esc,
    full,
    html,
    run_safely,
)
from .health import rating_control

NO_TOKEN = ("This page opens with the invitation link you were sent. Please open the whole "
            "link from the message.")
MISSING = "please choose 1 to 5"


def token_from_query(query: str) -> str:
    """The ``token`` in a page address's query string ('' if none)."""
    values = parse_qs(query or "").get("token")
    return values[0].strip() if values else ""


def _bullets(items: list[str], inviter: str) -> str:
    return "".join(f"<li>{esc(fill(item, inviter=inviter))}</li>" for item in items)


def welcome(invitation: Invitation) -> str:
    """The welcome's markup: who asks and why, what is shared and what is not."""
    said, who = words().welcome, invitation.inviter
    return (f"<h2>{esc(fill(said.title, inviter=who))}</h2>"
            f"<p>{esc(fill(said.why, inviter=who))}</p>"
            f"<h3>What {esc(who)} will see</h3><ul>{_bullets(said.shared, who)}</ul>"
            f"<h3>What stays private</h3><ul>{_bullets(said.not_shared, who)}</ul>")


def _rating_field(key: str, inviter: str) -> Field:
    from ..content import content
    asked = words().question(key)
    control = rating_control()
    examples = (f'<div class="rr-hint rr-examples"><b>Healthy:</b> '
                f'{esc(fill(asked.healthy, inviter=inviter))}<br><b>Drifting:</b> '
                f'{esc(fill(asked.drifting, inviter=inviter))}</div>')
    return Field(key, content().dimension_for(key).name, control,
                 hint=fill(asked.question, inviter=inviter), detail_html=examples,
                 css=f"rr-invite-rating-{key.replace('_', '-')}", classes=("rr-dimension",))


class AnswerForm(widgets.VBox):
    """The other party's answers; every change is reported through ``on_change``."""

    def __init__(self, invitation: Invitation):
        who = invitation.inviter
        self.dimension_keys = list(invitation.dimensions)
        self.fields = {k: _rating_field(k, who) for k in self.dimension_keys}
        needs = words().needs
        for name, label in (("need_mine", needs.mine), ("need_theirs", needs.theirs)):
            self.fields[name] = Field(name, fill(label, inviter=who), widgets.Textarea(
                rows=3, layout=full()), css=f"rr-invite-{name.replace('_', '-')}")
        self.status = Status("rr-invite-saved")
        self.submit = button("Submit my answers", "rr-invite-submit", "primary")
        self._handlers: list[Callable[[], None]] = []
        scale = html("<p class='rr-hint'>1 means drifting badly, 5 means healthy.</p>")
        super().__init__([scale, *self.fields.values(), self.submit, self.status],
                         layout=full())
        self.add_class("rr-invite-form")
        self.value = {**invitation.ratings, "need_mine": invitation.need_mine,
                      "need_theirs": invitation.need_theirs}
        for field in self.fields.values():
            field.control.observe(lambda _: self._changed(), "value")

    @property
    def value(self) -> dict:
        f = self.fields
        return {"ratings": {k: f[k].value for k in self.dimension_keys},
                "need_mine": f["need_mine"].value, "need_theirs": f["need_theirs"].value}

    @value.setter
    def value(self, values: dict) -> None:
        for name, new in values.items():
            if name in self.fields:
                self.fields[name].value = new

    def on_change(self, callback: Callable[[], None]) -> None:
        self._handlers.append(callback)

    def _changed(self) -> None:
        for handler in self._handlers:
            handler()

    def missing(self) -> dict[str, str]:
        return {k: MISSING for k in self.dimension_keys if self.fields[k].value is None}

    def show_errors(self, errors: dict[str, str]) -> None:
        placed = {k.removeprefix("ratings."): why for k, why in errors.items()}
        for name, field in self.fields.items():
            field.show_error(placed.pop(name, None))
        if placed:
            self.status.error("; ".join(placed.values()))
        elif errors:
            self.status.error("Not submitted yet: please answer the highlighted question(s).")


class InvitePage(widgets.VBox):
    """The whole page the other party opens; ``InvitePage.from_environment()`` in a notebook."""

    def __init__(self, token: str = "", store_factory: Callable | None = None):
        self.token, self._store_factory, self.store = token, store_factory, None
        self.invitation: Invitation | None = None
        self.form: AnswerForm | None = None
        self.status = Status("rr-invite-status")
        self.body = widgets.VBox(layout=full())
        super().__init__([self.status, self.body], layout=full())
        classed(self, "rr-app", "rr-invite-page")
        run_safely(self.status, self.open_link)

    @classmethod
    def from_environment(cls) -> InvitePage:
        return cls(token_from_query(os.environ.get("QUERY_STRING", "")))

    def _invites(self):
        from ..invites import Invites
        if self.store is None:
            if self._store_factory is not None:
                self.store = self._store_factory()
            else:
                from .workbook import open_store
                self.store = open_store()
        return Invites(self.store)

    def open_link(self) -> None:
        """Open the invitation, or say plainly why the link does not open anything."""
        from ..errors import AccessDenied
        if not self.token:
            return self._refuse(NO_TOKEN)
        try:
            self.invitation = self._invites().open(self.token)
        except AccessDenied as exc:
            return self._refuse(str(exc))
        if self.invitation.submitted_at is not None:
            self._thanks()
        else:
            self._ask()

    def _refuse(self, why: str) -> None:
        self.body.children = [card(html(f"<h2>This link does not open anything</h2>"
                                        f"<p role='alert'>{esc(why)}</p>",
                                        "rr-invite-refused"))]

    def _ask(self) -> None:
        self.form = AnswerForm(self.invitation)
        self.form.on_change(lambda: run_safely(self.form, self.save))
        self.form.submit.on_click(lambda _: run_safely(self.form, self.submit))
        self.body.children = [card(html(welcome(self.invitation), "rr-invite-welcome")),
                              card(self.form, css="rr-invite-answers")]

    def save(self) -> None:
        """Keep the answers so far (called on every change)."""
        values = self.form.value
        self.form.show_errors({})
        self.invitation = self._invites().save_answers(self.token, **values)
        done, total = len(self.invitation.ratings), len(self.invitation.dimensions)
        self.form.status.ok(f"Saved at {datetime.now():%H:%M:%S}: {done} of {total} questions "
                            "answered. You can change your answers until you submit them.")

    def submit(self) -> None:
        missing = self.form.missing()
        if missing:
            raise InvalidInput(missing)
        self.invitation = self._invites().submit(self.token, **self.form.value)
        self._thanks()

    def _thanks(self) -> None:
        from .. import comparison
        who = self.invitation.inviter
        found = [c for c in comparison.load(self.store, self.invitation.relationship_id)
                 if c.invitation.id == self.invitation.id]
        thanks = html(f"<h2>Thank you: your answers are with {esc(who)}</h2>",
                      "rr-invite-thanks")
        if not found:
            wait = html(f"<p>{esc(who)} has not rated the relationship yet. Open this link "
                        "again later to see your two views side by side.</p>",
                        "rr-invite-waiting")
            self.body.children = [card(thanks, wait)]
            return
        from .comparison_view import ComparisonView
        view = ComparisonView(found[-1], "other")
        self.body.children = [card(thanks), card(view)]
        view.draw()


def invite_page() -> InvitePage:
    """What ``notebooks/invite.ipynb`` displays."""
    return InvitePage.from_environment()
