"""The phase countdown, counted in the browser: a small anywidget.

The kernel tells the page when the phase ends (the server's clock, as seconds since the epoch)
and how long it lasts; the page redraws the badge every second on its own. A page that only
shows the clock therefore costs the server nothing between two phase changes, where a
kernel-side clock sent a widget message every second to every page in the room (100 idle
participants: 100 messages a second through the one Voilà server).

Phones and laptops keep their own time, sometimes minutes off. So the page asks the kernel for
its time once when it draws the badge (a custom message, answered at once) and counts against
the server's clock from then on, less half the round trip.

The words and colours are those of :class:`workshop.agenda.Clock`: ``12:30 left``, amber with
``almost up`` near the end, red ``over by 0:45`` once the time is up
(:attr:`workshop.agenda.Clock.badge`; the page's ``face`` says the same). The badge is a ``timer``
role (screen readers do not read it every second); reaching "almost up" and "over time" is
said once, politely, through a separate live region.
"""

from __future__ import annotations

import time

import anywidget
import traitlets

from .. import agenda

ESM = r"""
const LEVELS = ["idle", "running", "ending", "over"];
const mmss = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

// The words of workshop.agenda.Clock.badge, for ``remaining`` seconds (whole seconds up).
export function face(remaining, total, ending) {
  if (!total) { return { level: "idle", text: "", said: "" }; }
  const whole = Math.ceil(remaining) || 0;
  if (whole < 0) {
    return { level: "over", text: `over by ${mmss(-whole)}`, said: "Time is up." };
  }
  if (whole <= ending) {
    return { level: "ending", text: `${mmss(whole)} left · almost up`,
             said: "Almost up." };
  }
  return { level: "running", text: `${mmss(whole)} left`, said: "" };
}

export default {
  render({ model, el }) {
    el.classList.add("rr-countdown");
    const badge = document.createElement("span");
    badge.className = "rr-timer";
    badge.setAttribute("role", "timer");
    const spoken = document.createElement("span");
    spoken.className = "rr-visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    el.append(badge, spoken);

    let skew = 0;  // server clock minus this device's clock, in seconds
    let asked = performance.now();
    const onReply = (content) => {
      if (content && typeof content.now === "number") {
        const trip = (performance.now() - asked) / 1000;
        skew = content.now + trip / 2 - Date.now() / 1000;
        draw();
      }
    };
    model.on("msg:custom", onReply);
    model.send({ ask: "now" });

    let shown = "";
    let timer = null;
    function draw() {
      const endsAt = model.get("ends_at");
      const total = model.get("total_s");
      const remaining = endsAt - (Date.now() / 1000 + skew);
      const f = face(remaining, total, model.get("ending_s"));
      badge.textContent = f.text;
      badge.hidden = !f.text;
      for (const level of LEVELS) {
        badge.classList.toggle(`rr-timer-${level}`, level === f.level);
      }
      if (f.level !== shown) {
        if (shown) { spoken.textContent = f.said; }
        shown = f.level;
        el.dataset.level = f.level;
      }
      clearTimeout(timer);
      if (f.level !== "idle") {  // next redraw just after the next whole second
        const fraction = remaining - Math.floor(remaining);
        timer = setTimeout(draw, Math.max(50, fraction * 1000 + 20));
      }
    }
    const restart = () => { shown = ""; draw(); };
    model.on("change:ends_at", restart);
    model.on("change:total_s", restart);
    draw();
    return () => {
      clearTimeout(timer);
      model.off("msg:custom", onReply);
      model.off("change:ends_at", restart);
      model.off("change:total_s", restart);
    };
  },
};
"""

CSS = """
.rr-countdown { display: inline-block; }
.rr-visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
"""


class Countdown(anywidget.AnyWidget):
    """A phase's time left, redrawn every second by the page itself.

    Set it with :meth:`follow` (a session); :meth:`clock` gives the same reading in Python.
    """

    _esm = ESM
    _css = CSS
    ends_at = traitlets.Float(0.0, help="When the phase ends, server time (s since the epoch); "
                                        "0 while no phase runs.").tag(sync=True)
    total_s = traitlets.Int(0, help="The phase's length in seconds; 0: no phase.").tag(sync=True)
    ending_s = traitlets.Int(0, help="Seconds left from which it reads 'almost up'."
                             ).tag(sync=True)

    def __init__(self, *classes: str):
        super().__init__()
        self._session = None
        for name in ("rr-countdown", *classes):
            self.add_class(name)
        self.on_msg(self._answer)

    def _answer(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("ask") == "now":
            self.send({"now": time.time()})

    def follow(self, session) -> None:
        """Count down ``session``'s current phase (nothing when none runs). Sends a message to
        the page only when the phase, its start or its length changed."""
        self._session = session
        clock = agenda.clock(session)
        if clock.phase is None:
            ends_at, total, ending = 0.0, 0, 0
        else:
            started = session.phase_started_at.timestamp() if session.phase_started_at \
                else time.time() - clock.elapsed_s
            ends_at, total = started + clock.total_s, clock.total_s
            ending = int(min(agenda.ENDING_SHARE * total, agenda.ENDING_MAX_S))
        if (ends_at, total, ending) != (self.ends_at, self.total_s, self.ending_s):
            with self.hold_sync():
                self.ends_at, self.total_s, self.ending_s = ends_at, total, ending

    def clock(self) -> agenda.Clock:
        """The reading the page shows now (for Python callers and tests)."""
        if self._session is None:
            return agenda.Clock(None, "", 0, 0)
        return agenda.clock(self._session)


__all__ = ["Countdown"]
