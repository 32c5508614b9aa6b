""""Ask the other side", in "Plan the reset" and "Check in later": make an invitation link for
the other party of one relationship, copy it or the ready-to-paste email, put it in the
outreach message, see the invitations and their state, revoke or delete one (with its
answers), and, once the other party has answered, the comparison and the plan lines drafted
from where you see it differently.

Only the person's own relationships: every verb first asks the workbook for the relationship.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from .. import joinpanel
from ..invitation import DEFAULT_DAYS, email_text
from .components import (
    Field,
    Status,
    button,
    card,
    classed,
    copy_button,
    esc,
    full,
    heading,
    html,
    run_safely,
    user_text,
)

INVITE_PAGE = "invite.ipynb"
DAYS = [("7 days", 7), ("14 days", DEFAULT_DAYS), ("30 days", 30)]
STATUS_WORDS = {"waiting": "not opened or not answered yet", "in progress": "answering",
                "submitted": "answered", "expired": "expired", "revoked": "withdrawn"}


def invite_url(token: str) -> str:
    """The invitation page's address for ``token``, next to the participant page."""
    folder = joinpanel.participant_page().rsplit("/", 1)[0]
    return f"{folder}/{INVITE_PAGE}?token={token}"


def _day(moment) -> str:
    return f"{moment.astimezone():%d %b %Y}"


