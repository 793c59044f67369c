"""Officers read a fetched record on the case page (each reading audited) and preview uploads inline."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import make_resident, make_staff
from tests.registries.conftest import ZHANGSAN_ID
from tests.registries.helpers import ITEM_SOLE_TRADER, POS_ID_CARD, draft, submit, upload
from yiwang.registries.models import DataAccess
from yiwang.registries.selectors import accesses_for_subject
from yiwang.registries.services import grant_and_fetch

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _item_asks_only_the_common_fields(catalog):
    """About reading materials, not about the item's own form: without one (`form` {}) the item asks
    only the common fields, which the helpers' FORM fills."""
    from yiwang.catalog.models import ServiceItem

    ServiceItem.objects.filter(code=ITEM_SOLE_TRADER).update(form={})


@pytest.fixture
def fetched_case(catalog, registry, zhangsan):
    """张三's submitted 个体工商户设立登记: 1 uploaded as a PDF, 2 (ID card) fetched from the household register."""
    case = draft(zhangsan)
    upload(zhangsan, case, 1)
    grant_and_fetch(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
    return submit(zhangsan, case)


@pytest.fixture
def officer(catalog):
    return make_staff(role="window_officer", departments=["SCJG"])


def _material(case, position):
    return case.materials.get(material_position=position, superseded=False)


def test_officer_reads_the_fetched_record_masked_and_the_reading_is_logged(fetched_case, officer, zhangsan):
    fetch = DataAccess.objects.get()

    response = _signed_in(officer).get(f"/cases/{fetched_case.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    section = re.search(r'<section class="material-content material-content-record" id="material-content-2">(.*?)</section>',
                        html, re.S).group(1)
    fields = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", section)
    assert fields == [
        ("姓名或名称", "张*"), ("性别", "男"), ("民族", "汉"), ("出生日期", "1990-03-07"),
        ("身份证号码", "310120********123X"), ("地址", "上海市奉贤区南桥镇解放东路1号"),
        ("签发机关", "上海市公安局奉贤分局"), ("有效期起", "2021-06-01"), ("有效期至", "2041-06-01"),
    ]
    assert "共享数据“居民身份证”，来源：户籍信息" in section
    assert "记录编号 GAHZ-IDC-0001" in section
    assert ZHANGSAN_ID not in html
    assert 'href="#material-content-2">查看调取内容</a>' in html
    reading = DataAccess.objects.exclude(pk=fetch.pk).get()
    assert (reading.accessor, reading.subject, reading.subject_identifier, reading.case_id, reading.material_position,
            reading.registry, reading.record_kind, reading.consent_id, reading.outcome, reading.detail,
            reading.record_id, reading.source) == (
        officer, zhangsan, ZHANGSAN_ID, fetched_case.pk, 2, "household", "id_card", fetch.consent_id, "viewed",
        "case_page", "GAHZ-IDC-0001", "platform")
    # The resident sees the reading among who looked at their data.
    entry = accesses_for_subject(zhangsan)[0]
    assert (entry.id, entry.outcome, entry.outcome_label, entry.is_self) == (reading.pk, "viewed", "工作人员查阅", False)


def test_every_showing_is_logged_and_the_applicant_reading_their_own_case_is_not(fetched_case, officer, zhangsan):
    staff = _signed_in(officer)
    staff.get(f"/cases/{fetched_case.pk}/")
    staff.get(f"/cases/{fetched_case.pk}/")
    own = _signed_in(zhangsan).get(f"/cases/{fetched_case.pk}/").content.decode()

    assert list(DataAccess.objects.order_by("id").values_list("accessor__username", "outcome")) == [
        ("zs", "ok"), (officer.username, "viewed"), (officer.username, "viewed")]
    assert "material-content" not in own  # the applicant's page is unchanged: no previews, no reading logged


def test_officer_downloading_the_record_is_logged_too(fetched_case, officer):
    shared = _material(fetched_case, POS_ID_CARD)

    response = _signed_in(officer).get(f"/api/v1/applications/{fetched_case.pk}/materials/{shared.pk}/?inline=1")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")  # a record is never shown inline raw
    assert list(DataAccess.objects.filter(outcome="viewed").values_list("accessor", "detail")) == [(officer.pk, "download")]


def test_uploaded_pdf_is_previewed_inline_for_staff_only_from_this_site(fetched_case, officer):
    pdf = _material(fetched_case, 1)
    url = f"/api/v1/applications/{fetched_case.pk}/materials/{pdf.pk}/"
    staff = _signed_in(officer)

    html = staff.get(f"/cases/{fetched_case.pk}/").content.decode()
    inline = staff.get(url + "?inline=1")
    download = staff.get(url)

    assert f'<iframe class="material-pdf" src="{url}?inline=1" title="1. 个体工商户登记（备案）申请书"' in html
    assert 'href="#material-content-1">预览</a>' in html
    assert inline.status_code == 200
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"] == 'inline; filename="scan.pdf"'
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert "default-src 'none'" in inline["Content-Security-Policy"]
    # Everything else keeps refusing to be framed.
    assert download["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]
    page = staff.get(f"/cases/{fetched_case.pk}/")
    assert page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_nobody_else_reaches_the_materials_inline_or_not(fetched_case, catalog):
    pdf, shared = _material(fetched_case, 1), _material(fetched_case, POS_ID_CARD)
    intruders = [make_resident(real_name="李四"), make_staff(role="window_officer", departments=["GAZA"])]
    before = DataAccess.objects.count()

    for intruder in intruders:
        client = _signed_in(intruder)
        for material in (pdf, shared):
            for suffix in ("", "?inline=1"):
                response = client.get(f"/api/v1/applications/{fetched_case.pk}/materials/{material.pk}/{suffix}")
                assert response.status_code == 404, (intruder.username, material.pk, suffix)
        assert client.get(f"/cases/{fetched_case.pk}/").status_code == 404
    assert Client().get(f"/api/v1/applications/{fetched_case.pk}/materials/{pdf.pk}/?inline=1").status_code == 401
    assert DataAccess.objects.count() == before
