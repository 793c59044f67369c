"""The blank paper application form (申请书) offered on the guide, drawn from the item's form."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from yiwang.catalog.application_forms import parse_form_definition
from yiwang.catalog.models import ServiceItem

PERSON_ONLY = "310120-SCJG-01-0001"  # 个体工商户设立登记: material 1 is the 申请书
BUSINESS_ONLY = "310120-SCJG-01-0006"
BOTH = "310120-SCJG-01-0002"


def _text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.django_db
def test_the_guide_offers_the_blank_form_for_each_kind_of_applicant(catalog, client):
    page = client.get(f"/items/{PERSON_ONLY}/").content.decode()
    assert page.count('class="blank-form"') == 1
    assert f'href="/items/{PERSON_ONLY}/materials/1/blank-form/?for=resident"' in page
    both = client.get(f"/items/{BOTH}/").content.decode()
    assert f"/items/{BOTH}/materials/1/blank-form/?for=resident" in both
    assert f"/items/{BOTH}/materials/1/blank-form/?for=enterprise" in both
    assert "下载空白表格（个人）" in both and "下载空白表格（单位）" in both


@pytest.mark.django_db
def test_the_blank_form_asks_what_the_online_form_asks(catalog, client):
    response = client.get(f"/items/{PERSON_ONLY}/materials/1/blank-form/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{PERSON_ONLY}-1-resident.pdf"'
    text = _text(response)
    item = ServiceItem.objects.get(code=PERSON_ONLY)
    for field in parse_form_definition(item.form):
        assert field.label in text, field.label
    for label in ("个体工商户登记（备案）申请书", "申请人姓名", "公民身份号码", "联系电话（手机）", "联系地址", "个人经营", "家庭经营",
                  "“组成形式”选“家庭经营”时填写", "与经营者关系", "申请人签字（盖章）", "/cases/apply/310120-SCJG-01-0001/"):
        assert label in text, label
    assert "统一社会信用代码" not in text
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == "个体工商户登记（备案）申请书（空白）"
    fonts = {font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert all("+" in name for name in fonts)  # subsets, embedded


@pytest.mark.django_db
def test_a_business_form_asks_the_credit_code_and_the_contact_person(catalog, client):
    default = client.get(f"/items/{BUSINESS_ONLY}/materials/1/blank-form/")
    assert default.status_code == 200
    assert default["Content-Disposition"].endswith(f'"{BUSINESS_ONLY}-1-enterprise.pdf"')
    text = _text(default)
    for label in ("申请单位名称", "统一社会信用代码", "经办人姓名"):
        assert label in text, label
    assert "公民身份号码" not in text
    assert client.get(f"/items/{BOTH}/materials/1/blank-form/?for=enterprise").status_code == 200


@pytest.mark.django_db
def test_refusals_name_the_fault(catalog, client):
    not_a_form = client.get(f"/items/{PERSON_ONLY}/materials/2/blank-form/")
    assert not_a_form.status_code == 404
    assert "第 2 项材料不是申请表格" in not_a_form.content.decode()
    assert client.get(f"/items/{PERSON_ONLY}/materials/99/blank-form/").status_code == 404
    assert client.get("/items/310120-XXXX-01-9999/materials/1/blank-form/").status_code == 404
    wrong_kind = client.get(f"/items/{PERSON_ONLY}/materials/1/blank-form/?for=enterprise")
    assert wrong_kind.status_code == 400
    assert "Applicant kind “enterprise” is not offered for this item; choose resident." in wrong_kind.content.decode()
    assert "无法下载空白申请表" in wrong_kind.content.decode()
