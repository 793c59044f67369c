"""Refused uploads on the draft page: the reason in the material's row, the limits beside each upload."""

from __future__ import annotations

import re

import pytest

from tests.applications_web.test_pages import EXE, ITEM, a_file, start_draft, submitted_case, upload
from yiwang.applications.models import CaseMaterial

TOO_LARGE = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
WRONG_TYPE = "文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，与扩展名无关）。"


@pytest.fixture(autouse=True)
def _item_asks_only_the_common_fields(catalog):
    """About material rows, not about the item's own form: without one (`form` {}) the item asks
    only the common fields, which the page tests' FORM fills."""
    from yiwang.catalog.models import ServiceItem

    ServiceItem.objects.filter(code=ITEM).update(form={})


def _row(html: str, position: int, prefix: str = "material-row") -> str:
    match = re.search(rf'<tr id="{prefix}-{position}".*?</tr>', html, re.S)
    assert match, f"no row {prefix}-{position}"
    return match.group(0)


def test_every_upload_states_the_limits_the_check_applies(resident_client, settings):
    settings.MATERIAL_MAX_BYTES = 3 * 1024 * 1024
    case_id = start_draft(resident_client)

    html = resident_client.get(f"/cases/{case_id}/edit/").content.decode()

    rows = re.findall(r'<tr id="material-row-(\d+)"', html)
    limits = re.findall(r'<small class="muted upload-limits" id="material-row-(\d+)-limits">(.*?)</small>', html)
    assert rows == ["1", "2", "3", "4"]
    assert limits == [(position, "PDF / JPEG / PNG，不超过 3 MB") for position in rows]
    assert html.count('accept="application/pdf,image/jpeg,image/png"') == 4
    assert 'aria-describedby="material-row-1-limits"' in html
    assert "每项材料上传一个文件（PDF / JPEG / PNG，不超过 3 MB，按文件内容判断类型）。" in html


def test_too_large_file_is_refused_in_its_row_with_the_input_marked_invalid(resident_client, settings):
    settings.MATERIAL_MAX_BYTES = 1024 * 1024
    case_id = start_draft(resident_client)

    refused = upload(resident_client, case_id, 1, a_file("big.pdf", TOO_LARGE))

    row = refused.content.decode()
    assert refused.status_code == 400
    assert row.lstrip().startswith('<tr id="material-row-1"') and "<html" not in row
    assert '<p class="error-text material-error" role="alert" id="material-row-1-error">文件超过大小上限 1 MB。</p>' in row
    assert 'aria-describedby="material-row-1-error material-row-1-limits" aria-invalid="true"' in row
    assert "PDF / JPEG / PNG，不超过 1 MB" in row
    assert "未上传" in row
    assert CaseMaterial.objects.filter(case_id=case_id).count() == 0


def test_refused_upload_without_htmx_shows_the_reason_in_the_row_and_points_to_it(resident_client):
    case_id = start_draft(resident_client)

    refused = upload(resident_client, case_id, 2, a_file("scan.pdf", EXE), htmx=False)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert WRONG_TYPE in _row(html, 2)
    assert 'aria-invalid="true"' in _row(html, 2) and 'aria-invalid' not in _row(html, 1)
    assert '<a href="#material-row-2">请查看材料“经营者身份证件”一行中的提示。</a>' in html
    assert html.count(WRONG_TYPE) == 1  # said once, where the material is
    assert 'id="form-error"' not in html
    assert CaseMaterial.objects.filter(case_id=case_id).count() == 0


def test_refusal_without_a_row_is_shown_at_the_top(resident_client):
    case_id = start_draft(resident_client)

    refused = upload(resident_client, case_id, 99, htmx=False)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert '<p class="error-text" role="alert" id="form-error">该事项没有序号为 99 的材料。</p>' in html


def test_refused_upload_on_the_case_page_is_shown_in_the_row_too(resident_client):
    case = submitted_case(resident_client)  # materials are closed once submitted

    refused = upload(resident_client, case.pk, 1, htmx=False)

    html = refused.content.decode()
    assert refused.status_code == 409
    assert "当前状态下不能上传该材料。" in _row(html, 1)
    assert '<a href="#material-row-1">请查看材料“个体工商户登记（备案）申请书”一行中的提示。</a>' in html
