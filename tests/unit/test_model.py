import pytest

from workshop.errors import InvalidInput
from workshop.model import CheckIn, Relationship, ResetPlan, SessionSettings, change, make


def test_errors_name_each_field_and_say_why():
    with pytest.raises(InvalidInput) as caught:
        make(Relationship, participant_id="p", label="  ", kind="rival", importance=9,
             cadence_days=0, since="not a date")
    assert caught.value.fields == {
        "label": "cannot be empty",
        "kind": "must be one of: 'client', 'partner', 'vendor', 'referral source', "
                "'colleague' or 'other'",
        "importance": "must be at most 5",
        "since": "must be a date (YYYY-MM-DD)",
        "cadence_days": "must be at least 1",
    }


def test_rule_across_fields_blames_the_right_field():
    with pytest.raises(InvalidInput) as caught:
        make(Relationship, participant_id="p", label="Acme", since="2024-05-01",
             last_contact="2024-01-01")
    assert caught.value.fields == {"last_contact": "cannot be before the relationship began"}


@pytest.mark.parametrize("rating", [0, 6, 7])
def test_ratings_are_one_to_five(rating):
    with pytest.raises(InvalidInput) as caught:
        make(CheckIn, relationship_id="r", ratings={"trust": rating})
    assert list(caught.value.fields) == ["ratings.trust"]


def test_text_is_trimmed_and_bounded():
    rel = make(Relationship, participant_id="p", label="  Acme  ")
    assert rel.label == "Acme"
    with pytest.raises(InvalidInput) as caught:
        make(Relationship, participant_id="p", label="x" * 121)
    assert caught.value.fields == {"label": "must be at most 120 characters"}


def test_anonymity_threshold_never_below_three():
    with pytest.raises(InvalidInput) as caught:
        make(SessionSettings, dimensions=["trust"], weights={"trust": 1}, anonymity_threshold=2)
    assert caught.value.fields == {"anonymity_threshold": "must be at least 3"}
    default = make(SessionSettings, dimensions=["trust"], weights={"trust": 1})
    assert default.anonymity_threshold == 5


def test_plan_commitments_are_validated():
    with pytest.raises(InvalidInput) as caught:
        make(ResetPlan, relationship_id="r", commitments=[{"what": "", "due": "soon"}],
             status="done")
    assert set(caught.value.fields) == {"commitments.0.what", "commitments.0.due", "status"}


def test_change_validates_again():
    rel = make(Relationship, participant_id="p", label="Acme")
    assert change(rel, importance=5).importance == 5
    with pytest.raises(InvalidInput):
        change(rel, importance=0)
