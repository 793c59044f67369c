"""Reads of the search: validate a query, keep the index current, rank items and bundles.

The index lives in memory, one per process. Every search first reads a fingerprint of the
catalogue and the synonym list (one small aggregate query, like `workcalendar.selectors`); when
it differs from the one the index was built from, the index is rebuilt (about 1 s for the
reference catalogue, a few seconds for 2,000+ items) before answering. So an edit made through
any gunicorn worker or the admin is seen by every worker on its next query, and a search never
touches the database beyond that one query. A server builds the index before it forks its
workers (`warm_up_before_fork`, hooked in `SearchConfig.ready`), so no first search waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections

from yiwang.catalog.models import Bundle, BundleMember, Department, Material, ServiceItem
from yiwang.core.errors import ValidationFailed
from yiwang.search import constants as c
from yiwang.search import text
from yiwang.search.engine import Document, SearchIndex, SynonymEntry
from yiwang.search.models import Synonym

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class SearchHit:
    """One result: an item (`kind` "item") or a bundle (`kind` "bundle"), best first."""

    code: str
    name: str
    name_en: str
    kind: str
    score: float
    department: str
    department_en: str

    @property
    def url(self) -> str:
        return f"/items/{self.code}/" if self.kind == c.KIND_ITEM else f"/bundles/{self.code}/"


# --------------------------------------------------------------------------- input


def clean_query(query: Any) -> str:
    """The query stripped; ValidationFailed("invalid_query") when empty, blank or too long."""
    if not isinstance(query, str) or not query.strip():
        raise ValidationFailed(c.INVALID_QUERY, "请输入要搜索的内容。", "Please enter something to search for.")
    query = query.strip()
    if len(query) > c.QUERY_MAX_LENGTH:
        raise ValidationFailed(
            c.INVALID_QUERY,
            f"搜索内容不能超过 {c.QUERY_MAX_LENGTH} 个字（当前 {len(query)} 个）。",
            f"The query must be at most {c.QUERY_MAX_LENGTH} characters long (it has {len(query)}).",
        )
    if not text.normalize(query):
        raise ValidationFailed(
            c.INVALID_QUERY,
            "搜索内容须含有汉字、字母或数字。",
            "The query must contain Chinese characters, letters or digits.",
        )
    return query


def clean_limit(limit: Any) -> int:
    """`limit` as an int in 1..50 (a digit string is accepted); ValidationFailed("invalid_limit") otherwise."""
    value = None
    if isinstance(limit, int) and not isinstance(limit, bool):
        value = limit
    elif isinstance(limit, str) and limit.strip().isascii() and limit.strip().isdigit() and len(limit.strip()) <= 6:
        value = int(limit.strip())
    if value is None or not c.LIMIT_MIN <= value <= c.LIMIT_MAX:
        raise ValidationFailed(
            c.INVALID_LIMIT,
            f"结果条数须为 {c.LIMIT_MIN} 到 {c.LIMIT_MAX} 之间的整数。",
            f"limit must be a whole number from {c.LIMIT_MIN} to {c.LIMIT_MAX}.",
        )
    return value


# --------------------------------------------------------------------------- the index


def _fingerprint_sql() -> str:
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def col(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    item, bundle, member, department, synonym = (
        table(ServiceItem), table(Bundle), table(BundleMember), table(Department), table(Synonym),
    )
    # Items, bundles, departments and synonyms carry updated_at (the catalogue import sets it on
    # every changed row). Member lists are replaced row by row, so their max id moves.
    parts = [
        f"SELECT COUNT(*) FROM {item}",
        f"SELECT COUNT(*) FROM {item} WHERE {col(ServiceItem, 'is_active')} = %s",
        f"SELECT MAX({col(ServiceItem, 'updated_at')}) FROM {item}",
        f"SELECT COUNT(*) FROM {bundle}",
        f"SELECT MAX({col(Bundle, 'id')}) FROM {bundle}",
        f"SELECT MAX({col(Bundle, 'updated_at')}) FROM {bundle}",
        f"SELECT COUNT(*) FROM {member}",
        f"SELECT MAX({col(BundleMember, 'id')}) FROM {member}",
        f"SELECT COUNT(*) FROM {department}",
        f"SELECT MAX({col(Department, 'updated_at')}) FROM {department}",
        f"SELECT COUNT(*) FROM {synonym}",
        f"SELECT MAX({col(Synonym, 'updated_at')}) FROM {synonym}",
        f"SELECT MAX({col(Synonym, 'id')}) FROM {synonym}",
    ]
    return "SELECT " + ", ".join(f"({part})" for part in parts)


def index_fingerprint() -> tuple:
    """What the index depends on, read in one query (counts, newest updates, name lengths)."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), [True])
        row = cursor.fetchone()
    return tuple(str(value) for value in row)


