"""How the kit runs Voilà: where the packaged notebooks, template and config are, and the
command line and environment that serve them. Used by ``reset-workshop serve``, the browser
tests and the benchmark, so all three serve the apps the same way.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATE = "reset-workshop"
PARTICIPANT, FACILITATOR = "participant.ipynb", "facilitator.ipynb"


def bundled(name: str) -> Path:
    """``notebooks`` or ``assets``: inside the wheel (``workshop/_bundle``) or the repository."""
    for candidate in (PACKAGE / "_bundle" / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the kit's {name} folder next to {PACKAGE}")


def config_dir() -> Path:
    """A folder holding only the packaged ``voila.json`` (Voilà reads ``voila.json`` files)."""
    folder = Path(tempfile.gettempdir()) / f"reset-workshop-voila-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(PACKAGE / "voila.json", folder / "voila.json")
    return folder


@dataclass(frozen=True)
class Server:
    """What to run to serve ``root`` (a folder of notebooks) with the kit's look and config."""

    port: int
    host: str = "127.0.0.1"
    root: Path | None = None
    public_url: str | None = None  # the address participants use, path prefix included
    prefix: str = "/"  # the path Voilà serves under (``serve --base-url``), e.g. "/workshop/"
    # Kernels (workshop.app.kernels); None keeps the packaged voila.json's value.
    max_kernels: int | None = None
    kernel_idle: float | None = None  # seconds after a page's last connection closed
    kernel_grace: float | None = None  # seconds for a fetched page to connect at all
    voila_options: tuple[str, ...] = ()  # further --Class.trait=value options (tests)

    def argv(self) -> list[str]:
        """The kit's Voilà (:mod:`workshop.app.voila_server`) over the notebooks."""
        return [sys.executable, "-m", "workshop.app.voila_server",
                str(self.root or bundled("notebooks")),
                "--no-browser", f"--port={self.port}", f"--Voila.ip={self.host}",
                f"--Voila.config_file_paths={config_dir()}",
                f"--template={TEMPLATE}", "--theme=light", "--show_tracebacks=False",
                "--Voila.port_retries=0", *self.prefix_options(), *self.kernel_options(),
                *self.voila_options]

    def prefix_options(self) -> list[str]:
        path = "/" + self.prefix.strip("/")
        return [] if path == "/" else [f"--Voila.base_url={path}/"]

    def kernel_options(self) -> list[str]:
        chosen = {"max_kernels": self.max_kernels, "idle_timeout": self.kernel_idle,
                  "connect_grace": self.kernel_grace}
        return [f"--KitKernelManager.{name}={value}" for name, value in chosen.items()
                if value is not None]

    def env(self, database: str, base: dict | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        paths = [str(bundled("assets")), *filter(None, env.get("JUPYTER_PATH", "").split(
            os.pathsep))]
        env.update(JUPYTER_PATH=os.pathsep.join(paths), RESET_WORKSHOP_DB=database,
                   PYTHONUNBUFFERED="1")
        if self.public_url:  # the kernels build join links and QR codes from it
            env["RESET_WORKSHOP_URL"] = self.base_url
        return env

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        path = "/" + self.prefix.strip("/")
        return f"http://{host}:{self.port}" + ("" if path == "/" else path)

    def url(self, notebook: str, query: str = "") -> str:
        return f"{self.base_url}/voila/render/{notebook}" + (f"?{query}" if query else "")


class ServerError(RuntimeError):
    """Voilà did not start (port taken, missing package...); the message says why."""


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host if host not in ("0.0.0.0", "::") else "127.0.0.1",
                                       port), timeout=0.5):
            return True
    except OSError:
        return False


def start(server: Server, database: str, *, env: dict | None = None, quiet: bool = False,
          timeout: float = 90.0) -> subprocess.Popen:
    """Start Voilà in its own process group and wait until it accepts connections."""
    if _listening(server.host, server.port):
        raise ServerError(f"port {server.port} is already in use; choose another with --port")
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(server.argv(), env=server.env(database, env), stdout=output,
                               stderr=output, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"Voilà stopped at start (exit code {process.returncode})")
        if _listening(server.host, server.port):
            return process
        time.sleep(0.2)
    stop(process)
    raise ServerError(f"Voilà did not start listening on port {server.port} in {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Stop Voilà the way it shuts its kernels down (SIGTERM), then make sure it is gone."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(server: Server, database: str, *, demo_code: str | None = None,
        open_browser: bool = True) -> int:
    """Serve the apps until Ctrl-C: what ``reset-workshop serve`` does."""
    process = start(server, database)
    for name in ("SIGTERM", "SIGHUP"):  # stopped by a service manager or a closed terminal
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    participant = server.url(PARTICIPANT, f"code={demo_code}" if demo_code else "")
    print(f"Participant app:  {participant}")
    print(f"Facilitator app:  {server.url(FACILITATOR)}")
    print("Press Ctrl-C to stop.", flush=True)
    if open_browser:
        import webbrowser
        webbrowser.open(participant)
    try:
        return process.wait()
    except KeyboardInterrupt:
        print("\nStopping the apps...", flush=True)
        stop(process)
        return 0
