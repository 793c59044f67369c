"""A discrete-event simulation (SimPy) of a hall's day, to check the planner's analytical answers.

Pure (no Django, no wall clock: SimPy keeps its own simulated time, in minutes from opening).

* Arrivals: a Poisson process per queue whose rate is constant within each interval of the day
  (per hour, like the planner's input); generated interval by interval, which for piecewise-
  constant rates is exact (memorylessness), so no thinning is needed. Nobody arrives after the
  last interval; everyone who arrived is still served (or gives up) after it.
* Windows: pools. A pool is a set of windows serving one or more queues in arrival order (first
  come, first served); `dedicated` gives each queue its own pool, `pooled` one pool for all. A
  pool's count may change by interval: a window leaving at an interval's end finishes the person
  it serves first. After the day the last interval's count (at least one) stays until the queue is
  empty.
* Service: each person's own queue's mean, exponential or lognormal (with a coefficient of
  variation); patience, if given, exponential: someone not called within it leaves.
* Randomness: arrivals, service times and patience each come from their own stream seeded by
  (seed, queue name), so the dedicated and the pooled layouts, or exponential and lognormal
  service, see the very same people arriving (common random numbers), and a seed gives the same
  day every time.

Figures are over the people who arrived after `warmup_minutes` (0: everyone). Little's law holds
on every sample path: the time-average number waiting equals the arrival rate times the mean wait
over the same people and period (`DayResult.mean_queue` against `arrival_rate × mean_wait`).
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import simpy

from yiwang.staffing.planner import Plan, PlanRequest, QueueDemand

__all__ = [
    "DayResult",
    "Estimate",
    "PlanCheck",
    "Summary",
    "check_plan",
    "dedicated",
    "pooled",
    "simulate_day",
    "simulate_days",
    "summarise",
]

EXPONENTIAL = "exponential"
LOGNORMAL = "lognormal"
_CUSTOMER, _OFF_DUTY = 1, 0  # request priorities: a window going off duty is served before any person


@dataclass(frozen=True)
class _Person:
    queue: str
    arrival: float
    service: float
    patience: float | None


@dataclass
class _Tally:
    arrivals: int = 0
    served: int = 0
    abandoned: int = 0
    served_in_time: int = 0
    waits: list[float] = field(default_factory=list)  # time in queue, served or abandoned
    busy: float = 0.0  # window-minutes serving, within the opening hours
    staffed: float = 0.0  # window-minutes scheduled within the opening hours
    waiting_area: float = 0.0  # ∫ number waiting dt over [warmup, end]


@dataclass(frozen=True)
class DayResult:
    """One simulated day of one pool (or of every pool together, `pools` then holding each)."""

    arrivals: int
    served: int
    abandoned: int
    mean_wait_minutes: float  # time in queue over every person counted, served or not
    p90_wait_minutes: float
    max_wait_minutes: float
    service_level: float  # the share of people counted who were served within the target wait
    abandonment_rate: float
    utilisation: float  # busy share of the scheduled window time during opening hours
    mean_queue: float  # time-average number waiting over [warmup, last departure]
    arrival_rate_per_minute: float  # people counted over the same period
    period_minutes: float
    pools: Mapping[str, DayResult] = field(default_factory=dict)


def _result(tally: _Tally, period: float, pools: Mapping[str, DayResult] | None = None) -> DayResult:
    counted = tally.arrivals
    waits = sorted(tally.waits)
    return DayResult(
        arrivals=counted,
        served=tally.served,
        abandoned=tally.abandoned,
        mean_wait_minutes=math.fsum(waits) / counted if counted else 0.0,
        p90_wait_minutes=waits[min(len(waits) - 1, math.ceil(0.9 * len(waits)) - 1)] if waits else 0.0,
        max_wait_minutes=waits[-1] if waits else 0.0,
        service_level=tally.served_in_time / counted if counted else 1.0,
        abandonment_rate=tally.abandoned / counted if counted else 0.0,
        utilisation=tally.busy / tally.staffed if tally.staffed else 0.0,
        mean_queue=tally.waiting_area / period if period > 0 else 0.0,
        arrival_rate_per_minute=counted / period if period > 0 else 0.0,
        period_minutes=period,
        pools=dict(pools or {}),
    )


def dedicated(names: Sequence[str]) -> dict[str, str]:
    """Each queue its own pool (pool name = queue name)."""
    return {name: name for name in names}


def pooled(names: Sequence[str], pool: str = "pooled") -> dict[str, str]:
    """One pool for every queue."""
    return {name: pool for name in names}


def _people(queue: QueueDemand, interval: float, *, seed: int, service: str, service_cv: float,
            patience: float | None) -> list[_Person]:
    # One stream each for arrivals, service times and patience: changing the service distribution or
    # the patience leaves the same people arriving at the same times.
    arrivals, services, patiences = (random.Random(f"{seed}:{queue.name}:{part}") for part in ("arrivals", "service", "patience"))
    sigma2 = math.log(1 + service_cv ** 2)
    people = []
    for k, (rate_per_hour, mean_service) in enumerate(zip(queue.arrivals_per_hour, queue.mean_service_minutes)):
        rate, start = rate_per_hour / 60, k * interval
        if rate <= 0:
            continue
        t = start + arrivals.expovariate(rate)
        while t < start + interval:
            if service == LOGNORMAL:
                duration = services.lognormvariate(math.log(mean_service) - sigma2 / 2, math.sqrt(sigma2))
            else:
                duration = services.expovariate(1 / mean_service)
            people.append(_Person(queue.name, t, duration, patiences.expovariate(1 / patience) if patience else None))
            t += arrivals.expovariate(rate)
    return people


def simulate_day(queues: Sequence[QueueDemand], staffing: Mapping[str, int | Sequence[int]], *,
                 pool_of: Mapping[str, str] | None = None, interval_minutes: float = 60.0,
                 target_wait_seconds: float = 900.0, patience_minutes: float | None = None,
                 service: str = EXPONENTIAL, service_cv: float = 1.0, warmup_minutes: float = 0.0,
                 seed: int = 0) -> DayResult:
    """Simulate one day: `staffing` maps each pool to its window count, or to one count per interval.

    `pool_of` maps each queue to its pool (default: dedicated, each queue its own). Every list of
    counts has one entry per interval of the queues' profiles. Returns the day's figures with each
    pool's under ``pools``.
    """
    if service not in (EXPONENTIAL, LOGNORMAL):
        raise ValueError(f"service is {EXPONENTIAL!r} or {LOGNORMAL!r}, not {service!r}")
    if not queues:
        raise ValueError("no queues to simulate")
    if interval_minutes <= 0 or warmup_minutes < 0 or service_cv <= 0:
        raise ValueError("interval_minutes and service_cv must be positive and warmup_minutes not negative")
    pool_of = dict(pool_of) if pool_of is not None else dedicated([q.name for q in queues])
    intervals = len(queues[0].arrivals_per_hour)
    close = intervals * interval_minutes
    schedules: dict[str, list[int]] = {}
    for pool in set(pool_of.values()):
        if pool not in staffing:
            raise ValueError(f"no staffing for pool {pool!r}")
        counts = staffing[pool]
        counts = [counts] * intervals if isinstance(counts, int) else list(counts)
        if len(counts) != intervals or any(n < 0 for n in counts):
            raise ValueError(f"pool {pool!r}: give one window count ≥ 0 per interval ({intervals})")
        schedules[pool] = counts

    env = simpy.Environment()
    tallies = {pool: _Tally() for pool in schedules}
    waiting = {pool: [0, warmup_minutes] for pool in schedules}  # people waiting now, since when
    # A pool whose count changes needs priorities (a window going off duty goes before the next person).
    resources = {pool: (simpy.Resource if len(set(counts)) == 1 and counts[0] > 0 else simpy.PriorityResource)(
        env, capacity=max(1, max(counts))) for pool, counts in schedules.items()}
    steady = {pool for pool, resource in resources.items() if not isinstance(resource, simpy.PriorityResource)}
    target = target_wait_seconds / 60

    def change_waiting(pool: str, delta: int) -> None:
        count, since = waiting[pool]
        if env.now > warmup_minutes:
            tallies[pool].waiting_area += count * (env.now - max(since, warmup_minutes))
        waiting[pool] = [count + delta, env.now]

    def person(p: _Person, pool: str):
        counted = p.arrival >= warmup_minutes
        tally = tallies[pool]
        if counted:
            tally.arrivals += 1
            change_waiting(pool, +1)
        resource = resources[pool]
        with (resource.request() if pool in steady else resource.request(priority=_CUSTOMER)) as request:
            if p.patience is None:
                yield request
            else:
                yield request | env.timeout(p.patience)
            wait = env.now - p.arrival
            if counted:
                change_waiting(pool, -1)
                tally.waits.append(wait)
            if not request.triggered:
                if counted:
                    tally.abandoned += 1
                return
            start = env.now
            yield env.timeout(p.service)
            tally.busy += max(0.0, min(env.now, close) - min(start, close))
            if counted:
                tally.served += 1
                tally.served_in_time += wait <= target

    def arrivals(people: list[_Person], pool: str):
        for p in people:
            yield env.timeout(p.arrival - env.now)
            env.process(person(p, pool))

    def roster(pool: str, counts: list[int]):
        capacity = resources[pool].capacity
        off_duty: list = []
        for k, windows in enumerate(counts + [max(1, counts[-1])]):
            want = capacity - windows
            while len(off_duty) < want:
                off_duty.append(resources[pool].request(priority=_OFF_DUTY))
            while len(off_duty) > want:
                request = off_duty.pop()
                if request.triggered:
                    resources[pool].release(request)
                else:
                    request.cancel()
            if k < len(counts):
                tallies[pool].staffed += windows * interval_minutes
                yield env.timeout(interval_minutes)

    for queue in queues:
        if queue.name not in pool_of:
            raise ValueError(f"queue {queue.name!r} is in no pool")
        people = _people(queue, interval_minutes, seed=seed, service=service, service_cv=service_cv,
                         patience=patience_minutes)
        env.process(arrivals(people, pool_of[queue.name]))
    for pool, counts in schedules.items():
        if pool in steady:
            tallies[pool].staffed = counts[0] * close
        else:
            env.process(roster(pool, counts))
    env.run()
    end = env.now
    period = max(0.0, end - warmup_minutes)
    for pool in schedules:
        change_waiting(pool, 0)
    per_pool = {pool: _result(tallies[pool], period) for pool in sorted(schedules)}
    total = _Tally()
    for tally in tallies.values():
        total.arrivals += tally.arrivals
        total.served += tally.served
        total.abandoned += tally.abandoned
        total.served_in_time += tally.served_in_time
        total.waits.extend(tally.waits)
        total.busy += tally.busy
        total.staffed += tally.staffed
        total.waiting_area += tally.waiting_area
    return _result(total, period, per_pool)


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with the half-width of its 95% confidence interval (normal approximation)."""

    mean: float
    half_width: float

    def as_dict(self, digits: int = 4) -> dict[str, float]:
        return {"mean": round(self.mean, digits), "half_width": round(self.half_width, digits)}


