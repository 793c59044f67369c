from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0007_case_in_bundle"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="title_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="英文标题"),
        ),
        migrations.AddField(
            model_name="notice",
            name="body_en",
            field=models.TextField(blank=True, verbose_name="英文正文"),
        ),
    ]
