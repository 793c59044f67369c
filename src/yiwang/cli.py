"""The `yiwang` command: demo, serve, worker, migrate, import-catalog, createadmin, registry-service,
sms-simulator, search, staffing, evaluation, kiosk-agent.

Every subcommand finds its database the same way (see `yiwang.config.environment`):
YIWANG_DATABASE_URL if set, else SQLite in the data folder (--data-dir, else YIWANG_DATA_DIR,
else ~/.local/share/yiwang).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

DEMO_CATALOG = Path(__file__).resolve().parent / "catalog" / "data" / "catalog-fengxian.json"
DEMO_KIOSK_CARD = "31012019900307123X"  # 张三 of the registry's synthetic people


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


def _prepare_demo() -> str:
    from yiwang.accounts.services import ensure_demo_accounts

    _migrate()
    from yiwang.catalog.selectors import catalog_is_loaded

    if not catalog_is_loaded():
        code = _import_catalog(DEMO_CATALOG)
        if code:
            raise SystemExit(code)
    from yiwang.hall.demo import ensure_demo_hall

    from yiwang.evaluation.demo import seed_demo_cases

    accounts = ensure_demo_accounts()
    hall = ensure_demo_hall()
    seeded = seed_demo_cases()  # after the hall's history: the dashboard's aggregates cover both
    if seeded:
        print(f"evaluation: {seeded} past cases with ratings seeded for the dashboards")
    print(f"Database: {_describe_database()}")
    print("Demo accounts (username / password — role):")
    for account in [*accounts, *hall.accounts]:
        print(f"  {account.username:<16} {account.password:<16} {account.description}")
    print(f"ticket machine token: {hall.ticket_machine_token}")
    print(f"calling screen token: {hall.screen_token}")
    print(f"window 1 evaluator token: {hall.evaluator_token}")
    from yiwang.kiosks.demo import ensure_demo_kiosk

    kiosk_token = ensure_demo_kiosk()
    print(f"kiosk token: {kiosk_token}")
    return kiosk_token


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

    _drop_server_banner()
    Server().run()
    return 0


def _drop_server_banner() -> None:
    """gunicorn names itself and its version in a Server header on every response; say nothing."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response, "_yiwang_no_banner", False):
        return
    headers = wsgi.Response.default_headers

    def default_headers(self):
        return [line for line in headers(self) if not line.lower().startswith("server:")]

    wsgi.Response.default_headers = default_headers
    wsgi.Response._yiwang_no_banner = True


class PortTaken(Exception):
    """Another process holds a port the demo needs, or answers where its registry should (one line for the CLI)."""


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on `host`:`port` (a port merely in TIME_WAIT counts as free, as for the servers)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def free_port(host: str) -> int:
    """A port on `host` that nothing listens on now (the system's choice)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host.strip("[]"), 0))
        return probe.getsockname()[1]


def _registry_identity(url: str) -> dict | None:
    """The body of the registry's /healthz, or None while nothing (or nothing JSON) answers there."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=0.5) as response:
            body = json.loads(response.read(4096))
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _start_registry_service(host: str, port: int, data_dir: str | None, *, instance: str | None = None):
    """Start the local registry service as a child process; return it once its /healthz answers as that child.

    The child is given a fresh random `instance` and must name it at /healthz: a process that
    already listened on the port (another demo's registry, anything else) answers otherwise,
    and then PortTaken is raised instead of letting the platform use another process's
    registry. Returns None (with a warning) if nothing comes up: the demo still runs, and every
    fetch then tells the resident to upload instead.
    """
    import secrets
    import subprocess
    import time

    from yiwang.registries.adapters import platform_id, registry_credential
    from yiwang.registries.consent_key import platform_consent_public_key
    from yiwang.registry_service.app import SERVICE_NAME

    instance = instance or secrets.token_hex(16)
    command = [sys.executable, "-m", "yiwang", "registry-service", "--host", host, "--port", str(port)]
    if data_dir:
        command += ["--data-dir", data_dir]
    env = dict(os.environ)
    # The demo's registry knows exactly this platform: the credential it presents and the public
    # half of its consent-signing key (the private half stays in the data folder).
    env.setdefault("YIWANG_REGISTRY_PLATFORMS", f"{platform_id()}={registry_credential()}={platform_consent_public_key()}")
    env["YIWANG_REGISTRY_INSTANCE"] = instance
    url = f"http://{host}:{port}"
    child = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        identity = _registry_identity(url)
        if identity is not None:
            if identity.get("service") == SERVICE_NAME and identity.get("instance") == instance:
                return child
            _stop_child(child)
            raise PortTaken(f"another process answers on {host}:{port}, not the registry service this demo "
                            "started; stop it or choose another --registry-port (make demo: REGISTRY_PORT=...)")
        if child.poll() is not None:
            if not port_is_free(host, port):  # it could not listen: the port was taken since it was chosen
                raise PortTaken(f"{host}:{port} was taken by another process before the registry service could "
                                "listen there; run the demo again")
            break
        time.sleep(0.1)
    print(f"yiwang: warning: the registry service did not start on {host}:{port}; data sharing will be unavailable",
          file=sys.stderr)
    _stop_child(child)
    return None


