"""Demo scenarios for the staffing planner: the reference district's hall before and after pooling.

No Django: data, arithmetic and the reference catalogue's English department names. `scenario("fengxian")` is an input document for `planner.parse_request`;
`fengxian_comparison()` plans it and sets the result beside what the district reported.

The reference district (上海市奉贤区) reported that its centre's 202 department windows became 123
comprehensive windows (综合窗口) when the hall moved to 前台综合受理、后台分类审批 (a general front desk,
the examination by each department behind it). We do not have the district's ticket counts. The
scenario is built so that serving each of the catalogue's 41 departments at its own windows needs
about 202 windows under the planner's target, and then asks what the same people need when every
window serves everyone. The assumptions are written out in ASSUMPTIONS (Chinese) and
ASSUMPTIONS_EN, and the CLI and the page print them next to the figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from yiwang.core.errors import ValidationFailed
from yiwang.staffing import constants as c
from yiwang.staffing.planner import plan, parse_request

__all__ = ["ASSUMPTIONS", "ASSUMPTIONS_EN", "DEPARTMENTS", "REPORTED", "SCENARIOS", "fengxian_comparison", "scenario"]

OPENING = ("09:00", "17:00")
HOURS = ("09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00")  # starts of the 8 hourly intervals
# The share of a day's tickets taken in each hour (each profile sums to 1). Enterprises' agents come
# in the morning; residents more in the afternoon; couples come early to the marriage registry.
PROFILES = {
    "enterprise": (0.16, 0.19, 0.15, 0.06, 0.11, 0.13, 0.12, 0.08),
    "resident": (0.11, 0.14, 0.13, 0.09, 0.12, 0.15, 0.14, 0.12),
    "marriage": (0.22, 0.24, 0.16, 0.04, 0.10, 0.10, 0.08, 0.06),
}
TARGET = {"wait_seconds": 900, "service_level": 0.8}  # 80% called within 15 minutes
REPORTED = {"dedicated": 202, "pooled": 123}


@dataclass(frozen=True)
class Department:
    code: str  # as in catalog/data/catalog-fengxian.json
    name: str
    tickets_per_day: int  # walk-in tickets on an ordinary working day
    mean_service_minutes: float  # at the window, call to finish
    profile: str


# Uneven by design: six departments take more than half the tickets, fourteen see fewer than 20 a day.
DEPARTMENTS = (
    Department("TAX", "国家税务总局上海市奉贤区税务局", 500, 12, "enterprise"),
    Department("SCJG", "区市场监督管理局", 285, 20, "enterprise"),
    Department("RSJSB", "区社会保险事业管理中心", 365, 10, "resident"),
    Department("YBZX", "区医疗保险事务中心", 305, 9, "resident"),
    Department("BDC", "区不动产登记事务中心", 250, 25, "resident"),
    Department("GAHZ", "区公安分局户政科", 230, 12, "resident"),
    Department("GACRJ", "区公安分局出入境管理办公室", 345, 7, "resident"),
    Department("GJJ", "上海市公积金管理中心奉贤管理部", 285, 10, "resident"),
    Department("GAJG", "区公安分局交通警察支队", 170, 8, "resident"),
    Department("RSJJY", "区就业促进中心", 145, 12, "resident"),
    Department("MZHY", "区民政局婚姻登记处", 55, 20, "marriage"),
    Department("FGJ", "区住房保障和房屋管理局", 115, 15, "resident"),
    Department("MZJ", "区民政局", 85, 15, "resident"),
    Department("CL", "区残疾人联合会", 55, 15, "resident"),
    Department("TYJR", "区退役军人事务局", 50, 12, "resident"),
    Department("RSJ", "区人力资源和社会保障局", 55, 15, "enterprise"),
    Department("WJWFY", "区妇幼保健所", 65, 10, "resident"),
    Department("JYJ", "区教育局", 50, 15, "resident"),
    Department("WJW", "区卫生健康委员会", 33, 20, "enterprise"),
    Department("WJWJD", "区卫生健康委员会综合监督科", 38, 15, "enterprise"),
    Department("SCJGTS", "区市场监督管理局特种设备安全监察科", 24, 15, "enterprise"),
    Department("SCJGYP", "区市场监督管理局药品医疗器械化妆品监督管理科", 29, 20, "enterprise"),
    Department("JSW", "区建设和管理委员会", 38, 25, "enterprise"),
    Department("GHZY", "区规划和自然资源局", 24, 30, "enterprise"),
    Department("JTW", "区交通委员会", 33, 15, "enterprise"),
    Department("WLJ", "区文化和旅游局", 19, 20, "enterprise"),
    Department("STHJ", "区生态环境局", 19, 25, "enterprise"),
    Department("SWJ", "区水务局", 14, 25, "enterprise"),
    Department("LHSR", "区绿化和市容管理局", 19, 15, "enterprise"),
    Department("NYW", "区农业农村委员会", 19, 15, "enterprise"),
    Department("GAZA", "区公安分局治安支队", 29, 12, "enterprise"),
    Department("YBJ", "区医疗保障局", 38, 15, "resident"),
    Department("MZST", "区社会团体管理局", 10, 25, "enterprise"),
    Department("JSWMF", "区国防动员办公室（区民防办公室）", 8, 30, "enterprise"),
    Department("YJJ", "区应急管理局", 11, 20, "enterprise"),
    Department("XFJY", "区消防救援支队", 14, 25, "enterprise"),
    Department("TYJ", "区体育局", 5, 20, "enterprise"),
    Department("CZJ", "区财政局", 8, 15, "enterprise"),
    Department("SWW", "区商务委员会", 6, 15, "enterprise"),
    Department("FGW", "区发展和改革委员会", 14, 20, "enterprise"),
    Department("TJJ", "区统计局", 5, 10, "enterprise"),
)

ASSUMPTIONS = (
    "模型示意，不是该区的实测数据：区里只公布了窗口数（202 个部门窗口合并为 123 个综合窗口），没有公布取号量。",
    "开放时间 09:00–17:00，按 8 个一小时时段计；中午不打烊，12:00–13:00 取号较少。",
    "每个部门一条队列（目录中的 41 个部门），日取号量从 5 到 500 不等，合计见 tickets_per_day；"
    "各时段取号比例按三种日内曲线：企业类上午高峰、个人类下午高峰、婚姻登记上午集中。",
    "窗口平均办理时长按事项类型估计（7–30 分钟），取号到达为泊松过程，办理时长为指数分布，不计弃号。",
    "目标：80% 的办事人 15 分钟内被叫号（Erlang C，每个时段按稳态分别计算）。",
    "取号量的选定使“各部门专窗”合计约需 202 个窗口，与改革前相当；部门专窗数按各部门高峰时段所需计，全天保留。",
    "综合窗口：所有部门的办事人排一个队，任一窗口可办，办理时长取按取号量加权的平均值，总窗口数按合并后的高峰时段计。",
    "本模型只计排队合并的效应；综合窗口只做受理、审核移到后台所缩短的窗口时长，以及网上办理分流的取号量，都没有计入。",
)
ASSUMPTIONS_EN = (
    "An illustrative model, not the district's measurements: the district published its window counts (202 department "
    "windows merged into 123 comprehensive ones), not its ticket counts.",
    "Open 09:00–17:00, planned as 8 one-hour intervals; open through lunch, with fewer tickets 12:00–13:00.",
    "One queue per department (the catalogue's 41), from 5 to 500 tickets a day (tickets_per_day); each hour's share of "
    "the day by one of three profiles: enterprises peak in the morning, residents in the afternoon, marriages early.",
    "Mean window times estimated by the kind of business (7–30 minutes); Poisson arrivals, exponential service, "
    "nobody gives up.",
    "Target: 80% of people called within 15 minutes (Erlang C, each interval planned as its own steady state).",
    "Ticket volumes were chosen so that serving each department at its own windows needs about 202 windows, as before "
    "the reform; a department keeps its peak hour's windows all day.",
    "Comprehensive windows: one queue for all departments, any window serves anyone, at the arrival-weighted mean "
    "window time; the total is the pooled peak hour's count.",
    "The model counts the effect of pooling the queues only: shorter window times when the front desk only accepts and "
    "the examination moves behind it, and tickets moved online, are not in it.",
)


CATALOGUE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "catalog-fengxian.json"


@cache
def _english_names() -> dict[str, str]:
    """The departments' English names, from the reference catalogue (one place for them)."""
    with CATALOGUE.open(encoding="utf-8") as handle:
        return {d["code"]: d.get("name_en") or d["name"] for d in json.load(handle)["departments"]}


