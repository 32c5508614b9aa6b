"""What a person leaves with: their reset plan as a self-contained HTML page (charts embedded,
plotly.js inline, works offline, prints cleanly), as Markdown, as an ``.ics`` calendar (reset
meetings, follow-up check-ins, commitments) and their own ratings as CSV.

Everything is built from a :class:`PlanBook` (records and tidy frames); nothing here reads the
database. User text is escaped for each format: HTML by Jinja2's autoescape, Markdown by the
``md`` filter, CSV cells against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from . import charts, csvsafe, planner
from .content import content
from .model import Relationship, ResetPlan
from .tidy import Tidy
from .wording import plural

TEMPLATES = Path(__file__).with_name("templates")
MEETING_MINUTES, CHECKIN_MINUTES = 45, 15
PRODID = "-//Relationship Reset Workshop Kit//EN"


@dataclass(frozen=True)
class PlanBook:
    """One person's relationships, reset plans and tidy frames, as of ``created``."""

    relationships: list[Relationship]
    plans: list[ResetPlan]
    tidy: Tidy
    name: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    resume_code: str | None = None  # the person's own code, to come back and re-rate
    address: str | None = None  # the participant app's address
    # The latest comparison with the other party, by relationship id (workshop.comparison).
    comparisons: dict = field(default_factory=dict)

    @property
    def coming_back(self) -> str:
        """How to come back to re-rate, in one sentence: where, and with which code."""
        return coming_back(self.resume_code, self.address)

    def relationship(self, relationship_id: str) -> Relationship | None:
        return next((r for r in self.relationships if r.id == relationship_id), None)

    @property
    def scores(self) -> pd.DataFrame:
        return _scores(self)


def _scores(book: PlanBook) -> pd.DataFrame:
    as_of = pd.Timestamp(book.created)
    return book.tidy.scores(as_of=as_of.tz_convert(None) if as_of.tzinfo else as_of)


# -- shared pieces --------------------------------------------------------------------------

def coming_back(resume_code: str | None, address: str | None) -> str:
    """The sentence every take-away file carries: the app's address and the resume code."""
    where = f"open {address}" if address else "open the workshop app"
    code = (f"continue with your resume code {resume_code}" if resume_code
            else "continue with the resume code you were given")
    return (f"To check in and re-rate later, {where} and {code} (“Already started?”). "
            "Keep the code private: it opens your plans.")


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone().strftime("%a %d %b %Y, %H:%M")


def _steps(plan: ResetPlan) -> list[dict]:
    answers = dict(plan.answers)
    extra = {
        "ask": [("Meeting to propose", answers.get("proposal", ""))],
        "needs": [("What I need", plan.need_mine), ("What I think they need", plan.need_theirs)],
        "reconnect": [("Rhythm", f"every {plan.followup_days} days"
                       + (f" by {answers['channel']}" if answers.get("channel") else ""))],
    }
    steps = []
    for step in content().steps:
        parts = [f"{label}: {text}" for label, text in extra.get(step.key, []) if text]
        if answers.get(step.key):
            parts.append(answers[step.key])
        if parts:
            steps.append({"key": step.key, "title": step.title, "answer": "\n".join(parts)})
    return steps


def _items(book: PlanBook, scores: pd.DataFrame) -> list[dict]:
    names = {s.key: s.name for s in content().states}
    by_id = scores.set_index("relationship_id") if not scores.empty else None
    items = []
    for plan in book.plans:
        rel = book.relationship(plan.relationship_id)
        if rel is None:
            continue
        row = by_id.loc[rel.id] if by_id is not None and rel.id in by_id.index else None
        followups = (planner.followup_times(plan.meeting_at, plan.followup_days)
                     if plan.meeting_at else [])
        items.append({
            "plan": plan, "relationship": rel, "label": rel.label, "kind": rel.kind,
            "state": names.get(row["state"], "") if row is not None else "",
            "health": f"{row['health']:.0f}" if row is not None else "",
            "meeting": _local(plan.meeting_at), "message": plan.message.strip(),
            "steps": _steps(plan), "commitments": plan.commitments,
            "followups": [_local(f) for f in followups],
            "differently": _differently(book, rel.id)})
    return items


def _differently(book: PlanBook, relationship_id: str) -> dict | None:
    from .comparison import plan_section
    found = book.comparisons.get(relationship_id)
    return plan_section(found) if found is not None else None


# -- HTML -----------------------------------------------------------------------------------

@cache
def _environment(kind: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                      autoescape=select_autoescape(["html", "html.j2"]) if kind == "html"
                      else False)
    env.filters["md"] = markdown_text
    env.filters["plural"] = plural
    env.filters["quote"] = lambda text: "\n".join(f"> {line}" for line in text.splitlines())
    return env


def _embed(fig) -> Markup:
    return Markup(fig.to_html(full_html=False, include_plotlyjs=False, config=charts.CONFIG,
                              default_width="100%"))


def _plan_charts(book: PlanBook, relationship_id: str, label: str) -> list[Markup]:
    latest = book.tidy.latest_ratings()
    mine = latest[latest["relationship_id"] == relationship_id] if not latest.empty else latest
    out = [_embed(charts.radar(mine, title=f"Profile: {label}"))] if not mine.empty else []
    history = book.tidy.history()
    past = history[history["relationship_id"] == relationship_id] if not history.empty \
        else history
    if len(past) > 1:
        plans = book.tidy.plans
        out.append(_embed(charts.health_over_time(
            past, plans[plans["relationship_id"] == relationship_id],
            title=f"Health over time: {label}")))
    return out


