"""Erlang B, C and A against published values, hand-computed small cases and each other."""

from __future__ import annotations

import math

import pytest

from yiwang.staffing import erlang


def _erlang_b_by_logs(servers: int, load: float) -> float:
    """B(N, a) = (aᴺ/N!) / Σ_k aᵏ/k!, summed in logarithms: an independent check of the recursion."""
    logs = [k * math.log(load) - math.lgamma(k + 1) for k in range(servers + 1)]
    top = max(logs)
    return math.exp(logs[-1] - top) / math.fsum(math.exp(value - top) for value in logs)


def test_pyworkforce_published_example_needs_14_windows():
    # pyworkforce's test (after callcentrehelper.com's worked example): 100 transactions per 30 minutes,
    # 3-minute handling, 80% answered within 20 s -> 14 positions, service level 0.888, waiting probability 0.174.
    assert erlang.windows_needed(200, 3, 20, 0.8) == 14
    figures = erlang.measures(14, 200, 3, 20)
    assert (figures.offered_load, round(figures.service_level, 3), round(figures.prob_wait, 3),
            round(figures.occupancy, 3)) == (10.0, 0.888, 0.174, 0.714)
    assert round(figures.mean_wait_seconds, 2) == 7.84
    # pyworkforce's own test writes the 20 s as asa=0.33 minutes: the same count and level.
    assert erlang.windows_needed(200, 3, 19.8, 0.8) == 14
    assert round(erlang.service_level(14, 10, 0.33, 3), 3) == 0.888
    # The counts below 14 miss the target (callcentrehelper's table: 13 agents give 79.6%).
    assert [round(erlang.service_level(n, 10, 20 / 60, 3), 4) for n in (11, 12, 13, 14, 15)] == [
        0.3896, 0.6402, 0.7956, 0.8884, 0.9415]
    assert [round(erlang.erlang_c(n, 10), 4) for n in (11, 12, 13, 14, 15)] == [0.6821, 0.4494, 0.2853, 0.1741, 0.102]


def test_erlang_b_published_values_and_stability():
    assert round(erlang.erlang_b(10, 5), 5) == 0.01838  # the standard Erlang B table
    assert round(erlang.erlang_b(5, 2), 4) == 0.0367
    assert erlang.erlang_b(0, 3.0) == 1.0
    assert erlang.erlang_b(4, 0) == 0.0
    # Hand: B(1, a) = a/(1 + a); B(2, 1) = 1/5.
    assert erlang.erlang_b(1, 3.0) == 0.75
    assert erlang.erlang_b(2, 1.0) == pytest.approx(0.2, abs=1e-15)
    for servers, load in ((30, 25.0), (150, 140.0), (1000, 950.0)):
        assert erlang.erlang_b(servers, load) == pytest.approx(_erlang_b_by_logs(servers, load), rel=1e-10)
    # aᴺ and N! alone would overflow here; the recursion does not.
    assert 0 < erlang.erlang_b(5000, 4900.0) < 1


def test_erlang_c_hand_computed_small_cases():
    # M/M/1: C = ρ, mean wait ρ·s/(1 − ρ).
    for rho in (0.1, 0.3, 0.75):
        assert erlang.erlang_c(1, rho) == pytest.approx(rho, abs=1e-15)
        assert erlang.average_speed_of_answer(1, rho, 10) == pytest.approx(rho * 10 / (1 - rho), rel=1e-12)
    # M/M/2: C = 2ρ²/(1 + ρ) with ρ = a/2; a = 1 gives 1/3.
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3, abs=1e-15)
    assert erlang.erlang_c(2, 1.5) == pytest.approx(2 * 0.75 ** 2 / 1.75, abs=1e-15)
    # M/M/3 with λ = 0.2 and μ = 0.1 per minute: a = 2, C = 4/9, mean wait 40/9 = 4.44 minutes.
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9, abs=1e-15)
    assert erlang.average_speed_of_answer(3, 2.0, 10) == pytest.approx(40 / 9, rel=1e-12)
    assert erlang.service_level(3, 2.0, 5, 10) == pytest.approx(1 - 4 / 9 * math.exp(-0.5), abs=1e-15)
    # No wait allowed: the service level is the share that does not wait at all.
    assert erlang.service_level(3, 2.0, 0, 10) == pytest.approx(5 / 9, abs=1e-15)
    # Too few windows: everyone waits and the queue grows without end.
    assert (erlang.erlang_c(2, 2.0), erlang.prob_wait_exceeds(2, 2.5, 60, 10)) == (1.0, 1.0)
    assert erlang.average_speed_of_answer(2, 2.0, 10) == math.inf
    assert (erlang.occupancy(4, 3.0), erlang.occupancy(0, 0.0), erlang.occupancy(2, 3.0)) == (0.75, 0.0, 1.0)
    assert erlang.offered_load(90, 20) == 30.0


