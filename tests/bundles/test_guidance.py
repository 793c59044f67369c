"""The guidance rules (pure): every reference bundle, exact results, refusals, materials, windows."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from yiwang.bundles import guidance

CATALOG = json.loads(
    (Path(__file__).resolve().parents[2] / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json").read_text("utf-8")
)
BUNDLES = {b["code"]: b for b in CATALOG["bundles"]}
ITEMS = {i["code"]: i for i in CATALOG["items"]}
NAMES = {code: (item["name"], item["name_en"]) for code, item in ITEMS.items()}
BUSINESS = "310120-YJS-001"
SCHOOL = "310120-YJS-002"


def run(code: str, answers: dict) -> guidance.GuidanceResult:
    bundle = BUNDLES[code]
    return guidance.evaluate(bundle["questions"], bundle["rules"], bundle["items"], answers, item_names=NAMES)


def test_the_reference_catalogue_has_42_bundles():
    assert len(BUNDLES) == 42
    assert sum(1 for b in BUNDLES.values() if b["questions"]) == 12


@pytest.mark.parametrize("code", sorted(BUNDLES))
def test_every_bundle_evaluates_for_every_combination_of_answers(code):
    bundle = BUNDLES[code]
    combinations = list(guidance.answer_combinations(bundle["questions"]))
    # Every answer to every question, combined: one combination for a bundle without questions.
    assert len(combinations) == math.prod(len(q["options"]) for q in bundle["questions"])
    for answers in combinations:
        result = run(code, answers)
        assert result.errors == [], (answers, result.errors)
        assert result.items, answers  # something always applies
        codes = result.item_codes
        assert len(codes) == len(set(codes))
        assert not set(codes) & {d.code for d in result.skipped}
        assert all(c in ITEMS for c in codes)
        assert all(d.reason and d.reason_en for d in result.items + result.skipped)


@pytest.mark.parametrize("code", sorted(c for c, b in BUNDLES.items() if not b["questions"]))
def test_a_bundle_without_questions_applies_its_members(code):
    result = run(code, {})
    assert result.item_codes == BUNDLES[code]["items"]
    assert result.skipped == []
    assert result.items[0].reason == f"本一件事的基本事项“{ITEMS[BUNDLES[code]['items'][0]]['name']}”。"


def test_business_start_up_as_a_company_without_food():
    result = run(BUSINESS, {"q1": "company", "q2": "yes", "q3": "yes", "q4": "none"})
    assert result.item_codes == [
        "310120-SCJG-20-0001", "310120-SCJG-01-0002", "310120-GAZA-20-0001", "310120-TAX-20-0001",
        "310120-TAX-20-0002", "310120-RSJSB-21-0004", "310120-GJJ-21-0004",
    ]
    assert result.skipped == []


def test_business_start_up_as_an_individual_selling_prepackaged_food():
    result = run(BUSINESS, {"q1": "individual", "q2": "no", "q3": "no", "q4": "prepackaged"})
    assert result.item_codes == [
        "310120-SCJG-20-0001", "310120-GAZA-20-0001", "310120-TAX-20-0001",
        "310120-SCJG-01-0001", "310120-SCJG-20-0004",
    ]
    added = {d.code: d for d in result.items}
    assert added["310120-SCJG-01-0001"].reason == (
        "因为您在“您要开办的市场主体类型是？”中选择了“个体工商户”，增加“个体工商户设立登记”。"
    )
    assert added["310120-SCJG-01-0001"].reason_en == (
        f"“{NAMES['310120-SCJG-01-0001'][1]}” is added because you answered “Individual business (getihu)” to “What type of business will you set up?”."
    )
    assert added["310120-SCJG-20-0004"].reason == (
        "因为您在“经营范围是否涉及食品？”中选择了“仅销售预包装食品”，增加“食品经营备案（仅销售预包装食品）”。"
    )
    skipped = {d.code: d.reason for d in result.skipped}
    assert list(skipped) == [
        "310120-SCJG-01-0002", "310120-TAX-20-0002", "310120-RSJSB-21-0004", "310120-GJJ-21-0004",
    ]
    assert skipped["310120-SCJG-01-0002"] == (
        "因为您在“您要开办的市场主体类型是？”中选择了“个体工商户”，无需办理“有限责任公司设立登记”。"
    )
    assert skipped["310120-TAX-20-0002"] == "因为您在“是否需要开具发票？”中选择了“否”，无需办理“发票领用”。"


def test_business_start_up_with_food_service_adds_the_food_licence():
    result = run(BUSINESS, {"q1": "company", "q2": "yes", "q3": "yes", "q4": "food_service"})
    assert result.item_codes[-1] == "310120-SCJG-01-0003"
    assert "310120-SCJG-20-0004" not in result.item_codes
    assert len(result.item_codes) == 8


def test_school_transfer_by_hukou_move_adds_the_hukou_transfer():
    result = run(SCHOOL, {"q1": "hukou_move", "q2": "yes"})
    assert result.errors == []  # q3 only matters for non-local students: not asked when q2 is yes
    assert result.item_codes == ["310120-JYJ-21-0001", "310120-GAHZ-07-0006"]
    assert result.items[1].reason == "因为您在“转学的主要原因是？”中选择了“户籍迁移”，增加“户口迁移（本市范围内）”。"


def test_school_transfer_for_a_non_local_student_without_residence_permit():
    result = run(SCHOOL, {"q1": "residence_move", "q2": "no", "q3": "no"})
    assert result.item_codes == ["310120-JYJ-21-0001", "310120-GAHZ-07-0007", "310120-GAHZ-07-0002"]
    assert result.items[1].reason == (
        "因为您在“学生是否为本市户籍？”中选择了“否”，且您在“非本市户籍的，监护人是否已持有有效《上海市居住证》？”"
        "中选择了“否”，增加“居住登记”。"
    )


def test_missing_answers_are_listed_all_at_once():
    result = run(BUSINESS, {"q2": "yes"})
    assert [(e.code, e.question_id) for e in result.errors] == [
        ("missing_answers", "q1"), ("missing_answers", "q3"), ("missing_answers", "q4"),
    ]
    assert result.missing_questions == ["q1", "q3", "q4"]
    assert result.errors[0].message == "请回答：“您要开办的市场主体类型是？”"
    assert result.error_code() == "missing_answers"


def test_a_question_is_needed_only_while_a_rule_can_still_apply():
    assert run(SCHOOL, {}).missing_questions == ["q1", "q2", "q3"]
    assert run(SCHOOL, {"q1": "other", "q2": "no"}).missing_questions == ["q3"]
    assert run(SCHOOL, {"q1": "other", "q2": "yes"}).missing_questions == []


def test_blank_answers_count_as_unanswered():
    assert run(SCHOOL, {"q1": "", "q2": None, "q3": "no"}).missing_questions == ["q1", "q2"]
    # q3 "yes" rules out the only rule on q2, so q2 is no longer needed.
    assert run(SCHOOL, {"q1": "", "q2": None, "q3": "yes"}).missing_questions == ["q1"]


def test_unknown_question_and_invalid_option_are_refused():
    result = run(BUSINESS, {"q1": "partnership", "q2": "yes", "q3": "yes", "q4": "none", "q9": "yes"})
    assert [(e.code, e.question_id) for e in result.errors] == [("invalid_answer", "q1"), ("unknown_question", "q9")]
    assert result.errors[0].message == "“您要开办的市场主体类型是？”的回答无效，请在“有限责任公司”、“个体工商户”中选择。"
    assert result.errors[1].message == "没有编号为“q9”的引导问题。"
    assert result.error_code() == "unknown_question"


def test_a_non_string_answer_is_invalid():
    result = run(SCHOOL, {"q1": ["hukou_move"], "q2": "yes"})
    assert [(e.code, e.question_id) for e in result.errors] == [("invalid_answer", "q1")]


ELDERLY = "310120-YJS-005"
DONATION = "310120-YJS-004"


def irrelevant(code: str, answers: dict) -> list[str]:
    bundle = BUNDLES[code]
    return guidance.irrelevant_questions(bundle["questions"], bundle["rules"], answers)


def test_a_local_student_is_not_asked_about_the_residence_permit():
    # q3 (非本市户籍的，监护人是否已持有居住证？) matters only through the rule {q2: no, q3: no}.
    assert irrelevant(SCHOOL, {}) == []
    assert irrelevant(SCHOOL, {"q1": "residence_move", "q2": "no"}) == []
    assert irrelevant(SCHOOL, {"q1": "residence_move", "q2": "yes"}) == ["q3"]
    assert run(SCHOOL, {"q1": "residence_move", "q2": "yes"}).irrelevant_questions == ["q3"]


def test_only_earlier_answers_make_a_question_irrelevant():
    # q3 "yes" rules out the same rule, but q2 comes first: it stays asked (and is not needed).
    assert irrelevant(SCHOOL, {"q3": "yes"}) == []
    assert run(SCHOOL, {"q1": "other", "q3": "yes"}).missing_questions == []


def test_an_invalid_earlier_answer_hides_nothing():
    assert irrelevant(SCHOOL, {"q1": "other", "q2": "maybe"}) == []
    assert [(e.code, e.question_id) for e in run(SCHOOL, {"q1": "other", "q2": "maybe"}).errors] == [
        ("invalid_answer", "q2"), ("missing_answers", "q3"),
    ]


def test_elderly_care_asks_about_the_allowance_only_from_65_and_about_low_income_only_for_care_needs():
    assert irrelevant(ELDERLY, {"q1": "60_64"}) == ["q2"]
    assert irrelevant(ELDERLY, {"q1": "65_plus"}) == []
    assert irrelevant(ELDERLY, {"q1": "65_plus", "q3": "no"}) == ["q4"]
    assert irrelevant(ELDERLY, {"q1": "60_64", "q3": "no"}) == ["q2", "q4"]
    assert irrelevant(ELDERLY, {"q1": "60_64", "q3": "yes"}) == ["q2"]


def test_a_question_no_rule_mentions_is_always_asked():
    # 用血人与献血者的关系是？ drives no rule, so no answer can make it irrelevant.
    for answers in guidance.answer_combinations(BUNDLES[DONATION]["questions"]):
        assert irrelevant(DONATION, answers) == []


@pytest.mark.parametrize("ignored", [None, "yes", "no", "not-an-option"])
def test_the_result_ignores_any_answer_to_an_irrelevant_question(ignored):
    answers = {"q1": "residence_move", "q2": "yes"} | ({} if ignored is None else {"q3": ignored})
    result = run(SCHOOL, answers)
    assert result.errors == []
    assert result.item_codes == ["310120-JYJ-21-0001"]
    assert result.skipped == []
    assert result.irrelevant_questions == ["q3"]
    assert result.answers == {"q1": "residence_move", "q2": "yes"}


def test_elderly_care_under_65_ignores_the_allowance_answer():
    without = run(ELDERLY, {"q1": "60_64", "q3": "no"})
    with_answers = run(ELDERLY, {"q1": "60_64", "q2": "no", "q3": "no", "q4": "yes"})
    assert with_answers.errors == without.errors == []
    assert with_answers.items == without.items
    assert with_answers.skipped == without.skipped
    assert with_answers.answers == {"q1": "60_64", "q3": "no"}
    assert [d.code for d in with_answers.skipped] == ["310120-WJW-21-0003"]


def _partial_answer_sets(bundle: dict):
    """Every answer set to the first k questions, each answered or left blank."""
    combos: list[dict] = [{}]
    for question in bundle["questions"]:
        values = [None] + [o["value"] for o in question["options"]]
        combos = [{**c, question["id"]: v} if v is not None else dict(c) for c in combos for v in values]
    return combos


@pytest.mark.parametrize("code", sorted(c for c, b in BUNDLES.items() if b["questions"]))
def test_no_bundle_asks_for_a_hidden_question_nor_lets_it_change_the_result(code):
    bundle = BUNDLES[code]
    for answers in _partial_answer_sets(bundle):
        result = run(code, answers)
        hidden = result.irrelevant_questions
        assert not set(hidden) & set(result.missing_questions), answers
        # Dropping the hidden answers, or flipping them, decides exactly the same.
        relevant_only = run(code, {q: v for q, v in answers.items() if q not in hidden})
        assert (relevant_only.items, relevant_only.skipped, relevant_only.errors) == (result.items, result.skipped, result.errors)
        for question in bundle["questions"]:
            if question["id"] in hidden:
                for option in question["options"]:
                    flipped = run(code, {**answers, question["id"]: option["value"]})
                    assert (flipped.items, flipped.skipped, flipped.errors) == (result.items, result.skipped, result.errors)


QUESTIONS = [
    {"id": "a", "text": "是否甲？", "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]},
    {"id": "b", "text": "是否乙？", "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]},
]


def test_an_item_both_added_and_skipped_is_refused_as_contradictory():
    rules = [{"when": {"a": "yes"}, "add_items": ["X"]}, {"when": {"b": "yes"}, "skip_items": ["X"]}]
    result = guidance.evaluate(QUESTIONS, rules, ["D"], {"a": "yes", "b": "yes"}, item_names={"X": ("某事项", "Item X")})
    assert [(e.code, e.item_code) for e in result.errors] == [("contradictory_answers", "X")]
    assert result.errors[0].message == (
        "回答相互矛盾：因您在“是否甲？”中选择了“是”，需增加“某事项”；又因您在“是否乙？”中选择了“是”，需免办“某事项”。请修改其中一个回答。"
    )
    assert "X" not in result.item_codes
    # Changing either answer resolves it.
    assert guidance.evaluate(QUESTIONS, rules, ["D"], {"a": "yes", "b": "no"}).item_codes == ["D", "X"]
    assert guidance.evaluate(QUESTIONS, rules, ["D"], {"a": "no", "b": "yes"}).item_codes == ["D"]


def test_an_item_added_by_two_rules_names_both_reasons():
    rules = [{"when": {"a": "yes"}, "add_items": ["X"]}, {"when": {"b": "yes"}, "add_items": ["X"]}]
    result = guidance.evaluate(QUESTIONS, rules, ["D"], {"a": "yes", "b": "yes"}, item_names={"X": ("某事项", "X")})
    assert result.item_codes == ["D", "X"]
    assert result.items[1].reason == "因为您在“是否甲？”中选择了“是”，增加“某事项”；因为您在“是否乙？”中选择了“是”，增加“某事项”。"


def test_a_rule_on_a_question_no_longer_asked_never_applies_nor_blocks():
    rules = [{"when": {"gone": "yes"}, "add_items": ["X"]}]
    result = guidance.evaluate(QUESTIONS, rules, ["D"], {"a": "yes", "b": "no"})
    assert result.errors == []
    assert result.item_codes == ["D"]


def test_materials_are_merged_by_name_and_data_source():
    merged = guidance.merge_materials([
        guidance.ItemMaterials("A", [
            {"position": 1, "name": "营业执照", "necessity": "2", "exemptible_via": "elicence:business_licence"},
            {"position": 2, "name": "身份证件", "necessity": "1", "exemptible_via": None},
        ]),
        guidance.ItemMaterials("B", [
            {"position": 1, "name": "营业执照", "necessity": "1", "exemptible_via": "elicence:business_licence"},
            {"position": 2, "name": "身份证件", "necessity": "1", "exemptible_via": "household:id_card"},
        ]),
    ])
    assert [(m.name, m.exemptible_via, m.necessity, m.items, m.positions) for m in merged] == [
        ("营业执照", "elicence:business_licence", "1", ["A", "B"], {"A": 1, "B": 1}),
        ("身份证件", "", "1", ["A"], {"A": 2}),
        ("身份证件", "household:id_card", "1", ["B"], {"B": 2}),
    ]
    assert merged[0].necessity_by_item == {"A": "2", "B": "1"}


# ---------------------------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "open_", "next_opens", "closes_on"),
    [
        (dt.date(2026, 6, 19), False, dt.date(2026, 6, 20), dt.date(2026, 7, 10)),
        (dt.date(2026, 6, 20), True, None, dt.date(2026, 7, 10)),
        (dt.date(2026, 7, 10), True, None, dt.date(2026, 7, 10)),
        (dt.date(2026, 7, 11), False, dt.date(2027, 6, 20), dt.date(2027, 7, 10)),
        (dt.date(2026, 12, 31), False, dt.date(2027, 6, 20), dt.date(2027, 7, 10)),
    ],
)
def test_a_window_within_one_year(today, open_, next_opens, closes_on):
    status = guidance.window_status("06-20", "07-10", today)
    assert (status.open, status.next_opens, status.closes_on) == (open_, next_opens, closes_on)


@pytest.mark.parametrize(
    ("today", "open_", "next_opens", "closes_on"),
    [
        (dt.date(2026, 11, 30), False, dt.date(2026, 12, 1), dt.date(2027, 1, 15)),
        (dt.date(2026, 12, 1), True, None, dt.date(2027, 1, 15)),
        (dt.date(2026, 12, 31), True, None, dt.date(2027, 1, 15)),
        (dt.date(2027, 1, 1), True, None, dt.date(2027, 1, 15)),
        (dt.date(2027, 1, 15), True, None, dt.date(2027, 1, 15)),
        (dt.date(2027, 1, 16), False, dt.date(2027, 12, 1), dt.date(2028, 1, 15)),
    ],
)
def test_a_window_across_new_year(today, open_, next_opens, closes_on):
    status = guidance.window_status("12-01", "01-15", today)
    assert (status.open, status.next_opens, status.closes_on) == (open_, next_opens, closes_on)


def test_a_window_on_29_february_falls_back_to_the_28th_in_common_years():
    assert guidance.window_status("02-29", "03-10", dt.date(2027, 2, 28)).open is True
    assert guidance.window_status("02-29", "03-10", dt.date(2028, 2, 28)).next_opens == dt.date(2028, 2, 29)


def test_an_invalid_window_day_is_refused():
    with pytest.raises(ValueError):
        guidance.window_status("13-01", "01-15", dt.date(2026, 1, 1))


def test_first_closed_window_names_the_owner():
    windows = [guidance.Window("全年", "01-01", "12-31"), guidance.Window("转学", "06-20", "07-10")]
    closed = guidance.first_closed_window(windows, dt.date(2026, 3, 1))
    assert closed.window.owner == "转学"
    assert closed.status.next_opens == dt.date(2026, 6, 20)
    assert guidance.first_closed_window(windows, dt.date(2026, 7, 1)) is None
