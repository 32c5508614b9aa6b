"""The room simulator: N people join a live workshop at once, with no browser each.

``python benchmarks/room.py --people N [--url URL --code CODE --key KEY --database DB]
[--spread S] [--browsers B] [--preheat POOL]``

With no ``--url`` it serves the kit itself (``workshop.app.serving``) over a fresh SQLite
store and session. A facilitator console is open (a widget-protocol page too: it opens the
session with its code and key, reveals the group view and starts the workshop). Then N
simulated participants arrive, spread uniformly over the S-second storm (default 60). Each
opens the participant page and talks to its kernel as the page does (the Jupyter widget
protocol over the kernel websocket, ``benchmarks/widget_client.py``, whose docstring lists the
protocol points relied on): types a name and joins, adds 5 relationships, rates them, waits;
once everyone has rated the console moves the room to "See the map", then to "Plan the reset
conversation"; each plans one reset, then leaves: most close the tab (the page's shutdown
beacon, then the websocket closed), some just vanish. B real Chromium pages (default 2) do the
same alongside (``room_browser.py``); one is photographed at the end.

Locust is the user model and the statistics engine (used as a library; every timed step is a
Locust request event). Reported: open and join times, each save, a save until the console's
count shows it, a phase change until every page shows it (banner and step), the memory (USS)
and CPU of the server and all kernels, errors, kernel counts over time, and the
reconciliation of every acknowledged write with the database. Results:
``benchmarks/results/room-N<people>[-preheat].json`` and a table on stdout.
"""
# ruff: noqa: E402  (gevent must patch the standard library before anything else imports it)

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse
import contextlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

import gevent
import psutil
from locust import User, constant, task
from locust.env import Environment
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import room_report
from benchmarks.room_people import Console, Participant, phase_title
from workshop.app import serving
from workshop.store import Store

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PHASES = ("map", "plan")  # the two moves; each phase opens the step of the same name
ROOM: dict = {}  # the run's shared state, read by the Locust users


class RoomParticipant(User):
    """One participant, once through the whole journey (Locust does not restart it)."""

    wait_time = constant(0)

    def timed(self, name: str, started: float, error: BaseException | None = None) -> None:
        self.environment.events.request.fire(
            request_type="WS", name=name, response_time=(time.time() - started) * 1000,
            response_length=0, exception=error, context={})

    @task
    def visit(self) -> None:
        number = next(ROOM["numbers"])
        person = Participant(number, ROOM["participant_url"], ROOM["code"], ROOM["think"],
                             drop=number in ROOM["droppers"], timeout=ROOM["timeout"])
        person.on_timing = self.timed
        ROOM["people"].append(person)
        gevent.sleep(ROOM["offsets"][number - 1])
        step, started = "open", time.time()
        try:
            person.arrive()
            self.timed("open", started)
            for step, action in (("join", person.join), ("take stock", person.add_relationships),
                                 ("health check", person.rate_all)):
                started = time.time()
                action()
                if step == "join":
                    self.timed("join", started)
            ROOM["rated"].add(number)
            for step in PHASES:
                started = time.time()
                person.follow(step, ROOM["wait_for_room"])
            step, started = "plan", time.time()
            person.plan()
            self.timed("plan", started)
            step = "leave"
            person.leave()
        except Exception as error:  # noqa: BLE001 - every failure is counted and reported
            person.journal.error = f"{step}: {type(error).__name__}: {error}"[:300]
            self.timed(f"{step} (failed)", started, error)
            with contextlib.suppress(Exception):
                person.page.drop()
        finally:
            ROOM["rated"].add(number)
            ROOM["finished"].add(number)
        raise StopUser()


# -- the server ------------------------------------------------------------------------------

def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def experiment_config(folder: Path, preheat: int, idle_timeout: float | None) -> Path:
    """The packaged voila.json plus, for an experiment only, a preheated pool of ``preheat``
    participant kernels and/or another idle timeout for the kit's kernel manager."""
    config = json.loads((serving.config_dir() / "voila.json").read_text())
    if preheat:
        config.setdefault("VoilaConfiguration", {})["preheat_kernel"] = True
        config["VoilaKernelManager"] = {
            "kernel_pools_config": {"default": {"pool_size": 0},
                                    "participant.ipynb": {"pool_size": preheat}},
            "preheat_denylist": ["facilitator.ipynb", "dashboard.ipynb"]}
    if idle_timeout is not None:
        config.setdefault("KitKernelManager", {})["idle_timeout"] = idle_timeout
    (folder / "voila.json").write_text(json.dumps(config, indent=1))
    return folder


