"""The numbers the method rests on: pure functions over tidy pandas DataFrames.

Tidy inputs (built by :mod:`workshop.tidy` from the store, or by hand):

``relationships``
    one row per relationship: ``relationship_id, participant_id, label, kind, importance,
    since, last_contact, cadence_days, shared_label`` (dates as ``datetime64``, may be NaT).
``ratings``
    one row per rating: ``checkin_id, relationship_id, taken_at, trend, dimension, rating``.
``contacts``
    one row per logged contact: ``relationship_id, date``.

Nothing here reads the database or draws anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .content import State, content

SCORE_COLUMNS = ["relationship_id", "health", "momentum", "drift", "days_since_contact",
                 "age_days", "state", "priority", "checkins", "taken_at"]


def health(ratings: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Health 0-100 of each check-in from its weighted ratings.

    ``health = 100 * sum(w_d * (r_d - 1) / 4) / sum(w_d)`` over the dimensions the check-in
    rated (ratings 1-5; a dimension without a weight counts 1). All 1s give 0, all 5s give 100.
    Returns one row per check-in: ``checkin_id, relationship_id, taken_at, trend, health``.
    """
    keys = ["checkin_id", "relationship_id", "taken_at", "trend"]
    if ratings.empty:
        return pd.DataFrame(columns=[*keys, "health"])
    w = ratings["dimension"].map(lambda d: float(weights.get(d, 1.0)))
    frame = ratings.assign(_w=w, _wr=w * (ratings["rating"] - 1) / 4)
    sums = frame.groupby(keys, sort=False, dropna=False)[["_wr", "_w"]].sum()
    out = (100 * sums["_wr"] / sums["_w"]).rename("health").reset_index()
    return out.sort_values(["relationship_id", "taken_at"], kind="stable", ignore_index=True)


def momentum(checkins: pd.DataFrame,
             trend_momentum: Mapping[str, float] | None = None) -> pd.Series:
    """Change in health since the relationship's previous check-in, in health points.

    On a relationship's first check-in there is no previous one, so the declared trend
    stands in: ``trend_momentum[trend]`` (content ``scoring.yaml``: improving +10, stable 0,
    declining -10). ``checkins`` is the output of :func:`health`, sorted by ``taken_at``.
    """
    trend_momentum = trend_momentum or content().scoring.trend_momentum
    change = checkins.groupby("relationship_id", sort=False)["health"].diff()
    declared = checkins["trend"].map(lambda t: float(trend_momentum.get(t, 0.0)))
    return change.fillna(declared).rename("momentum")


def last_contact(relationships: pd.DataFrame, contacts: pd.DataFrame,
                 as_of: pd.Timestamp) -> pd.Series:
    """Latest known contact on or before ``as_of`` per relationship (index: relationship_id).

    The clock restarts at each logged contact; with no contact at all it runs from the
    relationship's start (``since``); with neither it is unknown (NaT).
    """
    base = relationships.set_index("relationship_id")
    known = base["last_contact"].where(base["last_contact"] <= as_of)
    if not contacts.empty:
        logged = contacts[contacts["date"] <= as_of].groupby("relationship_id")["date"].max()
        known = pd.concat([known, logged.reindex(known.index)], axis=1).max(axis=1)
    return known.fillna(base["since"].where(base["since"] <= as_of)).rename("last_contact")


def drift(days_since_contact: float, cadence_days: float) -> float:
    """``drift = days since the last meaningful contact / desired cadence in days``.

    0 just after a contact, 1 when the wanted cadence is reached, above 1 when overdue.
    NaN when no contact date is known.
    """
    if days_since_contact is None or pd.isna(days_since_contact):
        return math.nan
    return max(float(days_since_contact), 0.0) / float(cadence_days)


def classify(health: float, momentum: float, drift: float, age_days: float,
             states: Sequence[State] | None = None) -> str:
    """The key of the first state whose rule holds, in the content's order.

    Each state's ``when`` is a list of alternatives; one holds when all its bounds do:
    ``<metric>_at_least: v`` means ``metric >= v``, ``<metric>_below: v`` means ``metric < v``.
    A bound on an unknown (NaN) metric does not hold. The last state has an empty
    alternative and so catches everything else.
    """
    states = states or content().states
    values = {"health": health, "momentum": momentum, "drift": drift, "age_days": age_days}
    for state in states:
        if any(_holds(alternative, values) for alternative in state.when):
            return state.key
    return states[-1].key


