"""How the facilitator console's cost grows with the session: the curve at 10, 100 and 1,000
participants x 8 relationships x 2-4 check-ins.

For each size a session is generated into a temporary SQLite file (bulk inserts through
SQLAlchemy core: fast, and the same tables the store writes), then the console is measured
through its own code path, :meth:`workshop.app.facilitator.SessionConsole.tick`, driven for one
full poll cycle (``POLL_EVERY`` ticks, the database read running in a worker thread as in the
kernel), with the group view revealed (the costlier case: charts are drawn):

- **unchanged poll**: a poll cycle when nothing changed (median of several);
- **refresh after a change**: one new check-in by one participant (written through the store, not
  timed), then the poll cycle that picks it up and redraws, group and charts included (median
  of several; the console's rule that lets a costly group wait is bypassed here);
- **counts shown**: the first step of that refresh alone (session and progress counts);
- **idle CPU**: the console's own ticker left running for ``--idle`` seconds on an event loop,
  as in an idle kernel: process CPU time over wall time, in % of one core.

Targets at 1,000 participants: unchanged poll <= 20 ms, refresh <= 300 ms, idle < 5 % of a core.
Prints a table (with ratios to the 10-participant row) and writes
``benchmarks/results/console_scale.json`` (or ``--out``).

Run: ``.venv/bin/python benchmarks/console_scale.py [--sizes 10 100 1000] [--idle 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from workshop import codes, db
from workshop.app import facilitator
from workshop.app.facilitator import POLL_EVERY, SessionConsole
from workshop.model import CHANNELS, KINDS, TRENDS, CheckIn, make
from workshop.store import Store

RESULTS = Path(__file__).resolve().parent / "results" / "console_scale.json"
TARGETS = {"unchanged_poll_ms": 20.0, "refresh_ms": 300.0, "idle_cpu_percent": 5.0}
RELATIONSHIPS_EACH = 8
SHARED_LABELS = [f"Shared account {i}" for i in range(20)]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _id() -> str:
    return uuid.uuid4().hex


def _rows(session_id: str, people: int, dimensions: list[str], rng: random.Random) -> dict:
    """Rows for every table: ``people`` x 8 relationships x 2-4 check-ins (+ contacts, plans)."""
    out: dict[str, list[dict]] = {name: [] for name in
                                  ("participants", "relationships", "checkins", "ratings",
                                   "contacts", "plans")}
    for p in range(people):
        pid = _id()
        joined = NOW - timedelta(minutes=rng.randint(5, 90))
        done = rng.random() < 0.9
        out["participants"].append({
            "id": pid, "session_id": session_id, "display_name": f"Person {p}",
            "resume_hash": codes.lookup_hash(_id()), "joined_at": joined,
            "inventory_done_at": joined + timedelta(minutes=5) if done else None,
            "health_done_at": joined + timedelta(minutes=9) if done else None})
        for r in range(RELATIONSHIPS_EACH):
            _relationship(out, pid, r, dimensions, rng, joined)
    return out


def _relationship(out: dict, pid: str, r: int, dimensions: list[str], rng: random.Random,
                  joined: datetime) -> None:
    rid, since = _id(), date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
    out["relationships"].append({
        "id": rid, "participant_id": pid, "label": f"Relationship {r}",
        "kind": rng.choice(KINDS), "importance": rng.randint(1, 5), "since": since,
        "last_contact": since + timedelta(days=rng.randint(0, 700)) if rng.random() < 0.8
        else None, "cadence_days": rng.choice([14, 30, 60, 90]),
        "shared_label": rng.choice(SHARED_LABELS) if rng.random() < 0.25 else None,
        "created_at": joined + timedelta(seconds=r)})
    for c in range(rng.randint(2, 4)):
        cid = _id()
        taken = NOW - timedelta(days=90 * (3 - c), seconds=rng.randint(0, 999))
        out["checkins"].append({"id": cid, "relationship_id": rid, "trend": rng.choice(TRENDS),
                                "note": "", "taken_at": taken})
        out["ratings"].extend({"checkin_id": cid, "dimension": d, "rating": rng.randint(1, 5)}
                              for d in dimensions)
    for _ in range(rng.randint(0, 2)):
        out["contacts"].append({"id": _id(), "relationship_id": rid,
                                "channel": rng.choice(CHANNELS),
                                "date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
                                "note": ""})
    if r == 0 and rng.random() < 0.5:
        out["plans"].append({"id": _id(), "relationship_id": rid, "tone": "warm", "message": "",
                             "answers": {}, "need_mine": "", "need_theirs": "",
                             "commitments": [], "meeting_at": None, "followup_days": 30,
                             "status": "planned", "updated_at": NOW})


def generate(path: Path, people: int, seed: int = 8) -> tuple[Store, str]:
    """A store at ``path`` holding one session of ``people`` participants; returns its id."""
    store = Store.open(str(path))
    session, _ = store.add_session(f"Scale {people}", anonymity_threshold=5)
    rows = _rows(session.id, people, list(session.settings.dimensions), random.Random(seed))
    with store.engine.begin() as conn:
        for name, table_rows in rows.items():
            table = getattr(db, name)
            for start in range(0, len(table_rows), 5000):
                conn.execute(table.insert(), table_rows[start:start + 5000])
    return store, session.id


def _count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def _poll(console) -> float:
    """One full poll cycle through the console's own tick; returns milliseconds."""
    async def cycle() -> None:
        for _ in range(POLL_EVERY):
            await console.tick()
    start = time.perf_counter()
    asyncio.run(cycle())
    return (time.perf_counter() - start) * 1000


