"""The team dashboard's figures: a session's portfolio month by month, states then and now,
and the resets in progress with how they went. Anonymised by the rule of
:mod:`workshop.anonymity`.

Data flows one way: :func:`team_data` reads the store once, drops everything personal
(relationship labels, names, free text) and keeps only records in shown cells: each
relationship's latest check-in per calendar month in a kind x month x state cell of at least
``threshold`` people (``monthly``), the same for kind x month x shared label (``shared``), and
reset plans in a kind x status x outcome cell of that size (``outcomes``). :func:`narrow`
then picks a kind and whole months, so every view is a union of shown cells and any two views
differ by whole shown cells only. Each ``*_frame`` function turns a view into a tidy frame;
each ``*_chart`` function draws one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from . import anonymity, charts, tidy
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
    history: pd.DataFrame  # HISTORY_COLUMNS, one row per check-in (never drawn as such)
    plans: pd.DataFrame  # PLAN_COLUMNS, one row per reset plan (never drawn as such)
    today: pd.Timestamp
    monthly: pd.DataFrame | None = None  # latest check-in per relationship and month, shown
    shared: pd.DataFrame | None = None  # the same for shared labels, shown cells only
    outcomes: pd.DataFrame | None = None  # plans with their outcome, shown cells only
    room: int = 0  # people with any check-in in the session (a head count, not narrowed)

    @property
    def threshold(self) -> int:
        return int(self.session.settings.anonymity_threshold)

    @property
    def kinds(self) -> list[str]:
        """Kinds with a shown cell: a kind of fewer than ``threshold`` people is not offered
        (offering it would say it exists)."""
        frames = [f["kind"] for f in (self.monthly, self.shared, self.outcomes)
                  if f is not None]
        return sorted(pd.concat(frames).dropna().unique()) if frames else []

    @property
    def respondents(self) -> int:
        """People behind the shown check-ins of this view."""
        return respondents(self.monthly)


def team_data(store: Store, code: str, today: date | None = None) -> TeamData:
    """The session with join code ``code``, as the dashboard may show it."""
    return session_team_data(store, store.find_session(code), today)


def session_team_data(store: Store, session: Session, today: date | None = None) -> TeamData:
    """:func:`team_data` for a session record (the share-token page has no join code)."""
    frames = tidy.load(store, session_id=session.id)
    shared = frames.relationships[["relationship_id", "shared_label"]]
    history = frames.history().merge(shared, on="relationship_id", how="left")
    owners = frames.relationships[["relationship_id", "participant_id", "kind"]]
    plans = frames.plans.merge(owners, on="relationship_id", how="inner")
    history = history.reindex(columns=HISTORY_COLUMNS)
    today = pd.Timestamp(today or date.today())
    return shown_cells(TeamData(session, history, plans.reindex(columns=PLAN_COLUMNS), today))


def shown_cells(data: TeamData) -> TeamData:
    """``data`` with ``monthly``, ``shared`` and ``outcomes`` kept to cells of ``threshold``
    people (rules 1 and 3 of :mod:`workshop.anonymity`)."""
    k, monthly = data.threshold, anonymity.monthly_latest(data.history)
    shown = anonymity.in_shown_cells(monthly, ["kind", "month", "state"], k)
    labelled = monthly.dropna(subset=["shared_label"])
    shared = anonymity.in_shown_cells(labelled, ["kind", "month", "shared_label"], k)
    outcomes = reset_outcomes(data.plans, data.history, as_of=data.today)
    outcomes = anonymity.in_shown_cells(outcomes, ["kind", "status", "outcome"], k)
    return replace(data, monthly=shown, shared=shared, outcomes=outcomes,
                   room=respondents(data.history))


def months(data: TeamData) -> list[pd.Timestamp]:
    """The calendar months a window may start or end on: the first check-in's to today's."""
    first = data.history["taken_at"].min() if len(data.history) else data.today
    return list(pd.period_range(first, data.today, freq="M").to_timestamp())


def narrow(data: TeamData, kind: str | None = None, start=None, end=None) -> TeamData:
    """Only relationships of ``kind`` (None: all) and check-ins from the month of ``start``
    to the month of ``end``: windows are whole months, so no two windows differ by part of
    a month's cell. Reset outcomes follow the kind only (they are not windowed)."""
    frames = {"history": data.history, "plans": data.plans, "monthly": data.monthly,
              "shared": data.shared, "outcomes": data.outcomes}
    if kind:
        frames = {name: f[f["kind"] == kind] for name, f in frames.items()}
    low = None if start is None else pd.Timestamp(start).to_period("M").to_timestamp()
    high = None if end is None else pd.Timestamp(end).to_period("M").to_timestamp()
    for name in ("history", "monthly", "shared"):
        frame = frames[name]
        when = frame["month"] if "month" in frame else anonymity.month(frame["taken_at"])
        keep = pd.Series(True, index=frame.index)
        if low is not None:
            keep &= when >= low
        if high is not None:
            keep &= when <= high
        frames[name] = frame[keep]
    return replace(data, **frames)


