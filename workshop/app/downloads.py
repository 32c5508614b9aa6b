"""Leave with a plan: one button per file, and one click saves it.

ipywidgets cannot hand a file to the browser, so :class:`DownloadButton` is a small
anywidget: its button (drawn by the page, in the kit's look) asks the kernel for the file,
the kernel makes it there and then (from :mod:`workshop.action_plan`, so it is always
current) and sends the bytes back as one binary buffer, and the page saves them under the
file's name. Nothing is prepared in advance, and no base64 copy of the plan sits in the
page's widget state.
"""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import ipywidgets as widgets
import traitlets

from .components import Status, card, dom_classes, full, heading, html, run_safely, user_text

ESM = r"""
const save = (bytes, name, type) => {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  setTimeout(() => { link.remove(); URL.revokeObjectURL(url); }, 60000);
};

export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.type = "button";
    const draw = () => {
      button.className = `rr-download-button ${model.get("css")}`;
      button.textContent = model.get("busy") ? "Preparing…" : model.get("label");
      button.disabled = model.get("busy");
      button.setAttribute("aria-busy", model.get("busy") ? "true" : "false");
    };
    draw();
    model.on("change:label", draw);
    model.on("change:busy", draw);
    model.on("change:css", draw);
    button.addEventListener("click", () => { model.send({ want: true }); });
    const got = (msg, buffers) => {
      if (msg && msg.save && buffers && buffers.length) {
        save(buffers[0], msg.save, msg.type || "application/octet-stream");
      }
    };
    model.on("msg:custom", got);
    el.appendChild(button);
    return () => {
      model.off("msg:custom", got);
      model.off("change:label", draw);
      model.off("change:busy", draw);
      model.off("change:css", draw);
    };
  },
};
"""


class DownloadButton(anywidget.AnyWidget):
    """A button that saves the file ``make()`` returns, ``(filename, bytes or str)``, as
    ``mime``. ``on_error`` hears a failure (the button comes back for another try)."""

    _esm = ESM
    label = traitlets.Unicode("").tag(sync=True)
    css = traitlets.Unicode("").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)

    def __init__(self, label: str, mime: str, make: Callable[[], tuple[str, bytes | str]],
                 css: str = "", status: Status | None = None):
        super().__init__(label=label, css=css, layout=widgets.Layout(width="100%"),
                         **dom_classes("rr-download"))  # the page gives `css` to its <button>
        self.mime, self.make, self.status = mime, make, status
        self.saved: str | None = None  # the last file's name (tests and the status read it)
        self.on_msg(self._asked)

    def _asked(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("want"):
            self.deliver()

    def deliver(self) -> None:
        """Make the file and send it to the page, which saves it."""
        self.busy = True
        try:
            if self.status is None:
                self._make_and_send()
            else:
                run_safely(self.status, self._make_and_send)
        finally:
            self.busy = False

    def _make_and_send(self) -> None:
        name, payload = self.make()
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        self.send({"save": name, "type": self.mime}, buffers=[data])
        self.saved = name
        if self.status is not None:
            self.status.ok(f"Saved {name} (see your browser's downloads).")


DOWNLOADS = [
    ("html", "Action plan (HTML, with charts, prints well)", "text/html", "reset-plan"),
    ("md", "Action plan (Markdown)", "text/markdown", "reset-plan"),
    ("ics", "Calendar: meetings and check-ins (.ics)", "text/calendar", "reset-calendar"),
    ("csv", "My ratings (CSV)", "text/csv", "my-ratings"),
]


def make_file(workbook, kind: str, stem: str) -> tuple[str, bytes | str]:
    """One take-away file of ``workbook``, made now: ``(filename, content)``."""
    from .. import action_plan
    book = workbook.plan_book()
    payload = {"html": action_plan.html_document, "md": action_plan.markdown_document,
               "ics": action_plan.calendar, "csv": action_plan.ratings_csv}[kind](book)
    return action_plan.filename(stem, kind), payload


class DownloadsView(widgets.VBox):
    """Leave with a plan: one click per file, each made from the latest answers."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.status = Status()
        self.summary = html("", "rr-leave-summary")
        self.buttons: dict[str, DownloadButton] = {}
        for kind, label, mime, stem in DOWNLOADS:
            self.buttons[kind] = DownloadButton(
                f"Download: {label}", mime,
                lambda k=kind, s=stem: make_file(self.workbook, k, s),
                css=f"rr-download-{kind} rr-save-{kind}", status=self.status)
        row = widgets.VBox(list(self.buttons.values()), layout=full(),
                           **dom_classes("rr-download-row"))
        intro = heading("Leave with a plan", "Save your plan, put the reset meetings and "
                        "follow-up check-ins in your calendar, and keep your ratings.")
        super().__init__([card(intro, self.summary, row, self.status)], layout=full())

    def shown(self) -> None:
        plans = self.workbook.plans()
        names = [user_text(r.label) for r in self.workbook.relationships() if r.id in plans]
        self.summary.value = (
            f"<p>Resets planned: <b>{', '.join(names)}</b>.</p>" if names
            else "<p class='rr-hint'>No reset planned yet; the files will hold your map and "
                 "ratings only.</p>")
        self.status.clear()

    def prepare(self, kind: str, *_ignored) -> tuple[str, bytes | str]:
        """The file of ``kind`` as its button would save it (for tests and notebooks)."""
        stem = next(s for k, _, _, s in DOWNLOADS if k == kind)
        return make_file(self.workbook, kind, stem)


__all__ = ["DOWNLOADS", "DownloadButton", "DownloadsView", "make_file"]
