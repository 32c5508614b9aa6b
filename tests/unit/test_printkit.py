"""Printable materials: a card per dimension and per state, an agenda handout with the FAQ,
print-ready for A4 and Letter, following a session's own dimensions, timeboxes and edited
content; and ``reset-workshop print-kit``."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from workshop import cli, printkit
from workshop.content import PACKAGE_CONTENT, content


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="card (\w+)"', page)


def _titles(page: str) -> list[str]:
    """The cards' titles, without the state's glyph (hidden from screen readers)."""
    shown = [re.sub(r'<span class="glyph"[^>]*>.*?</span>', "", t)
             for t in re.findall(r"<h2>(.*?)</h2>", page)]
    return [re.sub(r"<[^>]+>", "", t).strip() for t in shown]


def test_one_card_per_dimension_and_per_state_four_to_a_sheet():
    page = printkit.cards_html()
    method = content()
    assert _cards(page) == ["dimension"] * len(method.dimensions) + ["state"] * len(method.states)
    titles = _titles(page)
    assert titles == [d.name for d in method.dimensions] + [s.name for s in method.states_shown]
    sheets = re.findall(r'<section class="sheet"', page)
    assert len(sheets) == -(-len(titles) // 4)
    trust = method.dimension("trust")
    for words in (trust.question, trust.healthy, trust.drifting):
        assert printkit._environment().from_string("{{ w }}").render(w=words) in page
    thriving = method.state("thriving")
    assert "Health at least 80" in page and thriving.advice in page


@pytest.mark.parametrize("paper, size, width", [("a4", "A4", "210.0mm"),
                                                ("letter", "Letter", "215.9mm")])
def test_pages_size_themselves_for_a4_or_letter(paper, size, width):
    for page in (printkit.cards_html(paper=paper), printkit.handout_html(paper=paper)):
        assert f"@page {{ size: {size}; margin: 0; }}" in page
        assert f"width: {width}" in page
    with pytest.raises(ValueError, match="paper must be one of a4, letter"):
        printkit.cards_html(paper="a3")


def test_cut_marks_are_optional_and_sit_on_the_card_edges_outside_the_cards():
    plain, marked = printkit.cards_html(), printkit.cards_html(cut_marks=True)
    assert 'class="mark' not in plain and '<body class="outlined">' in plain
    sheets = len(re.findall(r'<section class="sheet"', marked))
    assert len(re.findall(r'class="mark v"', marked)) == 8 * sheets  # 4 lines, top and bottom
    lines = printkit.cut_lines("a4")
    assert lines["x"] == [7.0, 102.0, 108.0, 203.0] and lines["y"][0] == 15.5
    assert lines["y"][-1] == 297 - 15.5
    letter = printkit.cut_lines("letter")
    assert letter["margin_y"] > 2 and letter["x"][-1] < 215.9  # every card fits on Letter


def test_agenda_handout_has_timeboxes_start_times_and_the_faq():
    page = printkit.handout_html()
    method = content()
    rows = printkit.schedule()
    assert [r["title"] for r in rows] == [p.title for p in method.phases]
    assert rows[0]["starts"] == "0:00" and rows[1]["starts"] == f"0:{method.phases[0].minutes:02d}"
    total = sum(p.minutes for p in method.phases)
    assert f"{total} minutes in {len(rows)} steps" in page
    for entry in method.faq:
        assert printkit._environment().from_string("{{ w }}").render(w=entry.question) in page


def test_a_session_prints_its_own_dimensions_timeboxes_and_title_escaped(store):
    session, _ = store.add_session("<script>alert(1)</script> Q3", date(2026, 3, 9),
                                   dimensions=["trust", "shared_goals"],
                                   weights={"trust": 1.0, "shared_goals": 2.0},
                                   timeboxes={"why": 0, "plan": 45})
    cards = printkit.cards_html(session)
    assert _titles(cards)[:2] == ["Trust", "Shared goals"]
    assert _cards(cards).count("dimension") == 2
    assert "<script>alert" not in cards and "&lt;script&gt;alert(1)&lt;/script&gt; Q3" in cards
    assert f"code {session.code}" in cards
    handout = printkit.handout_html(session)
    titles = [r["title"] for r in printkit.schedule(session)]
    assert "Why relationships need a reset" not in titles  # 0 minutes: left out
    plan = next(r for r in printkit.schedule(session) if r["title"].startswith("Plan"))
    assert plan["minutes"] == 45 and "<script>alert" not in handout


def test_edited_content_is_what_prints(tmp_path, monkeypatch):
    shutil.copy(PACKAGE_CONTENT / "dimensions.yaml", tmp_path / "dimensions.yaml")
    text = (tmp_path / "dimensions.yaml").read_text(encoding="utf-8")
    question = content().dimension("trust").question
    (tmp_path / "dimensions.yaml").write_text(
        text.replace(question, "Do you trust them with the keys?"), encoding="utf-8")
    monkeypatch.setenv("RESET_WORKSHOP_CONTENT", str(tmp_path))
    content.cache_clear()
    try:
        assert "Do you trust them with the keys?" in printkit.cards_html()
    finally:
        monkeypatch.delenv("RESET_WORKSHOP_CONTENT")
        content.cache_clear()


def test_cli_print_kit_writes_both_pages_for_a_session(store, db_path, tmp_path, capsys):
    session, _ = store.add_session("Partners day", date(2026, 5, 4), dimensions=["momentum"],
                                   weights={"momentum": 1.0})
    out_dir = tmp_path / "kit"
    code = cli.main(["print-kit", "--db", str(db_path), "--session", session.code.lower(),
                     "--paper", "letter", "--cut-marks", "-o", str(out_dir)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert f"session {session.code} (LETTER)" in out
    cards = (out_dir / "cards.html").read_text(encoding="utf-8")
    assert _titles(cards)[0] == "Momentum" and "size: Letter" in cards and 'class="mark' in cards
    assert "Partners day" in (out_dir / "agenda-handout.html").read_text(encoding="utf-8")


def test_cli_print_kit_errors_are_one_line(store, db_path, tmp_path, capsys):
    code = cli.main(["print-kit", "--db", str(db_path), "--session", "NOPE99",
                     "-o", str(tmp_path / "kit")])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("reset-workshop: error: ") and err.count("\n") == 1
    assert not (tmp_path / "kit").exists()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["print-kit", "-o", str(blocker / "kit")])
    _, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
