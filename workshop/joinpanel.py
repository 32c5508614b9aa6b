"""What the join panel projects: the participant link for a session and its QR code.

The link is built, in this order, from an address the facilitator typed (for a proxy), the
``public_url`` setting (``--public-url`` / ``RESET_WORKSHOP_URL`` / config file), the address
Voilà served the console from (Voilà hands each kernel ``VOILA_REQUEST_URL``, and the CGI-style
``SERVER_NAME``, ``SERVER_PORT`` and ``SCRIPT_NAME``), and finally the configured host and port
(in JupyterLab, where the console is not served by Voilà).
"""

from __future__ import annotations

import base64
import ipaddress
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


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(url: str) -> bool:
    """True when ``url`` names this machine only (``localhost``, ``127.x.x.x``, ``::1``,
    ``0.0.0.0``): a phone that opens it looks for the server on itself."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that other devices on its networks may reach (private
    ranges first), without loopback and link-local ones."""
    import psutil
    found = []
    for entries in psutil.net_if_addrs().values():
        for entry in entries:
            try:
                address = ipaddress.ip_address(entry.address)
            except ValueError:
                continue
            if address.version == 4 and not (address.is_loopback or address.is_link_local
                                             or address.is_unspecified):
                found.append(address)
    return [str(a) for a in sorted(set(found), key=lambda a: (not a.is_private, a))]


def with_host(url: str, host: str) -> str:
    """``url`` with its host name replaced by ``host`` (the port and path kept)."""
    parts = urlsplit(url)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def reachable_alternatives(url: str, addresses: list[str] | None = None) -> list[str]:
    """The same link at each LAN address of this machine (empty if ``url`` is not a
    loopback address). They work once the server listens on them (``--host 0.0.0.0``)."""
    if not is_loopback(url):
        return []
    return [with_host(url, a) for a in (lan_addresses() if addresses is None else addresses)]


def answers_at(address: str, port: int, timeout: float = 0.3) -> bool:
    """True when something accepts connections at ``address:port`` (a server bound to
    127.0.0.1 refuses them at once on the machine's LAN address)."""
    import socket
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def loopback_notice(url: str, addresses: list[str] | None = None,
                    probe=answers_at) -> str:
    """HTML for the console when ``url`` is a loopback address (else ""): phones in the room
    cannot open it, how to serve for a room, and this machine's LAN addresses (those the
    server already answers at come first, as links to share instead)."""
    if not is_loopback(url):
        return ""
    from html import escape
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = lan_addresses() if addresses is None else addresses
    live = [a for a in found if probe(a, port)]
    items = "".join(f"<li><code>{escape(with_host(url, a))}</code></li>"
                    for a in live + [a for a in found if a not in live])
    if live:
        how = ("<p>This server already listens on the network: share one of these "
               "addresses instead (type it in the box below to make the link and QR code "
               "use it).</p>")
    else:
        how = ("<p>To serve a room, restart with <code>reset-workshop serve --host 0.0.0.0 "
               f"--port {port}</code> and share one of this machine's addresses below, or "
               "give the address participants reach through a proxy with "
               "<code>--public-url URL</code>.</p>")
    listed = (f"<ul class='rr-lan-addresses'>{items}</ul>" if items else
              "<p>This machine shows no address another device could reach: connect it to "
              "the room's network first.</p>")
    return ('<div class="rr-loopback-warning">'
            "<p><strong>Phones in the room cannot open this link.</strong> "
            f"<code>{escape(parts.hostname or '')}</code> means “this device”: a phone "
            f"would look for the workshop on itself.</p>{how}{listed}</div>")


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
