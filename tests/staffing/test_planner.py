"""The planner: the input document checked, dedicated versus pooled, interval mode, the output document."""

from __future__ import annotations

import copy
import math

import pytest

from yiwang.core.errors import ValidationFailed
from yiwang.staffing import constants as c
from yiwang.staffing import planner

TWO_QUEUES = {
    "target": {"wait_seconds": 20, "service_level": 0.8},
    "queues": [{"name": "企业登记", "arrivals_per_hour": 200, "mean_service_minutes": 3},
               {"name": "户籍", "arrivals_per_hour": 30, "mean_service_minutes": 10}],
}


def test_dedicated_pooled_and_saving_in_the_issues_shape():
    body = planner.plan_from_dict(TWO_QUEUES)
    assert {key: body[key] for key in ("dedicated", "pooled", "saving")} == {
        "dedicated": {"per_queue": {"企业登记": 14, "户籍": 8}, "total": 22},
        "pooled": {"total": 19},
        "saving": 3,
    }
    assert set(body) == {"dedicated", "pooled", "saving", "details"}
    assert body["details"] == {
        "model": "erlang_c",
        "target": {"wait_seconds": 20.0, "service_level": 0.8},
        "dedicated": {
            "企业登记": {"offered_load": 10.0, "service_level_achieved": 0.8884, "prob_wait": 0.1741,
                     "mean_wait_seconds": 7.8, "occupancy": 0.714},
            "户籍": {"offered_load": 5.0, "service_level_achieved": 0.8487, "prob_wait": 0.1673,
                   "mean_wait_seconds": 33.5, "occupancy": 0.625},
        },
        # 230 arrivals an hour at the arrival-weighted mean (200·3 + 30·10)/230 = 3.913 minutes: a = 15.
        "pooled": {"arrivals_per_hour": 230.0, "mean_service_minutes": 3.913, "offered_load": 15.0,
                   "service_level_achieved": 0.8263, "prob_wait": 0.2442, "mean_wait_seconds": 14.3, "occupancy": 0.789},
        "service_level_achieved": {"dedicated": 0.8832, "pooled": 0.8263},
    }


def test_the_public_objects_behind_the_document():
    request = planner.parse_request(TWO_QUEUES)
    assert request.target == planner.Target(wait_seconds=20.0, service_level=0.8)
    assert request.queues[1] == planner.QueueDemand("户籍", (30.0,), (10.0,))
    assert (request.interval_minutes, request.periods, request.max_windows) == (None, 1, 1000)
    result = planner.plan(request)
    assert (result.dedicated_total, result.pooled_total, result.saving) == (22, 19, 3)
    assert [q.windows for q in result.dedicated] == [14, 8]
    assert result.pooled.mean_service_minutes[0] == pytest.approx(900 / 230, rel=1e-12)


def test_queues_with_nobody_need_no_window():
    body = planner.plan_from_dict({"target": {"wait_seconds": 900, "service_level": 0.8},
                                   "queues": [{"name": "空", "arrivals_per_hour": 0, "mean_service_minutes": 10},
                                              {"name": "少", "arrivals_per_hour": 1, "mean_service_minutes": 10}]})
    assert (body["dedicated"], body["pooled"], body["saving"]) == ({"per_queue": {"空": 0, "少": 1}, "total": 1}, {"total": 1}, 0)
    assert body["details"]["dedicated"]["空"] == {"offered_load": 0.0, "service_level_achieved": 1.0, "prob_wait": 0.0,
                                                 "mean_wait_seconds": 0.0, "occupancy": 0.0}
    nobody = planner.plan_from_dict({"target": {"wait_seconds": 900, "service_level": 0.8},
                                     "queues": [{"name": "空", "arrivals_per_hour": 0, "mean_service_minutes": 10}]})
    assert (nobody["dedicated"]["total"], nobody["pooled"]["total"], nobody["details"]["service_level_achieved"]) == (
        0, 0, {"dedicated": None, "pooled": None})


