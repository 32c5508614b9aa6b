"""App configuration: CLI flags, then environment variables, then a config file, then defaults.

=================  ========================  ===================  =========================
setting            flag                      environment          default
=================  ========================  ===================  =========================
database           ``--db PATH|URL``         RESET_WORKSHOP_DB    user data dir / workshop.sqlite
port               ``--port N``              RESET_WORKSHOP_PORT  8866
host               ``--host H``              RESET_WORKSHOP_HOST  127.0.0.1
public URL         ``--public-url URL``      RESET_WORKSHOP_URL   http://HOST:PORT
kernel cap         ``--max-kernels N``       ..._MAX_KERNELS      120 (0: no cap)
kernel idle time   ``--kernel-idle TIME``    ..._KERNEL_IDLE      15m after the page left
kernel grace       ``--kernel-grace TIME``   ..._KERNEL_GRACE     2m for a page to connect
session creation   ``--create-sessions W``   ..._CREATE_SESSIONS  anyone (or key, nobody)
creation key       (no flag)                 ..._CREATE_KEY       made and printed by serve
=================  ========================  ===================  =========================

Who may create sessions on the facilitator page, and the creation key ``key`` asks for: see
:mod:`workshop.creation`.

The three kernel settings (``RESET_WORKSHOP_`` + the name shown) default to the packaged
``voila.json`` (``KitKernelManager``); see :mod:`workshop.app.kernels`. A TIME is seconds or a
number with ``s``, ``m`` or ``h`` (``90``, ``90s``, ``15m``, ``1h``); ``0`` never reclaims.

The config file is TOML (``RESET_WORKSHOP_CONFIG``, default ``config.toml`` in the user config
dir), with the same names as keys: ``db = "..."``, ``port = 8866``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import platformdirs

from .errors import WorkshopError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = "relationship-reset-workshop"
PORTS = (1, 65535)
DEFAULTS = {"port": 8866, "host": "127.0.0.1", "public_url": None,
            "max_kernels": None, "kernel_idle": None, "kernel_grace": None,
            "create_sessions": "anyone", "create_key": None}
ENV = {"db": "RESET_WORKSHOP_DB", "port": "RESET_WORKSHOP_PORT", "host": "RESET_WORKSHOP_HOST",
       "public_url": "RESET_WORKSHOP_URL", "max_kernels": "RESET_WORKSHOP_MAX_KERNELS",
       "kernel_idle": "RESET_WORKSHOP_KERNEL_IDLE", "kernel_grace": "RESET_WORKSHOP_KERNEL_GRACE",
       "create_sessions": "RESET_WORKSHOP_CREATE_SESSIONS",
       "create_key": "RESET_WORKSHOP_CREATE_KEY"}
UNITS = {"s": 1, "m": 60, "h": 3600}


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


def port(flag: int | None = None) -> int:
    """The port to serve on, checked whatever its source: a whole number from 1 to 65535."""
    if flag is not None:
        return port_number(flag, "--port")
    if os.environ.get(ENV["port"]):
        return port_number(os.environ[ENV["port"]], ENV["port"])
    file_value = _file_settings().get("port")
    if file_value is not None:
        return port_number(file_value, f"{config_file()}: port")
    return DEFAULTS["port"]


def port_number(value, source: str = "--port") -> int:
    """``value`` as a TCP port, or :class:`~workshop.errors.WorkshopError` naming ``source``."""
    text = str(value).strip()
    number = int(text) if re.fullmatch(r"[0-9]{1,5}", text) else None
    if number is None or not PORTS[0] <= number <= PORTS[1]:
        raise WorkshopError(f"{source}: must be a port number from {PORTS[0]} to {PORTS[1]}, "
                            f"not {text or repr(value)}")
    return number


def database(flag: str | None = None) -> str:
    """The database to use: a SQLite file path or a SQLAlchemy URL."""
    return str(setting("db", flag))


def duration(value, name: str) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"`` or ``"1h"``; a one-line error otherwise."""
    text = str(value).strip().lower()
    number, unit = (text[:-1], text[-1]) if text[-1:] in UNITS else (text, "s")
    try:
        seconds = float(number) * UNITS[unit]
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ValueError(f"{name} {value!r}: give seconds or a number with s, m or h "
                         "(for example 90, 15m, 1h)")
    return seconds


def kernel_settings(max_kernels=None, idle=None, grace=None) -> dict:
    """The kernel cap and times (flags, then environment, file); None keeps voila.json's."""
    chosen = {"max_kernels": setting("max_kernels", max_kernels),
              "kernel_idle": setting("kernel_idle", idle),
              "kernel_grace": setting("kernel_grace", grace)}
    cap = chosen["max_kernels"]
    if cap is not None:
        if not str(cap).strip().isdigit():
            raise ValueError(f"max kernels {cap!r}: give a whole number (0: no cap)")
        chosen["max_kernels"] = int(str(cap).strip())
    for key, label in (("kernel_idle", "kernel idle time"), ("kernel_grace", "kernel grace")):
        if chosen[key] is not None:
            chosen[key] = duration(chosen[key], label)
    return chosen
