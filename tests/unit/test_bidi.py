"""Right-to-left override characters in a person's text (U+202E) cannot reverse the kit's own
words: HTML surfaces isolate that text in <bdi>, plain-text ones (chart labels, buttons) drop
the controls and isolate it with FSI ... PDI."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from workshop import action_plan, bidi, charts, session_report, tidy
from workshop.app.components import user_text
from workshop.app.facilitator import FacilitatorConsole
from workshop.app.inventory import InventoryView
from workshop.app.workbook import Workbook
from workshop.dashboard_html import export_dashboard
from workshop.model import CheckIn, Commitment, Relationship, ResetPlan, make

RLO = "\u202e"
LABEL = f"{RLO}emcA <b>"  # shows as "<b> Acme" if nothing isolates it
CONTROLS = re.compile("[\u202a-\u202e\u2066\u2067]")  # all but the FSI/PDI the kit adds


def _isolated(markup: str, text: str = LABEL) -> bool:
    """``text`` appears in ``markup`` only escaped and inside a <bdi> of its own."""
    escaped = text.replace("<", "&lt;").replace(">", "&gt;")
    inside = re.findall(r"<bdi[^>]*>(.*?)</bdi>", markup, flags=re.S)
    return (escaped in "".join(inside)
            and markup.count(escaped) == sum(part.count(escaped) for part in inside))


def test_user_text_escapes_and_isolates():
    assert user_text(LABEL) == f'<bdi class="rr-user-text">{RLO}emcA &lt;b&gt;</bdi>'
    assert bidi.neutral(LABEL) == "emcA <b>"
    assert bidi.isolated(LABEL) == "\u2068emcA <b>\u2069"
    assert bidi.isolated("\u05e9\u05dc\u05d5\u05dd") == "\u2068\u05e9\u05dc\u05d5\u05dd\u2069"
    assert bidi.isolated("Acme & Co") == "Acme & Co"  # left-to-right text stays as it is


def test_chart_labels_lose_the_controls():
    assert charts.plot_text(LABEL) == "emcA &lt;b&gt;"
    fig = charts.priority_ranking(_frame())
    shown = fig.to_plotly_json()
    assert "emcA" in str(shown) and not CONTROLS.search(str(shown))


def _frame():
    import pandas as pd
    return pd.DataFrame([{"relationship_id": "r1", "label": LABEL, "priority": 40.0,
                          "state": "fading"}])


def test_the_console_isolates_the_session_title(store):
    console = FacilitatorConsole(store, start=False)
    console.new_form.value = {"title": LABEL}
    console.new_form.submit.click()
    assert _isolated(console.current.title.value)
    console.show_home()
    caption = console.sessions.children[0].description
    assert not CONTROLS.search(caption) and caption.endswith("\u2068emcA <b>\u2069")
    console.close()


def _person(store):
    session, _ = store.add_session(LABEL)
    me, _ = store.join(session.code, LABEL)
    rel = store.add_relationship(make(Relationship, participant_id=me.id, label=LABEL,
                                      importance=5, last_contact=date(2026, 9, 1)))
    store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings={"trust": 2,
                                                                     "communication": 2}))
    store.save_plan(make(ResetPlan, relationship_id=rel.id, message=LABEL,
                         answers={"own": LABEL}, meeting_at=datetime(2026, 12, 1, 10,
                                                                     tzinfo=timezone.utc),
                         commitments=[make(Commitment, what=LABEL, owner=LABEL)]))
    return session, me, rel


def test_the_participant_inventory_isolates_labels(store):
    _, me, _ = _person(store)
    step = InventoryView(Workbook(store, me))
    rows = [w.value for w in _widgets(step) if isinstance(getattr(w, "value", None), str)
            and "emcA" in w.value]
    assert rows and all(_isolated(markup) for markup in rows)


def _widgets(root):
    stack, out = [root], []
    while stack:
        w = stack.pop()
        out.append(w)
        stack.extend(getattr(w, "children", ()))
    return out


def test_the_plan_document_isolates_every_user_field(store):
    _, me, _ = _person(store)
    book = action_plan.PlanBook(store.find_relationships(me.id),
                                store.find_plans(participant_id=me.id),
                                tidy.load(store, participant_id=me.id), name=LABEL)
    page = action_plan.html_document(book)
    body = page.split("<body", 1)[1].split("<script", 1)[0] + page.rsplit("</script>", 1)[1]
    assert _isolated(body)


def test_the_session_report_and_dashboard_isolate_the_title(store, tmp_path):
    session, _, _ = _person(store)
    report = session_report.export(store, session, "html")
    heading = re.search(r"<h1>.*?</h1>", report, flags=re.S).group(0)
    assert _isolated(heading)
    path = tmp_path / "dashboard.html"
    export_dashboard(store, session.code, path)
    heading = re.search(r"<h1>.*?</h1>", path.read_text(encoding="utf-8"), flags=re.S).group(0)
    assert _isolated(heading)


def test_participant_buttons_options_and_messages_isolate_labels(store):
    from workshop.app.checkin import CheckInView
    from workshop.app.health import HealthView
    _, me, rel = _person(store)
    book = Workbook(store, me)
    health = HealthView(book)
    health.refresh()
    later = CheckInView(book)
    later.shown()
    captions = [w.description for w in _widgets(health) if "rr-health-pick" in w._dom_classes]
    options = [label for label, _ in later.pick.options]
    for plain in (*captions, *options):
        assert "\u2068emcA <b>\u2069" in plain and not CONTROLS.search(plain)
    assert captions and options
    texts = [w.value for w in _widgets(health) if isinstance(getattr(w, "value", None), str)
             and "emcA" in w.value]
    assert texts and all("\u2068emcA &lt;b&gt;\u2069" in t and RLO not in t for t in texts)
