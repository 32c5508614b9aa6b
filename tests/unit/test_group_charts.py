"""Group charts: figures from tidy frames, never a group below the threshold, never colour only."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workshop import group_charts as gc
from workshop.aggregate import DIMENSION_COLUMNS, GAP_COLUMNS, HEATMAP_COLUMNS


def _states(respondents):
    return pd.DataFrame({"state": ["hanging", "steady"], "name": ["Hanging by a thread", "Steady"],
                         "relationships": [3, 1], "share": [0.75, 0.25],
                         "respondents": [respondents] * 2})


def _annotations(fig: go.Figure) -> list[str]:
    return [a["text"] for a in fig.to_plotly_json()["layout"].get("annotations", [])]


def test_states_chart_waits_below_threshold():
    fig = gc.states_chart(_states(3), threshold=5)
    assert fig.data == ()
    assert _annotations(fig) == ["Waiting for 2 more respondents"]


def test_states_chart_at_threshold_names_each_bar_with_its_count():
    fig = gc.states_chart(_states(5), threshold=5)
    bar = fig.data[0]
    assert list(bar.y) == ["Hanging by a thread", "Steady"]
    assert list(bar.x) == [3, 1]
    assert list(bar.text) == ["3 (75%)", "1 (25%)"]  # not colour alone
    assert bar.marker.color[0] != bar.marker.color[1]


def _dims():
    rows = [("trust", "Trust", 2.5, 0.5, 2, 2.5, 3, 10, 6),
            ("communication", "Communication", 3.5, 1.0, 3, 3.5, 4, 10, 6),
            ("momentum", "Momentum", 1.0, 0.0, 1, 1, 1, 2, 2)]
    return pd.DataFrame(rows, columns=DIMENSION_COLUMNS)


def test_dimensions_chart_marks_weakest_in_words_and_drops_small_rows():
    fig = gc.dimensions_chart(_dims(), threshold=5)
    trace = fig.data[0]
    assert list(trace.y) == ["Trust", "Communication"]  # momentum: 2 respondents, left out
    assert trace.text[0].endswith("weakest") and "weakest" not in trace.text[1]
    assert list(trace.error_x.array) == [0.5, 1.0]
    assert trace.marker.symbol[0] != trace.marker.symbol[1]


def test_dimensions_chart_waits_when_no_dimension_reaches_threshold():
    fig = gc.dimensions_chart(_dims(), threshold=7)
    assert _annotations(fig) == ["Waiting for 1 more respondent"]


def test_heatmap_hides_cells_below_threshold_even_if_frame_has_values():
    rows = [("client", "trust", "Trust", 3.0, 8, 5), ("vendor", "trust", "Trust", 4.7, 1, 1)]
    fig = gc.heatmap_chart(pd.DataFrame(rows, columns=HEATMAP_COLUMNS), threshold=5)
    heat = fig.data[0]
    z = np.array(heat.z, dtype=float)
    assert list(heat.y) == ["client", "vendor"]
    assert z[0][0] == 3.0 and np.isnan(z[1][0])
    assert heat.text[1][0] == "hidden"
    assert "4.7" not in json.dumps(fig.to_plotly_json(), default=str)


def test_heatmap_waits_when_every_cell_is_small():
    rows = [("client", "trust", "Trust", 3.0, 3, 3)]
    fig = gc.heatmap_chart(pd.DataFrame(rows, columns=HEATMAP_COLUMNS), threshold=5)
    assert _annotations(fig) == ["Waiting for 2 more respondents"]


def test_drift_chart_bars_in_band_order():
    frame = pd.DataFrame({"band": ["on rhythm", "overdue"], "relationships": [4, 1],
                          "share": [0.8, 0.2], "respondents": [5, 5]})
    fig = gc.drift_chart(frame, threshold=5)
    assert list(fig.data[0].x) == ["on rhythm", "overdue"]
    assert gc.drift_chart(frame, threshold=6).data == ()


def test_gaps_chart_never_shows_a_label_below_threshold():
    # GAP_COLUMNS hold no mean per label any more (rule 4 of workshop.anonymity).
    rows = [("Northwind", "trust", "Trust", 6, 4, 1.2),
            ("Tiny Co", "trust", "Trust", 2, 1, 0.5)]
    fig = gc.gaps_chart(pd.DataFrame(rows, columns=GAP_COLUMNS), threshold=5)
    assert list(fig.data[0].y) == ["Northwind (6 raters)"]
    assert "Tiny Co" not in json.dumps(fig.to_plotly_json(), default=str)


def test_gaps_chart_waits_using_the_most_shared_label():
    empty = pd.DataFrame(columns=GAP_COLUMNS)
    assert _annotations(gc.gaps_chart(empty, 5, shared_raters=3)) == [
        "Waiting for 2 more respondents"]
    assert _annotations(gc.gaps_chart(empty, 5)) == ["Waiting for 5 more respondents"]


def test_group_charts_returns_one_figure_per_view(tmp_path):
    from workshop.aggregate import session_group
    from workshop.demo import load_demo
    from workshop.store import Store
    with Store.open(tmp_path / "demo.sqlite") as store:
        demo = load_demo(store)
        charts = gc.group_charts(session_group(store, demo.session))
    assert set(charts) == {"states", "dimensions", "heatmap", "drift", "gaps"}
    assert all(isinstance(f, go.Figure) and f.data for f in charts.values())


def test_gaps_chart_escapes_markup_in_shared_labels():
    rows = [("<b>Acme</b><script>x()</script>", "trust", "Trust", 5, 2, 0.8)]
    fig = gc.gaps_chart(pd.DataFrame(rows, columns=GAP_COLUMNS), threshold=5)
    label = fig.data[0].y[0]
    assert label.startswith("&lt;b&gt;Acme") and "<b>" not in label and "<script" not in label


def test_perception_gaps_chart_title_names_gaps():
    rows = [("Northwind", "trust", "Trust", 6, 4, 1.2)]
    fig = gc.gaps_chart(pd.DataFrame(rows, columns=GAP_COLUMNS), threshold=5)
    assert fig.layout.title.text.startswith("Perception gaps on shared relationships")
    assert "data_frame" not in fig.layout.title.text


def test_charts_given_the_room_never_count_one_small_group():
    # 6 people in the room, but no state has 5: the chart must not say "waiting for 2 more"
    # (that would tell the biggest state has 3 people).
    frame = _states(3).assign(relationships=[float("nan")] * 2, share=[float("nan")] * 2)
    fig = gc.states_chart(frame, threshold=5, respondents=6)
    assert fig.data == ()
    assert _annotations(fig) == ["Every group here has fewer than 5 people, so it stays hidden"]
    assert _annotations(gc.states_chart(frame, threshold=5, respondents=4)) == [
        "Waiting for 1 more respondent"]
