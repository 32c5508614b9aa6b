"""Run a refresh every few seconds inside the kernel, so a page updates itself, no reload.

A :class:`Ticker` is an asyncio task on the kernel's own event loop (the loop that also
handles widget messages, so widgets are only ever touched from one thread). Slow work belongs
in :func:`asyncio.to_thread` inside the refresh. Outside a running loop (plain Python, unit
tests) nothing is scheduled and callers refresh by hand.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable

log = logging.getLogger("workshop.app")


def _loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop (the kernel's), or None in plain Python."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    try:  # a notebook cell in ipykernel: the kernel's loop is set but we are inside it
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None
    return loop if loop.is_running() else None


class Ticker:
    """Call ``refresh()`` (plain or async) every ``seconds`` until :meth:`stop`."""

    def __init__(self, seconds: float, refresh: Callable[[], object]):
        self.seconds, self.refresh = float(seconds), refresh
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        """Start ticking; False when there is no running event loop to tick on."""
        if self.running:
            return True
        loop = _loop()
        if loop is None:
            return False
        self._task = loop.create_task(self._run())
        return True

    @staticmethod
    def soon(coroutine) -> asyncio.Task | None:
        """Run ``coroutine`` once on the kernel's loop; without a running loop, drop it."""
        loop = _loop()
        if loop is None:
            coroutine.close()
            return None
        return loop.create_task(coroutine)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        failing = False
        while True:
            try:
                result = self.refresh()
                if inspect.isawaitable(result):
                    await result
                if failing:
                    log.info("refresh works again")
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed refresh must not stop the next one; log it once
                if not failing:
                    log.exception("refresh failed (logged once until it works again)")
                failing = True
            await asyncio.sleep(self.seconds)
