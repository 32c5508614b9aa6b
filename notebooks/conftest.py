"""Keep notebook runs (``pytest --nbval-lax notebooks/``) away from the user's own store.

nbval starts one kernel per notebook, and a kernel inherits this process's environment when
it starts. So just before the first cell of each notebook is set up (which is when nbval
starts that notebook's kernel), point ``RESET_WORKSHOP_DB`` at a fresh SQLite file of its own
in a temporary folder, and the config file at a path that does not exist. The environment is
put back as it was when the run ends.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

SETTINGS = ("RESET_WORKSHOP_DB", "RESET_WORKSHOP_CONFIG", "RESET_WORKSHOP_URL",
            "RESET_WORKSHOP_PORT", "RESET_WORKSHOP_HOST")
_SAVED = {name: os.environ.get(name) for name in SETTINGS}
_FOLDER = tempfile.TemporaryDirectory(prefix="reset-workshop-nbval-")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    notebook = item.parent
    if getattr(notebook, "rr_store", None) is not None:
        return
    folder = Path(tempfile.mkdtemp(prefix=re.sub(r"\W+", "-", notebook.name) + "-",
                                   dir=_FOLDER.name))
    notebook.rr_store = folder / "workshop.sqlite"
    for name in SETTINGS:
        os.environ.pop(name, None)
    os.environ["RESET_WORKSHOP_DB"] = str(notebook.rr_store)
    os.environ["RESET_WORKSHOP_CONFIG"] = str(folder / "no-config.toml")


def pytest_sessionfinish(session: pytest.Session) -> None:
    for name, value in _SAVED.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _FOLDER.cleanup()
