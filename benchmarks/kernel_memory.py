"""A participant kernel's memory once every step has been opened, and its start time.

``python benchmarks/kernel_memory.py [--people 3]``

Serves the kit twice on a demo store, once with ordinary kernels (``python -m
ipykernel_launcher``, ``RESET_WORKSHOP_FORK_KERNELS=0``) and once with kernels forked from the
warm fork server (:mod:`workshop.app.forkserver`). Each time, ``--people`` demo participants
open the participant page without a browser (benchmarks/widget_client.py), resume with their
code and open all six steps; then each kernel's USS (memory no other process shares) is read.
The first person's kernel is also measured alone, before the others open theirs: that is how
the issue measured 130 MiB. Prints a table and writes benchmarks/results/kernel_memory.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from jupyter_core.paths import jupyter_runtime_dir

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.widget_client import Page  # noqa: E402
from workshop.app import serving  # noqa: E402
from workshop.demo import load_demo  # noqa: E402
from workshop.store import Store  # noqa: E402

RESULTS = Path(__file__).with_name("results")
STEPS = ["stock", "health", "map", "plan", "leave", "later"]
MIB = 2**20


def kernel_of(server: psutil.Process, kernel_id: str) -> psutil.Process:
    """The process of kernel ``kernel_id`` under the Voilà ``server``: the descendant whose
    command line names the kernel, or (kernels forked from the warm process share one command
    line) the one listening on the shell port of the kernel's connection file, which is in
    Voilà's own temporary folder or Jupyter's runtime folder."""
    family = server.children(recursive=True)
    for process in family:
        with contextlib.suppress(psutil.Error):
            if any(kernel_id in part for part in process.cmdline()):
                return process
    name = f"kernel-{kernel_id}.json"
    files = [*Path(tempfile.gettempdir()).glob(f"voila_*/{name}"),
             Path(jupyter_runtime_dir()) / name]
    found = next((f for f in files if f.exists()), None)
    if found is None:
        raise LookupError(f"no connection file for kernel {kernel_id}")
    port = json.loads(found.read_text())["shell_port"]
    for process in family:
        with contextlib.suppress(psutil.Error):
            if any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
                   for c in process.net_connections("tcp")):
                return process
    raise LookupError(f"no process for kernel {kernel_id}")


def walk(url: str, resume_code: str) -> tuple[Page, float, float]:
    """Open the page, resume, open every step; the seconds from GET to a usable join form,
    and from the click on "Resume" to the steps (where the libraries load)."""
    start = time.monotonic()
    page = Page(url, timeout=120).open()
    page.wait_for("rr-resume-code")
    ready = time.monotonic() - start
    page.set(page.find("rr-resume-code").id, value=resume_code)
    clicked = time.monotonic()
    page.click(page.find("rr-resume").id)
    page.wait_for("rr-step-later", timeout=120)
    inside = time.monotonic() - clicked
    for step in STEPS:
        button = page.find(f"rr-step-{step}")
        page.click(button.id)
        page.until(lambda b=button: "rr-current" in b.classes, 120, what=f"step {step}")
        page.pump(1.0)  # its charts and views arrive
    return page, ready, inside


def measure(fork: bool, people: int, database: str, codes: list[str]) -> dict:
    server = serving.Server(port=_free_port())
    env = dict(os.environ, RESET_WORKSHOP_FORK_KERNELS="1" if fork else "0")
    process = serving.start(server, database, env=env, quiet=True)
    try:
        parent = psutil.Process(process.pid)
        url = server.url(serving.PARTICIPANT)
        pages, ready, inside, alone = [], [], [], None
        for n, code in enumerate(codes[:people]):
            page, seconds, resumed = walk(url, code)
            pages.append(page)
            ready.append(seconds)
            inside.append(resumed)
            if n == 0:
                time.sleep(1)
                alone = kernel_of(parent, page.kernel_id).memory_full_info().uss / MIB
        time.sleep(1)
        uss = [kernel_of(parent, p.kernel_id).memory_full_info().uss / MIB for p in pages]
        for page in pages:
            page.close()
        return {"kernels": "forked" if fork else "ordinary", "people": people,
                "first_kernel_alone_uss_mib": round(alone, 1),
                "per_kernel_uss_mib_median": round(statistics.median(uss), 1),
                "per_kernel_uss_mib_max": round(max(uss), 1),
                "open_to_usable_s_median": round(statistics.median(ready), 2),
                "resume_to_steps_s_median": round(statistics.median(inside), 2)}
    finally:
        serving.stop(process)


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="rr-kernel-memory-"))
    database = str(folder / "demo.sqlite")
    with Store.open(database) as store:
        codes = list(load_demo(store).resume_codes.values())
    rows = [measure(fork, args.people, database, codes) for fork in (False, True)]
    base, forked = rows
    summary = {"rows": rows,
               "uss_ratio_alone": round(forked["first_kernel_alone_uss_mib"]
                                        / base["first_kernel_alone_uss_mib"], 2),
               "uss_ratio_in_room": round(forked["per_kernel_uss_mib_median"]
                                          / base["per_kernel_uss_mib_median"], 2),
               "start_ratio": round(forked["open_to_usable_s_median"]
                                    / base["open_to_usable_s_median"], 2),
               "resume_ratio": round(forked["resume_to_steps_s_median"]
                                     / base["resume_to_steps_s_median"], 2),
               "load": os.getloadavg()}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "kernel_memory.json").write_text(json.dumps(summary, indent=2))
    print(f"{'kernels':<10} {'alone USS':>10} {'in room USS':>12} {'max':>6} {'open->usable':>13}"
          f" {'resume->steps':>14}")
    for row in rows:
        print(f"{row['kernels']:<10} {row['first_kernel_alone_uss_mib']:>8.1f} M "
              f"{row['per_kernel_uss_mib_median']:>10.1f} M {row['per_kernel_uss_mib_max']:>5.1f}M "
              f"{row['open_to_usable_s_median']:>11.2f} s "
              f"{row['resume_to_steps_s_median']:>12.2f} s")
    print(f"forked / ordinary: USS alone x{summary['uss_ratio_alone']}, in a room "
          f"x{summary['uss_ratio_in_room']}, open->usable x{summary['start_ratio']}, "
          f"resume->steps x{summary['resume_ratio']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
