"""What the room simulator found: the reconciliation against the database, the latency a
console shows saves with, and the readable table.

The reconciliation compares every write a page saw acknowledged (its status line said saved)
with the store, read directly afterwards: ``lost`` lists acknowledged writes missing or
different in the store, ``extra`` rows the store holds that no page saw acknowledged.
"""

from __future__ import annotations

from datetime import date

from workshop.store import Store

MILESTONES = {"joined": "first_step", "inventory": "inventory_ack", "health": "health_ack",
              "plan": "plan_ack"}


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def reconcile(database: str, code: str, journals: list[dict]) -> dict:
    """Every acknowledged write is in the store, and nothing else (see the module doc)."""
    lost, extra = [], []
    with Store.open(database) as store:
        session = store.find_session(code)
        people = {p.display_name: p for p in store.find_participants(session.id)}
        expected = {j["name"]: j for j in journals if j["times"].get("first_step")}
        extra += [f"participant {name!r}" for name in people if name not in expected]
        for name, journal in expected.items():
            person = people.get(name)
            if person is None:
                lost.append(f"participant {name!r}")
                continue
            _compare(store, person, journal, lost, extra)
        totals = {"participants": len(people),
                  "relationships": len(store.find_relationships(session_id=session.id)),
                  "checkins": len(store.find_checkins(session_id=session.id)),
                  "plans": len(store.find_plans(session_id=session.id))}
    acked = {"participants": len(expected),
             "relationships": sum(len(j["relationships"]) for j in expected.values()),
             "checkins": sum(len(j["checkins"]) for j in expected.values()),
             "plans": sum(1 for j in expected.values() if j.get("plan"))}
    return {"ok": not lost and not extra, "acknowledged": acked, "in_store": totals,
            "lost": lost, "extra": extra}


def _compare(store, person, journal: dict, lost: list, extra: list) -> None:
    rels = {r.label: r for r in store.find_relationships(participant_id=person.id)}
    for label, want in journal["relationships"].items():
        got = rels.get(label)
        if got is None or (got.kind, got.importance, _iso(got.last_contact)) != (
                want["kind"], want["importance"], _iso(want["last_contact"])):
            lost.append(f"relationship {label!r}")
    extra += [f"relationship {label!r}" for label in rels if label not in journal["relationships"]]
    by_id = {r.id: r.label for r in rels.values()}
    checkins: dict[str, list] = {}
    for checkin in store.find_checkins(participant_id=person.id):
        checkins.setdefault(by_id.get(checkin.relationship_id, "?"), []).append(checkin)
    for label, want in journal["checkins"].items():
        got = checkins.get(label, [])
        if len(got) != 1 or dict(got[0].ratings) != want["ratings"] or \
                got[0].note != want["note"]:
            lost.append(f"check-in of {label!r} ({len(got)} stored)")
    extra += [f"check-in of {label!r}" for label in checkins if label not in journal["checkins"]]
    plans = store.find_plans(participant_id=person.id)
    want = journal.get("plan")
    if want is not None:
        mine = [p for p in plans if by_id.get(p.relationship_id) == want["label"]]
        if len(mine) != 1 or mine[0].answers.get("ask") != want["ask"]:
            lost.append(f"plan for {want['label']!r}")
    extra += [f"plan {p.id}" for p in plans
              if want is None or by_id.get(p.relationship_id) != want["label"]]


def console_delays(journals: list[dict], counts: list[tuple[float, dict]]) -> dict[str, list]:
    """Seconds from each acknowledged milestone to the console's count showing it.

    Counts only grow, so the k-th acknowledgement (in time) is shown once the count reaches k;
    a count that was already there when the page heard back shows it at once (0 s).
    """
    delays: dict[str, list] = {}
    for milestone, key in MILESTONES.items():
        acks = sorted(j["times"][key] for j in journals if key in j["times"])
        out = []
        for k, acked in enumerate(acks, 1):
            shown = next((t for t, c in counts if c.get(milestone, 0) >= k and t >= acked), None)
            before = any(c.get(milestone, 0) >= k and t < acked for t, c in counts)
            out.append(0.0 if before else (None if shown is None else shown - acked))
        delays[milestone] = out
    return delays


def table(result: dict) -> str:
    """The readable summary printed at the end of a run."""
    r, m, k = result, result["machine"], result["kernels"]
    t = r["timings"]

    def row(name: str, key: str) -> str:
        v = t.get(key) or {}
        return (f"  {name:<34}{_s(v.get('p50'))}{_s(v.get('p95'))}{_s(v.get('max'))}"
                f"  n={v.get('n', 0)}")

    lines = [f"Room of {r['people']} simulated + {r['browsers']} Chromium, storm {r['spread']} s"
             f"{' (preheated kernels)' if r.get('preheat') else ''}",
             f"  {'':<34}{'p50':>9}{'p95':>9}{'max':>9}",
             row("open page -> join screen", "open"),
             row("join click -> first step", "join"),
             row("arrive -> first step (no typing)", "arrive_to_first_step"),
             row("save relationship", "add relationship"),
             row("save ratings", "save ratings"),
             row("save -> console count", "save_to_console"),
             row("phase change -> every page", "phase"),
             row("  banner only", "phase_banner"),
             f"  errors: {r['errors']['count']}   lost writes: "
             f"{len(r['reconciliation'].get('lost', []))}   extra rows: "
             f"{len(r['reconciliation'].get('extra', []))}   reconciliation "
             f"{'ok' if r['reconciliation'].get('ok') else 'FAILED'}",
             f"  memory peak (server + kernels, USS): {m['peak_uss_mib']:.0f} MiB, "
             f"{m['per_person_mib']:.1f} MiB per person, largest process under it "
             f"{m['largest_kernel_mib']:.0f} MiB",
             f"  CPU (server + kernels): {m['cpu_cores_avg']:.2f} cores on average, peak "
             f"{m['cpu_cores_peak']:.2f}; load average {m['load_min']:.1f}-{m['load_max']:.1f}",
             f"  kernels: baseline {k['baseline']}, peak {k['peak']}, after leaving "
             f"{k['after']} ({k['after_s']:.0f} s after the last left); beacons "
             f"{k['beacons']}",
             f"  phases followed by every page: {r['followed_all']}; console reloads: "
             f"{len(r.get('console_reloads', []))}; the simulator itself used "
             f"{r.get('simulator_cpu_cores', 0):.2f} cores"]
    return "\n".join(lines)


def _s(value) -> str:
    return f"{value:>8.2f}s" if isinstance(value, (int, float)) else f"{'-':>9}"
