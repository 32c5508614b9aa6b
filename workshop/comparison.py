"""Both sides of one relationship: the participant's ratings next to the other party's, per
dimension, the biggest gaps named, both sides' needs, and the plan lines drafted from them.

Pure rules over records (:class:`~workshop.invitation.Invitation`,
:class:`~workshop.model.CheckIn`, :class:`~workshop.model.ResetPlan`); :func:`load` reads them
through the store's verbs. A gap is ``theirs - mine``: positive where the other party sees the
relationship healthier than the participant does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from .content import content
from .invitation import Invitation, fill, words
from .model import CheckIn, ResetPlan

BIG_GAP = 2  # a difference of this many points or more is named as a big gap
SHOWN_GAPS = 3  # at most this many gaps are named
WIDE = ["dimension", "name", "mine", "theirs", "gap"]
TIDY = ["relationship_id", "answered_at", "dimension", "name", "side", "rating", "gap"]
SIDES = ("participant", "other party")


@dataclass(frozen=True)
class Comparison:
    """One answered invitation against the participant's check-in of the time."""

    invitation: Invitation
    mine: dict[str, int]  # the participant's ratings (latest check-in at the time)
    need_mine: str = ""  # the participant's plan: what I need from them now
    need_theirs: str = ""  # the participant's plan: what I think they need

    @property
    def relationship_id(self) -> str:
        return self.invitation.relationship_id

    @property
    def answered_at(self) -> datetime | None:
        return self.invitation.submitted_at

    @property
    def frame(self) -> pd.DataFrame:
        return side_by_side(self.mine, self.invitation.ratings, self.invitation.dimensions)

    def gaps(self) -> pd.DataFrame:
        return biggest_gaps(self.frame)


def side_by_side(mine: dict[str, int], theirs: dict[str, int],
                 dimensions: list[str]) -> pd.DataFrame:
    """One row per dimension both sides rated: ``dimension, name, mine, theirs, gap``, in the
    invitation's order of dimensions."""
    rows = [{"dimension": key, "name": content().dimension_for(key).name,
             "mine": int(mine[key]), "theirs": int(theirs[key]),
             "gap": int(theirs[key]) - int(mine[key])}
            for key in dimensions if key in mine and key in theirs]
    return pd.DataFrame(rows, columns=WIDE)


def biggest_gaps(frame: pd.DataFrame, at_least: int = BIG_GAP,
                 most: int = SHOWN_GAPS) -> pd.DataFrame:
    """The dimensions where the two views differ by ``at_least`` points, widest first (ties in
    the order of the dimensions); at most ``most`` of them."""
    if frame.empty:
        return frame
    wide = frame.assign(size=frame["gap"].abs(), order=range(len(frame)))
    wide = wide[wide["size"] >= at_least].sort_values(["size", "order"],
                                                      ascending=[False, True])
    return wide.head(most).drop(columns=["size", "order"]).reset_index(drop=True)


def gap_sentence(frame: pd.DataFrame, me: str = "you", them: str = "they") -> str:
    """The biggest gaps in one plain sentence (or that the views are close)."""
    gaps = biggest_gaps(frame)
    if frame.empty:
        return "There is nothing to compare yet."
    if gaps.empty:
        return (f"Your views are close: no dimension differs by {BIG_GAP} points or more.")
    parts = [f"{row.name} ({me} {row.mine}, {them} {row.theirs})" for row in gaps.itertuples()]
    return "The biggest differences: " + "; ".join(parts) + "."


def mine_at(checkins: list[CheckIn], moment: datetime | None) -> dict[str, int]:
    """The participant's ratings from the latest check-in up to ``moment`` (or the earliest
    one, if all came later; the latest of all with no moment)."""
    if not checkins:
        return {}
    ordered = sorted(checkins, key=lambda c: c.taken_at)
    before = [c for c in ordered if moment is None or c.taken_at <= moment]
    return dict((before[-1] if before else ordered[0]).ratings)


