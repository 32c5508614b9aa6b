"""What the join panel projects: the participant link for a session and its QR code.

The link is built, in this order, from an address the facilitator typed (for a proxy), the
``public_url`` setting (``--public-url`` / ``RESET_WORKSHOP_URL`` / config file), the address
Voilà served the console from (Voilà hands each kernel ``VOILA_REQUEST_URL``, and the CGI-style
``SERVER_NAME``, ``SERVER_PORT`` and ``SCRIPT_NAME``), and finally the configured host and port
(in JupyterLab, where the console is not served by Voilà).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

import qrcode
import qrcode.image.svg

from . import config

PARTICIPANT = "participant.ipynb"
RENDER = "/voila/render/"


def _with_code(page: str, code: str) -> str:
    return f"{page}?code={quote(code)}"


def _from_request(request_url: str) -> str:
    """The participant page next to the notebook Voilà is rendering."""
    scheme, netloc, path, _, _ = urlsplit(request_url)
    folder = path.rsplit("/", 1)[0] if RENDER in path else RENDER.rstrip("/")
    return urlunsplit((scheme, netloc, f"{folder}/{PARTICIPANT}", "", ""))


def _from_cgi(env: Mapping[str, str]) -> str | None:
    host, port, script = env.get("SERVER_NAME"), env.get("SERVER_PORT"), env.get("SCRIPT_NAME")
    if not host or not script:
        return None
    netloc = f"{host}:{port}" if port and port not in ("80", "443") else host
    scheme = "https" if port == "443" else "http"
    return _from_request(f"{scheme}://{netloc}{script}")


def _from_base(base: str) -> str:
    base = base.strip().rstrip("/")
    if base.endswith(".ipynb"):
        return base.rsplit("/", 1)[0] + "/" + PARTICIPANT
    if RENDER.rstrip("/") in base:
        return f"{base}/{PARTICIPANT}"
    return f"{base}{RENDER}{PARTICIPANT}"


def participant_page(override: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The participant app's address (without the code), by the precedence above."""
    env = os.environ if env is None else env
    if override and override.strip():
        return _from_base(override)
    public = config.setting("public_url")
    if public:
        return _from_base(str(public))
    if env.get("VOILA_REQUEST_URL"):
        return _from_request(env["VOILA_REQUEST_URL"])
    from_cgi = _from_cgi(env)
    if from_cgi:
        return from_cgi
    host = str(config.setting("host"))
    host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    return _from_base(f"http://{host}:{config.setting('port')}")


def join_url(code: str, override: str | None = None,
             env: Mapping[str, str] | None = None) -> str:
    """The link participants open to join the session with this code."""
    return _with_code(participant_page(override, env), code)


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as SVG markup (black on white, with the standard quiet zone).

    Vector and plain text: it scales to any screen, and reaches the page as an ordinary widget
    value, never as a binary buffer on the kernel websocket.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         image_factory=qrcode.image.svg.SvgPathFillImage)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


def qr_img(text: str, size: int = 260, alt: str = "QR code of the join link") -> str:
    """An ``<img>`` showing the QR code of ``text`` from a data URI, ``size`` px square."""
    data = base64.b64encode(qr_svg(text).encode("utf-8")).decode("ascii")
    return (f'<img class="rr-qr-img" src="data:image/svg+xml;base64,{data}" width="{size}" '
            f'height="{size}" alt="{alt}">')
