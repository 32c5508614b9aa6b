"""The store: one façade with plain verbs over the database, for every surface of the kit.

>>> with Store.open(":memory:") as store:                      # doctest: +SKIP
...     session, key = store.add_session("Q3 partner reset")
...     me, resume = store.join(session.code, "Dana")

Callers get validated records from :mod:`workshop.model` and domain errors from
:mod:`workshop.errors`; nothing here formats anything for a screen.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from . import codes, db, keyguard
from .content import content
from .errors import AccessDenied, InvalidInput, NotFound, SessionClosed
from .model import (
    STORED,
    CheckIn,
    Contact,
    Participant,
    Relationship,
    ResetPlan,
    Session,
    SessionSettings,
    make,
    utcnow,
)
from .probe import PhaseProbe

_RECORD_TABLES = {Relationship: db.relationships, Contact: db.contacts}


class Store:
    """Plain verbs over one database: ``add_*``, ``get_*``, ``find_*``, ``update_*``,
    ``remove_*``; a context manager that closes its connections on exit."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.schema_version = db.migrate(engine)

    @classmethod
    def open(cls, db_path_or_url: str) -> Store:
        """Open (creating and migrating if needed) a SQLite file path or a database URL."""
        if str(db_path_or_url) == ":memory:":
            raise InvalidInput({"db": "use a file path: in-memory SQLite is per connection"})
        return cls(db.make_engine(db.url_for(db_path_or_url)))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        connection = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with connection as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # -- sessions ---------------------------------------------------------------------------

    def add_session(self, title: str, on: date | None = None, *,
                    dimensions: list[str] | None = None,
                    weights: dict[str, float] | None = None, anonymity_threshold: int = 5,
                    timeboxes: dict[str, int] | None = None, code: str | None = None,
                    key: str | None = None, session_id: str | None = None,
                    ) -> tuple[Session, str]:
        """Create a session; returns it with its facilitator key (shown once, stored hashed).

        ``code`` and ``key`` are drawn at random unless given (the demo uses fixed ones).
        """
        method = content()
        dimensions = dimensions or [d.key for d in method.dimensions]
        weights = {**method.default_weights, **(weights or {})}
        timeboxes = {**{p.key: p.minutes for p in method.phases}, **(timeboxes or {})}
        settings = make(SessionSettings, dimensions=dimensions,
                        weights={k: weights.get(k, 1.0) for k in dimensions},
                        anonymity_threshold=anonymity_threshold, timeboxes=timeboxes)
        key = key or codes.facilitator_key()
        for _ in range(20):
            session = make(Session, code=codes.normalise(code) if code else codes.join_code(),
                           title=title, date=on or date.today(), settings=settings,
                           **({"id": session_id} if session_id else {}))
            try:
                with self._write() as conn:
                    conn.execute(db.sessions.insert().values(
                        **_row(session), facilitator_key_hash=codes.hash_secret(key)))
                return session, key
            except IntegrityError:  # join code already taken: draw another
                if code:
                    raise InvalidInput({"code": "is already used by another session"}) from None
        raise RuntimeError("could not draw a free join code")

    def get_session(self, session_id: str) -> Session:
        return self._one(Session, db.sessions, db.sessions.c.id == session_id, "session")

    def session_revision(self, session_id: str) -> int:
        """How many changes the session's screens have seen: one cheap query for pollers
        ("has anything changed since revision N?"); every write that changes what the
        session's screens show adds one, in its own transaction."""
        query = sa.select(db.sessions.c.revision).where(db.sessions.c.id == session_id)
        with self._read() as conn:
            revision = conn.execute(query).scalar()
        if revision is None:
            raise NotFound("No session found.")
        return int(revision)

    def phase_probe(self, session_id: str) -> PhaseProbe:
        """A cheap poller for the session's phase, clock and status (see :mod:`.probe`)."""
        return PhaseProbe(self.engine, session_id)

    def find_session(self, code: str) -> Session:
        """The session with this join code (any case, spaces and dashes ignored)."""
        return self._one(Session, db.sessions, db.sessions.c.code == codes.normalise(code),
                         "session with that code")

    def find_sessions(self) -> list[Session]:
        return self._many(Session, db.sessions, sa.true(), db.sessions.c.date.desc())

    def open_console(self, code: str, key: str) -> Session:
        """The session if ``key`` is its facilitator key; refuses alike, in the same time, for
        unknown codes. Wrong keys in a row slow the next tries down (:mod:`.keyguard`)."""
        same, now = db.sessions.c.code == codes.normalise(code), utcnow()
        table = db.sessions.c
        with self._write() as conn:  # the try is counted before the slow check, so tries
            row = conn.execute(sa.select(  # sent at once from many pages cannot slip through
                table.facilitator_key_hash, table.key_failures, table.key_retry_at
            ).where(same)).first()
            keyguard.refuse_early(row.key_retry_at if row else None, now)
            failures = (row.key_failures if row else 0) + 1
            conn.execute(db.sessions.update().where(same).values(
                key_failures=failures, key_retry_at=keyguard.retry_at(failures, now)))
        stored = row.facilitator_key_hash if row else keyguard.decoy_hash()
        if not codes.verify_secret(key.strip(), stored) or row is None:
            raise AccessDenied("That session code and facilitator key do not match.")
        with self._write() as conn:
            conn.execute(db.sessions.update().where(same).values(key_failures=0,
                                                                 key_retry_at=None))
        return self.find_session(code)

    def update_session(self, session_id: str, **changes) -> Session:
        """Change title, date, status, current_phase or settings; validated as a whole."""
        current = self.get_session(session_id)
        updated = make(Session, **{**current.model_dump(), **changes})
        with self._write() as conn:
            conn.execute(db.sessions.update().where(db.sessions.c.id == session_id)
                         .values(**_row(updated)))
            _bump(conn, session_id=session_id)
        return updated

    def set_phase(self, session_id: str, phase: str | None) -> Session:
        """Move the session to an agenda phase; its timer starts now."""
        if phase is not None:
            content().phase(phase)
        return self.update_session(session_id, current_phase=phase, phase_started_at=utcnow())

    def remove_session(self, session_id: str) -> None:
        """Delete the session and everything its participants entered."""
        self._remove(db.sessions, session_id, "session")

    # -- participants -----------------------------------------------------------------------

    def join(self, code: str, display_name: str | None = None) -> tuple[Participant, str]:
        """Join an open session by its code; returns the participant and a resume code."""
        session = self.find_session(code)
        if session.status != "open":
            raise SessionClosed("This session is closed to new participants.")
        return self.add_participant(session.id, display_name)

    def add_participant(self, session_id: str | None = None, display_name: str | None = None,
                        *, resume_code: str | None = None, participant_id: str | None = None,
                        ) -> tuple[Participant, str]:
        """A participant (in a session, or working alone with None); returns the resume code."""
        person = make(Participant, session_id=session_id, display_name=display_name or None,
                      **({"id": participant_id} if participant_id else {}))
        resume = resume_code or codes.resume_code()
        with self._write() as conn:
            conn.execute(db.participants.insert().values(
                **_row(person), resume_hash=codes.lookup_hash(resume)))
            if session_id is not None:
                _bump(conn, session_id=session_id)
        return person, resume

    def resume(self, resume_code: str) -> Participant:
        """The participant a resume code belongs to."""
        where = db.participants.c.resume_hash == codes.lookup_hash(resume_code)
        try:
            return self._one(Participant, db.participants, where, "participant")
        except NotFound:
            raise AccessDenied("That resume code is not known here.") from None

    def get_participant(self, participant_id: str) -> Participant:
        return self._one(Participant, db.participants, db.participants.c.id == participant_id,
                         "participant")

    def records_stamp(self, participant_id: str) -> tuple[int, int]:
        """How many relationships the person has and their latest revision: changes when
        anything of theirs is written in a session (see ``_bump``); a cheap check that
        frames read before are still current."""
        rel = db.relationships.c
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(rel.revision), 0)
                          ).where(rel.participant_id == participant_id)
        with self._read() as conn:
            count, latest = conn.execute(query).one()
        return int(count), int(latest)

    def find_participants(self, session_id: str) -> list[Participant]:
        return self._many(Participant, db.participants,
                          db.participants.c.session_id == session_id, db.participants.c.joined_at)

    def mark_progress(self, participant_id: str, milestone: str) -> None:
        """Record that a participant finished ``inventory`` or ``health`` (first time only)."""
        column = {"inventory": "inventory_done_at", "health": "health_done_at"}.get(milestone)
        if column is None:
            raise InvalidInput({"milestone": "must be 'inventory' or 'health'"})
        table = db.participants
        with self._write() as conn:
            marked = conn.execute(table.update().where(
                table.c.id == participant_id, table.c[column].is_(None)).values({column: utcnow()}))
            if marked.rowcount:
                _bump(conn, participant_id=participant_id)

    # -- relationships, contacts ------------------------------------------------------------

    def add_relationship(self, relationship: Relationship) -> Relationship:
        """Store a relationship; sending the same id twice stores it once."""
        return self._add_once(relationship)

    def get_relationship(self, relationship_id: str) -> Relationship:
        return self._one(Relationship, db.relationships,
                         db.relationships.c.id == relationship_id, "relationship")

    def find_relationships(self, participant_id: str | None = None,
                           session_id: str | None = None) -> list[Relationship]:
        """A participant's relationships, or all of a session's, oldest first."""
        return self._many(Relationship, db.relationships,
                          _scope(db.relationships.c.participant_id, participant_id, session_id),
                          db.relationships.c.created_at, db.relationships.c.id)

    def update_relationship(self, relationship_id: str, **changes) -> Relationship:
        current = self.get_relationship(relationship_id)
        updated = make(Relationship, **{**current.model_dump(), **changes})
        with self._write() as conn:
            conn.execute(db.relationships.update().where(db.relationships.c.id == relationship_id)
                         .values(**_row(updated)))
            _bump(conn, relationship_id=relationship_id)
        return updated

    def remove_relationship(self, relationship_id: str) -> None:
        """Delete a relationship with its check-ins, contacts and plans."""
        self._remove(db.relationships, relationship_id, "relationship",
                     {"relationship_id": relationship_id})

    def add_contact(self, contact: Contact) -> Contact:
        """Log a meaningful contact (restarts the drift clock); stored once per id."""
        return self._add_once(contact)

    def find_contacts(self, relationship_id: str | None = None, participant_id: str | None = None,
                      session_id: str | None = None) -> list[Contact]:
        where = _of_relationships(db.contacts.c.relationship_id, relationship_id, participant_id,
                                  session_id)
        return self._many(Contact, db.contacts, where, db.contacts.c.date, db.contacts.c.id)

    # -- check-ins --------------------------------------------------------------------------

    def add_checkin(self, checkin: CheckIn) -> CheckIn:
        """Store a check-in with its ratings; sending the same id twice stores it once."""
        if not isinstance(checkin, CheckIn):
            raise InvalidInput({"checkin": "must be a CheckIn record"})
        with self._write() as conn:
            same = db.checkins.c.id == checkin.id
            if conn.execute(sa.select(db.checkins.c.id).where(same)).first():
                return self._checkins(conn, same)[0]
            self._require(conn, db.relationships, checkin.relationship_id, "relationship")
            conn.execute(db.checkins.insert().values(**_row(checkin, exclude={"ratings"})))
            _insert_ratings(conn, checkin)
            _bump(conn, relationship_id=checkin.relationship_id)
        return checkin

    def save_checkin(self, checkin: CheckIn) -> CheckIn:
        """Store a check-in, or correct one already stored under its id (same sitting).

        A correction replaces the ratings, trend and note but keeps when it was taken, so a
        fixed typo does not count as a new check-in (and so as momentum).
        """
        with self._write() as conn:
            same = db.checkins.c.id == checkin.id
            if not conn.execute(sa.select(db.checkins.c.id).where(same)).first():
                self._require(conn, db.relationships, checkin.relationship_id, "relationship")
                conn.execute(db.checkins.insert().values(**_row(checkin, exclude={"ratings"})))
            else:
                conn.execute(db.checkins.update().where(same).values(trend=checkin.trend,
                                                                     note=checkin.note))
                conn.execute(db.ratings.delete().where(db.ratings.c.checkin_id == checkin.id))
            _insert_ratings(conn, checkin)
            _bump(conn, relationship_id=sa.select(db.checkins.c.relationship_id).where(same)
                  .scalar_subquery())
            return self._checkins(conn, same)[0]

    def find_checkins(self, relationship_id: str | None = None, participant_id: str | None = None,
                      session_id: str | None = None) -> list[CheckIn]:
        """Check-ins with their ratings, oldest first."""
        where = _of_relationships(db.checkins.c.relationship_id, relationship_id, participant_id,
                                  session_id)
        with self._read() as conn:
            return self._checkins(conn, where)

    @staticmethod
    def _checkins(conn: Connection, where) -> list[CheckIn]:
        rows = conn.execute(sa.select(db.checkins).where(where)
                            .order_by(db.checkins.c.taken_at, db.checkins.c.id)).mappings().all()
        ids = [r["id"] for r in rows]
        ratings: dict[str, dict[str, int]] = {i: {} for i in ids}
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            query = sa.select(db.ratings).where(db.ratings.c.checkin_id.in_(chunk))
            for r in conn.execute(query).mappings():
                ratings[r["checkin_id"]][r["dimension"]] = r["rating"]
        return [CheckIn.model_validate({**r, "ratings": ratings[r["id"]]}) for r in rows]

    # -- reset plans ------------------------------------------------------------------------

    def save_plan(self, plan: ResetPlan) -> ResetPlan:
        """Create or replace a reset plan by id (drafts are saved as they are typed)."""
        plan = make(ResetPlan, **plan.model_dump())  # its bounds, however it was built
        with self._write() as conn:
            self._require(conn, db.relationships, plan.relationship_id, "relationship")
            values = _row(plan)
            same = db.plans.c.id == plan.id
            updated = conn.execute(db.plans.update().where(same).values(**values))
            if updated.rowcount == 0:
                conn.execute(db.plans.insert().values(**values))
            _bump(conn, relationship_id=sa.select(db.plans.c.relationship_id).where(same)
                  .scalar_subquery())
        return plan

    def get_plan(self, plan_id: str) -> ResetPlan:
        return self._one(ResetPlan, db.plans, db.plans.c.id == plan_id, "reset plan")

    def find_plans(self, relationship_id: str | None = None, participant_id: str | None = None,
                   session_id: str | None = None) -> list[ResetPlan]:
        where = _of_relationships(db.plans.c.relationship_id, relationship_id, participant_id,
                                  session_id)
        return self._many(ResetPlan, db.plans, where, db.plans.c.updated_at, db.plans.c.id)

    def remove_plan(self, plan_id: str) -> None:
        owner = sa.select(db.plans.c.relationship_id).where(db.plans.c.id == plan_id)
        self._remove(db.plans, plan_id, "reset plan", {"relationship_id": owner.scalar_subquery()})

    # -- shares: links that open the team dashboard or the presenter view -------------------

    def add_share(self, session_id: str, kind: str = "dashboard") -> tuple[Share, str]:
        """A new link of ``kind`` (see :data:`SHARE_KINDS`) to the session; returns it with its
        token. The token is shown once: only its SHA-256 is stored, like a password reset link.
        """
        if kind not in SHARE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SHARE_KINDS)}")
        token = secrets.token_urlsafe(24)
        share = Share(id=secrets.token_hex(16), session_id=session_id, created_at=utcnow(),
                      kind=kind)
        with self._write() as conn:
            self._require(conn, db.sessions, session_id, "session")
            conn.execute(db.shares.insert().values(
                id=share.id, session_id=session_id, token_hash=_token_hash(token),
                created_at=share.created_at, kind=kind))
        return share, token

    def find_share(self, token: str, kind: str = "dashboard") -> Session:
        """The session a ``kind`` link's token opens; :class:`AccessDenied` (saying which) for
        a revoked or an unknown token, or a token made for another kind of page."""
        query = sa.select(db.shares.c.session_id, db.shares.c.revoked_at).where(
            db.shares.c.token_hash == _token_hash(str(token).strip()), db.shares.c.kind == kind)
        with self._read() as conn:
            row = conn.execute(query).first()
        noun = SHARE_KINDS.get(kind, "share")
        if row is None:
            raise AccessDenied(f"This {noun} link is not valid. Ask the facilitator for a "
                               "new one.")
        if row.revoked_at is not None:
            raise AccessDenied(f"This {noun} link was revoked by the facilitator.")
        return self.get_session(row.session_id)

    def find_shares(self, session_id: str, kind: str | None = None) -> list[Share]:
        """The session's links (of ``kind``, or all), oldest first, revoked ones included."""
        where = [db.shares.c.session_id == session_id]
        if kind is not None:
            where.append(db.shares.c.kind == kind)
        query = sa.select(*_SHARE_COLUMNS).where(*where).order_by(db.shares.c.created_at)
        with self._read() as conn:
            return [Share(**row) for row in conn.execute(query).mappings()]

    def revoke_share(self, share_id: str) -> Share:
        """Stop a share link from opening the dashboard (from now on, for everyone)."""
        table = db.shares
        with self._write() as conn:
            done = conn.execute(table.update().where(table.c.id == share_id,
                                                     table.c.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))
            row = conn.execute(sa.select(*_SHARE_COLUMNS).where(table.c.id == share_id)
                               ).mappings().first()
        if row is None and done.rowcount == 0:
            raise NotFound(f"No share link with id {share_id!r}.")
        return Share(**row)

    # -- shared plumbing --------------------------------------------------------------------

    def _add_once(self, record):
        table = _RECORD_TABLES[type(record)]
        with self._write() as conn:
            query = sa.select(*_columns(type(record), table)).where(table.c.id == record.id)
            existing = conn.execute(query).mappings().first()
            if existing:
                return type(record).model_validate(dict(existing))
            parent = "participant" if table is db.relationships else "relationship"
            self._require(conn, db.participants if parent == "participant" else db.relationships,
                          getattr(record, f"{parent}_id"), parent)
            conn.execute(table.insert().values(**_row(record)))
            _bump(conn, relationship_id=record.id if table is db.relationships
                  else record.relationship_id)
        return record

    @staticmethod
    def _require(conn: Connection, table: sa.Table, record_id: str, noun: str) -> None:
        if not conn.execute(sa.select(table.c.id).where(table.c.id == record_id)).first():
            raise NotFound(f"No {noun} with id {record_id!r}.")

    def _one(self, cls, table: sa.Table, where, noun: str):
        with self._read() as conn:
            row = conn.execute(sa.select(*_columns(cls, table)).where(where)).mappings().first()
        if row is None:
            raise NotFound(f"No {noun} found.")
        return cls.model_validate(dict(row), context=STORED)

    def _many(self, cls, table: sa.Table, where, *order) -> list:
        with self._read() as conn:
            rows = conn.execute(sa.select(*_columns(cls, table)).where(where).order_by(*order))
            return [cls.model_validate(dict(r), context=STORED) for r in rows.mappings()]

    def _remove(self, table: sa.Table, record_id: str, noun: str,
                owner: dict | None = None) -> None:
        """Delete one row; ``owner`` (see :func:`_bump`) names whose screens it changes."""
        with self._write() as conn:
            if owner:  # counted before the delete cascades the owner's trail away
                _bump(conn, **owner)
            if conn.execute(table.delete().where(table.c.id == record_id)).rowcount == 0:
                raise NotFound(f"No {noun} with id {record_id!r}.")