def _new_checkin(store: Store, relationship_id: str, dimensions: list[str], rng) -> None:
    store.add_checkin(make(CheckIn, relationship_id=relationship_id,
                           ratings={d: rng.randint(1, 5) for d in dimensions}))


def _counts_only(console, store: Store, relationship_id: str, dimensions, rng) -> float | None:
    """After one more check-in, milliseconds until the console shows the new session and
    counts (its first step, :func:`facilitator.read` then ``apply``; the group follows
    from :func:`facilitator.read_group`). None on a console without that split."""
    if not hasattr(facilitator, "read_group"):
        return None
    _new_checkin(store, relationship_id, dimensions, rng)
    start = time.perf_counter()
    snap = facilitator.read(store, console.session.id, console._snapshot,
                            console.group.reveal.value)
    console.apply(snap)
    took = (time.perf_counter() - start) * 1000
    _poll(console)  # the group catches up (not timed here: it is in refresh_ms)
    return took


def _idle_cpu(store: Store, session, seconds: float) -> float:
    """% of one core the console's own ticker uses over ``seconds`` with nothing changing."""
    async def idle() -> float:
        console = SessionConsole(store, session, start=True)
        console.group.reveal.value = True
        await asyncio.sleep(2.5)  # past the first poll after opening
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        used = (time.process_time() - cpu) / (time.perf_counter() - wall)
        console.close()
        return used * 100
    return asyncio.run(idle())


def measure(people: int, runs: int, idle: float, workdir: Path) -> dict:
    started = time.perf_counter()
    store, session_id = generate(workdir / f"scale-{people}.sqlite", people)
    generated = time.perf_counter() - started
    session = store.get_session(session_id)
    dimensions, rng = list(session.settings.dimensions), random.Random(people)
    with store.engine.connect() as conn:
        targets = list(conn.execute(sa.select(db.relationships.c.id)).scalars())
    console = SessionConsole(store, session, start=False)
    console.group.reveal.value = True
    _poll(console)  # settle: the first poll after opening
    unchanged = [_poll(console) for _ in range(runs)]
    refresh, counts = [], []
    for _ in range(runs):
        before = console._fingerprint
        _new_checkin(store, rng.choice(targets), dimensions, rng)
        console._group_at = float("-inf")  # measure the whole refresh, group included, even
        refresh.append(_poll(console))      # where a costly group would wait a poll or two
        assert console._fingerprint != before, "the console did not pick up the change"
        shown = getattr(console, "_shown", None)  # (a console with the group drawn apart)
        assert shown is None or shown.fingerprint == console._fingerprint, "group not redrawn"
        counts.append(_counts_only(console, store, rng.choice(targets), dimensions, rng))
    console.close()
    result = {"participants": people,
              "relationships": _count(store, db.relationships),
              "checkins": _count(store, db.checkins), "ratings": _count(store, db.ratings),
              "generate_s": round(generated, 2),
              "unchanged_poll_ms": round(statistics.median(unchanged), 1),
              "refresh_ms": round(statistics.median(refresh), 1),
              "counts_ms": round(statistics.median(counts), 1) if all(counts) else None,
              "unchanged_runs_ms": [round(x, 1) for x in unchanged],
              "refresh_runs_ms": [round(x, 1) for x in refresh],
              "idle_cpu_percent": round(_idle_cpu(store, session, idle), 2) if idle else None}
    store.close()
    return result


def _table(rows: list[dict]) -> str:
    base = rows[0]
    lines = [f"{'people':>7} {'rels':>6} {'check-ins':>9} | {'unchanged poll':>17} | "
             f"{'refresh (all)':>17} | {'counts shown':>12} | {'idle CPU':>8}"]

    def cell(row: dict, key: str, unit: str) -> str:
        ratio = row[key] / base[key] if base[key] else float("nan")
        return f"{row[key]:>8.1f} {unit} x{ratio:>4.1f}"

    for row in rows:
        idle = "-" if row["idle_cpu_percent"] is None else f"{row['idle_cpu_percent']:.1f} %"
        counts = "-" if row.get("counts_ms") is None else f"{row['counts_ms']:.1f} ms"
        lines.append(f"{row['participants']:>7} {row['relationships']:>6} {row['checkins']:>9} | "
                     f"{cell(row, 'unchanged_poll_ms', 'ms')} | {cell(row, 'refresh_ms', 'ms')} | "
                     f"{counts:>12} | {idle:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=7, help="measurements per figure (median)")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle ticking")
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="console-scale-") as tmp:
        rows = [measure(n, args.runs, args.idle, Path(tmp)) for n in sorted(args.sizes)]
    print(_table(rows))
    top = rows[-1]
    verdict = {key: top[key] is not None and top[key] <= limit for key, limit in TARGETS.items()}
    print(f"targets at {top['participants']}: " + ", ".join(
        f"{k} {'met' if ok else 'MISSED'} (<= {TARGETS[k]})" for k, ok in verdict.items()))
    report = {"label": args.label, "measured_at": datetime.now(timezone.utc).isoformat(),
              "machine": {"python": platform.python_version(), "cpus": _cpus()},
              "poll_every_ticks": POLL_EVERY, "targets": TARGETS, "targets_met": verdict,
              "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


def _cpus() -> int | None:
    import os
    return os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
