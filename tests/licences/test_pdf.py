"""The licence PDF: the document of its result type filled from the case's form, embedded font
subsets, metadata, text that extracts exactly, QR target, the full signature, deterministic cache."""

import datetime as dt
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import qrcode
from django.conf import settings
from pypdf import PdfReader

from tests.licences.conftest import make_case
from tests.licences.qr import drawn_qr_matrix
from yiwang.core.errors import Conflict
from yiwang.licences import documents, pdf, signing
from yiwang.licences.models import Licence
from yiwang.licences.selectors import render_licence_pdf, verification_url, verify_licence

SHANGHAI = ZoneInfo("Asia/Shanghai")
INDIVIDUAL_FORM = {"fields": [
    {"name": "business_name", "label": "个体工商户名称", "label_en": "Name of the business", "max_length": 50},
    {"name": "operator_name", "label": "经营者姓名", "label_en": "Operator", "max_length": 50},
    {"name": "organisation_form", "label": "组成形式", "label_en": "Form of organisation", "kind": "choice",
     "options": [{"value": "personal", "label": "个人经营", "label_en": "One person"},
                 {"value": "family", "label": "家庭经营", "label_en": "A family"}]},
    {"name": "premises", "label": "经营场所", "label_en": "Premises", "kind": "address"},
    {"name": "business_scope", "label": "经营范围", "label_en": "Business scope", "max_length": 2000, "multiline": True,
     "kind": "textarea"},
    {"name": "capital", "label": "资金数额（万元）", "label_en": "Capital (10,000 yuan)", "kind": "money", "min": 0},
]}
INDIVIDUAL_ANSWERS = {"business_name": "奉贤区张三小吃店", "operator_name": "张三", "organisation_form": "personal",
                      "premises": "上海市奉贤区南桥镇解放东路1号", "business_scope": "小吃店经营；预包装食品销售",
                      "capital": "10", "phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def _fonts(data: bytes) -> dict:
    reader = PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def _with_form(item_code: str, form: dict):
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem

    return services.update_item(item=ServiceItem.objects.get(code=item_code), changes={"form": form})


def _issue(case, approver):
    from yiwang.licences.services import issue_licence

    return issue_licence(case=case, issued_by=approver)


def _case_with_form(resident, *, item_code: str, form: dict, answers: dict, result_name: str, number: str = "TEST-0002"):
    item = _with_form(item_code, form)
    case = make_case(resident, number=number, item_code=item_code, result_name=result_name)
    case.rules = {**case.rules, "form": item.form}
    case.form_data = answers
    case.save(update_fields=["rules", "form_data"])
    return case


@pytest.fixture
def individual_licence(catalog, resident, approver):
    case = _case_with_form(resident, item_code="310120-SCJG-01-0001", form=INDIVIDUAL_FORM, answers=INDIVIDUAL_ANSWERS,
                           result_name="营业执照")
    return _issue(case, approver)


def test_individual_business_licence_is_filled_from_the_form(individual_licence):
    content = individual_licence.content
    code = documents.unified_credit_code(seed=individual_licence.number, layout=documents.LAYOUT_INDIVIDUAL_BUSINESS)
    assert content["document"] == {"layout": "individual_business_licence", "fields": [
        ["统一社会信用代码", code], ["名称", "奉贤区张三小吃店"], ["类型", "个体工商户"], ["经营者", "张三"],
        ["组成形式", "个人经营"], ["经营场所", "上海市奉贤区南桥镇解放东路1号"], ["经营范围", "小吃店经营；预包装食品销售"],
        ["资金数额", "10万元"], ["注册日期", "2026年3月5日"]]}
    assert verify_licence(individual_licence.number).status == "valid"  # the document is signed with the rest
    text = _text(render_licence_pdf(individual_licence))
    lines = text.splitlines()
    for label, value in content["document"]["fields"]:
        assert f"{label}：" in lines and value in lines, (label, value)
    assert "13800138000" not in text  # contact fields are not part of the result


def test_a_licence_of_a_case_without_a_form_prints_dashes(licence):
    assert licence.content["document"]["layout"] == "individual_business_licence"
    lines = _text(render_licence_pdf(licence)).splitlines()
    assert lines[lines.index("名称：") + 1] == "—"
    assert lines[lines.index("经营者：") + 1] == "—"
    assert lines[lines.index("类型：") + 1] == "个体工商户"


def test_food_business_licence_and_generic_decision_render_their_fields(catalog, resident, approver):
    food_form = {"fields": [
        {"name": "licence_holder_name", "label": "经营者名称", "label_en": "Operator name"},
        {"name": "premises", "label": "经营场所", "label_en": "Premises", "kind": "address"},
        {"name": "main_business_type", "label": "主体业态", "label_en": "Main type", "kind": "choice",
         "options": [{"value": "sales", "label": "食品销售经营者", "label_en": "Food sales"},
                     {"value": "catering", "label": "餐饮服务经营者", "label_en": "Catering"}]},
    ]}
    food = _issue(_case_with_form(resident, item_code="310120-SCJG-01-0003", form=food_form, result_name="食品经营许可证",
                                  answers={"licence_holder_name": "奉贤区张三小吃店", "premises": "上海市奉贤区南桥镇解放东路1号",
                                           "main_business_type": "catering"}), approver)
    lines = _text(render_licence_pdf(food)).splitlines()
    permit = dict(food.content["document"]["fields"])["许可证编号"]
    assert re.fullmatch(r"JY2310120\d{7}", permit)
    for expected in ["食品经营许可证", "奉贤区张三小吃店", "餐饮服务经营者", permit, "2031年3月4日", "法定代表人（负责人）：",
                     "社会信用代码（身份证号码）："]:  # the longest label on one line
        assert expected in lines, expected

    plan_form = {"fields": [{"name": "project_name", "label": "建设项目名称", "label_en": "Project"},
                            {"name": "floor_area", "label": "建筑面积（平方米）", "label_en": "Floor area", "kind": "number"}]}
    plan = _issue(_case_with_form(resident, item_code="310120-GHZY-01-0003", form=plan_form, result_name="建设工程规划许可证",
                                  answers={"project_name": "南桥镇社区服务中心"}, number="TEST-0003"), approver)
    text = _text(render_licence_pdf(plan))
    lines = text.splitlines()
    for expected in ["建设工程规划许可证", "持证人（名称）：", "张三", "办件编号：", "TEST-0003", "建设项目名称：", "南桥镇社区服务中心",
                     "建筑面积（平方米）：", "—", "区规划和自然资源局"]:
        assert expected in lines, expected
    assert "经审查，申请人办理“建设工程规划许可证核发”符合规定条件，准予办理。特发此证。" in text.replace("\n", "")


def test_fonts_are_embedded_subsets_of_truetype_fonts(licence):
    fonts = _fonts(render_licence_pdf(licence))
    assert sorted(re.sub(r"^/[A-Z]{6}\+", "", name) for name in fonts) == ["DejaVuSansMono", "UMingCN-0"]
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+[A-Za-z]+(-0)?", name), name
        assert font["/Subtype"] == "/TrueType"
        descriptor = font["/FontDescriptor"].get_object()
        embedded = descriptor["/FontFile2"].get_object().get_data()
        assert 1000 < len(embedded) < 200_000, (name, len(embedded))  # a subset, not the 21 MB collection


def test_metadata_names_the_licence_department_and_issue_time(licence):
    info = PdfReader(io.BytesIO(render_licence_pdf(licence))).metadata
    assert info.title == f"营业执照 {licence.number}"
    assert info.author == "区市场监督管理局"
    assert info.subject == "个体工商户设立登记 TEST-0001"
    assert info["/Keywords"] == licence.number
    assert info.producer == "yiwang 一网通办 (ReportLab)"
    assert info.creator == "yiwang"
    assert licence.issued_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    assert info["/CreationDate"] == "D:20260310100000+08'00'"
    assert info.creation_date == dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_numbers_url_signature_and_digest_extract_whole(licence, settings):
    settings.PUBLIC_URL = "https://yiwang.example.gov.cn"
    lines = _text(render_licence_pdf(licence)).splitlines()
    assert f"证照编号：{licence.number}" in lines
    assert f"https://yiwang.example.gov.cn/licences/verify/{licence.number}/" in lines
    assert dict(licence.content["document"]["fields"])["统一社会信用代码"] in lines
    assert f"电子签名　算法：ED25519　密钥标识：{licence.seal_key.key_id}" in lines
    assert len(licence.signature) == 88 and licence.signature in lines
    assert licence.content_sha256 in lines
    assert "区市场监督管理局" in lines and "2026年3月5日" in lines


def test_a_licence_signed_before_documents_still_verifies_and_renders_its_own_fields(licence):
    from yiwang.licences.services import _passphrase

    old_content = {key: value for key, value in licence.content.items() if key != "document"}
    Licence.objects.filter(pk=licence.pk).update(
        content=old_content, content_sha256=signing.content_digest(old_content),
        signature=signing.sign(licence.seal_key.private_key, signing.canonical_bytes(old_content), passphrase=_passphrase()),
    )
    licence.refresh_from_db()
    assert verify_licence(licence.number).status == "valid"
    text = _text(render_licence_pdf(licence))
    lines = text.splitlines()
    for label, value in [("持证人（名称）", "张三"), ("办理事项", "个体工商户设立登记"), ("事项编码", "310120-SCJG-01-0001"),
                         ("办件编号", "TEST-0001"), ("发证日期", "2026年3月5日")]:
        assert lines[lines.index(f"{label}：") + 1] == value
    assert "经审查，申请人办理“个体工商户设立登记”符合规定条件，准予办理。特发此证。" in text.replace("\n", "")


def test_a_long_business_scope_shrinks_to_fit_one_page(catalog, resident, approver):
    scope = "餐饮服务（不产生油烟、异味、废气）；食品销售（仅销售预包装食品）；日用百货、文具用品零售；" * 12
    answers = {**INDIVIDUAL_ANSWERS, "business_scope": scope}
    licence = _issue(_case_with_form(resident, item_code="310120-SCJG-01-0001", form=INDIVIDUAL_FORM, answers=answers,
                                     result_name="营业执照"), approver)
    layout = pdf.layout_fields(pdf.documents.document_fields(licence.content))
    assert layout.size < 13
    assert "".join(layout.values()["经营范围"]) == scope
    text = _text(render_licence_pdf(licence))
    assert scope in text.replace("\n", "")


def test_what_does_not_fit_even_at_the_smallest_size_is_cut_with_an_ellipsis():
    layout = pdf.layout_fields([("名称", "示例"), ("经营范围", "很" * 5000)], "特发此证。")
    assert layout.size == 8 and layout.statement_lines == []
    assert list(layout.values()) == ["名称", "经营范围"]
    scope_lines = layout.values()["经营范围"]
    assert scope_lines[-1].endswith("很…") and 10 < len(scope_lines) < 40
    assert pdf._fields_height(layout.fields, [], layout.size) <= pdf.FIELDS_TOP - pdf.FIELDS_BOTTOM


def test_a_long_label_wraps_in_its_column_and_leaves_the_values_room():
    label = "申请人在本区从事经营活动的场所的详细地址及其面积"
    layout = pdf.layout_fields([("名称", "示例"), (label, "上海市奉贤区南桥镇解放东路1号")])
    assert layout.size == 13
    (_, short_lines, _), (_, long_lines, value_lines) = layout.fields
    assert short_lines == ["名称："] and "".join(long_lines) == f"{label}：" and len(long_lines) == 2
    assert value_lines == ["上海市奉贤区南桥镇解放东路1号"]
    assert layout.value_x <= pdf.MARGIN + 30 + pdf.LABEL_COLUMN_SHARE * (pdf.PAGE_WIDTH - 2 * pdf.MARGIN - 60) + 6


def test_qr_code_drawn_encodes_the_verification_url(licence):
    url = verification_url(licence.number)
    assert url == f"{settings.PUBLIC_URL}/licences/verify/{licence.number}/"
    expected = pdf.qr_matrix(url)
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    reference.add_data(url)
    assert reference.get_matrix() == expected
    assert drawn_qr_matrix(render_licence_pdf(licence), len(expected)) == expected


def test_rendering_is_deterministic_and_cached_atomically(licence):
    first = render_licence_pdf(licence)
    cached = list((Path(settings.MEDIA_ROOT) / "licences").iterdir())
    assert [path.name.split(".")[0] for path in cached] == [licence.number]
    assert cached[0].read_bytes() == first
    assert render_licence_pdf(licence) == first
    direct = pdf.render_pdf(
        content=licence.content,
        signature=licence.signature,
        content_sha256=licence.content_sha256,
        verify_url=verification_url(licence.number),
        created_at=licence.issued_at,
    )
    assert direct == first


def test_tampered_licence_is_not_rendered(licence):
    Licence.objects.filter(pk=licence.pk).update(content=dict(licence.content, holder_name="李四"))
    licence.refresh_from_db()
    with pytest.raises(Conflict) as raised:
        render_licence_pdf(licence)
    assert raised.value.code == "licence_integrity_failed"
    assert not (Path(settings.MEDIA_ROOT) / "licences").exists()


def test_long_values_wrap_and_dates_format():
    assert pdf.format_chinese_date("2026-11-06") == "2026年11月6日"
    assert pdf.format_chinese_date("bad") == "bad"
    lines = pdf.wrap_text("很" * 80, pdf.CJK_FONT, 13, 200)
    assert "".join(lines) == "很" * 80 and len(lines) > 1
    assert pdf.wrap_text("您申请的事项（办件编号 310120SCJG01000120260310000001）已受理", pdf.CJK_FONT, 14, 300) == [
        "您申请的事项（办件编号 ", "310120SCJG01000120260310000001）已受理"]
    assert pdf.wrap_text("A" * 30, pdf.MONO_FONT, 10, 60) == ["A" * 9, "A" * 9, "A" * 9, "AAA"]  # a run longer than a line
    assert pdf.pdf_date(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)) == "D:20260310100000+08'00'"


def test_a_missing_font_is_named_with_its_package(monkeypatch):
    from yiwang.licences.apps import pdf_fonts_check

    assert pdf.missing_fonts() == [] and pdf_fonts_check(None) == []
    monkeypatch.setitem(pdf.FONT_FILES, "NoSuchFont", (Path("/nonexistent/uming.ttc"), 0, "fonts-arphic-uming"))
    line = "PDF font /nonexistent/uming.ttc is missing: install the Debian package fonts-arphic-uming (apt-get install fonts-arphic-uming)"
    assert pdf.missing_fonts() == [line]
    with pytest.raises(pdf.FontMissing) as raised:
        pdf.register_fonts()
    assert str(raised.value) == line
    warnings = pdf_fonts_check(None)
    assert [(w.id, w.msg) for w in warnings] == [("licences.W001", line)]
