"""Anonymised group figures for the facilitator's shared screen, as tidy DataFrames.

Every figure follows the one anonymity rule of :mod:`workshop.anonymity`: a cell is shown
only with at least ``threshold`` people behind it; a hidden cell publishes nothing (no value,
no count, not whether it is empty); and every total, share and mean is computed over shown
cells only. States, drift bands and kinds cut the same relationships, so all of them are
computed over one common base (:func:`workshop.anonymity.common_base`): a relationship in a
small state, band or kind is left out of every figure, and the per-dimension means are
computed over the shown kind x dimension cells. Each frame counts its ``respondents``
(distinct participants behind each row). No free text and no relationship labels appear,
except the shared labels several people chose on purpose.

Inputs are the frames of :mod:`workshop.tidy`; nothing here reads the database or draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import anonymity, scoring
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
# No mean per shared label: next to the kind x dimension means it could be differenced
# (rule 4 of workshop.anonymity); the gap and the spread cannot.
GAP_COLUMNS = ["shared_label", "dimension", "name", "raters", "gap", "std"]


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
    return progress_frame({"joined": len(participants),
                           "inventory": int(participants["inventory_done_at"].notna().sum()),
                           "health": int(participants["health_done_at"].notna().sum()),
                           "plan": int(planned.nunique())})


def progress_frame(counts: Mapping[str, int]) -> pd.DataFrame:
    """``{milestone: count}`` as the progress frame, in :data:`MILESTONES` order."""
    return pd.DataFrame([(key, label, int(counts[key])) for key, label in MILESTONES],
                        columns=["milestone", "label", "count"])


def participants_frame(records: Iterable) -> pd.DataFrame:
    """Participant records as ``participant_id, inventory_done_at, health_done_at``."""
    rows = [(p.id, p.inventory_done_at, p.health_done_at) for p in records]
    return pd.DataFrame(rows, columns=["participant_id", "inventory_done_at", "health_done_at"])


# -- states and drift ----------------------------------------------------------------------

def drift_band(drift: pd.Series) -> pd.Series:
    """The label of :data:`DRIFT_BANDS` each drift value falls in (:data:`UNKNOWN_DRIFT`)."""
    values = pd.to_numeric(drift, errors="coerce").to_numpy(dtype=float)
    lows, highs, labels = (np.array(column, dtype=object if i == 2 else float)
                           for i, column in enumerate(zip(*DRIFT_BANDS, strict=True)))
    which = np.searchsorted(lows, values, side="right") - 1  # the last band starting below
    with np.errstate(invalid="ignore"):
        outside = (which < 0) | ~(values < highs[which])  # NaN, below the first, past the last
    return pd.Series(np.where(outside, UNKNOWN_DRIFT, labels[which]), index=drift.index,
                     dtype=object)


def _counted(scores: pd.DataFrame, column: str, keys: Sequence[str],
             threshold: int) -> pd.DataFrame:
    """Relationships and people per value of ``column``; cells under ``threshold`` hidden."""
    if len(scores):
        grouped = scores.groupby(column)["participant_id"]
        sizes, people = grouped.size(), grouped.nunique()
    else:
        sizes = people = pd.Series(dtype="int64")
    rows = []
    for key in keys:
        size, count = int(sizes.get(key, 0)), int(people.get(key, 0))
        rows.append((key, size if count >= threshold else np.nan, count))
    frame = pd.DataFrame(rows, columns=[column, "relationships", "respondents"])
    shown = frame["relationships"].sum()
    frame["share"] = frame["relationships"] / shown if shown else np.nan
    return frame


def state_counts(scores: pd.DataFrame, threshold: int = 1) -> pd.DataFrame:
    """Relationships per state, best state first (the content's display order).

    A state with fewer than ``threshold`` people (none included) is hidden: its count and
    share are ``NaN``, and shares are of the shown relationships only.
    """
    states = content().states_shown
    frame = _counted(scores, "state", [s.key for s in states], threshold)
    frame["name"] = [s.name for s in states]
    return frame[STATE_COLUMNS]


def drift_bands(scores: pd.DataFrame, threshold: int = 1) -> pd.DataFrame:
    """Relationships per drift band (see :data:`DRIFT_BANDS`), unknown drift last; bands with
    fewer than ``threshold`` people hidden as in :func:`state_counts`. A ``band`` column
    already there (from :func:`drift_band`) is used as it is."""
    scored = scores if "band" in scores else scores.assign(band=drift_band(scores["drift"]))
    labels = [label for *_, label in DRIFT_BANDS] + [UNKNOWN_DRIFT]
    return _counted(scored, "band", labels, threshold)[DRIFT_COLUMNS]


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

    Computed over the ratings in shown kind x dimension cells only (rule 2 of
    :mod:`workshop.anonymity`), so a dimension's mean times its ratings is exactly the sum of
    the shown heat-map cells' means times theirs. ``std`` is the population standard
    deviation; ``q1/median/q3`` the quartiles. A dimension with fewer than ``threshold``
    people is masked.
    """
    return _dimension_summary(_rated(latest, relationships, dimensions), dimensions, threshold)


def _dimension_summary(rated: pd.DataFrame, dimensions: Sequence[str], threshold: int,
                       shown: pd.DataFrame | None = None) -> pd.DataFrame:
    """``shown``: the rows of ``rated`` in shown kind x dimension cells, if known already."""
    rated = anonymity.in_shown_cells(rated, ["kind", "dimension"], threshold) \
        if shown is None else shown
    # split once (each part keeps the rows' order), rather than one comparison per dimension
    parts = dict(tuple(rated.groupby("dimension", sort=False))) if len(rated) else {}
    rows = []
    for key in dimensions:
        part = parts.get(key, rated.iloc[:0])
        values = part["rating"].astype(float)
        q1, med, q3 = (values.quantile([0.25, 0.5, 0.75]).tolist() if len(values)
                       else [np.nan] * 3)
        rows.append((key, dimension_name(key), values.mean(), float(np.std(values))
                     if len(values) else np.nan, q1, med, q3, len(values), respondents(part)))
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
    """Average latest rating per relationship kind x dimension; small cells masked.

    Only kinds with at least one shown cell are listed, so the table does not tell a small
    kind from an absent one.
    """
    return _kind_heatmap(_rated(latest, relationships, dimensions), dimensions, threshold)


def _kind_heatmap(rated: pd.DataFrame, dimensions: Sequence[str], threshold: int,
                  shown: pd.DataFrame | None = None) -> pd.DataFrame:
    if shown is None:
        shown = anonymity.in_shown_cells(rated, ["kind", "dimension"], threshold)
    rated = rated[rated["kind"].isin(shown["kind"])]
    if rated.empty:
        return pd.DataFrame(columns=HEATMAP_COLUMNS)
    grouped = rated.groupby(["kind", "dimension"])
    frame = grouped.agg(mean=("rating", "mean"), ratings=("rating", "size"),
                        respondents=("participant_id", "nunique")).reset_index()
    for column in ("kind", "dimension"):  # the table gives text, whatever it was grouped by
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(frame[column].cat.categories.dtype)
    frame["name"] = frame["dimension"].map(dimension_name)
    order = {key: i for i, key in enumerate(dimensions)}
    frame = frame.sort_values(["kind", "dimension"], key=lambda c: c.map(order)
                              if c.name == "dimension" else c, ignore_index=True)
    return _mask(frame[HEATMAP_COLUMNS], ["mean"], threshold)


def gaps(relationships: pd.DataFrame, ratings: pd.DataFrame, dimensions: Sequence[str],
         threshold: int) -> pd.DataFrame:
    """Perception gap per shared label and dimension, only where ``threshold`` people rated.

    Raters, gap and spread only: no mean (see :data:`GAP_COLUMNS`).
    """
    return _gap_table(scoring.perception_gap(relationships, ratings, min_raters=threshold),
                      dimensions)


def _gap_table(frame: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
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
        """How many more respondents each group chart needs before it shows (0: it shows).

        Counted on the whole room, never on one group: "waiting for 3 more" about a single
        state or label would tell how small that group is. Once the room has enough people,
        a chart whose groups are all still small says so without a number.
        """
        more = waiting_for(self.respondents, self.threshold)
        return {key: more for key in ("states", "dimensions", "heatmap", "drift", "gaps")}

    def all_small(self) -> dict[str, bool]:
        """Per chart: True when the room is big enough but every group in it is still under
        the threshold, so the chart has nothing to show (and says so without a number)."""
        def nothing(frame: pd.DataFrame, value: str) -> bool:
            return frame.empty or bool(frame[value].isna().all())
        return {"states": nothing(self.states, "relationships"),
                "dimensions": nothing(self.dimensions, "mean"),
                "heatmap": nothing(self.heatmap, "mean"),
                "drift": nothing(self.drift, "relationships"), "gaps": self.gaps.empty}

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables an anonymised export holds, by name.

        Head counts of masked groups are blanked too: an export says a group is hidden, not
        how small it is.
        """
        return {"states": _blank(self.states, "relationships", ["relationships", "respondents"]),
                "dimensions": _blank(self.dimensions, "mean", ["ratings", "respondents"]),
                "heatmap": _blank(self.heatmap, "mean", ["ratings", "respondents"]),
                "drift": _blank(self.drift, "relationships", ["relationships", "respondents"]),
                "perception_gaps": self.gaps}


def _blank(frame: pd.DataFrame, value: str, counts: list[str]) -> pd.DataFrame:
    shown = frame[value].notna()
    return frame.assign(**{c: frame[c].astype("Int64").where(shown) for c in counts})


def group(frames, dimensions: Sequence[str], threshold: int, as_of=None) -> Group:
    """The anonymised figures of a session from its :class:`workshop.tidy.Tidy` frames.

    States, drift bands and the kind x dimension ratings all come from one common base of
    relationships (rule 2 of :mod:`workshop.anonymity`); ``respondents`` is the room's head
    count of people who rated, a count of participation like the progress counts. The
    perception gaps publish no sum or mean (rule 4), so they use every shared label's raters.
    """
    relationships, scores, latest = _coded(frames.relationships, frames.scores(as_of),
                                           frames.latest_ratings())
    base = _base(scores, threshold)
    # the latest ratings with their owner and kind, once: every rating figure starts here
    # (kinds and dimensions as categories: they are grouped by many times)
    rated = _rated(latest, relationships.astype({"kind": "category"}), dimensions)
    rated = rated.astype({"dimension": "category"})
    in_base = rated[rated["relationship_id"].isin(base["relationship_id"])]
    cells = anonymity.in_shown_cells(in_base, ["kind", "dimension"], threshold)
    # each rater's latest check-in of a shared relationship is all the gaps read, so they
    # start from those; one table serves the shown gaps and the closest label to showing
    labelled = relationships["relationship_id"][relationships["shared_label"].notna()]
    shared = scoring.latest_gap(relationships, latest[latest["relationship_id"].isin(labelled)],
                                min_raters=1)
    shown = shared[shared["raters"] >= threshold].reset_index(drop=True)
    return Group(threshold=int(threshold), respondents=respondents(rated),
                 states=state_counts(base, threshold), drift=drift_bands(base, threshold),
                 dimensions=_dimension_summary(in_base, dimensions, threshold, cells),
                 heatmap=_kind_heatmap(in_base, dimensions, threshold, cells),
                 gaps=_gap_table(shown, dimensions),
                 shared_raters=int(shared["raters"].max()) if len(shared) else 0)


def _coded(relationships: pd.DataFrame, *frames: pd.DataFrame) -> list[pd.DataFrame]:
    """``relationships`` and ``frames`` with their relationship and participant ids as
    integer codes (one code per id, the same in every frame). No figure shows an id, and
    grouping, counting and matching integers is several times cheaper than text: at 1,000
    people the group took 190 ms on text ids, 105 ms on codes. A row whose relationship is
    not in ``relationships`` gets the code -1, which matches none of them."""
    ids = pd.Index(relationships["relationship_id"])
    owners = pd.factorize(relationships["participant_id"])[0]
    coded = [relationships.assign(relationship_id=np.arange(len(ids)), participant_id=owners)]
    for frame in frames:
        codes = ids.get_indexer(frame["relationship_id"])
        changes = {"relationship_id": codes}
        if "participant_id" in frame:
            changes["participant_id"] = np.where(codes >= 0, owners[codes], -1)
        coded.append(frame.assign(**changes))
    return coded


def _base(scores: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The scored relationships whose state, drift band and kind each have ``threshold``
    people (see :func:`workshop.anonymity.common_base`)."""
    if scores.empty:
        return scores
    banded = scores.assign(band=drift_band(scores["drift"]))
    return anonymity.common_base(banded, [["state"], ["band"], ["kind"]], threshold)


def session_group(store, session, as_of=None) -> Group:
    """:func:`group` for a stored session, with its own dimensions and threshold."""
    from . import tidy
    settings = session.settings
    return group(tidy.load(store, session_id=session.id, weights=dict(settings.weights)),
                 settings.dimensions, settings.anonymity_threshold, as_of)


def session_progress(store, session_id: str) -> pd.DataFrame:
    """:func:`progress` for a stored session, counted by the database in one query."""
    from . import tidy
    return progress_frame(tidy.session_progress_counts(store.engine, session_id))


def counts(progress_frame: pd.DataFrame) -> Mapping[str, int]:
    """A progress frame as ``{milestone: count}``."""
    return dict(zip(progress_frame["milestone"], progress_frame["count"].astype(int),
                    strict=True))
