"""The console's live panels: the key notice, the join panel, agenda and timer, progress.

Panels draw what they are given and report clicks through callbacks; the console
(:mod:`workshop.app.facilitator`) talks to the store.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd

from .. import agenda, joinpanel
from ..model import Session
from .components import FULL, button, classed, copy_button, esc, heading, html, text_input
from .countdown import Countdown

ROW = widgets.Layout(width="100%", align_items="center", flex_flow="row wrap")


class KeyNotice(widgets.VBox):
    """The facilitator key, shown once right after the session is created.

    Its owner removes it when ``dismiss`` is clicked and closes it: :meth:`close` blanks the
    widget that showed the key and closes every widget of the notice, so no live widget model
    in the kernel (or view in the page) still holds the key.
    """

    def __init__(self, key: str):
        self.dismiss = button("I have saved the key", "rr-key-saved", "primary")
        self.shown = html(f'<span class="rr-code-box rr-facilitator-key">{esc(key)}</span>'
                          + copy_button(key, label="Copy key", css="rr-copy-key"))
        super().__init__([
            heading("Your facilitator key", "It opens this session's console and its full "
                    "backup. It is shown only now and stored only as a hash: write it down."),
            self.shown, self.dismiss], layout=FULL)
        classed(self, "rr-card", "rr-key-notice")

    def close(self) -> None:
        self.shown.value = ""
        for child in self.children:
            child.close()
        super().close()


class JoinPanel(widgets.VBox):
    """The join code in large type, the participant link and its QR code."""

    def __init__(self):
        self.code = html("", "rr-join-code")
        self.link = html("", "rr-join-url")
        self.warning = html("", "rr-join-warning")  # a loopback link phones cannot open
        self.qr = html("", "rr-qr")  # SVG markup: no binary buffer on the websocket
        self.qr.layout = widgets.Layout(flex="0 0 auto", width="auto")
        self.address = classed(text_input("e.g. https://workshop.example.org"),
                               "rr-public-address")
        self.apply = button("Use this address", "rr-apply-address")
        self.apply.on_click(lambda _: self.draw())
        self.session: Session | None = None
        text = widgets.VBox([
            heading("Join the workshop"), self.code, self.link, self.warning,
            html('<span class="rr-hint">Address participants reach this server at (for a '
                 'proxy or another network name); leave empty for the one in use.</span>'),
            widgets.HBox([self.address, self.apply], layout=ROW)],
            layout=widgets.Layout(flex="1 1 320px"))
        super().__init__([widgets.HBox([text, self.qr], layout=ROW)], layout=FULL)
        classed(self, "rr-card", "rr-join-panel")

    @property
    def url(self) -> str:
        return joinpanel.join_url(self.session.code, self.address.value or None)

    def show(self, session: Session) -> None:
        changed = self.session is None or self.session.code != session.code
        self.session = session
        if changed:
            self.draw()

    def draw(self) -> None:
        url = self.url
        self.code.value = (f'<div class="rr-hint">Join code</div>'
                           f'<div class="rr-big-code">{esc(self.session.code)}</div>')
        shown = esc(url).replace("/", "/<wbr>").replace("?", "<wbr>?")  # breaks at / and ?
        self.link.value = f'<a href="{esc(url)}" target="_blank" rel="noopener">{shown}</a>'
        self.qr.value = joinpanel.qr_img(url)
        self.warning.value = joinpanel.loopback_notice(url)


class AgendaPanel(widgets.VBox):
    """The agenda with the current phase, its countdown, and previous / next."""

    def __init__(self, move: Callable[[str | None], None]):
        self.move = move
        self.now = html("", "rr-current-phase")
        self.timer = Countdown("rr-phase-clock")
        self.notes = html("", "rr-facilitator-notes")
        self.previous = button("Previous", "rr-phase-prev")
        self.next = button("Start the workshop", "rr-phase-next", "primary")
        self.previous.on_click(lambda _: self._go(-1))
        self.next.on_click(lambda _: self._go(+1))
        self.steps = classed(widgets.HBox(layout=ROW), "rr-steps", "rr-agenda-steps")
        self.session: Session | None = None
        super().__init__([heading("Agenda and timer"),
                          widgets.HBox([self.now, self.timer], layout=ROW),
                          widgets.HBox([self.previous, self.next], layout=ROW),
                          self.steps, self.notes], layout=FULL)
        classed(self, "rr-card", "rr-agenda-panel")

    def _go(self, offset: int) -> None:
        step = agenda.neighbour(self.session, offset)
        if step is not None:
            self.move(step.key)

    def show(self, session: Session) -> None:
        """Redraw for ``session`` (its phase may have changed)."""
        moved = self.session is None or (self.session.current_phase, self.session.settings) != (
            session.current_phase, session.settings)
        self.session = session
        if moved:
            self._draw_steps()
        self.tick()

    def _draw_steps(self) -> None:
        current = self.session.current_phase
        buttons = []
        for number, step in enumerate(agenda.session_steps(self.session), 1):
            one = button(f"{number}. {step.title} ({step.minutes} min)", f"rr-phase-{step.key}")
            one.on_click(lambda _, key=step.key: self.move(key))
            if step.key == current:
                one.add_class("rr-current")
                self.notes.value = (f'<div class="rr-hint">Facilitator notes</div>'
                                    f"<div>{esc(step.facilitator_notes)}</div>")
            buttons.append(one)
        self.steps.children = buttons
        before, after = (agenda.neighbour(self.session, k) for k in (-1, 1))
        self.previous.disabled = before is None
        self.next.disabled = after is None
        self.next.description = ("Start the workshop" if current is None
                                 else f"Next: {after.title}" if after else "Last phase")
        if current is None:
            self.notes.value = ""

    def tick(self) -> None:
        """Redraw the current phase; the page counts the seconds (:class:`Countdown`)."""
        self.timer.follow(self.session)
        title = agenda.clock(self.session).title
        self.now.value = f"<strong>Now: {esc(title)}</strong>" if title else \
            "<strong>Not started</strong>"


class ProgressPanel(widgets.VBox):
    """How many joined, finished the inventory and the health check, made a plan."""

    def __init__(self):
        self.counts = html("", "rr-progress-counts")
        super().__init__([heading("Progress", "Counts only, never who. Updates by itself."),
                          self.counts], layout=FULL)
        classed(self, "rr-card", "rr-progress-panel")

    def show(self, progress: pd.DataFrame) -> None:
        tiles = "".join(
            f'<div class="rr-count rr-count-{esc(row.milestone)}">'
            f'<strong class="rr-count-value">{int(row.count)}</strong>'
            f"<span>{esc(row.label)}</span></div>" for row in progress.itertuples())
        self.counts.value = f'<div class="rr-count-row">{tiles}</div>'
