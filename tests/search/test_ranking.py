"""Exact rankings on the reference catalogue for residents' typical queries."""

from __future__ import annotations

import pytest

from tests.search.conftest import codes
from yiwang.core.errors import ValidationFailed
from yiwang.search import selectors

pytestmark = pytest.mark.django_db


def top(query: str, n: int = 5) -> list[str]:
    return codes(selectors.search(query, limit=n))


def test_child_school_transfer_prefers_the_bundle(search_catalog):
    assert top("孩子转学", 2) == ["310120-YJS-002", "310120-JYJ-21-0001"]
    hits = selectors.search("孩子转学", limit=2)
    assert [(h.kind, h.name) for h in hits] == [("bundle", "义务教育阶段转学一件事"), ("item", "义务教育阶段转学")]


def test_business_licence_initials(search_catalog):
    assert top("yyzz", 3) == ["310120-SCJG-20-0002", "310120-SCJG-01-0001", "310120-SCJG-01-0002"]
    assert top("yingyezhizhao", 3) == top("yyzz", 3)


def test_small_restaurant_finds_the_food_licence(search_catalog):
    assert top("开个小饭店要办什么证", 3)[:2] == ["310120-YJS-010", "310120-SCJG-01-0003"]


def test_medical_insurance_reimbursement_by_initials(search_catalog):
    assert top("ylbx报销", 2) == ["310120-YBZX-05-0001", "310120-YBZX-21-0007"]
    assert top("医保报销", 1) == ["310120-YBZX-05-0001"]


def test_english_phrases(search_catalog):
    assert top("renew my driving licence", 1) == ["310120-GAJG-01-0001"]
    assert top("lost ID card", 1) == ["310120-GAHZ-07-0004"]
    assert top("open a restaurant", 1) == ["310120-YJS-010"]


def test_typos(search_catalog):
    assert top("营业执招掉了", 1) == ["310120-SCJG-20-0002"]
    assert top("yingyezhizao", 1) == ["310120-SCJG-20-0002"]
    assert top("结昏登记", 1) == ["310120-MZHY-07-0001"]
    assert top("pasport", 1) == ["310120-GACRJ-01-0001"]


def test_everyday_words(search_catalog):
    assert top("身份证丢了", 2) == ["310120-GAHZ-07-0004", "310120-GAHZ-07-0003"]
    assert top("驾照到期换证", 1) == ["310120-GAJG-01-0001"]
    assert set(top("gjj提取", 4)) == {"310120-GJJ-21-0001", "310120-GJJ-21-0002", "310120-GJJ-21-0003", "310120-GJJ-21-0008"}


def test_life_events(search_catalog):
    assert top("我要退休了", 2) == ["310120-YJS-009", "310120-RSJSB-21-0005"]
    assert top("生孩子要办哪些手续", 2) == ["310120-YJS-003", "310120-GAHZ-07-0001"]
    assert top("家里老人去世了要办什么", 1) == ["310120-YJS-012"]
    assert top("开公司", 2) == ["310120-YJS-001", "310120-SCJG-01-0002"]
    # The newborn bundle and the birth registration item both answer this; both come first.
    assert set(top("宝宝出生报户口", 2)) == {"310120-YJS-003", "310120-GAHZ-07-0001"}


def test_pinyin_words(search_catalog):
    assert top("jiehun dengji", 1) == ["310120-MZHY-07-0001"]
    assert top("hukou qianyi", 1) == ["310120-GAHZ-07-0006"]


def test_a_code_finds_only_that_item(search_catalog):
    hits = selectors.search(" 310120-scjg-01-0003 ")
    assert [(h.code, h.kind, h.name, h.score) for h in hits] == [("310120-SCJG-01-0003", "item", "食品经营许可（新办）", 100.0)]


def test_hits_carry_names_departments_and_links(search_catalog):
    bundle, item = selectors.search("孩子转学", limit=2)
    assert bundle.url == "/bundles/310120-YJS-002/"
    assert item.url == "/items/310120-JYJ-21-0001/"
    assert (item.name_en, item.department, item.department_en) == (
        "School transfer within compulsory education", "区教育局", "District Education Bureau",
    )


def test_limit_and_order(search_catalog):
    hits = selectors.search("公积金", limit=10)
    assert len(hits) == 10
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert len(selectors.search("公积金", limit=1)) == 1


def test_nothing_found_is_an_empty_list(search_catalog):
    assert selectors.search("怎么办") == []


