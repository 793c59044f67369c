import datetime as dt

from yiwang.catalog.application_forms import default_form_fields, validate_form_data
from yiwang.applications.notices import NoticeFacts, compose_notice


def test_default_form_for_resident_and_enterprise():
    assert [f.name for f in default_form_fields(applicant_kind="resident")] == ["phone", "address", "remarks"]
    assert [f.name for f in default_form_fields(applicant_kind="enterprise")] == ["contact_name", "phone", "address", "remarks"]


def test_form_validation_reports_each_field():
    clean, errors = validate_form_data(default_form_fields(applicant_kind="resident"), {"phone": "12345", "address": " "})
    assert clean == {"remarks": ""}
    assert errors == {
        "phone": ("请填写11位手机号码。", "Enter an 11-digit mobile number."),
        "address": ("请填写“联系地址”。", "'Address' is required."),
    }


def test_form_validation_drops_unknown_keys_and_trims():
    clean, errors = validate_form_data(
        default_form_fields(applicant_kind="resident"), {"phone": " 13800138000 ", "address": "奉贤区南桥镇", "evil": "x"}
    )
    assert errors == {}
    assert clean == {"phone": "13800138000", "address": "奉贤区南桥镇", "remarks": ""}


def test_supplement_notice_lists_every_missing_material():
    facts = NoticeFacts(
        case_number="N1", item_name="个体工商户设立登记", applicant_name="张三", department_name="区市场监督管理局",
        on=dt.date(2026, 11, 26), missing_materials=["经营者身份证件", "经营场所使用证明（租赁合同等）"],
    )
    title, body = compose_notice("supplement", facts)
    assert title == "补正材料通知书"
    assert "  1. 经营者身份证件\n  2. 经营场所使用证明（租赁合同等）" in body
    assert body.endswith("区市场监督管理局\n2026年11月26日")


def test_acceptance_notice_marks_provisional_deadline():
    facts = NoticeFacts(
        case_number="N1", item_name="X", applicant_name="张三", department_name="D", on=dt.date(2026, 11, 26),
        statutory_due=dt.date(2027, 1, 5), promised_due=dt.date(2026, 12, 10), due_provisional=True,
    )
    title, body = compose_notice("acceptance", facts)
    assert title == "受理通知书"
    assert "承诺办结期限 2026年12月10日，法定办结期限 2027年1月5日（下一年度节假日安排公布后，期限将按其重新计算）。" in body


def test_decisions_on_public_services_are_not_called_licences():
    facts = dict(case_number="N1", item_name="单位社会保险登记", applicant_name="示例公司", department_name="区人社局", on=dt.date(2026, 11, 26))
    title, body = compose_notice("approval", NoticeFacts(**facts, licensing=False))
    assert title == "准予办理通知书"
    assert "决定予以办理。" in body and "许可" not in body
    title, body = compose_notice("approval", NoticeFacts(**facts))
    assert title == "准予许可决定书"
    assert "决定准予许可。" in body
    title, _ = compose_notice("denial", NoticeFacts(**facts, licensing=False, opinion="材料不实"))
    assert title == "不予办理通知书"


PARTICULARS = (("个体工商户名称", "南桥小吃店"), ("经营场所", "上海市奉贤区南桥镇解放东路1号"), ("经营范围", "餐饮服务"))


def test_acceptance_and_decisions_state_what_was_applied_for():
    facts = NoticeFacts(case_number="N1", item_name="个体工商户设立登记", applicant_name="张三", department_name="D",
                        on=dt.date(2026, 11, 26), promised_due=dt.date(2026, 11, 27), particulars=PARTICULARS)
    stated = "\n申请内容：\n  个体工商户名称：南桥小吃店\n  经营场所：上海市奉贤区南桥镇解放东路1号\n  经营范围：餐饮服务"
    assert compose_notice("acceptance", facts)[1] == (
        "张三：\n您申请的“个体工商户设立登记”（办件编号 N1）材料齐全、符合法定形式，决定予以受理。承诺办结期限 2026年11月27日。"
        + stated + "\n\nD\n2026年11月26日")
    assert compose_notice("approval", facts)[1] == (
        "张三：\n您申请的“个体工商户设立登记”（办件编号 N1）经审查符合条件，决定准予许可。" + stated + "\n\nD\n2026年11月26日")
    denial = compose_notice("denial", NoticeFacts(**{**facts.__dict__, "opinion": "名称重复"}))[1]
    assert denial == ("张三：\n您申请的“个体工商户设立登记”（办件编号 N1）经审查不符合条件，决定不予许可。理由：名称重复" + stated
                      + "\n如不服本决定，可依法申请行政复议或者提起行政诉讼。\n\nD\n2026年11月26日")
    # A receipt or a supplement notice does not repeat the form, and a form-less item states nothing.
    assert "申请内容" not in compose_notice("receipt", facts)[1]
    assert "申请内容" not in compose_notice("approval", NoticeFacts(**{**facts.__dict__, "particulars": ()}))[1]
