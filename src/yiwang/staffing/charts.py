"""Geometry of the planner page's charts, drawn as SVG on the server (pure: no Django).

Two charts: the totals side by side (dedicated, pooled, and what a district reported when a
scenario has it), and in interval mode the windows each interval needs, dedicated next to pooled.
Coordinates are in the SVG's own units; the template scales the picture to the page's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bar", "Column", "interval_labels", "interval_columns", "total_bars", "CHART_WIDTH"]

CHART_WIDTH = 560
_LABEL_WIDTH = 170  # the names left of the horizontal bars
_BAR_SPACE = CHART_WIDTH - _LABEL_WIDTH - 50  # room for the figure after the longest bar
_ROW = 30


@dataclass(frozen=True)
class Bar:
    key: str  # which series: dedicated, pooled, reported_dedicated, reported_pooled
    label: str
    value: int
    y: float
    width: float

    @property
    def text_x(self) -> float:
        return _LABEL_WIDTH + self.width + 6


def total_bars(series: Sequence[tuple[str, str, int]]) -> tuple[list[Bar], float]:
    """Horizontal bars for (key, label, windows), scaled to the largest; and the chart's height."""
    most = max((value for _, _, value in series), default=0) or 1
    bars = [Bar(key, label, value, 10 + n * _ROW, round(_BAR_SPACE * value / most, 1))
            for n, (key, label, value) in enumerate(series)]
    return bars, 20 + _ROW * len(bars)


@dataclass(frozen=True)
class Column:
    label: str
    dedicated: int
    pooled: int
    x: float  # left edge of the pair
    width: float  # of each of the two columns
    dedicated_height: float
    pooled_height: float
    baseline: float

    @property
    def pooled_x(self) -> float:
        return self.x + self.width

    @property
    def label_x(self) -> float:
        return self.x + self.width

    @property
    def dedicated_y(self) -> float:
        return self.baseline - self.dedicated_height

    @property
    def pooled_y(self) -> float:
        return self.baseline - self.pooled_height


def interval_labels(count: int, interval_minutes: float, first_minute: int | None) -> list[str]:
    """Each interval's start as HH:MM when the day's first interval is known, else its number."""
    if first_minute is None:
        return [str(n + 1) for n in range(count)]
    labels = []
    for n in range(count):
        minute = int(first_minute + n * interval_minutes) % 1440
        labels.append(f"{minute // 60:02d}:{minute % 60:02d}")
    return labels


def interval_columns(labels: Sequence[str], dedicated: Sequence[int], pooled: Sequence[int], *,
                     height: float = 200) -> list[Column]:
    """A pair of vertical columns per interval (dedicated, pooled) under one scale."""
    count = len(labels)
    most = max([*dedicated, *pooled, 0]) or 1
    slot = (CHART_WIDTH - 40) / max(count, 1)
    width = max(round(slot * 0.38, 1), 1.0)
    baseline = 10 + height
    return [Column(label, d, p, round(30 + n * slot, 1), width, round(height * d / most, 1), round(height * p / most, 1),
                   baseline)
            for n, (label, d, p) in enumerate(zip(labels, dedicated, pooled))]
