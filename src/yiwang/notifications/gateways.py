"""SMS gateways behind one interface, as plugins: a file for the demo, HTTP for real providers.

Each adapter registers under an identifier with a label; the installation lists the gateways it
uses in YIWANG_SMS_GATEWAYS (see `yiwang.config.environment`), each with a weight. A gateway's
`check()` reports configuration problems at start-up (`yiwang worker`, `manage.py check`).

`send_many()` hands over several messages in one exchange (our delivery id is each one's client
reference) and returns, per message in order, the gateway's own id, or the exception that says
why not: `GatewayRejected` when the gateway refused it for good (a bad number), and
`GatewayUnavailable` when it could not take it now; `ambiguous=True` says the gateway may have
taken it (an answer lost to a timeout), so the retry must go to the same gateway, which knows
the reference and will not send it twice. `send()` is the same for one message, raising instead.
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
class Sms:
    reference: str  # our delivery's id: the gateway takes a reference once
    to: str
    text: str


@dataclass(frozen=True)
class GatewayConfig:
    name: str  # this installation's name for the gateway (several may use one adapter)
    adapter: str  # "file" or "http"
    url: str = ""
    weight: int = 100


ADAPTERS: Registry[type] = Registry("SMS gateway")


class _OneAtATime:
    def send(self, *, reference: str, to: str, text: str, callback_url: str) -> str:
        outcome = self.send_many([Sms(reference=reference, to=to, text=text)], callback_url=callback_url)[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@ADAPTERS.register("file")
class FileGateway(_OneAtATime):
    """The demo's gateway: one JSON line per message in `sms-outbox.jsonl` of the data folder."""

    label = "文件（演示）"

    def __init__(self, config: GatewayConfig):
        self.config = config
        self.path = Path(settings.DATA_DIR) / "sms-outbox.jsonl"

    def check(self) -> list[str]:
        return [] if os.access(self.path.parent, os.W_OK) else [f"cannot write {self.path}"]

    def send_many(self, messages: list[Sms], *, callback_url: str) -> list:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        wanted = {message.reference for message in messages}
        with open(self.path, "a+", encoding="utf-8") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # one writer at a time across worker processes
            log.seek(0)
            taken = {}  # references taken before: a retry after a lost answer
            for line in log:
                entry = json.loads(line)
                if entry["reference"] in wanted:
                    taken[entry["reference"]] = entry["id"]
            lines = []
            for message in messages:
                if message.reference not in taken:
                    taken[message.reference] = f"file-{message.reference}"
                    lines.append(json.dumps({"id": taken[message.reference], "reference": message.reference,
                                             "to": message.to, "text": message.text, "at": clock.now().isoformat()},
                                            ensure_ascii=False) + "\n")
            log.write("".join(lines))
        return [taken[message.reference] for message in messages]


@ADAPTERS.register("http")
class HttpGateway(_OneAtATime):
    """A provider speaking the JSON protocol of `yiwang sms-simulator` (an adapter per real provider
    would translate it). Redirects are not followed; answers slower than the timeout are ambiguous."""

    label = "HTTP 短信服务商"

    def __init__(self, config: GatewayConfig):
        self.config = config

    def check(self) -> list[str]:
        if not self.config.url.startswith(("http://", "https://")):
            return [f"gateway {self.config.name}: url must be http:// or https://, got {self.config.url!r}"]
        return []

    def send_many(self, messages: list[Sms], *, callback_url: str) -> list:
        body = {"messages": [{"reference": m.reference, "to": m.to, "text": m.text, "callback_url": callback_url}
                             for m in messages]}
        try:
            answer = _client().post(
                f"{self.config.url.rstrip('/')}/v1/messages/batch", json=body,
                headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_CREDENTIAL}"},
                timeout=httpx.Timeout(settings.SMS_GATEWAY_TIMEOUT_SECONDS, connect=2.0), follow_redirects=False,
            )
        except httpx.ConnectError:
            return [GatewayUnavailable("connection_failed")] * len(messages)
        except httpx.ConnectTimeout:
            return [GatewayUnavailable("connect_timeout")] * len(messages)
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError):
            return [GatewayUnavailable("no_answer", ambiguous=True)] * len(messages)
        if answer.status_code == 400:
            return [GatewayRejected(_error_of(answer))] * len(messages)
        if answer.status_code != 200:
            return [GatewayUnavailable(f"http_{answer.status_code}")] * len(messages)
        try:
            results = {str(r["reference"]): r for r in answer.json()["results"]}
        except (ValueError, KeyError, TypeError):
            return [GatewayUnavailable("malformed_answer", ambiguous=True)] * len(messages)
        outcomes = []
        for message in messages:
            result = results.get(message.reference)
            if result is None:  # the answer left it out: it may have been taken
                outcomes.append(GatewayUnavailable("malformed_answer", ambiguous=True))
            elif "id" in result:
                outcomes.append(str(result["id"]))
            else:
                outcomes.append(GatewayRejected(str(result.get("error", "rejected"))))
        return outcomes


def _error_of(answer) -> str:
    try:
        return str(answer.json().get("error", "rejected"))
    except (ValueError, AttributeError):
        return "rejected"


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