def _holds(bounds: Mapping[str, float], values: Mapping[str, float]) -> bool:
    for name, limit in bounds.items():
        if name.endswith("_at_least"):
            ok = _known(values[name.removesuffix("_at_least")]) >= limit
        else:
            ok = _known(values[name.removesuffix("_below")]) < limit
        if not ok:  # NaN compares False both ways, so an unknown metric never holds
            return False
    return True


def _known(value) -> float:
    return math.nan if value is None else float(value)


def priority(importance: float, health: float, drift: float, *, drift_cap: float | None = None,
             unknown_drift: float | None = None) -> float:
    """Reset priority 0-100: importance x lost health x drift.

    ``priority = 100 * (importance / 5) * ((100 - health) / 100) * (1 + d) / (1 + cap)``
    where ``d = min(drift, cap)`` (``cap`` = content ``drift_cap``, 3 by default) and an
    unknown drift counts as ``unknown_drift`` (1 by default). A drift of 0 still leaves a
    quarter of the weight, so an unhealthy relationship you just spoke to still ranks.
    """
    rules = content().scoring
    cap = rules.drift_cap if drift_cap is None else drift_cap
    d = (rules.unknown_drift if unknown_drift is None else unknown_drift) if pd.isna(drift) \
        else drift
    factor = (1 + min(max(d, 0.0), cap)) / (1 + cap)
    return 100 * (importance / 5) * ((100 - health) / 100) * factor


def history(relationships: pd.DataFrame, ratings: pd.DataFrame, contacts: pd.DataFrame,
            weights: Mapping[str, float]) -> pd.DataFrame:
    """Every check-in with its health, momentum, drift and state at the time it was taken.

    Columns: ``checkin_id, relationship_id, taken_at, trend, health, momentum, drift,
    days_since_contact, age_days, state``. State changes between consecutive rows of a
    relationship are what "Fading -> Steady" labels are made of.
    """
    checkins = health(ratings, weights)
    if checkins.empty:
        return checkins.assign(momentum=[], drift=[], days_since_contact=[], age_days=[],
                               state=[])
    checkins["momentum"] = momentum(checkins)
    as_of = checkins["taken_at"].dt.normalize()
    seen = _contact_before(checkins.assign(_as_of=as_of), relationships, contacts)
    rel = relationships.set_index("relationship_id")
    rows = [_measure(rel.loc[row.relationship_id], row.health, row.momentum, seen_at, day)
            for row, seen_at, day in zip(checkins.itertuples(index=False), seen, as_of,
                                         strict=True)]
    return pd.concat([checkins, pd.DataFrame(rows, index=checkins.index)], axis=1)


def _contact_before(checkins: pd.DataFrame, relationships: pd.DataFrame,
                    contacts: pd.DataFrame) -> pd.Series:
    """For each check-in (with an ``_as_of`` day), the latest contact known on that day."""
    own = checkins[["relationship_id", "_as_of"]].merge(
        relationships[["relationship_id", "last_contact", "since"]], on="relationship_id",
        how="left").set_index(checkins.index)
    known = own["last_contact"].where(own["last_contact"] <= own["_as_of"])
    if not contacts.empty:
        pairs = own.rename_axis("_row").reset_index().merge(
            contacts[["relationship_id", "date"]], on="relationship_id")
        pairs = pairs[pairs["date"] <= pairs["_as_of"]]
        logged = pairs.groupby("_row")["date"].max().reindex(own.index)
        known = pd.concat([known, logged], axis=1).max(axis=1)
    return known.fillna(own["since"].where(own["since"] <= own["_as_of"]))


def _measure(rel: pd.Series, health_now: float, momentum_now: float, seen, as_of) -> dict:
    days = (as_of - seen).days if not pd.isna(seen) else math.nan
    age = (as_of - rel["since"]).days if not pd.isna(rel["since"]) else math.nan
    d = drift(days, rel["cadence_days"])
    return {"drift": d, "days_since_contact": days, "age_days": age,
            "state": classify(health_now, momentum_now, d, age)}


