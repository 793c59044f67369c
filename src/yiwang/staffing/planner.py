"""The staffing planner: how many windows a target needs, each queue on its own (dedicated) or all together (pooled).

Pure (no Django, no database): `parse_request` checks an input document and raises
`yiwang.core.errors.ValidationFailed` (code, Chinese and English message, the JSON path in
``details``) for anything wrong; `plan` computes; `Plan.as_dict` is the output document. The
command (`yiwang staffing`), the back-office page and the API all go through these three, so they
refuse and answer alike.

Input::

    {"target": {"wait_seconds": 900, "service_level": 0.8, "patience_minutes": 30},   # patience optional
     "interval_minutes": 15,                                                           # optional, see below
     "queues": [{"name": "区税务局", "arrivals_per_hour": 40, "mean_service_minutes": 12}, ...]}

Each count is the smallest N greater than the offered load a = arrivals × service time that meets
P(wait ≤ T) ≥ SL under Erlang C (`erlang.windows_needed`). With ``patience_minutes`` the model is
Erlang A: the service level is the share of arrivals *served* within T (those who give up count as
failures), still with N > a. Dedicated gives each queue its own windows; pooled serves the sum of
all arrivals with the arrival-weighted mean service time (an M/M/N approximation of a mixed
service time: the simulation checks it with each person's own service time).

Interval mode: ``arrivals_per_hour`` (and, if wished, ``mean_service_minutes``) may be a list of
per-interval values (rates still per hour) of ``interval_minutes`` each (default 60); a single
number holds for every interval, and every list has the same length. Each interval is planned on
its own as a steady state (the "stationary independent period-by-period" method); a queue needs
its peak interval's count of windows, so the dedicated total is the sum of the queues' peaks and
the pooled total the peak of the pooled counts. Window-hours are counts × interval length.

Output (the issue's shape, with everything else under ``details`` and ``intervals``)::

    {"dedicated": {"per_queue": {NAME: windows, ...}, "total": N}, "pooled": {"total": N}, "saving": N,
     "details": {...}, "intervals": {...}}   # intervals only in interval mode
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yiwang.core.errors import ValidationFailed
from yiwang.staffing import constants as c
from yiwang.staffing.erlang import MAX_WINDOWS, Measures, NoWindowCountFound, measures, windows_needed

__all__ = [
    "Plan",
    "PlanRequest",
    "QueueDemand",
    "QueuePlan",
    "Target",
    "load_request_json",
    "parse_request",
    "parse_target",
    "plan",
    "plan_from_dict",
]

DEFAULT_INTERVAL_MINUTES = 60.0


@dataclass(frozen=True)
class Target:
    wait_seconds: float
    service_level: float
    patience_minutes: float | None = None  # Erlang A when given


@dataclass(frozen=True)
class QueueDemand:
    """One queue's demand: one value per interval (a single value in steady mode)."""

    name: str
    arrivals_per_hour: tuple[float, ...]
    mean_service_minutes: tuple[float, ...]


@dataclass(frozen=True)
class PlanRequest:
    target: Target
    queues: tuple[QueueDemand, ...]
    interval_minutes: float | None = None  # None: one steady period
    max_windows: int = MAX_WINDOWS

    @property
    def periods(self) -> int:
        return len(self.queues[0].arrivals_per_hour)


@dataclass(frozen=True)
class QueuePlan:
    """One queue (or the pool) over the periods: the demand and what its counts achieve."""

    name: str
    arrivals_per_hour: tuple[float, ...]
    mean_service_minutes: tuple[float, ...]
    periods: tuple[Measures, ...]

    @property
    def windows(self) -> int:
        """Windows the queue needs: its peak period's count."""
        return max(m.windows for m in self.periods)

    @property
    def per_period(self) -> list[int]:
        return [m.windows for m in self.periods]

    def service_level(self) -> float | None:
        """The arrival-weighted service level over the periods (None with no arrivals at all)."""
        weight = math.fsum(self.arrivals_per_hour)
        if weight == 0:
            return None
        return math.fsum(a * m.service_level for a, m in zip(self.arrivals_per_hour, self.periods)) / weight


