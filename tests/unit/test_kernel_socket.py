"""The kit's kernel websocket connection: v1 framing, always, and nothing parsed once closing."""

from __future__ import annotations

from types import SimpleNamespace

from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

from workshop.app.kernel_socket import V1, KitKernelConnection, offered_protocols


def _connection(ws_connection):
    connection = KitKernelConnection.__new__(KitKernelConnection)  # no kernel needed here
    handler = SimpleNamespace(ws_connection=ws_connection, closed=[])
    handler.close = lambda code, reason: handler.closed.append((code, reason))
    connection.__dict__["_trait_values"] = {"websocket_handler": handler}
    return connection, handler


def test_the_subprotocol_stays_v1_when_the_socket_is_gone():
    connection, _ = _connection(ws_connection=None)
    assert connection.subprotocol == V1  # jupyter_server's own falls back to legacy here


def test_frames_after_the_socket_closed_are_dropped_unparsed(monkeypatch):
    connection, handler = _connection(ws_connection=None)
    parsed = []
    monkeypatch.setattr(KitKernelConnection.__mro__[1], "handle_incoming_message",
                        lambda self, msg: parsed.append(msg))
    connection.handle_incoming_message(serialize_msg_to_ws_v1([b"{}"] * 4, "shell"))
    assert parsed == [] and handler.closed == []


def test_a_malformed_frame_closes_the_socket_and_a_good_one_is_relayed(monkeypatch):
    connection, handler = _connection(ws_connection=object())
    relayed = []
    monkeypatch.setattr(KitKernelConnection.__mro__[1], "handle_incoming_message",
                        lambda self, msg: relayed.append(msg))
    good = serialize_msg_to_ws_v1([b"{}"] * 4, "shell")
    connection.handle_incoming_message((2**60).to_bytes(8, "little") + good[8:])
    assert handler.closed and relayed == []
    connection.handle_incoming_message(good)
    assert relayed == [good]


def test_offered_protocols_reads_the_request_header():
    assert offered_protocols(f"x, {V1} ,y") == ["x", V1, "y"]
    assert offered_protocols(None) == [] == offered_protocols("")
