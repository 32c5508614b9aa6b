"""Several replicas on PostgreSQL behind a real proxy, on loopback, exactly as the README's
"Running a bigger workshop" says: two ``reset-workshop serve`` replicas over one PostgreSQL
database, ``reset-workshop proxy-config --kind haproxy`` and Debian's HAProxy in front.

People join through the proxy and land on both replicas; the console on one replica counts
everyone and moves everyone's phase; one replica is killed (SIGKILL) in the middle; its pages
say the connection is lost, reconnect through the proxy to the other replica and resume on the
same device with nothing they saved lost. The test prints its timeline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from workshop.app import serving
from workshop.store import Store

from .conftest import ARTIFACTS, LAPTOP, PAGE_READY_MS, PHONE, free_port
from .test_facilitator import _move_everyone, _wait_text
from .test_participant import App

pytestmark = pytest.mark.postgres
LOST = "Connection lost — your answers up to now are saved."
PEOPLE = 4
CLI = [sys.executable, "-m", "workshop.cli"]
LIVE_S = 15  # counts poll the store every 2 s; generous on a shared 2-core machine


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    events: list[tuple[float, str]] = field(default_factory=list)

    def __call__(self, what: str) -> None:
        self.events.append((time.monotonic() - self.started, what))

    def show(self) -> str:
        return "\n".join(f"  {t:6.1f} s  {what}" for t, what in self.events)


@dataclass
class Room:
    """The database, the replicas' processes and ports, and the proxy."""

    database: str
    ports: dict[str, int]  # replica name in the proxy config -> port
    serves: dict[str, subprocess.Popen]
    proxy_url: str
    folder: Path

    def figures(self, name: str) -> dict:
        url = f"http://127.0.0.1:{self.ports[name]}/reset-workshop/kernels"
        with urllib.request.urlopen(url, timeout=10) as answer:
            return json.loads(answer.read())

    def replicas_arg(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.ports.values())


def _database(postgres_url: str) -> str:
    """A database of this module's own in the suite's PostgreSQL cluster."""
    import psycopg
    name = f"rr_replicas_{os.getpid()}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def _listening(port: int, process: subprocess.Popen, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not serving._listening("127.0.0.1", port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start on port {port}: see its log in "
                               f"{Path(process.args[-1]).parent if what == 'HAProxy' else ''}"
                               f"{process.args}")
        time.sleep(0.3)


@pytest.fixture
def log():
    """The test's timeline, printed at its end whether it passed or not."""
    timeline = Timeline()
    yield timeline
    print("\nTimeline:\n" + timeline.show())


@pytest.fixture(scope="module")
def room(postgres_url):
    if not shutil.which("chromium"):
        pytest.skip("the system Chromium is not installed")
    if not shutil.which("haproxy"):
        pytest.skip("HAProxy is not installed (tests/run-all.sh installs it)")
    folder = ARTIFACTS / "replicas"  # the replicas' and HAProxy's logs, kept for a look
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database = _database(postgres_url)
    proxy_port = free_port()
    public = f"http://127.0.0.1:{proxy_port}"
    env = {**os.environ, "RESET_WORKSHOP_CONFIG": str(folder / "absent.toml")}
    env.pop("RESET_WORKSHOP_DB", None)
    ports = {f"replica{n}": free_port() for n in (1, 2)}
    serves = {}
    try:
        for name, port in ports.items():  # the README's command, once per replica
            with open(folder / f"{name}.log", "wb") as output:
                serves[name] = subprocess.Popen(
                    [*CLI, "serve", "--db", database, "--port", str(port), "--public-url",
                     public, "--db-pool", "1", "--no-browser"], env=env, stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True)
        for name, port in ports.items():
            _listening(port, serves[name], name)
        config = folder / "haproxy.cfg"
        subprocess.run([*CLI, "proxy-config", "--kind", "haproxy", "--replicas",
                        ",".join(f"127.0.0.1:{p}" for p in ports.values()),
                        "--public-url", public, "--listen", f"127.0.0.1:{proxy_port}",
                        "-o", str(config)], env=env, check=True, capture_output=True)
        subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)
        with open(folder / "haproxy.log", "wb") as log:
            proxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log,
                                     stderr=subprocess.STDOUT)
        _listening(proxy_port, proxy, "HAProxy", 20)
        serves["haproxy"] = proxy
        yield Room(database, ports, serves, public, folder)
    finally:
        for process in serves.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in serves.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _replica_of(page) -> str:
    """The replica the proxy pinned this browser to (its affinity cookie)."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == "rr_replica")


def _status(room: Room) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "status", "--replicas", room.replicas_arg()],
                          capture_output=True, text=True)


def _open_console(open_page, room: Room, code: str, key: str):
    console = open_page(f"{room.proxy_url}/voila/render/facilitator.ipynb", LAPTOP,
                        ready=".rr-open-form")
    form = console.locator(".rr-open-form")
    form.locator(".rr-open-code input").fill(code)
    form.locator(".rr-open-key input").fill(key)
    form.locator(".rr-open-console").click()
    console.locator(".rr-session-console").wait_for(timeout=PAGE_READY_MS)
    return console


def _saved(database: str, session_id: str) -> dict[str, tuple[list[str], int]]:
    """Each participant's relationships and number of saved ratings, from the database."""
    with Store.open(database) as store:
        found = {}
        for person in store.find_participants(session_id):
            relationships = store.find_relationships(person.id)
            ratings = sum(len(c.ratings) for c in store.find_checkins(participant_id=person.id))
            found[person.display_name] = (sorted(r.label for r in relationships), ratings)
        return found


