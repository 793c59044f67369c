"""The permission surface other apps import: who a user is and where a staff member may act.

Scope of staff roles (decided here, used everywhere):

- window officers (窗口人员) and approvers (审批人员) see and act only in their own departments;
- hall managers (大厅管理员) see all departments: they run the whole service hall (queues,
  deadlines, reassignment across windows), which is organised by the hall, not by department;
- administrators (系统管理员) and auditors (审计人员) see all departments.

Seeing is not acting: `can_act_in_department` also requires the exact role a step asks for,
so an administrator or auditor never decides a case.
"""

from __future__ import annotations

from yiwang.accounts import constants as c
from yiwang.core.identifiers import mask_id_card, mask_name

ALL_DEPARTMENT_ROLES = frozenset({c.ROLE_HALL_MANAGER, c.ROLE_ADMINISTRATOR, c.ROLE_AUDITOR})


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_resident_like(user) -> bool:
    """True for a signed-in, active resident or enterprise (an applicant)."""
    return _active(user) and user.kind in (c.KIND_RESIDENT, c.KIND_ENTERPRISE)


def is_staff_member(user) -> bool:
    """True for a signed-in, active staff member with a role."""
    return _active(user) and user.kind == c.KIND_STAFF and bool(user.role)


def has_role(user, *roles: str) -> bool:
    """True when `user` is an active staff member whose role is one of `roles`."""
    return is_staff_member(user) and user.role in roles


def staff_department_ids(user) -> set[int] | None:
    """Ids of the departments whose cases `user` may see; None means all departments.

    None for hall managers, administrators and auditors; the user's own departments for
    window officers and approvers; an empty set for anyone who is not an active staff member.
    """
    if not is_staff_member(user):
        return set()
    if user.role in ALL_DEPARTMENT_ROLES:
        return None
    return set(user.departments.values_list("id", flat=True))


def assigned_department_ids(user) -> frozenset[int]:
    """Ids of the departments `user` is assigned to (empty for non-staff).

    Remembered on the user object, which lives for one request, so a page or API call that checks
    several cases asks the database once.
    """
    if not is_staff_member(user):
        return frozenset()
    cached = getattr(user, "_assigned_department_ids", None)
    if cached is None:
        cached = frozenset(user.departments.values_list("id", flat=True))
        user._assigned_department_ids = cached
    return cached


def staff_department_codes(user) -> list[str]:
    """Codes of the departments `user` is assigned to, sorted (empty for non-staff)."""
    if not is_staff_member(user):
        return []
    return sorted(user.departments.values_list("code", flat=True))


def can_see_department(user, department_id: int) -> bool:
    """True when a staff member's scope includes the department."""
    scope = staff_department_ids(user)
    return scope is None or department_id in scope


def can_act_in_department(user, department_id: int, role: str) -> bool:
    """True when `user` holds exactly `role` and that role may act in the department.

    Used for a flow step that names a role (e.g. "window_officer" or "approver"): the user
    must have that role and, for department-scoped roles, belong to the department.
    """
    return has_role(user, role) and can_see_department(user, department_id)


def identity_as_seen_by(viewer, person) -> dict:
    """A person's name and identifier as `viewer` may see them: in full for themselves, masked for
    anyone else (staff lists); a company's name is public, its code is still masked."""
    own = viewer is not None and getattr(viewer, "pk", None) == person.pk
    identifier = person.id_number or person.credit_code or ""
    return {
        "name": person.real_name if own or person.kind == "enterprise" else mask_name(person.real_name),
        "identifier": identifier if own else mask_id_card(identifier),
        "kind": person.kind,
    }


def staff_of_department(department_id: int):
    """The active window officers and approvers assigned to a department."""
    from yiwang.accounts.models import User

    return User.objects.filter(kind=c.KIND_STAFF, is_active=True, role__in=(c.ROLE_WINDOW_OFFICER, c.ROLE_APPROVER),
                               departments__id=department_id).distinct().order_by("pk")
