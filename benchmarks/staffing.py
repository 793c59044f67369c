#!/usr/bin/env python
"""Time the staffing planner and its simulation on the reference district's 41 departments.

Prints: the planner's time for 41 steady queues (each department's peak hour), for a day of
15-minute intervals (08:30–17:30, 36 intervals × 41 queues, every value its own so nothing is
answered from the cache), the same day with a patience (Erlang A), and the simulation's run time
per simulated day, dedicated and pooled (one SimPy day of some 3 900 people).

    python benchmarks/staffing.py [--repeat 5] [--days 5]
Needs nothing running: the planner and the simulation are pure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from yiwang.staffing import planner, scenarios, simulation  # noqa: E402

INTERVALS = 36  # 08:30–17:30 in 15 minutes


def timed(function, repeat: int) -> tuple[float, object]:
    """The median wall time of `repeat` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def steady_document() -> dict:
    """Each department at its peak hour's rate, one steady period."""
    document = scenarios.fengxian_request()
    return {"target": document["target"], "queues": [
        {**q, "arrivals_per_hour": max(q["arrivals_per_hour"])} for q in document["queues"]]}


def interval_document(patience: float | None = None) -> dict:
    """The scenario's day spread over 36 quarter-hours, each rate jittered by ±15% (seeded)."""
    rng = random.Random(2026)
    queues = []
    for department in scenarios.DEPARTMENTS:
        hourly = scenarios.PROFILES[department.profile]
        # 08:30–09:00 and 17:00–17:30 at half the neighbouring hour's rate; each hour's share in four quarters.
        shares = [hourly[0] / 2] * 2 + [share for share in hourly for _ in range(4)] + [hourly[-1] / 2] * 2
        total = sum(shares)
        rates = [round(department.tickets_per_day * share / total * 4 * rng.uniform(0.85, 1.15), 3) for share in shares]
        queues.append({"name": department.name, "arrivals_per_hour": rates,
                       "mean_service_minutes": department.mean_service_minutes})
    target = dict(scenarios.TARGET)
    if patience is not None:
        target["patience_minutes"] = patience
    return {"target": target, "interval_minutes": 15, "queues": queues}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="planner runs per figure (median reported)")
    parser.add_argument("--days", type=int, default=5, help="simulated days per layout")
    args = parser.parse_args()

    seconds, result = timed(lambda: planner.plan_from_dict(steady_document()), args.repeat)
    print(f"planner, 41 steady queues: {seconds * 1000:.2f} ms "
          f"(dedicated {result['dedicated']['total']}, pooled {result['pooled']['total']})")

    document = interval_document()
    seconds, result = timed(lambda: planner.plan_from_dict(document), args.repeat)
    cells = len(document["queues"]) * INTERVALS + INTERVALS
    print(f"planner, 41 queues x {INTERVALS} quarter-hours (Erlang C): {seconds * 1000:.1f} ms, "
          f"{seconds / cells * 1e6:.0f} us per queue-interval "
          f"(dedicated {result['dedicated']['total']}, pooled {result['pooled']['total']}, "
          f"window-hours {result['intervals']['dedicated']['window_hours']:g} vs {result['intervals']['pooled']['window_hours']:g})")

    document = interval_document(patience=20)
    seconds, result = timed(lambda: planner.plan_from_dict(document), max(1, args.repeat // 2))
    print(f"planner, the same day with a 20-minute patience (Erlang A): {seconds * 1000:.0f} ms "
          f"(dedicated {result['dedicated']['total']}, pooled {result['pooled']['total']})")

    seconds, comparison = timed(scenarios.fengxian_comparison, max(1, args.repeat // 2))
    print(f"scenario comparison (plan + two bisections): {seconds * 1000:.0f} ms "
          f"(model {comparison['model']['dedicated']} -> {comparison['model']['pooled']}, reported 202 -> 123)")

    request = planner.parse_request(scenarios.fengxian_request())
    plan = planner.plan(request)
    names = [q.name for q in request.queues]
    for label, staffing, pool_of in (
            ("dedicated", {q.name: q.per_period for q in plan.dedicated}, simulation.dedicated(names)),
            ("pooled", {"pooled": plan.pooled.per_period}, simulation.pooled(names))):
        started = time.perf_counter()
        days = simulation.simulate_days(request.queues, staffing, pool_of=pool_of, replications=args.days, seed=0,
                                        interval_minutes=60, target_wait_seconds=900)
        elapsed = time.perf_counter() - started
        people = sum(day.arrivals for day in days)
        summary = simulation.summarise(days)
        pools = len(set(pool_of.values()))
        print(f"simulation, {label} ({pools} pool{'s' if pools > 1 else ''}): {elapsed / args.days * 1000:.0f} ms per "
              f"simulated day, {people / elapsed:,.0f} people/s; SL {summary.service_level.mean:.3f} "
              f"± {summary.service_level.half_width:.3f}, mean wait {summary.mean_wait_minutes.mean:.1f} min, "
              f"utilisation {summary.utilisation.mean:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
