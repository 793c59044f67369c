"""Writes of 好差评: ratings, the rectification of bad ones, appeals, defaults, escalation.

Every function is atomic and takes keyword arguments. A rating is one row per case or ticket
(the database refuses a second); the case or ticket row is locked while it is written, so two
submissions at once give one rating and one clear refusal. A rectification moves only along
`rules.MOVES`, under a row lock, each move recorded as an event with its actor.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q

from yiwang.accounts import constants as roles
from yiwang.accounts.selectors import has_role, is_resident_like, staff_of_department
from yiwang.applications.models import Case
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.hall import constants as hall_states
from yiwang.hall.models import Device, ServiceGroup, Ticket
from yiwang.jobs.services import enqueue_job
from yiwang.ratings import constants as c
from yiwang.ratings import rules
from yiwang.ratings.models import Appeal, Rating, Rectification, RectificationEvent
from yiwang.ratings.selectors import holds_ticket, may_act_on, ticket_person
from yiwang.workcalendar.selectors import current_calendar

logger = logging.getLogger("yiwang.ratings")

RATEABLE_CASE_STATES, ACTING_ROLES, REVIEWER_ROLES = c.RATEABLE_CASE_STATES, c.ACTING_ROLES, c.REVIEWER_ROLES
MAX_COMMENT, MAX_TEXT = c.MAX_COMMENT, c.MAX_TEXT
DECIDING_ACTIONS = ("approve", "deny", "reject", "issue_result", "deliver")


def _setting(name: str):
    return settings.RATINGS[name]


def _text(value: str, *, field: str, required: bool, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{field}_required", f"请填写{FIELD_NAMES[field][0]}。", f"Please fill in the {FIELD_NAMES[field][1]}.")
    if len(text) > limit:
        raise ValidationFailed(f"{field}_too_long", f"{FIELD_NAMES[field][0]}不能超过 {limit} 字。",
                               f"The {FIELD_NAMES[field][1]} may have at most {limit} characters.")
    return text


FIELD_NAMES = {
    "comment": ("评价内容", "comment"),
    "notes": ("回访记录", "call-back notes"),
    "reply": ("答复内容", "reply"),
    "reason": ("申诉理由", "reason for the appeal"),
    "note": ("复核意见", "review note"),
}


def _checked(kind: str, level, scores) -> rules.CheckedScores:
    try:
        return rules.check_scores(kind=kind, level=level, scores=scores)
    except rules.ScoreError as error:
        raise ValidationFailed("invalid_score", error.message, error.message_en, details={"field": error.field}) from None


def _person_channel(channel: str) -> str:
    if channel not in c.PERSON_CHANNELS:
        raise ValidationFailed("invalid_channel", f"评价渠道“{channel}”无效。",
                               f"“{channel}” is not a rating channel; use one of: {', '.join(sorted(c.PERSON_CHANNELS))}.")
    return channel


# ---------------------------------------------------------------------------------------------
# Rating a case (一事一评)
# ---------------------------------------------------------------------------------------------


def _deciding_officer(case: Case):
    event = (case.events.filter(action__in=DECIDING_ACTIONS, actor__kind="staff").select_related("actor")
             .order_by("sequence").first())
    if event is None:
        event = case.events.filter(actor__kind="staff").select_related("actor").order_by("-sequence").first()
    return event.actor if event else None


def rate_case(*, person, case_id: int, level, scores: dict | None = None, comment: str = "",
              channel: str = c.CHANNEL_WEB) -> Rating:
    """The applicant's one rating of their ended case; a bad one opens its rectification."""
    channel = _person_channel(channel)
    checked = _checked(rules.ONLINE, level, scores)
    text = _text(comment, field="comment", required=False, limit=MAX_COMMENT)
    with transaction.atomic():
        case = _own_case_locked(person, case_id)
        if case.state not in RATEABLE_CASE_STATES:
            raise Conflict("case_not_finished", "办件尚未办结，办结后才能评价。", "The case has not ended yet; rate it once it has.")
        if Rating.objects.filter(case=case).exists():
            raise Conflict("already_rated", "该办件已评价，每件只能评价一次。", "This case has already been rated; a case is rated once.")
        return _create_rating(
            subject=c.SUBJECT_CASE, case=case, rater=person, channel=channel, level=checked.level, scores=checked.scores,
            comment=text, department_id=case.department_id, item_id=case.item_id, officer=_deciding_officer(case))


