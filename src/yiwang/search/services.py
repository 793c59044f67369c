"""Writes of the search app: the synonym list (the index itself is rebuilt by the selectors)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from yiwang.core.errors import ValidationFailed
from yiwang.search import constants as c
from yiwang.search import text
from yiwang.search.models import Synonym

DEFAULT_SYNONYMS = Path(__file__).resolve().parent / "data" / "synonyms.json"


def normalize_term(term: str) -> str:
    """The stored form of a term: half-width, lower case, punctuation dropped, single spaces."""
    return text.normalize(term)


def check_synonym(*, term: str, expansion: str) -> tuple[str, str]:
    """(normalised term, normalised expansion); ValidationFailed("invalid_synonym") if unusable."""
    clean_term = normalize_term(term)
    clean_expansion = " ".join((expansion or "").split())
    if not clean_term:
        raise ValidationFailed(
            c.INVALID_SYNONYM,
            "口语词不能为空，且须含有汉字、字母或数字。",
            "The term must not be empty and must contain Chinese characters, letters or digits.",
        )
    if not any(text.runs(text.normalize(part)) for part in clean_expansion.split()):
        raise ValidationFailed(
            c.INVALID_SYNONYM,
            "规范用语不能为空，请填写至少一个词（以空格分隔）。",
            "The expansion must list at least one word (separated by spaces).",
        )
    return clean_term, clean_expansion


@transaction.atomic
def save_synonym(*, synonym: Synonym) -> Synonym:
    """Normalise, validate and save a new or changed synonym; every process re-indexes on its next query."""
    synonym.term, synonym.expansion = check_synonym(term=synonym.term, expansion=synonym.expansion)
    try:
        synonym.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(
            c.INVALID_SYNONYM,
            "同义词保存失败：" + "；".join(exc.messages),
            "The synonym could not be saved: " + "; ".join(exc.messages),
            details=exc.message_dict,
        ) from None
    synonym.save()
    return synonym


@transaction.atomic
def delete_synonym(*, synonym: Synonym) -> None:
    """Remove a synonym (deactivating it keeps it for later: set `active` instead)."""
    synonym.delete()


@transaction.atomic
def seed_default_synonyms(*, path: Path = DEFAULT_SYNONYMS) -> int:
    """Add the curated entries whose term is not in the table yet; return how many were added.

    The data migration does this once on install; this is for a database emptied since (a test
    flush, an operator starting over). Existing rows, edited or not, are left as they are.
    """
    entries = json.loads(path.read_text(encoding="utf-8"))["synonyms"]
    existing = set(Synonym.objects.values_list("term", flat=True))
    rows = []
    for entry in entries:
        term, expansion = check_synonym(term=entry["term"], expansion=entry["expansion"])
        if term in existing:
            continue
        existing.add(term)
        rows.append(Synonym(term=term, expansion=expansion, note=entry.get("note", ""), life_event=bool(entry.get("life_event"))))
    Synonym.objects.bulk_create(rows)
    return len(rows)