def _stop_child(child) -> None:
    if child is None or child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=5)
    except Exception:
        child.kill()


def _start_worker(data_dir: str | None):
    """Start `yiwang worker` as a child process (the demo's background work and schedule)."""
    import subprocess

    command = [sys.executable, "-m", "yiwang", "worker"]
    if data_dir:
        command += ["--data-dir", data_dir]
    return subprocess.Popen(command, env=dict(os.environ))


def _start_kiosk_agent(port: int, token: str, origins: list[str], platform: str):
    """The demo kiosk's device agent as a child process: simulated reader with 张三's card, receipts to a file."""
    import subprocess

    from yiwang.config.environment import data_dir_from_env

    printer_file = data_dir_from_env() / "kiosk-printer.bin"
    command = [sys.executable, "-m", "yiwang", "kiosk-agent", "--port", str(port), "--printer-file", str(printer_file),
               "--keep-card", DEMO_KIOSK_CARD, "--platform", platform]
    for origin in origins:
        command += ["--origin", origin.rstrip("/")]
    return subprocess.Popen(command, env={**os.environ, "YIWANG_KIOSK_TOKEN": token})


def cmd_worker(args) -> int:
    _setup_django(args.data_dir)
    import signal
    import threading

    from yiwang.jobs.worker import backend_path, run_queue_worker, start_schedule, tick_once

    if args.migrate:
        _migrate()
    from django.core import checks

    problems = [m for m in checks.run_checks(tags=["notifications"]) if m.level >= checks.ERROR]
    if problems:
        return _fail("; ".join(m.msg for m in problems))
    stop = threading.Event()
    if args.burst:
        tick_once()
        run_queue_worker(burst=True)
        return 0

    def leave(signum, frame):
        stop.set()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)
    start_schedule(tick=args.tick, stop=stop)
    print(f"yiwang worker: {backend_path()} on {_describe_database()}, schedule every {args.tick:g} s", flush=True)
    try:
        run_queue_worker(poll_seconds=args.poll)
    except SystemExit:
        pass
    finally:
        stop.set()
    return 0


def _check_port(host: str, port: int, option: str, make_variable: str) -> None:
    """PortTaken (one line) when another process listens on the port the user asked for."""
    if not port_is_free(host, port):
        raise PortTaken(f"{host}:{port} is in use by another process; choose another {option} "
                        f"(make demo: {make_variable}=...)")


