"""Registry adapters: how the platform asks another department's registry for one record.

Every adapter is registered in `registry_adapters` (a `yiwang.core.registry.Registry`) and
answers ``query(registry=, kind=, subject=, consent=) -> RegistryAnswer`` or raises a
`RegistryFailure` subclass (`RecordNotFound`, `RegistryUnavailable`, `RegistryMalformed`,
`RegistryRefused`). Which adapter serves which registry is configuration:
``settings.YIWANG_REGISTRY_ADAPTERS`` (registry code -> adapter id), default ``http`` for every
registry and ``platform_elicence`` for ``elicence``.

- ``http``: the real protocol of `yiwang.registry_service` against ``YIWANG_REGISTRY_URL`` with
  the bearer ``YIWANG_REGISTRY_CREDENTIAL``. Connect timeout 1 s and read timeout 2 s (per socket
  read; a registry answers in one piece), answers over 1 MB refused, and a circuit breaker per
  registry (`breaker.py`, process-local): after 3 consecutive failures (no connection, timeout,
  HTTP 5xx) calls fail at once for 30 s, then one trial call decides. Settings
  ``YIWANG_REGISTRY_CONNECT_TIMEOUT``, ``..._READ_TIMEOUT``, ``..._BREAKER_FAILURES`` and
  ``..._BREAKER_OPEN_SECONDS`` override these. The answer's shape is checked: a record object,
  record id, issuer and issue time, else `RegistryMalformed`.
- ``platform_elicence``: the e-licence store. Licences that this platform issued itself are
  answered from its own licences (valid, with an intact seal signature), so a business licence
  issued after 企业开办 exempts the 营业执照 of the same company's later applications at once,
  without a round trip through the city's store. A licence's kind is found by its title: the
  title without a parenthesised suffix (``营业执照（变更后）``) equals the record kind's name in
  the catalogue's ``elicence`` registry. Licences issued elsewhere come from the registry service
  (``http``), consent and audit alike.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import socket
import threading
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings

from yiwang.core.registry import Registry
from yiwang.registries import constants as c
from yiwang.registries.breaker import CircuitBreaker


@dataclass(frozen=True)
class Subject:
    type: str  # "person" | "company"
    id: str  # ID number or unified social credit code


@dataclass(frozen=True)
class RegistryAnswer:
    record: dict[str, Any]
    record_id: str
    issuer: str
    issued_at: str
    source: str  # "registry" (another system) or "platform" (our own licences)
    query_id: str = ""  # the registry's own record of this query
    answered_at: str = ""  # when the registry says it answered


class RegistryFailure(Exception):
    outcome = c.OUTCOME_UNAVAILABLE

    def __init__(self, detail: str, query_id: str = ""):
        super().__init__(detail)
        self.detail = detail[:60]
        self.query_id = query_id[:40]


class RecordNotFound(RegistryFailure):
    outcome = c.OUTCOME_NOT_FOUND


class RegistryUnavailable(RegistryFailure):
    outcome = c.OUTCOME_UNAVAILABLE


class RegistryMalformed(RegistryFailure):
    outcome = c.OUTCOME_MALFORMED


class RegistryRefused(RegistryFailure):
    outcome = c.OUTCOME_REFUSED


class RegistryAdapter(Protocol):
    def query(self, *, registry: str, kind: str, subject: Subject, consent: dict[str, Any]) -> RegistryAnswer: ...

    def report_withdrawal(self, *, notice: dict[str, Any]) -> None:
        """Tell the registry a consent was withdrawn (a signed notice); raises RegistryFailure."""


registry_adapters: Registry[type] = Registry("registry adapters")

DEFAULT_ADAPTERS = {"elicence": "platform_elicence"}


def adapter_for(registry: str) -> RegistryAdapter:
    """The configured adapter for a registry code."""
    configured = getattr(settings, "YIWANG_REGISTRY_ADAPTERS", None) or {}
    identifier = configured.get(registry) or DEFAULT_ADAPTERS.get(registry, "http")
    return registry_adapters[identifier]()


def registry_url() -> str:
    return settings.YIWANG_REGISTRY_URL.rstrip("/")


def registry_credential() -> str:
    return settings.YIWANG_REGISTRY_CREDENTIAL


def platform_id() -> str:
    """This platform's name at the registry (the platform the credential was issued to)."""
    return settings.YIWANG_REGISTRY_PLATFORM


