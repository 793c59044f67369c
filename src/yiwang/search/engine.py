"""The in-memory search index: pure Python over plain documents (no Django).

How a query is read (`SearchIndex.analyze`):

1. Normalise (NFKC, lower case) and split into Han runs and Latin runs.
2. Han runs are cut by jieba (accurate mode, no HMM) with the catalogue's names and every
   synonym term added to its dictionary, so "开个小饭店" becomes 开个 / 小饭店. Each token is one
   *group* (a concept of the query): a synonym term brings its expansions (everyday speech ->
   official words), a stop word is dropped, other tokens stand for themselves. Tokens that are no
   word of the catalogue are checked for homophone typos through their pinyin (营业执招 ->
   yingyezhizhao -> 营业执照) and, failing that, by edit distance against the catalogue's words.
3. Latin runs are synonym slang first (yyzz, ylbx, gjj, sb), then English words (stemmed), then
   pinyin: full syllables or initials, segmented against the pinyin of the catalogue's words
   (jiehundengji -> 结婚 + 登记), with fuzzy pinyin (zh/z, ch/c, sh/s, ng/n) and rapidfuzz for
   near misses (yingyezhizao, pasport).

How documents are scored (`SearchIndex.search`): a BM25-like sum over groups, each group
counting once with its best term (so a synonym's several expansions do not add up), weighted by
field (name > result > bundle members > department > materials) and the term's rarity; then
multiplied by the share of the query's groups the document covers, boosted when its whole name is
in the query, and boosted for bundles (一件事) when the query reads as a life event (a synonym
marked as one, e.g. 孩子, 结婚, 退休, 开公司). Character bigrams add a small fallback score.
Finally the tail that answers nothing is cut (`_relevant`): a result must score at least a fifth
of the best and match one of the query's main concepts at least 30% as strongly as the
catalogue's best match of it, so 开个小饭店要办什么证 lists the restaurant items, not every
bundle named 开办 or every item named 许可.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from yiwang.search import text as t

ITEM = "item"
BUNDLE = "bundle"

# Field weight, and how much a match there counts towards covering a query's concept.
FIELD_WEIGHTS: dict[str, tuple[float, float]] = {
    "name": (1.0, 1.0),
    "name_en": (1.0, 1.0),
    "result": (0.6, 0.8),
    "members": (0.4, 0.8),
    "members_en": (0.35, 0.7),
    "department": (0.2, 0.2),
    "department_en": (0.15, 0.15),
    "materials": (0.12, 0.1),
}
BIGRAM_FIELDS = ("name", "result", "members")
# Query-side weights by where a term came from.
W_ORIGINAL = 1.0
W_SUBWORD = 0.55  # a dictionary word inside a longer query word
W_SYNONYM = 0.85
W_PINYIN = 0.9
W_INITIALS = 0.75
W_HOMOPHONE = 0.8
W_FUZZY = 0.6
BIGRAM_WEIGHT = 0.35
# Ranking shape.
COVERAGE_FLOOR = 0.2
EXACT_NAME_BOOST = 1.5
LIFE_EVENT_BUNDLE_BOOST = 1.35
BM25_K1 = 1.2
BM25_B = 0.5
# The tail cut (see `SearchIndex._relevant`, measured in the README): a result stays only if it
# scores at least MIN_RELATIVE_SCORE of the best result and matches one of the query's main
# concepts at least MIN_CONCEPT_STRENGTH as strongly as the catalogue's best match of that
# concept; main concepts are the groups whose best match reaches MAIN_CONCEPT_SHARE of the
# strongest group's best match (so 开个 and 什么证 in 开个小饭店要办什么证 are not, 小饭店 is).
MIN_RELATIVE_SCORE = 0.2
MIN_CONCEPT_STRENGTH = 0.3
MAIN_CONCEPT_SHARE = 0.7
EXACT_CODE_SCORE = 100.0
MAX_CANDIDATES_PER_KEY = 4
FUZZY_LATIN_CUTOFF = 80
FUZZY_HAN_CUTOFF = 74

_SUFFIX_BUNDLE = "一件事"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """One searchable thing: a service item or a bundle, with the texts it is found by."""

    code: str
    kind: str
    name: str
    name_en: str = ""
    department: str = ""
    department_en: str = ""
    result: str = ""
    materials: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    members_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class SynonymEntry:
    """Everyday `term` -> official `expansions` (each a word or phrase, Chinese or English)."""

    term: str
    expansions: tuple[str, ...]
    life_event: bool = False


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float


@dataclass
class Group:
    """One concept of the query: the terms that stand for it, each with a query weight."""

    label: str
    terms: dict[str, float] = field(default_factory=dict)

    def add(self, term: str, weight: float) -> None:
        if weight > self.terms.get(term, 0.0):
            self.terms[term] = weight


@dataclass
class QueryPlan:
    text: str
    groups: list[Group]
    bigrams: list[str]
    life_event: bool


# --------------------------------------------------------------------------- jieba


_base_tokenizer = None
_base_lock = threading.Lock()


def _jieba_cache_dir() -> Path:
    # One private directory per OS user: every process (tests, several gunicorn workers) shares
    # the dictionary cache (jieba writes it to a temporary file and renames it, so concurrent
    # writers are safe), and no other user can plant a cache file for us to unmarshal.
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    directory = Path(tempfile.gettempdir()) / f"yiwang-jieba-{uid}"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def _pristine_tokenizer():
    """jieba's main dictionary, loaded once per process on first use."""
    global _base_tokenizer
    if _base_tokenizer is None:
        with _base_lock:
            if _base_tokenizer is None:
                import jieba

                # jieba logs "Building prefix dict ..." to stderr at DEBUG on its own handler.
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                try:
                    tokenizer.tmp_dir = str(_jieba_cache_dir())
                except OSError:  # no writable temp dir: jieba builds the dictionary without a cache
                    logger.warning("search: no writable cache directory for jieba")
                tokenizer.initialize()
                _base_tokenizer = tokenizer
    return _base_tokenizer


