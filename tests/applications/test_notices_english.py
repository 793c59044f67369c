"""The English text of the standard notices: the same statements as the Chinese (legal) text, with
the catalogue's English names, and the Chinese names where the catalogue gives no English."""

from __future__ import annotations

import datetime as dt

import pytest

from yiwang.applications import constants as c
from yiwang.applications.notices import NoticeFacts, compose_notice_en

FACTS = dict(case_number="N1", item_name="个体工商户设立登记", item_name_en="Registration of an individual business",
             applicant_name="张三", department_name="区市场监督管理局",
             department_name_en="District Administration for Market Regulation", on=dt.date(2026, 11, 26))


def test_supplement_notice_in_english_lists_the_missing_materials_by_their_english_names():
    facts = NoticeFacts(**FACTS, missing_materials=["经营者身份证件", "经营场所使用证明（租赁合同等）"],
                        missing_materials_en=["Operator's identity document", "经营场所使用证明（租赁合同等）"])
    title, body = compose_notice_en(c.NOTICE_SUPPLEMENT, facts)
    assert title == "Notice to supply materials"
    assert body == (
        "Dear 张三,\nThe materials of your application for “Registration of an individual business” (case number N1) are "
        "incomplete or not in the legal form. Please supply the following, all at once:\n"
        "  1. Operator's identity document\n  2. 经营场所使用证明（租赁合同等）\n"
        "The time taken to supply them does not count towards the time limit.\n\n"
        "District Administration for Market Regulation\n26 November 2026")


def test_acceptance_in_english_states_the_limits_and_what_was_applied_for():
    facts = NoticeFacts(**FACTS, statutory_due=dt.date(2027, 1, 5), promised_due=dt.date(2026, 12, 10), due_provisional=True,
                        particulars_en=(("Name of the business", "南桥小吃店"),))
    title, body = compose_notice_en(c.NOTICE_ACCEPTANCE, facts)
    assert title == "Notice of acceptance"
    assert ("is complete and in the legal form, and has been accepted. Promised completion by 10 December 2026; statutory "
            "completion by 5 January 2027 (the dates will be recalculated once next year's public holidays are announced)."
            "\nParticulars of the application:\n  Name of the business: 南桥小吃店") in body


def test_decisions_in_english_say_licence_only_for_licences_and_fall_back_to_chinese_names():
    facts = dict(case_number="N1", item_name="单位社会保险登记", applicant_name="示例公司", department_name="区人社局",
                 on=dt.date(2026, 11, 26))
    assert compose_notice_en(c.NOTICE_APPROVAL, NoticeFacts(**facts))[0] == "Decision to grant a licence"
    title, body = compose_notice_en(c.NOTICE_DENIAL, NoticeFacts(**facts, licensing=False, opinion="材料不实"))
    assert title == "Notice of refusal"
    assert body.startswith("Dear 示例公司,\nYour application for “单位社会保险登记” (case number N1) has been examined and "
                           "does not meet the conditions: it will not be handled. Reason: 材料不实\n")
    assert body.endswith("\n\n区人社局\n26 November 2026")


@pytest.mark.parametrize("kind", [kind for kind, _ in c.NOTICE_KINDS])
def test_every_notice_kind_has_an_english_text(kind):
    title, body = compose_notice_en(kind, NoticeFacts(**FACTS, opinion="x", result_name="营业执照", result_name_en="Business licence"))
    assert title and "Dear 张三," in body and "您" not in body
