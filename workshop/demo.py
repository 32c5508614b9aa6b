"""A realistic, deterministic demo session: 12 people taking stock of their business ties.

``load_demo(store)`` is what ``reset-workshop demo`` and the notebooks call. The same
``today`` always gives the same data (ids, ratings, dates); by default dates run up to today
so the demo never looks stale. Loading twice returns the session already there.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from .errors import NotFound
from .model import CheckIn, Commitment, Contact, Relationship, ResetPlan, Session, make
from .store import Store

DEMO_CODE = "RESET2"
DEMO_KEY = "demo-facilitator-key"
DEMO_TITLE = "Demo: reconnecting with clients and partners"
SEED = 20261121

PEOPLE = ["Amara", "Ben", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas",
          "Kemi", "Luca"]
SHARED = [("Northwind Logistics", "client", 5), ("Brightline Agency", "partner", 4),
          ("Summit Legal referrals", "referral source", 3), ("Kestrel IT", "vendor", 4)]
OWN = [("Harbor & Pine Bakery", "client"), ("Bluefield Clinic", "client"),
       ("Orchard Analytics", "partner"), ("Riverside Print Co.", "vendor"),
       ("Maya at Greenway Accountants", "referral source"), ("Sam in Finance", "colleague"),
       ("Tess in Operations", "colleague"), ("Copperleaf Studio", "partner"),
       ("Atlas Freight", "vendor"), ("Old university network", "other"),
       ("Quill & Co. Recruiters", "referral source"), ("Lumen Hotels", "client"),
       ("Patel Family Office", "client"), ("Ravi from the trade association", "other")]
TRAJECTORIES = ("worked", "thriving", "failed", "steady", "declining", "new")
CHANNELS = ("meeting", "call", "video call", "email", "message")


@dataclass(frozen=True)
class DemoSession:
    session: Session
    facilitator_key: str
    resume_codes: dict[str, str]  # display name -> resume code


def _ids(rng: random.Random):
    while True:
        yield uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _resume(rng: random.Random) -> str:
    from .codes import ALPHABET
    raw = "".join(rng.choice(ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def load_demo(store: Store, today: date | None = None) -> DemoSession:
    """Load the demo session into ``store`` (once) and return its codes."""
    today = today or date.today()
    rng = random.Random(SEED)
    ids = _ids(rng)
    resume_codes = {name: _resume(rng) for name in PEOPLE}
    try:
        return DemoSession(store.find_session(DEMO_CODE), DEMO_KEY, resume_codes)
    except NotFound:
        pass
    session, _ = store.add_session(DEMO_TITLE, today - timedelta(days=150), code=DEMO_CODE,
                                   key=DEMO_KEY, session_id=next(ids))
    for name in PEOPLE:
        person, _ = store.add_participant(session.id, name, resume_code=resume_codes[name],
                                          participant_id=next(ids))
        _fill(store, rng, ids, person.id, today, session.settings.dimensions, name)
        store.mark_progress(person.id, "inventory")
        store.mark_progress(person.id, "health")
    store.set_phase(session.id, "map")
    return DemoSession(store.get_session(session.id), DEMO_KEY, resume_codes)


def _fill(store, rng, ids, person_id, today, dimensions, name) -> None:
    mine = [(label, kind) for label, kind, raters in SHARED if PEOPLE.index(name) % 6 < raters]
    count = rng.randint(5, 10) - len(mine)
    mine += rng.sample(OWN, max(count, 5 - len(mine)))
    for position, (label, kind) in enumerate(mine):
        shared = label if any(label == s[0] for s in SHARED) else None
        trajectory = TRAJECTORIES[(PEOPLE.index(name) + position) % len(TRAJECTORIES)]
        _relationship(store, rng, ids, person_id, today, dimensions, label, kind, shared,
                      trajectory)


def _relationship(store, rng, ids, person_id, today, dimensions, label, kind, shared,
                  trajectory) -> None:
    age = rng.randint(60, 150) if trajectory == "new" else rng.randint(300, 2500)
    cadence = rng.choice([14, 21, 30, 45, 60, 90])
    start = {"worked": 2.4, "thriving": 4.4, "failed": 2.6, "steady": 3.6, "declining": 3.9,
             "new": 3.8}[trajectory]
    step = {"worked": 0.7, "thriving": 0.1, "failed": -0.3, "steady": 0.0, "declining": -0.6,
            "new": 0.2}[trajectory]
    n_checkins = rng.randint(2, 4)
    span = min(age - 5, rng.randint(90, 180))
    back = [int(span * (1 - i / (n_checkins - 1))) + rng.randint(0, 4) for i in range(n_checkins)]
    days = sorted({today - timedelta(days=b) for b in back})
    last = today - timedelta(days=int(cadence * {"worked": 0.4, "thriving": 0.3, "failed": 2.2,
                                                  "steady": 0.8, "declining": 1.7,
                                                  "new": 0.5}[trajectory]))
    rel = store.add_relationship(make(
        Relationship, id=next(ids), participant_id=person_id, label=label, kind=kind,
        importance=rng.randint(2, 5), since=today - timedelta(days=age), last_contact=last,
        cadence_days=cadence, shared_label=shared,
        created_at=_at(days[0] - timedelta(days=1))))
    for i, day in enumerate(days):
        level = start + step * i
        ratings = {d: max(1, min(5, round(level + rng.uniform(-0.9, 0.9)))) for d in dimensions}
        trend = "improving" if step > 0.1 else "declining" if step < -0.1 else "stable"
        store.add_checkin(make(CheckIn, id=next(ids), relationship_id=rel.id, ratings=ratings,
                               trend=trend, taken_at=_at(day)))
    for back in sorted(rng.sample(range(cadence, cadence * 4), 2), reverse=True):
        store.add_contact(make(Contact, id=next(ids), relationship_id=rel.id,
                               date=last - timedelta(days=back), channel=rng.choice(CHANNELS)))
    chance = {"worked": 0.45, "failed": 0.45, "declining": 0.2}.get(trajectory, 0.0)
    if rng.random() < chance:
        _plan(store, ids, rel, days, trajectory, today)


def _plan(store, ids, rel, days, trajectory, today) -> None:
    meeting = days[1] - timedelta(days=7) if len(days) > 1 else today + timedelta(days=10)
    status = {"worked": "reconnected", "failed": "paused"}.get(trajectory, "planned")
    if status == "planned":
        meeting = today + timedelta(days=9)
    store.save_plan(make(
        ResetPlan, id=next(ids), relationship_id=rel.id, tone="warm", status=status,
        meeting_at=_at(meeting, 10), followup_days=30,
        answers={"ask": f"Invite {rel.label} to a 30-minute call.",
                 "own": "I let our regular catch-ups lapse when things got busy.",
                 "changed": "Their team changed and our work moved to a new project.",
                 "needs": "A clear point of contact and a monthly check-in.",
                 "reconnect": "A short call every month, email in between.",
                 "commitments": "Send a summary after the call."},
        need_mine="Earlier notice of changes on their side.",
        need_theirs="Faster answers from us when something is urgent.",
        commitments=[make(Commitment, what="Send a recap of the call", owner="me",
                          due=meeting + timedelta(days=2)),
                     make(Commitment, what="Set up the monthly check-in", owner="both",
                          due=meeting + timedelta(days=7))],
        message=f"Hi {rel.label}, could we find 30 minutes to reconnect?",
        updated_at=_at(meeting - timedelta(days=5))))


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)
