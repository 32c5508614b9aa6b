"""Who may create sessions: the operator's setting (flag, environment, config file), the
facilitator page's form that follows it, and the kernel's own check behind the form."""

from __future__ import annotations

from datetime import date

import pytest

from workshop import cli, creation, session_setup
from workshop.app.facilitator import FacilitatorConsole
from workshop.app.facilitator_forms import SessionForm
from workshop.errors import AccessDenied, InvalidInput, WorkshopError

WHO, KEY = "RESET_WORKSHOP_CREATE_SESSIONS", "RESET_WORKSHOP_CREATE_KEY"
SECRET = "room-42-creation-key"


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("RESET_WORKSHOP_CONFIG", str(path))
    return path


def _value(**more) -> dict:
    form = SessionForm(creation.CreationRule())
    form.value = {"title": "Q3 reset", "on": date(2026, 11, 21), **more}
    return form.value


def test_flag_then_environment_then_config_file_then_anyone(config_file, monkeypatch):
    assert creation.rule() == creation.CreationRule("anyone")
    config_file.write_text(f'create_sessions = "key"\ncreate_key = "{SECRET}"\n')
    assert creation.rule() == creation.CreationRule("key", SECRET)
    monkeypatch.setenv(WHO, "nobody")
    assert creation.rule().who == "nobody"
    assert creation.rule("anyone").who == "anyone"
    monkeypatch.setenv(WHO, "KEY")
    monkeypatch.setenv(KEY, "another-long-key")
    assert creation.rule() == creation.CreationRule("key", "another-long-key")


@pytest.mark.parametrize("who, key, why", [
    ("everyone", None, "create sessions 'everyone': choose one of anyone, key, nobody"),
    ("key", None, "create sessions 'key' needs a creation key: set RESET_WORKSHOP_CREATE_KEY "
                  "or create_key in the config file"),
    ("key", "short", "the creation key must be at least 12 characters long"),
])
def test_a_bad_setting_is_one_plain_line(who, key, why, monkeypatch):
    monkeypatch.setenv(WHO, who)
    if key:
        monkeypatch.setenv(KEY, key)
    with pytest.raises(WorkshopError) as refused:
        creation.rule()
    assert str(refused.value) == why


def test_serve_may_make_the_key():
    made = creation.rule("key", make_key=True)
    assert made.who == "key" and len(made.key) >= creation.KEY_MIN
    assert made.environment() == {WHO: "key", KEY: made.key}


def test_the_rule_checks_the_creation_key():
    creation.CreationRule("anyone").check(None)
    rule = creation.CreationRule("key", SECRET)
    rule.check(f"  {SECRET} ")
    for offered, why in ((None, "is required on this server"),
                         ("wrong-but-long-key", "is not this server's creation key")):
        with pytest.raises(InvalidInput) as refused:
            rule.check(offered)
        assert refused.value.fields == {"creation_key": why}
    with pytest.raises(AccessDenied) as off:
        creation.CreationRule("nobody").check(SECRET)
    assert "reset-workshop new-session" in str(off.value)


def test_the_kernel_enforces_the_rule_whatever_the_page_sends(store, monkeypatch):
    monkeypatch.setenv(WHO, "key")
    monkeypatch.setenv(KEY, SECRET)
    with pytest.raises(InvalidInput) as refused:
        session_setup.create(store, **_value(title=""))  # no key at all, and a bad title
    assert refused.value.fields == {"creation_key": "is required on this server",
                                    "title": "cannot be empty"}
    monkeypatch.setenv(WHO, "nobody")
    with pytest.raises(AccessDenied):
        session_setup.create(store, creation_key=SECRET, **_value())
    assert store.find_sessions() == []
    monkeypatch.setenv(WHO, "key")
    session, key = session_setup.create(store, creation_key=SECRET, **_value())
    assert store.open_console(session.code, key).id == session.id


def test_the_form_asks_for_the_creation_key(store, monkeypatch):
    monkeypatch.setenv(WHO, "key")
    monkeypatch.setenv(KEY, SECRET)
    console = FacilitatorConsole(store, start=False)
    form = console.new_form
    assert "creation_key" in form.fields and form.fields["creation_key"] in form.children
    form.value = {"title": "Q3 reset", "creation_key": "wrong-but-long-key"}
    form.submit.click()
    assert console.current is None and store.find_sessions() == []
    assert form.fields["creation_key"].message.value == "is not this server&#x27;s creation key"
    assert form.fields["title"].value == "Q3 reset"  # nothing typed is lost
    form.fields["creation_key"].value = SECRET
    form.submit.click()
    assert console.current is not None and console.current.session.title == "Q3 reset"
    assert form.fields["creation_key"].value == ""  # not kept in the page once used
    console.close()


def test_with_nobody_the_form_is_a_notice_and_a_forged_click_creates_nothing(store,
                                                                              monkeypatch):
    monkeypatch.setenv(WHO, "nobody")
    console = FacilitatorConsole(store, start=False)
    form = console.new_form
    shown = " ".join(getattr(c, "value", "") for c in form.children)
    assert "reset-workshop new-session" in shown
    assert form.submit not in form.children and form.fields["title"] not in form.children
    form.value = {"title": "Sneaky"}
    form.submit.click()  # what a raw websocket client could still send
    assert console.current is None and store.find_sessions() == []
    assert console.open_form in console.home.children  # opening sessions still works
    console.close()


def test_anyone_keeps_the_plain_form(store):
    form = FacilitatorConsole(store, start=False).new_form
    assert "creation_key" not in form.fields and form.submit in form.children


@pytest.fixture
def served(monkeypatch):
    """What `reset-workshop serve` hands its server: the kernels' environment, captured."""
    from workshop.app import serving
    seen = {}

    def fake_run(server, database, **_):
        seen["env"] = server.env(database)
        return 0
    monkeypatch.setattr(serving, "run", fake_run)
    for name in (WHO, KEY):  # set, so the test's end puts the environment back as it was
        monkeypatch.setenv(name, "")
    return seen


def test_serve_flag_reaches_the_kernels_with_a_made_key(served, tmp_path, capsys):
    code = cli.main(["serve", "--create-sessions", "key", "--no-browser",
                     "--db", str(tmp_path / "w.sqlite")])
    out = capsys.readouterr().out
    assert code == 0 and served["env"][WHO] == "key"
    made = served["env"][KEY]
    assert f"Creation key (asked for to create a session): {made}" in out
    assert creation.rule() == creation.CreationRule("key", made)  # as a kernel reads it


def test_serve_takes_the_setting_from_the_config_file_and_prints_no_key(served, tmp_path,
                                                                          config_file, capsys):
    config_file.write_text(f'create_sessions = "key"\ncreate_key = "{SECRET}"\n')
    assert cli.main(["serve", "--no-browser", "--db", str(tmp_path / "w.sqlite")]) == 0
    assert served["env"][WHO] == "key" and served["env"][KEY] == SECRET
    assert SECRET not in capsys.readouterr().out


def test_serve_refuses_a_bad_setting_in_one_line(served, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(WHO, "all")
    assert cli.main(["serve", "--no-browser", "--db", str(tmp_path / "w.sqlite")]) == 1
    err = capsys.readouterr().err
    assert err == ("reset-workshop: error: create sessions 'all': choose one of anyone, key, "
                   "nobody\n") and "env" not in served


def test_help_names_the_setting(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "RESET_WORKSHOP_CREATE_SESSIONS" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    assert "--create-sessions {anyone,key,nobody}" in capsys.readouterr().out
