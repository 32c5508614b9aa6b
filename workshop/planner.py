"""The reset conversation: an outreach message drafted from a person's answers, and which
relationships to suggest resetting first.

Messages are plain text rendered from the content's tone templates (Jinja2 without
autoescaping: the result is text, never HTML; every screen that shows it escapes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from jinja2 import Environment, StrictUndefined

from .content import content

SUGGEST_STATES = ("hanging", "fading", "fizzling")  # the drifting states worth a reset
FOLLOWUPS = 3  # follow-up check-ins put in the calendar after a reset meeting


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}"


@cache
def _environment() -> Environment:
    return Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


def _sentence(text: str | None) -> str:
    """Trimmed text, ending with a full stop when it ends with a letter or digit."""
    text = " ".join((text or "").split())
    return f"{text}." if text and text[-1].isalnum() else text


def _phrase(text: str | None) -> str:
    """Trimmed text without a closing full stop (it goes inside a question)."""
    return " ".join((text or "").split()).rstrip(".")


def message_variables(answers: dict[str, str], their_name: str, my_name: str | None = None,
                      need_mine: str = "") -> dict[str, str]:
    """What the tone templates can use, from the guide answers of one plan."""
    return {"their_name": _phrase(their_name) or "there", "my_name": _phrase(my_name),
            "own": _sentence(answers.get("own")), "changed": _sentence(answers.get("changed")),
            "needs": _sentence(need_mine or answers.get("needs")),
            "proposal": _phrase(answers.get("proposal"))}


def draft_message(answers: dict[str, str], tone: str, their_name: str,
                  my_name: str | None = None, need_mine: str = "") -> Draft:
    """The outreach message in ``tone`` (a content tone key), filled from the answers."""
    chosen = content().tone(tone)
    values = message_variables(answers, their_name, my_name, need_mine)
    env = _environment()
    subject = env.from_string(chosen.subject).render(values)
    body = env.from_string(chosen.template).render(values)
    return Draft(subject=" ".join(subject.split()), body=_tidy_lines(body))


def _tidy_lines(body: str) -> str:
    lines = [line.rstrip() for line in body.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):  # never two blank lines in a row
            out.append(line)
    return "\n".join(out).strip()


def suggest(scores, limit: int = 3) -> list[str]:
    """Relationship ids to suggest for a reset: the drifting ones, highest priority first.

    ``scores``: :meth:`workshop.tidy.Tidy.scores` (columns ``relationship_id, state,
    priority``). The person decides; this only orders the list and marks the first few.
    """
    if scores.empty:
        return []
    drifting = scores[scores["state"].isin(SUGGEST_STATES)]
    ranked = drifting.sort_values("priority", ascending=False, kind="stable")
    return list(ranked["relationship_id"].head(limit))


def followup_times(meeting_at: datetime, followup_days: int, count: int = FOLLOWUPS
                   ) -> list[datetime]:
    """When to check in after the reset meeting: every ``followup_days``, ``count`` times."""
    return [meeting_at + timedelta(days=followup_days * n) for n in range(1, count + 1)]
