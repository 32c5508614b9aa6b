"""The browser-side phase countdown: what the kernel tells the page, and when."""

from datetime import timedelta

from workshop.app.countdown import Countdown


def _messages(widget: Countdown) -> list:
    changes: list = []
    widget.observe(lambda change: changes.append(change["name"]),
                   names=["ends_at", "total_s", "ending_s"])
    return changes


def test_the_page_is_told_the_end_once_per_phase_not_every_second(store):
    session, _ = store.add_session("T", timeboxes={"inventory": 10})
    countdown = Countdown("rr-extra")
    changes = _messages(countdown)
    countdown.follow(session)
    assert (countdown.ends_at, countdown.total_s, changes) == (0.0, 0, [])  # nothing runs
    assert "rr-countdown" in countdown._dom_classes and "rr-extra" in countdown._dom_classes
    session = store.set_phase(session.id, "inventory")
    countdown.follow(session)
    assert countdown.ends_at == session.phase_started_at.timestamp() + 600
    assert (countdown.total_s, countdown.ending_s) == (600, 120)  # 20 %, at most 2 minutes
    told = len(changes)
    for _ in range(5):  # the banner polls every half second
        countdown.follow(store.get_session(session.id))
    assert len(changes) == told  # the same phase: nothing more for the page
    later = store.update_session(session.id, phase_started_at=session.phase_started_at
                                 - timedelta(seconds=30))
    countdown.follow(later)
    assert countdown.ends_at == session.phase_started_at.timestamp() + 570
    assert countdown.clock().badge == "9:30 left" or countdown.clock().badge.startswith("9:2")


def test_the_page_asks_for_the_servers_time_and_gets_it(monkeypatch):
    countdown = Countdown()
    sent: list = []
    monkeypatch.setattr(countdown, "send", sent.append)
    monkeypatch.setattr("workshop.app.countdown.time.time", lambda: 1_700_000_000.25)
    countdown._answer(countdown, {"ask": "now"}, [])
    countdown._answer(countdown, {"ask": "something else"}, [])
    countdown._answer(countdown, "not a dict", [])
    assert sent == [{"now": 1_700_000_000.25}]


def test_the_pages_words_are_the_clocks_words():
    """The page's ``face`` mirrors ``Clock.badge``: the same phrases in both places."""
    from workshop.app.countdown import ESM
    for words in ("left · almost up", "over by ", " left`"):
        assert words in ESM
    assert 'role", "timer"' in ESM and 'aria-live", "polite"' in ESM