class InvitePanel(widgets.VBox):
    """One relationship's invitations. ``tone`` returns the plan's tone (for the email);
    ``to_message(text)`` and ``to_plan(lines)`` are offered when a plan form is open."""

    def __init__(self, workbook, relationship_id: str, *, tone: Callable[[], str] | None = None,
                 to_message: Callable[[str], None] | None = None,
                 to_plan: Callable[[dict[str, list[str]]], None] | None = None):
        self.workbook, self.relationship_id = workbook, relationship_id
        self._tone, self._to_message, self._to_plan = tone, to_message, to_plan
        rel = workbook.relationship(relationship_id)
        from ..invites import Invites
        before = Invites(workbook.store).find(relationship_id)  # asking again: same names
        self.inviter = Field("inviter", "Your name, as they know you", widgets.Text(
            value=before[-1].inviter if before else workbook.display_name, layout=full()),
            css="rr-invite-inviter")
        self.them = Field("them", "How to address them", widgets.Text(
            value=before[-1].them if before else rel.label[:60], layout=full()),
            css="rr-invite-them")
        self.days = Field("days", "The link works for", widgets.Dropdown(
            options=DAYS, value=DEFAULT_DAYS, layout=full()), css="rr-invite-days")
        self.make = button("Create an invitation link", "rr-invite-make", "primary")
        self.make.on_click(lambda _: run_safely(self, self.create))
        self.status = Status("rr-invite-panel-status")
        self.made = classed(widgets.VBox(layout=full()), "rr-invite-made")
        self.list = classed(widgets.VBox(layout=full()), "rr-invite-list")
        self.check = button("Check for answers", "rr-invite-refresh",
                            layout=widgets.Layout(width="auto"))  # shown when there are invitations
        self.check.on_click(lambda _: run_safely(self.status, self.refresh))
        self.compared = classed(widgets.VBox(layout=full()), "rr-invite-comparison")
        intro = heading("Ask the other side", "Invite the other party to rate this "
                        "relationship from their side, with no account. Once they submit, "
                        "you both see the two views side by side with the biggest gaps "
                        "named, and what each of you wrote about needs. They see your latest "
                        "ratings of this relationship and the needs in your plan, nothing "
                        "else.", level=3)
        super().__init__([card(intro, self.inviter, self.them, self.days, self.make,
                               self.status, self.made, self.list, self.check,
                               css="rr-invite-panel"), self.compared], layout=full())
        self._confirm: str | None = None
        self._view, self._placed = None, False
        run_safely(self.status, self.refresh)

    def draw(self) -> None:
        """Draw the comparison's chart: call it once the panel is on the page (a chart drawn
        before its place exists gets Plotly's default width, too wide for a phone); charts
        that come later, with "Check for answers", are drawn as they come."""
        self._placed = True
        if self._view is not None:
            self._view.draw()

    def _invites(self):
        from ..invites import Invites
        self.workbook.relationship(self.relationship_id)  # only one's own, and still there
        return Invites(self.workbook.store)

    def show_errors(self, errors: dict[str, str]) -> None:
        for field in (self.inviter, self.them, self.days):
            field.show_error(errors.get(field.name))
        rest = {k: w for k, w in errors.items() if k not in ("inviter", "them", "days")}
        if rest:
            self.status.error("; ".join(rest.values()))

    # -- making one -------------------------------------------------------------------------

    def create(self) -> None:
        self.show_errors({})
        invitation, token = self._invites().add(self.relationship_id, self.inviter.value,
                                                self.them.value, self.days.value)
        link = invite_url(token)
        subject, body = email_text(invitation, link, self._tone() if self._tone else "warm")
        email = f"{subject}\n\n{body}"
        parts = [html(_made(link, email, invitation.expires_at))]
        if self._to_message:
            add = button("Put the link in my outreach message", "rr-invite-to-message")
            add.on_click(lambda _: run_safely(self.status, lambda: self._message(link)))
            parts.append(add)
        self.made.children = parts
        self.status.ok(f"Invitation made for {invitation.them}.")
        self.refresh()

    def _message(self, link: str) -> None:
        self._to_message(f"I would also value your view before we talk: this short page "
                         f"asks how our working relationship looks from your side.\n{link}")
        self.status.ok("The link is now at the end of your outreach message.")

    # -- the list ---------------------------------------------------------------------------

    def refresh(self) -> None:
        invitations = self._invites().find(self.relationship_id)
        self.list.children = [self._row(i) for i in reversed(invitations)]
        self.check.layout.display = None if invitations else "none"
        self._show_comparison()

    def _row(self, invitation) -> widgets.Widget:
        state = invitation.status()
        text = html(f"<b>{user_text(invitation.them)}</b>: {esc(STATUS_WORDS[state])}"
                    f"<br><span class='rr-hint'>made {_day(invitation.created_at)} · "
                    f"{'worked' if state in ('expired', 'revoked') else 'works'} until "
                    f"{_day(invitation.expires_at)}</span>", "rr-invite-row-text")
        text.layout = widgets.Layout(flex="1 1 auto", width="auto")
        actions = []
        if invitation.usable():
            revoke = button("Withdraw", "rr-invite-revoke",
                            tooltip="The link stops working; answers given so far are kept.")
            revoke.on_click(lambda _: run_safely(self.status, lambda: self.revoke(invitation)))
            actions.append(revoke)
        confirming = self._confirm == invitation.id
        drop = button("Confirm: delete with answers" if confirming else "Delete",
                      "rr-invite-delete", "danger" if confirming else "",
                      tooltip="Delete this invitation and every answer given through it.")
        drop.on_click(lambda _: run_safely(self.status, lambda: self.delete(invitation)))
        actions.append(drop)
        row = widgets.HBox([text, *actions], layout=full(flex_flow="row wrap"))
        return classed(row, "rr-list-row", "rr-invite-row", f"rr-invite-{state.replace(' ', '-')}")

    def revoke(self, invitation) -> None:
        self._invites().revoke(invitation.id)
        self.status.ok(f"The link for {invitation.them} no longer opens anything.")
        self.refresh()

    def delete(self, invitation) -> None:
        if self._confirm != invitation.id:  # a first press asks for a second
            self._confirm = invitation.id
            self.refresh()
            self.status.ok("Press “Confirm: delete with answers” to delete it for good.")
            return
        self._confirm = None
        self._invites().remove(invitation.id)
        self.status.ok(f"The invitation for {invitation.them} and its answers are deleted.")
        self.refresh()

    # -- the comparison ---------------------------------------------------------------------

    def _show_comparison(self) -> None:
        from .. import comparison
        found = comparison.load(self.workbook.store, self.relationship_id)
        if not found:
            self.compared.children, self._view = [], None
            return
        from .comparison_view import ComparisonView
        latest = found[-1]
        view = ComparisonView(latest, "participant")
        parts = [view, self._differently(latest)]
        if len(found) > 1:
            parts.append(html(_history(found), "rr-invite-history"))
        self.compared.children = [card(*parts, css="rr-compare-card")]
        self._view = view
        if self._placed:
            view.draw()

    def _differently(self, latest) -> widgets.Widget:
        from ..comparison import differently
        lines = differently(latest)
        blocks = "".join(
            f"<h4>{title}</h4><ul>{''.join(f'<li>{user_text(t)}</li>' for t in lines[key])}"
            f"</ul>" for key, title in (("changed", "Acknowledge what changed"),
                                        ("needs", "What is needed now")) if lines[key])
        text = html("<h3>For your reset plan: where we see it differently</h3>"
                    + (blocks or "<p class='rr-hint'>Your views are close, and they wrote "
                       "nothing about needs.</p>"), "rr-differently")
        if not self._to_plan or not blocks:
            return text
        add = button("Add these to my plan", "rr-invite-to-plan")
        add.on_click(lambda _: run_safely(self.status, lambda: self._plan(lines)))
        return widgets.VBox([text, add], layout=full())

    def _plan(self, lines: dict[str, list[str]]) -> None:
        self._to_plan(lines)
        self.status.ok("Added to “Acknowledge what changed” and “What is needed now” in "
                       "your plan.")


