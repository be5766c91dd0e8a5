from django.db import migrations, models


class Migration(migrations.Migration):
    """What residents see, in its order: the list pages' COUNT and page of keys by index (the
    index on `-published_at` alone gives way to this one, which every use of it can read)."""

    dependencies = [
        ("disclosures", "0004_added_translations_reason_languages"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="disclosure", name="disclosure_published"),
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("hidden_at__isnull", True), ("published_at__isnull", False)),
                name="disclosure_published",
            ),
        ),
    ]
