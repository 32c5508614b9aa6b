"""How the kit's Voilà server gives kernels back (workshop.app.kernels): the cull decision as a
pure function, the manager's cap and reclaim pass with fake kernels, and the settings."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from workshop import config
from workshop.app import kernels, serving
from workshop.app.kernels import KernelWatch, KitKernelManager, Policy, RoomFull, cull_reason

POLICY = Policy(idle_timeout=900, connect_grace=120)


def watch(started=0.0, connections=0, last_disconnect=None) -> KernelWatch:
    return KernelWatch(started=started, connections=connections,
                       last_disconnect=last_disconnect)


@pytest.mark.parametrize("hours", [0.5, 3, 48])
def test_a_connected_kernel_is_kept_however_long_it_is_quiet(hours):
    assert cull_reason(watch(connections=1), hours * 3600, POLICY) is None
    assert cull_reason(watch(connections=2, last_disconnect=10), hours * 3600, POLICY) is None


def test_a_page_gone_is_reclaimed_once_the_idle_time_has_passed_since_it_left():
    left = watch(started=0, last_disconnect=1000)
    assert cull_reason(left, 1000 + 899, POLICY) is None  # a phone may still wake up
    assert "900 s" in cull_reason(left, 1000 + 900, POLICY)


def test_a_page_never_connected_is_reclaimed_after_the_grace_period_from_its_start():
    fetched = watch(started=50)
    assert cull_reason(fetched, 50 + 119, POLICY) is None
    assert cull_reason(fetched, 50 + 120, POLICY) == "no page connected in 120 s"


def test_the_grace_period_does_not_apply_once_a_page_has_connected():
    reconnecting = watch(started=0, last_disconnect=200)  # connected, then lost its network
    assert cull_reason(reconnecting, 200 + 121, POLICY) is None


def test_an_infinite_setting_never_reclaims():
    forever = Policy(idle_timeout=float("inf"), connect_grace=float("inf"))
    assert cull_reason(watch(last_disconnect=0), 10**9, forever) is None
    assert cull_reason(watch(), 10**9, forever) is None


def test_a_watch_counts_connections_and_remembers_the_last_goodbye():
    seen = watch()
    seen.connect()
    seen.connect()
    seen.disconnect(now=5)
    assert (seen.connections, seen.last_disconnect) == (1, 5)
    assert cull_reason(seen, 10**6, POLICY) is None  # one tab of two is still open
    seen.disconnect(now=7)
    seen.disconnect(now=8)  # a stray second goodbye does not go below zero
    assert (seen.connections, seen.last_disconnect) == (0, 8)


class FakeManager(KitKernelManager):
    """The kit's manager over fake kernels: shutdowns are recorded, nothing is spawned."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shut: list[str] = []

    def add(self, kernel_id: str, watch_: KernelWatch, state: str = "idle") -> None:
        self._kernels[kernel_id] = SimpleNamespace(execution_state=state)
        self._kernel_connections[kernel_id] = watch_.connections
        self._watches[kernel_id] = watch_

    async def shutdown_kernel(self, kernel_id, now=False, restart=False):
        self.shut.append(kernel_id)
        del self._kernels[kernel_id]


def test_reclaim_shuts_down_exactly_the_kernels_without_a_page(monkeypatch):
    manager = FakeManager(idle_timeout=60, connect_grace=20)
    monkeypatch.setattr(kernels.time, "monotonic", lambda: 1000.0)
    manager.add("reading", watch(started=0, connections=1))  # quiet but there
    manager.add("asleep", watch(started=0, last_disconnect=1000 - 61))
    manager.add("napping", watch(started=0, last_disconnect=1000 - 30))
    manager.add("fetched", watch(started=1000 - 25))
    manager.add("loading", watch(started=1000 - 5))
    manager.add("crashed", watch(started=0, connections=1), state="dead")
    reclaimed = asyncio.run(manager.reclaim())
    assert sorted(reclaimed) == ["asleep", "crashed", "fetched"]
    assert sorted(manager.shut) == sorted(reclaimed)
    assert sorted(manager._kernels) == ["loading", "napping", "reading"]
    assert manager.status()["connected"] == 1 and manager.status()["never_connected"] == 1


