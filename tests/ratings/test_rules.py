"""The pure 好差评 rules: scores, the rectification's moves, deadlines across holidays, rates."""

import datetime as dt

import pytest

from yiwang.ratings import rules
from yiwang.workcalendar.rules import WorkCalendar


def test_bad_levels_are_the_two_lowest():
    assert [level for level in rules.LEVELS if rules.is_bad(level)] == [2, 1]
    assert rules.LEVELS[4] == ("满意", "Satisfied")


def test_scores_are_checked_per_kind_of_service():
    checked = rules.check_scores(kind=rules.ONLINE, level="2", scores={"efficiency": "1", "usability": "", "convenience": 3})
    assert checked == rules.CheckedScores(level=2, scores={"efficiency": 1, "convenience": 3})
    with pytest.raises(rules.ScoreError) as refused:
        rules.check_scores(kind=rules.IN_PERSON, level=5, scores={"usability": 4})
    assert refused.value.field == "usability"
    for level in ("0", "6", "2.5", "", None, True, "五"):
        with pytest.raises(rules.ScoreError):
            rules.check_scores(kind=rules.ONLINE, level=level, scores={})
    with pytest.raises(rules.ScoreError) as refused:
        rules.check_scores(kind=rules.IN_PERSON, level=4, scores={"attitude": "9"})
    assert refused.value.field == "attitude"


def test_the_rectification_moves_along_the_table():
    state = rules.AWAITING_CALLBACK
    state = rules.next_state(state, "call_back")
    assert state == rules.CALLED_BACK
    assert rules.next_state(state, "plan_fix") == rules.RECTIFYING
    assert rules.next_state(rules.RECTIFYING, "finish_fix") == rules.REPLIED
    assert rules.next_state(rules.REPLIED, "verdict") == rules.CLOSED
    assert rules.actions_from(rules.CALLED_BACK) == ["resolve_now", "explain", "plan_fix", "appeal"]
    assert rules.actions_from(rules.CLOSED) == []
    with pytest.raises(rules.MoveRefused):
        rules.next_state(rules.AWAITING_CALLBACK, "verdict")  # nothing to judge yet
    with pytest.raises(rules.MoveRefused):
        rules.next_state(rules.REPLIED, "appeal")  # answered: too late to contest
    with pytest.raises(rules.MoveRefused):
        rules.next_state(rules.CLOSED, "no_such_action")


def test_a_rejected_appeal_returns_to_where_it_was_and_a_decided_one_cannot_be_decided_again():
    assert rules.next_state(rules.APPEALED, "reject_appeal", before_appeal=rules.RECTIFYING) == rules.RECTIFYING
    assert rules.next_state(rules.APPEALED, "uphold_appeal") == rules.VOIDED
    with pytest.raises(rules.MoveRefused):
        rules.next_state(rules.VOIDED, "reject_appeal", before_appeal=rules.CALLED_BACK)
    with pytest.raises(rules.MoveRefused):
        rules.next_state(rules.APPEALED, "reject_appeal", before_appeal=None)


def test_every_state_can_be_left_or_is_final_and_every_move_lands_on_a_state():
    for action, (starts, target) in rules.MOVES.items():
        assert starts <= set(rules.STATES), action
        assert target is None or target in rules.STATES, action
    finals = {state for state in rules.STATES if not rules.actions_from(state)}
    assert finals == {rules.CLOSED, rules.VOIDED}
    assert rules.OPEN_STATES | rules.RECTIFIED_STATES | {rules.VOIDED} == set(rules.STATES)


# 2026: 国庆 and 中秋 from 1 to 8 October (Thursday to Thursday), 9 and 10 October are make-up working days... the
# calendar package knows; here a schedule is spelled out so the test does not depend on it.
OCTOBER = {dt.date(2026, 10, d): False for d in range(1, 8)} | {dt.date(2026, 10, 10): True}


def test_the_deadline_counts_working_days_across_a_holiday():
    calendar = WorkCalendar(package=None, schedules={2026: OCTOBER})
    # Rated on Wednesday 30 September: 1 October .. 7 October are off, Saturday 10 October is worked.
    due = rules.working_day_deadline(dt.date(2026, 9, 30), 5, calendar.add_working_days)
    assert due == dt.date(2026, 10, 13)  # 8, 9, 10 (make-up), 12, 13
    assert rules.working_day_deadline(dt.date(2026, 3, 10), 15, WorkCalendar(package=None).add_working_days) == dt.date(2026, 3, 31)
    with pytest.raises(ValueError):
        rules.working_day_deadline(dt.date(2026, 3, 10), 0, calendar.add_working_days)


def test_an_unrated_case_defaults_on_the_day_after_its_grace_period():
    calendar = WorkCalendar(package=None, schedules={2026: OCTOBER})
    # Ended Tuesday 29 September; five working days: 30 Sep, 8, 9, 10 (Saturday, worked), 12 October.
    assert rules.default_rating_due(dt.date(2026, 9, 29), 5, calendar.add_working_days) == dt.date(2026, 10, 13)


def test_a_rate_with_nothing_to_count_is_none():
    assert rules.rate(0, 0) is None
    assert rules.rate(3, 4) == 0.75
    assert rules.rate(0, 5) == 0.0
