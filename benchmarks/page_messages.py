"""What one participant's page costs the server, counted in kernel messages, not seconds.

Every widget message a kernel sends goes through the one Voilà server process, which relays it
to the page's websocket: in a full room that relay is the server's main work (see the room
simulator's profile, ``benchmarks/room.py``). Counting the messages one person's journey
needs is therefore a measure of room capacity that does not depend on how busy the machine
is, and it can be compared between two versions of the kit in the same run:

    python -m benchmarks.page_messages                      # this tree
    python -m benchmarks.page_messages --tree /tmp/before   # another checkout, same journey

(``git worktree add /tmp/before <commit>`` makes such a checkout.)

One person (the room simulator's :class:`~benchmarks.room_people.Participant`, no think time)
opens the page, joins, then sits ``--idle`` seconds doing nothing while a phase runs, takes
stock, is moved to the health check, rates, is moved to the map, then to the plan, and plans.
For each part: messages and bytes received, and for the idle part messages per minute.
"""

# ruff: noqa: E402  (gevent must patch the standard library before anything else imports it)

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil

from benchmarks.room_people import Participant
from workshop.app import serving
from workshop.store import Store


class CountingParticipant(Participant):
    """A participant whose page also adds up the bytes it receives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bytes = 0
        receive = self.page.receive

        def counted(timeout: float):
            got = receive(timeout)
            if got is not None:
                self.bytes += len(json.dumps(got[1], default=lambda b: "x" * len(b)))
            return got
        self.page.receive = counted


class CpuClock:
    """CPU seconds used so far by the server and by the kernels (the forkserver's children)."""

    def __init__(self, server_pid: int):
        self.server = psutil.Process(server_pid)
        self.seen: dict[int, psutil.Process] = {}
        self.spent: dict[int, float] = {}

    def read(self) -> tuple[float, float]:
        for child in self.server.children(recursive=True):
            self.seen.setdefault(child.pid, child)
        for pid, process in self.seen.items():
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                self.spent[pid] = times.user + times.system
        server = self.server.cpu_times()
        return server.user + server.system, sum(self.spent.values())


def journey(url: str, code: str, store: Store, session_id: str, idle: float,
            server_pid: int) -> dict:
    person = CountingParticipant(1, url, code, think=0.0, drop=False)
    person.think = lambda: None
    parts: dict[str, dict] = {}
    clock = CpuClock(server_pid)
    mark = [person.page.messages, person.bytes, time.monotonic(), *clock.read()]

    def part(name: str) -> None:
        now = time.monotonic()
        server_cpu, kernel_cpu = clock.read()
        parts[name] = {"messages": person.page.messages - mark[0],
                       "kbytes": round((person.bytes - mark[1]) / 1024, 1),
                       "seconds": round(now - mark[2], 2),
                       "server_cpu_s": round(server_cpu - mark[3], 3),
                       "kernel_cpu_s": round(kernel_cpu - mark[4], 3)}
        mark[:] = [person.page.messages, person.bytes, now, server_cpu, kernel_cpu]

    person.arrive()
    part("open page")
    person.join()
    person.page.pump(3.0)  # what joining sends after the first step shows
    part("join")
    person.page.pump(idle)
    part("idle")
    parts["idle"]["per_minute"] = round(parts["idle"]["messages"] * 60 / idle, 1)
    person.add_relationships()
    part("take stock (5 relationships)")
    for phase, step, work in (("health_check", "health", person.rate_all),
                              ("map", "map", None), ("plan", "plan", person.plan)):
        store.set_phase(session_id, phase)
        person.follow(step, timeout=60)
        person.page.pump(2.0)
        part(f"moved to {step}")
        if work:
            work()
            part(f"{step}: the person's own work")
    person.page.leave()
    total = {key: round(sum(p[key] for p in parts.values()), 3)
             for key in ("messages", "kbytes", "server_cpu_s", "kernel_cpu_s")}
    return {"parts": parts, "total": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", help="run the server from this checkout of the kit")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of reading")
    parser.add_argument("--out", help="JSON file for the figures")
    args = parser.parse_args()
    if args.tree:
        return run_in(Path(args.tree).resolve(), args)
    folder = Path(tempfile.mkdtemp(prefix="page-messages-"))
    database = str(folder / "messages.sqlite")
    with Store.open(database) as store:
        session, _ = store.add_session("Message count", date.today())
        store.set_phase(session.id, "inventory")
    env = dict(os.environ, RESET_WORKSHOP_CONFIG=str(folder / "absent.toml"))
    server = serving.Server(port=serving_port())
    process = serving.start(server, database, env=env, quiet=True)
    try:
        with Store.open(database) as store:
            figures = journey(server.url(serving.PARTICIPANT, f"code={session.code}"),
                              session.code, store, session.id, args.idle, process.pid)
    finally:
        serving.stop(process)
    figures["tree"] = str(Path.cwd())
    text = json.dumps(figures, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


def run_in(tree: Path, args) -> int:
    """This journey against another checkout: this script, everything else (the store, its
    schema, the server, the simulated person) from ``tree``."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--idle", str(args.idle)]
    if args.out:
        argv += ["--out", str(Path(args.out).resolve())]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree), os.environ.get(
        "PYTHONPATH", "")]))
    return subprocess.run(argv, cwd=tree, env=env, check=False).returncode


def serving_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
