"""Anonymised group figures for the facilitator's shared screen, as tidy DataFrames.

Every frame counts its ``respondents`` (distinct participants behind each row) so charts can
hold back any group smaller than the session's anonymity threshold. Values of a group below
the threshold are masked here already (``NaN``), and shared labels rated by too few people are
dropped, so an export made from these frames cannot leak them either. No free text and no
relationship labels appear, except the shared labels several people chose on purpose.

Inputs are the frames of :mod:`workshop.tidy`; nothing here reads the database or draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import scoring
from .content import content

MILESTONES = (("joined", "Joined"), ("inventory", "Finished inventory"),
              ("health", "Finished health check"), ("plan", "Made a plan"))
# Drift bands: days since the last real contact over the wanted cadence.
DRIFT_BANDS = ((0.0, 1.0, "on rhythm (under 1x)"), (1.0, 1.5, "due (1-1.5x)"),
               (1.5, 2.0, "lagging (1.5-2x)"), (2.0, 3.0, "overdue (2-3x)"),
               (3.0, math.inf, "long overdue (3x+)"))
UNKNOWN_DRIFT = "no contact date"

STATE_COLUMNS = ["state", "name", "relationships", "share", "respondents"]
DIMENSION_COLUMNS = ["dimension", "name", "mean", "std", "q1", "median", "q3", "ratings",
                     "respondents"]
HEATMAP_COLUMNS = ["kind", "dimension", "name", "mean", "ratings", "respondents"]
DRIFT_COLUMNS = ["band", "relationships", "share", "respondents"]
GAP_COLUMNS = ["shared_label", "dimension", "name", "raters", "mean", "gap", "std"]


def dimension_name(key: str) -> str:
    """The display name of a dimension: the content's, or the key made readable."""
    return content().dimension_for(key).name


def respondents(frame: pd.DataFrame) -> int:
    """Distinct participants behind ``frame`` (0 when it is empty)."""
    return int(frame["participant_id"].nunique()) if len(frame) else 0


def waiting_for(count: int, threshold: int) -> int:
    """How many more respondents a group needs before it may be shown."""
    return max(int(threshold) - int(count), 0)


# -- progress -------------------------------------------------------------------------------

def progress(participants: pd.DataFrame, relationships: pd.DataFrame,
             plans: pd.DataFrame) -> pd.DataFrame:
    """How many people reached each milestone: columns ``milestone, label, count``.

    ``participants`` has ``participant_id, inventory_done_at, health_done_at``; a plan counts
    for the participant owning its relationship. Counts only, never who.
    """
    planned = relationships.loc[relationships["relationship_id"].isin(plans["relationship_id"]),
                                "participant_id"]
    counts = {"joined": len(participants),
              "inventory": int(participants["inventory_done_at"].notna().sum()),
              "health": int(participants["health_done_at"].notna().sum()),
              "plan": int(planned.nunique())}
    return pd.DataFrame([(key, label, counts[key]) for key, label in MILESTONES],
                        columns=["milestone", "label", "count"])


def participants_frame(records: Iterable) -> pd.DataFrame:
    """Participant records as ``participant_id, inventory_done_at, health_done_at``."""
    rows = [(p.id, p.inventory_done_at, p.health_done_at) for p in records]
    return pd.DataFrame(rows, columns=["participant_id", "inventory_done_at", "health_done_at"])


# -- states and drift ----------------------------------------------------------------------

def state_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """Relationships per state across the room, in the content's state order."""
    total = len(scores)
    rows = [(s.key, s.name, int((scores["state"] == s.key).sum()) if total else 0)
            for s in content().states]
    frame = pd.DataFrame(rows, columns=STATE_COLUMNS[:3])
    frame["share"] = frame["relationships"] / total if total else 0.0
    frame["respondents"] = respondents(scores)
    return frame[STATE_COLUMNS]


