"""Facilitator keys: wrong keys slow down per session, an unknown code answers like a known
one, and the key shown once leaves the kernel when the facilitator has saved it."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest
from ipywidgets.widgets.widget import _instances

from workshop import codes, keyguard
from workshop import store as store_module
from workshop.app.facilitator import FacilitatorConsole
from workshop.errors import AccessDenied, TooManyAttempts
from workshop.store import Store

MATCH = "That session code and facilitator key do not match."


class Clock:
    """A settable 'now' for the store, so waits can be crossed without sleeping."""

    def __init__(self):
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    made = Clock()
    monkeypatch.setattr(store_module, "utcnow", made)
    return made


def _wrong(store, code: str) -> AccessDenied:
    with pytest.raises(AccessDenied) as refused:
        store.open_console(code, "fk-wrong")
    return refused.value


def test_waits_start_after_three_wrong_keys_double_and_stop_at_five_minutes():
    assert [keyguard.wait_after(n) for n in range(1, 9)] == [0, 0, 1, 2, 4, 8, 16, 32]
    assert keyguard.wait_after(12) == keyguard.wait_after(500) == 300
    assert keyguard.time_to_try(200) > 15 * 3600  # 200 wrong keys now take hours, not seconds


def test_wrong_keys_in_a_row_make_the_next_try_wait(store, clock):
    session, key = store.add_session("Real")
    for _ in range(3):
        assert str(_wrong(store, session.code)) == MATCH
    refused = _wrong(store, session.code)
    assert isinstance(refused, TooManyAttempts) and refused.retry_after == 1
    assert str(refused) == "Too many wrong keys for this session: try again in 1 second."
    clock.advance(1)
    assert str(_wrong(store, session.code)) == MATCH  # 4th wrong key: the wait doubles
    clock.advance(1.5)
    assert str(_wrong(store, session.code)) == ("Too many wrong keys for this session: "
                                                "try again in 1 second.")
    clock.advance(0.5)
    _wrong(store, session.code)  # 5th: 4 s
    assert _wrong(store, session.code).retry_after == 4


def test_a_try_during_the_wait_is_refused_without_checking_even_the_right_key(
        store, clock, monkeypatch):
    session, key = store.add_session("Real")
    for _ in range(3):
        _wrong(store, session.code)
    checked = []
    monkeypatch.setattr(codes, "verify_secret", lambda *a: checked.append(a) or True)
    with pytest.raises(TooManyAttempts):
        store.open_console(session.code, key)
    assert checked == []


def test_a_right_key_resets_the_count(store, clock):
    session, key = store.add_session("Real")
    for _ in range(2):
        _wrong(store, session.code)
    assert store.open_console(session.code, key).id == session.id
    for _ in range(2):
        assert not isinstance(_wrong(store, session.code), TooManyAttempts)
    assert store.open_console(session.code, key).id == session.id


def test_the_count_is_per_session_and_shared_by_every_kernel(db_path, clock):
    with Store.open(str(db_path)) as one, Store.open(str(db_path)) as other:
        locked, _ = one.add_session("Locked")
        free, free_key = one.add_session("Free")
        for page in (one, other, one):  # three pages, each with its own kernel and engine
            _wrong(page, locked.code)
        assert isinstance(_wrong(other, locked.code), TooManyAttempts)
        assert other.open_console(free.code, free_key).id == free.id


def _time_of_a_wrong_key(store, code: str) -> float:
    start = time.perf_counter()
    _wrong(store, code)
    return time.perf_counter() - start


def test_unknown_codes_answer_in_the_same_time_and_words_as_known_ones(store):
    keyguard.decoy_hash()  # made once per process; not part of what is compared
    known, unknown = [], []
    for n in range(5):  # fresh sessions: one wrong key each, so no wait gets in the way
        session, _ = store.add_session(f"Timing {n}")
        known.append(_time_of_a_wrong_key(store, session.code))
        unknown.append(_time_of_a_wrong_key(store, "NOSUCH"))
    ratio = statistics.median([u / k for k, u in zip(known, unknown, strict=True)])  # same load
    assert 0.5 < ratio < 2.0, (known, unknown)
    assert str(_wrong(store, "NOSUCH")) == MATCH


def test_the_open_form_says_how_long_to_wait(store, clock):
    session, key = store.add_session("Real")
    console = FacilitatorConsole(store, start=False)
    form = console.open_form
    for _ in range(4):
        form.value = {"code": session.code, "key": "fk-wrong"}
        form.submit.click()
    assert form.status.value == "Too many wrong keys for this session: try again in 1 second."
    assert form.fields["key"].value == "fk-wrong"  # nothing typed is lost
    clock.advance(1)
    form.value = {"code": session.code, "key": key}
    form.submit.click()
    assert console.current.session.id == session.id
    console.close()


def _holding(secret: str) -> list[str]:
    """Every live widget model whose state holds ``secret``."""
    return [f"{type(w).__name__} {w.model_id}" for w in list(_instances.values())
            if secret in repr(w.get_state())]


def _create(console: FacilitatorConsole) -> str:
    console.new_form.value = {"title": "Key test"}
    console.new_form.submit.click()
    notice = next(c for c in console.current.children if type(c).__name__ == "KeyNotice")
    key = notice.shown.value.split('rr-facilitator-key">')[1].split("<")[0]
    assert key.startswith("fk-") and _holding(key)  # shown once, as it should be
    return key


def test_no_live_widget_holds_the_key_after_it_was_saved(store):
    console = FacilitatorConsole(store, start=False)
    key = _create(console)
    notice = next(c for c in console.current.children if type(c).__name__ == "KeyNotice")
    parts = [notice, *notice.children]
    notice.dismiss.click()
    assert _holding(key) == []
    assert all(part.comm is None for part in parts)  # closed: gone from the page too
    assert notice not in console.current.children
    console.close()


def test_no_live_widget_holds_the_key_after_leaving_without_saving_it(store):
    console = FacilitatorConsole(store, start=False)
    key = _create(console)
    console.back.click()
    assert _holding(key) == []
    console.close()