def build(invitations: list[Invitation], checkins: list[CheckIn],
          plan: ResetPlan | None) -> list[Comparison]:
    """A comparison for each submitted invitation, oldest first. The latest one is held
    against the participant's latest check-in; earlier ones against the check-in of their
    time, so the history shows both sides over time."""
    answered = sorted((i for i in invitations if i.submitted_at is not None),
                      key=lambda i: i.submitted_at)
    out = []
    for n, invitation in enumerate(answered):
        moment = None if n == len(answered) - 1 else invitation.submitted_at
        out.append(Comparison(invitation, mine_at(checkins, moment),
                              plan.need_mine if plan else "", plan.need_theirs if plan else ""))
    return [c for c in out if c.mine]


def load(store, relationship_id: str) -> list[Comparison]:
    """The comparisons of one relationship, oldest first, read through the store."""
    from .invites import Invites
    plans = store.find_plans(relationship_id=relationship_id)
    return build(Invites(store).find(relationship_id),
                 store.find_checkins(relationship_id=relationship_id),
                 plans[-1] if plans else None)


def tidy(comparisons: list[Comparison]) -> pd.DataFrame:
    """Long form, one row per answer per side: ``relationship_id, answered_at, dimension,
    name, side, rating, gap`` (``side`` is "participant" or "other party")."""
    rows = []
    for comparison in comparisons:
        for row in comparison.frame.itertuples():
            for side, rating in zip(SIDES, (row.mine, row.theirs), strict=True):
                rows.append({"relationship_id": comparison.relationship_id,
                             "answered_at": comparison.answered_at, "dimension": row.dimension,
                             "name": row.name, "side": side, "rating": rating,
                             "gap": row.gap})
    frame = pd.DataFrame(rows, columns=TIDY)
    frame["answered_at"] = pd.to_datetime(frame["answered_at"], utc=True)
    return frame


def compare_sides(store, relationship_id: str) -> pd.DataFrame:
    """Both sides' ratings of one relationship as a tidy frame, one row per dimension per side
    per answered invitation: ``relationship_id, answered_at, dimension, name, side, rating,
    gap``. ``side`` is "participant" or "other party"; ``gap`` is the other party's rating
    minus the participant's. Empty until the other party has submitted."""
    return tidy(load(store, relationship_id))


def differently(comparison: Comparison) -> dict[str, list[str]]:
    """The plan's "where we see it differently" lines, for the conversation guide's
    "changed" (acknowledge what changed) and "needs" (what is needed now) steps."""
    said = words().differently
    them = comparison.invitation.them
    changed = []
    for row in comparison.gaps().itertuples():
        text = said.changed_higher_them if row.gap > 0 else said.changed_higher_me
        changed.append(fill(text, them=them, dimension=row.name, mine=row.mine,
                            theirs=row.theirs))
    needs = []
    if comparison.invitation.need_mine:
        needs.append(fill(said.needs_intro, them=them, need=comparison.invitation.need_mine))
    if comparison.invitation.need_theirs:
        needs.append(fill(said.needs_for_me, them=them, need=comparison.invitation.need_theirs))
    return {"changed": changed, "needs": needs}


def plan_section(comparison: Comparison) -> dict:
    """What the written plan shows under "Where we see it differently": the two ratings per
    dimension, the gaps in a sentence, both sides' needs and the drafted lines (plain text;
    each format escapes it)."""
    inv = comparison.invitation
    when = comparison.answered_at
    return {"them": inv.them, "answered": f"{when.astimezone():%d %B %Y}" if when else "",
            "sentence": gap_sentence(comparison.frame, "you", "them"),
            "rows": comparison.frame.to_dict("records"),
            "needs": [("What you need now", comparison.need_mine),
                      ("What you think they need", comparison.need_theirs),
                      ("What they need now", inv.need_mine),
                      ("What they think you need", inv.need_theirs)],
            "lines": differently(comparison)}
