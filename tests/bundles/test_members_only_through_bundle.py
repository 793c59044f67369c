"""Issue 8, defect 3: a 一件事's member drafts are its own: not listed as standalone drafts, not
submittable alone (the bundle would be left in draft), their edit page leads to the bundle."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.bundles.conftest import member, start, upload_required

pytestmark = pytest.mark.django_db


def test_member_drafts_are_not_standalone_drafts(applicant, enterprise, fixed_today):
    from yiwang.applications.models import Case

    started = start(applicant).json()
    drafts = Case.objects.filter(applicant=enterprise, state="draft")
    assert drafts.count() == 7 and set(drafts.values_list("in_bundle", flat=True)) == {True}
    web = Client()
    web.force_login(enterprise)
    mine = web.get("/cases/mine/").content.decode()
    assert "继续填写" not in mine and "您还没有办件。" in mine
    assert applicant.get("/api/v1/applications/").json() == []
    company_case = member(started, "310120-SCJG-01-0002")["case"]["id"]
    edit = web.get(f"/cases/{company_case}/edit/")
    assert (edit.status_code, edit["Location"]) == (302, f"/bundles/cases/{started['id']}/")


def test_a_member_cannot_be_submitted_alone_and_the_bundle_submits_it(applicant, enterprise, fixed_today):
    from yiwang.applications.models import Case
    from yiwang.bundles.models import BundleCase

    started = start(applicant).json()
    upload_required(applicant, started)
    company_case = member(started, "310120-SCJG-01-0002")["case"]["id"]
    refused = applicant.post(f"/api/v1/applications/{company_case}/submit/", HTTP_IDEMPOTENCY_KEY="alone-1")
    assert (refused.status_code, refused.json()["code"]) == (409, "bundle_member")
    assert Case.objects.get(pk=company_case).state == "draft"
    web = Client()
    web.force_login(enterprise)
    page = web.post(f"/cases/{company_case}/submit/", {"idempotency_key": "alone-2"})
    assert page.status_code == 409 and "请在一件事中一并提交" in page.content.decode()
    assert Case.objects.get(pk=company_case).state == "draft"
    submitted = applicant.post(f"/api/v1/bundle-applications/{started['id']}/submit/", HTTP_IDEMPOTENCY_KEY="b-1")
    assert submitted.status_code == 200, submitted.json()
    assert BundleCase.objects.get(pk=started["id"]).submitted_at is not None
    assert set(Case.objects.filter(applicant=enterprise).values_list("state", flat=True)) == {"received"}
    # Submitted, the members are listed, each marked as part of its bundle.
    mine = web.get("/cases/mine/").content.decode()
    assert mine.count(f'class="badge bundle-member" href="/bundles/cases/{started["id"]}/"') == 7
    assert len(applicant.get("/api/v1/applications/").json()) == 7
