"""SMS gateways behind one interface, as plugins: a file for the demo, HTTP for real providers.

Each adapter registers under an identifier with a label; the installation lists the gateways it
uses in YIWANG_SMS_GATEWAYS (see `yiwang.config.environment`), each with a weight. A gateway's
`check()` reports configuration problems at start-up (`yiwang worker`, `manage.py check`).

`send()` passes our delivery id as the client reference and returns the gateway's own id. It
raises `GatewayRejected` when the gateway refused the message for good (a bad number), and
`GatewayUnavailable` when it could not take it now; `ambiguous=True` says the gateway may have
taken it (an answer lost to a timeout), so the retry must go to the same gateway, which knows
the reference and will not send it twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

from yiwang.core import clock
from yiwang.core.registry import Registry


class GatewayRejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class GatewayUnavailable(Exception):
    def __init__(self, reason: str, *, ambiguous: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class GatewayConfig:
    name: str  # this installation's name for the gateway (several may use one adapter)
    adapter: str  # "file" or "http"
    url: str = ""
    weight: int = 100


ADAPTERS: Registry[type] = Registry("SMS gateway")


@ADAPTERS.register("file")
class FileGateway:
    """The demo's gateway: one JSON line per message in `sms-outbox.jsonl` of the data folder."""

    label = "文件（演示）"

    def __init__(self, config: GatewayConfig):
        self.config = config
        self.path = Path(settings.DATA_DIR) / "sms-outbox.jsonl"

    def check(self) -> list[str]:
        return [] if os.access(self.path.parent, os.W_OK) else [f"cannot write {self.path}"]

    def send(self, *, reference: str, to: str, text: str, callback_url: str) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # one writer at a time across worker processes
            log.seek(0)
            for line in log:
                if f'"reference": "{reference}"' in line:
                    return json.loads(line)["id"]  # taken before: a retry after a lost answer
            gateway_id = f"file-{reference}"
            log.write(json.dumps({"id": gateway_id, "reference": reference, "to": to, "text": text,
                                  "at": clock.now().isoformat()}, ensure_ascii=False) + "\n")
        return gateway_id


@ADAPTERS.register("http")
class HttpGateway:
    """A provider speaking the JSON protocol of `yiwang sms-simulator` (an adapter per real provider
    would translate it). Redirects are not followed; answers slower than the timeout are ambiguous."""

    label = "HTTP 短信服务商"

    def __init__(self, config: GatewayConfig):
        self.config = config

    def check(self) -> list[str]:
        if not self.config.url.startswith(("http://", "https://")):
            return [f"gateway {self.config.name}: url must be http:// or https://, got {self.config.url!r}"]
        return []

    def send(self, *, reference: str, to: str, text: str, callback_url: str) -> str:
        try:
            answer = _client().post(
                f"{self.config.url.rstrip('/')}/v1/messages",
                json={"reference": reference, "to": to, "text": text, "callback_url": callback_url},
                headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_CREDENTIAL}"},
                timeout=httpx.Timeout(settings.SMS_GATEWAY_TIMEOUT_SECONDS, connect=2.0), follow_redirects=False,
            )
        except httpx.ConnectError:
            raise GatewayUnavailable("connection_failed") from None
        except httpx.ConnectTimeout:
            raise GatewayUnavailable("connect_timeout") from None
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError):
            raise GatewayUnavailable("no_answer", ambiguous=True) from None
        if answer.status_code in (200, 201, 202):
            try:
                return str(answer.json()["id"])
            except (ValueError, KeyError, TypeError):
                raise GatewayUnavailable("malformed_answer", ambiguous=True) from None
        if answer.status_code == 400:
            try:
                reason = str(answer.json().get("error", "rejected"))
            except ValueError:
                reason = "rejected"
            raise GatewayRejected(reason)
        raise GatewayUnavailable(f"http_{answer.status_code}")


_clients = threading.local()


def _client() -> httpx.Client:
    """One connection pool per thread: keep-alive to the gateways instead of a handshake per message."""
    client = getattr(_clients, "client", None)
    if client is None:
        client = _clients.client = httpx.Client()
    return client


def configured_gateways() -> dict[str, GatewayConfig]:
    return {entry["name"]: GatewayConfig(**entry) for entry in settings.SMS_GATEWAYS}


def gateway(name: str):
    config = configured_gateways()[name]
    return ADAPTERS[config.adapter](config)


def configuration_problems() -> list[str]:
    problems = []
    for config in configured_gateways().values():
        if config.adapter not in ADAPTERS:
            problems.append(f"gateway {config.name}: unknown adapter {config.adapter!r} (known: {', '.join(ADAPTERS)})")
            continue
        problems += gateway(config.name).check()
    return problems
