from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_item_form"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataregistry",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="英文名称"),
        ),
        migrations.AddField(
            model_name="registryrecordkind",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="英文名称"),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="legal_basis_en",
            field=models.TextField(blank=True, verbose_name="设定依据（英文）"),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="description_en",
            field=models.TextField(blank=True, verbose_name="受理条件（英文）"),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="result_name_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="办理结果英文名称"),
        ),
        migrations.AddField(
            model_name="material",
            name="name_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="材料英文名称"),
        ),
    ]
