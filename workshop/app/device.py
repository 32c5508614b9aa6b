"""The browser's memory of who is using it: a small anywidget over ``localStorage``.

On a reload, a reopened tab or a phone waking up, the participant page starts a new kernel
that knows nobody. This widget's page side reads what the browser kept for this page and
reports it once (:attr:`Device.found`); the app then resumes through the store. The kernel
tells the page what to keep (:attr:`Device.keep`), and an empty code makes it forget.

What the browser keeps, namespaced by the page's address (origin and path, so two servers or
two apps on one machine never mix):

* ``rr-resume:<address>``: the resume code, and nothing else about the person;
* ``rr-step:<address>``: ``{"step", "phase"}``, the step last open and the workshop phase at
  that moment (navigation only, no one's data), so a reload lands on the same step unless
  the facilitator has moved the room on since.

The last step lives in the browser rather than in the store on purpose: it is a property of
this device's screen (another device should follow the session as usual), it changes on
every click, and keeping it out of the database saves a write per click for a whole room.

While the page resumes, ``rr-resuming`` on ``<body>`` hides the join form behind a short
"opening your workbook" line, so a returning person does not see the join form flash.
"""

from __future__ import annotations

import anywidget
import traitlets

ESM = r"""
const KEYS = ["rr-resume:", "rr-step:"];
const where = () => window.location.origin + window.location.pathname;
const key = (i) => KEYS[i] + where();

function read(i) {
  try { return window.localStorage.getItem(key(i)) || ""; } catch (e) { return ""; }
}
function write(i, value) {
  try {
    if (value) { window.localStorage.setItem(key(i), value); }
    else { window.localStorage.removeItem(key(i)); }
  } catch (e) { /* private mode or storage full: the typed code still works */ }
}
function place() {
  try {
    const p = JSON.parse(read(1) || "{}") || {};
    return { step: String(p.step || ""), phase: String(p.phase || "") };
  } catch (e) { return { step: "", phase: "" }; }
}
function resuming(on) { document.body.classList.toggle("rr-resuming", !!on); }

export default {
  initialize({ model }) {
    const code = read(0);
    resuming(code);
    model.set("found", { code, ...place() });
    model.save_changes();
    const timer = setTimeout(() => resuming(false), 20000);  // never hide the form for good
    const keep = () => {
      const kept = model.get("keep") || {};
      if (!("code" in kept)) { return; }
      write(0, kept.code || "");
      write(1, kept.code ? JSON.stringify({ step: kept.step || "", phase: kept.phase || "" })
                         : "");
      clearTimeout(timer);
      resuming(false);
    };
    model.on("change:keep", keep);
    return () => { model.off("change:keep", keep); clearTimeout(timer); resuming(false); };
  },
  render({ el }) {
    el.classList.add("rr-device");
    const note = document.createElement("p");
    note.className = "rr-device-note";
    note.setAttribute("role", "status");
    note.textContent = "Welcome back. Opening your workbook…";
    el.appendChild(note);
  },
};
"""


class Device(anywidget.AnyWidget):
    """What this browser remembers for the participant page.

    ``found`` is set once by the page when it loads: ``{"code", "step", "phase"}`` (empty
    strings when it keeps nothing). Setting ``keep`` to ``{"code", "step", "phase"}`` makes the
    page remember them; ``{"code": ""}`` makes it forget.
    """

    _esm = ESM
    found = traitlets.Dict().tag(sync=True)
    keep = traitlets.Dict().tag(sync=True)

    def __init__(self):
        super().__init__()
        self.add_class("rr-device")

    @property
    def remembered(self) -> str:
        """The resume code this device currently keeps, as far as the kernel knows."""
        return self.keep.get("code", "") if self.keep else self.found.get("code", "")

    def remember(self, code: str, step: str = "", phase: str | None = None) -> None:
        self.keep = {"code": code, "step": step or "", "phase": phase or ""}

    def forget(self) -> None:
        self.keep = {"code": ""}


__all__ = ["Device"]
