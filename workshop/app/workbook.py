"""One participant's work, through the store: the participant app's only door to the data.

No widgets here and no rules either: records are built and checked by
:func:`workshop.model.make` (so whatever a page sends is validated in the kernel), numbers come
from :mod:`workshop.scoring` through :mod:`workshop.tidy`. Listeners hear about every change so
the charts can redraw without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .. import config
from ..codes import normalise
from ..model import CheckIn, Contact, Participant, Relationship, ResetPlan, make
from ..store import Store


def open_store() -> Store:
    """The store this kernel works with (``RESET_WORKSHOP_DB`` or the configured default)."""
    return Store.open(config.database())


def _same_scoring_input(before, now) -> bool:
    """Whether two readings of the frames would score the same (plans play no part)."""
    return before is now or (before.weights == now.weights and all(
        getattr(before, name).equals(getattr(now, name))
        for name in ("relationships", "ratings", "contacts")))


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class Workbook:
    """What one person entered: relationships, check-ins, contacts and reset plans."""

    def __init__(self, store: Store, participant: Participant):
        self.store, self.participant = store, participant
        self.session = store.get_session(participant.session_id) if participant.session_id \
            else None
        self._listeners: list[Callable[[str], None]] = []
        self._checkins: dict[str, list[CheckIn]] | None = None
        self._frames: tuple | None = None  # (records stamp, Tidy)
        self._scores: tuple | None = None  # (Tidy, day, scores)
        self.resume_code: str | None = None  # known when this page joined or resumed with it

    # -- getting in -------------------------------------------------------------------------

    @classmethod
    def join(cls, store: Store, code: str, name: str = "") -> tuple[Workbook, str]:
        """Join a session by its code; also returns the personal resume code (shown once)."""
        person, resume = store.join(code, _blank_to_none(name))
        return cls(store, person).knowing(resume), resume

    @classmethod
    def alone(cls, store: Store, name: str = "") -> tuple[Workbook, str]:
        """Work on one's own, outside any session."""
        person, resume = store.add_participant(None, _blank_to_none(name))
        return cls(store, person).knowing(resume), resume

    @classmethod
    def resume(cls, store: Store, resume_code: str) -> Workbook:
        return cls(store, store.resume(resume_code)).knowing(resume_code)

    def knowing(self, resume_code: str) -> Workbook:
        """This workbook, remembering the code it was opened with, written the way it was
        given (``XK4P-9QMZ-TT2H``) for the take-away files; the store keeps only its hash."""
        raw = normalise(resume_code)
        self.resume_code = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
        return self

    @property
    def display_name(self) -> str:
        return self.participant.display_name or ""

    def on_change(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def _changed(self, what: str) -> None:
        if what in ("relationship", "checkin", "contact"):
            self._checkins = None
        self._frames = None
        for callback in list(self._listeners):
            callback(what)

    # -- relationships ----------------------------------------------------------------------

    def relationships(self) -> list[Relationship]:
        return self.store.find_relationships(participant_id=self.participant.id)

    def relationship(self, relationship_id: str) -> Relationship:
        found = next((r for r in self.relationships() if r.id == relationship_id), None)
        if found is None:
            from ..errors import NotFound
            raise NotFound("That relationship is not in your list any more.")
        return found

    def save_relationship(self, values: dict, relationship_id: str | None = None,
                          ) -> Relationship:
        """Add (or, with an id, change) a relationship, exactly as entered."""
        values = {k: _blank_to_none(v) if k != "label" else v for k, v in values.items()}
        if relationship_id:
            self.relationship(relationship_id)  # only one's own
            saved = self.store.update_relationship(relationship_id, **values)
        else:
            saved = self.store.add_relationship(make(
                Relationship, participant_id=self.participant.id, **values))
        self._changed("relationship")
        return saved

    def remove_relationship(self, relationship_id: str) -> None:
        self.relationship(relationship_id)
        self.store.remove_relationship(relationship_id)
        self._changed("relationship")

    def finished(self, milestone: str) -> None:
        self.store.mark_progress(self.participant.id, milestone)

    # -- check-ins and contacts -------------------------------------------------------------

    def checkins(self) -> dict[str, list[CheckIn]]:
        if self._checkins is None:
            found: dict[str, list[CheckIn]] = {}
            for checkin in self.store.find_checkins(participant_id=self.participant.id):
                found.setdefault(checkin.relationship_id, []).append(checkin)
            self._checkins = found
        return self._checkins

    def latest_checkin(self, relationship_id: str) -> CheckIn | None:
        return (self.checkins().get(relationship_id) or [None])[-1]

    def progress(self) -> tuple[int, int]:
        """How many relationships have been rated, out of how many."""
        ids = [r.id for r in self.relationships()]
        return sum(1 for i in ids if self.checkins().get(i)), len(ids)

    def rate(self, relationship_id: str, checkin_id: str, ratings: dict[str, int | None],
             trend: str = "stable", note: str = "") -> CheckIn:
        """Store one check-in; sending the same ``checkin_id`` again corrects it in place."""
        self.relationship(relationship_id)
        checkin = make(CheckIn, id=checkin_id, relationship_id=relationship_id,
                       ratings={k: v for k, v in ratings.items() if v is not None},
                       trend=trend, note=note or "")
        stored = self.store.save_checkin(checkin)
        self._changed("checkin")
        rated, total = self.progress()
        if total and rated == total:
            self.finished("health")
        return stored

    def log_contact(self, relationship_id: str, contact_id: str, values: dict) -> Contact:
        self.relationship(relationship_id)
        contact = self.store.add_contact(make(Contact, id=contact_id,
                                              relationship_id=relationship_id, **values))
        self._changed("contact")
        return contact

    def contacts(self, relationship_id: str) -> list[Contact]:
        return self.store.find_contacts(relationship_id=relationship_id)

    # -- plans ------------------------------------------------------------------------------

    def plans(self) -> dict[str, ResetPlan]:
        """Each relationship's latest reset plan, by relationship id."""
        return {p.relationship_id: p
                for p in self.store.find_plans(participant_id=self.participant.id)}

    def save_plan(self, plan_id: str, relationship_id: str, values: dict) -> ResetPlan:
        """Create or replace a reset plan (drafts are saved as they are typed)."""
        self.relationship(relationship_id)
        plan = make(ResetPlan, id=plan_id, relationship_id=relationship_id, **values,
                    updated_at=datetime.now().astimezone())
        saved = self.store.save_plan(plan)
        self._changed("plan")
        return saved

    # -- numbers and documents --------------------------------------------------------------

    def frames(self):
        """The person's tidy frames (:class:`workshop.tidy.Tidy`). Read again from the store
        only after this workbook saved something, or when the store's stamp of the person's
        records moved (the same person writing from another device); the map and the plan
        used to read and score everything again each time they were drawn."""
        from .. import tidy
        stamp = self.store.records_stamp(self.participant.id)
        if self._frames is None or self._frames[0] != stamp:
            weights = dict(self.session.settings.weights) if self.session else None
            self._frames = (stamp, tidy.load(self.store, participant_id=self.participant.id,
                                             weights=weights))
        return self._frames[1]

    def scores(self):
        """``frames().scores()`` for today, worked out again only when what they are worked
        out from changed (a plan saved does not change them), as a copy: callers may add
        columns."""
        import pandas as pd
        frames, day = self.frames(), pd.Timestamp.now().normalize()
        cached = self._scores
        if cached is None or cached[1] != day or not _same_scoring_input(cached[0], frames):
            self._scores = cached = (frames, day, frames.scores(day))
        return cached[2].copy()

    def plan_book(self):
        """Everything for the downloads (:class:`workshop.action_plan.PlanBook`)."""
        from .. import comparison
        from ..action_plan import PlanBook
        from ..joinpanel import participant_page
        relationships = self.relationships()
        compared = {r.id: found[-1] for r in relationships
                    if (found := comparison.load(self.store, r.id))}
        return PlanBook(relationships=relationships, tidy=self.frames(),
                        plans=list(self.plans().values()), name=self.display_name or None,
                        comparisons=compared, resume_code=self.resume_code,
                        address=participant_page())
