import json
import multiprocessing
import time
from datetime import date

import pytest
import sqlalchemy as sa

from workshop import db
from workshop.errors import AccessDenied, InvalidInput, NotFound, SessionClosed
from workshop.model import CheckIn, Contact, Relationship, ResetPlan, make
from workshop.store import Store


def _relationship(store, person, label="Acme"):
    return store.add_relationship(make(Relationship, participant_id=person.id, label=label))


def test_migrations_from_empty_record_the_version(db_path):
    assert not db_path.exists()
    with Store.open(str(db_path)) as store:
        assert store.schema_version == db.HEAD
        assert db.schema_version(store.engine) == db.HEAD
        tables = set(sa.inspect(store.engine).get_table_names())
    assert {"sessions", "participants", "relationships", "checkins", "ratings", "contacts",
            "plans", "shares", "alembic_version"} <= tables
    with Store.open(str(db_path)) as again:  # opening a migrated file changes nothing
        assert again.schema_version == db.HEAD


def test_migrated_schema_matches_the_tables_in_code(db_path):
    """Every migration together builds exactly the tables ``workshop.db`` declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with Store.open(str(db_path)) as store, store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []


def test_a_database_at_the_first_version_upgrades_keeping_its_data(db_path):
    from alembic import command

    settings = {"dimensions": ["trust"], "weights": {"trust": 1.0}, "anonymity_threshold": 5,
                "timeboxes": {}}
    engine = db.make_engine(db.url_for(db_path))
    with engine.connect() as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO sessions (id, code, title, date, facilitator_key_hash, status, settings,"
            " created_at) VALUES ('s1', 'OLD123', 'Before', '2026-01-01', 'x', 'open', ?,"
            " '2026-01-01 00:00:00')", (json.dumps(settings),))
        connection.commit()
    engine.dispose()
    with Store.open(str(db_path)) as store:
        assert store.schema_version == db.HEAD
        assert store.find_session("OLD123").title == "Before"


def test_head_constant_matches_the_migration_scripts():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(db.alembic_config()).get_current_head() == db.HEAD


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_session_codes_and_facilitator_key(store):
    session, key = store.add_session("Q3 reset", date(2026, 9, 1))
    assert len(session.code) == 6 and not set(session.code) & set("01OIL")
    assert store.find_session(session.code.lower()).id == session.id
    assert store.open_console(session.code, key).id == session.id
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(db.sessions.c.facilitator_key_hash)).scalar()
    assert key not in stored and stored.startswith("pbkdf2_sha256$")
    with pytest.raises(AccessDenied) as wrong_key:
        store.open_console(session.code, "fk-wrong")
    with pytest.raises(AccessDenied) as no_session:
        store.open_console("ZZZZZZ", key)
    assert str(wrong_key.value) == str(no_session.value)


def test_join_resume_and_closed_sessions(store):
    session, _ = store.add_session("Reset")
    person, resume = store.join(session.code, "Dana")
    assert store.resume(resume.lower().replace("-", " ")).id == person.id
    with pytest.raises(AccessDenied):
        store.resume("AAAA-BBBB-CCCC")
    with pytest.raises(NotFound):
        store.join("ZZZZZZ")
    store.update_session(session.id, status="closed")
    with pytest.raises(SessionClosed):
        store.join(session.code)
    assert store.resume(resume).id == person.id  # closed sessions can still be read


def test_working_alone_needs_no_session(store):
    person, resume = store.add_participant(None, "Solo")
    assert person.session_id is None and store.resume(resume).display_name == "Solo"


def test_relationship_verbs(store):
    person, _ = store.add_participant()
    rel = _relationship(store, person)
    assert store.update_relationship(rel.id, importance=5, kind="partner").importance == 5
    with pytest.raises(InvalidInput) as caught:
        store.update_relationship(rel.id, importance=9)
    assert caught.value.fields == {"importance": "must be at most 5"}
    assert store.get_relationship(rel.id).importance == 5  # a refused change keeps the old value
    assert [r.id for r in store.find_relationships(participant_id=person.id)] == [rel.id]
    store.remove_relationship(rel.id)
    with pytest.raises(NotFound):
        store.get_relationship(rel.id)
    with pytest.raises(NotFound):
        store.remove_relationship(rel.id)


def test_submissions_sent_twice_are_stored_once(store):
    person, _ = store.add_participant()
    rel = _relationship(store, person)
    checkin = make(CheckIn, relationship_id=rel.id, ratings={"trust": 4, "momentum": 2})
    contact = make(Contact, relationship_id=rel.id, date=date(2026, 11, 1))
    for _ in range(2):
        store.add_checkin(checkin)
        store.add_contact(contact)
        store.add_relationship(rel)
    assert store.find_checkins(relationship_id=rel.id) == [checkin]
    assert len(store.find_contacts(relationship_id=rel.id)) == 1
    assert len(store.find_relationships(participant_id=person.id)) == 1


def test_a_checkin_corrected_in_place_keeps_its_time(store):
    person, _ = store.add_participant()
    rel = _relationship(store, person)
    first = store.save_checkin(make(CheckIn, relationship_id=rel.id, ratings={"trust": 2}))
    fixed = store.save_checkin(first.model_copy(update={"ratings": {"trust": 4},
                                                        "note": "typo fixed"}))
    assert store.find_checkins(relationship_id=rel.id) == [fixed]
    assert (fixed.ratings, fixed.note, fixed.taken_at) == ({"trust": 4}, "typo fixed",
                                                           first.taken_at)


def test_plans_are_saved_as_drafts_by_id(store):
    person, _ = store.add_participant()
    rel = _relationship(store, person)
    plan = make(ResetPlan, relationship_id=rel.id, answers={"own": "I went quiet."})
    store.save_plan(plan)
    store.save_plan(plan.model_copy(update={"message": "Hi!", "status": "met"}))
    [saved] = store.find_plans(participant_id=person.id)
    assert (saved.message, saved.status, saved.answers) == ("Hi!", "met", {"own": "I went quiet."})


def test_the_store_refuses_plans_beyond_their_bounds_however_they_were_built(store):
    session, _ = store.add_session("Reset")
    person, _ = store.join(session.code)
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label="Acme"))
    good = make(ResetPlan, relationship_id=rel.id, answers={"own": "I went quiet."})
    unchecked = [good.model_copy(update={"answers": {f"k{n}": "x" * 9000 for n in range(500)}}),
                 ResetPlan.model_construct(**{**good.model_dump(), "tone": "x" * 5000})]
    for plan in unchecked:
        with pytest.raises(InvalidInput) as refused:
            store.save_plan(plan)
        assert set(refused.value.fields) <= {"answers", "tone"}
    assert store.find_plans(rel.id) == []
    assert store.save_plan(good) == good and store.find_plans(rel.id) == [good]


def test_unknown_parents_are_not_found(store):
    with pytest.raises(NotFound):
        store.add_checkin(make(CheckIn, relationship_id="nope", ratings={"trust": 3}))
    with pytest.raises(NotFound):
        store.add_relationship(make(Relationship, participant_id="nope", label="A"))


@pytest.mark.parametrize("sql", [
    "INSERT INTO ratings VALUES ('{c}', 'extra', 7)",
    "UPDATE relationships SET importance = 0",
    "UPDATE relationships SET kind = 'rival'",
    "UPDATE checkins SET trend = 'sideways'",
    "UPDATE relationships SET label = ''",
])
def test_database_constraints_back_the_model(store, sql):
    person, _ = store.add_participant()
    rel = _relationship(store, person)
    checkin = store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings={"trust": 3}))
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.exec_driver_sql(sql.format(c=checkin.id))


def test_removing_a_session_removes_everything_in_it(store):
    session, _ = store.add_session("Gone soon")
    person, _ = store.join(session.code)
    rel = _relationship(store, person)
    store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings={"trust": 3}))
    store.remove_session(session.id)
    with store.engine.connect() as conn:
        for table in ("participants", "relationships", "checkins", "ratings"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0


def test_progress_milestones_are_set_once(store):
    person, _ = store.add_participant()
    store.mark_progress(person.id, "inventory")
    first = store.get_participant(person.id).inventory_done_at
    time.sleep(1.1)
    store.mark_progress(person.id, "inventory")
    assert store.get_participant(person.id).inventory_done_at == first
    with pytest.raises(InvalidInput):
        store.mark_progress(person.id, "lunch")


def _writer(path: str, relationship_ids: list[str], index: int, count: int) -> None:
    with Store.open(path) as store:
        for n in range(count):
            rid = relationship_ids[(index + n) % len(relationship_ids)]
            store.add_checkin(make(CheckIn, relationship_id=rid,
                                   ratings={"trust": 1 + n % 5, "momentum": 1 + index % 5}))


def test_twenty_processes_writing_at_once_lose_nothing(db_path):
    processes, per_process = 20, 25
    with Store.open(str(db_path)) as store:
        person, _ = store.add_participant()
        ids = [_relationship(store, person, f"R{i}").id for i in range(10)]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(db_path), ids, i, per_process))
               for i in range(processes)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    elapsed = time.perf_counter() - started
    assert [w.exitcode for w in workers] == [0] * processes
    with Store.open(str(db_path)) as store:
        stored = store.find_checkins(participant_id=person.id)
    assert len(stored) == processes * per_process
    assert all(len(c.ratings) == 2 for c in stored)
    print(f"\n{processes} processes x {per_process} check-ins: {len(stored)} stored "
          f"in {elapsed:.1f} s")


@pytest.mark.postgres
def test_same_code_on_postgresql(postgres_url):
    with Store.open(postgres_url) as store:
        assert store.schema_version == db.HEAD
        session, key = store.add_session("On Postgres")
        person, resume = store.join(session.code, "Pat")
        rel = _relationship(store, person)
        checkin = make(CheckIn, relationship_id=rel.id, ratings={"trust": 5})
        store.add_checkin(checkin)
        store.add_checkin(checkin)
        assert store.find_checkins(session_id=session.id) == [checkin]
        assert store.resume(resume).id == person.id
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE ratings SET rating = 7 WHERE checkin_id = '{checkin.id}'")
        store.remove_session(session.id)


def test_a_link_opens_only_the_kind_of_page_it_was_made_for(store):
    session, _ = store.add_session("Links", date(2026, 5, 1))
    dashboard, dashboard_token = store.add_share(session.id)
    presenter, presenter_token = store.add_share(session.id, kind="presenter")
    assert store.find_share(presenter_token, kind="presenter").id == session.id
    assert store.find_share(dashboard_token).id == session.id
    with pytest.raises(AccessDenied, match="dashboard link is not valid"):
        store.find_share(presenter_token)  # a projector's link does not open the dashboard
    with pytest.raises(AccessDenied, match="presenter view link is not valid"):
        store.find_share(dashboard_token, kind="presenter")
    assert [s.id for s in store.find_shares(session.id, kind="presenter")] == [presenter.id]
    assert [s.kind for s in store.find_shares(session.id)] == ["dashboard", "presenter"]
    store.revoke_share(presenter.id)
    with pytest.raises(AccessDenied, match="presenter view link was revoked"):
        store.find_share(presenter_token, kind="presenter")
    with pytest.raises(ValueError):
        store.add_share(session.id, kind="admin")
