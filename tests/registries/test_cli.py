"""The `yiwang registry-service` command and the demo's child process: its port and its identity."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest

from tests.registries.conftest import free_port, start_registry_process
from yiwang import cli


def test_registry_service_subcommand_defaults():
    args = cli.build_parser().parse_args(["registry-service"])
    assert (args.host, args.port, args.data_dir, args.fault_drills) == ("127.0.0.1", 8301, None, False)
    assert args.func is cli.cmd_registry_service


def test_demo_has_registry_options():
    args = cli.build_parser().parse_args(["demo", "--registry-port", "9301"])
    assert (args.registry_host, args.registry_port) == ("127.0.0.1", 9301)
    assert cli.build_parser().parse_args(["demo"]).registry_port is None  # a free port, chosen at start


def _healthz(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
        return json.loads(response.read())


def test_demo_starts_and_stops_the_registry_child(db, tmp_path):
    port = free_port()
    child = cli._start_registry_service("127.0.0.1", port, str(tmp_path), instance="demo-instance-4b1f")
    try:
        assert child is not None
        assert _healthz(port) == {"status": "ok", "service": "yiwang-registry-service",
                                  "instance": "demo-instance-4b1f", "records": 55}
    finally:
        cli._stop_child(child)
    assert child.poll() is not None


def refused(port: int) -> str:
    return (f"another process answers on 127.0.0.1:{port}, not the registry service this demo started; "
            "stop it or choose another --registry-port (make demo: REGISTRY_PORT=...)")


def test_demo_refuses_a_registry_it_did_not_start(db, tmp_path):
    """Another demo's registry service on the port is refused, not used, and left running."""
    other = start_registry_process(fault_drills=False)
    port = int(other.url.rsplit(":", 1)[1])
    try:
        before = _healthz(port)
        with pytest.raises(cli.PortTaken) as caught:
            cli._start_registry_service("127.0.0.1", port, str(tmp_path))
        assert str(caught.value) == refused(port)
        assert other.process.poll() is None
        assert _healthz(port) == before
    finally:
        other.stop()


class _ImpostorHealth(http.server.BaseHTTPRequestHandler):
    """Answers /healthz as the registry did before it named itself."""

    def do_GET(self):  # noqa: N802 - the stdlib's name
        body = json.dumps({"status": "ok", "records": 45}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def impostor_registry():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ImpostorHealth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_demo_refuses_any_healthy_answer_that_is_not_its_child(db, tmp_path):
    with impostor_registry() as port:
        with pytest.raises(cli.PortTaken) as caught:
            cli._start_registry_service("127.0.0.1", port, str(tmp_path))
    assert str(caught.value) == refused(port)


@contextlib.contextmanager
def silent_listener():
    """A port held by a process that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_port_taken_after_it_was_chosen_is_refused(db, tmp_path):
    with silent_listener() as port:
        with pytest.raises(cli.PortTaken) as caught:
            cli._start_registry_service("127.0.0.1", port, str(tmp_path))
    assert str(caught.value) == (f"127.0.0.1:{port} was taken by another process before the registry service "
                                 "could listen there; run the demo again")


def test_port_is_free():
    with silent_listener() as port:
        assert cli.port_is_free("127.0.0.1", port) is False
    assert cli.port_is_free("127.0.0.1", port) is True
    chosen = cli.free_port("127.0.0.1")
    assert chosen > 0 and cli.port_is_free("127.0.0.1", chosen) is True


def test_registry_service_on_a_port_in_use_fails_with_one_line():
    with silent_listener() as taken:
        finished = subprocess.run([sys.executable, "-m", "yiwang", "registry-service", "--port", str(taken)],
                                  capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2
    assert finished.stderr == f"cannot listen on 127.0.0.1:{taken}: Address already in use\n"


def _demo(tmp_path, *args) -> subprocess.CompletedProcess:
    """`yiwang demo` as a process, on SQLite in `tmp_path`."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"YIWANG_DATABASE_URL", "LD_PRELOAD"} and not k.startswith("FAKETIME")}
    return subprocess.run([sys.executable, "-m", "yiwang", "demo", "--data-dir", str(tmp_path / "data"), *args],
                          env=env, capture_output=True, text=True, timeout=60)


def test_demo_refuses_a_registry_port_in_use_with_one_line(tmp_path):
    with silent_listener() as taken:
        finished = _demo(tmp_path, "--port", str(free_port()), "--registry-port", str(taken))
    assert finished.returncode == 2
    assert finished.stderr == (f"yiwang: error: 127.0.0.1:{taken} is in use by another process; choose another "
                               "--registry-port (make demo: REGISTRY_PORT=...)\n")
    assert finished.stdout == ""
    assert not (tmp_path / "data").exists()  # refused before anything was migrated or started


def test_demo_refuses_an_app_port_in_use_with_one_line(tmp_path):
    with impostor_registry() as taken:
        finished = _demo(tmp_path, "--port", str(taken))
    assert finished.returncode == 2
    assert finished.stderr == (f"yiwang: error: 127.0.0.1:{taken} is in use by another process; choose another "
                               "--port (make demo: PORT=...)\n")
    assert not (tmp_path / "data").exists()


def test_seed_file_in_the_data_dir_replaces_the_packaged_records(tmp_path):
    from yiwang.registry_service.server import build_service

    (tmp_path / "registry-seed.json").write_text(json.dumps({
        "format": "yiwang-registry-seed/1", "issuers": {}, "records": [{
            "registry": "household", "kind": "id_card", "subject": {"type": "person", "id": "X"},
            "record_id": "R1", "issued_at": "2026-01-01T00:00:00+08:00", "record": {"name": "某"},
        }],
    }), encoding="utf-8")
    (tmp_path / "registry-credentials.json").write_text(json.dumps({"platforms": {"district": "s3cret"}}))
    service = build_service(data_dir=tmp_path)
    assert list(service.data.records) == [("household", "id_card", "person", "X")]
    assert service._platforms == {"s3cret": "district"}
