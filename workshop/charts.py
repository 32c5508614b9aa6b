"""A participant's charts, and the one place for the kit's look.

Each chart is a flat function: a tidy DataFrame in (columns documented on the function), a
``go.Figure`` out; nothing here reads the database or displays anything. Colour is never the
only code: every state also has its own marker symbol and its name in the hover and legend.

Text that a person typed (labels) is escaped before it reaches Plotly, whose labels accept a
little HTML; :func:`plot_text` is the one way in.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

from . import bidi
from .content import content

FONT = "'Source Sans 3', 'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, sans-serif"
INK, MUTED, GRID, PAPER = "#1f2a30", "#5c6b73", "#e3e7e4", "#ffffff"
ACCENT, HEALTHY_ZONE = "#2a7f78", "rgba(26, 152, 80, 0.14)"
HEALTHY_FROM = 4  # ratings of 4 and 5 are the healthy zone on the radar
LABEL_CHARS = 40
TICK_CHARS = 16  # an axis label's line, so a bar chart keeps its bars at 320 px
EMPTY_HINT = "Rate a relationship in the health check to see it here."

TEMPLATE = go.layout.Template(layout=go.Layout(
    font={"family": FONT, "size": 14, "color": INK},
    paper_bgcolor=PAPER, plot_bgcolor=PAPER, colorway=[ACCENT, "#e07a5f", "#3d5a80"],
    margin={"l": 48, "r": 16, "t": 48, "b": 44}, hoverlabel={"font": {"family": FONT}},
    xaxis={"gridcolor": GRID, "zerolinecolor": GRID}, yaxis={"gridcolor": GRID,
                                                             "zerolinecolor": GRID},
    legend={"orientation": "h", "y": -0.2}, title={"x": 0.02, "font": {"size": 17}},
))
CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def plot_text(text, limit: int | None = None) -> str:
    """``text`` made safe for a Plotly label or hover: direction controls removed (they
    would reverse the kit's words beside it), shortened, then HTML-escaped."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    text = bidi.neutral(text)
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    return html.escape(text, quote=False)


def tick_text(text, width: int = TICK_CHARS, lines: int = 2) -> str:
    """``text`` as a short axis label: broken into at most ``lines`` lines of about
    ``width`` characters, the last cut with "…" if it is longer still (the chart's hover
    keeps the whole text). Made safe like :func:`plot_text`."""
    words = bidi.neutral("" if text is None else str(text)).split()
    out: list[str] = []
    for word in words:
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    shown = out[:lines]
    if len(out) > lines:  # what does not fit goes on the last line, to be cut there
        shown[-1] = " ".join(out[lines - 1:])
    shown = [line if len(line) <= width else line[:width - 1].rstrip() + "…"
             for line in shown]
    return "<br>".join(html.escape(line, quote=False) for line in shown)


def count_axis(top: float) -> dict:
    """Axis settings for a count: whole-number ticks only (never 0.5 of a relationship),
    about five of them whatever the largest count ``top``."""
    step = 1
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        step = nice
        if top / nice <= 6:
            break
    return {"dtick": step, "tick0": 0, "tickformat": "d", "rangemode": "tozero"}


def state_look() -> pd.DataFrame:
    """One row per state in the content's display order (best first): ``state, name, colour,
    symbol, description``."""
    return pd.DataFrame([{"state": s.key, "name": s.name, "colour": s.colour,
                          "symbol": s.symbol, "description": s.description}
                         for s in content().states_shown])


TITLE_CHARS = 36  # a longer title takes two lines (with the 320 px font size, see reset.css)


def _styled(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    text = plot_text(title) if len(str(title)) <= TITLE_CHARS else tick_text(title, TITLE_CHARS)
    fig.update_layout(template=TEMPLATE, title={"text": text}, height=height)
    if "<br>" in text:  # room for the second line
        fig.update_layout(margin_t=max(fig.layout.margin.t or 0, 72))
    return fig


def _empty(title: str, hint: str = EMPTY_HINT) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=plot_text(hint), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font={"color": MUTED})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _styled(fig, title, height=260)


def radar(data_frame: pd.DataFrame, title: str = "Profile") -> go.Figure:
    """One relationship's latest ratings against the healthy zone.

    ``data_frame``: one row per dimension, columns ``dimension, rating`` (1-5), e.g. one
    relationship's rows of :meth:`workshop.tidy.Tidy.latest_ratings`.
    """
    if data_frame.empty:
        return _empty(title)
    names = {d.key: d.name for d in content().dimensions}
    order = [d for d in names if d in set(data_frame["dimension"])]
    order += [d for d in data_frame["dimension"].unique() if d not in order]
    ratings = data_frame.set_index("dimension")["rating"].reindex(order)
    theta = [tick_text(names.get(d) or content().dimension_for(d).name, 14)
             for d in order]
    fig = go.Figure()
    ring = [5] * len(theta) + [5] + [HEALTHY_FROM] * len(theta) + [HEALTHY_FROM]
    fig.add_trace(go.Scatterpolar(r=ring, theta=theta + theta[:1] + theta[::-1] + theta[-1:],
                                  fill="toself", fillcolor=HEALTHY_ZONE, mode="lines",
                                  line={"color": "rgba(26, 152, 80, 0.5)", "dash": "dot"},
                                  name="Healthy zone (4-5)", hoverinfo="skip"))
    fig.add_trace(go.Scatterpolar(r=list(ratings) + list(ratings[:1]), theta=theta + theta[:1],
                                  fill="toself", mode="lines+markers", name="Your rating",
                                  line={"color": ACCENT, "width": 3},
                                  marker={"symbol": "circle", "size": 8},
                                  hovertemplate="%{theta}: %{r} of 5<extra></extra>"))
    fig.update_layout(polar={"radialaxis": {"range": [0, 5], "tickvals": [1, 2, 3, 4, 5]},
                             "angularaxis": {"tickfont": {"size": 11}, "rotation": 90,
                                             "direction": "clockwise"},
                             "bgcolor": PAPER},
                      showlegend=True,  # under the chart, clear of the dimension names
                      legend={"orientation": "h", "x": 0.5, "xanchor": "center",
                              "y": -0.08, "yanchor": "top"},
                      margin={"l": 88, "r": 88, "t": 64, "b": 48})
    return _styled(fig, title)


def _marker_size(drift: float) -> float:
    return 12.0 if drift is None or pd.isna(drift) else 12.0 + 8.0 * min(float(drift), 3.0)


def _days(value) -> str:
    return "unknown" if value is None or pd.isna(value) else f"{int(value)}"


def portfolio(data_frame: pd.DataFrame, title: str = "Your relationships at a glance"
              ) -> go.Figure:
    """Importance against health; colour and symbol by state, size by drift.

    ``data_frame``: one row per relationship, columns ``relationship_id, label, importance,
    health, state, drift, days_since_contact`` (as :meth:`workshop.tidy.Tidy.scores` gives).
    """
    if data_frame.empty:
        return _empty(title)
    fig = go.Figure()
    for look in state_look().itertuples():
        rows = data_frame[data_frame["state"] == look.state]
        if rows.empty:
            continue
        custom = [[plot_text(r.label, LABEL_CHARS * 2), plot_text(look.name),
                   _days(r.days_since_contact)] for r in rows.itertuples()]
        fig.add_trace(go.Scatter(
            x=rows["health"], y=rows["importance"], mode="markers", name=plot_text(look.name),
            ids=list(rows["relationship_id"]), customdata=custom,
            marker={"color": look.colour, "symbol": look.symbol, "opacity": 0.9,
                    "size": [_marker_size(d) for d in rows["drift"]],
                    "line": {"color": INK, "width": 1}},
            hovertemplate=("<b>%{customdata[0]}</b><br>State: %{customdata[1]}<br>"
                           "Health: %{x:.0f} of 100<br>Importance: %{y} of 5<br>"
                           "Days since contact: %{customdata[2]}<extra></extra>")))
    fig.add_vline(x=50, line={"color": GRID, "dash": "dash"})
    fig.update_xaxes(title="Health (0-100)", range=[-5, 105])
    fig.update_yaxes(title="Importance (1-5)", range=[0.5, 5.5], tickvals=[1, 2, 3, 4, 5])
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.22},
                      margin={"b": 110})
    return _styled(fig, title, height=460)


