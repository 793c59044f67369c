"""Partner regions' published figures, fetched over HTTP and ranked beside ours; a bad answer keeps the last good one."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from yiwang.evaluation import selectors, services
from yiwang.evaluation.models import PartnerDashboard

pytestmark = pytest.mark.django_db


class _Partner(BaseHTTPRequestHandler):
    body: bytes = b""
    status = 200
    asked: list = []

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).asked.append(self.path)
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner_server():
    _Partner.asked, _Partner.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def _published(score):
    return json.dumps({"region": {"code": "310104", "name": "徐汇区", "name_en": "Xuhui"}, "since": "2026-02-08",
                       "until": "2026-03-09", "score": score,
                       "indicators": [{"code": "good_rate", "value": 0.99}, {"code": "no_such", "value": 1}]}).encode()


def test_partners_are_fetched_ranked_and_a_bad_answer_keeps_the_last_good_one(catalog, partner_server):
    from yiwang.catalog.models import Region

    assert selectors.region_ranking(selectors.period_from(None, None), 70.0) == []  # no partner: no region table
    xuhui = Region.objects.get_or_create(code="310104", defaults={"name": "徐汇区", "name_en": "Xuhui"})[0]
    PartnerDashboard.objects.create(region=xuhui, url=f"http://127.0.0.1:{partner_server.server_port}/api/v1/evaluation/figures/")
    _Partner.body = _published(82.5)
    assert services.fetch_partner_figures() == {"310104": "ok"}
    assert _Partner.asked == ["/api/v1/evaluation/figures/?from=2026-02-08&to=2026-03-09"]
    stored = PartnerDashboard.objects.get()
    assert (stored.score, stored.values, stored.last_error) == (82.5, {"good_rate": 0.99}, "")
    rows = selectors.region_ranking(selectors.period_from(None, None), 75.0)
    home = Region.objects.get(is_home=True)
    assert [(r.code, r.rank, r.score, r.home) for r in rows] == [("310104", 1, 82.5, False), (home.code, 2, 75.0, True)]

    _Partner.body = b'{"score": "high"}'
    outcome = services.fetch_partner_figures()
    assert outcome == {"310104": "not a figures document (no indicators list)"}
    _Partner.body, _Partner.status = _published(120), 200
    assert services.fetch_partner_figures() == {"310104": "score must be a number from 0 to 100 or null, got 120"}
    _Partner.status = 503
    assert services.fetch_partner_figures() == {"310104": "answered 503"}
    stored.refresh_from_db()
    assert stored.score == 82.5 and stored.last_error.endswith("answered 503")


def test_an_unreachable_partner_is_an_error_not_a_crash(catalog):
    from yiwang.catalog.models import Region

    region = Region.objects.get_or_create(code="310105", defaults={"name": "长宁区"})[0]
    PartnerDashboard.objects.create(region=region, url="http://127.0.0.1:9/figures/")
    outcome = services.fetch_partner_figures(timeout=2)
    assert list(outcome) == ["310105"] and outcome["310105"] != "ok"
    assert PartnerDashboard.objects.get().score is None
