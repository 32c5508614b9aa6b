"""The room simulator through a real proxy, against 1 and then 2 replicas on PostgreSQL.

``python benchmarks/replicas.py --database postgresql://... --people N [--replicas 1,2]``

For each replica count R: a fresh database in that PostgreSQL server, R ``reset-workshop
serve`` replicas started as the README says, ``reset-workshop proxy-config --kind haproxy``
and Debian's HAProxy in front; the room simulator (``room.py --url PROXY``, no Chromium pages)
plays N people through the proxy, while ``room_monitor.py`` samples each replica's memory
(USS of the server and its kernels), CPU and kernels. Reported per R: the simulator's timings
and errors, its reconciliation with the database, and per replica the people it served, its
peak memory and CPU, and PostgreSQL's connections at the peak. Results:
``benchmarks/results/replicas-N<people>.json`` and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from workshop.app import serving  # noqa: E402
from workshop.store import Store  # noqa: E402

CLI = [sys.executable, "-m", "workshop.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(server_url: str, name: str) -> str:
    import psycopg
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def wait_listening(port: int, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not serving._listening("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port}")
        time.sleep(0.3)


def connections(database: str, stop: threading.Event, seen: list[int]) -> None:
    import psycopg
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(database, autocommit=True) as conn:
        while not stop.wait(2):
            seen.append(conn.execute("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname"
                                     " = %s", (name,)).fetchone()[0])


def one_run(server_url: str, replicas: int, people: int, folder: Path, spread: float) -> dict:
    database = fresh_database(server_url, f"rr_capacity_r{replicas}")
    proxy_port, ports = free_port(), [free_port() for _ in range(replicas)]
    public = f"http://127.0.0.1:{proxy_port}"
    env = {**os.environ, "RESET_WORKSHOP_CONFIG": str(folder / "absent.toml")}
    processes: list[subprocess.Popen] = []
    monitors: list[subprocess.Popen] = []
    stop, seen = threading.Event(), []
    try:
        for port in ports:
            processes.append(subprocess.Popen(
                [*CLI, "serve", "--db", database, "--port", str(port), "--public-url", public,
                 "--no-browser"], env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True))
        for port in ports:
            wait_listening(port)
        config = folder / f"haproxy-{replicas}.cfg"
        subprocess.run([*CLI, "proxy-config", "--replicas", ",".join(
            f"127.0.0.1:{p}" for p in ports), "--listen", f"127.0.0.1:{proxy_port}",
            "--public-url", public, "-o", str(config)], env=env, check=True,
            capture_output=True)
        processes.append(subprocess.Popen(["haproxy", "-db", "-f", str(config)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_listening(proxy_port, 20)
        samples = []
        for port in ports:
            pid = replica_pid(port)
            out = folder / f"samples-r{replicas}-{port}.jsonl"
            samples.append(out)
            monitors.append(subprocess.Popen(
                [sys.executable, str(HERE / "room_monitor.py"), "--pid", str(pid), "--out",
                 str(out), "--status", f"http://127.0.0.1:{port}/reset-workshop/kernels"]))
        threading.Thread(target=connections, args=(database, stop, seen), daemon=True).start()
        with Store.open(database) as store:
            session, key = store.add_session("Capacity rehearsal", date.today())
        room_out = folder / f"room-r{replicas}.json"
        started = time.time()
        subprocess.run([sys.executable, str(HERE / "room.py"), "--people", str(people),
                        "--url", public, "--code", session.code, "--key", key, "--database",
                        database, "--browsers", "0", "--spread", str(spread), "--linger", "5",
                        "--out", str(room_out)], env=env, stdout=subprocess.DEVNULL)
        room = json.loads(room_out.read_text())
        per_replica = [replica_figures(path, started) for path in samples]
    finally:
        stop.set()
        for process in monitors + processes:
            process.send_signal(signal.SIGTERM)
        for process in monitors + processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    return {"replicas": replicas, "people": people, "timings": room["timings"],
            "errors": room["errors"], "reconciliation": room["reconciliation"].get("ok"),
            "followed_all": room["followed_all"], "per_replica": per_replica,
            "postgres_connections_peak": max(seen, default=None),
            "simulator_cpu_cores": room.get("simulator_cpu_cores"),
            "load": [os.getloadavg()[0]]}


def replica_pid(port: int) -> int:
    """The replica's Voilà server process, from its own kernel figures."""
    import urllib.request
    url = f"http://127.0.0.1:{port}/reset-workshop/kernels"
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())["pid"]


def replica_figures(path: Path, started: float) -> dict:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    during = [r for r in rows if r["t"] >= started] or rows
    span = max(during[-1]["t"] - during[0]["t"], 1e-6)
    return {"peak_kernels": max(r["kernels"] or 0 for r in during),
            "baseline_uss_mib": rows[0]["uss_mib"],
            "peak_uss_mib": max(r["uss_mib"] for r in during),
            "cpu_cores_avg": round((during[-1]["cpu_s"] - during[0]["cpu_s"]) / span, 2),
            "load_max": max(r["load"] for r in during)}


def table(results: list[dict]) -> str:
    lines = ["replicas  people/replica(peak)  join p50/p95 s  save p95 s  phase p95 s  "
             "errors  reconciled  peak MiB/replica  CPU cores/replica  PG conns"]
    for r in results:
        t = r["timings"]
        kernels = "+".join(str(p["peak_kernels"]) for p in r["per_replica"])
        memory = "+".join(f"{p['peak_uss_mib']:.0f}" for p in r["per_replica"])
        cpu = "+".join(f"{p['cpu_cores_avg']:.2f}" for p in r["per_replica"])
        lines.append(
            f"{r['replicas']:>8}  {kernels:>20}  {t['join'].get('p50', 0):5.1f}/"
            f"{t['join'].get('p95', 0):<5.1f}    {t['save ratings'].get('p95', 0):8.1f}  "
            f"{t['phase'].get('p95', 0):11.1f}  {r['errors']['count']:6}  "
            f"{r['reconciliation']!s:>10}  {memory:>16}  {cpu:>17}  "
            f"{r['postgres_connections_peak']!s:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True,
                        help="a PostgreSQL server URL (its databases rr_capacity_r* are made)")
    parser.add_argument("--people", type=int, default=16)
    parser.add_argument("--replicas", default="1,2", help="replica counts to run, in order")
    parser.add_argument("--spread", type=float, default=30.0, help="storm window, seconds")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="rr-replicas-"))
    results = [one_run(args.database, int(r), args.people, folder, args.spread)
               for r in args.replicas.split(",")]
    out = HERE / "results" / f"replicas-N{args.people}.json"
    out.write_text(json.dumps({"started": time.strftime("%F %T"), "cores": os.cpu_count(),
                               "runs": results}, indent=1))
    print(table(results))
    print(f"(details: {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
