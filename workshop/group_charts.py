"""Plotly charts of the anonymised group figures: tidy frame in, ``go.Figure`` out.

Each function takes a frame from :mod:`workshop.aggregate` and the session's ``threshold``.
The threshold is enforced here again: a row whose ``respondents`` (or ``raters``) is below it
is never drawn, and a chart with no row at the threshold comes back as an empty figure saying
how many more people the room needs, or that its groups are all still too small (the rule of
:mod:`workshop.anonymity`). Colour is never the only code: bars carry their
names and values, heat-map cells print their numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .aggregate import waiting_for, weakest_dimension
from .charts import LABEL_CHARS, MUTED, TEMPLATE, count_axis, plot_text, tick_text
from .content import content
from .model import KINDS
from .wording import plural

RATING_SCALE = "Blues"   # sequential and readable in grey; cells also print their values
GAP_SCALE = "Oranges"
HIDDEN = "hidden"


def _look(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title={"text": plot_text(title)}, height=height,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def untitled(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` without its title (and its room), for pages that head it themselves."""
    fig = go.Figure(fig)
    fig.update_layout(title=None, margin_t=max((fig.layout.margin.t or 50) - 40, 10))
    return fig


def _wrap(name: str, width: int = 11) -> str:
    """Break a (trusted, content-made) axis name into short lines for a heat map's top axis."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _heat_axes(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(side="top", tickangle=0)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin={"t": 110})
    return fig


def waiting_chart(title: str, more: int) -> go.Figure:
    """An empty chart that says how many more respondents it needs."""
    fig = go.Figure()
    noun = "respondent" if more == 1 else "respondents"
    fig.add_annotation(text=f"Waiting for {more} more {noun}", showarrow=False,
                       x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 18, "color": MUTED})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _look(fig, title, height=200)


def _counted(frame: pd.DataFrame, column: str = "respondents") -> int:
    return int(frame[column].max()) if len(frame) else 0


def too_small_chart(title: str, threshold: int) -> go.Figure:
    """An empty chart for a room big enough whose every group is still under the threshold."""
    fig = waiting_chart(title, 0)
    fig.layout.annotations[0].text = (f"Every group here has fewer than {threshold} people, "
                                      "so it stays hidden")
    return fig


def _nothing_shown(title: str, frame: pd.DataFrame, threshold: int, room: int | None,
                   column: str = "respondents") -> go.Figure:
    """What a chart with no shown row draws. With the room's head count ``room`` it never
    says how small one group is (see :mod:`workshop.anonymity`); without it, it counts from
    the frame as callers of the bare chart functions expect."""
    if room is None:
        return waiting_chart(title, waiting_for(_counted(frame, column), threshold))
    more = waiting_for(room, threshold)
    return waiting_chart(title, more) if more else too_small_chart(title, threshold)


def _shown(frame: pd.DataFrame, threshold: int, column: str = "respondents") -> pd.DataFrame:
    return frame[frame[column] >= threshold]


def states_chart(data_frame: pd.DataFrame, threshold: int,
                 respondents: int | None = None) -> go.Figure:
    """Relationships per state across the room (frame: :func:`aggregate.state_counts`)."""
    title = "Where the room's relationships stand"
    shown = _shown(data_frame, threshold)
    if shown.empty:
        return _nothing_shown(title, data_frame, threshold, respondents)
    look = {s.key: s for s in content().states}
    fig = go.Figure(go.Bar(
        x=shown["relationships"], y=shown["name"], orientation="h",
        customdata=[plural(int(n), "relationship") for n in shown["relationships"]],
        marker={"color": [look[k].colour for k in shown["state"]],
                "line": {"color": "#333333", "width": 1}},
        text=[f"{n} ({share:.0%})" for n, share in zip(shown["relationships"], shown["share"],
                                                       strict=True)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{customdata}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", tickvals=list(shown["name"]),  # wrapped, not cut
                     ticktext=[tick_text(n, 12) for n in shown["name"]])
    top = max(shown["relationships"].max(), 1) * 1.25
    fig.update_xaxes(title="relationships", range=[0, top], **count_axis(top))
    return _look(fig, title)


def dimensions_chart(data_frame: pd.DataFrame, threshold: int,
                     respondents: int | None = None) -> go.Figure:
    """Average rating per dimension with its spread (+/- one standard deviation).

    The lowest average is marked "weakest" in words as well as by its marker.
    """
    title = "Average and spread per dimension (1-5)"
    shown = _shown(data_frame, threshold).dropna(subset=["mean"])
    if shown.empty:
        return _nothing_shown(title, data_frame, threshold, respondents)
    lowest = weakest_dimension(shown)
    weakest = None if lowest is None else lowest.name
    labels = [f"{m:.1f} ± {s:.1f}" + ("  weakest" if i == weakest else "")
              for i, m, s in zip(shown.index, shown["mean"], shown["std"], strict=True)]
    fig = go.Figure(go.Scatter(
        x=shown["mean"], y=shown["name"], mode="markers+text",
        error_x={"type": "data", "array": shown["std"], "thickness": 2, "width": 6},
        marker={"size": 14, "color": ["#b2182b" if i == weakest else "#2166ac"
                                      for i in shown.index],
                "symbol": ["diamond" if i == weakest else "circle" for i in shown.index]},
        text=labels, textposition="top center",
        hovertemplate="%{y}: average %{x:.2f}<extra></extra>"))
    fig.update_xaxes(range=[0.5, 5.5], dtick=1, title="rating")
    fig.update_yaxes(autorange="reversed")
    return _look(fig, title, height=120 + 48 * len(shown))


def heatmap_chart(data_frame: pd.DataFrame, threshold: int,
                  respondents: int | None = None) -> go.Figure:
    """Average rating per relationship kind x dimension; cells below the threshold hidden."""
    title = "Average rating by kind of relationship"
    if _shown(data_frame, threshold).empty:
        return _nothing_shown(title, data_frame, threshold, respondents)
    frame = data_frame.assign(
        mean=data_frame["mean"].where(data_frame["respondents"] >= threshold))
    names = list(dict.fromkeys(frame["name"]))
    grid = frame.pivot(index="kind", columns="name", values="mean").reindex(columns=names)
    kinds = [k for k in KINDS if k in grid.index]
    grid = grid.reindex(index=kinds + [k for k in grid.index if k not in kinds])
    text = [[HIDDEN if np.isnan(v) else f"{v:.1f}" for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=[_wrap(n) for n in names], y=list(grid.index), zmin=1, zmax=5,
        colorscale=RATING_SCALE, text=text, texttemplate="%{text}", hoverongaps=False,
        colorbar={"title": "rating"},
        hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>"))
    return _heat_axes(_look(fig, title, height=200 + 44 * len(grid)))


def drift_chart(data_frame: pd.DataFrame, threshold: int,
                respondents: int | None = None) -> go.Figure:
    """How far relationships have drifted from the contact rhythm people want."""
    title = "Drift: time since last contact against the wanted rhythm"
    shown = _shown(data_frame, threshold)
    if shown.empty:
        return _nothing_shown(title, data_frame, threshold, respondents)
    fig = go.Figure(go.Bar(
        x=shown["band"], y=shown["relationships"], marker={"color": "#5e3c99"},
        text=[f"{n} ({s:.0%})" for n, s in zip(shown["relationships"], shown["share"],
                                                       strict=True)],
        textposition="outside", cliponaxis=False,
        customdata=[plural(int(n), "relationship") for n in shown["relationships"]],
        hovertemplate="%{x}: %{customdata}<extra></extra>"))
    fig.update_yaxes(title="relationships", **count_axis(shown["relationships"].max()))
    return _look(fig, title)


def gaps_chart(data_frame: pd.DataFrame, threshold: int, shared_raters: int = 0,
               respondents: int | None = None) -> go.Figure:
    """Perception gap (highest minus lowest rating) per shared relationship and dimension.

    ``shared_raters`` is the most people behind any one shared label, for the waiting count.
    Shared labels are people's own words: they are escaped so Plotly shows them literally
    (Plotly would otherwise read ``<b>``, ``<a>`` and the like as markup).
    """
    title = "Perception gaps on shared relationships (0 = all agree, 4 = opposite ends)"
    shown = _shown(data_frame, threshold, "raters")
    if shown.empty and respondents is not None:
        return _nothing_shown(title, data_frame, threshold, respondents)
    if shown.empty:
        return waiting_chart(title, waiting_for(max(shared_raters, _counted(data_frame, "raters")),
                                                threshold))
    order = [d.name for d in content().dimensions]
    names = sorted(shown["name"].unique(), key=lambda n: order.index(n) if n in order else 99)
    rows = shown.assign(row=shown["shared_label"].map(lambda t: plot_text(t, LABEL_CHARS)) + " ("
                        + shown["raters"].astype(str) + " raters)")
    grid = rows.pivot(index="row", columns="name", values="gap").reindex(columns=names)
    text = [["" if np.isnan(v) else f"{v:.0f}" for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=[_wrap(n) for n in names], y=list(grid.index), zmin=0, zmax=4,
        colorscale=GAP_SCALE, text=text, texttemplate="%{text}", hoverongaps=False,
        colorbar={"title": "gap"}, hovertemplate="%{y} / %{x}: gap %{z}<extra></extra>"))
    return _heat_axes(_look(fig, title, height=200 + 44 * len(grid)))


def group_charts(group, only=None) -> dict[str, go.Figure]:
    """Every group chart of an :class:`aggregate.Group` by name (those named in ``only``)."""
    t, room = group.threshold, group.respondents
    makers = {"states": lambda: states_chart(group.states, t, room),
              "dimensions": lambda: dimensions_chart(group.dimensions, t, room),
              "heatmap": lambda: heatmap_chart(group.heatmap, t, room),
              "drift": lambda: drift_chart(group.drift, t, room),
              "gaps": lambda: gaps_chart(group.gaps, t, group.shared_raters, room)}
    return {key: make() for key, make in makers.items() if only is None or key in only}
