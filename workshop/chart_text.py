"""A chart as words: every figure the kit draws also has a text alternative.

:func:`describe` reads a ``go.Figure`` (any of the kit's charts: bars, dots, lines over time,
radar, heat maps, or an empty chart that only carries a note) and gives a
:class:`ChartText`: its title, one sentence that says what the chart shows, and the numbers
behind it as a small table. The apps put it next to each chart for screen readers and for
anyone who prefers a table to hovering (see :mod:`workshop.app.chart_slot`).

Labels come out as plain text (Plotly markup and escaping undone); whoever puts them in a
page escapes them again.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import plotly.graph_objects as go

__all__ = ["ChartText", "describe", "plain"]

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_KINDS = {"bar": "Bar chart", "scatterpolar": "Radar chart", "scatter": "Dot chart"}


@dataclass(frozen=True)
class ChartText:
    """What a chart says, in words: ``summary`` is one sentence; ``rows`` are the numbers,
    each as long as ``headers``."""

    title: str
    summary: str
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)


def plain(text) -> str:
    """A Plotly label as plain text: line breaks as spaces, markup dropped, entities undone.

    Tags are dropped before entities are undone, so a person's escaped ``&lt;b&gt;`` stays
    the literal text ``<b>``."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = _TAG.sub("", _BREAK.sub(" ", str(text)))
    return " ".join(html.unescape(text).split())


def number(value) -> str:
    """A value as a person reads it: whole numbers plain, small ones to two decimals."""
    if value is None:
        return "no value"
    if isinstance(value, (datetime, date)) or hasattr(value, "strftime"):
        return value.strftime("%d %b %Y")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return plain(value)
    if math.isnan(value):
        return "no value"
    if abs(value) >= 10 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.{1 if abs(value) >= 1 else 2}f}".rstrip("0").rstrip(".")


def describe(fig: go.Figure, title: str | None = None) -> ChartText:
    """The text alternative of ``fig`` (``title`` overrides the figure's own, for charts
    drawn without one under a heading of the page)."""
    name = plain(title if title is not None else fig.layout.title.text) or "Chart"
    traces = [t for t in fig.data if _described(t)]
    if not traces:
        notes = [plain(a.text) for a in fig.layout.annotations or () if a.text]
        said = " ".join(n if n.endswith(".") else f"{n}." for n in notes)
        return ChartText(name, f"Nothing drawn yet. {said}".strip())
    kind = _kind(fig, traces[0])
    if kind == "heatmap":
        return _heatmap(fig, name, traces[0])
    if kind == "time":
        return _over_time(fig, name, traces)
    if kind == "xy":
        return _xy(fig, name, traces)
    return _categories(fig, name, traces)


# -- what kind of chart ----------------------------------------------------------------------

def _described(trace) -> bool:
    """A trace that carries numbers (not a decoration such as the radar's healthy zone or
    the line joining two dots)."""
    if trace.hoverinfo == "skip" or trace.hoverinfo == "none":
        return False
    if trace.type == "heatmap":
        return trace.z is not None and len(trace.z) > 0
    values = trace.r if trace.type == "scatterpolar" else trace.x
    return values is not None and len(values) > 0


def _seq(values) -> list:
    """A trace's data (a tuple, list or numpy array, or None) as a list."""
    return [] if values is None else list(values)


def _is_text(values) -> bool:
    return values is not None and len(values) > 0 and all(isinstance(v, str) for v in values)


def _is_time(fig: go.Figure, trace) -> bool:
    if fig.layout.xaxis.type == "date":
        return True
    values = _seq(trace.x)
    return bool(values) and all(isinstance(v, (datetime, date)) or hasattr(v, "strftime")
                                or str(getattr(v, "dtype", "")).startswith("datetime")
                                for v in values)


def _kind(fig: go.Figure, trace) -> str:
    if trace.type == "heatmap":
        return "heatmap"
    if trace.type in ("bar", "scatterpolar"):
        return "categories"
    if _is_time(fig, trace):
        return "time"
    if _is_text(trace.x) or _is_text(trace.y):
        return "categories"
    return "xy"


