"""The public API: exactly these names, each documented with a working example, loaded lazily."""

from __future__ import annotations

import doctest
import inspect
import re
import subprocess
import sys

import pytest

import workshop

EXPECTED = {
    # stores and the demo
    "Store", "open_store", "load_demo", "workspace", "Workspace",
    # the method, records and errors
    "method", "make", "Relationship", "CheckIn", "Contact", "ResetPlan",
    "WorkshopError", "InvalidInput", "NotFound", "AccessDenied",
    # rules
    "classify", "drift", "priority", "assess", "StateExplorer", "explain",
    # tidy frames and scores
    "load", "score", "history", "perception_gap",
    # a participant's charts and message
    "portfolio", "priority_ranking", "state_counts", "radar", "health_over_time",
    "draft_message",
    # the anonymised group
    "session_group", "group_figures",
    # the team dashboard
    "team_data", "team_charts", "portfolio_frame", "portfolio_chart", "then_and_now_frame",
    "then_and_now_chart", "reset_outcomes", "resets_frame", "resets_chart", "TeamDashboard",
    "export_dashboard",
    # exports
    "export_session",
    # both sides of a relationship (the other party's invitation)
    "compare_sides",
}


def test_all_is_exactly_the_documented_list():
    assert set(workshop.__all__) == EXPECTED
    assert len(workshop.__all__) == len(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_name_resolves_and_has_a_docstring(name):
    value = getattr(workshop, name)
    assert (inspect.getdoc(value) or "").strip(), f"workshop.{name} has no docstring"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_name_has_an_example(name):
    examples = [line for line in workshop.__doc__.splitlines()
                if line.startswith((">>> ", "... "))]
    pattern = re.compile(rf"\bworkshop\.{re.escape(name)}\b")
    assert any(pattern.search(line) for line in examples), f"no example uses workshop.{name}"


def test_the_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(workshop, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > len(EXPECTED)
    assert result.failed == 0


def test_import_is_light():
    code = ("import sys, workshop; heavy = ['pandas', 'plotly', 'sqlalchemy', 'ipywidgets', "
            "'IPython', 'numpy']; print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_names_fail_plainly_and_submodules_still_import():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        workshop.nonsense  # noqa: B018
    from workshop import tidy
    assert tidy.__name__ == "workshop.tidy"
    assert set(dir(workshop)) >= EXPECTED


def test_no_public_name_is_shadowed_by_a_submodule():
    from pathlib import Path
    package = Path(workshop.__file__).parent
    modules = {p.stem for p in package.glob("*.py")} | {p.name for p in package.iterdir()
                                                        if (p / "__init__.py").exists()}
    assert not EXPECTED & modules
