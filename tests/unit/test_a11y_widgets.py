"""Accessibility the kernel decides, without a browser: every form control has a name, text
reaches the kernel whole, and the keyboard focus is sent to the right place when a step opens
(tests/browser/test_a11y.py checks the pages themselves with axe-core)."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets
import pytest

from workshop.app.components import Field, named
from workshop.app.facilitator_forms import SessionForm
from workshop.app.inventory import RelationshipForm
from workshop.app.participant import STEPS, ParticipantApp, heading_of
from workshop.app.plan_form import CommitmentRows, MeetingInput
from workshop.store import Store

CONTROLS = (widgets.Text, widgets.Textarea, widgets.Dropdown, widgets.DatePicker,
            widgets.IntText, widgets.FloatText)


def _controls(widget):
    if isinstance(widget, CONTROLS):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from _controls(child)


def test_a_field_names_its_control_with_its_label_for_screen_readers_only():
    field = Field("label", "Who is it?", widgets.Text(), css="rr-rel-label")
    assert field.control.description == "Who is it?"
    assert {"rr-named", "rr-rel-label"} <= set(field.control._dom_classes)
    head = field.children[0].value
    assert 'aria-hidden="true"' in head and "Who is it?" in head  # read once, as the name


def test_a_box_in_a_field_keeps_its_label_visible_to_everyone():
    field = Field("meeting", "Meeting", MeetingInput())
    assert "aria-hidden" not in field.children[0].value
    assert all(c.description for c in _controls(field.control))


@pytest.mark.parametrize("form", [RelationshipForm, SessionForm, MeetingInput],
                         ids=["relationship", "new session", "meeting"])
def test_every_control_of_a_form_has_a_name(form):
    built = form()
    unnamed = [type(c).__name__ for c in _controls(built) if not c.description.strip()]
    assert unnamed == []


def test_commitment_rows_are_named():
    rows = CommitmentRows(on_edit=lambda: None)
    rows.append("Send a recap")
    names = [c.description for c in _controls(rows)]
    assert names == ["Commitment: what", "Commitment: who", "Commitment: by when"]


def test_text_reaches_the_kernel_when_the_field_is_left_not_per_keystroke():
    for control in (widgets.Text(), widgets.Textarea(), widgets.Password()):
        assert named(control, "Name").continuous_update is False
    dropdown = named(widgets.Dropdown(options=["a"]), "Pick")
    assert dropdown.description == "Pick"


@pytest.fixture
def app(tmp_path):
    path = str(tmp_path / "a11y.sqlite")
    with Store.open(path) as store:
        session, _ = store.add_session("Focus session", date.today())
    return ParticipantApp(session.code, store_factory=lambda: Store.open(path))


def test_joining_focuses_the_resume_notice_then_each_step_its_heading(app):
    app.join_view.join.value = {"name": "Dana"}
    app.join_view.join.submit.click()
    assert app.focus_mover.requested == ".rr-resume-notice h3"  # the code shown once
    app.notice.children[0].done.click()
    assert app.focus_mover.requested == heading_of("stock") == ".rr-view-stock h2"
    for key, _ in STEPS:
        app.show(key)
        assert f"rr-view-{key}" in app.views[key]._dom_classes
        assert app.focus_mover.requested == heading_of(key)


def test_refreshing_the_open_step_leaves_the_focus_where_it_is(app):
    app.join_view.join.value = {"name": "Dana"}
    app.join_view.join.submit.click()
    app.show("health")
    app.focus_mover.requested = None
    app.show("health")  # e.g. the facilitator's phase names the step already open
    assert app.focus_mover.requested is None


def test_forgetting_focuses_the_message_that_says_so(app):
    app.join_view.join.value = {"name": "Dana"}
    app.join_view.join.submit.click()
    app.forget()
    assert app.focus_mover.requested == ".rr-app-status"
    assert "forgotten" in app.status.value
