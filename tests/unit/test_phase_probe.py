"""The phase probe: participant pages poll it twice a second, so it must see every change a
phase banner shows, and nothing else, and survive a lost connection."""

from __future__ import annotations

import sqlite3

import pytest

from workshop.app.phase import PhaseBanner
from workshop.errors import NotFound
from workshop.model import Relationship, make
from workshop.store import Store


def _participant_writes(store, session):
    person, _ = store.join(session.code, "Robin")
    store.add_relationship(make(Relationship, participant_id=person.id, label="Acme"))
    store.mark_progress(person.id, "inventory")


def _sees_banner_changes_only(store):
    session, _ = store.add_session("Probe")
    probe = store.phase_probe(session.id)
    try:
        first = probe.read()
        _participant_writes(store, session)
        assert probe.read() == first, "a participant's save is not a phase change"

        store.set_phase(session.id, "inventory")
        moved = probe.read()
        assert moved != first

        settings = store.get_session(session.id).settings
        store.update_session(session.id, settings=settings.model_copy(
            update={"timeboxes": {"inventory": 25}}))
        longer = probe.read()
        assert longer != moved, "a longer timebox changes the countdown"

        store.update_session(session.id, status="closed")
        assert probe.read() != longer
    finally:
        probe.close()


def test_the_probe_sees_phase_timebox_and_status_changes_but_not_participants(store):
    _sees_banner_changes_only(store)


def test_the_probe_works_the_same_on_postgresql(postgres_url):
    with Store.open(postgres_url) as store:
        _sees_banner_changes_only(store)


def test_on_postgresql_the_probe_holds_no_connection_between_reads(postgres_url):
    """A page's pool may be one connection (``serve --db-pool 1``): a probe holding it would
    make every other read of the page open a fresh one."""
    with Store.open(postgres_url) as store:
        session, _ = store.add_session("Probe")
        probe = store.phase_probe(session.id)
        probe.read()
        probe.read()
        assert store.engine.pool.checkedout() == 0
        probe.close()


def test_a_lost_connection_fails_one_read_and_the_next_one_reconnects(store):
    session, _ = store.add_session("Probe")
    probe = store.phase_probe(session.id)
    before = probe.read()
    probe._connection.driver_connection.close()  # as if the database had gone away
    with pytest.raises(sqlite3.ProgrammingError):  # a closed connection
        probe.read()
    assert probe.read() == before
    probe.close()


def test_a_removed_session_is_not_found(store):
    session, _ = store.add_session("Probe")
    probe = store.phase_probe(session.id)
    store.remove_session(session.id)
    with pytest.raises(NotFound):
        probe.read()
    probe.close()


def test_the_banner_reads_the_session_again_only_when_the_phase_moved(store, monkeypatch):
    session, _ = store.add_session("Probe")
    banner = PhaseBanner(store, session.id, start=False)
    reads = []
    real = store.get_session
    monkeypatch.setattr(store, "get_session", lambda sid: reads.append(sid) or real(sid))

    _participant_writes(store, session)
    banner.refresh()
    assert reads == []
    assert "has not started" in banner.title.value

    store.set_phase(session.id, "inventory")  # (reads the session itself)
    reads.clear()
    banner.refresh()
    banner.refresh()
    assert reads == [session.id]
    assert "Take stock" in banner.title.value
    banner.close()