def priority_ranking(data_frame: pd.DataFrame, title: str = "Where a reset matters most",
                     limit: int = 10) -> go.Figure:
    """Reset priority, highest first, each bar naming its state.

    ``data_frame``: columns ``relationship_id, label, priority, state`` (see
    :meth:`workshop.tidy.Tidy.scores`).
    """
    if data_frame.empty:
        return _empty(title)
    top = data_frame.sort_values("priority", ascending=False, kind="stable").head(limit)
    looks = state_look().set_index("state")
    top = top.iloc[::-1]  # plotly draws the first bar at the bottom
    names = [looks.loc[s, "name"] if s in looks.index else s for s in top["state"]]
    fig = go.Figure(go.Bar(
        x=top["priority"], y=list(top["relationship_id"]), orientation="h",
        marker={"color": [looks.loc[s, "colour"] if s in looks.index else MUTED
                          for s in top["state"]], "line": {"color": INK, "width": 1}},
        text=[plot_text(n) for n in names], textposition="none",  # named under each label
        customdata=[[plot_text(label, LABEL_CHARS * 2), plot_text(n)]
                    for label, n in zip(top["label"], names, strict=True)],
        hovertemplate=("<b>%{customdata[0]}</b><br>Reset priority: %{x:.0f} of 100<br>"
                       "State: %{customdata[1]}<extra></extra>")))
    fig.update_yaxes(tickvals=list(top["relationship_id"]), automargin=True,
                     ticktext=[f"{tick_text(label)}<br><span style='font-size:12px;color:"
                               f"{MUTED}'>{plot_text(n)}</span>"
                               for label, n in zip(top["label"], names, strict=True)])
    fig.update_xaxes(title="Reset priority", range=[0, 100])  # 0-100 on the axis itself
    fig.update_layout(margin={"l": 8, "r": 12})
    return _styled(fig, title, height=max(280, 100 + 58 * len(top)))


