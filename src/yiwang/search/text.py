"""Pure text helpers of the search: normalisation, runs, English stems, pinyin keys.

No Django and no jieba here (segmentation lives in `engine.py`); pypinyin is used with a
process-wide cache because the same words are converted on every index rebuild.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
_HAN_RUN = re.compile(rf"^[{_HAN}]+$")
_LATIN_LETTERS = re.compile(r"^[a-z]+$")

# Words a resident adds around what they want ("我想问一下怎么办"), never part of an item name
# that matters; removed from queries and documents alike so they weigh nothing.
CHINESE_STOPWORDS = frozenset(
    """
    的 了 吗 呢 啊 吧 呀 哦 么 嘛 我 我们 你 您 他 她 他们 要 想 想要 需要 得 应该 可以 能 能不能 能否 会
    怎么 怎么办 怎样 如何 咋 咋办 什么 啥 哪些 哪个 哪里 在哪 在哪里 哪儿 多久 几天 是 不是 有 没有 和 与 及
    或 给 帮 帮我 请问 请 问 一下 一个 个 些 这个 那个 这 那 就 都 也 还 又 去 来 到 在 把 被 让 跟 对 上 下
    里 中 办 办理 手续 流程 材料 资料 所需 需要什么 要求 条件 网上 线上 哪 谁 为 为了 以及 关于 等 等等 呀
    """.split()
)

ENGLISH_STOPWORDS = frozenset(
    """
    a an the of for to in on at by from with and or my our your his her their i me we you he she they it
    is are am was were be been being do does did done how what which where when who why can could should
    would will shall may might must want wants need needs get gets got getting have has had please about
    into out up this that these those there here some any if not no so as just
    """.split()
)

# Spelling variants folded before stemming, so "license" finds "licence".
ENGLISH_SPELLINGS = {"license": "licence", "licenses": "licence", "licensed": "licence", "centre": "center"}


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, punctuation to spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_RUN.findall(text))


def runs(text: str) -> list[str]:
    """Maximal runs of Han characters or of ASCII letters/digits of an already normalised text."""
    return _RUN.findall(text)


def is_han(run: str) -> bool:
    return bool(_HAN_RUN.match(run))


def is_latin_word(run: str) -> bool:
    return bool(_LATIN_LETTERS.match(run))


def bigrams(run: str) -> list[str]:
    """Character bigrams of a Han run (the run itself when it has one character)."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def stem(word: str) -> str:
    """A deliberately small English stemmer: plurals, -ing/-ed/-al, a final e.

    Both documents and queries go through it, so only consistency matters: renewal, renewing,
    renewed and renew all become "renew"; licences and licence become "licenc".
    """
    word = ENGLISH_SPELLINGS.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed", "al"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def english_words(text: str) -> list[str]:
    """Latin words of a normalised text without English stop words (not stemmed)."""
    return [w for w in runs(text) if not is_han(w) and w not in ENGLISH_STOPWORDS]


@lru_cache(maxsize=200_000)
def pinyin_syllables(word: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of a Han word (pypinyin's phrase-aware readings)."""
    from pypinyin import lazy_pinyin  # ~30 MB of dictionaries: loaded by the first search, not by every worker

    return tuple(lazy_pinyin(word, errors="ignore"))


@lru_cache(maxsize=200_000)
def pinyin_initials(word: str) -> str:
    """First letters of the syllables: 营业执照 -> "yyzz"."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore"))


def pinyin_full(word: str) -> str:
    """Joined toneless pinyin: 营业执照 -> "yingyezhizhao"."""
    return "".join(pinyin_syllables(word))


_FUZZY_PINYIN = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ng", "n"))


def fuzzy_pinyin(pinyin: str) -> str:
    """Fold the confusions of southern speakers and quick typists: zh/z, ch/c, sh/s, -ng/-n."""
    for a, b in _FUZZY_PINYIN:
        pinyin = pinyin.replace(a, b)
    return pinyin
