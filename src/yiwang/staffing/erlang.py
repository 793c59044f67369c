"""Queueing formulas for staffing service windows: Erlang B, Erlang C and Erlang A.

Pure arithmetic (no Django, no third-party package), unit-tested in tests/staffing/test_erlang.py.

Notation, in any one time unit throughout a call (the planner uses minutes):
  N  windows (servers);  λ  arrival rate;  s = 1/μ  mean service time;  a = λ·s  offered load in
  erlangs;  T  target wait;  1/θ  mean patience (Erlang A only).

* Erlang B (M/M/N/N, loss):  B(0, a) = 1,  B(n, a) = a·B(n−1, a) / (n + a·B(n−1, a)).
  The recursion never forms aᴺ or N!, so it is stable for any N (Jagerman 1974).
* Erlang C (M/M/N, infinite patience), for N > a:
      C(N, a) = N·B / (N − a·(1 − B))          the probability that an arrival waits
      P(wait > T) = C(N, a)·exp(−(N − a)·T/s)
      service level = P(wait ≤ T) = 1 − P(wait > T)
      average speed of answer ASA = E[wait] = C(N, a)·s / (N − a)
      occupancy = a / N
  (Kleinrock, *Queueing Systems* vol. 1, §3.5; Gans, Koole & Mandelbaum, "Telephone call centers:
  tutorial, review and research prospects", MSOM 5(2), 2003, §4.1.)
* Erlang A (M/M/N+M: exponential patience, Palm 1943; Garnett, Mandelbaum & Reiman, "Designing a
  call center with impatient customers", MSOM 4(3), 2002) computed directly from its birth–death
  chain: state k people present, births λ, deaths μ·min(k, N) + θ·max(k − N, 0), so
      π_k ∝ aᵏ/k!  (k ≤ N),   π_k = π_{k−1}·λ / (Nμ + (k − N)θ)  (k > N),
  kept in logarithms and truncated where the tail falls below 1e-22 of the largest term. Then
      P(wait) = Σ_{k≥N} π_k                         (arrivals see time averages: PASTA)
      P(abandon) = θ·E[Q]/λ,  E[Q] = Σ_{k>N} (k − N)·π_k
      E[time in queue] = E[Q]/λ                      (Little's law, over every arrival)
  An arrival that finds j people waiting moves up at rate Nμ + iθ while i are ahead of it, so its
  offered wait V_j is a sum of exponentials with rates Nμ, Nμ + θ, …, Nμ + jθ; with c = Nμ/θ that
  is θ·V_j ~ −ln B, B ~ Beta(c, j + 1). Its own patience is Exp(θ), so with x = e^(−θT)
      P(served within T | j) = E[e^(−θ·V_j); V_j ≤ T] = c/(c + j + 1)·(1 − I_x(c + 1, j + 1)),
  and for the integer second argument the regularised incomplete beta is the finite sum
      I_x(c + 1, j + 1) = x^(c+1)·Σ_{i=0..j} (c + 1)_i / i! · (1 − x)^i,
  accumulated in logarithms as j grows. The Erlang A *service level* here is the share of all
  arrivals served within T: someone who gives up before T is a failure, not a success. As patience
  grows (θ → 0) every Erlang A figure tends to its Erlang C value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "MAX_WINDOWS",
    "ChainTooLong",
    "ErlangA",
    "NoWindowCountFound",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "measures",
    "Measures",
    "occupancy",
    "offered_load",
    "prob_wait_exceeds",
    "service_level",
    "smallest_count_above",
    "windows_needed",
]

MAX_WINDOWS = 1000  # no queue of a service hall needs more: a search stops here instead of running on
MAX_CHAIN_STATES = 200_000  # Erlang A: a chain this long means a patience far too long for the load
_TAIL = math.log(1e-22)  # Erlang A: states less likely than this share of the largest are left off


class ChainTooLong(ValueError):
    """Erlang A: the birth–death chain does not fall off within MAX_CHAIN_STATES states."""


class NoWindowCountFound(ValueError):
    """No window count N with offered load < N ≤ cap meets the target."""

    def __init__(self, load: float, cap: int):
        super().__init__(f"no window count up to {cap} meets the target for an offered load of {load:g} erlangs")
        self.load = load
        self.cap = cap


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise ValueError(f"the number of windows is a whole number ≥ 0, not {servers!r}")


def _check_non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} is a finite number ≥ 0, not {value!r}")


def _check_positive(name: str, value: float) -> None:
    _check_non_negative(name, value)
    if value == 0:
        raise ValueError(f"{name} must be greater than 0")


def offered_load(arrivals_per_hour: float, mean_service_minutes: float) -> float:
    """The offered load a = λ·s in erlangs (the mean number of windows kept busy)."""
    _check_non_negative("arrivals_per_hour", arrivals_per_hour)
    _check_positive("mean_service_minutes", mean_service_minutes)
    return arrivals_per_hour * mean_service_minutes / 60


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/N/N (Erlang's loss formula), by the stable recursion."""
    _check_servers(servers)
    _check_non_negative("load", load)
    blocking = 1.0
    for n in range(1, servers + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def _erlang_c_from_b(servers: int, load: float, blocking: float) -> float:
    if load == 0:
        return 0.0
    if servers <= load:
        return 1.0
    return servers * blocking / (servers - load * (1 - blocking))


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/N: C(N, a) = N·B/(N − a(1 − B)); 1 when N ≤ a."""
    return _erlang_c_from_b(servers, load, erlang_b(servers, load))


def prob_wait_exceeds(servers: int, load: float, wait: float, mean_service: float) -> float:
    """P(wait > T) = C(N, a)·exp(−(N − a)·T/s) in M/M/N; 1 when N ≤ a (the queue grows without end).

    `wait` and `mean_service` are in the same unit.
    """
    _check_non_negative("wait", wait)
    _check_positive("mean_service", mean_service)
    if load > 0 and servers <= load:
        return 1.0
    return erlang_c(servers, load) * math.exp(-(servers - load) * wait / mean_service)


def service_level(servers: int, load: float, wait: float, mean_service: float) -> float:
    """P(wait ≤ T) in M/M/N: the share of arrivals that wait at most `wait` (same unit as `mean_service`)."""
    return 1.0 - prob_wait_exceeds(servers, load, wait, mean_service)


def average_speed_of_answer(servers: int, load: float, mean_service: float) -> float:
    """Mean wait in M/M/N over every arrival, C(N, a)·s/(N − a), in the unit of `mean_service`; ∞ when N ≤ a."""
    _check_positive("mean_service", mean_service)
    if load > 0 and servers <= load:
        return math.inf
    return erlang_c(servers, load) * mean_service / (servers - load) if load > 0 else 0.0


def occupancy(servers: int, load: float) -> float:
    """The share of time a window is busy, a/N (at most 1; 0 windows with no load: 0)."""
    _check_servers(servers)
    _check_non_negative("load", load)
    if servers == 0:
        return 1.0 if load > 0 else 0.0
    return min(1.0, load / servers)


@dataclass(frozen=True)
class ErlangA:
    """Steady-state figures of M/M/N+M (exponential patience)."""

    prob_wait: float  # an arrival finds every window busy
    prob_abandon: float  # the share of arrivals who leave before being served
    service_level: float  # the share of arrivals served within the target wait
    mean_queue: float  # mean number of people waiting
    mean_wait: float  # mean time in queue over every arrival, served or not (E[Q]/λ)
    occupancy: float  # busy windows / windows = λ(1 − P(abandon))·s/N


def _log_add(x: float, y: float) -> float:
    if x == -math.inf:
        return y
    if y == -math.inf:
        return x
    high, low = (x, y) if x >= y else (y, x)
    return high + math.log1p(math.exp(low - high))


def erlang_a(servers: int, arrival_rate: float, mean_service: float, mean_patience: float, wait: float) -> ErlangA:
    """Erlang A (M/M/N+M) figures, every time in one unit: see the module's docstring for the method.

    Raises ValueError for bad arguments, and ChainTooLong when the chain would need more than
    MAX_CHAIN_STATES states (a patience so long against a load near or above N that the queue is
    practically unbounded).
    """
    _check_servers(servers)
    _check_non_negative("arrival_rate", arrival_rate)
    _check_positive("mean_service", mean_service)
    _check_positive("mean_patience", mean_patience)
    _check_non_negative("wait", wait)
    if servers == 0:
        raise ValueError("Erlang A needs at least one window")
    if arrival_rate == 0:
        return ErlangA(prob_wait=0.0, prob_abandon=0.0, service_level=1.0, mean_queue=0.0, mean_wait=0.0, occupancy=0.0)
    mu, theta = 1 / mean_service, 1 / mean_patience
    load = arrival_rate * mean_service
    log_load = math.log(load)
    logs = [0.0]
    for k in range(1, servers + 1):
        logs.append(logs[-1] + log_load - math.log(k))
    peak = max(logs)
    k = servers
    while True:
        k += 1
        step = math.log(arrival_rate) - math.log(servers * mu + (k - servers) * theta)
        logs.append(logs[-1] + step)
        peak = max(peak, logs[-1])
        if step < 0 and logs[-1] - peak < _TAIL:
            break
        if k > MAX_CHAIN_STATES:
            raise ChainTooLong("the patience is too long for this load: the queue is practically unbounded")
    weights = [math.exp(value - peak) for value in logs]
    total = math.fsum(weights)
    pi = [w / total for w in weights]
    prob_wait = math.fsum(pi[servers:])
    mean_queue = math.fsum((j - servers) * p for j, p in enumerate(pi) if j > servers)

    # Served within T: everyone who finds a free window, plus those who find j waiting and reach a window in time.
    c = servers * mu / theta
    log_x_power = -(servers * mu + theta) * wait  # ln x^(c+1)
    log_one_minus_x = math.log(-math.expm1(-theta * wait)) if wait > 0 else -math.inf
    in_time = [math.fsum(pi[:servers])]
    log_term = 0.0  # ln of (c+1)_j / j! · (1 − x)^j
    log_sum = 0.0  # ln Σ_{i≤j} of those terms
    for j in range(len(pi) - servers):
        if j > 0:
            log_term += math.log((c + j) / j) + log_one_minus_x if log_one_minus_x > -math.inf else -math.inf
            log_sum = _log_add(log_sum, log_term)
        incomplete = min(1.0, math.exp(log_x_power + log_sum)) if wait > 0 else 1.0
        in_time.append(pi[servers + j] * c / (c + j + 1) * (1.0 - incomplete))
    served_in_time = math.fsum(in_time)
    prob_abandon = theta * mean_queue / arrival_rate
    return ErlangA(
        prob_wait=prob_wait,
        prob_abandon=prob_abandon,
        service_level=min(1.0, served_in_time),
        mean_queue=mean_queue,
        mean_wait=mean_queue / arrival_rate,
        occupancy=min(1.0, load * (1 - prob_abandon) / servers),
    )


def smallest_count_above(load: float, meets: Callable[[int, float], bool], *, cap: int = MAX_WINDOWS) -> int:
    """The smallest N with a < N ≤ cap for which `meets(N, B(N, a))` holds; NoWindowCountFound if none.

    The search starts at the smallest integer greater than a (⌊a⌋ + 1), not at round(a + 1) as some
    tools do, which overstates the count whenever a's fraction is ½ or more and ⌊a⌋ + 1 suffices.
    Erlang B is carried along the search, so each step costs O(1) after the first.
    """
    if load == math.inf:
        raise NoWindowCountFound(load, cap)
    _check_non_negative("load", load)
    _check_servers(cap)
    start = math.floor(load) + 1
    if start > cap:
        raise NoWindowCountFound(load, cap)
    blocking = erlang_b(start, load)
    n = start
    while True:
        if meets(n, blocking):
            return n
        if n == cap:
            raise NoWindowCountFound(load, cap)
        n += 1
        blocking = load * blocking / (n + load * blocking)


def windows_needed(arrivals_per_hour: float, mean_service_minutes: float, wait_seconds: float, service_level: float,
                   *, patience_minutes: float | None = None, cap: int = MAX_WINDOWS) -> int:
    """The smallest N > a with P(wait ≤ T) ≥ SL (Erlang C), or with P(served within T) ≥ SL (Erlang A).

    a = arrivals_per_hour × mean_service_minutes / 60. No arrivals need no window (0). With
    `patience_minutes` the count is abandonment-aware (Erlang A), but still above a: a plan never
    relies on residents giving up to keep the queue finite. NoWindowCountFound when no N ≤ cap meets it.
    """
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    _check_non_negative("wait_seconds", wait_seconds)
    if isinstance(service_level, bool) or not isinstance(service_level, (int, float)) or not 0 < service_level < 1:
        raise ValueError(f"the service level is between 0 and 1 (exclusive), not {service_level!r}")
    if patience_minutes is not None:
        _check_positive("patience_minutes", patience_minutes)
    if load == 0:
        return 0
    wait_minutes = wait_seconds / 60
    if patience_minutes is None:
        def meets(n: int, blocking: float) -> bool:
            waits = _erlang_c_from_b(n, load, blocking)
            return 1.0 - waits * math.exp(-(n - load) * wait_minutes / mean_service_minutes) >= service_level
    else:
        arrivals_per_minute = arrivals_per_hour / 60

        def meets(n: int, blocking: float) -> bool:
            try:
                figures = erlang_a(n, arrivals_per_minute, mean_service_minutes, patience_minutes, wait_minutes)
            except ChainTooLong:
                return False  # so near a that people wait practically without end: too few windows
            return figures.service_level >= service_level
    return smallest_count_above(load, meets, cap=cap)


@dataclass(frozen=True)
class Measures:
    """What a queue with a given number of windows achieves (times in seconds)."""

    windows: int
    offered_load: float
    service_level: float  # Erlang C: P(wait ≤ T); Erlang A: P(served within T)
    prob_wait: float
    mean_wait_seconds: float
    occupancy: float
    prob_abandon: float | None  # Erlang A only


def measures(windows: int, arrivals_per_hour: float, mean_service_minutes: float, wait_seconds: float,
             *, patience_minutes: float | None = None) -> Measures:
    """The figures of a queue served by `windows` windows (Erlang C, or Erlang A with a patience)."""
    load = offered_load(arrivals_per_hour, mean_service_minutes)
    _check_servers(windows)
    _check_non_negative("wait_seconds", wait_seconds)
    if load == 0:
        return Measures(windows, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0 if patience_minutes is not None else None)
    if patience_minutes is not None and windows > 0:
        figures = erlang_a(windows, arrivals_per_hour / 60, mean_service_minutes, patience_minutes, wait_seconds / 60)
        return Measures(windows, load, figures.service_level, figures.prob_wait, figures.mean_wait * 60,
                        figures.occupancy, figures.prob_abandon)
    if windows <= load:
        return Measures(windows, load, 0.0, 1.0, math.inf, 1.0, 1.0 if patience_minutes is not None else None)
    return Measures(
        windows=windows,
        offered_load=load,
        service_level=service_level(windows, load, wait_seconds / 60, mean_service_minutes),
        prob_wait=erlang_c(windows, load),
        mean_wait_seconds=average_speed_of_answer(windows, load, mean_service_minutes) * 60,
        occupancy=occupancy(windows, load),
        prob_abandon=None,
    )
