"""Run the registry service: load its data and credentials, serve on a threaded stdlib server.

Configuration (all optional; the demo needs none):

- seed data: ``<data dir>/registry-seed.json`` if present (a district or a test may replace the
  records), else the package's ``data/seed.json`` (format ``yiwang-registry-seed/1``);
- platforms: ``<data dir>/registry-credentials.json`` ``{"platforms": {"<platform id>":
  {"credential": "<bearer credential>", "consent_key": "<Ed25519 public key, hex>"}}}`` if present,
  else ``YIWANG_REGISTRY_PLATFORMS`` (``id=credential=consent key;id2=...``), else the demo platform
  ``yiwang-demo`` with the demo credential and no consent key. The credential says which platform
  calls; only a token signed with that platform's consent key (printed by ``yiwang consent-key``)
  opens a record, so a platform without a registered key reads nothing;
- fault drills only with ``--fault-drills`` or ``YIWANG_REGISTRY_FAULT_DRILLS=1``.
- its identity at ``/healthz``: ``YIWANG_REGISTRY_INSTANCE`` (the demo passes a fresh random value
  and uses the registry only if /healthz answers it), else a random one.

The server is threaded, so a drill that makes one registry slow never blocks ``/healthz`` or
the other registries.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socketserver
import sys
from importlib import resources
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from yiwang.registry_service.app import RegistryData, RegistryService
from yiwang.registry_service.consent import load_public_key

DEMO_PLATFORM = "yiwang-demo"
DEMO_CREDENTIAL = "yiwang-demo-platform-credential"


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass  # requests are logged by the application, with subjects masked


def _stop(*_):
    raise KeyboardInterrupt  # SIGTERM (from the demo or the tests) stops as cleanly as Ctrl+C


def load_seed(data_dir: Path | None) -> dict:
    """The seed file of the data folder if there is one, else the packaged synthetic data."""
    if data_dir is not None and (data_dir / "registry-seed.json").is_file():
        return json.loads((data_dir / "registry-seed.json").read_text(encoding="utf-8"))
    return json.loads(resources.files("yiwang.registry_service").joinpath("data/seed.json").read_text(encoding="utf-8"))


def load_platforms(data_dir: Path | None, environ: dict | None = None) -> dict[str, dict[str, str]]:
    """Platform id -> {"credential", "consent_key"} from the data folder's file, the environment, or the demo default.

    `consent_key` is the platform's Ed25519 public key in hex ("" if none is registered: every
    consent token of that platform is then refused).
    """
    environ = os.environ if environ is None else environ
    if data_dir is not None and (data_dir / "registry-credentials.json").is_file():
        platforms = json.loads((data_dir / "registry-credentials.json").read_text(encoding="utf-8")).get("platforms", {})
        entries = {}
        for name, value in platforms.items():
            entry = value if isinstance(value, dict) else {"credential": value}
            if entry.get("credential"):
                entries[str(name)] = {"credential": str(entry["credential"]), "consent_key": str(entry.get("consent_key", ""))}
        return entries
    configured = environ.get("YIWANG_REGISTRY_PLATFORMS", "").strip()
    if configured:
        entries = {}
        for part in configured.split(";"):
            name, _, rest = part.partition("=")
            credential, _, consent_key = rest.partition("=")
            if name.strip() and credential.strip():
                entries[name.strip()] = {"credential": credential.strip(), "consent_key": consent_key.strip()}
        return entries
    return {DEMO_PLATFORM: {"credential": DEMO_CREDENTIAL, "consent_key": ""}}


def load_credentials(data_dir: Path | None, environ: dict | None = None) -> dict[str, str]:
    """Platform id -> credential (see `load_platforms`)."""
    return {name: entry["credential"] for name, entry in load_platforms(data_dir, environ).items()}


def build_service(*, data_dir: Path | None = None, fault_drills: bool = False) -> RegistryService:
    """The WSGI application configured from the data folder and the environment."""
    drills = fault_drills or os.environ.get("YIWANG_REGISTRY_FAULT_DRILLS", "") in {"1", "true", "yes", "on"}
    platforms = load_platforms(data_dir)
    keys = {}
    for name, entry in platforms.items():
        if entry["consent_key"]:
            try:
                keys[name] = load_public_key(entry["consent_key"])
            except ValueError:
                raise SystemExit(f"registry service: the consent key of platform {name!r} is not a 32-byte hex key") from None
    return RegistryService(data=RegistryData.from_seed(load_seed(data_dir)),
                           credentials={name: entry["credential"] for name, entry in platforms.items()},
                           consent_keys=keys, fault_drills=drills,
                           instance=os.environ.get("YIWANG_REGISTRY_INSTANCE", "").strip())


def serve(*, host: str, port: int, data_dir: Path | None = None, fault_drills: bool = False) -> int:
    """Serve until interrupted (SIGINT or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s registry-service %(message)s", stream=sys.stderr)
    service = build_service(data_dir=data_dir, fault_drills=fault_drills)
    drills = " (fault drills enabled)" if service.faults.enabled else ""
    return serve_until_stopped(service, host=host, port=port,
                               banner=f"Registry service on {{url}} with {len(service.data.records)} records{drills}")


def serve_until_stopped(app, *, host: str, port: int, banner: str) -> int:
    """Serve a WSGI app on a threaded stdlib server until SIGINT or SIGTERM; `banner` names {url}."""
    try:
        httpd = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    except OSError as exc:  # the port is taken (or the address is not this machine's): one line, not a traceback
        print(f"cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr, flush=True)
        return 2
    print(banner.format(url=f"http://{host}:{httpd.server_port}/"), flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
