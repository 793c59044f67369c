"""Seed the curated synonym list from search/data/synonyms.json (administrators edit it afterwards)."""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "data" / "synonyms.json"


def _normalize(term: str) -> str:
    # Same rule as yiwang.search.text.normalize, copied so this migration never changes meaning.
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", term).lower()
    return " ".join(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+", text))


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    entries = json.loads(SEED.read_text(encoding="utf-8"))["synonyms"]
    existing = set(Synonym.objects.values_list("term", flat=True))
    rows = []
    for entry in entries:
        term = _normalize(entry["term"])
        if term and term not in existing:
            existing.add(term)
            rows.append(
                Synonym(
                    term=term,
                    expansion=" ".join(entry["expansion"].split()),
                    note=entry.get("note", ""),
                    life_event=bool(entry.get("life_event")),
                )
            )
    created = Synonym.objects.bulk_create(rows)
    # The historical field is auto_now (the wall clock); the platform's time is core.clock's.
    from yiwang.core import clock

    Synonym.objects.filter(pk__in=[row.pk for row in created]).update(updated_at=clock.now())


def unseed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    entries = json.loads(SEED.read_text(encoding="utf-8"))["synonyms"]
    Synonym.objects.filter(term__in=[_normalize(e["term"]) for e in entries]).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
