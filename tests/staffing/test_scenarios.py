"""The reference district's demo scenario: its data, and its figures next to the reported 202 → 123."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from yiwang.core.errors import ValidationFailed
from yiwang.staffing import planner, scenarios

CATALOG = Path(scenarios.__file__).resolve().parents[1] / "catalog" / "data" / "catalog-fengxian.json"


def test_the_scenario_has_the_catalogues_41_departments_with_uneven_loads():
    departments = {d["code"]: d["name"] for d in json.loads(CATALOG.read_text(encoding="utf-8"))["departments"]}
    assert {d.code: d.name for d in scenarios.DEPARTMENTS} == departments
    assert len(scenarios.DEPARTMENTS) == 41
    tickets = sorted(d.tickets_per_day for d in scenarios.DEPARTMENTS)
    assert (tickets[0], tickets[-1], sum(tickets)) == (5, 500, 3867)
    assert round(sum(tickets[-6:]) / sum(tickets), 3) == 0.539  # the six busiest take over half the day's tickets
    assert sum(t < 20 for t in tickets) == 14
    for name, shares in scenarios.PROFILES.items():
        assert len(shares) == len(scenarios.HOURS) == 8 and math.isclose(math.fsum(shares), 1.0), name
    assert len(scenarios.ASSUMPTIONS) == len(scenarios.ASSUMPTIONS_EN) == 8


def test_the_scenarios_figures():
    result = planner.plan(planner.parse_request(scenarios.scenario("fengxian")))
    body = result.as_dict()
    assert (body["dedicated"]["total"], body["pooled"]["total"], body["saving"]) == (202, 142, 60)
    per_queue = body["dedicated"]["per_queue"]
    assert (per_queue["国家税务总局上海市奉贤区税务局"], per_queue["区市场监督管理局"], per_queue["区不动产登记事务中心"],
            per_queue["区统计局"]) == (21, 20, 18, 1)
    assert sorted(per_queue.values()).count(1) == 3 and sum(per_queue.values()) == 202
    assert body["intervals"]["pooled"] == {"per_interval": [116, 142, 122, 68, 102, 124, 115, 91], "peak": 142,
                                           "window_hours": 880.0}
    assert body["intervals"]["dedicated"]["total"] == [171, 198, 174, 115, 154, 177, 170, 143]
    assert (body["intervals"]["dedicated"]["peak"], body["intervals"]["dedicated"]["window_hours"]) == (198, 1302.0)
    assert body["details"]["service_level_achieved"] == {"dedicated": 0.912, "pooled": 0.8871}


def test_the_comparison_with_what_the_district_reported():
    comparison = scenarios.fengxian_comparison()
    assert {key: comparison[key] for key in ("tickets_per_day", "departments", "model", "reported",
                                             "to_reach_reported_pooled")} == {
        "tickets_per_day": 3867,
        "departments": 41,
        "model": {"dedicated": 202, "pooled": 142, "saving": 60, "saving_share": 0.297},
        "reported": {"dedicated": 202, "pooled": 123, "saving": 79, "saving_share": 0.391},
        # Pooling alone does not reach 123: window times 14% shorter (or 14% fewer tickets) would.
        "to_reach_reported_pooled": {"service_time_factor": 0.86, "arrivals_factor": 0.86},
    }
    assert comparison["assumptions"] == list(scenarios.ASSUMPTIONS)
    assert comparison["plan"]["pooled"] == {"total": 142}


def test_an_unknown_scenario_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        scenarios.scenario("pudong")
    assert (refused.value.code, refused.value.details) == ("unknown_scenario", {"known": ["fengxian"]})


def test_the_scenario_in_english_names_the_departments_as_the_catalogue_does():
    chinese, english = scenarios.fengxian_request(), scenarios.scenario("fengxian", english=True)
    assert english["queues"][1]["name"] == "District Administration for Market Regulation"
    assert chinese["queues"][1]["name"] == "区市场监督管理局"
    assert len({q["name"] for q in english["queues"]}) == 41
    assert [q["arrivals_per_hour"] for q in english["queues"]] == [q["arrivals_per_hour"] for q in chinese["queues"]]
    plans = [planner.plan(planner.parse_request(document)) for document in (chinese, english)]
    assert [(p.dedicated_total, p.pooled_total) for p in plans] == [(202, 142), (202, 142)]
