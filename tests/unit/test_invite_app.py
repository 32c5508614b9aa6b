"""The invite page and the participant's "Ask the other side" panel, driven without a browser:
build, set values, click, and read what each side would see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from workshop import db
from workshop.app.checkin import CheckInView
from workshop.app.invite_page import NO_TOKEN, InvitePage, token_from_query
from workshop.app.invite_panel import InvitePanel
from workshop.app.plan_view import PlanView
from workshop.app.workbook import Workbook
from workshop.invites import Invites
from workshop.model import utcnow
from workshop.store import Store

DIMS = ["communication", "trust", "expectations", "momentum", "mutual_value", "responsiveness"]


def _texts(widget) -> str:
    """Everything a widget tree would put on the page (values, labels, outputs)."""
    parts = []
    for name in ("value", "description", "placeholder", "tooltip", "outputs", "options"):
        value = getattr(widget, name, None)
        if value is not None and not callable(value):
            parts.append(str(value))
    for child in getattr(widget, "children", ()):
        parts.append(_texts(child))
    return "\n".join(parts)


@pytest.fixture
def book(db_path):
    store = Store.open(str(db_path))
    session, _ = store.add_session("Q3 reset")
    workbook, _ = Workbook.join(store, session.code, "Dana <i>R</i>")
    rel = workbook.save_relationship({"label": "Northwind Logistics"})
    other = workbook.save_relationship({"label": "SECRET-OTHER-RELATIONSHIP"})
    workbook.rate(rel.id, "c1", {d: 3 for d in DIMS}, note="SECRET-NOTE")
    workbook.rate(other.id, "c2", {d: 1 for d in DIMS})
    yield workbook, rel, db_path
    store.close()


def _panel(workbook, rel, **more) -> tuple[InvitePanel, str]:
    panel = InvitePanel(workbook, rel.id, **more)
    panel.make.click()
    token = re.search(r"invite\.ipynb\?token=([\w-]+)", panel.made.children[0].value).group(1)
    return panel, token


def _page(token, db_path) -> InvitePage:
    return InvitePage(token, store_factory=lambda: Store.open(str(db_path)))


def test_the_token_comes_from_the_page_address():
    assert token_from_query("token=abc-_1&x=2") == "abc-_1"
    assert token_from_query("") == token_from_query("code=ABC") == ""


def test_a_page_without_a_token_or_with_an_unknown_one_says_so(book):
    _, _, path = book
    assert NO_TOKEN in _texts(_page("", path))
    assert "is not valid" in _texts(_page("made-up", path))


def test_the_welcome_says_who_asks_and_what_is_shared_and_nothing_else(book):
    workbook, rel, path = book
    _, token = _panel(workbook, rel)
    page = _page(token, path)
    shown = _texts(page)
    assert "Dana &lt;i&gt;R&lt;/i&gt; would like to hear how things look from your side" in shown
    assert "What stays private" in shown and "No account is needed" in shown
    assert "How openly and easily do you and Dana &lt;i&gt;R&lt;/i&gt; talk" in shown
    assert len(page.form.dimension_keys) == 6
    for secret in ("SECRET-OTHER-RELATIONSHIP", "SECRET-NOTE", "Q3 reset"):
        assert secret not in shown


def test_answers_save_as_they_go_and_a_second_visit_can_amend_them(book):
    workbook, rel, path = book
    _, token = _panel(workbook, rel)
    page = _page(token, path)
    page.form.fields["trust"].value = 2
    page.form.fields["need_mine"].value = "A monthly call"
    assert "Saved at" in page.form.status.value
    again = _page(token, path)
    assert again.form.fields["trust"].value == 2
    assert again.form.fields["need_mine"].value == "A monthly call"
    again.form.fields["trust"].value = 4
    assert Invites(workbook.store).open(token).ratings == {"trust": 4}


def test_submitting_with_questions_unanswered_says_which_and_keeps_everything(book):
    workbook, rel, path = book
    _, token = _panel(workbook, rel)
    page = _page(token, path)
    page.form.fields["trust"].value = 2
    page.form.submit.click()
    flagged = [k for k, f in page.form.fields.items() if f.message.value]
    assert flagged == [d for d in DIMS if d != "trust"]
    assert "please answer the highlighted" in page.form.status.value
    assert page.form.fields["trust"].value == 2
    assert Invites(workbook.store).open(token).submitted_at is None


def _answer_all(page, value=5, need="<script>alert(1)</script>"):
    for key in page.form.dimension_keys:
        page.form.fields[key].value = value
    page.form.fields["need_mine"].value = need
    page.form.submit.click()


def test_after_submitting_both_sides_see_the_comparison_with_text_shown_as_text(book):
    workbook, rel, path = book
    panel, token = _panel(workbook, rel)
    page = _page(token, path)
    _answer_all(page)
    shown = _texts(page)
    assert "Thank you: your answers are with Dana &lt;i&gt;R&lt;/i&gt;" in shown
    assert "Where you see it differently" in shown and "rr-chart-comparison" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>" not in shown
    for secret in ("SECRET-OTHER-RELATIONSHIP", "SECRET-NOTE"):
        assert secret not in shown
    assert page.form.fields["trust"].value == 5  # the answers are no longer editable there
    assert _page(token, path).form is None  # a second visit shows the thanks, not the form
    panel.check.click()
    mine = _texts(panel)
    assert "answered" in mine and "The biggest differences: Communication (you 3, them 5)" in mine
    assert "What Northwind Logistics says they need now: &lt;script&gt;" in mine


def test_the_other_side_waits_for_the_participants_ratings(db_path):
    with Store.open(str(db_path)) as store:
        workbook, _ = Workbook.alone(store, "Dana")
        rel = workbook.save_relationship({"label": "Acme"})
        _, token = _panel(workbook, rel)
        page = _page(token, db_path)
        _answer_all(page, need="")
        assert "has not rated the relationship yet" in _texts(page)


def test_withdrawing_stops_the_link_and_deleting_needs_a_second_press(book):
    workbook, rel, path = book
    panel, token = _panel(workbook, rel)
    _answer_all(_page(token, path), 4)
    assert "rr-invite-waiting" in panel.list.children[0]._dom_classes
    panel.check.click()  # "Check for answers"
    row = panel.list.children[0]
    assert "rr-invite-submitted" in row._dom_classes
    next(c for c in row.children if "rr-invite-revoke" in c._dom_classes).click()
    assert "rr-invite-revoked" in panel.list.children[0]._dom_classes
    assert "withdrawn by the person who sent it" in _texts(_page(token, path))
    delete = next(c for c in panel.list.children[0].children
                  if "rr-invite-delete" in c._dom_classes)
    delete.click()
    assert len(Invites(workbook.store).find(rel.id)) == 1  # not yet
    next(c for c in panel.list.children[0].children
         if "rr-invite-delete" in c._dom_classes).click()
    assert Invites(workbook.store).find(rel.id) == [] and panel.list.children == ()
    assert panel.compared.children == ()


def test_an_expired_link_says_so(book):
    workbook, rel, path = book
    _, token = _panel(workbook, rel)
    with workbook.store._write() as conn:
        conn.execute(db.invitations.update().values(created_at=utcnow() - timedelta(days=20),
                                                    expires_at=utcnow() - timedelta(days=6)))
    assert "has expired" in _texts(_page(token, path))


def test_a_link_to_this_computer_says_the_other_party_cannot_open_it(book, monkeypatch):
    workbook, rel, _ = book
    monkeypatch.setenv("RESET_WORKSHOP_URL", "http://127.0.0.1:8866")
    panel, _ = _panel(workbook, rel)
    assert "cannot open it from theirs" in panel.made.children[0].value
    monkeypatch.setenv("RESET_WORKSHOP_URL", "https://reset.example.org")
    panel, _ = _panel(workbook, rel)
    assert "https://reset.example.org/voila/render/invite.ipynb?token=" in \
        panel.made.children[0].value
    assert "cannot open it" not in panel.made.children[0].value


def test_bad_names_are_refused_beside_the_field(book):
    workbook, rel, _ = book
    panel = InvitePanel(workbook, rel.id)
    panel.inviter.value = "   "
    panel.them.value = "x" * 61
    panel.make.click()
    assert panel.inviter.message.value == "cannot be empty"
    assert panel.them.message.value == "must be at most 60 characters"
    assert Invites(workbook.store).find(rel.id) == []


def test_the_plan_gains_the_panel_the_link_in_the_message_and_the_differently_lines(book):
    workbook, rel, path = book
    view = PlanView(workbook)
    view.refresh()
    view.open_plan(rel.id)
    panel = view.slot.children[-1]
    assert isinstance(panel, InvitePanel)
    view.form.fields["tone"].value = "formal"
    panel.make.click()
    made = panel.made.children[0].value
    assert "Your perspective on our working relationship" in made  # the plan's tone
    token = re.search(r"token=([\w-]+)", made).group(1)
    next(c for c in panel.made.children if "rr-invite-to-message" in c._dom_classes).click()
    assert view.form.fields["message"].value.endswith(f"invite.ipynb?token={token}")
    _answer_all(_page(token, path), 1, need="Fewer surprises")
    panel.check.click()
    add = [w for w in _walk(panel) if "rr-invite-to-plan" in getattr(w, "_dom_classes", ())]
    add[0].click()
    changed = view.form.fields["changed"].value
    assert "I rate Communication higher than Northwind Logistics does (3 against their 1)" \
        in changed
    assert "What Northwind Logistics says they need now: Fewer surprises" in \
        view.form.fields["need_theirs"].value
    saved = workbook.plans()[rel.id]  # the form saves what was added, like any edit
    assert "I rate Communication higher" in saved.answers["changed"]
    add[0].click()  # twice: nothing doubled
    assert view.form.fields["changed"].value == changed


def test_check_in_later_can_invite_again(book):
    workbook, rel, _ = book
    view = CheckInView(workbook)
    view.shown()
    view.pick.value = rel.id
    panel = view.invite_slot.children[0]
    assert isinstance(panel, InvitePanel) and panel.relationship_id == rel.id
    panel.them.value = "Sam"
    panel.make.click()
    view.open_selected()  # back later: the names of the last invitation are offered again
    again = view.invite_slot.children[0]
    assert again.them.value == "Sam" and again.inviter.value == "Dana <i>R</i>"
    again.make.click()
    assert len(Invites(workbook.store).find(rel.id)) == 2


def test_a_second_answer_later_shows_both_sides_over_time(book):
    workbook, rel, path = book
    panel, first = _panel(workbook, rel)
    _answer_all(_page(first, path), 2, need="")
    workbook.rate(rel.id, "c3", {d: 4 for d in DIMS})  # a later check-in
    panel.make.click()
    second = re.search(r"token=([\w-]+)", panel.made.children[0].value).group(1)
    _answer_all(_page(second, path), 5, need="")
    panel.check.click()
    history = [w for w in _walk(panel) if "rr-invite-history" in getattr(w, "_dom_classes", ())]
    rows = re.findall(r"<tr><td>[^<]+</td><td>([\d.]+)</td><td>([\d.]+)</td></tr>",
                      history[0].value)
    assert rows == [("3.0", "2.0"), ("4.0", "5.0")]  # each answer beside my rating of its time


def test_the_written_plan_carries_where_we_see_it_differently(book):
    from workshop import action_plan
    workbook, rel, path = book
    workbook.save_plan("p1", rel.id, {"need_mine": "A standing call"})
    _, token = _panel(workbook, rel)
    _answer_all(_page(token, path), 1, need="<script>alert(1)</script> | *fast*")
    markdown = action_plan.markdown_document(workbook.plan_book())
    section = markdown[markdown.index("### Where we see it differently"):]
    assert "| Communication | 3 | 1 | -2 |" in section
    assert "**What you need now:** A standing call" in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*fast\\*" in section
    assert "- I rate Communication higher than Northwind Logistics does" in section
    page = action_plan.html_document(workbook.plan_book())
    assert "<h3>Where we see it differently</h3>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert page.count("Plotly.newPlot") >= 2  # the comparison chart, beside the others


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
