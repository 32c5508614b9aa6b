"""Where a chart goes on a page: a Plotly figure through the notebook's own Plotly renderer,
with its text alternative beside it, kept interactive however often its view is shown.

Why a chart needs help to stay interactive. The renderer that draws Plotly output in
JupyterLab and Voilà (``RenderedPlotly`` in jupyterlab-plotly's ``mimeExtension.ts``), once
its ``createGraph`` has drawn the live chart, takes a PNG of it with ``Plotly.toImage`` and
stores it into the output itself (``model.setData`` adds ``image/png`` to the bundle). The
``Output`` widget keeps that output in one model per widget (its ``OutputAreaModel``), shared
by every view of it. When a step of an app is left, its views are removed from the page; when
it is opened again, ipywidgets builds new views, and a new ``RenderedPlotly`` meets a bundle
that now holds ``image/png``: ``renderModel`` then shows that picture (``updateImage``, an
``<img class="plot-img">`` without alt text) instead of drawing the chart. Nothing tells it
otherwise; only a mouse entering the picture would draw the chart again.

So a slot whose output has been on the page once is sent again, as a new output the page has
never drawn (:meth:`ChartSlot.on_page`), before its view is put back: the new renderer then
draws the live chart. :func:`charts_on_page` and :func:`charts_off_page` do that for every
slot inside a view that is shown again or taken off the page.

Each chart carries its text alternative in the same output: one sentence for screen readers
(:func:`workshop.chart_text.describe`), and the numbers behind it in a table under a "Show
the numbers" disclosure that anyone can open.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from html import escape

import ipywidgets as widgets

log = logging.getLogger("workshop.app")
MIME = "application/vnd.plotly.v1+json"
RENDERER_HEIGHT = 360  # what the renderer gives a figure without a height of its own
HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;"
          "overflow:hidden;clip-path:inset(50%);white-space:nowrap")
# The renderer keeps an empty <img class="plot-img"> in every chart, shown until the chart is
# drawn: without a picture in it, it is nothing, so it is not shown at all.
STYLE = ("<style>.rr-chart img.plot-img:not([src]){display:none}"
         ".rr-chart .rr-chart-numbers{margin:2px 0 8px;font-size:14px;color:#4a5a61}"
         ".rr-chart .rr-chart-numbers summary{cursor:pointer;width:max-content;max-width:100%}"
         ".rr-chart .rr-chart-numbers table{margin:6px 0 0;width:auto;max-width:100%;"
         "font-size:14px;table-layout:auto}"
         ".rr-chart .rr-chart-numbers th,.rr-chart .rr-chart-numbers td{text-align:left;"
         "padding:3px 16px 3px 0;border-bottom:1px solid #e3e7e4;vertical-align:top}"
         "</style>")


def _esc(text) -> str:
    return escape("" if text is None else str(text), quote=True)


def _height_style(height: int) -> str:
    """The chart's own height, for the chart drawn just before this text.

    With the kit's ``responsive`` config and a figure that sets its height but not its
    width, Plotly's ``Plots.resize`` (which the renderer calls after drawing) drops the height
    and sizes the chart to 100% of its container, which has no height of its own when the
    chart was first drawn into a node that already had some (a step opened on arriving, as
    Plotly loads): the chart then collapses to nothing. The figure's height is given here."""
    return (f"<style>.jp-OutputArea-child:has(+ .jp-OutputArea-child "
            f".rr-chart-text[data-height='{height}']) .svg-container"
            f"{{height:{height}px !important}}</style>")


def text_html(text, height: int | None = None) -> str:
    """A :class:`~workshop.chart_text.ChartText` as HTML: the sentence for screen readers,
    the numbers in a table anyone can open. Every word is escaped (labels are people's).
    ``height`` is the chart's, in pixels (see :func:`_height_style`)."""
    said = (f'<p class="rr-chart-summary" style="{HIDDEN}">Chart: '
            f'<bdi>{_esc(text.title)}</bdi>. {_esc(text.summary)}</p>')
    style = STYLE
    if height:
        style += _height_style(int(height))
    opening = f'<div class="rr-chart-text" data-height="{int(height or 0)}">{style}{said}'
    if not text.rows:
        return f"{opening}</div>"
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in text.headers)
    body = "".join("<tr>" + "".join(f"<td><bdi>{_esc(c)}</bdi></td>" for c in row) + "</tr>"
                   for row in text.rows)
    table = (f'<table aria-label="{_esc(text.title)}"><thead><tr>{head}</tr></thead>'
             f"<tbody>{body}</tbody></table>")
    return (f'{opening}<details class="rr-chart-numbers">'
            f"<summary>Show the numbers</summary>{table}</details></div>")


