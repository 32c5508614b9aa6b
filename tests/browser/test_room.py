"""A small room, played by the room simulator (``benchmarks/room.py``) so it cannot rot.

Five simulated participants and one Chromium page join within ten seconds, against the
session's own server, store and console: every one of them saves five relationships and their
ratings, follows both phase changes the console makes, plans a reset and leaves. The simulator
runs in its own process (it patches the standard library with gevent).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from workshop.store import Store

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 5


def test_a_small_room_loses_nothing_and_follows_the_console(workshop, tmp_path):
    with Store.open(workshop.database) as store:
        session, key = store.add_session("Small room", date.today())
    out = tmp_path / "room.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "room.py"), "--people", str(PEOPLE),
         "--spread", "10", "--think", "0.3", "--browsers", "1", "--linger", "5",
         "--url", workshop.server.base_url, "--code", session.code, "--key", key,
         "--database", workshop.database, "--out", str(out)],
        capture_output=True, text=True, timeout=280, cwd=ROOT)
    assert out.exists(), run.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["errors"]["count"] == 0, result["errors"]
    recon = result["reconciliation"]
    assert recon["ok"], recon
    assert recon["acknowledged"] == {"participants": PEOPLE + 1, "relationships": 5 * (PEOPLE + 1),
                                     "checkins": 5 * (PEOPLE + 1), "plans": PEOPLE + 1}
    assert recon["in_store"] == recon["acknowledged"]
    assert [m["reached"] for m in result["moves"]] == [PEOPLE + 1, PEOPLE + 1]
    assert result["followed_all"]
    assert result["timings"]["phase"]["n"] == 2 * (PEOPLE + 1)
    assert result["timings"]["save_to_console"]["n"] > 0
    assert run.returncode == 0, run.stdout[-2000:]
