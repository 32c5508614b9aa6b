"""The team dashboard's figures: a session's portfolio over time, states then and now, and
the resets in progress with how they went. Anonymised throughout.

Data flows one way: :func:`team_data` reads the store once and drops everything personal
(relationship labels, names, free text); :func:`narrow` filters by kind and check-in date;
each ``*_frame`` function turns that into a tidy frame with a ``respondents`` count; each
``*_chart`` function draws one frame and holds back any group smaller than the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from . import charts, tidy
from .aggregate import respondents, waiting_for
from .content import content
from .model import PLAN_STATUSES, Session
from .store import Store

HISTORY_COLUMNS = ["checkin_id", "relationship_id", "participant_id", "kind", "shared_label",
                   "taken_at", "health", "state"]
PLAN_COLUMNS = ["plan_id", "relationship_id", "participant_id", "kind", "status", "meeting_at"]
CHANGE_POINTS = 5  # a reset "moved" health when it changed by at least this many points
OUTCOMES = (("up", "Health up", "#1a9850", ""), ("same", "About the same", "#8c96a6", "."),
            ("down", "Health down", "#b2182b", "x"), ("pending", "Too early to tell", "#d9d9d9",
                                                       "/"))
STATUS_NAMES = {"planned": "Planned", "met": "Met", "reconnected": "Reconnected",
                "paused": "Paused"}


@dataclass(frozen=True)
class TeamData:
    """One session's check-ins and reset plans, with nothing that names anyone."""

    session: Session
    history: pd.DataFrame  # HISTORY_COLUMNS, one row per check-in
    plans: pd.DataFrame  # PLAN_COLUMNS, one row per reset plan
    today: pd.Timestamp

    @property
    def threshold(self) -> int:
        return int(self.session.settings.anonymity_threshold)

    @property
    def kinds(self) -> list[str]:
        return sorted(self.history["kind"].dropna().unique())

    @property
    def respondents(self) -> int:
        return respondents(self.history)


def team_data(store: Store, code: str, today: date | None = None) -> TeamData:
    """The session with join code ``code``, as the dashboard may show it."""
    session = store.find_session(code)
    frames = tidy.load(store, session_id=session.id)
    shared = frames.relationships[["relationship_id", "shared_label"]]
    history = frames.history().merge(shared, on="relationship_id", how="left")
    owners = frames.relationships[["relationship_id", "participant_id", "kind"]]
    plans = frames.plans.merge(owners, on="relationship_id", how="inner")
    return TeamData(session, history.reindex(columns=HISTORY_COLUMNS),
                    plans.reindex(columns=PLAN_COLUMNS),
                    pd.Timestamp(today or date.today()))


def narrow(data: TeamData, kind: str | None = None, start=None, end=None) -> TeamData:
    """Only relationships of ``kind`` (None: all) and check-ins from ``start`` to ``end``."""
    history, plans = data.history, data.plans
    if kind:
        history, plans = history[history["kind"] == kind], plans[plans["kind"] == kind]
    taken = history["taken_at"].dt.normalize()
    if start is not None:
        history = history[taken >= pd.Timestamp(start)]
        taken = history["taken_at"].dt.normalize()
    if end is not None:
        history = history[taken <= pd.Timestamp(end).normalize()]
    return replace(data, history=history, plans=plans)


# -- tidy frames -----------------------------------------------------------------------------


def _latest(history: pd.DataFrame, at: pd.Timestamp | None = None) -> pd.DataFrame:
    rows = history if at is None else history[history["taken_at"] <= at]
    return rows.sort_values("taken_at", kind="stable").groupby("relationship_id").tail(1)


