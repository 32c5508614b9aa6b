"""A whole session's tidy frames read straight from SQL are the frames the record path builds:
same rows, order, values and dtypes."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop import aggregate, frames_cache, tidy
from workshop.model import CheckIn, Contact, Relationship, ResetPlan, make

FRAMES = ("relationships", "ratings", "contacts", "plans")


def _both(store, session_id: str):
    weights = dict(store.get_session(session_id).settings.weights)
    scope = {"participant_id": None, "session_id": session_id}
    return (tidy.load_session_frames(store.engine, session_id, weights),
            tidy._from_records(store, scope, weights))


def _assert_same(new, old) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name),
                                      check_exact=True, obj=name)
    assert new.weights == old.weights


def test_demo_session_frames_from_sql_equal_the_record_path(demo_store):
    store, demo = demo_store
    new, old = _both(store, demo.session.id)
    assert len(new.relationships) > 0 and len(new.ratings) > 0 and len(new.plans) > 0
    _assert_same(new, old)
    assert tidy.load(store, session_id=demo.session.id).ratings.equals(new.ratings)


def test_frames_agree_on_missing_values_corrections_and_other_sessions(store):
    session, _ = store.add_session("Edge cases")
    other, _ = store.add_session("Someone else's room")
    stranger, _ = store.join(other.code, "Stranger")
    store.add_relationship(make(Relationship, participant_id=stranger.id, label="Not ours"))
    dims = session.settings.dimensions
    people = [store.join(session.code, name)[0] for name in ("Ana", "Bo")]
    rels = [store.add_relationship(make(Relationship, participant_id=people[0].id, label="A",
                                        since=date(2024, 1, 1), last_contact=None,
                                        shared_label="Acme")),
            store.add_relationship(make(Relationship, participant_id=people[1].id, label="B",
                                        kind="vendor", importance=5, cadence_days=7,
                                        last_contact=date(2026, 10, 1), shared_label=None))]
    first = store.add_checkin(make(CheckIn, relationship_id=rels[0].id,
                                   ratings={d: 2 for d in dims}, trend="declining"))
    store.save_checkin(make(CheckIn, id=first.id, relationship_id=rels[0].id,
                            ratings={dims[0]: 5, dims[-1]: 1}))  # corrected, fewer ratings
    store.add_checkin(make(CheckIn, relationship_id=rels[1].id, ratings={"trust": 4},
                           taken_at=datetime(2026, 1, 2, 3, 4, 5, 678901, timezone.utc)))
    store.add_contact(make(Contact, relationship_id=rels[1].id, date=date(2026, 11, 2),
                           channel="call"))
    store.save_plan(make(ResetPlan, relationship_id=rels[1].id, tone="direct",
                         meeting_at=datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)))
    store.save_plan(make(ResetPlan, relationship_id=rels[0].id))
    new, old = _both(store, session.id)
    _assert_same(new, old)
    assert "Not ours" not in set(new.relationships["label"])
    assert new.ratings["taken_at"].iloc[0] == pd.Timestamp("2026-01-02 03:04:05.678901")


@pytest.mark.parametrize("content", ["nothing", "people without relationships"])
def test_empty_frames_keep_their_columns_and_dtypes(store, content):
    session, _ = store.add_session("Quiet room")
    if content != "nothing":
        store.join(session.code, "Only me")
    new, old = _both(store, session.id)
    _assert_same(new, old)
    assert list(new.ratings.columns) == tidy.RATING_COLUMNS


def test_the_database_counts_progress_as_the_frames_do(demo_store):
    store, demo = demo_store
    other, _ = store.add_session("Another room")  # its people and plans are not counted
    person, _ = store.join(other.code, "Elsewhere")
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label="X"))
    store.save_plan(make(ResetPlan, relationship_id=rel.id))
    frames = tidy.load_session_frames(store.engine, demo.session.id, {})
    people = aggregate.participants_frame(store.find_participants(demo.session.id))
    counts = tidy.session_progress_counts(store.engine, demo.session.id)
    expected = aggregate.counts(aggregate.progress(people, frames.relationships, frames.plans))
    assert counts == expected and counts["plan"] > 0 and counts["joined"] > counts["plan"]
    assert aggregate.session_progress(store, demo.session.id)["count"].tolist() == [
        expected[key] for key, _ in aggregate.MILESTONES]


# -- frames kept between looks (the console's cache) ------------------------------------------

WRITES = st.lists(st.tuples(st.sampled_from(["relationship", "checkin", "correct", "contact",
                                             "plan", "unplan", "remove", "join", "edit"]),
                            st.integers(0, 10 ** 6), st.booleans()), min_size=1, max_size=12)


def _write(store, session_id: str, other: str, step: tuple) -> None:
    """One write of the kind ``step`` names, on the session (or, when told, another one)."""
    what, n, elsewhere = step
    sid = other if elsewhere and what == "relationship" else session_id
    people = store.find_participants(sid) or [store.add_participant(sid)[0]]
    rels = store.find_relationships(session_id=session_id)
    if what == "join":
        store.add_participant(sid)
    elif what == "relationship" or not rels:
        store.add_relationship(make(Relationship, participant_id=people[n % len(people)].id,
                                    label=f"R{n}", kind="client", importance=1 + n % 5,
                                    shared_label="Team" if n % 2 else None))
    else:
        _touch(store, what, rels[n % len(rels)], n)


def _touch(store, what: str, rel, n: int) -> None:
    checkins = store.find_checkins(relationship_id=rel.id)
    plans = store.find_plans(relationship_id=rel.id)
    at = datetime(2026, 1 + n % 12, 1 + n % 28, tzinfo=timezone.utc)
    if what == "checkin" or (what == "correct" and not checkins):
        store.add_checkin(make(CheckIn, relationship_id=rel.id, taken_at=at,
                               ratings={"trust": 1 + n % 5, "energy": 1 + n % 3}))
    elif what == "correct":
        store.save_checkin(checkins[n % len(checkins)].model_copy(
            update={"ratings": {"trust": 1 + n % 5}, "trend": "declining"}))
    elif what == "contact":
        store.add_contact(make(Contact, relationship_id=rel.id, date=date(2026, 1, 1 + n % 28)))
    elif what == "plan" or (what == "unplan" and not plans):
        store.save_plan(make(ResetPlan, relationship_id=rel.id, followup_days=1 + n % 60))
    elif what == "unplan":
        store.remove_plan(plans[0].id)
    elif what == "remove":
        store.remove_relationship(rel.id)
    else:
        store.update_relationship(rel.id, label=f"Edited {n}", shared_label=None)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(WRITES, min_size=1, max_size=4))
def test_frames_kept_between_looks_equal_a_full_read_after_any_writes(store, batches):
    session, _ = store.add_session("Cache")
    other, _ = store.add_session("Elsewhere")
    weights = dict(session.settings.weights)
    kept = frames_cache.SessionFrames(store.engine, session.id)
    for batch in [[("join", 0, False)], *batches]:
        for step in batch:
            _write(store, session.id, other.id, step)
        cached, full = kept.load(weights), tidy.load_session_frames(store.engine, session.id,
                                                                     weights)
        _assert_same(cached, full)
        pd.testing.assert_frame_equal(cached.scores(), full.scores(), check_exact=True)
        assert cached.scored is not None  # the kept scores, not scores worked out afresh
        pd.testing.assert_frame_equal(cached.latest_ratings(), full.latest_ratings(),
                                      check_exact=True)
        assert cached.latest is not None  # the kept latest ratings, not worked out afresh
    before = kept.revision
    _assert_same(kept.load(weights), tidy.load_session_frames(store.engine, session.id, weights))
    assert kept.revision == before  # nothing changed: nothing re-read