def html_document(book: PlanBook) -> str:
    """The plan as one HTML file: no network needed to open, read or print it."""
    from plotly.offline import get_plotlyjs
    scores = book.scores
    overview = [_embed(charts.portfolio(scores)), _embed(charts.priority_ranking(scores))] \
        if not scores.empty else []
    items = _items(book, scores)
    for item in items:
        item["charts"] = _plan_charts(book, item["relationship"].id, item["label"])
        if item["differently"]:
            from .comparison_chart import comparison
            found = book.comparisons[item["relationship"].id]
            item["differently"]["chart"] = _embed(comparison(
                found.frame, them=found.invitation.them, title="Both sides' ratings"))
    template = _environment("html").get_template("action_plan.html.j2")
    return template.render(book=book, items=items, overview=overview, rated=len(scores),
                           plotly_js=Markup(get_plotlyjs()))


# -- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_MD_LIST = re.compile(r"^(\s*)(?:([-+])|(\d+)\.)(?=\s)", re.MULTILINE)


def _unlist(match: re.Match) -> str:
    indent, bullet, number = match.groups()
    return f"{indent}\\{bullet}" if bullet else f"{indent}{number}\\."


def markdown_text(text) -> str:
    """User text shown as text in Markdown: HTML and Markdown punctuation escaped."""
    text = "" if text is None else str(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_LIST.sub(_unlist, _MD_SPECIAL.sub(r"\\\1", text))
    return "  \n".join(line.rstrip() for line in text.splitlines())


def markdown_document(book: PlanBook) -> str:
    """The plan as Markdown, for a notes app or a wiki."""
    scores = book.scores
    names = {s.key: s.name for s in content().states}
    standing = [{"label": r.label.replace("\n", " "), "state": names.get(r.state, r.state),
                 "health": f"{r.health:.0f}", "priority": f"{r.priority:.0f}"}
                for r in scores.itertuples()]
    template = _environment("md").get_template("action_plan.md.j2")
    return template.render(book=book, standing=standing, items=_items(book, scores))


# -- calendar -------------------------------------------------------------------------------

def _event(uid: str, summary: str, start, description: str, minutes: int | None = None):
    from icalendar import Event
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstamp", datetime.now(timezone.utc).replace(microsecond=0))
    event.add("dtstart", start)
    if minutes:
        event.add("dtend", start + timedelta(minutes=minutes))
    else:
        event.add("dtend", start + timedelta(days=1))
    event.add("description", description)
    return event


def _alarm(minutes: int):
    from icalendar import Alarm
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Reminder")
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def _plan_events(plan: ResetPlan, label: str, back: str) -> list:
    events = []
    if plan.meeting_at:
        meeting = _event(f"{plan.id}-meeting@relationship-reset", f"Reset meeting: {label}",
                         plan.meeting_at, plan.message or f"Reset conversation with {label}.",
                         MEETING_MINUTES)
        meeting.add_component(_alarm(60))
        events.append(meeting)
        for n, when in enumerate(planner.followup_times(plan.meeting_at, plan.followup_days), 1):
            events.append(_event(
                f"{plan.id}-followup-{n}@relationship-reset", f"Check in: {label}", when,
                f"Follow-up {n} after the reset with {label}: get in touch, then re-rate the "
                f"relationship. {back}", CHECKIN_MINUTES))
    for n, commitment in enumerate(plan.commitments, 1):
        if commitment.due:
            events.append(_event(f"{plan.id}-commitment-{n}@relationship-reset",
                                 f"Commitment ({commitment.owner}): {commitment.what}",
                                 commitment.due, f"Part of the reset with {label}."))
    return events


def calendar(book: PlanBook) -> bytes:
    """An ``.ics`` file: each reset meeting, its follow-up check-ins and dated commitments."""
    from icalendar import Calendar
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Relationship resets")
    for plan in book.plans:
        rel = book.relationship(plan.relationship_id)
        if rel is not None:
            for event in _plan_events(plan, rel.label, book.coming_back):
                cal.add_component(event)
    return cal.to_ical()


# -- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS = ["relationship", "kind", "taken_at", "trend", "dimension", "rating"]


def ratings_csv(book: PlanBook) -> str:
    """Every rating the person gave, one row per dimension per check-in."""
    labels = {r.id: (r.label, r.kind) for r in book.relationships}
    names = {d.key: d.name for d in content().dimensions}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in book.tidy.ratings.sort_values(["taken_at", "relationship_id"]).itertuples():
        label, kind = labels.get(row.relationship_id, ("", ""))
        taken = pd.Timestamp(row.taken_at).strftime("%Y-%m-%d %H:%M")
        writer.writerow([csvsafe.text_cell(label), kind, taken, row.trend,
                         csvsafe.text_cell(names.get(row.dimension, row.dimension)),
                         int(row.rating)])
    return out.getvalue()


def filename(stem: str, suffix: str, on: date | None = None) -> str:
    return f"{stem}-{(on or date.today()).isoformat()}.{suffix}"
