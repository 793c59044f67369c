"""Pure tests of approval flows as data."""

import pytest

from yiwang.catalog.flows import default_flow, validate_flow


def test_one_level_is_flat_the_window_officer_decides():
    assert default_flow(1) == [{"step": "decide", "role": "window_officer"}]


def test_two_levels_officer_reviews_approver_decides():
    assert default_flow(2) == [{"step": "review", "role": "window_officer"}, {"step": "decide", "role": "approver"}]


def test_three_levels_add_an_approver_review():
    assert default_flow(3) == [
        {"step": "review", "role": "window_officer"},
        {"step": "review", "role": "approver"},
        {"step": "decide", "role": "approver"},
    ]


def test_zero_levels_refused():
    with pytest.raises(ValueError, match="approval_levels must be at least 1"):
        default_flow(0)


@pytest.mark.parametrize("levels", [1, 2, 3, 5])
def test_default_flows_are_valid(levels):
    assert validate_flow(default_flow(levels)) == []


@pytest.mark.parametrize(
    ("flow", "problems"),
    [
        ([], ["flow must be a non-empty list of steps"]),
        ({"step": "decide"}, ["flow must be a non-empty list of steps"]),
        ([{"step": "decide"}], ["flow[0] must be an object with exactly 'step' and 'role'"]),
        ([{"step": "approve", "role": "approver"}], ["flow[0].step must be 'review' or 'decide'"]),
        ([{"step": "decide", "role": "boss"}], ["flow[0].role must be 'window_officer' or 'approver'"]),
        ([{"step": "review", "role": "approver"}], ["the last step of a flow must be 'decide'"]),
        (
            [{"step": "decide", "role": "approver"}, {"step": "decide", "role": "approver"}],
            ["only the last step of a flow may be 'decide'"],
        ),
    ],
)
def test_invalid_flows_are_explained(flow, problems):
    assert validate_flow(flow) == problems