def test_a_preheated_kernel_waits_in_the_pool_and_its_grace_starts_when_handed_out(
        monkeypatch):
    manager = FakeManager(connect_grace=20)
    clock = [1000.0]
    monkeypatch.setattr(kernels.time, "monotonic", lambda: clock[0])
    manager.add("pooled", watch(started=0))  # spawned long ago, no page yet

    async def pass_with_pool():
        ready = asyncio.get_running_loop().create_future()
        ready.set_result({"kernel_id": "pooled"})
        manager._pools = {"participant.ipynb": [ready]}
        return await manager.reclaim()

    assert asyncio.run(pass_with_pool()) == []
    manager._pools = {"participant.ipynb": []}  # a page took it at 1000 s
    clock[0] = 1015.0
    assert asyncio.run(manager.reclaim()) == []
    clock[0] = 1021.0
    assert asyncio.run(manager.reclaim()) == ["pooled"]


def test_connections_reported_by_the_websocket_move_the_watch(monkeypatch):
    manager = FakeManager()
    manager.add("k", watch())
    monkeypatch.setattr(kernels.time, "monotonic", lambda: 42.0)
    manager.notify_connect("k")
    assert manager.status()["connected"] == 1
    manager.notify_disconnect("k")
    assert manager._watches["k"].last_disconnect == 42.0
    assert manager._kernel_connections["k"] == 0  # jupyter_server's own count kept too


def test_the_cap_refuses_a_start_before_any_kernel_is_spawned():
    manager = FakeManager(max_kernels=2)
    manager.add("a", watch())
    assert not manager.room_full()
    manager.add("b", watch())
    assert manager.room_full()
    with pytest.raises(RoomFull):
        asyncio.run(manager.start_kernel(kernel_name="python3"))
    assert manager.live_count() == 2  # nothing counted as starting after the refusal
    assert not FakeManager(max_kernels=0).room_full()  # 0: no cap


def test_the_packaged_config_carries_the_settings_and_matches_the_code():
    packaged = json.loads((serving.PACKAGE / "voila.json").read_text())
    settings = packaged["KitKernelManager"]
    assert settings == {"max_kernels": 120, "idle_timeout": 900, "connect_grace": 120,
                        "check_interval": 15}
    defaults = KitKernelManager()
    assert {name: getattr(defaults, name) for name in settings} == settings
    assert packaged["VoilaConfiguration"]["multi_kernel_manager_class"] == \
        "workshop.app.kernels.KitKernelManager"
    assert packaged["MappingKernelManager"]["cull_idle_timeout"] == 0  # activity is no sign


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), (" 90s", 90), ("15m", 900),
                                               ("1.5h", 5400), ("0", 0), (600, 600)])
def test_durations_read_as_people_write_them(text, seconds):
    assert config.duration(text, "kernel idle time") == seconds


@pytest.mark.parametrize("text", ["", "x", "15x", "-1", "inf", "nan", "m"])
def test_a_bad_duration_is_one_clear_line(text):
    with pytest.raises(ValueError, match="kernel idle time .*for example 90, 15m, 1h"):
        config.duration(text, "kernel idle time")


def test_kernel_settings_come_from_flags_then_environment_then_file(tmp_path, monkeypatch):
    conf = tmp_path / "config.toml"
    conf.write_text('max_kernels = 40\nkernel_grace = "3m"\n', encoding="utf-8")
    monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(conf))
    monkeypatch.setenv("RESET_WORKSHOP_KERNEL_IDLE", "10m")
    monkeypatch.delenv("RESET_WORKSHOP_MAX_KERNELS", raising=False)
    monkeypatch.delenv("RESET_WORKSHOP_KERNEL_GRACE", raising=False)
    assert config.kernel_settings() == {"max_kernels": 40, "kernel_idle": 600,
                                        "kernel_grace": 180}
    assert config.kernel_settings("7", "30s", None) == {"max_kernels": 7, "kernel_idle": 30,
                                                        "kernel_grace": 180}
    with pytest.raises(ValueError, match="max kernels '-3'"):
        config.kernel_settings("-3")


def test_unset_kernel_settings_leave_the_packaged_values_to_voila(tmp_path, monkeypatch):
    monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("MAX_KERNELS", "KERNEL_IDLE", "KERNEL_GRACE"):
        monkeypatch.delenv(f"RESET_WORKSHOP_{name}", raising=False)
    settings = config.kernel_settings()
    assert settings == {"max_kernels": None, "kernel_idle": None, "kernel_grace": None}
    assert not serving.Server(port=9, **settings).kernel_options()
    argv = serving.Server(port=9, max_kernels=5, kernel_idle=60.0).argv()
    assert argv[1:3] == ["-m", "workshop.app.voila_server"]
    assert "--KitKernelManager.max_kernels=5" in argv
    assert "--KitKernelManager.idle_timeout=60.0" in argv


