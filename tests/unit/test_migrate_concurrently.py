"""Replicas started at once on a fresh PostgreSQL database: one migrates it, the others wait
for it and find it done (without the lock, one start in three failed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workshop import db
from workshop.store import Store

pytestmark = pytest.mark.postgres
OPEN = "import sys; from workshop.store import Store; Store.open(sys.argv[1]).close()"


def test_four_processes_opening_a_fresh_database_at_once_all_succeed(postgres_url):
    import psycopg
    name = "rr_migrate_race"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    starts = [subprocess.Popen([sys.executable, "-c", OPEN, url], stderr=subprocess.PIPE,
                               text=True) for _ in range(4)]
    failures = [p.stderr.read() for p in starts if p.wait(120) != 0]
    assert failures == []
    with Store.open(url) as store:
        assert store.schema_version == db.HEAD
