"""The permission surface: selectors, DRF permission classes, view decorators and mixins."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from tests.factories import make_enterprise, make_resident, make_staff
from yiwang.accounts import selectors
from yiwang.accounts.permissions import (
    ApplicantRequiredMixin,
    HasStaffRole,
    IsResidentOrEnterprise,
    IsStaff,
    StaffRequiredMixin,
    applicant_required,
    staff_required,
)
from yiwang.catalog.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(catalog):
    inactive = make_staff(role="window_officer", departments=["SCJG"])
    inactive.is_active = False
    inactive.save()
    return {
        "anonymous": AnonymousUser(),
        "resident": make_resident(),
        "enterprise": make_enterprise(),
        "officer": make_staff(role="window_officer", departments=["SCJG"]),
        "approver": make_staff(role="approver", departments=["SCJG", "WJW"]),
        "manager": make_staff(role="hall_manager"),
        "administrator": make_staff(role="administrator"),
        "auditor": make_staff(role="auditor"),
        "inactive": inactive,
    }


def _dept(code):
    return Department.objects.get(code=code).pk


def test_is_resident_like_and_is_staff_member(people):
    assert {k for k, u in people.items() if selectors.is_resident_like(u)} == {"resident", "enterprise"}
    assert {k for k, u in people.items() if selectors.is_staff_member(u)} == {
        "officer",
        "approver",
        "manager",
        "administrator",
        "auditor",
    }


def test_has_role(people):
    assert selectors.has_role(people["officer"], "window_officer")
    assert selectors.has_role(people["officer"], "approver", "window_officer")
    assert not selectors.has_role(people["officer"], "approver")
    assert not selectors.has_role(people["inactive"], "window_officer")
    assert not selectors.has_role(people["resident"], "window_officer", "approver", "")
    assert not selectors.has_role(people["anonymous"], "administrator")


def test_staff_department_ids(people):
    assert selectors.staff_department_ids(people["officer"]) == {_dept("SCJG")}
    assert selectors.staff_department_ids(people["approver"]) == {_dept("SCJG"), _dept("WJW")}
    for everything in ("manager", "administrator", "auditor"):
        assert selectors.staff_department_ids(people[everything]) is None
    for nobody in ("anonymous", "resident", "enterprise", "inactive"):
        assert selectors.staff_department_ids(people[nobody]) == set()
    assert selectors.staff_department_codes(people["approver"]) == ["SCJG", "WJW"]
    assert selectors.staff_department_codes(people["resident"]) == []


def test_can_act_in_department(people):
    scjg, wjw = _dept("SCJG"), _dept("WJW")
    assert selectors.can_act_in_department(people["officer"], scjg, "window_officer")
    assert not selectors.can_act_in_department(people["officer"], wjw, "window_officer")
    assert not selectors.can_act_in_department(people["officer"], scjg, "approver")
    assert selectors.can_act_in_department(people["approver"], wjw, "approver")
    assert not selectors.can_act_in_department(people["approver"], scjg, "window_officer")
    # Seeing everything is not deciding: administrators and auditors hold neither case role.
    for role in ("window_officer", "approver"):
        for who in ("manager", "administrator", "auditor", "resident", "enterprise", "anonymous", "inactive"):
            assert not selectors.can_act_in_department(people[who], scjg, role), (who, role)
    assert selectors.can_act_in_department(people["manager"], wjw, "hall_manager")
    assert selectors.can_see_department(people["auditor"], wjw)
    assert not selectors.can_see_department(people["officer"], wjw)


# --- DRF --------------------------------------------------------------------------------------


class _Probe(APIView):
    def get(self, request):
        return Response({"ok": True})


def _api_status(permission, user) -> int:
    view = type("ProbeView", (_Probe,), {"permission_classes": [permission]}).as_view()
    request = APIRequestFactory().get("/probe/")
    if user.is_authenticated:
        force_authenticate(request, user=user)
    return view(request).status_code


def test_drf_is_resident_or_enterprise(people):
    statuses = {k: _api_status(IsResidentOrEnterprise, u) for k, u in people.items()}
    assert statuses == {
        "anonymous": 401,  # token authentication comes first and asks for credentials
        "resident": 200,
        "enterprise": 200,
        "officer": 403,
        "approver": 403,
        "manager": 403,
        "administrator": 403,
        "auditor": 403,
        "inactive": 403,
    }


def test_drf_is_staff_and_has_staff_role(people):
    assert {k for k, u in people.items() if _api_status(IsStaff, u) == 200} == {
        "officer",
        "approver",
        "manager",
        "administrator",
        "auditor",
    }
    deciders = HasStaffRole("window_officer", "approver")
    assert {k for k, u in people.items() if _api_status(deciders, u) == 200} == {"officer", "approver"}
    auditors = HasStaffRole(["auditor"])
    assert {k for k, u in people.items() if _api_status(auditors, u) == 200} == {"auditor"}


def test_drf_refusal_uses_the_error_shape(people):
    view = type("ProbeView", (_Probe,), {"permission_classes": [IsStaff]}).as_view()
    request = APIRequestFactory().get("/probe/")
    force_authenticate(request, user=people["resident"])
    response = view(request)
    response.render()
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


# --- Django views -----------------------------------------------------------------------------


def _request(user, path="/cases/queue/?page=2"):
    request = RequestFactory().get(path)
    request.user = user
    return request


@staff_required
def any_staff_view(request):
    return HttpResponse("staff ok")


@staff_required(roles=["approver", "window_officer"])
def decider_view(request):
    return HttpResponse("decider ok")


@applicant_required
def applicant_view(request):
    return HttpResponse("applicant ok")


@applicant_required()
def applicant_view_called(request):
    return HttpResponse("applicant ok")


class DeciderPage(StaffRequiredMixin, View):
    staff_roles = ["approver"]

    def get(self, request):
        return HttpResponse("approver ok")


class ApplicantPage(ApplicantRequiredMixin, View):
    def get(self, request):
        return HttpResponse("applicant ok")


def test_anonymous_is_redirected_to_login_with_next(people):
    for view in (any_staff_view, decider_view, applicant_view, DeciderPage.as_view(), ApplicantPage.as_view()):
        response = view(_request(people["anonymous"]))
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/cases/queue/%3Fpage%3D2"


def test_staff_required_roles(people):
    allowed = {k for k, u in people.items() if u.is_authenticated and any_staff_view(_request(u)).status_code == 200}
    assert allowed == {"officer", "approver", "manager", "administrator", "auditor"}
    allowed = {k for k, u in people.items() if u.is_authenticated and decider_view(_request(u)).status_code == 200}
    assert allowed == {"officer", "approver"}
    page = DeciderPage.as_view()
    allowed = {k for k, u in people.items() if u.is_authenticated and page(_request(u)).status_code == 200}
    assert allowed == {"approver"}


def test_applicant_required(people):
    for view in (applicant_view, applicant_view_called, ApplicantPage.as_view()):
        allowed = {k for k, u in people.items() if u.is_authenticated and view(_request(u)).status_code == 200}
        assert allowed == {"resident", "enterprise"}


def test_wrong_role_gets_a_bilingual_403_page(people):
    response = decider_view(_request(people["auditor"]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "此页面仅限相应岗位的工作人员访问。" in body
    assert "This page is for staff members with the required role only." in body
    response = applicant_view(_request(people["officer"]))
    assert response.status_code == 403
    assert "This page is for residents and enterprises only." in response.content.decode()
