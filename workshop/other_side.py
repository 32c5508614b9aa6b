"""Asking the other side from a notebook: one relationship's invitations, the other party's
answers, and the comparison, with the same rules and words as the apps.

>>> me = workshop.workspace(demo=True)                          # doctest: +SKIP
>>> other = me.other_side("Harbor & Pine Bakery")
>>> link = other.invite(them="Ana")
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd

from . import comparison
from .invitation import DEFAULT_DAYS, Invitation, email_text
from .invites import Invites
from .model import Relationship


def token_of(link: str) -> str:
    """The token in an invitation link (or the token itself)."""
    from .app.invite_page import token_from_query
    return token_from_query(urlsplit(link).query) or link.strip()


class OtherSide:
    """The other party of one relationship, as a notebook reaches them."""

    def __init__(self, store, participant, relationship: Relationship):
        self.store, self.participant, self.relationship = store, participant, relationship
        self.invites = Invites(store)

    def __repr__(self) -> str:
        return (f"<OtherSide of {self.relationship.label!r}: "
                f"{len(self.invites.find(self.relationship.id))} invitation(s)>")

    def invite(self, them: str | None = None, days: int = DEFAULT_DAYS,
               inviter: str | None = None) -> str:
        """Make an invitation; returns its link (shown once: the store keeps only a hash)."""
        from .app.invite_panel import invite_url
        _, token = self.invites.add(self.relationship.id,
                                    inviter or self.participant.display_name or "me",
                                    them or self.relationship.label[:60], days)
        return invite_url(token)

    def email(self, link: str, tone: str = "warm") -> str:
        """The text to paste into an email with ``link``, in a tone of the guide."""
        subject, body = email_text(self.invites.open(token_of(link)), link, tone)
        return f"{subject}\n\n{body}"

    def answer(self, link: str, ratings: dict[str, int], need_mine: str = "",
               need_theirs: str = "", submit: bool = True) -> Invitation:
        """Answer as the other party would on their page (to try the whole loop yourself)."""
        verb = self.invites.submit if submit else self.invites.save_answers
        return verb(token_of(link), ratings, need_mine, need_theirs)

    def invitations(self) -> pd.DataFrame:
        """Every invitation of this relationship: when made, until when, and where it stands."""
        found = self.invites.find(self.relationship.id)
        return pd.DataFrame({"id": [i.id for i in found],
                             "made": [i.created_at.date() for i in found],
                             "until": [i.expires_at.date() for i in found],
                             "status": [i.status() for i in found]})

    def withdraw(self, invitation_id: str) -> Invitation:
        """The link stops working (the answers given so far are kept)."""
        return self.invites.revoke(invitation_id)

    def delete(self, invitation_id: str) -> None:
        """Delete an invitation with every answer given through it."""
        self.invites.remove(invitation_id)

    def sides(self) -> pd.DataFrame:
        """Both sides' ratings over time, tidy (see :func:`workshop.compare_sides`)."""
        return comparison.compare_sides(self.store, self.relationship.id)

    def latest(self) -> comparison.Comparison:
        found = comparison.load(self.store, self.relationship.id)
        if not found:
            from .errors import NotFound
            raise NotFound("Nothing to compare yet: the other party has not submitted, or "
                           "you have not rated this relationship.")
        return found[-1]

    def side_by_side(self) -> pd.DataFrame:
        """The latest answers next to your ratings: ``dimension, name, mine, theirs, gap``."""
        return self.latest().frame

    def chart(self):
        """The comparison chart of the latest answers."""
        from .comparison_chart import comparison as chart
        latest = self.latest()
        return chart(latest.frame, them=latest.invitation.them)

    def differently(self) -> dict[str, list[str]]:
        """The plan lines drafted from where you see it differently."""
        return comparison.differently(self.latest())

    def panel(self):
        """The participant app's "Ask the other side" card for this relationship."""
        from .app.invite_panel import InvitePanel
        from .app.workbook import Workbook
        panel = InvitePanel(Workbook(self.store, self.participant), self.relationship.id)
        panel.draw()
        return panel

    def page(self, link: str):
        """The page the other party sees for ``link``."""
        from .app.invite_page import InvitePage
        return InvitePage(token_of(link), store_factory=lambda: self.store)
