"""App configuration: CLI flags, then environment variables, then a config file, then defaults.

=================  ========================  ===================  =========================
setting            flag                      environment          default
=================  ========================  ===================  =========================
database           ``--db PATH|URL``         RESET_WORKSHOP_DB    user data dir / workshop.sqlite
port               ``--port N``              RESET_WORKSHOP_PORT  8866
host               ``--host H``              RESET_WORKSHOP_HOST  127.0.0.1
public URL         ``--public-url URL``      RESET_WORKSHOP_URL   http://HOST:PORT
=================  ========================  ===================  =========================

The config file is TOML (``RESET_WORKSHOP_CONFIG``, default ``config.toml`` in the user config
dir), with the same names as keys: ``db = "..."``, ``port = 8866``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = "relationship-reset-workshop"
DEFAULTS = {"port": 8866, "host": "127.0.0.1", "public_url": None}
ENV = {"db": "RESET_WORKSHOP_DB", "port": "RESET_WORKSHOP_PORT", "host": "RESET_WORKSHOP_HOST",
       "public_url": "RESET_WORKSHOP_URL"}


def config_file() -> Path:
    explicit = os.environ.get("RESET_WORKSHOP_CONFIG")
    return Path(explicit) if explicit else Path(platformdirs.user_config_dir(APP)) / "config.toml"


def _file_settings() -> dict:
    path = config_file()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the config file: {exc}") from exc


def setting(name: str, flag=None):
    """The value of ``name``: the flag if given, else the environment, file, default."""
    if flag is not None:
        return flag
    if os.environ.get(ENV[name]):
        return os.environ[ENV[name]]
    file_value = _file_settings().get(name)
    if file_value is not None:
        return file_value
    if name == "db":
        return str(Path(platformdirs.user_data_dir(APP)) / "workshop.sqlite")
    return DEFAULTS[name]


def database(flag: str | None = None) -> str:
    """The database to use: a SQLite file path or a SQLAlchemy URL."""
    return str(setting("db", flag))
