"""Participant charts: tested through their figures' data, not pixels."""

from __future__ import annotations

import pandas as pd
import pytest

from workshop import charts, tidy
from workshop.content import content

HOSTILE = "<script>alert(1)</script> & Zoë"


@pytest.fixture
def dana(demo_store):
    store, loaded = demo_store
    person = store.resume(loaded.resume_codes["Dana"])
    return tidy.load(store, participant_id=person.id)


def _scores(**extra) -> pd.DataFrame:
    rows = [{"relationship_id": "a", "label": HOSTILE, "importance": 5, "health": 20.0,
             "state": "hanging", "drift": 3.5, "days_since_contact": 120, "priority": 70.0},
            {"relationship_id": "b", "label": "Beta", "importance": 2, "health": 90.0,
             "state": "thriving", "drift": 0.2, "days_since_contact": 4, "priority": 2.0},
            {"relationship_id": "c", "label": "Gamma", "importance": 3, "health": 60.0,
             "state": "steady", "drift": float("nan"), "days_since_contact": float("nan"),
             "priority": 20.0}]
    return pd.DataFrame(rows).assign(**extra)


def test_portfolio_codes_state_by_colour_and_symbol_and_sizes_by_drift():
    fig = charts.portfolio(_scores())
    looks = {s.name: (s.colour, s.symbol) for s in content().states}
    assert sum(len(trace.x) for trace in fig.data) == 3
    for trace in fig.data:
        assert (trace.marker.color, trace.marker.symbol) == looks[trace.name]
    hanging = next(t for t in fig.data if t.name == "Hanging by a thread")
    steady = next(t for t in fig.data if t.name == "Steady")
    assert hanging.marker.size[0] > steady.marker.size[0]  # drifting longer: bigger
    assert len({t.marker.symbol for t in fig.data}) == len(fig.data)


def test_user_text_is_escaped_in_hover_and_ticks():
    fig = charts.portfolio(_scores())
    hanging = next(t for t in fig.data if t.name == "Hanging by a thread")
    label, state, days = hanging.customdata[0]
    assert label == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Zoë"
    assert (state, days) == ("Hanging by a thread", "120")
    assert "Days since contact" in hanging.hovertemplate
    ranking = charts.priority_ranking(_scores())
    assert "<script>" not in str(ranking.to_plotly_json())
    assert ranking.layout.yaxis.ticktext[-1].startswith("&lt;script&gt;")


def test_unknown_days_since_contact_is_said_plainly():
    fig = charts.portfolio(_scores())
    steady = next(t for t in fig.data if t.name == "Steady")
    assert steady.customdata[0][2] == "unknown"


def test_priority_ranking_is_highest_first_and_names_each_state():
    fig = charts.priority_ranking(_scores())
    bar = fig.data[0]
    assert list(bar.y)[::-1] == ["a", "c", "b"]  # plotly draws the first bar at the bottom
    assert list(bar.text)[::-1] == ["Hanging by a thread", "Steady", "Thriving"]


def test_state_counts_show_every_state_with_its_description():
    fig = charts.state_counts(_scores())
    bar = fig.data[0]
    # Charts show the states in the content's display order (best first), not the order the
    # scoring rules are tried in (issue 10: Steady, the rules' fallback, used to come last).
    # Bars lie down (issue 14: names stay level and whole on a phone): names on y, counts on x.
    assert bar.orientation == "h"
    assert list(bar.y) == [s.name for s in content().states_shown]
    assert dict(zip(bar.y, bar.x, strict=True))["Hanging by a thread"] == 1
    assert all(len(d) > 20 for d in bar.customdata)


def test_state_counts_list_states_best_first_with_steady_in_the_middle():
    fig = charts.state_counts(_scores())
    assert list(fig.data[0].y) == ["Thriving", "Sparking", "Steady", "Fizzling", "Fading",
                                   "Hanging by a thread"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first one on top


def test_radar_draws_profile_against_healthy_zone(dana):
    latest = dana.latest_ratings()
    rid = latest["relationship_id"].iloc[0]
    fig = charts.radar(latest[latest["relationship_id"] == rid])
    zone, profile = fig.data
    assert set(zone.r) == {4, 5} and zone.fill == "toself"
    assert len(profile.r) == len(content().dimensions) + 1  # closed outline
    assert fig.layout.polar.radialaxis.range == (0, 5)


def test_history_marks_meetings_and_names_state_changes():
    frame = pd.DataFrame({"taken_at": pd.to_datetime(["2026-01-01", "2026-02-01",
                                                      "2026-03-01"]),
                          "health": [30.0, 45.0, 70.0],
                          "state": ["hanging", "fading", "steady"]})
    meetings = pd.DataFrame({"meeting_at": pd.to_datetime(["2026-01-15"])})
    fig = charts.health_over_time(frame, meetings)
    texts = [a.text for a in fig.layout.annotations]
    assert "Hanging by a thread → Fading" in texts and "Fading → Steady" in texts
    assert "Reset meeting" in texts
    assert len(fig.layout.shapes) == 1
    assert list(fig.data[0].marker.symbol) == ["x", "triangle-down", "square"]


def test_empty_frames_give_a_hint_not_an_error():
    empty = pd.DataFrame(columns=["relationship_id", "label", "importance", "health",
                                  "state", "drift", "days_since_contact", "priority"])
    for fig in (charts.portfolio(empty), charts.priority_ranking(empty),
                charts.radar(pd.DataFrame(columns=["dimension", "rating"])),
                charts.health_over_time(pd.DataFrame(columns=["taken_at", "health",
                                                              "state"]))):
        assert fig.layout.annotations[0].text == charts.EMPTY_HINT
    assert sum(charts.state_counts(empty).data[0].x) == 0


def test_one_look_and_a_mime_bundle_for_the_notebook_renderer(dana):
    fig = charts.portfolio(dana.scores())
    assert fig.layout.template.layout.font.family == charts.FONT
    bundle = charts.mime_bundle(fig)
    spec = bundle["application/vnd.plotly.v1+json"]
    assert spec["data"] and spec["config"]["displaylogo"] is False
