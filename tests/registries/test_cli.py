"""The `yiwang registry-service` command and the demo's child process."""

from __future__ import annotations

import json
import urllib.request

from tests.registries.conftest import free_port
from yiwang import cli


def test_registry_service_subcommand_defaults():
    args = cli.build_parser().parse_args(["registry-service"])
    assert (args.host, args.port, args.data_dir, args.fault_drills) == ("127.0.0.1", 8301, None, False)
    assert args.func is cli.cmd_registry_service


def test_demo_has_registry_options():
    args = cli.build_parser().parse_args(["demo", "--registry-port", "9301"])
    assert (args.registry_host, args.registry_port) == ("127.0.0.1", 9301)


def test_demo_starts_and_stops_the_registry_child(db, tmp_path):
    port = free_port()
    child = cli._start_registry_service("127.0.0.1", port, str(tmp_path))
    try:
        assert child is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            assert json.loads(response.read()) == {"status": "ok", "records": 45}
    finally:
        cli._stop_child(child)
    assert child.poll() is not None


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
