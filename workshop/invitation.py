"""Asking the other side: the invitation record, its rules (expiry, status) and its words.

An :class:`Invitation` belongs to one relationship. The participant makes it (a link with
its own token, stored hashed by :mod:`workshop.invites`); the other party opens the link,
rates the same dimensions from their side, says what they need, and submits. Nothing here
reads the database or formats for a screen: the page escapes whatever it shows.

The words (welcome, turned-around questions, email texts) live in ``content/invite.yaml``;
``RESET_WORKSHOP_CONTENT`` may hold a copy of its own, like every other content file.
"""

from __future__ import annotations

import os
import string
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .content import PACKAGE_CONTENT, ContentError, content
from .model import NAME_MAX, LongText, Moment, Rating, Record, _text, new_id, utcnow

DEFAULT_DAYS, MAX_DAYS = 14, 90
STATUSES = ("waiting", "in progress", "submitted", "expired", "revoked")
PLACEHOLDERS = frozenset({"inviter", "them", "link", "expires", "dimension", "mine",
                          "theirs", "need"})


class Invitation(Record):
    """One request to the other party of a relationship, with their answers so far.

    ``ratings`` may be partial until ``submitted_at`` is set; ``need_mine`` and
    ``need_theirs`` are the other party's own words ("what I need", "what I think they
    need"). ``inviter`` is the name the participant signs with; ``them`` how the page
    addresses the other party.
    """

    id: str = Field(default_factory=new_id)
    relationship_id: str
    inviter: _text(NAME_MAX, 1)
    them: _text(NAME_MAX, 1)
    dimensions: list[str] = Field(min_length=1, max_length=12)
    ratings: dict[str, Rating] = Field(default_factory=dict)
    need_mine: LongText = ""
    need_theirs: LongText = ""
    created_at: Moment = Field(default_factory=utcnow)
    expires_at: Moment
    revoked_at: Moment | None = None
    updated_at: Moment | None = None
    submitted_at: Moment | None = None

    @field_validator("dimensions")
    @classmethod
    def _dimension_keys(cls, keys: list[str]) -> list[str]:
        if any(not isinstance(k, str) or not k or len(k) > 40 for k in keys):
            raise ValueError("each dimension must be a key of at most 40 characters")
        if len(set(keys)) != len(keys):
            raise ValueError("lists a dimension twice")
        return keys

    @model_validator(mode="after")
    def _answers_fit(self):
        unknown = [k for k in self.ratings if k not in self.dimensions]
        if unknown:
            raise ValueError(f"ratings: '{unknown[0]}' is not one of the invitation's "
                             "dimensions")
        if self.expires_at <= self.created_at:
            raise ValueError("expires_at: must be after the invitation was made")
        if self.submitted_at is not None and self.missing():
            raise ValueError("ratings: every dimension needs a rating before submitting")
        return self

    def missing(self) -> list[str]:
        """The dimensions not rated yet."""
        return [k for k in self.dimensions if k not in self.ratings]

    def status(self, now: datetime | None = None) -> str:
        """One of :data:`STATUSES`: revoked and expired win over everything else."""
        now = now or utcnow()
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        if self.submitted_at is not None:
            return "submitted"
        return "in progress" if self.updated_at is not None else "waiting"

    def usable(self, now: datetime | None = None) -> bool:
        return self.status(now) not in ("revoked", "expired")


def expiry(days: int = DEFAULT_DAYS, now: datetime | None = None) -> datetime:
    """When a link made ``now`` stops working; ``days`` between 1 and :data:`MAX_DAYS`."""
    from .errors import InvalidInput
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput({"days": f"must be a whole number of days from 1 to {MAX_DAYS}"})
    return (now or utcnow()) + timedelta(days=days)


# -- the words ------------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Welcome(_Strict):
    title: str
    why: str
    shared: list[str] = Field(min_length=1)
    not_shared: list[str] = Field(min_length=1)


class Needs(_Strict):
    mine: str
    theirs: str


class Question(_Strict):
    question: str
    healthy: str
    drifting: str


class Email(_Strict):
    subject: str
    body: str


class Differently(_Strict):
    changed_higher_them: str
    changed_higher_me: str
    needs_intro: str
    needs_for_me: str


class InviteWords(_Strict):
    """``content/invite.yaml``, validated: every placeholder must be a known one."""

    welcome: Welcome
    needs: Needs
    questions: dict[str, Question]
    emails: dict[str, Email] = Field(min_length=1)
    differently: Differently

    @model_validator(mode="after")
    def _known_placeholders(self):
        for text in _texts(self.model_dump()):
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            unknown = names - PLACEHOLDERS
            if unknown:
                raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in {text[:60]!r}; "
                                 f"use {sorted(PLACEHOLDERS)}")
        return self

    def question(self, key: str) -> Question:
        """The dimension's question turned around (a plain one for a dimension not listed)."""
        if key in self.questions:
            return self.questions[key]
        name = content().dimension_for(key).name
        return Question(question=f"How healthy is {name.lower()} between you and {{inviter}}?",
                        healthy=f"{name} clearly works for both of you.",
                        drifting=f"{name} is a regular source of friction or silence.")

    def email(self, tone: str) -> Email:
        return self.emails.get(tone) or next(iter(self.emails.values()))


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def fill(text: str, **values) -> str:
    """``text`` with its placeholders filled by plain ``values`` (missing ones left empty)."""
    return string.Formatter().vformat(text, (), _Blank(values))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def load_words(folder: str | Path | None = None) -> InviteWords:
    import yaml
    from pydantic import ValidationError
    chosen = Path(folder) / "invite.yaml" if folder else None
    path = chosen if chosen and chosen.exists() else PACKAGE_CONTENT / "invite.yaml"
    try:
        return InviteWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: "
                             f"{e['msg']}" for e in exc.errors())
        raise ContentError(f"{path}: {problems}") from exc


@cache
def words() -> InviteWords:
    """The invitation words in force (``RESET_WORKSHOP_CONTENT`` or the shipped file)."""
    return load_words(os.environ.get("RESET_WORKSHOP_CONTENT") or None)


def email_text(invitation: Invitation, link: str, tone: str = "warm") -> tuple[str, str]:
    """The subject and body to paste into an email, in the plan's ``tone``."""
    chosen = words().email(tone)
    day = invitation.expires_at.astimezone()
    values = {"inviter": invitation.inviter, "them": invitation.them, "link": link,
              "expires": f"{day:%A} {day.day} {day:%B %Y}"}
    return fill(chosen.subject, **values), fill(chosen.body, **values).strip()
