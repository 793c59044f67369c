"""The 好差评 rules with no database: levels, indicator scores per channel, the rectification's
states and moves, and its deadline in working days.

Five levels after 国办发〔2019〕51号 and the local rules built on it: 非常满意 (5) … 非常不满意 (1);
不满意 and 非常不满意 are bad ratings (差评), each of which opens a rectification. The
rectification's moves are a table, so the service, the pages and the tests read the same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

VERY_SATISFIED, SATISFIED, FAIRLY_SATISFIED, DISSATISFIED, VERY_DISSATISFIED = 5, 4, 3, 2, 1
LEVELS = {
    VERY_SATISFIED: ("非常满意", "Very satisfied"),
    SATISFIED: ("满意", "Satisfied"),
    FAIRLY_SATISFIED: ("基本满意", "Fairly satisfied"),
    DISSATISFIED: ("不满意", "Dissatisfied"),
    VERY_DISSATISFIED: ("非常不满意", "Very dissatisfied"),
}
BAD_LEVELS = frozenset({DISSATISFIED, VERY_DISSATISFIED})
DEFAULT_LEVEL = SATISFIED  # an unrated finished case counts as 满意 after the grace period

# Indicator scores (1–5) asked beside the overall level, per kind of service.
ONLINE, IN_PERSON = "online", "in_person"
DIMENSIONS = {
    ONLINE: {
        "efficiency": ("办事效率", "Speed of handling"),
        "guide_accuracy": ("办事指南精确度", "Accuracy of the service guide"),
        "convenience": ("办事便捷度", "Convenience"),
        "usability": ("平台操作性", "Ease of use of the platform"),
    },
    IN_PERSON: {
        "efficiency": ("服务效率", "Speed of service"),
        "competence": ("服务水平", "Competence"),
        "attitude": ("服务态度", "Attitude"),
    },
}
OVERALL = ("整体满意度", "Overall satisfaction")

# The resident's verdict on the rectification.
VERDICTS = {
    "satisfied": ("满意", "Satisfied"),
    "fairly_satisfied": ("基本满意", "Fairly satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
}

# How a bad rating was resolved.
FIXED_NOW, LEDGER, EXPLAINED = "fixed_now", "ledger", "explained"
OUTCOMES = {
    FIXED_NOW: ("立行立改", "Fixed at once"),
    LEDGER: ("台账限期整改", "Fixed by a deadline"),
    EXPLAINED: ("解释说明", "Explained"),
}

# Rectification states.
AWAITING_CALLBACK = "awaiting_callback"  # 待回访
CALLED_BACK = "called_back"  # 已回访，待处理
RECTIFYING = "rectifying"  # 限期整改中
REPLIED = "replied"  # 已反馈，待申请人评价
CLOSED = "closed"  # 申请人已评价整改
APPEALED = "appealed"  # 申诉复核中
VOIDED = "voided"  # 申诉成立：不计入统计，记录保留
STATES = {
    AWAITING_CALLBACK: ("待回访", "Awaiting call-back"),
    CALLED_BACK: ("已回访，待处理", "Called back, to be resolved"),
    RECTIFYING: ("限期整改中", "Being fixed by a deadline"),
    REPLIED: ("已反馈，待评价", "Replied, awaiting the resident's verdict"),
    CLOSED: ("已办结", "Closed"),
    APPEALED: ("申诉复核中", "Under appeal"),
    VOIDED: ("申诉成立，已撤销", "Appeal upheld, voided"),
}
# Rectified: the department has answered the resident (fixed or explained).
RECTIFIED_STATES = frozenset({REPLIED, CLOSED})
# Still owed by the department: these can be overdue.
OPEN_STATES = frozenset({AWAITING_CALLBACK, CALLED_BACK, RECTIFYING, APPEALED})

# action -> (states it may start from, the state it leads to; None: back to the state before the appeal)
MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    "call_back": (frozenset({AWAITING_CALLBACK}), CALLED_BACK),
    "resolve_now": (frozenset({CALLED_BACK}), REPLIED),
    "explain": (frozenset({CALLED_BACK}), REPLIED),
    "plan_fix": (frozenset({CALLED_BACK}), RECTIFYING),
    "finish_fix": (frozenset({RECTIFYING}), REPLIED),
    "verdict": (frozenset({REPLIED}), CLOSED),
    "appeal": (frozenset({AWAITING_CALLBACK, CALLED_BACK, RECTIFYING}), APPEALED),
    "uphold_appeal": (frozenset({APPEALED}), VOIDED),
    "reject_appeal": (frozenset({APPEALED}), None),
}


# How each recorded step reads on the task's history (the moves, and the platform's own steps).
ACTION_LABELS = {
    "open": ("收到差评", "Bad rating received"),
    "call_back": ("回访", "Called back"),
    "resolve_now": ("立行立改", "Fixed at once"),
    "explain": ("解释说明", "Explained"),
    "plan_fix": ("台账限期整改", "Fix planned by a date"),
    "finish_fix": ("整改完成", "Fix done"),
    "verdict": ("申请人评价整改", "Resident's verdict"),
    "appeal": ("申诉", "Appealed"),
    "uphold_appeal": ("申诉成立", "Appeal upheld"),
    "reject_appeal": ("申诉不成立", "Appeal rejected"),
    "escalate": ("超期督办", "Escalated as overdue"),
    "view_phone": ("查看联系电话", "Phone number shown"),
}


class MoveRefused(ValueError):
    """An action that the rectification's state does not allow."""

    def __init__(self, action: str, state: str):
        super().__init__(f"{action} is not allowed in state {state}")
        self.action = action
        self.state = state


