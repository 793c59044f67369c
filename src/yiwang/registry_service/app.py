"""The registry service's WSGI application (stdlib only; no Django, no database).

Endpoints (JSON in and out, UTF-8):

- ``GET /healthz`` -> 200 ``{"status": "ok", "service": "yiwang-registry-service", "instance": "<id>",
  "records": n}`` (no credential needed). ``instance`` names this process (what it was started
  with in ``YIWANG_REGISTRY_INSTANCE``, else random), so whoever started it can tell it from
  another process listening on the port.
- ``POST /v1/query`` with ``Authorization: Bearer <platform credential>`` and
  ``{"registry", "kind", "subject": {"type": "person"|"company", "id"}, "consent": {...}}``:

  * 401 ``credential_refused`` unless the bearer credential is one of the configured platforms';
  * 400 ``bad_request`` for a body that is not such an object;
  * 403 ``consent_malformed`` / ``consent_signature`` / ``consent_validity`` / ``consent_expired`` /
    ``consent_platform`` / ``consent_mismatch`` / ``consent_replayed`` / ``consent_withdrawn``: the
    consent token (see `consent.py`) must be signed with the calling platform's registered Ed25519
    key (not its bearer credential), good for minutes and current, issued by the calling platform,
    name exactly the subject and the ``registry:kind`` asked for, never used before, and its
    consent not withdrawn;
  * 404 ``record_not_found``;
  * 200 ``{"record": {...}, "issuer", "issued_at", "record_id", "answered_at", "query_id"}``.

  Every query that names a known platform is recorded by the service with its own ``query_id``
  (in every answer, refusals included) that the platform keeps beside its own audit entry.
- ``POST /v1/consents/withdrawals`` with the bearer credential and a withdrawal notice signed with
  the platform's key (`consent.sign_withdrawal`): every later token of that consent is refused
  (``consent_withdrawn``). 200 ``{"consent_ref", "withdrawn": true}``.

- Fault drills, only when the service was started with ``--fault-drills`` (else these answer 404),
  with the same bearer credential: ``POST /admin/faults`` ``{"registry", "mode", "delay"?}`` with
  mode ``slow`` (sleep ``delay`` seconds, default 5, then answer normally), ``malformed`` (200 with
  a body that is not JSON), ``wrong_shape`` (200 JSON without a record object), ``error`` (500) or
  ``none``; ``DELETE /admin/faults`` clears all; ``GET /admin/faults`` shows them. They exist so
  that outage handling is drilled against the real process, not a mock.
  ``PUT /admin/clock`` ``{"now": "<ISO datetime with offset>"}`` stands the service's clock at
  that instant (clock-skew drills, and tests that run the platform on a fixed clock);
  ``DELETE /admin/clock`` returns to the process clock; ``GET /admin/clock`` shows it.

Errors are ``{"code", "message"}``. Each query is logged (platform, scope, consent reference,
outcome; the subject's number masked) on the ``yiwang.registry_service`` logger.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from yiwang.core import clock as core_clock
from yiwang.registry_service.consent import ConsentInvalid, check_consent, check_withdrawal

logger = logging.getLogger("yiwang.registry_service")

MAX_BODY_BYTES = 64 * 1024
QUERY_LOG_SIZE = 100_000
FAULT_MODES = ("slow", "malformed", "wrong_shape", "error", "none")
SERVICE_NAME = "yiwang-registry-service"  # what /healthz says this is

_STATUS_TEXT = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 403: "403 Forbidden",
                404: "404 Not Found", 405: "405 Method Not Allowed", 413: "413 Payload Too Large",
                500: "500 Internal Server Error"}


def _mask(identifier: str) -> str:
    return identifier[:6] + "*" * max(0, len(identifier) - 10) + identifier[-4:] if len(identifier) >= 10 else "***"


@dataclass
class RegistryData:
    """Seeded records, indexed by (registry, kind, subject type, subject id)."""

    issuers: dict[str, str]
    records: dict[tuple[str, str, str, str], dict[str, Any]]

    @classmethod
    def from_seed(cls, seed: dict[str, Any]) -> "RegistryData":
        if seed.get("format") != "yiwang-registry-seed/1":
            raise ValueError("seed format must be yiwang-registry-seed/1")
        index = {}
        for entry in seed.get("records", []):
            subject = entry["subject"]
            index[(entry["registry"], entry["kind"], subject["type"], subject["id"])] = entry
        return cls(issuers=dict(seed.get("issuers", {})), records=index)


@dataclass
class Faults:
    """Fault drills per registry code (thread-safe: the server answers on several threads)."""

    enabled: bool
    _modes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, registry: str, mode: str, delay: float) -> None:
        with self._lock:
            if mode == "none":
                self._modes.pop(registry, None)
            else:
                self._modes[registry] = {"mode": mode, "delay": delay}

    def clear(self) -> None:
        with self._lock:
            self._modes.clear()

    def get(self, registry: str) -> dict[str, Any] | None:
        with self._lock:
            return dict(self._modes[registry]) if registry in self._modes else None

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self._modes.items()}


class RegistryService:
    """A WSGI callable answering the registry protocol for the seeded records."""

    def __init__(self, *, data: RegistryData, credentials: dict[str, str], consent_keys: dict[str, Any] | None = None,
                 fault_drills: bool = False, clock: Callable[[], dt.datetime] | None = None, instance: str = ""):
        if not credentials:
            raise ValueError("at least one platform credential is required")
        self.instance = instance or secrets.token_hex(8)  # this process's identity at /healthz
        # credential -> platform id (the bearer token identifies the calling platform)
        self._platforms = {secret: platform for platform, secret in credentials.items()}
        # platform id -> its Ed25519 public key (the only thing that makes a consent token valid)
        self._consent_keys = dict(consent_keys or {})
        self._records_lock = threading.Lock()
        self._used_tokens: dict[str, dt.datetime] = {}  # token_id -> its expiry (forgotten after it)
        self._withdrawn: set[tuple[str, str]] = set()  # (platform, consent_ref)
        # The service's own record of queries (the newest QUERY_LOG_SIZE; ids keep counting).
        self.queries: collections.deque[dict[str, Any]] = collections.deque(maxlen=QUERY_LOG_SIZE)
        self._query_count = 0
        self.data = data
        self.faults = Faults(enabled=fault_drills)
        self._clock = clock or core_clock.now
        self._drill_now: dt.datetime | None = None  # set by PUT /admin/clock

    def now(self) -> dt.datetime:
        """The service's clock: a drill's fixed instant if one is set, else its time source."""
        drilled = self._drill_now
        return drilled if drilled is not None else self._clock()

    # -- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        try:
            status, body = self._route(method, path, environ)
        except Exception:  # a fault in the service must still answer, not drop the connection
            logger.exception("registry service error on %s %s", method, path)
            status, body = 500, {"code": "internal_error", "message": "internal error"}
        if isinstance(body, bytes):
            payload = body
        else:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start_response(_STATUS_TEXT.get(status, f"{status} Error"),
                       [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload)))])
        return [payload]

    def _route(self, method: str, path: str, environ: dict) -> tuple[int, Any]:
        if path == "/healthz":
            if method != "GET":
                return 405, _error("method_not_allowed", "use GET")
            return 200, {"status": "ok", "service": SERVICE_NAME, "instance": self.instance,
                         "records": len(self.data.records)}
        if path == "/v1/query":
            if method != "POST":
                return 405, _error("method_not_allowed", "use POST")
            return self._query(environ)
        if path == "/v1/consents/withdrawals":
            if method != "POST":
                return 405, _error("method_not_allowed", "use POST")
            return self._withdrawal(environ)
        if path == "/admin/faults" and self.faults.enabled:
            return self._faults(method, environ)
        if path == "/admin/clock" and self.faults.enabled:
            return self._clock_drill(method, environ)
        return 404, _error("not_found", "no such endpoint")

    # -- helpers ----------------------------------------------------------------------------

    def _platform(self, environ: dict) -> str | None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self._platforms.get(token.strip())

    def _consume_token(self, token_id: str, expires_at: str) -> bool:
        """Record a token's one use; False if it was used before."""
        now = self.now()
        with self._records_lock:
            for old in [t for t, until in self._used_tokens.items() if until <= now]:
                del self._used_tokens[old]  # past its expiry it is refused as expired anyway
            if token_id in self._used_tokens:
                return False
            self._used_tokens[token_id] = dt.datetime.fromisoformat(expires_at)
            return True

    def _is_withdrawn(self, platform: str, consent_ref: str) -> bool:
        with self._records_lock:
            return (platform, consent_ref) in self._withdrawn

    @staticmethod
    def _json_body(environ: dict) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or length > MAX_BODY_BYTES:
            raise ValueError("body missing or too large")
        return json.loads(environ["wsgi.input"].read(length).decode("utf-8"))

    # -- endpoints --------------------------------------------------------------------------

    def _query(self, environ: dict) -> tuple[int, Any]:
        platform = self._platform(environ)
        if platform is None:
            logger.warning("registry query refused: bad or missing credential")
            return 401, _error("credential_refused", "unknown platform credential")
        try:
            body = self._json_body(environ)
        except (ValueError, UnicodeDecodeError):
            return 400, _error("bad_request", "body must be a JSON object")
        if not isinstance(body, dict):
            return 400, _error("bad_request", "body must be a JSON object")
        registry, kind, subject = body.get("registry"), body.get("kind"), body.get("subject")
        if not isinstance(registry, str) or not isinstance(kind, str) or not isinstance(subject, dict) \
                or subject.get("type") not in ("person", "company") or not isinstance(subject.get("id"), str):
            return 400, _error("bad_request", "registry, kind and subject {type, id} are required")
        scope = f"{registry}:{kind}"

        def refuse(code: str, message: str, consent: dict | None = None) -> tuple[int, Any]:
            return 403, {**_error(code, message), "query_id": self._log(platform, scope, subject, consent, code)}

        offered = body.get("consent")
        try:
            consent = check_consent(offered, public_key=self._consent_keys.get(platform), now=self.now())
        except ConsentInvalid as exc:
            return refuse(exc.code, str(exc))
        if consent["platform"] != platform:
            return refuse("consent_platform", "consent was issued by another platform", consent)
        named = (consent["subject"]["type"], consent["subject"]["id"])
        if named != (subject["type"], subject["id"]) or consent["scope"] != scope:
            return refuse("consent_mismatch", "the consent does not name this subject and record kind", consent)
        if self._is_withdrawn(platform, consent["consent_ref"]):
            return refuse("consent_withdrawn", "the resident withdrew this consent", consent)
        if not self._consume_token(consent["token_id"], consent["expires_at"]):
            return refuse("consent_replayed", "this consent token was used before", consent)

        fault = self.faults.get(registry) if self.faults.enabled else None
        if fault:
            if fault["mode"] == "slow":
                time.sleep(fault["delay"])
            elif fault["mode"] == "malformed":
                self._log(platform, scope, subject, consent, "drill_malformed")
                return 200, b'{"record": {"name": "\xe5\xbc\xa0'  # cut off mid-character, as a broken proxy would
            elif fault["mode"] == "wrong_shape":
                self._log(platform, scope, subject, consent, "drill_wrong_shape")
                return 200, {"record": "unavailable", "issuer": None}
            elif fault["mode"] == "error":
                self._log(platform, scope, subject, consent, "drill_error")
                return 500, _error("internal_error", "registry backend failed")

        entry = self.data.records.get((registry, kind, subject["type"], subject["id"]))
        if entry is None:
            query_id = self._log(platform, scope, subject, consent, "not_found")
            return 404, {**_error("record_not_found", "no such record for this subject"), "query_id": query_id}
        query_id = self._log(platform, scope, subject, consent, "ok")
        return 200, {
            "record": entry["record"],
            "record_id": entry["record_id"],
            "issued_at": entry["issued_at"],
            "issuer": self.data.issuers.get(registry, registry),
            "answered_at": self.now().isoformat(),
            "query_id": query_id,
        }

    def _withdrawal(self, environ: dict) -> tuple[int, Any]:
        platform = self._platform(environ)
        if platform is None:
            return 401, _error("credential_refused", "unknown platform credential")
        try:
            body = self._json_body(environ)
        except (ValueError, UnicodeDecodeError):
            return 400, _error("bad_request", "body must be a JSON object")
        try:
            notice = check_withdrawal(body, public_key=self._consent_keys.get(platform))
        except ConsentInvalid as exc:
            return 403, _error(exc.code, str(exc))
        if notice["platform"] != platform:
            return 403, _error("consent_platform", "the withdrawal was signed for another platform")
        with self._records_lock:
            self._withdrawn.add((platform, notice["consent_ref"]))
        logger.info("consent withdrawn platform=%s consent=%s", platform, notice["consent_ref"])
        return 200, {"consent_ref": notice["consent_ref"], "withdrawn": True}

    def _faults(self, method: str, environ: dict) -> tuple[int, Any]:
        if self._platform(environ) is None:
            return 401, _error("credential_refused", "unknown platform credential")
        if method == "GET":
            return 200, {"faults": self.faults.snapshot()}
        if method == "DELETE":
            self.faults.clear()
            return 200, {"faults": {}}
        if method != "POST":
            return 405, _error("method_not_allowed", "use GET, POST or DELETE")
        try:
            body = self._json_body(environ)
            registry, mode = body["registry"], body["mode"]
            delay = float(body.get("delay", 5))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return 400, _error("bad_request", "registry and mode are required")
        if mode not in FAULT_MODES or not isinstance(registry, str) or not 0 <= delay <= 120:
            return 400, _error("bad_request", f"mode must be one of {', '.join(FAULT_MODES)}; delay 0-120 s")
        self.faults.set(registry, mode, delay)
        return 200, {"faults": self.faults.snapshot()}

    def _clock_drill(self, method: str, environ: dict) -> tuple[int, Any]:
        if self._platform(environ) is None:
            return 401, _error("credential_refused", "unknown platform credential")
        if method == "DELETE":
            self._drill_now = None
        elif method == "PUT":
            try:
                body = self._json_body(environ)
                instant = dt.datetime.fromisoformat(body["now"])
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                return 400, _error("bad_request", "now must be an ISO datetime with a UTC offset")
            if instant.tzinfo is None:
                return 400, _error("bad_request", "now must be an ISO datetime with a UTC offset")
            self._drill_now = instant
        elif method != "GET":
            return 405, _error("method_not_allowed", "use GET, PUT or DELETE")
        return 200, {"now": self.now().isoformat(), "fixed": self._drill_now is not None}

    def _log(self, platform: str, scope: str, subject: dict, consent: dict | None, outcome: str) -> str:
        """Record the query in the service's own log; returns its query id."""
        with self._records_lock:
            self._query_count += 1
            query_id = f"Q{self._query_count:08d}"
            self.queries.append({
                "query_id": query_id, "platform": platform, "scope": scope, "outcome": outcome,
                "subject": _mask(str(subject.get("id", ""))), "consent_ref": (consent or {}).get("consent_ref", ""),
                "token_id": (consent or {}).get("token_id", ""), "at": self.now().isoformat(),
            })
        logger.info("query %s platform=%s scope=%s subject=%s consent=%s outcome=%s", query_id, platform, scope,
                    _mask(str(subject.get("id", ""))), (consent or {}).get("consent_ref", "-"), outcome)
        return query_id


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}
