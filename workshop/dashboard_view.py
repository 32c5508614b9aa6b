"""The team dashboard as a Voilà page: open a session with a share link made in the console
(``?share=TOKEN``; never the join code, which every participant has), filter by relationship
kind and whole months of check-ins, and read the anonymised charts of
:mod:`workshop.dashboard`.

The widget decides nothing itself: filters go to :func:`workshop.dashboard.narrow`, figures
come from :func:`workshop.dashboard.team_charts`.
"""

from __future__ import annotations

import html
import os
from datetime import date
from urllib.parse import parse_qs

import ipywidgets as widgets

from .app.chart_slot import ChartSlot
from .dashboard import TeamData, months, narrow, session_team_data, team_charts
from .errors import AccessDenied
from .model import Session
from .store import Store

ALL_KINDS = "All kinds"
CHARTS = ("portfolio", "then_and_now", "resets", "shared")


def query_share() -> str | None:
    """The ``share`` token in the page's address (Voilà passes it as ``QUERY_STRING``)."""
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get("share")
    return values[0] if values else None


def token_of(text: str) -> str:
    """The token in a pasted share link (``...?share=TOKEN``) or the token itself."""
    text = (text or "").strip()
    values = parse_qs(text.split("?", 1)[1]).get("share") if "?" in text else None
    return values[0] if values else text


class TeamDashboard(widgets.VBox):
    """The sponsor's view of one session: ``TeamDashboard(store, share=TOKEN)`` in a cell.

    Without a ``share`` it takes one from the page address (``?share=TOKEN``) or asks for
    it. In JupyterLab, someone with the store itself may pass ``session=`` instead.
    """

    def __init__(self, store: Store, share: str | None = None, today: date | None = None, *,
                 session: Session | None = None):
        self.store, self.today = store, today
        self.data: TeamData | None = None
        self.code = widgets.Text(placeholder="paste the dashboard link", description="Link",
                                 value=share or query_share() or "", continuous_update=False)
        self.open_button = widgets.Button(description="Open", button_style="primary")
        self.message = widgets.HTML()
        self.header = widgets.HTML()
        self.kind = widgets.Dropdown(description="Kind", options=[ALL_KINDS])
        self.dates = widgets.SelectionRangeSlider(options=[""], description="Check-ins",
                                                  readout=False,
                                                  layout=widgets.Layout(width="24em"))
        self.period = widgets.HTML()
        self.outputs = {name: ChartSlot(f"rr-dashboard-{name.replace('_', '-')}")
                        for name in CHARTS}
        self.body = widgets.VBox([self.header, widgets.HBox([self.kind, self.dates, self.period]),
                                  *self.outputs.values()])
        self.body.layout.display = "none"
        for widget, css in ((self.code, "rr-dashboard-code"),
                            (self.open_button, "rr-dashboard-open"),
                            (self.kind, "rr-dashboard-kind"), (self.dates, "rr-dashboard-dates"),
                            (self.period, "rr-dashboard-period"),
                            (self.message, "rr-dashboard-message")):
            widget.add_class(css)
        self._loading = False
        self.kind.observe(self.refresh, names="value")
        self.dates.observe(self.refresh, names="value")
        self.open_button.on_click(lambda _: self.open_link(self.code.value))
        self.code.observe(lambda change: self.open_link(change["new"]), names="value")
        super().__init__([widgets.HBox([self.code, self.open_button]), self.message, self.body])
        self.add_class("rr-dashboard")
        if session is not None:
            self.show(session)
        elif self.code.value:
            self.open_link(self.code.value)

    def open_link(self, link: str) -> None:
        """Show the session a share link (or its token) opens, or say plainly why not."""
        if not token_of(link):
            return
        try:
            session = self.store.find_share(token_of(link))
        except AccessDenied as exc:
            self.message.value = f"<p class='rr-error'>{html.escape(str(exc))}</p>"
            self.body.layout.display = "none"
            self.data = None
            return
        self.show(session)

    def show(self, session: Session) -> None:
        """Show ``session``."""
        self.data = session_team_data(self.store, session, self.today)
        self.message.value = ""
        self._loading = True
        kinds = [(k.capitalize(), k) for k in self.data.kinds]
        self.kind.options = [(ALL_KINDS, ALL_KINDS), *kinds]
        self.kind.value = ALL_KINDS
        steps = _months(self.data)
        self.dates.options = steps
        self.dates.index = (0, len(steps) - 1)
        self._loading = False
        self.body.layout.display = ""
        self.refresh()

    def window(self) -> tuple[date, date]:
        """The chosen first and last month (the whole range when the slider has one step or
        no value yet: a session with no check-ins, or only today's)."""
        options = [value for _, value in self.dates.options] or [self.data.today.date()]
        chosen = tuple(self.dates.value or ())
        return (chosen[0], chosen[-1]) if chosen else (options[0], options[-1])

    def current(self) -> TeamData:
        """The session narrowed to the chosen kind and months."""
        kind = None if self.kind.value == ALL_KINDS else self.kind.value
        start, end = self.window()
        return narrow(self.data, kind, start, end)

    def refresh(self, _change=None) -> None:
        if self._loading or self.data is None:
            return
        shown = self.current()
        session = shown.session
        start, end = self.window()
        self.period.value = f"{start:%B %Y} to {end:%B %Y}"
        e = html.escape
        self.header.value = (
            f"<h2>{e(session.title)}</h2><p>Workshop of {session.date:%d %B %Y}"
            f": {shown.respondents} people in the groups shown here. Every figure counts only "
            f"groups of at least {shown.threshold} people (smaller ones are left out of "
            f"every figure, whatever the filter); no names, no relationship labels except "
            f"shared ones, no notes.</p>")
        for name, fig in team_charts(shown).items():
            self.outputs[name].show(fig)


def _months(data: TeamData) -> list[tuple[str, date]]:
    """The months a window may span, labelled by name: whole months only (rule 3 of
    :mod:`workshop.anonymity`)."""
    return [(f"{m:%b %Y}", m.date()) for m in months(data)]