# -- tidy frames -----------------------------------------------------------------------------


def portfolio_frame(history: pd.DataFrame, end=None) -> pd.DataFrame:
    """The team's states month by month: one row per month x state, best state first.

    Each relationship counts once per month, in the state of its latest check-in that month
    (months are the time cells of :mod:`workshop.anonymity`). ``end`` is accepted for
    callers of the running version and ignored. Columns: ``at, state, name, relationships,
    share, respondents``; ``share`` is of the month's relationships.
    """
    columns = ["at", "state", "name", "relationships", "share", "respondents"]
    records = anonymity.monthly_latest(history)
    if records.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for at, known in records.groupby("month"):
        for state in content().states_shown:
            count = int((known["state"] == state.key).sum())
            rows.append((at, state.key, state.name, count, count / max(len(known), 1),
                         respondents(known)))
    return pd.DataFrame(rows, columns=columns)


def then_and_now_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Relationships per state in the first and in the latest month of ``history``.

    Each relationship counts with its latest check-in of that month. Columns: ``state, name,
    then, now, respondents`` in the content's display order.
    """
    records = anonymity.monthly_latest(history)
    first = records[records["month"] == records["month"].min()] if len(records) else records
    latest = records[records["month"] == records["month"].max()] if len(records) else records
    rows = [(s.key, s.name, int((first["state"] == s.key).sum()),
             int((latest["state"] == s.key).sum()), respondents(records))
            for s in content().states_shown]
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

    ``respondents`` counts the people behind each status x outcome cell.
    """
    rows = []
    for status in PLAN_STATUSES:
        for key, *_ in OUTCOMES:
            these = outcomes[(outcomes["status"] == status) & (outcomes["outcome"] == key)]
            rows.append((status, key, len(these), these["change"].mean() if len(these) else
                         float("nan"), respondents(these)))
    return pd.DataFrame(rows, columns=["status", "outcome", "resets", "mean_change",
                                       "respondents"])


