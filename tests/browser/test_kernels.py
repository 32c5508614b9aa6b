"""Kernels are given back: pages closed, pages whose network died, pages fetched and never
opened, and a room that is full. Fresh browsers (new contexts, no cookies) throughout.

Most tests run against a second server with short times (``ROOM``), so they finish in a minute;
the goodbye-beacon test runs against the shared server with the packaged (default) settings.
Kernel counts are the server's own (``/reset-workshop/kernels``); whether one page's kernel is
alive is asked the way the page itself asks (``GET /api/kernels/<id>``: 200 or 404).

A lost network is played by :class:`Blackhole`, a TCP relay the page talks through that, once
dropped, forwards nothing either way and closes nothing: the server sees a websocket that is
open and silent, as with a phone asleep or out of coverage. (Chromium's offline emulation or a
closed context would not do: the browser then closes its sockets, which is a goodbye.)
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from workshop.app import serving
from workshop.store import Store

from .conftest import KERNEL_MS, LAPTOP, PAGE_READY_MS, free_port

IDLE, GRACE, CAP, CHECK = 20.0, 45.0, 10, 1.0  # the short room's settings (seconds)
PING, PING_TIMEOUT = 2.0, 6.0  # how soon the server notices a silent websocket
CLOSE_WAIT = 5.0  # tornado waits this long for a silent client to answer a close


class Blackhole:
    """A TCP relay to ``port`` that can go silent (see the module docstring)."""

    def __init__(self, port: int):
        self.target = port
        self.dropped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if self.dropped.is_set():
                if not data:  # the browser went away: the server must not hear of it
                    return
                continue  # swallowed, like packets into a dead network
            if not data:
                for end in (source, sink):
                    end.close()
                return
            try:
                sink.sendall(data)
            except OSError:
                return

    def drop(self) -> None:
        self.dropped.set()

    def close(self) -> None:
        self.listener.close()
        for end in self.sockets:
            end.close()


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """A second server with short kernel times and a cap of ``CAP`` kernels, over a session
    whose phase is running (the banner ticks every second on each joined page)."""
    folder = tmp_path_factory.mktemp("kernels")
    database = str(folder / "kernels.sqlite")
    with Store.open(database) as store:
        session, _ = store.add_session("Kernel test session", date.today())
        store.set_phase(session.id, "inventory")
    settings = json.dumps({"ws_ping_interval": int(PING * 1000),
                           "ws_ping_timeout": int(PING_TIMEOUT * 1000)})
    server = serving.Server(port=free_port(), max_kernels=CAP, kernel_idle=IDLE,
                            kernel_grace=GRACE,
                            voila_options=(f"--KitKernelManager.check_interval={CHECK}",
                                           f"--Voila.tornado_settings={settings}"))
    env = dict(os.environ, RESET_WORKSHOP_CONFIG=str(folder / "absent-config.toml"))
    process = serving.start(server, database, env=env, quiet=True)
    try:
        yield server, session.code
    finally:
        serving.stop(process)


def status(server: serving.Server) -> dict:
    with urllib.request.urlopen(f"{server.base_url}/reset-workshop/kernels", timeout=10) as r:
        return json.load(r)


def alive(server: serving.Server, kernel_id: str) -> bool:
    try:
        with urllib.request.urlopen(f"{server.base_url}/api/kernels/{kernel_id}", timeout=10):
            return True
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise


def wait_for(condition, timeout: float, step: float = 0.5) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout:.0f} s: {condition.__doc__ or condition}")
        time.sleep(step)
    return time.monotonic() - start


def kernel_id(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def joined_page(browser, url: str):
    """A fresh browser (own context, no cookies) that joined the session: (context, page, id)."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(KERNEL_MS)
    page.goto(url, timeout=PAGE_READY_MS)
    page.locator(".rr-join-name input").wait_for(timeout=PAGE_READY_MS)
    page.locator(".rr-join").click()
    page.locator(".rr-resume-shown").wait_for()
    return context, page, kernel_id(page)


def test_a_closed_tab_in_a_fresh_browser_gives_its_kernel_back_at_once(workshop, browser):
    """Default settings (15 min idle): only the page's goodbye beacon can be this quick."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(workshop.participant_url(f"code={workshop.code}"), timeout=PAGE_READY_MS)
    page.locator(".rr-app").first.wait_for(timeout=PAGE_READY_MS)
    kernel = kernel_id(page)
    assert alive(workshop.server, kernel)
    assert "_xsrf" in {cookie["name"] for cookie in context.cookies()}  # what the beacon sends
    page.close(run_before_unload=True)  # as when a person closes the tab
    gone = wait_for(lambda: not alive(workshop.server, kernel), timeout=60)
    context.close()
    print(f"\nclosed tab's kernel gone after {gone:.1f} s")
    assert gone < 60


def _ticking(page) -> bool:
    """Whether the page's phase banner is counting down (the page counts it itself)."""
    banner = page.locator(".rr-phase-banner")
    before = banner.inner_text()
    time.sleep(2.5)
    return "left" in before and banner.inner_text() != before


