"""Every CSV the kit writes goes through one cell guard (workshop.csvsafe): a label that a
spreadsheet would run as a formula comes out as text, and real numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from workshop import action_plan, cli, csvsafe, exports, session_report, tidy
from workshop.model import CheckIn, Relationship, make
from workshop.store import Store

CALC = "=cmd|' /C calc'!A0"
PAYLOADS = [CALC, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", " =HYPERLINK(\"http://evil.example\")", "\uff1d1+1"]
DIMENSIONS = ["communication", "trust"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_trigger_gets_an_apostrophe(payload):
    assert csvsafe.cell(payload) == "'" + payload
    assert csvsafe.text_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Acme Ltd", "a=b", "", "-5", "+2.5", "12", "O'Brien"])
def test_plain_text_and_numbers_as_text_are_left_alone(value):
    assert csvsafe.cell(value) == value


@pytest.mark.parametrize("value", [-80, -0.25, 3, 2.5])
def test_numbers_stay_numbers(value):
    assert csvsafe.cell(value) == value and type(csvsafe.cell(value)) is type(value)


def test_a_frame_keeps_its_numeric_columns_and_guards_its_text():
    frame = pd.DataFrame({"group": [CALC, "ok"], "value": [-80.0, 2.0], "n": [5, 6]})
    safe = csvsafe.frame(frame)
    assert list(safe["group"]) == ["'" + CALC, "ok"]
    assert safe["value"].tolist() == [-80.0, 2.0] and safe["n"].tolist() == [5, 6]
    assert list(frame["group"]) == [CALC, "ok"]  # the caller's frame is not changed


@pytest.fixture
def hostile_session(db_path):
    """Six people who each rate a relationship labelled, and shared as, a formula."""
    with Store.open(str(db_path)) as store:
        session, _ = store.add_session("Hostile labels", date(2026, 11, 1),
                                       dimensions=DIMENSIONS, anonymity_threshold=3)
        for n, payload in enumerate([CALC, *PAYLOADS[1:3], CALC, CALC, CALC]):
            person, _ = store.join(session.code, f"P{n}")
            rel = store.add_relationship(make(Relationship, participant_id=person.id,
                                              label=payload, kind="client",
                                              shared_label=CALC))
            store.add_checkin(make(CheckIn, relationship_id=rel.id, trend="stable",
                                   ratings={"communication": 1 + n % 5, "trust": 5 - n % 4}))
        yield store, session


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_live_formula(text: str) -> None:
    for cell in cells(text):
        assert not csvsafe.needs_guard(cell), f"live formula cell: {cell!r}"


def test_the_full_export_guards_labels_and_shared_labels(hostile_session):
    store, session = hostile_session
    text = exports.ratings_csv(store, session)
    assert_no_live_formula(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12
    assert {r["shared_label"] for r in rows} == {"'" + CALC}
    assert "'" + PAYLOADS[2] in {r["label"] for r in rows}
    assert {r["rating"] for r in rows} <= {"1", "2", "3", "4", "5"}


def test_the_anonymised_export_guards_the_shared_label(hostile_session):
    store, session = hostile_session
    text = session_report.export(store, session, "csv")  # what the console downloads
    assert_no_live_formula(text)
    assert CALC in text, "the shared relationship's figures should be published (6 raters)"
    groups = {row["group"] for row in csv.DictReader(io.StringIO(text))}
    assert "'" + CALC in groups and CALC not in groups


def test_the_cli_exports_are_guarded(hostile_session, db_path, tmp_path, capsys):
    _, session = hostile_session
    for extra, name in (([], "report.csv"), (["--full"], "ratings.csv")):
        out = tmp_path / name
        assert cli.main(["export", session.code, "--format", "csv", *extra, "--db",
                         str(db_path), "-o", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        assert_no_live_formula(text)
        assert "'" + CALC in cells(text)
    capsys.readouterr()


def test_the_participants_own_csv_uses_the_same_guard(hostile_session):
    store, session = hostile_session
    person = store.find_participants(session.id)[1]
    book = action_plan.PlanBook(store.find_relationships(person.id), [],
                                tidy.load(store, participant_id=person.id))
    text = action_plan.ratings_csv(book)
    assert_no_live_formula(text)
    assert {r["relationship"] for r in csv.DictReader(io.StringIO(text))} == {"'" + PAYLOADS[1]}


def test_negative_numbers_in_numeric_columns_are_not_mangled():
    group_table = pd.DataFrame({"table": ["resets"], "group": ["client"], "dimension": [""],
                                "measure": ["change"], "value": [-80.0], "respondents": [5]})
    buffer = io.StringIO()
    csvsafe.frame(group_table).to_csv(buffer, index=False, float_format="%.4g")
    assert buffer.getvalue().splitlines()[1] == "resets,client,,change,-80,5"
