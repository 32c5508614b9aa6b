"""A near-free answer, many times a second, to "has this session's phase or clock changed?".

Every participant page polls its session twice a second for the facilitator's moves. Through
the store that is a pooled connection, a compiled query and a typed result: about 1.4 ms of
CPU a poll once the kernel has been idle for a moment, so a room of 100 idle pages kept a
quarter of a core busy. And the session's ``revision`` moves with every participant's save,
so in a busy room each poll also re-read the whole session.

A :class:`PhaseProbe` keeps one ready SQL string (and, on SQLite, one driver connection),
and reads only the four columns a phase banner shows (phase, its start, status, settings):
about 0.2 ms a poll, and participants' saves do not look like changes. It only tells
*whether* something changed; the caller then reads the session through the store as usual.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db
from .errors import NotFound

COLUMNS = (db.sessions.c.current_phase, db.sessions.c.phase_started_at, db.sessions.c.status,
           db.sessions.c.settings)


class PhaseProbe:
    """``read()`` returns the session's phase columns as they are stored (compare two
    readings for equality; do not interpret them)."""

    def __init__(self, engine: Engine, session_id: str):
        query = sa.select(*COLUMNS).where(db.sessions.c.id == sa.bindparam("session_id"))
        compiled = query.compile(dialect=engine.dialect)
        self.engine, self.sql = engine, compiled.string
        self.params = ((session_id,) * len(compiled.positiontup) if compiled.positional
                       else {"session_id": session_id})
        self._connection = None
        # A SQLite connection is a file handle: keep it. A server database's pool may be one
        # connection per page (``serve --db-pool 1``), which the probe must not hold.
        self._keep = engine.dialect.name == "sqlite"

    def read(self) -> tuple:
        if self._connection is None:
            self._connection = self.engine.raw_connection()
        try:
            cursor = self._connection.cursor()
            try:
                cursor.execute(self.sql, self.params)
                row = cursor.fetchone()
            finally:
                cursor.close()
            self._connection.rollback()  # end the read (PostgreSQL opened a transaction)
        except Exception:
            self.close(broken=True)  # the next read starts on a fresh connection
            raise
        if not self._keep:
            self.close()
        if row is None:
            raise NotFound("No session found.")
        return tuple(row)

    def close(self, broken: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if broken:
            connection.invalidate()
        else:
            connection.close()
