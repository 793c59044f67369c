"""What each result document says (pure): the field lists of the 营业执照 (个体工商户, company), the
食品经营许可证 and the generic decision from fixture form data; the identifiers the platform assigns."""

import datetime as dt

import pytest

from yiwang.core.identifiers import normalize_credit_code
from yiwang.licences import documents as d

ISSUED_ON = dt.date(2026, 3, 10)
NUMBER = "11310120MB2P41K5X6-20260310-ABCDEFGHJKLM"


def _form(**texts):
    return [d.FormValue(name=name, label=f"{name}-label", text=text) for name, text in texts.items()]


def _build(layout, form, **overrides):
    arguments = dict(layout=layout, licence_number=NUMBER, issued_on=ISSUED_ON, item_name="个体工商户设立登记",
                     case_number="310120SCJG01000120260310000001", holder_name="张三",
                     holder_identifier="310101199001011234", form=form)
    return d.build_document(**{**arguments, **overrides})


@pytest.mark.parametrize(("title", "item_name", "names", "layout"), [
    ("营业执照", "个体工商户设立登记", [], d.LAYOUT_INDIVIDUAL_BUSINESS),
    ("营业执照", "营业执照补领、换发", ["business_name"], d.LAYOUT_INDIVIDUAL_BUSINESS),
    ("营业执照", "有限责任公司设立登记", ["enterprise_name"], d.LAYOUT_COMPANY),
    ("营业执照（变更后）", "内资公司变更登记", [], d.LAYOUT_COMPANY),
    ("食品经营许可证", "食品经营许可（新办）", [], d.LAYOUT_FOOD),
    ("食品经营许可证（延续）", "食品经营许可（延续）", [], d.LAYOUT_FOOD),
    ("医疗机构执业许可证", "医疗机构执业登记（门诊部）", ["business_name"], d.LAYOUT_GENERIC),
    ("建设项目决定书", "建设项目", [], d.LAYOUT_GENERIC),
])
def test_the_layout_follows_the_result_and_the_form(title, item_name, names, layout):
    assert d.choose_layout(title=title, item_name=item_name, field_names=names) == layout


def test_individual_business_licence_fields_from_the_form():
    form = _form(business_name="奉贤区张三小吃店", operator_name="张三", organisation_form="个人经营",
                 premises="上海市奉贤区南桥镇解放东路1号", business_scope="小吃店经营；预包装食品销售", capital="10")
    document = _build(d.LAYOUT_INDIVIDUAL_BUSINESS, form)
    code = d.unified_credit_code(seed=NUMBER, layout=d.LAYOUT_INDIVIDUAL_BUSINESS)
    assert document == {"layout": "individual_business_licence", "fields": [
        ["统一社会信用代码", code],
        ["名称", "奉贤区张三小吃店"],
        ["类型", "个体工商户"],
        ["经营者", "张三"],
        ["组成形式", "个人经营"],
        ["经营场所", "上海市奉贤区南桥镇解放东路1号"],
        ["经营范围", "小吃店经营；预包装食品销售"],
        ["资金数额", "10万元"],
        ["注册日期", "2026年3月10日"],
    ]}
    assert code.startswith("92310120") and normalize_credit_code(code) == code


def test_a_case_without_a_form_prints_dashes():
    document = _build(d.LAYOUT_INDIVIDUAL_BUSINESS, [])
    assert [value for _, value in document["fields"]][1:] == ["—", "个体工商户", "—", "—", "—", "—", "—", "2026年3月10日"]
    assert [value for _, value in _build(d.LAYOUT_FOOD, [])["fields"]][:6] == ["—"] * 6


def test_company_business_licence_fields_and_operating_term():
    form = _form(enterprise_name="上海奉贤示例科技有限公司", company_type="有限责任公司（自然人投资或控股）",
                 legal_representative="李四", registered_capital="100", domicile="上海市奉贤区金海公路6055号",
                 business_scope="软件开发", operating_term="20")
    document = _build(d.LAYOUT_COMPANY, form)
    code = d.unified_credit_code(seed=NUMBER, layout=d.LAYOUT_COMPANY)
    assert document["fields"] == [
        ["统一社会信用代码", code],
        ["名称", "上海奉贤示例科技有限公司"],
        ["类型", "有限责任公司（自然人投资或控股）"],
        ["法定代表人", "李四"],
        ["注册资本", "100万元"],
        ["成立日期", "2026年3月10日"],
        ["营业期限", "2026年3月10日至2046年3月9日"],
        ["住所", "上海市奉贤区金海公路6055号"],
        ["经营范围", "软件开发"],
    ]
    assert code.startswith("91310120") and normalize_credit_code(code) == code
    assert d.operating_term("长期", ISSUED_ON) == "长期"
    assert d.operating_term("10年", ISSUED_ON) == "2026年3月10日至2036年3月9日"  # the catalogue's option label
    assert d.operating_term("—", ISSUED_ON) == "—"


