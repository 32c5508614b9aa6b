"""Issue 14's frictions a newcomer met: plurals, the health check moving on, a fresh note on a
new check-in, the resume code and the app's address in every take-away file, one-click
downloads, the loopback warning, whole-number ticks and readable labels on a phone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from icalendar import Calendar

from workshop import action_plan, charts, group_charts, joinpanel
from workshop.app.checkin import CheckInView
from workshop.app.downloads import DownloadsView
from workshop.app.health import HealthView, next_unrated
from workshop.app.workbook import Workbook
from workshop.wording import plural

ADDRESS = "https://workshop.example.org/voila/render/participant.ipynb"


# -- words ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "noun", "said"), [
    (0, "relationship", "0 relationships"), (1, "relationship", "1 relationship"),
    (2, "relationship", "2 relationships"), (1, "reset", "1 reset"), (3, "reset", "3 resets"),
    (1, "month", "1 month"), (12, "month", "12 months"), (1, "person", "1 person"),
    (5, "person", "5 people")])
def test_counts_take_the_right_noun(count, noun, said):
    assert plural(count, noun) == said


# -- the health check moves on --------------------------------------------------------------

def test_next_unrated_looks_after_the_current_one_then_from_the_top():
    order = ["a", "b", "c", "d"]
    assert next_unrated(order, {"a"}) == "b"
    assert next_unrated(order, {"a", "c"}, after="c") == "d"
    assert next_unrated(order, {"c", "d"}, after="d") == "a"  # wraps round
    assert next_unrated(order, {"b", "c", "d"}, after="b") == "a"
    assert next_unrated(order, set(order), after="a") is None
    assert next_unrated([], set()) is None


@pytest.fixture
def workbook(store):
    session, _ = store.add_session("Unit session", date.today())
    book, _ = Workbook.join(store, session.code, "Dana")
    return book


def _rate(form, value: int) -> None:
    form.value = {key: value for key in form.dimension_keys}
    form.submit.click()


def test_saving_moves_to_the_next_unrated_and_brings_it_into_view(workbook):
    for label in ("Acme", "Beta", "Cobalt"):
        workbook.save_relationship({"label": label, "importance": 3, "kind": "client"})
    asked = []
    view = HealthView(workbook, on_next=lambda: asked.append("map"), focus=asked.append)
    first = view.slot.children[0]
    assert first.relationship.label == "Acme"
    _rate(first, 4)
    second = view.slot.children[0]
    assert second.relationship.label == "Beta"
    turn = next(c for c in second._dom_classes if c.startswith("rr-rating-turn-"))
    assert turn not in first._dom_classes  # the page tells the new form from the old one
    assert asked[-1] == f".rr-rating-card .{turn} h3"  # focused, so scrolled to
    assert "rr-status-ok" in view.saved._dom_classes
    assert "Saved your ratings of “Acme”" in view.saved.value
    assert "Next: “Beta” (2 relationships left to rate)" in view.saved.value
    second.fields["trust"].value = 5
    view.choose(second.relationship.id)  # the one already open: its form and clicks stay
    assert view.slot.children[0] is second and second.fields["trust"].value == 5
    view.choose(workbook.relationships()[2].id)  # the person picks Cobalt themselves
    assert view.saved.layout.display == "none" and "rr-status-ok" not in view.saved._dom_classes
    _rate(view.slot.children[0], 3)
    assert view.slot.children[0].relationship.label == "Beta"  # the one still unrated
    _rate(view.slot.children[0], 2)
    assert "All 3 relationships are rated" in view.saved.value
    assert view.to_map in view.slot.children[0].children
    assert asked[-1] == ".rr-rating-card .rr-all-rated-map"
    view.to_map.click()
    assert asked[-1] == "map"
    assert "3 of 3 rated" in view.progress.value


def test_a_new_check_in_starts_with_an_empty_note(workbook):
    rel = workbook.save_relationship({"label": "Acme", "importance": 3, "kind": "client"})
    workbook.rate(rel.id, "first-checkin", {"trust": 2, "communication": 3}, "declining",
                  "They missed two deadlines")
    view = CheckInView(workbook)
    view.shown()
    form = view.rating_slot.children[0]
    assert form.fields["note"].value == ""
    assert form.fields["trust"].value == 2 and form.fields["trend"].value == "declining"
    form.value = {key: 4 for key in form.dimension_keys}
    form.submit.click()
    notes = [c.note for c in workbook.checkins()[rel.id]]
    assert notes == ["They missed two deadlines", ""]


# -- take-away files ------------------------------------------------------------------------

@pytest.fixture
def planned(workbook):
    rel = workbook.save_relationship({"label": "Acme", "importance": 5, "kind": "client"})
    workbook.rate(rel.id, "c1", {"trust": 2, "communication": 2}, "declining")
    meeting = (datetime.now() + timedelta(days=7)).replace(microsecond=0).astimezone()
    workbook.save_plan("p1", rel.id, {"meeting_at": meeting, "followup_days": 30,
                                      "message": "Shall we talk?"})
    return workbook


def test_every_take_away_file_says_where_to_come_back_and_with_which_code(planned, monkeypatch):
    monkeypatch.setenv("RESET_WORKSHOP_URL", "https://workshop.example.org")
    book = planned.plan_book()
    code = planned.resume_code
    assert code and len(code) == 14 and code.count("-") == 2
    assert book.address == ADDRESS
    page = action_plan.html_document(book)
    assert page.count(code) >= 2 and ADDRESS in page  # near the top and in the footer
    assert "relationship(s)" not in page and "1 relationship taken stock of" in page
    assert "1 reset planned" in page
    notes = action_plan.markdown_document(book)
    assert code in notes and ADDRESS in notes
    events = Calendar.from_ical(action_plan.calendar(book)).walk("VEVENT")
    checkins = [e for e in events if str(e["SUMMARY"]).startswith("Check in:")]
    assert len(checkins) == 3
    for event in checkins:
        text = str(event["DESCRIPTION"])
        assert code in text and ADDRESS in text


def test_resuming_keeps_the_code_as_given_for_the_files(planned, store):
    typed = planned.resume_code.lower().replace("-", " ")
    again = Workbook.resume(store, typed)
    assert again.resume_code == planned.resume_code


def test_each_download_is_one_click_that_sends_the_file(planned):
    view = DownloadsView(planned)
    view.shown()
    sent = []
    button = view.buttons["ics"]
    button.send = lambda content, buffers=None: sent.append((content, buffers))
    button._asked(button, {"want": True}, [])  # what the page's click sends
    (content, buffers), = sent
    assert content["save"].startswith("reset-calendar-") and content["save"].endswith(".ics")
    assert content["type"] == "text/calendar"
    assert b"BEGIN:VCALENDAR" in buffers[0] and planned.resume_code.encode() in buffers[0]
    assert not button.busy and "Saved reset-calendar-" in view.status.value
    assert "rr-download" in button._dom_classes and "rr-download-ics" in button.css.split()


def test_a_failed_download_says_so_and_the_button_comes_back(planned):
    view = DownloadsView(planned)
    button = view.buttons["csv"]
    button.make = lambda: 1 / 0
    button.send = lambda *args, **kwargs: pytest.fail("nothing should be sent")
    button._asked(button, {"want": True}, [])
    assert not button.busy and "rr-status-error" in view.status._dom_classes


# -- the join address -----------------------------------------------------------------------

@pytest.mark.parametrize(("url", "loopback"), [
    ("http://localhost:8866/voila/render/participant.ipynb?code=AB", True),
    ("http://127.0.0.1:8866/x", True), ("http://127.3.4.5/x", True), ("http://[::1]:80/", True),
    ("http://0.0.0.0:8866/", True), ("http://app.localhost/", True),
    ("http://192.168.1.20:8866/x", False), ("https://workshop.example.org/x", False),
    ("http://laptop.local:8866/x", False)])
def test_loopback_addresses_are_recognised(url, loopback):
    assert joinpanel.is_loopback(url) is loopback


def test_loopback_notice_says_phones_cannot_reach_it_and_how_to_serve():
    url = "http://localhost:8866/voila/render/participant.ipynb?code=K7QF3M"
    notice = joinpanel.loopback_notice(url, ["192.168.1.20", "10.0.0.5"],
                                       probe=lambda address, port: False)
    assert "Phones in the room cannot open this link" in notice
    assert "--host 0.0.0.0" in notice and "--public-url" in notice and "--port 8866" in notice
    assert "http://192.168.1.20:8866/voila/render/participant.ipynb?code=K7QF3M" in notice
    assert "http://10.0.0.5:8866/" in notice
    live = joinpanel.loopback_notice(url, ["192.168.1.20"],
                                     probe=lambda address, port: address == "192.168.1.20")
    assert "already listens on the network" in live and "restart" not in live
    assert "connect it to the room" in joinpanel.loopback_notice(url, [], probe=lambda *a: True)
    assert joinpanel.loopback_notice("http://192.168.1.20:8866/x", ["192.168.1.20"]) == ""


def test_lan_addresses_leave_out_loopback_and_link_local():
    for address in joinpanel.lan_addresses():
        assert not address.startswith(("127.", "169.254.")) and ":" not in address


# -- charts on a phone ----------------------------------------------------------------------

def _scores(labels):
    states = ["fading", "hanging", "fizzling", "steady"]
    return pd.DataFrame({
        "relationship_id": [f"r{i}" for i in range(len(labels))], "label": labels,
        "priority": [80 - 10 * i for i in range(len(labels))],
        "state": [states[i % len(states)] for i in range(len(labels))],
        "importance": [4] * len(labels), "health": [30.0 + 10 * i for i in range(len(labels))],
        "drift": [1.0] * len(labels), "days_since_contact": [40] * len(labels)})


def test_priority_labels_wrap_and_keep_the_full_text_on_hover():
    long = "Harbor & Pine Bakery, the wholesale side of the business"
    fig = charts.priority_ranking(_scores([long, "Sam"]))
    ticks = list(fig.layout.yaxis.ticktext)
    labels = [tick.split("<br><span")[0] for tick in ticks]
    assert all(len(line) <= charts.TICK_CHARS + 4 for text in labels  # "&amp;" counts 5
               for line in text.split("<br>"))
    assert labels[-1].startswith("Harbor &amp; Pine<br>Bakery")  # wrapped, not cut to "Ha…"
    assert "Fading</span>" in ticks[-1]  # its state under it: bar text would be cut on a phone
    assert "Harbor &amp; Pine Bakery, the wholesale side of the business" in \
        fig.data[0].customdata[-1][0]
    assert fig.layout.xaxis.title.text == "Reset priority"  # short enough for 320 px


def test_state_names_stay_level_and_counts_are_whole_numbers():
    frame = pd.DataFrame({"state": ["fading", "fading", "steady"]})
    fig = charts.state_counts(frame)
    assert fig.data[0].orientation == "h"  # names level, never rotated
    assert "Hanging by a<br>thread" in fig.layout.yaxis.ticktext  # wrapped, not cut
    assert list(fig.layout.yaxis.tickvals) == list(fig.data[0].y)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"


def test_radar_leaves_room_for_its_labels():
    frame = pd.DataFrame({"dimension": ["communication", "trust", "momentum"],
                          "rating": [2, 3, 4]})
    fig = charts.radar(frame)
    assert fig.layout.margin.l >= 60 and fig.layout.margin.r >= 60
    assert fig.layout.legend.y < 0  # under the chart, not over the labels


def test_group_count_charts_use_whole_number_ticks():
    states = pd.DataFrame({"state": ["fading"], "name": ["Fading"], "relationships": [1],
                           "share": [1.0], "respondents": [5]})
    fig = group_charts.states_chart(states, threshold=3)
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 1
    assert list(fig.data[0].customdata) == ["1 relationship"]
    assert "%{customdata}" in fig.data[0].hovertemplate
    drift = pd.DataFrame({"band": ["on rhythm"], "relationships": [2], "share": [1.0],
                          "respondents": [5]})
    fig = group_charts.drift_chart(drift, threshold=3)
    assert fig.layout.yaxis.tickformat == "d" and fig.layout.yaxis.dtick == 1
    assert list(fig.data[0].customdata) == ["2 relationships"]


def test_dashboard_counts_use_whole_number_ticks_and_legends_sit_under_the_chart():
    from workshop import dashboard
    frame = pd.DataFrame({"state": ["steady", "fading"], "name": ["Steady", "Fading"],
                          "then": [1, 3], "now": [2, 1], "respondents": [5, 5]})
    fig = dashboard.then_and_now_chart(frame, threshold=3)
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 1
    assert fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top"  # not over the title


@pytest.mark.parametrize(("top", "step"), [(0.5, 1), (3, 1), (7, 2), (12, 2), (28, 5),
                                           (90, 20), (600, 100)])
def test_count_axis_steps_are_whole_and_few(top, step):
    axis = charts.count_axis(top)
    assert axis["dtick"] == step and axis["tickformat"] == "d" and top / step <= 6


def test_rating_one_relationship_after_another_reuses_two_forms(workbook):
    """The health check loads the next relationship into the form off screen: rating more
    relationships makes no new widgets for the page to draw."""
    from ipywidgets.widgets.widget import _instances

    for label in ("Acme", "Beta", "Cobalt", "Delta", "Echo"):
        workbook.save_relationship({"label": label, "importance": 3, "kind": "client"})
    view = HealthView(workbook, focus=lambda selector: None)
    _rate(view.slot.children[0], 4)
    _rate(view.slot.children[0], 3)  # both forms exist now
    alive = len(_instances)
    first, second = view.slot.children[0], None
    for _ in range(3):
        shown = view.slot.children[0]
        assert shown is not second  # each save shows the other form
        second = shown
        _rate(shown, 2)
    assert len(_instances) == alive
    assert "All 5 relationships are rated" in view.saved.value
    assert {f.relationship.label for f in view._forms} == {"Delta", "Echo"}
    assert first in view._forms and len(view._forms) == 2
    assert ["✓" in pick.description for pick in view.picker.children] == [True] * 5
