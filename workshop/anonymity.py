"""The anonymity rule, the one rule every published figure of a session follows.

Published means: anything a person other than the participant can see or take away. That is
the console's group view, the presenter's charts, the session report (HTML), the anonymised
JSON and CSV exports, the live team dashboard and its static HTML export, for every filter
and date window those offer. ``k`` is the session's anonymity threshold (at least 3).

The rule
--------
1. **Cells of k people.** Every published table is made of cells (a state, a drift band, a
   kind x dimension, a shared label x dimension, a month x kind x state ...). The people of a
   cell are the distinct participants whose records fall in it. A cell is shown only when it
   has at least ``k`` people. A cell under ``k`` publishes nothing at all: no value, no mean,
   no count of ratings or people, and not even whether it is empty (an empty cell and a cell
   of two people both read "hidden", or are left out alike).
2. **Totals over shown cells only.** Every total, share, mean, spread and marginal is computed
   from the records of shown cells only, never from everything with the small cells taken out
   afterwards. Where two tables describe the same records (states, drift bands and kinds are
   three ways of cutting the same relationships), a record is published only if its cell is
   shown in *every* one of them that shows anything (:func:`common_base`, repeated until
   nothing changes, since removing records can shrink other cells below ``k``). Hence a
   hidden record takes part in no published number anywhere, so no sum, difference or
   ratio of published numbers can bring it back. The kit does this rather than complementary
   suppression because it needs no search for a safe pattern of extra blanks and its safety
   is one line of proof. The price is that totals count only shown groups (the pages say
   so), and means by dimension follow the shown kind x dimension cells.
3. **Filters and windows are unions of cells.** A viewer chooses a kind filter and a date
   window. Kind and calendar month are dimensions of the cells themselves (the dashboard's
   finest cell is kind x month x category), so "all kinds" is the sum of the shown cells of
   each kind, and a window is the union of whole months. Every view is therefore a sum of
   shown cells, and any difference of two views (all kinds minus clients, January-March minus
   February-March) is again a sum of shown cells, each of ``k`` people or more. A window can
   never end between one person's two check-ins inside a month, so no two views differ by one
   re-rating. Snapshots are per month ("each relationship's latest check-in that month"), not
   running ones, so two months never share a record.
4. **Only linear statistics cross tables.** Means are published with their number of ratings
   (sum and count are both sums of cells). Order statistics (quartiles, the gap between the
   highest and lowest rating) and spreads are published for one record set each and never
   for an overlapping one, so they cannot be differenced. The perception-gap table therefore
   publishes raters, gap and spread per shared label but no mean: a label's mean next to the
   kind x dimension means would let one solve for the label's complement.

What is not a rating and is published as counted: how many people joined, finished a step or
made a plan (the console's progress), and the room's number of respondents. They say that
someone's answers sit in small groups, never which groups or what the answers are.

Limits, stated plainly: a live page redraws as people save, so two moments of the same live
view differ by whoever saved in between; the facilitator reveals the charts once the room has
answered. Two tables over the same base can bound (Fréchet bounds) but not pin a cross cell
they do not publish, except when one of them has a single shown category, and then the cross
cells are the other table's own shown cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

PERSON = "participant_id"


def people(frame: pd.DataFrame, cell: Sequence[str]) -> pd.Series:
    """Distinct people per row's cell, aligned with ``frame``'s rows."""
    if frame.empty:
        return pd.Series([], dtype=int, index=frame.index)
    keys = [frame[c].fillna("\0") if frame[c].dtype == object else frame[c] for c in cell]
    return frame.groupby(keys, dropna=False)[PERSON].transform("nunique")


def in_shown_cells(frame: pd.DataFrame, cell: Sequence[str], k: int) -> pd.DataFrame:
    """The rows of ``frame`` whose cell (columns ``cell``) has at least ``k`` people."""
    if frame.empty:
        return frame
    return frame[people(frame, list(cell)) >= int(k)]


def common_base(frame: pd.DataFrame, cuttings: Sequence[Sequence[str]], k: int,
                unit: str = "relationship_id") -> pd.DataFrame:
    """The rows whose ``unit`` lies in a shown cell of every cutting (rule 2), to a fixpoint.

    ``cuttings`` are the column sets of the tables published over the same units, e.g.
    ``[["state"], ["band"], ["kind"]]``. A cutting with no shown cell at all publishes
    nothing (its table is entirely hidden, totals included), so it constrains nothing and is
    skipped. At the fixpoint every cutting either has all kept units in shown cells or shows
    no cell.
    """
    kept = frame
    while True:
        before = len(kept)
        for cell in cuttings:
            shown = in_shown_cells(kept, cell, k)
            if len(shown):
                kept = kept[kept[unit].isin(shown[unit])]
        if len(kept) == before:
            return kept


def month(stamps: pd.Series) -> pd.Series:
    """The calendar month (its first day) of each timestamp: the time cell of rule 3."""
    return pd.to_datetime(stamps).dt.to_period("M").dt.to_timestamp()


def monthly_latest(history: pd.DataFrame) -> pd.DataFrame:
    """Each relationship's latest check-in in each calendar month, with a ``month`` column."""
    if history.empty:
        return history.assign(month=pd.Series([], dtype="datetime64[ns]"),
                              taken_at=pd.to_datetime(history["taken_at"]))
    rows = history.assign(month=month(history["taken_at"]))
    rows = rows.sort_values("taken_at", kind="stable")
    return rows.groupby(["relationship_id", "month"]).tail(1).reset_index(drop=True)
