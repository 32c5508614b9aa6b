"""Relationship Reset Workshop Kit: the public API the notebooks (and you) use.

Every name below is loaded on first use, so ``import workshop`` stays light. Examples
(run as doctests by ``tests/unit/test_public_api.py`` against a temporary database):

Open a store, with the demo session (join code RESET2) loaded:

>>> import workshop
>>> store = workshop.open_store(demo=True)
>>> session = store.find_session("RESET2")
>>> isinstance(store, workshop.Store)
True
>>> workshop.load_demo(store).session.code
'RESET2'

Work on one person's relationships (a demo participant's, or your own with ``demo=False``):

>>> me = workshop.workspace(demo=True)
>>> type(me).__name__ == workshop.Workspace.__name__
True
>>> rel = me.add_relationship("Harbor & Pine Bakery", kind="client", importance=4)
>>> checkin = me.check_in(rel, {"communication": 2, "trust": 3}, trend="declining")

Records are built and checked with ``make``; bad input names the field:

>>> workshop.make(workshop.Relationship, participant_id="p1", label="Acme").kind
'client'
>>> workshop.make(workshop.CheckIn, relationship_id="r1", ratings={"trust": 7})
Traceback (most recent call last):
workshop.errors.InvalidInput: ratings.trust: must be at most 5
>>> workshop.make(workshop.Contact, relationship_id="r1", date="2026-01-31").channel
'meeting'
>>> workshop.make(workshop.ResetPlan, relationship_id="r1").status
'planned'
>>> issubclass(workshop.InvalidInput, workshop.WorkshopError)
True
>>> try:
...     store.find_session("NOPE99")
... except workshop.NotFound as missing:
...     print(missing)
No session with that code found.
>>> try:
...     store.open_console("RESET2", "wrong key")
... except workshop.AccessDenied as denied:
...     print(denied)
That session code and facilitator key do not match.

The method's words and rules:

>>> [state.name for state in workshop.method().states][:2]
['Hanging by a thread', 'Fading']
>>> workshop.classify(health=72, momentum=-8, drift=0.6, age_days=900)
'fizzling'
>>> round(workshop.drift(45, 30), 2)
1.5
>>> round(workshop.priority(importance=5, health=40, drift=2.0), 1)
45.0
>>> print(workshop.assess({"communication": 2, "trust": 3}, days_since_contact=75,
...                       cadence_days=30, age_days=800))
Fading: health 40/100, momentum +0, drift 2.50
>>> workshop.StateExplorer().value.state in {s.key for s in workshop.method().states}
True
>>> workshop.explain("faq")                                  # doctest: +ELLIPSIS
<IPython.core.display.Markdown object>

A session as tidy pandas frames, scored:

>>> frames = workshop.load(store, session_id=session.id)
>>> scores = workshop.score(frames.relationships, frames.ratings, frames.contacts,
...                         frames.weights)
>>> list(scores.columns[:4])
['relationship_id', 'health', 'momentum', 'drift']
>>> past = workshop.history(frames.relationships, frames.ratings, frames.contacts,
...                         frames.weights)
>>> gaps = workshop.perception_gap(frames.relationships, frames.ratings, min_raters=5)
>>> sorted(gaps["shared_label"].unique())[:1]
['Brightline Agency']

The team dashboard, its figures and its static export:

>>> team = workshop.team_data(store, "RESET2")
>>> sorted(workshop.team_charts(team))
['portfolio', 'resets', 'shared', 'then_and_now']
>>> workshop.portfolio_chart(workshop.portfolio_frame(team.history), 5).layout.title.text
"The team's portfolio over time"
>>> frame = workshop.then_and_now_frame(team.history)
>>> workshop.then_and_now_chart(frame, 5).layout.title.text
'States then and now'
>>> outcomes = workshop.reset_outcomes(team.plans, team.history)
>>> summary = workshop.resets_frame(outcomes)
>>> workshop.resets_chart(summary, 5).layout.title.text
'Resets in progress and how they went'
>>> view = workshop.TeamDashboard(store)      # asks for a join code (or give it: code="RESET2")
>>> html = workshop.export_dashboard(store, "RESET2")
>>> html.startswith("<!DOCTYPE html>")
True
>>> workshop.export_session(store, session, "csv").count("Amara")   # anonymised by default
0

A participant's charts, a drafted message and the anonymised group view:

>>> scores = me.scores()
>>> workshop.portfolio(scores).layout.title.text
'Your relationships at a glance'
>>> workshop.priority_ranking(scores).layout.title.text
'Where a reset matters most'
>>> workshop.state_counts(scores).layout.title.text
'How many in each state'
>>> workshop.radar(me.ratings_of(rel), title="Harbor & Pine").layout.title.text
'Harbor &amp; Pine'
>>> workshop.health_over_time(me.history_of(rel)).layout.title.text
'Health over time'
>>> draft = workshop.draft_message({"own": "I went quiet."}, tone="warm", their_name="Ana")
>>> draft.subject
'It has been too long, Ana: could we catch up?'
>>> group = workshop.session_group(store, session)
>>> sorted(workshop.group_figures(group))[:2]
['dimensions', 'drift']

Both sides of one relationship, once its other party has answered an invitation (each answer
and the participant's rating of the time, one row per dimension per side; empty before):

>>> sides = workshop.compare_sides(me.store, rel.id)
>>> list(sides.columns)
['relationship_id', 'answered_at', 'dimension', 'name', 'side', 'rating', 'gap']
"""

