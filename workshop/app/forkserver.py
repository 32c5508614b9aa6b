"""Kernels forked from one warm process: fast to start, and light because they share memory.

A Voilà page gets a fresh Python kernel. Started the ordinary way, each kernel imports
ipykernel, pandas, Plotly, SQLAlchemy, pydantic and the kit on its own: about 2 s of CPU
before the page shows, and ~130 MiB of private memory (USS) per person once every step has been
opened. A room of 100 joining within a minute is then 200 s of CPU on 2 cores, and 13 GiB.

Here the kernels come from the standard library's fork server
(:mod:`multiprocessing.forkserver`): one process imports all of that once
(:mod:`workshop.app.kernel_preload`), and each kernel is a ``fork()`` of it. The imported
code and data stay shared, copy-on-write, between every kernel; a kernel only pays for the pages
it writes. jupyter_client lets a kernelspec name the *provisioner* that starts its kernels; the
kit's served kernelspec (``assets/kernels/python3/kernel.json``, found through the
``JUPYTER_PATH`` that ``reset-workshop serve`` sets) names :class:`ForkProvisioner`, registered
under the entry point ``reset-workshop-fork``. JupyterLab and nbval, which do not get that
``JUPYTER_PATH``, keep ordinary kernels.

What a forked kernel does differently from ``python -m ipykernel_launcher -f FILE``, and why:

* it calls ``os.setsid()`` first, so it leads its own process group: jupyter_client signals a
  kernel's whole group (interrupt, terminate, kill), and the fork server's group is Voilà's;
* it takes the environment and working folder Voilà gives each kernel (Voilà passes the page's
  query string and address that way);
* the method content was read in the fork server; a kernel given another
  ``RESET_WORKSHOP_CONTENT`` forgets it and reads its own;
* ipywidgets was imported outside any kernel, so the kernel registers its comm targets;
* its parent is the fork server, so it watches that process (``JPY_PARENT_PID``): when Voilà
  stops, the fork server ends and so do its kernels. For that, the kernel first closes the
  two pipe ends multiprocessing hands every child (the fork server's "still alive" pipe and
  the resource tracker's): a kernel holding them kept the fork server, and so itself, alive
  for ever after Voilà was killed.

Set ``RESET_WORKSHOP_FORK_KERNELS=0`` to start kernels the ordinary way (the same kernelspec
then launches ``python -m ipykernel_launcher``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import types
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

PRELOAD = "workshop.app.kernel_preload"
_context = None


def enabled(env: dict | None = None) -> bool:
    value = (os.environ if env is None else env).get("RESET_WORKSHOP_FORK_KERNELS", "1")
    return value.strip().lower() not in ("0", "false", "no", "off")


def context():
    """The fork-server context, started on first use with the kit preloaded."""
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([PRELOAD])
        _context = ctx
    return _context


def warm_up() -> None:
    """Start the fork server now (it imports the kit while the server starts), so the first
    page does not wait for those imports; nothing when forking is turned off."""
    if enabled():
        context()
        from multiprocessing import forkserver
        with _no_main_module():
            forkserver.ensure_running()


# A served kernel keeps no IPython history: it only runs the page's notebook, and a room of
# kernels would all write to the one history.sqlite of the server's user.
KERNEL_SETTINGS = ["--HistoryManager.enabled=False"]


def run_kernel(argv: list[str], env: dict[str, str], cwd: str | None) -> None:
    """The body of a forked kernel: become a process group, take the kernel's environment,
    then run ipykernel as ``ipykernel_launcher`` would with ``argv``'s options."""
    os.setsid()
    _let_go_of_the_fork_server()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    content_folder = os.environ.get("RESET_WORKSHOP_CONTENT")
    os.environ.clear()
    os.environ.update(env)
    if os.environ.get("RESET_WORKSHOP_CONTENT") != content_folder:
        from workshop.content import content
        content.cache_clear()  # the fork server read another folder's content
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the fork server: it ends with Voilà
    if cwd:
        os.chdir(cwd)
    import ipywidgets
    from ipykernel.kernelapp import IPKernelApp
    # The parent's pid is read from JPY_PARENT_PID when ipykernel is imported (in the fork
    # server, where it was not set yet): give it here, so the kernel ends with its parent.
    app = IPKernelApp.instance(parent_handle=os.getppid())
    app.initialize([*kernel_options(argv), *KERNEL_SETTINGS])
    # traitlets leaves the application's logger at DEBUG and filters in its handler, so each
    # message's debug lines built a record only to drop it: filter at the logger instead.
    app.log.setLevel(app.log_level)
    # ipywidgets registers its comm targets when first imported inside a kernel; it was
    # imported in the fork server, outside any kernel, so register them now.
    ipywidgets.register_comm_target()
    app.start()


def _let_go_of_the_fork_server() -> None:
    """Close the write ends of the fork server's and resource tracker's pipes that
    multiprocessing gives each child (so that it could start processes of its own, which a
    kernel never does): each of those processes ends when every write end is closed."""
    from multiprocessing import forkserver, resource_tracker
    for holder, name in ((forkserver._forkserver, "_forkserver_alive_fd"),
                         (resource_tracker._resource_tracker, "_fd")):
        fd = getattr(holder, name, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
            setattr(holder, name, None)


def kernel_options(argv: list[str]) -> list[str]:
    """The options after ``-m ipykernel_launcher`` (or after the program) in a kernel command."""
    if "-m" in argv:
        return argv[argv.index("-m") + 2:]
    return argv[1:]


class ForkedProcess:
    """A forked kernel seen through the part of :class:`subprocess.Popen` jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, process):
        self._process = process
        self.pid = process.pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._process.exitcode
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _own_group(pid: int, timeout: float = 5.0) -> int | None:
    """The process group of a just-forked kernel once it has called ``setsid`` (or None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.getpgid(pid) == pid:
                return pid
        except ProcessLookupError:
            return None
        time.sleep(0.005)
    return None


@contextlib.contextmanager
def _no_main_module():
    """Start a fork-server process without telling it to re-run the server's ``__main__``.

    multiprocessing sends each new process the launching program's main module to import
    again (so that pickled functions defined there resolve). A kernel needs nothing from the
    Voilà server's main module, and running it again in every kernel would cost each one
    the server's imports; ``run_kernel`` lives in this importable module instead.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching kernels as forks of the warm process."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if not enabled(kwargs.get("env")):
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = kwargs.get("cwd")
        process = context().Process(target=run_kernel, args=(list(cmd), env,
                                                             str(cwd) if cwd else None),
                                    daemon=False)
        with _no_main_module():
            process.start()
        self.process = ForkedProcess(process)
        self.pid = process.pid
        self.pgid = _own_group(process.pid)  # never the fork server's (Voilà's) group
        self.cwd = cwd
        return self.connection_info