class Segmenter:
    """A private jieba tokenizer: a copy of the pristine dictionary plus the words of one index.

    Each index gets its own copy (about 15 ms, shared keys), so the segmentation of a catalogue
    state never depends on which synonyms an earlier index of the process had; the global
    `jieba.dt` is left alone.
    """

    def __init__(self):
        import jieba

        base = _pristine_tokenizer()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = dict(base.FREQ)
        tokenizer.total = base.total
        tokenizer.initialized = True
        self._tokenizer = tokenizer
        self._added: set[str] = set()

    def add_words(self, words) -> None:
        """Make each Han word (2+ characters) one token of the dictionary (before any search)."""
        for word in words:
            if len(word) >= 2 and word not in self._added and t.is_han(word):
                self._tokenizer.add_word(word)
                self._added.add(word)

    def is_word(self, word: str) -> bool:
        return self._tokenizer.FREQ.get(word, 0) > 0

    def cut(self, run: str) -> list[str]:
        """Accurate-mode tokens of a Han run (no HMM: unknown sequences become single characters)."""
        return [token for token in self._tokenizer.cut(run, HMM=False) if token.strip()]

    def subwords(self, token: str) -> list[str]:
        """Dictionary words strictly inside `token` (2+ characters)."""
        found = []
        n = len(token)
        for i in range(n):
            for j in range(i + 2, n + 1):
                if j - i < n and self.is_word(token[i:j]):
                    found.append(token[i:j])
        return found


# --------------------------------------------------------------------------- the index


def _compact(text: str) -> str:
    return t.normalize(text).replace(" ", "")