def _bump(conn: Connection, *, session_id=None, participant_id=None,
          relationship_id=None) -> None:
    """Add one to the revision of the session owning what a write changed, in the writer's
    transaction. Give the session, or a participant or relationship (an id or a scalar
    subquery) to find it through; someone working alone has no session to tell.

    A relationship is stamped with the new revision too (it stands for everything under it:
    check-ins, contacts, plans), so a console can re-read just what changed since revision N.
    """
    rel = db.relationships.c
    if relationship_id is not None:
        participant_id = (sa.select(rel.participant_id)
                          .where(rel.id == relationship_id).scalar_subquery())
    if participant_id is not None:
        session_id = (sa.select(db.participants.c.session_id)
                      .where(db.participants.c.id == participant_id).scalar_subquery())
    conn.execute(db.sessions.update().where(db.sessions.c.id == session_id)
                 .values(revision=db.sessions.c.revision + 1))
    if relationship_id is not None:
        now = sa.select(db.sessions.c.revision).where(db.sessions.c.id == session_id)
        conn.execute(db.relationships.update().where(rel.id == relationship_id)
                     .values(revision=sa.func.coalesce(now.scalar_subquery(), 0)))


def _columns(cls, table: sa.Table) -> list[sa.Column]:
    return [table.c[name] for name in cls.model_fields if name in table.c]


