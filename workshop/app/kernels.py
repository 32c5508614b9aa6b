"""How the kit's Voilà server gives kernels back: by connections, not by activity.

Every page Voilà serves starts a kernel (37-130 MiB each). jupyter_server's own culler frees a
kernel once it has sent no message for a while, but a participant page's phase banner sends
one every second, so a page that is gone without a goodbye (a phone asleep, a lost network)
never looks idle. What does tell whether somebody is still there is the kernel's websocket:

* a kernel with **a connection** is kept, however quiet: somebody reading the FAQ for twenty
  minutes keeps their page;
* a kernel whose **last connection closed** ``idle_timeout`` seconds ago (default 15 minutes)
  is shut down, whatever it is still sending: long enough for a phone to wake up and reconnect
  to the same kernel, short enough to give a room's memory back;
* a kernel whose page was fetched but **never connected** (a plain GET, a scraper, a browser
  that gave up) is shut down after ``connect_grace`` seconds (default 2 minutes);
* a kernel that died is removed at the next check.

A dead network does not close a websocket by itself; jupyter_server pings every socket
(``ws_ping_interval``, 30 s) and closes one whose last pong is older than ``ws_ping_timeout``
(90 s: three missed pings). The timeout must stay well above the interval: jupyter_server
checks it when it sends the next ping, when the last pong is already about one interval old,
so a timeout equal to the interval closes healthy sockets whenever the timer runs late.
(tornado's warning that the timeout "cannot be longer than the interval" is about its own,
separate pinging, which these settings do not start.)

The manager also holds the **cap** on live kernels (``max_kernels``): a start beyond it raises
:class:`RoomFull` before any process is spawned, counting kernels still starting, so a burst of
requests cannot overshoot it. The page handler turns that into the "room is full" page.

Every iopub message a kernel sends reaches the server twice: once for the page's websocket and
once for jupyter_server's activity watch, which decoded each one whole (dates parsed with
dateutil) to note the time and the kernel's busy or idle state. In a full room that decoding
was a quarter of the server's work. :meth:`KitKernelManager.start_watching_activity` keeps the
same bookkeeping and reads only the two small JSON headers, and a status message's content.

The decision itself is the pure function :func:`cull_reason`, tested on its own. Settings come
from the packaged ``voila.json`` (``KitKernelManager``) and ``reset-workshop serve`` flags.
This module runs in the Voilà server process, never in kernels: keep it light.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Integer

__all__ = ["KernelWatch", "KitKernelManager", "Policy", "RoomFull", "cull_reason"]


class RoomFull(RuntimeError):
    """No kernel was started: the server already runs ``max_kernels`` of them."""


@dataclass(frozen=True)
class Policy:
    """How long a kernel may go without a page (seconds)."""

    idle_timeout: float = 900.0
    connect_grace: float = 120.0


@dataclass
class KernelWatch:
    """What the manager knows about one kernel's page (``time.monotonic()`` seconds)."""

    started: float
    connections: int = 0
    last_disconnect: float | None = None  # None: no page has ever connected

    def connect(self) -> None:
        self.connections += 1

    def disconnect(self, now: float) -> None:
        self.connections = max(0, self.connections - 1)
        self.last_disconnect = now


def cull_reason(watch: KernelWatch, now: float, policy: Policy) -> str | None:
    """Why this kernel should be shut down now, or None to keep it."""
    if watch.connections > 0:
        return None
    if watch.last_disconnect is None:
        waited = now - watch.started
        if waited >= policy.connect_grace:
            return f"no page connected in {waited:.0f} s"
        return None
    gone = now - watch.last_disconnect
    if gone >= policy.idle_timeout:
        return f"no page connected for {gone:.0f} s"
    return None


class KitKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager with the kit's cap and connection-based reclaiming."""

    max_kernels = Integer(120, config=True,
                          help="Most kernels alive at once (0: no cap). A page asked for "
                               "beyond it gets the 'room is full' page (HTTP 503).")
    idle_timeout = Float(900.0, config=True,
                         help="Seconds a kernel lives after its page's last connection "
                              "closed (0: never reclaim).")
    connect_grace = Float(120.0, config=True,
                          help="Seconds a kernel waits for its page's first connection "
                               "(0: never reclaim).")
    check_interval = Float(15.0, config=True,
                           help="Seconds between two looks at the kernels.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._watches: dict[str, KernelWatch] = {}
        self._starting: set[str] = set()  # ids of kernels asked for and not yet ready
        self._reaper: PeriodicCallback | None = None

    @property
    def policy(self) -> Policy:
        forever = float("inf")
        return Policy(idle_timeout=self.idle_timeout or forever,
                      connect_grace=self.connect_grace or forever)

    # -- the cap ----------------------------------------------------------------------------
    def live_count(self) -> int:
        """Kernels alive or on their way. A starting kernel joins ``_kernels`` before its start
        returns (jupyter_server then waits for it to be ready), so the two are counted as one
        set: a sum would count it twice in that window and refuse a page the room has room for."""
        return len(self._starting.union(self._kernels))

    def room_full(self) -> bool:
        return 0 < self.max_kernels <= self.live_count()

    async def start_kernel(self, *, kernel_id=None, **kwargs):
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        if self.room_full():  # checked and counted with no await between: no overshoot
            self.log.warning("Refused a kernel: %d alive or starting (max_kernels=%d)",
                             self.live_count(), self.max_kernels)
            raise RoomFull(f"{self.max_kernels} kernels are running")
        kernel_id = kernel_id or self.new_kernel_id()
        self._starting.add(kernel_id)
        try:
            kernel_id = await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting.discard(kernel_id)
        self._watches[kernel_id] = KernelWatch(started=time.monotonic())
        self._start_reaper()
        return kernel_id

    # -- activity ---------------------------------------------------------------------------
    def start_watching_activity(self, kernel_id):
        """jupyter_server's watch of a kernel's iopub, without decoding whole messages: the
        same ``last_activity`` and ``execution_state`` (see the module's docstring)."""
        kernel = self._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()
        kernel._activity_stream.on_recv(lambda parts: self._record_activity(kernel, parts))

    def _record_activity(self, kernel, parts: list[bytes]) -> None:
        try:
            at = parts.index(b"<IDS|MSG>")
            header, parent = json.loads(parts[at + 2]), json.loads(parts[at + 3])
        except (ValueError, IndexError):
            return  # not a Jupyter message: nothing to note
        msg_type, parent_type = header.get("msg_type"), parent.get("msg_type")
        tracked = self.track_message_type(parent_type)
        if self.track_message_type(msg_type) or tracked or kernel.execution_state == "busy":
            self.last_kernel_activity = kernel.last_activity = utcnow()
        if msg_type == "status":
            state = json.loads(parts[at + 5]).get("execution_state")
            if tracked:
                kernel.execution_state = state
            elif kernel.execution_state == "starting" and state != "starting":
                kernel.execution_state = "idle"

    # -- connections (called by jupyter_server's websocket connection) ----------------------
    def notify_connect(self, kernel_id):
        super().notify_connect(kernel_id)
        if kernel_id in self._watches:
            self._watches[kernel_id].connect()

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if kernel_id in self._watches:
            self._watches[kernel_id].disconnect(time.monotonic())

    # -- reclaiming -------------------------------------------------------------------------
    def _start_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = PeriodicCallback(self.reclaim, 1000 * self.check_interval)
            self._reaper.start()
            self.log.info("Reclaiming kernels %s s after their page's last connection, %s s "
                          "if none ever connects; at most %s kernels", self.idle_timeout,
                          self.connect_grace, self.max_kernels or "unlimited")

    async def reclaim(self) -> list[str]:
        """Shut down every kernel :func:`cull_reason` gives up on; returns their ids."""
        now, policy, reclaimed = time.monotonic(), self.policy, []
        for kernel_id in [k for k in self._watches if k not in self._kernels]:
            del self._watches[kernel_id]  # shut down another way (page goodbye, Ctrl-C)
        pooled = self._pooled()
        for kernel_id, watch in list(self._watches.items()):
            kernel = self._kernels.get(kernel_id)
            if kernel is None:  # gone while an earlier one was shutting down
                continue
            if kernel_id in pooled:  # a preheated kernel no page has taken yet: its wait
                watch.started = now  # for a page starts when Voilà hands it out
                continue
            dead = getattr(kernel, "execution_state", None) == "dead"
            reason = "the kernel died" if dead else cull_reason(watch, now, policy)
            if reason and await self._shut(kernel_id, reason):
                reclaimed.append(kernel_id)
        return reclaimed

    def _pooled(self) -> set[str]:
        """Kernels waiting in Voilà's preheated pool (``preheat_kernel``; none without it)."""
        waiting = set()
        for pool in getattr(self, "_pools", {}).values():
            for future in pool:
                if future.done() and not future.cancelled() and future.exception() is None:
                    waiting.add(future.result().get("kernel_id"))
        return waiting

    async def _shut(self, kernel_id: str, reason: str) -> bool:
        self._watches.pop(kernel_id, None)
        if kernel_id not in self._kernels:
            return False
        self.log.info("Reclaiming kernel %s: %s", kernel_id, reason)
        try:
            await ensure_async(self.shutdown_kernel(kernel_id))
        except Exception:  # one kernel that fails to stop must not stop the others' reclaim
            self.log.exception("Could not shut down kernel %s", kernel_id)
            return False
        return True

    def status(self) -> dict:
        """The server's own figures, for the operator and the room simulator."""
        watches = [self._watches[k] for k in self._kernels if k in self._watches]
        return {"kernels": len(self._kernels),
                "starting": len(self._starting.difference(self._kernels)),
                "connected": sum(1 for w in watches if w.connections),
                "never_connected": sum(1 for w in watches if w.last_disconnect is None
                                       and not w.connections),
                "max_kernels": self.max_kernels, "idle_timeout": self.idle_timeout,
                "connect_grace": self.connect_grace}