def drift_bands(scores: pd.DataFrame) -> pd.DataFrame:
    """Relationships per drift band (see :data:`DRIFT_BANDS`), unknown drift last."""
    drift = pd.to_numeric(scores["drift"], errors="coerce") if len(scores) else pd.Series([])
    rows = [(label, int(((drift >= low) & (drift < high)).sum()))
            for low, high, label in DRIFT_BANDS]
    rows.append((UNKNOWN_DRIFT, int(drift.isna().sum())))
    frame = pd.DataFrame(rows, columns=DRIFT_COLUMNS[:2])
    frame["share"] = frame["relationships"] / len(scores) if len(scores) else 0.0
    frame["respondents"] = respondents(scores)
    return frame[DRIFT_COLUMNS]


# -- ratings --------------------------------------------------------------------------------

def _rated(latest: pd.DataFrame, relationships: pd.DataFrame,
           dimensions: Sequence[str]) -> pd.DataFrame:
    columns = ["relationship_id", "participant_id", "kind"]
    frame = latest.merge(relationships[columns], on="relationship_id")
    return frame[frame["dimension"].isin(dimensions)]


def _mask(frame: pd.DataFrame, values: list[str], threshold: int) -> pd.DataFrame:
    frame = frame.copy()
    frame[values] = frame[values].astype(float)
    frame.loc[frame["respondents"] < threshold, values] = np.nan
    return frame


def dimension_summary(latest: pd.DataFrame, relationships: pd.DataFrame,
                      dimensions: Sequence[str], threshold: int) -> pd.DataFrame:
    """Average and spread of the latest rating per dimension, in ``dimensions`` order.

    ``std`` is the population standard deviation; ``q1/median/q3`` the quartiles. Values of a
    dimension rated by fewer than ``threshold`` people are masked.
    """
    rated = _rated(latest, relationships, dimensions)
    rows = []
    for key in dimensions:
        values = rated.loc[rated["dimension"] == key, "rating"].astype(float)
        q1, med, q3 = (values.quantile([0.25, 0.5, 0.75]).tolist() if len(values)
                       else [np.nan] * 3)
        rows.append((key, dimension_name(key), values.mean(), float(np.std(values))
                     if len(values) else np.nan, q1, med, q3, len(values),
                     respondents(rated[rated["dimension"] == key])))
    frame = pd.DataFrame(rows, columns=DIMENSION_COLUMNS)
    return _mask(frame, ["mean", "std", "q1", "median", "q3"], threshold)


def weakest_dimension(summary: pd.DataFrame) -> pd.Series | None:
    """The dimension with the lowest average among those shown (the first of a tie), or None
    when nothing is shown or every shown dimension has the same average."""
    shown = summary.dropna(subset=["mean"])
    if shown.empty or (len(shown) > 1 and np.isclose(shown["mean"], shown["mean"].min()).all()):
        return None
    return shown.loc[shown["mean"].idxmin()]


def kind_heatmap(latest: pd.DataFrame, relationships: pd.DataFrame,
                 dimensions: Sequence[str], threshold: int) -> pd.DataFrame:
    """Average latest rating per relationship kind x dimension; small cells masked."""
    rated = _rated(latest, relationships, dimensions)
    if rated.empty:
        return pd.DataFrame(columns=HEATMAP_COLUMNS)
    grouped = rated.groupby(["kind", "dimension"])
    frame = grouped.agg(mean=("rating", "mean"), ratings=("rating", "size"),
                        respondents=("participant_id", "nunique")).reset_index()
    frame["name"] = frame["dimension"].map(dimension_name)
    order = {key: i for i, key in enumerate(dimensions)}
    frame = frame.sort_values(["kind", "dimension"], key=lambda c: c.map(order)
                              if c.name == "dimension" else c, ignore_index=True)
    return _mask(frame[HEATMAP_COLUMNS], ["mean"], threshold)


