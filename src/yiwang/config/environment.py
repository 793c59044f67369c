"""The one place that reads the process environment.

Every command (`yiwang demo`, `yiwang serve`, tests) finds its database the same way:
`YIWANG_DATABASE_URL` (PostgreSQL) if set, else SQLite in the data folder
(`YIWANG_DATA_DIR`, else `~/.local/share/yiwang`). The CLI turns `--data-dir` into
`YIWANG_DATA_DIR` before Django starts, and the address it serves on into the default of
`YIWANG_PUBLIC_URL` (see `default_public_url_to_served_address`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse


PUBLIC_URL_VARIABLE = "YIWANG_PUBLIC_URL"
# Only when nothing says where the platform is served (tests, `yiwang worker` on its own).
FALLBACK_PUBLIC_URL = "http://127.0.0.1:8000"
# Bind addresses that mean "every interface": a browser on this machine reaches them on loopback.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})

DEMO_REGISTRY_CREDENTIAL = "yiwang-demo-platform-credential"
DEMO_SMS_CREDENTIAL = "yiwang-demo-sms-credential"
DEMO_SMS_RECEIPT_TOKEN = "yiwang-demo-sms-receipts"


class ConfigurationError(Exception):
    """The environment names something we cannot use (one line for the CLI)."""


@dataclass(frozen=True)
class Environment:
    data_dir: Path
    database_url: str | None
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    public_url: str
    deadline_warning_working_days: int
    registry_url: str
    registry_credential: str
    registry_platform: str
    trusted_proxies: frozenset[str]
    https: bool
    staff_session_hours: int
    session_hours: int
    api_token_hours: int
    superseded_file_hours: int
    tasks_backend: str
    redis_url: str
    sms_gateways: tuple
    sms_gateway_credential: str
    sms_receipt_token: str
    smtp_host: str
    smtp_port: int
    email_from: str
    rectification_working_days: int
    default_rating_working_days: int
    rating_forward: str
    evaluation_weights: dict
    kiosk_agent_url: str
    kiosk_idle_seconds: int
    kiosk_idle_warning_seconds: int


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir_from_env() -> Path:
    raw = os.environ.get("YIWANG_DATA_DIR")
    if raw:
        return Path(raw).expanduser().resolve()
    return Path("~/.local/share/yiwang").expanduser().resolve()


def served_url(host: str, port: int) -> str:
    """The address at which a browser reaches a server bound to `host`:`port` (pure).

    A wildcard bind (0.0.0.0, ::) is reached on this machine at 127.0.0.1; an IPv6 address is
    bracketed as URLs require.
    """
    host = host.strip()
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def default_public_url_to_served_address(host: str, port: int, environ=None) -> str:
    """Unless YIWANG_PUBLIC_URL is set (non-empty), set it to the address being served; return the URL in effect.

    Called by `yiwang demo` and `yiwang serve` before Django reads the environment, so the
    licence QR codes, SMS receipt callbacks and webhook sources name the port actually served,
    in this process, in gunicorn's workers and in the demo's worker child (which inherit it).
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(PUBLIC_URL_VARIABLE, "").strip()
    if configured:
        return configured.rstrip("/")
    environ[PUBLIC_URL_VARIABLE] = served_url(host, port)
    return environ[PUBLIC_URL_VARIABLE]


def _secret_key(data_dir: Path) -> str:
    configured = os.environ.get("YIWANG_SECRET_KEY")
    if configured:
        return configured
    # A stable per-installation key kept beside the data, so sessions survive restarts. It also
    # protects the seal keys at rest: never fall back to a value anyone could know.
    key_file = data_dir / "secret_key"
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(50))
        if key_file.stat().st_mode & 0o077:
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot keep a secret key in {data_dir} ({exc.strerror}); set YIWANG_SECRET_KEY or a writable YIWANG_DATA_DIR"
        ) from None


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a whole number of hours (1 or more), got {raw!r}")
    return int(raw)


