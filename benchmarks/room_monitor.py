"""Samples the Voilà server and its kernels for the room simulator, in a process of its own
(reading /proc for a hundred kernels takes long enough to stall the simulated pages).

``python benchmarks/room_monitor.py --pid PID --out FILE [--every 2] [--status URL]``
appends one JSON line per sample until it is terminated: the time, how many kernels run (from
the kit's ``/reset-workshop/kernels`` endpoint when ``--status`` is given, else the server's
``ipykernel`` children), the unique memory (USS) of the server and of all the processes under
it, the largest of those, the CPU seconds they have used so far (dead ones included), and the
machine's load average.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

import psutil


def _kernel(process: psutil.Process) -> bool:
    try:
        return any("ipykernel" in part for part in process.cmdline())
    except psutil.Error:
        return False


def _status(url: str) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return {}


def sample(server: psutil.Process, cpu_seen: dict[int, float], status: str = "",
           uss_seen: dict[int, int] | None = None, memory: bool = True) -> dict:
    """One look at the server's tree; ``cpu_seen`` keeps each process's last CPU seconds,
    ``uss_seen`` its last USS, read again only when ``memory`` is true (reading a process's
    full memory map is most of a sample's cost) or when the process is new.

    The time and every CPU figure are read first, in one quick pass, and the memory maps
    after: a slow pass over the maps (a busy machine, a hundred kernels) then cannot stretch
    the interval the CPU figures cover and show a burst that never was."""
    uss_seen = {} if uss_seen is None else uss_seen
    now, busy = time.time(), psutil.cpu_times()
    alive = [server, *server.children(recursive=True)]
    for gone in set(uss_seen) - {p.pid for p in alive}:
        del uss_seen[gone]
    seen = []
    for process in alive:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        cpu_seen[process.pid] = times.user + times.system
        seen.append(process)
    uss, kernels, largest, processes = 0, 0, 0, 0
    for process in seen:
        try:
            if memory or process.pid not in uss_seen:
                uss_seen[process.pid] = process.memory_full_info().uss
        except psutil.Error:
            continue
        used = uss_seen[process.pid]
        uss += used
        if process is not server:
            processes += 1
            largest = max(largest, used)
            kernels += _kernel(process)
    counts = _status(status) if status else {}
    return {"t": now, "server_cpu_s": cpu_seen.get(server.pid, 0.0),
            "machine_busy_s": round(sum(busy) - busy.idle - getattr(busy, "iowait", 0), 2),
            "kernels": counts.get("kernels", kernels),
            "connected": counts.get("connected"), "processes": processes,
            "uss_mib": round(uss / 2**20, 1),
            "largest_kernel_mib": round(largest / 2**20, 1),
            "cpu_s": round(sum(cpu_seen.values()), 2), "load": os.getloadavg()[0]}


def step_back(niceness: int) -> None:
    """Run below what is measured. The monitor shares the machine with the room, and its own
    work (0.15 of a core for a room of 100, reading memory every 2 s) should wait for the
    room's. On Linux with autogroups a process's nice value only counts inside its session's
    scheduling group, so the monitor runs in a session of its own (``room.py`` starts it so)
    and lowers that group (``/proc/self/autogroup``); its nice value too, where there are no
    autogroups."""
    os.nice(niceness)
    if os.getsid(0) == os.getpid():  # a session, hence an autogroup, of its own
        with contextlib.suppress(OSError):
            Path("/proc/self/autogroup").write_text(f"{niceness}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--status", default="", help="the kit's kernel status URL")
    parser.add_argument("--memory-every", type=int, default=3,
                        help="read every process's memory every Nth sample (new ones always)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    step_back(10)
    server, cpu_seen, uss_seen = psutil.Process(args.pid), {}, {}
    with open(args.out, "a", encoding="utf-8") as out:
        for number in itertools.count():
            if not server.is_running():
                break
            started = time.monotonic()
            out.write(json.dumps(sample(server, cpu_seen, args.status, uss_seen,
                                        memory=number % args.memory_every == 0)) + "\n")
            out.flush()
            time.sleep(max(0.0, args.every - (time.monotonic() - started)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
