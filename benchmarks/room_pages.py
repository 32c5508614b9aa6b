"""Pages of the room simulator (``benchmarks/room.py``) that keep reading, as a browser does.

A :class:`LivePage` is a :class:`~benchmarks.widget_client.Page` whose kernel messages are
read by a gevent greenlet of its own, all the time, so a page that is "thinking" still sees a
phase change the moment it arrives (and the time it arrived). Waiting (``until``) then only
watches the models the reader keeps up to date.

Run under gevent's monkey patching (Locust does it on import): websocket-client's blocking
calls then yield to the other pages.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import gevent
from gevent.event import Event

from benchmarks.widget_client import Model, Page, PageError

COUNT = re.compile(r'rr-count-(\w+)"><strong class="rr-count-value">(\d+)<')


@dataclass
class LivePage(Page):
    """A page with its own reader; ``seen`` holds when things first showed on it."""

    seen: dict[tuple[str, str], float] = field(default_factory=dict)
    counts: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    failure: BaseException | None = None
    _reader: gevent.Greenlet | None = None
    _wake: Event = field(default_factory=Event)

    def open(self) -> LivePage:
        self.get()
        self.connect()
        self._listeners.append(self._note)
        self._reader = gevent.spawn(self._read_forever)
        self.request_states()
        return self

    def _read_forever(self) -> None:
        try:
            while self._ws is not None:
                self.receive(1.0)
                self._wake.set()
        except Exception as error:  # noqa: BLE001 - any end of the socket ends the page
            if self._ws is not None:
                self.failure = error
            self._wake.set()

    def until(self, done, timeout: float | None = None, what: str = "an answer") -> float:
        start = time.monotonic()
        deadline = start + (self.timeout if timeout is None else timeout)
        while not done():
            if self.failure is not None:
                raise PageError(f"connection lost waiting for {what}: {self.failure!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise PageError(f"waited {time.monotonic() - start:.1f} s for {what}")
            self._wake.clear()
            if not done():
                self._wake.wait(min(left, 1.0))
        return time.monotonic() - start

    def pump(self, seconds: float) -> None:
        gevent.sleep(seconds)

    def _stop_reading(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and reader is not gevent.getcurrent():
            reader.kill(block=True, timeout=5)

    def close(self) -> None:
        self._stop_reading()
        super().close()

    def drop(self) -> None:
        self._stop_reading()
        super().drop()

    def _note(self, channel: str, msg: dict) -> None:
        """Remember when the phase title, a current step or the console's counts changed."""
        model = self.models.get((msg.get("content") or {}).get("comm_id"))
        if model is None or msg.get("header", {}).get("msg_type") != "comm_msg":
            return
        now, classes = time.time(), model.classes
        if "rr-phase-title" in classes or "rr-current-phase" in classes:
            self.seen.setdefault(("title", str(model.state.get("value", ""))), now)
        if "rr-current" in classes:
            for name in classes:
                if name.startswith("rr-step-"):
                    self.seen.setdefault(("step", name.removeprefix("rr-step-")), now)
        if "rr-progress-counts" in classes:
            found = {k: int(v) for k, v in COUNT.findall(str(model.state.get("value", "")))}
            if found and (not self.counts or self.counts[-1][1] != found):
                self.counts.append((now, found))

    # -- what a person reads -----------------------------------------------------------------
    def outcome(self, root: Model | None, ok_text: str) -> str | None:
        """'ok' once a status under ``root`` says ``ok_text``; the words of an error shown
        there (status line or a field's message); None while neither shows."""
        if root is None:
            return None
        for model in self.descendants(root):
            classes, value = model.classes, str(model.state.get("value") or "")
            if "rr-status-ok" in classes and ok_text in value:
                return "ok"
            if value and ("rr-status-error" in classes or "rr-field-error" in classes):
                return f"error: {value}"
        return None

    def expect(self, root_of, ok_text: str, what: str, timeout: float | None = None) -> None:
        """Wait until ``ok_text`` shows under ``root_of()``; PageError with the words of an
        error the page shows instead."""
        self.until(lambda: self.outcome(root_of(), ok_text) is not None, timeout, what=what)
        said = self.outcome(root_of(), ok_text)
        if said != "ok":
            raise PageError(f"{what}: the page says {said}")

    def on_step(self, step: str) -> bool:
        button = self.find(f"rr-step-{step}")
        return button is not None and "rr-current" in button.classes
