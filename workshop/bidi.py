"""Right-to-left text without surprises: a person's text never reorders the kit's own.

Invisible direction controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates,
U+200E/U+200F/U+061C marks) let a label such as ``"\\u202eAcme"`` reverse everything after it on
the same line. In HTML the kit puts people's text in ``<bdi>`` (see
:func:`workshop.app.components.user_text`); where markup cannot go (Plotly labels, button
captions, dropdown options) the controls are removed with :func:`neutral`, and
:func:`isolated` also wraps right-to-left text in FIRST STRONG ISOLATE ... POP DIRECTIONAL
ISOLATE, so its words keep their own order without moving the kit's words around them.
"""

from __future__ import annotations

import re
from unicodedata import bidirectional

CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
FSI, PDI = "\u2068", "\u2069"
_RIGHT_TO_LEFT = {"R", "AL", "AN"}  # Hebrew, Arabic letters, Arabic digits


def neutral(text: str) -> str:
    """``text`` without direction controls."""
    return CONTROLS.sub("", text)


def isolated(text) -> str:
    """``text`` (plain, not HTML) as one isolated run: controls removed and, if it held any
    or holds right-to-left letters, FSI ... PDI around it (left-to-right text is unchanged)."""
    text = "" if text is None else str(text)
    plain = neutral(text)
    if plain == text and not any(bidirectional(ch) in _RIGHT_TO_LEFT for ch in plain):
        return text
    return f"{FSI}{plain}{PDI}"
