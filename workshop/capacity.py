"""How full the servers are, from their own figures: ``reset-workshop status``.

Each replica answers ``GET /reset-workshop/kernels`` with its kernel manager's counts (pages
alive, connected, starting; its cap) and its process id (:mod:`workshop.app.voila_server`).
That endpoint answers only requests from the replica's own machine, so this runs there: for
replicas on several machines, run it on each (``ssh HOST reset-workshop status``).

Memory is the proportional set size (PSS) of the server and every process under it (the fork
server and the kernels forked from it share most of their pages, so their resident sizes
would count the shared part once per kernel). Headroom is the machine's available memory,
turned into pages at the replicas' mean memory per page, and what the kernel caps still allow.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import psutil

from .proxy import Replica

__all__ = ["Machine", "ReplicaStatus", "look", "machine", "report"]
MIB = 2**20


@dataclass
class ReplicaStatus:
    """One replica as it answered (``error`` says why it did not)."""

    address: str
    figures: dict = field(default_factory=dict)
    error: str | None = None
    memory: int | None = None  # bytes: server, fork server and kernels (PSS)
    server_memory: int | None = None  # bytes: the server process alone

    @property
    def up(self) -> bool:
        return self.error is None

    @property
    def kernels(self) -> int:
        return int(self.figures.get("kernels", 0))

    @property
    def connected(self) -> int:
        return int(self.figures.get("connected", 0))

    @property
    def per_page(self) -> float | None:
        """Mean memory of one page (its kernel and its share of the fork server), bytes."""
        if self.memory is None or self.server_memory is None or not self.kernels:
            return None
        return (self.memory - self.server_memory) / self.kernels


@dataclass(frozen=True)
class Machine:
    total: int
    available: int


def _figures(replica: Replica, base_url: str, timeout: float) -> dict:
    url = f"http://{replica.address}/{base_url.strip('/') + '/' if base_url.strip('/') else ''}" \
          "reset-workshop/kernels"
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.loads(answer.read())


def _memory(pid: int) -> tuple[int, int]:
    """(the whole tree's PSS, the server's own PSS), bytes; RSS where PSS cannot be read."""
    server = psutil.Process(pid)
    total = own = 0
    for process in [server, *server.children(recursive=True)]:
        try:
            info = process.memory_full_info()
            used = getattr(info, "pss", info.rss)
        except psutil.AccessDenied:
            used = process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
        total += used
        own = own or used
    return total, own


def look(replica: Replica, base_url: str = "/", timeout: float = 5.0) -> ReplicaStatus:
    """Ask one replica for its figures and read its memory (same machine only)."""
    status = ReplicaStatus(replica.address)
    try:
        status.figures = _figures(replica, base_url, timeout)
    except urllib.error.HTTPError as error:
        status.error = ("refused: it answers only on its own machine" if error.code == 403
                        else f"answered HTTP {error.code}")
        return status
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        status.error = f"not answering ({reason})"
        return status
    pid = status.figures.get("pid")
    if isinstance(pid, int):
        # psutil.Error: the answer came from another machine's process (a tunnel)
        with contextlib.suppress(psutil.Error):
            status.memory, status.server_memory = _memory(pid)
    return status


def machine() -> Machine:
    memory = psutil.virtual_memory()
    return Machine(total=memory.total, available=memory.available)


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value / MIB:,.0f} MiB"


def headroom(statuses: list[ReplicaStatus], here: Machine) -> dict:
    """More pages the machine's memory and the replicas' caps allow (None: unknown)."""
    up = [s for s in statuses if s.up]
    sizes = [(s.memory - s.server_memory, s.kernels) for s in up if s.per_page is not None]
    page = sum(m for m, _ in sizes) / sum(k for _, k in sizes) if sizes else None
    caps = [int(s.figures.get("max_kernels") or 0) for s in up]
    by_cap = None if not up or 0 in caps else sum(
        max(0, cap - s.kernels) for cap, s in zip(caps, up, strict=True))
    by_memory = int(here.available // page) if page else None
    return {"page_bytes": page, "by_memory": by_memory, "by_cap": by_cap}


def report(statuses: list[ReplicaStatus], here: Machine) -> str:
    """The table ``reset-workshop status`` prints."""
    rows = [("replica", "pages", "connected", "starting", "cap", "memory", "per page")]
    for s in statuses:
        if not s.up:
            rows.append((s.address, "down", s.error or "", "", "", "", ""))
            continue
        cap = s.figures.get("max_kernels") or "none"
        rows.append((s.address, str(s.kernels), str(s.connected),
                     str(s.figures.get("starting", 0)), str(cap), _mib(s.memory),
                     _mib(s.per_page)))
    up = [s for s in statuses if s.up]
    known = [s.memory for s in up if s.memory is not None]
    rows.append(("all", str(sum(s.kernels for s in up)), str(sum(s.connected for s in up)),
                 str(sum(int(s.figures.get("starting", 0)) for s in up)), "",
                 _mib(sum(known)) if known else "-", ""))
    table = [row for row in rows if row[1] != "down"]
    widths = [max(len(row[i]) for row in table) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        if row[1] == "down":
            lines.append(f"{row[0]:<{widths[0]}}  down: {row[2]}")
            continue
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                          strict=True)]
        lines.append("  ".join(cells).rstrip())
    room = headroom(statuses, here)
    lines.append(f"Machine: {_mib(here.available)} available of {_mib(here.total)}.")
    more = [f"about {room['by_memory']} more pages by memory (at {_mib(room['page_bytes'])} "
            f"each)" if room["by_memory"] is not None else None,
            f"{room['by_cap']} more by the kernel caps" if room["by_cap"] is not None else None]
    if any(more):
        lines.append("Room for " + "; ".join(m for m in more if m) + ".")
    lines.append("Pages: one per open participant, console, presenter or dashboard page; "
                 "connected: pages whose browser is still there.")
    return "\n".join(lines)