class SearchIndex:
    """Inverted index over items and bundles; built once per catalogue state, read concurrently."""

    def __init__(self, documents: list[Document], synonyms: list[SynonymEntry], segmenter: Segmenter | None = None):
        self.documents = documents
        self.segmenter = segmenter or Segmenter()
        self.synonyms: dict[str, SynonymEntry] = {}
        for entry in synonyms:
            key = t.normalize(entry.term)
            if key:
                self.synonyms[key] = entry
        self._synonym_max_words = max((len(k.split()) for k in self.synonyms if not t.is_han(k.replace(" ", ""))), default=1)
        self._learn_words()
        # term -> {doc index: (weight, coverage credit)}
        self.postings: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
        self._index_documents()
        self._compute_idf()
        self._build_pinyin_maps()
        self.by_code = {doc.code.lower(): i for i, doc in enumerate(documents)}
        self.name_keys = [self._name_key(doc) for doc in documents]

    # ----------------------------------------------------------------- building

    def _learn_words(self) -> None:
        words: set[str] = set()
        for doc in self.documents:
            for text in (doc.name, doc.result, *doc.members):
                words.update(run for run in t.runs(t.normalize(text)) if t.is_han(run))
        for key, entry in self.synonyms.items():
            words.add(key)
            for expansion in entry.expansions:
                words.update(run for run in t.runs(t.normalize(expansion)) if t.is_han(run))
        self.segmenter.add_words(sorted(words))

    def han_terms(self, text: str) -> list[tuple[str, bool]]:
        """(word, is_whole_token) for the tokens of a text and the dictionary words inside them."""
        terms = []
        for run in t.runs(t.normalize(text)):
            if not t.is_han(run):
                continue
            for token in self.segmenter.cut(run):
                if token in t.CHINESE_STOPWORDS:
                    continue
                terms.append((token, True))
                if len(token) >= 3:
                    terms.extend((sub, False) for sub in self.segmenter.subwords(token) if sub not in t.CHINESE_STOPWORDS)
        return terms

    @staticmethod
    def english_terms(text: str) -> list[str]:
        return ["e:" + t.stem(word) for word in t.english_words(t.normalize(text)) if t.is_latin_word(word)]

    def _doc_fields(self, doc: Document) -> list[tuple[str, tuple[str, ...]]]:
        name = doc.name
        if doc.kind == BUNDLE and name.endswith(_SUFFIX_BUNDLE):
            name = name[: -len(_SUFFIX_BUNDLE)]
        return [
            ("name", (name,)),
            ("name_en", (doc.name_en,)),
            ("result", (doc.result,)),
            ("members", doc.members),
            ("members_en", doc.members_en),
            ("department", (doc.department,)),
            ("department_en", (doc.department_en,)),
            ("materials", doc.materials),
        ]

    def _index_documents(self) -> None:
        lengths = [max(1, len(_compact(doc.name))) for doc in self.documents]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        self._primary_df: dict[str, int] = defaultdict(int)
        for index, doc in enumerate(self.documents):
            # BM25 length normalisation of the name, scaled so a name of average length gets 1.
            norm = (1 + BM25_K1) / (1 + BM25_K1 * (1 - BM25_B + BM25_B * lengths[index] / average))
            norm /= (1 + BM25_K1) / (1 + BM25_K1)
            best: dict[str, tuple[float, float]] = {}

            def put(term: str, weight: float, credit: float) -> None:
                old = best.get(term)
                if old is None:
                    best[term] = (weight, credit)
                else:
                    best[term] = (max(old[0], weight), max(old[1], credit))

            for field_name, texts in self._doc_fields(doc):
                weight, credit = FIELD_WEIGHTS[field_name]
                if field_name in ("name", "name_en"):
                    weight *= norm
                for text in texts:
                    if not text:
                        continue
                    if field_name.endswith("_en"):
                        for term in self.english_terms(text):
                            put(term, weight, credit)
                        continue
                    for term, _whole in self.han_terms(text):
                        put(term, weight, credit)
                    if field_name in BIGRAM_FIELDS:
                        for run in t.runs(t.normalize(text)):
                            if t.is_han(run):
                                for bigram in t.bigrams(run):
                                    put("b:" + bigram, weight, 0.0)
                    for term in self.english_terms(text):  # Latin words inside Chinese names
                        put(term, weight, credit)
            for term, (weight, credit) in best.items():
                self.postings[term][index] = (weight, credit)
                if credit >= 0.5 or term.startswith("b:"):
                    self._primary_df[term] += 1
        self.postings = dict(self.postings)

    def _compute_idf(self) -> None:
        n = max(1, len(self.documents))
        self.idf: dict[str, float] = {}
        for term, posting in self.postings.items():
            df = self._primary_df.get(term) or len(posting)
            self.idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _build_pinyin_maps(self) -> None:
        words: set[str] = set()
        for term, posting in self.postings.items():
            if term[:2] in ("e:", "b:") or not t.is_han(term):
                continue
            if len(term) >= 2 and any(credit >= 0.5 for _, credit in posting.values()):
                words.add(term)
        for key, entry in self.synonyms.items():
            if t.is_han(key):
                words.add(key)
            for expansion in entry.expansions:
                words.update(w for w, whole in self.han_terms(expansion) if whole and len(w) >= 2)
        self.vocabulary = {term for term in self.postings if t.is_han(term)} | {k for k in self.synonyms if t.is_han(k)}
        full: dict[str, set[str]] = defaultdict(set)
        fuzzy: dict[str, set[str]] = defaultdict(set)
        initials: dict[str, set[str]] = defaultdict(set)
        for word in words:
            pinyin = t.pinyin_full(word)
            if not pinyin:
                continue
            full[pinyin].add(word)
            fuzzy[t.fuzzy_pinyin(pinyin)].add(word)
            initials[t.pinyin_initials(word)].add(word)
        rank = self._word_rank
        self.pinyin_full = {k: rank(v) for k, v in full.items()}
        self.pinyin_fuzzy = {k: rank(v) for k, v in fuzzy.items()}
        self.pinyin_initials = {k: rank(v) for k, v in initials.items() if len(k) >= 2}
        self._pinyin_max = max((len(k) for k in self.pinyin_full), default=1)
        self._english_choices = sorted({term[2:] for term in self.postings if term.startswith("e:")})
        self._english_set = set(self._english_choices)
        self._fuzzy_pinyin_choices = sorted(self.pinyin_fuzzy)
        self._han_choices = sorted(w for w in words if len(w) >= 3)

    def _word_rank(self, words: set[str]) -> tuple[str, ...]:
        # Synonym terms first (curated), then words many documents use.
        def key(word: str):
            return (word not in self.synonyms, -len(self.postings.get(word, ())), word)

        return tuple(sorted(words, key=key)[:MAX_CANDIDATES_PER_KEY])

    @staticmethod
    def _name_key(doc: Document) -> str:
        name = doc.name[: -len(_SUFFIX_BUNDLE)] if doc.kind == BUNDLE and doc.name.endswith(_SUFFIX_BUNDLE) else doc.name
        return _compact(name)

    # ----------------------------------------------------------------- reading a query

    def _add_phrase(self, group: Group, phrase: str, weight: float) -> None:
        """Add a word or phrase (Chinese and/or English) to a group."""
        for word, whole in self.han_terms(phrase):
            group.add(word, weight if whole else weight * W_SUBWORD)
        for term in self.english_terms(phrase):
            group.add(term, weight)

    def _synonym_group(self, key: str, label: str, weight: float = W_ORIGINAL) -> tuple[Group, bool]:
        entry = self.synonyms[key]
        group = Group(label)
        life_event = entry.life_event
        if " " in key:
            self._add_phrase_words(group, key, entry.expansions, weight)
        else:
            self._add_phrase(group, key, weight)
        for expansion in entry.expansions:
            self._add_phrase(group, expansion, weight * W_SYNONYM)
            # Slang often points at other slang (sbk -> 社保卡 -> 社会保障卡): follow one more step.
            nested = self.synonyms.get(t.normalize(expansion))
            if nested is not None and nested is not entry:
                life_event |= nested.life_event
                for deeper in nested.expansions:
                    self._add_phrase(group, deeper, weight * W_SYNONYM * W_SYNONYM)
        return group, life_event

    def _add_phrase_words(self, group: Group, key: str, expansions: tuple[str, ...], weight: float) -> None:
        """The words of a curated phrase of several words (a synonym term such as "business licence").

        A word the expansion restates ("medical expenses" -> "out-of-pocket medical expenses
        reimbursement") is meant literally and keeps the full weight. A word it drops is twice
        removed from what the curator meant (W_SUBWORD squared): one word of the phrase, and the
        phrase read literally rather than as its meaning. "business licence" means 营业执照, and
        the item names use the same two words for 经营许可 ("Labour dispatch business licence")
        and "licence" alone for every other permit: those must neither outrank 营业执照 nor
        stay in the results on the strength of one English word.
        """
        dropped_weight = weight * W_SUBWORD * W_SUBWORD
        restated = {term for expansion in expansions for term in self.english_terms(expansion)}
        restated |= {word for expansion in expansions for word, _whole in self.han_terms(expansion)}
        for word, whole in self.han_terms(key):
            base = weight if word in restated else dropped_weight
            group.add(word, base if whole else base * W_SUBWORD)
        for term in self.english_terms(key):
            group.add(term, weight if term in restated else dropped_weight)

    def _word_group(self, word: str, weight: float, label: str | None = None) -> tuple[Group, bool]:
        """A group for a Chinese word found by pinyin or correction, expanded if it is a synonym."""
        if word in self.synonyms:
            return self._synonym_group(word, label or word, weight)
        group = Group(label or word)
        self._add_phrase(group, word, weight)
        return group, False

    def analyze(self, query: str) -> QueryPlan:
        """Turn a query into weighted concept groups (see the module docstring)."""
        text = t.normalize(query)
        groups: list[Group] = []
        life_event = False
        bigrams: list[str] = []
        pieces = t.runs(text)
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            if t.is_han(piece):
                bigrams.extend(t.bigrams(piece))
                found, event = self._han_groups(piece)
                groups.extend(found)
                life_event |= event
                i += 1
                continue
            j = i
            while j < len(pieces) and not t.is_han(pieces[j]):
                j += 1
            found, event = self._latin_groups(pieces[i:j])
            groups.extend(found)
            life_event |= event
            i = j
        return QueryPlan(text=text, groups=[g for g in groups if g.terms], bigrams=bigrams, life_event=life_event)

    def _han_groups(self, run: str) -> tuple[list[Group], bool]:
        groups: list[Group] = []
        life_event = False
        plain: list[str] = []

        def flush() -> None:
            if plain:
                groups.extend(self._plain_groups(plain))
                plain.clear()

        for token in self.segmenter.cut(run):
            if token in self.synonyms:
                flush()
                group, event = self._synonym_group(token, token)
                groups.append(group)
                life_event |= event
            elif token in t.CHINESE_STOPWORDS:
                flush()
            else:
                plain.append(token)
        flush()
        # A longer token may hide a synonym (医保卡里 -> 医保卡); look inside tokens nobody knew.
        for group in list(groups):
            if group.label in self.synonyms or group.label in self.vocabulary or len(group.label) < 3:
                continue
            for key in self._synonyms_inside(group.label):
                extra, event = self._synonym_group(key, key)
                groups.append(extra)
                life_event |= event
        return groups, life_event

    def _synonyms_inside(self, token: str) -> list[str]:
        found, i = [], 0
        while i < len(token):
            for j in range(len(token), i + 1, -1):
                if token[i:j] in self.synonyms:
                    found.append(token[i:j])
                    i = j
                    break
            else:
                i += 1
        return found

    def _plain_groups(self, tokens: list[str]) -> list[Group]:
        """Groups for consecutive ordinary tokens, with homophone and near-miss corrections."""
        span = "".join(tokens)
        corrections = self._homophone_corrections(span)
        unknown = sum(len(token) for token in tokens if token not in self.vocabulary)
        # Edit distance only when most of the span is unknown: a known word next to one stray
        # character (领 + 结婚证) is better served by the words themselves.
        if not corrections and len(span) >= 3 and unknown * 2 >= len(span):
            corrections = self._fuzzy_han_correction(span)
        groups: list[Group] = []
        position = 0
        boundaries = []
        for token in tokens:
            boundaries.append((position, position + len(token), token))
            position += len(token)
        used_tokens: set[int] = set()
        for start, end, word, weight in corrections:
            group, _event = self._word_group(word, weight, label=span[start:end])
            for index, (a, b, token) in enumerate(boundaries):
                if a < end and b > start:  # the typed token overlaps the corrected span
                    # A token inside the misspelt span (营业 of 营业只照) is a piece of the corrected
                    # word and counts like one (营业执照's own 营业): the correction, not the
                    # piece, decides. A token reaching beyond the span keeps its full weight.
                    inside = start <= a and b <= end and b - a < end - start
                    self._add_phrase(group, token, weight * W_SUBWORD if inside else W_ORIGINAL)
                    used_tokens.add(index)
            groups.append(group)
        for index, (_a, _b, token) in enumerate(boundaries):
            if index in used_tokens:
                continue
            group = Group(token)
            self._add_phrase(group, token, W_ORIGINAL)
            if not group.terms and t.is_han(token):
                group.terms[token] = W_ORIGINAL  # unknown to the catalogue: still a concept of the query
            groups.append(group)
        return groups

    def _homophone_corrections(self, span: str) -> list[tuple[int, int, str, float]]:
        """Maximal substrings that are no catalogue word but sound exactly (or fuzzily) like one."""
        syllables = t.pinyin_syllables(span)
        if len(syllables) != len(span):  # a character without a reading: give up on this span
            return []
        found: list[tuple[int, int, str, float]] = []
        for length in range(min(len(span), 8), 1, -1):
            for start in range(0, len(span) - length + 1):
                end = start + length
                if any(a < end and b > start for a, b, _w, _s in found):
                    continue
                typed = span[start:end]
                if typed in self.vocabulary:
                    continue
                pinyin = "".join(syllables[start:end])
                candidates = [w for w in self.pinyin_full.get(pinyin, ()) if len(w) == length and w != typed]
                weight = W_HOMOPHONE
                if not candidates:
                    candidates = [
                        w for w in self.pinyin_fuzzy.get(t.fuzzy_pinyin(pinyin), ()) if len(w) == length and w != typed
                    ]
                    weight = W_HOMOPHONE * 0.9
                # Two characters are too easily another word (家里 -> 加例); require one of them typed right.
                if candidates and length == 2:
                    candidates = [w for w in candidates if w[0] == typed[0] or w[1] == typed[1]]
                if candidates:
                    found.append((start, end, candidates[0], weight))
        return sorted(found)

    def _fuzzy_han_correction(self, span: str) -> list[tuple[int, int, str, float]]:
        match = process.extractOne(span, self._han_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_HAN_CUTOFF)
        if match is None:
            return []
        return [(0, len(span), match[0], W_FUZZY)]

    def _latin_groups(self, words: list[str]) -> tuple[list[Group], bool]:
        groups: list[Group] = []
        life_event = False
        pending: list[str] = []  # consecutive words that are neither slang nor English: pinyin

        def flush() -> None:
            if pending:
                groups.extend(self._pinyin_groups(pending))
                pending.clear()

        i = 0
        while i < len(words):
            for n in range(min(self._synonym_max_words, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + n])
                if phrase in self.synonyms:
                    flush()
                    group, event = self._synonym_group(phrase, phrase)
                    groups.append(group)
                    life_event |= event
                    i += n
                    break
            else:
                word = words[i]
                i += 1
                if word in t.ENGLISH_STOPWORDS:
                    flush()
                elif word.isdigit():
                    flush()
                elif t.stem(word) in self._english_set:
                    flush()
                    groups.append(Group(word, {"e:" + t.stem(word): W_ORIGINAL}))
                else:
                    pending.append(word)
        flush()
        return groups, life_event

    def _pinyin_groups(self, words: list[str]) -> list[Group]:
        joined = "".join(w for w in words if t.is_latin_word(w))
        pieces = self._segment_pinyin(joined) if joined else None
        if pieces is None and len(words) > 1:
            result: list[Group] = []
            for word in words:
                result.extend(self._pinyin_groups([word]))
            return result
        if pieces is None:
            return self._fuzzy_latin_groups(joined) if joined else []
        groups = []
        for piece, candidates, weight in pieces:
            group = Group(piece)
            for word in candidates:
                extra, _event = self._word_group(word, weight)
                for term, w in extra.terms.items():
                    group.add(term, w)
            groups.append(group)
        return groups

    def _segment_pinyin(self, letters: str) -> list[tuple[str, tuple[str, ...], float]] | None:
        """Cheapest split of a letter string into pinyin of catalogue words (full, fuzzy or initials)."""
        n = len(letters)
        best: list[tuple[float, list] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            if best[i] is None:
                continue
            cost_so_far, path = best[i]
            for j in range(i + 1, min(n, i + self._pinyin_max) + 1):
                piece = letters[i:j]
                options = []
                if piece in self.pinyin_full:
                    options.append((1.0, self.pinyin_full[piece], W_PINYIN))
                fuzzy_key = t.fuzzy_pinyin(piece)
                if fuzzy_key in self.pinyin_fuzzy:
                    options.append((1.4, self.pinyin_fuzzy[fuzzy_key], W_PINYIN * 0.9))
                if len(piece) >= 2 and piece in self.pinyin_initials:
                    options.append((1.7, self.pinyin_initials[piece], W_INITIALS))
                for cost, candidates, weight in options:
                    total = cost_so_far + cost
                    if best[j] is None or total < best[j][0]:
                        best[j] = (total, path + [(piece, candidates, weight)])
        return best[n][1] if best[n] is not None else None

    def _fuzzy_latin_groups(self, word: str) -> list[Group]:
        if len(word) < 4:
            return []
        options = []
        english = process.extractOne(t.stem(word), self._english_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_LATIN_CUTOFF)
        if english is not None:
            options.append((english[1], Group(word, {"e:" + english[0]: W_FUZZY})))
        pinyin = process.extractOne(
            t.fuzzy_pinyin(word), self._fuzzy_pinyin_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_LATIN_CUTOFF
        )
        if pinyin is not None:
            group = Group(word)
            for candidate in self.pinyin_fuzzy[pinyin[0]]:
                extra, _event = self._word_group(candidate, W_FUZZY)
                for term, w in extra.terms.items():
                    group.add(term, w)
            options.append((pinyin[1], group))
        if not options:
            return []
        return [max(options, key=lambda option: option[0])[1]]

    # ----------------------------------------------------------------- scoring

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The best `limit` documents for `query`, best first (ties by code)."""
        plan = self.analyze(query)
        compact = plan.text.replace(" ", "")
        exact_code = self.by_code.get(plan.text.replace(" ", "-"))
        if exact_code is not None:  # a code names exactly one thing: nothing else is relevant
            return [Hit(self.documents[exact_code], EXACT_CODE_SCORE)]
        scores: dict[int, float] = defaultdict(float)
        credits: dict[int, float] = defaultdict(float)
        by_group: list[dict[int, float]] = []  # each group's contribution to each document
        for group in plan.groups:
            best: dict[int, float] = {}
            best_credit: dict[int, float] = {}
            for term, query_weight in group.terms.items():
                posting = self.postings.get(term)
                if not posting:
                    continue
                factor = query_weight * self.idf[term]
                for doc, (weight, credit) in posting.items():
                    value = factor * weight
                    if value > best.get(doc, 0.0):
                        best[doc] = value
                    credit *= query_weight
                    if credit > best_credit.get(doc, 0.0):
                        best_credit[doc] = credit
            for doc, value in best.items():
                scores[doc] += value
                credits[doc] += best_credit.get(doc, 0.0)
            by_group.append(best)
        if plan.bigrams:
            share = BIGRAM_WEIGHT / len(plan.bigrams)
            for bigram in plan.bigrams:
                posting = self.postings.get("b:" + bigram)
                if not posting:
                    continue
                factor = share * self.idf["b:" + bigram]
                for doc, (weight, _credit) in posting.items():
                    scores[doc] += factor * weight
        group_count = len(plan.groups)
        final: dict[int, float] = {}
        for doc, base in scores.items():
            coverage = min(1.0, credits[doc] / group_count) if group_count else 1.0
            value = base * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * coverage)
            name_key = self.name_keys[doc]
            if len(name_key) >= 2 and name_key in compact:
                value *= EXACT_NAME_BOOST
            if plan.life_event and self.documents[doc].kind == BUNDLE:
                value *= LIFE_EVENT_BUNDLE_BOOST
            final[doc] = value
        if not final:
            return []
        ranked = sorted(final, key=lambda doc: (-final[doc], self.documents[doc].code))
        ranked = self._relevant(ranked, final, by_group)
        return [Hit(self.documents[doc], round(final[doc], 4)) for doc in ranked[:limit]]

    @staticmethod
    def _relevant(ranked: list[int], final: dict[int, float], by_group: list[dict[int, float]]) -> list[int]:
        """The ranked documents without the tail that is no answer to the query (the best always stays).

        Two relative tests, so they mean the same whatever the catalogue's size and the query's
        length (scores have no fixed scale: idf grows with the catalogue, the sum with the groups):

        - the score is at least MIN_RELATIVE_SCORE of the best score;
        - the document matches a *main concept* of the query at least MIN_CONCEPT_STRENGTH as
          strongly as the catalogue's best match of that concept. A main concept is a group whose
          best match reaches MAIN_CONCEPT_SHARE of the strongest group's: in 开个小饭店要办什么证,
          开个 (开办, in 19 bundle names) and 什么证 (许可, in dozens) weigh 62% and 39% of 小饭店,
          so 开办养老机构一件事, found by 开办 and by one member (食品经营许可) at 27% of the best
          小饭店 match, is dropped, while 婚育服务一件事, found by its members at 37% of the best
          结婚 / 生孩子 match, stays for 结婚生孩子 (the measurements are in the README).
        """
        if not ranked:
            return ranked
        floor = final[ranked[0]] * MIN_RELATIVE_SCORE
        group_best = [max(contributions.values(), default=0.0) for contributions in by_group]
        strongest = max(group_best, default=0.0)
        main = [
            (contributions, best)
            for contributions, best in zip(by_group, group_best)
            if best > 0 and best >= strongest * MAIN_CONCEPT_SHARE
        ]

        def matches_a_main_concept(doc: int) -> bool:
            if not main:  # only character bigrams matched: nothing to compare with
                return True
            return any(contributions.get(doc, 0.0) >= best * MIN_CONCEPT_STRENGTH for contributions, best in main)

        return [ranked[0]] + [doc for doc in ranked[1:] if final[doc] >= floor and matches_a_main_concept(doc)]
