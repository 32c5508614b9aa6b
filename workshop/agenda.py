"""A session's agenda and its phase clock: which phase runs, for how long, what comes next.

The agenda is the content's phases in order, each with the session's own timebox in minutes;
a timebox of 0 leaves that phase out. The clock is a pure function of the session and the
time, so the facilitator's console and every participant's banner agree on it.

Timer levels: ``idle`` (no phase yet), ``running``, ``ending`` (the last fifth of the
timebox, at most the last two minutes: shown amber), ``over`` (past the timebox: red).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .content import content

ENDING_SHARE, ENDING_MAX_S = 0.2, 120


@dataclass(frozen=True)
class Step:
    """One phase of a session's agenda."""

    key: str
    title: str
    minutes: int
    summary: str
    facilitator_notes: str


@dataclass(frozen=True)
class Clock:
    """Where the session stands in its current phase at one moment."""

    phase: str | None
    title: str
    total_s: int
    elapsed_s: int

    @property
    def remaining_s(self) -> int:
        return self.total_s - self.elapsed_s

    @property
    def level(self) -> str:
        if self.phase is None:
            return "idle"
        if self.remaining_s < 0:
            return "over"
        if self.remaining_s <= min(ENDING_SHARE * self.total_s, ENDING_MAX_S):
            return "ending"
        return "running"

    @property
    def note(self) -> str:
        """Words that say what the timer's colour says: ``almost up``, ``over time`` or ''."""
        return {"ending": "almost up", "over": "over time"}.get(self.level, "")

    @property
    def label(self) -> str:
        """``12:30 left``, ``0:45 over`` or an empty string before the first phase."""
        if self.phase is None:
            return ""
        left = self.remaining_s
        return f"{_mmss(abs(left))} {'left' if left >= 0 else 'over'}"

    @property
    def badge(self) -> str:
        """The countdown badge's words: ``12:30 left``, ``0:45 left · almost up``, ``over by
        0:06`` ('' before the first phase). The page counts these itself
        (:mod:`workshop.app.countdown`)."""
        if self.level == "over":
            return f"over by {_mmss(-self.remaining_s)}"
        return f"{self.label} · {self.note}" if self.note else self.label


def _mmss(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def steps(timeboxes: dict[str, int]) -> list[Step]:
    """The agenda for these timeboxes: content phases in order, those with minutes > 0."""
    out = []
    for phase in content().phases:
        minutes = int(timeboxes.get(phase.key, phase.minutes))
        if minutes > 0:
            out.append(Step(phase.key, phase.title, minutes, phase.summary,
                            phase.facilitator_notes))
    return out


def session_steps(session) -> list[Step]:
    return steps(dict(session.settings.timeboxes))


def total_minutes(timeboxes: dict[str, int]) -> int:
    return sum(step.minutes for step in steps(timeboxes))


def clock(session, now: datetime | None = None) -> Clock:
    """The phase clock of ``session`` at ``now`` (default: the current time)."""
    phase = session.current_phase
    if phase is None:
        return Clock(None, "", 0, 0)
    now = now or datetime.now(timezone.utc)
    started = session.phase_started_at or now
    minutes = int(session.settings.timeboxes.get(phase, content().phase(phase).minutes))
    elapsed = max(int((now - started).total_seconds()), 0)
    return Clock(phase, content().phase(phase).title, minutes * 60, elapsed)


def neighbour(session, offset: int) -> Step | None:
    """The step ``offset`` places from the current one (the first step when none runs yet)."""
    agenda = session_steps(session)
    keys = [s.key for s in agenda]
    if session.current_phase not in keys:
        return agenda[0] if offset > 0 and agenda else None
    index = keys.index(session.current_phase) + offset
    return agenda[index] if 0 <= index < len(agenda) else None
