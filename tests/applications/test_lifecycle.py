"""The lifecycle table: who may do what from which state, at which flow step (pure)."""

import pytest

from yiwang.applications import lifecycle
from yiwang.catalog.flows import default_flow

ONE_LEVEL = default_flow(1)
TWO_LEVELS = default_flow(2)


def test_window_officer_decides_alone_on_a_one_level_item():
    action = lifecycle.check_transition(action_name="approve", state="accepted", flow=ONE_LEVEL, step=0, actor_role="window_officer")
    assert action.name == "approve"


def test_approver_cannot_decide_a_one_level_item():
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.check_transition(action_name="approve", state="accepted", flow=ONE_LEVEL, step=0, actor_role="approver")
    assert refused.value.code == "role_not_allowed"


def test_two_levels_route_review_to_officer_then_decision_to_approver():
    assert [s["role"] for s in TWO_LEVELS] == ["window_officer", "approver"]
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.check_transition(action_name="approve", state="accepted", flow=TWO_LEVELS, step=0, actor_role="window_officer")
    assert refused.value.code == "wrong_flow_step"
    assert lifecycle.check_transition(action_name="review", state="accepted", flow=TWO_LEVELS, step=0, actor_role="window_officer").name == "review"
    assert lifecycle.check_transition(action_name="approve", state="accepted", flow=TWO_LEVELS, step=1, actor_role="approver").name == "approve"


def test_invalid_transition_is_refused_with_state_in_message():
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.check_transition(action_name="approve", state="received", flow=ONE_LEVEL, step=0, actor_role="window_officer")
    assert refused.value.code == "invalid_transition"
    assert "已申报" in refused.value.message
    assert "Received" in refused.value.message_en


def test_unknown_action():
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        lifecycle.check_transition(action_name="teleport", state="received", flow=ONE_LEVEL, step=0, actor_role="window_officer")
    assert refused.value.code == "unknown_action"


def test_applicant_only_actions():
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.check_transition(action_name="withdraw", state="received", flow=ONE_LEVEL, step=0, actor_role="window_officer")
    assert lifecycle.check_transition(action_name="withdraw", state="received", flow=ONE_LEVEL, step=0, actor_role="applicant").to_state == "withdrawn"


def test_available_actions_for_officer_on_received_case():
    names = [a.name for a in lifecycle.available_actions(state="received", flow=ONE_LEVEL, step=0, actor_role="window_officer")]
    assert names == ["accept", "reject", "request_supplement"]


def test_available_actions_for_approver_at_decision_step():
    names = [a.name for a in lifecycle.available_actions(state="accepted", flow=TWO_LEVELS, step=1, actor_role="approver")]
    assert names == ["request_supplement", "start_special", "approve", "deny"]


def test_every_action_that_needs_a_reason_says_so():
    assert sorted(n for n, a in lifecycle.ACTIONS.items() if a.opinion_required) == ["deny", "reject", "start_special"]
