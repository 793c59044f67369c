"""Role checks for API views (DRF permission classes) and web views (decorators and mixins).

API: ``permission_classes = [IsResidentOrEnterprise]``, ``[IsStaff]`` or
``[HasStaffRole(ROLE_APPROVER, ROLE_WINDOW_OFFICER)]``. Anonymous requests get 401, wrong
roles 403 (the error shape of core/api.py).

Web: ``@applicant_required``, ``@staff_required`` or ``@staff_required(roles=[...])`` on a
function view; ``ApplicantRequiredMixin`` / ``StaffRequiredMixin`` (``staff_roles = [...]``) on
a class view. Anonymous visitors are redirected to the login page with ``next``; a signed-in
user with the wrong role gets a 403 page with a bilingual message.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, Iterable

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from rest_framework.permissions import BasePermission

from yiwang.accounts import selectors

# ---------------------------------------------------------------------------------------------
# DRF
# ---------------------------------------------------------------------------------------------


class IsResidentOrEnterprise(BasePermission):
    """Applicants only: residents and enterprises."""

    message = "仅限个人或企业用户办理。"

    def has_permission(self, request, view) -> bool:
        return selectors.is_resident_like(request.user)


class IsStaff(BasePermission):
    """Any staff member with a role."""

    message = "仅限工作人员使用。"

    def has_permission(self, request, view) -> bool:
        return selectors.is_staff_member(request.user)


def HasStaffRole(*roles: str) -> type[BasePermission]:  # noqa: N802 - reads like a class in permission_classes
    """A permission class admitting staff members whose role is one of `roles`."""
    if len(roles) == 1 and not isinstance(roles[0], str):
        roles = tuple(roles[0])
    allowed = frozenset(roles)

    class _HasStaffRole(BasePermission):
        message = "您的岗位角色无权执行此操作。"

        def has_permission(self, request, view) -> bool:
            return selectors.has_role(request.user, *allowed)

    _HasStaffRole.__name__ = f"HasStaffRole_{'_'.join(sorted(allowed))}"
    _HasStaffRole.__qualname__ = _HasStaffRole.__name__
    return _HasStaffRole


# ---------------------------------------------------------------------------------------------
# Django views
# ---------------------------------------------------------------------------------------------


def forbidden_response(request, *, message: str, message_en: str):
    """The 403 page, with both languages so the reason is readable whatever the locale."""
    return render(
        request,
        "accounts/forbidden.html",
        {"message": message, "message_en": message_en},
        status=403,
    )


def _guard(request, allowed: Callable[[object], bool], message: str, message_en: str):
    """None when the user may go on; otherwise the redirect or the 403 response."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not allowed(user):
        return forbidden_response(request, message=message, message_en=message_en)
    return None


def _staff_check(roles: Iterable[str] | None) -> Callable[[object], bool]:
    if roles is None:
        return selectors.is_staff_member
    allowed = tuple(roles)
    return lambda user: selectors.has_role(user, *allowed)


_STAFF_MESSAGE = ("此页面仅限相应岗位的工作人员访问。", "This page is for staff members with the required role only.")
_APPLICANT_MESSAGE = ("此页面仅限个人或企业用户访问。", "This page is for residents and enterprises only.")


def staff_required(view_func=None, *, roles: Iterable[str] | None = None):
    """Decorator: staff only (any role, or one of `roles`). Use bare or with ``roles=[...]``."""

    def decorator(func):
        check = _staff_check(roles)

        @wraps(func)
        def wrapper(request, *args, **kwargs):
            refusal = _guard(request, check, *_STAFF_MESSAGE)
            return refusal if refusal is not None else func(request, *args, **kwargs)

        return wrapper

    return decorator(view_func) if view_func is not None else decorator


def applicant_required(view_func=None):
    """Decorator: residents and enterprises only. Use bare or as ``@applicant_required()``."""

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            refusal = _guard(request, selectors.is_resident_like, *_APPLICANT_MESSAGE)
            return refusal if refusal is not None else func(request, *args, **kwargs)

        return wrapper

    return decorator(view_func) if view_func is not None else decorator


class StaffRequiredMixin:
    """Class-view mixin: staff only; set ``staff_roles`` to restrict to some roles."""

    staff_roles: Iterable[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        refusal = _guard(request, _staff_check(self.staff_roles), *_STAFF_MESSAGE)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)


class ApplicantRequiredMixin:
    """Class-view mixin: residents and enterprises only."""

    def dispatch(self, request, *args, **kwargs):
        refusal = _guard(request, selectors.is_resident_like, *_APPLICANT_MESSAGE)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)