def score(relationships: pd.DataFrame, ratings: pd.DataFrame, contacts: pd.DataFrame,
          weights: Mapping[str, float], as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Where each relationship stands now: one row per relationship with a check-in.

    Health and momentum come from its latest check-in, drift from its latest contact before
    ``as_of`` (default: today). Columns: :data:`SCORE_COLUMNS`; sorted by priority, highest
    first. Relationships never rated are left out (there is nothing to score yet).
    """
    as_of = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now()).normalize()
    checkins = health(ratings, weights)
    if checkins.empty or relationships.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    checkins["momentum"] = momentum(checkins)
    latest = checkins.groupby("relationship_id").tail(1).set_index("relationship_id")
    rel = relationships.set_index("relationship_id")
    rel = rel[rel.index.isin(latest.index)]
    if rel.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    now = latest.reindex(rel.index)
    # the rules of _measure, classify and priority, for every relationship at once
    days = (as_of - last_contact(relationships, contacts, as_of).reindex(rel.index)).dt.days
    age = (as_of - rel["since"]).dt.days
    drifts = np.maximum(days.astype(float), 0.0) / rel["cadence_days"].astype(float)
    out = pd.DataFrame({"relationship_id": rel.index, "health": now["health"].to_numpy(),
                        "momentum": now["momentum"].to_numpy(), "drift": drifts.to_numpy(),
                        "days_since_contact": days.to_numpy(), "age_days": age.to_numpy()})
    out["state"] = classify_all(out)
    out["priority"] = priorities(rel["importance"].to_numpy(), out["health"], out["drift"])
    out["checkins"] = checkins.groupby("relationship_id").size().reindex(rel.index).to_numpy()
    out["taken_at"] = now["taken_at"].to_numpy()
    return out[SCORE_COLUMNS].sort_values("priority", ascending=False, kind="stable",
                                          ignore_index=True)


def classify_all(metrics: pd.DataFrame, states: Sequence[State] | None = None) -> np.ndarray:
    """:func:`classify` for every row of ``metrics`` (columns ``health, momentum, drift,
    age_days``) at once: the first state whose rule holds, in the content's order."""
    states = states or content().states
    values = {name: metrics[name].astype(float).to_numpy()
              for name in ("health", "momentum", "drift", "age_days")}
    result = np.full(len(metrics), states[-1].key, dtype=object)
    open_rows = np.ones(len(metrics), dtype=bool)
    for state in states:
        holds = np.zeros(len(metrics), dtype=bool)
        for alternative in state.when:
            every = np.ones(len(metrics), dtype=bool)
            for name, limit in alternative.items():
                if name.endswith("_at_least"):  # NaN compares False both ways, as in _holds
                    every &= values[name.removesuffix("_at_least")] >= limit
                else:
                    every &= values[name.removesuffix("_below")] < limit
            holds |= every
        result[open_rows & holds] = state.key
        open_rows &= ~holds
    return result


def priorities(importance, health, drift) -> np.ndarray:
    """:func:`priority` for arrays of importance, health and drift."""
    rules = content().scoring
    d = pd.Series(drift, dtype=float).fillna(rules.unknown_drift).to_numpy()
    factor = (1 + np.minimum(np.maximum(d, 0.0), rules.drift_cap)) / (1 + rules.drift_cap)
    health = np.asarray(health, dtype=float)
    return 100 * (np.asarray(importance) / 5) * ((100 - health) / 100) * factor


def perception_gap(relationships: pd.DataFrame, ratings: pd.DataFrame,
                   min_raters: int = 2) -> pd.DataFrame:
    """How far apart people's ratings of the same shared relationship are, per dimension.

    Uses each rater's latest check-in of a relationship carrying that ``shared_label``.
    ``gap = max rating - min rating`` (0 = everyone agrees, 4 = opposite ends); ``std`` is the
    population standard deviation. Only labels with at least ``min_raters`` distinct raters.
    Columns: ``shared_label, dimension, raters, mean, gap, std``.
    """
    if ratings.empty:
        return latest_gap(relationships, ratings, min_raters)
    latest_ids = (ratings.drop_duplicates("checkin_id").sort_values("taken_at")
                  .groupby("relationship_id").tail(1)["checkin_id"])
    return latest_gap(relationships, ratings[ratings["checkin_id"].isin(latest_ids)],
                      min_raters)


def latest_gap(relationships: pd.DataFrame, latest: pd.DataFrame,
               min_raters: int = 2) -> pd.DataFrame:
    """:func:`perception_gap` of ratings that are each relationship's latest already."""
    columns = ["shared_label", "dimension", "raters", "mean", "gap", "std"]
    shared = relationships.dropna(subset=["shared_label"])
    if shared.empty or latest.empty:
        return pd.DataFrame(columns=columns)
    frame = latest.merge(shared[["relationship_id", "participant_id", "shared_label"]],
                         on="relationship_id")
    grouped = frame.groupby(["shared_label", "dimension"])
    out = grouped.agg(raters=("participant_id", "nunique"), mean=("rating", "mean"),
                      high=("rating", "max"), low=("rating", "min"))
    out["std"] = grouped["rating"].std(ddof=0)  # population spread, as np.std
    out["gap"] = out.pop("high") - out.pop("low")
    out = out.reset_index()
    return out[out["raters"] >= min_raters][columns].reset_index(drop=True)