def test_the_search_starts_above_the_load_not_at_round_a_plus_one():
    # a = 6/h × 6 min = 0.6 erlang: one window already calls 84% within 20 minutes, but round(a + 1) = 2.
    load = erlang.offered_load(6, 6)
    assert (load, round(load + 1)) == (0.6, 2)
    assert round(erlang.service_level(1, load, 20, 6), 4) == 0.8418
    assert erlang.windows_needed(6, 6, 1200, 0.8) == 1
    # An integer load: N must exceed it (N = a leaves the queue unbounded).
    assert erlang.windows_needed(120, 1, 86_400, 0.5) == 3
    assert erlang.smallest_count_above(2.0, lambda n, b: True) == 3
    assert erlang.smallest_count_above(0.0, lambda n, b: True) == 1
    # Nobody comes: no window.
    assert erlang.windows_needed(0, 10, 900, 0.8) == 0


def test_no_count_below_the_cap_is_an_error_at_once():
    with pytest.raises(erlang.NoWindowCountFound) as refused:
        erlang.windows_needed(60_000, 1, 900, 0.8)  # a = 1000 = the cap: no N in (a, cap]
    assert (refused.value.load, refused.value.cap) == (1000.0, 1000)
    with pytest.raises(erlang.NoWindowCountFound):
        erlang.windows_needed(270, 1, 0, 0.99, cap=5)  # a = 4.5: 5 windows do not reach 99% without a wait
    with pytest.raises(erlang.NoWindowCountFound):
        erlang.smallest_count_above(math.inf, lambda n, b: True)
    assert erlang.windows_needed(270, 1, 0, 0.5, cap=6) == 6


@pytest.mark.parametrize("call", [
    lambda: erlang.erlang_b(-1, 2.0),
    lambda: erlang.erlang_b(2.5, 2.0),
    lambda: erlang.erlang_c(3, -1.0),
    lambda: erlang.erlang_c(3, math.nan),
    lambda: erlang.prob_wait_exceeds(3, 2.0, -1, 10),
    lambda: erlang.prob_wait_exceeds(3, 2.0, 10, 0),
    lambda: erlang.windows_needed(10, 5, 900, 1.0),
    lambda: erlang.windows_needed(10, 5, 900, 0.0),
    lambda: erlang.windows_needed(-1, 5, 900, 0.8),
    lambda: erlang.windows_needed(10, 5, 900, 0.8, patience_minutes=0),
    lambda: erlang.erlang_a(0, 1.0, 1.0, 1.0, 0.0),
], ids=["negative windows", "fractional windows", "negative load", "nan load", "negative wait", "zero service",
        "level 1", "level 0", "negative arrivals", "zero patience", "Erlang A with no window"])
def test_bad_arguments_are_value_errors(call):
    with pytest.raises(ValueError):
        call()


