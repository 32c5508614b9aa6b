"""A person's tidy frames and scores are read and worked out once per change, not each time a
step draws them, and a change made anywhere (this page, or the same person on another
device) is seen at the next draw."""

from __future__ import annotations

from datetime import date

import pytest

from workshop import tidy
from workshop.app.workbook import Workbook
from workshop.model import new_id


@pytest.fixture
def book(store):
    session, _ = store.add_session("Frames", date.today())
    workbook, _ = Workbook.join(store, session.code, "Sam")
    return workbook


def _rate(book, rid, value):
    ratings = {d: value for d in book.session.settings.dimensions}
    book.rate(rid, new_id(), ratings)


@pytest.fixture
def loads(monkeypatch):
    counted = []
    real = tidy.load
    monkeypatch.setattr(tidy, "load", lambda *a, **k: counted.append(1) or real(*a, **k))
    return counted


def test_drawing_twice_reads_and_scores_once(book, loads, monkeypatch):
    rid = book.save_relationship({"label": "Acme"}).id
    _rate(book, rid, 4)
    scored = []
    real = tidy.Tidy.scores
    monkeypatch.setattr(tidy.Tidy, "scores", lambda self, *a: scored.append(1) or real(self, *a))
    first = book.scores()
    first["scribbled"] = 1  # a caller adding a column does not change the next reading
    again = book.scores()
    assert len(loads) == 1 and len(scored) == 1
    assert "scribbled" not in again.columns
    assert again["relationship_id"].tolist() == [rid]


def test_a_save_on_this_page_is_seen_at_the_next_draw(book, loads):
    rid = book.save_relationship({"label": "Acme"}).id
    _rate(book, rid, 1)
    low = book.scores()["health"].iloc[0]
    _rate(book, rid, 5)
    assert book.scores()["health"].iloc[0] > low
    assert len(loads) == 2


def test_the_same_person_on_another_device_is_seen_too(book, store):
    rid = book.save_relationship({"label": "Acme"}).id
    _rate(book, rid, 1)
    low = book.scores()["health"].iloc[0]
    phone = Workbook(store, book.participant)  # the same person, another page
    _rate(phone, rid, 5)
    phone.save_relationship({"label": "Globex"})
    assert book.scores()["health"].iloc[0] > low
    assert set(book.frames().relationships["label"]) == {"Acme", "Globex"}


def test_a_plan_saved_is_in_the_frames_but_does_not_score_again(book, monkeypatch):
    rid = book.save_relationship({"label": "Acme"}).id
    _rate(book, rid, 3)
    before = book.scores()
    scored = []
    real = tidy.Tidy.scores
    monkeypatch.setattr(tidy.Tidy, "scores", lambda self, *a: scored.append(1) or real(self, *a))
    book.save_plan(new_id(), rid, {"message": "Could we meet next week?"})
    assert len(book.frames().plans) == 1
    assert book.scores().equals(before)
    assert scored == []
