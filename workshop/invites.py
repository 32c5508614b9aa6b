"""Invitations in the store: make a link for the other party, open it by its token, keep their
answers as they go, submit them once, revoke or delete.

>>> invites = Invites(store)                                  # doctest: +SKIP
>>> invitation, token = invites.add(relationship.id, inviter="Dana", them="Sam")

The token is shown once and only its SHA-256 is stored, like the team dashboard's share links
(:meth:`workshop.store.Store.add_share`). Every answer goes through
:class:`workshop.invitation.Invitation` before it is written, so whatever a page sends is
checked in the kernel. Nothing here touches the session's revision or any table a group
figure reads: the other party's answers belong to their relationship only.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import db
from .content import content
from .errors import AccessDenied, InvalidInput, NotFound
from .invitation import DEFAULT_DAYS, Invitation, expiry
from .model import STORED, make, utcnow

_T = db.invitations
_FIELDS = [name for name in Invitation.model_fields]
UNKNOWN = ("This invitation link is not valid. Please check that the whole link was copied, "
           "or ask the person who sent it for a new one.")
REVOKED = ("This invitation was withdrawn by the person who sent it, so it no longer opens "
           "anything. If you think that is a mistake, ask them for a new link.")
EXPIRED = ("This invitation link has expired (it worked until {day}). Ask the person who sent "
           "it for a new one if you would still like to answer.")
SUBMITTED = "Your answers were already submitted, so they can no longer be changed."


def token_hash(token: str) -> str:
    return hashlib.sha256(str(token).strip().encode()).hexdigest()


class Invites:
    """Plain verbs over the ``invitations`` table of a :class:`~workshop.store.Store`."""

    def __init__(self, store):
        self.store = store

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.store._write() as conn:
            yield conn

    # -- the participant's side -------------------------------------------------------------

    def add(self, relationship_id: str, inviter: str, them: str, days: int = DEFAULT_DAYS,
            ) -> tuple[Invitation, str]:
        """A new invitation for the other party of a relationship; returns it and its token
        (shown once). The questions are the relationship's session dimensions (or the
        method's, for someone working alone)."""
        invitation = make(Invitation, relationship_id=relationship_id, inviter=inviter,
                          them=them, dimensions=self._dimensions(relationship_id),
                          expires_at=expiry(days))
        token = secrets.token_urlsafe(24)
        with self._write() as conn:
            conn.execute(_T.insert().values(**_row(invitation), token_hash=token_hash(token)))
        return invitation, token

    def _dimensions(self, relationship_id: str) -> list[str]:
        rel = self.store.get_relationship(relationship_id)  # NotFound for an unknown one
        person = self.store.get_participant(rel.participant_id)
        if person.session_id:
            return list(self.store.get_session(person.session_id).settings.dimensions)
        return [d.key for d in content().dimensions]

    def get(self, invitation_id: str) -> Invitation:
        return self._one(_T.c.id == invitation_id) or _missing(invitation_id)

    def find(self, relationship_id: str) -> list[Invitation]:
        """A relationship's invitations, oldest first (revoked and expired ones included)."""
        query = sa.select(*_columns()).where(_T.c.relationship_id == relationship_id) \
            .order_by(_T.c.created_at, _T.c.id)
        with self.store._read() as conn:
            return [_record(row) for row in conn.execute(query).mappings()]

    def revoke(self, invitation_id: str) -> Invitation:
        """Stop the link from opening anything, from now on (the answers stay)."""
        with self._write() as conn:
            conn.execute(_T.update().where(_T.c.id == invitation_id, _T.c.revoked_at.is_(None))
                         .values(revoked_at=utcnow()))
        return self.get(invitation_id)

    def remove(self, invitation_id: str) -> None:
        """Delete the invitation and every answer given through it."""
        with self._write() as conn:
            if conn.execute(_T.delete().where(_T.c.id == invitation_id)).rowcount == 0:
                _missing(invitation_id)

    # -- the other party's side -------------------------------------------------------------

    def open(self, token: str) -> Invitation:
        """The invitation a link's token opens; :class:`AccessDenied` saying plainly why not
        (unknown, withdrawn or expired)."""
        found = self._one(_T.c.token_hash == token_hash(token)) if str(token).strip() else None
        if found is None:
            raise AccessDenied(UNKNOWN)
        if found.revoked_at is not None:
            raise AccessDenied(REVOKED)
        if found.status() == "expired":
            day = found.expires_at.astimezone()
            raise AccessDenied(EXPIRED.format(day=f"{day:%A} {day.day} {day:%B %Y}"))
        return found

    def save_answers(self, token: str, ratings: dict, need_mine: str = "",
                     need_theirs: str = "") -> Invitation:
        """Keep the answers given so far (a draft: some ratings may be missing)."""
        return self._answer(token, ratings, need_mine, need_theirs, submit=False)

    def submit(self, token: str, ratings: dict, need_mine: str = "",
               need_theirs: str = "") -> Invitation:
        """Submit the answers (every dimension rated). Sending the same answers again after
        they were submitted returns the stored invitation unchanged."""
        return self._answer(token, ratings, need_mine, need_theirs, submit=True)

    def _answer(self, token, ratings, need_mine, need_theirs, submit: bool) -> Invitation:
        current = self.open(token)
        if not isinstance(ratings, dict):
            raise InvalidInput({"ratings": "must be an object of names and values"})
        ratings = {k: v for k, v in ratings.items() if v is not None}
        if current.submitted_at is not None:
            same = (ratings, str(need_mine).strip(), str(need_theirs).strip()) == (
                current.ratings, current.need_mine, current.need_theirs)
            if submit and same:
                return current
            raise InvalidInput({"submitted": SUBMITTED})
        now = utcnow()
        answered = make(Invitation, **{**current.model_dump(), "ratings": ratings,
                                       "need_mine": need_mine, "need_theirs": need_theirs,
                                       "updated_at": now,
                                       "submitted_at": now if submit else None})
        values = {k: v for k, v in _row(answered).items()
                  if k in ("ratings", "need_mine", "need_theirs", "updated_at", "submitted_at")}
        with self._write() as conn:  # a concurrent submit wins: nothing after it is kept
            done = conn.execute(_T.update().where(_T.c.id == current.id,
                                                  _T.c.submitted_at.is_(None)).values(**values))
        if done.rowcount == 0:
            return self._answer(token, ratings, need_mine, need_theirs, submit)
        return answered

    # -- plumbing ---------------------------------------------------------------------------

    def _one(self, where) -> Invitation | None:
        with self.store._read() as conn:
            row = conn.execute(sa.select(*_columns()).where(where)).mappings().first()
        return _record(row) if row else None


def _columns() -> list[sa.Column]:
    return [_T.c[name] for name in _FIELDS]


def _record(row) -> Invitation:
    return Invitation.model_validate(dict(row), context=STORED)


def _row(invitation: Invitation) -> dict:
    row = invitation.model_dump()
    return {**row, **invitation.model_dump(mode="json", include={"dimensions", "ratings"})}


def _missing(invitation_id: str):
    raise NotFound(f"No invitation with id {invitation_id!r}.")
