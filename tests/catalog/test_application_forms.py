"""Item forms as data (pure): reading a definition, which fields are asked, checking and cleaning values."""

from __future__ import annotations

import pytest

from yiwang.catalog import application_forms as fs

SOLE_TRADER = {"fields": [
    {"name": "business_name", "label": "个体工商户名称", "label_en": "Business name", "max_length": 50},
    {"name": "operator_id", "label": "经营者身份证号码", "label_en": "Operator's ID number", "kind": "id_number",
     "prefill": "applicant.id_number"},
    {"name": "form_of_organisation", "label": "组成形式", "label_en": "Form", "kind": "choice",
     "options": [{"value": "personal", "label": "个人经营", "label_en": "Personal"},
                 {"value": "family", "label": "家庭经营", "label_en": "Family"}]},
    {"name": "family_members", "label": "参与经营的家庭成员", "label_en": "Family members", "kind": "table",
     "show_if": {"field": "form_of_organisation", "values": ["family"]},
     "columns": [{"name": "name", "label": "姓名", "label_en": "Name"},
                 {"name": "id_number", "label": "身份证号码", "label_en": "ID number", "kind": "id_number"}],
     "min_rows": 1, "max_rows": 3},
    {"name": "capital", "label": "资金数额（万元）", "label_en": "Capital (10,000 yuan)", "kind": "money", "min": 0},
    {"name": "opening_date", "label": "开业日期", "label_en": "Opening date", "kind": "date", "min": "today", "required": False},
]}
VALID_ID = "310120199001011233"


def fields():
    return fs.form_fields(applicant_kind="resident", definition=fs.parse_form_definition(SOLE_TRADER))


def test_a_definition_reads_into_fields_and_back():
    parsed = fs.parse_form_definition(SOLE_TRADER)
    assert [(f.name, f.kind, f.required) for f in parsed] == [
        ("business_name", "text", True), ("operator_id", "id_number", True), ("form_of_organisation", "choice", True),
        ("family_members", "table", True), ("capital", "money", True), ("opening_date", "date", False)]
    assert parsed[3].show_if == fs.Condition("form_of_organisation", ("family",))
    assert fs.parse_form_definition(fs.definition_as_dict(parsed)) == parsed
    assert fs.parse_form_definition(None) == () and fs.parse_form_definition({}) == ()


def test_the_items_fields_come_before_the_contact_fields():
    assert [f.name for f in fields()] == ["business_name", "operator_id", "form_of_organisation", "family_members",
                                          "capital", "opening_date", "phone", "address", "remarks"]
    company = fs.form_fields(applicant_kind="enterprise", definition=())
    assert [f.name for f in company] == ["contact_name", "phone", "address", "remarks"]


@pytest.mark.parametrize(("definition", "fault"), [
    ({"fields": [{"name": "x", "label": "甲"}]}, "field 1 (x): label and label_en are both required"),
    ({"fields": [{"name": "Bad-Name", "label": "甲", "label_en": "A"}]}, "field 1 (Bad-Name): name must be lower-case"),
    ({"fields": [{"name": "phone", "label": "甲", "label_en": "A"}]}, "field 1 (phone): phone is asked by every form"),
    ({"fields": [{"name": "x", "label": "甲", "label_en": "A", "kind": "colour"}]}, "field 1 (x): kind must be one of"),
    ({"fields": [{"name": "x", "label": "甲", "label_en": "A", "kind": "choice", "options": [{"value": "a", "label": "A"}]}]},
     "field 1 (x): a choice needs at least two options"),
    ({"fields": [{"name": "x", "label": "甲", "label_en": "A"}, {"name": "x", "label": "乙", "label_en": "B"}]},
     "field 2 (x): the name is used twice"),
    ({"fields": [{"name": "y", "label": "乙", "label_en": "B", "show_if": {"field": "x", "values": ["a"]}}]},
     "field 1 (y): show_if must name an earlier choice field"),
    ({"fields": [{"name": "x", "label": "甲", "label_en": "A", "prefill": "registry.secret"}]}, "field 1 (x): prefill must be one of"),
    ({"fields": [{"name": "x", "label": "甲", "label_en": "A", "kind": "table", "columns": []}]}, "field 1 (x): a table needs columns"),
    ({"fields": [{"name": "x", "label": "甲", "label_en": "A", "kind": "date", "min": "tomorrow"}]},
     "field 1 (x): a date bound is YYYY-MM-DD or \"today\""),
    ({"fields": "none"}, "form must be an object with a list of fields"),
])
def test_a_faulty_definition_is_refused_naming_the_field(definition, fault):
    with pytest.raises(fs.FormDefinitionError) as refused:
        fs.parse_form_definition(definition)
    assert any(error.startswith(fault) for error in refused.value.errors), refused.value.errors


def test_a_show_if_value_must_be_an_option_of_its_field():
    bad = {"fields": [SOLE_TRADER["fields"][2], {**SOLE_TRADER["fields"][3], "show_if": {"field": "form_of_organisation",
                                                                                          "values": ["company"]}}]}
    with pytest.raises(fs.FormDefinitionError) as refused:
        fs.parse_form_definition(bad)
    assert refused.value.errors == ["field 2 (family_members): show_if values must be options of form_of_organisation"]


def test_a_conditional_field_is_asked_only_when_its_answer_asks_for_it():
    asked = [f.name for f in fs.visible_fields(fields(), {"form_of_organisation": "personal"})]
    assert "family_members" not in asked
    assert "family_members" in [f.name for f in fs.visible_fields(fields(), {"form_of_organisation": "family"})]


