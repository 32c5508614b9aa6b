"""Both sides of a relationship, in two browser contexts: a participant invites the other
party; the other party opens the link on a phone-sized page, rates, and submits; both see the
comparison; the plan download carries it; a withdrawn link is refused. The invite page is
audited with axe-core (0 serious or critical violations)."""

from __future__ import annotations

import re

import pytest

from .conftest import LAPTOP, PAGE_READY_MS, PHONE
from .test_participant import DIMENSIONS, App

THEM = "Sam at Northwind"
THEIRS = {"communication": 5, "trust": 2, "expectations": 4, "momentum": 4,
          "mutual-value": 1, "responsiveness": 4}  # the participant rates everything 3
NEED = "<img src=x onerror=window.__pwned=1> Earlier warning of delays"


def _axe_blocking(page) -> list[str]:
    """Serious and critical axe-core findings on the page at phone and laptop widths."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    found = []
    for size in (PHONE, LAPTOP):
        page.set_viewport_size(size)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                      "requestAnimationFrame(r)))")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found += [f"@{size['width']} {violation['id']}: {node['html'][:120]}"
                          for node in violation["nodes"]]
    page.set_viewport_size(PHONE)
    return found


def _points(page, chart: str, count: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('{chart} .scatterlayer .point').length === {count}",
        timeout=PAGE_READY_MS)


def _participant_invites(page) -> str:
    app = App(page)
    app.join("Dana")
    page.locator(".rr-resume-saved").click()
    app.add_relationship("Northwind Logistics", "5")
    page.locator(".rr-next-health").click()
    page.locator(".rr-rating-card .rr-rating-trust").wait_for()
    app.rate_current(3)
    app.step("plan")
    page.locator(".rr-plan-start").first.click()
    panel = page.locator(".rr-invite-panel")
    panel.wait_for()
    panel.locator(".rr-invite-them input").fill(THEM)
    panel.locator(".rr-invite-make").click()
    link = panel.locator(".rr-invite-link code").inner_text().strip()
    assert re.search(r"/invite\.ipynb\?token=[\w-]{32,}$", link), link
    assert THEM in panel.locator(".rr-invite-email").inner_text()
    assert "not opened or not answered yet" in panel.locator(".rr-invite-row").inner_text()
    panel.locator(".rr-invite-to-message").click()
    page.wait_for_function("l => document.querySelector('.rr-message textarea').value"
                           ".endsWith(l)", arg=link)
    return link


def _other_party_answers(other, shoot) -> None:
    other.locator(".rr-invite-welcome").wait_for()
    welcome = other.locator(".rr-invite-welcome").inner_text()
    assert "Dana would like to hear how things look from your side" in welcome
    assert "What stays private" in welcome
    assert "How openly and easily do you and Dana talk" in other.locator(
        ".rr-invite-answers").inner_text()
    assert other.evaluate("() => document.documentElement.scrollWidth <= 375")
    shoot(other, "invite-01-welcome-375")
    assert _axe_blocking(other) == []
    other.locator(".rr-invite-need-mine textarea").fill(NEED)
    for dim, value in THEIRS.items():  # after the text: its save is done when the last is
        other.locator(f".rr-invite-rating-{dim}").get_by_role(
            "button", name=str(value), exact=True).click()
    other.locator(".rr-invite-saved", has_text="6 of 6 questions answered").wait_for()
    other.reload()  # a second visit with the same link keeps what was given
    other.locator(".rr-invite-rating-mutual-value .mod-active",
                  has_text="1").wait_for(timeout=PAGE_READY_MS)
    assert other.locator(".rr-invite-need-mine textarea").input_value() == NEED
    other.locator(".rr-invite-submit").click()
    other.locator(".rr-invite-thanks").wait_for()
    _points(other, ".rr-chart-comparison", 2 * len(DIMENSIONS))
    other.wait_for_timeout(1500)  # Plotly's own resize comes a moment after drawing
    box = other.locator(".rr-chart-comparison .plot-container").bounding_box()
    assert box["width"] <= 375 - 2 * 16 and box["height"] > 300, box  # whole, and in view
    shown = other.locator(".rr-invite-page").inner_text()
    assert "Thank you: your answers are with Dana" in shown
    assert "Communication (you 5, them 3); Mutual value (you 1, them 3)" in shown
    assert "Northwind Logistics" not in shown  # the participant's own label stays theirs
    assert other.evaluate("() => window.__pwned === undefined")
    shoot(other, "invite-02-comparison-375")
    assert _axe_blocking(other) == []


def test_both_sides_rate_compare_and_a_withdrawn_link_is_refused(workshop, open_page, shoot,
                                                                 tmp_path):
    page = open_page(workshop.participant_url(f"code={workshop.code}"))
    link = _participant_invites(page)
    other = open_page(link, PHONE, ready=".rr-invite-page")
    _other_party_answers(other, shoot)

    panel = page.locator(".rr-invite-panel")
    panel.locator(".rr-invite-refresh").click()
    page.locator(".rr-invite-row.rr-invite-submitted").wait_for()
    compared = page.locator(".rr-invite-comparison")
    _points(page, ".rr-invite-comparison .rr-chart-comparison", 2 * len(DIMENSIONS))
    text = compared.inner_text()
    assert "Communication (you 3, them 5); Mutual value (you 3, them 1)" in text
    assert "Earlier warning of delays" in text and "onerror" in text  # text, not markup
    compared.locator(".rr-invite-to-plan").click()
    page.wait_for_function("() => document.querySelector('.rr-plan-changed textarea').value"
                           ".includes('I rate Mutual value higher than')")
    compared.scroll_into_view_if_needed()
    shoot(page, "invite-03-participant-comparison-1280")

    App(page).step("leave")
    page.locator(".rr-download-html").click()
    with page.expect_download() as got:
        page.locator(".rr-save-html").click(timeout=PAGE_READY_MS)
    saved = tmp_path / "plan.html"
    got.value.save_as(saved)
    plan = saved.read_text(encoding="utf-8")
    assert "Where we see it differently" in plan and THEM in plan
    assert "I rate Mutual value higher than Sam at Northwind does (3 against their 1)" in plan
    assert "&lt;img src=x onerror" in plan and "<img src=x" not in plan

    App(page).step("plan")
    page.locator(".rr-invite-revoke").click()
    page.locator(".rr-invite-row.rr-invite-revoked").wait_for()
    other.reload()
    refused = other.locator(".rr-invite-refused")
    refused.wait_for(timeout=PAGE_READY_MS)
    assert "withdrawn by the person who sent it" in refused.inner_text()
    shoot(other, "invite-04-withdrawn-375")
    assert _axe_blocking(other) == []


def test_a_made_up_link_says_so(workshop, open_page):
    page = open_page(workshop.server.url("invite.ipynb", "token=not-a-real-token"), PHONE,
                     ready=".rr-invite-page")
    refused = page.locator(".rr-invite-refused")
    refused.wait_for()
    assert "This invitation link is not valid" in refused.inner_text()
