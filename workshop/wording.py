"""Small rules for the kit's words: counts with the right noun ("1 relationship",
"2 relationships"), never "relationship(s)"."""

from __future__ import annotations

IRREGULAR = {"person": "people", "reset": "resets", "month": "months"}


def noun(count: int, singular: str, plural: str | None = None) -> str:
    """``singular`` for a count of exactly one, else its plural (``plural`` if given)."""
    if abs(count) == 1:
        return singular
    return plural or IRREGULAR.get(singular) or f"{singular}s"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count and its noun: ``plural(1, "relationship")`` is "1 relationship"."""
    return f"{count} {noun(count, singular, plural_form)}"


__all__ = ["noun", "plural"]
