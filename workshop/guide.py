"""Helpers the self-guided notebooks call: open a store, work on one person's relationships,
see where a relationship stands, and read the method's words.

The notebooks in ``notebooks/guide/`` stay thin: each cell calls one of these (through the
public names in :mod:`workshop`). Everything that decides anything is in :mod:`workshop.scoring`;
this module only gathers inputs and shapes results for a reader.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import config, scoring, tidy
from .content import State, content
from .errors import NotFound
from .model import CheckIn, Contact, Participant, Relationship, ResetPlan, Session, make
from .store import Store

DEMO_READER = "Dana"
METRIC_WORDS = {"health": "health", "momentum": "momentum", "drift": "drift",
                "age_days": "age in days"}
SYMBOL_GLYPHS = {"circle": "●", "star": "★", "square": "■", "diamond": "◆",
                 "triangle-down": "▼", "triangle-up": "▲", "x": "✕", "cross": "✚"}


def open_store(db: str | None = None, *, demo: bool = False) -> Store:
    """Open the configured store (``--db``/``RESET_WORKSHOP_DB``/config file/default).

    With ``demo=True`` the demo session (join code RESET2) is loaded into it first, once.
    """
    store = Store.open(config.database(db))
    if demo:
        from .demo import load_demo
        load_demo(store)
    return store


# -- one reader's relationships ------------------------------------------------------------


@dataclass
class Workspace:
    """One person's relationships in a store: what the guide notebooks read and write."""

    store: Store
    participant: Participant
    session: Session | None = None
    resume_code: str | None = None

    def __repr__(self) -> str:
        where = f"session {self.session.code}" if self.session else "working alone"
        return (f"<Workspace: {len(self.store.find_relationships(self.participant.id))} "
                f"relationships, {where}>")

    def frames(self) -> tidy.Tidy:
        """The tidy frames of these relationships (see :func:`workshop.load`)."""
        return tidy.load(self.store, participant_id=self.participant.id)

    def scores(self, as_of=None) -> pd.DataFrame:
        """Where each relationship stands now (:meth:`workshop.tidy.Tidy.scores`)."""
        return self.frames().scores(as_of)

    def history(self) -> pd.DataFrame:
        """Every check-in with the state it put the relationship in."""
        return self.frames().history()

    def overview(self, as_of=None) -> pd.DataFrame:
        """A readable table: one row per rated relationship, highest reset priority first."""
        scored = self.scores(as_of)
        table = pd.DataFrame({
            "relationship": scored["label"], "kind": scored["kind"],
            "state": scored["state"].map(state_name),
            "health": scored["health"].round(0), "drift": scored["drift"].round(2),
            "momentum": scored["momentum"].round(1), "priority": scored["priority"].round(1)})
        return table

    def relationship(self, label: str) -> Relationship:
        """One of these relationships by its label (exact, then case-insensitive)."""
        mine = self.store.find_relationships(self.participant.id)
        for match in (lambda r: r.label == label, lambda r: r.label.lower() == label.lower()):
            found = [r for r in mine if match(r)]
            if found:
                return found[-1]
        raise NotFound(f"No relationship labelled {label!r} here.")

    def top_priority(self, as_of=None) -> Relationship:
        """The relationship to reset first: highest reset priority now."""
        scored = self.scores(as_of)
        if scored.empty:
            raise NotFound("Rate a relationship first: nothing is scored yet.")
        return self.store.get_relationship(scored["relationship_id"].iloc[0])

    def add_relationship(self, label: str, **fields) -> Relationship:
        """Add a relationship (fields as in :class:`workshop.Relationship`).

        A label already in this list returns that relationship unchanged, so running a
        notebook cell twice does not add it twice.
        """
        try:
            return self.relationship(label)
        except NotFound:
            return self.store.add_relationship(
                make(Relationship, participant_id=self.participant.id, label=label, **fields))

    def check_in(self, relationship: Relationship | str, ratings: Mapping[str, int],
                 trend: str = "stable", **fields) -> CheckIn:
        """Rate a relationship on the health dimensions (1-5 each)."""
        rel = self._resolve(relationship)
        return self.store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings=dict(ratings),
                                           trend=trend, **fields))

    def log_contact(self, relationship: Relationship | str, on: date | str | None = None,
                    channel: str = "meeting") -> Contact:
        """Log a meaningful contact: the drift clock restarts on that day."""
        rel = self._resolve(relationship)
        return self.store.add_contact(make(Contact, relationship_id=rel.id,
                                           date=on or date.today(), channel=channel))

    def save_plan(self, relationship: Relationship | str, **fields) -> ResetPlan:
        """Save a reset plan for a relationship (fields as in :class:`workshop.ResetPlan`)."""
        rel = self._resolve(relationship)
        return self.store.save_plan(make(ResetPlan, relationship_id=rel.id, **fields))

    def plans(self) -> list[ResetPlan]:
        """The reset plans saved for these relationships, oldest first."""
        return self.store.find_plans(participant_id=self.participant.id)

    def reset_relationships(self) -> list[Relationship]:
        """The relationships that have a reset plan, in the order the plans were saved."""
        ids = list(dict.fromkeys(p.relationship_id for p in self.plans()))
        return [self.store.get_relationship(i) for i in ids]

    def ratings_of(self, relationship: Relationship | str) -> pd.DataFrame:
        """One relationship's latest ratings: ``dimension, rating`` rows (for the radar)."""
        rel = self._resolve(relationship)
        latest = self.frames().latest_ratings()
        return latest[latest["relationship_id"] == rel.id].reset_index(drop=True)

    def history_of(self, relationship: Relationship | str) -> pd.DataFrame:
        """One relationship's check-ins with their health and state."""
        rel = self._resolve(relationship)
        past = self.history()
        return past[past["relationship_id"] == rel.id].reset_index(drop=True)

    def plans_of(self, relationship: Relationship | str) -> pd.DataFrame:
        """One relationship's reset plans as a frame (``meeting_at`` marks the meetings)."""
        rel = self._resolve(relationship)
        plans = self.frames().plans
        return plans[plans["relationship_id"] == rel.id].reset_index(drop=True)

    def workbook(self):
        """The participant app's view of these relationships (its forms save through it)."""
        from .app.workbook import Workbook
        return Workbook(self.store, self.participant)

    def inventory(self):
        """The participant app's take-stock form and list, saving to this store."""
        from .app.inventory import InventoryView
        return InventoryView(self.workbook())

    def health_check(self):
        """The participant app's health-check forms, one relationship at a time."""
        from .app.health import HealthView
        return HealthView(self.workbook())

    def compare(self, relationship: Relationship | str) -> pd.DataFrame:
        """Each check-in of one relationship side by side: what changed between them."""
        rel = self._resolve(relationship)
        past = self.history_of(rel)
        return pd.DataFrame({
            "taken": past["taken_at"].dt.date, "health": past["health"].round(0),
            "change": past["health"].diff().round(0), "drift": past["drift"].round(2),
            "state": past["state"].map(state_name)}).reset_index(drop=True)

    def reset_review(self, as_of=None) -> pd.DataFrame:
        """Each reset plan with health before and after its meeting: did the reset work?"""
        from .dashboard import reset_outcomes
        frames = self.frames()
        outcomes = reset_outcomes(frames.plans, frames.history(), as_of=as_of)
        labels = frames.relationships.set_index("relationship_id")["label"]
        return pd.DataFrame({
            "relationship": outcomes["relationship_id"].map(labels),
            "status": outcomes["status"], "meeting": outcomes["meeting_at"].dt.date,
            "health before": outcomes["health_before"].round(0),
            "health after": outcomes["health_after"].round(0),
            "outcome": outcomes["outcome"]}).reset_index(drop=True)

    def other_side(self, relationship: Relationship | str):
        """Ask the other party of a relationship to rate it too (:mod:`workshop.other_side`)."""
        from .other_side import OtherSide
        return OtherSide(self.store, self.participant, self._resolve(relationship))

    def _resolve(self, relationship: Relationship | str) -> Relationship:
        return self.relationship(relationship) if isinstance(relationship, str) else relationship


