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


HOLDER = """
import os, sys, time
from jupyter_client.manager import start_new_kernel
manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
print(manager.provisioner.pid, os.getppid() and __import__("psutil").Process(
    manager.provisioner.pid).ppid(), flush=True)
time.sleep(600)
"""


def test_kernels_and_the_fork_server_end_when_the_server_is_killed(monkeypatch):
    """A Voilà killed outright (no shutdown of its kernels) leaves no process behind: the
    fork server sees its last "alive" pipe close, and its kernels see their parent gone."""
    import subprocess
    import sys

    monkeypatch.setenv("JUPYTER_PATH", str(serving.bundled("assets")))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        kernel, fork_server = (int(n) for n in holder.stdout.readline().split())
        assert psutil.Process(kernel).is_running() and psutil.Process(fork_server).is_running()
        holder.kill()
        holder.wait(10)
        gone, alive = psutil.wait_procs([psutil.Process(kernel), psutil.Process(fork_server)],
                                        timeout=20)
        assert not alive, f"still running after the server was killed: {alive}"
    finally:
        holder.kill()


def test_a_kernel_reads_the_content_folder_it_is_given(monkeypatch, tmp_path):
    """The fork server reads the shipped content once for every kernel; a kernel given
    another folder (``RESET_WORKSHOP_CONTENT``) shows that folder's words."""
    from jupyter_client.manager import start_new_kernel

    from workshop.content import PACKAGE_CONTENT

    agenda = (PACKAGE_CONTENT / "agenda.yaml").read_text(encoding="utf-8")
    (tmp_path / "agenda.yaml").write_text(agenda.replace(
        '"Why relationships need a reset"', '"Why we are here today"'), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(serving.bundled("assets")))
    forkserver.warm_up()  # the fork server reads the shipped content
    monkeypatch.setenv("RESET_WORKSHOP_CONTENT", str(tmp_path))
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        lines = []
        reply = client.execute_interactive(
            "from workshop.content import content; print(content().phase('why').title)",
            timeout=60, output_hook=lambda msg: lines.append(msg["content"].get("text", ""))
            if msg["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        assert "".join(lines).strip() == "Why we are here today"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