from __future__ import annotations

import importlib

# public name -> (module, attribute)
_API = {
    "Store": ("store", "Store"),
    "open_store": ("guide", "open_store"),
    "load_demo": ("demo", "load_demo"),
    "workspace": ("guide", "workspace"),
    "Workspace": ("guide", "Workspace"),
    "method": ("content", "content"),
    "make": ("model", "make"),
    "Relationship": ("model", "Relationship"),
    "CheckIn": ("model", "CheckIn"),
    "Contact": ("model", "Contact"),
    "ResetPlan": ("model", "ResetPlan"),
    "WorkshopError": ("errors", "WorkshopError"),
    "InvalidInput": ("errors", "InvalidInput"),
    "NotFound": ("errors", "NotFound"),
    "AccessDenied": ("errors", "AccessDenied"),
    "classify": ("scoring", "classify"),
    "drift": ("scoring", "drift"),
    "priority": ("scoring", "priority"),
    "assess": ("guide", "assess"),
    "StateExplorer": ("explorer", "StateExplorer"),
    "explain": ("guide", "explain"),
    "load": ("tidy", "load"),
    "score": ("scoring", "score"),
    "history": ("scoring", "history"),
    "perception_gap": ("scoring", "perception_gap"),
    "portfolio": ("charts", "portfolio"),
    "priority_ranking": ("charts", "priority_ranking"),
    "state_counts": ("charts", "state_counts"),
    "radar": ("charts", "radar"),
    "health_over_time": ("charts", "health_over_time"),
    "draft_message": ("planner", "draft_message"),
    "session_group": ("aggregate", "session_group"),
    "group_figures": ("group_charts", "group_charts"),
    "team_data": ("dashboard", "team_data"),
    "team_charts": ("dashboard", "team_charts"),
    "portfolio_frame": ("dashboard", "portfolio_frame"),
    "portfolio_chart": ("dashboard", "portfolio_chart"),
    "then_and_now_frame": ("dashboard", "then_and_now_frame"),
    "then_and_now_chart": ("dashboard", "then_and_now_chart"),
    "reset_outcomes": ("dashboard", "reset_outcomes"),
    "resets_frame": ("dashboard", "resets_frame"),
    "resets_chart": ("dashboard", "resets_chart"),
    "TeamDashboard": ("dashboard_view", "TeamDashboard"),
    "export_dashboard": ("dashboard_html", "export_dashboard"),
    "export_session": ("session_report", "export"),
    "compare_sides": ("comparison", "compare_sides"),
}

__all__ = sorted(_API)
__version__ = "0.1.0"


def __getattr__(name: str):
    try:
        module, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'workshop' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
