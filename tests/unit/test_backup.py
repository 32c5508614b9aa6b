"""Importing a backup is all or nothing: a bad file leaves the database byte for byte as it
was, says in one line which file and which field, and the database keeps working."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from workshop import backup, cli, session_report
from workshop.backup import dump_session
from workshop.store import Store


def _first_rating_of_first_checkin(data: dict) -> int:
    checkin = data["checkins"][0]["id"]
    return next(i for i, r in enumerate(data["ratings"]) if r["checkin_id"] == checkin)


def _set(path: str, value):
    """A change to a backup: ``path`` like ``sessions.0.settings.anonymity_threshold``."""
    def change(data):
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value
        return data
    return change


def _drop(table: str, key: str):
    def change(data):
        del data[table][0][key]
        return data
    return change


def _duplicate_participant(data):
    data["participants"][1]["id"] = data["participants"][0]["id"]
    return data


def _rating_out_of_range(data):
    data["ratings"][_first_rating_of_first_checkin(data)]["rating"] = 9
    return data


def _checkin_without_ratings(data):
    checkin = data["checkins"][0]["id"]
    data["ratings"] = [r for r in data["ratings"] if r["checkin_id"] != checkin]
    return data


def _participants_as_strings(data):
    data["participants"] = ["Dana", "Sam"]
    return data


MALFORMED = [
    # (case, change to a good backup, what the one line must say)
    ("threshold below the minimum", _set("sessions.0.settings.anonymity_threshold", 1),
     "sessions[0].settings.anonymity_threshold: must be at least 3"),
    ("settings as a string", _set("sessions.0.settings", "loose"),
     "sessions[0].settings: must be an object of names and values"),
    ("10,000-character label", _set("relationships.0.label", "x" * 10_000),
     "relationships[0].label: must be at most 120 characters"),
    ("sessions as a string", _set("sessions", "x"), "sessions: must be a list of rows"),
    ("an empty session row", _set("sessions", [{}]), "sessions[0].id: is required"),
    ("no session at all", _set("sessions", []), "sessions: a backup holds exactly one session"),
    ("participants as strings", _participants_as_strings,
     "participants[0]: must be an object of field names and values"),
    ("a missing key", _drop("relationships", "participant_id"),
     "relationships[0].participant_id: is required"),
    ("a word for a number", _set("relationships.0.importance", "very"),
     "relationships[0].importance: must be a whole number"),
    ("a kind that does not exist", _set("relationships.0.kind", "enemy"),
     "relationships[0].kind: must be one of"),
    ("an impossible date", _set("contacts.0.date", "2026-02-30"),
     "contacts[0].date: must be a date (YYYY-MM-DD)"),
    ("a time that is no time", _set("checkins.0.taken_at", "yesterday"),
     "checkins[0].taken_at: must be a date and time"),
    ("a bad time on a column no record covers", _set("sessions.0.key_retry_at", "soon"),
     "sessions[0].key_retry_at: must be a date and time"),
    ("a rating out of range", _rating_out_of_range, "rating: must be at most 5"),
    ("a check-in without ratings", _checkin_without_ratings,
     "checkins[0]: has no ratings"),
    ("duplicate ids", _duplicate_participant, "participants[1].id: duplicates participants[0].id"),
    ("a reference to nothing", _set("checkins.0.relationship_id", "f" * 32),
     "checkins[0].relationship_id: is not the id of one of this backup's relationships"),
    ("a participant of another session", _set("participants.0.session_id", "e" * 32),
     "participants[0].session_id: is not the id of one of this backup's sessions"),
    ("an unknown field", _set("participants.0.evil", 1),
     "participants[0].evil: is not a known field"),
    ("a forged key hash", _set("sessions.0.facilitator_key_hash", "letmein"),
     "sessions[0].facilitator_key_hash: is not a hash made by reset-workshop"),
    ("a negative counter", _set("sessions.0.revision", -1),
     "sessions[0].revision: must be a whole number, 0 or more"),
    ("an over-long id", _set("plans.0.id", "p" * 200),
     "plans[0].id: must be at most 32 characters"),
    ("commitments as text", _set("plans.0.commitments", "call them"),
     "plans[0].commitments: must be a list"),
    ("a newer backup version", _set("version", 2), "version: must be 1, the file says 2"),
    ("a whole file that is a list", lambda data: [{}], "is not a session backup made by"),
    ("another program's JSON", lambda data: {"hello": 1}, "is not a session backup made by"),
]


@pytest.fixture(scope="module")
def good_backup(demo_store) -> dict:
    store, loaded = demo_store
    return dump_session(store, loaded.session.id)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A database with one session of its own, closed (its WAL checkpointed away)."""
    path = tmp_path_factory.mktemp("target") / "target.sqlite"
    with Store.open(str(path)) as store:
        store.add_session("Already here", code="HERE42")
    return path


@pytest.fixture
def target(pristine, tmp_path) -> Path:
    path = tmp_path / "target.sqlite"
    shutil.copy(pristine, path)
    return path


def fingerprint(db_file: Path) -> dict[str, str | None]:
    """The database file and its WAL (if any), hashed."""
    return {suffix: hashlib.sha256(Path(f"{db_file}{suffix}").read_bytes()).hexdigest()
            if Path(f"{db_file}{suffix}").exists() else None for suffix in ("", "-wal")}


