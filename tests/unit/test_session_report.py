"""The session report and anonymised exports: self-contained, escaped, nothing private."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from workshop import cli, session_report
from workshop.demo import DEMO_CODE
from workshop.model import CheckIn, Relationship, make

MARKUP = "<b>bold</b><script>alert(1)</script>"


def _rate(store, session, value, *, label="Private client", note="", shared=None,
          kind="client"):
    person, _ = store.add_participant(session.id)
    rel = store.add_relationship(make(Relationship, participant_id=person.id, label=label,
                                      kind=kind, shared_label=shared))
    store.add_checkin(make(CheckIn, relationship_id=rel.id, note=note,
                           ratings={d: value for d in session.settings.dimensions}))
    store.mark_progress(person.id, "health")


@pytest.fixture
def small(store):
    """A session of 4 people (threshold 5) who typed markup into private fields."""
    session, _ = store.add_session(f"Team {MARKUP}", anonymity_threshold=5,
                                   timeboxes={"faq": 0, "plan": 25})
    for value in (1, 2, 4, 5):
        _rate(store, session, value, label=f"Acme {MARKUP}", note=f"jotting {MARKUP}")
    return session


def test_report_is_self_contained_and_escapes_everything(store, small):
    page = session_report.report_html(store, small)
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;" in page  # the title, escaped
    assert "<b>bold</b>" not in page and "alert(1)</script>" not in page
    assert "Acme" not in page and "jotting" not in page
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?https?:""", page)


def test_report_below_threshold_hides_every_chart_and_says_why(store, small):
    page = session_report.report_html(store, small)
    # Waiting counts are on the whole room (workshop.anonymity): 4 people, so every chart,
    # perception gaps included, waits for 1 more; none says how small one group is.
    assert page.count("Hidden: waiting for 1 more") == 5
    assert "Plotly.newPlot" not in page and "plotly.js" not in page.lower()[:2000]


def test_report_agenda_follows_the_session_timeboxes(store, small):
    page = session_report.report_html(store, small)
    agenda = page.split('id="agenda-h"')[1].split("</table>")[0]
    assert "Questions and answers" not in agenda  # timebox 0 leaves the phase out
    assert re.search(r"Plan the reset conversation</td><td[^>]*>25<", agenda)
    assert "4</strong>Finished health check" in page.replace("\n", "").replace(" ", "") \
        or "<strong>4</strong>Finished health check" in page


def test_report_at_threshold_draws_charts_with_plotly_inlined(store, small):
    _rate(store, small, 3, shared="Northwind")
    page = session_report.report_html(store, small)
    # Five people rated 1 to 5 each: five states of one person, all hidden; dimensions, heat
    # map and drift are drawn. Perception gaps (1 shared rater) and the states say their
    # groups are too small, without a number (rule 1 of workshop.anonymity).
    assert page.count("Plotly.newPlot") == 3
    assert page.count("every group here has fewer than 5") == 2
    assert len(page) > 1_000_000  # plotly.js itself travels inside the file


def test_anonymised_json_holds_counts_and_masked_groups_only(store, small):
    data = json.loads(session_report.export(store, small, "json"))
    assert data["progress"] == {"joined": 4, "inventory": 0, "health": 4, "plan": 0}
    assert data["waiting_for"]["dimensions"] == 1
    assert all(row["mean"] is None and row["respondents"] is None
               for row in data["tables"]["dimensions"])
    text = json.dumps(data)
    assert "Acme" not in text and "jotting" not in text and "participant" not in text


def test_anonymised_csv_is_one_long_table(store, small):
    _rate(store, small, 3)
    rows = list(csv.DictReader(io.StringIO(session_report.export(store, small, "csv"))))
    assert list(rows[0]) == session_report.LONG_COLUMNS
    trust = [r for r in rows if r["table"] == "dimensions" and r["dimension"] == "trust"]
    assert {r["measure"]: r["value"] for r in trust}["mean"] == "3"
    assert {r["respondents"] for r in trust} == {"5"}
    assert not any("Acme" in v for r in rows for v in r.values())


def test_full_export_is_the_backup_and_not_for_html(store, small):
    backup = json.loads(session_report.export(store, small, "json", full=True))
    assert len(backup["participants"]) == 4
    with pytest.raises(ValueError, match="always anonymised"):
        session_report.export(store, small, "html", full=True)
    with pytest.raises(ValueError, match="unknown export format"):
        session_report.export(store, small, "pdf")
    assert session_report.filename(small, "json", full=True).endswith("-backup.json")


def test_cli_exports_html_and_anonymised_json_by_default(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    assert cli.main(["demo", "--db", str(db)]) == 0
    html_file, json_file = tmp_path / "r.html", tmp_path / "r.json"
    assert cli.main(["export", DEMO_CODE, "--format", "html", "--db", str(db),
                     "-o", str(html_file)]) == 0
    assert cli.main(["export", DEMO_CODE, "--db", str(db), "-o", str(json_file)]) == 0
    out = capsys.readouterr().out
    assert "anonymised html export" in out
    page = html_file.read_text(encoding="utf-8")
    assert page.count("Plotly.newPlot") == 5 and "Harbor &amp; Pine" not in page
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["format"].endswith("anonymised-report") and data["respondents"] == 12
    assert cli.main(["export", DEMO_CODE, "--format", "html", "--full", "--db", str(db),
                     "-o", str(html_file)]) == 1
    assert "always anonymised" in capsys.readouterr().err
