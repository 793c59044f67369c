"""Approval flows as data (pure: no Django).

A flow is the list of steps after acceptance; the last step decides. With one approval level
(无科层) the window officer who accepts also decides under the department's approval seal.
"""

from __future__ import annotations

ROLE_WINDOW_OFFICER = "window_officer"
ROLE_APPROVER = "approver"
STEP_DECIDE = "decide"  # 决定（审批）
STEP_REVIEW = "review"  # 审核


def default_flow(approval_levels: int) -> list[dict[str, str]]:
    """Steps for an item with `approval_levels` levels: officer reviews, approvers sign off."""
    if approval_levels < 1:
        raise ValueError("approval_levels must be at least 1")
    if approval_levels == 1:
        return [{"step": STEP_DECIDE, "role": ROLE_WINDOW_OFFICER}]
    steps = [{"step": STEP_REVIEW, "role": ROLE_WINDOW_OFFICER}]
    steps += [{"step": STEP_REVIEW, "role": ROLE_APPROVER} for _ in range(approval_levels - 2)]
    steps.append({"step": STEP_DECIDE, "role": ROLE_APPROVER})
    return steps


def validate_flow(flow: object) -> list[str]:
    """Problems with a flow edited by hand (empty list when it is usable)."""
    if not isinstance(flow, list) or not flow:
        return ["flow must be a non-empty list of steps"]
    problems = []
    for index, step in enumerate(flow):
        if not isinstance(step, dict) or set(step) != {"step", "role"}:
            problems.append(f"flow[{index}] must be an object with exactly 'step' and 'role'")
            continue
        if step["step"] not in {STEP_DECIDE, STEP_REVIEW}:
            problems.append(f"flow[{index}].step must be 'review' or 'decide'")
        if step["role"] not in {ROLE_WINDOW_OFFICER, ROLE_APPROVER}:
            problems.append(f"flow[{index}].role must be 'window_officer' or 'approver'")
    if not problems and flow[-1]["step"] != STEP_DECIDE:
        problems.append("the last step of a flow must be 'decide'")
    if not problems and any(step["step"] == STEP_DECIDE for step in flow[:-1]):
        problems.append("only the last step of a flow may be 'decide'")
    return problems
