"""Who may create sessions on a served kit's facilitator page: an operator setting.

==========  ===================================================================================
``anyone``  anyone who reaches the page (the default: a laptop in a meeting room)
``key``     only with the server's creation key, asked for on the form
``nobody``  the page only opens existing sessions; the operator makes them with
            ``reset-workshop new-session``
==========  ===================================================================================

Set it with ``reset-workshop serve --create-sessions anyone|key|nobody``,
``RESET_WORKSHOP_CREATE_SESSIONS`` or ``create_sessions`` in the config file. The creation key
comes from ``RESET_WORKSHOP_CREATE_KEY`` or ``create_key`` in the config file (never a flag,
which other users of the machine could read); ``serve`` makes one and prints it when none is
set. ``serve`` puts both in the environment its kernels inherit, and every kernel checks the
rule in :func:`workshop.session_setup.create`, whatever its page shows.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from . import config
from .errors import AccessDenied, InvalidInput, WorkshopError

WHO = ("anyone", "key", "nobody")
KEY_MIN = 12
TURNED_OFF = ("New sessions are not created on this page: the operator of this server makes "
              "them (reset-workshop new-session) and gives you the code and the key.")


@dataclass(frozen=True)
class CreationRule:
    """Who may create sessions here, and the key they need when ``who`` is ``"key"``."""

    who: str = "anyone"
    key: str | None = None

    def check(self, offered: str | None) -> None:
        """Raise unless a session may be created with the creation key ``offered``."""
        if self.who == "anyone":
            return
        if self.who == "nobody":
            raise AccessDenied(TURNED_OFF)
        offered = (offered or "").strip()
        if not offered:
            raise InvalidInput({"creation_key": "is required on this server"})
        if not hmac.compare_digest(offered.encode(), (self.key or "").encode()):
            raise InvalidInput({"creation_key": "is not this server's creation key"})

    def environment(self) -> dict[str, str]:
        """The variables that carry this rule to the kernels ``serve`` starts."""
        env = {config.ENV["create_sessions"]: self.who}
        if self.key:
            env[config.ENV["create_key"]] = self.key
        return env


def rule(who: str | None = None, *, make_key: bool = False) -> CreationRule:
    """The rule in force (``who`` is the flag, if given; then environment, config file).

    With ``make_key``, a ``key`` rule without a configured key gets a fresh random one (what
    ``serve`` does, printing it); otherwise a missing or short key is a one-line error.
    """
    chosen = str(config.setting("create_sessions", who)).strip().lower()
    if chosen not in WHO:
        raise WorkshopError(f"create sessions {chosen!r}: choose one of {', '.join(WHO)}")
    key = config.setting("create_key")
    key = str(key).strip() if key is not None else None
    if chosen != "key":
        return CreationRule(chosen)
    if not key and make_key:
        key = secrets.token_urlsafe(12)
    if not key:
        raise WorkshopError(f"create sessions 'key' needs a creation key: set "
                            f"{config.ENV['create_key']} or create_key in the config file")
    if len(key) < KEY_MIN:
        raise WorkshopError(f"the creation key must be at least {KEY_MIN} characters long")
    return CreationRule("key", key)