@dataclass(frozen=True)
class Summary:
    replications: int
    arrivals: Estimate
    mean_wait_minutes: Estimate
    service_level: Estimate
    abandonment_rate: Estimate
    utilisation: Estimate
    mean_queue: Estimate

    def as_dict(self) -> dict:
        return {"replications": self.replications, **{name: getattr(self, name).as_dict() for name in (
            "arrivals", "mean_wait_minutes", "service_level", "abandonment_rate", "utilisation", "mean_queue")}}


def _estimate(values: Sequence[float]) -> Estimate:
    mean = math.fsum(values) / len(values)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return Estimate(mean, 1.96 * spread / math.sqrt(len(values)))


def summarise(days: Sequence[DayResult]) -> Summary:
    """Means and 95% half-widths of the days' figures (each day one observation)."""
    if not days:
        raise ValueError("no days to summarise")
    return Summary(
        replications=len(days),
        **{name: _estimate([float(getattr(day, name)) for day in days]) for name in (
            "arrivals", "mean_wait_minutes", "service_level", "abandonment_rate", "utilisation", "mean_queue")},
    )


def simulate_days(queues: Sequence[QueueDemand], staffing: Mapping[str, int | Sequence[int]], *,
                  replications: int = 10, seed: int = 0, **options) -> list[DayResult]:
    """`replications` independent days (seeds seed, seed + 1, …) with `simulate_day`'s options."""
    if replications < 1:
        raise ValueError("at least one replication")
    return [simulate_day(queues, staffing, seed=seed + n, **options) for n in range(replications)]


