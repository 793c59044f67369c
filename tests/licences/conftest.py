"""Approved cases built directly (the applications app's workflow is not under test here)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

ITEM_CODE = "310120-SCJG-01-0001"  # 个体工商户设立登记, department SCJG, result 营业执照
DECIDED_AT = dt.datetime(2026, 3, 5, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def make_case(applicant, *, number: str = "TEST-0001", item_code: str = ITEM_CODE, result_name: str = "营业执照"):
    from yiwang.applications.models import Case
    from yiwang.catalog.models import ServiceItem

    item = ServiceItem.objects.select_related("department").get(code=item_code)
    return Case.objects.create(
        number=number,
        item=item,
        department=item.department,
        applicant=applicant,
        state="approved",
        rules={"result": {"type": "certificate", "name": result_name}, "item_name": item.name},
        form_data={"address": "上海市奉贤区南桥镇解放东路1号"},
        decided_at=DECIDED_AT,
    )


@pytest.fixture(autouse=True)
def _media(settings_media):
    """Every test renders PDFs into its own temporary MEDIA_ROOT."""
    return settings_media




@pytest.fixture
def case(catalog, resident):
    return make_case(resident)


@pytest.fixture
def approver(db):
    from tests.factories import make_staff

    return make_staff(role="window_officer", departments=["SCJG"])


@pytest.fixture
def licence(case, approver):
    from yiwang.licences.services import issue_licence

    return issue_licence(case=case, issued_by=approver)
