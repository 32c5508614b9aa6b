import json
import subprocess
import sys

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