def _own_case_locked(person, case_id) -> Case:
    if not is_resident_like(person):
        raise PermissionDenied("applicants_only", "只有申请人本人可以评价办件。", "Only the applicant can rate a case.")
    try:
        return Case.objects.select_for_update(of=("self",)).get(pk=int(case_id), applicant=person)
    except (Case.DoesNotExist, TypeError, ValueError):
        raise NotFound("case_not_found", "办件不存在。", "Case not found.") from None


def _create_rating(**fields) -> Rating:
    now = clock.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(rated_on=clock.legal_day(now), created_at=now, **fields)
    except IntegrityError:
        raise Conflict("already_rated", "已评价过，每次服务只能评价一次。", "This has already been rated; each service is rated once.") from None
    if rating.is_bad:
        _open_rectification(rating)
    enqueue_job(kind="ratings.forward", payload={"rating_id": rating.pk}, dedupe_key=f"rating-forward-{rating.pk}")
    logger.info("rating %s: level %s of %s %s via %s", rating.pk, rating.level, rating.subject,
                rating.case_id or rating.ticket_id, rating.channel)
    return rating


# ---------------------------------------------------------------------------------------------
# Rating a hall visit (一次一评, 一号一评)
# ---------------------------------------------------------------------------------------------

def rate_visit(*, ticket_id: int, level, scores: dict | None = None, comment: str = "", person=None,
               device: Device | None = None, token: str = "", channel: str = c.CHANNEL_QR) -> Rating:
    """One rating of a finished hall visit, by its person (with the ticket's QR code or as the
    person it names) or at the window's evaluator on their behalf."""
    checked = _checked(rules.IN_PERSON, level, scores)
    text = _text(comment, field="comment", required=False, limit=MAX_COMMENT)
    with transaction.atomic():
        try:
            ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("window", "taken_by", "item")
                      .get(pk=int(ticket_id)))
        except (Ticket.DoesNotExist, TypeError, ValueError):
            raise NotFound("ticket_not_found", "排队号不存在。", "Ticket not found.") from None
        if device is not None:
            if device.kind != hall_states.DEVICE_EVALUATOR or device.window_id is None or device.window_id != ticket.window_id:
                raise NotFound("ticket_not_found", "排队号不存在。", "Ticket not found.")
            rater, channel = ticket_person(ticket), c.CHANNEL_EVALUATOR
        else:
            channel = _person_channel(channel)
            if person is None or not is_resident_like(person) or not holds_ticket(person, ticket, token):
                raise NotFound("ticket_not_found", "排队号不存在。", "Ticket not found.")
            rater = person
        if ticket.state != hall_states.DONE:
            raise Conflict("visit_not_finished", "本次服务尚未结束，结束后才能评价。",
                           "This visit has not finished yet; rate it once it has.")
        if Rating.objects.filter(ticket=ticket).exists():
            raise Conflict("already_rated", "本次服务已评价，每次只能评价一次。", "This visit has already been rated; a visit is rated once.")
        case = ticket.cases.order_by("pk").first()
        item = ticket.item or (case.item if case else None)
        department_id = case.department_id if case else (item.department_id if item else _sole_department(ticket.group_id))
        return _create_rating(
            subject=c.SUBJECT_VISIT, ticket=ticket, rater=rater, channel=channel, device=device, level=checked.level,
            scores=checked.scores, comment=text, department_id=department_id, item=item, officer=ticket.officer,
            window=ticket.window, site_id=ticket.site_id)


