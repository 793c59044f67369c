"""Ratings of cases and visits, and the rectification of bad ones, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_resident, make_staff
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.ratings import rules, selectors, services
from yiwang.ratings.models import Appeal, Rating, Rectification

pytestmark = pytest.mark.django_db


def _bad(cases, comment="窗口让我跑了三次"):
    return services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=1, comment=comment,
                              scores={"efficiency": 1, "guide_accuracy": 2})


def test_a_good_rating_is_stored_once_and_opens_nothing(cases):
    rating = services.rate_case(person=cases.resident, case_id=cases.ended["id"], level="5", scores={"usability": "4"})
    assert (rating.level, rating.scores, rating.channel, rating.defaulted) == (5, {"usability": 4}, "web", False)
    assert rating.department.code == "SCJG" and rating.officer == cases.officer and rating.rater == cases.resident
    assert rating.rated_on == dt.date(2026, 3, 10)
    assert not Rectification.objects.exists()
    with pytest.raises(Conflict) as refused:
        services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=1)
    assert refused.value.code == "already_rated"
    assert Rating.objects.get().level == 5  # the first stays as it was


def test_a_case_is_rated_by_its_applicant_only_and_once_it_has_ended(cases):
    with pytest.raises(Conflict) as refused:
        services.rate_case(person=cases.resident, case_id=cases.open["id"], level=4)
    assert refused.value.code == "case_not_finished"
    with pytest.raises(NotFound):
        services.rate_case(person=make_resident(real_name="李四"), case_id=cases.ended["id"], level=1)
    with pytest.raises(PermissionDenied):
        services.rate_case(person=cases.officer, case_id=cases.ended["id"], level=5)
    with pytest.raises(ValidationFailed) as refused:
        services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=7)
    assert refused.value.code == "invalid_score"
    with pytest.raises(ValidationFailed) as refused:
        services.rate_case(person=cases.resident, case_id=cases.ended["id"], level=3, channel="evaluator")
    assert refused.value.code == "invalid_channel"
    assert not Rating.objects.exists()


def test_a_bad_rating_opens_a_rectification_due_in_working_days_for_the_officer_who_decided(cases):
    rating = _bad(cases)
    task = rating.rectification
    # Rated Tuesday 10 March 2026; five working days: 11, 12, 13, 16, 17 March.
    assert (task.state, task.due_on, task.working_days, task.assignee) == (rules.AWAITING_CALLBACK, dt.date(2026, 3, 17), 5, cases.officer)
    assert task.department.code == "SCJG"
    from yiwang.notifications.models import Message

    told = Message.objects.get(recipient=cases.officer, kind="rectification_assigned")
    assert told.body == f"“个体工商户设立登记（{cases.ended['number']}）”收到非常不满意评价，请于2026-03-17前回访并整改。"


def test_the_whole_rectification_call_back_fix_reply_and_verdict(cases):
    task = _bad(cases).rectification
    with pytest.raises(Conflict) as refused:
        services.resolve(officer=cases.officer, task_id=task.pk, outcome="fixed_now", reply="已改")
    assert refused.value.code == "rectification_wrong_state"  # call back first
    services.record_callback(officer=cases.officer, task_id=task.pk, reached=True, notes="电话联系本人，了解情况", version=task.version)
    with pytest.raises(ValidationFailed) as refused:
        services.resolve(officer=cases.officer, task_id=task.pk, outcome="ledger", reply="将优化指南", fix_due_on=dt.date(2026, 3, 18))
    assert refused.value.code == "fix_due_after_deadline"
    services.resolve(officer=cases.officer, task_id=task.pk, outcome="ledger", reply="将优化指南", fix_due_on=dt.date(2026, 3, 16))
    services.finish_fix(officer=cases.officer, task_id=task.pk, reply="已更新办事指南，材料一次告知")
    with pytest.raises(NotFound):
        services.give_verdict(person=make_resident(real_name="李四"), task_id=task.pk, verdict="satisfied")
    services.give_verdict(person=cases.resident, task_id=task.pk, verdict="fairly_satisfied")
    task.refresh_from_db()
    assert (task.state, task.outcome, task.verdict, task.reply) == (rules.CLOSED, "ledger", "fairly_satisfied", "已更新办事指南，材料一次告知")
    assert [(e.action, e.to_state) for e in task.events.all()] == [
        ("open", "awaiting_callback"), ("call_back", "called_back"), ("plan_fix", "rectifying"), ("finish_fix", "replied"),
        ("verdict", "closed")]
    from yiwang.notifications.models import Message

    replies = Message.objects.filter(recipient=cases.resident, kind="rating_replied").order_by("pk")
    assert [m.body for m in replies] == [
        f"您对“个体工商户设立登记（{cases.ended['number']}）”的评价（非常不满意）已由区市场监督管理局处理（台账限期整改）：将优化指南。请登录一网通办对处理结果评价。",
        f"您对“个体工商户设立登记（{cases.ended['number']}）”的评价（非常不满意）已由区市场监督管理局处理（台账限期整改）：已更新办事指南，材料一次告知。请登录一网通办对处理结果评价。",
    ]


def test_a_stale_version_and_another_departments_officer_are_refused(cases):
    task = _bad(cases).rectification
    with pytest.raises(Conflict) as refused:
        services.record_callback(officer=cases.officer, task_id=task.pk, reached=True, notes="x", version=task.version + 1)
    assert refused.value.code == "stale_rectification"
    with pytest.raises(NotFound):
        services.record_callback(officer=make_staff(role="window_officer", departments=["GAZA"]), task_id=task.pk,
                                 reached=True, notes="越权")
    with pytest.raises(PermissionDenied):
        services.record_callback(officer=make_staff(role="auditor"), task_id=task.pk, reached=True, notes="只读")
    with pytest.raises(ValidationFailed) as refused:
        services.record_callback(officer=cases.officer, task_id=task.pk, reached=True, notes="   ")
    assert refused.value.code == "notes_required"
    task.refresh_from_db()
    assert (task.state, task.version, task.events.count()) == (rules.AWAITING_CALLBACK, 0, 1)


def test_an_upheld_appeal_sets_the_rating_aside_in_the_figures_and_keeps_it(cases):
    task = _bad(cases, comment="随便打的").rectification
    before = selectors.summary()
    assert (before.total, before.bad, before.good_rate, before.callback_rate, before.rectification_rate) == (1, 1, 0.0, 0.0, 0.0)
    appeal = services.file_appeal(officer=cases.officer, task_id=task.pk, reason="评价人承认误评")
    with pytest.raises(Conflict) as refused:
        services.file_appeal(officer=cases.officer, task_id=task.pk, reason="再次申诉")
    assert refused.value.code in ("already_appealed", "rectification_wrong_state")
    manager = make_staff(role="hall_manager")
    with pytest.raises(PermissionDenied):
        services.decide_appeal(reviewer=cases.officer, appeal_id=appeal.pk, upheld=True, note="自己复核")
    services.decide_appeal(reviewer=manager, appeal_id=appeal.pk, upheld=True, note="核实为误评")
    with pytest.raises(Conflict) as refused:
        services.decide_appeal(reviewer=manager, appeal_id=appeal.pk, upheld=False, note="改主意")
    assert refused.value.code == "appeal_already_decided"
    task.refresh_from_db()
    assert task.state == rules.VOIDED and Appeal.objects.get().state == "upheld"
    assert Rating.objects.get().comment == "随便打的"  # kept in the record as given
    after = selectors.summary()
    assert (after.total, after.bad, after.set_aside, after.good_rate, after.rectification_rate) == (0, 0, 1, None, None)


def test_a_rejected_appeal_resumes_the_rectification_where_it_was(cases):
    task = _bad(cases).rectification
    services.record_callback(officer=cases.officer, task_id=task.pk, reached=False, notes="无人接听")
    appeal = services.file_appeal(officer=cases.officer, task_id=task.pk, reason="非本窗口办理")
    services.decide_appeal(reviewer=make_staff(role="administrator"), appeal_id=appeal.pk, upheld=False, note="确由本部门办理")
    task.refresh_from_db()
    assert (task.state, task.state_before_appeal) == (rules.CALLED_BACK, "")
    with pytest.raises(Conflict) as refused:
        services.file_appeal(officer=cases.officer, task_id=task.pk, reason="再申诉")
    assert refused.value.code == "already_appealed"


def test_rates_count_real_name_call_backs_and_rectifications(cases):
    task = _bad(cases).rectification
    services.record_callback(officer=cases.officer, task_id=task.pk, reached=True, notes="已沟通")
    services.resolve(officer=cases.officer, task_id=task.pk, outcome="explained", reply="该材料为法定要求")
    figures = selectors.summary()
    assert (figures.bad_real_name, figures.called_back, figures.rectified, figures.callback_rate, figures.rectification_rate) == (1, 1, 1, 1.0, 1.0)
    assert selectors.summary(department_ids=set()).total == 0
    assert selectors.summary(since=dt.date(2026, 3, 11)).total == 0


def test_an_unrated_ended_case_becomes_satisfied_after_five_working_days(cases, frozen_clock):
    # Ended on Tuesday 10 March: rateable through Tuesday 17 March, defaulted from Wednesday 18 March.
    frozen_clock.set(dt.datetime(2026, 3, 17, 23, 0, tzinfo=frozen_clock.now().tzinfo))
    assert services.apply_default_ratings() == 0
    frozen_clock.set(dt.datetime(2026, 3, 18, 1, 30, tzinfo=frozen_clock.now().tzinfo))
    assert services.apply_default_ratings() == 1
    rating = Rating.objects.get()
    assert (rating.level, rating.defaulted, rating.channel, rating.case_id) == (4, True, "default", cases.ended["id"])
    assert services.apply_default_ratings() == 0  # once


def test_an_overdue_rectification_escalates_once_to_the_departments_approvers_and_the_hall_managers(cases, frozen_clock):
    task = _bad(cases).rectification
    approver = make_staff(role="approver", departments=["SCJG"])
    manager = make_staff(role="hall_manager")
    make_staff(role="approver", departments=["GAZA"])
    frozen_clock.set(dt.datetime(2026, 3, 17, 16, 0, tzinfo=frozen_clock.now().tzinfo))
    assert services.escalate_overdue() == 0  # due today: not late yet
    frozen_clock.set(dt.datetime(2026, 3, 18, 9, 0, tzinfo=frozen_clock.now().tzinfo))
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0
    from yiwang.notifications.models import Message

    assert sorted(Message.objects.filter(kind="rectification_overdue").values_list("recipient_id", flat=True)) == sorted([approver.pk, manager.pk])
    task.refresh_from_db()
    assert selectors.is_overdue(task) and task.escalated_at is not None
    # Late is still answerable: the department must still reply; the figure shows it was late.
    assert selectors.summary().overdue == 1
    services.record_callback(officer=cases.officer, task_id=task.pk, reached=True, notes="迟到的回访")
    services.resolve(officer=cases.officer, task_id=task.pk, outcome="fixed_now", reply="已立即整改")
    assert selectors.summary().overdue == 0
