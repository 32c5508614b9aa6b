"""Whole-session backups: every row of a session as JSON, and back again.

A backup holds everything, hashes of the facilitator key and resume codes included, so that
importing it elsewhere gives identical data; it is only made where the database itself is at
hand (the CLI) or with the facilitator key.

Importing is all or nothing. :func:`check_backup` reads the whole file first: every row goes
through the model's records (:func:`workshop.model.make`), every other column through the
table's own type and length, and every reference must point at a row of the same backup.
Only then does :func:`restore_session` open one write transaction, check that nothing in
the backup is already in the database, and insert it all. A backup that fails any check
leaves the database exactly as it was, and the error names the first field at fault, e.g.
``sessions[0].settings.anonymity_threshold: must be at least 3``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import sqlalchemy as sa

from . import db
from .errors import InvalidInput, WorkshopError
from .invitation import Invitation
from .model import CheckIn, Contact, Participant, Relationship, ResetPlan, Session, make
from .store import Store

FORMAT = "relationship-reset-workshop/session"
REPORT_FORMAT = "relationship-reset-workshop/anonymised-report"
VERSION = 1
HOW_TO_BACK_UP = "reset-workshop export CODE --full --format json -o FILE"
# Tables in the order rows must be inserted, each with the record that validates its rows.
_TABLES = ["sessions", "participants", "relationships", "checkins", "ratings", "contacts",
           "plans", "invitations"]
_RECORDS = {"sessions": Session, "participants": Participant, "relationships": Relationship,
            "checkins": CheckIn, "contacts": Contact, "plans": ResetPlan,
            "invitations": Invitation}
# Which earlier table each table's rows point at, through which column.
_PARENTS = {"participants": ("session_id", "sessions"),
            "relationships": ("participant_id", "participants"),
            "checkins": ("relationship_id", "relationships"),
            "ratings": ("checkin_id", "checkins"),
            "contacts": ("relationship_id", "relationships"),
            "plans": ("relationship_id", "relationships"),
            "invitations": ("relationship_id", "relationships")}
_HASHES = {"facilitator_key_hash": re.compile(r"pbkdf2_sha256\$\d{1,7}\$[0-9a-f]+\$[0-9a-f]+"),
           "resume_hash": re.compile(r"[0-9a-f]{64}"), "token_hash": re.compile(r"[0-9a-f]{64}")}


class NotABackup(WorkshopError, ValueError):
    """The file is not a session backup at all (or cannot be restored as a whole)."""


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
            "plans": db.plans.c.relationship_id.in_(rels),
            "invitations": db.invitations.c.relationship_id.in_(rels)}


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


# -- reading a backup, before anything is written -------------------------------------------

def check_backup(data) -> dict[str, list[dict]]:
    """Every row of a backup, validated; the values to insert, table by table.

    Raises :class:`NotABackup` for a file that is no backup, and
    :class:`~workshop.errors.InvalidInput` naming the first field at fault otherwise.
    """
    _check_envelope(data)
    rows = {name: _table_rows(data, name) for name in _TABLES}
    ratings = _ratings_by_checkin(rows["ratings"])
    values = {name: [_row_values(name, i, row, ratings) for i, row in enumerate(rows[name])]
              for name in _TABLES}
    _check_references(values)
    return values


def _check_envelope(data) -> None:
    if isinstance(data, dict) and data.get("format") == REPORT_FORMAT:
        raise NotABackup("is an anonymised report (made by 'reset-workshop export' without "
                         "--full), not a backup: it holds only group figures, so there is "
                         f"nothing to import. Make a backup with '{HOW_TO_BACK_UP}'")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotABackup(f"is not a session backup made by '{HOW_TO_BACK_UP}'")
    if data.get("version") != VERSION:
        raise InvalidInput({"version": f"must be {VERSION}, the file says {data.get('version')!r}"})
    unknown = sorted(set(data) - {"format", "version", "schema", *_TABLES})
    if unknown:
        raise InvalidInput({unknown[0]: "is not part of a session backup"})


def _table_rows(data: dict, name: str) -> list[dict]:
    rows = data.get(name, [] if name != "sessions" else None)
    if rows is None:
        raise InvalidInput({name: "is required"})
    if not isinstance(rows, list):
        raise InvalidInput({name: "must be a list of rows"})
    if name == "sessions" and len(rows) != 1:
        raise InvalidInput({name: f"a backup holds exactly one session, this one {len(rows)}"})
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InvalidInput({f"{name}[{i}]": "must be an object of field names and values"})
        _check_columns(name, i, row)
    return rows


def _check_columns(name: str, i: int, row: dict) -> None:
    table = db.metadata.tables[name]
    for key in row:
        if key not in table.c:
            raise InvalidInput({f"{name}[{i}].{key}": "is not a known field"})
    for column in table.c:
        required = not column.nullable and column.server_default is None
        if required and row.get(column.name) is None:
            raise InvalidInput({f"{name}[{i}].{column.name}": "is required"})


def _ratings_by_checkin(rows: list[dict]) -> dict[str, dict[str, tuple[int, object]]]:
    """Each check-in's ratings, ``{checkin_id: {dimension: (row number, rating)}}``."""
    found: dict[str, dict[str, tuple[int, object]]] = {}
    for i, row in enumerate(rows):
        for key in ("checkin_id", "dimension"):
            _check_value(db.ratings.c[key], f"ratings[{i}].{key}", row[key])
        mine = found.setdefault(row["checkin_id"], {})
        if row["dimension"] in mine:
            raise InvalidInput({f"ratings[{i}]": f"duplicates ratings[{mine[row['dimension']][0]}] "
                                                 "(same check-in and dimension)"})
        mine[row["dimension"]] = (i, row["rating"])
    return found


