"""Moving the keyboard focus from the kernel: a tiny anywidget with no view of its own.

When a step of the participant app opens, its content is replaced; without help the focus
stays on the button that was pressed (or falls back to the page), and a screen reader says
nothing about the new step. :meth:`FocusMover.to` asks the page to focus the first visible
element matching a CSS selector, typically the new step's heading, as soon as it is drawn.
An element that cannot take focus by itself (a heading) gets ``tabindex="-1"``, which lets
a script focus it without adding it to the Tab order. A newer request replaces one that is
still waiting, so a quick second click never steals the focus back. For a few seconds after,
if the page redraws that part (a box whose children change draws them anew) and the focus
falls back to the page, the new copy of the element is focused again; once the person has
moved the focus elsewhere, it is left alone.
"""

from __future__ import annotations

import anywidget

ESM = r"""
const WAIT_FRAMES = 600;   // about 10 s at 60 frames a second: a busy page draws late
const GUARD_FRAMES = 180;  // about 3 s in which a redrawn target gets the focus back
const visible = (el) => el.getClientRects().length > 0;
const lost = () => !document.activeElement || document.activeElement === document.body;

export default {
  initialize({ model }) {
    let cancel = () => {};
    const move = (msg) => {
      if (!msg || typeof msg.focus !== "string") { return; }
      cancel();
      let stopped = false, frames = 0, target = null, guarded = 0;
      cancel = () => { stopped = true; };
      const attempt = () => {
        if (stopped) { return; }
        if (target) {  // focused: if a redraw took the element away, focus its new copy
          if (document.contains(target) || !lost()) {
            if (++guarded > GUARD_FRAMES || !lost() && document.activeElement !== target) {
              stopped = true;
              return;
            }
            requestAnimationFrame(attempt);
            return;
          }
          target = null;
        }
        const found = Array.from(document.querySelectorAll(msg.focus)).find(visible);
        if (found) {
          if (!found.matches("a[href], button, input, select, textarea, [tabindex]")) {
            found.setAttribute("tabindex", "-1");
          }
          found.focus();
          target = found;
        } else if (++frames >= WAIT_FRAMES) {
          stopped = true;
          return;
        }
        requestAnimationFrame(attempt);
      };
      attempt();
    };
    model.on("msg:custom", move);
    return () => { cancel(); model.off("msg:custom", move); };
  },
  render({ el }) {
    el.classList.add("rr-focus");
  },
};
"""


class FocusMover(anywidget.AnyWidget):
    """``mover.to(".rr-view-map h2")``: the page focuses that element once it is drawn."""

    _esm = ESM

    def __init__(self):
        super().__init__(_dom_classes=("rr-focus",))
        self.requested: str | None = None  # the last selector asked for (tests read it)

    def to(self, selector: str) -> None:
        self.requested = selector
        self.send({"focus": selector})


__all__ = ["FocusMover"]