def portfolio_frame(history: pd.DataFrame, end=None) -> pd.DataFrame:
    """The team's states at the end of each month (and at ``end``): one row per month x state.

    Each relationship counts in the state of its latest check-in up to that moment.
    Columns: ``at, state, name, relationships, share, respondents``.
    """
    columns = ["at", "state", "name", "relationships", "share", "respondents"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    first = history["taken_at"].min()
    last = _end_of_day(end) if end is not None else history["taken_at"].max()
    moments = [*pd.date_range(first, last, freq="ME", normalize=True)]
    moments = [m + pd.Timedelta(hours=23, minutes=59) for m in moments if m < last.normalize()]
    rows = []
    for at in [*moments, last]:
        known = _latest(history, at)
        for state in content().states:
            count = int((known["state"] == state.key).sum())
            rows.append((at, state.key, state.name, count, count / max(len(known), 1),
                         respondents(known)))
    return pd.DataFrame(rows, columns=columns)


def _end_of_day(day) -> pd.Timestamp:
    return pd.Timestamp(day).normalize() + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)


def then_and_now_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Relationships per state at their first and at their latest check-in in ``history``.

    Columns: ``state, name, then, now, respondents`` in the content's state order.
    """
    ordered = history.sort_values("taken_at", kind="stable").groupby("relationship_id")
    first, latest = ordered.head(1), ordered.tail(1)
    rows = [(s.key, s.name, int((first["state"] == s.key).sum()),
             int((latest["state"] == s.key).sum()), respondents(history))
            for s in content().states]
    return pd.DataFrame(rows, columns=["state", "name", "then", "now", "respondents"])


def reset_outcomes(plans: pd.DataFrame, history: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """How each reset went: health at the last check-in before its meeting and the latest after.

    ``outcome`` is ``up``/``down`` when health moved by at least :data:`CHANGE_POINTS`,
    ``same`` when it moved less, ``pending`` when there is no check-in on both sides of a
    meeting that has happened (or no meeting yet). Columns: the plan's, then
    ``health_before, health_after, change, outcome``.
    """
    as_of = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now())
    rows = []
    for plan in plans.itertuples(index=False):
        mine = history[history["relationship_id"] == plan.relationship_id]
        meeting = plan.meeting_at
        before = after = float("nan")
        if not pd.isna(meeting) and meeting <= as_of:
            earlier, later = mine[mine["taken_at"] <= meeting], mine[mine["taken_at"] > meeting]
            before = _last_health(earlier)
            after = _last_health(later)
        rows.append((before, after))
    out = plans.reset_index(drop=True).copy()
    out[["health_before", "health_after"]] = pd.DataFrame(
        rows, columns=["health_before", "health_after"], dtype=float)
    out["change"] = out["health_after"] - out["health_before"]
    out["outcome"] = out["change"].map(_outcome)
    return out


def _last_health(checkins: pd.DataFrame) -> float:
    if checkins.empty:
        return float("nan")
    return float(checkins.sort_values("taken_at", kind="stable")["health"].iloc[-1])


def _outcome(change: float) -> str:
    if pd.isna(change):
        return "pending"
    if change >= CHANGE_POINTS:
        return "up"
    return "down" if change <= -CHANGE_POINTS else "same"


def resets_frame(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Resets per status and outcome: ``status, outcome, resets, mean_change, respondents``.

    ``respondents`` counts the people behind all the resets shown, so the chart is held
    back as a whole or shown as a whole.
    """
    rows = []
    for status in PLAN_STATUSES:
        for key, *_ in OUTCOMES:
            these = outcomes[(outcomes["status"] == status) & (outcomes["outcome"] == key)]
            rows.append((status, key, len(these), these["change"].mean() if len(these) else
                         float("nan"), respondents(outcomes)))
    return pd.DataFrame(rows, columns=["status", "outcome", "resets", "mean_change",
                                       "respondents"])