def _bounded_days(name: str, default: int, upper: int = 30) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise ConfigurationError(f"{name} must be a whole number of working days from 1 to {upper}, got {raw!r}")
    return int(raw)


def _weights(raw: str) -> dict:
    from yiwang.evaluation.indicators import DEFAULT_WEIGHTS, check_weights

    if not raw.strip():
        return dict(DEFAULT_WEIGHTS)
    pairs = {}
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        code, _, weight = part.partition("=")
        try:
            pairs[code.strip()] = float(weight)
        except ValueError:
            raise ConfigurationError(f"YIWANG_EVALUATION_WEIGHTS: cannot read {part!r}; write code=weight,...") from None
    try:
        return check_weights(pairs)
    except ValueError as error:
        raise ConfigurationError(f"YIWANG_EVALUATION_WEIGHTS: {error}") from None


def _rating_forward(raw: str) -> str:
    value = raw.strip() or "file"
    if value in ("file", "none") or (value.startswith("http:") and value[5:].startswith(("http://", "https://"))):
        return value
    raise ConfigurationError(f"YIWANG_RATING_FORWARD must be file, none or http:<url>, got {raw!r}")


def _sms_gateways(raw: str) -> tuple:
    gateways = []
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        name, _, spec = part.partition("=")
        spec, _, weight = spec.rpartition("@") if "@" in spec else (spec, "", "100")
        adapter, _, url = spec.partition(":")
        if not name.strip() or not adapter.strip() or not weight.isdigit():
            raise ConfigurationError(f"YIWANG_SMS_GATEWAYS: cannot read {part!r}; write name=adapter[:url][@weight]")
        gateways.append({"name": name.strip(), "adapter": adapter.strip(), "url": url.strip(), "weight": int(weight)})
    if not gateways:
        raise ConfigurationError("YIWANG_SMS_GATEWAYS names no gateway")
    return tuple(gateways)


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def read_environment() -> Environment:
    data_dir = data_dir_from_env()
    hosts = os.environ.get("YIWANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
    return Environment(
        data_dir=data_dir,
        database_url=os.environ.get("YIWANG_DATABASE_URL") or None,
        debug=_bool(os.environ.get("YIWANG_DEBUG"), False),
        secret_key=_secret_key(data_dir),
        allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
        # Where residents reach the platform (licence QR codes): the served address by default, see
        # default_public_url_to_served_address.
        public_url=(os.environ.get(PUBLIC_URL_VARIABLE, "").strip() or FALLBACK_PUBLIC_URL).rstrip("/"),
        deadline_warning_working_days=int(os.environ.get("YIWANG_DEADLINE_WARNING_DAYS", "3")),
        # The data-sharing registries of other departments (a local service in the demo and tests).
        registry_url=os.environ.get("YIWANG_REGISTRY_URL", "http://127.0.0.1:8301").rstrip("/"),
        registry_credential=os.environ.get("YIWANG_REGISTRY_CREDENTIAL", DEMO_REGISTRY_CREDENTIAL),
        registry_platform=os.environ.get("YIWANG_REGISTRY_PLATFORM", "yiwang-demo"),  # our name at the registry
        # Reverse proxies whose X-Forwarded-For is believed (for the per-address login limit).
        trusted_proxies=frozenset(p.strip() for p in os.environ.get("YIWANG_TRUSTED_PROXIES", "").split(",") if p.strip()),
        # Served over HTTPS (behind a TLS-terminating proxy): secure cookies and HSTS.
        https=_bool(os.environ.get("YIWANG_HTTPS"), False),
        # How long a sign-in lasts: a working day for staff, a day for residents and enterprises.
        staff_session_hours=_positive_int("YIWANG_STAFF_SESSION_HOURS", 8),
        session_hours=_positive_int("YIWANG_SESSION_HOURS", 24),
        # How long an API token lasts before it must be asked for again.
        api_token_hours=_positive_int("YIWANG_API_TOKEN_HOURS", 24),
        # How long the bytes of a file replaced in a draft are kept before they are removed.
        superseded_file_hours=_positive_int("YIWANG_SUPERSEDED_FILE_HOURS", 24),
        # Background work: the database queue (nothing else to run) or Redis at scale.
        tasks_backend=_choice("YIWANG_TASKS_BACKEND", ("database", "redis"), "database"),
        redis_url=os.environ.get("YIWANG_REDIS_URL", "redis://127.0.0.1:6379/0"),
        # SMS gateways "name=adapter[:url][@weight],..." e.g. "a=http:http://127.0.0.1:8401@60,b=http:http://...@40";
        # the demo writes messages to a file in the data folder.
        sms_gateways=_sms_gateways(os.environ.get("YIWANG_SMS_GATEWAYS", "file=file")),
        sms_gateway_credential=os.environ.get("YIWANG_SMS_CREDENTIAL", DEMO_SMS_CREDENTIAL),
        sms_receipt_token=os.environ.get("YIWANG_SMS_RECEIPT_TOKEN", DEMO_SMS_RECEIPT_TOKEN),
        # Staff e-mail: SMTP if a host is set, else files in the data folder's mail/.
        smtp_host=os.environ.get("YIWANG_SMTP_HOST", ""),
        smtp_port=_positive_int("YIWANG_SMTP_PORT", 25),
        email_from=os.environ.get("YIWANG_EMAIL_FROM", "yiwang@localhost"),
        # 好差评: working days to rectify a bad rating (local rules range from 5 to 15), and after
        # which an unrated finished case counts as 满意.
        rectification_working_days=_bounded_days("YIWANG_RECTIFICATION_WORKING_DAYS", 5),
        default_rating_working_days=_bounded_days("YIWANG_DEFAULT_RATING_WORKING_DAYS", 5),
        # Where ratings are forwarded: "file" (the data folder), "http:<url>" (a provincial system) or "none".
        rating_forward=_rating_forward(os.environ.get("YIWANG_RATING_FORWARD", "file")),
        # The evaluation composite: "code=weight,..." over the rate indicators (default: indicators.DEFAULT_WEIGHTS).
        evaluation_weights=_weights(os.environ.get("YIWANG_EVALUATION_WEIGHTS", "")),
        # Kiosks: where the page finds the terminal's device agent (loopback), and how long a
        # person's session at a kiosk may sit idle (warned 30 s before) before it is wiped.
        kiosk_agent_url=os.environ.get("YIWANG_KIOSK_AGENT_URL", "http://127.0.0.1:8501").rstrip("/"),
        kiosk_idle_seconds=_positive_int("YIWANG_KIOSK_IDLE_SECONDS", 120),
        kiosk_idle_warning_seconds=_positive_int("YIWANG_KIOSK_IDLE_WARNING_SECONDS", 30),
    )


def database_settings(env: Environment) -> dict:
    """Django DATABASES['default'] for the environment."""
    if not env.database_url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(env.data_dir / "yiwang.sqlite3"),
            # Writers queue for the lock (IMMEDIATE, up to 20 s) instead of failing mid-transaction;
            # WAL lets pages read while a request writes.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # The test database is a file too, not shared memory: each thread of a live server then
            # has its own connection and transactions, as in `yiwang serve` (Django shares one
            # in-memory connection between threads, which interleaves concurrent requests' savepoints).
            "TEST": {"NAME": str(env.data_dir / "test_yiwang.sqlite3")},
        }
    url = urlparse(env.database_url)
    if url.scheme not in {"postgres", "postgresql"}:
        raise ConfigurationError(
            f"YIWANG_DATABASE_URL must be a postgresql:// URL, got scheme {url.scheme!r}"
        )
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(url.path.lstrip("/")) or "yiwang",
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
