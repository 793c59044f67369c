"""Every indicator's formula on fixture counters, the composite, the median and the ranking (pure)."""

import pytest

from yiwang.evaluation import indicators as ind

TOTALS = {
    "submitted": 200, "online": 170, "at_mobile": 20, "at_window": 22, "at_kiosk": 4, "limits_counted": 100, "fully_online": 150, "decided": 160, "instant": 40, "on_time": 152, "late": 8,
    "handling_days": 560, "promised_days": 300, "statutory_days": 1200, "visits": 48, "delivered": 150,
    "delivered_electronically": 120, "materials": 500, "materials_shared": 125, "rated": 100, "rated_good": 97,
    "rated_bad": 2, "bad_real_name": 2, "called_back": 1, "rectified": 2, "tickets_served": 80, "wait_seconds": 48000,
    "called_within_target": 60, "sms": 400, "sms_within_10s": 396, "bundle_cases": 12, "from_partner": 3,
}


def test_every_indicator_on_fixture_counters():
    assert ind.values(TOTALS) == {
        "online_rate": 0.85, "fully_online_rate": 0.75, "instant_rate": 0.25, "on_time_rate": 0.95, "overdue_rate": 0.05,
        "mean_handling_days": 3.5, "mean_promised_days": 3.0, "mean_statutory_days": 12.0, "time_reduction": 0.75,
        "mobile_share": 0.1, "window_share": 0.11, "kiosk_share": 0.02, "mean_visits": 0.3, "material_reduction": 0.25,
        "e_licence_rate": 0.8, "good_rate": 0.97, "rectification_rate": 1.0, "callback_rate": 0.5,
        "mean_wait_minutes": 10.0, "called_within_target": 0.75, "sms_within_10s": 0.99, "bundle_cases": 12.0,
        "cross_region_cases": 3.0,
    }


def test_nothing_to_count_is_none_never_zero_or_full():
    empty = ind.values({})
    assert {code for code, value in empty.items() if value is not None} == {"bundle_cases", "cross_region_cases"}
    assert empty["bundle_cases"] == 0.0
    assert ind.composite(empty) is None


def test_the_composite_weights_points_and_skips_indicators_without_a_value():
    found = ind.values(TOTALS)
    # online 85, fully 75, on time 95, instant 25, time cut 75, materials 25, good 97, rectified 100.
    expected = (15 * 85 + 15 * 75 + 15 * 95 + 10 * 25 + 10 * 75 + 10 * 25 + 15 * 97 + 10 * 100) / 100
    assert ind.composite(found) == pytest.approx(expected)
    assert expected == pytest.approx(75.3)
    partial = {**found, "good_rate": None, "rectification_rate": None}
    assert ind.composite(partial) == pytest.approx((15 * 85 + 15 * 75 + 15 * 95 + 10 * 25 + 10 * 75 + 10 * 25) / 75)
    assert ind.composite(found, {"overdue_rate": 1}) == pytest.approx(95.0)  # lower is better: 100 × (1 − 0.05)


def test_weights_are_checked():
    assert ind.check_weights({"good_rate": 2, "online_rate": 0}) == {"good_rate": 2.0, "online_rate": 0.0}
    for bad in ({"mean_wait_minutes": 1}, {"no_such": 1}, {"good_rate": -1}, {"good_rate": 0}, {"good_rate": True}):
        with pytest.raises(ValueError):
            ind.check_weights(bad)


def test_median_of_a_histogram():
    assert ind.median_of_histogram({}) is None
    assert ind.median_of_histogram({0: 1, 2: 1, 5: 1}) == 2.0
    assert ind.median_of_histogram({1: 2, 3: 2}) == 2.0
    assert ind.median_of_histogram({0: 10, 1: 1, 30: 1}) == 0.0


def test_ranking_shares_places_and_puts_the_unscored_last():
    ranked = ind.rank([("B", "乙", 80.0), ("A", "甲", 90.0), ("C", "丙", 80.0), ("D", "丁", None), ("E", "戊", 70.0)])
    assert [(r.key, r.rank) for r in ranked] == [("A", 1), ("B", 2), ("C", 2), ("E", 4), ("D", None)]
    assert ind.rank(iter([("A", "甲", None)]))[0].rank is None
