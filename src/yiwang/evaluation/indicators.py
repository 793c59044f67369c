"""The evaluation indicators: each a documented formula over the daily counters (pure: no Django).

A district is ranked on indicators like these (一网通办 evaluation: 在线服务成效度, 办理成熟度, 好差评
…); Shanghai's formal weights are not published, so the composite's weights are configuration.
Every indicator is a ratio or a mean of counters summed over a period and a scope (department,
item, site); with nothing to count (a zero denominator) its value is None, shown as "—" and left
out of the composite (whose weights are then renormalised over the indicators that have a value),
never 0 or 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The counters a daily figure row keeps; the aggregation fills them, the indicators read them.
COUNTERS = (
    "submitted", "online", "at_mobile", "fully_online", "at_window", "at_kiosk", "from_partner", "bundle_members",
    "decided", "instant", "on_time", "late", "handling_days", "promised_days", "statutory_days", "limits_counted",
    "visits", "delivered", "delivered_electronically", "materials", "materials_shared",
    "rated", "rated_good", "rated_bad", "bad_real_name", "called_back", "rectified",
    "tickets_served", "wait_seconds", "called_within_target",
    "sms", "sms_within_10s", "bundle_cases",
)

RATE, DAYS, COUNT, MINUTES = "rate", "days", "count", "minutes"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    name_en: str
    formula: str  # the definition, as published with the figures
    formula_en: str
    numerator: str
    denominator: str | None  # None: a volume (the numerator itself)
    unit: str
    higher_is_better: bool = True
    scale: float = 1.0  # numerator/denominator × scale (seconds → minutes)
    complement: bool = False  # 1 − numerator/denominator (减时间)

    def value(self, totals: Mapping[str, int]) -> float | None:
        top = totals.get(self.numerator, 0)
        if self.denominator is None:
            return float(top)
        bottom = totals.get(self.denominator, 0)
        if not bottom:
            return None
        ratio = top / bottom * self.scale
        return 1 - ratio if self.complement else ratio


INDICATORS: tuple[Indicator, ...] = (
    Indicator("online_rate", "网办率", "Share applied online", "网上（含移动端）申报件数 ÷ 申报总件数", "applications made online (phones included) ÷ all applications", "online", "submitted", RATE),
    Indicator("fully_online_rate", "全程网办率", "Share handled fully online",
              "网上申报且事项网办深度为四级（全程网办）的件数 ÷ 申报总件数", "applications made online for items handled fully online (online depth 4) ÷ all applications", "fully_online", "submitted", RATE),
    Indicator("instant_rate", "即办件率", "Share decided on the spot", "承诺时限为 0 的办结件数 ÷ 办结件数", "decided cases whose promised limit is 0 days ÷ decided cases", "instant", "decided", RATE),
    Indicator("on_time_rate", "按时办结率", "Decided on time", "在承诺期限（无承诺时为法定期限）内办结的件数 ÷ 办结件数", "cases decided within the promised limit (the statutory one when there is none) ÷ decided cases",
              "on_time", "decided", RATE),
    Indicator("overdue_rate", "超期率", "Decided late", "超过承诺期限（无承诺时为法定期限）办结的件数 ÷ 办结件数", "cases decided after the promised limit (the statutory one when there is none) ÷ decided cases",
              "late", "decided", RATE, higher_is_better=False),
    Indicator("mean_handling_days", "平均办理时间", "Mean handling time", "受理至办结的工作日之和 ÷ 办结件数（工作日）", "working days from acceptance to decision, summed ÷ decided cases",
              "handling_days", "decided", DAYS, higher_is_better=False),
    Indicator("mean_promised_days", "平均承诺时限", "Mean promised limit", "承诺时限之和 ÷ 计入件数（办结件中承诺与法定时限均为工作日的）", "promised limits summed ÷ cases counted (decided cases whose promised and statutory limits are both in working days)",
              "promised_days", "limits_counted", DAYS, higher_is_better=False),
    Indicator("mean_statutory_days", "平均法定时限", "Mean statutory limit", "法定时限之和 ÷ 计入件数（同上）", "statutory limits summed ÷ cases counted (as above)",
              "statutory_days", "limits_counted", DAYS, higher_is_better=False),
    Indicator("time_reduction", "减时间", "Time cut", "1 − 承诺时限之和 ÷ 法定时限之和（办结件中两者均为工作日的）", "1 − promised limits summed ÷ statutory limits summed (decided cases with both in working days)",
              "promised_days", "statutory_days", RATE, complement=True),
    Indicator("mobile_share", "移动端申报占比", "Share applied on a phone", "移动端申报件数 ÷ 申报总件数", "applications made on a phone ÷ all applications", "at_mobile", "submitted", RATE),
    Indicator("window_share", "窗口申报占比", "Share applied at a window", "窗口申报件数 ÷ 申报总件数", "applications made at a window ÷ all applications", "at_window", "submitted", RATE),
    Indicator("kiosk_share", "自助终端申报占比", "Share applied at a kiosk", "自助终端申报件数 ÷ 申报总件数", "applications made at a kiosk ÷ all applications", "at_kiosk", "submitted", RATE),
    Indicator("mean_visits", "平均跑动次数", "Visits in person", "（窗口申报 + 窗口领取）次数之和 ÷ 办结件数", "(applications at a window + pickups at the output window) ÷ decided cases",
              "visits", "decided", COUNT, higher_is_better=False),
    Indicator("material_reduction", "材料减免率", "Materials not brought", "经数据共享调取（免交）的材料数 ÷ 提交材料总数", "materials fetched by data sharing (not brought) ÷ all materials submitted",
              "materials_shared", "materials", RATE),
    Indicator("e_licence_rate", "电子证照使用率", "Results delivered electronically",
              "以电子证照送达（不领纸质、不邮寄）的件数 ÷ 送达件数", "results delivered as e-licences (not collected on paper, not mailed) ÷ delivered results", "delivered_electronically", "delivered", RATE),
    Indicator("good_rate", "好评率", "Good ratings", "非常满意与满意的评价数 ÷ 评价总数（申诉成立的不计）", "very satisfied and satisfied ratings ÷ all ratings (ratings set aside on appeal left out)", "rated_good", "rated", RATE),
    Indicator("rectification_rate", "差评整改率", "Bad ratings rectified", "已答复（整改或解释）的差评数 ÷ 差评总数", "bad ratings answered (fixed or explained) ÷ bad ratings",
              "rectified", "rated_bad", RATE),
    Indicator("callback_rate", "实名差评回访率", "Named bad ratings called back", "已回访的实名差评数 ÷ 实名差评数", "named bad ratings called back ÷ named bad ratings",
              "called_back", "bad_real_name", RATE),
    Indicator("mean_wait_minutes", "平均等候时间", "Mean wait in the hall", "取号至叫号的秒数之和 ÷ 60 ÷ 办结号数（分钟）", "seconds from taking a number to being called, summed ÷ 60 ÷ numbers served (minutes)",
              "wait_seconds", "tickets_served", MINUTES, higher_is_better=False, scale=1 / 60),
    Indicator("called_within_target", "等候达标率", "Called within the target", "在目标等候时间内叫号的号数 ÷ 办结号数", "numbers called within the target wait ÷ numbers served",
              "called_within_target", "tickets_served", RATE),
    Indicator("sms_within_10s", "消息 10 秒送达率", "Messages sent within 10 s", "10 秒内发出的短信数 ÷ 短信总数", "SMS sent within 10 s ÷ all SMS",
              "sms_within_10s", "sms", RATE),
    Indicator("bundle_cases", "一件事办件量", "One-thing bundles", "提交的一件事件数", "one-thing bundle applications submitted", "bundle_cases", None, COUNT),
    Indicator("cross_region_cases", "跨区域通办量", "Cross-region cases", "异地代收（跨省通办）申报件数", "applications taken in by partner regions (cross-region)", "from_partner", None, COUNT),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}

# The composite's eight indicators and their default weights (configurable: settings.EVALUATION_WEIGHTS).
DEFAULT_WEIGHTS = {
    "online_rate": 15, "fully_online_rate": 15, "on_time_rate": 15, "instant_rate": 10,
    "time_reduction": 10, "material_reduction": 10, "good_rate": 15, "rectification_rate": 10,
}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights of known rate indicators, each ≥ 0, not all 0 (ValueError otherwise)."""
    checked = {}
    for code, weight in weights.items():
        indicator = BY_CODE.get(code)
        if indicator is None or indicator.unit != RATE:
            raise ValueError(f"{code!r} is not a rate indicator; use one of {sorted(c for c, i in BY_CODE.items() if i.unit == RATE)}")
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            raise ValueError(f"the weight of {code} must be a number ≥ 0, got {weight!r}")
        checked[code] = float(weight)
    if not any(checked.values()):
        raise ValueError("at least one weight must be above 0")
    return checked


