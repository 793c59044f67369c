"""Drafts and cases for data-sharing tests, through the applications app's own services."""

from __future__ import annotations

import io

from tests.helpers import PDF_BYTES, form_for

ITEM_SOLE_TRADER = "310120-SCJG-01-0001"  # 个体工商户设立登记: 2 经营者身份证件 (household:id_card, 必要),
# 4 经营场所不动产权证书 (property:property_certificate)
POS_ID_CARD = 2
POS_PROPERTY = 4
ITEM_COMPANY = "310120-SCJG-01-0002"  # 有限责任公司设立登记 (企业开办): result 营业执照
ITEM_FOOD = "310120-SCJG-01-0003"  # 食品经营许可（新办）: 2 营业执照 (elicence:business_licence, 必要)
POS_BUSINESS_LICENCE = 2


def draft(user, item_code: str = ITEM_SOLE_TRADER, form: dict | None = None):
    from yiwang.applications.services import create_draft

    if form is None:  # the item's whole form, validly filled for this kind of applicant
        form = form_for(item_code, applicant_kind="enterprise" if user.kind == "enterprise" else "resident")
    return create_draft(applicant=user, item_code=item_code, form_data=dict(form))


def upload(user, case, position: int):
    from yiwang.applications.services import attach_material

    stream = io.BytesIO(PDF_BYTES)
    return attach_material(case_id=case.pk, user=user, position=position, stream=stream, original_name="scan.pdf")


def consent(user, case, scope: str = "household:id_card"):
    from yiwang.registries.services import grant_consent

    return grant_consent(user=user, exemptible_via=scope, case_id=case.pk, purpose="测试办件")


def submit(user, case, key: str = "k"):
    from yiwang.applications.services import submit_application

    return submit_application(case_id=case.pk, applicant=user, idempotency_key=key)


def run_to_result(case, officer):
    """Accept, approve and issue the result of a submitted one-level case (the licence is signed)."""
    from yiwang.applications.services import perform_action

    for action in ("accept", "approve", "issue_result"):
        case = perform_action(case_id=case.pk, actor=officer, action=action, expected_version=case.version)
    return case


def start_company(company, officer):
    """企业开办: the enterprise's 有限责任公司设立登记 through to its issued business licence."""
    from yiwang.licences.selectors import licence_for_case

    case = draft(company, ITEM_COMPANY, form=form_for(ITEM_COMPANY, applicant_kind="enterprise", contact_name="张三"))
    for position in (1, 2, 3, 5):
        upload(company, case, position)
    case = run_to_result(submit(company, case, key="company-start"), officer)
    return licence_for_case(case)
