"""The `yiwang` command: demo, serve, migrate, import-catalog, createadmin.

Every subcommand finds its database the same way (see `yiwang.config.environment`):
YIWANG_DATABASE_URL if set, else SQLite in the data folder (--data-dir, else YIWANG_DATA_DIR,
else ~/.local/share/yiwang).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

DEMO_CATALOG = Path(__file__).resolve().parent / "catalog" / "data" / "catalog-fengxian.json"


def _fail(message: str) -> int:
    print(f"yiwang: error: {message}", file=sys.stderr)
    return 2


def _setup_django(data_dir: str | None) -> None:
    if data_dir:
        os.environ["YIWANG_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
    import django

    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def _describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _import_catalog(path: Path) -> int:
    from yiwang.catalog.importer import CatalogFileError, load_catalog_file
    from yiwang.catalog.services import import_catalog

    try:
        data = load_catalog_file(path)
    except CatalogFileError as exc:
        for line in exc.errors:
            print(f"yiwang: error: {line}", file=sys.stderr)
        return 2
    report = import_catalog(data=data)
    print(report.summary())
    return 0


def cmd_migrate(args) -> int:
    _setup_django(args.data_dir)
    _migrate(verbose=True)
    print(f"migrated: {_describe_database()}")
    return 0


def cmd_import_catalog(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"catalogue file not found: {path}")
    _setup_django(args.data_dir)
    _migrate()
    return _import_catalog(path)


def cmd_createadmin(args) -> int:
    _setup_django(args.data_dir)
    _migrate()
    from yiwang.accounts.services import create_administrator
    from yiwang.core.errors import DomainError

    password = args.password or os.environ.get("YIWANG_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            return _fail("no password: pass --password or set YIWANG_ADMIN_PASSWORD")
        password = getpass.getpass("Password: ")
    try:
        user = create_administrator(username=args.username, password=password, real_name=args.name or args.username)
    except DomainError as exc:
        return _fail(f"{exc.message_en} ({exc.code})")
    print(f"administrator {user.username} ready")
    return 0


def _prepare_demo() -> None:
    from yiwang.accounts.services import ensure_demo_accounts

    _migrate()
    from yiwang.catalog.selectors import catalog_is_loaded

    if not catalog_is_loaded():
        code = _import_catalog(DEMO_CATALOG)
        if code:
            raise SystemExit(code)
    accounts = ensure_demo_accounts()
    print(f"Database: {_describe_database()}")
    print("Demo accounts (username / password — role):")
    for account in accounts:
        print(f"  {account.username:<16} {account.password:<16} {account.description}")


def _run_gunicorn(bind: str, workers: int, threads: int, extra_env: dict | None = None) -> int:
    from gunicorn.app.base import BaseApplication

    from yiwang.config.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 10)

        def load(self):
            return application

    Server().run()
    return 0


def cmd_demo(args) -> int:
    _setup_django(args.data_dir)
    _prepare_demo()
    url = f"http://{args.host}:{args.port}/"
    print(f"Serving the demo on {url}  (Ctrl+C to stop)")
    sys.stdout.flush()
    return _run_gunicorn(f"{args.host}:{args.port}", workers=2, threads=4)


def cmd_serve(args) -> int:
    _setup_django(args.data_dir)
    if args.migrate:
        _migrate()
    return _run_gunicorn(f"{args.host}:{args.port}", workers=args.workers, threads=args.threads)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yiwang",
        description="一网通办 platform. The database is YIWANG_DATABASE_URL (PostgreSQL) if set, "
        "else SQLite in the data folder (--data-dir, else YIWANG_DATA_DIR, else ~/.local/share/yiwang).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str, func):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--data-dir", help="data folder for SQLite, uploads and keys (default: YIWANG_DATA_DIR or ~/.local/share/yiwang)")
        p.set_defaults(func=func)
        return p

    p = add("demo", "Migrate, load the reference catalogue and demo accounts (printed), and serve the demo.", cmd_demo)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")

    p = add("serve", "Serve the platform in production with gunicorn (WSGI).", cmd_serve)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1)))
    p.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    p.add_argument("--migrate", action="store_true", help="apply database migrations before serving")

    add("migrate", "Create or upgrade the database schema.", cmd_migrate)

    p = add("import-catalog", "Validate a catalogue file (format yiwang-catalog/1) and load it; re-import updates in place.", cmd_import_catalog)
    p.add_argument("file")

    p = add("createadmin", "Create or reset an administrator account (password from --password, YIWANG_ADMIN_PASSWORD or a prompt).", cmd_createadmin)
    p.add_argument("username")
    p.add_argument("--password")
    p.add_argument("--name", help="the administrator's real name")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from yiwang.config.environment import ConfigurationError

    try:
        return args.func(args)
    except ConfigurationError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