@dataclass(frozen=True)
class Plan:
    request: PlanRequest
    dedicated: tuple[QueuePlan, ...]
    pooled: QueuePlan

    @property
    def dedicated_total(self) -> int:
        return sum(q.windows for q in self.dedicated)

    @property
    def pooled_total(self) -> int:
        return self.pooled.windows

    @property
    def saving(self) -> int:
        return self.dedicated_total - self.pooled_total

    def dedicated_service_level(self) -> float | None:
        """The arrival-weighted service level of every queue and period under the dedicated plan."""
        weight = math.fsum(a for q in self.dedicated for a in q.arrivals_per_hour)
        if weight == 0:
            return None
        return math.fsum(a * m.service_level for q in self.dedicated
                         for a, m in zip(q.arrivals_per_hour, q.periods)) / weight

    def as_dict(self) -> dict[str, Any]:
        """The output document: the issue's keys, then ``details`` (and ``intervals`` in interval mode)."""
        request = self.request
        interval_mode = request.interval_minutes is not None
        target: dict[str, Any] = {"wait_seconds": request.target.wait_seconds, "service_level": request.target.service_level}
        if request.target.patience_minutes is not None:
            target["patience_minutes"] = request.target.patience_minutes
        body: dict[str, Any] = {
            "dedicated": {"per_queue": {q.name: q.windows for q in self.dedicated}, "total": self.dedicated_total},
            "pooled": {"total": self.pooled_total},
            "saving": self.saving,
            "details": {
                "model": "erlang_a" if request.target.patience_minutes is not None else "erlang_c",
                "target": target,
                "dedicated": {q.name: _figures(q, interval_mode) for q in self.dedicated},
                "pooled": {"arrivals_per_hour": _numbers(self.pooled.arrivals_per_hour, 3, interval_mode),
                           "mean_service_minutes": _numbers(self.pooled.mean_service_minutes, 3, interval_mode),
                           **_figures(self.pooled, interval_mode)},
                "service_level_achieved": {"dedicated": _rounded(self.dedicated_service_level(), 4),
                                           "pooled": _rounded(self.pooled.service_level(), 4)},
            },
        }
        if interval_mode:
            hours = request.interval_minutes / 60
            per_interval_total = [sum(counts) for counts in zip(*(q.per_period for q in self.dedicated))]
            body["intervals"] = {
                "interval_minutes": request.interval_minutes,
                "count": request.periods,
                "dedicated": {
                    "per_queue": {q.name: q.per_period for q in self.dedicated},
                    "total": per_interval_total,
                    "peak": max(per_interval_total),
                    "window_hours": round(sum(per_interval_total) * hours, 2),
                },
                "pooled": {
                    "per_interval": self.pooled.per_period,
                    "peak": self.pooled_total,
                    "window_hours": round(sum(self.pooled.per_period) * hours, 2),
                },
            }
        return body


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _numbers(values: Sequence[float], digits: int, as_list: bool):
    rounded = [round(v, digits) for v in values]
    return rounded if as_list else rounded[0]


def _figures(queue: QueuePlan, interval_mode: bool) -> dict[str, Any]:
    def pick(getter, digits):
        values = [round(getter(m), digits) for m in queue.periods]
        return values if interval_mode else values[0]

    figures = {
        "offered_load": pick(lambda m: m.offered_load, 3),
        "service_level_achieved": pick(lambda m: m.service_level, 4),
        "prob_wait": pick(lambda m: m.prob_wait, 4),
        "mean_wait_seconds": pick(lambda m: m.mean_wait_seconds, 1),
        "occupancy": pick(lambda m: m.occupancy, 3),
    }
    if queue.periods[0].prob_abandon is not None:
        figures["prob_abandon"] = pick(lambda m: m.prob_abandon, 4)
    return figures


# --- input --------------------------------------------------------------------------------------