@dataclass(frozen=True)
class PlanCheck:
    """A plan's dedicated and pooled layouts simulated, next to what Erlang promised."""

    dedicated: Summary
    pooled: Summary
    dedicated_analytical: float | None  # the plan's arrival-weighted service level
    pooled_analytical: float | None
    day_minutes: float

    def as_dict(self) -> dict:
        return {
            "day_minutes": self.day_minutes,
            "dedicated": {"analytical_service_level": _round(self.dedicated_analytical), **self.dedicated.as_dict()},
            "pooled": {"analytical_service_level": _round(self.pooled_analytical), **self.pooled.as_dict()},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def check_plan(request: PlanRequest, result: Plan, *, replications: int = 10, seed: int = 0,
               day_minutes: float = 480.0, service: str = EXPONENTIAL, service_cv: float = 1.0) -> PlanCheck:
    """Simulate the plan's dedicated and pooled counts (per interval in interval mode).

    In steady mode the day is `day_minutes` long (default 8 hours, the hall's 09:00–17:00) at the
    given rates; in interval mode it is the profile's intervals. The hall opens empty, so a short
    day does a little better than Erlang's steady state.
    """
    interval = request.interval_minutes if request.interval_minutes is not None else day_minutes
    names = [q.name for q in request.queues]
    options = dict(interval_minutes=interval, target_wait_seconds=request.target.wait_seconds,
                   patience_minutes=request.target.patience_minutes, service=service, service_cv=service_cv,
                   replications=replications, seed=seed)
    dedicated_days = simulate_days(request.queues, {q.name: q.per_period for q in result.dedicated},
                                   pool_of=dedicated(names), **options)
    pooled_days = simulate_days(request.queues, {"pooled": result.pooled.per_period}, pool_of=pooled(names), **options)
    return PlanCheck(dedicated=summarise(dedicated_days), pooled=summarise(pooled_days),
                     dedicated_analytical=result.dedicated_service_level(),
                     pooled_analytical=result.pooled.service_level(), day_minutes=interval * request.periods)
