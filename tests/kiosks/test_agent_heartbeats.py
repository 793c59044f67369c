"""The agent's heartbeats reach the platform over HTTP under the kiosk's token (its devices' status
stored; a revoked token refused), and the demo's reader that keeps one card reads it every time."""

from __future__ import annotations

import pytest

from yiwang.kiosks import agent, drivers, services
from yiwang.kiosks.fixtures import fixture_cards


@pytest.mark.timed_waits  # HTTP timeouts and the live server's threads
@pytest.mark.django_db(transaction=True)
def test_heartbeats_carry_the_devices_status_and_stop_with_the_token(catalog, live_server, tmp_path):
    from yiwang.hall.models import Site

    site = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street")
    kiosk, token = services.register_kiosk(code="K-009", name="南桥9号机", site=site)
    printer = drivers.FilePrinter(tmp_path / "p.bin")
    printer.state = "paper_low"
    config = agent.AgentConfig(token=token, origins={live_server.url}, reader=drivers.SimulatedCardReader(), printer=printer)
    assert agent.send_heartbeat(config, live_server.url) == 200
    kiosk.refresh_from_db()
    assert (kiosk.card_reader_status, kiosk.printer_status, kiosk.printer_detail) == (0, 1, "paper_low")
    assert kiosk.last_heartbeat_at is not None
    services.revoke_kiosk(kiosk_id=kiosk.pk)
    assert agent.send_heartbeat(config, live_server.url) == 401
    assert agent.send_heartbeat(config, "http://127.0.0.1:9") == 0  # nobody listening: logged, no exception


@pytest.mark.timed_waits  # the reader's timed wait for a card
def test_a_reader_that_keeps_its_card_reads_it_every_time():
    block = fixture_cards()["31012019900307123X"]
    reader = drivers.SimulatedCardReader(kept_card=block)
    assert reader.read(1) == block and reader.read(1) == block
    plain = drivers.SimulatedCardReader()
    plain.present(block)
    assert plain.read(1) == block
    with pytest.raises(drivers.DeviceError) as no_card:
        plain.read(0.05)
    assert no_card.value.code == "no_card"