def test_interval_mode_plans_each_interval_and_keeps_each_queues_peak():
    body = planner.plan_from_dict({
        "target": {"wait_seconds": 900, "service_level": 0.8},
        "interval_minutes": 15,
        "queues": [{"name": "税务", "arrivals_per_hour": [120, 60, 0, 30], "mean_service_minutes": 12},
                   {"name": "社保", "arrivals_per_hour": 40, "mean_service_minutes": [10, 10, 15, 20]}],
    })
    assert {key: body[key] for key in ("dedicated", "pooled", "saving")} == {
        "dedicated": {"per_queue": {"税务": 26, "社保": 15}, "total": 41}, "pooled": {"total": 32}, "saving": 9}
    assert body["intervals"] == {
        "interval_minutes": 15.0, "count": 4,
        "dedicated": {"per_queue": {"税务": [26, 14, 0, 7], "社保": [8, 8, 12, 15]}, "total": [34, 22, 12, 22], "peak": 34,
                      "window_hours": 22.5},
        "pooled": {"per_interval": [32, 20, 12, 21], "peak": 32, "window_hours": 21.25},
    }
    # 24 erlangs in the first interval: 25 windows call 77.7% within 15 minutes, 26 call 95.1%.
    assert body["details"]["dedicated"]["税务"]["service_level_achieved"][0] == 0.951
    assert body["details"]["pooled"]["arrivals_per_hour"] == [160.0, 100.0, 40.0, 70.0]
    assert body["details"]["pooled"]["mean_service_minutes"] == [11.5, 11.2, 15.0, 16.571]
    assert body["details"]["dedicated"]["税务"]["offered_load"] == [24.0, 12.0, 0.0, 6.0]


def test_lists_without_an_interval_length_are_hourly():
    request = planner.parse_request({"target": {"wait_seconds": 900, "service_level": 0.8},
                                     "queues": [{"name": "a", "arrivals_per_hour": [10, 20], "mean_service_minutes": 10}]})
    assert (request.interval_minutes, request.periods) == (60.0, 2)
    assert request.queues[0].mean_service_minutes == (10.0, 10.0)


def test_erlang_a_with_a_patience():
    document = copy.deepcopy(TWO_QUEUES)
    document["target"]["patience_minutes"] = 2
    body = planner.plan_from_dict(document)
    # Fewer windows than Erlang C's 14 and 8: those who give up shorten the queue for the others.
    assert (body["dedicated"], body["pooled"]) == ({"per_queue": {"企业登记": 12, "户籍": 7}, "total": 19}, {"total": 17})
    assert body["details"]["model"] == "erlang_a"
    assert body["details"]["target"] == {"wait_seconds": 20.0, "service_level": 0.8, "patience_minutes": 2.0}
    assert body["details"]["dedicated"]["企业登记"] == {
        "offered_load": 10.0, "service_level_achieved": 0.8256, "prob_wait": 0.2798, "mean_wait_seconds": 7.4,
        "occupancy": 0.782, "prob_abandon": 0.0616}


def _document(**changes) -> dict:
    document = copy.deepcopy(TWO_QUEUES)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is KeyError:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return document