def run(argv, capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused_plainly(code, out, err, file: Path, message: str) -> None:
    assert code == 1 and out == ""
    assert err.startswith(f"reset-workshop: error: {file}: "), err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def assert_database_untouched(target: Path, before: dict, capsys) -> None:
    assert fingerprint(target) == before
    code, out, err = run(["sessions", "--db", target], capsys)
    assert code == 0 and err == ""
    assert "HERE42" in out and "Already here" in out and len(out.splitlines()) == 1


@pytest.mark.parametrize("case, change, message", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_a_malformed_backup_changes_nothing_and_names_the_field(
        case, change, message, good_backup, target, tmp_path, capsys):
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(change(copy.deepcopy(good_backup))), encoding="utf-8")
    before = fingerprint(target)
    assert before["-wal"] is None  # closed cleanly: everything is in the main file
    assert_refused_plainly(*run(["import", file, "--db", target], capsys), file, message)
    assert_database_untouched(target, before, capsys)


@pytest.mark.parametrize("content, message", [
    (b"{nope", "is not valid JSON"),
    (b"", "is not valid JSON"),
    (b"\xff\xfe\x00garbage", "is not a text file"),
], ids=["broken JSON", "an empty file", "binary"])
def test_a_file_that_is_not_json_changes_nothing(content, message, target, tmp_path, capsys):
    file = tmp_path / "backup.json"
    file.write_bytes(content)
    before = fingerprint(target)
    assert_refused_plainly(*run(["import", file, "--db", target], capsys), file, message)
    assert_database_untouched(target, before, capsys)


def test_an_anonymised_report_is_refused_in_plain_words(demo_store, target, tmp_path, capsys):
    store, loaded = demo_store
    file = tmp_path / "report.json"
    file.write_text(session_report.anonymised_json(store, loaded.session), encoding="utf-8")
    before = fingerprint(target)
    code, out, err = run(["import", file, "--db", target], capsys)
    assert_refused_plainly(code, out, err, file, "is an anonymised report")
    assert "not a backup" in err and "export CODE --full --format json" in err
    assert_database_untouched(target, before, capsys)


def test_a_malformed_backup_does_not_create_a_database(good_backup, tmp_path, capsys):
    file, missing = tmp_path / "backup.json", tmp_path / "new.sqlite"
    file.write_text(json.dumps(_set("sessions.0.settings", "x")(copy.deepcopy(good_backup))))
    assert run(["import", file, "--db", missing], capsys)[0] == 1
    assert not missing.exists()


def test_a_session_already_here_is_refused_before_anything_is_written(
        good_backup, target, tmp_path, capsys):
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(good_backup))
    assert run(["import", file, "--db", target], capsys)[0] == 0
    after_first = fingerprint(target) if not Path(f"{target}-wal").exists() else None
    renamed = _set("sessions.0.code", "OTHER9")(copy.deepcopy(good_backup))
    for data, message in [(good_backup, "sessions[0].code: session RESET2 is already in this "
                                         "database"),
                          (renamed, "sessions[0].id: is already in this database")]:
        file.write_text(json.dumps(data))
        assert_refused_plainly(*run(["import", file, "--db", target], capsys), file, message)
    if after_first is not None:
        assert fingerprint(target) == after_first
    code, out, _ = run(["sessions", "--db", target], capsys)
    assert code == 0 and "RESET2" in out and "OTHER9" not in out


def test_rows_the_database_refuses_half_way_roll_the_whole_import_back(
        good_backup, target, tmp_path, monkeypatch):
    """The last table's insert fails: the rows inserted before it are not kept either."""
    with Store.open(str(target)) as store:
        here = store.find_session("HERE42")
        person, _ = store.add_participant(here.id)
        plan_rel = good_backup["plans"][0]
    with Store.open(str(target)) as store:
        from workshop.model import Relationship, ResetPlan, make
        rel = store.add_relationship(make(Relationship, participant_id=person.id, label="Mine"))
        store.save_plan(make(ResetPlan, id=plan_rel["id"], relationship_id=rel.id))
    before = fingerprint(target)
    monkeypatch.setattr(backup, "_check_not_here", lambda conn, values: None)
    with Store.open(str(target)) as store, pytest.raises(backup.NotABackup,
                                                         match="nothing was imported"):
        backup.restore_session(store, copy.deepcopy(good_backup))
    assert fingerprint(target) == before
    with Store.open(str(target)) as store:
        assert [s.code for s in store.find_sessions()] == ["HERE42"]


def test_a_good_backup_imports_whole(good_backup, target, tmp_path, capsys):
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(good_backup))
    code, out, err = run(["import", file, "--db", target], capsys)
    assert code == 0 and err == "" and "Imported session RESET2" in out
    with Store.open(str(target)) as store:
        session = store.find_session("RESET2")
        assert dump_session(store, session.id) == good_backup


@pytest.mark.postgres
def test_a_refused_import_rolls_back_whole_on_postgresql(good_backup, postgres_url, monkeypatch):
    """Same code on PostgreSQL: rows inserted before the failing table are rolled back."""
    import sqlalchemy as sa

    from workshop import db
    from workshop.errors import NotFound

    def counts(store):
        with store.engine.connect() as conn:
            return {name: conn.execute(sa.select(sa.func.count()).select_from(
                db.metadata.tables[name])).scalar() for name in backup._TABLES}

    with Store.open(postgres_url) as store:
        first = backup.restore_session(store, copy.deepcopy(good_backup))
        try:
            before = counts(store)
            clash = copy.deepcopy(good_backup)  # a new session, but every other id taken
            clash["sessions"][0].update(id="a" * 32, code="CLASH7")
            for person in clash["participants"]:
                person["session_id"] = "a" * 32
            monkeypatch.setattr(backup, "_check_not_here", lambda conn, values: None)
            with pytest.raises(backup.NotABackup, match="nothing was imported"):
                backup.restore_session(store, clash)
            assert counts(store) == before
            with pytest.raises(NotFound):
                store.find_session("CLASH7")
        finally:
            store.remove_session(first.id)
