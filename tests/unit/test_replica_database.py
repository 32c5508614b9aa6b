"""Replicas on one PostgreSQL database: started at once on a fresh one, one migrates it and
the others wait and find it done (without the lock, one start in three failed); and the
connections each page keeps open (``serve --db-pool``)."""

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


def test_db_pool_sets_the_connections_each_page_keeps(capsys):
    from workshop import cli
    assert db.pool_limits({}) == {}
    assert db.pool_limits({"RESET_WORKSHOP_DB_POOL": "1"}) == {"pool_size": 1}
    with pytest.raises(db.DatabaseUnavailable, match="whole number"):
        db.pool_limits({"RESET_WORKSHOP_DB_POOL": "none"})
    with pytest.raises(SystemExit):
        cli.main(["serve", "--db-pool", "0"])
    assert "--db-pool: '0': give a whole number, 1 or more" in capsys.readouterr().err
