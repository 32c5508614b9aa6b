"""The nouns of the kit: validated records passed between the store and every surface.

Records are immutable pydantic models. Build them with :func:`make`, which turns pydantic's
errors into :class:`~workshop.errors.InvalidInput` naming each field and why, in plain words.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .content import content
from .errors import InvalidInput

KINDS = ("client", "partner", "vendor", "referral source", "colleague", "other")
TRENDS = ("improving", "stable", "declining")
CHANNELS = ("meeting", "call", "video call", "email", "message", "event", "other")
PLAN_STATUSES = ("planned", "met", "reconnected", "paused")
SESSION_STATUSES = ("open", "closed")
MIN_ANONYMITY = 3
DEFAULT_ANONYMITY = 5

NAME_MAX, LABEL_MAX, NOTE_MAX, TEXT_MAX = 60, 120, 2000, 4000

Kind = Literal["client", "partner", "vendor", "referral source", "colleague", "other"]
Trend = Literal["improving", "stable", "declining"]
Channel = Literal["meeting", "call", "video call", "email", "message", "event", "other"]
PlanStatus = Literal["planned", "met", "reconnected", "paused"]
SessionStatus = Literal["open", "closed"]
Rating = Annotated[int, Field(ge=1, le=5)]


def _text(max_length: int, min_length: int = 0):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length)]


Label = _text(LABEL_MAX, 1)
Note = _text(NOTE_MAX)
LongText = _text(TEXT_MAX)


def _as_utc(moment: datetime) -> datetime:
    """Naive times (as SQLite hands them back) are taken to be UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(
        timezone.utc)


Moment = Annotated[datetime, AfterValidator(_as_utc)]


