from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_roles")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("version", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "content version",
                "verbose_name_plural": "content versions",
            },
        ),
    ]
