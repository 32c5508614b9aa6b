"""See the map: the person's charts, drawn when the step is opened and redrawn on change.

Charts are plain Plotly figures shown through the notebook's Plotly renderer (no
FigureWidget: it would ship plotly.js over the kernel connection for every chart).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import bidi
from .components import (
    ChartSlot,
    Status,
    card,
    esc,
    full,
    heading,
    html,
    named,
    run_safely,
    set_options,
)


class MapView(widgets.VBox):
    """Portfolio map, reset priority, count per state, and a radar per relationship."""

    def __init__(self, workbook):
        self.workbook, self._stale = workbook, True
        self.portfolio = ChartSlot("rr-chart-portfolio")
        self.priority = ChartSlot("rr-chart-priority")
        self.states = ChartSlot("rr-chart-states")
        self.radar = ChartSlot("rr-chart-radar")
        self.state_notes = html("", "rr-state-notes")
        self.pick = named(widgets.Dropdown(layout=full()), "Relationship to profile",
                          "rr-radar-pick")
        self.pick.observe(lambda _: None if self._quiet else self._draw_radar(), "value")
        self._quiet = False
        self.status = Status()
        self._frames = None
        intro = heading("See the map", "Each relationship by importance and health; the size "
                        "of a marker grows with the time since you were last in touch.")
        super().__init__([
            card(intro, self.status, self.portfolio),
            card(self.priority),
            card(self.states, self.state_notes),
            card(heading("One relationship's profile", level=3), self.pick, self.radar),
        ], layout=full())
        workbook.on_change(lambda what: self._mark_stale())

    def _mark_stale(self) -> None:
        self._stale = True

    def shown(self) -> None:
        """Called when the step is opened: (re)draw if anything changed since last time."""
        if self._stale:
            run_safely(self.status, self.draw)

    def draw(self) -> None:
        from .. import charts
        self._frames = self.workbook.frames()
        scores = self.workbook.scores()
        self.status.clear()
        if scores.empty:
            self.status.ok("Rate at least one relationship in the health check to see the map.")
        self.portfolio.show(charts.portfolio(scores))
        self.priority.show(charts.priority_ranking(scores))
        self.states.show(charts.state_counts(scores))
        self.state_notes.value = _state_notes(scores)
        self._quiet = True
        try:
            set_options(self.pick, [(bidi.isolated(r.label[:60]), r.relationship_id)
                                    for r in scores.itertuples()])
        finally:
            self._quiet = False
        self._draw_radar()
        self._stale = False

    def _draw_radar(self) -> None:
        if self._frames is None:
            return
        from .. import charts
        latest = self._frames.latest_ratings()
        rid = self.pick.value
        rows = latest[latest["relationship_id"] == rid] if rid and not latest.empty \
            else latest.iloc[0:0]
        label = dict((v, k) for k, v in self.pick.options).get(rid, "")
        self.radar.show(charts.radar(rows, title=f"Profile: {label}" if label else "Profile"))


def _state_notes(scores) -> str:
    from ..content import content
    counts = scores["state"].value_counts() if not scores.empty else {}
    items = "".join(
        f'<li class="rr-state-{esc(s.key)}"><b>{esc(s.name)}</b> ({int(counts.get(s.key, 0))})'
        f': {esc(s.description)}</li>' for s in content().states)
    return f'<ul class="rr-hint">{items}</ul>'
