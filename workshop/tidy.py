"""From the store to tidy pandas DataFrames: the shape scoring, charts and exports read.

Every frame has documented columns (see :mod:`workshop.scoring`); dates are ``datetime64``
(NaT when unknown), times are naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import scoring
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

    def scores(self, as_of=None) -> pd.DataFrame:
        """:func:`workshop.scoring.score`, joined with each relationship's own columns."""
        scored = scoring.score(self.relationships, self.ratings, self.contacts, self.weights,
                               as_of)
        return scored.merge(self.relationships, on="relationship_id", how="left")

    def history(self) -> pd.DataFrame:
        """:func:`workshop.scoring.history`, joined with each relationship's label and kind."""
        past = scoring.history(self.relationships, self.ratings, self.contacts, self.weights)
        return past.merge(self.relationships[["relationship_id", "label", "kind",
                                              "participant_id"]], on="relationship_id")

    def latest_ratings(self) -> pd.DataFrame:
        """The ratings of each relationship's latest check-in (one row per dimension)."""
        if self.ratings.empty:
            return self.ratings
        latest = (self.ratings.drop_duplicates("checkin_id").sort_values("taken_at")
                  .groupby("relationship_id").tail(1)["checkin_id"])
        return self.ratings[self.ratings["checkin_id"].isin(latest)].reset_index(drop=True)


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