def start_server(database: str, folder: Path, preheat: int = 0,
                 idle_timeout: float | None = None):
    """Serve the kit as ``reset-workshop serve`` does (with the experiment's config if any)."""
    server = serving.Server(port=_free_port())
    if not preheat and idle_timeout is None:
        return server, serving.start(server, database, quiet=True)
    config = experiment_config(folder, preheat, idle_timeout)
    argv = [a if not a.startswith("--Voila.config_file_paths=") else
            f"--Voila.config_file_paths={config}" for a in server.argv()]
    process = subprocess.Popen(argv, env=server.env(database), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not serving._listening(server.host, server.port):
        if process.poll() is not None or time.monotonic() > deadline:
            serving.stop(process)
            raise serving.ServerError("Voilà with the experiment's config did not start")
        time.sleep(0.3)
    if preheat:
        time.sleep(5 + 3 * preheat)  # let the pool fill before the storm
    return server, process


def server_pid(url: str, process) -> int | None:
    if process is not None:
        return process.pid
    from benchmarks.raw_client import server_process
    found = server_process(int(url.rsplit(":", 1)[1].split("/")[0]))
    return found.pid if found else None


# -- watching ---------------------------------------------------------------------------------

def read_samples(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_until(done, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        gevent.sleep(every)
    return True


class Browsers:
    """The Chromium pages' process and what it has said so far."""

    def __init__(self, url: str, code: str, pages: int, shot: Path):
        self.lines: list[str] = []
        self.result: dict = {"pages": [], "errors": []}
        self.pages = pages
        if not pages:
            self.process = None
            return
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "room_browser.py"), "--url", url, "--code", code,
             "--pages", str(pages), "--shot", str(shot)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.reader = gevent.spawn(self._read)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.strip())
            if line.startswith("result "):
                self.result = json.loads(line[7:])

    def said(self, prefix: str) -> int:
        return sum(1 for line in self.lines if line.startswith(prefix))

    @property
    def over(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def finish(self, timeout: float) -> dict:
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.result["errors"].append("the Chromium pages did not finish in time")
            self.reader.join(5)
        return self.result


# -- the run ---------------------------------------------------------------------------------

def run(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="rr-room-"))
    process, server = None, None
    if args.url:
        url, code, key, database = args.url.rstrip("/"), args.code, args.key, args.database
    else:
        database = str(folder / "room.sqlite")
        with Store.open(database) as store:
            session, key = store.add_session("Room rehearsal", date.today())
        code = session.code
        server, process = start_server(database, folder, args.preheat, args.idle_timeout)
        url = server.base_url
    samples_file = folder / "samples.jsonl"
    pid = server_pid(url, process)
    monitor = subprocess.Popen([sys.executable, str(HERE / "room_monitor.py"), "--pid",
                                str(pid), "--out", str(samples_file), "--status",
                                f"{url}/reset-workshop/kernels"],
                               start_new_session=True) if pid else None
    rng = random.Random(args.seed)
    ROOM.update(participant_url=f"{url}/voila/render/participant.ipynb?code={code}", code=code,
                think=args.think, timeout=args.timeout, numbers=itertools.count(1),
                offsets=[rng.uniform(0, args.spread) for _ in range(args.people)],
                droppers=set(rng.sample(range(1, args.people + 1),
                                        round(args.people * args.drop_share))),
                people=[], rated=set(), finished=set(),
                wait_for_room=args.spread + 60 * args.think + 600)
    result: dict = {"people": args.people, "browsers": args.browsers, "spread": args.spread,
                    "think": args.think, "preheat": args.preheat, "url": url,
                    "idle_timeout": args.idle_timeout, "started": time.strftime("%F %T")}
    try:
        console = Console(f"{url}/voila/render/facilitator.ipynb", code, key, args.timeout)
        console.open()
        gevent.sleep(3)
        baseline = (read_samples(samples_file) or [{"kernels": None}])[-1]["kernels"]
        RESULTS.mkdir(exist_ok=True)
        shot = RESULTS / f"room-N{args.people}-chromium.png"
        storm = time.time()
        cpu_before = sum(psutil.Process().cpu_times()[:2])
        browsers = Browsers(url, code, args.browsers, shot)
        env = Environment(user_classes=[RoomParticipant])
        runner = env.create_local_runner()
        runner.start(args.people, spawn_rate=min(max(args.people, 1), 100))  # all within 1 s
        everyone = args.people + args.browsers
        wait_until(lambda: len(ROOM["rated"]) >= args.people and (
            browsers.said("rated") >= args.browsers or browsers.over), ROOM["wait_for_room"])
        moves, trouble = [], []
        for phase in PHASES:
            try:
                clicked = console.move(phase)
            except Exception as error:  # noqa: BLE001 - reported; the room carries on
                trouble.append(f"console, moving to {phase}: {type(error).__name__}: {error}")
                try:
                    console.reload(str(error))
                    clicked = console.move(phase)
                except Exception as again:  # noqa: BLE001
                    trouble.append(f"console reloaded, moving to {phase}: {again!r}")
                    continue
            moves.append({"phase": phase, "clicked": clicked})
            wait_until(lambda p=phase: all(
                person.page.on_step(p) or person.journal.error or person.page.failure
                for person in ROOM["people"]) and (browsers.said(f"{p} all") or browsers.over),
                120)
        wait_until(lambda: len(ROOM["finished"]) >= args.people, ROOM["wait_for_room"])
        left = time.time()
        chromium = browsers.finish(300)
        wait_until(lambda: (read_samples(samples_file) or [{"kernels": 0}])[-1]["kernels"]
                   <= (baseline or 0), args.linger, every=2)
        after_s = time.time() - left
        counts = console.counts()
        runner.quit()
        console.page.close()
        result.update(summarise(args, env, moves, counts, chromium, storm, baseline, after_s,
                                read_samples(samples_file), everyone))
        result["errors"]["list"] += trouble
        result["errors"]["count"] += len(trouble)
        result["console_reloads"] = console.reloads
        used = psutil.Process().cpu_times()
        result["simulator_cpu_cores"] = round((used.user + used.system - cpu_before) /
                                              max(time.time() - storm, 1e-6), 2)
        result["reconciliation"] = (room_report.reconcile(database, code, result.pop("journals"))
                                    if database else {"ok": None, "lost": [], "extra": [],
                                                      "note": "no --database: not checked"})
    finally:
        if monitor is not None:
            monitor.terminate()
            monitor.wait(10)
        if process is not None:
            serving.stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _percentiles(env: Environment, name: str) -> dict:
    entry = env.stats.entries.get((name, "WS"))
    if entry is None or not entry.num_requests:
        return {"n": 0}
    return {"n": entry.num_requests, "p50": entry.get_response_time_percentile(0.5) / 1000,
            "p95": entry.get_response_time_percentile(0.95) / 1000,
            "max": entry.max_response_time / 1000}


def _fire(env: Environment, name: str, seconds: float) -> None:
    env.events.request.fire(request_type="WS", name=name, response_time=seconds * 1000,
                            response_length=0, exception=None, context={})


def summarise(args, env, moves, counts, chromium, storm, baseline, after_s, samples,
              everyone) -> dict:
    """Turn the run into numbers; derived timings go through Locust's statistics too."""
    journals = [asdict(p.journal) for p in ROOM["people"]]
    pages = chromium.get("pages", [])
    for j in journals:
        t = j["times"]
        if "first_step" in t and "join_screen" in t:
            _fire(env, "arrive_to_first_step", (t["join_screen"] - t["arrive"]) +
                  (t["first_step"] - t["join_click"]))
    followed = 0
    for move in moves:
        phase, clicked = move["phase"], move["clicked"]
        title = phase_title(phase)
        reached = 0
        for person in ROOM["people"]:
            banner, step = (person.page.seen.get((k, v)) for k, v in
                            (("title", title), ("step", phase)))
            if banner and step:
                reached += 1
                _fire(env, "phase_banner", banner - clicked)
                _fire(env, "phase", max(banner, step) - clicked)
        for page in pages:
            seen = page.get("seen", {})
            banner = seen.get(title.removeprefix("<strong>").removesuffix("</strong>"))
            step = seen.get(f"step:{phase}")
            if banner and step:
                reached += 1
                _fire(env, "phase_banner", banner - clicked)
                _fire(env, "phase", max(banner, step) - clicked)
        move["reached"] = reached
        followed += reached == everyone
    delays = room_report.console_delays(journals + pages, counts)
    missing_on_console = sum(1 for d in delays.values() for v in d if v is None)
    for values in delays.values():
        for value in values:
            if value is not None:
                _fire(env, "save_to_console", value)
    names = ["open", "join", "arrive_to_first_step", "add relationship", "save ratings",
             "plan", "save_to_console", "phase", "phase_banner"]
    errors = [j["error"] for j in journals if j["error"]] + chromium.get("errors", [])
    errors += [f"{missing_on_console} acknowledged milestone(s) never shown on the console"
               ] if missing_on_console else []
    return {"timings": {name: _percentiles(env, name) for name in names},
            "locust_failures": env.stats.total.num_failures,
            "errors": {"count": len(errors), "list": errors[:50]},
            "moves": moves, "followed_all": followed == len(PHASES),
            "console_delays": delays, "machine": machine(samples, storm, everyone),
            "kernels": kernels(samples, baseline, after_s, journals),
            "journals": [*journals, *pages], "chromium": pages,
            "arrivals": arrivals(journals, storm), "cpu_timeline": cpu_timeline(samples)}


def arrivals(journals: list[dict], storm: float) -> list[list]:
    """Each person's arrival (seconds into the storm), open and join times: does joining get
    slower as the room fills up?"""
    rows = []
    for j in journals:
        t = j["times"]
        if "arrive" in t:
            rows.append([round(t["arrive"] - storm, 1),
                         round(t["join_screen"] - t["arrive"], 2) if "join_screen" in t else None,
                         round(t["first_step"] - t["join_click"], 2)
                         if "first_step" in t and "join_click" in t else None])
    return sorted(rows)


def cpu_timeline(samples: list[dict]) -> list[list]:
    """Cores busy between two samples: the server, its kernels, and the whole machine."""
    rows = []
    for a, b in itertools.pairwise(samples):
        span = max(b["t"] - a["t"], 1e-6)
        rows.append([round(b["t"] - samples[0]["t"], 1),
                     round((b["server_cpu_s"] - a["server_cpu_s"]) / span, 2),
                     round((b["cpu_s"] - a["cpu_s"] - b["server_cpu_s"] + a["server_cpu_s"])
                           / span, 2),
                     round((b["machine_busy_s"] - a["machine_busy_s"]) / span, 2)])
    return rows


def machine(samples: list[dict], storm: float, everyone: int) -> dict:
    during = [s for s in samples if s["t"] >= storm] or samples or [
        {"t": 0, "uss_mib": 0, "cpu_s": 0, "load": 0, "largest_kernel_mib": 0, "kernels": 0}]
    before = [s for s in samples if s["t"] < storm] or during[:1]
    peak = max(s["uss_mib"] for s in during)
    steps = [(b["cpu_s"] - a["cpu_s"]) / (b["t"] - a["t"]) for a, b in _windows(during, 4.0)
             ] or [0.0]
    span = max(during[-1]["t"] - during[0]["t"], 1e-6)
    return {"baseline_uss_mib": before[-1]["uss_mib"], "peak_uss_mib": peak,
            "per_person_mib": (peak - before[-1]["uss_mib"]) / max(everyone, 1),
            "largest_kernel_mib": max(s["largest_kernel_mib"] for s in during),
            "cpu_cores_avg": (during[-1]["cpu_s"] - during[0]["cpu_s"]) / span,
            "cpu_cores_peak": max(steps), "load_min": min(s["load"] for s in during),
            "load_max": max(s["load"] for s in during), "cores": os.cpu_count()}


def _windows(samples: list[dict], seconds: float):
    """Pairs of samples at least ``seconds`` apart, one per sample: a rate over two samples
    taken a moment apart (the monitor is sometimes late, then quick) means nothing."""
    ends = iter(range(len(samples)))
    j = next(ends, None)
    for a in samples:
        while j is not None and samples[j]["t"] - a["t"] < seconds:
            j = next(ends, None)
        if j is None:
            return
        yield a, samples[j]


def kernels(samples: list[dict], baseline, after_s: float, journals: list[dict]) -> dict:
    beacons: dict[str, int] = {}
    for j in journals:
        if j["beacon_status"] is not None:
            beacons[str(j["beacon_status"])] = beacons.get(str(j["beacon_status"]), 0) + 1
    return {"baseline": baseline, "peak": max((s["kernels"] for s in samples), default=None),
            "after": samples[-1]["kernels"] if samples else None, "after_s": after_s,
            "beacons": beacons, "closed": sum(j["left"] == "closed" for j in journals),
            "dropped": sum(j["left"] == "dropped" for j in journals),
            "timeline": [(round(s["t"] - samples[0]["t"], 1), s["kernels"]) for s in samples]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--url", help="a running `reset-workshop serve` (else one is started)")
    parser.add_argument("--code", help="with --url: the session's join code")
    parser.add_argument("--key", help="with --url: the session's facilitator key")
    parser.add_argument("--database", help="with --url: its store, for the reconciliation")
    parser.add_argument("--spread", type=float, default=60.0, help="storm window, seconds")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between actions")
    parser.add_argument("--browsers", type=int, default=2, help="real Chromium pages")
    parser.add_argument("--drop-share", type=float, default=0.3,
                        help="share of people who vanish instead of closing the tab")
    parser.add_argument("--preheat", type=int, default=0, help="Voilà preheated pool size")
    parser.add_argument("--idle-timeout", type=float, default=None,
                        help="experiment: the kernel manager's idle timeout, seconds")
    parser.add_argument("--linger", type=float, default=60.0,
                        help="seconds to watch kernels go after everyone left")
    parser.add_argument("--timeout", type=float, default=120.0, help="one step's limit")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", help="JSON file (default benchmarks/results/room-N<people>)")
    args = parser.parse_args(argv)
    if args.url and not (args.code and args.key):
        parser.error("--url needs --code and --key")
    result = run(args)
    out = Path(args.out) if args.out else RESULTS / (
        f"room-N{args.people}{'-preheat' if args.preheat else ''}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print(room_report.table(result))
    print(f"(details: {out})")
    ok = result["errors"]["count"] == 0 and result["reconciliation"].get("ok") is not False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
