"""The search engine on a small hand-made catalogue (pure: no database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yiwang.search.engine import BUNDLE, ITEM, Document, SearchIndex, Segmenter, SynonymEntry

DOCUMENTS = [
    Document("I-1", ITEM, "营业执照补领、换发", "Replacement or renewal of a business licence", "区市场监督管理局", result="营业执照"),
    Document("I-2", ITEM, "个体工商户设立登记", "Registration of an individual business", "区市场监督管理局", result="营业执照"),
    Document("I-3", ITEM, "义务教育阶段转学", "School transfer within compulsory education", "区教育局"),
    Document(
        "B-1", BUNDLE, "义务教育阶段转学一件事", "School transfer in compulsory education", "区教育局",
        members=("义务教育阶段转学",), members_en=("School transfer within compulsory education",),
    ),
    Document("I-4", ITEM, "内地居民结婚登记", "Marriage registration for mainland residents", "区民政局婚姻登记处", result="结婚证"),
    Document("I-5", ITEM, "医疗费用零星报销", "Reimbursement of out-of-pocket medical expenses", "区医疗保险事务中心"),
    Document("I-6", ITEM, "机动车驾驶证期满换证", "Renewal of an expiring driving licence", "区公安分局交通警察支队", result="机动车驾驶证"),
    Document("I-7", ITEM, "居民身份证补领", "Replacement of a lost resident identity card", "区公安分局户政科", result="居民身份证"),
    Document("I-8", ITEM, "社会保障卡申领", "Application for a social security card", "区社会保险事业管理中心", result="社会保障卡"),
]
SYNONYMS = [
    SynonymEntry("孩子", ("子女", "学生", "义务教育"), life_event=True),
    SynonymEntry("报销", ("零星报销",)),
    SynonymEntry("ylbx", ("医疗保险", "医保")),
    SynonymEntry("医保", ("医疗保障", "医疗保险")),
    SynonymEntry("sbk", ("社保卡",)),
    SynonymEntry("社保卡", ("社会保障卡",)),
    SynonymEntry("身份证", ("居民身份证",)),
    SynonymEntry("丢了", ("补领", "补发")),
    SynonymEntry("lost", ("replacement",)),
]


@pytest.fixture(scope="module")
def index():
    return SearchIndex(DOCUMENTS, SYNONYMS)


def first(index, query):
    hits = index.search(query)
    return hits[0].document.code if hits else None


def test_chinese_words_and_synonyms(index):
    assert first(index, "孩子转学") == "B-1"
    assert first(index, "ylbx报销") == "I-5"
    assert first(index, "身份证丢了") == "I-7"


def test_synonyms_are_followed_one_step_further(index):
    # sbk -> 社保卡 -> 社会保障卡: the document only has the official words.
    group = index.analyze("sbk").groups[0]
    assert group.terms["社会保障卡"] == pytest.approx(0.85 * 0.85)
    assert first(index, "sbk") == "I-8"


def test_pinyin_full_and_initials(index):
    # The cheapest split wins: 结婚登记 is one word of the catalogue.
    plan = index.analyze("jiehun dengji")
    assert [g.label for g in plan.groups] == ["jiehundengji"]
    assert plan.groups[0].terms["结婚登记"] == pytest.approx(0.9)
    plan = index.analyze("jiehunbuling")  # no such word: two pieces
    assert [g.label for g in plan.groups] == ["jiehun", "buling"]
    assert first(index, "jiehun dengji") == "I-4"
    assert first(index, "yyzz") == "I-1"  # initials of 营业执照, no synonym needed
    assert first(index, "shehuibaozhangka") == "I-8"


def test_typos(index):
    plan = index.analyze("营业执招")
    assert plan.groups[0].label == "营业执招"
    assert plan.groups[0].terms["营业执照"] == pytest.approx(0.8)
    assert first(index, "营业执招") == "I-1"
    assert first(index, "yingyezhizao") == "I-1"  # zh typed as z
    assert first(index, "renew my drivng licence") == "I-6"  # rapidfuzz on the English word


def test_english_with_stems_and_synonyms(index):
    assert first(index, "driving licences renewal") == "I-6"
    assert first(index, "lost ID card") == "I-7"


def test_life_event_words_prefer_the_bundle(index):
    assert index.analyze("孩子转学").life_event is True
    assert index.analyze("转学").life_event is False
    with_event = {hit.document.code: hit.score for hit in index.search("孩子转学")}
    assert with_event["B-1"] > with_event["I-3"]


def test_exact_code_returns_only_that_document(index):
    assert [hit.document.code for hit in index.search("i-3")] == ["I-3"]


def test_nothing_to_look_for(index):
    assert index.search("怎么办") == []
    assert index.search("zzzzqqqq") == []


def test_results_are_ordered_and_limited(index):
    hits = index.search("登记", limit=2)
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score


def test_each_index_has_its_own_dictionary():
    one = SearchIndex(DOCUMENTS[:1], [SynonymEntry("小摊摊", ("个体工商户",))])
    other = SearchIndex(DOCUMENTS[:1], [])
    assert one.segmenter.is_word("小摊摊") is True
    assert other.segmenter.is_word("小摊摊") is False
    assert one.segmenter.cut("摆小摊摊") == ["摆", "小摊摊"]
    assert Segmenter().cut("摆小摊摊") == ["摆", "小摊", "摊"]


def test_jieba_is_silent_and_caches_in_a_private_directory(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path), PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    script = "from yiwang.search.engine import Segmenter; print('|'.join(Segmenter().cut('孩子转学')))"
    for _ in range(2):  # the second process loads the cache the first one wrote
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "孩子|转学"
        assert done.stderr == ""
    cache_dir = tmp_path / f"yiwang-jieba-{os.getuid()}"
    assert [p.name for p in cache_dir.iterdir()] == ["jieba.cache"]
    assert cache_dir.stat().st_mode & 0o777 == 0o700


def test_typed_pieces_of_a_corrected_word_count_as_its_parts():
    # 营业 of 营业只照 is a piece of the corrected 营业执照, like 营业执照's own 营业 (0.8 x 0.55);
    # at full weight it put 营业性演出审批 above the business licence.
    index = SearchIndex([*DOCUMENTS, Document("I-9", ITEM, "营业性演出审批", "Approval of commercial performances")], SYNONYMS)
    group = index.analyze("营业只照").groups[0]
    assert group.terms["营业执照"] == pytest.approx(0.8)
    assert group.terms["营业"] == pytest.approx(0.8 * 0.55)
    assert [hit.document.code for hit in index.search("营业只照")][:2] == ["I-1", "I-2"]


def test_a_phrase_synonym_is_found_by_its_meaning_not_by_its_words():
    documents = [
        DOCUMENTS[0],  # 营业执照补领、换发 / Replacement or renewal of a business licence
        Document("L-1", ITEM, "劳务派遣经营许可", "Labour dispatch business licence", "区人力资源和社会保障局"),
        Document("L-2", ITEM, "渔业捕捞许可证核发", "Fishing licence", "区农业农村委员会"),
        Document("L-3", ITEM, "医疗费用零星报销", "Out-of-pocket medical expenses reimbursement", "区医疗保险事务中心"),
    ]
    synonyms = [
        SynonymEntry("business licence", ("营业执照",)),
        SynonymEntry("medical expenses", ("out-of-pocket medical expenses reimbursement",)),
    ]
    index = SearchIndex(documents, synonyms)
    group = index.analyze("business licence").groups[0]
    # Words the expansion drops are a part of a phrase read literally: twice removed (0.55 x 0.55).
    assert (group.terms["e:business"], group.terms["e:licenc"]) == (pytest.approx(0.3025), pytest.approx(0.3025))
    assert group.terms["营业执照"] == pytest.approx(0.85)
    assert [hit.document.code for hit in index.search("business licence")] == ["I-1"]
    # Words the expansion restates are meant literally and keep their weight.
    group = index.analyze("medical expenses").groups[0]
    assert (group.terms["e:medic"], group.terms["e:expens"]) == (1.0, 1.0)
    assert [hit.document.code for hit in index.search("medical expenses")] == ["L-3"]


def test_results_end_where_the_query_s_main_concept_is_no_longer_matched():
    documents = [
        Document(
            "B-FOOD", BUNDLE, "开办餐饮店一件事", "Opening a restaurant",
            members=("个体工商户设立登记", "食品经营许可（新办）"),
        ),
        Document(
            "B-CARE", BUNDLE, "开办养老机构一件事", "Opening an elderly care institution",
            members=("养老机构设立许可", "食品经营许可（新办）", "公众聚集场所投入使用、营业前消防安全检查"),
        ),
        Document("B-BOOK", BUNDLE, "开办书店一件事", "Opening a bookshop", members=("出版物零售业务经营许可",)),
        Document("B-GYM", BUNDLE, "开办游泳馆一件事", "Opening a swimming venue", members=("经营高危险性体育项目许可",)),
        Document("I-FOOD", ITEM, "食品经营许可（新办）", "Food business licence (new application)", result="食品经营许可证"),
        Document("I-BOOK", ITEM, "出版物零售业务经营许可", "Licence for retail sale of publications"),
        Document("I-CARE", ITEM, "养老机构设立许可", "Elderly care institution licence"),
        Document("I-GYM", ITEM, "经营高危险性体育项目许可", "Licence for operating high-risk sports"),
        Document("I-SHOP", ITEM, "个体工商户设立登记", "Registration of an individual business", result="营业执照"),
        Document("I-FIRE", ITEM, "公众聚集场所投入使用、营业前消防安全检查", "Fire safety inspection"),
    ]
    synonyms = [
        SynonymEntry("开个", ("开办", "新办", "设立"), life_event=True),
        SynonymEntry("小饭店", ("餐饮", "食品经营许可", "饭店"), life_event=True),
        SynonymEntry("什么证", ("许可", "许可证")),
    ]
    index = SearchIndex(documents, synonyms)
    everything = index.search("开个小饭店要办什么证", limit=50)
    # 开个 (开办: every bundle) and 什么证 (许可: most items) are no main concept next to 小饭店; the
    # care home matches 小饭店 only through one member and goes with the bookshop and the pool.
    assert [hit.document.code for hit in everything] == ["B-FOOD", "I-FOOD"]