def workspace(demo: bool = True, *, resume_code: str | None = None, name: str | None = None,
              db: str | None = None) -> Workspace:
    """The relationships a guide notebook works on.

    ``demo=True``: one demo participant's (the demo is loaded once). ``resume_code``: the
    participant that code belongs to. Otherwise: your own list, working alone; the first call
    creates it and shows a resume code you can also use in the participant app.
    """
    store = open_store(db, demo=demo)
    if resume_code:
        person, code = store.resume(resume_code), resume_code
    elif demo:
        from .demo import load_demo
        code = load_demo(store).resume_codes[DEMO_READER]
        person = store.resume(code)
    else:
        alone = store.find_participants(None)
        person, code = (alone[-1], None) if alone else store.add_participant(None, name)
    session = store.get_session(person.session_id) if person.session_id else None
    return Workspace(store, person, session, code)


# -- where a relationship stands ------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """Health, momentum and drift of one relationship, and the state they put it in."""

    health: float
    momentum: float
    drift: float
    age_days: float
    state: str

    @property
    def state_name(self) -> str:
        return state_name(self.state)

    def __str__(self) -> str:
        drift = "unknown" if math.isnan(self.drift) else f"{self.drift:.2f}"
        return (f"{self.state_name}: health {self.health:.0f}/100, momentum "
                f"{self.momentum:+.0f}, drift {drift}")


