"""Accuracy of the search on the curated evaluation set (search/data/eval.json).

Used by `benchmarks/search.py` and by the accuracy regression test; pure apart from the
`search` callable it is given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

EVAL_SET = Path(__file__).resolve().parent / "data" / "eval.json"


@dataclass(frozen=True)
class EvalQuery:
    query: str
    accept: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Miss:
    query: str
    accept: tuple[str, ...]
    got: tuple[str, ...]
    rank: int | None  # 1-based rank of the first accepted code within the results, None if absent


@dataclass
class EvalReport:
    total: int = 0
    top1: int = 0
    top5: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)  # every query not right at rank 1
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [total, top1, top5]

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top5_rate(self) -> float:
        return self.top5 / self.total if self.total else 0.0


def load_eval_set(path: Path = EVAL_SET) -> list[EvalQuery]:
    """The queries of the evaluation set with their acceptable codes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [EvalQuery(q["query"], tuple(q["accept"]), q.get("kind", "")) for q in data["queries"]]


def evaluate(search: Callable[[str], list[str]], queries: list[EvalQuery]) -> EvalReport:
    """Run every query through `search` (query -> codes, best first, at least 5) and score it."""
    report = EvalReport()
    for entry in queries:
        started = time.perf_counter()
        codes = search(entry.query)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        rank = next((i + 1 for i, code in enumerate(codes) if code in entry.accept), None)
        report.total += 1
        counts = report.by_kind.setdefault(entry.kind, [0, 0, 0])
        counts[0] += 1
        if rank == 1:
            report.top1 += 1
            counts[1] += 1
        if rank is not None and rank <= 5:
            report.top5 += 1
            counts[2] += 1
        if rank != 1:
            report.misses.append(Miss(entry.query, entry.accept, tuple(codes[:5]), rank))
    return report


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0.5 = median, 0.99 = p99)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]