def _watch_socket(socket, name: str, log: Timeline) -> None:
    what = socket.url.rsplit("/api/", 1)[-1].split("?")[0]
    log(f"{name}'s page opened a websocket ({what})")
    socket.on("close", lambda _: log(f"{name}'s websocket {what} closed"))


def _connections(database: str) -> int:
    """Connections the replicas' kernels hold to the room's database (this query's excluded)."""
    import psycopg
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(database) as conn:
        return conn.execute("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = %s",
                            (name,)).fetchone()[0]


def test_two_replicas_behind_haproxy_share_the_room_and_survive_a_killed_replica(
        room, open_page, shoot, log):
    with Store.open(room.database) as store:
        session, key = store.add_session("Replica rehearsal", date.today())
    assert urllib.request.urlopen(f"{room.proxy_url}/voila/render/participant.ipynb"
                                  f"?code={session.code}", timeout=60).status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:  # figures stay on the machine
        urllib.request.urlopen(f"{room.proxy_url}/reset-workshop/kernels", timeout=10)
    assert refused.value.code == 403

    console = _open_console(open_page, room, session.code, key)
    host = _replica_of(console)
    join_url = console.locator(".rr-join-url a").get_attribute("href")
    assert join_url == f"{room.proxy_url}/voila/render/participant.ipynb?code={session.code}"
    log(f"console open on {host}")

    people, where = [], {}
    for number in range(1, PEOPLE + 1):
        page = open_page(join_url, PHONE)
        app, name = App(page), f"Person {number}"
        app.join(name)
        app.add_relationship(f"Partner of person {number}")
        page.locator(".rr-next-health").click()
        page.locator(".rr-step-health.rr-current").wait_for()
        app.rate_current(4)
        where[name] = _replica_of(page)
        people.append((name, app))
        log(f"{name} joined, saved a relationship and its ratings on {where[name]}")
    assert set(where.values()) == set(room.ports), f"everyone on one replica: {where}"
    log("joins per replica: " + ", ".join(
        f"{r} {sum(1 for w in where.values() if w == r)}" for r in room.ports))

    _wait_text(console, ".rr-count-joined", rf"^\s*{PEOPLE}\s*Joined", LIVE_S)
    _wait_text(console, ".rr-count-health", rf"^\s*{PEOPLE}\s*Finished health", LIVE_S)
    log(f"console on {host} counts {PEOPLE} joined, {PEOPLE} finished the health check")
    status = _status(room)
    assert status.returncode == 0, status.stderr
    figures = {name: room.figures(name) for name in room.ports}
    assert all(f["connected"] >= 1 for f in figures.values()), figures
    log(f"PostgreSQL: {_connections(room.database)} connections open for "
        f"{sum(f['kernels'] for f in figures.values())} pages on 2 replicas")
    log("status: " + "; ".join(f"{n} {f['kernels']} pages, {f['connected']} connected"
                               for n, f in figures.items()))
    print("\n" + status.stdout)

    took = _move_everyone(console, ".rr-phase-map", [a for _, a in people], "See the map",
                          step="map")
    log(f"console moved the room to 'See the map': every page followed within {max(took):.1f} s")
    before = _saved(room.database, session.id)
    assert all(ratings for _, ratings in before.values()), before

    victim = next(r for r in room.ports if r != host)
    gone = [(name, app) for name, app in people if where[name] == victim]
    os.kill(room.figures(victim)["pid"], signal.SIGKILL)
    log(f"SIGKILL to {victim}'s Voilà server ({len(gone)} participant page(s) on it)")
    for name, app in gone:
        notice = app.page.locator(".rr-connection-lost")
        notice.wait_for(timeout=PAGE_READY_MS)
        assert LOST in notice.inner_text()
        log(f"{name}'s page says: {LOST}")
    shoot(gone[0][1].page, "replicas-connection-lost-375")

    for name, app in gone:
        app.page.on("websocket", lambda ws, name=name: _watch_socket(ws, name, log))
        app.page.locator(".rr-reconnect").click()
        app.page.locator(".rr-step-map.rr-current").wait_for(timeout=PAGE_READY_MS)
        app.page.locator(".rr-who", has_text=name).wait_for()  # drawn just after the step
        # nothing typed: the join form goes as the workbook opens
        app.page.locator(".rr-resume-code input").wait_for(state="detached", timeout=10_000)
        assert app.page.locator(".rr-connection-lost").count() == 0
        assert _replica_of(app.page) == host
        log(f"{name} tapped Reconnect: resumed at the map on {host}, same device, no code")
    shoot(gone[0][1].page, "replicas-resumed-375")

    after = _saved(room.database, session.id)
    assert after == before  # nothing anyone saved was lost, nothing doubled
    log(f"reconciliation: {len(after)} people, their relationships and "
        f"{sum(r for _, r in after.values())} saved ratings all in PostgreSQL, as before")

    took = _move_everyone(console, ".rr-phase-plan", [a for _, a in people],
                          "Plan the reset conversation", step="plan")
    log(f"console moved the room on to 'Plan': every page followed within {max(took):.1f} s")
    _wait_text(console, ".rr-count-joined", rf"^\s*{PEOPLE}\s*Joined", LIVE_S)
    status = _status(room)
    assert status.returncode == 1 and "down" in status.stdout
    assert f"127.0.0.1:{room.ports[victim]}" in status.stderr
    survivor = room.figures(host)
    assert survivor["connected"] >= PEOPLE + 1  # the console and every participant's page
    log(f"status after the kill: {host} serves {survivor['connected']} connected pages, "
        f"{victim} down")
    print("\n" + status.stdout)
