"""``reset-workshop``: the command line over the same store every surface uses.

Each command is one small function registered in :data:`COMMANDS`; errors the user can fix
print one line on stderr and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from . import config, creation
from .errors import InvalidInput, WorkshopError

EPILOG = ("Settings come from flags, then environment variables (RESET_WORKSHOP_DB, "
          "RESET_WORKSHOP_PORT, RESET_WORKSHOP_HOST, RESET_WORKSHOP_URL; who may create "
          "sessions on the served facilitator page: RESET_WORKSHOP_CREATE_SESSIONS=anyone|key|"
          "nobody with RESET_WORKSHOP_CREATE_KEY; kernels: RESET_WORKSHOP_MAX_KERNELS, "
          "RESET_WORKSHOP_KERNEL_IDLE, RESET_WORKSHOP_KERNEL_GRACE, "
          "RESET_WORKSHOP_FORK_KERNELS=0 for ordinary kernel processes), then the config file "
          "(RESET_WORKSHOP_CONFIG, default: config.toml in the user config dir), then defaults.")

COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable]] = {}


def command(name: str, help: str):
    """Register ``fn(args)`` as a sub-command; ``fn.arguments(parser)`` adds its flags."""
    def register(fn):
        COMMANDS[name] = (help, fn)
        return fn
    return register


def _open_store(args, *, create: bool = False):
    """The store ``--db`` names. Only commands that add data pass ``create``: the others
    refuse a database file that does not exist rather than make an empty one."""
    from . import db
    from .store import Store
    args.database = config.database(args.db)
    return Store.open(db.url_for(args.database, create=create))


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH|URL",
                        help="SQLite file or database URL (default: see 'reset-workshop --help')")


@command("new-session", "create a workshop session; prints its join code and facilitator key")
def new_session(args) -> int:
    with _open_store(args, create=True) as store:
        session, key = store.add_session(args.title, args.date,
                                         anonymity_threshold=args.anonymity_threshold)
    print(f"Session:         {session.title} ({session.date})")
    print(f"Join code:       {session.code}")
    print(f"Facilitator key: {key}")
    print("Keep the facilitator key safe: it is shown only now.")
    return 0


def _new_session_args(parser):
    parser.add_argument("title", help="session title, e.g. 'Q3 client reset'")
    parser.add_argument("--date", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="workshop date (default: today)")
    parser.add_argument("--anonymity-threshold", type=int, default=5, metavar="N",
                        help="respondents needed before group charts show (default 5, min 3)")


new_session.arguments = _new_session_args


@command("demo", "load the demo session (12 participants) and print its codes")
def demo(args) -> int:
    from .demo import load_demo
    with _open_store(args, create=True) as store:
        loaded = load_demo(store)
    first, resume = next(iter(loaded.resume_codes.items()))
    print(f"Demo session:    {loaded.session.title}")
    print(f"Join code:       {loaded.session.code}")
    print(f"Facilitator key: {loaded.facilitator_key}")
    print(f"Resume code of demo participant {first}: {resume}")
    return 0


@command("sessions", "list the sessions in the database")
def sessions(args) -> int:
    with _open_store(args) as store:
        found = store.find_sessions()
        counts = {s.id: len(store.find_participants(s.id)) for s in found}
    if not found:
        print("No sessions yet. Create one with 'reset-workshop new-session TITLE'.")
    for s in found:
        print(f"{s.code}  {s.date}  {s.status:<6}  {counts[s.id]:>3} participants  {s.title}")
    return 0


@command("export", "export a session: anonymised report (html), figures (csv, json) or, "
                   "with --full, everything")
def export(args) -> int:
    from . import session_report
    with _open_store(args) as store:
        session = store.find_session(args.code)
        payload = session_report.export(store, session, args.format, full=args.full)
    _write_output(args.output, payload)
    what = "full" if args.full else "anonymised"
    print(f"Wrote {what} {args.format} export of session {session.code} to {args.output}")
    return 0


def _export_args(parser):
    parser.add_argument("code", help="the session's join code")
    parser.add_argument("--format", choices=["html", "csv", "json"], default="json",
                        help="html: self-contained session report (agenda, counts, anonymised "
                             "group charts); csv/json: the same anonymised figures as data "
                             "(default: json)")
    parser.add_argument("--full", action="store_true",
                        help="everything participants entered, private text included: json is "
                             "the complete backup that 'import' reads, csv one row per rating. "
                             "Given here because the CLI holds the database itself; the "
                             "console asks for the facilitator key instead. Not with html.")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")


export.arguments = _export_args


@command("import", "import a session from a full backup ('export CODE --full --format json'); "
                   "all or nothing")
def import_(args) -> int:
    from . import backup
    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise WorkshopError(f"{args.file}: is not a text file, so not a backup") from None
    except json.JSONDecodeError as exc:
        raise WorkshopError(f"{args.file}: is not valid JSON ({exc.msg}, line {exc.lineno}), "
                            "so not a backup") from None
    try:
        rows = backup.check_backup(data)  # the whole file, before the database is opened
        with _open_store(args, create=True) as store:
            session = backup.write_backup(store, rows)
    except (backup.NotABackup, InvalidInput) as exc:
        raise WorkshopError(f"{args.file}: {exc}") from None
    print(f"Imported session {session.code}: {session.title}")
    return 0


import_.arguments = lambda parser: parser.add_argument(
    "file", type=Path, help="a full backup made by 'reset-workshop export CODE --full "
                            "--format json -o FILE'")


@command("serve", "serve the participant and facilitator apps with Voilà until Ctrl-C")
def serve(args) -> int:
    from .app import serving
    port = config.port(args.port)  # checked before anything starts
    database = config.database(args.db)
    kernels = config.kernel_settings(args.max_kernels, args.kernel_idle, args.kernel_grace)
    creating = creation.rule(args.create_sessions, make_key=True)
    made_key = creating.who == "key" and not config.setting("create_key")
    demo_code = None
    with _open_store(args, create=True) as store:  # create and migrate it before serving
        if args.demo:
            from .demo import load_demo
            loaded = load_demo(store)
            demo_code = loaded.session.code
            print(f"Demo session {demo_code} loaded; facilitator key: {loaded.facilitator_key}")
    server = serving.Server(port=port,
                            host=str(config.setting("host", args.host)),
                            public_url=config.setting("public_url", args.public_url),
                            prefix=args.base_url, **kernels)
    os.environ.update(creating.environment())  # the kernels inherit it (Server.env)
    if args.db_pool is not None:  # each kernel's own connections to PostgreSQL
        os.environ["RESET_WORKSHOP_DB_POOL"] = str(args.db_pool)
    if made_key:
        print(f"Creation key (asked for to create a session): {creating.key}")
    try:
        return serving.run(server, database, demo_code=demo_code,
                           open_browser=not args.no_browser)
    except serving.ServerError as exc:
        raise WorkshopError(str(exc)) from None


def _serve_args(parser):
    parser.add_argument("--port", type=_port, default=None, metavar="N",
                        help="port to serve on, 1-65535 (default 8866)")
    parser.add_argument("--host", default=None, metavar="H",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 for a room)")
    parser.add_argument("--public-url", default=None, metavar="URL",
                        help="address participants use, if not http://HOST:PORT (behind a "
                             "proxy: the proxy's address)")
    parser.add_argument("--base-url", default="/", metavar="PATH",
                        help="serve the apps under this path, e.g. /workshop/ (default /)")
    parser.add_argument("--demo", action="store_true",
                        help="load the demo session (join code RESET2) first")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open the participant app in a browser")
    parser.add_argument("--max-kernels", default=None, metavar="N",
                        help="most pages (kernels) served at once; beyond it a page says the "
                             "room is full (default 120; 0: no cap)")
    parser.add_argument("--kernel-idle", default=None, metavar="TIME",
                        help="free a page's kernel this long after its connection is lost, "
                             "e.g. 15m (the default), 900, 1h; 0: never")
    parser.add_argument("--kernel-grace", default=None, metavar="TIME",
                        help="free a fetched page's kernel if it never connects within this "
                             "time (default 2m)")
    parser.add_argument("--db-pool", type=_pool, default=None, metavar="N",
                        help="PostgreSQL: connections each page's kernel keeps open "
                             "(default 5; a page uses 1 in steady state, a burst briefly "
                             "more). Size max_connections >= replicas x --max-kernels x N + 10")
    parser.add_argument("--create-sessions", choices=creation.WHO, default=None,
                        help="who may create sessions on the facilitator page: anyone (the "
                             "default), key (only with the creation key from "
                             "RESET_WORKSHOP_CREATE_KEY or the config file's create_key; made "
                             "and printed if unset) or nobody (use new-session)")


serve.arguments = _serve_args



@command("lab", "open the self-guided notebooks in JupyterLab (on the same store)")
def lab(args) -> int:
    import subprocess

    from . import lab as guide_lab
    database = config.database(args.db)
    guide = guide_lab.reader_guide(args.folder)
    print(f"Opening the guide in {guide} (store: {database})")
    argv = guide_lab.lab_argv(guide, args.no_browser, args.jupyter_args)
    return subprocess.call(argv, env=guide_lab.lab_env(database))


def _lab_args(parser):
    parser.add_argument("--no-browser", action="store_true",
                        help="start JupyterLab without opening a browser (passed to jupyter lab)")
    parser.add_argument("--folder", type=Path, default=None, metavar="DIR",
                        help="work on a copy of the guide in DIR (default: the checkout's guide, "
                             "or a copy in your documents folder for an installed kit)")
    parser.add_argument("jupyter_args", nargs=argparse.REMAINDER, metavar="-- JUPYTER_ARGS",
                        help="further options for jupyter lab, after --")


lab.arguments = _lab_args


@command("export-dashboard", "write a session's team dashboard as one self-contained HTML file")
def export_dashboard(args) -> int:
    from .dashboard_html import export_dashboard as write_dashboard
    with _open_store(args) as store:
        write_dashboard(store, args.code, args.output)
    print(f"Wrote the team dashboard of session {args.code.upper()} to {args.output}")
    return 0


def _export_dashboard_args(parser):
    parser.add_argument("code", help="the session's join code")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html")


export_dashboard.arguments = _export_dashboard_args


@command("print-kit", "write the printable cards (dimensions, states) and the agenda handout "
                      "as print-ready HTML")
def print_kit(args) -> int:
    from . import printkit
    session = None
    if args.session:
        with _open_store(args) as store:
            session = store.find_session(args.session)
    written = printkit.write_kit(args.output, session, args.paper, args.cut_marks)
    what = f"session {session.code}" if session else "the method content"
    print(f"Wrote {len(written)} files for {what} ({args.paper.upper()}) to {args.output}: "
          + ", ".join(path.name for path in written))
    return 0


def _print_kit_args(parser):
    parser.add_argument("--session", metavar="CODE", default=None,
                        help="follow this session's own dimensions and timeboxes (default: "
                             "the method content as shipped or in RESET_WORKSHOP_CONTENT)")
    parser.add_argument("--paper", choices=["a4", "letter"], default="a4",
                        help="page size the sheets are laid out for (default a4)")
    parser.add_argument("--cut-marks", action="store_true",
                        help="print cut marks at the cards' edges instead of an outline")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder to write cards.html and agenda-handout.html into")


print_kit.arguments = _print_kit_args


@command("proxy-config", "write a HAProxy or nginx config for several 'serve' replicas "
                         "sharing one PostgreSQL database")
def proxy_config(args) -> int:
    from . import proxy
    text = proxy.render(args.kind, proxy.parse_replicas(args.replicas), listen=args.listen,
                        public_url=config.setting("public_url", args.public_url),
                        base_url=args.base_url, tls_cert=args.tls_cert)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    _write_output(args.output, text)
    print(f"Wrote the {args.kind} config for {args.replicas} to {args.output}", file=sys.stderr)
    return 0


def _proxy_config_args(parser):
    from .proxy import KINDS
    parser.add_argument("--replicas", required=True, metavar="HOST:PORT,...",
                        help="the replicas, each started with 'reset-workshop serve --port N "
                             "--db postgresql://... --public-url URL'")
    parser.add_argument("--kind", choices=KINDS, default="haproxy",
                        help="the proxy, as installed from the distribution (default haproxy)")
    parser.add_argument("--public-url", default=None, metavar="URL",
                        help="the address participants use (the replicas' --public-url); its "
                             "port is the one the proxy listens on unless --listen says")
    parser.add_argument("--listen", default=None, metavar="[HOST:]PORT",
                        help="where the proxy listens (default: the public URL's port, else "
                             "80, or 443 with --tls-cert)")
    parser.add_argument("--base-url", default="/", metavar="PATH",
                        help="the replicas' --base-url, if they serve under a path")
    parser.add_argument("--tls-cert", default=None, metavar="PEM",
                        help="certificate and key in one PEM file: the proxy serves HTTPS")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="write here (default: standard output)")


proxy_config.arguments = _proxy_config_args


@command("status", "show each replica's pages, connections and memory, and the machine's "
                   "headroom (run it on the replicas' machine)")
def status(args) -> int:
    from . import capacity, proxy
    replicas = proxy.parse_replicas(
        args.replicas or f"127.0.0.1:{config.port(None)}")
    statuses = [capacity.look(replica, args.base_url) for replica in replicas]
    if args.json:
        print(json.dumps({"replicas": [vars(s) for s in statuses],
                          "machine": vars(capacity.machine())}, indent=1))
    else:
        print(capacity.report(statuses, capacity.machine()))
    down = [s for s in statuses if not s.up]
    if down:
        print(f"reset-workshop: error: {len(down)} of {len(statuses)} replica(s) did not "
              f"answer: {', '.join(s.address for s in down)}", file=sys.stderr)
    return 1 if down else 0


def _status_args(parser):
    parser.add_argument("--replicas", default=None, metavar="HOST:PORT,...",
                        help="the servers to ask (default: 127.0.0.1 and the configured port)")
    parser.add_argument("--base-url", default="/", metavar="PATH",
                        help="the servers' --base-url, if they serve under a path")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")


status.arguments = _status_args

def _write_output(path: Path, payload: str | bytes) -> None:
    mode = "wb" if isinstance(payload, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
        handle.write(payload)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reset-workshop", epilog=EPILOG,
        description="Relationship Reset Workshop Kit: run sessions, serve the apps, export.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, fn) in COMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG)
        _add_db(child)
        if hasattr(fn, "arguments"):
            fn.arguments(child)
        child.set_defaults(run=fn)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = None
    try:
        args = build_parser().parse_args(argv)
        return args.run(args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # only errors a user can act on are shown plainly; bugs re-raise
        message = _plain(exc, getattr(args, "database", None))
        if message is None:
            raise
        print(f"reset-workshop: error: {message}", file=sys.stderr)
        return 1


def _pool(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number, 1 or more")
    return int(text)


def _port(text: str) -> int:
    """``--port``: refused at once, with one line and exit 1, if it is no port number."""
    return config.port_number(text, "--port")


def _plain(exc: BaseException, database: str | None) -> str | None:
    """One line for an error the user can fix, or None for a bug (shown as a traceback)."""
    text = None
    if "sqlalchemy" in sys.modules:
        from . import db
        text = db.failure(exc, database)
    if text is None and isinstance(exc, (WorkshopError, OSError, ValueError)):
        text = str(exc) or type(exc).__name__
        if isinstance(exc, OSError) and exc.filename:
            text = f"{exc.filename}: {exc.strerror or text}"
    return None if text is None else " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
