"""Layout and style models that many widgets share, so a page gets one model instead of one
per widget.

ipywidgets gives every widget its own ``Layout`` model and, for most kinds, its own style
model (``HTMLStyle``, ``ButtonStyle``...), even when they hold nothing but defaults. Each is
one more ``comm_open`` from the kernel, through the server, to the page, and one more model
the page asks the state of when it connects. In a participant's health check that was 310 of
725 messages (``benchmarks/page_messages.py`` counts them).

A widget that never changes its layout or style can point at one shared instance instead.
The shared instances are **frozen**: setting any of their synced attributes raises, since
it would change every widget that uses them. A widget whose layout changes (shown and hidden,
resized) gets its own, from :func:`workshop.app.components.full` or ``widgets.Layout()``.

Each kernel has its own instances (module globals), made on first use; a closed widget
leaves them alone (``Widget.close`` does not close its layout or style).
"""

from __future__ import annotations

from functools import cache

import ipywidgets as widgets
from ipywidgets.widgets.widget_button import ButtonStyle
from ipywidgets.widgets.widget_selection import ToggleButtonsStyle
from ipywidgets.widgets.widget_string import HTMLStyle


class _Frozen:
    """Refuses changes to synced attributes once built."""

    _frozen = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._frozen = True

    def __setattr__(self, name, value):
        if self._frozen and name in self.keys:
            raise AttributeError(
                f"this {type(self).__name__} is shared by many widgets; give the widget "
                f"its own (components.full() or widgets.Layout()) to change {name!r}")
        super().__setattr__(name, value)


class SharedLayout(_Frozen, widgets.Layout):
    """A layout many widgets point at; see the module's docstring."""


class SharedHTMLStyle(_Frozen, HTMLStyle):
    """The default style of HTML widgets, shared."""


class SharedButtonStyle(_Frozen, ButtonStyle):
    """The default style of buttons, shared."""


class SharedToggleButtonsStyle(_Frozen, ToggleButtonsStyle):
    """A style of toggle buttons, shared."""


@cache
def layout(**traits) -> SharedLayout:
    """The one shared layout with these settings (``layout(width="100%")``)."""
    return SharedLayout(**traits)


@cache
def html_style() -> SharedHTMLStyle:
    return SharedHTMLStyle()


@cache
def button_style() -> SharedButtonStyle:
    return SharedButtonStyle()


@cache
def toggle_style(**traits) -> SharedToggleButtonsStyle:
    return SharedToggleButtonsStyle(**traits)