def cmd_demo(args) -> int:
    from yiwang.config.environment import default_public_url_to_served_address, served_url

    try:
        _check_port(args.host, args.port, "--port", "PORT")
        if args.registry_port is None:
            registry_port = free_port(args.registry_host)
        else:
            registry_port = args.registry_port
            _check_port(args.registry_host, registry_port, "--registry-port", "REGISTRY_PORT")
    except PortTaken as exc:
        return _fail(str(exc))
    except OSError as exc:  # not an address of this machine
        return _fail(f"cannot listen on {args.registry_host}: {exc.strerror}")
    # The platform reads these addresses when Django starts, so they are set before that (and the
    # worker child inherits them).
    registry_url = f"http://{args.registry_host}:{registry_port}"
    os.environ["YIWANG_REGISTRY_URL"] = registry_url
    public_url = default_public_url_to_served_address(args.host, args.port)
    kiosk_agent_port = free_port("127.0.0.1")
    os.environ["YIWANG_KIOSK_AGENT_URL"] = f"http://127.0.0.1:{kiosk_agent_port}"
    _setup_django(args.data_dir)
    owner = os.getpid()
    registry = worker = kiosk_agent = None
    try:
        try:
            registry = _start_registry_service(args.registry_host, registry_port, args.data_dir)
        except PortTaken as exc:
            return _fail(str(exc))
        kiosk_token = _prepare_demo()
        # The page's origin as the browser names it: the public address, the served one, localhost for 127.0.0.1.
        origins = sorted({public_url, served_url(args.host, args.port),
                          served_url(args.host, args.port).replace("//127.0.0.1:", "//localhost:")})
        kiosk_agent = _start_kiosk_agent(kiosk_agent_port, kiosk_token, origins, served_url(args.host, args.port))
        print(f"Kiosk: open {served_url(args.host, args.port)}/kiosk/device/ and give it the kiosk token; its device agent "
              f"(yiwang kiosk-agent) is on 127.0.0.1:{kiosk_agent_port}, its reader holding 张三's ID card")
        if registry is not None:
            print(f"Registry service (data sharing, 免交) on {registry_url}/")
        worker = _start_worker(args.data_dir)
        print("Background worker and schedule started (yiwang worker)")
        url = f"http://{args.host}:{args.port}/"
        if public_url != served_url(args.host, args.port):
            print(f"Licence QR codes point at {public_url}/ (YIWANG_PUBLIC_URL)")
        print(f"Serving the demo on {url}  (Ctrl+C to stop)")
        sys.stdout.flush()
        return _run_gunicorn(f"{args.host}:{args.port}", workers=2, threads=4)
    finally:
        # gunicorn's forked workers leave through this frame too; only the parent owns the children.
        if os.getpid() == owner:
            _stop_child(worker)
            _stop_child(kiosk_agent)
            _stop_child(registry)


def cmd_search(args) -> int:
    _setup_django(args.data_dir)
    _migrate()  # the curated synonyms arrive with a migration
    from yiwang.core.errors import DomainError
    from yiwang.search.selectors import search_as_json

    try:
        answer = search_as_json(args.query, args.limit)
    except DomainError as exc:
        if args.json:
            print(json.dumps(exc.as_dict(), ensure_ascii=False), file=sys.stderr)
            return 2
        return _fail(f"{exc.message_en} ({exc.code})")
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        for rank, hit in enumerate(answer["results"], 1):
            print(f"{rank:>2}. {hit['code']:<22} {hit['kind']:<6} {hit['score']:>8}  {hit['name']}")
    return 0


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _display_width(text))


