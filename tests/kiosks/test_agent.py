"""The kiosk agent over real HTTP on loopback: Origin and token checked, the card read (and its
faults), the receipt printed (and the printer's), drills only when enabled."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.kiosks.test_idcard import FIXTURE, NUMBER
from yiwang.kiosks import agent, drivers, idcard

ORIGIN = "http://127.0.0.1:8000"
TOKEN = "kiosk-token-0001"


@pytest.fixture
def running(tmp_path):
    reader = drivers.SimulatedCardReader()
    printer = drivers.FilePrinter(tmp_path / "printer.bin")
    config = agent.AgentConfig(token=TOKEN, origins={ORIGIN}, reader=reader, printer=printer, drills=True,
                               fixtures={"wang": idcard.encode_text_block(**FIXTURE)})
    server = agent.make_server(config, port=0)
    agent.serve_in_thread(server)
    client = httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=10,
                          headers={"Origin": ORIGIN, "X-Kiosk-Token": TOKEN})
    yield client, reader, printer, config
    client.close()
    server.shutdown()
    server.server_close()


def test_only_the_portals_origin_with_the_kiosks_token_is_answered(running):
    client, *_ = running
    assert client.get("/api/status").json() == {"devices": {"card_reader": {"status": 0}, "printer": {"status": 0, "detail": ""}}}
    wrong = client.get("/api/status", headers={"Origin": "http://evil.example"})
    assert (wrong.status_code, wrong.json()["code"]) == (403, "origin_refused")
    assert "access-control-allow-origin" not in wrong.headers
    bare = httpx.get(f"{client.base_url}/api/status", headers={"X-Kiosk-Token": TOKEN})
    assert (bare.status_code, bare.json()["code"]) == (403, "origin_refused")
    forged = client.get("/api/status", headers={"X-Kiosk-Token": "guess"})
    assert (forged.status_code, forged.json()["code"]) == (401, "bad_token")
    preflight = client.options("/api/card-reader/read", headers={"X-Kiosk-Token": ""})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Kiosk-Token" in preflight.headers["access-control-allow-headers"]


def test_the_agent_refuses_to_listen_beyond_loopback_and_callers_from_elsewhere():
    config = agent.AgentConfig(token=TOKEN, origins={ORIGIN}, reader=drivers.SimulatedCardReader(),
                               printer=drivers.FilePrinter("/dev/null"))
    for host in ("0.0.0.0", "192.168.1.20", "kiosk.local"):
        with pytest.raises(ValueError):
            agent.make_server(config, host=host, port=0)
    assert agent.is_loopback("127.0.0.1") and agent.is_loopback("::1") and agent.is_loopback("127.8.0.3")
    assert not agent.is_loopback("10.0.0.5") and not agent.is_loopback("::ffff:10.0.0.5") and not agent.is_loopback("")


def later(seconds: float, action) -> None:
    """Run `action` after `seconds` on a daemon thread (it never keeps the test process alive)."""
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


@pytest.mark.timed_waits
def test_a_card_presented_during_a_read_is_returned_parsed(running):
    client, reader, *_ = running
    # Another connection, as the drill is another caller: one httpx client is not shared across threads.
    later(0.3, lambda: httpx.post(f"{client.base_url}/api/drill", json={"present_card": "wang"}, headers=dict(client.headers)))
    answer = client.post("/api/card-reader/read", json={"timeout": 5})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"card_type": 0, "card": {
        "name": "王秀英", "sex": "女", "nation": "汉", "birth_date": "1952-03-07", "address": "上海市奉贤区南桥镇解放东路100弄5号",
        "id_number": NUMBER, "issuer": "上海市公安局奉贤分局", "valid_from": "2016-08-01", "valid_until": None}}


@pytest.mark.timed_waits
def test_no_card_a_removed_card_an_unreadable_one_and_a_cancelled_read(running):
    client, reader, *_ = running
    started = time.monotonic()
    none = client.post("/api/card-reader/read", json={"timeout": 0.5})
    assert (none.status_code, none.json()["code"]) == (408, "no_card") and time.monotonic() - started < 3
    later(0.2, reader.remove)
    removed = client.post("/api/card-reader/read", json={"timeout": 5})
    assert (removed.status_code, removed.json()["code"]) == (422, "card_removed")
    assert removed.json()["message"] == "读卡时身份证被移开，请重新放置。"
    client.post("/api/drill", json={"card_fault": "unreadable"})
    assert client.post("/api/card-reader/read", json={"timeout": 2}).json()["code"] == "card_unreadable"
    reader.present(b"\x00" * 256)  # a block that is not a card's text
    assert client.post("/api/card-reader/read", json={"timeout": 2}).json()["code"] == "card_unreadable"
    later(0.3, lambda: httpx.post(f"{client.base_url}/api/card-reader/cancel", headers=dict(client.headers)))
    cancelled = client.post("/api/card-reader/read", json={"timeout": 5})
    assert (cancelled.status_code, cancelled.json()["code"]) == (409, "cancelled")
    assert client.post("/api/card-reader/read", json={"timeout": 120}).json()["code"] == "bad_timeout"


def test_a_receipt_is_printed_as_escpos_and_printer_faults_are_clear(running):
    client, _, printer, _ = running
    answer = client.post("/api/printer/print", json={"title": "医保缴费查询", "lines": [["年度", "2025"], ["缴费合计", "480.00 元"]],
                                                    "footer": "奉贤区社区事务受理服务中心"})
    assert answer.status_code == 200 and answer.json()["bytes"] == len(printer.jobs[0])
    written = printer.path.read_bytes()
    assert written.startswith(b"\x1b@") and "缴费合计：480.00 元".encode("gb18030") in written
    client.post("/api/drill", json={"printer": "paper_low"})
    assert client.get("/api/status").json()["devices"]["printer"] == {"status": 1, "detail": "paper_low"}
    client.post("/api/drill", json={"printer": "paper_out"})
    out = client.post("/api/printer/print", json={"title": "回执", "lines": []})
    assert (out.status_code, out.json()["code"], out.json()["message"]) == (503, "paper_out", "打印机缺纸，请联系工作人员。")
    client.post("/api/drill", json={"printer": "offline"})
    assert client.post("/api/printer/print", json={"title": "回执", "lines": []}).json()["code"] == "printer_offline"
    assert len(printer.jobs) == 1
    bad = client.post("/api/printer/print", json={"title": "", "lines": "x"})
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_title")
    garbled = client.post("/api/printer/print", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (garbled.status_code, garbled.json()["code"]) == (400, "bad_json")


def test_drills_are_refused_unless_enabled(running):
    client, _, _, config = running
    config.drills = False
    assert client.post("/api/drill", json={"present_card": "wang"}).status_code == 404


def test_the_kiosk_agent_command_runs_on_loopback_with_the_registrys_people(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    from yiwang.kiosks.fixtures import fixture_cards

    refused = subprocess.run([sys.executable, "-m", "yiwang", "kiosk-agent", "--host", "0.0.0.0", "--token", TOKEN],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr == "yiwang: error: the kiosk agent listens on loopback only (127.0.0.1, ::1, localhost), not 0.0.0.0\n"
    no_token = subprocess.run([sys.executable, "-m", "yiwang", "kiosk-agent"], capture_output=True, text=True, timeout=60,
                              env={k: v for k, v in os.environ.items() if k != "YIWANG_KIOSK_TOKEN"})
    assert no_token.returncode == 2 and "token" in no_token.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "yiwang", "kiosk-agent", "--port", str(port), "--token", TOKEN, "--origin",
                                ORIGIN, "--printer-file", str(tmp_path / "p.bin"), "--drills"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith(f"kiosk agent on http://127.0.0.1:{port}/ for {ORIGIN}")
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Origin": ORIGIN, "X-Kiosk-Token": TOKEN}, timeout=10)
        assert client.post("/api/drill", json={"present_card": "31012019900307123X"}).json() == {"ok": True}
        card = client.post("/api/card-reader/read", json={"timeout": 3}).json()["card"]
        assert (card["name"], card["id_number"], card["birth_date"]) == ("张三", "31012019900307123X", "1990-03-07")
        assert len(fixture_cards()) >= 5
    finally:
        process.terminate()
        process.wait(timeout=10)