def next_state(state: str, action: str, *, before_appeal: str | None = None) -> str:
    """The state after `action` from `state`, or MoveRefused."""
    try:
        allowed, target = MOVES[action]
    except KeyError:
        raise MoveRefused(action, state) from None
    if state not in allowed:
        raise MoveRefused(action, state)
    if target is None:
        if before_appeal not in MOVES["appeal"][0]:
            raise MoveRefused(action, state)
        return before_appeal
    return target


def actions_from(state: str) -> list[str]:
    """The actions the state allows, in the table's order."""
    return [action for action, (allowed, _) in MOVES.items() if state in allowed]


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


@dataclass(frozen=True)
class CheckedScores:
    level: int
    scores: dict[str, int]


class ScoreError(ValueError):
    """A level or an indicator score outside the rules; `field` names what is wrong."""

    def __init__(self, field: str, message: str, message_en: str):
        super().__init__(message_en)
        self.field = field
        self.message = message
        self.message_en = message_en


def _score(value, field: str) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or str(number) != str(value).strip() or number not in LEVELS:
        raise ScoreError(field, f"“{field}”的评分须为 1 至 5 的整数。", f"The score of “{field}” must be a whole number from 1 to 5.")
    return number


def check_scores(*, kind: str, level, scores: dict | None) -> CheckedScores:
    """The level (1–5) and the indicator scores of `kind` (online or in person), each 1–5.

    Indicator scores are optional (a person may give the overall level only); a score for an
    indicator the kind does not ask is refused, so a typo is not silently dropped.
    """
    checked_level = _score(level, "level")
    dimensions = DIMENSIONS[kind]
    checked: dict[str, int] = {}
    for name, value in (scores or {}).items():
        if name not in dimensions:
            raise ScoreError(name, f"评价指标“{name}”不适用于本次评价，可用：{'、'.join(dimensions)}。",
                             f"“{name}” is not an indicator of this rating; use one of: {', '.join(dimensions)}.")
        if value in (None, ""):
            continue
        checked[name] = _score(value, name)
    return CheckedScores(level=checked_level, scores=checked)


def working_day_deadline(start: dt.date, working_days: int, add_working_days) -> dt.date:
    """The day by which a rectification is due: `working_days` working days after `start`.

    `add_working_days(start, n)` is the calendar's (returns an object with `.due`); day 1 is
    the first working day after the bad rating, so a rating given on a Friday before a holiday
    week is due counted from the first working day after it.
    """
    if working_days < 1:
        raise ValueError("a rectification needs at least one working day")
    return add_working_days(start, working_days).due


def default_rating_due(ended_on: dt.date, working_days: int, add_working_days) -> dt.date:
    """The first day on which an unrated case counts as 满意: the grace period's last day has passed."""
    return add_working_days(ended_on, working_days).due + dt.timedelta(days=1)


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to count (shown as "—", never 0 % or 100 %)."""
    if denominator == 0:
        return None
    return numerator / denominator