def test_food_business_licence_fields_number_and_validity():
    form = _form(licence_holder_name="奉贤区张三小吃店", licence_holder_code="92310120MA1XXXXX0", legal_representative="张三",
                 premises="上海市奉贤区南桥镇解放东路1号", main_business_type="餐饮服务经营者（小餐饮）",
                 business_items="热食类食品制售")
    document = _build(d.LAYOUT_FOOD, form)
    number = d.food_licence_number(seed=NUMBER, region_code="310120", main_business_type="餐饮服务经营者（小餐饮）")
    assert document["fields"] == [
        ["经营者名称", "奉贤区张三小吃店"],
        ["社会信用代码（身份证号码）", "92310120MA1XXXXX0"],
        ["法定代表人（负责人）", "张三"],
        ["经营场所", "上海市奉贤区南桥镇解放东路1号"],
        ["主体业态", "餐饮服务经营者（小餐饮）"],
        ["经营项目", "热食类食品制售"],
        ["许可证编号", number],
        ["有效期至", "2031年3月9日"],
    ]
    assert number[:9] == "JY2310120" and len(number) == 16 and number[2:].isdigit()
    assert d.luhn_check_digit(number[2:15]) == number[15]
    assert d.food_licence_number(seed=NUMBER, region_code="310120", main_business_type="食品销售经营者")[:3] == "JY1"
    assert d.food_licence_number(seed=NUMBER, region_code="310120", main_business_type="单位食堂")[:3] == "JY3"


def test_generic_document_lists_the_holder_the_item_and_every_form_field():
    form = [d.FormValue("project", "项目名称", "南桥镇污水管网改造"), d.FormValue("area", "用地面积（平方米）", ""),
            d.FormValue("members", "参加人员", "姓名：王五；身份证号码：310101199001011234\n姓名：赵六")]
    document = _build(d.LAYOUT_GENERIC, form, item_name="建设工程规划许可证核发")
    assert document == {"layout": "generic", "fields": [
        ["持证人（名称）", "张三"],
        ["证件号码", "310101199001011234"],
        ["办理事项", "建设工程规划许可证核发"],
        ["办件编号", "310120SCJG01000120260310000001"],
        ["项目名称", "南桥镇污水管网改造"],
        ["用地面积（平方米）", "—"],
        ["参加人员", "姓名：王五；身份证号码：310101199001011234\n姓名：赵六"],
        ["发证日期", "2026年3月10日"],
    ]}


def test_assigned_identifiers_are_stable_per_licence_and_differ_between_licences():
    first = d.unified_credit_code(seed=NUMBER, layout=d.LAYOUT_INDIVIDUAL_BUSINESS)
    assert d.unified_credit_code(seed=NUMBER, layout=d.LAYOUT_INDIVIDUAL_BUSINESS) == first
    other = d.unified_credit_code(seed=NUMBER.replace("ABCD", "ABCE"), layout=d.LAYOUT_INDIVIDUAL_BUSINESS)
    assert other != first and normalize_credit_code(other) == other
    # GB 11714 check of the organisation code inside (positions 9-17).
    assert d.organisation_code_check_char(first[8:16]) == first[16]
    assert d.organisation_code_check_char("00000001") == "9"  # 11 - 2 % 11


def test_validity_and_amount_helpers():
    assert d.valid_until(dt.date(2028, 2, 29), years=5) == dt.date(2033, 2, 28)
    assert d.valid_until(dt.date(2026, 1, 1), years=5) == dt.date(2030, 12, 31)
    assert d.ten_thousand_yuan("3.5") == "3.5万元"
    assert d.ten_thousand_yuan("—") == "—"


def test_document_fields_of_stored_content():
    assert d.document_fields({"number": "x"}) is None
    assert d.document_fields({"document": {"layout": "generic", "fields": [["名称", ""], ["类型", "个体工商户"], "bad"]}}) == [
        ("名称", "—"), ("类型", "个体工商户")]