def _read_staffing_input(source: str) -> bytes:
    from yiwang.staffing.constants import MAX_INPUT_BYTES

    if source == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {path}")
    with path.open("rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def _print_staffing_table(request, result, comparison: dict | None) -> None:
    body = result.as_dict()
    target = request.target
    model = f"Erlang A, mean patience {target.patience_minutes:g} min" if target.patience_minutes else "Erlang C"
    print(f"target: {target.service_level:.0%} called within {target.wait_seconds:g} s ({model})")
    interval_mode = request.interval_minutes is not None
    if interval_mode:
        print(f"{request.periods} intervals of {request.interval_minutes:g} min; a queue keeps its peak interval's windows")
    width = max(20, *(_display_width(q.name) for q in request.queues)) + 2
    if interval_mode:
        print(f"{_pad('queue', width)}{'peak/h':>9}{'windows':>9}{'window-h':>10}{'SL':>8}")
    else:
        print(f"{_pad('queue', width)}{'arrivals/h':>11}{'service min':>12}{'load':>8}{'windows':>9}{'SL':>8}")
    hours = (request.interval_minutes or 60) / 60
    for queue in result.dedicated:
        level = queue.service_level()
        level_text = f"{level:.3f}" if level is not None else "-"
        if interval_mode:
            print(f"{_pad(queue.name, width)}{max(queue.arrivals_per_hour):>9.1f}{queue.windows:>9}"
                  f"{sum(queue.per_period) * hours:>10.1f}{level_text:>8}")
        else:
            m = queue.periods[0]
            print(f"{_pad(queue.name, width)}{queue.arrivals_per_hour[0]:>11.1f}{queue.mean_service_minutes[0]:>12.1f}"
                  f"{m.offered_load:>8.2f}{m.windows:>9}{level_text:>8}")
    pooled = result.pooled
    print(f"dedicated total: {result.dedicated_total} windows")
    if interval_mode:
        print(f"pooled total: {result.pooled_total} windows (per interval: {' '.join(map(str, pooled.per_period))})")
        print(f"window-hours: dedicated {body['intervals']['dedicated']['window_hours']:g}, "
              f"pooled {body['intervals']['pooled']['window_hours']:g}")
    else:
        m = pooled.periods[0]
        print(f"pooled total: {result.pooled_total} windows ({pooled.arrivals_per_hour[0]:.1f}/h at "
              f"{pooled.mean_service_minutes[0]:.2f} min, load {m.offered_load:.2f}, SL {m.service_level:.3f})")
    print(f"saving: {result.saving} windows")
    if comparison:
        reported, gap = comparison["reported"], comparison["to_reach_reported_pooled"]
        print(f"reported by the district: {reported['dedicated']} -> {reported['pooled']} "
              f"(saving {reported['saving']}, {reported['saving_share']:.0%}); "
              f"this model: {comparison['model']['dedicated']} -> {comparison['model']['pooled']} "
              f"({comparison['model']['saving_share']:.0%})")
        print(f"pooling alone reaches {reported['pooled']} with window times x{gap['service_time_factor']:.2f} "
              f"or tickets x{gap['arrivals_factor']:.2f}")
        print("assumptions:")
        for line in comparison["assumptions_en"]:
            print(f"  - {line}")


def _print_simulation(check) -> None:
    print(f"simulation: {check.dedicated.replications} days of {check.day_minutes:g} min")
    for label, summary, analytical in (("dedicated", check.dedicated, check.dedicated_analytical),
                                       ("pooled", check.pooled, check.pooled_analytical)):
        level, wait = summary.service_level, summary.mean_wait_minutes
        promised = f"{analytical:.3f}" if analytical is not None else "-"
        print(f"  {label:<10} SL {level.mean:.3f} ± {level.half_width:.3f} (Erlang {promised}), "
              f"mean wait {wait.mean:.2f} ± {wait.half_width:.2f} min, utilisation {summary.utilisation.mean:.3f}, "
              f"abandoned {summary.abandonment_rate.mean:.3f}")


def cmd_evaluation(args) -> int:
    """Recompute the evaluation aggregates of a period (default: the nightly job's recent days)."""
    import datetime as dt

    _setup_django(args.data_dir)
    from yiwang.evaluation import services

    try:
        since = dt.date.fromisoformat(args.since) if args.since else None
        until = dt.date.fromisoformat(args.until) if args.until else None
    except ValueError:
        return _fail("--from and --to take dates as YYYY-MM-DD")
    if (since is None) != (until is None):
        return _fail("give both --from and --to, or neither (the recent days)")
    try:
        result = services.rebuild(since=since, until=until) if since else services.rebuild_recent()
    except ValueError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"evaluation: {result['rows']} figure rows for {result['since']}..{result['until']} in {result['seconds']} s")
    return 0


