"""Reads of bundles and bundle cases: the guide, the windows, the combined status, who may see what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from yiwang.accounts.selectors import ALL_DEPARTMENT_ROLES, assigned_department_ids, is_resident_like, is_staff_member
from yiwang.applications import constants as case_states
from yiwang.applications.selectors import cases_visible_to, form_fields_for, requested_supplement_positions
from yiwang.catalog.application_forms import FormField, merged_fields
from yiwang.bundles import constants as c
from yiwang.bundles import guidance
from yiwang.bundles.models import BundleCase, BundleCaseMember
from yiwang.catalog.models import Bundle, BundleMember, Material, ServiceItem
from yiwang.catalog.selectors import item_rules_snapshot, record_kind_names
from yiwang.core.errors import NotFound
from yiwang.registries.selectors import one_record_for

# A member is finished for the bundle once its result is in the resident's hands (an issued
# e-licence is, before any delivery step) or it ended without one.
DONE_STATES = case_states.FINAL_STATES | {case_states.RESULT_ISSUED}
REFUSED_STATES = {case_states.NOT_ACCEPTED, case_states.DENIED}


# ---------------------------------------------------------------------------------------------
# Bundles and their guide
# ---------------------------------------------------------------------------------------------


def list_bundles() -> QuerySet[Bundle]:
    """Every bundle by code, with its lead department and `member_count`."""
    return Bundle.objects.select_related("lead_department").annotate(member_count=Count("members")).order_by("code")


def get_bundle(code: str) -> Bundle:
    """The bundle with `code`, its members (items, departments) loaded; NotFound("unknown_bundle")."""
    members = BundleMember.objects.select_related("item__department").order_by("position")
    try:
        return (
            Bundle.objects.select_related("lead_department")
            .prefetch_related(Prefetch("members", queryset=members))
            .get(code=code)
        )
    except Bundle.DoesNotExist:
        raise NotFound("unknown_bundle", f"未找到一件事“{code}”。", f"No bundle with code {code!r}.") from None


def default_item_codes(bundle: Bundle) -> list[str]:
    return [member.item.code for member in bundle.members.all()]


def referenced_items(bundle: Bundle) -> dict[str, ServiceItem]:
    """Every item the bundle may involve (members and items its rules add or skip), by code."""
    codes = set(default_item_codes(bundle))
    for rule in bundle.rules or []:
        codes.update(rule.get("add_items") or [])
        codes.update(rule.get("skip_items") or [])
    items = (
        ServiceItem.objects.filter(code__in=codes)
        .select_related("department")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position")))
    )
    return {item.code: item for item in items}


def bundle_window(bundle: Bundle) -> guidance.Window | None:
    if bundle.window_opens and bundle.window_closes:
        return guidance.Window(owner=bundle.name, opens=bundle.window_opens, closes=bundle.window_closes)
    return None


def application_windows(bundle: Bundle, items: list[ServiceItem]) -> list[guidance.Window]:
    """The windows an application must fall in: the bundle's, then any item's.

    Items have no window fields yet; one that gains `window_opens`/`window_closes` (MM-DD) is
    checked here without further change.
    """
    windows = []
    own = bundle_window(bundle)
    if own:
        windows.append(own)
    for item in items:
        opens, closes = getattr(item, "window_opens", ""), getattr(item, "window_closes", "")
        if opens and closes:
            windows.append(guidance.Window(owner=item.name, opens=opens, closes=closes))
    return windows


def window_state(bundle: Bundle, today: dt.date) -> guidance.WindowStatus | None:
    """The bundle's own window on `today` (None when it accepts applications all year)."""
    window = bundle_window(bundle)
    return guidance.window_status(window.opens, window.closes, today) if window else None


@dataclass
class GuideItem:
    code: str
    item: ServiceItem | None
    reason: str
    reason_en: str
    online: bool


@dataclass
class Guide:
    """What the answers decide for a bundle: applicable and skipped items, and the materials."""

    bundle: Bundle
    result: guidance.GuidanceResult
    items: list[GuideItem] = field(default_factory=list)
    skipped: list[GuideItem] = field(default_factory=list)
    materials: list[guidance.MergedMaterial] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok


def is_online(item: ServiceItem) -> bool:
    return "online" in (item.channels or [])


