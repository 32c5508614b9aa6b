"""The facilitator console: open or create a session, then run it from one screen.

``FacilitatorConsole(store)`` is the whole app (the notebook displays it). Once a session is
open, :class:`SessionConsole` projects the join panel, moves the agenda on with a timer,
shows live progress and the anonymised group view, and exports the report. It refreshes
itself every second in the kernel (see :mod:`workshop.app.ticker`): no reload, no button.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, fields, replace
from datetime import date

import ipywidgets as widgets
import pandas as pd

from .. import aggregate, bidi, frames_cache, group_charts, session_report, session_setup, tidy
from ..errors import NotFound
from ..model import Session
from .chart_slot import replace_children
from .components import FULL, Status, button, classed, esc, heading, html, run_safely, user_text
from .facilitator_forms import OpenForm, SessionForm
from .facilitator_group import ExportPanel, GroupPanel
from .facilitator_panels import AgendaPanel, JoinPanel, KeyNotice, ProgressPanel
from .facilitator_share import PresenterPanel, PrintPanel, SharePanel
from .phase import TIMER_STYLE
from .ticker import Ticker

ROW = widgets.Layout(width="100%", align_items="center", flex_flow="row wrap")
POLL_EVERY = 2  # ticks (seconds) between looks at the database
GROUP_SHARE = 4  # wait at least 4x the group's own cost before computing it again
STYLE = """<style>
.rr-console .rr-big-code { font: 700 64px/1.1 ui-monospace, Menlo, Consolas, monospace;
  letter-spacing: 8px; }
