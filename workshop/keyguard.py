"""The slow-down on wrong facilitator keys, and the decoy an unknown session code is checked
against so that it answers in the same time and words as a known one.

The policy, per session: the first :data:`FREE_TRIES` wrong keys in a row cost only the hash
check; after that, each wrong key makes the next try wait twice as long as the last one did:
1 s, 2 s, 4 s, ... up to :data:`LONGEST_WAIT`. A right key resets the count. A try made while
the session must wait is refused at once, without checking the key
(:class:`~workshop.errors.TooManyAttempts`).

Every page of a served workshop has its own kernel, so the count lives in the database
(``sessions.key_failures`` and ``sessions.key_retry_at``), kept by
:meth:`workshop.store.Store.open_console`.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta, timezone
from functools import cache

from . import codes
from .errors import TooManyAttempts

FREE_TRIES = 3
FIRST_WAIT = 1.0  # seconds
LONGEST_WAIT = 300.0


def wait_after(failures: int) -> float:
    """Seconds the next try must wait after ``failures`` wrong keys in a row."""
    if failures < FREE_TRIES:
        return 0.0
    return min(LONGEST_WAIT, FIRST_WAIT * 2.0 ** min(failures - FREE_TRIES, 32))


def retry_at(failures: int, now: datetime) -> datetime | None:
    """When the next try is allowed after ``failures`` wrong keys, or None for 'now'."""
    wait = wait_after(failures)
    return now + timedelta(seconds=wait) if wait else None


def refuse_early(not_before: datetime | None, now: datetime) -> None:
    """Raise :class:`TooManyAttempts` if ``now`` is before ``not_before``."""
    if not_before is None:
        return
    if not_before.tzinfo is None:  # SQLite hands timestamps back without their zone (UTC)
        not_before = not_before.replace(tzinfo=timezone.utc)
    left = (not_before - now).total_seconds()
    if left > 0:
        raise TooManyAttempts(math.ceil(left))


def time_to_try(keys: int) -> float:
    """The least time, in seconds, that trying ``keys`` wrong keys in a row must take."""
    return sum(wait_after(failures) for failures in range(1, keys))


@cache
def decoy_hash() -> str:
    """A stored-key hash no key opens, with the real hashes' cost (made once per process)."""
    return codes.hash_secret(secrets.token_urlsafe(24))
