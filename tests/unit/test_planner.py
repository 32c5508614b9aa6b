"""Drafting the outreach message and suggesting what to reset."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from workshop import planner
from workshop.content import content


@pytest.mark.parametrize("tone", [t.key for t in content().tones])
def test_every_tone_drafts_from_the_answers(tone):
    answers = {"own": "I let our monthly calls lapse", "changed": "You moved to a new team",
               "proposal": "a 30-minute call next week."}
    draft = planner.draft_message(answers, tone, "Northwind", "Dana", need_mine="A clear owner")
    assert "Northwind" in draft.subject
    for words in ("I let our monthly calls lapse.", "You moved to a new team.",
                  "A clear owner.", "a 30-minute call next week", "Dana"):
        assert words in draft.body
    assert "next week.?" not in draft.body  # the proposal sits inside a question
    assert "\n\n\n" not in draft.body


def test_empty_answers_fall_back_to_the_templates_own_words():
    draft = planner.draft_message({}, "warm", "Acme")
    assert draft.body.startswith("Hi Acme,")
    assert "None" not in draft.text and "{{" not in draft.text


def test_text_is_plain_not_html():
    draft = planner.draft_message({"own": "<b>sorry</b> & more"}, "direct", "<Acme>")
    assert "<b>sorry</b> & more." in draft.body and "Hi <Acme>," in draft.body


def test_unknown_tone_is_refused():
    with pytest.raises(KeyError):
        planner.draft_message({}, "sarcastic", "Acme")


def test_suggestions_are_drifting_ones_by_priority():
    scores = pd.DataFrame({"relationship_id": ["a", "b", "c", "d", "e"],
                           "state": ["thriving", "fading", "hanging", "fizzling", "fading"],
                           "priority": [90.0, 40.0, 60.0, 10.0, 30.0]})
    assert planner.suggest(scores) == ["c", "b", "e"]
    assert planner.suggest(scores, limit=10) == ["c", "b", "e", "d"]
    assert planner.suggest(scores.iloc[0:0]) == []


def test_followups_every_cadence_after_the_meeting():
    meeting = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    times = planner.followup_times(meeting, 30)
    assert [t.date().isoformat() for t in times] == ["2026-12-31", "2027-01-30", "2027-03-01"]