def test_closed_and_dropped_pages_are_all_reclaimed_in_time_while_a_phase_runs(room, browser):
    """5 fresh browsers: 2 tabs closed, 1 browser quit without a goodbye, 2 networks lost.
    A sixth page stays open, quiet and connected, and keeps its kernel throughout."""
    server, code = room
    path = f"/voila/render/{serving.PARTICIPANT}?code={code}"
    relay = Blackhole(server.port)
    opened: list = []
    try:
        for base in [server.base_url] * 4 + [f"http://127.0.0.1:{relay.port}"] * 2:
            opened.append(joined_page(browser, base + path))
        keeper, closing, dropping = opened[0], opened[1:4], opened[4:]
        assert status(server)["connected"] == 6
        assert _ticking(keeper[1])  # the activity that kept jupyter_server's culler away

        left = time.monotonic()
        for _, page, _ in closing[:2]:
            page.close(run_before_unload=True)  # tabs closed: the beacon says goodbye
        closing[2][0].close()  # the browser quits: no beforeunload, the socket just closes
        relay.drop()
        for context, _, _ in dropping:
            context.close()  # whatever the browser does now never reaches the server
        kernels = {"closed": [k for _, _, k in closing[:2]], "quit": [closing[2][2]],
                   "dropped": [k for _, _, k in dropping]}
        gone_at: dict[str, float] = {}

        def all_gone() -> bool:
            """all five kernels reclaimed"""
            for kernel in sum(kernels.values(), []):
                if kernel not in gone_at and not alive(server, kernel):
                    gone_at[kernel] = time.monotonic() - left
            return len(gone_at) == 5

        limit = IDLE + PING_TIMEOUT + CLOSE_WAIT + 2 * PING + 2 * CHECK + 15
        wait_for(all_gone, timeout=limit)
        print("\nseconds until reclaimed:", {kind: [round(gone_at[k], 1) for k in ids]
                                             for kind, ids in kernels.items()})
        assert all(gone_at[k] < 10 for k in kernels["closed"])  # the beacon, at once
        # the others were given the idle time after their connection ended, not less
        assert all(IDLE <= gone_at[k] <= IDLE + 2 * CHECK + 10 for k in kernels["quit"])
        assert all(gone_at[k] >= IDLE + PING_TIMEOUT - PING for k in kernels["dropped"])
        assert alive(server, keeper[2])  # quiet for longer than IDLE, but still there
        assert _ticking(keeper[1])
        now = status(server)
        assert (now["kernels"], now["connected"]) == (1, 1)
        keeper[1].close(run_before_unload=True)
        wait_for(lambda: status(server)["kernels"] == 0, timeout=30)
    finally:
        relay.close()
        for context, _, _ in opened:
            context.close()


def _get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=PAGE_READY_MS / 1000) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_fetched_pages_that_never_connect_are_reclaimed_and_a_full_room_says_so(
        room, browser, shoot):
    server, code = room
    wait_for(lambda: status(server)["kernels"] == 0, timeout=60)
    url = f"{server.base_url}/voila/render/{serving.PARTICIPANT}?code={code}"
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(_get, [url] * CAP))
    assert [answer for answer, _, _ in answers] == [200] * CAP
    now = status(server)
    assert (now["kernels"], now["never_connected"]) == (CAP, CAP)

    refused, body, headers = _get(url)  # the room is full now
    assert refused == 503 and headers.get("Retry-After") == "60"
    assert "The room is full &mdash; try again in a minute" in body
    assert "Traceback" not in body and "kernelId" not in body
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 503
    assert page.get_by_role("heading").inner_text() == "The room is full — try again in a minute"
    shoot(page, "kernels-room-full-375")
    context.close()
    assert status(server)["kernels"] == CAP  # refusing started nothing

    reclaimed = wait_for(lambda: status(server)["kernels"] == 0, timeout=GRACE + 30)
    waited = time.monotonic() - started
    print(f"\n{CAP} unopened pages' kernels all reclaimed {waited:.0f} s after the first GET "
          f"(grace {GRACE:.0f} s)")
    assert waited >= GRACE and reclaimed > 0
    assert _get(url)[0] == 200  # room again
