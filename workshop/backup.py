"""Whole-session backups: every row of a session as JSON, and back again.

A backup holds everything, hashes of the facilitator key and resume codes included, so that
importing it elsewhere gives identical data; it is only made where the database itself is at
hand (the CLI) or with the facilitator key.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from . import db
from .errors import InvalidInput, NotFound
from .model import Session
from .store import Store

FORMAT = "relationship-reset-workshop/session"
VERSION = 1
# Tables in the order rows must be inserted, each with how its rows belong to the session.
_TABLES = ["sessions", "participants", "relationships", "checkins", "ratings", "contacts",
           "plans"]


def _owned(session_id: str) -> dict[str, sa.sql.ClauseElement]:
    people = sa.select(db.participants.c.id).where(db.participants.c.session_id == session_id)
    rels = sa.select(db.relationships.c.id).where(db.relationships.c.participant_id.in_(people))
    checks = sa.select(db.checkins.c.id).where(db.checkins.c.relationship_id.in_(rels))
    return {"sessions": db.sessions.c.id == session_id,
            "participants": db.participants.c.session_id == session_id,
            "relationships": db.relationships.c.participant_id.in_(people),
            "checkins": db.checkins.c.relationship_id.in_(rels),
            "ratings": db.ratings.c.checkin_id.in_(checks),
            "contacts": db.contacts.c.relationship_id.in_(rels),
            "plans": db.plans.c.relationship_id.in_(rels)}


def _jsonable(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def dump_session(store: Store, session_id: str) -> dict:
    """Every row of the session, as plain JSON-ready data."""
    store.get_session(session_id)  # NotFound if there is none
    data = {"format": FORMAT, "version": VERSION, "schema": store.schema_version}
    with store._read() as conn:
        for name, where in _owned(session_id).items():
            table = db.metadata.tables[name]
            order = list(table.primary_key.columns)
            rows = conn.execute(sa.select(table).where(where).order_by(*order)).mappings()
            data[name] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    return data


def _parse(table: sa.Table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if key not in table.c:
            raise InvalidInput({f"{table.name}.{key}": "is not a known column"})
        kind = table.c[key].type
        if value is not None and isinstance(kind, sa.DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, sa.Date):
            value = date.fromisoformat(value)
        out[key] = value
    return out


def restore_session(store: Store, data: dict) -> Session:
    """Insert a :func:`dump_session` backup; refuses if its session is already here."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput({"file": "is not a session backup made by reset-workshop export"})
    if data.get("version") != VERSION:
        raise InvalidInput({"version": f"must be {VERSION}, the file says {data.get('version')}"})
    sessions = data.get("sessions") or []
    if len(sessions) != 1:
        raise InvalidInput({"sessions": "a backup holds exactly one session"})
    try:
        store.find_session(sessions[0]["code"])
        raise InvalidInput({"code": f"session {sessions[0]['code']} is already in this database"})
    except NotFound:
        pass
    try:
        with store._write() as conn:
            for name in _TABLES:
                table = db.metadata.tables[name]
                rows = [_parse(table, row) for row in data.get(name, [])]
                if rows:
                    conn.execute(table.insert(), rows)
    except sa.exc.IntegrityError as exc:
        raise InvalidInput({"file": f"holds rows that break the database's rules ({exc.orig})"}) \
            from None
    except (TypeError, ValueError, KeyError) as exc:
        raise InvalidInput({"file": f"holds a malformed row ({exc})"}) from None
    return store.get_session(sessions[0]["id"])
