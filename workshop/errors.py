"""Domain errors shared by the model, the store and every surface above them."""

from __future__ import annotations


class WorkshopError(Exception):
    """Base class: every error the kit raises on purpose has a plain-sentence message."""


class InvalidInput(WorkshopError, ValueError):
    """Input that breaks a rule. ``fields`` maps each field at fault to why, in plain words."""

    def __init__(self, fields: dict[str, str]):
        self.fields = dict(fields)
        super().__init__("; ".join(f"{name}: {why}" for name, why in self.fields.items()))


class NotFound(WorkshopError, LookupError):
    """No record with that id or code."""


class AccessDenied(WorkshopError, PermissionError):
    """A key or code did not match. Says nothing about whether the record exists."""


class SessionClosed(WorkshopError):
    """The session no longer accepts joins."""


class TooManyAttempts(AccessDenied):
    """Too many wrong keys in a row for one session: refused, unchecked, until ``retry_after``
    seconds have passed."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        unit = "second" if self.retry_after == 1 else "seconds"
        super().__init__(f"Too many wrong keys for this session: try again in "
                         f"{self.retry_after} {unit}.")


class DatabaseUnavailable(WorkshopError):
    """The database cannot be opened or used; the message names it (path or URL) and why."""