def _refuse(code: str, message: str, message_en: str, path: str, **details) -> ValidationFailed:
    return ValidationFailed(code, message, message_en, details={"path": path, **details})


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def load_request_json(text: str | bytes) -> Any:
    """Parse an input document's text; malformed JSON (or NaN/Infinity) is ValidationFailed(malformed_json)."""
    if len(text) > c.MAX_INPUT_BYTES:
        raise ValidationFailed(c.BAD_INPUT, f"输入过大（至多 {c.MAX_INPUT_BYTES} 字节）。",
                               f"The input is too large (at most {c.MAX_INPUT_BYTES} bytes).")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(c.MALFORMED_JSON, "输入不是 UTF-8 编码的 JSON。", "The input is not UTF-8 JSON.") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(c.MALFORMED_JSON, f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}。",
                               f"Malformed JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}.",
                               details={"line": exc.lineno, "column": exc.colno}) from None
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed(c.MALFORMED_JSON, "JSON 格式错误。", f"Malformed JSON: {exc}.") from None


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _refuse(c.NOT_A_NUMBER, f"{path} 应为数字。", f"{path} must be a number.", path)
    return float(value)


def _object(value: Any, path: str, what_zh: str) -> dict:
    if not isinstance(value, dict):
        raise _refuse(c.BAD_INPUT, f"{path} 应为{what_zh}（JSON 对象）。", f"{path} must be a JSON object.", path)
    return value


def _required(obj: dict, key: str, path: str) -> Any:
    if key not in obj or obj[key] is None:
        where = f"{path}.{key}" if path else key
        raise _refuse(c.BAD_INPUT, f"缺少 {where}。", f"{where} is missing.", where)
    return obj[key]


def _target(data: dict) -> Target:
    target = _object(_required(data, "target", ""), "target", "目标")
    wait = _number(_required(target, "wait_seconds", "target"), "target.wait_seconds")
    if wait < 0:
        raise _refuse(c.NEGATIVE_WAIT, "目标等候时间不能为负数。", "The target wait cannot be negative.", "target.wait_seconds")
    _at_most(wait, c.MAX_WAIT_SECONDS, "target.wait_seconds", "秒", "seconds")
    level = _number(_required(target, "service_level", "target"), "target.service_level")
    if not 0 < level < 1:
        raise _refuse(c.BAD_SERVICE_LEVEL, "服务水平应在 0 与 1 之间（不含 0 和 1），如 0.8。",
                      "The service level must be between 0 and 1 (exclusive), e.g. 0.8.", "target.service_level")
    patience = target.get("patience_minutes")
    if patience is not None:
        patience = _number(patience, "target.patience_minutes")
        if patience <= 0:
            raise _refuse(c.BAD_PATIENCE, "平均耐心时长应大于 0 分钟。", "The mean patience must be more than 0 minutes.",
                          "target.patience_minutes")
        _at_most(patience, c.MAX_PATIENCE_MINUTES, "target.patience_minutes", "分钟", "minutes")
    return Target(wait_seconds=wait, service_level=level, patience_minutes=patience)


def parse_target(target: Any) -> Target:
    """Check a target alone (``{"wait_seconds": …, "service_level": …}``), as `parse_request` does."""
    return _target({"target": target})


def _at_most(value: float, limit: float, path: str, unit: str, unit_en: str) -> None:
    if value > limit:
        raise _refuse(c.OUT_OF_RANGE, f"{path} 超出合理范围（至多 {limit:g} {unit}）。",
                      f"{path} is out of range (at most {limit:g} {unit_en}).", path)


def _values(raw: Any, path: str) -> tuple[float, ...] | float:
    """A number, or a non-empty list of numbers (interval mode)."""
    if isinstance(raw, list):
        if not raw:
            raise _refuse(c.BAD_INTERVALS, f"{path} 的时段列表为空。", f"{path} is an empty list of intervals.", path)
        if len(raw) > c.MAX_INTERVALS:
            raise _refuse(c.BAD_INTERVALS, f"{path} 的时段过多（至多 {c.MAX_INTERVALS} 个）。",
                          f"{path} has too many intervals (at most {c.MAX_INTERVALS}).", path)
        return tuple(_number(value, f"{path}[{n}]") for n, value in enumerate(raw))
    return _number(raw, path)


def _queue_label(position: int, name: str | None) -> tuple[str, str]:
    if name:
        return f"第 {position + 1} 个队列（{name}）", f"Queue {position + 1} ({name})"
    return f"第 {position + 1} 个队列", f"Queue {position + 1}"


