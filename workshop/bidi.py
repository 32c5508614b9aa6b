"""Right-to-left text without surprises: a person's text never reorders the kit's own.

Invisible direction controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates,
U+200E/U+200F/U+061C marks) let a label such as ``"\\u202eAcme"`` reverse everything after it on
the same line. In HTML the kit puts people's text in ``<bdi>`` (see
:func:`workshop.app.components.user_text`); where markup cannot go (Plotly labels, button
captions, dropdown options) the controls are removed with :func:`neutral`, and
:func:`isolated` also wraps the text in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, so
right-to-left words keep their own order without moving the kit's words around them.
"""

from __future__ import annotations

import re

CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
FSI, PDI = "\u2068", "\u2069"


def neutral(text: str) -> str:
    """``text`` without direction controls."""
    return CONTROLS.sub("", text)


def isolated(text) -> str:
    """``text`` (plain, not HTML) as one isolated run: controls removed, FSI ... PDI around."""
    return f"{FSI}{neutral('' if text is None else str(text))}{PDI}"