def shared_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Average health of each shared relationship in its first and its latest month.

    Columns: ``shared_label, raters, then, now``; a label's ``raters`` is its respondents.
    """
    shared = anonymity.monthly_latest(history.dropna(subset=["shared_label"]))
    if shared.empty:
        return pd.DataFrame(columns=["shared_label", "raters", "then", "now"])
    rows = []
    for label, rows_of in shared.groupby("shared_label"):
        first = rows_of[rows_of["month"] == rows_of["month"].min()]["health"].mean()
        latest = rows_of[rows_of["month"] == rows_of["month"].max()]["health"].mean()
        rows.append((label, respondents(rows_of), first, latest))
    return pd.DataFrame(rows, columns=["shared_label", "raters", "then", "now"])


# -- charts ----------------------------------------------------------------------------------


def _styled(fig: go.Figure, title: str, height: int = 400) -> go.Figure:
    # The legend goes under the chart: above it, its rows grew into the title on a phone.
    fig.update_layout(template=charts.TEMPLATE, height=height,
                      title={"text": charts.tick_text(title, charts.TITLE_CHARS)},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3,
                              "yanchor": "top"},
                      margin={"t": max(fig.layout.margin.t or 0, 64), "b": 40})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def waiting_chart(title: str, more: int) -> go.Figure:
    """An empty chart saying how many more respondents it waits for."""
    noun = "person" if more == 1 else "people"
    return _note(title, f"Shown once {more} more {noun} have checked in (anonymity threshold).")


def _note(title: str, text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=charts.tick_text(text, 34, 5), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font={"color": charts.MUTED, "size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _styled(fig, title, height=220)


def _held_back(frame: pd.DataFrame, threshold: int, title: str,
               people: int | None = None) -> go.Figure | None:
    """None when ``frame`` has a row to show, else the note to draw instead.

    ``people`` is the session's head count: with it, the note never counts one group, it
    says how many more people the session needs, or that no group is big enough yet.
    """
    count = int(frame["respondents"].max()) if len(frame) else 0
    if count >= threshold:
        return None
    if people is None:
        return waiting_chart(title, waiting_for(count, threshold))
    return _nothing(title, threshold, people)


def _nothing(title: str, threshold: int, people: int) -> go.Figure:
    if people < threshold:
        return waiting_chart(title, waiting_for(people, threshold))
    return _note(title, f"No group of {threshold} or more people here yet (anonymity "
                        "threshold): smaller groups are left out of every figure.")


def portfolio_chart(frame: pd.DataFrame, threshold: int,
                    title: str = "The team's portfolio over time",
                    people: int | None = None) -> go.Figure:
    """Share of relationships in each state month by month (frame: :func:`portfolio_frame`).

    Months with fewer respondents than ``threshold`` are left out; each state has its own
    marker symbol as well as its colour.
    """
    if frame.empty and people is None:
        return _note(title, "No check-ins here yet.")
    held = _held_back(frame, threshold, title, people)
    if held is not None:
        return held
    shown = frame[frame["respondents"] >= threshold]
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
    fig.add_annotation(text=charts.tick_text(  # wrapped: it must fit 320 px
            f"Each month: every relationship's latest check-in. Groups of fewer than "
            f"{threshold} people are left out.", 34, 4),
            showarrow=False, x=0, y=1.0, xref="paper", yref="paper", xanchor="left",
            yanchor="bottom", align="left", font={"color": charts.MUTED, "size": 12})
    fig.update_layout(margin={"t": 128})
    return _styled(fig, title, height=540)


def then_and_now_chart(frame: pd.DataFrame, threshold: int,
                       title: str = "States then and now",
                       people: int | None = None) -> go.Figure:
    """Relationships per state in the first and latest month (frame:
    :func:`then_and_now_frame`)."""
    held = _held_back(frame, threshold, title, people)
    if held is not None:
        return held
    names = [charts.plot_text(n) for n in frame["name"]]
    colours = list(charts.state_look()["colour"])
    fig = go.Figure([
        go.Bar(name="Then (first month)", y=names, x=frame["then"], orientation="h",
               marker={"color": colours, "opacity": 0.45, "pattern": {"shape": "/"},
                       "line": {"color": charts.INK, "width": 1}},
               text=frame["then"], textposition="outside", cliponaxis=False,
               hovertemplate="%{y}, then: %{x} relationships<extra></extra>"),
        go.Bar(name="Now (latest month)", y=names, x=frame["now"], orientation="h",
               marker={"color": colours, "line": {"color": charts.INK, "width": 1}},
               text=frame["now"], textposition="outside", cliponaxis=False,
               hovertemplate="%{y}, now: %{x} relationships<extra></extra>")])
    fig.update_layout(barmode="group", legend={"traceorder": "normal"})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Relationships",
                     **charts.count_axis(max(frame["then"].max(), frame["now"].max(), 1)))
    return _styled(fig, title, height=460)


def resets_chart(frame: pd.DataFrame, threshold: int,
                 title: str = "Resets in progress and how they went",
                 people: int | None = None) -> go.Figure:
    """Resets per status, split by what health did after the meeting; a status x outcome
    cell of fewer than ``threshold`` people is not drawn.

    ``frame``: :func:`resets_frame`.
    """
    if frame["resets"].sum() == 0 and people is None:
        return _note(title, "No reset plans here yet.")
    held = _held_back(frame, threshold, title, people)
    if held is not None:
        return held
    small = frame["respondents"] < threshold
    frame = frame.assign(resets=frame["resets"].where(~small, 0),
                         mean_change=frame["mean_change"].where(~small))
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
    totals = frame.groupby("status")["resets"].sum()
    fig.update_xaxes(title="Reset plans", **charts.count_axis(max(totals.max(), 1)))
    return _styled(fig, title, height=360)


def shared_chart(frame: pd.DataFrame, threshold: int,
                 title: str = "Shared relationships: average health then and now",
                 people: int | None = None) -> go.Figure:
    """Each shared relationship rated by at least ``threshold`` people, in its first and its
    latest month.

    ``frame``: :func:`shared_frame`.
    """
    shown = frame[frame["raters"] >= threshold] if len(frame) else frame
    if shown.empty and people is not None:
        return _nothing(title, threshold, people)
    if frame.empty:
        return _note(title, "No shared relationships here.")
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
    fig.update_xaxes(title="Average health", range=[0, 100])  # 0-100 on the axis itself
    fig.update_yaxes(autorange="reversed")
    return _styled(fig, title, height=160 + 50 * len(shown))


def team_charts(data: TeamData) -> dict[str, go.Figure]:
    """Every dashboard chart for ``data`` (already narrowed), by name.

    Drawn from the shown cells only (``monthly``, ``outcomes``, ``shared``); the notes count
    the whole session's people, never one group.
    """
    k, people = data.threshold, data.room
    return {"portfolio": portfolio_chart(portfolio_frame(data.monthly), k, people=people),
            "then_and_now": then_and_now_chart(then_and_now_frame(data.monthly), k,
                                               people=people),
            "resets": resets_chart(resets_frame(data.outcomes), k, people=people),
            "shared": shared_chart(shared_frame(data.shared), k, people=people)}
