"""The console's "Share the team dashboard" card: make a link, see the live ones, revoke one.

The link opens the live team dashboard with a share token (``?share=TOKEN``), never with the
join code that every participant has. The token is shown once, when it is made; the store
keeps only its hash (:meth:`workshop.store.Store.add_share`).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import joinpanel
from ..errors import WorkshopError
from ..model import Session
from .components import FULL, Status, button, classed, esc, heading, html

DASHBOARD = "dashboard.ipynb"


def dashboard_url(token: str) -> str:
    """The live dashboard's address for ``token``, next to the participant page."""
    folder = joinpanel.participant_page().rsplit("/", 1)[0]
    return f"{folder}/{DASHBOARD}?share={token}"


class SharePanel(widgets.VBox):
    """Make and revoke the links a sponsor opens the team dashboard with."""

    def __init__(self, store, session: Session):
        self.store, self.session = store, session
        self.make = button("Make a dashboard link", "rr-share-make", "primary")
        self.make.on_click(lambda _: self.make_link())
        self.link = html("", "rr-share-link")
        self.status = Status("rr-share-status")
        self.live = widgets.VBox(layout=FULL)
        classed(self.live, "rr-share-list")
        super().__init__([
            heading("Share the team dashboard", "A link for a sponsor or team lead: the "
                    "anonymised team dashboard, without the join code. Revoke it when it "
                    "should stop working."),
            self.make, self.link, self.status, self.live], layout=FULL)
        classed(self, "rr-card", "rr-share-panel")
        self.draw_list()

    def make_link(self) -> str:
        """Make a new link; show it once; return its address."""
        _, token = self.store.add_share(self.session.id)
        url = dashboard_url(token)
        self.link.value = (f'<p>Copy this link now; it is shown only once:<br>'
                           f'<a href="{esc(url)}" target="_blank" rel="noopener">'
                           f'{esc(url)}</a></p>')
        self.status.ok("Dashboard link made.")
        self.draw_list()
        return url

    def revoke(self, share_id: str) -> None:
        try:
            self.store.revoke_share(share_id)
        except WorkshopError as exc:
            self.status.error(str(exc))
            return
        self.link.value = ""
        self.status.ok("Link revoked: it no longer opens the dashboard.")
        self.draw_list()

    def draw_list(self) -> None:
        rows = []
        for share in self.store.find_shares(self.session.id):
            made = f"{share.created_at:%d %b %Y %H:%M}"
            if share.revoked_at is not None:
                rows.append(html(f"Link made {made}: revoked.", "rr-share-revoked"))
                continue
            stop = button("Revoke", "rr-share-revoke", "warning",
                          tooltip=f"Stop the link made {made} from working")
            stop.on_click(lambda _, sid=share.id: self.revoke(sid))
            rows.append(widgets.HBox([html(f"Link made {made}: live."), stop]))
        self.live.children = rows
