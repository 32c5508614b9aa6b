"""The reset plan for one relationship: the conversation guide step by step, both sides'
needs, how to reconnect, commitments, and the outreach message drafted in a chosen tone.

:class:`PlanForm` reports every edit through ``on_change`` (the view saves the draft at once);
``value`` is a dict ready for :class:`workshop.model.ResetPlan`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

import ipywidgets as widgets

from ..content import content
from ..model import CHANNELS, PLAN_STATUSES
from . import shared
from .components import (
    Field,
    Status,
    button,
    card,
    copy_button,
    dom_classes,
    esc,
    full,
    html,
    named,
)
from .inventory import CADENCES

ANSWER_STEPS = ("ask", "own", "changed", "reconnect")  # steps with a free-text answer


class MeetingInput(widgets.HBox):
    """A date and a time (HH:MM, this computer's time zone); ``value`` is a datetime."""

    def __init__(self):
        # Side by side where there is room; on a phone the time goes under the date.
        self.day = named(widgets.DatePicker(layout=widgets.Layout(
            width="auto", flex="2 1 170px", min_width="0")), "Meeting date", "rr-meeting-date")
        self.clock = named(widgets.Text(value="10:00", placeholder="HH:MM",
                                        layout=widgets.Layout(width="auto", flex="1 1 100px",
                                                              min_width="0")),
                           "Meeting time (HH:MM)", "rr-meeting-time")
        super().__init__([self.day, self.clock], layout=full(flex_flow="row wrap"),
                         **dom_classes("rr-meeting"))

    @property
    def value(self):
        if self.day.value is None:
            return None
        try:
            hour, minute = (int(p) for p in self.clock.value.strip().split(":"))
            return datetime.combine(self.day.value, time(hour, minute)).astimezone()
        except (ValueError, TypeError):
            return f"{self.day.value} {self.clock.value}"  # the model says what is wrong

    @value.setter
    def value(self, moment) -> None:
        local = moment.astimezone() if moment else None
        self.day.value = local.date() if local else None
        self.clock.value = local.strftime("%H:%M") if local else "10:00"

    def watch(self, callback) -> None:
        self.day.observe(callback, "value")
        self.clock.observe(callback, "value")


class CommitmentRows(widgets.VBox):
    """Commitments: what, who, by when; rows can be added and removed."""

    def __init__(self, on_edit: Callable):
        self._on_edit = on_edit
        self.rows = widgets.VBox(layout=full())
        self.add = button("Add a commitment", "rr-add-commitment")
        self.add.on_click(lambda _: self.append())
        super().__init__([self.rows, self.add], layout=full())

    def append(self, what: str = "", owner: str = "me", due=None) -> None:
        # One line on a laptop; on a phone "what" takes its own line, then who, by when
        # and remove (the row wraps instead of scrolling sideways inside its card).
        w = named(widgets.Text(value=what, placeholder="What", layout=widgets.Layout(
            flex="3 1 240px", width="auto", min_width="0")), "Commitment: what",
            "rr-commitment-what")
        o = named(widgets.Text(value=owner, placeholder="Who", layout=widgets.Layout(
            flex="1 1 70px", width="auto", min_width="0")), "Commitment: who",
            "rr-commitment-who")
        d = named(widgets.DatePicker(value=due, layout=widgets.Layout(
            flex="2 1 130px", width="auto", min_width="0")), "Commitment: by when",
            "rr-commitment-due")
        drop = button("✕", "rr-remove-commitment", tooltip="Remove this commitment",
                      layout=shared.layout(width="auto", flex="0 0 auto"))
        row = widgets.HBox([w, o, d, drop], layout=full(flex_flow="row wrap"),
                           **dom_classes("rr-commitment"))
        drop.on_click(lambda _: self._drop(row))
        for control in (w, o, d):
            control.observe(lambda _: self._on_edit(), "value")
        self.rows.children = [*self.rows.children, row]
        self._on_edit()

    def _drop(self, row) -> None:
        self.rows.children = [r for r in self.rows.children if r is not row]
        self._on_edit()

    @property
    def value(self) -> list[dict]:
        out = []
        for row in self.rows.children:
            what, owner, due = (c.value for c in row.children[:3])
            if what.strip() or due:
                out.append({"what": what, "owner": owner.strip() or "me", "due": due})
        return out

    @value.setter
    def value(self, commitments) -> None:
        self.rows.children = []
        for c in commitments:
            self.append(c.what, c.owner, c.due)


def _step_intro(step) -> widgets.HTML:
    prompts = "".join(f"<li>{esc(p)}</li>" for p in step.prompts)
    return html(f"<h3>{esc(step.title)}</h3><div class='rr-hint'>{esc(step.intro)}"
                f"<ul>{prompts}</ul></div>", f"rr-guide-{step.key}")


def _area(name: str, label: str, placeholder: str = "") -> Field:
    return Field(name, label, widgets.Textarea(placeholder=placeholder, rows=3, layout=full()),
                 css=f"rr-plan-{name.replace('_', '-')}")


class PlanForm(widgets.VBox):
    """One relationship's reset plan; ``on_change(callback)`` hears every edit."""

    def __init__(self, relationship, my_name: str = "", plan=None):
        self.relationship, self.my_name = relationship, my_name
        self._handlers: list[Callable[[dict], None]] = []
        self._loading, self._last_draft = True, ""
        self.fields = self._build_fields()
        self.commitments = CommitmentRows(self._edited)
        self.status = Status("rr-plan-status-line")
        self.draft = button("Draft my message from these answers", "rr-draft", "primary")
        self.draft.on_click(lambda _: self.redraft())
        super().__init__(self._layout(), layout=full())
        self.add_class("rr-plan-form")
        if plan is not None:
            self.load(plan)
        for field in self.fields.values():
            if isinstance(field.control, MeetingInput):
                field.control.watch(lambda _: self._edited())
            else:
                field.control.observe(lambda _: self._edited(), "value")
        self.fields["tone"].control.observe(self._tone_changed, "value")
        self._loading = False

    def _build_fields(self) -> dict[str, Field]:
        guide = {s.key: s for s in content().steps}
        f = {key: _area(key, "Your answer") for key in ANSWER_STEPS if key in guide}
        f["proposal"] = Field("proposal", "Meeting to propose", widgets.Text(
            placeholder="e.g. a 30-minute call next week", layout=full()), css="rr-plan-proposal")
        f["meeting_at"] = Field("meeting_at", "Meeting date and time (for your calendar)",
                                MeetingInput(), css="rr-plan-meeting")
        f["need_mine"] = _area("need_mine", "What I need from them now")
        f["need_theirs"] = _area("need_theirs", "What I think they need from me now")
        f["followup_days"] = Field("followup_days", "How often to be in touch after the reset",
                                   widgets.Dropdown(options=CADENCES, value=30, layout=full()),
                                   css="rr-plan-cadence")
        f["channel"] = Field("channel", "By which channel", widgets.Dropdown(
            options=[(c.capitalize(), c) for c in CHANNELS], value="meeting", layout=full()),
            css="rr-plan-channel")
        f["tone"] = Field("tone", "Tone of the message", widgets.ToggleButtons(
            options=[(t.name, t.key) for t in content().tones], value=content().tones[0].key),
            css="rr-tone")
        f["message"] = Field("message", "Your message (edit it freely)", widgets.Textarea(
            rows=12, layout=full(), placeholder="Press “Draft my message” to start from your "
                                              "answers."), css="rr-message")
        f["status"] = Field("status", "Where this reset stands", widgets.Dropdown(
            options=[(s.capitalize(), s) for s in PLAN_STATUSES], value="planned",
            layout=full()), css="rr-plan-status")
        return f

    def _layout(self) -> list[widgets.Widget]:
        f, guide = self.fields, {s.key: s for s in content().steps}
        extra = {"ask": [f["proposal"], f["meeting_at"]], "needs": [f["need_mine"],
                 f["need_theirs"]], "reconnect": [f["followup_days"], f["channel"]],
                 "commitments": [self.commitments]}
        sections = []
        for key, step in guide.items():
            parts = [_step_intro(step), *extra.get(key, [])]
            if key in f and key in ANSWER_STEPS:
                parts.append(f[key])
            sections.append(card(*parts, css=f"rr-plan-step-{key}"))
        copy = html(copy_button(source=".rr-message textarea", label="Copy message",
                                css="rr-copy-message"))
        message = card(html("<h3>Outreach message</h3>"), f["tone"], self.draft, f["message"],
                       copy, css="rr-plan-step-message")
        return [*sections, message, card(f["status"], self.status)]

    # -- value ------------------------------------------------------------------------------

    @property
    def value(self) -> dict:
        f = self.fields
        answers = {k: f[k].value for k in (*ANSWER_STEPS, "proposal", "channel")
                   if f[k].value}
        return {"tone": f["tone"].value, "message": f["message"].value, "answers": answers,
                "need_mine": f["need_mine"].value, "need_theirs": f["need_theirs"].value,
                "commitments": self.commitments.value, "meeting_at": f["meeting_at"].value,
                "followup_days": f["followup_days"].value, "status": f["status"].value}

    def load(self, plan) -> None:
        f, answers = self.fields, dict(plan.answers)
        for key in (*ANSWER_STEPS, "proposal"):
            f[key].value = answers.get(key, "")
        if answers.get("channel") in CHANNELS:
            f["channel"].value = answers["channel"]
        if plan.followup_days not in [v for _, v in f["followup_days"].control.options]:
            f["followup_days"].control.options = [
                *f["followup_days"].control.options,
                (f"Every {plan.followup_days} days", plan.followup_days)]
        if plan.tone in [t.key for t in content().tones]:
            f["tone"].value = plan.tone
        for key in ("message", "need_mine", "need_theirs", "followup_days", "status",
                    "meeting_at"):
            f[key].value = getattr(plan, key)
        self.commitments.value = plan.commitments
        self._last_draft = plan.message

    # -- events -----------------------------------------------------------------------------

    def on_change(self, callback: Callable[[dict], None]) -> None:
        self._handlers.append(callback)

    def _edited(self) -> None:
        if getattr(self, "_loading", True):
            return
        for handler in self._handlers:
            handler(self.value)

    def _tone_changed(self, _change) -> None:
        message = self.fields["message"].value
        if not message.strip() or message == self._last_draft:
            self.redraft()

    def redraft(self) -> None:
        """Fill the message from the answers in the chosen tone (it stays editable)."""
        from ..planner import draft_message
        values = self.value
        draft = draft_message(values["answers"], values["tone"], self.relationship.label,
                              self.my_name, values["need_mine"])
        self._last_draft = draft.text
        self.fields["message"].value = draft.text

    def show_errors(self, errors: dict[str, str]) -> None:
        placed = {}
        for key, why in errors.items():
            parts = key.split(".")
            if parts[0] == "answers" and len(parts) > 1:
                placed.setdefault(parts[1], why)
            elif parts[0] == "commitments" and len(parts) > 2 and parts[1].isdigit():
                placed.setdefault("commitments",
                                  f"Commitment {int(parts[1]) + 1}: {parts[2]} {why}")
            else:
                placed.setdefault(parts[0], why)
        for name, field in self.fields.items():
            field.show_error(placed.pop(name, None))
        if placed:
            self.status.error("; ".join(placed.values()))
        elif errors:
            self.status.error("Not saved yet: please check the highlighted field(s).")
