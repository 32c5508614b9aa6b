"""From the store to tidy pandas DataFrames: the shape scoring, charts and exports read.

Every frame has documented columns (see :mod:`workshop.scoring`); dates are ``datetime64``
(NaT when unknown), times are naive UTC.

One person's frames are built from their validated records; a whole session's are read straight
from SQL (:func:`load_session_frames`, a few queries instead of one record per row), with the
same rows, columns, order and dtypes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db, scoring
from .model import CheckIn, Contact, Relationship, ResetPlan
from .store import Store

RELATIONSHIP_COLUMNS = ["relationship_id", "participant_id", "label", "kind", "importance",
                        "since", "last_contact", "cadence_days", "shared_label"]
RATING_COLUMNS = ["checkin_id", "relationship_id", "taken_at", "trend", "dimension", "rating"]
CONTACT_COLUMNS = ["relationship_id", "date", "channel"]
PLAN_COLUMNS = ["plan_id", "relationship_id", "status", "meeting_at", "followup_days", "tone"]


@dataclass(frozen=True)
class Tidy:
    """The tidy frames for one participant or one session."""

    relationships: pd.DataFrame
    ratings: pd.DataFrame
    contacts: pd.DataFrame
    plans: pd.DataFrame
    weights: dict[str, float]
    # scoring.score of these frames as of one day, when the caller worked it out already
    # (see workshop.live_scores): used for that day, recomputed for any other.
    scored: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    scored_as_of: pd.Timestamp | None = field(default=None, repr=False, compare=False)
    # latest_ratings() of these frames, when the caller kept it already (workshop.frames_cache)
    latest: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def scores(self, as_of=None) -> pd.DataFrame:
        """:func:`workshop.scoring.score`, joined with each relationship's own columns."""
        day = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now()).normalize()
        if self.scored is not None and self.scored_as_of == day:
            scored = self.scored
        else:
            scored = scoring.score(self.relationships, self.ratings, self.contacts,
                                   self.weights, day)
        return scored.merge(self.relationships, on="relationship_id", how="left")

    def history(self) -> pd.DataFrame:
        """:func:`workshop.scoring.history`, joined with each relationship's label and kind."""
        past = scoring.history(self.relationships, self.ratings, self.contacts, self.weights)
        return past.merge(self.relationships[["relationship_id", "label", "kind",
                                              "participant_id"]], on="relationship_id")

    def latest_ratings(self) -> pd.DataFrame:
        """The ratings of each relationship's latest check-in (one row per dimension)."""
        return latest_ratings(self.ratings) if self.latest is None else self.latest


def latest_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``ratings`` from each relationship's latest check-in, in their order (of
    two check-ins taken at the same moment, the one listed last). Worked out per
    relationship, so the latest of a few relationships' ratings are their rows of the
    latest of everyone's."""
    if ratings.empty:
        return ratings
    latest = (ratings.drop_duplicates("checkin_id").sort_values("taken_at", kind="stable")
              .groupby("relationship_id").tail(1)["checkin_id"])
    return ratings[ratings["checkin_id"].isin(latest)].reset_index(drop=True)


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None)
    return frame


def relationships_frame(records: list[Relationship]) -> pd.DataFrame:
    rows = [{**r.model_dump(include=set(RELATIONSHIP_COLUMNS)), "relationship_id": r.id}
            for r in records]
    return _dates(pd.DataFrame(rows, columns=RELATIONSHIP_COLUMNS), "since", "last_contact")


def ratings_frame(records: list[CheckIn]) -> pd.DataFrame:
    rows = [(c.id, c.relationship_id, c.taken_at, c.trend, dim, value)
            for c in records for dim, value in c.ratings.items()]
    return _dates(pd.DataFrame(rows, columns=RATING_COLUMNS), "taken_at")


def contacts_frame(records: list[Contact]) -> pd.DataFrame:
    rows = [(c.relationship_id, c.date, c.channel) for c in records]
    return _dates(pd.DataFrame(rows, columns=CONTACT_COLUMNS), "date")


def plans_frame(records: list[ResetPlan]) -> pd.DataFrame:
    rows = [(p.id, p.relationship_id, p.status, p.meeting_at, p.followup_days, p.tone)
            for p in records]
    return _dates(pd.DataFrame(rows, columns=PLAN_COLUMNS), "meeting_at")


def load(store: Store, *, participant_id: str | None = None,
         session_id: str | None = None, weights: dict[str, float] | None = None) -> Tidy:
    """The tidy frames of one participant or one whole session.

    ``weights`` default to the session's settings (or the content's default weights for
    someone working on their own).
    """
    scope = {"participant_id": participant_id, "session_id": session_id}
    if weights is None:
        weights = _weights(store, participant_id, session_id)
    if participant_id is None and session_id is not None:
        return load_session_frames(store.engine, session_id, weights)
    return _from_records(store, scope, weights)


def _from_records(store: Store, scope: dict, weights: dict[str, float]) -> Tidy:
    return Tidy(relationships=relationships_frame(store.find_relationships(**scope)),
                ratings=ratings_frame(store.find_checkins(**scope)),
                contacts=contacts_frame(store.find_contacts(**scope)),
                plans=plans_frame(store.find_plans(**scope)), weights=weights)


def _weights(store: Store, participant_id: str | None, session_id: str | None) -> dict:
    if session_id is None and participant_id is not None:
        session_id = store.get_participant(participant_id).session_id
    if session_id is None:
        from .content import content
        return content().default_weights
    return dict(store.get_session(session_id).settings.weights)


# -- a whole session, straight from SQL --------------------------------------------------------

def _session_relationship_ids(session_id: str):
    people = sa.select(db.participants.c.id).where(db.participants.c.session_id == session_id)
    return sa.select(db.relationships.c.id).where(db.relationships.c.participant_id.in_(people))


