"""The acceptance notice and the decision state what was applied for, from the case's frozen form."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, act, form_for, submitted_case
from yiwang.applications.models import Notice


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_notices_list_the_form_but_no_identifiers(catalog, settings_media):
    resident = make_resident(real_name="张三")
    officer = make_staff(role="window_officer", departments=["SCJG"])
    applicant = client_for(resident)
    case = submitted_case(applicant, ITEM_ONE_LEVEL)
    staff = client_for(officer)
    accepted = act(staff, case, "accept")
    assert accepted.status_code == 200, accepted.json()
    assert act(staff, accepted.json(), "approve").status_code == 200
    values = form_for(ITEM_ONE_LEVEL)
    stated = (
        "\n申请内容：\n"
        f"  个体工商户名称：{values['business_name']}\n"
        f"  经营者姓名：{values['operator_name']}\n"
        "  组成形式：个人经营\n"
        f"  经营场所：{values['premises']}\n"
        f"  经营范围：{values['business_scope']}\n"
        f"  从业人数：{values['employees']}\n"
        f"  资金数额（万元）：{values['capital']}"
    )
    bodies = dict(Notice.objects.filter(case_id=case["id"]).values_list("kind", "body"))
    assert stated + "\n\n" in bodies["acceptance"]
    assert stated + "\n\n" in bodies["approval"]
    assert "申请内容" not in bodies["receipt"]
    # The operator's ID number is the applicant's own, but a notice never prints it.
    assert values["operator_id_number"] not in bodies["acceptance"] + bodies["approval"]
