"""A member's result serves the other members that need it (pure)."""

from yiwang.bundles.guidance import MemberResult, results_passed_on

RECORD_NAMES = {"elicence:business_licence": "营业执照", "household:id_card": "居民身份证"}


def _material(position, name, via=None, necessity="1"):
    return {"position": position, "name": name, "exemptible_via": via, "necessity": necessity}


def test_company_registration_licence_serves_seal_and_tax_but_not_itself():
    members = [
        MemberResult("REG", "营业执照", [_material(1, "法人股东主体资格证明（营业执照）", "elicence:business_licence", "2")]),
        MemberResult("SEAL", "印章备案信息", [_material(1, "营业执照", "elicence:business_licence"), _material(2, "身份证件", "household:id_card")]),
        MemberResult("TAX", "涉税信息确认结果", [_material(1, "营业执照", "elicence:business_licence", "3")]),
    ]
    assert results_passed_on(members, RECORD_NAMES) == {"SEAL": {1: "REG"}, "TAX": {1: "REG"}}


def test_nothing_is_passed_on_without_a_producer():
    members = [MemberResult("SEAL", "印章备案信息", [_material(1, "营业执照", "elicence:business_licence")])]
    assert results_passed_on(members, RECORD_NAMES) == {}
