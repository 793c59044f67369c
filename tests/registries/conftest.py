"""The REAL registry service process for the session, and the platform pointed at it.

`registry_service` starts ``python -m yiwang registry-service --fault-drills`` on a free port
with a test platform credential, waits for /healthz and stops it at the end. `registry` points the
settings at it for one test, resets the circuit breakers, clears the fault drills and keeps the
service's clock at the test's frozen clock (the service checks consent expiry by its own clock).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PLATFORM = "yiwang-test"
CREDENTIAL = "test-platform-credential-7f3a"
OTHER_PLATFORM = "other-platform"
OTHER_CREDENTIAL = "other-platform-credential-91bc"
# The other platform's consent-signing key; this platform's own is the one in the test data folder.
OTHER_CONSENT_KEY = Ed25519PrivateKey.generate()

ZHANGSAN_ID = "31012019900307123X"  # accounts.services.DEMO_ID_ZHANGSAN, seeded in the registry
LISI_ID = "310120198511204321"  # accounts.services.DEMO_ID_LISI
DEMO_CREDIT_CODE = "91310120MA1FL8XK23"  # the demo enterprise (no external business licence seeded)
LOGISTICS_CREDIT_CODE = "91310120MA1GH2KQ5Q"  # seeded with an external business licence


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RegistryProcess:
    url: str
    process: subprocess.Popen

    def call(self, method: str, path: str, body: dict | None = None, credential: str | None = CREDENTIAL):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if credential:
            request.add_header("Authorization", f"Bearer {credential}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def drill(self, registry: str, mode: str, delay: float | None = None) -> None:
        body = {"registry": registry, "mode": mode}
        if delay is not None:
            body["delay"] = delay
        status, _ = self.call("POST", "/admin/faults", body)
        assert status == 200

    def follow(self, frozen_clock) -> None:
        """Keep the service's clock at `frozen_clock`'s instant, now and whenever the test moves it."""
        def set_clock(at):
            if self.process.poll() is not None:
                return  # stopped by the test (an outage drill)
            status, body = self.call("PUT", "/admin/clock", {"now": at.isoformat()})
            assert status == 200, body

        set_clock(frozen_clock.now())
        frozen_clock.on_change(set_clock)

    def release_clock(self) -> None:
        self.call("DELETE", "/admin/clock")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_registry_process(port: int | None = None, *, fault_drills: bool = True) -> RegistryProcess:
    from yiwang.registries.consent_key import platform_consent_public_key
    from yiwang.registry_service.consent import public_key_hex

    port = port or free_port()
    # The registry knows each platform's credential (who calls) and consent key (what it signed).
    platforms = f"{PLATFORM}={CREDENTIAL}={platform_consent_public_key()};" \
                f"{OTHER_PLATFORM}={OTHER_CREDENTIAL}={public_key_hex(OTHER_CONSENT_KEY)}"
    env = {**os.environ, "YIWANG_REGISTRY_PLATFORMS": platforms}
    command = [sys.executable, "-m", "yiwang", "registry-service", "--port", str(port)]
    if fault_drills:
        command.append("--fault-drills")
    process, url = start_http_process(command, env=env, port=port, what="registry service")
    return RegistryProcess(url=url, process=process)


def start_http_process(command: list[str], *, env: dict | None, port: int, what: str) -> tuple[subprocess.Popen, str]:
    """Start a service process and return it once its /healthz answers on 127.0.0.1:`port`.

    The process stands for another organisation's system: it runs on the machine's real clock,
    also when the tests run under faketime (whose fake clock breaks timed waits in a child).
    """
    env = {k: v for k, v in (os.environ if env is None else env).items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=0.5) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not answer /healthz")


@pytest.fixture(scope="session")
def registry_service():
    service = start_registry_process()
    yield service
    service.stop()


def use_registry(registry_service: RegistryProcess, settings, frozen_clock):
    """Point the platform at the registry service for one test (a generator: yield it from a fixture)."""
    from yiwang.registries.adapters import reset_circuit_breakers

    settings.YIWANG_REGISTRY_URL = registry_service.url
    settings.YIWANG_REGISTRY_CREDENTIAL = CREDENTIAL
    settings.YIWANG_REGISTRY_PLATFORM = PLATFORM
    reset_circuit_breakers()
    registry_service.call("DELETE", "/admin/faults")
    registry_service.follow(frozen_clock)
    yield registry_service
    registry_service.release_clock()
    registry_service.call("DELETE", "/admin/faults")
    reset_circuit_breakers()


@pytest.fixture
def registry(registry_service, settings, settings_media, frozen_clock):
    yield from use_registry(registry_service, settings, frozen_clock)


@pytest.fixture
def zhangsan(db):
    from yiwang.accounts.models import User

    return User.objects.create_user(username="zs", password="Passw0rd!2026", kind="resident", real_name="张三",
                                    id_number=ZHANGSAN_ID, phone="13800138000")


@pytest.fixture
def lisi(db):
    from yiwang.accounts.models import User

    return User.objects.create_user(username="ls", password="Passw0rd!2026", kind="resident", real_name="李四",
                                    id_number=LISI_ID, phone="13800138001")


@pytest.fixture
def company(db):
    from yiwang.accounts.models import User

    return User.objects.create_user(username="co", password="Passw0rd!2026", kind="enterprise",
                                    real_name="上海奉贤示例餐饮有限公司", credit_code=DEMO_CREDIT_CODE)


@pytest.fixture
def logistics(db):
    from yiwang.accounts.models import User

    return User.objects.create_user(username="logi", password="Passw0rd!2026", kind="enterprise",
                                    real_name="上海奉贤示例物流有限公司", credit_code=LOGISTICS_CREDIT_CODE)
