"""The comparison as both sides see it: the chart of the two ratings per dimension, the biggest
gaps named, the same numbers as a table (the chart's text alternative), and both sides'
"needs" next to each other.

``viewpoint`` says who is looking: ``"participant"`` (the person who asked) or ``"other"`` (the
person who answered the invitation). Each sees themselves as "You".
"""

from __future__ import annotations

import ipywidgets as widgets

from ..comparison import Comparison, gap_sentence, side_by_side
from .components import ChartSlot, esc, full, html, user_text


def _frame(comparison: Comparison, viewpoint: str):
    inv = comparison.invitation
    if viewpoint == "participant":
        return side_by_side(comparison.mine, inv.ratings, inv.dimensions), inv.them
    return side_by_side(inv.ratings, comparison.mine, inv.dimensions), inv.inviter


def _rows(frame) -> list[tuple[str, str, str, str]]:
    return [(r.name, str(r.mine), str(r.theirs), str(abs(r.gap))) for r in frame.itertuples()]


def _table(frame, other: str) -> str:
    """The numbers as a table, where the chart slot has no text alternative of its own."""
    cell = "style='text-align:left;padding:2px 12px 2px 0'"
    rows = "".join(f"<tr><th scope='row' {cell}>{esc(name)}</th><td {cell}>{mine}</td>"
                   f"<td {cell}>{theirs}</td><td {cell}>{gap}</td></tr>"
                   for name, mine, theirs, gap in _rows(frame))
    return (f"<table class='rr-compare-table'><caption style='text-align:left'>Both ratings, "
            f"1 (drifting) to 5 (healthy)</caption><thead><tr><th scope='col' {cell}>"
            f"Dimension</th><th scope='col' {cell}>You</th><th scope='col' {cell}>"
            f"{user_text(other)}</th><th scope='col' {cell}>Difference</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _chart_text(frame, other: str, title: str):
    """The chart's text alternative, where the chart slot takes one (None otherwise)."""
    try:
        from ..chart_text import ChartText
    except ImportError:
        return None
    return ChartText(title=title, summary=gap_sentence(frame, "you", "them"),
                     headers=("Dimension", "You", other, "Difference"),
                     rows=tuple(_rows(frame)))


def _needs(comparison: Comparison, viewpoint: str) -> str:
    inv = comparison.invitation
    asked = (comparison.need_mine, comparison.need_theirs)
    answered = (inv.need_mine, inv.need_theirs)
    mine, theirs = (asked, answered) if viewpoint == "participant" else (answered, asked)
    other = inv.them if viewpoint == "participant" else inv.inviter

    def side(title: str, needs: tuple[str, str], verb: str) -> str:
        said = "".join(f"<p><b>{label}:</b> {user_text(text)}</p>" for label, text in
                       (("Needs now", needs[0]), (verb, needs[1])) if text)
        return (f"<div class='rr-needs-side'><h4>{title}</h4>"
                f"{said or '<p class=rr-hint>Nothing written.</p>'}</div>")

    return ("<div class='rr-needs-pair'>" + side("You", mine, "Thinks they need")
            + side(user_text(other), theirs, "Thinks you need") + "</div>")


def _keep_height(summary: widgets.HTML, figure) -> str:
    """A class that holds the chart at its figure's height. Plotly's resize (which the page's
    Plotly renderer asks for when its area changes) drops a height given without a width and
    takes the container's instead, and the container takes its height from the chart: on the
    invite page that left the chart 0 px tall. A class per height, so two charts can differ."""
    height = int(figure.layout.height)
    css = f"rr-chart-h{height}"
    summary.value += (f"<style>.{css} .plot-container{{height:{height}px !important}}"
                      "</style>")
    return css


class ComparisonView(widgets.VBox):
    """One comparison, for the participant or for the other party."""

    def __init__(self, comparison: Comparison, viewpoint: str = "participant"):
        from ..comparison_chart import comparison as chart
        frame, other = _frame(comparison, viewpoint)
        self.frame = frame
        when = comparison.answered_at
        stamp = f" · answered {when.astimezone():%d %b %Y}" if when else ""
        self.summary = html(
            f"<h3>Where you see it differently</h3><p class='rr-hint'>You and "
            f"{user_text(other)}{esc(stamp)}</p><p class='rr-gap-sentence'>"
            f"{esc(gap_sentence(frame, 'you', 'them'))}</p>", "rr-compare-summary")
        self.chart = ChartSlot("rr-chart-comparison")
        title = "Your ratings side by side"
        figure = chart(frame, me="You", them=other, title=title)
        text = _chart_text(frame, other, title)
        self._figure, self._text = figure, text
        self.chart.add_class(_keep_height(self.summary, figure))
        shown = [self.summary, self.chart]
        if text is None:
            shown.append(html(_table(frame, other), "rr-compare-numbers"))
        self.needs = html("<h3>What each of you needs</h3>" + _needs(comparison, viewpoint),
                          "rr-compare-needs")
        super().__init__([*shown, self.needs], layout=full())
        self.add_class("rr-comparison")

    def draw(self) -> None:
        """Draw the chart: call it once this view is on the page. A chart drawn before its
        place exists gets Plotly's default width (700 px), too wide for a phone."""
        if self._text is not None:
            self.chart.show(self._figure, self._text)
        else:
            self.chart.show(self._figure)
