"""The state explorer: move one made-up relationship between states by changing its ratings
and contact dates, and see which rule puts it where.

A composite widget like the kit's forms: ``value`` is the current
:class:`~workshop.guide.Assessment`; every change re-runs :func:`workshop.guide.assess`, so
the widget holds no rule of its own.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import ipywidgets as widgets

from .content import content
from .guide import Assessment, assess, describe_rule, glyph

STYLE = {"description_width": "15em"}
WIDE = widgets.Layout(width="32em")
DATE = widgets.Layout(width="29em")


class StateExplorer(widgets.VBox):
    """Sliders for ratings, a trend and dates in; the state, its rule and advice out.

    >>> explorer = StateExplorer(today=date(2026, 1, 31))   # doctest: +SKIP
    >>> explorer.last_contact.value = date(2025, 10, 1)        # drift 4: hanging by a thread
    """

    def __init__(self, today: date | None = None, cadence_days: int = 30):
        self.today = today or date.today()
        self.ratings = {d.key: self._rating(d) for d in content().dimensions}
        self.trend = widgets.ToggleButtons(
            options=[("Improving", "improving"), ("Stable", "stable"),
                     ("Declining", "declining")], value="stable",
            description="Since last time it is", style=STYLE)
        self.since = widgets.DatePicker(description="Relationship began", layout=DATE,
                                        value=self.today - timedelta(days=3 * 365), style=STYLE)
        self.last_contact = widgets.DatePicker(description="Last real conversation",
                                               value=self.today - timedelta(days=20),
                                               style=STYLE, layout=DATE)
        self.cadence = widgets.IntSlider(cadence_days, min=7, max=180, step=1, style=STYLE,
                                         description="Wanted contact every (days)", layout=WIDE)
        self.verdict = widgets.HTML()
        self.ladder = widgets.HTML()
        for widget in (*self.ratings.values(), self.trend, self.since, self.last_contact,
                       self.cadence):
            widget.observe(self._update, names="value")
        inputs = widgets.VBox([widgets.HTML("<b>Ratings (1 = drifting, 5 = healthy)</b>"),
                               *self.ratings.values(), widgets.HTML("<b>Trend and dates</b>"),
                               self.trend, self.since, self.last_contact, self.cadence])
        super().__init__([widgets.HBox([inputs, widgets.VBox([self.verdict, self.ladder])])])
        self.add_class("rr-state-explorer")
        self.value: Assessment | None = None
        self._update()

    @staticmethod
    def _rating(dimension) -> widgets.IntSlider:
        slider = widgets.IntSlider(3, min=1, max=5, description=dimension.name, style=STYLE,
                                   layout=WIDE, tooltip=dimension.question)
        slider.add_class(f"rr-explorer-rating-{dimension.key}")
        return slider

    def _days(self, day: date | None) -> int | None:
        return None if day is None else (self.today - day).days

    def _update(self, _change=None) -> None:
        self.value = assess({k: s.value for k, s in self.ratings.items()},
                            days_since_contact=self._days(self.last_contact.value),
                            cadence_days=self.cadence.value,
                            age_days=self._days(self.since.value) or 0, trend=self.trend.value)
        self.verdict.value = _verdict_html(self.value)
        self.ladder.value = _ladder_html(self.value.state)


def _verdict_html(result: Assessment) -> str:
    state = content().state(result.state)
    e = html.escape
    return (f"<div class='rr-explorer-verdict' style='border-left:6px solid {state.colour};"
            f"padding:0.3em 0.8em;max-width:30em'>"
            f"<h3 style='margin:0.2em 0'>{glyph(state)} {e(state.name)}</h3>"
            f"<p>{e(str(result))}</p><p>{e(state.description)}</p>"
            f"<p><i>What to do:</i> {e(state.advice)}</p></div>")


def _ladder_html(current: str) -> str:
    rows = []
    for state in content().states:
        here = state.key == current
        mark = " &larr; here" if here else ""
        weight = "bold" if here else "normal"
        rows.append(f"<li style='font-weight:{weight}'>{glyph(state)} "
                    f"{html.escape(state.name)}: <small>{html.escape(describe_rule(state))}"
                    f"</small>{mark}</li>")
    return ("<div class='rr-explorer-ladder' style='max-width:30em'><p><b>The rules, checked "
            "top to bottom</b></p><ol>" + "".join(rows) + "</ol></div>")
