"""Fixtures shared by every tier: a fresh store on a temporary SQLite file, PostgreSQL when
the machine has it, and a fixed 'today' so demo data and scores are deterministic."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest

from workshop.store import Store

TODAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test may read or write the user's own store or config."""
    monkeypatch.setenv("RESET_WORKSHOP_DB", str(tmp_path / "default.sqlite"))
    monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(tmp_path / "absent-config.toml"))


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "workshop.sqlite"


@pytest.fixture
def store(db_path):
    with Store.open(str(db_path)) as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A store holding the demo session as of TODAY (shared, read-only by convention)."""
    from workshop.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with Store.open(str(path)) as opened:
        loaded = load_demo(opened, TODAY)
        yield opened, loaded


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server, from RESET_WORKSHOP_TEST_PG or a local initdb."""
    if os.environ.get("RESET_WORKSHOP_TEST_PG"):
        yield os.environ["RESET_WORKSHOP_TEST_PG"]
        return
    initdb = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob(
        "*/bin/initdb"))), None)
    if not initdb:
        pytest.skip("PostgreSQL is not installed here")
    bindir = Path(initdb).resolve().parent
    folder = Path(tempfile.mkdtemp(prefix="rr-pg-"))  # pytest's own tmp dirs are root-only
    data, port = folder / "data", _free_port()
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "workshop",
                    "--auth=trust"], check=True, capture_output=True)
    server = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
              str(folder / "log"), "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"]
    subprocess.run([*server, "start"], check=True, capture_output=True)
    try:
        url = f"postgresql://workshop@127.0.0.1:{port}/postgres"
        yield url
    finally:
        subprocess.run([*server, "stop", "-m", "fast"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
