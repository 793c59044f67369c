"""Over HTTP, end to end: a 个体工商户 applies with the item's form, the officer accepts, approves and
issues; the licence PDF the applicant downloads shows the business's name, operator, premises and
scope, and the acceptance notice PDF embeds its font and is dated when it was issued."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, act, form_for, upload
from tests.licences.test_pdf import INDIVIDUAL_FORM

pytestmark = pytest.mark.django_db

ANSWERS = {"business_name": "奉贤区张三小吃店", "operator_name": "张三", "organisation_form": "personal",
           "premises": "上海市奉贤区南桥镇解放东路1号", "business_scope": "小吃店经营；预包装食品销售", "capital": "10"}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def issued(catalog):
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem

    services.update_item(item=ServiceItem.objects.get(code=ITEM_ONE_LEVEL), changes={"form": INDIVIDUAL_FORM})
    resident = make_resident(real_name="张三")
    applicant = _api(resident)
    created = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL,
                                                        "form_data": form_for(ITEM_ONE_LEVEL, **ANSWERS)}, format="json")
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    for position in (1, 2):
        assert upload(applicant, case_id, position).status_code == 201
    case = applicant.post(f"/api/v1/applications/{case_id}/submit/", HTTP_IDEMPOTENCY_KEY="k-pdf").json()
    officer = _api(make_staff(role="window_officer", departments=["SCJG"]))
    case = act(officer, case, "accept").json()
    case = act(officer, case, "approve", opinion="符合条件").json()
    case = act(officer, case, "issue_result").json()
    assert case["state"] == "result_issued", case
    web = Client()
    web.force_login(resident)
    return web, case


def test_the_downloaded_licence_shows_the_business_from_the_form(issued):
    web, case = issued
    response = web.get(f"/licences/{case['licence_number']}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    lines = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().splitlines()
    for expected in ["营业执照", "名称：", "奉贤区张三小吃店", "经营者：", "张三", "组成形式：", "个人经营", "经营场所：",
                     "上海市奉贤区南桥镇解放东路1号", "经营范围：", "小吃店经营；预包装食品销售", "资金数额：", "10.00万元",  # money is stored with two decimals
                    
                     "注册日期：", "2026年3月10日", f"证照编号：{case['licence_number']}"]:
        assert expected in lines, expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make browser-deps) not installed")
def test_poppler_reads_the_same_text(issued):
    web, case = issued
    data = web.get(f"/licences/{case['licence_number']}/pdf/").content
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "经营者：" in text and "奉贤区张三小吃店" in text and case["licence_number"] in text
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    # pdffonts reads a file, not stdin, on some versions: fall back to a temporary file.
    if "UMingCN" not in fonts:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            fonts = subprocess.run(["pdffonts", handle.name], capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert sorted(row[0].split("+")[1] for row in rows) == ["DejaVuSansMono", "UMingCN-0"]
    assert all(row[-5:-3] == ["yes", "yes"] for row in rows), fonts  # embedded, subset


def test_the_acceptance_notice_pdf_embeds_its_font_and_is_dated_when_issued(issued):
    from yiwang.applications.models import Notice

    web, case = issued
    notice = Notice.objects.get(case_id=case["id"], kind="acceptance")
    response = web.get(f"/cases/{case['id']}/notices/{notice.pk}.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata["/CreationDate"] == "D:20260310100000+08'00'"
    assert reader.metadata.title == f"{notice.title} {case['number']}"
    assert reader.metadata.author == "区市场监督管理局"
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert f"办件编号：{case['number']}" in lines
    # The case number in the body is moved whole to the next line rather than cut in two.
    assert any(line.startswith(f"{case['number']}）材料齐全") for line in lines), lines
    fonts = [reference.get_object() for reference in reader.pages[0]["/Resources"]["/Font"].values()]
    assert [str(font["/BaseFont"]) for font in fonts] == ["/AAAAAA+UMingCN-0"]
    assert "/FontFile2" in fonts[0]["/FontDescriptor"].get_object()
