"""The demo's past: four weeks of handled cases with ratings and follow-ups, so the dashboards have
figures on the first visit; once (nothing is added when the history is there)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from yiwang.accounts import constants as roles
from yiwang.accounts.models import User
from yiwang.applications.models import Case, CaseEvent, CaseMaterial
from yiwang.catalog.models import ServiceItem
from yiwang.core import clock
from yiwang.core.identifiers import id_card_check_char
from yiwang.evaluation import history, services
from yiwang.ratings.models import Rating, Rectification
from yiwang.workcalendar.selectors import current_calendar

DAYS = 28
PER_DAY = 60
PEOPLE = 40
MARKER = "demo-history"


def item_specs(per_department: int | None = None) -> list[history.ItemSpec]:
    """Online items with working-day limits, as the generator takes them (at most `per_department` of each
    department's, so every department has a past)."""
    found = (ServiceItem.objects.filter(is_active=True, online_depth__gte=3, promised_limit_unit="working_day")
             .order_by("code").values("id", "code", "department_id", "promised_limit_value", "statutory_limit_value",
                                      "statutory_limit_unit"))
    specs = [history.ItemSpec(row["id"], row["code"], row["department_id"], row["promised_limit_value"],
                              row["statutory_limit_value"] if row["statutory_limit_unit"] == "working_day" else None)
             for row in found]
    if per_department is None:
        return specs
    kept, seen = [], {}
    for spec in specs:
        seen[spec.department_id] = seen.get(spec.department_id, 0) + 1
        if seen[spec.department_id] <= per_department:
            kept.append(spec)
    return kept


def _people() -> list[int]:
    existing = list(User.objects.filter(username__startswith=f"{MARKER}-").order_by("pk").values_list("pk", flat=True))
    if existing:
        return existing
    made = []
    for n in range(1, PEOPLE + 1):
        body = f"310120198{n % 10}0101{n:03d}"
        made.append(User(username=f"{MARKER}-{n:02d}", kind=roles.KIND_RESIDENT, real_name=f"历史申请人{n:02d}",
                         id_number=body + id_card_check_char(body), registered=False, password="!"))
    User.objects.bulk_create(made)
    return list(User.objects.filter(username__startswith=f"{MARKER}-").order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def seed_demo_cases(*, days: int = DAYS, per_day: int = PER_DAY) -> int:
    """Cases of the past `days` days (working days only), their events, materials, ratings and
    rectifications, then the aggregates of those days. Returns the cases made (0 when already there)."""
    if User.objects.filter(username=f"{MARKER}-01").exists():
        return 0
    calendar = current_calendar()
    today = clock.today()
    worked = [today - dt.timedelta(days=back) for back in range(days, 0, -1)
              if calendar.is_workday(today - dt.timedelta(days=back))[0]]
    specs = item_specs(3)
    people = _people()
    generated = list(history.synthetic_days(rng=random.Random(2026), days=worked, per_day=per_day, items=specs,
                                            applicant_ids=people, add_working_days=calendar.add_working_days,
                                            tz=clock.LEGAL_TIME_ZONE))
    # A result decided after today has not happened yet: the past holds only what ended by yesterday.
    generated = [g for g in generated if (g.delivered_at or g.decided_at).date() < today]
    Case.objects.bulk_create([Case(
        number=g.number, item_id=g.item.id, department_id=g.item.department_id, applicant_id=g.applicant_id, state=g.state,
        channel=g.channel, submitted_at=g.submitted_at, accepted_on=g.accepted_on, decided_at=g.decided_at,
        promised_due=g.promised_due, statutory_due=g.statutory_due, version=4 if g.delivered_at else 3,
        created_at=g.submitted_at, updated_at=g.delivered_at or g.decided_at) for g in generated], batch_size=1000)
    ids = dict(Case.objects.filter(number__in=[g.number for g in generated]).values_list("number", "pk"))
    events, materials, ratings = [], [], []
    for g in generated:
        case_id = ids[g.number]
        steps = [("submit", "draft", "received", g.submitted_at), ("accept", "received", "accepted", g.submitted_at),
                 ("deny" if g.state == "denied" else "approve", "accepted", "denied" if g.state == "denied" else "approved", g.decided_at)]
        if g.delivered_at:
            steps.append(("deliver", "result_issued", "delivered", g.delivered_at))
        events += [CaseEvent(case_id=case_id, sequence=n, action=a, from_state=f, to_state=t, at=at, channel="system")
                   for n, (a, f, t, at) in enumerate(steps, start=1)]
        materials += [CaseMaterial(case_id=case_id, material_position=n, material_name=f"材料{n}", sha256="0" * 64,
                                   source="registry" if n <= g.materials_shared else "upload", uploaded_at=g.submitted_at)
                      for n in range(1, g.materials + 1)]
        if g.rating and g.rating.rated_on < today:
            ratings.append((case_id, g))
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    CaseMaterial.objects.bulk_create(materials, batch_size=2000)
    made = Rating.objects.bulk_create([Rating(
        subject="case", case_id=case_id, rater_id=g.applicant_id, channel="web", level=g.rating.level, comment=g.rating.comment,
        department_id=g.item.department_id, item_id=g.item.id, rated_on=g.rating.rated_on,
        created_at=dt.datetime.combine(g.rating.rated_on, dt.time(12), tzinfo=clock.LEGAL_TIME_ZONE), forward_state="sent")
        for case_id, g in ratings], batch_size=1000)
    by_case = {r.case_id: r for r in Rating.objects.filter(case_id__in=[c for c, _ in ratings], level__lte=2)}
    Rectification.objects.bulk_create([Rectification(
        rating=by_case[case_id], department_id=g.item.department_id, state=g.rating.follow_up, working_days=5,
        due_on=calendar.add_working_days(g.rating.rated_on, 5).due, created_at=by_case[case_id].created_at,
        called_back_at=by_case[case_id].created_at + dt.timedelta(days=1) if g.rating.follow_up != "awaiting_callback" else None,
        reached=True if g.rating.follow_up != "awaiting_callback" else None,
        outcome="fixed_now" if g.rating.follow_up in ("closed", "replied") else "",
        reply="已改进并向申请人说明" if g.rating.follow_up in ("closed", "replied") else "",
        verdict="satisfied" if g.rating.follow_up == "closed" else "")
        for case_id, g in ratings if case_id in by_case])
    if worked:
        services.rebuild(since=worked[0], until=today - dt.timedelta(days=1))
    return len(generated)