def parse_request(data: Any, *, max_windows: int = MAX_WINDOWS) -> PlanRequest:
    """Check an input document (already parsed from JSON) and return the request it describes.

    Raises ValidationFailed with one of the codes in `staffing.constants` and the JSON path of the
    first fault in ``details["path"]``.
    """
    if not isinstance(data, dict):
        raise _refuse(c.BAD_INPUT, "输入应为 JSON 对象。", "The input must be a JSON object.", "")
    target = _target(data)
    queues_raw = _required(data, "queues", "")
    if not isinstance(queues_raw, list):
        raise _refuse(c.BAD_INPUT, "queues 应为队列列表。", "queues must be a list of queues.", "queues")
    if not queues_raw:
        raise _refuse(c.NO_QUEUES, "队列列表为空：至少需要一个队列。", "The queue list is empty: give at least one queue.", "queues")
    if len(queues_raw) > c.MAX_QUEUES:
        raise _refuse(c.TOO_MANY_QUEUES, f"队列过多（至多 {c.MAX_QUEUES} 个）。",
                      f"Too many queues (at most {c.MAX_QUEUES}).", "queues")
    interval_raw = data.get("interval_minutes")
    interval = None
    if interval_raw is not None:
        interval = _number(interval_raw, "interval_minutes")
        if not 0 < interval <= 1440:
            raise _refuse(c.BAD_INTERVALS, "时段长度应在 0 到 1440 分钟之间（不含 0）。",
                          "interval_minutes must be more than 0 and at most 1440.", "interval_minutes")

    parsed: list[tuple[str, tuple[float, ...] | float, tuple[float, ...] | float]] = []
    seen: set[str] = set()
    lengths: set[int] = set()
    for position, raw in enumerate(queues_raw):
        path = f"queues[{position}]"
        queue = _object(raw, path, "队列")
        name = _required(queue, "name", path)
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > c.MAX_NAME_LENGTH:
            raise _refuse(c.BAD_QUEUE_NAME, f"{path}.name 应为 1 至 {c.MAX_NAME_LENGTH} 个字的名称。",
                          f"{path}.name must be a name of 1 to {c.MAX_NAME_LENGTH} characters.", f"{path}.name")
        name = name.strip()
        if name in seen:
            raise _refuse(c.DUPLICATE_QUEUE, f"队列名称“{name}”重复。", f"The queue name {name!r} appears twice.", f"{path}.name")
        seen.add(name)
        label, label_en = _queue_label(position, name)
        arrivals = _values(_required(queue, "arrivals_per_hour", path), f"{path}.arrivals_per_hour")
        if any(value < 0 for value in _as_tuple(arrivals)):
            raise _refuse(c.NEGATIVE_ARRIVALS, f"{label}的到达量不能为负数。", f"{label_en}: arrivals cannot be negative.",
                          f"{path}.arrivals_per_hour")
        _at_most(max(_as_tuple(arrivals)), c.MAX_ARRIVALS_PER_HOUR, f"{path}.arrivals_per_hour", "人/小时", "per hour")
        service = _values(_required(queue, "mean_service_minutes", path), f"{path}.mean_service_minutes")
        if any(value <= 0 for value in _as_tuple(service)):
            raise _refuse(c.BAD_SERVICE_TIME, f"{label}的平均办理时长应大于 0 分钟。",
                          f"{label_en}: the mean service time must be more than 0 minutes.", f"{path}.mean_service_minutes")
        _at_most(max(_as_tuple(service)), c.MAX_SERVICE_MINUTES, f"{path}.mean_service_minutes", "分钟", "minutes")
        for values, key in ((arrivals, "arrivals_per_hour"), (service, "mean_service_minutes")):
            if isinstance(values, tuple):
                lengths.add(len(values))
                if len(lengths) > 1:
                    raise _refuse(c.BAD_INTERVALS, f"{label}的 {key} 时段数与其他队列不一致。",
                                  f"{label_en}: {key} has a different number of intervals than the other lists.",
                                  f"{path}.{key}")
        parsed.append((name, arrivals, service))

    periods = lengths.pop() if lengths else 1
    if interval is None and any(isinstance(values, tuple) for _, *pair in parsed for values in pair):
        interval = DEFAULT_INTERVAL_MINUTES  # lists without an interval length: hourly values
    queues = tuple(QueueDemand(name=name, arrivals_per_hour=_spread(arrivals, periods),
                               mean_service_minutes=_spread(service, periods)) for name, arrivals, service in parsed)
    return PlanRequest(target=target, queues=queues, interval_minutes=interval, max_windows=max_windows)