def _axis_title(axis, fallback: str) -> str:
    return plain(axis.title.text) if axis is not None and axis.title.text else fallback


def _tick_names(axis) -> dict:
    """An axis's own names for its values (``tickvals`` -> ``ticktext``), e.g. ids -> labels."""
    if axis is None or axis.tickvals is None or axis.ticktext is None:
        return {}
    return {v: plain(t) for v, t in zip(axis.tickvals, axis.ticktext, strict=False)}


def _point_name(trace, i: int, fallback: str) -> str:
    """A point's own name, where the chart keeps one first in its hover data."""
    data = trace.customdata
    if data is not None and i < len(data):
        first = data[i][0] if isinstance(data[i], (list, tuple)) and len(data[i]) else None
        if isinstance(first, str) and first:
            return plain(first)
    return fallback


def _with_series(traces, headers: tuple, rows: list) -> tuple[tuple, tuple]:
    """Rows carry their series' name in front when there is more than one series."""
    if len(traces) > 1:
        return ("Series", *headers), tuple((s, *r) for s, *r in rows)
    return headers, tuple(tuple(r) for _, *r in rows)


# -- each kind -------------------------------------------------------------------------------

def _categories(fig: go.Figure, name: str, traces) -> ChartText:
    first = traces[0]
    rows, pairs = [], []
    for trace in traces:
        series = plain(trace.name) or "Values"
        for label, value in _category_pairs(fig, trace):
            rows.append((series, label, number(value)))
            pairs.append((series, label, value))
    first_label = "Dimension" if first.type == "scatterpolar" else "Item"
    headers = (first_label, _value_title(fig, first))
    headers, table = _with_series(traces, headers, rows)
    return ChartText(name, _category_sentence(fig, traces, pairs), headers, table)


def _category_pairs(fig: go.Figure, trace) -> list[tuple[str, object]]:
    if trace.type == "scatterpolar":
        labels, values = _seq(trace.theta), _seq(trace.r)
        if len(labels) > 1 and labels[0] == labels[-1] and len(labels) == len(values):
            labels, values = labels[:-1], values[:-1]  # the closing point repeats the first
        return [(plain(t), v) for t, v in zip(labels, values, strict=False)]
    sideways = trace.orientation == "h" or (trace.type == "scatter" and _is_text(trace.y))
    cats, values = (trace.y, trace.x) if sideways else (trace.x, trace.y)
    names = _tick_names(fig.layout.yaxis if sideways else fig.layout.xaxis)
    pairs = [(_point_name(trace, i, names.get(c, plain(c))), v)
             for i, (c, v) in enumerate(zip(_seq(cats), _seq(values), strict=False))]
    if sideways and fig.layout.yaxis.autorange != "reversed":
        pairs.reverse()  # Plotly puts the first row at the bottom: read from the top
    return pairs


def _value_title(fig: go.Figure, trace) -> str:
    if trace.type == "scatterpolar":
        return _axis_title(fig.layout.polar.radialaxis, "Rating")
    sideways = trace.orientation == "h" or (trace.type == "scatter" and _is_text(trace.y))
    return _axis_title(fig.layout.xaxis if sideways else fig.layout.yaxis, "Value")


def _category_sentence(fig: go.Figure, traces, pairs) -> str:
    kind = _KINDS.get(traces[0].type, "Chart")
    measure = _value_title(fig, traces[0]).lower()
    known = [(s, label, float(v)) for s, label, v in pairs if _numeric(v)]
    if len(traces) > 1:
        names = _listed([plain(t.name) or "Values" for t in traces])
        items = len({label for _, label, _ in pairs})
        return f"{kind} of {measure} across {items} {_things(traces[0], items)}, comparing {names}."
    if not known:
        return f"{kind} of {measure}: no values yet."
    high = max(known, key=lambda p: p[2])
    low = min(known, key=lambda p: p[2])
    items = _things(traces[0], len(pairs))
    said = f"{kind} of {measure} across {len(pairs)} {items}: highest {high[1]} ({number(high[2])})"
    if len(known) > 1 and high[2] != low[2]:
        said += f", lowest {low[1]} ({number(low[2])})"
    return said + "."


