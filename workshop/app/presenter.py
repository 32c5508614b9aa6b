"""The presenter view: the room's projector, opened with a presenter link from the console.

``PresenterView(store)`` is the whole page (``notebooks/presenter.ipynb`` displays it). It
takes the link's ``share`` token and the session ``code`` from the page address
(``presenter.ipynb?code=CODE&share=TOKEN``), never the facilitator key: the projector laptop
may be anyone's. What it shows is decided by :mod:`workshop.projector`; this widget only
draws it, in type readable from the back of the room.

It follows the console without a reload: twice a second it asks the store one small question
(the session's revision) and reads the session only when it moved; the group's figures are
computed again at most every few seconds while a chart is on screen. The countdown is
counted by the page itself (:class:`~workshop.app.countdown.Countdown`). Every few seconds it
also checks that its link still works, so a revoked link blanks the screen.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import fields
from urllib.parse import parse_qs, quote

import ipywidgets as widgets
import pandas as pd

from .. import aggregate, codes, frames_cache, joinpanel, projector
from ..errors import AccessDenied, NotFound
from ..model import Session
from .components import ChartSlot, button, classed, esc, full, html, named, user_text
from .phase import TIMER_STYLE
from .ticker import Ticker

KIND = "presenter"
GROUP_EVERY = 5.0  # seconds between two computations of the group while a chart shows
CHECK_LINK_EVERY = 10  # polls (half a second each) between two checks that the link works
CHART_HEIGHT = 700
STYLE = """<style>
body.rr-page:has(.rr-presenter) #rendered_cells > div { max-width: none; padding: 8px 32px; }
body.rr-page:has(.rr-presenter-screen:not(.rr-hidden)) .rr-titlebar { display: none; }
.rr-presenter { font-size: 28px; line-height: 1.3; }
.rr-presenter .rr-hidden { display: none !important; }
.rr-presenter .widget-html-content { font-size: inherit; line-height: inherit; }
.rr-presenter-message .widget-html-content { font-size: 40px; line-height: 1.3; }
.rr-presenter-message strong { display: block; font-size: 56px; }
.rr-slide-join .rr-slide-row { display: flex; align-items: center; justify-content: center;
  gap: 64px; flex-wrap: wrap; }
.rr-slide-join h1 { font-size: 64px; margin: 0 0 8px; text-align: center; }
.rr-slide-join .rr-slide-lead { font-size: 40px; margin: 0; }
.rr-slide-join .rr-slide-code { font: 700 180px/1 ui-monospace, Menlo, Consolas, monospace;
  letter-spacing: 16px; margin: 8px 0 24px; }
.rr-slide-join .rr-slide-address { font-size: 40px; font-weight: 600; overflow-wrap: anywhere;
  max-width: 900px; }