def valid(**changes):
    return {"business_name": "张三小吃店", "operator_id": VALID_ID, "form_of_organisation": "personal", "capital": "5",
            "phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号", **changes}


def test_a_valid_form_is_cleaned():
    clean, errors = fs.validate_form_data(fields(), valid(capital="5.5", opening_date="2026-03-12", remarks="  "))
    assert errors == {}
    assert clean == {"business_name": "张三小吃店", "operator_id": VALID_ID, "form_of_organisation": "personal",
                     "capital": "5.50", "opening_date": "2026-03-12", "phone": "13800138000",
                     "address": "上海市奉贤区南桥镇解放东路1号", "remarks": ""}


def test_a_hidden_field_is_neither_required_nor_kept():
    family = [{"name": "李四", "id_number": VALID_ID}]
    clean, errors = fs.validate_form_data(fields(), valid(family_members=family))  # personal: the table is hidden
    assert errors == {} and "family_members" not in clean
    _, errors = fs.validate_form_data(fields(), valid(form_of_organisation="family"))
    assert errors == {"family_members": ("请填写“参与经营的家庭成员”。", "'Family members' is required.")}
    clean, errors = fs.validate_form_data(fields(), valid(form_of_organisation="family", family_members=family + [{"name": ""}]))
    assert errors == {} and clean["family_members"] == family  # the blank row is dropped


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"operator_id": "310120199001011234"}, "operator_id", "身份证号码校验位不正确，请核对后重新输入。"),
    ({"form_of_organisation": "company"}, "form_of_organisation", "“组成形式”的选择无效。"),
    ({"capital": "five"}, "capital", "“资金数额（万元）”应为数字。"),
    ({"capital": "1.234"}, "capital", "“资金数额（万元）”最多保留 2 位小数。"),
    ({"capital": "-1"}, "capital", "“资金数额（万元）”不能小于 0。"),
    ({"opening_date": "2026-03-09"}, "opening_date", "“开业日期”不能早于 2026-03-10。"),
    ({"opening_date": "12/03/2026"}, "opening_date", "“开业日期”应为日期，格式 YYYY-MM-DD。"),
    ({"phone": "12345"}, "phone", "请填写11位手机号码。"),
    ({"business_name": ""}, "business_name", "请填写“个体工商户名称”。"),
    ({"business_name": "店" * 51}, "business_name", "“个体工商户名称”不能超过 50 个字符。"),
])
def test_each_kind_refuses_what_it_cannot_take(changes, field, message):
    _, errors = fs.validate_form_data(fields(), valid(**changes))
    assert list(errors) == [field] and errors[field][0] == message and errors[field][1]


def test_a_table_row_is_checked_cell_by_cell():
    rows = [{"name": "李四", "id_number": "123"}, {"name": "", "id_number": VALID_ID}, {}, {"name": "王五"}, {"name": "赵六"}]
    _, errors = fs.validate_form_data(fields(), valid(form_of_organisation="family", family_members=rows))
    assert errors == {"family_members": ("“参与经营的家庭成员”最多 3 行。", "'Family members' has at most 3 rows.")}
    _, errors = fs.validate_form_data(fields(), valid(form_of_organisation="family", family_members=rows[:2]))
    assert errors == {
        "family_members.0.id_number": ("“参与经营的家庭成员”第 1 行：身份证号码应为18位：17位数字加1位校验码（数字或X）。",
                                       "'Family members' row 1: An ID card number has 18 characters: 17 digits and a check character (digit or X)."),
        "family_members.1.name": ("“参与经营的家庭成员”第 2 行：请填写“姓名”。", "'Family members' row 2: 'Name' is required."),
    }


def test_a_draft_stores_partial_values_of_the_forms_shape_only():
    values, errors = fs.check_draft_values(fields(), {"business_name": "小店", "capital": "x", "family_members": [{"name": "李四", "x": "y"}]})
    assert errors == {} and values == {"business_name": "小店", "capital": "x", "family_members": [{"name": "李四"}]}
    _, errors = fs.check_draft_values(fields(), {"family_members": "not rows", "nope": "1"})
    assert set(errors) == {"family_members", "__unknown__"}


def test_prefill_from_the_applicants_account():
    assert fs.prefill_values(fields(), {"id_number": VALID_ID, "phone": "13800138000", "real_name": "张三"}) == {
        "operator_id": VALID_ID, "phone": "13800138000"}


def test_one_form_for_a_bundle_asks_each_field_once():
    first = fs.form_fields(applicant_kind="resident", definition=fs.parse_form_definition(SOLE_TRADER))
    second = fs.form_fields(applicant_kind="resident", definition=fs.parse_form_definition({"fields": [
        {"name": "business_name", "label": "名称", "label_en": "Name"},
        {"name": "employees", "label": "从业人数", "label_en": "Employees", "kind": "number", "min": 0}]}))
    merged = fs.merged_fields([first, second])
    assert [f.name for f in merged] == ["business_name", "operator_id", "form_of_organisation", "family_members", "capital",
                                        "opening_date", "employees", "phone", "address", "remarks"]
    assert merged[0].label == "个体工商户名称"


def test_values_read_as_a_person_reads_them():
    by_name = {f.name: f for f in fields()}
    assert fs.display_value(by_name["form_of_organisation"], "family") == "家庭经营"
    assert fs.display_value(by_name["form_of_organisation"], "family", english=True) == "Family"
    assert fs.display_value(by_name["family_members"], [{"name": "李四", "id_number": VALID_ID}]) == f"姓名：李四；身份证号码：{VALID_ID}"