def state_counts(data_frame: pd.DataFrame, title: str = "How many in each state") -> go.Figure:
    """How many relationships are in each state, every state shown with its description.

    ``data_frame``: one row per relationship with a ``state`` column.
    """
    looks = state_look()
    counts = data_frame["state"].value_counts() if not data_frame.empty else pd.Series()
    looks["count"] = [int(counts.get(s, 0)) for s in looks["state"]]
    names = [plot_text(n) for n in looks["name"]]
    fig = go.Figure(go.Bar(  # lying down: the state names stay level and whole on a phone
        y=names, x=looks["count"], text=looks["count"], orientation="h",
        textposition="outside", cliponaxis=False,
        marker={"color": looks["colour"], "line": {"color": INK, "width": 1}},
        customdata=[plot_text(_wrap(d)) for d in looks["description"]],
        hovertemplate="<b>%{y}</b>: %{x}<br>%{customdata}<extra></extra>"))
    top = max(looks["count"].max(), 1)
    fig.update_xaxes(title="Relationships", **count_axis(top), range=[0, top * 1.15])
    fig.update_yaxes(autorange="reversed", tickvals=names, automargin=True,
                     ticktext=[tick_text(n, 12) for n in looks["name"]])
    fig.update_layout(margin={"l": 8, "r": 24})
    return _styled(fig, title, height=120 + 38 * len(names))


def _wrap(text: str, width: int = 60) -> str:
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def health_over_time(data_frame: pd.DataFrame, meetings: pd.DataFrame | None = None,
                     title: str = "Health over time") -> go.Figure:
    """One relationship's health at each check-in, reset meetings marked, state changes named.

    ``data_frame``: rows of :meth:`workshop.tidy.Tidy.history` for one relationship, columns
    ``taken_at, health, state``. ``meetings``: rows with a ``meeting_at`` column (plans).
    """
    if data_frame.empty:
        return _empty(title)
    looks = state_look().set_index("state")
    rows = data_frame.sort_values("taken_at", kind="stable")
    names = [looks.loc[s, "name"] if s in looks.index else s for s in rows["state"]]
    fig = go.Figure(go.Scatter(
        x=rows["taken_at"], y=rows["health"], mode="lines+markers", name="Health",
        line={"color": ACCENT, "width": 3}, customdata=[plot_text(n) for n in names],
        marker={"size": 13, "line": {"color": INK, "width": 1},
                "color": [looks.loc[s, "colour"] if s in looks.index else MUTED
                          for s in rows["state"]],
                "symbol": [looks.loc[s, "symbol"] if s in looks.index else "circle"
                           for s in rows["state"]]},
        hovertemplate="%{x|%d %b %Y}<br>Health: %{y:.0f}<br>%{customdata}<extra></extra>"))
    for change in _state_changes(rows["taken_at"], rows["health"], names):
        fig.add_annotation(**change, showarrow=True, arrowhead=2, ay=-36,
                           bgcolor="rgba(255,255,255,0.85)", font={"size": 12})
    for moment in _meeting_times(meetings):
        fig.add_vline(x=moment, line={"color": "#e07a5f", "dash": "dash"})
        fig.add_annotation(x=moment, y=1.02, yref="paper", text="Reset meeting",
                           showarrow=False, font={"size": 12, "color": "#b24a2f"})
    fig.update_yaxes(title="Health (0-100)", range=[0, 105])
    return _styled(fig, title, height=380)


def _state_changes(times, healths, names) -> list[dict]:
    changes, previous = [], None
    for moment, value, name in zip(times, healths, names, strict=True):
        if previous is not None and name != previous:
            changes.append({"x": moment, "y": value,
                            "text": f"{plot_text(previous)} → {plot_text(name)}"})
        previous = name
    return changes


def _meeting_times(meetings: pd.DataFrame | None) -> list[pd.Timestamp]:
    if meetings is None or meetings.empty or "meeting_at" not in meetings:
        return []
    return [pd.Timestamp(m) for m in meetings["meeting_at"].dropna()]


def mime_bundle(fig: go.Figure) -> dict:
    """The display data that JupyterLab's and Voilà's Plotly renderer draw (no FigureWidget)."""
    import json

    import plotly.io as pio
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["config"] = CONFIG
    return {"application/vnd.plotly.v1+json": spec,
            "text/plain": f"<Figure: {fig.layout.title.text or 'chart'}>"}
