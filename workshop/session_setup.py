"""The rules for setting up a session, shared by the console's form and anything else.

A session picks its health dimensions from the content or adds its own (a new dimension gets
a key made from its name), gives each a weight, sets the anonymity threshold and the agenda's
timeboxes in minutes (0 leaves a phase out, at most 240). :func:`create` checks everything and
returns the new session with its facilitator key, or raises
:class:`~workshop.errors.InvalidInput` naming each field at fault.
"""

from __future__ import annotations

import re
from datetime import date

from . import creation
from .content import content
from .errors import InvalidInput
from .model import Session, SessionSettings, make
from .store import Store

MAX_MINUTES = 240
_KEY = re.compile(r"[^a-z0-9]+")


def dimension_key(name: str) -> str:
    """The key of a dimension a facilitator adds, e.g. ``"Shared goals" -> "shared_goals"``."""
    key = _KEY.sub("_", name.strip().lower()).strip("_")
    if not key or not key[0].isalpha():
        raise InvalidInput({"new_dimension": "must start with a letter"})
    if len(key) > 40:
        raise InvalidInput({"new_dimension": "must be at most 40 characters"})
    return key


def check_timeboxes(timeboxes: dict[str, int]) -> dict[str, int]:
    """Minutes per phase, each 0 (left out) to 240, with at least one phase kept."""
    known = {p.key for p in content().phases}
    errors = {}
    for key, minutes in timeboxes.items():
        if key not in known:
            errors[f"timeboxes.{key}"] = "is not a phase of the agenda"
        elif not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES:
            errors[f"timeboxes.{key}"] = f"must be between 0 and {MAX_MINUTES} minutes"
    if errors:
        raise InvalidInput(errors)
    if not any(timeboxes.get(p.key, p.minutes) > 0 for p in content().phases):
        raise InvalidInput({"timeboxes": "keep at least one phase on the agenda"})
    return dict(timeboxes)


def _errors(check) -> dict[str, str]:
    try:
        check()
    except InvalidInput as exc:
        return exc.fields
    return {}


def check(*, title: str, on: date | None, dimensions: list[str], weights: dict[str, float],
          anonymity_threshold: int | None, timeboxes: dict[str, int]) -> None:
    """Raise :class:`InvalidInput` naming every field of a new session that breaks a rule."""
    method = content()
    plain = SessionSettings(dimensions=[method.dimensions[0].key],
                            weights=method.default_weights)
    errors = {**_errors(lambda: make(Session, code="CHECK", title=title,
                                     date=on or date.today(), settings=plain)),
              **_errors(lambda: check_timeboxes(timeboxes))}
    if not dimensions:
        errors["dimensions"] = "pick at least one dimension"
    errors.update({k: w for k, w in _errors(lambda: make(
        SessionSettings, dimensions=list(dimensions) or [method.dimensions[0].key],
        weights={d: weights.get(d, 1.0) for d in dimensions} or method.default_weights,
        anonymity_threshold=anonymity_threshold)).items() if k not in errors})
    if errors:
        raise InvalidInput(errors)


def create(store: Store, *, creation_key: str | None = None,
           rule: creation.CreationRule | None = None, **value) -> tuple[Session, str]:
    """Create a session from the set-up form's value (see :func:`check`); returns it with
    its facilitator key. Who may create sessions here is the operator's
    :func:`creation.rule` (or ``rule``), checked with ``creation_key``."""
    errors = _errors(lambda: (rule or creation.rule()).check(creation_key))
    errors.update(_errors(lambda: check(**value)))
    if errors:
        raise InvalidInput(errors)
    dimensions = list(value["dimensions"])
    return store.add_session(value["title"], value["on"], dimensions=dimensions,
                             weights={d: value["weights"].get(d, 1.0) for d in dimensions},
                             anonymity_threshold=int(value["anonymity_threshold"]),
                             timeboxes=value["timeboxes"])


def open_console(store: Store, code: str, key: str) -> Session:
    """The session whose console ``key`` opens; the same refusal whether or not it exists."""
    missing = {name: "is required" for name, value in (("code", code), ("key", key))
               if not (value or "").strip()}
    if missing:
        raise InvalidInput(missing)
    return store.open_console(code, key)
