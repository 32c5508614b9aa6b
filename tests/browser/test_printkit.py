"""The printed kit as Chromium prints it: one page per sheet at the chosen paper size, every
card's words inside its card, and a picture of the first sheet to look at."""

from __future__ import annotations

import re

import pytest

from workshop import printkit

from .conftest import ARTIFACTS

POINTS = {"a4": (595, 842), "letter": (612, 792)}  # the PDF's page size, in points


def _pages(pdf: bytes) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == len(boxes)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_cards_print_one_sheet_a_page_with_every_card_fitting(browser, tmp_path, paper):
    printkit.write_kit(tmp_path, paper=paper, cut_marks=True)
    page = browser.new_page()
    try:
        page.goto((tmp_path / "cards.html").as_uri())
        page.emulate_media(media="print")
        sheets = page.locator("section.sheet").count()
        overflowing = page.evaluate(
            "() => Array.from(document.querySelectorAll('.card')).filter("
            "c => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1)"
            ".map(c => c.querySelector('h2').textContent)")
        assert overflowing == []
        assert page.locator(".toolbar").is_hidden()  # the print button is not printed
        pdf = page.pdf(prefer_css_page_size=True)
        assert _pages(pdf) == [POINTS[paper]] * sheets
        ARTIFACTS.mkdir(exist_ok=True)
        size = page.evaluate("() => { const s = document.querySelector('section.sheet')"
                             ".getBoundingClientRect(); return [s.width, s.height]; }")
        page.set_viewport_size({"width": round(size[0]), "height": round(size[1])})
        page.screenshot(path=str(ARTIFACTS / f"print-cards-{paper}.png"))
        page.goto((tmp_path / "agenda-handout.html").as_uri())
        page.emulate_media(media="print")
        handout = _pages(page.pdf(prefer_css_page_size=True))
        assert handout and set(handout) == {POINTS[paper]}
    finally:
        page.close()
