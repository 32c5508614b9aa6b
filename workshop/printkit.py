"""Printable workshop materials: cut-out cards and an agenda handout, as print-ready HTML.

* **Cards** (``cards.html``): one per health dimension (its question, what healthy and
  drifting look like) and one per state (its description, what to do, when it applies), four
  to a sheet, each 95 x 130 mm, so the same cards fit A4 and US Letter. Cut marks at the
  corners are optional; without them each card has a thin outline to cut along.
* **Agenda handout** (``agenda-handout.html``): the phases with their timeboxes and start
  times, then the FAQ.

Everything comes from the method content (:mod:`workshop.content`, including a facilitator's
own copy through ``RESET_WORKSHOP_CONTENT``). For a session, the cards follow the session's
own dimensions (a dimension the facilitator added gets the plain stand-in of
:meth:`workshop.content.Content.dimension_for`) and the handout its own timeboxes (a phase set
to 0 minutes is left out).

The pages size themselves with CSS ``@page`` (A4 or Letter, chosen with ``paper``); print them
from any browser, or to PDF with the browser's "Save as PDF". No PDF library is bundled: the
well-kept ones (WeasyPrint) need system libraries (Pango) the kit does not otherwise need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from . import agenda
from .content import content
from .guide import describe_rule
from .model import Session

PAPERS = {"a4": ("A4", 210.0, 297.0), "letter": ("Letter", 215.9, 279.4)}
CARDS_PER_SHEET = 4
CARD_MM, GAP_MM = (95.0, 130.0), 6.0  # two by two on a sheet
FILES = {"cards": "cards.html", "handout": "agenda-handout.html"}
# The glyph of each chart symbol, so a printed state matches its marker on the charts.
GLYPHS = {"circle": "●", "star": "★", "square": "■", "diamond": "◆", "triangle-down": "▼",
          "triangle-up": "▲", "x": "✕", "cross": "✚"}


@dataclass(frozen=True)
class Card:
    """One printed card: ``kind`` is ``dimension`` or ``state``."""

    kind: str
    title: str
    lead: str
    sections: tuple[tuple[str, str], ...]
    colour: str = "#5c6b73"
    glyph: str = ""


def dimension_cards(dimensions: list[str] | None = None) -> list[Card]:
    """A card per dimension: the session's ``dimensions`` (keys), else the content's."""
    method = content()
    keys = list(dimensions) if dimensions else [d.key for d in method.dimensions]
    cards = []
    for key in keys:
        d = method.dimension_for(key)
        cards.append(Card("dimension", d.name, d.question,
                          (("Healthy looks like", d.healthy),
                           ("Drifting looks like", d.drifting))))
    return cards


def state_cards() -> list[Card]:
    """A card per state, best first (the order the charts show them)."""
    return [Card("state", s.name, s.description,
                 (("What to do", s.advice), ("When it applies", _sentence(describe_rule(s)))),
                 colour=s.colour, glyph=GLYPHS.get(s.symbol, "•"))
            for s in content().states_shown]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def sheets(cards: list[Card]) -> list[list[Card]]:
    """The cards, four to a sheet."""
    return [cards[i:i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]


def cut_lines(paper: str) -> dict[str, list[float]]:
    """Where the cards' edges are on a sheet (mm from the left, from the top): the cut
    marks sit on these lines, in the sheet's margins, clear of every card."""
    _, width, height = PAPERS[paper]
    (w, h), gap = CARD_MM, GAP_MM
    left, top = (width - 2 * w - gap) / 2, (height - 2 * h - gap) / 2
    return {"x": [round(v, 2) for v in (left, left + w, left + w + gap, left + 2 * w + gap)],
            "y": [round(v, 2) for v in (top, top + h, top + h + gap, top + 2 * h + gap)],
            "margin_x": round(left, 2), "margin_y": round(top, 2)}


def schedule(session: Session | None = None) -> list[dict]:
    """The agenda rows: phase, minutes, and when it starts (minutes from the start)."""
    steps = agenda.session_steps(session) if session else agenda.steps({})
    rows, start = [], 0
    for number, step in enumerate(steps, 1):
        rows.append({"number": number, "title": step.title, "minutes": step.minutes,
                     "starts": f"{start // 60}:{start % 60:02d}", "summary": step.summary})
        start += step.minutes
    return rows


def _paper(paper: str) -> dict:
    try:
        name, width, height = PAPERS[paper.lower()]
    except KeyError:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}") from None
    return {"key": paper.lower(), "name": name, "width": width, "height": height}


def _heading(session: Session | None) -> dict:
    if session is None:
        return {"title": "Relationship Reset Workshop", "when": ""}
    return {"title": session.title, "when": f"{session.date:%d %B %Y} · code {session.code}"}


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("workshop", "templates"),
                       autoescape=select_autoescape(["html", "j2"], default=True),
                       trim_blocks=True, lstrip_blocks=True)


def cards_html(session: Session | None = None, paper: str = "a4",
               cut_marks: bool = False) -> str:
    """The card sheets as one print-ready HTML page."""
    size = _paper(paper)
    dims = dimension_cards(list(session.settings.dimensions) if session else None)
    states = state_cards()
    return _environment().get_template("print/cards.html.j2").render(
        heading=_heading(session), paper=size, sheets=sheets(dims + states),
        cut_marks=cut_marks, lines=cut_lines(size["key"]), card=CARD_MM, gap=GAP_MM,
        counts={"dimensions": len(dims), "states": len(states)})


def handout_html(session: Session | None = None, paper: str = "a4") -> str:
    """The agenda handout (timeboxes, then the FAQ) as one print-ready HTML page."""
    rows = schedule(session)
    return _environment().get_template("print/handout.html.j2").render(
        heading=_heading(session), paper=_paper(paper), rows=rows,
        total=sum(r["minutes"] for r in rows), faq=content().faq)


def write_kit(folder: Path, session: Session | None = None, paper: str = "a4",
              cut_marks: bool = False) -> list[Path]:
    """Write the cards and the handout into ``folder`` (made if missing); their paths."""
    folder = Path(folder)
    _paper(paper)  # a wrong paper size is refused before anything is written
    folder.mkdir(parents=True, exist_ok=True)
    pages = {"cards": cards_html(session, paper, cut_marks),
             "handout": handout_html(session, paper)}
    written = []
    for name, page in pages.items():
        path = folder / FILES[name]
        path.write_text(page, encoding="utf-8")
        written.append(path)
    return written


def filename(session: Session | None, part: str, paper: str) -> str:
    """A download name, e.g. ``reset-ABC234-cards-a4.html``."""
    code = session.code if session else f"kit-{date.today():%Y%m%d}"
    return f"reset-{code}-{FILES[part].removesuffix('.html')}-{paper}.html"