def _frame(conn, query, columns: list[str], *dates: str) -> pd.DataFrame:
    """Rows of ``query`` as a frame with the dtypes the record path gives (plain tuples:
    pandas probes SQLAlchemy's row objects slowly, one attribute lookup at a time)."""
    rows = [tuple(row) for row in conn.execute(query)]
    return _dates(pd.DataFrame.from_records(rows, columns=columns), *dates)


def load_session_frames(engine: Engine, session_id: str, weights: dict[str, float]) -> Tidy:
    """The tidy frames of a whole session in five queries (one read transaction).

    The same frames :func:`load` builds from records: same rows in the same order, same
    columns and dtypes (a test holds the two paths to it).
    """
    people = sa.select(db.participants.c.id).where(db.participants.c.session_id == session_id)
    with engine.connect() as conn, conn.begin():
        frames = read_frames(conn, db.relationships.c.participant_id.in_(people))
    return Tidy(**{name: frame.drop(columns=SORT_KEYS[name][0])
                   for name, frame in frames.items()}, weights=dict(weights))


# Besides each frame's own columns, the columns its rows are ordered by (read by
# read_frames, which keeps them, so that a cache can merge new rows in the same order).
SORT_KEYS = {"relationships": (["_created_at"], ["_created_at", "relationship_id"]),
             "ratings": ([], ["taken_at", "checkin_id", "dimension"]),
             "contacts": (["_contact_id"], ["date", "_contact_id"]),
             "plans": (["_updated_at"], ["_updated_at", "plan_id"])}


def read_frames(conn, which, only=tuple(SORT_KEYS)) -> dict[str, pd.DataFrame]:
    """The frames (those named in ``only``) of the relationships matching ``which`` (a
    condition on the relationships table) and of everything under them, each in its order and
    with its hidden sort columns (:data:`SORT_KEYS`)."""
    r = db.relationships.c
    owned = sa.select(r.id).where(which)
    reads = {"relationships": lambda: _frame(conn, sa.select(
                r.id, r.participant_id, r.label, r.kind, r.importance, r.since, r.last_contact,
                r.cadence_days, r.shared_label, r.created_at).where(which)
                .order_by(r.created_at, r.id), RELATIONSHIP_COLUMNS + ["_created_at"],
                "since", "last_contact", "_created_at"),
             "ratings": lambda: _ratings(conn, owned),
             "contacts": lambda: _contacts(conn, owned), "plans": lambda: _plans(conn, owned)}
    return {name: reads[name]() for name in only}


def _contacts(conn, owned) -> pd.DataFrame:
    k = db.contacts.c
    return _frame(conn, sa.select(k.relationship_id, k.date, k.channel, k.id)
                  .where(k.relationship_id.in_(owned)).order_by(k.date, k.id),
                  CONTACT_COLUMNS + ["_contact_id"], "date")


def _plans(conn, owned) -> pd.DataFrame:
    p = db.plans.c
    return _frame(conn, sa.select(
        p.id, p.relationship_id, p.status, p.meeting_at, p.followup_days, p.tone,
        p.updated_at).where(p.relationship_id.in_(owned)).order_by(p.updated_at, p.id),
        PLAN_COLUMNS + ["_updated_at"], "meeting_at", "_updated_at")


def _ratings(conn, owned) -> pd.DataFrame:
    """The ratings frame: check-ins read once, their many ratings as raw driver rows (plain
    strings and integers need no conversion), joined in pandas."""
    c, r = db.checkins.c, db.ratings.c
    checkins = _frame(conn, sa.select(c.id, c.relationship_id, c.taken_at, c.trend)
                      .where(c.relationship_id.in_(owned)), RATING_COLUMNS[:4], "taken_at")
    query = (sa.select(r.checkin_id, r.dimension, r.rating).join(db.checkins, r.checkin_id == c.id)
             .where(c.relationship_id.in_(owned)).order_by(c.taken_at, c.id, r.dimension))
    rows = conn.execute(query).cursor.fetchall()
    if not rows:
        return _dates(pd.DataFrame(columns=RATING_COLUMNS), "taken_at")
    rated = pd.DataFrame.from_records(rows, columns=["checkin_id", "dimension", "rating"])
    own = checkins.set_index("checkin_id").reindex(rated["checkin_id"])
    for column in ("relationship_id", "taken_at", "trend"):
        rated[column] = own[column].to_numpy()
    return rated[RATING_COLUMNS]


PARTICIPANT_COLUMNS = ["participant_id", "inventory_done_at", "health_done_at"]


def session_progress_counts(engine: Engine, session_id: str) -> dict[str, int]:
    """What :func:`workshop.aggregate.progress` counts, counted by the database in one query:
    ``joined``, ``inventory`` and ``health`` (people who finished those steps) and ``plan``
    (people with a plan for at least one of their relationships). A handful of integers
    whatever the size of the room, where reading the rows to count them grew with it."""
    t, r, p = db.participants.c, db.relationships.c, db.plans.c
    mine = t.session_id == session_id
    people = sa.select(t.id).where(mine)
    planned = (sa.select(sa.func.count(sa.distinct(r.participant_id)))
               .select_from(db.relationships.join(db.plans, p.relationship_id == r.id))
               .where(r.participant_id.in_(people)).scalar_subquery())
    query = sa.select(sa.func.count(t.id), sa.func.count(t.inventory_done_at),
                      sa.func.count(t.health_done_at), planned).where(mine)
    with engine.connect() as conn:
        joined, inventory, health, plan = conn.execute(query).one()
    return {"joined": joined, "inventory": inventory, "health": health, "plan": plan}