.rr-slide-join .rr-qr-img { width: 560px; height: 560px; background: #fff; }
.rr-presenter-bar { display: flex; align-items: center; gap: 24px; flex-wrap: wrap; }
.rr-presenter-bar .rr-phase-now { flex: 1 1 auto; font-size: 40px; font-weight: 700; }
.rr-presenter-timer .rr-timer { font-size: 48px; padding: 4px 24px; border-radius: 14px; }
.rr-presenter-main.rr-slide-phase .rr-presenter-timer .rr-timer { font-size: 120px; }
.rr-slide-phase h1 { font-size: 96px; line-height: 1.1; margin: 40px 0 24px; }
.rr-slide-phase p { font-size: 44px; max-width: 1500px; margin: 0 0 32px; }
.rr-slide-chart h1 { font-size: 56px; margin: 8px 0 4px; }
.rr-slide-chart .rr-slide-position { font-size: 28px; color: #4a5a61; }
.rr-slide-note .widget-html-content { font-size: 48px; color: #3f4d54; border: 3px dashed
  #9aa8a2; border-radius: 16px; padding: 48px; margin-top: 32px; text-align: center; }
.rr-presenter .modebar-container { display: none !important; }
.rr-presenter .rr-chart-numbers { font-size: 22px; }
.rr-presenter-footer .widget-html-content { font-size: 30px; color: #33424a; margin-top: 16px; }
.rr-presenter-footer strong { font-family: ui-monospace, Menlo, Consolas, monospace;
  letter-spacing: 3px; }
</style>"""


def query_value(name: str, environ=None) -> str | None:
    """``name`` in the page's address (Voilà passes it to the kernel as ``QUERY_STRING``)."""
    values = parse_qs((environ or os.environ).get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def link_parts(text: str) -> tuple[str, str | None]:
    """The token and session code in a pasted presenter link, or a bare token."""
    text = (text or "").strip()
    if "?" not in text:
        return text, None
    query = parse_qs(text.split("?", 1)[1])
    return (query.get("share") or [""])[0], (query.get("code") or [None])[0]


def presenter_url(code: str, token: str, participant_page: str | None = None) -> str:
    """The presenter view's address, next to the participant page."""
    folder = (participant_page or joinpanel.participant_page()).rsplit("/", 1)[0]
    return f"{folder}/presenter.ipynb?code={quote(code)}&share={quote(token)}"


def open_link(store, token: str, code: str | None) -> Session:
    """The session a presenter link opens, or :class:`AccessDenied` saying plainly why not
    (revoked, unknown, a dashboard link, or a code that is not the link's session)."""
    if not token:
        raise AccessDenied("This page needs the presenter link made in the facilitator "
                           "console.")
    session = store.find_share(token, kind=KIND)
    if code and codes.normalise(code) != session.code:
        raise AccessDenied("This presenter link belongs to another session than the code in "
                           "the address. Ask the facilitator for this session's link.")
    return session


class PresenterView(widgets.VBox):
    """The projector's page for one session, following the console."""

    def __init__(self, store, link: str | None = None, *, seconds: float = 0.5,
                 start: bool = True):
        self.store = store
        self.session: Session | None = None
        self.token, self.code = "", None
        self.message = html("", "rr-presenter-message")
        self.paste = named(widgets.Text(placeholder="paste the presenter link here",
                                        continuous_update=False,
                                        layout=widgets.Layout(width="40em")),
                           "Presenter link", "rr-presenter-paste")
        self.go = button("Open", "rr-presenter-open", "primary")
        self.go.on_click(lambda _: self.use_link(self.paste.value))
        self.asking = widgets.HBox([self.paste, self.go])
        self.screen = _Screen()
        self._ticks, self._revision = 0, -1
        self._group, self._group_at, self._frames = None, 0.0, None
        self._group_revision, self._figure = -1, None
        self._drawn: tuple | None = None
        super().__init__([html(STYLE + TIMER_STYLE), self.message, self.asking, self.screen],
                         layout=widgets.Layout(width="100%"))
        classed(self, "rr-app", "rr-presenter")
        self.ticker = Ticker(seconds, self.tick)
        self._starting = start
        # The page echoes this counter once its widgets exist (a browser-side link): only then
        # can a chart drawn while the page was still being built be drawn again, at its size.
        self._built, self._echo = widgets.IntText(0), widgets.IntText(0)
        self._echo_link = widgets.jsdlink((self._built, "value"), (self._echo, "value"))
        self._echo.observe(lambda _: self.screen.redraw_chart(), "value")
        address = link if link is not None else self._from_address()
        if address:
            self.use_link(address)
        else:
            self.refuse("This page needs the presenter link made in the facilitator console.")
        self._starting = False
        self._built.value = 1
        if start:
            self.ticker.start()

    @staticmethod
    def _from_address() -> str:
        token, code = query_value("share"), query_value("code")
        return f"?share={token or ''}&code={code or ''}" if token or code else ""

    # -- opening ------------------------------------------------------------------------------

    def use_link(self, link: str) -> bool:
        """Open the session ``link`` (a presenter link or its token) shows, or say why not."""
        token, code = link_parts(link)
        try:
            session = open_link(self.store, token, code)
        except (AccessDenied, NotFound) as exc:
            self.refuse(str(exc))
            return False
        self.token, self.code, self.session = token, session.code, session
        self._revision, self._group, self._drawn, self._figure = -1, None, None, None
        self._frames = frames_cache.SessionFrames(self.store.engine, session.id)
        self.message.value = ""
        self.asking.layout.display = "none"
        self.screen.remove_class("rr-hidden")
        self.refresh(charts=not self.ticker.running and not self._starting)
        return True

    def refuse(self, reason: str) -> None:
        """Blank the screen and say plainly why; offer to paste another link."""
        self.session = None
        self.screen.blank()
        self.screen.add_class("rr-hidden")
        self.message.value = (f"<p role='alert'><strong>The presenter view cannot open."
                              f"</strong>{esc(reason)}</p>")
        self.asking.layout.display = None

    # -- following the console ----------------------------------------------------------------

    def refresh(self, charts: bool = True) -> None:
        """Look now and redraw (what the ticker does, in this thread). Without ``charts``
        the slide is drawn with its chart left for the next tick: a chart set while the page
        is still being built (Voilà keeps it hidden until every widget is there) is drawn
        by Plotly at no height at all."""
        if self.session is None:
            return
        revision = self.store.session_revision(self.session.id)
        if revision != self._revision:
            self.session, self._revision = self.store.get_session(self.session.id), revision
        self._draw(self._group_if_due(changed=True) if charts else None)

    async def tick(self) -> None:
        if self.session is None:
            return
        self._ticks += 1
        try:
            if self._ticks % CHECK_LINK_EVERY == 0:
                await asyncio.to_thread(open_link, self.store, self.token, self.code)
            revision = await asyncio.to_thread(self.store.session_revision, self.session.id)
            changed = revision != self._revision
            if changed:
                session = await asyncio.to_thread(self.store.get_session, self.session.id)
                self.session, self._revision = session, revision
                if self._group is not None:  # follow at once, with the figures kept
                    self._draw(self._group)
            group = await asyncio.to_thread(self._group_if_due, changed)
        except (AccessDenied, NotFound) as exc:
            self.refuse(str(exc))
            return
        if self.session is not None:
            self._draw(group)

    def _group_if_due(self, changed: bool) -> aggregate.Group | None:
        """The group, kept ready once the workshop has started (so a reveal only draws):
        computed when none is kept yet, or when the data changed and the last computation
        is :data:`GROUP_EVERY` seconds old. The chosen chart's figure is built here too."""
        slide = projector.slide(self.session)
        if slide.kind == "join":
            return self._group
        stale = time.monotonic() - self._group_at >= GROUP_EVERY
        if self._group is None or (stale and (changed or self._pending())):
            settings = self.session.settings
            revision = self._revision
            frames = self._frames.load(dict(settings.weights))
            group = aggregate.group(frames, settings.dimensions, settings.anonymity_threshold)
            if not _same(group, self._group):  # the same figures: the chart stays as it is
                self._group = group
            self._group_at, self._group_revision = time.monotonic(), revision
        self._figure_of(self._group, self.session.settings.projector.chart)
        return self._group

    def _pending(self) -> bool:
        return self._group_revision != self._revision

    def _figure_of(self, group: aggregate.Group, chart: str):
        """The projector's figure of ``chart`` (the last one built is kept)."""
        kept = self._figure
        if kept is None or kept[0] is not group or kept[1] != chart:
            if projector.waiting_note(group, chart):
                return None
            kept = self._figure = (group, chart, projector.figure(group, chart, CHART_HEIGHT))
        return kept[2]

    def _draw(self, group: aggregate.Group | None) -> None:
        slide = projector.slide(self.session)
        key = (slide, id(group) if slide.kind == "chart" else None, self.session.code,
               self.session.title)
        self.screen.timer_follow(self.session)
        if key == self._drawn:
            return
        self._drawn = key
        figure = self._figure_of(group, slide.chart) if slide.kind == "chart" and group \
            else None
        self.screen.show(self.session, slide, group, figure)

    def close(self) -> None:
        self.ticker.stop()
        for widget in (self._echo_link, self._built, self._echo):
            widget.close()
        super().close()


def _same(group: aggregate.Group, kept: aggregate.Group | None) -> bool:
    if kept is None:
        return False
    for field in fields(group):
        now, then = getattr(group, field.name), getattr(kept, field.name)
        if isinstance(now, pd.DataFrame):
            if not (isinstance(then, pd.DataFrame) and now.equals(then)):
                return False
        elif now != then:
            return False
    return True


class _Screen(widgets.VBox):
    """The slide area: a bar with the phase and its countdown, the slide, a join reminder."""

    def __init__(self):
        from .countdown import Countdown
        self.now = html("", "rr-phase-now")
        self.timer = Countdown("rr-presenter-timer")
        self.bar = classed(widgets.HBox([self.now, self.timer],
                                        layout=widgets.Layout(width="100%")),
                           "rr-presenter-bar")
        self.body = html("", "rr-presenter-slide")
        self.note = html("", "rr-slide-note", layout=full())
        self.chart = ChartSlot("rr-presenter-chart")
        self.footer = html("", "rr-presenter-footer")
        self.main = classed(widgets.VBox([self.bar, self.body, self.note, self.chart,
                                          self.footer], layout=widgets.Layout(width="100%")),
                            "rr-presenter-main")
        self._kind, self._redraws = "", 0
        super().__init__([self.main], layout=widgets.Layout(width="100%"))
        classed(self, "rr-presenter-screen", "rr-hidden")

    def redraw_chart(self) -> None:
        """Send the chart again as outputs the page has not drawn yet (one drawn while the
        page was hidden has no height)."""
        self._redraws += 1
        self.chart.outputs = tuple({**o, "metadata": {**o.get("metadata", {}),
                                                      "rr-redraw": self._redraws}}
                                   for o in self.chart.outputs)

    def timer_follow(self, session: Session) -> None:
        self.timer.follow(session)

    def blank(self) -> None:
        self.body.value = self.note.value = self.footer.value = self.now.value = ""
        self.chart.outputs = ()

    def _kind_is(self, kind: str) -> None:
        if kind != self._kind:
            if self._kind:
                self.main.remove_class(f"rr-slide-{self._kind}")
            self.main.add_class(f"rr-slide-{kind}")
            self._kind = kind

    def show(self, session: Session, slide: projector.Slide, group, figure) -> None:
        """Draw ``slide``: the old chart goes first and the new one comes last, so the
        words change at once and never stand over the previous chart while the page draws
        the next (the slowest part)."""
        self.chart.outputs = ()
        self._kind_is(slide.kind)
        url = joinpanel.join_url(session.code)
        short = projector.short_address(url)
        show_bar = slide.kind != "join"
        self.bar.layout.display = None if show_bar else "none"
        self.footer.value = ("" if slide.kind == "join" else
                             f"Join at {esc(short)} with code <strong>{esc(session.code)}"
                             f"</strong>")
        if slide.kind == "join":
            self.body.value = _join_slide(session, url, short)
        elif slide.kind == "phase":
            self.body.value = (f"<h1>{esc(slide.phase_title)}</h1>"
                               f"<p>{esc(slide.phase_summary)}</p>")
        else:
            self.body.value = (f"<h1>{esc(slide.chart_title)}</h1>"
                               f"<div class='rr-slide-position'>{esc(slide.position)}</div>")
        self.now.value = f"Now: {esc(slide.phase_title)}" if show_bar else ""
        self._chart(slide, group, figure)

    def _chart(self, slide: projector.Slide, group, figure) -> None:
        note = projector.waiting_note(group, slide.chart) if slide.kind == "chart" and \
            group is not None else ""
        self.note.value = note
        self.note.layout.display = None if note else "none"
        if slide.kind != "chart" or group is None or note:
            self.chart.outputs = ()
            self.chart.layout.display = "none"
            return
        self.chart.layout.display = None
        self.chart.show(figure)


def _join_slide(session: Session, url: str, short: str) -> str:
    return (f"<h1>{user_text(session.title)}</h1>"
            f"<div class='rr-slide-row'><div><p class='rr-slide-lead'>Join on your phone or "
            f"laptop: scan the code, or go to</p><div class='rr-slide-address'>{esc(short)}"
            f"</div><p class='rr-slide-lead'>and enter the code</p>"
            f"<div class='rr-slide-code' aria-label='Join code {esc(session.code)}'>"
            f"{esc(session.code)}</div></div>"
            f"{joinpanel.qr_img(url, 560, 'QR code of the join link')}</div>")


def presenter_view() -> PresenterView:
    """What the presenter notebook displays: the view over the configured store."""
    from .. import config
    from ..store import Store
    return PresenterView(Store.open(config.database()))
