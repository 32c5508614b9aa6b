"""Every ``rr-`` class of the facilitator console and the phase banner is listed in
``tests/browser/README.md`` (as the participant app's are, see test_participant_app.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workshop.app.facilitator import FacilitatorConsole
from workshop.app.phase import PhaseBanner
from workshop.model import CheckIn, Relationship, make

README = Path(__file__).parents[1] / "browser" / "README.md"
CLASS_ATTR = re.compile(r"""class=["']([^"']*)["']""")


def _listed() -> list[re.Pattern]:
    """The README's backticked classes; a ``<placeholder>`` stands for any key or code."""
    return [re.compile("^" + re.sub(r"<[a-z]+>", "[A-Za-z0-9_-]+", token) + "$")
            for token in re.findall(r"`(rr-[a-z<>-]+)`", README.read_text())]


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _classes(root) -> set[str]:
    """The rr- classes of every widget under ``root``, and of the markup its HTML widgets hold."""
    found = set()
    for widget in _walk(root):
        found.update(widget._dom_classes)
        value = getattr(widget, "value", None)
        if isinstance(value, str):
            for attr in CLASS_ATTR.findall(value):
                found.update(attr.split())
    return {c for c in found if c.startswith("rr-")}


def _participant(store, session, value: int) -> None:
    person, _ = store.join(session.code, "Pat")
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label="Acme",
                                      kind="client", shared_label=None))
    store.add_checkin(make(CheckIn, relationship_id=rel.id, note="",
                           ratings={d: value for d in session.settings.dimensions}))
    store.mark_progress(person.id, "inventory")
    store.mark_progress(person.id, "health")


@pytest.fixture
def console(store):
    made = FacilitatorConsole(store, start=False)
    yield made
    made.close()


def test_every_console_and_banner_rr_class_is_listed_in_the_browser_readme(console, store):
    used = set()
    form = console.new_form
    form.dimensions.add_named("Shared goals")  # a dimension of the facilitator's own
    form.dimensions.add_named("42")  # refused: its message beside the picker
    form.value = {"title": ""}
    form.submit.click()  # refused: messages beside the fields, rr-invalid
    console.open_form.submit.click()
    used |= _classes(console)

    form.value = {"title": "Q3 reset", "anonymity_threshold": 3}
    form.submit.click()
    current = console.current
    assert current is not None, form.status.value
    key = current.children[2].children[1].value.split('rr-facilitator-key">')[1].split("<")[0]
    used |= _classes(console)  # with the key notice

    for value in (2, 3, 4):
        _participant(store, current.session, value)
    current.refresh()
    current.group.reveal.value = True
    current.agenda.next.click()  # start: the first phase becomes current
    current.agenda.next.click()
    banner = PhaseBanner(store, current.session.id, start=False)
    try:
        for fmt in ("html", "csv"):
            current.exports.prepare(fmt)
            used |= _classes(current)
        current.exports.key.value = "fk-wrong"
        current.exports.full.click()  # refused: the export status shows an error
        used |= _classes(current)
        current.exports.key.value = key
        current.exports.full.click()
        current.delete_button.click()
        current.close_button.click()
        used |= _classes(console) | _classes(banner)
    finally:
        banner.close()

    console.show_home()
    used |= _classes(console)
    assert any(c.startswith("rr-session-") and c != "rr-session-list" for c in used)
    patterns = _listed()
    unlisted = sorted(c for c in used if not any(p.match(c) for p in patterns))
    assert unlisted == []