def test_serve_refuses_a_bad_kernel_setting_in_one_line_before_touching_the_database(
        tmp_path, capsys):
    from workshop.cli import main
    database = tmp_path / "never.sqlite"
    assert main(["serve", "--db", str(database), "--kernel-idle", "soon"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("reset-workshop: error: kernel idle time 'soon'") and "\n" not in err
    assert not database.exists()


def test_a_kernel_registered_but_not_yet_ready_is_counted_once(monkeypatch):
    """jupyter_server puts a kernel in ``_kernels`` and then waits for it to be ready; in that
    window the last free place in the room must still be free for another page."""
    manager = FakeManager(max_kernels=3)
    manager.add("a", watch())

    async def scenario():
        ready = asyncio.Event()

        async def start_like_jupyter_server(self, *, kernel_id=None, **kwargs):
            self._kernels[kernel_id] = SimpleNamespace(execution_state="starting")
            await ready.wait()  # the kernel_info handshake
            return kernel_id

        monkeypatch.setattr(kernels.AsyncMappingKernelManager, "start_kernel",
                            start_like_jupyter_server)
        starting = asyncio.create_task(manager.start_kernel(kernel_name="python3"))
        await asyncio.sleep(0)
        seen = (manager.live_count(), manager.room_full(), manager.status()["starting"])
        ready.set()
        return seen, await starting

    (live, full, starting), kernel_id = asyncio.run(scenario())
    assert (live, starting, full) == (2, 0, False)  # counted once, as a kernel
    assert kernel_id in manager._kernels and manager.live_count() == 2


class FakeStream:
    def __init__(self):
        self.callback = None

    def on_recv(self, callback):
        self.callback = callback


def _watched(manager_class, kernel_id: str, session):
    """A manager watching one fake kernel's iopub; the stream's callback gets raw messages."""
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    manager = FakeManager()
    stream = FakeStream()
    manager._kernels[kernel_id] = SimpleNamespace(
        session=session, execution_state="starting", connect_iopub=lambda: stream)
    if manager_class is AsyncMappingKernelManager:
        AsyncMappingKernelManager.start_watching_activity(manager, kernel_id)
    else:
        manager.start_watching_activity(kernel_id)
    return manager, stream


def test_the_light_activity_watch_keeps_jupyter_servers_bookkeeping():
    """The same execution_state and last_activity as jupyter_server's own watch, message for
    message, for what a page's kernel sends: status changes, outputs and widget messages."""
    from jupyter_client.session import Session
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    session = Session(key=b"secret")
    execute = session.msg("execute_request", {"code": "1"})
    comm = session.msg("comm_msg", {"comm_id": "c", "data": {}})
    kernel_info = session.msg("kernel_info_request", {})
    sent = [("status", {"execution_state": "starting"}, None),
            ("status", {"execution_state": "idle"}, kernel_info),
            ("status", {"execution_state": "busy"}, execute),
            ("stream", {"name": "stdout", "text": "hi"}, execute),
            ("status", {"execution_state": "idle"}, execute),
            ("status", {"execution_state": "busy"}, comm),
            ("comm_msg", {"comm_id": "c", "data": {"method": "update"}}, comm),
            ("status", {"execution_state": "idle"}, comm)]
    watches = [_watched(cls, "k", session) for cls in (AsyncMappingKernelManager, KitKernelManager)]
    for msg_type, content, parent in sent:
        message = session.msg(msg_type, content, parent=parent)
        raw = [b"kernel.k.iopub", *session.serialize(message)]
        seen = []
        for manager, stream in watches:
            kernel = manager._kernels["k"]
            kernel.last_activity = None
            stream.callback([part if isinstance(part, bytes) else part.encode()
                             for part in raw])
            seen.append((kernel.execution_state, kernel.last_activity is not None))
        assert seen[0] == seen[1], (msg_type, content, seen)
    assert watches[1][0]._kernels["k"].execution_state == "idle"


def test_the_light_activity_watch_ignores_what_is_not_a_jupyter_message():
    from jupyter_client.session import Session

    manager, stream = _watched(KitKernelManager, "k", Session(key=b"secret"))
    stream.callback([b"garbage"])
    assert manager._kernels["k"].execution_state == "starting"
