"""The files a person leaves with: HTML (offline, escaped), Markdown, .ics and CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from workshop import action_plan, tidy
from workshop.model import CheckIn, Commitment, Relationship, ResetPlan, make

HOSTILE = "<script>alert('x')</script> *Acme* & [Co](http://evil)"


@pytest.fixture
def book(store):
    me, _ = store.add_participant(None, "Dana <b>")
    rel = store.add_relationship(make(Relationship, participant_id=me.id, label=HOSTILE,
                                      importance=5, last_contact=date(2026, 9, 1)))
    other = store.add_relationship(make(Relationship, participant_id=me.id, label="=SUM(A1)"))
    for rid, value in ((rel.id, 2), (other.id, 4)):
        store.add_checkin(make(CheckIn, relationship_id=rid, trend="declining",
                               ratings={"communication": value, "trust": value}))
    meeting = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    store.save_plan(make(
        ResetPlan, relationship_id=rel.id, tone="warm", message="Hi <there>,\ncoffee?",
        answers={"own": "I went quiet", "proposal": "a call", "channel": "call"},
        need_mine="- a clear owner", need_theirs="faster replies", followup_days=21,
        meeting_at=meeting, commitments=[make(Commitment, what="Send recap", owner="me",
                                              due=date(2026, 12, 3))]))
    return action_plan.PlanBook(store.find_relationships(me.id),
                                store.find_plans(participant_id=me.id),
                                tidy.load(store, participant_id=me.id), name="Dana <b>")


def test_html_works_offline_and_shows_user_text_as_text(book):
    page = action_plan.html_document(book)
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is inline
    assert "<link" not in page
    assert page.count("Plotly.newPlot") >= 3  # overview charts and the plan's radar
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Dana &lt;b&gt;" in page
    assert "I went quiet" in page and "Send recap" in page
    assert "@media print" in page


def test_markdown_escapes_markup(book):
    text = action_plan.markdown_document(book)
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert "\\*Acme\\*" in text and "\\[Co\\]" in text
    assert "## Reset: " in text and "### Who does what, by when" in text
    assert "What I need: - a clear owner" in text  # mid-line: no list, no escape


def test_calendar_has_meeting_followups_and_commitments(book):
    cal = Calendar.from_ical(action_plan.calendar(book))
    events = {str(e["SUMMARY"]).split(":")[0]: e for e in cal.walk("VEVENT")}
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert sum(s.startswith("Reset meeting") for s in summaries) == 1
    assert sum(s.startswith("Check in") for s in summaries) == 3
    assert sum(s.startswith("Commitment") for s in summaries) == 1
    meeting = events["Reset meeting"]
    assert meeting.decoded("DTSTART") == datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    assert meeting.decoded("DTEND") - meeting.decoded("DTSTART") == timedelta(minutes=45)
    starts = sorted(e.decoded("DTSTART") for e in cal.walk("VEVENT")
                    if str(e["SUMMARY"]).startswith("Check in"))
    assert starts[0] == datetime(2026, 12, 22, 10, tzinfo=timezone.utc)
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == 5
    assert meeting.walk("VALARM")


def test_csv_has_every_rating_and_no_formulas(book):
    rows = list(csv.DictReader(io.StringIO(action_plan.ratings_csv(book))))
    assert len(rows) == 4
    assert {r["relationship"] for r in rows} == {HOSTILE, "'=SUM(A1)"}
    assert {r["dimension"] for r in rows} == {"Communication", "Trust"}


def test_empty_book_still_gives_valid_files(store):
    me, _ = store.add_participant(None, None)
    empty = action_plan.PlanBook([], [], tidy.load(store, participant_id=me.id))
    assert "My relationship reset plan" in action_plan.html_document(empty)
    assert Calendar.from_ical(action_plan.calendar(empty)).walk("VEVENT") == []
    assert action_plan.ratings_csv(empty).strip() == ",".join(action_plan.CSV_COLUMNS)
    assert action_plan.filename("plan", "ics", date(2026, 1, 2)) == "plan-2026-01-02.ics"
