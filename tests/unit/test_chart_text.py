"""Every chart's text alternative (workshop.chart_text.describe), how the apps put it beside
the chart, and when a chart slot sends its chart again (workshop.app.chart_slot)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
import pytest

from workshop import charts, group_charts
from workshop.app.chart_slot import MIME, ChartSlot, chart_outputs, replace_children, text_html
from workshop.chart_text import ChartText, describe, number, plain
from workshop.content import content

HOSTILE = "<script>alert(1)</script> & Zoë"


def _scores() -> pd.DataFrame:
    rows = [{"relationship_id": "a", "label": HOSTILE, "importance": 5, "health": 20.0,
             "state": "hanging", "drift": 3.5, "days_since_contact": 120, "priority": 70.0},
            {"relationship_id": "b", "label": "Beta", "importance": 2, "health": 90.0,
             "state": "thriving", "drift": 0.2, "days_since_contact": 4, "priority": 2.0},
            {"relationship_id": "c", "label": "Gamma", "importance": 3, "health": 60.0,
             "state": "steady", "drift": 1.0, "days_since_contact": 30, "priority": 20.0}]
    return pd.DataFrame(rows)


# -- words and numbers -----------------------------------------------------------------------

def test_plain_drops_plotly_markup_but_keeps_a_persons_escaped_text_literal():
    assert plain(charts.plot_text(HOSTILE)) == HOSTILE
    assert plain("<b>Trust ⚑</b>") == "Trust ⚑"
    assert plain("Expectations<br>alignment") == "Expectations alignment"
    assert plain(None) == "" and plain(float("nan")) == ""


def test_numbers_read_as_a_person_would():
    assert [number(v) for v in (3, 3.0, 72.4, 2.46, 0.456, None, float("nan"))] == \
        ["3", "3", "72", "2.5", "0.46", "no value", "no value"]
    assert number(datetime(2026, 3, 5, tzinfo=timezone.utc)) == "05 Mar 2026"


# -- each of the kit's kinds of chart --------------------------------------------------------

def test_portfolio_says_how_many_points_per_state_and_lists_each_one():
    text = describe(charts.portfolio(_scores()))
    assert text.title == "Your relationships at a glance"
    assert text.summary.startswith("Scatter chart of 3 points, Health (0-100) across")
    looks = {s.key: s.name for s in content().states}
    for state in ("hanging", "thriving", "steady"):
        assert f"{looks[state]} 1" in text.summary
    assert text.headers == ("Series", "Name", "Health (0-100)", "Importance (1-5)")
    assert (looks["hanging"], HOSTILE, "20", "5") in text.rows
    assert len(text.rows) == 3


def test_priority_names_the_highest_and_lowest_by_label_not_by_id():
    text = describe(charts.priority_ranking(_scores()))
    assert f"highest {HOSTILE} (70)" in text.summary
    assert "lowest Beta (2)" in text.summary
    assert {row[0] for row in text.rows} == {HOSTILE, "Beta", "Gamma"}
    assert len(text.headers) == 2 and text.headers[1].startswith("Reset priority")


def test_state_counts_list_every_state_with_its_count():
    text = describe(charts.state_counts(_scores()))
    assert len(text.rows) == len(content().states)
    counts = {row[0]: row[1] for row in text.rows}
    assert sum(int(c) for c in counts.values()) == 3
    assert text.summary.startswith("Bar chart of relationships across 6 items: highest")


def test_radar_lists_each_dimension_once_and_skips_the_healthy_zone():
    dims = [d.key for d in content().dimensions]
    rows = pd.DataFrame({"dimension": dims, "rating": [1, 2, 3, 4, 5, 3]})
    text = describe(charts.radar(rows, title="Profile: Beta"))
    assert text.title == "Profile: Beta"
    assert len(text.rows) == len(dims)  # the closing point is not a seventh dimension
    assert "Healthy zone" not in " ".join(" ".join(r) for r in text.rows)
    names = [d.name for d in content().dimensions]
    assert f"highest {names[4]} (5)" in text.summary
    assert f"lowest {names[0]} (1)" in text.summary


def test_health_over_time_reads_dates_first_and_last_values_and_states():
    start = datetime(2026, 1, 10, tzinfo=timezone.utc)
    rows = pd.DataFrame({"taken_at": [start, start + timedelta(days=40)],
                         "health": [30.0, 65.0], "state": ["fading", "steady"]})
    text = describe(charts.health_over_time(rows, title="Health over time: Beta"))
    assert text.summary == ("Line chart of health (0-100) at 2 dates, from 30 on 10 Jan 2026 "
                            "to 65 on 19 Feb 2026.")
    looks = {s.key: s.name for s in content().states}
    assert text.rows == (("10 Jan 2026", "30", looks["fading"]),
                         ("19 Feb 2026", "65", looks["steady"]))


def test_heat_map_counts_hidden_cells_and_names_the_extremes():
    fig = go.Figure(go.Heatmap(z=[[1.5, None], [4.25, 3.0]], x=["Trust", "Momentum"],
                               y=["client", "vendor"], colorbar={"title": "rating"}))
    text = describe(fig, title="Average rating by kind")
    assert text.summary == ("Heat map of rating for 2 rows by 2 columns: from 1.5 (client, "
                            "Trust) to 4.2 (vendor, Trust); 1 cell hidden.")
    assert ("client", "Momentum", "hidden") in text.rows


def test_two_series_of_bars_are_compared_and_every_row_names_its_series():
    fig = go.Figure([go.Bar(name="Then", y=["A", "B"], x=[1, 2], orientation="h"),
                     go.Bar(name="Now", y=["A", "B"], x=[3, 0], orientation="h")])
    fig.update_xaxes(title="Relationships")
    text = describe(fig, title="Then and now")
    assert text.summary == "Bar chart of relationships across 2 items, comparing Then and Now."
    assert text.headers == ("Series", "Item", "Relationships")
    assert ("Now", "A", "3") in text.rows and len(text.rows) == 4


def test_an_empty_chart_says_why_in_words():
    text = describe(group_charts.waiting_chart("Where the room stands", 2))
    assert text.summary == "Nothing drawn yet. Waiting for 2 more respondents."
    assert text.rows == ()


# -- beside the chart ------------------------------------------------------------------------

def test_the_text_alternative_is_escaped_and_has_a_sentence_and_a_table():
    text = ChartText(HOSTILE, f"Bar chart: highest {HOSTILE}.", ("Item", "Value"),
                     ((HOSTILE, "3"),))
    page = text_html(text, 300)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'class="rr-chart-summary"' in page and "Chart: <bdi>" in page
    assert "<summary>Show the numbers</summary>" in page
    assert page.count("<tr>") == 2 and '<th scope="col">Item</th>' in page
    assert "height:300px" in page


def test_a_slot_holds_the_chart_then_its_words():
    slot = ChartSlot("rr-chart-test")
    fig = charts.portfolio(_scores())
    slot.show(fig)
    chart, words = slot.outputs
    assert MIME in chart["data"] and "image/png" not in chart["data"]
    assert words["data"]["text/plain"] == describe(fig).summary
    assert f'data-height="{fig.layout.height}"' in words["data"]["text/html"]
    assert {"rr-chart", "rr-chart-test"} <= set(slot._dom_classes)


@pytest.fixture
def drawn() -> ChartSlot:
    slot = ChartSlot("rr-chart-test")
    slot.off_page()  # built for a view that is not on the page yet
    slot.show(charts.state_counts(_scores()))
    return slot


def test_a_chart_drawn_before_its_view_shows_is_sent_once(drawn):
    before = drawn.outputs
    drawn.on_page()
    assert drawn.outputs is before


def test_a_chart_shown_again_is_sent_again_as_a_new_output(drawn):
    drawn.on_page()
    first = drawn.outputs
    drawn.off_page()
    drawn.on_page()
    again = drawn.outputs
    assert again != first  # a change the page sees: it builds a new renderer
    assert again[0]["data"] == first[0]["data"] and again[1] == first[1]
    assert again[0]["metadata"]["rr-drawn"] > first[0]["metadata"]["rr-drawn"]


def test_an_empty_slot_is_not_sent_again():
    slot = ChartSlot("rr-chart-test")
    slot.on_page()
    slot.off_page()
    slot.on_page()
    assert slot.outputs == ()


def test_replacing_children_sends_again_only_the_charts_whose_views_are_built_anew():
    top, below = ChartSlot("rr-chart-top"), ChartSlot("rr-chart-below")
    for slot in (top, below):
        slot.show(charts.state_counts(_scores()))  # on the page (never said otherwise)
    box = widgets.VBox([top, widgets.VBox([below])])
    kept, moved = top.outputs, below.outputs
    replace_children(box, [top, widgets.HTML("notice"), *box.children[1:]])
    assert top.outputs is kept  # its view stays: the page keeps the leading children's views
    assert below.outputs != moved  # its view is built again: a new output for it


def test_chart_outputs_default_to_the_renderers_height():
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    _, words = chart_outputs(fig)
    assert 'data-height="360"' in words["data"]["text/html"]


def test_a_chart_the_describer_cannot_read_still_shows_with_its_title_as_words(monkeypatch):
    import workshop.chart_text

    def broken(fig, title=None):
        raise ValueError("a kind of chart not known yet")
    monkeypatch.setattr(workshop.chart_text, "describe", broken)
    slot = ChartSlot("rr-chart-test")
    slot.show(go.Figure(layout={"title": {"text": "Odd chart"}}))
    chart, words = slot.outputs
    assert MIME in chart["data"]
    assert "Odd chart: its numbers could not be put in words here." in words["data"]["text/plain"]
