"""An index in the public hearings list's order (`Hearing.Meta.indexes`): a deep page's keys and
a place's list walk it instead of sorting every public hearing (docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hearings", "0011_concerned_places"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hearing",
            index=models.Index(
                models.ExpressionWrapper(
                    models.Q(("status", "draft"), _negated=True),
                    output_field=models.BooleanField(),
                ),
                models.OrderBy(models.F("starts_at"), descending=True),
                models.F("id"),
                name="hearing_public_order",
            ),
        ),
    ]
