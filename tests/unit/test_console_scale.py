"""The console's cost follows the changes: every write a screen shows bumps the session's
revision, an unchanged poll asks only that, and a change shows within one poll."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pandas as pd
import pytest

from benchmarks import console_scale
from workshop import aggregate, scoring, tidy
from workshop.app import facilitator
from workshop.app.facilitator import POLL_EVERY, SessionConsole
from workshop.app.phase import PhaseBanner
from workshop.model import CheckIn, Contact, Relationship, ResetPlan, make


@pytest.fixture
def room(store):
    """A session with one participant holding one rated relationship with a plan."""
    session, _ = store.add_session("Room", anonymity_threshold=3)
    person, _ = store.join(session.code, "Pat")
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label="Acme"))
    checkin = store.add_checkin(make(CheckIn, relationship_id=rel.id,
                                     ratings={d: 3 for d in session.settings.dimensions}))
    plan = store.save_plan(make(ResetPlan, relationship_id=rel.id))
    return {"session": session, "person": person, "rel": rel, "checkin": checkin,
            "plan": plan}


def _ratings(session, value: int) -> dict[str, int]:
    return {d: value for d in session.settings.dimensions}


WRITES = {
    "join": lambda s, r: s.join(r["session"].code, "Sam"),
    "update_session": lambda s, r: s.update_session(r["session"].id, title="Renamed"),
    "set_phase": lambda s, r: s.set_phase(r["session"].id, "map"),
    "mark_progress": lambda s, r: s.mark_progress(r["person"].id, "health"),
    "add_relationship": lambda s, r: s.add_relationship(
        make(Relationship, participant_id=r["person"].id, label="Beta")),
    "update_relationship": lambda s, r: s.update_relationship(r["rel"].id, importance=5),
    "remove_relationship": lambda s, r: s.remove_relationship(r["rel"].id),
    "add_contact": lambda s, r: s.add_contact(
        make(Contact, relationship_id=r["rel"].id, date=date(2026, 11, 1))),
    "add_checkin": lambda s, r: s.add_checkin(
        make(CheckIn, relationship_id=r["rel"].id, ratings=_ratings(r["session"], 4))),
    "save_checkin (new)": lambda s, r: s.save_checkin(
        make(CheckIn, relationship_id=r["rel"].id, ratings=_ratings(r["session"], 2))),
    "save_checkin (correction)": lambda s, r: s.save_checkin(
        make(CheckIn, id=r["checkin"].id, relationship_id=r["rel"].id,
             ratings=_ratings(r["session"], 5))),
    "save_plan (new)": lambda s, r: s.save_plan(make(ResetPlan, relationship_id=r["rel"].id)),
    "save_plan (draft typed)": lambda s, r: s.save_plan(
        make(ResetPlan, id=r["plan"].id, relationship_id=r["rel"].id, message="Hello")),
    "remove_plan": lambda s, r: s.remove_plan(r["plan"].id),
}


@pytest.mark.parametrize("verb", list(WRITES))
def test_every_write_a_screen_shows_bumps_the_revision(store, room, verb):
    before = store.session_revision(room["session"].id)
    WRITES[verb](store, room)
    assert store.session_revision(room["session"].id) == before + 1


def test_writes_that_change_nothing_or_no_session_leave_revisions_alone(store, room):
    session = room["session"]
    before = store.session_revision(session.id)
    store.mark_progress(room["person"].id, "inventory")
    after_first = store.session_revision(session.id)
    store.mark_progress(room["person"].id, "inventory")  # already marked
    store.add_relationship(room["rel"])  # the same submission sent again
    store.add_checkin(room["checkin"])
    alone, _ = store.add_participant(None, "Solo")
    store.add_relationship(make(Relationship, participant_id=alone.id, label="Mine"))
    other, _ = store.add_session("Other room")
    store.join(other.code, "Elsewhere")
    assert after_first == before + 1
    assert store.session_revision(session.id) == after_first
    assert store.session_revision(other.id) == 1


def _poll(console: SessionConsole, throttled: bool = False) -> None:
    """One poll of the console. Unless ``throttled``, the group is due at once, as if its
    last computation were long ago: on a loaded machine a slow first group would otherwise
    make the next poll wait (see ``_group_due``), and what a test checks would not show yet."""
    if not throttled:
        console._group_at = float("-inf")

    async def cycle():
        for _ in range(POLL_EVERY):
            await console.tick()
    asyncio.run(cycle())


def _count(console: SessionConsole, milestone: str) -> int:
    html = console.progress.counts.value
    tile = html.split(f"rr-count-{milestone}")[1]
    return int(tile.split('rr-count-value">')[1].split("<")[0])


def test_an_unchanged_poll_loads_no_frames(store, room, monkeypatch):
    console = SessionConsole(store, room["session"], start=False)
    console.group.reveal.value = True

    def refuse(*_args, **_kwargs):
        raise AssertionError("an unchanged poll must not read the session's frames")

    for name in ("load_session_frames", "session_progress_counts", "load"):
        monkeypatch.setattr(tidy, name, refuse)
    monkeypatch.setattr(facilitator.aggregate, "group", refuse)
    for _ in range(3):
        _poll(console)  # raises through the ticker-less tick if anything loads
    assert console.status.value == "" and _count(console, "joined") == 1
    console.close()


@pytest.mark.parametrize("verb", list(WRITES))
def test_after_any_write_the_console_shows_the_group_of_a_fresh_read(store, room, verb):
    """The console keeps the session's frames and scores between polls and reads only what
    changed; what it shows is still the group a fresh read of everything gives."""
    session = room["session"]
    for name, value in (("Sam", 2), ("Kim", 4)):  # enough people for figures to show
        person, _ = store.join(session.code, name)
        rel = store.add_relationship(make(Relationship, participant_id=person.id, label="X",
                                          shared_label="Acme"))
        store.add_checkin(make(CheckIn, relationship_id=rel.id,
                               ratings=_ratings(session, value)))
    store.update_relationship(room["rel"].id, shared_label="Acme")
    console = SessionConsole(store, session, start=False)
    console.group.reveal.value = True
    WRITES[verb](store, room)
    _poll(console)
    shown = console._shown.group
    fresh = aggregate.session_group(store, store.get_session(session.id))
    assert console._shown.fingerprint[0] == store.session_revision(session.id)
    for name in ("states", "dimensions", "heatmap", "drift", "gaps"):
        pd.testing.assert_frame_equal(getattr(shown, name), getattr(fresh, name),
                                      check_exact=True, obj=name)
    assert (shown.respondents, shown.shared_raters) == (fresh.respondents, fresh.shared_raters)
    console.close()


def test_a_change_shows_within_one_poll(store, room):
    session = room["session"]
    console = SessionConsole(store, session, start=False)
    console.group.reveal.value = True
    assert _count(console, "joined") == 1 and _count(console, "health") == 0
    assert "1 person has rated" in console.group.status.value
    assert "waiting for 2 more" in console.group.boxes["states"].waiting.value
    others = []
    for name in ("Sam", "Kim"):  # rated like Pat: one state, three people behind it
        person, _ = store.join(session.code, name)
        rel = store.add_relationship(make(Relationship, participant_id=person.id, label="X"))
        store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings=_ratings(session, 3)))
        others.append(person)
    store.mark_progress(others[0].id, "health")
    _poll(console)
    assert _count(console, "joined") == 3 and _count(console, "health") == 1
    assert "3 people have rated" in console.group.status.value
    assert console.group.boxes["states"].drawn  # three respondents reach the threshold
    store.set_phase(session.id, "map")  # a phase moved from another console
    _poll(console)
    assert console.session.current_phase == "map" and "rr-current" in str(
        [b._dom_classes for b in console.agenda.steps.children])
    console.close()


def test_a_costly_group_waits_while_the_counts_keep_up(store, room):
    session = room["session"]
    console = SessionConsole(store, session, start=False)
    console._group_cost = 10.0  # as if the group took 10 s: wait 40 s before the next one
    console._group_at = time.monotonic()
    person, _ = store.join(session.code, "Sam")
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label="X"))
    store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings=_ratings(session, 3)))
    _poll(console, throttled=True)
    assert _count(console, "joined") == 2  # counts at once
    assert "1 person has rated" in console.group.status.value  # the group later
    console._group_at -= 40
    _poll(console, throttled=True)
    assert "2 people have rated" in console.group.status.value
    console.close()


def test_charts_that_did_not_change_are_not_drawn_again(store, room, monkeypatch):
    session = room["session"]
    checkins = []
    for name in ("Sam", "Kim"):  # rated like Pat, no contact dates: every chart can show
        person, _ = store.join(session.code, name)
        rel = store.add_relationship(make(Relationship, participant_id=person.id, label="X"))
        checkins.append(store.add_checkin(make(CheckIn, relationship_id=rel.id,
                                               ratings=_ratings(session, 3))))
    console = SessionConsole(store, session, start=False)
    console.group.reveal.value = True
    built = []  # the charts each build made
    real = facilitator.group_charts.group_charts

    def build(group, only=None):
        charts = real(group, only)
        built.append(set(charts))
        return charts

    monkeypatch.setattr(facilitator.group_charts, "group_charts", build)
    boxes = console.group.boxes
    outputs = {k: box.slot.outputs for k, box in boxes.items()}
    assert boxes["drift"].drawn and boxes["dimensions"].drawn
    store.update_session(session.id, title="Renamed")  # the group itself is the same
    _poll(console)
    assert built == [] and "Renamed" in console.title.value
    assert all(boxes[k].slot.outputs is outputs[k] for k in outputs)
    first = checkins[0]
    store.save_checkin(make(CheckIn, id=first.id, relationship_id=first.relationship_id,
                            ratings=_ratings(session, 5)))  # a corrected rating
    _poll(console)
    assert len(built) == 1 and boxes["dimensions"].slot.outputs != outputs["dimensions"]
    assert boxes["drift"].slot.outputs is outputs["drift"]  # the drift did not move
    assert "dimensions" in built[0] and "drift" not in built[0]  # nor was it built again
    console.close()


def test_the_phase_banner_reads_the_session_only_when_it_moved(store, room, monkeypatch):
    session = room["session"]
    banner = PhaseBanner(store, session.id, start=False)
    reads = []
    real = store.get_session
    monkeypatch.setattr(store, "get_session", lambda sid: reads.append(sid) or real(sid))
    for _ in range(5):
        banner.refresh()
    assert reads == [] and "not started" in banner.title.value
    store.set_phase(session.id, "map")
    reads.clear()  # (the store reads the session itself to update it)
    banner.refresh()
    banner.refresh()
    assert reads == [session.id] and "See the map" in banner.title.value
    banner.close()


def _scores_row_by_row(frames, as_of) -> pd.DataFrame:
    """The relationship-by-relationship rules (_measure, classify, priority), as a reference."""
    day = pd.Timestamp(as_of).normalize()
    checkins = scoring.health(frames.ratings, frames.weights)
    checkins["momentum"] = scoring.momentum(checkins)
    latest = checkins.groupby("relationship_id").tail(1).set_index("relationship_id")
    counts = checkins.groupby("relationship_id").size()
    seen = scoring.last_contact(frames.relationships, frames.contacts, day)
    rows = []
    for rid, rel in frames.relationships.set_index("relationship_id").iterrows():
        if rid in latest.index:
            now = latest.loc[rid]
            measured = scoring._measure(rel, now["health"], now["momentum"], seen.get(rid), day)
            rows.append({"relationship_id": rid, "health": now["health"],
                         "momentum": now["momentum"], **measured,
                         "priority": scoring.priority(rel["importance"], now["health"],
                                                      measured["drift"]),
                         "checkins": int(counts[rid]), "taken_at": now["taken_at"]})
    out = pd.DataFrame(rows, columns=scoring.SCORE_COLUMNS)
    return out.sort_values("priority", ascending=False, kind="stable", ignore_index=True)


@pytest.mark.parametrize("as_of", ["2026-11-21", "2025-06-01", "2030-01-01"])
def test_scores_of_a_whole_room_at_once_follow_the_per_relationship_rules(tmp_path, as_of):
    store, session_id = console_scale.generate(tmp_path / "room.sqlite", 40)
    with store:
        frames = tidy.load(store, session_id=session_id)
    expected = _scores_row_by_row(frames, as_of)
    assert len(expected) == 320
    assert expected["state"].nunique() >= (3 if as_of == "2026-11-21" else 1)
    pd.testing.assert_frame_equal(scoring.score(frames.relationships, frames.ratings,
                                                frames.contacts, frames.weights, as_of),
                                  expected, check_exact=True)


def test_demo_scores_follow_the_per_relationship_rules(demo_store):
    store, demo = demo_store
    frames = tidy.load(store, session_id=demo.session.id)
    pd.testing.assert_frame_equal(frames.scores("2026-11-21")[scoring.SCORE_COLUMNS],
                                  _scores_row_by_row(frames, "2026-11-21"), check_exact=True)