def _as_tuple(values: tuple[float, ...] | float) -> tuple[float, ...]:
    return values if isinstance(values, tuple) else (values,)


def _spread(values: tuple[float, ...] | float, periods: int) -> tuple[float, ...]:
    return values if isinstance(values, tuple) else (values,) * periods


# --- the plan -----------------------------------------------------------------------------------

def plan(request: PlanRequest) -> Plan:
    """Dedicated and pooled window counts for a checked request.

    Raises ValidationFailed(load_too_high) when a queue, or the pool, has an offered load for
    which no count up to ``request.max_windows`` meets the target.
    """
    target = request.target
    cache: dict[tuple[float, float], Measures] = {}

    def period(arrivals: float, service: float, path: str, label: tuple[str, str], interval: int | None) -> Measures:
        key = (arrivals, service)
        if key not in cache:
            try:
                count = windows_needed(arrivals, service, target.wait_seconds, target.service_level,
                                       patience_minutes=target.patience_minutes, cap=request.max_windows)
            except NoWindowCountFound as exc:
                when = f"（第 {interval + 1} 个时段）" if interval is not None else ""
                when_en = f" (interval {interval + 1})" if interval is not None else ""
                raise _refuse(c.LOAD_TOO_HIGH,
                              f"{label[0]}的负荷过高{when}：{request.max_windows} 个窗口以内达不到目标"
                              f"（负荷 {exc.load:.1f} 爱尔兰）。",
                              f"{label[1]}: the offered load is too high{when_en}: no count up to {request.max_windows} "
                              f"windows meets the target (load {exc.load:.1f} erlangs).",
                              path, offered_load=round(exc.load, 3), max_windows=request.max_windows) from None
            cache[key] = measures(count, arrivals, service, target.wait_seconds, patience_minutes=target.patience_minutes)
        return cache[key]

    interval_mode = request.interval_minutes is not None
    dedicated = []
    for position, queue in enumerate(request.queues):
        label = _queue_label(position, queue.name)
        dedicated.append(QueuePlan(
            name=queue.name, arrivals_per_hour=queue.arrivals_per_hour, mean_service_minutes=queue.mean_service_minutes,
            periods=tuple(period(a, s, f"queues[{position}]", label, k if interval_mode else None)
                          for k, (a, s) in enumerate(zip(queue.arrivals_per_hour, queue.mean_service_minutes)))))

    pooled_arrivals, pooled_service = [], []
    for k in range(request.periods):
        rates = [q.arrivals_per_hour[k] for q in request.queues]
        services = [q.mean_service_minutes[k] for q in request.queues]
        total = math.fsum(rates)
        pooled_arrivals.append(total)
        # Arrival-weighted mean service time; with no arrivals at all the plain mean (it needs no window anyway).
        pooled_service.append(math.fsum(r * s for r, s in zip(rates, services)) / total if total > 0
                              else math.fsum(services) / len(services))
    label = ("合并（综合窗口）", "The pool (comprehensive windows)")
    pooled = QueuePlan(name="pooled", arrivals_per_hour=tuple(pooled_arrivals), mean_service_minutes=tuple(pooled_service),
                       periods=tuple(period(a, s, "queues", label, k if interval_mode else None)
                                     for k, (a, s) in enumerate(zip(pooled_arrivals, pooled_service))))
    return Plan(request=request, dedicated=tuple(dedicated), pooled=pooled)


def plan_from_dict(data: Any, *, max_windows: int = MAX_WINDOWS) -> dict[str, Any]:
    """parse_request, plan and as_dict in one: the output document for an input document."""
    return plan(parse_request(data, max_windows=max_windows)).as_dict()