def values(totals: Mapping[str, int]) -> dict[str, float | None]:
    """Every indicator's value for summed counters."""
    return {indicator.code: indicator.value(totals) for indicator in INDICATORS}


def score_of(indicator: Indicator, value: float | None) -> float | None:
    """A rate as points out of 100, turned round when lower is better."""
    if value is None:
        return None
    bounded = min(max(value, 0.0), 1.0)
    return 100 * (bounded if indicator.higher_is_better else 1 - bounded)


def composite(found: Mapping[str, float | None], weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> float | None:
    """The weighted mean of the indicators' points (0–100) over those with a value; None if none has one."""
    total_weight = points = 0.0
    for code, weight in weights.items():
        score = score_of(BY_CODE[code], found.get(code))
        if score is None or not weight:
            continue
        total_weight += weight
        points += weight * score
    return None if not total_weight else points / total_weight


def add(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counters summed over rows."""
    totals = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            totals[name] += row.get(name) or 0
    return totals


def median_of_histogram(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; the mean of the two middle ones for an even count."""
    count = sum(histogram.values())
    if count == 0:
        return None
    ordered = sorted(histogram.items())

    def nth(n: int) -> int:  # 0-based
        seen = 0
        for value, times in ordered:
            seen += times
            if n < seen:
                return value
        raise IndexError(n)

    if count % 2:
        return float(nth(count // 2))
    return (nth(count // 2 - 1) + nth(count // 2)) / 2


@dataclass(frozen=True)
class Ranked:
    key: str
    label: str
    score: float | None
    rank: int | None  # 1 = best; equal scores share a rank; None when there is no score


def rank(scores: Iterable[tuple[str, str, float | None]]) -> list[Ranked]:
    """Best first (competition ranking: 1, 2, 2, 4); those without a score last, unranked."""
    scores = list(scores)
    scored = sorted((s for s in scores if s[2] is not None), key=lambda s: (-s[2], s[0]))
    ranked, previous, position = [], None, 0
    for index, (key, label, score) in enumerate(scored, start=1):
        if previous is None or round(score, 6) != round(previous, 6):
            position = index
        previous = score
        ranked.append(Ranked(key, label, score, position))
    unscored = sorted((s for s in scores if s[2] is None), key=lambda s: s[0])
    return ranked + [Ranked(key, label, None, None) for key, label, _ in unscored]
