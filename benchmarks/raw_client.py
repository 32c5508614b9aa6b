"""The hostile raw client of the hardening issue, as a measurement.

``python benchmarks/raw_client.py --url http://127.0.0.1:8866 [--legacy] [--seconds 20]``

With no browser and no credentials it opens the facilitator page, connects to its kernel
websocket (without the v1 subprotocol when ``--legacy``), loads every widget's state, types a
title and clicks "Create session" (the console then draws its QR code), asks for every state
again, and keeps reading. Meanwhile it times a plain HTTP GET of the server every half second
and samples the server's memory. ``--forged`` instead sends one v1 frame whose offset
count is 2**60 (what jupyter_server's own v1 reader would loop over). It prints, and writes
to ``benchmarks/results/``, whether the websocket was refused, the slowest HTTP answer and the
server's memory growth.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.widget_client import Page  # noqa: E402

RESULTS = Path(__file__).with_name("results")


def server_process(port: int) -> psutil.Process | None:
    """The process listening on ``port`` (the Voilà server), if this user can see it."""
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid:
            return psutil.Process(conn.pid)
    return None


def _watch(url: str, stop: threading.Event, answers: list[float]) -> None:
    while not stop.is_set():
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            answers.append(time.monotonic() - start)
        except OSError:
            answers.append(10.0)
        stop.wait(0.5)


def attack(page: Page, seconds: float) -> str:
    """The reproduction; what became of the websocket ('refused', 'closed' or 'open')."""
    page.get()
    try:
        page.connect()
    except Exception as error:  # a refused upgrade is an exception of websocket-client
        return f"refused ({str(error).splitlines()[0][:80]})"
    try:
        page.request_states()
        title = page.wait_for("rr-session-title", timeout=30)
        page.set(title.id, value="Hostile probe")
        page.click(page.wait_for("rr-create-session", timeout=30).id)
        time.sleep(1.0)
        page.request_states()
        page.pump(seconds)
    except Exception as error:  # the server may close the socket: that is an outcome too
        return f"closed ({type(error).__name__})"
    finally:
        page.close()
    return "open"


def forge(page: Page, seconds: float) -> str:
    """A v1 client that sends a frame claiming 2**60 offsets; what became of the websocket."""
    page.get()
    page.connect()
    page._ws.send_binary((2**60).to_bytes(8, "little") + bytes(24))
    try:
        page.pump(seconds)
    except Exception as error:  # closed by the server, as it should be
        return f"closed ({type(error).__name__})"
    return "open"


def run(url: str, legacy: bool, seconds: float, forged: bool = False) -> dict:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    server = server_process(port)
    rss = [server.memory_info().rss] if server else []
    stop, answers = threading.Event(), []
    watcher = threading.Thread(target=_watch, args=(f"{url}/voila/static/voila.js", stop,
                                                    answers), daemon=True)
    watcher.start()
    page = Page(f"{url}/voila/render/facilitator.ipynb", legacy=legacy, timeout=30)
    socket = forge(page, seconds) if forged else attack(page, seconds)
    time.sleep(2)
    if server:
        rss.append(server.memory_info().rss)
    stop.set()
    watcher.join(15)
    framing = "legacy" if legacy else "v1-forged" if forged else "v1"
    return {"framing": framing, "websocket": socket,
            "http_answers": len(answers), "slowest_http_s": round(max(answers or [0]), 3),
            "server_rss_growth_mb": round((rss[-1] - rss[0]) / 2**20, 1) if rss else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8866")
    parser.add_argument("--legacy", action="store_true", help="no v1 subprotocol")
    parser.add_argument("--forged", action="store_true",
                        help="v1, then one frame whose offset count is 2**60")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    result = run(args.url.rstrip("/"), args.legacy, args.seconds, args.forged)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"raw_client_{result['framing']}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
