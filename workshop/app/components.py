"""Widgets and helpers every screen of the apps shares: labelled fields with their validation
message beside them, a form base class (``value``, ``on_submit``), status lines, copy buttons,
download links and chart slots.

Imports only ipywidgets and the standard library, so the first screen appears quickly. User
text only ever reaches an HTML widget through :func:`esc` (``html.escape``), and a person's
own text through :func:`user_text` (escaped and isolated in ``<bdi>``).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from . import shared
from .chart_slot import ChartSlot as ChartSlot  # where charts go: see chart_slot

log = logging.getLogger("workshop.app")
FULL = shared.layout(width="100%")  # shared by many widgets: frozen; use full() to change
OOPS = ("Something went wrong on our side and that step did not finish. What you entered "
        "is still here; please try again in a moment.")


def full(**more) -> widgets.Layout:
    """A fresh full-width layout (each widget needs its own to change it safely)."""
    return widgets.Layout(width="100%", **more)


def esc(text) -> str:
    """Text (possibly a person's) safe to place inside HTML, quotes included."""
    return escape("" if text is None else str(text), quote=True)


def user_text(text) -> str:
    """A person's text (a label, a name, a title) for HTML: escaped, and isolated in ``<bdi>``
    so right-to-left text or direction controls in it cannot reorder the kit's own words."""
    return f'<bdi class="rr-user-text">{esc(text)}</bdi>'


def classed(widget: widgets.Widget, *classes: str) -> widgets.Widget:
    """Add CSS classes to a widget that exists already: one message to its page per class.
    A widget made here should rather get them at birth (:func:`dom_classes`), in the
    message that creates it on the page."""
    for name in classes:
        widget.add_class(name)
    return widget


def dom_classes(*classes: str) -> dict:
    """Constructor keywords that give a new widget its CSS classes in its opening message
    (each class added later is one more message through the server, for every page)."""
    return {"_dom_classes": tuple(name for name in classes if name)}


def html(markup: str = "", *classes: str, layout: widgets.Layout | None = None
         ) -> widgets.HTML:
    """An HTML widget for markup the kit wrote (user text must go through :func:`esc`).
    Its layout is the shared full width one (:mod:`.shared`), unless ``layout`` is given:
    pass ``full()`` for one that can be shown and hidden."""
    return widgets.HTML(markup, layout=layout or shared.layout(width="100%"),
                        style=shared.html_style(), **dom_classes(*classes))


def button(description: str, css: str, style: str = "", tooltip: str = "",
           layout: widgets.Layout | None = None, classes: tuple[str, ...] = ()
           ) -> widgets.Button:
    """A button with the shared auto-width layout, or ``layout`` if it must change;
    ``classes`` are more CSS classes, sent with it."""
    return widgets.Button(description=description, button_style=style, tooltip=tooltip,
                          layout=layout or shared.layout(width="auto"),
                          style=shared.button_style(), **dom_classes(css, *classes))


def card(*children: widgets.Widget, css: str = "",
         layout: widgets.Layout | None = None) -> widgets.VBox:
    """A card with the shared full width layout, or ``layout`` if it must change."""
    return widgets.VBox(list(children), layout=layout or shared.layout(width="100%"),
                        **dom_classes("rr-card", css))


def heading(title: str, intro: str = "", level: int = 2) -> widgets.HTML:
    text = f"<h{level}>{esc(title)}</h{level}>"
    return html(text + (f'<div class="rr-hint">{esc(intro)}</div>' if intro else ""))


class Status(widgets.HTML):
    """A one-line message under a form or a step: saved, or what went wrong, in plain words."""

    def __init__(self, css: str = "rr-status"):
        super().__init__(layout=full(display="none"), **dom_classes("rr-status", css))

    def ok(self, text: str) -> None:
        self.remove_class("rr-status-error")
        self.add_class("rr-status-ok")
        self.value, self.layout.display = esc(text), None

    def error(self, text: str) -> None:
        self.remove_class("rr-status-ok")
        self.add_class("rr-status-error")
        self.value, self.layout.display = esc(text), None

    def clear(self) -> None:
        self.value, self.layout.display = "", "none"


def named(control: widgets.Widget, label: str, *classes: str) -> widgets.Widget:
    """Give a form control its accessible name and CSS classes, in one message to the page.

    The name is the control's own ``description``, which ipywidgets renders as a ``<label>``
    tied to the input; ``rr-named`` has the kit's stylesheet keep that label for screen
    readers only, where the label is already shown beside the control. Controls without
    a description of their own (boxes, buttons, check boxes that show it already) only
    get the classes.

    A text control also sends its value when the person leaves it or presses Enter, not at
    every keystroke: the page holds back a control's updates while the kernel has not
    answered the last one, so with a button pressed right after typing (Tab, Enter) the
    kernel got the click first and saved the text cut short ("K" for "Kim"). Leaving the
    field comes before the press, so its whole value now always arrives first.
    """
    from ipywidgets.widgets.widget_description import DescriptionWidget
    with control.hold_sync():
        if isinstance(control, DescriptionWidget) and not isinstance(control, widgets.Checkbox):
            control.description = label
            control.add_class("rr-named")
        if isinstance(control, (widgets.Text, widgets.Textarea)):
            control.continuous_update = False
        classed(control, *classes)
    return control


class Field(widgets.VBox):
    """One input with its label, an optional hint and its validation message beside it.

    ``hint_above`` puts the hint between the label and the input, in the label's own widget
    (one widget fewer to send); ``detail_html`` is more markup the kit wrote, shown there too;
    ``classes`` are more CSS classes for the field, sent with it.
    """

    def __init__(self, name: str, label: str, control: widgets.Widget, hint: str = "",
                 css: str | None = None, *, hint_above: bool = False, detail_html: str = "",
                 classes: tuple[str, ...] = ()):
        self.name = name
        self.control = named(control, label, css or f"rr-{name.replace('_', '-')}")
        self.message = html("", "rr-field-error", f"rr-error-{name.replace('_', '-')}")
        hidden = ' aria-hidden="true"' if "rr-named" in control._dom_classes else ""
        head = f'<span class="rr-field-label"{hidden}>{esc(label)}</span>'
        if hint and (hint_above or detail_html):
            head += f'<div class="rr-hint">{esc(hint)}</div>'
        parts = [html(head + detail_html), control]
        if hint and not (hint_above or detail_html):
            parts.append(html(f'<span class="rr-hint">{esc(hint)}</span>'))
        super().__init__([*parts, self.message], layout=full(),
                         **dom_classes("rr-field", *classes))

    @property
    def value(self):
        return self.control.value

    @value.setter
    def value(self, new) -> None:
        self.control.value = new

    def show_error(self, why: str | None) -> None:
        self.message.value = esc(why) if why else ""
        (self.add_class if why else self.remove_class)("rr-invalid")


def text_input(placeholder: str = "", area: bool = False, rows: int = 3) -> widgets.Widget:
    if area:
        return widgets.Textarea(placeholder=placeholder, rows=rows, layout=full())
    return widgets.Text(placeholder=placeholder, layout=full())


class Form(widgets.VBox):
    """A composite widget with one result (``value``), ``on_submit`` and messages by field.

    Subclasses fill ``self.fields`` (name -> :class:`Field`) and implement ``value``. The submit
    handlers run in order; an :class:`~workshop.errors.InvalidInput` they raise is shown beside
    the fields it names, any other kit error in the status line, and nothing typed is cleared.
    """

    submit_label = "Save"
    submit_css = "rr-submit"

    def __init__(self, children: list[widgets.Widget], fields: dict[str, Field], **kwargs):
        self.fields = fields
        self.status = Status()
        self.submit = button(self.submit_label, self.submit_css, "primary")
        self.submit.on_click(lambda _: self.submit_values())
        self._handlers: list[Callable] = []
        classes = dom_classes("rr-form", *kwargs.pop("_dom_classes", ()))
        super().__init__([*children, self.submit, self.status], layout=full(), **classes,
                         **kwargs)

    @property
    def value(self) -> dict:
        return {name: field.value for name, field in self.fields.items()}

    @value.setter
    def value(self, values: dict) -> None:
        for name, new in values.items():
            if name in self.fields:
                self.fields[name].value = new

    def on_submit(self, callback: Callable[[dict], object]) -> None:
        self._handlers.append(callback)

    def submit_values(self) -> bool:
        """Run the submit handlers with ``value``; True when they all succeeded."""
        self.show_errors({})
        return run_safely(self, lambda: [handler(self.value) for handler in self._handlers])

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = dict(errors)
        for name, field in self.fields.items():
            why = next((w for key, w in errors.items()
                        if key == name or key.startswith(f"{name}.")), None)
            field.show_error(why)
            unplaced = {k: w for k, w in unplaced.items()
                        if not (k == name or k.startswith(f"{name}."))}
        if unplaced:
            self.status.error("; ".join(f"{k.replace('_', ' ')} {w}" for k, w in unplaced.items()))
        elif errors:
            self.status.error("Please check the highlighted field(s).")
        else:
            self.status.clear()


def run_safely(target, action: Callable[[], object]) -> bool:
    """Run ``action``; show a kit error on ``target`` (a form or a status) in plain words."""
    from ..errors import InvalidInput, WorkshopError
    status = target.status if hasattr(target, "status") else target
    try:
        action()
    except InvalidInput as exc:
        if hasattr(target, "show_errors"):
            target.show_errors(exc.fields)
        else:
            status.error(str(exc))
        return False
    except WorkshopError as exc:
        status.error(str(exc))
        return False
    except Exception:  # never a traceback on a participant's screen; keep it in the log
        log.exception("unexpected error in the app")
        status.error(OOPS)
        return False
    return True


_COPY_JS = (
    "(function(b){var t=b.getAttribute('data-copy');"
    "if(t===null){var s=document.querySelector(b.getAttribute('data-from'));t=s?s.value:'';}"
    "function done(){var o=b.textContent;b.textContent='Copied';"
    "setTimeout(function(){b.textContent=o;},1500);}"
    "function fallback(){var a=document.createElement('textarea');a.value=t;"
    "a.style.position='fixed';a.style.opacity='0';document.body.appendChild(a);a.select();"
    "try{document.execCommand('copy');done();}catch(e){}document.body.removeChild(a);}"
    "if(navigator.clipboard&&window.isSecureContext){"
    "navigator.clipboard.writeText(t).then(done,fallback);}else{fallback();}})(this)")


def copy_button(text: str | None = None, source: str | None = None, label: str = "Copy",
                css: str = "rr-copy") -> str:
    """A browser-side copy button for ``text``, or for the value of the ``source`` selector."""
    data = f'data-copy="{esc(text)}"' if text is not None else f'data-from="{esc(source)}"'
    return (f'<button type="button" class="rr-copy {esc(css)}" {data} '
            f'onclick="{esc(_COPY_JS)}">{esc(label)}</button>')


_SAVE_JS = (
    "(function(a,ev){ev.preventDefault();"
    "var raw=atob(a.getAttribute('data-payload'));var bytes=new Uint8Array(raw.length);"
    "for(var i=0;i<raw.length;i++){bytes[i]=raw.charCodeAt(i);}"
    "var url=window.URL.createObjectURL(new Blob([bytes],{type:a.getAttribute('data-type')}));"
    "var t=document.createElement('a');t.href=url;t.download=a.getAttribute('download');"
    "t.style.display='none';document.body.appendChild(t);t.click();"
    "setTimeout(function(){document.body.removeChild(t);window.URL.revokeObjectURL(url);},60000);"
    "})(this,event)")


def download_link(filename: str, mime: str, payload: str | bytes, label: str,
                  css: str = "rr-download-link") -> str:
    """An anchor that saves ``payload`` as ``filename`` when clicked, whatever its size.

    The bytes travel base64-encoded in the page and are saved through a Blob on click
    (data: URLs are capped at 2 MB in Chromium, and a plan with plotly.js inline is larger).
    """
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a class="rr-download-link {esc(css)}" download="{esc(filename)}" href="#" '
            f'data-type="{esc(mime)}" data-payload="{encoded}" onclick="{esc(_SAVE_JS)}">'
            f'{esc(label)}</a>')


def set_options(dropdown: widgets.Dropdown, options: list[tuple[str, str]]) -> bool:
    """Replace a dropdown's options, keeping its value when still offered (else the first);
    True if the value moved."""
    before = dropdown.value
    ids = [value for _, value in options]
    dropdown.options = options
    if before in ids:
        dropdown.value = before
    elif ids and dropdown.value is None:
        dropdown.value = ids[0]
    return dropdown.value != before

