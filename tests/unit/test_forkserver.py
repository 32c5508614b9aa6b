"""Kernels forked from the warm fork server: started through jupyter_client with the kit's
served kernelspec, they run code, lead their own process group, arrive with the kit already
imported, take the environment they are given, and are gone after a shutdown."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from workshop.app import forkserver, serving


def test_kernel_options_are_what_follows_the_launcher():
    argv = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "/tmp/k.json"]
    assert forkserver.kernel_options(argv) == ["-f", "/tmp/k.json"]
    assert forkserver.kernel_options(["kernel", "-f", "x"]) == ["-f", "x"]


@pytest.mark.parametrize(("value", "on"), [("1", True), ("", True), ("0", False),
                                           ("off", False), ("No", False)])
def test_forking_can_be_turned_off(value, on):
    assert forkserver.enabled({"RESET_WORKSHOP_FORK_KERNELS": value}) is on
    assert forkserver.enabled({}) is True


def test_a_forked_kernel_runs_code_in_its_own_group_and_shuts_down(monkeypatch):
    from jupyter_client.manager import start_new_kernel

    monkeypatch.setenv("JUPYTER_PATH", str(serving.bundled("assets")))
    monkeypatch.setenv("RR_PROBE", "given to the kernel")
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        assert isinstance(manager.provisioner, forkserver.ForkProvisioner)
        pid = manager.provisioner.pid
        code = ("import os, sys, comm; print(os.getpgid(0) == os.getpid(), 'pandas' in "
                "sys.modules, os.environ.get('RR_PROBE'), 'jupyter.widget.control' in "
                "comm.get_comm_manager().targets, sep='|')")
        lines = []
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: lines.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        assert "".join(lines).strip() == "True|True|given to the kernel|True"
        assert os.getpgid(pid) == pid != os.getpgid(0)  # never the test's (Voilà's) group
        manager.interrupt_kernel()  # a signal to the kernel's group, not to ours
        assert client.execute_interactive("1 + 1", timeout=60)["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_killed_forked_kernel_is_seen_dead(monkeypatch):
    from jupyter_client.manager import start_new_kernel

    monkeypatch.setenv("JUPYTER_PATH", str(serving.bundled("assets")))
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    client.stop_channels()
    os.kill(manager.provisioner.pid, signal.SIGKILL)
    manager.provisioner.process.wait(10)
    assert not manager.is_alive()
    manager.shutdown_kernel(now=True)
