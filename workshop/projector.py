"""What the room's screen shows: the rules of the presenter view, without any widget.

The facilitator drives the projector from the console; the choice is stored on the session
(``settings.projector``: revealed or not, which group chart), so a presenter view on another
laptop follows it by polling the session's revision. This module decides what one look at
the session and its anonymised group puts on the screen: the join slide before the workshop
starts, the current phase while results are hidden, one group chart once they are revealed.

Nothing here ever reads participants' text: a chart comes only from
:class:`workshop.aggregate.Group`, which holds figures of groups at the anonymity threshold
or above, and a chart that cannot show yet says how many more people the whole room needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import plotly.graph_objects as go

from . import group_charts
from .aggregate import Group
from .content import content
from .model import Projector, Session
from .store import Store

CHARTS = (("states", "Where the room's relationships stand"),
          ("dimensions", "Average and spread per dimension"),
          ("heatmap", "Average rating by kind of relationship"),
          ("drift", "Drift from the wanted contact rhythm"),
          ("gaps", "Perception gaps on shared relationships"))
CHART_KEYS = tuple(key for key, _ in CHARTS)
TITLES = dict(CHARTS)


@dataclass(frozen=True)
class Slide:
    """One screenful: ``kind`` is ``join``, ``phase`` or ``chart``."""

    kind: str
    phase_title: str = ""
    phase_summary: str = ""
    chart: str | None = None
    chart_title: str = ""
    position: str = ""  # "Chart 2 of 5"


def slide(session: Session) -> Slide:
    """What the projector shows for ``session`` now (the chart itself: :func:`figure`)."""
    if session.current_phase is None:
        return Slide("join")
    phase = content().phase(session.current_phase)
    shown = session.settings.projector
    if not shown.revealed:
        return Slide("phase", phase.title, phase.summary)
    index = CHART_KEYS.index(shown.chart)
    return Slide("chart", phase.title, phase.summary, shown.chart, TITLES[shown.chart],
                 f"Chart {index + 1} of {len(CHART_KEYS)}")


def waiting_note(group: Group, chart: str) -> str:
    """Why ``chart`` cannot show yet ('' when it can): counted on the whole room, never on
    one group (see :meth:`workshop.aggregate.Group.waiting`)."""
    more = group.waiting()[chart]
    if more:
        return f"Waiting for {more} more {'person' if more == 1 else 'people'} to rate."
    if group.all_small()[chart]:
        return f"Every group here is still smaller than {group.threshold} people."
    return ""


def figure(group: Group, chart: str, height: int = 700) -> go.Figure:
    """``chart`` of ``group`` drawn for a projector: large type, no title of its own (the
    slide heads it), as tall as the screen allows."""
    fig = group_charts.untitled(_one(group, chart))
    fig.update_layout(height=height, font={"size": 24},
                      margin={"l": 20, "r": 20, "t": 20, "b": 20})
    fig.update_traces(textfont_size=24, selector={"type": "bar"})
    return fig


def _one(group: Group, chart: str) -> go.Figure:
    t, room = group.threshold, group.respondents
    if chart == "states":
        return group_charts.states_chart(group.states, t, room)
    if chart == "dimensions":
        return group_charts.dimensions_chart(group.dimensions, t, room)
    if chart == "heatmap":
        return group_charts.heatmap_chart(group.heatmap, t, room)
    if chart == "drift":
        return group_charts.drift_chart(group.drift, t, room)
    return group_charts.gaps_chart(group.gaps, t, group.shared_raters, room)


def stepped(projector: Projector, offset: int) -> Projector:
    """The chart ``offset`` places from the shown one (stays at the first and the last)."""
    index = min(max(CHART_KEYS.index(projector.chart) + offset, 0), len(CHART_KEYS) - 1)
    return projector.model_copy(update={"chart": CHART_KEYS[index]})


def set_projector(store: Store, session_id: str, **changes) -> Session:
    """Store what the projector shows (``revealed``, ``chart``); presenter views follow at
    their next poll. Unknown charts are refused by the model."""
    session = store.get_session(session_id)
    settings = session.settings
    shown = Projector.model_validate({**settings.projector.model_dump(), **changes})
    if shown == settings.projector:
        return session
    return store.update_session(session_id, settings=settings.model_copy(
        update={"projector": shown}))


def short_address(url: str) -> str:
    """A join link as people type it from a screen: no scheme, no query (the code is shown
    in large type beside it), e.g. ``workshop.example.org/voila/render/participant.ipynb``."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"
