"""The newcomer's trap from issue 10: the plain export is the anonymised report, so importing
it must say so in plain words, with the file's path, and point at the export that works."""

from __future__ import annotations

from workshop import cli
from workshop.demo import DEMO_CODE


def run(*argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_importing_the_plain_export_says_it_is_a_report_and_how_to_back_up(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESET_WORKSHOP_DB", str(tmp_path / "workshop.sqlite"))
    monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(tmp_path / "absent.toml"))
    assert run("demo", capsys=capsys)[0] == 0
    assert run("export", DEMO_CODE, "--format", "json", "-o", "backup.json",
               capsys=capsys)[0] == 0

    code, out, err = run("import", "backup.json", "--db", tmp_path / "other.sqlite",
                         capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith("reset-workshop: error: backup.json: is an anonymised report")
    assert "file:" not in err and err.count("\n") == 1 and "Traceback" not in err
    assert "reset-workshop export CODE --full --format json" in err

    assert run("export", DEMO_CODE, "--full", "--format", "json", "-o", "full.json",
               capsys=capsys)[0] == 0
    code, out, _ = run("import", "full.json", "--db", tmp_path / "other.sqlite", capsys=capsys)
    assert code == 0 and f"Imported session {DEMO_CODE}" in out
