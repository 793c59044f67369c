"""The pure text helpers: normalisation, runs, English stems, pinyin keys."""

from yiwang.search import text


def test_normalize_folds_width_case_and_punctuation():
    assert text.normalize("  ＹＹＺＺ，营业执照（补领）!! ") == "yyzz 营业执照 补领"
    assert text.normalize("Lost   ID-Card") == "lost id card"
    assert text.normalize("？？？") == ""
    assert text.normalize("") == ""


def test_runs_split_han_from_latin_and_digits():
    assert text.runs("ylbx报销") == ["ylbx", "报销"]
    assert text.runs(text.normalize("开KTV要3个证")) == ["开", "ktv", "要", "3", "个证"]
    assert text.is_han("报销") and not text.is_han("ylbx") and not text.is_han("报销x")
    assert text.is_latin_word("ylbx") and not text.is_latin_word("310120")


def test_bigrams():
    assert text.bigrams("营业执照") == ["营业", "业执", "执照"]
    assert text.bigrams("证") == ["证"]
    assert text.bigrams("") == []


def test_stem_is_consistent_for_the_forms_residents_type():
    assert {text.stem(w) for w in ("renew", "renewal", "renewed", "renewing")} == {"renew"}
    assert {text.stem(w) for w in ("licence", "licences", "license", "licenses")} == {"licenc"}
    assert text.stem("benefits") == text.stem("benefit") == "benefit"
    assert text.stem("companies") == "company"
    assert text.stem("business") == "business"
    assert text.stem("passport") == "passport"


def test_english_words_drop_stop_words():
    assert text.english_words("how do i renew my driving licence") == ["renew", "driving", "licence"]


def test_pinyin_full_initials_and_fuzzy():
    assert text.pinyin_full("营业执照") == "yingyezhizhao"
    assert text.pinyin_initials("营业执照") == "yyzz"
    assert text.pinyin_initials("医疗保险") == "ylbx"
    assert text.pinyin_full("公积金") == "gongjijin"
    assert text.pinyin_syllables("结婚登记") == ("jie", "hun", "deng", "ji")
    # The reading depends on the word: 银行 is hang, 行驶 is xing.
    assert text.pinyin_full("银行") == "yinhang"
    assert text.pinyin_full("行驶") == "xingshi"
    assert text.fuzzy_pinyin("yingyezhizhao") == text.fuzzy_pinyin("yinyezizao") == "yinyezizao"
    assert text.fuzzy_pinyin("shebao") == "sebao"