def gaps(relationships: pd.DataFrame, ratings: pd.DataFrame, dimensions: Sequence[str],
         threshold: int) -> pd.DataFrame:
    """Perception gap per shared label and dimension, only where ``threshold`` people rated."""
    frame = scoring.perception_gap(relationships, ratings, min_raters=threshold)
    frame = frame[frame["dimension"].isin(dimensions)].copy()
    frame["name"] = frame["dimension"].map(dimension_name)
    return frame.reindex(columns=GAP_COLUMNS).reset_index(drop=True)


def most_shared_raters(relationships: pd.DataFrame, ratings: pd.DataFrame) -> int:
    """The most people who rated one shared label (0 if none): how close gaps are to showing."""
    frame = scoring.perception_gap(relationships, ratings, min_raters=1)
    return int(frame["raters"].max()) if len(frame) else 0


# -- everything the group view shows --------------------------------------------------------

@dataclass(frozen=True)
class Group:
    """All anonymised figures of one session at one moment."""

    threshold: int
    respondents: int
    states: pd.DataFrame
    dimensions: pd.DataFrame
    heatmap: pd.DataFrame
    drift: pd.DataFrame
    gaps: pd.DataFrame
    shared_raters: int

    @property
    def weakest(self) -> pd.Series | None:
        return weakest_dimension(self.dimensions) if self.respondents >= self.threshold else None

    def waiting(self) -> dict[str, int]:
        """How many more respondents each group chart needs before it shows (0: it shows)."""
        def top(frame: pd.DataFrame) -> int:
            return int(frame["respondents"].max()) if len(frame) else 0
        return {"states": waiting_for(top(self.states), self.threshold),
                "dimensions": waiting_for(top(self.dimensions), self.threshold),
                "heatmap": waiting_for(top(self.heatmap), self.threshold),
                "drift": waiting_for(top(self.drift), self.threshold),
                "gaps": waiting_for(self.shared_raters, self.threshold)}

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables an anonymised export holds, by name.

        Head counts of masked groups are blanked too: an export says a group is hidden, not
        how small it is.
        """
        return {"states": self.states, "dimensions": _blank(self.dimensions, "mean"),
                "heatmap": _blank(self.heatmap, "mean"), "drift": self.drift,
                "perception_gaps": self.gaps}


def _blank(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    shown = frame[value].notna()
    return frame.assign(**{c: frame[c].astype("Int64").where(shown)
                           for c in ("ratings", "respondents")})


def group(frames, dimensions: Sequence[str], threshold: int, as_of=None) -> Group:
    """The anonymised figures of a session from its :class:`workshop.tidy.Tidy` frames."""
    scores = frames.scores(as_of)
    latest = frames.latest_ratings()
    rated = _rated(latest, frames.relationships, dimensions) if len(latest) else latest
    return Group(threshold=int(threshold),
                 respondents=respondents(rated) if len(rated) else 0,
                 states=state_counts(scores), drift=drift_bands(scores),
                 dimensions=dimension_summary(latest, frames.relationships, dimensions,
                                              threshold),
                 heatmap=kind_heatmap(latest, frames.relationships, dimensions, threshold),
                 gaps=gaps(frames.relationships, frames.ratings, dimensions, threshold),
                 shared_raters=most_shared_raters(frames.relationships, frames.ratings))


def session_group(store, session, as_of=None) -> Group:
    """:func:`group` for a stored session, with its own dimensions and threshold."""
    from . import tidy
    settings = session.settings
    return group(tidy.load(store, session_id=session.id, weights=dict(settings.weights)),
                 settings.dimensions, settings.anonymity_threshold, as_of)


def session_progress(store, session_id: str) -> pd.DataFrame:
    """:func:`progress` for a stored session (three cheap queries)."""
    from . import tidy
    people = participants_frame(store.find_participants(session_id))
    rels = tidy.relationships_frame(store.find_relationships(session_id=session_id))
    plans = tidy.plans_frame(store.find_plans(session_id=session_id))
    return progress(people, rels, plans)


def counts(progress_frame: pd.DataFrame) -> Mapping[str, int]:
    """A progress frame as ``{milestone: count}``."""
    return dict(zip(progress_frame["milestone"], progress_frame["count"].astype(int),
                    strict=True))