# ---------------------------------------------------------------------------------------------
# Circuit breakers (process-local, one per registry code)
# ---------------------------------------------------------------------------------------------

_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(registry: str) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(registry)
        if breaker is None:
            breaker = CircuitBreaker(
                threshold=int(getattr(settings, "YIWANG_REGISTRY_BREAKER_FAILURES", c.BREAKER_FAILURES)),
                open_seconds=float(getattr(settings, "YIWANG_REGISTRY_BREAKER_OPEN_SECONDS", c.BREAKER_OPEN_SECONDS)),
            )
            _breakers[registry] = breaker
        return breaker


def reset_circuit_breakers() -> None:
    """Forget every breaker's state (after reconfiguration, and between tests)."""
    with _breakers_lock:
        _breakers.clear()


# ---------------------------------------------------------------------------------------------
# http: the registry protocol
# ---------------------------------------------------------------------------------------------


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


@registry_adapters.register("http")
class HttpRegistryAdapter:
    """The registry protocol over HTTP (see `yiwang.registry_service.app`)."""

    def query(self, *, registry: str, kind: str, subject: Subject, consent: dict[str, Any]) -> RegistryAnswer:
        breaker = breaker_for(registry)
        if not breaker.allow():
            raise RegistryUnavailable("circuit_open")
        try:
            status, body = self._post(
                "/v1/query",
                {"registry": registry, "kind": kind, "subject": {"type": subject.type, "id": subject.id}, "consent": consent},
            )
        except RegistryUnavailable:
            breaker.record_failure()
            raise
        if status >= 500:
            breaker.record_failure()
            raise RegistryUnavailable(f"http_{status}")
        breaker.record_success()
        if status in (401, 403):
            raise RegistryRefused(self._error_code(body) or f"http_{status}", self._query_id(body))
        if status == 404:
            raise RecordNotFound(self._error_code(body) or "http_404", self._query_id(body))
        if status != 200:
            raise RegistryMalformed(f"http_{status}")
        if len(body) > c.MAX_ANSWER_BYTES:
            raise RegistryMalformed("answer_too_large")
        try:
            answer = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise RegistryMalformed("invalid_json") from None
        if not (
            isinstance(answer, dict)
            and isinstance(answer.get("record"), dict)
            and isinstance(answer.get("record_id"), str)
            and isinstance(answer.get("issuer"), str)
            and _is_timestamp(answer.get("issued_at"))
        ):
            raise RegistryMalformed("unexpected_shape")
        query_id = answer.get("query_id")
        answered_at = answer.get("answered_at")
        return RegistryAnswer(record=answer["record"], record_id=answer["record_id"][:100], issuer=answer["issuer"][:200],
                              issued_at=answer["issued_at"], source="registry",
                              query_id=query_id[:40] if isinstance(query_id, str) else "",
                              answered_at=answered_at if _is_timestamp(answered_at) else "")

    def report_withdrawal(self, *, notice: dict[str, Any]) -> None:
        try:
            status, body = self._post("/v1/consents/withdrawals", notice)
        except RegistryUnavailable:
            raise
        if status != 200:
            raise RegistryRefused(self._error_code(body) or f"http_{status}")

    @classmethod
    def _error_code(cls, body: bytes) -> str:
        return cls._body_text(body, "code")

    @classmethod
    def _query_id(cls, body: bytes) -> str:
        return cls._body_text(body, "query_id")

    @staticmethod
    def _body_text(body: bytes, name: str) -> str:
        try:
            value = json.loads(body.decode("utf-8")).get(name)
        except (UnicodeDecodeError, ValueError, AttributeError):
            return ""
        return value if isinstance(value, str) else ""

    @staticmethod
    def _post(path: str, payload: dict) -> tuple[int, bytes]:
        base = urlsplit(registry_url())
        connection_class = http.client.HTTPSConnection if base.scheme == "https" else http.client.HTTPConnection
        connect_timeout = float(getattr(settings, "YIWANG_REGISTRY_CONNECT_TIMEOUT", c.CONNECT_TIMEOUT_SECONDS))
        read_timeout = float(getattr(settings, "YIWANG_REGISTRY_READ_TIMEOUT", c.READ_TIMEOUT_SECONDS))
        connection = connection_class(base.hostname or "127.0.0.1", base.port, timeout=connect_timeout)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            try:
                connection.connect()
            except TimeoutError:
                raise RegistryUnavailable("connect_timeout") from None
            except OSError:
                raise RegistryUnavailable("connection_failed") from None
            connection.sock.settimeout(read_timeout)
            try:
                connection.request("POST", base.path.rstrip("/") + path, body=body, headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Accept": "application/json",
                    "Authorization": f"Bearer {registry_credential()}",
                })
                response = connection.getresponse()
                data = response.read(c.MAX_ANSWER_BYTES + 1)
            except (TimeoutError, socket.timeout):
                raise RegistryUnavailable("read_timeout") from None
            except (OSError, http.client.HTTPException):
                raise RegistryUnavailable("connection_lost") from None
            return response.status, data
        finally:
            connection.close()