def test_search_as_json_is_the_api_body(search_catalog):
    body = selectors.search_as_json("孩子转学", 2)
    assert list(body) == ["results"]
    assert [list(r) for r in body["results"]] == [["code", "name", "kind", "score"]] * 2
    assert [(r["code"], r["kind"]) for r in body["results"]] == [("310120-YJS-002", "bundle"), ("310120-JYJ-21-0001", "item")]
    assert all(isinstance(r["score"], float) for r in body["results"])


@pytest.mark.parametrize(
    "query, limit, code",
    [
        ("", 10, "invalid_query"),
        ("   ", 10, "invalid_query"),
        ("？！。", 10, "invalid_query"),
        ("字" * 101, 10, "invalid_query"),
        (None, 10, "invalid_query"),
        ("社保", 0, "invalid_limit"),
        ("社保", 51, "invalid_limit"),
        ("社保", True, "invalid_limit"),
        ("社保", "ten", "invalid_limit"),
    ],
)
def test_bad_input_is_refused(search_catalog, query, limit, code):
    with pytest.raises(ValidationFailed) as raised:
        selectors.search(query, limit=limit)
    assert raised.value.code == code
    assert raised.value.status == 400


def test_limits_at_the_edges_are_accepted(search_catalog):
    assert len(selectors.search("字" * 100, limit=50)) <= 50
    assert len(selectors.search("社保", limit="50")) <= 50
    assert len(selectors.search("社保", limit=1)) == 1


# The 营业执照 items: the replacement item by name, then every registration whose result it is.
BUSINESS_LICENCE_ITEMS = [
    "310120-SCJG-20-0002",  # 营业执照补领、换发
    "310120-SCJG-01-0001",  # 个体工商户设立登记
    "310120-SCJG-01-0002",  # 有限责任公司设立登记
    "310120-SCJG-01-0006",  # 内资公司变更登记
    "310120-SCJG-01-0008",  # 个体工商户变更登记
    "310120-SCJG-01-0010",  # 农民专业合作社设立登记
]


def test_a_typo_of_business_licence_finds_the_business_licence_items_first(search_catalog):
    # 只照 sounds like 执照: the correction decides, not the typed 营业 alone (营业性演出审批).
    hits = top("营业只照", 50)
    assert hits[:6] == BUSINESS_LICENCE_ITEMS == top("yyzz", 6)
    assert hits.index("310120-WLJ-01-0003") > 5
    # Found only by 营业 inside the corrected word: bundles opening a hotel, a care home, ...
    assert not {"310120-YJS-014", "310120-YJS-025", "310120-CZJ-01-0001", "310120-GJJ-21-0004"} & set(hits)


@pytest.mark.parametrize("query", ["business licence", "business license", "Business Licence"])
def test_business_licence_in_english_finds_the_business_licence_items_first(search_catalog, query):
    hits = top(query, 50)
    assert hits[:6] == BUSINESS_LICENCE_ITEMS
    # 经营许可 items are translated "... business licence" and every permit "... licence": the words
    # alone answer nothing (劳务派遣经营许可, 食品经营许可, 娱乐场所经营许可, 驾驶证补领, 渔业捕捞许可证).
    assert not {
        "310120-RSJ-01-0002", "310120-SCJG-01-0003", "310120-WLJ-01-0002", "310120-GAJG-01-0002", "310120-NYW-01-0004",
    } & set(hits)


def test_a_small_restaurant_gets_only_the_restaurant_answers(search_catalog):
    # The page shows up to 20: the food items end the list, nothing found only by 开办 or 许可 fills it.
    assert top("开个小饭店要办什么证", 20) == [
        "310120-YJS-010",  # 开办餐饮店一件事
        "310120-SCJG-01-0003",  # 食品经营许可（新办）
        "310120-SCJG-01-0004",  # 食品经营许可（变更）
        "310120-SCJG-01-0005",  # 食品经营许可（延续）
    ]
    assert top("小饭店", 20) == [
        "310120-YJS-010",
        "310120-SCJG-01-0003",
        "310120-SCJG-01-0004",
        "310120-SCJG-01-0005",
        "310120-SCJG-20-0004",  # 食品经营备案（仅销售预包装食品）
    ]
    # 开办养老机构一件事 has 食品经营许可 among its members (a care home's canteen): not an answer.
    assert "310120-YJS-025" not in top("开个小饭店要办什么证", 50) + top("小饭店", 50)


def test_opening_a_shop_lists_its_bundle_and_items_not_every_opening_bundle(search_catalog):
    # 开 (开办) is in the names of 19 bundles; only the internet café's are answers.
    assert top("开网吧要什么手续", 20) == ["310120-YJS-018", "310120-WLJ-01-0004"]