BAD = [
    ("not an object", ["queues"], c.BAD_INPUT, ""),
    ("no target", _document(target=KeyError), c.BAD_INPUT, "target"),
    ("target not an object", _document(target=0.8), c.BAD_INPUT, "target"),
    ("no wait", _document(target__wait_seconds=KeyError), c.BAD_INPUT, "target.wait_seconds"),
    ("wait as text", _document(target__wait_seconds="900"), c.NOT_A_NUMBER, "target.wait_seconds"),
    ("negative wait", _document(target__wait_seconds=-1), c.NEGATIVE_WAIT, "target.wait_seconds"),
    ("wait beyond a day", _document(target__wait_seconds=86_401), c.OUT_OF_RANGE, "target.wait_seconds"),
    ("level 0", _document(target__service_level=0), c.BAD_SERVICE_LEVEL, "target.service_level"),
    ("level 1", _document(target__service_level=1), c.BAD_SERVICE_LEVEL, "target.service_level"),
    ("level 80", _document(target__service_level=80), c.BAD_SERVICE_LEVEL, "target.service_level"),
    ("negative level", _document(target__service_level=-0.2), c.BAD_SERVICE_LEVEL, "target.service_level"),
    ("level true", _document(target__service_level=True), c.NOT_A_NUMBER, "target.service_level"),
    ("level nan", _document(target__service_level=math.nan), c.NOT_A_NUMBER, "target.service_level"),
    ("zero patience", _document(target__patience_minutes=0), c.BAD_PATIENCE, "target.patience_minutes"),
    ("negative patience", _document(target__patience_minutes=-5), c.BAD_PATIENCE, "target.patience_minutes"),
    ("no queues key", _document(queues=KeyError), c.BAD_INPUT, "queues"),
    ("queues not a list", _document(queues={"name": "a"}), c.BAD_INPUT, "queues"),
    ("empty queue list", _document(queues=[]), c.NO_QUEUES, "queues"),
    ("too many queues", _document(queues=[{"name": f"q{n}", "arrivals_per_hour": 1, "mean_service_minutes": 1}
                                          for n in range(501)]), c.TOO_MANY_QUEUES, "queues"),
    ("queue not an object", _document(queues__1=5), c.BAD_INPUT, "queues[1]"),
    ("no name", _document(queues__0__name=KeyError), c.BAD_INPUT, "queues[0].name"),
    ("blank name", _document(queues__0__name="  "), c.BAD_QUEUE_NAME, "queues[0].name"),
    ("name a number", _document(queues__0__name=7), c.BAD_QUEUE_NAME, "queues[0].name"),
    ("name too long", _document(queues__0__name="窗" * 201), c.BAD_QUEUE_NAME, "queues[0].name"),
    ("duplicate name", _document(queues__1__name=" 企业登记 "), c.DUPLICATE_QUEUE, "queues[1].name"),
    ("no arrivals", _document(queues__1__arrivals_per_hour=KeyError), c.BAD_INPUT, "queues[1].arrivals_per_hour"),
    ("negative arrivals", _document(queues__1__arrivals_per_hour=-3), c.NEGATIVE_ARRIVALS, "queues[1].arrivals_per_hour"),
    ("a negative interval", _document(queues__1__arrivals_per_hour=[3, -1]), c.NEGATIVE_ARRIVALS,
     "queues[1].arrivals_per_hour"),
    ("arrivals as text", _document(queues__1__arrivals_per_hour="30"), c.NOT_A_NUMBER, "queues[1].arrivals_per_hour"),
    ("an interval as text", _document(queues__1__arrivals_per_hour=[3, "x"]), c.NOT_A_NUMBER,
     "queues[1].arrivals_per_hour[1]"),
    ("infinite arrivals", _document(queues__1__arrivals_per_hour=math.inf), c.NOT_A_NUMBER, "queues[1].arrivals_per_hour"),
    ("arrivals beyond a city", _document(queues__1__arrivals_per_hour=2e6), c.OUT_OF_RANGE, "queues[1].arrivals_per_hour"),
    ("zero service", _document(queues__0__mean_service_minutes=0), c.BAD_SERVICE_TIME, "queues[0].mean_service_minutes"),
    ("negative service", _document(queues__0__mean_service_minutes=-3), c.BAD_SERVICE_TIME,
     "queues[0].mean_service_minutes"),
    ("a zero interval service", _document(queues__0__mean_service_minutes=[3, 0]), c.BAD_SERVICE_TIME,
     "queues[0].mean_service_minutes"),
    ("service beyond a day", _document(queues__0__mean_service_minutes=1441), c.OUT_OF_RANGE,
     "queues[0].mean_service_minutes"),
    ("empty interval list", _document(queues__0__arrivals_per_hour=[]), c.BAD_INTERVALS, "queues[0].arrivals_per_hour"),
    ("uneven interval lists", _document(queues__0__arrivals_per_hour=[1, 2], queues__1__arrivals_per_hour=[1, 2, 3]),
     c.BAD_INTERVALS, "queues[1].arrivals_per_hour"),
    ("uneven service list", _document(queues__0__arrivals_per_hour=[1, 2], queues__0__mean_service_minutes=[1, 2, 3]),
     c.BAD_INTERVALS, "queues[0].mean_service_minutes"),
    ("zero interval length", _document(interval_minutes=0), c.BAD_INTERVALS, "interval_minutes"),
    ("interval beyond a day", _document(interval_minutes=1441), c.BAD_INTERVALS, "interval_minutes"),
    ("too many intervals", _document(queues__0__arrivals_per_hour=[1] * 1441), c.BAD_INTERVALS,
     "queues[0].arrivals_per_hour"),
]


