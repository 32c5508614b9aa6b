"""Join codes, facilitator keys and resume codes: made here, stored only as hashes.

Codes use an alphabet without look-alike characters (no 0/O, 1/I/L), are read back
case-insensitively and with any spaces or dashes ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
_PBKDF2_ROUNDS = 120_000


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(code: str) -> str:
    """Upper case, with spaces and dashes dropped: how a typed code is compared."""
    return "".join(ch for ch in str(code).upper() if ch not in " -\t")


def join_code() -> str:
    """A short code to join a session, e.g. ``K7QF3M``."""
    return _random(JOIN_CODE_LENGTH)


def resume_code() -> str:
    """A personal code to come back later, e.g. ``XK4P-9QMZ-TT2H`` (about 59 bits)."""
    raw = _random(12)
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def facilitator_key() -> str:
    """A secret that opens a session's console, e.g. ``fk-...`` (96 random bits)."""
    return "fk-" + secrets.token_urlsafe(12)


def hash_secret(secret: str) -> str:
    """A salted, slow hash of a low-use secret (the facilitator key), for storage."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches a :func:`hash_secret` value, in constant time."""
    try:
        _, rounds, salt, expected = stored.split("$")
        digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), int(rounds))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


def lookup_hash(code: str) -> str:
    """A stable hash of a high-entropy code (resume codes), so it can be looked up by hash."""
    return hashlib.sha256(("resume:" + normalise(code)).encode()).hexdigest()
