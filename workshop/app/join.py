"""The first screen: join a session with its code, come back with a resume code, or work on
one's own; and the notice that shows a new resume code once, with a copy button.

Light on purpose: only ipywidgets and the standard library are imported here, so this screen
appears before the heavier parts of the kit are loaded.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import ipywidgets as widgets

from .components import (
    Field,
    Form,
    Status,
    button,
    card,
    classed,
    copy_button,
    esc,
    full,
    heading,
    html,
    user_text,
)

NAME_MAX = 60  # mirrors workshop.model.NAME_MAX (checked there too, in the kernel)


def code_from_query(query: str | None) -> str:
    """The session code in a page address' query string (``?code=K7QF3M``), if any."""
    values = parse_qs(query or "").get("code") or [""]
    return values[0].strip()[:32]


class JoinForm(Form):
    """Session code and an optional display name; ``value`` is ``{"code", "name"}``."""

    submit_label = "Join the session"
    submit_css = "rr-join"

    def __init__(self, code: str = ""):
        fields = {
            "code": Field("code", "Session code", widgets.Text(
                value=code, placeholder="e.g. K7QF3M", layout=full()),
                hint="Your facilitator shows it on screen.", css="rr-join-code", hint_above=True),
            "name": Field("name", "Your name (optional)", widgets.Text(
                placeholder="How others in the session see you",
                layout=full()),
                hint="Leave empty to stay anonymous.", css="rr-join-name", hint_above=True),
        }
        super().__init__([heading("Join a workshop session"), *fields.values()], fields)


class ResumeForm(Form):
    """The personal resume code given on joining; ``value`` is ``{"resume_code"}``."""

    submit_label = "Continue where I left off"
    submit_css = "rr-resume"

    def __init__(self):
        fields = {"resume_code": Field("resume_code", "Your resume code", widgets.Text(
            placeholder="e.g. XK4P-9QMZ-TT2H", layout=full()),
            hint="Works on any device, any time after you joined.", css="rr-resume-code",
            hint_above=True)}
        super().__init__([heading("Already started?", level=3), *fields.values()], fields)


class SoloForm(Form):
    """Working alone, without a session; ``value`` is ``{"name"}``."""

    submit_label = "Work on my own"
    submit_css = "rr-solo"

    def __init__(self):
        fields = {"name": Field("name", "Your name (optional)", widgets.Text(
            placeholder="Only you will see it", layout=full()),
            css="rr-solo-name")}
        intro = heading("No session?", "Go through the same steps on your own, at your own "
                        "pace. You will get a resume code to come back later.", level=3)
        super().__init__([intro, *fields.values()], fields)


class JoinView(widgets.VBox):
    """The three ways in, side by side on a laptop and stacked on a phone."""

    def __init__(self, code: str = ""):
        self.join, self.resume, self.solo = JoinForm(code), ResumeForm(), SoloForm()
        welcome = html(
            "<p>Take stock of your business relationships, see which ones are drifting, and "
            "leave with a plan to reset the ones that matter. No account needed.</p>",
            "rr-welcome")
        super().__init__([welcome, card(self.join, css="rr-join-card"),
                          card(self.resume, css="rr-resume-card"),
                          card(self.solo, css="rr-solo-card")],
                         layout=full())
        self.add_class("rr-join-view")


class ResumeNotice(widgets.VBox):
    """Shows a freshly made resume code once, with a copy button and a 'saved it' button."""

    def __init__(self, resume_code: str, session_title: str | None = None):
        where = (f"You have joined “{user_text(session_title)}”." if session_title
                 else "You are in.")
        self.status = Status()
        self.done = button("I have saved my code", "rr-resume-saved", "primary")
        self.done.on_click(lambda _: self.close_notice())
        text = html(
            f"<h3>{where} Keep this resume code</h3>"
            "<p>It is shown only now. This browser remembers you; with the code you can also "
            "come back on any other device and find everything you entered.</p>"
            f'<div class="rr-code-box rr-resume-shown">{esc(resume_code)}</div> '
            + copy_button(resume_code, label="Copy code", css="rr-copy-resume"))
        super().__init__([text, self.done], layout=full())
        classed(self, "rr-card", "rr-resume-notice")

    def close_notice(self) -> None:
        self.children = []
        self.layout.display = "none"