def shared_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Average health of each shared relationship at first and latest check-in, per rater.

    Columns: ``shared_label, raters, then, now``; a label's ``raters`` is its respondents.
    """
    shared = history.dropna(subset=["shared_label"]).sort_values("taken_at", kind="stable")
    if shared.empty:
        return pd.DataFrame(columns=["shared_label", "raters", "then", "now"])
    ordered = shared.groupby("relationship_id")
    first = ordered.head(1).groupby("shared_label")["health"].mean()
    latest = ordered.tail(1).groupby("shared_label")["health"].mean()
    raters = shared.groupby("shared_label")["participant_id"].nunique()
    frame = pd.DataFrame({"raters": raters, "then": first, "now": latest})
    return frame.rename_axis("shared_label").reset_index()


# -- charts ----------------------------------------------------------------------------------


def _styled(fig: go.Figure, title: str, height: int = 400) -> go.Figure:
    fig.update_layout(template=charts.TEMPLATE, height=height,
                      title={"text": charts.plot_text(title), "y": 0.98, "yanchor": "top"},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0,
                              "yanchor": "bottom"}, margin={"t": 96})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def waiting_chart(title: str, more: int) -> go.Figure:
    """An empty chart saying how many more respondents it waits for."""
    noun = "person" if more == 1 else "people"
    return _note(title, f"Shown once {more} more {noun} have checked in (anonymity threshold).")


def _note(title: str, text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=charts.plot_text(text), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font={"color": charts.MUTED, "size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _styled(fig, title, height=220)


def _held_back(frame: pd.DataFrame, threshold: int, title: str) -> go.Figure | None:
    count = int(frame["respondents"].max()) if len(frame) else 0
    return None if count >= threshold else waiting_chart(title, waiting_for(count, threshold))


def portfolio_chart(frame: pd.DataFrame, threshold: int,
                    title: str = "The team's portfolio over time") -> go.Figure:
    """Share of relationships in each state over time (frame: :func:`portfolio_frame`).

    Moments with fewer respondents than ``threshold`` are left out; each state has its own
    marker symbol as well as its colour.
    """
    if frame.empty:
        return _note(title, "No check-ins here yet.")
    shown = frame[frame["respondents"] >= threshold]
    if shown.empty:
        return waiting_chart(title, waiting_for(int(frame["respondents"].max()), threshold))
    fig = go.Figure()
    for look in charts.state_look().itertuples():
        rows = shown[shown["state"] == look.state]
        fig.add_trace(go.Scatter(
            x=rows["at"], y=rows["share"] * 100, name=charts.plot_text(look.name),
            mode="lines+markers", customdata=rows[["relationships", "respondents"]],
            line={"color": look.colour, "width": 2.5},
            marker={"symbol": look.symbol, "size": 10, "color": look.colour,
                    "line": {"color": charts.INK, "width": 1}},
            hovertemplate=(f"<b>{charts.plot_text(look.name)}</b><br>%{{x|%d %b %Y}}: "
                           "%{y:.0f}% (%{customdata[0]} relationships, "
                           "%{customdata[1]} people)<extra></extra>")))
    fig.update_yaxes(title="Share of relationships (%)", rangemode="tozero")
    moments = shown["at"].drop_duplicates().sort_values()
    fig.update_xaxes(type="date", tickformat="%d %b %Y",
                     range=[moments.iloc[0] - pd.Timedelta(days=20),
                            moments.iloc[-1] + pd.Timedelta(days=20)])
    held = frame.loc[frame["respondents"] < threshold, "at"].nunique()
    if held:
        fig.add_annotation(text=charts.plot_text(
            f"{held} earlier month(s) held back: fewer than {threshold} people had checked in."),
            showarrow=False, x=0, y=-0.16, xref="paper", yref="paper", xanchor="left",
            font={"color": charts.MUTED, "size": 12})
    return _styled(fig, title, height=430)


def then_and_now_chart(frame: pd.DataFrame, threshold: int,
                       title: str = "States then and now") -> go.Figure:
    """Relationships per state at first and latest check-in (frame: :func:`then_and_now_frame`)."""
    held = _held_back(frame, threshold, title)
    if held is not None:
        return held
    names = [charts.plot_text(n) for n in frame["name"]]
    colours = list(charts.state_look()["colour"])
    fig = go.Figure([
        go.Bar(name="Then (first check-in)", y=names, x=frame["then"], orientation="h",
               marker={"color": colours, "opacity": 0.45, "pattern": {"shape": "/"},
                       "line": {"color": charts.INK, "width": 1}},
               text=frame["then"], textposition="outside", cliponaxis=False,
               hovertemplate="%{y}, then: %{x} relationships<extra></extra>"),
        go.Bar(name="Now (latest check-in)", y=names, x=frame["now"], orientation="h",
               marker={"color": colours, "line": {"color": charts.INK, "width": 1}},
               text=frame["now"], textposition="outside", cliponaxis=False,
               hovertemplate="%{y}, now: %{x} relationships<extra></extra>")])
    fig.update_layout(barmode="group", legend={"traceorder": "normal"})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Relationships")
    return _styled(fig, title, height=460)


def resets_chart(frame: pd.DataFrame, threshold: int,
                 title: str = "Resets in progress and how they went") -> go.Figure:
    """Resets per status, split by what health did after the meeting.

    ``frame``: :func:`resets_frame`.
    """
    if frame["resets"].sum() == 0:
        return _note(title, "No reset plans here yet.")
    held = _held_back(frame, threshold, title)
    if held is not None:
        return held
    fig = go.Figure()
    for key, name, colour, pattern in OUTCOMES:
        rows = frame[frame["outcome"] == key]
        fig.add_trace(go.Bar(
            name=name, y=[STATUS_NAMES[s] for s in rows["status"]], x=rows["resets"],
            orientation="h", text=[n or "" for n in rows["resets"]], textposition="inside",
            insidetextanchor="middle",
            marker={"color": colour, "line": {"color": charts.INK, "width": 1},
                    "pattern": {"shape": pattern, "fillmode": "overlay", "size": 9,
                                "fgcolor": "rgba(255, 255, 255, 0.45)"}},
            textfont={"color": "#ffffff" if key in ("up", "down") else charts.INK,
                      "size": 15},
            customdata=rows["mean_change"].round(0).fillna(0),
            hovertemplate=(f"%{{y}}, {name.lower()}: %{{x}} resets<br>"
                           "average change %{customdata:+.0f} health points<extra></extra>")))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Reset plans")
    return _styled(fig, title, height=360)


def shared_chart(frame: pd.DataFrame, threshold: int,
                 title: str = "Shared relationships: average health then and now") -> go.Figure:
    """Each shared relationship rated by at least ``threshold`` people, then and now.

    ``frame``: :func:`shared_frame`.
    """
    if frame.empty:
        return _note(title, "No shared relationships here.")
    shown = frame[frame["raters"] >= threshold]
    if shown.empty:
        most = int(frame["raters"].max()) if len(frame) else 0
        return waiting_chart(title, waiting_for(most, threshold))
    labels = [charts.plot_text(label, charts.LABEL_CHARS) for label in shown["shared_label"]]
    fig = go.Figure()
    for column, name, symbol, colour in (("then", "Then", "circle-open", charts.MUTED),
                                         ("now", "Now", "diamond", charts.ACCENT)):
        fig.add_trace(go.Scatter(
            x=shown[column], y=labels, name=name, mode="markers",
            marker={"symbol": symbol, "size": 14, "color": colour,
                    "line": {"color": colour, "width": 2}},
            customdata=shown["raters"],
            hovertemplate=f"%{{y}}, {name.lower()}: %{{x:.0f}} (%{{customdata}} raters)"
                          "<extra></extra>"))
    for row, label in zip(shown.itertuples(), labels, strict=True):
        fig.add_shape(type="line", x0=row.then, x1=row.now, y0=label, y1=label,
                      line={"color": charts.GRID, "width": 4}, layer="below")
    fig.update_xaxes(title="Average health (0-100)", range=[0, 100])
    fig.update_yaxes(autorange="reversed")
    return _styled(fig, title, height=160 + 50 * len(shown))


def team_charts(data: TeamData) -> dict[str, go.Figure]:
    """Every dashboard chart for ``data`` (already narrowed), by name."""
    history, threshold = data.history, data.threshold
    outcomes = reset_outcomes(data.plans, data.history, as_of=data.today)
    return {"portfolio": portfolio_chart(portfolio_frame(history, data.today), threshold),
            "then_and_now": then_and_now_chart(then_and_now_frame(history), threshold),
            "resets": resets_chart(resets_frame(outcomes), threshold),
            "shared": shared_chart(shared_frame(history), threshold)}
