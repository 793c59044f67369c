"""A fetched record as staff read it: labels, text, and masking (pure, no database)."""

from __future__ import annotations

from django.utils import translation

from yiwang.registries.record_display import RecordField, record_fields

# Stored with sorted keys (canonical JSON), as every fetched record is.
ID_CARD = dict(sorted({"name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1990-03-07",
           "address": "上海市奉贤区南桥镇解放东路1号", "id_number": "31012019900307123X",
           "issuing_authority": "上海市公安局奉贤分局", "valid_from": "2021-06-01", "valid_until": "2041-06-01"}.items()))


def test_an_id_card_record_is_labelled_in_reading_order_with_name_and_number_masked():
    with translation.override("zh-hans"):
        fields = record_fields(ID_CARD, subject_is_company=False)
    assert [(f.label, f.value) for f in fields] == [
        ("姓名或名称", "张*"), ("性别", "男"), ("民族", "汉"), ("出生日期", "1990-03-07"),
        ("身份证号码", "310120********123X"), ("地址", "上海市奉贤区南桥镇解放东路1号"),
        ("签发机关", "上海市公安局奉贤分局"), ("有效期起", "2021-06-01"), ("有效期至", "2041-06-01"),
    ]


def test_lists_of_people_become_one_masked_line_each():
    record = {"head": "张三", "household_number": "310120-0012345", "members": [
        {"id_number": "31012019900307123X", "name": "张三", "relation": "户主"},
        {"id_number": "310120199105120020", "name": "王芳", "relation": "妻"},
    ]}
    with translation.override("zh-hans"):
        fields = record_fields(record, subject_is_company=False)
    assert fields == [
        RecordField(key="head", label="户主", value="张*"),
        RecordField(key="household_number", label="户号", value="310120-0012345"),
        RecordField(key="members", label="户内成员", lines=(
            "姓名或名称：张*；身份证号码：310120********123X；与户主关系：户主",
            "姓名或名称：王*；身份证号码：310120********0020；与户主关系：妻",
        )),
    ]


def test_a_company_keeps_its_own_name_but_not_its_representatives():
    record = {"credit_code": "91310120MA1GH2KQ5Q", "legal_representative": "赵六", "licence_name": "营业执照",
              "name": "上海奉贤示例物流有限公司", "registered_capital": "500万元人民币"}
    fields = record_fields(record, subject_is_company=True)
    assert [(f.key, f.value) for f in fields] == [
        ("licence_name", "营业执照"), ("name", "上海奉贤示例物流有限公司"), ("credit_code", "91310120MA1GH2KQ5Q"),
        ("legal_representative", "赵*"), ("registered_capital", "500万元人民币")]
    # The same record of a person's: the name is a person's, masked.
    assert record_fields(record, subject_is_company=False)[1].value == "上**********司"


def test_numbers_lists_and_phone_numbers_in_free_text():
    record = {"area_m2": 89.5, "months_paid": 120, "tax_paid": 6240.0, "insurance_types": ["养老", "医疗"],
              "co_owners": ["张三", "王芳"], "remark": "联系电话 13800138000", "verified": True, "note": None}
    with translation.override("zh-hans"):
        fields = record_fields(record, subject_is_company=False)
    assert [(f.label, f.value) for f in fields] == [
        ("面积（平方米）", "89.5"), ("共有人", "张*、王*"), ("参保险种", "养老、医疗"), ("缴费月数", "120"),
        ("已缴税额（元）", "6240"), ("remark", "联系电话 138****8000"), ("verified", "是"), ("note", "—"),
    ]