def new_id() -> str:
    """A fresh id; clients make their own so a resent submission is stored once."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


GroupChart = Literal["states", "dimensions", "heatmap", "drift", "gaps"]


class Projector(Record):
    """What the presenter view shows of the group: nothing until the facilitator reveals the
    results, then one chart at a time, the one the console chose."""

    revealed: bool = False
    chart: GroupChart = "states"


class SessionSettings(Record):
    dimensions: list[str] = Field(min_length=1, max_length=12)
    weights: dict[str, float]
    anonymity_threshold: int = Field(DEFAULT_ANONYMITY, ge=MIN_ANONYMITY, le=1000)
    timeboxes: dict[str, int] = Field(default_factory=dict)
    projector: Projector = Field(default_factory=Projector)

    @model_validator(mode="after")
    def _weights_cover_dimensions(self):
        missing = [d for d in self.dimensions if d not in self.weights]
        if missing:
            raise ValueError(f"weights: missing for {missing}")
        if any(w <= 0 for w in self.weights.values()):
            raise ValueError("weights: must be positive")
        return self


class Session(Record):
    id: str = Field(default_factory=new_id)
    code: str
    title: Label
    date: date
    status: SessionStatus = "open"
    current_phase: str | None = None
    phase_started_at: Moment | None = None
    settings: SessionSettings
    created_at: Moment = Field(default_factory=utcnow)


class Participant(Record):
    id: str = Field(default_factory=new_id)
    session_id: str | None = None
    display_name: _text(NAME_MAX) | None = None
    joined_at: Moment = Field(default_factory=utcnow)
    inventory_done_at: Moment | None = None
    health_done_at: Moment | None = None


class Relationship(Record):
    id: str = Field(default_factory=new_id)
    participant_id: str
    label: Label
    kind: Kind = "client"
    importance: int = Field(3, ge=1, le=5)
    since: date | None = None
    last_contact: date | None = None
    cadence_days: int = Field(30, ge=1, le=730)
    shared_label: _text(LABEL_MAX) | None = None
    created_at: Moment = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _contact_after_start(self):
        if self.since and self.last_contact and self.last_contact < self.since:
            raise ValueError("last_contact: cannot be before the relationship began")
        return self


class CheckIn(Record):
    id: str = Field(default_factory=new_id)
    relationship_id: str
    ratings: dict[str, Rating] = Field(min_length=1)
    trend: Trend = "stable"
    note: Note = ""
    taken_at: Moment = Field(default_factory=utcnow)


class Contact(Record):
    id: str = Field(default_factory=new_id)
    relationship_id: str
    date: date
    channel: Channel = "meeting"
    note: Note = ""


class Commitment(Record):
    what: Label
    owner: _text(NAME_MAX, 1) = "me"
    due: date | None = None


ANSWER_EXTRAS = ("proposal", "channel")  # plan answers beside the guide's steps
ANSWERS_MAX, KEY_MAX = 12, 40
STORED = {"stored": True}  # validation context for records read back from the database


def answer_names() -> set[str]:
    """The names a plan's ``answers`` may use: the guide's steps and :data:`ANSWER_EXTRAS`."""
    return {step.key for step in content().steps} | set(ANSWER_EXTRAS)


def _stored(info: ValidationInfo) -> bool:
    return bool((info.context or {}).get("stored"))


class ResetPlan(Record):
    """One relationship's reset plan. ``answers`` holds the guide's free-text steps (keyed by
    step) and :data:`ANSWER_EXTRAS`; ``tone`` is one of the content's tones. Names are checked
    against the content in force when a plan is made or changed, not when a stored plan is
    read back (context ``STORED``), so editing the content never hides a saved plan."""

    id: str = Field(default_factory=new_id)
    relationship_id: str
    tone: _text(KEY_MAX, 1) = "warm"
    message: LongText = ""
    answers: dict[str, LongText] = Field(default_factory=dict)
    need_mine: LongText = ""
    need_theirs: LongText = ""
    commitments: list[Commitment] = Field(default_factory=list, max_length=20)
    meeting_at: Moment | None = None
    followup_days: int = Field(30, ge=1, le=365)
    status: PlanStatus = "planned"
    updated_at: Moment = Field(default_factory=utcnow)

    @field_validator("answers", mode="before")
    @classmethod
    def _answer_names(cls, answers, info: ValidationInfo):
        if not isinstance(answers, dict):
            return answers  # the type check says what is wrong
        if len(answers) > ANSWERS_MAX:
            raise ValueError(f"can have at most {ANSWERS_MAX} entries")
        if any(not isinstance(name, str) or len(name) > KEY_MAX for name in answers):
            raise ValueError(f"each answer's name must be text of at most {KEY_MAX} characters")
        if not _stored(info):
            known = answer_names()
            unknown = [name for name in answers if name not in known]
            if unknown:
                raise ValueError(f"'{unknown[0]}' is not a step of the conversation guide")
        channel = answers.get("channel")
        if channel and channel not in CHANNELS:
            raise ValueError(f"channel must be one of: {', '.join(CHANNELS)}")
        return answers

    @field_validator("tone")
    @classmethod
    def _known_tone(cls, tone: str, info: ValidationInfo) -> str:
        tones = [t.key for t in content().tones]
        if not _stored(info) and tone not in tones:
            raise ValueError(f"must be one of: {', '.join(tones)}")
        return tone


R = TypeVar("R", bound=Record)

_PLAIN = {
    "missing": "is required",
    "string_too_short": "cannot be empty",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "datetime_from_date_parsing": "must be a date and time",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object of names and values",
    "model_type": "must be an object of names and values",
    "date_type": "must be a date (YYYY-MM-DD)",
    "datetime_type": "must be a date and time",
    "datetime_parsing": "must be a date and time",
    "extra_forbidden": "is not a known field",
}


def _plain(error: dict) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "too_long":
        return f"can have at most {ctx['max_length']} entries"
    if kind == "literal_error":
        return f"must be one of: {ctx['expected']}"
    return error["msg"].removeprefix("Value error, ")


def make(cls: type[R], **data) -> R:
    """Build a ``cls`` record, or raise :class:`InvalidInput` naming each bad field."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name, why = ".".join(str(p) for p in error["loc"]), _plain(error)
            if not name:  # a rule across fields says which field it blames: "field: why"
                name, _, why = why.partition(": ")
            fields.setdefault(name, why)
        raise InvalidInput(fields) from None


def change(record: R, **updates) -> R:
    """A copy of ``record`` with ``updates`` applied and validated again."""
    return make(type(record), **{**record.model_dump(), **updates})
