"""The comparison chart: both sides' ratings of one relationship, per dimension.

A flat function in the way of :mod:`workshop.charts`: the wide frame of
:func:`workshop.comparison.side_by_side` in, a ``go.Figure`` out. Each side has its own colour
*and* marker symbol and its name in the legend and hover; a line joins the two ratings of a
dimension, and the dimensions with the biggest gaps are named in their axis label.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from .charts import MUTED, TEMPLATE, plot_text
from .comparison import biggest_gaps

MINE, THEIRS = ("#2a7f78", "circle"), ("#b5542f", "diamond")
NAME_WIDTH = 14  # dimension names wrap at about this many characters (phones)


def _wrapped(name: str) -> str:
    """A dimension name, escaped and wrapped onto short lines so the dots keep their room."""
    return "<br>".join(textwrap.wrap(plot_text(name), NAME_WIDTH)) or plot_text(name)


def comparison(data_frame: pd.DataFrame, me: str = "You", them: str = "Them",
               title: str = "Where you see it differently") -> go.Figure:
    """Both sides' 1-5 ratings per dimension.

    ``data_frame``: one row per dimension with ``name, mine, theirs, gap``. ``me`` and
    ``them`` name the two sides (a person's text: escaped here).
    """
    fig = go.Figure()
    big = set(biggest_gaps(data_frame)["name"]) if not data_frame.empty else set()
    labels = [f"<b>{_wrapped(n)} ⚑</b>" if n in big else _wrapped(n)
              for n in data_frame.get("name", [])]
    for label, mine, theirs in zip(labels, data_frame.get("mine", []),
                                   data_frame.get("theirs", []), strict=True):
        fig.add_trace(go.Scatter(x=[mine, theirs], y=[label, label], mode="lines",
                                 line={"color": MUTED, "width": 3}, hoverinfo="skip",
                                 showlegend=False))
    for (colour, symbol), side, column in ((MINE, me, "mine"), (THEIRS, them, "theirs")):
        name = plot_text(side, 30)
        fig.add_trace(go.Scatter(
            x=list(data_frame.get(column, [])), y=labels, mode="markers", name=name,
            marker={"color": colour, "symbol": symbol, "size": 16,
                    "line": {"color": "#ffffff", "width": 1.5}},
            hovertemplate=f"{name}: %{{x}} of 5<extra>%{{y}}</extra>"))
    rows = max(len(labels), 1)
    fig.update_layout(template=TEMPLATE, title={"text": plot_text(title)},
                      height=150 + 56 * rows, margin={"l": 8, "r": 24, "t": 48, "b": 96},
                      legend={"orientation": "h", "y": -0.14, "yanchor": "top", "x": 0},
                      showlegend=True)
    fig.update_xaxes(range=[0.6, 5.4], tickvals=[1, 2, 3, 4, 5], fixedrange=True,
                     title={"text": "1 drifting · 5 healthy", "font": {"size": 13}})
    fig.update_yaxes(autorange="reversed", automargin=True, fixedrange=True)
    if data_frame.empty:
        fig.add_annotation(text="Nothing to compare yet.", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5)
    return fig