def cmd_kiosk_agent(args) -> int:
    """The device agent of one kiosk: its card reader and printer for the kiosk page, on loopback only."""
    from yiwang.kiosks import agent, drivers
    from yiwang.kiosks.fixtures import fixture_cards

    token = args.token or os.environ.get("YIWANG_KIOSK_TOKEN", "")
    if not token:
        return _fail("the kiosk's token is needed: --token or YIWANG_KIOSK_TOKEN")
    origins = set(args.origin or [os.environ.get("YIWANG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")])
    printer = drivers.FilePrinter(Path(args.printer_file))
    cards = fixture_cards()
    if args.keep_card and args.keep_card not in cards:
        return _fail(f"--keep-card: no synthetic person with ID number {args.keep_card}")
    reader = drivers.SimulatedCardReader(kept_card=cards.get(args.keep_card) if args.keep_card else None)
    config = agent.AgentConfig(token=token, origins=origins, reader=reader, printer=printer, drills=args.drills, fixtures=cards)
    try:
        server = agent.make_server(config, host=args.host, port=args.port)
    except ValueError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")
    if args.platform:
        agent.start_heartbeats(config, args.platform)
    print(f"kiosk agent on http://{args.host}:{server.server_address[1]}/ for {', '.join(sorted(origins))}; "
          f"receipts to {printer.path}{'; drills on' if args.drills else ''}"
          f"{f'; heartbeats to {args.platform} every {agent.HEARTBEAT_SECONDS} s' if args.platform else ''}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_staffing(args) -> int:
    from yiwang.core.errors import DomainError
    from yiwang.staffing import planner, scenarios

    def refuse(exc: DomainError) -> int:
        if args.json:
            print(json.dumps(exc.as_dict(), ensure_ascii=False), file=sys.stderr)
            return 2
        return _fail(f"{exc.message_en} ({exc.code})")

    if args.replications < 1 or args.replications > 1000:
        return _fail("--replications must be between 1 and 1000")
    comparison = None
    try:
        if args.scenario:
            document = scenarios.scenario(args.scenario)
            if args.scenario == "fengxian":
                comparison = scenarios.fengxian_comparison()
        else:
            try:
                raw = _read_staffing_input(args.input)
            except OSError as exc:
                return _fail(str(exc) if isinstance(exc, FileNotFoundError) else f"cannot read {args.input}: {exc.strerror}")
            document = planner.load_request_json(raw)
        request = planner.parse_request(document)
        result = planner.plan(request)
    except DomainError as exc:
        return refuse(exc)
    check = None
    if args.simulate:
        from yiwang.staffing.simulation import check_plan

        check = check_plan(request, result, replications=args.replications, seed=args.seed)
    if args.json:
        body = result.as_dict()
        if comparison:
            body["scenario"] = {key: value for key, value in comparison.items() if key != "plan"}
        if check:
            body["simulation"] = check.as_dict()
        print(json.dumps(body, ensure_ascii=False))
        return 0
    _print_staffing_table(request, result, comparison)
    if check:
        _print_simulation(check)
    return 0


def cmd_consent_key(args) -> int:
    _setup_django(args.data_dir)
    from yiwang.registries.adapters import platform_id
    from yiwang.registries.consent_key import key_path, platform_consent_public_key

    public = platform_consent_public_key()
    if args.json:
        print(json.dumps({"platform": platform_id(), "consent_key": public, "algorithm": "Ed25519"}))
    else:
        print(f"{platform_id()} Ed25519 {public}")
        print(f"(private key: {key_path()}; give the registries only the line above)", file=sys.stderr)
    return 0


def cmd_registry_service(args) -> int:
    from yiwang.registry_service.server import serve

    data_dir = Path(args.data_dir).expanduser().resolve() if args.data_dir else None
    return serve(host=args.host, port=args.port, data_dir=data_dir, fault_drills=args.fault_drills)


def cmd_sms_simulator(args) -> int:
    from yiwang.sms_simulator.server import DEMO_CREDENTIAL, DEMO_RECEIPT_TOKEN, serve

    return serve(host=args.host, port=args.port, name=args.name,
                 credential=os.environ.get("YIWANG_SMS_CREDENTIAL", DEMO_CREDENTIAL),
                 receipt_token=os.environ.get("YIWANG_SMS_RECEIPT_TOKEN", DEMO_RECEIPT_TOKEN),
                 log_path=Path(args.log).expanduser() if args.log else None, fault_drills=args.fault_drills)


def cmd_serve(args) -> int:
    from yiwang.config.environment import WILDCARD_HOSTS, default_public_url_to_served_address

    public_url_configured = bool(os.environ.get("YIWANG_PUBLIC_URL", "").strip())
    public_url = default_public_url_to_served_address(args.host, args.port)
    if not public_url_configured and args.host.strip() in WILDCARD_HOSTS:
        print(f"yiwang: warning: YIWANG_PUBLIC_URL is not set; licence QR codes point at {public_url}, "
              "which only this machine reaches", file=sys.stderr)
    _setup_django(args.data_dir)
    from django.conf import settings

    from yiwang.config.environment import DEMO_REGISTRY_CREDENTIAL

    if args.host not in {"127.0.0.1", "localhost", "::1"} and settings.YIWANG_REGISTRY_CREDENTIAL == DEMO_REGISTRY_CREDENTIAL:
        return _fail("YIWANG_REGISTRY_CREDENTIAL is the public demo credential; set this platform's own before serving on a network")
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

    p = add("demo", "Migrate, load the reference catalogue and demo accounts (printed), start the local registry "
            "service, and serve the demo.", cmd_demo)
    p.add_argument("--port", type=int, default=8000,
                   help="port to serve on (default 8000); licence QR codes point here unless YIWANG_PUBLIC_URL is set")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--registry-port", type=int, default=None,
                   help="port of the local registry service (default: a free port; a port in use is refused)")
    p.add_argument("--registry-host", default="127.0.0.1")

    p = add("serve", "Serve the platform in production with gunicorn (WSGI).", cmd_serve)
    p.add_argument("--port", type=int, default=8000,
                   help="port to serve on (default 8000); licence QR codes point here unless YIWANG_PUBLIC_URL is set")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1)))
    p.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    p.add_argument("--migrate", action="store_true", help="apply database migrations before serving")

    add("migrate", "Create or upgrade the database schema.", cmd_migrate)

    p = add("worker", "Run background work and the periodic schedule (the database queue, or Redis with "
            "YIWANG_TASKS_BACKEND=redis). Several workers may run at once.", cmd_worker)
    p.add_argument("--tick", type=float, default=5.0, help="seconds between schedule rounds and sweeps (default 5)")
    p.add_argument("--poll", type=float, default=0.2, help="seconds between polls of the database queue (default 0.2)")
    p.add_argument("--burst", action="store_true", help="run what is due now, then exit")
    p.add_argument("--migrate", action="store_true", help="apply database migrations first")

    p = add("import-catalog", "Validate a catalogue file (format yiwang-catalog/1) and load it; re-import updates in place.", cmd_import_catalog)
    p.add_argument("file")

    p = sub.add_parser(
        "registry-service",
        help="Run the local data-sharing registry service (synthetic household, property, e-licence ... records).",
        description="Run the local data-sharing registry service: another system that the platform queries over "
        "HTTP. Reads registry-seed.json and registry-credentials.json from --data-dir if present.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8301)
    p.add_argument("--data-dir", help="folder with registry-seed.json / registry-credentials.json (optional)")
    p.add_argument("--fault-drills", action="store_true",
                   help="enable /admin/faults to make a registry slow or malformed (drills and tests only)")
    p.set_defaults(func=cmd_registry_service)

    p = sub.add_parser(
        "sms-simulator",
        help="Run a local SMS provider (HTTP protocol, delivery receipts by callback) for drills and tests.",
        description="Run a local SMS provider that speaks the HTTP gateway protocol: it takes messages, "
        "POSTs delivery receipts to the callback URL, and with --fault-drills can be told to fail or stall.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8401)
    p.add_argument("--name", default="sim", help="prefix of the ids it gives messages (default sim)")
    p.add_argument("--log", help="also append each message taken as a JSON line to this file")
    p.add_argument("--fault-drills", action="store_true", help="enable /admin/faults (drills and tests only)")
    p.set_defaults(func=cmd_sms_simulator)

    p = add("search", "Search service items and 一件事 bundles as a resident would (segmentation, pinyin, synonyms).", cmd_search)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10, help="how many results (1-50)")
    p.add_argument("--json", action="store_true", help='print {"results": [{"code","name","kind","score"}]} as the API does')

    p = add("staffing", "Plan the hall's windows: how many a waiting-time target needs, each department at its own "
            "windows (dedicated) or every window serving everyone (pooled), by Erlang C (Erlang A with a patience).",
            cmd_staffing)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", metavar="FILE",
                        help='the input document (JSON; "-" reads standard input): {"target": {"wait_seconds", '
                             '"service_level"[, "patience_minutes"]}, ["interval_minutes",] "queues": [{"name", '
                             '"arrivals_per_hour", "mean_service_minutes"}, ...]}')
    source.add_argument("--scenario", metavar="NAME", help="a demo scenario instead (fengxian: the reference district's 41 departments)")
    p.add_argument("--json", action="store_true",
                   help='print {"dedicated": {"per_queue", "total"}, "pooled": {"total"}, "saving", "details", ...}')
    p.add_argument("--simulate", action="store_true", help="also simulate the plan's days (SimPy) to check the analytical answer")
    p.add_argument("--replications", type=int, default=10, help="simulated days per layout (default 10)")
    p.add_argument("--seed", type=int, default=0, help="the simulation's seed (default 0)")

    p = add("evaluation", "Rebuild the evaluation dashboard's daily aggregates for a period (default: the recent days "
            "the nightly job recomputes).", cmd_evaluation)
    p.add_argument("action", choices=["rebuild"])
    p.add_argument("--from", dest="since", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="until", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help='print {"rows", "handling_rows", "seconds", "since", "until"}')

    p = sub.add_parser(
        "kiosk-agent",
        help="Run a kiosk's device agent (card reader, receipt printer) for the kiosk page, on loopback only.",
        description="Run a kiosk's device agent: a JSON API on loopback for the kiosk page (Origin and the kiosk's "
        "token checked) over its card reader (simulated, fed with the registry's synthetic people) and its receipt "
        "printer (ESC/POS bytes to a file or device).",
    )
    p.add_argument("--host", default="127.0.0.1", help="a loopback address (others are refused)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--token", help="this kiosk's token (default: YIWANG_KIOSK_TOKEN)")
    p.add_argument("--origin", action="append", help="the portal's origin allowed to call (repeatable; default YIWANG_PUBLIC_URL)")
    p.add_argument("--printer-file", default="kiosk-printer.bin", help="where receipts' ESC/POS bytes go (a file or a printer device)")
    p.add_argument("--drills", action="store_true", help="enable /api/drill to present cards and set printer faults (drills and tests)")
    p.add_argument("--platform", metavar="URL", help="send the kiosk's heartbeats (devices' status) to this platform every 10 s")
    p.add_argument("--keep-card", metavar="ID_NUMBER", help="the simulated reader holds this synthetic person's card for good (the demo)")
    p.set_defaults(func=cmd_kiosk_agent)

    p = add("consent-key", "Print this platform's consent-signing public key (Ed25519, hex) for the registries' configuration.",
            cmd_consent_key)
    p.add_argument("--json", action="store_true", help='print {"platform", "consent_key", "algorithm"}')

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
