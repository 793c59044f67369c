"""The SimPy day: seeded, checked against M/M/3 and Erlang A, Little's law, rosters that change by interval."""

from __future__ import annotations

import math

import pytest

from yiwang.staffing import erlang, planner
from yiwang.staffing import simulation as sim

MM3 = [planner.QueueDemand("m", (12.0,), (10.0,))]  # λ = 0.2 and μ = 0.1 per minute


def test_seeded_mm3_mean_wait_is_the_analytical_4_44_minutes():
    # 24 replications of 50 000 minutes (about 240 000 people) after a 500-minute warm-up each.
    days = sim.simulate_days(MM3, {"m": 3}, replications=24, seed=0, interval_minutes=50_000, warmup_minutes=500)
    summary = sim.summarise(days)
    analytical = erlang.average_speed_of_answer(3, 2.0, 10)
    assert round(analytical, 3) == 4.444
    wait = summary.mean_wait_minutes
    assert (round(wait.mean, 3), round(wait.half_width, 3)) == (4.543, 0.153)
    assert abs(wait.mean / analytical - 1) < 0.03  # within 3% (it is 2.2% here)
    assert wait.mean - wait.half_width < analytical < wait.mean + wait.half_width
    # The other figures of the same days: P(wait ≤ 15 min), window utilisation a/N, the queue λ·W.
    assert round(summary.service_level.mean, 3) == 0.898
    assert summary.service_level.mean == pytest.approx(erlang.service_level(3, 2.0, 15, 10), abs=0.01)
    assert summary.utilisation.mean == pytest.approx(2 / 3, abs=0.01)
    assert summary.mean_queue.mean == pytest.approx(0.2 * analytical, rel=0.04)
    assert summary.replications == 24 and 230_000 < sum(d.arrivals for d in days) < 250_000


def test_littles_law_on_every_sample_path():
    queues = [planner.QueueDemand("税务", (60.0, 90.0, 30.0), (12.0, 12.0, 15.0)),
              planner.QueueDemand("社保", (20.0, 40.0, 10.0), (8.0, 8.0, 8.0))]
    for options in ({"staffing": {"税务": 14, "社保": [3, 6, 2]}},
                    {"staffing": {"pooled": [17, 25, 9]}, "pool_of": sim.pooled(["税务", "社保"]),
                     "patience_minutes": 10.0},
                    {"staffing": {"税务": 14, "社保": 6}, "warmup_minutes": 30.0}):
        day = sim.simulate_day(queues, seed=3, **options)
        assert day.mean_queue == pytest.approx(day.arrival_rate_per_minute * day.mean_wait_minutes, rel=1e-9)
        for pool in day.pools.values():
            assert pool.mean_queue == pytest.approx(pool.arrival_rate_per_minute * pool.mean_wait_minutes, rel=1e-9)
        assert day.arrivals == day.served + day.abandoned == sum(p.arrivals for p in day.pools.values())
    # And over long days the time-average queue is the analytical L_q = λ·W_q of M/M/3 (0.889).
    long_days = sim.simulate_days(MM3, {"m": 3}, replications=4, seed=7, interval_minutes=20_000)
    assert sim.summarise(long_days).mean_queue.mean == pytest.approx(0.2 * 40 / 9, rel=0.1)


def test_abandonment_matches_erlang_a():
    analytical = erlang.erlang_a(3, 0.2, 10.0, 8.0, 5.0)
    assert (round(analytical.service_level, 4), round(analytical.prob_abandon, 4)) == (0.8417, 0.1183)
    days = sim.simulate_days(MM3, {"m": 3}, replications=10, seed=1, interval_minutes=20_000, warmup_minutes=500,
                             target_wait_seconds=300, patience_minutes=8.0)
    summary = sim.summarise(days)
    assert (round(summary.service_level.mean, 3), round(summary.abandonment_rate.mean, 3)) == (0.844, 0.116)
    assert summary.service_level.mean == pytest.approx(analytical.service_level, abs=0.01)
    assert summary.abandonment_rate.mean == pytest.approx(analytical.prob_abandon, abs=0.01)
    assert summary.mean_wait_minutes.mean == pytest.approx(analytical.mean_wait, rel=0.06)


def test_a_seed_gives_the_same_day_and_both_layouts_see_the_same_people():
    queues = [planner.QueueDemand("a", (30.0,), (10.0,)), planner.QueueDemand("b", (10.0,), (20.0,))]
    first = sim.simulate_day(queues, {"a": 7, "b": 5}, interval_minutes=480, seed=11)
    assert sim.simulate_day(queues, {"a": 7, "b": 5}, interval_minutes=480, seed=11) == first
    assert sim.simulate_day(queues, {"a": 7, "b": 5}, interval_minutes=480, seed=12) != first
    together = sim.simulate_day(queues, {"all": 10}, pool_of=sim.pooled(["a", "b"], "all"), interval_minutes=480, seed=11)
    assert together.arrivals == first.arrivals and list(together.pools) == ["all"]
    assert {name: pool.arrivals for name, pool in first.pools.items()} == {"a": 241, "b": 64}


