"""One guard for every CSV cell the kit writes, against spreadsheet formula injection.

A spreadsheet opening a CSV runs a cell as a formula when its text starts with ``=``, ``+``,
``-`` or ``@`` (and the full-width forms East Asian keyboards type, which some spreadsheets
accept too), and some also after a leading tab, carriage return, line feed or NUL. The
usual defence (OWASP's CSV injection guidance, ASVS 1.2.10) is to put an apostrophe in
front: the spreadsheet then shows the text as typed and never evaluates it.

What is guarded, and what is left alone (decided once, here):

* text cells whose first character, or first character after leading spaces, is one of
  those triggers get an apostrophe in front: ``=cmd|' /C calc'!A0`` becomes
  ``'=cmd|' /C calc'!A0``;
* numbers (``int``, ``float``, numpy numbers) are written as numbers, so a real numeric
  column such as a change of ``-80`` stays ``-80`` and sums in the spreadsheet;
* text that is exactly a plain decimal number (``-3``, ``+2.5``) is left alone as well: a
  spreadsheet reads it as that number, and nothing in it can run.

Quoting of commas, quotes and line breaks inside a cell is the ``csv`` writer's (or
pandas') job; this module only decides what a cell's text may start with.
"""

from __future__ import annotations

import re
from numbers import Number

import pandas as pd

TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
LEADING_CONTROL = frozenset("\t\r\n\0")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    if not text:
        return False
    if text[0] in LEADING_CONTROL:
        return True
    stripped = text.lstrip(" \u00a0\u3000")
    if not stripped or stripped[0] not in TRIGGERS:
        return False
    return not _PLAIN_NUMBER.fullmatch(text)


def cell(value):
    """``value`` made safe for a CSV cell: numbers and ``None`` as they are, text guarded."""
    if value is None or isinstance(value, (bool, Number)):
        return value
    text = str(value)
    return "'" + text if needs_guard(text) else text


def text_cell(value) -> str:
    """Like :func:`cell`, always as text (missing values become an empty cell)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    guarded = cell(value)
    return guarded if isinstance(guarded, str) else str(guarded)


def frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells are guarded; numeric columns are untouched."""
    safe = table.copy()
    for name in safe.columns:
        kind = safe[name].dtype
        if (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind)
                or pd.api.types.is_datetime64_any_dtype(kind)):
            continue
        safe[name] = safe[name].astype(object).map(lambda v: v if _missing(v) else cell(v))
    return safe


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))
