"""Exports of a whole session for the CLI and the console: JSON backup and CSV of ratings.

(Participant plans, HTML reports and calendars live in their own modules.)
"""

from __future__ import annotations

import io
import json

from . import csvsafe, tidy
from .backup import dump_session
from .model import Session
from .store import Store

CSV_COLUMNS = ["session_code", "participant_id", "relationship_id", "label", "kind",
               "importance", "shared_label", "checkin_id", "taken_at", "trend", "dimension",
               "rating"]


def export_session(store: Store, session: Session, fmt: str) -> str:
    """The session as ``json`` (full backup, see :mod:`workshop.backup`) or ``csv``."""
    if fmt == "json":
        return json.dumps(dump_session(store, session.id), indent=1, ensure_ascii=False)
    if fmt == "csv":
        return ratings_csv(store, session)
    raise ValueError(f"unknown export format {fmt!r}; use json or csv")


def ratings_csv(store: Store, session: Session) -> str:
    """One row per rating: who (by id), which relationship, when, which dimension, how much.

    Text cells (labels, dimension names) go through :mod:`workshop.csvsafe`.
    """
    frames = tidy.load(store, session_id=session.id)
    table = frames.ratings.merge(frames.relationships, on="relationship_id")
    table.insert(0, "session_code", session.code)
    buffer = io.StringIO()
    rows = table[CSV_COLUMNS].sort_values(["taken_at", "checkin_id", "dimension"])
    csvsafe.frame(rows).to_csv(
        buffer, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    return buffer.getvalue()
