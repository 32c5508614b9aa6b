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


def _table(frame, other: str) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{esc(r.name)}</th><td>{r.mine}</td><td>{r.theirs}</td>"
        f"<td>{'+' if r.gap > 0 else ''}{r.gap}</td></tr>" for r in frame.itertuples())
    return (f"<table class='rr-compare-table'><caption>Both ratings, 1 (drifting) to 5 "
            f"(healthy)</caption><thead><tr><th scope='col'>Dimension</th>"
            f"<th scope='col'>You</th><th scope='col'>{user_text(other)}</th>"
            f"<th scope='col'>Difference</th></tr></thead><tbody>{rows}</tbody></table>")


def _needs(comparison: Comparison, viewpoint: str) -> str:
    inv = comparison.invitation
    asked = (comparison.need_mine, comparison.need_theirs)
    answered = (inv.need_mine, inv.need_theirs)
    mine, theirs = (asked, answered) if viewpoint == "participant" else (answered, asked)
    other = inv.them if viewpoint == "participant" else inv.inviter

    def side(title: str, needs: tuple[str, str], them_word: str) -> str:
        said = [f"<dt>Needs now</dt><dd>{user_text(needs[0])}</dd>" if needs[0] else "",
                f"<dt>Thinks {them_word} need{'s' if them_word != 'you' else ''}</dt>"
                f"<dd>{user_text(needs[1])}</dd>" if needs[1] else ""]
        body = "".join(said) or "<dd class='rr-hint'>Nothing written.</dd>"
        return f"<div class='rr-needs-side'><h4>{title}</h4><dl>{body}</dl></div>"

    return ("<div class='rr-needs-pair'>"
            + side("You", mine, "they") + side(user_text(other), theirs, "you") + "</div>")


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
        self.chart.show(chart(frame, me="You", them=other,
                              title="Your ratings side by side"))
        self.table = html(_table(frame, other), "rr-compare-numbers")
        self.needs = html("<h3>What each of you needs</h3>" + _needs(comparison, viewpoint),
                          "rr-compare-needs")
        super().__init__([self.summary, self.chart, self.table, self.needs], layout=full())
        self.add_class("rr-comparison")
