"""Layouts and styles shared by many widgets (workshop.app.shared): one model for the page
instead of one per widget, and frozen so that no widget can change them for all the others."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from workshop.app import components, shared


def test_html_buttons_and_cards_share_one_layout_and_style_each():
    first, second = components.html("a"), components.html("b", "rr-x")
    assert first.layout is second.layout and first.style is second.style
    assert first.layout.width == "100%"
    yes, no = components.button("Yes", "rr-yes"), components.button("No", "rr-no", "danger")
    assert yes.layout is no.layout and yes.style is no.style and yes.layout.width == "auto"
    assert components.card(first).layout is components.card(second).layout


def test_a_shared_layout_refuses_a_change_that_would_reach_every_widget():
    shown = components.html("shared")
    with pytest.raises(AttributeError, match="shared by many widgets"):
        shown.layout.display = "none"
    assert shown.layout.display is None


def test_a_widget_that_changes_its_layout_gets_its_own():
    hideable = components.html("mine", layout=components.full())
    hideable.layout.display = "none"
    assert hideable.layout is not components.html("other").layout
    assert components.html("other").layout.display is None


def test_shared_styles_keep_their_settings_and_are_frozen():
    rating = shared.toggle_style(button_width="46px")
    assert shared.toggle_style(button_width="46px") is rating
    assert shared.toggle_style() is not rating
    with pytest.raises(AttributeError):
        rating.button_width = "60px"
    assert widgets.ToggleButtons(options=[1, 2], style=rating).style.button_width == "46px"


def test_a_rating_form_sends_far_fewer_layouts_than_widgets():
    from types import SimpleNamespace

    from workshop.app.health import RatingForm

    form = RatingForm(SimpleNamespace(label="Harbor & Pine", id="r1"))
    tree, stack = [], [form]
    while stack:
        widget = stack.pop()
        tree.append(widget)
        stack.extend(getattr(widget, "children", ()))
    layouts = {id(w.layout) for w in tree}
    assert len(tree) > 30 and len(layouts) < len(tree) / 2
