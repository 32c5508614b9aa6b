"""The team dashboard: anonymised figures, the threshold, filters, the view and the HTML file."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from workshop import cli, dashboard
from workshop.dashboard_html import export_dashboard
from workshop.dashboard_view import ALL_KINDS, TeamDashboard
from workshop.demo import OWN, PEOPLE, SHARED
from workshop.model import CheckIn, Relationship, ResetPlan, make

TODAY = date(2026, 11, 21)
GOOD = dict.fromkeys(["communication", "trust", "expectations", "momentum", "mutual_value",
                      "responsiveness"], 5)
POOR = {k: 1 for k in GOOD}


def _at(days_ago: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)


def _team(store, people: int, title="Q3 client reset", shared="Northwind <b>Logistics</b>"):
    """A session of ``people``, each with one shared client rated poor 60 days ago and good
    10 days ago, and a reset plan whose meeting fell between the two check-ins."""
    session, _ = store.add_session(title, TODAY - timedelta(days=70), anonymity_threshold=3)
    for n in range(people):
        person, _ = store.add_participant(session.id, f"Person {n}")
        rel = store.add_relationship(make(Relationship, participant_id=person.id,
                                          label=f"Secret client {n}", kind="client",
                                          shared_label=shared, since=TODAY - timedelta(900),
                                          last_contact=TODAY - timedelta(days=12)))
        for days_ago, ratings in ((60, POOR), (10, GOOD)):
            store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings=ratings,
                                   taken_at=_at(days_ago), note=f"private note {n}"))
        store.save_plan(make(ResetPlan, relationship_id=rel.id, status="reconnected",
                             meeting_at=_at(30), message=f"Dear secret client {n}",
                             answers={"own": f"my private words {n}"}))
    return session


def _plots(page: str) -> dict[str, dict]:
    """Every Plotly.newPlot(id, data, layout) in an exported page, by div id."""
    decoder, plots = json.JSONDecoder(), {}
    for match in re.finditer(r"Plotly\.newPlot\(\s*", page):
        position = match.end()
        div_id, position = decoder.raw_decode(page, position)
        position = page.index("[", position)
        data, position = decoder.raw_decode(page, position)
        position = page.index("{", position)
        layout, _ = decoder.raw_decode(page, position)
        plots[div_id] = {"data": data, "layout": layout}
    return plots


def _ours(page: str) -> str:
    """The page without the inlined plotly.js (whose calendars hold words like 'Ben')."""
    from plotly.offline import get_plotlyjs
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1
    return page.replace(bundle, "")


def _values(array) -> list:
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def test_team_data_holds_no_labels_names_or_text(store):
    session = _team(store, 3)
    data = dashboard.team_data(store, session.code, TODAY)
    assert list(data.history.columns) == dashboard.HISTORY_COLUMNS
    assert list(data.plans.columns) == dashboard.PLAN_COLUMNS
    assert data.respondents == 3 and data.threshold == 3 and data.kinds == ["client"]


def test_below_the_threshold_every_group_chart_waits(store):
    session = _team(store, 2)
    charts = dashboard.team_charts(dashboard.team_data(store, session.code, TODAY))
    for name, fig in charts.items():
        assert fig.data == (), name
        assert "Shown once 1 more person" in fig.layout.annotations[0].text


def test_at_the_threshold_the_charts_draw_the_data(store):
    session = _team(store, 3)
    data = dashboard.team_data(store, session.code, TODAY)
    charts = dashboard.team_charts(data)
    then_now = {t.name: dict(zip(t.y, t.x, strict=True)) for t in charts["then_and_now"].data}
    assert then_now["Then (first month)"]["Hanging by a thread"] == 3
    assert then_now["Now (latest month)"]["Sparking"] == 3  # +100 points: a jump
    resets = {t.name: sum(t.x) for t in charts["resets"].data}
    assert resets["Health up"] == 3
    shared = charts["shared"].data
    assert list(shared[0].y) == ["Northwind &lt;b&gt;Logistics&lt;/b&gt;"]
    assert list(shared[0].x) == [0.0] and list(shared[1].x) == [100.0]


def test_portfolio_counts_each_relationship_once_per_moment(demo_store):
    store, demo = demo_store
    data = dashboard.team_data(store, demo.session.code, TODAY)
    frame = dashboard.portfolio_frame(data.history, data.today)
    shares = frame.groupby("at")["share"].sum()
    assert np.allclose(shares, 1.0)
    last = frame[frame["at"] == frame["at"].max()]
    assert last["relationships"].sum() == data.history["relationship_id"].nunique()
    fig = dashboard.portfolio_chart(frame, data.threshold)
    early = frame.loc[frame["respondents"] < data.threshold, "at"].unique()
    drawn = {pd.Timestamp(x) for trace in fig.data for x in trace.x}
    assert not drawn & {pd.Timestamp(t) for t in early}
    assert {t.marker.symbol for t in fig.data} == {"x", "triangle-down", "diamond", "star",
                                                  "circle", "square"}


def test_reset_outcomes_compare_health_around_the_meeting():
    history = pd.DataFrame({
        "relationship_id": ["a", "a", "b", "b", "c", "d"],
        "taken_at": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-01-01", "2026-03-01",
                                    "2026-01-01", "2026-01-01"]),
        "health": [30.0, 70.0, 60.0, 58.0, 40.0, 50.0]})
    plans = pd.DataFrame({
        "relationship_id": ["a", "b", "c", "d"], "status": ["reconnected", "met", "paused",
                                                            "planned"],
        "meeting_at": pd.to_datetime(["2026-02-01", "2026-02-01", "2026-02-01",
                                      "2026-12-01"])})
    out = dashboard.reset_outcomes(plans, history, as_of="2026-06-01")
    assert list(out["outcome"]) == ["up", "same", "pending", "pending"]
    assert list(out["change"].fillna(-1)) == [40.0, -2.0, -1, -1]


def test_narrow_filters_by_kind_and_check_in_dates(demo_store):
    store, demo = demo_store
    data = dashboard.team_data(store, demo.session.code, TODAY)
    colleagues = dashboard.narrow(data, "colleague")
    assert set(colleagues.history["kind"]) == {"colleague"}
    assert set(colleagues.plans["kind"]) <= {"colleague"}
    recent = dashboard.narrow(data, None, TODAY - timedelta(days=30), TODAY)
    # Windows are whole calendar months (rule 3 of workshop.anonymity): no window may end
    # inside a month, between one person's two check-ins.
    month_start = pd.Timestamp(TODAY - timedelta(days=30)).to_period("M").to_timestamp()
    assert recent.history["taken_at"].min() >= month_start
    assert len(recent.history) < len(data.history)


def test_the_view_opens_by_share_link_filters_and_escapes(store):
    session = _team(store, 3, title="<script>alert(1)</script> reset")
    _, token = store.add_share(session.id)
    view = TeamDashboard(store, today=TODAY)
    view.code.value = session.code  # the join code every participant has opens nothing
    assert "not valid" in view.message.value and view.body.layout.display == "none"
    view.code.value = f"http://kit.example/voila/render/dashboard.ipynb?share={token}"
    assert view.message.value == "" and view.body.layout.display == ""
    assert "&lt;script&gt;" in view.header.value and "<script>" not in view.header.value
    assert session.code not in view.header.value
    assert view.kind.label == ALL_KINDS
    view.kind.value = "client"
    assert view.kind.label == "Client" and view.current().respondents == 3
    # Whole months: September (60 days ago), October (none), November (10 days ago).
    assert [label for label, _ in view.dates.options] == ["Sep 2026", "Oct 2026", "Nov 2026"]
    view.dates.index = (1, 1)
    assert view.current().respondents == 0
    assert "rr-dashboard-kind" in view.kind._dom_classes


def test_share_links_are_made_opened_and_revoked(store, monkeypatch):
    session = _team(store, 3)
    share, token = store.add_share(session.id)
    assert len(token) >= 30 and token not in json.dumps(
        [vars(s) for s in store.find_shares(session.id)], default=str)
    monkeypatch.setenv("QUERY_STRING", f"share={token}&x=1")
    assert TeamDashboard(store, today=TODAY).data.session.id == session.id
    store.revoke_share(share.id)
    assert store.find_shares(session.id)[0].revoked_at is not None
    view = TeamDashboard(store, today=TODAY)
    assert view.data is None and "revoked by the facilitator" in view.message.value
    monkeypatch.setenv("QUERY_STRING", f"code={session.code}")
    assert TeamDashboard(store, today=TODAY).data is None


@pytest.mark.parametrize("when", ["none", "today"])
def test_the_view_works_with_no_or_only_same_day_check_ins(store, when):
    session, _ = store.add_session("Workshop day", TODAY, anonymity_threshold=3)
    if when == "today":
        for n in range(4):
            person, _ = store.add_participant(session.id, f"P{n}")
            rel = store.add_relationship(make(Relationship, participant_id=person.id,
                                              label="x", kind="client"))
            store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings=GOOD,
                                   taken_at=_at(0)))
    _, token = store.add_share(session.id)
    view = TeamDashboard(store, share=token, today=TODAY)
    assert view.message.value == "" and view.body.layout.display == ""
    assert [label for label, _ in view.dates.options] == ["Nov 2026"]
    assert view.period.value == "November 2026 to November 2026"
    assert view.current().respondents == (4 if when == "today" else 0)
    view.kind.value = view.kind.options[-1][1]  # changing a filter redraws without error
    assert "people in the groups shown here" in view.header.value
    charts = dashboard.team_charts(view.current())
    if when == "today":
        assert sum(charts["then_and_now"].data[1].x) == 4  # one state of all four, now
    else:
        assert all("Shown once 3 more people" in f.layout.annotations[0].text
                   for f in charts.values())


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.sections = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "section":
            self.sections.append((attrs["data-kind"], attrs["data-period"]))


@pytest.fixture(scope="module")
def demo_page(demo_store, tmp_path_factory):
    """The demo session's dashboard, exported once for the tests that read it."""
    store, demo = demo_store
    path = tmp_path_factory.mktemp("export") / "team.html"
    page = export_dashboard(store, demo.session.code, path, today=TODAY)
    assert path.read_text(encoding="utf-8") == page
    return page


