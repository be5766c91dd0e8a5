from django.db import migrations, models


class Migration(migrations.Migration):
    """The public list of hearings counts its rows and finds a deep page's keys from this
    partial index alone, in the list's order: a scan and sort of every hearing's wide row
    otherwise (docs/performance.md, "Session 11")."""

    dependencies = [("hearings", "0011_concerned_places")]

    operations = [
        migrations.AddIndex(
            model_name="hearing",
            index=models.Index(
                condition=models.Q(("status", "draft"), _negated=True),
                fields=["-starts_at", "id"],
                name="hearing_published_order",
            ),
        ),
    ]