def guide_for(bundle: Bundle, answers: dict | None) -> Guide:
    """Evaluate the bundle's rules on the answers; an item no longer offered is skipped with why."""
    items = referenced_items(bundle)
    names = {code: (item.name, item.name_en) for code, item in items.items()}
    result = guidance.evaluate(bundle.questions, bundle.rules, default_item_codes(bundle), answers, item_names=names)
    guide = Guide(bundle=bundle, result=result)
    for decision in result.items:
        item = items.get(decision.code)
        if item is None or not item.is_active:
            name = item.name if item else decision.code
            guide.skipped.append(GuideItem(
                code=decision.code, item=item, reason=f"事项“{name}”已停用，暂不能办理。",
                reason_en=f"“{item.name_en if item else decision.code}” is no longer offered.", online=False,
            ))
            continue
        guide.items.append(GuideItem(code=decision.code, item=item, reason=decision.reason, reason_en=decision.reason_en, online=is_online(item)))
    for decision in result.skipped:
        item = items.get(decision.code)
        if item is not None:
            guide.skipped.append(GuideItem(code=decision.code, item=item, reason=decision.reason, reason_en=decision.reason_en, online=is_online(item)))
    guide.materials = guidance.merge_materials(
        guidance.ItemMaterials(code=row.item.code, materials=item_rules_snapshot(row.item)["materials"])
        for row in guide.items
    )
    return guide


# ---------------------------------------------------------------------------------------------
# Bundle cases: access
# ---------------------------------------------------------------------------------------------


def _member_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=BundleCaseMember.objects.select_related("item__department", "case").order_by("position"),
    )


def bundle_cases_visible_to(user) -> QuerySet[BundleCase]:
    """Own bundle cases for applicants; submitted ones touching their departments for staff."""
    base = BundleCase.objects.select_related("bundle__lead_department", "applicant").prefetch_related(_member_prefetch())
    if is_resident_like(user):
        return base.filter(applicant=user)
    if is_staff_member(user):
        submitted = base.filter(submitted_at__isnull=False)
        if user.role in ALL_DEPARTMENT_ROLES:
            return submitted
        touching = BundleCaseMember.objects.filter(case__department_id__in=assigned_department_ids(user))
        return submitted.filter(pk__in=touching.values("bundle_case_id"))
    return base.none()


def get_bundle_case_for(user, bundle_case_id) -> BundleCase:
    """The bundle case if `user` may read it; otherwise NotFound (existence is not disclosed)."""
    try:
        return bundle_cases_visible_to(user).get(pk=int(bundle_case_id))
    except (BundleCase.DoesNotExist, ValueError, TypeError):
        raise NotFound("bundle_case_not_found", "一件事办件不存在。", "Bundle case not found.") from None


# ---------------------------------------------------------------------------------------------
# Combined status, derived from the member cases
# ---------------------------------------------------------------------------------------------


@dataclass
class MemberStatus:
    member: BundleCaseMember
    state: str  # the member case's state; "window" for a member handled at a window
    requested_materials: list[str] = field(default_factory=list)

    @property
    def case(self):
        return self.member.case

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def refused(self) -> bool:
        return self.state in REFUSED_STATES


