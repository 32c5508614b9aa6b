"""Dependency floors: no version the kit admits carries a known, fixed advisory."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

# package: (first fixed version, the last release before it, advisory that fixed it)
FLOORS = {
    "voila": ("0.5.6", "0.5.5", "CVE-2024-30265"),
    "jinja2": ("3.1.6", "3.1.5", "CVE-2025-27516 / GHSA-cpwx-vrp4-4pq7"),
    "jupyter-server": ("2.21.0", "2.20.0", "CVE-2026-86049 / GHSA-c3mw-737p-c7g2"),
    "tornado": ("6.5.9", "6.5.8", "security fixes released in tornado 6.5.9"),
}


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    found = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        found[canonicalize_name(requirement.name)] = requirement
    return found


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_the_floor_excludes_every_vulnerable_release(package):
    fixed, vulnerable, advisory = FLOORS[package]
    requirement = _requirements().get(package)
    assert requirement is not None, f"{package} needs a floor in pyproject.toml ({advisory})"
    spec = requirement.specifier
    assert not spec.contains(vulnerable, prereleases=True), f"{package} {vulnerable}: {advisory}"
    assert not spec.contains("0.0.1", prereleases=True)
    assert spec.contains(fixed), f"{package} {fixed} should be allowed"
    floors = [Version(s.version) for s in spec if s.operator in (">=", ">")]
    assert floors and max(floors) >= Version(fixed)


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_the_installed_version_is_at_or_above_the_floor(package):
    fixed, _, advisory = FLOORS[package]
    assert Version(version(package)) >= Version(fixed), advisory
