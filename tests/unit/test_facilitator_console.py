"""The facilitator console's widgets, driven without a browser: set values, click, assert."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from datetime import date, timedelta

import pytest

from workshop import joinpanel, session_setup
from workshop.app.facilitator import GROUP_SHARE, POLL_EVERY, FacilitatorConsole, SessionConsole
from workshop.app.facilitator_forms import SessionForm
from workshop.app.phase import PhaseBanner
from workshop.app.ticker import Ticker
from workshop.errors import InvalidInput, NotFound
from workshop.model import CheckIn, Relationship, make

MARKUP = "<b>bold</b><script>alert(1)</script>"


def _new(console: FacilitatorConsole, **values) -> SessionConsole:
    form = console.new_form
    form.value = {"title": "Q3 reset", **values}
    form.submit.click()
    return console.current


def _participant(store, session, value, label=MARKUP):
    person, _ = store.join(session.code, "Pat")
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label=label,
                                      kind="client", shared_label=None))
    store.add_checkin(make(CheckIn, relationship_id=rel.id, note=MARKUP,
                           ratings={d: max(value - (i == 0), 1)  # the first dim a bit lower
                                    for i, d in enumerate(session.settings.dimensions)}))
    store.mark_progress(person.id, "inventory")
    store.mark_progress(person.id, "health")
    return person


def _text(widget) -> str:
    """Every string value in a widget tree (what the browser would be sent)."""
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        value = getattr(w, "value", None)
        if isinstance(value, str):
            out.append(value)
        out.extend(str(getattr(w, "description", "")) for _ in [0])
        stack.extend(getattr(w, "children", ()))
        for output in getattr(w, "outputs", ()):
            out.append(str(output))
    return "\n".join(out)


@pytest.fixture
def console(store):
    made = FacilitatorConsole(store, start=False)
    yield made
    made.close()


def test_session_form_value_reflects_every_field():
    form = SessionForm()
    form.value = {"title": "T", "on": date(2026, 12, 1), "anonymity_threshold": 4,
                  "dimensions": ["trust", "shared_goals"], "weights": {"trust": 2.0},
                  "timeboxes": {"faq": 0}}
    value = form.value
    assert value["title"] == "T" and value["on"] == date(2026, 12, 1)
    assert value["dimensions"] == ["trust", "shared_goals"]
    assert value["weights"]["trust"] == 2.0 and value["weights"]["shared_goals"] == 1.0
    assert value["anonymity_threshold"] == 4 and value["timeboxes"]["faq"] == 0
    assert form.agenda.total.value == "Total: 80 minutes"


def test_adding_a_dimension_by_name_ticks_it_and_shows_bad_names_beside_it():
    form = SessionForm()
    picker = form.dimensions
    picker.new_name.value = "Shared goals!"
    picker.add.click()
    assert "shared_goals" in form.value["dimensions"] and picker.message.value == ""
    picker.new_name.value = "42"
    picker.add.click()
    assert picker.message.value == "must start with a letter"


def test_create_session_shows_key_once_and_stores_it_hashed(console, store):
    current = _new(console, anonymity_threshold=3, timeboxes={"why": 0, "plan": 30})
    session = current.session
    notice = current.children[2]
    key = notice.children[1].value.split("rr-facilitator-key\">")[1].split("<")[0]
    assert key.startswith("fk-")
    assert store.open_console(session.code, key).id == session.id
    assert session.settings.anonymity_threshold == 3
    assert session.settings.timeboxes["plan"] == 30
    assert "Take stock" in current.agenda.next.description or current.agenda.next.description \
        == "Start the workshop"
    notice.dismiss.click()
    assert key not in _text(current)
    console.show_home()
    assert console.sessions.children[0].description.startswith(session.code)
    console.sessions.children[0].click()
    assert console.current.session.id == session.id and key not in _text(console.current)


def test_invalid_session_shows_messages_beside_the_fields(console):
    form = console.new_form
    form.value = {"title": "", "anonymity_threshold": 2, "timeboxes": {"plan": 999}}
    form.submit.click()
    assert console.current is None
    assert form.fields["title"].message.value == "cannot be empty"
    assert form.fields["anonymity_threshold"].message.value == "must be at least 3"
    assert "between 0 and 240" in form.fields["timeboxes"].message.value
    form.value = {"title": "ok", "anonymity_threshold": 5, "timeboxes": {"plan": 20},
                  "dimensions": []}
    form.submit.click()
    assert form.fields["dimensions"].message.value == "pick at least one dimension"


def test_wrong_key_is_refused_alike_for_known_and_unknown_sessions(console, store):
    session, _ = store.add_session("Real")
    messages = []
    for code in (session.code, "NOSUCH"):
        console.open_form.value = {"code": code, "key": "fk-wrong"}
        console.open_form.submit.click()
        messages.append(console.open_form.status.value)
    assert console.current is None
    assert messages[0] == messages[1] == "That session code and facilitator key do not match."
    console.open_form.value = {"code": "", "key": ""}
    console.open_form.submit.click()
    assert console.open_form.fields["code"].message.value == "is required"


def test_right_key_opens_the_console(console, store):
    session, key = store.add_session("Real")
    console.open_form.value = {"code": session.code.lower(), "key": key}
    console.open_form.submit.click()
    assert console.current.session.id == session.id
    assert console.open_form.fields["key"].value == ""


def test_join_panel_shows_code_link_and_qr(console, monkeypatch):
    monkeypatch.setenv("VOILA_REQUEST_URL", "http://10.0.0.5:8866/voila/render/facilitator.ipynb")
    current = _new(console)
    code = current.session.code
    url = f"http://10.0.0.5:8866/voila/render/participant.ipynb?code={code}"
    assert code in current.join.code.value and url in current.join.link.value
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', current.join.qr.value)
    assert base64.b64decode(qr.group(1)).decode() == joinpanel.qr_svg(url)
    current.join.address.value = "https://workshop.example.org/"
    current.join.apply.click()
    assert (f"https://workshop.example.org/voila/render/participant.ipynb?code={code}"
            in current.join.link.value)


def test_console_sends_no_binary_buffers(console):
    """Every widget state is plain JSON: a binary buffer is what a legacy-framing client turned
    into a server hang (Voilà reads buffers' frames as v1), and text serves for all of them."""
    from ipywidgets.widgets.widget import _remove_buffers
    current, tree, seen = _new(console), [console], set()
    while tree:
        widget = tree.pop()
        seen.add(widget.model_id)
        tree.extend(getattr(widget, "children", ()))
        _, _, buffers = _remove_buffers(widget.get_state())
        assert buffers == [], f"{type(widget).__name__} sends a binary buffer"
    assert current.join.qr.model_id in seen


def test_join_url_precedence(monkeypatch):
    env = {"SERVER_NAME": "host", "SERVER_PORT": "9000",
           "SCRIPT_NAME": "/pre/voila/render/facilitator.ipynb"}
    assert joinpanel.join_url("AB", env=env) == \
        "http://host:9000/pre/voila/render/participant.ipynb?code=AB"
    assert joinpanel.join_url("AB", env={}) == \
        "http://localhost:8866/voila/render/participant.ipynb?code=AB"
    monkeypatch.setenv("RESET_WORKSHOP_URL", "https://proxy.example/kit")
    assert joinpanel.join_url("AB", env=env) == \
        "https://proxy.example/kit/voila/render/participant.ipynb?code=AB"
    assert joinpanel.join_url("AB", "http://other/", env=env) == \
        "http://other/voila/render/participant.ipynb?code=AB"


def test_agenda_moves_through_phases_and_the_timer_changes_colour(console, store):
    current = _new(console, timeboxes={"why": 1})
    agenda = current.agenda
    assert agenda.previous.disabled and agenda.next.description == "Start the workshop"
    agenda.next.click()
    assert store.get_session(current.session.id).current_phase == "why"
    assert (agenda.timer.clock().level, agenda.timer.total_s) == ("running", 60)
    assert agenda.timer.clock().badge == "1:00 left"
    started = current.session.phase_started_at.timestamp()
    assert agenda.timer.ends_at == started + 60 and agenda.timer.ending_s == 12
    assert agenda.next.description == "Next: Take stock: your relationships"
    store.update_session(current.session.id, phase_started_at=current.session.phase_started_at
                         - timedelta(seconds=50))
    current.refresh()
    assert agenda.timer.clock().level == "ending"
    assert agenda.timer.clock().badge.endswith("left · almost up")
    assert agenda.timer.ends_at == started - 50 + 60  # the page counts from the new end
    store.update_session(current.session.id, phase_started_at=current.session.phase_started_at
                         - timedelta(seconds=20))
    current.refresh()
    assert agenda.timer.clock().level == "over"
    assert agenda.timer.clock().badge.startswith("over by 0:")
    agenda.next.click()
    agenda.previous.click()
    assert store.get_session(current.session.id).current_phase == "why"
    [b for b in agenda.steps.children if "rr-phase-plan" in b._dom_classes][0].click()
    assert store.get_session(current.session.id).current_phase == "plan"
    assert "protect the time" in agenda.notes.value


def test_progress_counts_rise_and_group_stays_hidden_below_threshold(console, store):
    current = _new(console, anonymity_threshold=3)
    session = current.session
    for value in (2, 4):
        _participant(store, session, value)
    current.refresh()
    assert '<strong class="rr-count-value">2</strong><span>Joined</span>' in \
        current.progress.counts.value
    current.group.reveal.value = True
    boxes = current.group.boxes
    assert boxes["states"].waiting.value == "Hidden: waiting for 1 more respondent."
    assert not boxes["states"].drawn
    _participant(store, session, 5)
    current.refresh()
    # Ratings 2, 4 and 5 put the three relationships in three different states of one person
    # each: the states stay hidden (rule 1 of workshop.anonymity); the dimensions and the
    # drift bands, which all three share, are drawn.
    assert boxes["dimensions"].drawn and boxes["drift"].drawn and not boxes["states"].drawn
    assert boxes["states"].waiting.value == "Hidden: every group here has fewer than 3 people."
    # The room has 3 people now; no shared label has 3 raters, and the box says so without
    # counting that small group (rule 1 of workshop.anonymity).
    assert boxes["gaps"].waiting.value == "Hidden: every group here has fewer than 3 people."
    assert "Weakest dimension across the room: <strong>Communication" in \
        current.group.weakest.value
    text = _text(console)
    assert "<b>bold</b>" not in text and "alert(1)" not in text


def test_reveal_toggle_decides_whether_charts_are_drawn(console, store):
    current = _new(console, anonymity_threshold=3)
    for value in (1, 2, 3):
        _participant(store, current.session, value)
    current.refresh()
    assert not any(box.drawn for box in current.group.boxes.values())
    assert "hidden from this screen" in current.group.status.value
    current.group.reveal.value = True
    assert current.group.boxes["heatmap"].drawn
    current.group.reveal.value = False
    assert not any(box.drawn for box in current.group.boxes.values())


def test_close_reopen_and_delete_after_confirmation(console, store):
    current = _new(console)
    session = current.session
    current.close_button.click()
    assert store.get_session(session.id).status == "closed"
    assert "closed to new participants" in current.title.value
    current.close_button.click()
    assert store.get_session(session.id).status == "open"
    current.delete_button.click()
    assert current.confirm_box.layout.display is None
    current.cancel.click()
    assert current.confirm_box.layout.display == "none"
    _participant(store, session, 3)
    current.delete_button.click()
    current.confirm.click()
    with pytest.raises(NotFound):
        store.get_session(session.id)
    assert console.current is None and "deleted" in console.open_form.status.value
    assert session.id not in console.opened


def test_exports_anonymised_and_full_backup_needs_the_key(console, store):
    current = _new(console)
    _participant(store, current.session, 3)
    panel = current.exports
    panel.children[1].children[1].click()  # anonymised CSV
    assert "rr-download-csv" in panel.links.value and ".csv" in panel.links.value
    panel.key.value = "fk-wrong"
    panel.full.click()
    assert panel.links.value == "" and "do not match" in panel.status.value
    assert panel.key.value == ""


def test_session_setup_rejects_unknown_phase():
    with pytest.raises(InvalidInput) as caught:
        session_setup.check_timeboxes({"lunch": 30})
    assert caught.value.fields == {"timeboxes.lunch": "is not a phase of the agenda"}
    with pytest.raises(InvalidInput):
        session_setup.check_timeboxes({p: 0 for p in ("why", "inventory", "health_check", "map",
                                                      "choose", "plan", "commit", "faq")})


def _echo(banner: PhaseBanner) -> None:
    """What the page's jsdlink does: copy the move counter back to the kernel."""
    banner.echo.value = banner.moves.value


def test_phase_banner_follows_the_session_and_tells_listeners(store):
    session, _ = store.add_session("T")
    banner = PhaseBanner(store, session.id, start=False)
    heard = []
    banner.on_phase(heard.append)
    assert "not started" in banner.title.value
    store.set_phase(session.id, "map")
    banner.refresh()
    assert heard == [] and "See the map" in banner.title.value  # drawn at once
    _echo(banner)
    assert heard == ["map"]
    assert banner.timer.total_s == 600 and banner.timer.clock().level == "running"
    assert banner.timer.ends_at == store.get_session(session.id).phase_started_at.timestamp() + 600
    banner.refresh()
    _echo(banner)
    assert heard == ["map"]
    banner.close()


def test_ticker_runs_on_a_loop_and_survives_a_failing_refresh():
    calls = []

    def refresh():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")

    async def main():
        ticker = Ticker(0.01, refresh)
        assert ticker.start()
        await asyncio.sleep(0.1)
        ticker.stop()

    assert not Ticker(1, refresh).start()  # no running loop here
    asyncio.run(main())
    assert len(calls) >= 3


def test_participant_app_shows_the_banner_and_follows_the_facilitator(store):
    from workshop.app.participant import ParticipantApp
    from workshop.app.workbook import Workbook
    session, _ = store.add_session("T")
    app = ParticipantApp(session.code)
    workbook, _ = Workbook.join(store, session.code, "Pat")
    app.start(workbook)
    banner = next(c for c in app.children if isinstance(c, PhaseBanner))
    first = app.current
    store.set_phase(session.id, "why")  # a phase without a step of its own: stay put
    banner.refresh()
    _echo(banner)
    assert app.current == first and "Why relationships need a reset" in banner.title.value
    store.set_phase(session.id, "map")
    banner.refresh()
    _echo(banner)
    assert app.current == "stock"  # nothing to map yet: someone new starts by taking stock
    store.add_relationship(make(Relationship, participant_id=workbook.participant.id,
                                label="Client A"))
    store.set_phase(session.id, "plan")
    banner.refresh()
    _echo(banner)
    assert app.current == "plan"  # with a relationship, they follow the room
    app.start(workbook)  # starting again replaces the banner rather than adding one
    assert sum(isinstance(c, PhaseBanner) for c in app.children) == 1


def test_console_notices_a_session_deleted_elsewhere(console, store):
    current = _new(console)
    store.remove_session(current.session.id)

    async def two_ticks():
        await current.tick()
        await current.tick()

    asyncio.run(two_ticks())
    assert "no longer exists" in current.status.value


def test_warm_up_loads_the_step_modules():
    import sys

    from workshop.app.phase import WARM_MODULES, warm_up
    asyncio.run(warm_up(pause=0))
    assert all(name in sys.modules for name in WARM_MODULES)


def test_a_corrected_rating_redraws_the_group(console, store):
    current = _new(console, anonymity_threshold=3)
    people = [_participant(store, current.session, value) for value in (2, 3, 4)]
    current.group.reveal.value = True
    before = current.group.boxes["dimensions"].slot.outputs
    checkin = store.find_checkins(participant_id=people[0].id)[0]
    store.save_checkin(make(CheckIn, id=checkin.id, relationship_id=checkin.relationship_id,
                            ratings={d: 5 for d in checkin.ratings}))

    async def poll_until_redrawn(seconds: float) -> None:
        """Ticks in real time, as the kernel's ticker does: on a busy machine the console lets
        a costly group wait up to GROUP_SHARE times its cost (see ``_group_due``)."""
        deadline = time.monotonic() + seconds
        while current.group.boxes["dimensions"].slot.outputs == before \
                and time.monotonic() < deadline:
            await current.tick()
            await asyncio.sleep(0.25)

    asyncio.run(poll_until_redrawn(max(POLL_EVERY, GROUP_SHARE * current._group_cost) + 10))
    assert current.group.boxes["dimensions"].slot.outputs != before


def test_participants_can_rate_a_dimension_the_facilitator_added(console, store):
    from workshop.app.health import HealthView
    from workshop.app.workbook import Workbook
    current = _new(console, dimensions=["trust", "shared_goals"])
    workbook, _ = Workbook.join(store, current.session.code)
    workbook.save_relationship({"label": "Acme", "kind": "client"})
    view = HealthView(workbook)
    assert "Shared goals" in _text(view)
    form = view.slot.children[0]
    for key in form.dimension_keys:
        form.fields[key].value = 4
    form.submit.click()
    [saved] = store.find_checkins(participant_id=workbook.participant.id)
    assert saved.ratings == {"trust": 4, "shared_goals": 4}
