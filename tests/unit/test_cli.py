import json
import subprocess
import sys
from pathlib import Path

import pytest

from workshop import cli
from workshop.backup import dump_session, restore_session
from workshop.demo import DEMO_CODE
from workshop.store import Store


def run(*argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_command_has_help():
    for name in cli.COMMANDS:
        done = subprocess.run([sys.executable, "-m", "workshop.cli", name, "--help"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, name
        assert "--db" in done.stdout and "usage: reset-workshop " + name in done.stdout
    top = subprocess.run([sys.executable, "-m", "workshop.cli", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert "RESET_WORKSHOP_DB" in top.stdout


def test_new_session_prints_code_and_key_once(db_path, capsys):
    code, out, _ = run("new-session", "Q4 partners", "--db", db_path, capsys=capsys)
    assert code == 0
    join = out.split("Join code:")[1].split()[0]
    key = out.split("Facilitator key:")[1].split()[0]
    with Store.open(str(db_path)) as store:
        assert store.open_console(join, key).title == "Q4 partners"
    code, out, _ = run("sessions", "--db", db_path, capsys=capsys)
    assert join in out and "Q4 partners" in out and key not in out


def test_db_comes_from_the_environment_when_no_flag(tmp_path, monkeypatch, capsys):
    target = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("RESET_WORKSHOP_DB", str(target))
    assert run("new-session", "Env", capsys=capsys)[0] == 0
    assert target.exists()


def test_db_comes_from_the_config_file_when_no_flag_or_env(tmp_path, monkeypatch, capsys):
    target = tmp_path / "from-file.sqlite"
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{target}"\n')
    monkeypatch.delenv("RESET_WORKSHOP_DB")
    monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(config))
    assert run("new-session", "File", capsys=capsys)[0] == 0
    assert target.exists()


def test_demo_export_import_round_trip(tmp_path, capsys):
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    code, out, _ = run("demo", "--db", first, capsys=capsys)
    assert code == 0 and DEMO_CODE in out
    exported = tmp_path / "export.json"
    assert run("export", DEMO_CODE, "--full", "--db", first, "-o", exported,
               capsys=capsys)[0] == 0
    assert run("import", exported, "--db", second, capsys=capsys)[0] == 0
    again = tmp_path / "again.json"
    assert run("export", DEMO_CODE, "--full", "--db", second, "-o", again,
               capsys=capsys)[0] == 0
    original = json.loads(exported.read_text())
    assert json.loads(again.read_text()) == original
    assert len(original["participants"]) == 12 and len(original["ratings"]) > 500


def test_csv_export_has_one_row_per_rating(tmp_path, capsys):
    db_file, out_file = tmp_path / "a.sqlite", tmp_path / "ratings.csv"
    run("demo", "--db", db_file, capsys=capsys)
    assert run("export", DEMO_CODE, "--format", "csv", "--full", "--db", db_file, "-o",
               out_file, capsys=capsys)[0] == 0
    lines = out_file.read_text().splitlines()
    assert lines[0].startswith("session_code,participant_id,relationship_id,label")
    with Store.open(str(db_file)) as store:
        checkins = store.find_checkins(session_id=store.find_session(DEMO_CODE).id)
    assert len(lines) - 1 == sum(len(c.ratings) for c in checkins)


@pytest.mark.parametrize("argv, message", [
    (["export", "NOPE42", "-o", "{tmp}/x.json"], "No session with that code"),
    (["import", "{tmp}/missing.json"], "missing.json: No such file or directory"),
    (["import", "{tmp}/not.json"], "not valid JSON"),
    (["import", "{tmp}/other.json"], "not a session backup"),
    (["new-session", "Too open", "--anonymity-threshold", "2"],
     "anonymity_threshold: must be at least 3"),
    (["export", DEMO_CODE, "-o", "{tmp}/no/such/dir/x.json"], "No such file or directory"),
])
def test_errors_are_one_clear_line(tmp_path, capsys, argv, message):
    (tmp_path / "not.json").write_text("{nope")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    db_file = tmp_path / "a.sqlite"
    run("demo", "--db", db_file, capsys=capsys)
    code, out, err = run(*[a.format(tmp=tmp_path) for a in argv], "--db", db_file,
                         capsys=capsys)
    assert code == 1
    assert message in err and err.startswith("reset-workshop: error: ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_arguments_exit_2_with_usage(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["new-session", "X", "--date", "2026-13-01"])
    assert caught.value.code == 2
    assert "invalid" in capsys.readouterr().err


def test_importing_the_same_session_twice_is_refused(demo_store, tmp_path):
    store, loaded = demo_store
    data = dump_session(store, loaded.session.id)
    with pytest.raises(ValueError, match="already in this database"):
        restore_session(store, data)


# -- operational errors: one line on stderr, exit 1, never a traceback ----------------------

def assert_one_line(code, out, err, *expected):
    assert code == 1, (out, err)
    assert err.startswith("reset-workshop: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, err


def _closed_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@pytest.mark.parametrize("command", [["sessions"], ["new-session", "T"]])
def test_a_file_that_is_not_a_database_is_named(command, tmp_path, capsys):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 16)
    before = garbage.read_bytes()
    assert_one_line(*run(*command, "--db", garbage, capsys=capsys),
                    f"{garbage}: is not a SQLite database file")
    assert garbage.read_bytes() == before


@pytest.mark.parametrize("command", [["sessions"], ["new-session", "T"], ["demo"]])
def test_a_folder_given_as_the_database_is_named(command, tmp_path, capsys):
    assert_one_line(*run(*command, "--db", tmp_path, capsys=capsys),
                    f"{tmp_path}: is a folder, not a database file")


@pytest.mark.parametrize("url", ["sqlite:////missing-dir/x.db", "sqlite:///{tmp}/gone/x.db"])
def test_a_sqlite_url_in_a_missing_folder_is_named(url, tmp_path, capsys):
    url = url.format(tmp=tmp_path)
    assert_one_line(*run("new-session", "T", "--db", url, capsys=capsys),
                    f"{url}: the folder ", "does not exist")
    assert not (tmp_path / "gone").exists()


def test_a_read_only_database_is_named(tmp_path, capsys):
    db_file = tmp_path / "ro.sqlite"
    run("new-session", "Before", "--db", db_file, capsys=capsys)
    url = f"sqlite:///file:{db_file}?mode=ro&uri=true"
    assert_one_line(*run("new-session", "After", "--db", url, capsys=capsys),
                    "the database is read-only")
    with Store.open(str(db_file)) as store:
        assert [s.title for s in store.find_sessions()] == ["Before"]


def test_a_database_file_without_write_permission_is_named(tmp_path):
    """A real read-only file and folder; as root, the command runs as 'nobody'."""
    import os
    import shutil
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="rr-ro-"))  # pytest's tmp folders are root-only
    try:
        db_file = folder / "ro.sqlite"
        with Store.open(str(db_file)) as store:
            store.add_session("Before")
        db_file.chmod(0o444)
        folder.chmod(0o555)
        prefix = []
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv to drop privileges")
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        env = {**os.environ, "RESET_WORKSHOP_CONFIG": str(folder / "absent.toml")}
        done = subprocess.run([*prefix, sys.executable, "-m", "workshop.cli", "new-session",
                               "After", "--db", str(db_file)], capture_output=True, text=True,
                              timeout=60, env=env, cwd=str(folder))
        assert_one_line(done.returncode, done.stdout, done.stderr,
                        f"{db_file}: the database is read-only")
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_postgresql_on_a_closed_port_is_named_without_its_password(capsys):
    url = f"postgresql://kit:s3cret@127.0.0.1:{_closed_port()}/workshop"
    code, out, err = run("sessions", "--db", url, capsys=capsys)
    assert_one_line(code, out, err, "cannot connect to the database server", "kit:***@127.0.0.1")
    assert "s3cret" not in err


def test_postgresql_without_psycopg_says_which_extra_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    url = f"postgresql://kit@127.0.0.1:{_closed_port()}/workshop"
    assert_one_line(*run("sessions", "--db", url, capsys=capsys),
                    f"{url}: its driver (psycopg) is not installed",
                    "relationship-reset-workshop[postgres]")


@pytest.mark.parametrize("url", ["mysql://kit@localhost/workshop", "foo://bar"])
def test_unsupported_database_urls_are_refused(url, capsys):
    assert_one_line(*run("new-session", "T", "--db", url, capsys=capsys),
                    f"{url}: ", "databases are not supported",
                    "use a SQLite file path or a postgresql:// URL")


@pytest.mark.parametrize("content, expected", [
    ('{"format": "relationship-reset-workshop/session", "version": 1, "sessions": "x"}',
     "sessions: must be a list of rows"),
    ("[{}]", "is not a session backup"),
    ('{"format": "relationship-reset-workshop/session", "version": 1, "sessions": [{}]}',
     "sessions[0].id: is required"),
])
def test_malformed_backups_from_the_issue_are_one_line(content, expected, tmp_path, capsys):
    file, db_file = tmp_path / "backup.json", tmp_path / "a.sqlite"
    file.write_text(content)
    assert_one_line(*run("import", file, "--db", db_file, capsys=capsys), f"{file}: {expected}")
    assert not db_file.exists()


def test_participants_as_strings_are_one_line(demo_store, tmp_path, capsys):
    store, loaded = demo_store
    data = dump_session(store, loaded.session.id)
    data["participants"] = ["Dana", "Sam"]
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(data))
    assert_one_line(*run("import", file, "--db", tmp_path / "a.sqlite", capsys=capsys),
                    f"{file}: participants[0]: must be an object")


@pytest.mark.parametrize("port", ["-1", "0", "99999", "65536", "abc", "80.5"])
def test_serve_refuses_a_port_out_of_range_before_starting(port, tmp_path, monkeypatch, capsys):
    from workshop.app import serving
    monkeypatch.setattr(serving, "run", lambda *a, **k: pytest.fail("the server started"))
    db_file = tmp_path / "a.sqlite"
    assert_one_line(*run("serve", "--port", port, "--no-browser", "--db", db_file,
                         capsys=capsys),
                    f"--port: must be a port number from 1 to 65535, not {port}")
    assert not db_file.exists()


@pytest.mark.parametrize("source", ["environment", "config file"])
def test_a_bad_port_from_the_environment_or_config_file_is_named(source, tmp_path, monkeypatch,
                                                                   capsys):
    from workshop.app import serving
    monkeypatch.setattr(serving, "run", lambda *a, **k: pytest.fail("the server started"))
    if source == "environment":
        monkeypatch.setenv("RESET_WORKSHOP_PORT", "70000")
        where = "RESET_WORKSHOP_PORT"
    else:
        config_file = tmp_path / "config.toml"
        config_file.write_text("port = -5\n")
        monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(config_file))
        where = f"{config_file}: port"
    assert_one_line(*run("serve", "--no-browser", "--db", tmp_path / "a.sqlite", capsys=capsys),
                    f"{where}: must be a port number from 1 to 65535")


def test_the_port_checks_run_in_a_real_process_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "workshop.cli", "serve", "--port", "99999",
                           "--no-browser", "--db", str(tmp_path / "a.sqlite")],
                          capture_output=True, text=True, timeout=60)
    assert_one_line(done.returncode, done.stdout, done.stderr, "--port: must be a port number")


