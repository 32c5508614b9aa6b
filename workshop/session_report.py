"""The session report and the anonymised exports a facilitator may share.

* :func:`report_html`: one self-contained HTML file (Plotly's script inlined, no network):
  the agenda, progress counts and the anonymised group charts with their tables.
* :func:`anonymised_json` / :func:`anonymised_csv`: the same figures as data.
* :func:`export`: any of these by name, or with ``full=True`` the complete backup
  (:mod:`workshop.backup`) or per-rating CSV, which only the facilitator key or direct
  database access may unlock.

Everything shown comes from :mod:`workshop.aggregate`, so groups below the anonymity threshold
are masked the same way as on the projector. Templates autoescape all text.
"""

from __future__ import annotations

import io
import json
import math
from datetime import datetime, timezone
from functools import cache

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from . import agenda, aggregate, csvsafe, group_charts
from .model import Session
from .store import Store

FORMATS = ("html", "csv", "json")
# The columns each chart's table shows in the report, with their headings.
DISPLAY = {"states": {"name": "state", "relationships": "relationships", "share": "share"},
           "dimensions": {"name": "dimension", "mean": "average", "std": "spread (sd)",
                          "median": "median", "respondents": "people"},
           "heatmap": {"kind": "kind", "name": "dimension", "mean": "average",
                       "respondents": "people"},
           "drift": {"band": "drift", "relationships": "relationships", "share": "share"},
           "perception_gaps": {"shared_label": "shared relationship", "name": "dimension",
                               "raters": "raters", "gap": "gap", "std": "spread (sd)"}}
CHARTS = (("states", "Where the room's relationships stand"),
          ("dimensions", "Average and spread per dimension"),
          ("heatmap", "Average rating by kind of relationship"),
          ("drift", "Drift from the wanted contact rhythm"),
          ("gaps", "Perception gaps on shared relationships"))


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("workshop", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True))
    env.filters["number"] = _number
    return env


def _number(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "hidden"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def session_facts(session: Session) -> dict:
    """Title, date, code, status, threshold, dimensions and agenda: nothing personal."""
    return {"title": session.title, "date": session.date.isoformat(), "code": session.code,
            "status": session.status, "threshold": session.settings.anonymity_threshold,
            "dimensions": [aggregate.dimension_name(d) for d in session.settings.dimensions],
            "agenda": [{"phase": s.key, "title": s.title, "minutes": s.minutes}
                       for s in agenda.session_steps(session)]}


def _plotly_js() -> Markup:
    from plotly.offline import get_plotlyjs
    return Markup(get_plotlyjs().replace("</script", "<\\/script"))


def _chart_html(fig) -> Markup:
    # Plotly writes the figure as JSON with <, > and / escaped, so it is safe inside <script>.
    fig = group_charts.untitled(fig)  # the report's own heading names it
    return Markup(fig.to_html(full_html=False, include_plotlyjs=False,
                              config={"displaylogo": False, "responsive": True}))


def _table(name: str, tables: dict[str, pd.DataFrame]) -> dict:
    columns = DISPLAY[name]
    frame = tables[name]
    rows = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
    return {"headings": list(columns.values()),
            "rows": [[_cell(c, v) for c, v in row.items()] for row in rows.to_dict("records")]}


def _cell(column: str, value) -> str:
    if value is None:
        return "hidden"
    if column == "share":
        return f"{value:.0%}"
    if column in {"respondents", "raters", "relationships", "gap"}:
        return str(int(value))
    return _number(value)


def report_context(store: Store, session: Session, now: datetime | None = None) -> dict:
    """Everything the report template shows, as plain values and figures."""
    group = aggregate.session_group(store, session)
    progress = aggregate.session_progress(store, session.id)
    figures = group_charts.group_charts(group)
    waiting, small = group.waiting(), group.all_small()
    tables = group.frames()
    table_of = {"gaps": "perception_gaps"}
    drawn = {key: not waiting[key] and not small[key] for key, _ in CHARTS}
    charts = [{"key": key, "title": title, "waiting": waiting[key],
               "small": small[key] and not waiting[key],
               "html": _chart_html(figures[key]) if drawn[key] else None,
               "table": _table(table_of.get(key, key), tables) if drawn[key] else None}
              for key, title in CHARTS]
    weakest = group.weakest
    return {"session": session_facts(session), "progress": progress.to_dict("records"),
            "respondents": group.respondents, "charts": charts,
            "weakest": None if weakest is None else weakest["name"],
            "generated": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")}


def report_html(store: Store, session: Session, now: datetime | None = None) -> str:
    """The self-contained HTML session report."""
    template = _environment().get_template("session_report.html.j2")
    return template.render(**report_context(store, session, now), plotly_js=_plotly_js())


def anonymised_data(store: Store, session: Session) -> dict:
    """The report's figures as JSON-ready data: session facts, counts and group tables."""
    group = aggregate.session_group(store, session)
    progress = aggregate.session_progress(store, session.id)
    return {"format": "relationship-reset-workshop/anonymised-report", "version": 1,
            "session": session_facts(session), "respondents": group.respondents,
            "progress": aggregate.counts(progress),
            "waiting_for": group.waiting(),
            "tables": {name: _records(frame) for name, frame in group.frames().items()}}


def _records(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
            for row in clean.to_dict("records")]


def anonymised_json(store: Store, session: Session) -> str:
    return json.dumps(anonymised_data(store, session), indent=1, ensure_ascii=False)


LONG_COLUMNS = ["table", "group", "dimension", "measure", "value", "respondents"]
_GROUP_COLUMN = {"states": "state", "heatmap": "kind", "drift": "band",
                 "perception_gaps": "shared_label"}


def long_table(group: aggregate.Group, progress: pd.DataFrame) -> pd.DataFrame:
    """Every anonymised figure as one long table (one measured value per row)."""
    rows = [("progress", m, "", "count", c, "") for m, c in aggregate.counts(progress).items()]
    for name, frame in group.frames().items():
        by = _GROUP_COLUMN.get(name)
        who = "raters" if name == "perception_gaps" else "respondents"
        values = [c for c in frame.columns if c not in {by, "dimension", "name", who}]
        for record in frame.to_dict("records"):
            for measure in values:
                rows.append((name, record.get(by, ""), record.get("dimension", ""), measure,
                             record[measure], record[who]))
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def anonymised_csv(store: Store, session: Session) -> str:
    group = aggregate.session_group(store, session)
    table = long_table(group, aggregate.session_progress(store, session.id))
    buffer = io.StringIO()
    csvsafe.frame(table).to_csv(buffer, index=False, float_format="%.4g")
    return buffer.getvalue()


def export(store: Store, session: Session, fmt: str, *, full: bool = False) -> str:
    """An export by format name; ``full`` means everything (callers check the right to it)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if full:
        if fmt == "html":
            raise ValueError("the HTML report is always anonymised; drop --full")
        from .exports import export_session
        return export_session(store, session, fmt)
    return {"html": report_html, "csv": anonymised_csv, "json": anonymised_json}[fmt](
        store, session)


def filename(session: Session, fmt: str, full: bool = False) -> str:
    """A download name such as ``session-K7QF3M-report.html``."""
    kind = "backup" if full and fmt == "json" else "ratings" if full else "report"
    return f"session-{session.code}-{kind}.{fmt}"