def fengxian_request(*, english: bool = False) -> dict[str, Any]:
    """The reference district's departments as a planner input document (hourly intervals),
    the queues named in Chinese or, with `english`, in English."""
    names = _english_names() if english else {}
    return {
        "target": dict(TARGET),
        "interval_minutes": 60,
        "queues": [{"name": names.get(d.code, d.name), "arrivals_per_hour": [round(d.tickets_per_day * share, 3) for share in PROFILES[d.profile]],
                    "mean_service_minutes": d.mean_service_minutes} for d in DEPARTMENTS],
    }


SCENARIOS = {"fengxian": fengxian_request}


def scenario(name: str, *, english: bool = False) -> dict[str, Any]:
    """A demo scenario's input document by name; ValidationFailed(unknown_scenario) for another name."""
    if name not in SCENARIOS:
        known = ", ".join(sorted(SCENARIOS))
        raise ValidationFailed(c.UNKNOWN_SCENARIO, f"没有名为“{name}”的示例场景（可选：{known}）。",
                               f"No demo scenario named {name!r} (known: {known}).", details={"known": sorted(SCENARIOS)})
    return SCENARIOS[name](english=english)


def _pooled_total(document: dict[str, Any], *, service_factor: float = 1.0, arrivals_factor: float = 1.0) -> int:
    scaled = {**document, "queues": [
        {**q, "mean_service_minutes": q["mean_service_minutes"] * service_factor,
         "arrivals_per_hour": [a * arrivals_factor for a in q["arrivals_per_hour"]]} for q in document["queues"]]}
    return plan(parse_request(scaled)).pooled_total