# ---------------------------------------------------------------------------------------------
# platform_elicence: our own licences first, then the e-licence store
# ---------------------------------------------------------------------------------------------


def licence_kind_by_title() -> dict[str, str]:
    """E-licence record name -> kind, from the catalogue's `elicence` registry."""
    from yiwang.catalog.selectors import record_kind_names

    return {
        names["name"]: scope.split(":", 1)[1]
        for scope, names in record_kind_names().items()
        if scope.startswith("elicence:")
    }


def _title_stem(title: str) -> str:
    return title.split("（", 1)[0].split("(", 1)[0].strip()


@registry_adapters.register("platform_elicence")
class PlatformELicenceAdapter:
    """E-licences: the platform's own valid licences of the subject, else the registry service."""

    def query(self, *, registry: str, kind: str, subject: Subject, consent: dict[str, Any]) -> RegistryAnswer:
        answer = self._own_licence(kind=kind, subject=subject)
        if answer is not None:
            return answer
        return HttpRegistryAdapter().query(registry=registry, kind=kind, subject=subject, consent=consent)

    def report_withdrawal(self, *, notice: dict[str, Any]) -> None:
        HttpRegistryAdapter().report_withdrawal(notice=notice)

    @staticmethod
    def _own_licence(*, kind: str, subject: Subject) -> RegistryAnswer | None:
        from yiwang.licences.selectors import check_licence_integrity, valid_licences_held_by, verification_url

        names = {name for name, k in licence_kind_by_title().items() if k == kind}
        if not names:
            return None
        for licence in valid_licences_held_by(subject.id):
            if _title_stem(licence.title) not in names or check_licence_integrity(licence) != "ok":
                continue
            content = licence.content
            return RegistryAnswer(
                record={
                    "licence_name": licence.title,
                    "number": licence.number,
                    "holder_name": licence.holder_name,
                    "holder_identifier": licence.holder_identifier,
                    "item_code": content.get("item_code", ""),
                    "item_name": content.get("item_name", ""),
                    "issued_on": content.get("issued_on", ""),
                    "department_name": content.get("department_name", ""),
                    "seal_key_id": content.get("key_id", ""),
                    "content_sha256": licence.content_sha256,
                    "verification_url": verification_url(licence.number),
                },
                record_id=licence.number,
                issuer=f"{licence.department.name}（一网通办平台签发）",
                issued_at=licence.issued_at.isoformat(),
                source="platform",
            )
        return None