def test_erlang_a_hand_computed_single_window():
    # N = 1 and λ = μ = θ = 1: π_k = e⁻¹/k! (Poisson(1)), so P(wait) = 1 − e⁻¹ and E[Q] = e⁻¹ = P(abandon).
    figures = erlang.erlang_a(1, 1.0, 1.0, 1.0, 0.0)
    e = math.exp(-1)
    assert figures.prob_wait == pytest.approx(1 - e, abs=1e-12)
    assert figures.mean_queue == pytest.approx(e, abs=1e-12)
    assert figures.prob_abandon == pytest.approx(e, abs=1e-12)
    assert figures.service_level == pytest.approx(e, abs=1e-12)  # T = 0: only those who find the window free
    assert figures.occupancy == pytest.approx(1 - e, abs=1e-12)  # served = λ(1 − P(abandon)) = μ·P(busy)
    # Someone finding the window busy and nobody waiting (j = 0) is served by T if the service (rate 1)
    # ends before both T and their own patience (rate 1): ∫₀ᵀ e⁻ᵗ·e⁻ᵗ dt = (1 − e⁻²ᵀ)/2.
    one = erlang.erlang_a(1, 1e-9, 1.0, 1.0, 1.0)  # so few arrivals that j = 0 is all that matters
    assert one.prob_wait == pytest.approx(1e-9, rel=1e-6)
    in_time_if_busy = (one.service_level - (1 - one.prob_wait)) / one.prob_wait
    assert in_time_if_busy == pytest.approx((1 - math.exp(-2)) / 2, rel=1e-6)


def test_erlang_a_identities():
    figures = erlang.erlang_a(14, 200 / 60, 3.0, 5.0, 1e6)
    # Waiting forever for service: everyone who does not give up is served in time.
    assert figures.service_level == pytest.approx(1 - figures.prob_abandon, abs=1e-12)
    # Flow balance: the windows' busy share × N = the served arrivals × s.
    assert figures.occupancy * 14 == pytest.approx(200 / 60 * (1 - figures.prob_abandon) * 3, rel=1e-12)
    # Little's law over every arrival.
    assert figures.mean_wait == pytest.approx(figures.mean_queue / (200 / 60), rel=1e-12)
    # Erlang A has a steady state even with fewer windows than the load.
    overloaded = erlang.erlang_a(8, 200 / 60, 3.0, 5.0, 20 / 60)
    assert 0.2 < overloaded.prob_abandon < 0.4 and overloaded.occupancy < 1
    assert erlang.erlang_a(3, 0.0, 10, 5, 1).service_level == 1.0


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c_wait, c_level = erlang.erlang_c(14, 10.0), erlang.service_level(14, 10.0, 20 / 60, 3)
    c_mean = erlang.average_speed_of_answer(14, 10.0, 3)
    gaps = []
    for patience in (10.0, 1e2, 1e3, 1e4, 1e5, 1e7):
        a = erlang.erlang_a(14, 200 / 60, 3.0, patience, 20 / 60)
        gaps.append((abs(a.prob_wait - c_wait), abs(a.service_level - c_level), abs(a.mean_wait - c_mean)))
    for earlier, later in zip(gaps, gaps[1:]):
        assert all(l < e for l, e in zip(later, earlier))
    assert max(gaps[-1]) < 1e-6
    assert [round(gap[0], 4) for gap in gaps[:3]] == [0.0182, 0.0025, 0.0003]
    # So the abandonment-aware count is never above Erlang C's here, and equal with patience enough.
    assert erlang.windows_needed(200, 3, 20, 0.8, patience_minutes=1e5) == 14
    assert erlang.windows_needed(200, 3, 20, 0.8, patience_minutes=5) == 13
    assert erlang.windows_needed(200, 3, 20, 0.8, patience_minutes=2) == 12
    assert erlang.windows_needed(200, 3, 20, 0.8, patience_minutes=0.5) == 11  # ⌊a⌋ + 1: the plan never counts on giving up


def test_erlang_a_long_patience_near_the_load_is_refused_not_run_for_ever():
    # a = 999.9999 erlangs on 1000 windows with a 100 000-minute patience: the chain hardly falls off.
    with pytest.raises(erlang.ChainTooLong):
        erlang.erlang_a(1000, 999.9999 / 0.01, 0.01, 1e5, 0.1)
    # The search counts such a window count as too few, and so ends at the cap with a clear error.
    with pytest.raises(erlang.NoWindowCountFound):
        erlang.windows_needed(5_999_999.4, 0.01, 6, 0.8, patience_minutes=1e5)