def _largest_factor(document: dict[str, Any], windows: int, key: str) -> float:
    """The largest factor in hundredths (at most 1) that brings the pooled count down to `windows`.

    The pooled count never falls when the factor grows, so a bisection finds it.
    """
    low, high = 0, 100  # pooled(low / 100) <= windows is taken as true at 0; find the largest such hundredths
    if _pooled_total(document, **{key: 1.0}) <= windows:
        return 1.0
    while high - low > 1:
        middle = (low + high) // 2
        if _pooled_total(document, **{key: middle / 100}) <= windows:
            low = middle
        else:
            high = middle
    return low / 100


def fengxian_comparison() -> dict[str, Any]:
    """The scenario's plan beside the district's reported 202 → 123, with what the gap would take.

    ``to_reach_reported_pooled`` gives the largest factor on the window time (or on the tickets)
    with which pooling alone would need no more than the reported 123 windows.
    """
    document = fengxian_request()
    result = plan(parse_request(document))
    return {
        "plan": result.as_dict(),
        "tickets_per_day": sum(d.tickets_per_day for d in DEPARTMENTS),
        "departments": len(DEPARTMENTS),
        "model": {"dedicated": result.dedicated_total, "pooled": result.pooled_total, "saving": result.saving,
                  "saving_share": round(result.saving / result.dedicated_total, 3)},
        "reported": {**REPORTED, "saving": REPORTED["dedicated"] - REPORTED["pooled"],
                     "saving_share": round(1 - REPORTED["pooled"] / REPORTED["dedicated"], 3)},
        "to_reach_reported_pooled": {
            "service_time_factor": _largest_factor(document, REPORTED["pooled"], "service_factor"),
            "arrivals_factor": _largest_factor(document, REPORTED["pooled"], "arrivals_factor"),
        },
        "assumptions": list(ASSUMPTIONS),
        "assumptions_en": list(ASSUMPTIONS_EN),
    }

