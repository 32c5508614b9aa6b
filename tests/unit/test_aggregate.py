"""Anonymised group figures: counts, respondents, and groups below the threshold masked."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from workshop import aggregate, tidy
from workshop.agenda import clock, neighbour, steps, total_minutes
from workshop.model import CheckIn, Relationship, ResetPlan, make
from workshop.store import Store

DIMS = ["communication", "trust", "expectations"]


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "agg.sqlite") as opened:
        yield opened


def _person(store, session, ratings_by_rel, kind="client", shared=None):
    """A participant with one relationship per entry of ``ratings_by_rel`` (rating for all dims)."""
    person, _ = store.add_participant(session.id, "P")
    for i, value in enumerate(ratings_by_rel):
        rel = store.add_relationship(make(
            Relationship, participant_id=person.id, label=f"secret label {i}", kind=kind,
            shared_label=shared if i == 0 else None,
            last_contact=date.today() - timedelta(days=10), cadence_days=30))
        store.add_checkin(make(CheckIn, relationship_id=rel.id,
                               ratings={d: value for d in DIMS}, note="private note"))
    return person


def _session(store, threshold=3):
    session, _ = store.add_session("T", dimensions=DIMS, anonymity_threshold=threshold)
    return session


def test_progress_counts_each_milestone(store):
    session = _session(store)
    a = _person(store, session, [3])
    _person(store, session, [4])
    store.add_participant(session.id, "C")
    store.mark_progress(a.id, "inventory")
    store.mark_progress(a.id, "health")
    rel = store.find_relationships(participant_id=a.id)[0]
    store.save_plan(make(ResetPlan, relationship_id=rel.id))
    store.save_plan(make(ResetPlan, relationship_id=rel.id))
    counts = aggregate.counts(aggregate.session_progress(store, session.id))
    assert counts == {"joined": 3, "inventory": 1, "health": 1, "plan": 1}


def test_group_below_threshold_masks_every_value(store):
    session = _session(store, threshold=3)
    _person(store, session, [2, 4])
    _person(store, session, [5])
    group = aggregate.session_group(store, session)
    assert group.respondents == 2
    # A cell under the threshold publishes nothing, not even its head count (rule 1 of
    # workshop.anonymity): the dimensions count only shown kind x dimension cells, none here.
    assert group.dimensions["respondents"].tolist() == [0, 0, 0]
    assert group.frames()["dimensions"]["respondents"].isna().all()
    assert group.dimensions[["mean", "std", "median"]].isna().all().all()
    assert group.heatmap["mean"].isna().all()
    assert group.weakest is None
    assert aggregate.waiting_for(group.respondents, group.threshold) == 1


def test_group_at_threshold_shows_averages_and_spread(store):
    session = _session(store, threshold=3)
    for values in ([1, 3], [3], [5]):
        _person(store, session, values)
    group = aggregate.session_group(store, session)
    dims = group.dimensions.set_index("dimension")
    assert group.respondents == 3
    assert dims.loc["trust", "mean"] == pytest.approx(3.0)
    assert dims.loc["trust", "std"] == pytest.approx(math.sqrt(2))
    assert dims.loc["trust", "ratings"] == 4
    assert dims["name"].tolist() == ["Communication", "Trust", "Expectations alignment"]


def test_weakest_dimension_is_lowest_shown_average():
    summary = pd.DataFrame({"dimension": ["a", "b", "c"], "mean": [3.0, 2.5, float("nan")]})
    assert aggregate.weakest_dimension(summary)["dimension"] == "b"
    assert aggregate.weakest_dimension(summary.iloc[2:]) is None
    tied = pd.DataFrame({"dimension": ["a", "b"], "mean": [3.0, 3.0]})
    assert aggregate.weakest_dimension(tied) is None


def test_heatmap_suppresses_small_kind_cells(store):
    session = _session(store, threshold=3)
    for value in (2, 3, 4):
        _person(store, session, [value], kind="client")
    _person(store, session, [5], kind="vendor")
    heat = aggregate.session_group(store, session).heatmap
    client = heat[heat["kind"] == "client"]
    vendor = heat[heat["kind"] == "vendor"]
    assert client["mean"].tolist() == [3.0, 3.0, 3.0]
    assert client["respondents"].tolist() == [3, 3, 3]
    # The lone vendor is left out entirely (rules 1-2 of workshop.anonymity): listing a
    # "hidden" vendor row would tell a kind of one person from a kind of none.
    assert vendor.empty


def test_perception_gaps_only_for_labels_with_enough_raters(store):
    session = _session(store, threshold=3)
    for value in (1, 3, 5):
        _person(store, session, [value], shared="Northwind")
    _person(store, session, [2], shared="Tiny Co")
    _person(store, session, [4], shared="Tiny Co")
    group = aggregate.session_group(store, session)
    assert set(group.gaps["shared_label"]) == {"Northwind"}
    assert group.gaps["gap"].tolist() == [4, 4, 4]
    assert group.gaps["raters"].tolist() == [3, 3, 3]
    assert group.shared_raters == 3
    assert group.waiting()["gaps"] == 0


def test_waiting_counts_per_chart(store):
    session = _session(store, threshold=4)
    for value in (1, 3, 5):
        _person(store, session, [value], shared="Northwind", kind="vendor")
    _person(store, session, [2], kind="client")
    waiting = aggregate.session_group(store, session).waiting()
    # Waiting counts are on the whole room (4 people here), never on one group: "waiting for
    # 1 more" about the heat map or a label would say that group has 3 people. The charts
    # say their groups are too small instead (see test_group_charts).
    assert waiting == {"states": 0, "dimensions": 0, "heatmap": 0, "drift": 0, "gaps": 0}


def test_states_and_drift_count_relationships_with_respondents(store):
    session = _session(store, threshold=3)
    for values in ([1, 5], [3], [5]):
        _person(store, session, values)
    group = aggregate.session_group(store, session)
    # Healths 0, 100, 50 and 100 put these four relationships in states of one or two people
    # each: every state stays hidden (rule 1 of workshop.anonymity), so the states table
    # publishes nothing, and the drift bands, which all share, still count all four.
    assert group.states["relationships"].isna().all()
    assert group.frames()["states"]["respondents"].isna().all()
    assert group.drift["relationships"].sum() == 4
    assert group.drift["share"].sum() == pytest.approx(1.0)
    assert group.drift.iloc[0]["relationships"] == 4  # 10 days into a 30-day rhythm


def test_no_free_text_or_private_labels_in_any_frame(store):
    session = _session(store, threshold=3)
    for value in (1, 3, 5):
        _person(store, session, [value, 2], shared="Northwind")
    frames = aggregate.session_group(store, session).frames()
    text = " ".join(f.to_csv() for f in frames.values())
    assert "secret label" not in text and "private note" not in text
    assert "Northwind" in text


def test_empty_session_gives_empty_frames(store):
    session = _session(store)
    group = aggregate.session_group(store, session)
    assert group.respondents == 0
    assert group.states["relationships"].sum() == 0
    assert group.heatmap.empty and group.gaps.empty
    assert aggregate.counts(aggregate.session_progress(store, session.id))["joined"] == 0


def test_unknown_dimension_key_gets_a_readable_name():
    assert aggregate.dimension_name("shared_goals") == "Shared goals"
    assert aggregate.dimension_name("trust") == "Trust"


def test_agenda_steps_skip_zero_timeboxes_and_clock_levels(store):
    agenda = steps({"why": 0, "inventory": 3})
    assert agenda[0].key == "inventory" and agenda[0].minutes == 3
    assert total_minutes({"why": 0}) == total_minutes({}) - 10
    session, _ = store.add_session("T", timeboxes={"inventory": 10})
    assert clock(session).level == "idle" and clock(session).label == ""
    assert neighbour(session, 1).key == "why" and neighbour(session, -1) is None
    session = store.set_phase(session.id, "inventory")
    start = session.phase_started_at
    at = lambda s: clock(session, start + timedelta(seconds=s))  # noqa: E731
    assert at(0).level == "running" and at(0).label == "10:00 left"
    assert at(8 * 60 + 1).level == "ending"
    assert at(10 * 60 + 5).level == "over" and at(10 * 60 + 5).label == "0:05 over"
    badges = [at(s).badge for s in (0, 9 * 60 + 15, 10 * 60, 10 * 60 + 6)]
    assert badges == ["10:00 left", "0:45 left · almost up", "0:00 left · almost up",
                      "over by 0:06"]  # the words once: no "0:06 over · over time"
    assert clock(store.add_session("U")[0]).badge == ""
    assert neighbour(session, 1).key == "health_check"
    assert neighbour(session, -1).key == "why"
    assert clock(session, datetime(2000, 1, 1, tzinfo=timezone.utc)).elapsed_s == 0


def test_tidy_frames_by_hand_work_without_a_store():
    rels = tidy.relationships_frame([])
    plans = tidy.plans_frame([])
    people = aggregate.participants_frame([])
    assert aggregate.progress(people, rels, plans)["count"].tolist() == [0, 0, 0, 0]
