"""What the fork server imports once, so that every forked kernel shares it.

Imported by :mod:`multiprocessing.forkserver` before any kernel is forked (see
:mod:`workshop.app.forkserver`). Only imports: nothing here may start a thread, open a socket,
a ZMQ context, an event loop or a database connection, since a fork keeps none of them working.
Kernels that fork after this pay neither the import time nor the memory of these modules.
"""

import gc
import importlib
import os

# debugpy (under ipykernel.debugger) warns on import that frozen modules may hide breakpoints;
# nobody debugs a served page, so keep the server's log free of it.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
# A served page is the only view of its widgets, so the kernel need not echo every value the
# page sets back to it (ipywidgets 8's "echo_update", for other views of the same model; the
# page applies the kernel's own updates either way). Read when ipywidgets is imported.
os.environ.setdefault("JUPYTER_WIDGETS_ECHO", "0")

MODULES = [
    # the kernel itself
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.comm", "comm", "ipywidgets",
    "ipykernel.debugger",  # named by a traitlets Type, so each kernel imported it (debugpy)
    # the libraries the apps use once someone is in
    "numpy", "pandas", "plotly.graph_objects", "plotly.io", "sqlalchemy",
    "sqlalchemy.dialects.sqlite", "pydantic", "jinja2", "yaml", "icalendar", "anywidget",
    # the kit: store, rules, charts and every app's views
    "workshop.store", "workshop.tidy", "workshop.scoring", "workshop.charts",
    "workshop.aggregate", "workshop.group_charts", "workshop.planner", "workshop.action_plan",
    "workshop.app.participant", "workshop.app.workbook", "workshop.app.inventory",
    "workshop.app.health", "workshop.app.map_view", "workshop.app.plan_view",
    "workshop.app.plan_form", "workshop.app.checkin", "workshop.app.phase",
    "workshop.app.device", "workshop.app.facilitator", "workshop.dashboard_view",
    "workshop.app.invite_panel", "workshop.comparison",  # the plan step's comparison panel
]


def preload() -> list[str]:
    """Import every module above that exists; the names that could not be imported."""
    missing = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def read_content() -> None:
    """Parse and validate the method content (YAML, pydantic) once for every kernel; a kernel
    whose ``RESET_WORKSHOP_CONTENT`` differs reads its own (``forkserver.run_kernel``)."""
    try:
        from workshop.content import content
        content()
    except Exception:  # a broken content folder is reported by the kernel that reads it
        pass


def rehearse_charts() -> None:
    """Draw the participant's map charts once for two made-up relationships, with no
    database and no widgets. The first drawing in a process loads what Plotly, narwhals and
    pandas only load when first used (validators, trace modules, namespaces): 40-60 ms that
    each kernel paid when its map was drawn, now paid once here."""
    try:
        from datetime import datetime, timedelta, timezone

        from workshop import charts, tidy
        from workshop.content import content
        from workshop.model import CheckIn, Relationship, make
        weights = content().default_weights
        now = datetime.now(timezone.utc)
        people = [make(Relationship, participant_id="rehearsal", label=label)
                  for label in ("A client", "A partner")]
        checkins = [make(CheckIn, relationship_id=r.id, taken_at=now - timedelta(days=n),
                         ratings={d: 1 + (n + i) % 5 for i, d in enumerate(weights)})
                    for n, r in enumerate(people)]
        frames = tidy.Tidy(relationships=tidy.relationships_frame(people),
                           ratings=tidy.ratings_frame(checkins),
                           contacts=tidy.contacts_frame([]), plans=tidy.plans_frame([]),
                           weights=weights)
        scores, latest = frames.scores(), frames.latest_ratings()
        for figure in (charts.portfolio(scores), charts.priority_ranking(scores),
                       charts.state_counts(scores),
                       charts.radar(latest[latest["relationship_id"] == people[0].id])):
            charts.mime_bundle(figure)
    except Exception:  # only a speed-up: each kernel loads what it needs anyway
        pass


MISSING = preload()
read_content()
rehearse_charts()
gc.collect()
gc.freeze()  # keep the imported objects out of the collector's passes: fewer pages copied
