from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registries", "0006_self_query_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="purpose_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="用途（英文）"),
        ),
    ]
