"""The SMS provider simulator as real processes (`python -m yiwang sms-simulator --fault-drills`),
two of them, so the HTTP gateway protocol, failover and delivery receipts are exercised for real."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass

import pytest

from tests.registries.conftest import free_port, start_http_process

CREDENTIAL = "yiwang-demo-sms-credential"


@dataclass
class SimulatorProcess:
    name: str
    url: str
    process: subprocess.Popen

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {CREDENTIAL}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def faults(self, **faults) -> None:
        self.call("PUT", "/admin/faults", faults)

    def log(self) -> list[dict]:
        return self.call("GET", "/v1/log")["messages"]

    def reset(self) -> None:
        self.call("DELETE", "/admin/faults")
        self.call("DELETE", "/v1/log")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_simulator(name: str, port: int | None = None) -> SimulatorProcess:
    port = port or free_port()
    process, url = start_http_process(
        [sys.executable, "-m", "yiwang", "sms-simulator", "--port", str(port), "--name", name, "--fault-drills"],
        env=None, port=port, what="sms simulator")
    return SimulatorProcess(name=name, url=url, process=process)


@pytest.fixture(scope="session")
def simulators():
    started = {name: start_simulator(name) for name in ("a", "b")}
    yield started
    for simulator in started.values():
        simulator.stop()


@pytest.fixture
def gateways(simulators, settings):
    """Two HTTP gateways, a (weight 60) and b (weight 40), with no faults and empty logs."""
    from yiwang.notifications import services

    settings.SMS_GATEWAYS = [
        {"name": "a", "adapter": "http", "url": simulators["a"].url, "weight": 60},
        {"name": "b", "adapter": "http", "url": simulators["b"].url, "weight": 40},
    ]
    settings.SMS_GATEWAY_TIMEOUT_SECONDS = 1.0
    for simulator in simulators.values():
        simulator.reset()
        simulator.faults(receipt="none")  # receipts need a server: tests that want them use the live server
    services._error_log.clear()
    yield simulators
    for simulator in simulators.values():
        simulator.reset()
    services._error_log.clear()
