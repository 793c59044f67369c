"""Pages: the fetch control (htmx), my data, withdraw, the report and the access log."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import make_staff
from tests.conftest import DEFAULT_NOW
from tests.registries.conftest import ZHANGSAN_ID
from tests.registries.helpers import POS_ID_CARD, consent, draft, submit, upload
from yiwang.registries.models import Consent, DataAccess
from yiwang.registries.services import fetch_material_for_case

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(case, position=POS_ID_CARD):
    return f"/data-sharing/cases/{case.pk}/materials/{position}/fetch/"


def test_fetch_control_needs_the_consent_checkbox(client, catalog, registry, zhangsan):
    case = draft(zhangsan)
    client.force_login(zhangsan)
    response = client.post(_url(case), {}, **HTMX)
    assert response.status_code == 400
    assert "请先勾选“我同意调取…”" in response.content.decode()
    assert Consent.objects.count() == 0
    assert DataAccess.objects.count() == 0


def test_fetch_control_grants_consent_fetches_and_shows_the_source(client, catalog, registry, zhangsan):
    case = draft(zhangsan)
    client.force_login(zhangsan)
    response = client.post(_url(case), {"consent": "yes"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fetch-control-2"' in html
    assert "已调取（免交）" in html
    assert "来源：户籍信息" in html
    assert response["HX-Trigger"] == '{"yiwang:material-fetched": {"case": %d, "position": 2}}' % case.pk
    consent_row = Consent.objects.get()
    assert (consent_row.scope, consent_row.case_id) == ("household:id_card", case.pk)
    assert consent_row.purpose == f"办理“个体工商户设立登记”（草稿 {case.pk}）：免交“经营者身份证件”"
    assert case.materials.get().source == "registry"


def test_fetch_control_says_why_and_offers_upload_when_the_registry_is_down(client, catalog, registry, zhangsan, settings):
    from tests.registries.conftest import free_port

    settings.YIWANG_REGISTRY_URL = f"http://127.0.0.1:{free_port()}"
    case = draft(zhangsan)
    client.force_login(zhangsan)
    response = client.post(_url(case), {"consent": "yes"}, **HTMX)
    assert response.status_code == 503
    html = response.content.decode()
    assert "“户籍信息”暂时无法访问，请上传该材料" in html
    assert "调取失败时仍可上传该材料。" in html
    assert case.materials.count() == 0


def test_fetch_control_in_english(client, catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_URL = "http://127.0.0.1:9"
    case = draft(zhangsan)
    client.force_login(zhangsan)
    client.cookies["django_language"] = "en"
    response = client.post(_url(case), {"consent": "yes"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX)
    html = response.content.decode()
    assert "please upload the material instead" in html
    assert "If fetching fails you can still upload the material." in html


def test_plain_post_redirects_back_to_the_draft(client, catalog, registry, zhangsan):
    case = draft(zhangsan)
    client.force_login(zhangsan)
    response = client.post(_url(case), {"consent": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/edit/"


def test_plain_post_that_fails_shows_the_draft_with_the_reason_in_the_materials_row(client, catalog, registry, zhangsan):
    registry.drill("household", "error")
    case = draft(zhangsan)
    client.force_login(zhangsan)

    response = client.post(_url(case), {"consent": "yes"})

    html = response.content.decode()
    assert response.status_code == 503
    row = re.search(r'<tr id="material-row-2".*?</tr>', html, re.S).group(0)
    assert ('<p class="error-text material-error" role="alert" id="material-row-2-error">'
            "“户籍信息”暂时无法访问，请上传该材料，或稍后再试。已填写的内容和已上传的材料不受影响。</p>") in row
    assert '<a href="#material-row-2">请查看材料“经营者身份证件”一行中的提示。</a>' in html
    assert 'value="上海市奉贤区南桥镇解放东路1号"' in html  # the draft's form is kept
    assert case.materials.count() == 0
    assert list(DataAccess.objects.values_list("outcome", "detail")) == [("unavailable", "http_500")]


def test_htmx_failure_answers_the_control_with_the_reason(client, catalog, registry, zhangsan):
    registry.drill("household", "error")
    case = draft(zhangsan)
    client.force_login(zhangsan)

    response = client.post(_url(case), {"consent": "yes"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 503
    assert html.lstrip().startswith('<div class="fetch-control" id="fetch-control-2">')
    assert ('<p class="error-text fetch-error" role="alert">“户籍信息”暂时无法访问，请上传该材料，或稍后再试。'
            "已填写的内容和已上传的材料不受影响。</p>") in html


def test_another_persons_case_is_404_and_nothing_happens(client, catalog, registry, zhangsan, lisi):
    case = draft(zhangsan)
    client.force_login(lisi)
    response = client.post(_url(case), {"consent": "yes"}, **HTMX)
    assert response.status_code == 404
    assert Consent.objects.count() == 0
    assert DataAccess.objects.count() == 0


def test_staff_cannot_use_the_fetch_control(client, catalog, zhangsan):
    case = draft(zhangsan)
    client.force_login(make_staff(role="window_officer", departments=["SCJG"]))
    assert client.post(_url(case), {"consent": "yes"}, **HTMX).status_code == 403
    assert Consent.objects.count() == 0


def _render_tag(user, case, row):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load registries_tags %}{% fetch_control case row %}")
    return template.render(Context({"request": request, "case": case, "row": row, "csrf_token": "tok"}))


class Row:
    def __init__(self, position, can_upload=True, upload=None):
        self.position, self.can_upload, self.upload = position, can_upload, upload


def test_template_tag_offers_the_control_only_where_it_applies(catalog, zhangsan, lisi):
    case = draft(zhangsan)
    html = _render_tag(zhangsan, case, Row(POS_ID_CARD))
    assert f'action="/data-sharing/cases/{case.pk}/materials/2/fetch/"' in html
    assert "我同意调取我在“户籍信息”中的“居民身份证”" in html
    assert 'name="csrfmiddlewaretoken" value="tok"' in html
    assert _render_tag(zhangsan, case, Row(1)).strip() == ""  # not exemptible
    assert _render_tag(zhangsan, case, Row(POS_ID_CARD, can_upload=False)).strip() == ""
    assert _render_tag(lisi, case, Row(POS_ID_CARD)).strip() == ""  # not the applicant


def test_my_data_shows_who_fetched_what_for_which_case(client, catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case)
    fetch_material_for_case(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
    client.force_login(zhangsan)
    html = client.get("/data-sharing/my-data/").content.decode()
    assert html.count('class="access-row"') == 1
    assert "户籍信息 · 居民身份证" in html
    assert "本人" in html and "经一网通办平台" in html
    assert f"草稿 #{case.pk}" in html
    assert "测试办件" in html
    assert "调取成功" in html
    # The registry's own record of the query, beside ours.
    receipt = DataAccess.objects.get().registry_query_id
    assert f'<td class="registry-receipt">{receipt}<br><small class="muted">2026-03-10 10:00:00</small></td>' in html
    assert html.count('class="consent-row"') == 1
    assert "撤回授权" in html


def test_my_data_shows_only_my_own_accesses(client, catalog, registry, zhangsan, lisi):
    case = draft(zhangsan)
    consent(zhangsan, case)
    fetch_material_for_case(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
    client.force_login(lisi)
    html = client.get("/data-sharing/my-data/").content.decode()
    assert 'class="access-row"' not in html
    assert 'class="consent-row"' not in html


def test_withdraw_button(client, catalog, zhangsan):
    given = consent(zhangsan, draft(zhangsan))
    client.force_login(zhangsan)
    response = client.post(f"/data-sharing/consents/{given.pk}/withdraw/", follow=True)
    assert "已撤回授权" in response.content.decode()
    given.refresh_from_db()
    assert given.withdrawn_at == DEFAULT_NOW


def test_withdrawing_someone_elses_consent_changes_nothing(client, catalog, zhangsan, lisi):
    given = consent(zhangsan, draft(zhangsan))
    client.force_login(lisi)
    response = client.post(f"/data-sharing/consents/{given.pk}/withdraw/", follow=True)
    assert "授权记录不存在" in response.content.decode()
    given.refresh_from_db()
    assert given.withdrawn_at is None


def test_report_page_is_for_staff(client, catalog, registry, zhangsan):
    case = draft(zhangsan)
    upload(zhangsan, case, 1)
    consent(zhangsan, case)
    fetch_material_for_case(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
    submit(zhangsan, case)
    client.force_login(zhangsan)
    assert client.get("/data-sharing/report/").status_code == 403
    client.force_login(make_staff(role="window_officer", departments=["SCJG"]))
    html = client.get("/data-sharing/report/").content.decode()
    assert '<tr class="report-row" data-item="310120-SCJG-01-0001">' in html
    assert "<td>2</td><td>1</td><td>1</td><td>1</td>" in html
    assert "数据调取日志" not in html  # only auditors and administrators see the log link


def test_access_log_is_for_auditors_and_masks_id_numbers(client, catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case)
    fetch_material_for_case(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
    client.force_login(make_staff(role="window_officer", departments=["SCJG"]))
    assert client.get("/data-sharing/access-log/").status_code == 403
    client.force_login(make_staff(role="auditor"))
    html = client.get("/data-sharing/access-log/").content.decode()
    assert html.count('class="log-row"') == 1
    assert "310120********123X" in html
    assert ZHANGSAN_ID not in html
    assert "张*" in html and "张三" not in html
    assert "household:id_card" in html
