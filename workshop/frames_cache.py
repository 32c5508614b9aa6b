"""A session's tidy frames kept between looks, re-reading only what changed.

Every write under a relationship stamps it with the session's new revision (see
``workshop.store._bump``). The big frame, the ratings (six rows per check-in), is kept: after
revision ``N`` only the ratings of the relationships stamped above ``N`` are read again, and
they replace the kept ones of those relationships; the ratings of relationships no longer in
the session go. The small frames (relationships, contacts, plans) are kept the same way:
a save by one person reads that one relationship again, not the session's thousands. The
result is the
very frames :func:`workshop.tidy.load_session_frames` reads: same rows, order, columns and
dtypes (a property test holds the two to it).
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import replace

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db, scoring
from .tidy import SORT_KEYS, Tidy, latest_ratings, read_frames

HIDDEN = "_relationship"  # the relationship's code (see SessionFrames._codes)
BY_ID = 500  # up to this many relationships to read again are named by id in the query


class SessionFrames:
    """The tidy frames of one session, brought up to date by :meth:`load`."""

    def __init__(self, engine: Engine, session_id: str):
        self.engine, self.session_id = engine, session_id
        self.revision: int | None = None
        self._frames: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()  # the console reads from a worker thread and its own
        # scoring.score of the frames (per relationship, so kept but for the changed ones)
        self._scored: pd.DataFrame | None = None
        self._scored_for: tuple | None = None
        self._stale: set | None = None  # relationships to score again (None: all)
        self._latest: pd.DataFrame | None = None  # tidy.latest_ratings of the kept ratings
        # each relationship id seen, as a small integer: every kept frame carries its rows'
        # code in a hidden column (HIDDEN), and finding a few relationships' rows among
        # hundreds of thousands compares integers, not text
        self._codes: dict[str, int] = {}
        self._known: set[str] = set()  # the relationships in the kept frames

    def load(self, weights: dict[str, float]) -> Tidy:
        """The session's frames now: all of them the first time, then only the changes."""
        with self._lock, self.engine.connect() as conn, conn.begin():
            revision = conn.execute(sa.select(db.sessions.c.revision).where(
                db.sessions.c.id == self.session_id)).scalar()
            if self.revision is None:
                self._frames = self._coded(read_frames(conn, self._in_session()))
                self._known = set(self._frames["relationships"]["relationship_id"])
                self._latest = latest_ratings(self._frames["ratings"])
            elif revision != self.revision:
                self._update(conn)
            self.revision = revision
            frames = Tidy(**{name: _shown(frame, name) for name, frame in self._frames.items()},
                          weights=dict(weights), latest=_shown(self._latest, "ratings"))
            day = pd.Timestamp.now().normalize()
            return replace(frames, scored=self._scores(frames, day), scored_as_of=day)

    def _coded(self, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """``frames`` with their rows' relationship codes (new ids get new codes)."""
        codes = self._codes
        return {name: frame.assign(**{HIDDEN: np.fromiter(
                    (codes.setdefault(one, len(codes)) for one in frame["relationship_id"]),
                    dtype=np.int64, count=len(frame))})
                for name, frame in frames.items()}

    def _rows_of(self, frame: pd.DataFrame, ids: set[str]) -> pd.Series:
        """Which rows of a kept ``frame`` belong to the relationships ``ids``."""
        return frame[HIDDEN].isin([self._codes[one] for one in ids if one in self._codes])

    def _scores(self, frames: Tidy, day: pd.Timestamp) -> pd.DataFrame:
        """:func:`workshop.scoring.score` of ``frames`` on ``day``: computed again only for
        the relationships changed since the last time (all on a new day or new weights)."""
        key = (day, tuple(sorted(frames.weights.items())))
        if self._scored is None or self._stale is None or key != self._scored_for:
            scored = scoring.score(frames.relationships, frames.ratings, frames.contacts,
                                   frames.weights, day)
        elif self._stale:
            scored = _rescore(self._scored, frames, {
                name: _shown(frame[self._rows_of(frame, self._stale)], name)
                for name, frame in self._frames.items()}, self._stale, day)
        else:
            scored = self._scored
        self._scored, self._scored_for, self._stale = scored, key, set()
        return scored

    def _in_session(self):
        people = sa.select(db.participants.c.id).where(
            db.participants.c.session_id == self.session_id)
        return db.relationships.c.participant_id.in_(people)

    def _update(self, conn) -> None:
        """Read again only the relationships stamped since the kept revision (and everything
        under them), drop the kept rows of those and of relationships no longer there, and
        put the new rows in at their places."""
        r = db.relationships.c
        stamped = sa.and_(self._in_session(), r.revision > self.revision)
        fresh = set(conn.execute(sa.select(r.id).where(stamped)).scalars())
        gone = fresh | self._removed(conn, fresh)
        if self._stale is not None:
            self._stale |= gone
        if not gone:
            return
        # a few relationships are found by their ids; nothing but removals reads nothing (an
        # empty read still gives each frame's empty form)
        which = (r.id.in_(sorted(fresh)) if len(fresh) <= BY_ID else stamped) if fresh \
            else sa.false()
        changed = self._coded(read_frames(conn, which))
        self._frames = {name: _merge(kept, self._rows_of(kept, gone), changed[name],
                                     SORT_KEYS[name][1])
                        for name, kept in self._frames.items()}
        # the latest check-in of a relationship is among its own ones: of those read again
        self._latest = _merge(self._latest, self._rows_of(self._latest, gone),
                              latest_ratings(changed["ratings"]), SORT_KEYS["ratings"][1])
        self._known = (self._known - gone) | fresh

    def _removed(self, conn, fresh: set[str]) -> set[str]:
        """The kept relationships no longer in the session. One count tells whether there
        are any (every relationship there now is a kept one or a ``fresh`` one); only then
        are the session's relationship ids read."""
        there = sa.select(sa.func.count()).select_from(db.relationships).where(
            self._in_session())
        if conn.execute(there).scalar() == len(self._known | fresh):
            return set()
        now = set(conn.execute(sa.select(db.relationships.c.id).where(
            self._in_session())).scalars())
        return self._known - now


def _shown(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A kept frame without its hidden columns: the frame a fresh read gives."""
    return frame.drop(columns=[*SORT_KEYS[name][0], HIDDEN])


def _rescore(before: pd.DataFrame, frames: Tidy, stale_rows: dict[str, pd.DataFrame],
             stale: set, day) -> pd.DataFrame:
    """``before`` with the rows of the ``stale`` relationships (their rows of each frame:
    ``stale_rows``) scored again, in the order :func:`workshop.scoring.score` gives
    (relationships' order, then priority, stably)."""
    new = scoring.score(stale_rows["relationships"], stale_rows["ratings"],
                        stale_rows["contacts"], frames.weights, day)
    pieces = [p for p in (before[~before["relationship_id"].isin(stale)], new) if len(p)]
    if len(pieces) < 2:
        return pieces[0].reset_index(drop=True) if pieces else new
    both = pd.concat(pieces, ignore_index=True)
    place = pd.Index(frames.relationships["relationship_id"]).get_indexer(both["relationship_id"])
    both = both.iloc[np.argsort(place, kind="stable")].sort_values(
        "priority", ascending=False, kind="stable", ignore_index=True)
    for column in ("days_since_contact", "age_days"):  # whole days: float only with a gap
        if both[column].dtype == float and both[column].notna().all():
            both[column] = both[column].astype("int64")
    return both


def _merge(kept: pd.DataFrame, gone: pd.Series, new: pd.DataFrame,
           keys: list[str]) -> pd.DataFrame:
    """The sorted ``kept`` rows but those where ``gone`` holds, with the sorted ``new`` rows
    (a fresh read) put in at their places, in one copy: slices of ``kept`` around the rows
    that go and the places of the new ones (cheap for a few changes in a long frame, where
    filtering it and sorting it all again is not). With nothing kept, the fresh read itself
    (an empty one has the dtypes of an empty read)."""
    drop = np.flatnonzero(gone.to_numpy())
    if len(drop) == len(kept):
        return new.reset_index(drop=True)
    if new.empty and not len(drop):
        return kept.reset_index(drop=True)
    cuts = [(int(place), True, None) for place in drop]
    if len(new):
        cuts += [(int(place), False, rows) for place, rows
                 in new.groupby(_places(kept, new, keys), sort=True)]
    pieces, start = [], 0
    for place, dropped, rows in sorted(cuts, key=lambda cut: cut[:2]):  # new rows go first
        pieces += [kept.iloc[start:place]] if dropped else [kept.iloc[start:place], rows]
        start = place + 1 if dropped else place
    pieces.append(kept.iloc[start:])
    return _typed_as_read(pd.concat([piece for piece in pieces if len(piece)],
                                    ignore_index=True))


def _typed_as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns typed as a fresh read types them: text where any
    row has some (a column all None in one part and text in the other), and ``None``s of
    type object where none has (the last text gone with the rows that went)."""
    for column in frame.columns:  # (no column of these frames holds numbers or nothing)
        values = frame[column]
        if (values.dtype == object or isinstance(values.dtype, pd.StringDtype)
                or values.dtype.kind == "f") and len(values) and pd.isna(values.iloc[0]) \
                and values.isna().all():  # (the first row tells, mostly)
            frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame.infer_objects()


def _places(kept: pd.DataFrame, new: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Where in sorted ``kept`` each of the sorted ``new`` rows goes (before equal rows)."""
    columns = [kept[key].to_numpy() for key in keys]  # views, not copies
    los = np.searchsorted(columns[0], new[keys[0]].to_numpy(), side="left")
    his = np.searchsorted(columns[0], new[keys[0]].to_numpy(), side="right")
    rows = zip(*(new[key].to_numpy() for key in keys), strict=True)
    places, ties = [], {}  # the rows tied on the first key, once per tie
    for lo, hi, row in zip(los, his, rows, strict=True):
        if (lo, hi) not in ties:
            ties[lo, hi] = list(zip(*(column[lo:hi] for column in columns), strict=True))
        places.append(int(lo) + bisect.bisect_left(ties[lo, hi], row))
    return np.asarray(places)
