"""``reset-workshop lab``: JupyterLab on the self-guided notebooks, with the kit's store.

In a source checkout the guide opens where it is. An installed kit keeps its notebooks inside
the package, so they are first copied to a folder of the user's own (files already there are
kept, so a reader's edits survive an upgrade).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import platformdirs

PACKAGE = Path(__file__).resolve().parent
FIRST = "01-why-reset.ipynb"


def packaged_guide() -> Path:
    """The guide notebooks shipped with the kit: the checkout's, else the installed copy."""
    for candidate in (PACKAGE / "_bundle" / "notebooks" / "guide",
                      PACKAGE.parent / "notebooks" / "guide"):
        if (candidate / FIRST).is_file():
            return candidate
    raise FileNotFoundError(f"cannot find the guide notebooks next to {PACKAGE}")


def default_copy() -> Path:
    return Path(platformdirs.user_documents_dir()) / "Relationship Reset Guide"


def reader_guide(folder: Path | None = None) -> Path:
    """Where the reader works: ``folder`` (a copy), the checkout's guide, or a personal copy."""
    source = packaged_guide()
    if folder is None and "_bundle" not in source.parts:
        return source
    target = Path(folder) if folder else default_copy()
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(source.glob("*.ipynb")):
        if not (target / notebook.name).exists():
            shutil.copyfile(notebook, target / notebook.name)
    return target


def lab_argv(guide: Path, no_browser: bool = False, extra: list[str] | None = None) -> list[str]:
    """The JupyterLab command that opens the first guide notebook (root: the guide folder)."""
    extra = list(extra or [])
    if extra[:1] == ["--"]:  # argparse keeps the separator in front of what follows it
        extra = extra[1:]
    argv = [sys.executable, "-m", "jupyterlab", str(guide / FIRST)]
    return argv + (["--no-browser"] if no_browser else []) + extra


def lab_env(database: str, base: dict | None = None) -> dict[str, str]:
    """The environment for JupyterLab: its kernels use ``database`` as the store."""
    env = dict(os.environ if base is None else base)
    env["RESET_WORKSHOP_DB"] = database
    return env
