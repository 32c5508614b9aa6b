"""The presenter view without a browser: what each moment of the workshop puts on the
projector, which links open it, how it follows the console, and the console's cards for it
(presenter links, chart stepping, printable materials)."""

from __future__ import annotations

import base64
import re
from datetime import date

import pytest

from workshop import projector
from workshop.app.components import esc
from workshop.app.facilitator import SessionConsole
from workshop.app.facilitator_share import PrintPanel
from workshop.app.presenter import PresenterView, link_parts
from workshop.content import content
from workshop.errors import AccessDenied


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A store of its own holding the demo session (these tests move it through phases)."""
    from workshop.store import Store
    with Store.open(str(tmp_path_factory.mktemp("presenter") / "demo.sqlite")) as opened:
        yield opened


@pytest.fixture
def demo(demo_store):
    """The demo session before the workshop starts, results hidden."""
    from workshop.demo import load_demo
    loaded = load_demo(demo_store)
    demo_store.set_phase(loaded.session.id, None)
    projector.set_projector(demo_store, loaded.session.id, revealed=False, chart="states")
    return loaded


def test_slides_follow_phase_then_reveal_then_chosen_chart(store):
    session, _ = store.add_session("Slides", date(2026, 1, 5))
    assert projector.slide(session).kind == "join"
    session = store.set_phase(session.id, "map")
    assert projector.slide(session).kind == "phase"
    assert projector.slide(session).phase_title == "See the map"
    session = projector.set_projector(store, session.id, revealed=True)
    shown = projector.slide(session)
    assert (shown.kind, shown.chart, shown.position) == ("chart", "states", "Chart 1 of 5")
    session = projector.set_projector(store, session.id, chart="gaps")
    assert projector.slide(session).chart_title == "Perception gaps on shared relationships"
    last = session.settings.projector
    assert projector.stepped(last, +1).chart == "gaps"  # stays at the last
    assert projector.stepped(last, -4).chart == "states"
    with pytest.raises(ValueError):
        projector.set_projector(store, session.id, chart="names")


def test_a_small_room_sees_how_many_more_people_are_needed_never_a_chart(store):
    from workshop import aggregate
    session, _ = store.add_session("Small", date(2026, 1, 5), anonymity_threshold=5)
    group = aggregate.session_group(store, session)
    assert projector.waiting_note(group, "states") == "Waiting for 5 more people to rate."


def test_presenter_link_carries_code_and_token_never_the_key(demo_store, demo):
    console = SessionConsole(demo_store, demo.session, start=False)
    url = console.presenter.make_link()
    token, code = link_parts(url)
    assert code == demo.session.code and token and demo.facilitator_key not in url
    assert "Open presenter view" in console.presenter.link.value
    assert demo_store.find_share(token, kind="presenter").id == demo.session.id
    with pytest.raises(AccessDenied):
        demo_store.find_share(token)  # not a dashboard link
    assert console.share.live.children == ()  # the dashboard card lists only its own links
    console.close()


def test_presenter_follows_phase_reveal_and_chart_and_shows_nothing_private(demo_store, demo):
    console = SessionConsole(demo_store, demo.session, start=False)
    view = PresenterView(demo_store, console.presenter.make_link(), start=False)
    assert demo.session.code in view.screen.body.value and "rr-qr-img" in view.screen.body.value
    console.move("health_check")
    view.refresh()
    title = content().phase("health_check").title
    assert f"<h1>{esc(title)}</h1>" in view.screen.body.value
    assert view.screen.now.value == f"Now: {esc(title)}"
    console.group.reveal.value = True
    view.refresh()
    assert "Where the room&#x27;s relationships stand" in view.screen.body.value
    assert view.screen.chart.outputs  # the demo room is above the threshold
    console.presenter.next.click()
    view.refresh()
    assert "Average and spread per dimension" in view.screen.body.value
    assert "Chart 2 of 5" in view.screen.body.value
    shown = " ".join(w.value for w in (view.screen.body, view.screen.note, view.screen.footer,
                                      view.screen.now))
    assert demo.facilitator_key not in shown and "fk-" not in shown
    assert not any(re.search(rf"\b{n}\b", shown) for n in ("Amara", "Ben", "Chen"))
    console.group.reveal.value = False
    view.refresh()
    assert view.screen.chart.outputs == () and "Chart" not in view.screen.body.value
    console.close()
    view.close()


def test_revoked_and_unknown_links_say_so_plainly(demo_store, demo):
    console = SessionConsole(demo_store, demo.session, start=False)
    url = console.presenter.make_link()
    view = PresenterView(demo_store, url, start=False)
    live = [s for s in demo_store.find_shares(demo.session.id, kind="presenter")
            if s.revoked_at is None]
    assert console.presenter.revoke_all() == len(live) >= 1
    assert all(s.revoked_at for s in demo_store.find_shares(demo.session.id, kind="presenter"))
    assert PresenterView(demo_store, url, start=False).message.value.count(
        "This presenter view link was revoked by the facilitator.") == 1
    assert "is not valid" in PresenterView(demo_store, "?share=nope&code=RESET2",
                                           start=False).message.value
    other = url.replace(f"code={demo.session.code}", "code=ABCDEF")
    _, fresh = demo_store.add_share(demo.session.id, kind="presenter")
    wrong = PresenterView(demo_store, other.split("share=")[0] + f"share={fresh}",
                          start=False)
    assert "belongs to another session" in wrong.message.value
    assert "needs the presenter link" in PresenterView(demo_store, "", start=False).message.value
    console.close()
    view.close()


def test_console_print_card_offers_the_sessions_cards_and_handout(store):
    session, _ = store.add_session("Print me", date(2026, 2, 2), dimensions=["trust"],
                                   weights={"trust": 1.0})
    panel = PrintPanel(session)
    panel.paper.value, panel.cut_marks.value = "letter", True
    name = panel.prepare("cards")
    assert name == f"reset-{session.code}-cards-letter.html"
    payload = re.search(r'data-payload="([^"]+)"', panel.links.value).group(1)
    page = base64.b64decode(payload).decode("utf-8")
    assert "size: Letter" in page and 'class="mark' in page and "<h2>Trust</h2>" in page
    assert panel.prepare("handout").endswith("agenda-handout-letter.html")
