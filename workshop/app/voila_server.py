"""The kit's Voilà server: Voilà 0.5 with two handlers of its own, run as
``python -m workshop.app.voila_server`` (see :meth:`workshop.app.serving.Server.argv`).

Why a subclass and not only ``voila.json``: the two things below happen in the handler that
renders a notebook page, which Voilà's config cannot replace. Everything else (options, config
file, template, kernel manager) is Voilà's own.

**The goodbye is accepted (voila#1458).** When a page unloads, Voilà's front end sends a
beacon, ``POST {base}voila/api/shutdown/<kernel id>``, whose form body carries ``_xsrf`` copied
from the page's ``_xsrf`` cookie (``document.cookie``). jupyter_server checks every POST against
that cookie (tornado's double-submit check: the form value must match the cookie). But Voilà's
page handler never reads ``xsrf_token``, the only thing that sets the cookie, so a browser that
had never visited a Jupyter page sent ``_xsrf=""`` and got ``403 '_xsrf' argument missing``;
its kernel lived on. :class:`KitPageHandler` reads ``xsrf_token`` while rendering, so the page's
response sets the cookie (as JupyterLab's pages do) and the beacon carries a matching value.
Nothing is exempted from the check: a request from another site still cannot read the cookie
and is still refused.

**A room that is full says so.** The kernel manager (:mod:`workshop.app.kernels`) refuses to
start a kernel beyond ``max_kernels``; the page handler answers that with a plain page, "The
room is full - try again in a minute" (HTTP 503, ``Retry-After``), in the kit's look.

**Templates compiled once.** Voilà makes a new nbconvert exporter, and with it a new Jinja
environment, for every page it renders, so every page re-parsed and re-compiled the whole
template chain: in a room of 100 joining at once that was a third of the server's time.
:func:`share_compiled_templates` gives those environments one in-memory bytecode cache (keyed
by template and source checksum, so an edited template is compiled again).

**Debug lines cost nothing when not shown.** traitlets sets an application's logger to DEBUG
and lets its handler drop what is below ``log_level``, so every debug line of the kernel
manager and nbclient (one per kernel message) built a log record only to throw it away.
:class:`KitVoila` sets the logger itself to ``log_level``.

**The server's own figures.** ``GET {base}reset-workshop/kernels`` returns the kernel counts as
JSON (alive, starting, connected, never connected, and the settings), for the operator and the
room simulator. Voilà serves no kernel list (``/api/kernels`` is not routed), and this answers
only requests from the machine itself.
"""

from __future__ import annotations

import gc
import json
import os
from ipaddress import ip_address

import jinja2
import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop
from voila.app import Voila
from voila.exporter import VoilaExporter
from voila.tornado.handler import TornadoVoilaHandler
from voila.utils import create_include_assets_functions

from . import forkserver
from .kernels import RoomFull

ROOM_FULL_TEMPLATE = "room-full.html.j2"
RETRY_SECONDS = 60


class KitPageHandler(TornadoVoilaHandler):
    """Voilà's notebook page, which also sets the XSRF cookie and shows a full room plainly."""

    @tornado.web.authenticated
    async def get(self, path=None):
        self.xsrf_token  # noqa: B018 - reading it sets the _xsrf cookie the goodbye beacon needs
        room_full = getattr(self.kernel_manager, "room_full", None)
        if room_full and room_full():  # at once, before any rendering work
            return self.show_room_full()
        try:
            async for html in self.get_generator(path=path):
                self.write(html)
                self.flush()
        except RoomFull:
            if self._headers_written:  # cannot happen: no kernel, no page written yet
                raise
            self.show_room_full()

    def show_room_full(self) -> None:
        template = self.settings["voila_jinja2_env"].get_template(ROOM_FULL_TEMPLATE)
        assets = create_include_assets_functions(self.voila_configuration.template,
                                                 self.base_url)
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_SECONDS))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(template.render(retry=RETRY_SECONDS, **assets))


class KernelStatusHandler(JupyterHandler):
    """The kernel manager's counts as JSON, for requests from this machine only."""

    @tornado.web.authenticated
    def get(self):
        if not ip_address(self.request.remote_ip or "0.0.0.0").is_loopback:
            raise tornado.web.HTTPError(403)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        status = getattr(self.kernel_manager, "status", None)
        figures = status() if status else {"kernels": len(self.kernel_manager.list_kernel_ids())}
        figures["pid"] = os.getpid()  # for `reset-workshop status` to read the memory it uses
        self.finish(json.dumps(figures))


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in this process, shared by every page's Jinja environment."""

    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


def share_compiled_templates(exporter_class=VoilaExporter) -> MemoryBytecodeCache:
    """Make every new environment of ``exporter_class`` use one bytecode cache."""
    cache = MemoryBytecodeCache()
    create = exporter_class._create_environment

    def create_with_cache(self):
        environment = create(self)
        environment.bytecode_cache = cache
        return environment

    exporter_class._create_environment = create_with_cache
    return cache


class KitVoila(Voila):
    """Voilà, with :class:`KitPageHandler` rendering pages and a kernel status endpoint."""

    def initialize(self, argv=None):
        super().initialize(argv)
        self.log.setLevel(self.log_level)  # see "Debug lines" above
        self.compiled_templates = share_compiled_templates()
        forkserver.warm_up()

    def start(self):
        # Once serving, everything made while starting (imports, templates, settings) lives
        # as long as the server: frozen out of the garbage collector's full passes, which
        # otherwise walk all of it again while every page waits on the one event loop (in
        # a room of 100, a full pass took 176 ms on average before, 111 ms frozen).
        IOLoop.current().add_callback(gc.freeze)
        super().start()

    def init_handlers(self) -> list:
        handlers = [(pattern, KitPageHandler if handler is TornadoVoilaHandler else handler,
                     *rest) for pattern, handler, *rest in super().init_handlers()]
        status = url_path_join(self.server_url, "/reset-workshop/kernels")
        return [(status, KernelStatusHandler), *handlers]


main = KitVoila.launch_instance

if __name__ == "__main__":
    main()