def test_a_window_leaving_finishes_its_person_and_the_queue_is_served_after_closing():
    queues = [planner.QueueDemand("a", (5.0, 0.0), (20.0, 20.0))]
    day = sim.simulate_day(queues, {"a": [2, 0]}, interval_minutes=60, seed=5)
    # Nobody comes in the second hour and no window is staffed then: the two windows finish the people
    # they serve, those still waiting are served after the day by one window, and nobody is left over.
    assert day.served == day.arrivals == 8 and day.abandoned == 0
    assert round(day.period_minutes, 1) == 168.3 and round(day.max_wait_minutes, 1) == 65.4
    assert round(day.utilisation, 3) == 0.717  # busy share of the two windows' first hour (clipped to the day)
    # A roster that adds windows at the busy hour does better than the same windows all day minus the extra.
    rush = [planner.QueueDemand("a", (20.0, 80.0, 20.0), (10.0, 10.0, 10.0))]
    flat = sim.summarise(sim.simulate_days(rush, {"a": 6}, replications=5, seed=2))
    rostered = sim.summarise(sim.simulate_days(rush, {"a": [6, 17, 6]}, replications=5, seed=2))
    assert rostered.mean_wait_minutes.mean < flat.mean_wait_minutes.mean
    assert rostered.service_level.mean > 0.9 > flat.service_level.mean


def test_lognormal_service_with_less_spread_waits_less():
    # The same people arrive either way (their own stream); only the service times differ.
    days = dict(replications=3, seed=4, interval_minutes=5000, target_wait_seconds=300)
    exponential = sim.summarise(sim.simulate_days(MM3, {"m": 3}, **days))
    lognormal = sim.summarise(sim.simulate_days(MM3, {"m": 3}, service=sim.LOGNORMAL, service_cv=0.5, **days))
    assert lognormal.arrivals.mean == exponential.arrivals.mean
    assert lognormal.mean_wait_minutes.mean < 0.8 * exponential.mean_wait_minutes.mean
    assert lognormal.utilisation.mean == pytest.approx(exponential.utilisation.mean, abs=0.03)


def test_check_plan_simulates_both_layouts_of_a_plan():
    request = planner.parse_request({"target": {"wait_seconds": 300, "service_level": 0.8},
                                     "queues": [{"name": "a", "arrivals_per_hour": 30, "mean_service_minutes": 10},
                                                {"name": "b", "arrivals_per_hour": 12, "mean_service_minutes": 15}]})
    result = planner.plan(request)
    assert (result.dedicated_total, result.pooled_total) == (12, 10)
    check = sim.check_plan(request, result, replications=8, seed=0)
    body = check.as_dict()
    assert body["day_minutes"] == 480.0
    assert set(body["dedicated"]) == {"analytical_service_level", "replications", "arrivals", "mean_wait_minutes",
                                      "service_level", "abandonment_rate", "utilisation", "mean_queue"}
    assert body["dedicated"]["analytical_service_level"] == round(result.dedicated_service_level(), 4) == 0.8802
    assert body["pooled"]["analytical_service_level"] == 0.8294
    assert (body["dedicated"]["service_level"], body["pooled"]["service_level"]) == (
        {"mean": 0.8785, "half_width": 0.0378}, {"mean": 0.8259, "half_width": 0.0529})
    # The hall opens empty, so a day does at least as well as the steady state, give or take the noise.
    for layout in ("dedicated", "pooled"):
        simulated = body[layout]["service_level"]
        assert simulated["mean"] + simulated["half_width"] >= body[layout]["analytical_service_level"] - 0.01
    assert body["dedicated"]["arrivals"] == body["pooled"]["arrivals"]


def test_interval_plans_are_simulated_interval_by_interval():
    request = planner.parse_request({"target": {"wait_seconds": 900, "service_level": 0.8}, "interval_minutes": 30,
                                     "queues": [{"name": "a", "arrivals_per_hour": [10, 40, 20], "mean_service_minutes": 12}]})
    result = planner.plan(request)
    assert result.dedicated[0].per_period == [3, 9, 5]
    check = sim.check_plan(request, result, replications=3, seed=0)
    assert check.day_minutes == 90.0


@pytest.mark.parametrize("call", [
    lambda: sim.simulate_day([], {}),
    lambda: sim.simulate_day(MM3, {"m": 3}, service="uniform"),
    lambda: sim.simulate_day(MM3, {"other": 3}),
    lambda: sim.simulate_day(MM3, {"m": [3, 3]}),
    lambda: sim.simulate_day(MM3, {"m": -1}),
    lambda: sim.simulate_day(MM3, {"m": 3}, interval_minutes=0),
    lambda: sim.simulate_days(MM3, {"m": 3}, replications=0),
    lambda: sim.summarise([]),
], ids=["no queues", "unknown service", "no staffing for the pool", "wrong interval count", "negative windows",
        "zero interval", "no replication", "nothing to summarise"])
def test_bad_simulation_arguments(call):
    with pytest.raises(ValueError):
        call()


def test_the_estimate_is_a_normal_95_percent_interval():
    estimate = sim._estimate([1.0, 2.0, 3.0, 4.0])
    assert estimate.mean == 2.5
    assert estimate.half_width == pytest.approx(1.96 * math.sqrt(5 / 3) / 2)
    assert sim._estimate([2.0]).half_width == 0.0
