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


MISSING = preload()
read_content()
gc.collect()
gc.freeze()  # keep the imported objects out of the collector's passes: fewer pages copied
