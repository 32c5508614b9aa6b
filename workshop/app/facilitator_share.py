"""The console's cards for what leaves the facilitator's own screen: the team dashboard's
share links, and the projector's presenter view (its links, and which group chart it shows).

A dashboard link opens the live team dashboard with a share token (``?share=TOKEN``), never
with the join code that every participant has; a presenter link opens the presenter view
(``presenter.ipynb?code=CODE&share=TOKEN``), never with the facilitator key. A token is shown
once, when it is made; the store keeps only its hash (:meth:`workshop.store.Store.add_share`).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import joinpanel, projector
from ..errors import WorkshopError
from ..model import Session
from .components import (
    FULL,
    Status,
    button,
    classed,
    download_link,
    esc,
    heading,
    html,
    named,
    run_safely,
)
from .presenter import presenter_url

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
        for share in self.store.find_shares(self.session.id, kind="dashboard"):
            made = f"{share.created_at:%d %b %Y %H:%M}"
            if share.revoked_at is not None:
                rows.append(html(f"Link made {made}: revoked.", "rr-share-revoked"))
                continue
            stop = button("Revoke", "rr-share-revoke", "warning",
                          tooltip=f"Stop the link made {made} from working")
            stop.on_click(lambda _, sid=share.id: self.revoke(sid))
            rows.append(widgets.HBox([html(f"Link made {made}: live."), stop]))
        self.live.children = rows


ROW = widgets.Layout(width="100%", align_items="center", flex_flow="row wrap")


class PresenterPanel(widgets.VBox):
    """The projector from the console: make a presenter link, open the presenter view, and
    step through the revealed group charts it shows one at a time.

    The console's "Reveal results" toggle (handed in with :meth:`follow`) also reveals them
    on the projector: both are the session's stored ``settings.projector``.
    """

    def __init__(self, store, session: Session):
        self.store, self.session = store, session
        self.make = button("Make presenter link", "rr-presenter-make", "primary")
        self.make.on_click(lambda _: self.make_link())
        self.revoke = button("Revoke presenter links", "rr-presenter-revoke", "danger",
                             tooltip="Stop every presenter link of this session from working")
        self.revoke.on_click(lambda _: self.revoke_all())
        self.link = html("", "rr-presenter-link")
        self.chart = named(widgets.Dropdown(options=[(t, k) for k, t in projector.CHARTS],
                                            value=session.settings.projector.chart,
                                            layout=widgets.Layout(width="auto")),
                           "Chart on the projector", "rr-presenter-chart-choice")
        self.previous = button("Previous chart", "rr-presenter-prev-chart")
        self.next = button("Next chart", "rr-presenter-next-chart")
        self.previous.on_click(lambda _: self.step(-1))
        self.next.on_click(lambda _: self.step(+1))
        self.chart.observe(lambda change: self.choose(change["new"]), "value")
        self.shows = html("", "rr-presenter-shows")
        self.status = Status("rr-presenter-status")
        super().__init__([
            heading("Presenter view", "The room's projector: join slide, the phase and its "
                    "countdown, then the revealed group charts one at a time. It never shows "
                    "the key, exports or these controls. Open it on the projector laptop with "
                    "a presenter link; revoke the link when the workshop is over."),
            widgets.HBox([self.make, self.revoke], layout=ROW), self.link,
            widgets.HBox([self.previous, self.chart, self.next], layout=ROW), self.shows,
            self.status], layout=FULL)
        classed(self, "rr-card", "rr-presenter-panel")
        self.toggle = None
        self._describe()

    def make_link(self) -> str:
        """A new presenter link, shown with an "Open presenter view" link; returns it."""
        _, token = self.store.add_share(self.session.id, kind="presenter")
        url = presenter_url(self.session.code, token)
        self.link.value = (
            f'<p><a class="rr-open-presenter" href="{esc(url)}" target="_blank" '
            f'rel="noopener">Open presenter view</a></p><p class="rr-hint">Or open this link '
            f'on the projector laptop (copy it now: it is shown only once):<br>'
            f'<code class="rr-presenter-url">{esc(url)}</code></p>')
        self.status.ok("Presenter link made. Revoke it below when the workshop is over.")
        return url

    def follow(self, group) -> None:
        """Tie the console's reveal toggle (``group``, a ``GroupPanel``) to the projector,
        starting from what is stored. Call it before anything else listens to the toggle:
        the choice is stored before the console redraws its own charts."""
        self.toggle = group.reveal
        if group.reveal.value != self.session.settings.projector.revealed:
            group.reveal.value = self.session.settings.projector.revealed
        group.on_reveal(lambda revealed: self.store_choice(revealed=revealed))

    def step(self, offset: int) -> None:
        self.chart.value = projector.stepped(self.session.settings.projector, offset).chart

    def choose(self, chart: str) -> None:
        self.store_choice(chart=chart)

    def store_choice(self, **changes) -> None:
        def save() -> None:
            self.session = projector.set_projector(self.store, self.session.id, **changes)
        if run_safely(self.status, save):
            self._describe()

    def _describe(self) -> None:
        shown = self.session.settings.projector
        index = projector.CHART_KEYS.index(shown.chart)
        self.previous.disabled = index == 0
        self.next.disabled = index == len(projector.CHART_KEYS) - 1
        self.shows.value = (
            f"The projector shows <strong>{esc(projector.TITLES[shown.chart])}</strong> "
            f"(chart {index + 1} of {len(projector.CHARTS)})." if shown.revealed else
            "Results are hidden on the projector: it shows the join slide or the current "
            "phase. Press “Reveal results” to show the chart chosen here.")

    def revoke_all(self) -> int:
        """Revoke every live presenter link of the session; returns how many."""
        live = [s for s in self.store.find_shares(self.session.id, kind="presenter")
                if s.revoked_at is None]
        for share in live:
            self.store.revoke_share(share.id)
        self.link.value = ""
        self.status.ok(f"{len(live)} presenter link(s) revoked: they no longer open the "
                       "presenter view.")
        return len(live)


class PrintPanel(widgets.VBox):
    """Printable materials for this session: the cards and the agenda handout, as print-ready
    HTML pages to download (:mod:`workshop.printkit`)."""

    def __init__(self, session: Session):
        self.session = session
        self.paper = named(widgets.Dropdown(options=[("A4", "a4"), ("US Letter", "letter")],
                                            value="a4", layout=widgets.Layout(width="auto")),
                           "Paper", "rr-print-paper")
        self.cut_marks = classed(widgets.Checkbox(value=False, description="Cut marks",
                                                  indent=False), "rr-print-cut-marks")
        self.cards = button("Cards (dimensions and states)", "rr-print-cards")
        self.handout = button("Agenda handout with FAQ", "rr-print-handout")
        self.cards.on_click(lambda _: self.prepare("cards"))
        self.handout.on_click(lambda _: self.prepare("handout"))
        self.links = html("", "rr-print-links")
        self.status = Status("rr-print-status")
        super().__init__([
            heading("Printable materials", "Cut-out cards for this session's dimensions and "
                    "the states, and an agenda handout with its timeboxes and the FAQ. Open "
                    "the downloaded page in a browser and print it at 100 % (or save it as "
                    "PDF)."),
            widgets.HBox([self.paper, self.cut_marks], layout=ROW),
            widgets.HBox([self.cards, self.handout], layout=ROW), self.status, self.links],
            layout=FULL)
        classed(self, "rr-card", "rr-print-panel")

    def prepare(self, part: str) -> str:
        """Make ``part`` (``cards`` or ``handout``) and offer it as a download; its name."""
        from .. import printkit
        paper = self.paper.value
        page = (printkit.cards_html(self.session, paper, self.cut_marks.value)
                if part == "cards" else printkit.handout_html(self.session, paper))
        name = printkit.filename(self.session, part, paper)
        self.links.value = download_link(name, "text/html", page, f"Download {name}",
                                         css=f"rr-print-download-{part}")
        self.status.ok(f"{name} is ready.")
        return name
