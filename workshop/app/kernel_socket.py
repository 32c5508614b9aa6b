"""The kernel websocket the kit's Voilà server accepts: v1 framing only, and checked.

Voilà (0.5.x) reads every binary frame it sends to a page as v1 framing
(``voila.tornado.kernel_websocket_handler.read_header_from_binary_message``). A client that
connects without the ``v1.kernel.websocket.jupyter.org`` subprotocol gets legacy frames, whose
4-byte big-endian buffer count, read as an 8-byte little-endian offset count, is about 8.6e17:
the server's only thread then builds that list forever (100% CPU, memory growing ~45 MB/s,
HTTP dead). jupyter_server's own v1 reader (``deserialize_msg_from_ws_v1``) trusts the offset
count of frames a client sends in the same way.

Both are closed here, at the connection class jupyter_server lets a server configure
(``kernel_websocket_connection_class``, set in the packaged ``voila.json``):

* a websocket that does not offer the v1 subprotocol is refused before the upgrade (HTTP 400),
  so no legacy frame is ever produced; every page Voilà serves speaks v1;
* a client frame whose offsets do not describe the frame is dropped and the socket closed,
  before jupyter_server parses it.

This module is imported by the Voilà server process, never by kernels: keep it light.
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import web

V1 = "v1.kernel.websocket.jupyter.org"
MAX_PARTS = 64  # channel + header, parent, metadata, content + buffers; widgets send a few


def offered_protocols(header: str | None) -> list[str]:
    """The subprotocols in a ``Sec-WebSocket-Protocol`` request header."""
    return [name.strip() for name in (header or "").split(",") if name.strip()]


def well_formed_v1(frame: object) -> bool:
    """Whether a client frame is v1 framing whose offsets stay inside the frame, in order.

    Layout: an 8-byte little-endian count N, then N 8-byte offsets; the first offset is where
    the channel name starts (right after the table), each next one where a part starts.
    """
    if not isinstance(frame, bytes) or len(frame) < 8:
        return False
    count = int.from_bytes(frame[:8], "little")
    if not 3 <= count <= MAX_PARTS or len(frame) < 8 * (count + 1):
        return False
    offsets = [int.from_bytes(frame[8 * i:8 * (i + 1)], "little") for i in range(1, count + 1)]
    return (offsets[0] == 8 * (count + 1)
            and all(a <= b for a, b in zip(offsets, offsets[1:], strict=False))
            and offsets[-1] <= len(frame))


class KitKernelConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's ZMQ kernel connection, for v1 clients only and with checked frames."""

    async def prepare(self):
        request = self.websocket_handler.request
        if V1 not in offered_protocols(request.headers.get("Sec-WebSocket-Protocol")):
            self.log.warning("Refused a kernel websocket from %s without the %s subprotocol",
                             request.remote_ip, V1)
            raise web.HTTPError(400, f"this server speaks only the {V1} subprotocol")
        await super().prepare()

    @property
    def subprotocol(self) -> str:
        """Always v1: ``prepare`` refused every client that did not offer it, and the handler
        selects it whenever it is offered.

        jupyter_server reads the subprotocol from the live tornado connection and falls back
        to the legacy protocol once that connection is gone. Frames still queued when a socket
        closes were then parsed as legacy framing: a v1 frame's first 4 bytes read as a
        big-endian buffer count (~1e8) built a 100 MB format string per frame. In a room of
        100 that burned a quarter of the server's time, starved the websocket pings, and the
        server dropped every page (benchmarks/room.py, N=100).
        """
        return V1

    def handle_incoming_message(self, incoming_msg) -> None:
        if self.websocket_handler.ws_connection is None:  # closing: nothing more to relay
            return
        if not well_formed_v1(incoming_msg):
            self.log.warning("Closed a kernel websocket that sent a malformed frame")
            self.websocket_handler.close(1003, "malformed v1 frame")
            return
        super().handle_incoming_message(incoming_msg)