LOOPBACK = ("This link names this computer itself, so the other party cannot open it from "
            "theirs. Ask whoever runs the kit to serve it at an address they can reach "
            "(reset-workshop serve --public-url ...), then make a new invitation.")


def _made(link: str, email: str, expires) -> str:
    """The new link and its email text, each with a copy button."""
    warning = (f"<p class='rr-invite-loopback' role='note'><b>Note:</b> {esc(LOOPBACK)}</p>"
               if joinpanel.is_loopback(link) else "")
    email_style = ("white-space:pre-wrap;overflow-wrap:anywhere;border-left:3px solid #2a7f78;"
                   "padding:4px 12px;margin:4px 0 8px")
    return (f"<p><b>The link</b> (shown once: copy it now; it works until {_day(expires)})</p>"
            f"<p class='rr-invite-link' style='overflow-wrap:anywhere'><code>{esc(link)}</code>"
            f"</p>{copy_button(link, label='Copy link', css='rr-copy-invite-link')}"
            f"<p><b>Ready to paste into an email</b></p><div class='rr-invite-email' "
            f"style='{email_style}'>{esc(email)}</div>"
            f"{copy_button(email, label='Copy email', css='rr-copy-email')}{warning}")


def _history(found) -> str:
    rows = "".join(
        f"<tr><td>{_day(c.answered_at)}</td><td>{sum(c.mine.values()) / len(c.mine):.1f}</td>"
        f"<td>{sum(c.invitation.ratings.values()) / len(c.invitation.ratings):.1f}</td></tr>"
        for c in found)
    return ("<h4>Both sides over time</h4><table class='rr-compare-table' "
            "style='text-align:left'><caption style='text-align:left'>Average "
            "rating, 1 to 5, at each answered invitation</caption><thead><tr>"
            "<th scope='col'>Answered</th><th scope='col'>You</th><th scope='col'>Them</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


# -- what a plan form gains (called by the plan view) ---------------------------------------

def _append(field, lines: list[str]) -> None:
    added = "\n".join(line for line in lines if line not in field.value)
    if added:
        field.value = f"{field.value.rstrip()}\n{added}".strip()


def for_plan_form(workbook, form) -> InvitePanel:
    """The panel under a plan form: its email in the plan's tone, the link into the outreach
    message, the drafted lines into "Acknowledge what changed" and "What is needed now"."""
    fields = form.fields

    def to_plan(lines: dict[str, list[str]]) -> None:
        _append(fields["changed"], lines["changed"])
        _append(fields["need_theirs"], lines["needs"])

    return InvitePanel(workbook, form.relationship.id, tone=lambda: fields["tone"].value,
                       to_message=lambda text: _append(fields["message"], ["\n" + text]),
                       to_plan=to_plan)