def _documents() -> list[Document]:
    materials: dict[int, list[str]] = defaultdict(list)
    for item_id, name in (
        Material.objects.filter(item__is_active=True).order_by("item_id", "position").values_list("item_id", "name")
    ):
        materials[item_id].append(name)
    documents = [
        Document(
            code=code,
            kind=c.KIND_ITEM,
            name=name,
            name_en=name_en,
            department=department,
            department_en=department_en,
            result=result,
            materials=tuple(materials.get(pk, ())),
        )
        for pk, code, name, name_en, department, department_en, result in ServiceItem.objects.filter(is_active=True)
        .order_by("code")
        .values_list("pk", "code", "name", "name_en", "department__name", "department__name_en", "result_name")
    ]
    members: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for bundle_id, name, name_en in BundleMember.objects.order_by("bundle_id", "position").values_list(
        "bundle_id", "item__name", "item__name_en"
    ):
        members[bundle_id].append((name, name_en))
    for pk, code, name, name_en, department, department_en in Bundle.objects.order_by("code").values_list(
        "pk", "code", "name", "name_en", "lead_department__name", "lead_department__name_en"
    ):
        documents.append(
            Document(
                code=code,
                kind=c.KIND_BUNDLE,
                name=name,
                name_en=name_en,
                department=department,
                department_en=department_en,
                members=tuple(m[0] for m in members.get(pk, ())),
                members_en=tuple(m[1] for m in members.get(pk, ()) if m[1]),
            )
        )
    return documents


def _synonym_entries() -> list[SynonymEntry]:
    return [
        SynonymEntry(term=term, expansions=tuple(expansion.split()), life_event=life_event)
        for term, expansion, life_event in Synonym.objects.filter(active=True).values_list("term", "expansion", "life_event")
    ]


def build_index() -> SearchIndex:
    """A fresh index of the active items, the bundles and the active synonyms (reads the database)."""
    return SearchIndex(_documents(), _synonym_entries())


_cache: tuple[tuple, SearchIndex] | None = None
_build_lock = threading.Lock()


def current_index() -> SearchIndex:
    """The process's index, rebuilt first if the catalogue or the synonyms changed."""
    global _cache
    fingerprint = index_fingerprint()
    cached = _cache
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    # One thread builds; the others of this process wait for it rather than build the same.
    with _build_lock:
        cached = _cache
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        index = build_index()
        _cache = (fingerprint, index)
        return index


def index_is_warm() -> bool:
    """True when this process holds the index of the current catalogue (a search builds nothing)."""
    cached = _cache
    return cached is not None and cached[0] == index_fingerprint()


# A query touching every lazy part of the query path (pinyin of an unknown span, rapidfuzz).
_WARM_UP_QUERY = "营业只照"


def warm_up() -> SearchIndex:
    """Build (or reuse) this process's index and run one query, so the next search waits for nothing.

    The first build of a process also loads jieba's and pypinyin's dictionaries: about 1.5 s on
    the reference catalogue when the machine is idle, more for a large catalogue or a busy one.
    """
    index = current_index()
    index.search(_WARM_UP_QUERY, 1)
    return index


def warm_up_before_fork() -> SearchIndex | None:
    """`warm_up` in a server's master process just before it forks a worker; None if it failed.

    The worker inherits the index (and the dictionaries) in copy-on-write memory, so neither it
    nor a second worker builds anything, and the fingerprint check of every search still
    rebuilds it when the catalogue changes later. The master's database connections are closed
    afterwards: a connection must never be shared by two processes. A failure (a database not
    migrated yet) is logged, never raised: the first search then builds the index as before.
    """
    started = time.perf_counter()
    try:
        index = warm_up()
    except Exception:
        logger.warning("search: warm-up failed; the first search will build the index", exc_info=True)
        return None
    finally:
        connections.close_all()
    logger.info("search: index of %d documents ready in %.2f s", len(index.documents), time.perf_counter() - started)
    return index


def forget_index_unless(fingerprint: tuple | None) -> None:
    """Drop the process's cached index unless it was built for `fingerprint`.

    For test isolation: under a frozen clock two rolled-back tests can leave different catalogues
    with the same fingerprint, so the suite keeps only the index of the catalogue it loaded.
    """
    global _cache
    with _build_lock:
        if _cache is not None and _cache[0] != fingerprint:
            _cache = None


# --------------------------------------------------------------------------- searching


def search(query: str, *, limit: int = c.LIMIT_DEFAULT) -> list[SearchHit]:
    """Items and bundles for a resident's query, best first (at most `limit`, 1..50).

    Raises ValidationFailed("invalid_query") for an empty, blank or overlong query (over 100
    characters) and ValidationFailed("invalid_limit") for a limit outside 1..50.
    """
    query = clean_query(query)
    limit = clean_limit(limit)
    return [
        SearchHit(
            code=hit.document.code,
            name=hit.document.name,
            name_en=hit.document.name_en,
            kind=hit.document.kind,
            score=hit.score,
            department=hit.document.department,
            department_en=hit.document.department_en,
        )
        for hit in current_index().search(query, limit)
    ]


def search_as_json(query: str, limit: int = c.LIMIT_DEFAULT) -> dict:
    """Exactly the body of GET /api/v1/search: {"results": [{"code", "name", "kind", "score"}]}.

    Raises the same ValidationFailed errors as `search` (their `as_dict()` is the API's 400 body).
    """
    return {
        "results": [
            {"code": hit.code, "name": hit.name, "kind": hit.kind, "score": hit.score}
            for hit in search(query, limit=limit)
        ]
    }
