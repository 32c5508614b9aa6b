"""Tables, engines and migrations: the SQL side of the store.

SQLite is the embedded default; PostgreSQL works by URL with the same code. On SQLite every
connection runs in WAL mode with a busy timeout, and write transactions start with
``BEGIN IMMEDIATE`` so that many processes writing at once queue up instead of failing
with "database is locked" half-way through a transaction.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .errors import DatabaseUnavailable
from .model import CHANNELS, KINDS, PLAN_STATUSES, SESSION_STATUSES, TRENDS

BUSY_TIMEOUT_MS = 60_000
HEAD = "0005"  # newest migration; a test checks it matches workshop/migrations/versions
metadata = sa.MetaData()


def _one_of(column: str, values) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=f"ck_{column}_allowed")


def _between(column: str, low: int, high: int) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN {low} AND {high}", name=f"ck_{column}_range")


def _id() -> sa.Column:
    return sa.Column("id", sa.String(32), primary_key=True)


def _parent(name: str, table: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(32), sa.ForeignKey(f"{table}.id", ondelete="CASCADE"),
                     nullable=nullable, index=True)


Stamp = sa.DateTime(timezone=True)

sessions = sa.Table(
    "sessions", metadata, _id(),
    sa.Column("code", sa.String(12), nullable=False, unique=True),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("facilitator_key_hash", sa.String(200), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    sa.Column("current_phase", sa.String(40)),
    sa.Column("phase_started_at", Stamp),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    # Bumped by every write that changes what the session's screens show (one cheap question:
    # "has anything changed since revision N?").
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    # Wrong facilitator keys in a row, and when the next attempt is allowed (a growing delay).
    sa.Column("key_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("key_retry_at", Stamp),
    _one_of("status", SESSION_STATUSES),
)

# Links that open a session's live team dashboard; only a hash of the token is kept.
shares = sa.Table(
    "shares", metadata, _id(), _parent("session_id", "sessions"),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("revoked_at", Stamp),
    sa.Column("kind", sa.String(16), nullable=False, server_default="dashboard"),
)

participants = sa.Table(
    "participants", metadata, _id(), _parent("session_id", "sessions", nullable=True),
    sa.Column("display_name", sa.String(60)),
    sa.Column("resume_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("joined_at", Stamp, nullable=False),
    sa.Column("inventory_done_at", Stamp),
    sa.Column("health_done_at", Stamp),
)

relationships = sa.Table(
    "relationships", metadata, _id(), _parent("participant_id", "participants"),
    sa.Column("label", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("importance", sa.Integer, nullable=False),
    sa.Column("since", sa.Date),
    sa.Column("last_contact", sa.Date),
    sa.Column("cadence_days", sa.Integer, nullable=False),
    sa.Column("shared_label", sa.String(120), index=True),
    sa.Column("created_at", Stamp, nullable=False),
    # The session revision of the last write to the relationship or anything under it
    # (check-ins, contacts, plans): what a console re-reads after a change.
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    _one_of("kind", KINDS), _between("importance", 1, 5), _between("cadence_days", 1, 730),
    sa.CheckConstraint("length(label) > 0", name="ck_label_not_empty"),
)

checkins = sa.Table(
    "checkins", metadata, _id(), _parent("relationship_id", "relationships"),
    sa.Column("trend", sa.String(10), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("taken_at", Stamp, nullable=False),
    _one_of("trend", TRENDS),
)

ratings = sa.Table(
    "ratings", metadata,
    sa.Column("checkin_id", sa.String(32), sa.ForeignKey("checkins.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("dimension", sa.String(40), primary_key=True),
    sa.Column("rating", sa.Integer, nullable=False),
    _between("rating", 1, 5),
)

contacts = sa.Table(
    "contacts", metadata, _id(), _parent("relationship_id", "relationships"),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    _one_of("channel", CHANNELS),
)

plans = sa.Table(
    "plans", metadata, _id(), _parent("relationship_id", "relationships"),
    sa.Column("tone", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("need_mine", sa.Text, nullable=False, server_default=""),
    sa.Column("need_theirs", sa.Text, nullable=False, server_default=""),
    sa.Column("commitments", sa.JSON, nullable=False),
    sa.Column("meeting_at", Stamp),
    sa.Column("followup_days", sa.Integer, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("updated_at", Stamp, nullable=False),
    _one_of("status", PLAN_STATUSES), _between("followup_days", 1, 365),
)

# Asking the other party of one relationship (workshop.invitation): only a hash of the link's
# token is kept; the other party's answers live here and nowhere else (no group figure reads
# this table).
invitations = sa.Table(
    "invitations", metadata, _id(), _parent("relationship_id", "relationships"),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("inviter", sa.String(60), nullable=False),
    sa.Column("them", sa.String(60), nullable=False),
    sa.Column("dimensions", sa.JSON, nullable=False),
    sa.Column("ratings", sa.JSON, nullable=False),
    sa.Column("need_mine", sa.Text, nullable=False, server_default=""),
    sa.Column("need_theirs", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("expires_at", Stamp, nullable=False),
    sa.Column("revoked_at", Stamp),
    sa.Column("updated_at", Stamp),
    sa.Column("submitted_at", Stamp),
)


SUPPORTED = ("sqlite", "postgresql")
POSTGRES_EXTRA = "pip install 'relationship-reset-workshop[postgres]'"


def url_for(db: str | os.PathLike, *, create: bool = True) -> str:
    """A SQLAlchemy URL from a URL (``postgresql://...``) or a SQLite file path.

    With ``create`` a file path's folder is made if missing (the database itself is made on
    first use); without it, a SQLite file that does not exist is refused
    (:class:`~workshop.errors.DatabaseUnavailable`) and nothing is created. A ``sqlite://``
    URL is taken as given: its folder must exist.
    """
    text = str(db)
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        _check_sqlite_file(path, text, create)
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    url = _parse_url(text)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.query.get("uri"):
        path = Path(url.database).expanduser()
        _check_sqlite_file(path, text, create)
        if not path.parent.is_dir():
            raise DatabaseUnavailable(f"{text}: the folder {path.parent} does not exist")
    return text


def _parse_url(text: str) -> sa.URL:
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError:
        raise DatabaseUnavailable(f"{text}: is neither a file path nor a database URL such as "
                                  "postgresql://user@host/dbname") from None
    if url.get_backend_name() not in SUPPORTED:
        raise DatabaseUnavailable(
            f"{shown(text)}: {url.get_backend_name()} databases are not supported; use a "
            "SQLite file path or a postgresql:// URL")
    return url


def _check_sqlite_file(path: Path, shown_as: str, create: bool) -> None:
    if path.is_dir():
        raise DatabaseUnavailable(f"{shown_as}: is a folder, not a database file")
    if not create and not path.exists():
        raise DatabaseUnavailable(
            f"{shown_as}: no such database file (check --db or RESET_WORKSHOP_DB; "
            "'reset-workshop new-session' or 'demo' creates one)")


def shown(url: str) -> str:
    """A database path or URL as it may be printed: any password in it masked."""
    try:
        parsed = sa.make_url(str(url)) if "://" in str(url) else None
    except sa.exc.ArgumentError:
        parsed = None
    if parsed is None or parsed.password is None:
        return str(url)
    return parsed.render_as_string(hide_password=True)


def failure(exc: BaseException, database: str | None) -> str | None:
    """A one-line, plain account of a database failure, or None if ``exc`` is not one.

    ``database`` is the path or URL in use, named at the start of the line.
    """
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    if not _is_database_error(exc):
        return None
    where = shown(database) if database else "the database"
    cause = getattr(exc, "orig", None) or exc
    detail = " ".join(str(cause).split()) or type(cause).__name__
    lower = detail.lower()
    if "not a database" in lower or "malformed" in lower:
        return f"{where}: is not a SQLite database file, or it is damaged ({detail})"
    if "readonly" in lower or "read-only" in lower:
        return f"{where}: the database is read-only ({detail}); check its permissions"
    if "unable to open database file" in lower:
        return f"{where}: cannot open the database file ({detail}); check its folder"
    if "database is locked" in lower:
        return f"{where}: another program holds the database locked; try again"
    if "can't locate revision" in lower:
        return f"{where}: was written by a newer version of reset-workshop; upgrade the kit"
    served = database and "://" in str(database) and not str(database).startswith("sqlite")
    if served and isinstance(exc, sa.exc.OperationalError):
        return f"{where}: cannot connect to the database server ({detail})"
    return f"{where}: database error ({detail})"


def _is_database_error(exc: BaseException) -> bool:
    import sqlite3

    if isinstance(exc, (sa.exc.SQLAlchemyError, sqlite3.Error)):
        return True
    alembic_errors = sys.modules.get("alembic.util.exc")
    return bool(alembic_errors) and isinstance(exc, alembic_errors.CommandError)


def pool_limits(env: dict | None = None) -> dict:
    """Keep at most RESET_WORKSHOP_DB_POOL connections open per process (each served page is
    one), set by ``serve --db-pool``; unset: SQLAlchemy's 5. A burst may still open 10 more
    for a moment: a hard ceiling would stall a page's kernel (its reads run in threads beside
    its writes), so the hard limit for a whole room belongs to PgBouncer."""
    value = (os.environ if env is None else env).get("RESET_WORKSHOP_DB_POOL", "").strip()
    if not value:
        return {}
    if not value.isdigit() or int(value) < 1:
        raise DatabaseUnavailable(f"RESET_WORKSHOP_DB_POOL {value!r}: give a whole number, 1 "
                                  "or more")
    return {"pool_size": int(value)}


def make_engine(url: str) -> Engine:
    """An engine for ``url``; on SQLite with WAL, a busy timeout and immediate write locks."""
    if not url.startswith("sqlite"):
        given = url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        try:
            return sa.create_engine(url, pool_pre_ping=True, **pool_limits())
        except ImportError as exc:
            raise DatabaseUnavailable(
                f"{shown(given)}: its driver ({exc.name or 'psycopg'}) is not installed; "
                f"for PostgreSQL: {POSTGRES_EXTRA}") from None
        except sa.exc.NoSuchModuleError:
            raise DatabaseUnavailable(f"{shown(given)}: this kind of database is not "
                                      "supported") from None
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


MIGRATION_LOCK = 0x52455345  # PostgreSQL advisory lock key held while migrating ("RESE")


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest version (Alembic); returns the version now recorded."""
    if schema_version(engine) == HEAD:  # the common case, without importing Alembic
        return HEAD
    from alembic import command

    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
        if connection.dialect.name == "postgresql":  # replicas started at once: one migrates,
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),  # the others
                               {"key": MIGRATION_LOCK})  # wait, then find it done
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    return schema_version(engine)


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return config


def schema_version(engine: Engine) -> str | None:
    """The migration version recorded in the database, or None for an empty one."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
