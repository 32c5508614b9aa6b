"""The hardening issue's critical item, replayed by a raw websocket client with no browser.

A client without the v1 subprotocol used to make Voilà read legacy binary frames as v1
framing (an offset count of ~8.6e17): 100% CPU, memory growing ~45 MB/s and HTTP dead. A v1
frame claiming 2**60 offsets did the same inside jupyter_server's reader. The kit's server
refuses the first and closes the second (``workshop.app.kernel_socket``).
"""

from __future__ import annotations

import pytest

from benchmarks import raw_client
from workshop.app.kernel_socket import well_formed_v1

SECONDS = 5.0  # long enough: the hang took the server down within 7 s
GROWTH_MB = 50


@pytest.mark.parametrize("framing", ["legacy", "v1", "v1-forged"])
def test_raw_client_reproduction_leaves_the_server_answering(workshop, framing):
    result = raw_client.run(workshop.server.base_url, legacy=framing == "legacy",
                            seconds=SECONDS, forged=framing == "v1-forged")
    assert result["slowest_http_s"] < 1.0, result
    assert result["http_answers"] >= SECONDS, result  # answered every half second throughout
    assert result["server_rss_growth_mb"] is not None
    assert result["server_rss_growth_mb"] < GROWTH_MB, result
    expected = {"legacy": "refused", "v1": "open", "v1-forged": "closed"}[framing]
    assert result["websocket"].startswith(expected), result


def test_only_frames_whose_offsets_fit_are_well_formed():
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1
    good = serialize_msg_to_ws_v1([b"{}", b"{}", b"{}", b'{"a": 1}'], "shell")
    assert well_formed_v1(good)
    assert not well_formed_v1(good[:-1])  # the last part runs past the end
    assert not well_formed_v1((2**60).to_bytes(8, "little") + good[8:])
    assert not well_formed_v1(b"\x00\x00\x00\x02\x00\x00\x00\x0c" + good[8:])  # legacy header
    assert not well_formed_v1('{"header": {}}')  # a text frame
    assert not well_formed_v1(b"")