_JSON_FIELDS = {"settings", "commitments", "answers"}


def _row(record, exclude: set[str] | None = None) -> dict:
    row = record.model_dump(exclude=exclude)
    return {**row, **record.model_dump(mode="json", include=_JSON_FIELDS & set(row))}


def _insert_ratings(conn: Connection, checkin: CheckIn) -> None:
    conn.execute(db.ratings.insert(), [
        {"checkin_id": checkin.id, "dimension": dim, "rating": value}
        for dim, value in checkin.ratings.items()])


def _of_relationships(column: sa.Column, relationship_id: str | None,
                      participant_id: str | None, session_id: str | None):
    """Rows of one relationship, or of all a participant's or a session's relationships."""
    if relationship_id:
        return column == relationship_id
    return _scope(column, participant_id, session_id, hop=True)


def _scope(column: sa.Column, participant_id: str | None, session_id: str | None,
           hop: bool = False):
    """Rows owned by a participant or a session; ``hop`` when ``column`` is a relationship id."""
    if participant_id is None and session_id is None:
        raise InvalidInput({"scope": "give a participant_id or a session_id"})
    people = (sa.select(db.participants.c.id).where(db.participants.c.session_id == session_id)
              if participant_id is None else None)
    owner = db.relationships.c.participant_id
    owned = owner == participant_id if participant_id is not None else owner.in_(people)
    if not hop:
        return owned if participant_id is None else column == participant_id
    return column.in_(sa.select(db.relationships.c.id).where(owned))


@dataclass(frozen=True)
class Share:
    """A link that opens a session's team dashboard or presenter view (its token is never
    stored)."""

    id: str
    session_id: str
    created_at: datetime
    revoked_at: datetime | None = None
    kind: str = "dashboard"


SHARE_KINDS = {"dashboard": "dashboard", "presenter": "presenter view"}  # kind: what it opens
_SHARE_COLUMNS = (db.shares.c.id, db.shares.c.session_id, db.shares.c.created_at,
                  db.shares.c.revoked_at, db.shares.c.kind)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
