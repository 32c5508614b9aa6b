"""The method's words and numbers, loaded from the YAML files in ``workshop/content/``.

Each file is validated once, on first use, with a message that names the file and the
field at fault. A facilitator can point ``RESET_WORKSHOP_CONTENT`` at a folder of their own
copies to adapt the wording; files missing from that folder fall back to the shipped ones.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

PACKAGE_CONTENT = Path(__file__).with_name("content")

Metric = Literal["health", "momentum", "drift", "age_days"]
BOUND_KEYS = {f"{m}_{side}" for m in ("health", "momentum", "drift", "age_days")
              for side in ("at_least", "below")}


class ContentError(ValueError):
    """A content file is missing, unreadable or does not match its schema."""


def _unique(items: list) -> list:
    keys = [item.key for item in items]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise ValueError(f"duplicate key(s): {duplicated}")
    return items


T = TypeVar("T")
Keyed = Annotated[list[T], AfterValidator(_unique)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class State(_Strict):
    key: str
    name: str
    description: str
    advice: str
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    symbol: str
    when: list[dict[str, float]] = Field(min_length=1)

    @field_validator("when")
    @classmethod
    def _known_bounds(cls, alternatives: list[dict[str, float]]) -> list[dict[str, float]]:
        for alternative in alternatives:
            unknown = set(alternative) - BOUND_KEYS
            if unknown:
                raise ValueError(f"unknown bound(s) {sorted(unknown)}; use {sorted(BOUND_KEYS)}")
        return alternatives


class Dimension(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    question: str
    healthy: str
    drifting: str
    weight: float = Field(gt=0, le=10)


class Phase(_Strict):
    key: str
    title: str
    minutes: int = Field(ge=1, le=240)
    summary: str
    facilitator_notes: str


class GuideStep(_Strict):
    key: str
    title: str
    intro: str
    prompts: list[str] = Field(min_length=1)


class Tone(_Strict):
    key: str
    name: str
    subject: str
    template: str


class FaqEntry(_Strict):
    key: str
    question: str
    answer: str


class StatesFile(_Strict):
    states: Keyed[State] = Field(min_length=2)
    # How charts and lists show the states, best first; the rule order above is for scoring.
    shown_in_order: list[str] = []

    @field_validator("shown_in_order")
    @classmethod
    def _every_state_once(cls, keys: list[str], info) -> list[str]:
        known = [s.key for s in info.data.get("states", [])]
        if keys and sorted(keys) != sorted(known):
            raise ValueError(f"list each state exactly once: {known}")
        return keys

    @field_validator("states")
    @classmethod
    def _fallback_last(cls, states: list[State]) -> list[State]:
        if {} not in states[-1].when:
            raise ValueError("the last state must have an empty alternative ({}) as fallback")
        return states


class DimensionsFile(_Strict):
    dimensions: Keyed[Dimension] = Field(min_length=1)


class AgendaFile(_Strict):
    phases: Keyed[Phase] = Field(min_length=1)


class GuideFile(_Strict):
    steps: Keyed[GuideStep] = Field(min_length=1)
    tones: Keyed[Tone] = Field(min_length=1)


class FaqFile(_Strict):
    faq: Keyed[FaqEntry] = Field(min_length=1)


class ScoringFile(_Strict):
    trend_momentum: dict[Literal["improving", "stable", "declining"], float]
    drift_cap: float = Field(gt=0, le=100)
    unknown_drift: float = Field(ge=0, le=100)

    @field_validator("trend_momentum")
    @classmethod
    def _every_trend(cls, values: dict[str, float]) -> dict[str, float]:
        missing = {"improving", "stable", "declining"} - set(values)
        if missing:
            raise ValueError(f"missing trend(s) {sorted(missing)}")
        return values


class Content(_Strict):
    """Everything the method says, validated."""

    scoring: ScoringFile
    states: list[State]
    state_order: list[str] = []
    dimensions: list[Dimension]
    phases: list[Phase]
    steps: list[GuideStep]
    tones: list[Tone]
    faq: list[FaqEntry]

    def state(self, key: str) -> State:
        return _by_key(self.states, key, "state")

    @property
    def states_shown(self) -> list[State]:
        """The states in the order charts and lists show them (best first), not rule order."""
        return [self.state(k) for k in self.state_order] if self.state_order else self.states

    def dimension(self, key: str) -> Dimension:
        return _by_key(self.dimensions, key, "dimension")

    def dimension_for(self, key: str) -> Dimension:
        """The content's dimension, or, for one a facilitator added to a session, a plain
        stand-in named after its key (``shared_goals`` -> "Shared goals")."""
        try:
            return self.dimension(key)
        except KeyError:
            name = key.replace("_", " ").strip().capitalize() or key
            return Dimension(
                key=key, name=name, weight=1.0,
                question=f"How healthy is {name.lower()} in this relationship?",
                healthy=f"{name} is clearly working for both of you.",
                drifting=f"{name} is a regular source of friction or silence.")

    def phase(self, key: str) -> Phase:
        return _by_key(self.phases, key, "phase")

    def tone(self, key: str) -> Tone:
        return _by_key(self.tones, key, "tone")

    @property
    def default_weights(self) -> dict[str, float]:
        return {d.key: d.weight for d in self.dimensions}


def _by_key(items, key: str, noun: str):
    for item in items:
        if item.key == key:
            return item
    raise KeyError(f"no {noun} {key!r}; known: {[i.key for i in items]}")


def _load(name: str, schema: type[BaseModel], folder: Path | None) -> BaseModel:
    path = (folder / name) if folder and (folder / name).exists() else PACKAGE_CONTENT / name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from exc
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ContentError(f"{path}: {problems}") from exc


def load_content(folder: str | Path | None = None) -> Content:
    """Load and validate the method content from ``folder`` (default: the shipped files)."""
    folder = Path(folder) if folder else None
    states = _load("states.yaml", StatesFile, folder)
    dims = _load("dimensions.yaml", DimensionsFile, folder)
    agenda = _load("agenda.yaml", AgendaFile, folder)
    guide = _load("guide.yaml", GuideFile, folder)
    faq = _load("faq.yaml", FaqFile, folder)
    scoring = _load("scoring.yaml", ScoringFile, folder)
    return Content(scoring=scoring, states=states.states, state_order=states.shown_in_order,
                   dimensions=dims.dimensions,
                   phases=agenda.phases, steps=guide.steps, tones=guide.tones, faq=faq.faq)


@cache
def content() -> Content:
    """The content in force: ``RESET_WORKSHOP_CONTENT`` if set, else the shipped files."""
    return load_content(os.environ.get("RESET_WORKSHOP_CONTENT") or None)
