import secrets

from django.db import migrations, models

import yiwang.registries.models


def fill(apps, schema_editor):
    Consent = apps.get_model("registries", "Consent")
    for consent in Consent.objects.filter(reference__isnull=True).only("pk"):
        Consent.objects.filter(pk=consent.pk).update(reference=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [("registries", "0002_registry_query_receipt")]

    operations = [
        migrations.AddField(
            model_name="consent", name="reference", field=models.CharField(max_length=40, null=True, verbose_name="授权编号"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="consent", name="reference",
            field=models.CharField(default=yiwang.registries.models.new_consent_reference, max_length=40, unique=True,
                                   verbose_name="授权编号"),
        ),
    ]
