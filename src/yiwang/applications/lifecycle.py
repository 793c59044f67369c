"""The case lifecycle as data (pure: no Django).

Each action names the states it may start from, who may take it, the state it leads to and the
standard notice it produces. Approval steps come from the item's flow (see catalog/flows.py):
`review` advances to the next step, `approve`/`deny` are only allowed at the final `decide` step,
by the role that step names.

Two rules close the generic door: an action with its own service (`own_service`: submission,
which checks the form and materials, numbers the case and freezes its rules) is never taken
through `check_transition`, and no action is taken on a case without a frozen flow (there is no
default flow to fall back on).
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.applications import constants as s

APPLICANT = "applicant"
OFFICER = "window_officer"
APPROVER = "approver"
FLOW_ROLE = "flow"  # whoever the current flow step names


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    label_en: str
    from_states: frozenset[str]
    to_state: str | None  # None: computed (return from a pause, or decided by owed materials)
    actor: str
    notice: str | None = None
    opinion_required: bool = False
    flow_step: str | None = None  # the step kind the case must be at (review/decide)
    own_service: str | None = None  # only this service takes the action, never the generic door


def _a(name, label, label_en, from_states, to_state, actor, notice=None, opinion_required=False, flow_step=None,
       own_service=None):
    return Action(name, label, label_en, frozenset(from_states), to_state, actor, notice, opinion_required, flow_step,
                  own_service)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _a("submit", "提交申报", "Submit", {s.DRAFT}, s.RECEIVED, APPLICANT, s.NOTICE_RECEIPT,
           own_service="submit_application"),
        _a("withdraw", "撤回申请", "Withdraw", {s.RECEIVED, s.SUPPLEMENT_REQUESTED, s.ACCEPTED}, s.WITHDRAWN, APPLICANT),
        _a("accept", "受理", "Accept", {s.RECEIVED}, s.ACCEPTED, OFFICER, s.NOTICE_ACCEPTANCE),
        _a("reject", "不予受理", "Do not accept", {s.RECEIVED}, s.NOT_ACCEPTED, OFFICER, s.NOTICE_NON_ACCEPTANCE, True),
        _a(
            "request_supplement", "一次性告知补正", "Request supplements",
            {s.RECEIVED, s.ACCEPTED}, s.SUPPLEMENT_REQUESTED, FLOW_ROLE, s.NOTICE_SUPPLEMENT,
        ),
        _a("supply", "提交补正材料", "Supply supplements", {s.SUPPLEMENT_REQUESTED}, None, APPLICANT),
        _a(
            "start_special", "启动特别程序", "Start special procedure",
            {s.ACCEPTED}, s.SPECIAL_PROCEDURE, FLOW_ROLE, s.NOTICE_SPECIAL_PROCEDURE, True,
        ),
        _a("end_special", "结束特别程序", "End special procedure", {s.SPECIAL_PROCEDURE}, s.ACCEPTED, FLOW_ROLE),
        _a("review", "审核通过", "Pass review", {s.ACCEPTED}, s.ACCEPTED, FLOW_ROLE, flow_step="review"),
        _a("approve", "准予许可", "Approve", {s.ACCEPTED}, None, FLOW_ROLE, s.NOTICE_APPROVAL, flow_step="decide"),
        _a("deny", "不予许可", "Deny", {s.ACCEPTED}, s.DENIED, FLOW_ROLE, s.NOTICE_DENIAL, True, flow_step="decide"),
        _a("issue_result", "出证", "Issue result", {s.APPROVED, s.APPROVED_MATERIALS_OWED}, s.RESULT_ISSUED, OFFICER, s.NOTICE_RESULT),
        _a("deliver", "送达", "Deliver", {s.RESULT_ISSUED}, s.DELIVERED, OFFICER),
    ]
}

STAFF_ACTIONS = [name for name, action in ACTIONS.items() if action.actor != APPLICANT]


class TransitionRefused(Exception):
    """Why an action is not allowed now: a machine code and bilingual messages."""

    def __init__(self, code: str, message: str, message_en: str):
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en


def required_role(action: Action, flow: list[dict], step: int) -> str:
    """The role that may take `action` at flow position `step` (APPLICANT for the applicant)."""
    if action.actor != FLOW_ROLE:
        return action.actor
    return flow[min(step, len(flow) - 1)]["role"]


def refuse_generic(action: Action) -> None:
    """Raise TransitionRefused if `action` is taken only by its own service."""
    if action.own_service:
        raise TransitionRefused(
            "dedicated_action",
            f"“{action.label}”只能通过其专门的办理入口进行（提交申报须检查申请表和材料、编号并固定办理规则）。",
            f"'{action.label_en}' is only done through its own service ({action.own_service}), which checks the form "
            "and materials, numbers the case and freezes its rules.",
        )


def check_transition(*, action_name: str, state: str, flow: list[dict], step: int, actor_role: str) -> Action:
    """Return the action if `actor_role` may take it from `state` at `step`; else raise TransitionRefused."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionRefused(
            "unknown_action", f"未知的操作：{action_name}。", f"Unknown action: {action_name}."
        )
    refuse_generic(action)
    if not flow:
        raise TransitionRefused(
            "rules_not_frozen",
            "该办件没有固定的办理规则（未经提交申报），不能办理。",
            "This case has no frozen rules (it was never submitted); no action can be taken on it.",
        )
    if state not in action.from_states:
        raise TransitionRefused(
            "invalid_transition",
            f"办件当前状态为“{dict(s.STATES)[state]}”，不能执行“{action.label}”。",
            f"The case is '{s.STATES_EN[state]}'; '{action.label_en}' is not possible now.",
        )
    if action.flow_step is not None:
        current = flow[min(step, len(flow) - 1)]["step"]
        if current != action.flow_step:
            raise TransitionRefused(
                "wrong_flow_step",
                f"当前审批环节为“{_STEP_LABELS.get(current, current)}”，不能执行“{action.label}”。",
                f"The current approval step is '{current}'; '{action.label_en}' is not possible now.",
            )
    needed = required_role(action, flow, step)
    if needed != actor_role:
        raise TransitionRefused(
            "role_not_allowed",
            f"“{action.label}”须由{_ROLE_LABELS.get(needed, needed)}办理。",
            f"'{action.label_en}' must be taken by the {needed.replace('_', ' ')}.",
        )
    return action


def available_actions(*, state: str, flow: list[dict], step: int, actor_role: str) -> list[Action]:
    """Actions `actor_role` may take now (for buttons in the workbench)."""
    allowed = []
    for name in ACTIONS:
        try:
            allowed.append(check_transition(action_name=name, state=state, flow=flow, step=step, actor_role=actor_role))
        except TransitionRefused:
            continue
    return allowed


_STEP_LABELS = {"review": "审核", "decide": "决定"}
_ROLE_LABELS = {APPLICANT: "申请人", OFFICER: "窗口人员", APPROVER: "审批人员"}
