from collections import Counter

from tests.conftest import TODAY
from workshop import scoring, tidy
from workshop.backup import dump_session
from workshop.demo import DEMO_CODE, load_demo
from workshop.store import Store


def test_demo_shape(demo_store):
    store, loaded = demo_store
    frames = tidy.load(store, session_id=loaded.session.id)
    per_person = frames.relationships.groupby("participant_id").size()
    assert len(per_person) == 12 and per_person.between(5, 10).all()
    per_rel = frames.ratings.groupby("relationship_id")["checkin_id"].nunique()
    assert per_rel.between(2, 4).all()
    spans = frames.ratings.groupby("relationship_id")["taken_at"].agg(lambda t: t.max() - t.min())
    assert spans.dt.days.median() >= 60, "check-ins spread over months"
    raters = frames.relationships.dropna(subset=["shared_label"]).groupby("shared_label")[
        "participant_id"].nunique()
    assert (raters >= 3).sum() >= 3
    statuses = Counter(frames.plans["status"])
    assert statuses["reconnected"] and statuses["paused"] and 5 <= len(frames.plans) <= 40


def test_demo_covers_every_state(demo_store):
    store, loaded = demo_store
    states = set(tidy.load(store, session_id=loaded.session.id).scores(as_of=TODAY)["state"])
    assert states == {"hanging", "fading", "fizzling", "sparking", "thriving", "steady"}


def test_demo_is_deterministic_and_loads_once(tmp_path, demo_store):
    store, loaded = demo_store
    with Store.open(str(tmp_path / "other.sqlite")) as other:
        again = load_demo(other, TODAY)
        assert load_demo(other, TODAY).session.id == again.session.id
        assert len(other.find_sessions()) == 1
        first = dump_session(store, loaded.session.id)
        second = dump_session(other, again.session.id)
    volatile = {"created_at", "joined_at", "inventory_done_at", "health_done_at",
                "phase_started_at", "facilitator_key_hash"}  # when loaded, salted hash

    def steady(dump):
        return {table: [{k: v for k, v in row.items() if k not in volatile} for row in rows]
                for table, rows in dump.items() if isinstance(rows, list)}
    assert steady(first) == steady(second)
    assert loaded.session.code == DEMO_CODE
    person = store.resume(loaded.resume_codes["Dana"])
    assert person.display_name == "Dana"


def test_resets_that_worked_gain_health(demo_store):
    store, loaded = demo_store
    frames = tidy.load(store, session_id=loaded.session.id)
    past = scoring.history(frames.relationships, frames.ratings, frames.contacts, frames.weights)
    change = past.groupby("relationship_id")["health"].agg(lambda h: h.iloc[-1] - h.iloc[0])
    by_status = frames.plans.set_index("relationship_id")["status"]
    worked = change[change.index.isin(by_status[by_status == "reconnected"].index)]
    failed = change[change.index.isin(by_status[by_status == "paused"].index)]
    assert worked.mean() > 10 > failed.mean()