def _things(trace, count: int) -> str:
    noun = "dimension" if trace.type == "scatterpolar" else "item"
    return noun if count == 1 else f"{noun}s"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _numeric(value) -> bool:
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _xy(fig: go.Figure, name: str, traces) -> ChartText:
    across = _axis_title(fig.layout.xaxis, "x")
    up = _axis_title(fig.layout.yaxis, "y")
    rows, counts = [], []
    for trace in traces:
        series = plain(trace.name) or "Points"
        points = list(zip(_seq(trace.x), _seq(trace.y), strict=False))
        counts.append(f"{series} {len(points)}")
        for i, (x, y) in enumerate(points):
            rows.append((series, _point_name(trace, i, f"Point {i + 1}"), number(x), number(y)))
    headers, table = _with_series(traces, ("Name", across, up), rows)
    total = len(rows)
    said = f"Scatter chart of {total} point{'s' * (total != 1)}, {across} across and {up} up"
    if len(traces) > 1:
        said += ", by series: " + _listed(counts)
    return ChartText(name, said + ".", headers, table)


def _over_time(fig: go.Figure, name: str, traces) -> ChartText:
    measure = _axis_title(fig.layout.yaxis, "Value")
    rows, moments = [], []
    for trace in traces:
        series = plain(trace.name) or "Values"
        notes = trace.customdata
        for i, (x, y) in enumerate(zip(_seq(trace.x), _seq(trace.y), strict=False)):
            note = plain(notes[i]) if notes is not None and i < len(notes) \
                and isinstance(notes[i], str) else ""
            rows.append((series, number(_moment(x)), number(y), note))
            moments.append((_moment(x), y))
    with_notes = any(r[3] for r in rows)
    rows = [r if with_notes else r[:3] for r in rows]
    headers = ("Date", measure, "Note") if with_notes else ("Date", measure)
    headers, table = _with_series(traces, headers, rows)
    return ChartText(name, _time_sentence(measure, traces, moments), headers, table)


def _moment(value):
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if str(getattr(value, "dtype", "")).startswith("datetime"):
        import pandas as pd
        return pd.Timestamp(value).to_pydatetime()
    return value


def _time_sentence(measure: str, traces, moments) -> str:
    dated = sorted((m for m in moments if hasattr(m[0], "strftime")), key=lambda m: m[0])
    if not dated:
        return f"Line chart of {measure.lower()}: no dates yet."
    first, last = dated[0], dated[-1]
    if len(traces) > 1:
        return (f"Line chart of {measure.lower()} for {len(traces)} series, from "
                f"{number(first[0])} to {number(last[0])}.")
    if len(dated) == 1:
        return f"Line chart of {measure.lower()} with one point: {number(first[1])} on " \
               f"{number(first[0])}."
    return (f"Line chart of {measure.lower()} at {len(dated)} dates, from {number(first[1])} "
            f"on {number(first[0])} to {number(last[1])} on {number(last[0])}.")


def _heatmap(fig: go.Figure, name: str, trace) -> ChartText:
    across = _axis_title(fig.layout.xaxis, "Column")
    down = _axis_title(fig.layout.yaxis, "Row")
    bar = trace.colorbar.title.text if trace.colorbar and trace.colorbar.title else None
    measure = plain(bar) or "Value"
    xs, ys = _seq(trace.x), _seq(trace.y)
    rows, known = [], []
    for i, line in enumerate(trace.z):
        for j, value in enumerate(line):
            row, column = plain(ys[i] if i < len(ys) else i), plain(xs[j] if j < len(xs) else j)
            shown = number(value) if _numeric(value) else "hidden"
            rows.append((row, column, shown))
            if _numeric(value):
                known.append((float(value), row, column))
    said = f"Heat map of {measure} for {len(ys)} rows by {len(xs)} columns"
    if known:
        low, high = min(known), max(known)
        said += (f": from {number(low[0])} ({low[1]}, {low[2]}) to {number(high[0])} "
                 f"({high[1]}, {high[2]})")
    hidden = len(rows) - len(known)
    if hidden:
        said += f"; {hidden} cell{'s' * (hidden != 1)} hidden"
    return ChartText(name, said + ".", (down, across, measure), tuple(rows))