def test_the_exported_file_stands_alone_and_holds_the_charts(demo_store, demo_page):
    store, demo = demo_store
    page = demo_page
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    assert all("src" not in attrs for attrs in parsed.scripts)
    assert not re.search(r"<script[^>]+src\s*=\s*[\"']?https?:", page, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?https?:", page, re.I)
    data = dashboard.team_data(store, demo.session.code, TODAY)
    assert len(parsed.sections) == (1 + len(data.kinds)) * 3
    plots = _plots(page)
    assert len(plots) == len(parsed.sections) * 4
    # Drawn from the shown cells only (workshop.anonymity), not from every check-in.
    expected = dashboard.then_and_now_frame(data.monthly)
    drawn = plots["v0-then_and_now"]["data"]
    assert _values(drawn[0]["x"]) == list(expected["then"])
    assert _values(drawn[1]["x"]) == list(expected["now"])
    shared = {label for trace in plots["v0-shared"]["data"] for label in trace["y"]}
    assert shared == {label for label, _, _ in SHARED}


def test_the_exported_file_has_no_names_labels_or_free_text(demo_page):
    page = _ours(demo_page)
    for name in PEOPLE:
        assert not re.search(rf"\b{name}\b", page), name
    private = [label for label, _ in OWN]
    for label in private:
        assert label not in page, label
    for text in ("I let our regular catch-ups lapse", "could we find 30 minutes",
                 "Earlier notice of changes", "Send a recap of the call"):
        assert text not in page


def test_the_exported_file_escapes_and_respects_the_threshold(store):
    session = _team(store, 2, title="<img src=x onerror=alert(1)>")
    page = _ours(export_dashboard(store, session.code, today=TODAY))
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "Secret client" not in page and "private" not in page and "Person 0" not in page
    assert session.code not in page  # a shared file does not invite strangers to join
    assert all(plot["data"] == [] for plot in _plots(page).values())


def test_cli_export_dashboard_writes_the_file(store, db_path, tmp_path, capsys):
    session = _team(store, 3)
    out = tmp_path / "board.html"
    url = str(db_path)
    assert cli.main(["export-dashboard", session.code.lower(), "-o", str(out),
                     "--db", url]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert session.code in capsys.readouterr().out
    assert cli.main(["export-dashboard", "NOPE99", "-o", str(out), "--db", url]) == 1


@pytest.mark.parametrize("threshold", [3, 5])
def test_waiting_chart_says_how_many_more(threshold):
    frame = pd.DataFrame({"state": ["steady"], "name": ["Steady"], "then": [1], "now": [1],
                          "respondents": [2]})
    fig = dashboard.then_and_now_chart(frame, threshold)
    more = threshold - 2
    assert f"Shown once {more} more" in fig.layout.annotations[0].text


def test_console_share_card_makes_a_link_that_opens_and_revokes_it(store):
    from workshop.app.facilitator_share import SharePanel
    session = _team(store, 3)
    panel = SharePanel(store, session)
    url = panel.make_link()
    assert "dashboard.ipynb?share=" in url and session.code not in url
    assert TeamDashboard(store, share=url, today=TODAY).data.session.id == session.id
    revoke = panel.live.children[0].children[1]
    revoke.click()
    assert "revoked" in panel.status.value
    view = TeamDashboard(store, share=url, today=TODAY)
    assert view.data is None and "revoked by the facilitator" in view.message.value