@pytest.mark.parametrize(("document", "code", "path"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_every_bad_input_is_refused_with_a_code_and_both_languages(document, code, path):
    with pytest.raises(ValidationFailed) as refused:
        planner.parse_request(document)
    error = refused.value
    assert (error.code, error.details["path"], error.status) == (code, path, 400)
    assert error.message and error.message_en and error.message != error.message_en
    assert set(error.as_dict()) == {"code", "message", "message_en", "details"}


def test_a_load_too_high_for_any_sane_count_is_refused_at_once():
    document = _document(queues__0__arrivals_per_hour=1_000_000, queues__0__mean_service_minutes=1440)
    with pytest.raises(ValidationFailed) as refused:
        planner.plan_from_dict(document)
    assert refused.value.as_dict() == {
        "code": "load_too_high",
        "message": "第 1 个队列（企业登记）的负荷过高：1000 个窗口以内达不到目标（负荷 24000000.0 爱尔兰）。",
        "message_en": "Queue 1 (企业登记): the offered load is too high: no count up to 1000 windows meets the target "
                      "(load 24000000.0 erlangs).",
        "details": {"path": "queues[0]", "offered_load": 24000000.0, "max_windows": 1000},
    }
    # Each queue fits under the cap, their sum does not.
    both = _document(queues__0__arrivals_per_hour=3590, queues__0__mean_service_minutes=10,
                     queues__1__arrivals_per_hour=3590)
    with pytest.raises(ValidationFailed) as refused:
        planner.plan_from_dict(both)
    assert (refused.value.code, refused.value.details) == (
        "load_too_high", {"path": "queues", "offered_load": 1196.667, "max_windows": 1000})
    assert refused.value.message_en.startswith("The pool (comprehensive windows): the offered load is too high")
    # In interval mode the message names the interval.
    peak = _document(queues__1__arrivals_per_hour=[30, 7000])
    with pytest.raises(ValidationFailed) as refused:
        planner.plan_from_dict(peak, max_windows=200)
    assert "(interval 2)" in refused.value.message_en and "（第 2 个时段）" in refused.value.message


def test_malformed_json_and_other_bad_text():
    assert planner.load_request_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
    for text, details in (('{"target": ', {"line": 1, "column": 12}), ("[1, 2,]", {"line": 1, "column": 7}),
                          ("", {"line": 1, "column": 1})):
        with pytest.raises(ValidationFailed) as refused:
            planner.load_request_json(text)
        assert (refused.value.code, refused.value.details) == (c.MALFORMED_JSON, details)
    for text in ('{"x": NaN}', '{"x": -Infinity}', b"\xff\xfe{}"):
        with pytest.raises(ValidationFailed) as refused:
            planner.load_request_json(text)
        assert refused.value.code == c.MALFORMED_JSON
    with pytest.raises(ValidationFailed) as refused:
        planner.load_request_json(" " * (c.MAX_INPUT_BYTES + 1))
    assert refused.value.code == c.BAD_INPUT
    with pytest.raises(ValidationFailed) as refused:
        planner.parse_request(planner.load_request_json("[]"))
    assert refused.value.code == c.BAD_INPUT
