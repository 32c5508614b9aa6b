"""The kit's Voilà, once it serves, keeps what it made while starting out of the garbage
collector's full passes (a full pass in a room of 100 held the event loop 176 ms; 111 ms with
the start-up objects frozen)."""

from __future__ import annotations

import asyncio
import gc

from tornado.ioloop import IOLoop
from voila.app import Voila

from workshop.app.voila_server import KitVoila


def test_what_the_server_made_while_starting_is_frozen_once_it_serves(monkeypatch):
    served = []

    def serve(self) -> None:  # Voilà's start ends by running the loop: run it briefly
        served.append(gc.get_freeze_count())
        IOLoop.current().run_sync(lambda: asyncio.sleep(0))

    monkeypatch.setattr(Voila, "start", serve)
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        assert gc.get_freeze_count() == 0
        KitVoila().start()
        assert served == [0] and gc.get_freeze_count() > 0  # frozen once serving, not before
    finally:
        gc.unfreeze()
        asyncio.get_event_loop().close()
        asyncio.set_event_loop(None)
