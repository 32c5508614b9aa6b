"""The team dashboard as a Voilà page: open a session by join code, filter by relationship
kind and check-in dates, and read the anonymised charts of :mod:`workshop.dashboard`.

The widget decides nothing itself: filters go to :func:`workshop.dashboard.narrow`, figures
come from :func:`workshop.dashboard.team_charts`.
"""

from __future__ import annotations

import html
import os
from datetime import date
from urllib.parse import parse_qs

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from . import charts
from .dashboard import TeamData, narrow, team_charts, team_data
from .errors import NotFound
from .store import Store

ALL_KINDS = "All kinds"
CHARTS = ("portfolio", "then_and_now", "resets", "shared")


def query_code() -> str | None:
    """The ``code`` in the page's address (Voilà passes it as ``QUERY_STRING``), if any."""
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get("code")
    return values[0] if values else None


class TeamDashboard(widgets.VBox):
    """The sponsor's view of one session: ``TeamDashboard(store, "RESET2")`` in a cell.

    Without a ``code`` it takes one from the page address (``?code=RESET2``) or asks for it.
    """

    def __init__(self, store: Store, code: str | None = None, today: date | None = None):
        self.store, self.today = store, today
        self.data: TeamData | None = None
        self.code = widgets.Text(placeholder="join code, e.g. RESET2", description="Session",
                                 value=code or query_code() or "", continuous_update=False)
        self.open_button = widgets.Button(description="Open", button_style="primary")
        self.message = widgets.HTML()
        self.header = widgets.HTML()
        self.kind = widgets.Dropdown(description="Kind", options=[ALL_KINDS])
        self.dates = widgets.SelectionRangeSlider(options=[""], description="Check-ins",
                                                  readout=False,
                                                  layout=widgets.Layout(width="24em"))
        self.period = widgets.HTML()
        self.outputs = {name: widgets.Output() for name in CHARTS}
        self.body = widgets.VBox([self.header, widgets.HBox([self.kind, self.dates, self.period]),
                                  *self.outputs.values()])
        self.body.layout.display = "none"
        for widget, css in ((self.code, "rr-dashboard-code"),
                            (self.open_button, "rr-dashboard-open"),
                            (self.kind, "rr-dashboard-kind"), (self.dates, "rr-dashboard-dates"),
                            (self.period, "rr-dashboard-period"),
                            (self.message, "rr-dashboard-message")):
            widget.add_class(css)
        for name, output in self.outputs.items():
            output.add_class(f"rr-dashboard-{name.replace('_', '-')}")
        self._loading = False
        self.kind.observe(self.refresh, names="value")
        self.dates.observe(self.refresh, names="value")
        self.open_button.on_click(lambda _: self.show_session(self.code.value))
        self.code.observe(lambda change: self.show_session(change["new"]), names="value")
        super().__init__([widgets.HBox([self.code, self.open_button]), self.message, self.body])
        self.add_class("rr-dashboard")
        if self.code.value:
            self.show_session(self.code.value)

    def show_session(self, code: str) -> None:
        """Show the session with this join code."""
        try:
            self.data = team_data(self.store, code, self.today)
        except NotFound:
            self.message.value = "<p class='rr-error'>No session has that join code.</p>"
            self.body.layout.display = "none"
            return
        self.message.value = ""
        self._loading = True
        kinds = [(k.capitalize(), k) for k in self.data.kinds]
        self.kind.options = [(ALL_KINDS, ALL_KINDS), *kinds]
        self.kind.value = ALL_KINDS
        weeks = _weeks(self.data)
        self.dates.options = weeks
        self.dates.index = (0, len(weeks) - 1)
        self._loading = False
        self.body.layout.display = ""
        self.refresh()

    def current(self) -> TeamData:
        """The session narrowed to the chosen kind and check-in dates."""
        kind = None if self.kind.value == ALL_KINDS else self.kind.value
        start, end = self.dates.value
        return narrow(self.data, kind, start, end)

    def refresh(self, _change=None) -> None:
        if self._loading or self.data is None:
            return
        shown = self.current()
        session = shown.session
        start, end = self.dates.value
        self.period.value = f"{start:%d %b %Y} to {end:%d %b %Y}"
        e = html.escape
        self.header.value = (
            f"<h2>{e(session.title)}</h2><p>Session {e(session.code)} of {session.date:%d %B %Y}"
            f": {shown.respondents} people with check-ins in this view. Group charts appear "
            f"only with at least {shown.threshold} people behind them; no names, no "
            f"relationship labels except shared ones, no notes.</p>")
        for name, fig in team_charts(shown).items():
            output = self.outputs[name]
            output.clear_output(wait=True)
            with output:
                display(charts.mime_bundle(fig), raw=True)


def _weeks(data: TeamData) -> list[tuple[str, date]]:
    """Weekly steps from the first check-in to today, labelled by date."""
    taken = data.history["taken_at"]
    first = taken.min().date() if len(taken) else data.today.date()
    days = pd.date_range(first, data.today.date(), freq="7D").date.tolist()
    if not days or days[-1] != data.today.date():
        days.append(data.today.date())
    return [(f"{d:%d %b %Y}", d) for d in days]
