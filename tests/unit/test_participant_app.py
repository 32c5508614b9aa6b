"""The participant app's forms and views without a browser: build, set ``.value``, click,
and check what a person would see and what the store holds."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import ipywidgets as widgets
import pytest

from workshop.app.inventory import RelationshipForm
from workshop.app.join import code_from_query
from workshop.app.participant import STEPS, ParticipantApp
from workshop.store import Store

INTERACTIVE = (widgets.Button, widgets.Text, widgets.Textarea, widgets.Dropdown,
               widgets.ToggleButtons, widgets.DatePicker, widgets.Checkbox)


@pytest.fixture
def session(store):
    made, _ = store.add_session("Unit session", date.today())
    return made


@pytest.fixture
def app(db_path, session):
    return ParticipantApp(session.code, store_factory=lambda: Store.open(str(db_path)))


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _joined(app, name="Dana"):
    app.join_view.join.value = {"name": name}
    app.join_view.join.submit.click()
    assert app.workbook is not None, app.join_view.join.status.value
    return app


def _add(app, label, **values):
    form = app.views["stock"].form
    form.value = {"label": label, **values}
    form.submit.click()
    return form


def test_code_comes_from_the_page_address():
    assert code_from_query("code=K7QF3M&x=1") == "K7QF3M"
    assert code_from_query("") == ""
    assert ParticipantApp(code_from_query("code=abc")).join_view.join.value["code"] == "abc"


def test_first_screen_imports_neither_pandas_nor_plotly_nor_the_store():
    code = ("import sys; from workshop.app.participant import ParticipantApp; "
            "ParticipantApp('X'); "
            "print(sorted(m for m in ('pandas', 'plotly', 'sqlalchemy', 'pydantic') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_wrong_closed_and_missing_codes_say_so(app, store, session):
    join = app.join_view.join
    join.value = {"code": ""}
    join.submit.click()
    assert "enter the session code" in join.fields["code"].message.value
    join.value = {"code": "NOPE99"}
    join.submit.click()
    assert "no session with that code" in join.status.value.lower()
    store.update_session(session.id, status="closed")
    join.value = {"code": session.code}
    join.submit.click()
    assert "closed" in join.status.value and app.workbook is None
    app.join_view.resume.value = {"resume_code": "AAAA-BBBB-CCCC"}
    app.join_view.resume.submit.click()
    assert "not known" in app.join_view.resume.status.value


def test_joining_shows_the_resume_code_once_and_the_steps(app):
    _joined(app)
    notice = app.notice.children[0]
    assert "rr-resume-shown" in notice.children[0].value
    assert [b.description for b in app.nav.children] == [label for _, label in STEPS]
    assert app.current == "stock"
    notice.done.click()
    assert notice.layout.display == "none"


def test_relationship_form_validates_beside_the_field_and_keeps_the_text(app, store):
    _joined(app)
    long_label = "x" * 121
    form = _add(app, long_label)
    assert "at most 120 characters" in form.fields["label"].message.value
    assert form.fields["label"].value == long_label
    form = _add(app, "Acme", since=date(2025, 5, 1), last_contact=date(2024, 1, 1))
    assert "before the relationship began" in form.fields["last_contact"].message.value
    assert store.find_relationships(app.workbook.participant.id) == []
    form = _add(app, "  Acme  ", last_contact=None, importance=5, shared_label="")
    saved = store.find_relationships(app.workbook.participant.id)
    assert [(r.label, r.importance, r.shared_label) for r in saved] == [("Acme", 5, None)]
    assert form.value["label"] == ""  # cleared for the next one


def test_edit_and_remove_with_confirmation(app, store):
    _joined(app)
    _add(app, "Acme")
    view = app.views["stock"]
    row = view.list.children[0]
    edit, remove = row.children[1].children
    edit.click()
    assert view.form.value["label"] == "Acme"
    view.form.value = {"label": "Acme Ltd", "cadence_days": 90}
    view.form.submit.click()
    assert [r.label for r in store.find_relationships(app.workbook.participant.id)] == \
        ["Acme Ltd"]
    remove = view.list.children[0].children[1].children[1]
    remove.click()
    assert remove.description == "Really remove?"
    assert len(store.find_relationships(app.workbook.participant.id)) == 1
    remove.click()
    assert store.find_relationships(app.workbook.participant.id) == []


def test_the_list_keeps_unchanged_rows_and_closes_the_ones_it_drops(app, store):
    """Each row is several widget models the page must be sent: adding one relationship
    sends one new row, not the whole list again."""
    _joined(app)
    view = app.views["stock"]
    _add(app, "Acme")
    first = view.list.children[0]
    _add(app, "Beta")
    assert view.list.children[0] is first and len(view.list.children) == 2
    first.children[1].children[0].click()  # edit Acme
    view.form.value = {"label": "Acme Ltd"}
    view.form.submit.click()
    changed = [row for row in view.list.children if "Acme Ltd" in row.children[0].value]
    assert changed and changed[0] is not first and first.comm is None  # redrawn, old closed
    beta = next(row for row in view.list.children if "Beta" in row.children[0].value)
    remove = beta.children[1].children[1]
    remove.click()
    remove.click()
    assert beta.comm is None and all(part.comm is None for part in beta.children)
    assert ["Acme Ltd" in row.children[0].value for row in view.list.children] == [True]


def test_rating_needs_every_dimension_and_a_resend_stores_once(app, store):
    _joined(app)
    _add(app, "Acme")
    _add(app, "Beta")
    app.show("health")
    view = app.views["health"]
    form = view.slot.children[0]
    form.fields["trust"].value = 4
    form.submit.click()
    assert "choose 1 to 5" in form.fields["communication"].message.value
    assert not form.fields["trust"].message.value
    for key in form.dimension_keys:
        form.fields[key].value = 3
    form.fields["note"].value = "<b>not html</b>"
    form.submit.click()
    form.submit.click()  # a double click, or a resend
    checkins = store.find_checkins(participant_id=app.workbook.participant.id)
    assert len(checkins) == 1 and checkins[0].note == "<b>not html</b>"
    assert "1 of 2 rated" in view.progress.value
    form.fields["trust"].value = 5  # a correction in the same sitting amends the check-in
    form.submit.click()
    [amended] = store.find_checkins(participant_id=app.workbook.participant.id)
    assert amended.ratings["trust"] == 5 and amended.taken_at == checkins[0].taken_at


def test_plan_drafts_save_as_typed_and_the_message_drafts_in_a_tone(app, store):
    _joined(app, "Dana")
    _add(app, "Acme")
    app.show("health")
    form = app.views["health"].slot.children[0]
    for key in form.dimension_keys:
        form.fields[key].value = 2
    form.submit.click()
    app.show("plan")
    view = app.views["plan"]
    row = view.choices.children[0]
    row.children[1].click()  # "Plan a reset"
    plan_form = view.form
    plan_form.fields["own"].value = "I went quiet"
    saved = store.find_plans(participant_id=app.workbook.participant.id)
    assert len(saved) == 1 and saved[0].answers["own"] == "I went quiet"
    plan_form.fields["tone"].value = "formal"
    message = plan_form.fields["message"].value
    assert message.startswith("Request for a meeting") and "I went quiet." in message
    assert message.rstrip().endswith("Dana")
    plan_form.fields["changed"].value = "y" * 4001
    assert "at most 4000 characters" in plan_form.fields["changed"].message.value
    assert "changed" not in store.find_plans(participant_id=app.workbook.participant.id)[0]\
        .answers
    plan_form.commitments.append("Send recap", "me", date(2026, 12, 3))
    assert store.find_plans(participant_id=app.workbook.participant.id)[0].commitments == []
    plan_form.fields["changed"].value = "Their team changed"
    kept = store.find_plans(participant_id=app.workbook.participant.id)[0]
    assert kept.commitments[0].what == "Send recap" and kept.answers["changed"]


def test_downloads_are_one_click_buttons_that_send_named_files(app):
    _joined(app)
    _add(app, "Acme")
    app.show("leave")
    view = app.views["leave"]
    name, payload = view.prepare("ics")
    assert name.startswith("reset-calendar-") and name.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in payload
    assert [b.css.split()[0] for b in view.buttons.values()] == [
        "rr-download-html", "rr-download-md", "rr-download-ics", "rr-download-csv"]


def test_resume_code_restores_everything(app, db_path, session):
    _joined(app)
    resume = app.notice.children[0].children[0].value.split("rr-resume-shown\">")[1][:14]
    _add(app, "Acme")
    again = ParticipantApp(store_factory=lambda: Store.open(str(db_path)))
    again.join_view.resume.value = {"resume_code": resume.lower()}
    again.join_view.resume.submit.click()
    assert again.workbook.participant.id == app.workbook.participant.id
    assert again.notice.children == ()
    assert again.current == "health"  # something is still to rate
    again.show("stock")
    assert "Acme" in again.views["stock"].list.children[0].children[0].value


def test_work_on_my_own_needs_no_session(app, store):
    app.join_view.solo.value = {"name": ""}
    app.join_view.solo.submit.click()
    assert app.workbook.session is None and app.workbook.participant.session_id is None
    assert "Working on your own" in app.who.value


def test_every_interactive_widget_has_an_rr_class(app):
    _joined(app)
    _add(app, "Acme")
    for key, _ in STEPS:
        app.show(key)
    app.views["plan"].open_plan(app.workbook.relationships()[0].id)
    app.views["plan"].form.commitments.append("x")
    missing = [type(w).__name__ + ":" + str(getattr(w, "description", ""))
               for w in _walk(app) if isinstance(w, INTERACTIVE)
               and not any(c.startswith("rr-") for c in w._dom_classes)]
    assert missing == []
    assert "Something went wrong" not in app.status.value


def test_relationship_form_alone():
    form = RelationshipForm()
    got = []
    form.on_submit(got.append)
    form.value = {"label": "Acme", "kind": "vendor"}
    form.submit.click()
    assert got[0]["label"] == "Acme" and got[0]["kind"] == "vendor"


def test_every_rr_class_is_listed_in_the_browser_readme(app):
    import re
    from pathlib import Path
    readme = (Path(__file__).parents[1] / "browser" / "README.md").read_text()
    patterns = [re.compile("^" + re.sub(r"<[a-z]+>", "[a-z-]+", token) + "$")
                for token in re.findall(r"`(rr-[a-z<>-]+)`", readme)]
    _joined(app)
    _add(app, "Acme")
    for key, _ in STEPS:
        app.show(key)
    app.views["plan"].open_plan(app.workbook.relationships()[0].id)
    used = {c for root in [app.join_view, app.notice, app.nav, *app.views.values()]
            for w in _walk(root) for c in w._dom_classes if c.startswith("rr-")}
    unlisted = sorted(c for c in used if not any(p.match(c) for p in patterns))
    assert unlisted == []


def test_serve_uses_the_packaged_notebooks_template_and_config():
    from workshop.app import serving
    server = serving.Server(port=8123, host="0.0.0.0")
    argv = server.argv()
    assert str(serving.bundled("notebooks")) in argv
    assert "--template=reset-workshop" in argv and "--show_tracebacks=False" in argv
    config = next(a for a in argv if a.startswith("--Voila.config_file_paths="))
    assert (Path(config.split("=", 1)[1]) / "voila.json").is_file()
    env = server.env("/tmp/x.sqlite", base={"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(serving.bundled("assets")),
                                                     "/elsewhere"]
    assert env["RESET_WORKSHOP_DB"] == "/tmp/x.sqlite"
    assert server.url("participant.ipynb", "code=AB") == \
        "http://localhost:8123/voila/render/participant.ipynb?code=AB"
    assert (serving.bundled("assets") / "voila" / "templates" / "reset-workshop"
            / "index.html.j2").is_file()
    assert "RESET_WORKSHOP_URL" not in env


def test_a_public_url_reaches_the_kernels_for_join_links():
    from workshop.app import serving
    server = serving.Server(port=8123, public_url="https://workshop.example.org/")
    assert server.env("/tmp/x.sqlite", base={})["RESET_WORKSHOP_URL"] == \
        "https://workshop.example.org"
    assert server.url("facilitator.ipynb").startswith("https://workshop.example.org/voila/")


def test_packaged_voila_config_culls_idle_kernels_and_hides_tracebacks():
    import json

    from workshop.app import serving
    config = json.loads((serving.PACKAGE / "voila.json").read_text())
    assert config["VoilaConfiguration"]["show_tracebacks"] is False
    # Kernels are reclaimed by the kit's kernel manager once their page is gone (no websocket
    # for idle_timeout), whatever the messages; jupyter_server's activity culler stays off
    # because the phase banner's ticks would keep every kernel looking busy.
    assert config["VoilaConfiguration"]["multi_kernel_manager_class"] == \
        "workshop.app.kernels.KitKernelManager"
    reclaim = config["KitKernelManager"]
    assert reclaim["idle_timeout"] > 0 and reclaim["connect_grace"] > 0
    assert reclaim["check_interval"] > 0 and reclaim["max_kernels"] > 0
    assert config["MappingKernelManager"]["cull_idle_timeout"] == 0


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path, capsys):
    import socket

    from workshop.cli import main
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--port", str(port), "--no-browser",
                     "--db", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert code == 1 and "already in use" in err and "Traceback" not in err


def test_a_too_long_name_is_refused_beside_the_name(app):
    join = app.join_view.join
    join.value = {"name": "N" * 61}
    join.submit.click()
    assert "at most 60 characters" in join.fields["name"].message.value
    assert app.workbook is None and join.fields["name"].value == "N" * 61


def test_the_map_is_drawn_off_the_page_once_everything_is_rated(app):
    """Rating the last relationship has the map built and drawn while the person reads the
    notice (on the kernel's loop), so the room's move to the map only shows it: no chart is
    drawn or sent again then."""
    import asyncio

    async def rate_everything():
        _joined(app)
        for label in ("Acme", "Beta"):
            _add(app, label)
        app.show("health")
        view = app.views["health"]
        for _ in range(2):
            form = view.slot.children[0]
            form.value = {key: 4 for key in form.dimension_keys}
            form.submit.click()
            assert "map" not in app.views or "All 2" in view.saved.value  # only at the end
        await asyncio.sleep(0.05)  # the kernel is free: the map is prepared

    asyncio.run(rate_everything())
    prepared = app.views["map"]
    slots = [prepared.portfolio, prepared.priority, prepared.states, prepared.radar]
    assert all(slot.outputs for slot in slots) and app.current == "health"
    drawn = [slot._drawn for slot in slots]
    app.show("map")
    assert app.body.children[0] is prepared and app.current == "map"
    assert [slot._drawn for slot in slots] == drawn  # shown as drawn: nothing sent again


def test_preparing_a_step_without_an_event_loop_does_nothing(app):
    _joined(app)
    app.prepare("map")
    assert "map" not in app.views


def test_the_plan_is_built_off_the_page_while_the_map_is_read(app, monkeypatch):
    import asyncio

    from workshop.app import participant

    monkeypatch.setattr(participant, "PREPARE_PLAN_AFTER", (0.01, 0.02))

    async def read_the_map():
        _joined(app)
        _add(app, "Acme")
        app.show("map")
        assert "plan" not in app.views  # not while the map itself is being shown
        await asyncio.sleep(0.1)

    asyncio.run(read_the_map())
    prepared = app.views["plan"]
    assert app.current == "map" and prepared not in app.body.children
    app.show("plan")
    assert app.body.children[0] is prepared and app.current == "plan"
