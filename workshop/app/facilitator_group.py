"""The console's group view (anonymised charts behind a reveal toggle) and its exports.

Which chart may show, and how many more respondents one waits for, comes from
:class:`workshop.aggregate.Group` (the rule of :mod:`workshop.anonymity`); the figures from
:mod:`workshop.group_charts`.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from .. import session_report
from ..aggregate import Group
from ..chart_text import describe
from ..errors import AccessDenied
from ..group_charts import untitled
from .components import (
    FULL,
    ChartSlot,
    Status,
    button,
    classed,
    download_link,
    esc,
    heading,
    html,
    named,
)

ROW = widgets.Layout(width="100%", align_items="center", flex_flow="row wrap")
CHARTS = session_report.CHARTS
MIME = {"html": "text/html", "csv": "text/csv", "json": "application/json"}


class ChartBox(widgets.VBox):
    """One group chart: its title, a "waiting for N more" line, or the chart itself."""

    def __init__(self, key: str, title: str):
        self.key = key
        self.waiting = html("", "rr-waiting", f"rr-waiting-{key}")
        self.slot = ChartSlot(f"rr-chart-{key}")
        self.drawn, self.figure = False, None
        super().__init__([html(f"<h3>{esc(title)}</h3>"), self.waiting, self.slot],
                         layout=FULL)
        classed(self, "rr-group-chart", f"rr-group-{key}")

    def wait(self, more: int) -> None:
        noun = "respondent" if more == 1 else "respondents"
        self.waiting.value = f"Hidden: waiting for {more} more {noun}."
        self._clear()

    def too_small(self, threshold: int) -> None:
        self.waiting.value = f"Hidden: every group here has fewer than {threshold} people."
        self._clear()

    def hide(self) -> None:
        self.waiting.value = ""
        self._clear()

    def draw(self, figure) -> None:
        """Draw ``figure`` (its title left to the box's heading).

        The output is set on the widget's state (:meth:`ChartSlot.show`) rather than printed
        inside ``with slot:``, because the console redraws from a background task, where
        printed output would be routed to a request the page no longer listens to.
        """
        self.waiting.value = ""
        if self.drawn and figure is self.figure:  # the console kept it: already on the page
            return
        self.figure = figure
        # Shown before it is drawn: a chart drawn while hidden has no width to fit, and the
        # renderer is not told when it shows.
        self.slot.layout.display = None
        self.slot.show(untitled(figure), describe(figure))
        self.drawn = True

    def _clear(self) -> None:
        if self.drawn:
            self.slot.outputs = ()
            self.drawn = False
        self.slot.layout.display = "none"


class GroupPanel(widgets.VBox):
    """Anonymised group charts; nothing is drawn until the facilitator presses Reveal."""

    def __init__(self):
        self.reveal = classed(widgets.ToggleButton(
            value=False, description="Reveal results", icon="eye",
            tooltip="Show the group charts on this screen (the projector)"), "rr-reveal")
        self.status = html("", "rr-group-status")
        self.weakest = html("", "rr-weakest")
        self.boxes = {key: ChartBox(key, title) for key, title in CHARTS}
        self._on_reveal: list[Callable[[bool], None]] = []
        self.reveal.observe(self._toggled, "value")
        super().__init__([heading("The group, anonymised"),
                          widgets.HBox([self.reveal, self.status], layout=ROW),
                          self.weakest, *self.boxes.values()], layout=FULL)
        classed(self, "rr-card", "rr-group-panel")

    def on_reveal(self, callback: Callable[[bool], None]) -> None:
        self._on_reveal.append(callback)

    def _toggled(self, change) -> None:
        self.reveal.description = "Hide results" if change["new"] else "Reveal results"
        for callback in self._on_reveal:
            callback(change["new"])

    def show(self, group: Group, figures: dict | None) -> None:
        """Draw ``group``; ``figures`` are the charts (None while results are hidden)."""
        people = "person has" if group.respondents == 1 else "people have"
        self.status.value = (f"{group.respondents} {people} rated so far; each chart shows "
                             f"once {group.threshold} stand behind it.")
        waiting, small = group.waiting(), group.all_small()
        revealed = self.reveal.value and figures is not None
        weakest = group.weakest if revealed else None
        self.weakest.value = ("" if weakest is None else
                              f"Weakest dimension across the room: <strong>"
                              f"{esc(weakest['name'])}</strong>")
        # Before Reveal only the status line shows (it says results are hidden): the boxes'
        # headings would stand bare. A class on the panel, not the boxes' shared layout.
        (self.remove_class if self.reveal.value else self.add_class)("rr-unrevealed")
        for key, box in self.boxes.items():
            if waiting[key]:
                box.wait(waiting[key])
            elif small[key]:
                box.too_small(group.threshold)
            elif revealed:
                box.draw(figures[key])
            else:
                box.hide()
        if not self.reveal.value:
            self.status.value += " Results are hidden from this screen until you reveal them."


class ExportPanel(widgets.VBox):
    """Download the anonymised report and data, or (with the key) the full backup."""

    def __init__(self, export: Callable[[str, bool], tuple[str, str]],
                 check_key: Callable[[str], None]):
        self.export, self.check_key = export, check_key
        self.links = html("", "rr-export-links")
        self.status = Status("rr-export-status")
        buttons = []
        for fmt, label in (("html", "Session report (HTML)"), ("csv", "Anonymised CSV"),
                           ("json", "Anonymised JSON")):
            one = button(label, f"rr-export-{fmt}")
            one.on_click(lambda _, f=fmt: self.prepare(f))
            buttons.append(one)
        self.key = named(widgets.Password(placeholder="facilitator key",
                                          layout=widgets.Layout(width="16em")),
                         "Facilitator key for the full backup", "rr-backup-key")
        self.full = button("Full backup (JSON)", "rr-export-full")
        self.full.on_click(lambda _: self.prepare_full())
        super().__init__([
            heading("Report and exports", "The report and data hold only anonymised figures. "
                    "The full backup holds everything participants entered: it needs the "
                    "facilitator key."),
            widgets.HBox(buttons, layout=ROW),
            widgets.HBox([self.key, self.full], layout=ROW), self.status, self.links],
            layout=FULL)
        classed(self, "rr-card", "rr-export-panel")

    def prepare(self, fmt: str, full: bool = False) -> None:
        name, payload = self.export(fmt, full)
        self.links.value = download_link(name, MIME[fmt], payload, f"Download {name}",
                                         css=f"rr-download-{fmt}{'-full' if full else ''}")
        self.status.ok(f"{name} is ready.")

    def prepare_full(self) -> None:
        key, self.key.value = self.key.value, ""
        try:
            self.check_key(key)
        except AccessDenied as exc:
            self.links.value = ""
            self.status.error(str(exc))
            return
        self.prepare("json", full=True)
