"""Geometry of the dashboard's charts, drawn as SVG by the templates (pure: no Django).

Horizontal bars for rankings and a line for a daily trend; coordinates are the SVG's own units,
scaled to the page by its viewBox. Every chart is shown with its data table and a text summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
LABEL_WIDTH = 190
ROW = 26


@dataclass(frozen=True)
class HBar:
    label: str
    value: float | None
    text: str
    y: float
    width: float


def bars(rows: Sequence[tuple[str, float | None, str]], *, most: float | None = None) -> tuple[list[HBar], float]:
    """(label, value, shown text) as bars scaled to `most` (default: the largest value); and the height."""
    top = most if most is not None else max((v for _, v, _ in rows if v is not None), default=0) or 1
    space = WIDTH - LABEL_WIDTH - 70
    drawn = [HBar(label, value, text, 8 + n * ROW, round(space * (value or 0) / top, 1)) for n, (label, value, text) in enumerate(rows)]
    return drawn, 16 + ROW * len(drawn)


@dataclass(frozen=True)
class Line:
    points: str  # the polyline's "x,y x,y ..." (gaps where a day has no value split it into segments)
    segments: list[str]
    height: float
    labels: list[tuple[float, str]]  # x positions and the dates written under the axis
    top_label: str


def line(values: Sequence[float | None], day_labels: Sequence[str], *, height: float = 160, top: float = 1.0,
         top_label: str = "100%") -> Line:
    """A line over the days (values from 0 to `top`); a day without a value breaks the line."""
    left, right, bottom = 40, WIDTH - 10, height - 24
    count = max(len(values), 1)
    step = (right - left) / max(count - 1, 1)
    segments, current = [], []
    for n, value in enumerate(values):
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        x = left + n * step
        y = bottom - (bottom - 8) * min(max(value / top, 0), 1)
        current.append(f"{x:.1f},{y:.1f}")
    if current:
        segments.append(" ".join(current))
    every = max(1, count // 6)
    labels = [(left + n * step, day_labels[n]) for n in range(0, len(day_labels), every)]
    return Line(points=" ".join(segments), segments=segments, height=height, labels=labels, top_label=top_label)