@pytest.mark.parametrize("command", [
    ["sessions"], ["export", "RESET2", "-o", "{tmp}/x.json"],
    ["export", "RESET2", "--full", "--format", "csv", "-o", "{tmp}/x.csv"],
    ["export-dashboard", "RESET2", "-o", "{tmp}/team.html"],
])
def test_read_only_commands_refuse_a_missing_database(command, tmp_path, capsys):
    missing = tmp_path / "typo" / "workshop.sqlite"
    argv = [a.format(tmp=tmp_path) for a in command]
    assert_one_line(*run(*argv, "--db", missing, capsys=capsys),
                    f"{missing}: no such database file")
    assert not missing.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_read_only_commands_refuse_the_default_database_when_it_is_missing(tmp_path,
                                                                          capsys):
    default = tmp_path / "default.sqlite"  # RESET_WORKSHOP_DB, set by the test fixtures
    assert_one_line(*run("sessions", capsys=capsys), f"{default}: no such database file")
    assert not default.exists()


def test_commands_that_add_data_still_create_the_database(tmp_path, capsys):
    new = tmp_path / "new" / "folder" / "workshop.sqlite"
    code, out, _ = run("new-session", "Fresh", "--db", new, capsys=capsys)
    assert code == 0 and new.exists()
    assert "Fresh" in run("sessions", "--db", new, capsys=capsys)[1]


def test_the_readme_export_import_example_works_as_written(tmp_path, monkeypatch, capsys):
    import shlex
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    lines = [line.split("#")[0].strip() for line in readme.splitlines()
             if line.startswith(("reset-workshop export", "reset-workshop import"))]
    assert any(" import " in f" {line} " for line in lines)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESET_WORKSHOP_DB", str(tmp_path / "workshop.sqlite"))
    assert run("demo", capsys=capsys)[0] == 0
    for line in lines:
        argv = [DEMO_CODE if word == "CODE" else word for word in shlex.split(line)[1:]]
        code, out, err = run(*argv, capsys=capsys)
        assert code == 0, (line, err)
    with Store.open(str(tmp_path / "other.sqlite")) as store:
        imported = store.find_session(DEMO_CODE)
        assert len(store.find_participants(imported.id)) == 12
