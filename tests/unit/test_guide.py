"""The guide's helpers: assess, the state explorer, the reader's workspace, explain, and lab."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import pytest

import workshop
from workshop import cli, guide, lab
from workshop.content import content
from workshop.explorer import StateExplorer

RATINGS = {"communication": 4, "trust": 4, "expectations": 3, "momentum": 4,
           "mutual_value": 4, "responsiveness": 4}
TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(("silent_days", "state"), [(20, "steady"), (50, "fizzling"),
                                                    (65, "fading"), (95, "hanging")])
def test_silence_alone_moves_a_relationship_down_the_states(silent_days, state):
    result = guide.assess(RATINGS, days_since_contact=silent_days, cadence_days=30,
                          age_days=900)
    assert result.state == state
    assert result.drift == pytest.approx(silent_days / 30)
    assert result.health == pytest.approx(workshop.assess(RATINGS, days_since_contact=1).health)


def test_momentum_comes_from_the_previous_health_or_the_declared_trend():
    fell = guide.assess(RATINGS, days_since_contact=20, previous_health=90, age_days=900)
    assert fell.momentum == pytest.approx(fell.health - 90)
    assert fell.state == "fizzling"
    declared = guide.assess(RATINGS, days_since_contact=20, trend="declining", age_days=900)
    assert declared.momentum == content().scoring.trend_momentum["declining"]


def test_unknown_contact_means_unknown_drift():
    result = guide.assess({"trust": 5, "communication": 5}, days_since_contact=None,
                          age_days=900)
    assert math.isnan(result.drift)
    assert "drift unknown" in str(result)


def test_every_state_rule_reads_as_words():
    words = {s.key: guide.describe_rule(s) for s in content().states}
    assert words["hanging"] == "health below 35, or drift at least 3"
    assert words["steady"].startswith("otherwise")
    assert "age in days below 180" in words["sparking"]


def test_explain_escapes_and_covers_every_topic():
    for topic in guide.TOPICS:
        assert guide.explain(topic).data.strip()
    states = guide.explain("states").data
    assert all(s.name in states for s in content().states)
    assert guide._e("<b>a|b</b>") == "&lt;b&gt;a&#124;b&lt;/b&gt;"
    with pytest.raises(KeyError, match="choose from"):
        guide.explain("gossip")


def test_the_explorer_moves_between_states_as_inputs_change():
    explorer = StateExplorer(today=TODAY)
    assert explorer.value.state == "steady"
    assert "rr-state-explorer" in explorer._dom_classes
    explorer.last_contact.value = TODAY - timedelta(days=120)
    assert explorer.value.state == "hanging"
    assert "Hanging by a thread" in explorer.verdict.value
    explorer.last_contact.value = TODAY - timedelta(days=5)
    for slider in explorer.ratings.values():
        slider.value = 5
    assert explorer.value.state == "thriving"
    explorer.since.value = TODAY - timedelta(days=60)
    assert explorer.value.state == "sparking"
    assert "&larr; here" in explorer.ladder.value
    explorer.trend.value = "declining"
    assert explorer.value.state == "fizzling"


def test_demo_workspace_reads_and_writes_one_persons_relationships():
    me = workshop.workspace(demo=True)
    assert me.participant.display_name == guide.DEMO_READER
    before = len(me.store.find_relationships(me.participant.id))
    bakery = me.add_relationship("Harbor & Pine Bakery", kind="client", importance=4)
    again = me.add_relationship("Harbor & Pine Bakery", kind="vendor")
    assert again.id == bakery.id
    assert len(me.store.find_relationships(me.participant.id)) == before + 1
    me.check_in("Harbor & Pine Bakery", {"communication": 1, "trust": 2}, trend="declining")
    assert "Harbor & Pine Bakery" in set(me.overview()["relationship"])
    assert list(me.compare(bakery).columns) == ["taken", "health", "change", "drift", "state"]
    assert set(me.ratings_of(bakery)["dimension"]) == {"communication", "trust"}
    review = me.reset_review()
    assert len(review) == len(me.plans()) > 0
    assert set(review["outcome"]) <= {"up", "same", "down", "pending"}
    assert [r.id for r in me.reset_relationships()]


def test_working_alone_keeps_one_list_across_notebooks():
    first = workshop.workspace(demo=False, name="Sam")
    assert first.session is None and first.resume_code
    second = workshop.workspace(demo=False)
    assert second.participant.id == first.participant.id
    by_code = workshop.workspace(demo=False, resume_code=first.resume_code)
    assert by_code.participant.id == first.participant.id


def test_the_participant_apps_forms_save_to_the_workspace():
    me = workshop.workspace(demo=False)
    view = me.inventory()
    view.form.value = {"label": "Atlas Freight", "kind": "vendor"}
    view.form.submit.click()
    assert [r.label for r in me.store.find_relationships(me.participant.id)] == ["Atlas Freight"]
    assert me.health_check() is not None


def test_lab_opens_the_first_notebook_of_the_checkout_guide():
    folder = lab.reader_guide()
    assert (folder / lab.FIRST).is_file()
    argv = lab.lab_argv(folder, no_browser=True, extra=["--", "--port=9999"])
    assert argv[1:3] == ["-m", "jupyterlab"]
    assert argv[3].endswith("guide/01-why-reset.ipynb")
    assert argv[4:] == ["--no-browser", "--port=9999"]
    assert lab.lab_env("/x/store.sqlite", {})["RESET_WORKSHOP_DB"] == "/x/store.sqlite"


def test_a_copy_of_the_guide_keeps_the_readers_edits(tmp_path):
    (tmp_path / lab.FIRST).write_text("my notes", encoding="utf-8")
    folder = lab.reader_guide(tmp_path)
    assert (folder / lab.FIRST).read_text(encoding="utf-8") == "my notes"
    assert (folder / "06-for-facilitators.ipynb").is_file()


def test_cli_lab_passes_the_store_and_flags_to_jupyterlab(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr("subprocess.call", lambda argv, env: calls.append((argv, env)) or 0)
    db = str(tmp_path / "mine.sqlite")
    assert cli.main(["lab", "--db", db, "--no-browser"]) == 0
    argv, env = calls[0]
    assert "--no-browser" in argv and argv[3].endswith(lab.FIRST)
    assert env["RESET_WORKSHOP_DB"] == db


NOTEBOOKS = sorted((lab.packaged_guide()).glob("*.ipynb")) + [
    lab.packaged_guide().parent / "dashboard.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin_clean_and_use_the_public_api(path):
    import nbformat
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    for cell in code:
        checked = "# NBVAL_CHECK_OUTPUT" in cell.source
        if checked:  # nbval's reference: the expected output of a deterministic cell
            assert cell.outputs and cell.execution_count is not None, cell.source
        else:
            assert cell.outputs == [] and cell.execution_count is None, cell.source
        assert "def " not in cell.source and "for " not in cell.source, cell.source
        used = set(re.findall(r"\bworkshop\.(\w+)", cell.source))
        assert used <= set(workshop.__all__), used - set(workshop.__all__)
    if path.parent.name == "guide":
        assert len(code) <= 15
