"""The comparison: both sides per dimension, the biggest gaps named, the plan lines drafted from
them, the tidy frame of the public API and the chart."""

from __future__ import annotations

from datetime import timedelta

import pytest

import workshop
from workshop import comparison
from workshop.comparison_chart import comparison as comparison_chart
from workshop.invitation import Invitation
from workshop.invites import Invites
from workshop.model import CheckIn, Relationship, ResetPlan, make, utcnow

DIMS = ["communication", "trust", "expectations", "momentum", "mutual_value", "responsiveness"]
MINE = {"communication": 4, "trust": 2, "expectations": 3, "momentum": 3, "mutual_value": 5,
        "responsiveness": 3}
THEIRS = {"communication": 4, "trust": 5, "expectations": 3, "momentum": 2, "mutual_value": 2,
          "responsiveness": 4}


def _invitation(ratings=THEIRS, when=None, **more) -> Invitation:
    now = when or utcnow()
    return make(Invitation, relationship_id="r1", inviter="Dana", them="Sam",
                dimensions=DIMS, ratings=ratings, created_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=13), submitted_at=now, updated_at=now, **more)


def _checkin(ratings, when) -> CheckIn:
    return make(CheckIn, relationship_id="r1", ratings=ratings, taken_at=when)


def test_side_by_side_keeps_the_order_of_dimensions_and_gaps_are_theirs_minus_mine():
    frame = comparison.side_by_side(MINE, THEIRS, DIMS)
    assert list(frame["dimension"]) == DIMS
    assert list(frame.columns) == comparison.WIDE
    assert dict(zip(frame["dimension"], frame["gap"], strict=True)) == {
        "communication": 0, "trust": 3, "expectations": 0, "momentum": -1,
        "mutual_value": -3, "responsiveness": 1}
    assert frame.loc[frame["dimension"] == "mutual_value", "name"].item() == "Mutual value"


def test_the_biggest_gaps_are_named_widest_first_and_small_ones_are_not():
    frame = comparison.side_by_side(MINE, THEIRS, DIMS)
    gaps = comparison.biggest_gaps(frame)
    assert list(gaps["dimension"]) == ["trust", "mutual_value"]  # ties: order of dimensions
    sentence = comparison.gap_sentence(frame)
    assert sentence == ("The biggest differences: Trust (you 2, they 5); Mutual value "
                        "(you 5, they 2).")
    close = comparison.side_by_side(MINE, {k: v for k, v in MINE.items()}, DIMS)
    assert comparison.biggest_gaps(close).empty
    assert "Your views are close" in comparison.gap_sentence(close)


def test_at_most_three_gaps_are_named():
    wide = comparison.side_by_side({k: 1 for k in DIMS}, {k: 5 for k in DIMS}, DIMS)
    assert list(comparison.biggest_gaps(wide)["dimension"]) == DIMS[:3]


def test_the_plan_lines_come_from_the_gaps_and_the_other_partys_needs():
    found = comparison.Comparison(_invitation(need_mine="Earlier warnings on delays"), MINE)
    lines = comparison.differently(found)
    assert lines["changed"] == [
        "Sam rates Trust higher than I do (5 against my 2): what do they see that I have "
        "missed?",
        "I rate Mutual value higher than Sam does (5 against their 2): what has changed on "
        "their side that I have not noticed?"]
    assert lines["needs"] == ["What Sam says they need now: Earlier warnings on delays"]


def test_earlier_answers_are_held_against_the_check_in_of_their_time():
    now = utcnow()
    old, new = _invitation({k: 2 for k in DIMS}, now - timedelta(days=60)), _invitation(
        THEIRS, now)
    checkins = [_checkin({k: 1 for k in DIMS}, now - timedelta(days=90)),
                _checkin({k: 3 for k in DIMS}, now - timedelta(days=30)), _checkin(MINE, now)]
    plan = make(ResetPlan, relationship_id="r1", need_mine="A standing call")
    built = comparison.build([new, old], checkins, plan)
    assert [c.invitation.id for c in built] == [old.id, new.id]
    assert built[0].mine == {k: 1 for k in DIMS} and built[1].mine == MINE
    assert built[1].need_mine == "A standing call"
    unanswered = make(Invitation, relationship_id="r1", inviter="Dana", them="Sam",
                      dimensions=DIMS, expires_at=now + timedelta(days=1))
    assert comparison.build([unanswered], checkins, None) == []
    assert comparison.build([new], [], None) == []  # nothing to compare without my side


def test_compare_sides_is_a_tidy_frame_of_both_sides(store):
    session, _ = store.add_session("Q3")
    person, _ = store.join(session.code, "Dana")
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label="Acme"))
    store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings=MINE))
    assert workshop.compare_sides(store, rel.id).empty
    _, token = Invites(store).add(rel.id, inviter="Dana", them="Sam")
    Invites(store).submit(token, THEIRS)
    frame = workshop.compare_sides(store, rel.id)
    assert list(frame.columns) == comparison.TIDY and len(frame) == 2 * len(DIMS)
    trust = frame[frame["dimension"] == "trust"].set_index("side")["rating"].to_dict()
    assert trust == {"participant": 2, "other party": 5}
    assert set(frame["gap"][frame["dimension"] == "trust"]) == {3}
    assert str(frame["answered_at"].dtype).startswith("datetime64")


def test_the_chart_shows_both_sides_with_their_own_symbol_and_names_the_big_gaps():
    frame = comparison.side_by_side(MINE, THEIRS, DIMS)
    fig = comparison_chart(frame, me="You", them="<b>Sam</b>")
    markers = [t for t in fig.data if t.mode == "markers"]
    assert [t.name for t in markers] == ["You", "&lt;b&gt;Sam&lt;/b&gt;"]
    assert {t.marker.symbol for t in markers} == {"circle", "diamond"}
    assert len({t.marker.color for t in markers}) == 2
    assert list(markers[1].x) == [THEIRS[k] for k in DIMS]
    flagged = [y for y in markers[0].y if "⚑" in y]
    assert flagged == ["<b>Trust ⚑</b>", "<b>Mutual value ⚑</b>"]
    assert "Expectations<br>alignment" in markers[0].y  # long names wrap for phones
    assert list(fig.layout.xaxis.tickvals) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("rows", [0, 6])
def test_the_chart_grows_with_the_number_of_dimensions(rows):
    frame = comparison.side_by_side(MINE, THEIRS, DIMS[:rows])
    fig = comparison_chart(frame)
    assert fig.layout.height == 150 + 56 * max(rows, 1)
