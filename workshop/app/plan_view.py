"""Plan the reset (choose relationships, then one plan form at a time, saved as typed) and
leave with a plan (the downloads).
"""

from __future__ import annotations

from datetime import datetime

import ipywidgets as widgets

from .. import bidi
from ..model import new_id
from .components import (
    Status,
    button,
    card,
    classed,
    esc,
    full,
    heading,
    html,
    run_safely,
    user_text,
)
from .plan_form import PlanForm


class PlanView(widgets.VBox):
    """Priority suggests which relationships to reset; the person decides and plans each."""

    def __init__(self, workbook, on_next=None):
        self.workbook, self.current, self.form = workbook, None, None
        self.choices = classed(widgets.VBox(layout=full()), "rr-plan-choices")
        self.status = Status()
        self.slot = widgets.VBox(layout=full())
        self.next = button("Next: leave with a plan", "rr-next-leave", "primary")
        self.next.on_click(lambda _: on_next and on_next())
        intro = heading("Plan the reset", "Relationships are listed by reset priority; the "
                        "first drifting ones are suggested. You decide which to reset.")
        super().__init__([card(intro, self.choices, self.status, self.next), self.slot],
                         layout=full())
        self._plan_ids: dict[str, str] = {}
        self._stale = True
        workbook.on_change(self._heard)

    def _heard(self, what: str) -> None:
        if what != "plan":
            self._stale = True

    def shown(self) -> None:
        if self._stale:
            run_safely(self.status, self.refresh)

    def refresh(self) -> None:
        from ..planner import suggest
        scores = self.workbook.scores()
        plans = self.workbook.plans()
        self._plan_ids.update({rid: p.id for rid, p in plans.items()})
        suggested = set(suggest(scores))
        labels = {r.id: r for r in self.workbook.relationships()}
        rows = [self._row(labels[r.relationship_id], r, r.relationship_id in suggested,
                          r.relationship_id in plans)
                for r in scores.itertuples() if r.relationship_id in labels]
        self.choices.children = rows or [html(
            '<p class="rr-hint">Rate your relationships in the health check first.</p>')]
        self.next.disabled = not plans
        self._stale = False
        if self.current and self.current in plans:
            self.open_plan(self.current)

    def _row(self, rel, score, suggested: bool, planned: bool) -> widgets.HBox:
        from ..content import content
        state = next((s.name for s in content().states if s.key == score.state), score.state)
        tag = ' <span class="rr-suggested">Suggested</span>' if suggested else ""
        text = html(f'<b>{user_text(rel.label)}</b>{tag}<br><span class='
                    f'"rr-hint">{esc(state)} · priority {score.priority:.0f}</span>',
                    "rr-plan-candidate")
        text.layout = widgets.Layout(flex="1 1 auto", width="auto")
        start = button("Open plan" if planned else "Plan a reset",
                       "rr-plan-open" if planned else "rr-plan-start",
                       "" if planned else "primary")
        start.on_click(lambda _: run_safely(self.status, lambda: self.open_plan(rel.id)))
        return classed(widgets.HBox([text, start], layout=full()), "rr-list-row")

    def open_plan(self, relationship_id: str) -> None:
        rel = self.workbook.relationship(relationship_id)
        plan = self.workbook.plans().get(relationship_id)
        if plan is None:  # choosing a relationship starts its (empty) plan
            plan = self.workbook.save_plan(self._plan_id(rel.id), rel.id, {})
            self._stale = True
        self.current = rel.id
        self.form = PlanForm(rel, self.workbook.display_name, plan)
        self.form.on_change(lambda values, form=self.form: self._save(form, values))
        title = heading(f"Reset plan: {bidi.isolated(rel.label)}")
        from .invite_panel import for_plan_form  # issue 11: ask the other side
        panel = for_plan_form(self.workbook, self.form)
        self.slot.children = [card(title, css="rr-plan-title"), self.form, panel]
        panel.draw()
        self.status.ok(f"Planning the reset with “{bidi.isolated(rel.label)}”. "
                       "Drafts save as you type.")
        self.next.disabled = False
        if self._stale:
            self.refresh_choices()

    def refresh_choices(self) -> None:
        current, self.current = self.current, None
        self.refresh()
        self.current = current

    def _plan_id(self, relationship_id: str) -> str:
        return self._plan_ids.setdefault(relationship_id, new_id())

    def _save(self, form: PlanForm, values: dict) -> None:
        rid = form.relationship.id

        def save():
            form.show_errors({})
            self.workbook.save_plan(self._plan_id(rid), rid, values)
            form.status.ok(f"Draft saved at {datetime.now().strftime('%H:%M:%S')}.")

        run_safely(form, save)


from .downloads import DOWNLOADS, DownloadsView  # noqa: E402,F401  (the "leave" step)
