"""Same-device resume without a browser: the device widget reports what the browser kept, the
app resumes through the store on the step it was on, forgets on request, and a late joiner
starts at Take stock. The page side (localStorage, the connection notice) is driven in
tests/browser/test_resume.py."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from workshop.app.participant import (
    FORGET_LABEL,
    ParticipantApp,
    first_step,
    resumed_step,
    step_for_phase,
)
from workshop.store import Store

ROOT = Path(__file__).parents[2]


@pytest.fixture
def session(store):
    made, _ = store.add_session("Device session", date.today())
    return made


@pytest.fixture
def opener(db_path):
    return lambda: Store.open(str(db_path))


def _joined(opener, code: str, name: str = "Dana") -> ParticipantApp:
    app = ParticipantApp(code, store_factory=opener)
    app.join_view.join.value = {"name": name}
    app.join_view.join.submit.click()
    assert app.workbook is not None, app.join_view.join.status.value
    return app


def _add(app, label: str) -> None:
    app.show("stock")
    form = app.views["stock"].form
    form.value = {"label": label}
    form.submit.click()


def _reloaded(opener, kept: dict, code: str = "") -> ParticipantApp:
    """A new kernel for the same browser: the page reports what it kept."""
    again = ParticipantApp(code, store_factory=opener)
    assert again.workbook is None  # nothing happens before the page has spoken
    again.device.found = {"code": kept.get("code", ""), "step": kept.get("step", ""),
                          "phase": kept.get("phase", "")}
    return again


def test_the_device_keeps_the_code_and_the_open_step(opener, session):
    app = _joined(opener, session.code)
    shown = re.search(r'rr-resume-shown">([^<]+)<', app.notice.children[0].children[0].value)
    assert app.device.keep == {"code": shown.group(1), "step": "stock", "phase": ""}
    _add(app, "Acme")
    app.show("plan")
    assert app.device.keep["step"] == "plan"
    assert app.device.remembered == shown.group(1)


def test_a_reload_resumes_from_the_device_on_the_same_step_with_the_data(opener, session):
    app = _joined(opener, session.code)
    _add(app, "Acme")
    app.show("map")  # not where the data would lead (nothing rated yet: health)
    again = _reloaded(opener, app.device.keep, session.code)
    assert again.workbook.participant.id == app.workbook.participant.id
    assert again.current == "map"
    assert again.notice.children == ()  # the resume code is not shown again
    assert again.header.layout.display is None and "Dana" in again.who.value
    again.show("stock")
    assert "Acme" in again.views["stock"].list.children[0].children[0].value
    assert again.device.keep["code"] == app.device.keep["code"]


def test_the_banner_does_not_move_a_resumed_page_but_later_phases_do(opener, session, store):
    store.set_phase(session.id, "map")
    app = _joined(opener, session.code)
    _add(app, "Acme")
    assert app.device.keep["phase"] == "map"
    again = _reloaded(opener, app.device.keep, session.code)
    assert again.current == "stock"
    assert again.step_for_phase("map") is None  # the banner's first word on load
    store.set_phase(session.id, "plan")
    again.banner.refresh()
    again.banner.echo.value += 1  # what the page's link does when the phase moves
    assert again.current == "plan"
    assert again.device.keep["step"] == "plan" and again.device.keep["phase"] == "plan"


def test_a_room_that_moved_on_while_away_wins_over_the_remembered_step(opener, session,
                                                                       store):
    app = _joined(opener, session.code)
    _add(app, "Acme")
    store.set_phase(session.id, "map")  # phone asleep meanwhile
    again = _reloaded(opener, {**app.device.keep, "step": "stock"}, session.code)
    assert again.current == "health"  # where the data leads ...
    assert again.step_for_phase("map") == "map"  # ... and the banner takes it to the map


def test_an_unknown_code_on_the_device_falls_back_to_the_join_screen(opener, session):
    again = _reloaded(opener, {"code": "AAAA-BBBB-CCCC", "step": "map"}, session.code)
    assert again.workbook is None
    assert again.body.children == (again.join_view,)
    assert "not known here any more" in again.status.value
    assert "rr-status-error" in again.status._dom_classes
    assert again.device.keep == {"code": ""}  # forgotten on this device
    assert again.join_view.join.value["code"] == session.code


def test_a_link_to_another_session_does_not_reopen_the_old_workbook(opener, session, store):
    app = _joined(opener, session.code)
    other, _ = store.add_session("Next week's session", date.today())
    again = _reloaded(opener, app.device.keep, other.code)
    assert again.workbook is None  # the join link wins ...
    assert again.join_view.join.value["code"] == other.code
    resume = again.join_view.resume
    assert resume.value["resume_code"] == app.device.keep["code"]  # ... one tap goes back
    assert "earlier workbook" in resume.status.value
    assert again.device.keep["code"] == app.device.keep["code"]  # still remembered
    resume.submit.click()
    assert again.workbook.participant.id == app.workbook.participant.id


def test_forget_me_returns_to_the_join_screen_and_the_code_still_works(opener, session,
                                                                      store):
    store.set_phase(session.id, "inventory")
    app = _joined(opener, session.code)
    _add(app, "Acme")
    code = app.device.keep["code"]
    banner = app.banner
    assert app.forget_button.description == FORGET_LABEL
    app.forget_button.click()
    assert app.device.keep == {"code": ""}
    assert app.workbook is None and app.current is None and app.views == {}
    assert app.body.children == (app.join_view,)
    assert app.join_view.join.value == {"code": session.code, "name": ""}
    assert app.header.layout.display == "none" and app.nav.layout.display == "none"
    assert banner not in app.children and not banner.ticker.running
    assert "forgotten you" in app.status.value
    app.join_view.resume.value = {"resume_code": code}
    app.join_view.resume.submit.click()
    assert app.workbook is not None and app.device.keep["code"] == code
    assert [r.label for r in app.workbook.relationships()] == ["Acme"]


def test_joining_while_the_room_is_at_the_map_starts_at_take_stock(opener, session, store):
    store.set_phase(session.id, "map")
    app = _joined(opener, session.code)
    assert app.current == "stock"
    assert app.step_for_phase("map") == "stock"  # the banner's first word keeps it there
    _add(app, "Acme")
    assert app.step_for_phase("health_check") == "health"  # then it follows the room
    assert app.step_for_phase("faq") is None


def test_where_a_person_lands():
    assert first_step(0, 0, 0) == "stock"
    assert first_step(3, 1, 0) == "health"
    assert first_step(3, 3, 0) == "map"
    assert first_step(3, 3, 1) == "later"
    assert step_for_phase("map", has_relationships=False) == "stock"
    assert step_for_phase("map", has_relationships=True) == "map"
    assert step_for_phase("why", has_relationships=False) is None
    assert resumed_step({"step": "plan", "phase": "plan"}, "plan", "map") == "plan"
    assert resumed_step({"step": "plan", "phase": "plan"}, "commit", "map") == "map"
    assert resumed_step({"step": "plan", "phase": ""}, None, "map") == "plan"
    assert resumed_step({"step": "nowhere", "phase": ""}, None, "map") == "map"


def test_the_device_widget_loads_lazily_and_light():
    import subprocess
    import sys
    code = ("import sys; import workshop.app.participant as p; "
            "print('anywidget' in sys.modules); p.ParticipantApp('X'); "
            "print('anywidget' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


def test_every_rr_class_of_the_device_and_the_connection_notice_is_listed():
    readme = (ROOT / "tests" / "browser" / "README.md").read_text()
    listed = set(re.findall(r"`(rr-[a-z-]+)`", readme))
    sources = [ROOT / "workshop" / "app" / "device.py",
               ROOT / "assets" / "voila" / "templates" / "reset-workshop" / "static" /
               "reconnect.js"]
    used = {name for path in sources
            for name in re.findall(r"rr-[a-z]+(?:-[a-z]+)*", path.read_text())
            if not name.endswith(("-resume", "-step"))}  # localStorage key prefixes
    app = ParticipantApp("X")
    used |= {c for w in (app.header, app.forget_button, app.device, app.who)
             for c in w._dom_classes}
    assert sorted(used - listed) == []