def _sole_department(group_id: int) -> int | None:
    """A visit that named no item is its group's department's when the group serves one; else the
    hall's own (None: its managers follow it up)."""
    ids = list(ServiceGroup.objects.get(pk=group_id).departments.values_list("id", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


# ---------------------------------------------------------------------------------------------
# Rectification (差评整改)
# ---------------------------------------------------------------------------------------------


def _open_rectification(rating: Rating) -> Rectification:
    working_days = _setting("rectification_working_days")
    due = rules.working_day_deadline(rating.rated_on, working_days, current_calendar().add_working_days)
    assignee = rating.officer if rating.officer_id and rating.officer.is_active else None
    if assignee is None and rating.department_id is not None:
        assignee = staff_of_department(rating.department_id).first()
    task = Rectification.objects.create(rating=rating, department_id=rating.department_id, due_on=due,
                                        working_days=working_days, assignee=assignee, created_at=clock.now())
    _record(task, action="open", from_state="", to_state=task.state, actor=None, note=due.isoformat())
    if assignee is not None:
        _tell(recipients=[assignee], kind="rectification_assigned", key=f"rectification-assigned-{task.pk}", task=task)
    return task


def _record(task: Rectification, *, action: str, from_state: str, to_state: str, actor, note: str = "") -> None:
    sequence = task.events.count() + 1
    RectificationEvent.objects.create(rectification=task, sequence=sequence, action=action, from_state=from_state,
                                      to_state=to_state, actor=actor, note=note, at=clock.now())


def _tell(*, recipients, kind: str, key: str, task: Rectification, link: str = "") -> None:
    from yiwang.notifications.services import Outgoing, create_messages
    from yiwang.ratings.selectors import message_variables

    variables = message_variables(task)
    create_messages([Outgoing(recipient=person, kind=kind, event_key=f"{key}-{person.pk}", variables=variables,
                              link=link or f"/ratings/tasks/{task.pk}/", sms_allowed=False) for person in recipients])


def _task_locked(officer, task_id) -> Rectification:
    if not has_role(officer, *ACTING_ROLES):
        raise PermissionDenied("rectification_staff_only", "只有责任部门的工作人员可以处理差评整改。",
                               "Only staff of the responsible department can act on a rectification.")
    try:
        task = (Rectification.objects.select_for_update(of=("self",)).select_related("rating")
                .get(pk=int(task_id)))
    except (Rectification.DoesNotExist, TypeError, ValueError):
        raise NotFound("rectification_not_found", "整改任务不存在。", "Rectification not found.") from None
    if not may_act_on(officer, task):
        raise NotFound("rectification_not_found", "整改任务不存在。", "Rectification not found.")
    return task


def _move(task: Rectification, action: str, actor, note: str = "", *, version: int | None = None) -> str:
    if version is not None and version != task.version:
        raise Conflict("stale_rectification", "该整改任务已被他人更新，请刷新后重试。",
                       "Someone else changed this rectification; reload and try again.")
    try:
        target = rules.next_state(task.state, action, before_appeal=task.state_before_appeal or None)
    except rules.MoveRefused:
        raise Conflict("rectification_wrong_state", f"整改任务当前为“{rules.STATES[task.state][0]}”，不能执行此操作。",
                       f"The rectification is “{rules.STATES[task.state][1]}”; that action is not possible now.",
                       details={"state": task.state}) from None
    before = task.state
    task.state = target
    task.version += 1
    _record(task, action=action, from_state=before, to_state=target, actor=actor, note=note)
    return before


def reveal_rater_phone(*, officer, task_id: int) -> str:
    """The rater's full mobile number for the call-back, each look recorded on the task."""
    with transaction.atomic():
        task = _task_locked(officer, task_id)
        rater = task.rating.rater
        if rater is None or not rater.phone:
            raise NotFound("no_phone", "评价人未留手机号码。", "The rater left no mobile number.")
        _record(task, action="view_phone", from_state=task.state, to_state=task.state, actor=officer)
    logger.info("rectification %s: rater's phone shown to staff %s", task.pk, officer.pk)
    return rater.phone


def record_callback(*, officer, task_id: int, reached: bool, notes: str, version: int | None = None) -> Rectification:
    """回访: the named person called the resident; what they heard is recorded."""
    text = _text(notes, field="notes", required=True)
    with transaction.atomic():
        task = _task_locked(officer, task_id)
        _move(task, "call_back", officer, text, version=version)
        task.called_back_at, task.called_back_by, task.reached, task.callback_notes = clock.now(), officer, bool(reached), text
        task.save()
    return task


def resolve(*, officer, task_id: int, outcome: str, reply: str, fix_due_on: dt.date | None = None,
            version: int | None = None) -> Rectification:
    """Fixed at once or explained (the resident is told the reply), or a fix planned by a date."""
    if outcome not in rules.OUTCOMES:
        raise ValidationFailed("invalid_outcome", "处理方式无效，可选：立行立改、台账限期整改、解释说明。",
                               "Unknown outcome; use fixed_now, ledger or explained.")
    text = _text(reply, field="reply", required=True)
    with transaction.atomic():
        task = _task_locked(officer, task_id)
        if outcome == rules.LEDGER:
            if fix_due_on is None:
                raise ValidationFailed("fix_due_required", "台账限期整改须填写整改完成日期。", "A fix by a deadline needs its date.")
            if fix_due_on < clock.today():
                raise ValidationFailed("fix_due_in_past", "整改完成日期不能早于今天。", "The date of the fix cannot be in the past.")
            if fix_due_on > task.due_on:
                raise ValidationFailed("fix_due_after_deadline", f"整改完成日期不能晚于整改期限 {task.due_on.isoformat()}。",
                                       f"The fix must be done by the rectification's deadline, {task.due_on.isoformat()}.")
            _move(task, "plan_fix", officer, text, version=version)
            task.fix_due_on = fix_due_on
        else:
            _move(task, "resolve_now" if outcome == rules.FIXED_NOW else "explain", officer, text, version=version)
            task.replied_at, task.replied_by = clock.now(), officer
        task.outcome, task.reply = outcome, text
        task.save()
        _tell_rater(task)
    return task


def finish_fix(*, officer, task_id: int, reply: str, version: int | None = None) -> Rectification:
    """The planned fix is done; the resident is told."""
    text = _text(reply, field="reply", required=True)
    with transaction.atomic():
        task = _task_locked(officer, task_id)
        _move(task, "finish_fix", officer, text, version=version)
        task.reply, task.replied_at, task.replied_by = text, clock.now(), officer
        task.save()
        _tell_rater(task)
    return task


def _tell_rater(task: Rectification) -> None:
    rater = task.rating.rater
    if rater is None or not rater.registered:
        return
    rating = task.rating
    link = f"/cases/{rating.case_id}/" if rating.case_id else f"/ratings/ticket/{rating.ticket_id}/"
    _tell(recipients=[rater], kind="rating_replied", key=f"rating-replied-{task.pk}-{task.version}", task=task, link=link)


def give_verdict(*, person, task_id: int, verdict: str) -> Rectification:
    """The resident rates the rectification (满意 / 基本满意 / 不满意); the task then closes."""
    if verdict not in rules.VERDICTS:
        raise ValidationFailed("invalid_verdict", "请选择：满意、基本满意或不满意。", "Choose satisfied, fairly_satisfied or dissatisfied.")
    with transaction.atomic():
        try:
            task = (Rectification.objects.select_for_update(of=("self",)).select_related("rating")
                    .get(pk=int(task_id), rating__rater=person))
        except (Rectification.DoesNotExist, TypeError, ValueError):
            raise NotFound("rectification_not_found", "整改任务不存在。", "Rectification not found.") from None
        _move(task, "verdict", person, rules.VERDICTS[verdict][0])
        task.verdict, task.verdict_at = verdict, clock.now()
        task.save()
    return task


# ---------------------------------------------------------------------------------------------
# Appeals (申诉复核)
# ---------------------------------------------------------------------------------------------


def file_appeal(*, officer, task_id: int, reason: str) -> Appeal:
    """Staff of the department contest a bad rating as mistaken or malicious; once per rating."""
    text = _text(reason, field="reason", required=True)
    with transaction.atomic():
        task = _task_locked(officer, task_id)
        if Appeal.objects.filter(rating_id=task.rating_id).exists():
            raise Conflict("already_appealed", "该评价已申诉过，每条评价只能申诉一次。",
                           "This rating has already been appealed; a rating is appealed once.")
        before = _move(task, "appeal", officer, text)
        task.state_before_appeal = before
        task.save()
        appeal = Appeal.objects.create(rating_id=task.rating_id, filed_by=officer, reason=text, filed_at=clock.now())
    return appeal


def decide_appeal(*, reviewer, appeal_id: int, upheld: bool, note: str) -> Appeal:
    """A reviewer decides once: upheld sets the rating aside (kept, not counted); rejected resumes the task."""
    if not has_role(reviewer, *REVIEWER_ROLES):
        raise PermissionDenied("reviewers_only", "只有大厅管理员或系统管理员可以复核申诉。",
                               "Only hall managers and administrators review appeals.")
    text = _text(note, field="note", required=True)
    with transaction.atomic():
        try:
            appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=int(appeal_id))
        except (Appeal.DoesNotExist, TypeError, ValueError):
            raise NotFound("appeal_not_found", "申诉不存在。", "Appeal not found.") from None
        if appeal.state != c.APPEAL_PENDING:
            raise Conflict("appeal_already_decided", "该申诉已复核，不能再次复核。", "This appeal has already been decided.")
        if appeal.filed_by_id == reviewer.pk:
            raise PermissionDenied("own_appeal", "不能复核自己提出的申诉。", "You cannot review your own appeal.")
        task = Rectification.objects.select_for_update(of=("self",)).get(rating_id=appeal.rating_id)
        _move(task, "uphold_appeal" if upheld else "reject_appeal", reviewer, text)
        task.state_before_appeal = ""
        task.save()
        appeal.state = c.APPEAL_UPHELD if upheld else c.APPEAL_REJECTED
        appeal.reviewer, appeal.decision_note, appeal.decided_at = reviewer, text, clock.now()
        appeal.save()
    return appeal


# ---------------------------------------------------------------------------------------------
# Background work
# ---------------------------------------------------------------------------------------------


def apply_default_ratings(*, limit: int = 5000) -> int:
    """Cases ended more than the grace period ago and still unrated count as 满意 (默认好评)."""
    today = clock.today()
    calendar = current_calendar()
    grace = _setting("default_after_working_days")
    candidates = (Case.objects.filter(state__in=RATEABLE_CASE_STATES, rating__isnull=True)
                  .annotate(ended_at=Min("events__at", filter=Q(events__to_state__in=RATEABLE_CASE_STATES)))
                  .filter(ended_at__isnull=False, ended_at__lt=clock.now() - dt.timedelta(days=grace))
                  .order_by("ended_at")[:limit])
    made = 0
    for case_id, ended_at in candidates.values_list("pk", "ended_at"):
        if rules.default_rating_due(clock.legal_day(ended_at), grace, calendar.add_working_days) > today:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
            if Rating.objects.filter(case=case).exists():
                continue
            _create_rating(subject=c.SUBJECT_CASE, case=case, rater=case.applicant, channel=c.CHANNEL_DEFAULT,
                           level=rules.DEFAULT_LEVEL, scores={}, comment="", defaulted=True,
                           department_id=case.department_id, item_id=case.item_id, officer=_deciding_officer(case))
            made += 1
    return made


def escalate_overdue() -> int:
    """Open rectifications past their deadline go to the department's approvers and the hall managers, once."""
    from yiwang.accounts.models import User

    today = clock.today()
    overdue = list(Rectification.objects.filter(state__in=rules.OPEN_STATES, due_on__lt=today, escalated_at__isnull=True)
                   .select_related("rating"))
    managers = list(User.objects.filter(kind=roles.KIND_STAFF, is_active=True, role=roles.ROLE_HALL_MANAGER))
    for task in overdue:
        with transaction.atomic():
            locked = Rectification.objects.select_for_update(of=("self",)).get(pk=task.pk)
            if locked.escalated_at is not None or locked.state not in rules.OPEN_STATES:
                continue
            locked.escalated_at = clock.now()
            locked.save(update_fields=["escalated_at"])
            _record(locked, action="escalate", from_state=locked.state, to_state=locked.state, actor=None,
                    note=locked.due_on.isoformat())
            heads = []
            if locked.department_id is not None:
                heads = list(User.objects.filter(kind=roles.KIND_STAFF, is_active=True, role=roles.ROLE_APPROVER,
                                                 departments__id=locked.department_id).distinct())
            _tell(recipients=list({p.pk: p for p in heads + managers}.values()), kind="rectification_overdue",
                  key=f"rectification-overdue-{locked.pk}", task=locked)
    return len(overdue)


def mark_forwarded(*, rating_id: int) -> None:
    Rating.objects.filter(pk=rating_id).update(forward_state=c.FORWARD_SENT, forwarded_at=clock.now())