def _row_values(name: str, i: int, row: dict, ratings: dict) -> dict:
    """One row through its record (or, for ratings, its columns): the values to insert."""
    table = db.metadata.tables[name]
    if name == "ratings":
        value = row["rating"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise InvalidInput({f"ratings[{i}].rating": "must be a whole number from 1 to 5"})
        return dict(row)
    cls = _RECORDS[name]
    fields = {k: v for k, v in row.items() if k in cls.model_fields}
    if name == "checkins":
        fields["ratings"] = _checkin_ratings(i, row, ratings)
    try:
        record = make(cls, **fields)
    except InvalidInput as exc:
        raise InvalidInput({_where(name, i, key, row, ratings): why
                            for key, why in exc.fields.items()}) from None
    values = {k: v for k, v in record.model_dump().items() if k in table.c}
    json_fields = {c.name for c in table.c if isinstance(c.type, sa.JSON)} & set(values)
    values.update(record.model_dump(mode="json", include=json_fields))
    for key, value in row.items():
        prefix = f"{name}[{i}].{key}"
        if key in values:
            _check_length(table.c[key], prefix, values[key])
        else:
            values[key] = _check_value(table.c[key], prefix, value)
    return values


def _checkin_ratings(i: int, row: dict, ratings: dict) -> dict:
    mine = ratings.get(row.get("id"), {})
    if not mine:
        raise InvalidInput({f"checkins[{i}]": "has no ratings (a check-in holds at least one "
                                              "row in 'ratings')"})
    return {dimension: value for dimension, (_, value) in mine.items()}


def _where(name: str, i: int, key: str, row: dict, ratings: dict) -> str:
    """Where a record's error points in the file (a check-in's ratings live in 'ratings')."""
    if name == "checkins" and key.startswith("ratings."):
        dimension = key.removeprefix("ratings.")
        number = ratings.get(row.get("id"), {}).get(dimension, (None,))[0]
        if number is not None:
            return f"ratings[{number}].rating"
    return f"{name}[{i}].{key}" if key else f"{name}[{i}]"


def _check_length(column: sa.Column, where: str, value) -> None:
    limit = getattr(column.type, "length", None)
    if isinstance(value, str) and limit and len(value) > limit:
        raise InvalidInput({where: f"must be at most {limit} characters"})


def _check_value(column: sa.Column, where: str, value):
    """A column no record covers (hashes, counters): its type, length and shape."""
    if value is None:
        if column.nullable or column.server_default is not None:
            return None
        raise InvalidInput({where: "is required"})
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return _moment(where, value)
    if isinstance(kind, sa.Date):
        return _day(where, value)
    if isinstance(kind, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput({where: "must be a whole number, 0 or more"})
        return value
    if isinstance(kind, sa.String):
        if not isinstance(value, str):
            raise InvalidInput({where: "must be text"})
        _check_length(column, where, value)
        pattern = _HASHES.get(column.name)
        if pattern and not pattern.fullmatch(value):
            raise InvalidInput({where: "is not a hash made by reset-workshop"})
    return value


def _moment(where: str, value) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput({where: "must be a date and time (YYYY-MM-DDTHH:MM:SS)"}) from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _day(where: str, value) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput({where: "must be a date (YYYY-MM-DD)"}) from None


def _check_references(values: dict[str, list[dict]]) -> None:
    """No id twice, and every row points at a row of the same backup."""
    ids: dict[str, dict[str, int]] = {}
    for name in _TABLES:
        if name == "ratings":
            continue
        seen = ids[name] = {}
        for i, row in enumerate(values[name]):
            if row["id"] in seen:
                raise InvalidInput({f"{name}[{i}].id": f"duplicates {name}[{seen[row['id']]}].id"})
            seen[row["id"]] = i
    resumes: dict[str, int] = {}
    for i, row in enumerate(values["participants"]):
        if row["resume_hash"] in resumes:
            raise InvalidInput({f"participants[{i}].resume_hash":
                                f"duplicates participants[{resumes[row['resume_hash']]}]"})
        resumes[row["resume_hash"]] = i
    for name, (column, parent) in _PARENTS.items():
        for i, row in enumerate(values[name]):
            if row[column] not in ids[parent]:
                raise InvalidInput({f"{name}[{i}].{column}":
                                    f"is not the id of one of this backup's {parent}"})


# -- writing it, all at once ----------------------------------------------------------------

def restore_session(store: Store, data) -> Session:
    """Insert a :func:`dump_session` backup in one transaction, or nothing at all."""
    return write_backup(store, check_backup(data))


def write_backup(store: Store, values: dict[str, list[dict]]) -> Session:
    """Insert rows from :func:`check_backup` in one transaction.

    Refuses, before writing anything, a backup whose session or any of whose rows is already
    in this database.
    """
    try:
        with store._write() as conn:
            _check_not_here(conn, values)
            for name in _TABLES:
                if values[name]:
                    conn.execute(db.metadata.tables[name].insert(), values[name])
    except sa.exc.IntegrityError as exc:
        reason = " ".join(str(exc.orig or exc).split())
        raise NotABackup(f"holds rows this database refuses ({reason}); nothing was "
                         "imported") from None
    return store.get_session(values["sessions"][0]["id"])


def _check_not_here(conn: sa.Connection, values: dict[str, list[dict]]) -> None:
    session = values["sessions"][0]
    taken = conn.execute(sa.select(db.sessions.c.id).where(
        db.sessions.c.code == session["code"])).first()
    if taken:
        raise InvalidInput({"sessions[0].code":
                            f"session {session['code']} is already in this database"})
    checks = [(name, "id") for name in _TABLES if name != "ratings"]
    for name, column in [*checks, ("participants", "resume_hash")]:
        table = db.metadata.tables[name]
        wanted = [row[column] for row in values[name]]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found = conn.execute(sa.select(table.c[column]).where(
                table.c[column].in_(chunk)).limit(1)).scalar()
            if found is not None:
                i = wanted.index(found)
                raise InvalidInput({f"{name}[{i}].{column}":
                                    "is already in this database (imported before?)"})
