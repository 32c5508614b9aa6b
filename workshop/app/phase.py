"""The phase banner: the workshop's current phase and its time left, on every participant page.

:class:`PhaseBanner` polls the session's phase columns (one tiny query every half second,
through a :class:`~workshop.probe.PhaseProbe`; the session itself is read, and the banner
redrawn, only when they changed); when the facilitator moves the
session to another phase it calls its ``on_phase`` listeners, so the participant app can move
along too. Nothing else of the app is needed to use it.

The time left is counted by the page (:class:`~workshop.app.countdown.Countdown`): between two
phase changes the banner sends the page nothing at all.

The listeners are not called from the polling task itself but from a message the page sends
back (a browser-side ``jsdlink`` echoes a counter): output a listener prints into an
``Output`` widget, such as a chart drawn by the step it opens, reaches the page only when the
kernel is answering a message from that page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import ipywidgets as widgets

from ..content import content
from ..model import Session
from .chart_slot import replace_children
from .components import classed, dom_classes, esc, html, log
from .ticker import Ticker

LEVELS = ("idle", "running", "ending", "over")
TIMER_STYLE = """<style>
.rr-timer { font-weight: 700; padding: 2px 10px; border-radius: 8px; background: #e8eeeb;
  white-space: nowrap; }
.rr-timer.rr-timer-ending { background: #fdd36a; color: #3d2c00; }
.rr-timer.rr-timer-over { background: #b2182b; color: #fff; }
.rr-phase-banner .rr-timer { font-size: 20px; }
.rr-phase-head { flex-wrap: wrap; gap: 4px 12px; align-items: center; }
.rr-phase-head .rr-phase-title { flex: 1 1 12em; min-width: 0; }
.rr-phase-head .rr-countdown { flex: 0 0 auto; max-width: 100%; }
</style>"""


# An empty Plotly chart, kept invisible in the banner: the page loads its Plotly renderer now,
# while the person reads, rather than when everyone is moved to a step full of charts at once.
PLOTLY_PRELOAD = {"output_type": "display_data", "metadata": {},
                  "data": {"application/vnd.plotly.v1+json": {"data": [], "layout": {
                      "height": 10, "xaxis": {"visible": False}, "yaxis": {"visible": False}}},
                      "text/plain": "<Figure>"}}


class PhaseBanner(widgets.VBox):
    """Current phase, time left (turning amber near the end, red when over) and its summary."""

    def __init__(self, store, session_id: str, seconds: float = 0.5, start: bool = True):
        self.store, self.session_id = store, session_id
        self.title = html("", "rr-phase-title")
        from .countdown import Countdown  # anywidget: only once someone has joined
        self.timer = Countdown("rr-phase-timer")
        self.summary = html("", "rr-phase-summary", "rr-hint")
        self.preload = widgets.Output(layout=widgets.Layout(height="0px", overflow="hidden",
                                                            visibility="hidden"))
        self.preload.outputs = (PLOTLY_PRELOAD,)
        self.head = widgets.HBox([self.title, self.timer], **dom_classes("rr-phase-head"),
                                 layout=widgets.Layout(width="100%",
                                                       justify_content="space-between"))
        super().__init__([self.head,
                          self.summary, html(TIMER_STYLE), self.preload],
                         layout=widgets.Layout(width="100%"))
        classed(self, "rr-phase-banner", "rr-card")
        self.session: Session | None = None
        self.probe, self._stamp = store.phase_probe(session_id), None
        self._listeners: list[Callable[[str | None], None]] = []
        self.moves, self.echo = widgets.IntText(0), widgets.IntText(0)
        self._echo_link = widgets.jsdlink((self.moves, "value"), (self.echo, "value"))
        self.echo.observe(lambda _: self._tell(), "value")
        self.ticker = Ticker(seconds, self.refresh)
        self.refresh()
        if start:
            self.ticker.start()

    @property
    def phase(self) -> str | None:
        return self.session.current_phase if self.session else None

    def on_phase(self, callback: Callable[[str | None], None]) -> None:
        """Call ``callback(phase_key)`` whenever the facilitator moves to another phase."""
        self._listeners.append(callback)

    def refresh(self) -> None:
        """Read the session again and redraw only when its phase, clock or status changed
        (one tiny query a poll); if the phase changed, ask the page to echo."""
        before = self.phase
        stamp = self.probe.read()
        if self.session is not None and stamp == self._stamp:
            return
        self.session, self._stamp = self.store.get_session(self.session_id), stamp
        self.draw()
        if self.phase != before:
            self.moves.value += 1  # the page's link copies it into ``echo``: see _tell

    def _tell(self) -> None:
        for callback in self._listeners:
            try:
                callback(self.phase)
            except Exception:  # one listener failing must not stop the banner
                log.exception("phase listener failed")

    def draw(self) -> None:
        """Bring title, countdown and summary up to date; a part that did not change sends
        nothing to the page."""
        self.timer.follow(self.session)
        if self.phase is None:
            self.title.value = "<strong>The workshop has not started yet</strong>"
            self.summary.value = ""
            return
        phase = content().phase(self.phase)
        self.title.value = f"<strong>Now: {esc(phase.title)}</strong>"
        self.summary.value = esc(phase.summary)

    def close(self) -> None:
        self.ticker.stop()
        self.probe.close()
        for widget in (self._echo_link, self.moves, self.echo, self.timer, self.head):
            widget.close()
        super().close()


# Where the participant app goes when the facilitator moves to a phase (None: stay put).
STEP_FOR_PHASE = {"why": None, "inventory": "stock", "health_check": "health", "map": "map",
                  "choose": "map", "plan": "plan", "commit": "leave", "faq": None}


WARM_MODULES = ("workshop.tidy", "workshop.charts", "workshop.app.health",
                "workshop.app.map_view", "workshop.app.plan_view")


def _warm_steps() -> list[Callable[[], object]]:
    import importlib

    def figure() -> None:
        import plotly.graph_objects as go

        from ..charts import mime_bundle
        mime_bundle(go.Figure([go.Scatter(x=[1], y=[1]), go.Bar(x=[1], y=[1]),
                               go.Scatterpolar(r=[1], theta=["a"])]))
    return [*(lambda n=name: importlib.import_module(n) for name in WARM_MODULES), figure]


async def warm_up(pause: float = 0.3) -> None:
    """Load what the later steps need, one piece at a time on the kernel's own loop (the
    page stays responsive between pieces), then serialise one small figure of each trace type
    the participant charts use: a step the facilitator moves everyone to then opens quickly.
    It runs on the loop rather than in a thread so it never races the app's own imports."""
    for step in _warm_steps():
        await asyncio.sleep(pause)
        try:
            step()
        except Exception:  # only a speed-up: the steps load what they need anyway
            log.exception("warm-up failed")
            return


def follow_phases(app, store, session_id: str) -> PhaseBanner:
    """Show a :class:`PhaseBanner` under ``app``'s header and move ``app`` with each phase.

    ``app`` is the participant app: it has ``header``, ``current``, ``show(step)`` and
    ``step_for_phase(phase)`` (where a phase takes this person; None: stay put).
    """
    banner = PhaseBanner(store, session_id)
    Ticker.soon(warm_up())

    def move(phase: str | None) -> None:
        step = app.step_for_phase(phase)
        if step and app.current != step:
            app.show(step)

    banner.on_phase(move)
    for old in [c for c in app.children if isinstance(c, PhaseBanner)]:
        old.close()
    replace_children(app, [c for c in app.children if not isinstance(c, PhaseBanner)])
    position = list(app.children).index(app.header) + 1  # (the step below keeps live charts)
    replace_children(app, [*app.children[:position], banner, *app.children[position:]])
    return banner