def member_cases_open_to(viewer, members: list[MemberStatus]) -> set[int]:
    """Ids of the member cases `viewer` may read in full: those their own case view would show.

    An officer coordinating a bundle sees every member's state, but another department's case
    (its number, dates, supplement requests, notices, opinions) only as that department's own
    staff would: not at all.
    """
    ids = [m.case.pk for m in members if m.case is not None]
    if not ids:
        return set()
    return set(cases_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass
class CombinedStatus:
    code: str
    label: str
    label_en: str
    members: list[MemberStatus]

    @property
    def online_members(self) -> list[MemberStatus]:
        return [m for m in self.members if m.member.channel == c.CHANNEL_ONLINE]

    @property
    def window_members(self) -> list[MemberStatus]:
        return [m for m in self.members if m.member.channel == c.CHANNEL_WINDOW]

    @property
    def supplement_members(self) -> list[MemberStatus]:
        return [m for m in self.members if m.state == case_states.SUPPLEMENT_REQUESTED]

    @property
    def refused_members(self) -> list[MemberStatus]:
        return [m for m in self.members if m.refused]

    @property
    def finished(self) -> bool:
        return self.code in {c.STATUS_COMPLETED, c.STATUS_COMPLETED_PARTLY}

    def supplement_groups(self) -> list[tuple[str, list[MemberStatus]]]:
        """Requested materials by name, each with the members that asked for it (one upload each)."""
        groups: dict[str, list[MemberStatus]] = {}
        for member in self.supplement_members:
            for name in member.requested_materials:
                groups.setdefault(name, []).append(member)
        return list(groups.items())


def _requested_names(case) -> list[str]:
    positions = set(requested_supplement_positions(case))
    return [m["name"] for m in (case.rules or {}).get("materials", []) if m["position"] in positions]


def combined_status(bundle_case: BundleCase) -> CombinedStatus:
    """The bundle's status from its member cases' states.

    草稿 before submission; 待补正 while any member waits for supplements; 部分不予 when a member
    was refused (or withdrawn) and others still run; 已办结 when every member is finished
    (已办结（部分未获办理） if some were refused); 办理中 otherwise. Members handled at a window
    are shown but not tracked.
    """
    members = []
    for member in bundle_case.members.all():
        if member.channel == c.CHANNEL_WINDOW or member.case is None:
            members.append(MemberStatus(member=member, state="window"))
            continue
        state = member.case.state
        requested = _requested_names(member.case) if state == case_states.SUPPLEMENT_REQUESTED else []
        members.append(MemberStatus(member=member, state=state, requested_materials=requested))
    tracked = [m for m in members if m.member.channel == c.CHANNEL_ONLINE and m.case is not None]
    not_completed = {case_states.WITHDRAWN} | REFUSED_STATES
    if bundle_case.is_draft:
        code = c.STATUS_DRAFT
    elif any(m.state == case_states.SUPPLEMENT_REQUESTED for m in tracked):
        code = c.STATUS_SUPPLEMENT
    elif tracked and all(m.done for m in tracked):
        code = c.STATUS_COMPLETED_PARTLY if any(m.state in not_completed for m in tracked) else c.STATUS_COMPLETED
    elif any(m.state in not_completed for m in tracked):
        code = c.STATUS_PARTLY_REFUSED
    else:
        code = c.STATUS_IN_PROGRESS
    label, label_en = c.STATUS_LABELS[code]
    return CombinedStatus(code=code, label=label, label_en=label_en, members=members)


def applicant_bundle_cases(user) -> QuerySet[BundleCase]:
    """The applicant's bundle cases, newest first."""
    return bundle_cases_visible_to(user).filter(applicant=user).order_by("-created_at", "-id")


def staff_bundle_queue(user) -> list[BundleCase]:
    """Submitted bundle cases touching the staff member's departments, oldest submission first."""
    return list(bundle_cases_visible_to(user).order_by("submitted_at", "id")[:500])


def member_codes_in_departments(bundle_case: BundleCase, user) -> list[str]:
    """Item codes of the members a staff member's departments handle (all for all-department roles)."""
    if user.role in ALL_DEPARTMENT_ROLES:
        return [m.item.code for m in bundle_case.members.all() if m.case is not None]
    mine = assigned_department_ids(user)
    return [m.item.code for m in bundle_case.members.all() if m.case is not None and m.case.department_id in mine]


def passed_on_within(members: list) -> dict[str, dict[int, str]]:
    """{item code: {material position: producing item code}} for the members' materials that another
    member's result will supply (see guidance.results_passed_on)."""
    record_names = {via: names["name"] for via, names in record_kind_names().items()}
    return guidance.results_passed_on(
        (
            guidance.MemberResult(
                code=member.item.code,
                result_name=(snapshot := item_rules_snapshot(member.item))["result"]["name"],
                materials=snapshot["materials"],
            )
            for member in members
            if member.case is not None
        ),
        record_names,
    )


def draft_materials(bundle_case: BundleCase) -> list[dict]:
    """The materials of a draft's online members, once per (name, exemptible_via), with what is uploaded.

    Each entry: the merged material, `uploaded` (item code -> CaseMaterial or None), `produced_by`
    (the member item whose result will supply it, or None) and `complete`
    (every member needing it has a file).
    """
    per_item = []
    cases = {}
    for member in bundle_case.members.all():
        if member.case is None:
            continue
        cases[member.item.code] = member.case
        per_item.append(guidance.ItemMaterials(code=member.item.code, materials=item_rules_snapshot(member.item)["materials"]))
    uploads: dict[tuple[int, int], object] = {}
    for case in cases.values():
        for material in case.materials.filter(superseded=False):
            uploads[(case.pk, material.material_position)] = material
    awaited = passed_on_within([m for m in bundle_case.members.all() if m.case is not None])
    rows = []
    for merged in guidance.merge_materials(per_item, one_per_record=one_record_for(bundle_case.applicant)):
        uploaded = {code: uploads.get((cases[code].pk, merged.positions[code])) for code in merged.items}
        producers = {awaited.get(code, {}).get(merged.positions[code]) for code in merged.items}
        # Produced within the bundle when every item that needs it gets it from the same member.
        produced_by = producers.pop() if len(producers) == 1 and None not in producers else None
        rows.append({
            "material": merged, "uploaded": uploaded, "produced_by": produced_by,
            "complete": produced_by is not None or all(uploaded.values()),
        })
    return rows


def bundle_form_fields(applicant, items) -> list[FormField]:
    """The one form of a 一件事: every member item's fields once, then the common ones."""
    return merged_fields([form_fields_for(applicant, item) for item in items])


def bundle_case_form_fields(bundle_case: BundleCase, applicant) -> list[FormField]:
    """The one form of a bundle case, from its members' items."""
    return bundle_form_fields(applicant, [m.item for m in bundle_case.members.select_related("item")])


def is_bundle_member(case_id: int) -> bool:
    """Whether the case is one member of a 一件事."""
    return BundleCaseMember.objects.filter(case_id=case_id).exists()
