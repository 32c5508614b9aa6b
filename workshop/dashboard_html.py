"""The team dashboard as one self-contained HTML file: no server, no network, no account.

Plotly.js is inlined once; every chart of :mod:`workshop.dashboard` is drawn for each
relationship kind and check-in period, and two menus switch between them (the page's only
script besides Plotly). The charts are the anonymised ones, thresholds and all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from . import charts
from .dashboard import TeamData, narrow, team_charts, team_data
from .store import Store

TEMPLATES = Path(__file__).with_name("templates")
PERIODS = (("all", "All check-ins", None), ("180", "Last 6 months", 180),
           ("90", "Last 3 months", 90))
ALL_KINDS = ("all", "All kinds")


@dataclass(frozen=True)
class Variant:
    """One combination of the menus, with its figures as HTML fragments."""

    kind: str
    period: str
    respondents: int
    charts: list[Markup]


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(["html", "j2"]))


def _fragment(fig, div_id: str) -> Markup:
    # Plotly writes the figure as JSON inside a script and escapes "</" in it; labels in the
    # figure went through charts.plot_text already.
    return Markup(pio.to_html(fig, full_html=False, include_plotlyjs=False,
                              include_mathjax=False, div_id=div_id, config=charts.CONFIG,
                              validate=False))


def variants(data: TeamData) -> list[Variant]:
    """Every kind x period combination of ``data``, charts drawn.

    Combinations that select the same check-ins and plans (a period longer than the session,
    a kind with nothing in the period) share one figure; each section gets its own copy.
    """
    kinds = [ALL_KINDS, *((k, k.capitalize()) for k in data.kinds)]
    out, drawn = [], {}
    for kind_key, _ in kinds:
        for period_key, _, days in PERIODS:
            start = data.today - pd.Timedelta(days=days) if days else None
            shown = narrow(data, None if kind_key == "all" else kind_key, start, data.today)
            same = (tuple(shown.history["checkin_id"]), tuple(shown.plans["plan_id"]))
            if same not in drawn:
                drawn[same] = team_charts(shown)
            number = len(out)
            out.append(Variant(kind_key, period_key, shown.respondents,
                               [_fragment(fig, f"v{number}-{name}")
                                for name, fig in drawn[same].items()]))
    return out


def render(data: TeamData) -> str:
    """The whole page for ``data`` as a string."""
    from plotly.offline import get_plotlyjs
    kinds = [ALL_KINDS, *((k, k.capitalize()) for k in data.kinds)]
    return _environment().get_template("dashboard.html.j2").render(
        session=data.session, threshold=data.threshold, kinds=kinds,
        periods=[(key, label) for key, label, _ in PERIODS], variants=variants(data),
        plotly_js=Markup(get_plotlyjs()), generated=datetime.now(timezone.utc),
        today=data.today.date())


def export_dashboard(store: Store, code: str, path: str | Path | None = None,
                     today: date | None = None) -> str:
    """The team dashboard of session ``code`` as one HTML file; written to ``path`` if given.

    Returns the HTML. Open it in any browser, offline; share it without sharing the store.
    """
    page = render(team_data(store, code, today))
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page
