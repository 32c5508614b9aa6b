"""A reverse-proxy config for several ``reset-workshop serve`` replicas: HAProxy or nginx, as
installed from the distribution's packages (``reset-workshop proxy-config``).

What the replicas need from the proxy (each is in both templates, ``templates/proxy/``):

* **affinity by a cookie** the proxy sets: a page's kernel lives in the replica that rendered
  the page, and its websocket and goodbye beacon must reach that replica. A room usually
  shares one Wi-Fi address, so address hashing would put everyone on one replica;
* **websockets** passed through and kept open (the servers ping them every 30 s);
* **failover**: a replica that stops answering is taken out, and its browsers' next requests
  go to another replica, where the page resumes (same-device resume, ``app/device.py``);
* the servers' own figures (``/reset-workshop/kernels``) answered only on their machines: a
  replica sees every proxied request as coming from the proxy, often its own loopback.

Replicas share nothing but the database (PostgreSQL), so any replica can serve any person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from .errors import InvalidInput

__all__ = ["KINDS", "Replica", "listen_address", "parse_replicas", "render"]

KINDS = ("haproxy", "nginx")
COOKIE = "rr_replica"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "proxy"
_ADDRESS = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<host>[A-Za-z0-9._-]+)):(?P<port>\d+)$")


@dataclass(frozen=True)
class Replica:
    """One ``reset-workshop serve`` process, as the proxy reaches it."""

    host: str
    port: int
    number: int

    @property
    def name(self) -> str:
        return f"replica{self.number}"

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(text: str, what: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise InvalidInput({what: f"{text} is not a port number (1-65535)"})
    return port


def parse_replicas(text: str) -> list[Replica]:
    """``host:port,host:port,...`` (``[::1]:8001`` for an IPv6 address), each once."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise InvalidInput({"--replicas": "give at least one HOST:PORT, e.g. "
                                          "127.0.0.1:8001,127.0.0.1:8002"})
    replicas, seen = [], set()
    for number, part in enumerate(parts, start=1):
        found = _ADDRESS.match(part)
        if not found:
            raise InvalidInput({"--replicas": f"{part!r} is not HOST:PORT"})
        host = found["v6"] or found["host"]
        replica = Replica(host, _port(found["port"], "--replicas"), number)
        if replica.address in seen:
            raise InvalidInput({"--replicas": f"{replica.address} is given twice"})
        seen.add(replica.address)
        replicas.append(replica)
    return replicas


def listen_address(listen: str | None, public_url: str | None, tls: bool) -> tuple[str, str]:
    """(host, port) the proxy listens on: ``--listen [HOST:]PORT``, else the public URL's
    port, else 443 with a certificate and 80 without. The host is "" for every address."""
    if listen:
        host, _, port = listen.rpartition(":")
        if not port.isdigit():
            raise InvalidInput({"--listen": f"{listen!r} is not [HOST:]PORT"})
        return host.strip("[]"), str(_port(port, "--listen"))
    port = urlsplit(public_url).port if public_url else None
    return "", str(port or (443 if tls else 80))


def _base_url(base_url: str | None) -> str:
    path = "/" + (base_url or "").strip("/")
    return path if path == "/" else path + "/"


def _public(public_url: str | None) -> str | None:
    if not public_url:
        return None
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput({"--public-url": f"{public_url!r} is not an http(s) address"})
    return public_url.rstrip("/")


def render(kind: str, replicas: list[Replica], *, listen: str | None = None,
           public_url: str | None = None, base_url: str | None = None,
           tls_cert: str | None = None) -> str:
    """The config file's text for ``kind`` (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise InvalidInput({"--kind": f"{kind!r}: choose one of {', '.join(KINDS)}"})
    public_url = _public(public_url)
    host, port = listen_address(listen, public_url, bool(tls_cert))
    if kind == "haproxy":
        bound = f"{'[' + host + ']' if ':' in host else host or '*'}:{port}"
    else:
        bound = f"{'[' + host + ']' if ':' in host else host}:{port}" if host else port
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     autoescape=False)
    server_name = (urlsplit(public_url).hostname if public_url else None) or "_"
    return environment.get_template(f"{kind}.{'cfg' if kind == 'haproxy' else 'conf'}.j2").render(
        replicas=replicas, listen=bound, public_url=public_url, base_url=_base_url(base_url),
        tls_cert=tls_cert, cookie=COOKIE, server_name=server_name)
