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


@pytest.mark.parametrize("values, field, why", [
    ({"answers": {"own": "x" * 4001}}, "answers.own", "must be at most 4000 characters"),
    ({"answers": {"diary": "x"}}, "answers", "'diary' is not a step of the conversation guide"),
    ({"answers": {"k" * 41: "x"}}, "answers",
     "each answer's name must be text of at most 40 characters"),
    ({"answers": {f"k{n}": "x" for n in range(13)}}, "answers", "can have at most 12 entries"),
    ({"answers": {"channel": "pigeon"}}, "answers",
     "channel must be one of: meeting, call, video call, email, message, event, other"),
    ({"tone": "sarcastic"}, "tone", "must be one of: warm, direct, formal"),
    ({"message": "x" * 4001}, "message", "must be at most 4000 characters"),
    ({"need_mine": "x" * 4001}, "need_mine", "must be at most 4000 characters"),
    ({"need_theirs": "x" * 4001}, "need_theirs", "must be at most 4000 characters"),
    ({"commitments": [{"what": "call"}] * 21}, "commitments", "can have at most 20 entries"),
    ({"commitments": [{"what": "x" * 121}]}, "commitments.0.what",
     "must be at most 120 characters"),
])
def test_plan_fields_are_bounded(values, field, why):
    with pytest.raises(InvalidInput) as caught:
        make(ResetPlan, relationship_id="r", **values)
    assert caught.value.fields == {field: why}


def test_a_plan_may_use_every_guide_step_and_the_extras():
    from workshop.content import content
    from workshop.model import answer_names
    steps = {step.key for step in content().steps}
    assert answer_names() == steps | {"proposal", "channel"}
    plan = make(ResetPlan, relationship_id="r", tone=content().tones[-1].key,
                answers={**{key: "x" * 4000 for key in steps}, "proposal": "a call",
                         "channel": "video call"})
    assert len(plan.answers) == len(steps) + 2


def test_a_stored_plan_still_reads_after_the_content_changed():
    from workshop.model import STORED
    old = ResetPlan.model_validate({"relationship_id": "r", "tone": "retired-tone",
                                    "answers": {"retired-step": "kept"}}, context=STORED)
    assert old.tone == "retired-tone" and old.answers == {"retired-step": "kept"}
    with pytest.raises(InvalidInput):
        change(old, status="met")  # changing it checks it against the content in force
