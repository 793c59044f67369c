"""Ratings forwarded to a provincial 好差评 system: the record's fields, the twice-base64 carriage,
the file adapter of the demo and a real HTTP exchange with a receiver on a local port."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.conftest import BackgroundRunner
from yiwang.ratings import forwarding, services
from yiwang.ratings.models import Rating

pytestmark = pytest.mark.django_db


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received, _Receiver.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Receiver
    server.shutdown()


def test_twice_base64_round_trips_chinese_text():
    record = {"projNo": "P1", "evaluateLevelName": "非常不满意"}
    carried = forwarding.twice_base64(record)
    assert carried == "ZXlKbGRtRnNkV0YwWlV4bGRtVnNUbUZ0WlNJNklDTHBuWjdsdUxqa3VJM211NkhtaEk4aUxDQWljSEp2YWs1dklqb2dJbEF4SW4wPQ=="
    assert forwarding.from_twice_base64(carried) == record


def test_the_record_names_the_case_item_department_applicant_and_level(cases):
    rating = services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=2, comment="慢")
    record = forwarding.record_of(rating)
    assert {k: record[k] for k in ("projNo", "serviceCode", "serviceName", "serviceDepartment", "applicantName",
                                   "evaluateChannel", "evaluateType", "evaluateLevel", "evaluateLevelName",
                                   "evaluateContent", "handleStateName", "regionCode", "version")} == {
        "projNo": cases.ended["number"], "serviceCode": "310120-SCJG-01-0001", "serviceName": "个体工商户设立登记",
        "serviceDepartment": "区市场监督管理局", "applicantName": cases.resident.real_name, "evaluateChannel": "PC",
        "evaluateType": "一事一评", "evaluateLevel": 2, "evaluateLevelName": "不满意", "evaluateContent": "慢",
        "handleStateName": "已出证", "regionCode": "310120", "version": "2"}
    assert record["applicantCardNumber"] != cases.resident.id_number and record["applicantCardNumber"].startswith(cases.resident.id_number[:4])
    assert record["evaluatedPersonInfo"] == cases.officer.display_name


def test_the_file_adapter_writes_one_line_per_rating_once(cases, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.RATINGS = {**settings.RATINGS, "forward": "file"}
    rating = services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=5)
    BackgroundRunner().run()
    BackgroundRunner().run()
    lines = (tmp_path / "ratings-forwarded.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["projNo"] for line in lines] == [cases.ended["number"]]
    rating.refresh_from_db()
    assert rating.forward_state == "sent" and rating.forwarded_at is not None


def test_the_http_adapter_posts_the_record_and_retries_when_refused(cases, settings, receiver):
    server, handler = receiver
    settings.RATINGS = {**settings.RATINGS, "forward": f"http:http://127.0.0.1:{server.server_port}/hcp/evaluations"}
    handler.answer = 503
    rating = services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=1, comment="态度差")
    with pytest.raises(RuntimeError):
        forwarding.forward_rating(rating_id=rating.pk)
    assert Rating.objects.get(pk=rating.pk).forward_state == "pending"
    handler.answer = 200
    assert forwarding.forward_rating(rating_id=rating.pk)["forwarded"] is True
    assert forwarding.forward_rating(rating_id=rating.pk) == {"forwarded": True, "again": False}
    last = handler.received[-1]
    assert last["projNo"] == cases.ended["number"]
    assert forwarding.from_twice_base64(last["data"]) == last["record"]
    assert last["record"]["evaluateContent"] == "态度差"
    assert len(handler.received) == 2  # the refused try and the accepted one; none after it was sent
