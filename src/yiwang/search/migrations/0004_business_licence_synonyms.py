"""Add the English "business licence" -> 营业执照 entries to databases seeded before they existed.

A fresh database already has them from 0002 (which reads data/synonyms.json); an entry an
administrator has since created under the same term is left as it is.
"""

from django.db import migrations

ENTRIES = [
    ("business licence", "营业执照", 'English: 营业执照 (经营许可 is also translated "business licence" in item names)'),
    ("business license", "营业执照", "English, American spelling"),
]


def add(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for term, expansion, note in ENTRIES:
        if not Synonym.objects.filter(term=term).exists():
            Synonym.objects.create(term=term, expansion=expansion, note=note, life_event=False)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_timestamps_from_core_clock")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
