import math

import pandas as pd
import pytest

from workshop import scoring
from workshop.content import content
from workshop.tidy import RATING_COLUMNS, RELATIONSHIP_COLUMNS

NAN = math.nan
DIMS = [d.key for d in content().dimensions]
WEIGHTS = content().default_weights


def ratings_frame(*checkins):
    """checkins: (checkin_id, relationship_id, taken_at, trend, {dim: rating} or int)."""
    rows = []
    for cid, rid, when, trend, values in checkins:
        values = values if isinstance(values, dict) else dict.fromkeys(DIMS, values)
        rows += [(cid, rid, pd.Timestamp(when), trend, d, r) for d, r in values.items()]
    return pd.DataFrame(rows, columns=RATING_COLUMNS)


def relationships_frame(*rows):
    defaults = dict(participant_id="p1", label="Acme", kind="client", importance=3, since=None,
                    last_contact=None, cadence_days=30, shared_label=None)
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=RELATIONSHIP_COLUMNS)
    for column in ("since", "last_contact"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


NO_CONTACTS = pd.DataFrame(columns=["relationship_id", "date", "channel"])


@pytest.mark.parametrize("rating, expected", [(1, 0.0), (5, 100.0), (3, 50.0), (2, 25.0)])
def test_health_of_uniform_ratings(rating, expected):
    out = scoring.health(ratings_frame(("c", "r", "2026-01-01", "stable", rating)), WEIGHTS)
    assert out["health"].tolist() == [pytest.approx(expected)]


def test_health_weights_dimensions():
    values = {"trust": 5, "communication": 1}
    out = scoring.health(ratings_frame(("c", "r", "2026-01-01", "stable", values)),
                         {"trust": 3.0, "communication": 1.0})
    assert out["health"].iloc[0] == pytest.approx(75.0)


def test_momentum_first_from_declared_trend_then_change():
    frame = ratings_frame(("a", "r", "2026-01-01", "declining", 4),
                          ("b", "r", "2026-02-01", "stable", 3),
                          ("c", "s", "2026-01-05", "improving", 2))
    checkins = scoring.health(frame, WEIGHTS)
    checkins["momentum"] = scoring.momentum(checkins)
    got = dict(zip(checkins["checkin_id"], checkins["momentum"], strict=True))
    assert got == {"a": -10.0, "b": -25.0, "c": 10.0}


@pytest.mark.parametrize("days, cadence, expected", [
    (0, 30, 0.0), (30, 30, 1.0), (45, 30, 1.5), (90, 30, 3.0), (-3, 30, 0.0), (NAN, 30, NAN)])
def test_drift(days, cadence, expected):
    got = scoring.drift(days, cadence)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


# health, momentum, drift, age_days -> state; values sit on and beside each threshold.
STATE_TABLE = [
    (34.9, 0, 0.5, 400, "hanging"), (35, 0, 0.5, 400, "fading"),
    (90, 0, 3.0, 400, "hanging"), (90, 0, 2.99, 400, "fading"),
    (49.9, 0, 0.5, 400, "fading"), (50, 0, 0.5, 400, "steady"),
    (70, -5.01, 0.5, 400, "fizzling"), (70, -5, 0.5, 400, "steady"),
    (70, 0, 1.5, 400, "fizzling"), (70, 0, 1.49, 400, "steady"),
    (60, 0, 0.5, 179, "sparking"), (60, 0, 0.5, 180, "steady"), (59.9, 0, 0.5, 10, "steady"),
    (60, 15, 0.5, 400, "sparking"), (60, 14.9, 0.5, 400, "steady"),
    (80, 0, 0.99, 400, "thriving"), (80, 0, 1.0, 400, "steady"), (79.9, 0, 0.5, 400, "steady"),
    (100, 0, 0.0, 400, "thriving"), (0, 0, 0.0, 400, "hanging"),
    # unknown drift / age: bounds on them never hold
    (85, 0, NAN, NAN, "steady"), (20, 0, NAN, NAN, "hanging"), (65, 0, 0.5, NAN, "steady"),
]


@pytest.mark.parametrize("health, momentum, drift, age, expected", STATE_TABLE)
def test_state_rules(health, momentum, drift, age, expected):
    assert scoring.classify(health, momentum, drift, age) == expected


def test_every_state_is_reachable():
    assert {row[-1] for row in STATE_TABLE} == {s.key for s in content().states}


@pytest.mark.parametrize("importance, health, drift, expected", [
    (5, 0, 3.0, 100.0), (5, 100, 3.0, 0.0), (5, 0, 0.0, 25.0), (5, 0, 10.0, 100.0),
    (1, 50, 1.0, 5.0), (5, 0, NAN, 50.0)])
def test_priority(importance, health, drift, expected):
    assert scoring.priority(importance, health, drift) == pytest.approx(expected)


def test_score_of_one_checkin_without_contact_date():
    rels = relationships_frame({"relationship_id": "r", "since": "2026-10-01"})
    rates = ratings_frame(("c", "r", "2026-11-01", "improving", 4))
    out = scoring.score(rels, rates, NO_CONTACTS, WEIGHTS, as_of="2026-11-21")
    row = out.iloc[0]
    assert (row.health, row.momentum, row.checkins) == (75.0, 10.0, 1)
    assert row.days_since_contact == 51 and row.drift == pytest.approx(51 / 30)
    assert row.state == "fizzling"


def test_logged_contact_restarts_the_clock():
    rels = relationships_frame({"relationship_id": "r", "last_contact": "2026-01-01"})
    contacts = pd.DataFrame({"relationship_id": ["r"], "date": [pd.Timestamp("2026-11-11")],
                             "channel": ["call"]})
    rates = ratings_frame(("c", "r", "2026-11-01", "stable", 5))
    out = scoring.score(rels, rates, contacts, WEIGHTS, as_of="2026-11-21").iloc[0]
    assert out.days_since_contact == 10 and out.state == "thriving"


def test_unrated_relationships_are_left_out_and_order_is_by_priority():
    rels = relationships_frame({"relationship_id": "a", "importance": 1},
                               {"relationship_id": "b", "importance": 5},
                               {"relationship_id": "never"})
    rates = ratings_frame(("1", "a", "2026-11-01", "stable", 2),
                          ("2", "b", "2026-11-01", "stable", 2))
    out = scoring.score(rels, rates, NO_CONTACTS, WEIGHTS, as_of="2026-11-21")
    assert out["relationship_id"].tolist() == ["b", "a"]


def test_history_labels_state_at_each_checkin():
    rels = relationships_frame({"relationship_id": "r", "last_contact": "2026-01-01",
                                "cadence_days": 60})
    rates = ratings_frame(("1", "r", "2026-01-10", "stable", 2),
                          ("2", "r", "2026-03-01", "improving", 4))
    out = scoring.history(rels, rates, NO_CONTACTS, WEIGHTS)
    assert out["state"].tolist() == ["hanging", "sparking"]  # 25 points, then +50
    assert out["days_since_contact"].tolist() == [9, 59]


def test_perception_gap_uses_each_raters_latest_checkin():
    rels = relationships_frame(
        {"relationship_id": "a", "participant_id": "p1", "shared_label": "Northwind"},
        {"relationship_id": "b", "participant_id": "p2", "shared_label": "Northwind"},
        {"relationship_id": "c", "participant_id": "p3", "shared_label": "Northwind"},
        {"relationship_id": "d", "participant_id": "p4", "shared_label": "Solo"})
    rates = ratings_frame(("1", "a", "2026-01-01", "stable", {"trust": 1}),
                          ("2", "a", "2026-02-01", "stable", {"trust": 5}),
                          ("3", "b", "2026-02-01", "stable", {"trust": 2}),
                          ("4", "c", "2026-02-01", "stable", {"trust": 2}),
                          ("5", "d", "2026-02-01", "stable", {"trust": 4}))
    out = scoring.perception_gap(rels, rates)
    assert out.to_dict("records") == [{"shared_label": "Northwind", "dimension": "trust",
                                       "raters": 3, "mean": 3.0, "gap": 3,
                                       "std": pytest.approx(math.sqrt(2))}]


def test_empty_inputs_give_empty_frames():
    empty_rels = relationships_frame()
    assert scoring.score(empty_rels, ratings_frame(), NO_CONTACTS, WEIGHTS).empty
    assert scoring.perception_gap(empty_rels, ratings_frame()).empty