def chart_outputs(fig, text=None, drawn: int = 0) -> tuple[dict, dict]:
    """The outputs of one chart: the figure for the Plotly renderer, then its text
    alternative (``text``, else described from ``fig``). ``drawn`` tells one sending of the
    same figure from the next, so the page takes each as a new output."""
    from ..charts import mime_bundle
    text = _described(fig) if text is None else text
    return ({"output_type": "display_data", "data": mime_bundle(fig),
             "metadata": {"rr-drawn": drawn}},
            {"output_type": "display_data", "metadata": {},
             "data": {"text/html": text_html(text, fig.layout.height or RENDERER_HEIGHT),
                      "text/plain": text.summary}})


def _described(fig):
    """``fig``'s text alternative; a chart the describer cannot read still shows, with its
    title as its words (and the reason in the log)."""
    from ..chart_text import ChartText, describe, plain
    try:
        return describe(fig)
    except Exception:  # a kind of chart describe() does not know yet
        log.exception("could not describe a chart in words")
        title = plain(fig.layout.title.text) or "Chart"
        return ChartText(title, f"{title}: its numbers could not be put in words here.")


class ChartSlot(widgets.Output):
    """Where one chart is drawn: ``show(fig)``; ``outputs = ()`` empties it.

    The output is set directly rather than captured with ``with self``, which only reaches
    the page from a message handler (a click), not from a timer.
    """

    def __init__(self, css: str):
        super().__init__(layout=widgets.Layout(width="100%"))
        self.add_class("rr-chart")
        self.add_class(css)
        self._drawn = 0
        # Whether its view is on the page, as far as the app says (see off_page): a slot is
        # taken to be on the page unless told otherwise, so one that is never told about
        # still gets its charts sent again when its view is built anew.
        self._attached = True
        self._seen = False  # a view on the page may have drawn the current output

    def show(self, fig, text=None) -> None:
        """Draw ``fig``, with ``text`` (a :class:`~workshop.chart_text.ChartText`; by
        default described from ``fig``) as its text alternative."""
        self._drawn += 1
        self.outputs = chart_outputs(fig, text, self._drawn)
        self._seen = self._attached

    def on_page(self) -> None:
        """The app is about to put this slot's view (back) on the page: if the page has
        drawn its output before, send it again as a new one (see the module's notes)."""
        if self._seen:
            self.redraw()
        self._attached = self._seen = True

    def off_page(self) -> None:
        """This slot's view is not on the page (taken off, or not put there yet)."""
        self._attached = False

    def redraw(self) -> None:
        """Send the chart again as an output the page has not drawn yet."""
        if not any(MIME in o.get("data", {}) for o in self.outputs):
            return
        self._drawn += 1
        self.outputs = tuple({**o, "metadata": {**o.get("metadata", {}), "rr-drawn": self._drawn}}
                             if MIME in o.get("data", {}) else o for o in self.outputs)


def chart_slots(widget: widgets.Widget) -> Iterator[ChartSlot]:
    """Every :class:`ChartSlot` inside ``widget`` (itself included)."""
    if isinstance(widget, ChartSlot):
        yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from chart_slots(child)


def charts_on_page(widget: widgets.Widget) -> None:
    """Call before ``widget``'s view is put (back) on the page: its charts draw live."""
    for slot in chart_slots(widget):
        slot.on_page()


def charts_off_page(widget: widgets.Widget) -> widgets.Widget:
    """Call when ``widget``'s view has been taken off the page, or for a view built to be
    shown later (its first charts are then sent once, not again when it is shown)."""
    for slot in chart_slots(widget):
        slot.off_page()
    return widget


def replace_children(box: widgets.Box, children) -> None:
    """``box.children = children``, keeping the charts in them live.

    The page keeps the views of the leading children that stay in place and builds a new
    view for every child from the first change on (ipywidgets' ``ViewList.update``), even
    for a child that was there already: its charts are sent again first (:meth:`ChartSlot.
    on_page`). Children that leave are marked off the page.
    """
    old, new = list(box.children), list(children)
    kept = 0
    while kept < min(len(old), len(new)) and old[kept] is new[kept]:
        kept += 1
    for child in new[kept:]:
        charts_on_page(child)
    box.children = new
    for child in old[kept:]:
        if not any(child is other for other in new):
            charts_off_page(child)
