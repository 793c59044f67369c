"""Hall statistics as pure arithmetic (no database): percentiles, spread of load, utilisation.

The selector gathers one record per ticket; these functions turn groups of them into the
figures the hall manager reads (等候时长 p50/p90, 办理时长, 过号, 弃号, 窗口利用率, 忙闲均衡).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) by linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def coefficient_of_variation(loads: Sequence[float]) -> float | None:
    """Population standard deviation over the mean: 0 when every window carries the same load."""
    if not loads:
        return None
    mean = statistics.fmean(loads)
    if mean == 0:
        return 0.0
    return statistics.pstdev(loads) / mean


def utilisation(busy_seconds: float, staffed_seconds: float) -> float | None:
    """The share of staffed time a window spent serving (None when it was never staffed)."""
    if staffed_seconds <= 0:
        return None
    return min(1.0, busy_seconds / staffed_seconds)


@dataclass(frozen=True)
class TicketRecord:
    """What statistics need of one ticket."""

    key: str  # the value of the dimension it is grouped by (group letter, window, officer, hour, item)
    state: str  # done, no_show, waiting/called/held at the end of the day (abandoned)
    wait_seconds: float | None  # take to (first) call
    service_seconds: float | None  # call to finish, for finished tickets


@dataclass(frozen=True)
class Row:
    key: str
    tickets: int
    served: int
    no_shows: int
    abandoned: int
    wait_p50: float | None
    wait_p90: float | None
    service_mean: float | None

    def as_dict(self) -> dict:
        return {"key": self.key, "tickets": self.tickets, "served": self.served, "no_shows": self.no_shows,
                "abandoned": self.abandoned, "wait_p50_seconds": _rounded(self.wait_p50),
                "wait_p90_seconds": _rounded(self.wait_p90), "service_mean_seconds": _rounded(self.service_mean)}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summarise(records: Iterable[TicketRecord]) -> list[Row]:
    """One row per key, in key order."""
    by_key: dict[str, list[TicketRecord]] = {}
    for record in records:
        by_key.setdefault(record.key, []).append(record)
    rows = []
    for key in sorted(by_key):
        group = by_key[key]
        waits = [r.wait_seconds for r in group if r.wait_seconds is not None]
        services = [r.service_seconds for r in group if r.service_seconds is not None and r.state == "done"]
        rows.append(Row(
            key=key, tickets=len(group), served=sum(r.state == "done" for r in group),
            no_shows=sum(r.state == "no_show" for r in group),
            abandoned=sum(r.state in ("waiting", "called", "held") for r in group),
            wait_p50=percentile(waits, 50), wait_p90=percentile(waits, 90),
            service_mean=statistics.fmean(services) if services else None,
        ))
    return rows