.rr-console .rr-join-url a { font-size: 18px; overflow-wrap: anywhere; }
.rr-console .rr-timer { font-size: 28px; }
.rr-count-row { display: flex; flex-wrap: wrap; gap: 12px; }
.rr-count { border: 1px solid #dfe4e1; border-radius: 10px; padding: 8px 16px;
  min-width: 150px; background: #fff; }
.rr-count strong { display: block; font-size: 40px; line-height: 1.1; }
.rr-waiting .widget-html-content { color: #5c6b73; border: 1px dashed #b9c3be;
  border-radius: 8px; padding: 10px 12px; }
.rr-waiting:empty, .rr-waiting .widget-html-content:empty { display: none; border: 0; }
</style>"""


@dataclass(frozen=True)
class Snapshot:
    """What the console last read: the session, progress counts, the group and its charts."""

    session: Session
    progress: pd.DataFrame
    fingerprint: tuple
    group: aggregate.Group | None = None
    figures: dict | None = None


def fingerprint(store, session_id: str, revealed: bool) -> tuple:
    """What decides whether the console must read again: the session's revision (every write
    that changes its screens adds one), the reveal toggle, and the day (drift grows with time).
    One small query, whatever the size of the session."""
    return (store.session_revision(session_id), revealed, date.today())


def read(store, session_id: str, last: Snapshot | None, revealed: bool) -> Snapshot | None:
    """One look at the database (run in a worker thread): None when nothing changed since
    ``last``; otherwise the session and its progress counts (cheap at any size). The group
    follows with :func:`read_group`.

    The revision is read before the data: a write landing in between shows now and is read
    again at the next poll, never missed.
    """
    now = fingerprint(store, session_id, revealed)
    if last is not None and now == last.fingerprint:
        return None
    progress = aggregate.session_progress(store, session_id)
    return Snapshot(store.get_session(session_id), progress, now)


def read_group(store, snap: Snapshot, last: Snapshot | None,
               kept: frames_cache.SessionFrames | None = None) -> Snapshot:
    """``snap`` with the anonymised group, from the session's frames read straight from SQL
    (through ``kept``, the frames kept since the last look, only what changed is read), and
    its charts when revealed (charts unchanged since ``last`` keep their figures)."""
    settings = snap.session.settings
    weights = dict(settings.weights)
    frames = (kept.load(weights) if kept is not None
              else tidy.load_session_frames(store.engine, snap.session.id, weights))
    group = aggregate.group(frames, settings.dimensions, settings.anonymity_threshold)
    figures = _figures(group, last) if snap.fingerprint[1] else None
    return replace(snap, group=group, figures=figures)


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame) and a.equals(b)
    return a == b


def _figures(group: aggregate.Group, last: Snapshot | None) -> dict:
    """The group charts. A chart whose own frame (the group's field of the same name) and
    the group's counts are unchanged since ``last`` keeps its very figure, which the panel
    then leaves on the page, and is not built again; when nothing changed, none is."""
    before = last.group if last is not None and last.figures is not None else None
    if before is None:
        return group_charts.group_charts(group)
    values = {f.name: (getattr(group, f.name), getattr(before, f.name)) for f in fields(group)}
    changed = {name for name, (now, then) in values.items() if not _same(now, then)}
    if not changed:
        return last.figures
    if not all(isinstance(values[name][0], pd.DataFrame) for name in changed):
        return group_charts.group_charts(group)  # a count moved: every chart may say more
    return {**last.figures, **group_charts.group_charts(group, only=changed)}


class SessionConsole(widgets.VBox):
    """One open session: join panel, agenda and timer, progress, group view, exports."""

    def __init__(self, store, session: Session, key: str | None = None, start: bool = True):
        self.store, self.session = store, session
        self.title = html("", "rr-console-title")
        self.status = Status("rr-console-status")
        self.join = JoinPanel()
        self.agenda = AgendaPanel(self.move)
        self.progress = ProgressPanel()
        self.group = GroupPanel()
        self.presenter = PresenterPanel(store, session)
        self.presenter.follow(self.group)  # first, so the projector need not wait for our redraw
        self.group.on_reveal(lambda _: self.refresh())
        self.exports = ExportPanel(self.export, self.check_key)
        self.admin = self._admin()
        notice = [KeyNotice(key)] if key else []
        for one in notice:
            one.dismiss.on_click(lambda _, n=one: self._forget(n))
        self.share = SharePanel(store, session)
        private = widgets.VBox([self.exports, PrintPanel(session), self.share, self.admin],
                               layout=FULL)
        super().__init__([self.title, self.status, *notice, self.join, self.agenda,
                          self.progress, self.group, self.presenter, private], layout=FULL)
        classed(self, "rr-session-console")
        self._fingerprint, self._ticks, self._snapshot = None, 0, None
        self._shown: Snapshot | None = None
        self._group_at, self._group_cost = 0.0, 0.0
        self._frames = frames_cache.SessionFrames(store.engine, session.id)
        self.refresh()
        self.ticker = Ticker(1.0, self.tick)
        if start:
            self.ticker.start()

    # -- refreshing -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read everything now and redraw (what the ticker does, without a thread)."""
        snap = read(self.store, self.session.id, None, self.group.reveal.value)
        self.apply(snap)
        self.show_group(self._timed(read_group, self.store, snap, self._shown, self._frames))

    async def tick(self) -> None:
        self._ticks += 1
        if self._ticks % POLL_EVERY:
            return
        try:
            snap = await asyncio.to_thread(read, self.store, self.session.id,
                                           self._snapshot, self.group.reveal.value)
            if snap is not None and not self.closed:
                self.apply(snap)
            if self._group_due():
                shown = await asyncio.to_thread(self._timed, read_group, self.store,
                                                self._snapshot, self._shown, self._frames)
                if not self.closed and shown.fingerprint == self._snapshot.fingerprint:
                    self.show_group(shown)
        except NotFound:  # deleted from another console or the command line
            self.ticker.stop()
            self.status.error("This session no longer exists (it was deleted elsewhere).")

    def _timed(self, work, *args) -> Snapshot:
        started = time.monotonic()
        try:
            return work(*args)
        finally:
            self._group_at, self._group_cost = time.monotonic(), time.monotonic() - started

    def _group_due(self) -> bool:
        """The group lags the counts (drawn from older data) and is worth computing now: it
        is cheap next to the poll interval, or its last computation is far enough back (in
        a big, busy room at most a fifth of the kernel's time goes to the group)."""
        if self._shown is not None and self._shown.fingerprint == self._snapshot.fingerprint:
            return False
        wait = GROUP_SHARE * self._group_cost
        return wait <= POLL_EVERY or time.monotonic() - self._group_at >= wait

    def apply(self, snap: Snapshot) -> None:
        """Draw the session and its counts (the group: :meth:`show_group`)."""
        self._snapshot = snap
        self.session, self._fingerprint = snap.session, snap.fingerprint
        self._draw_title()
        self.join.show(snap.session)
        self.agenda.show(snap.session)
        self.progress.show(snap.progress)

    def show_group(self, snap: Snapshot) -> None:
        last, self._shown = self._shown, snap
        if not (last is not None and snap.figures is not None and snap.figures is last.figures):
            self.group.show(snap.group, snap.figures)  # the same figures: already on show

    @property
    def closed(self) -> bool:
        return self.comm is None

    def _draw_title(self) -> None:
        s = self.session
        state = "open for joining" if s.status == "open" else "closed to new participants"
        self.title.value = (f"<h2>{user_text(s.title)}</h2><div class='rr-hint'>{esc(s.date)} · "
                            f"code {esc(s.code)} · {state}</div>")
        self.close_button.description = ("Close session" if s.status == "open"
                                          else "Reopen session")

    # -- actions ----------------------------------------------------------------------------

    def _forget(self, notice: KeyNotice) -> None:
        replace_children(self, [c for c in self.children if c is not notice])  # charts live
        notice.close()

    def move(self, phase: str | None) -> None:
        """Move the session to ``phase``; every participant page follows within seconds."""
        if run_safely(self.status, lambda: setattr(
                self, "session", self.store.set_phase(self.session.id, phase))):
            self.agenda.show(self.session)
            self.status.clear()

    def export(self, fmt: str, full: bool) -> tuple[str, str]:
        payload = session_report.export(self.store, self.session, fmt, full=full)
        return session_report.filename(self.session, fmt, full), payload

    def check_key(self, key: str) -> None:
        self.store.open_console(self.session.code, key)

    def toggle_open(self) -> None:
        status = "closed" if self.session.status == "open" else "open"
        if run_safely(self.status, lambda: setattr(self, "session", self.store.update_session(
                self.session.id, status=status))):
            self._draw_title()
            self.status.ok("Closed: nobody new can join; participants keep their own plans."
                           if status == "closed" else "Open again for joining.")

    def _admin(self) -> widgets.VBox:
        self.close_button = button("Close session", "rr-close-session")
        self.close_button.on_click(lambda _: self.toggle_open())
        self.delete_button = button("Delete session…", "rr-delete-session", "danger")
        self.confirm = button("Yes, delete everything", "rr-confirm-delete", "danger")
        self.cancel = button("Cancel", "rr-cancel-delete")
        self.confirm_box = classed(widgets.VBox([
            html("This deletes the session and everything its participants entered. "
                 "It cannot be undone."), widgets.HBox([self.confirm, self.cancel])],
            layout=widgets.Layout(display="none")), "rr-delete-confirmation")
        self.delete_button.on_click(lambda _: self._confirming(True))
        self.cancel.on_click(lambda _: self._confirming(False))
        self.on_deleted: list = []
        self.confirm.on_click(lambda _: self.delete())
        return classed(widgets.VBox([heading("Session"), widgets.HBox(
            [self.close_button, self.delete_button], layout=ROW), self.confirm_box],
            layout=FULL), "rr-card", "rr-admin-panel")

    def _confirming(self, show: bool) -> None:
        self.confirm_box.layout.display = None if show else "none"

    def delete(self) -> None:
        if run_safely(self.status, lambda: self.store.remove_session(self.session.id)):
            self.ticker.stop()
            for callback in self.on_deleted:
                callback(self.session)

    def close(self) -> None:
        self.ticker.stop()
        for notice in [c for c in self.children if isinstance(c, KeyNotice)]:
            notice.close()  # leaving without "I have saved the key" must not keep it either
        super().close()


class FacilitatorConsole(widgets.VBox):
    """The whole console: open or create a session, the sessions opened here, the session."""

    def __init__(self, store, start: bool = True):
        self.store, self.start = store, start
        self.opened: dict[str, Session] = {}
        self.open_form, self.new_form = OpenForm(), SessionForm()
        self.open_form.on_submit(self._open)
        self.new_form.on_submit(self._create)
        self.sessions = classed(widgets.VBox(layout=FULL), "rr-session-list")
        self.back = button("All sessions", "rr-back")
        self.back.on_click(lambda _: self.show_home())
        self.home = widgets.VBox([self._list_card(), self.open_form, self.new_form], layout=FULL)
        self.current: SessionConsole | None = None
        self.body = widgets.VBox([self.home], layout=FULL)
        super().__init__([html(STYLE + TIMER_STYLE), heading("Facilitator console", level=1),
                          self.body], layout=FULL)
        classed(self, "rr-app", "rr-console")
        self._draw_list()

    def _list_card(self) -> widgets.VBox:
        return classed(widgets.VBox([heading("Your sessions", "Sessions opened or created in "
                                             "this console."), self.sessions], layout=FULL),
                       "rr-card", "rr-sessions-card")

    def _open(self, value: dict) -> None:
        session = session_setup.open_console(self.store, value["code"], value["key"])
        self.open_form.fields["key"].value = ""
        self.show_session(session)

    def _create(self, value: dict) -> None:
        session, key = session_setup.create(self.store, **value)
        self.new_form.fields["title"].value = ""
        self.show_session(session, key)

    def show_session(self, session: Session, key: str | None = None) -> None:
        """Open ``session``'s console (``key`` is shown once when just created)."""
        self.opened[session.id] = session
        self._stop_current()
        self.current = SessionConsole(self.store, session, key, start=self.start)
        self.current.on_deleted.append(self._deleted)
        self.body.children = [widgets.HBox([self.back]), self.current]

    def _reopen(self, session: Session) -> None:
        def again() -> None:
            self.show_session(self.store.get_session(session.id))
        if not run_safely(self.open_form.status, again):
            self.opened.pop(session.id, None)
            self._draw_list()

    def show_home(self) -> None:
        self._stop_current()
        self._draw_list()
        self.body.children = [self.home]

    def _stop_current(self) -> None:
        if self.current is not None:
            self.opened[self.current.session.id] = self.current.session
            self.current.close()
            self.current = None

    def _deleted(self, session: Session) -> None:
        self.opened.pop(session.id, None)
        self.current = None
        self.show_home()
        self.open_form.status.ok(f"Session {session.code} and all its data were deleted.")

    def _draw_list(self) -> None:
        rows = []
        for session in self.opened.values():
            one = button(f"{session.code} · {bidi.isolated(session.title)}",
                         f"rr-session-{session.code}")
            one.on_click(lambda _, s=session: self._reopen(s))
            rows.append(one)
        self.sessions.children = rows or [html('<span class="rr-hint">None yet: open one '
                                               'with its code and key, or create one.</span>')]


def facilitator_console() -> FacilitatorConsole:
    """What the facilitator notebook displays: the console over the configured store."""
    from .. import config
    from ..store import Store
    return FacilitatorConsole(Store.open(config.database()))