def assess(ratings: Mapping[str, int], *, days_since_contact: float | None,
           cadence_days: float = 30, age_days: float = 365,
           previous_health: float | None = None, trend: str = "stable",
           weights: Mapping[str, float] | None = None) -> Assessment:
    """Where a relationship with these ratings and contact dates stands, by the kit's rules.

    Health from the weighted ``ratings`` (1-5 per dimension), momentum against
    ``previous_health`` (or from the declared ``trend`` on a first check-in), drift from the
    days since the last contact over the wanted cadence; then :func:`workshop.classify`.
    """
    weights = weights or content().default_weights
    frame = pd.DataFrame({"checkin_id": "now", "relationship_id": "r", "taken_at": pd.NaT,
                          "trend": trend, "dimension": list(ratings),
                          "rating": list(ratings.values())})
    now = float(scoring.health(frame, weights)["health"].iloc[0])
    checkins = pd.DataFrame({"relationship_id": ["r", "r"], "trend": [trend, trend],
                             "health": [previous_health, now]})
    if previous_health is None:
        checkins = checkins.iloc[1:]
    change = float(scoring.momentum(checkins).iloc[-1])
    drifted = scoring.drift(days_since_contact, cadence_days)
    return Assessment(now, change, drifted, float(age_days),
                      scoring.classify(now, change, drifted, age_days))


def state_name(key: str) -> str:
    """The display name of a state key, e.g. ``hanging`` -> ``Hanging by a thread``."""
    return content().state(key).name


def describe_rule(state: State) -> str:
    """A state's rule in words, e.g. ``health below 35, or drift at least 3``."""
    alternatives = []
    for alternative in state.when:
        bounds = [f"{METRIC_WORDS[_metric(name)]} "
                  f"{'at least' if name.endswith('_at_least') else 'below'} {limit:g}"
                  for name, limit in alternative.items()]
        alternatives.append(" and ".join(bounds) or "otherwise (none of the above)")
    return ", or ".join(alternatives)


def _metric(bound: str) -> str:
    return bound.removesuffix("_at_least").removesuffix("_below")


def glyph(state: State) -> str:
    """A text symbol for a state, so it never depends on colour alone."""
    return SYMBOL_GLYPHS.get(state.symbol, "•")


# -- the method's words ---------------------------------------------------------------------


def _states_md() -> str:
    parts = []
    for s in content().states:
        parts.append(f"### {glyph(s)} {_e(s.name)}\n\n{_e(s.description)}\n\n"
                     f"*When:* {_e(describe_rule(s))}.  \n*What to do:* {_e(s.advice)}")
    return "States are checked in this order; the first whose rule holds wins.\n\n" + \
        "\n\n".join(parts)


def _dimensions_md() -> str:
    rows = [f"| **{_e(d.name)}** | {_e(d.question)} | {_e(d.healthy)} | {_e(d.drifting)} |"
            for d in content().dimensions]
    return "| Dimension | Question | 5 looks like | 1 looks like |\n|---|---|---|---|\n" + \
        "\n".join(rows)


def _steps_md() -> str:
    parts = []
    for number, step in enumerate(content().steps, 1):
        prompts = "\n".join(f"- {_e(p)}" for p in step.prompts)
        parts.append(f"### {number}. {_e(step.title)}\n\n{_e(step.intro)}\n\n{prompts}")
    return "\n\n".join(parts)


def _faq_md() -> str:
    return "\n\n".join(f"**{_e(f.question)}**\n\n{_e(f.answer)}" for f in content().faq)


def _agenda_md() -> str:
    return "\n".join(f"{n}. **{_e(p.title)}** ({p.minutes} min): {_e(p.summary)}"
                     for n, p in enumerate(content().phases, 1))


def _tones_md() -> str:
    return "\n".join(f"- **{_e(t.key)}**: {_e(t.name)}" for t in content().tones)


TOPICS = {"states": _states_md, "dimensions": _dimensions_md, "steps": _steps_md,
          "faq": _faq_md, "agenda": _agenda_md, "tones": _tones_md}


def explain(topic: str):
    """The method's own words on ``topic`` as Markdown: one of :data:`TOPICS`."""
    from IPython.display import Markdown
    if topic not in TOPICS:
        raise KeyError(f"no topic {topic!r}; choose from {sorted(TOPICS)}")
    return Markdown(TOPICS[topic]())


def _e(text: str) -> str:
    """Escape HTML (and Markdown's table bar) in words before they go into Markdown."""
    return html.escape(text).replace("|", "&#124;")

