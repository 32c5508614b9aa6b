"""How fast someone can try facilitator keys, and whether the answer tells a known code.

``python benchmarks/facilitator_keys.py [--tries 200] [--window 20] [--repeat 9]``

Over a fresh SQLite store with one session, three figures, measured in the same run:

1. ``--tries`` wrong keys sent back to back to ``Store.open_console``: the wall time, and how
   many of them were actually checked (the rest were refused before any check).
2. A patient attacker for ``--window`` seconds, who waits exactly as long as each refusal says
   and then tries again: how many keys got checked in that time.
3. The median time of a wrong key for the known code and for an unknown code (each
   ``--repeat`` times, interleaved, on fresh sessions so no wait gets in the way), and their
   ratio.

Writes benchmarks/results/facilitator_keys.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from workshop.errors import AccessDenied  # noqa: E402
from workshop.store import Store  # noqa: E402

RESULTS = Path(__file__).with_name("results")


def _checked(exc: AccessDenied) -> bool:
    """Whether a refusal came after checking the key (not 'try again in N seconds')."""
    return getattr(exc, "retry_after", None) is None


def burst(store: Store, code: str, tries: int) -> dict:
    checked, start = 0, time.perf_counter()
    for n in range(tries):
        try:
            store.open_console(code, f"fk-wrong-{n}")
        except AccessDenied as exc:
            checked += _checked(exc)
    return {"tries": tries, "seconds": round(time.perf_counter() - start, 2),
            "checked": checked}


def patient(store: Store, code: str, window: float) -> dict:
    checked, start = 0, time.perf_counter()
    while time.perf_counter() - start < window:
        try:
            store.open_console(code, f"fk-patient-{checked}")
        except AccessDenied as exc:
            checked += _checked(exc)
            wait = getattr(exc, "retry_after", None)
            if wait:
                time.sleep(min(wait, max(0.0, window - (time.perf_counter() - start))))
    return {"window_seconds": window, "checked": checked}


def _one_wrong(store: Store, code: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(AccessDenied):
        store.open_console(code, "fk-wrong")
    return time.perf_counter() - start


def known_vs_unknown(store: Store, repeat: int) -> dict:
    known, unknown = [], []
    for n in range(repeat):
        session, _ = store.add_session(f"Timing {n}")
        known.append(_one_wrong(store, session.code))
        unknown.append(_one_wrong(store, "NOSUCH"))
    k, u = statistics.median(known), statistics.median(unknown)
    return {"known_ms": round(k * 1000, 1), "unknown_ms": round(u * 1000, 1),
            "unknown_over_known": round(u / k, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=200)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--label", default="now", help="name of this run in the results file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Store.open(f"{folder}/keys.sqlite") as store:
        first, _ = store.add_session("Burst")
        second, _ = store.add_session("Patient")
        figures = {"burst": burst(store, first.code, args.tries),
                   "patient": patient(store, second.code, args.window),
                   "timing": known_vs_unknown(store, args.repeat)}
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "facilitator_keys.json"
    runs = json.loads(out.read_text()) if out.exists() else {}
    runs[args.label] = figures
    out.write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
