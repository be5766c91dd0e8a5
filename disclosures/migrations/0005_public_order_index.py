from django.db import migrations, models


class Migration(migrations.Migration):
    """What residents see, in its order: the list pages' COUNT and page of keys by index."""

    dependencies = [
        ("disclosures", "0004_added_translations_reason_languages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("hidden_at__isnull", True), ("published_at__isnull", False)),
                name="disclosure_public_order",
            ),
        ),
    ]
