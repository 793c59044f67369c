from django.db import migrations, models


def mark_bundle_members(apps, schema_editor):
    """Cases that already belong to a 一件事 are its members."""
    member = apps.get_model("bundles", "BundleCaseMember")
    case = apps.get_model("applications", "Case")
    case.objects.filter(pk__in=member.objects.exclude(case=None).values("case_id")).update(in_bundle=True)


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0006_walk_in_and_channels"),
        ("bundles", "0004_form_save_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="in_bundle",
            field=models.BooleanField(default=False, verbose_name="属于一件事"),
        ),
        migrations.RunPython(mark_bundle_members, migrations.RunPython.noop),
    ]
