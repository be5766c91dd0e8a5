"""Each row of the places' figures carries its place's path (disclosures/figures.py keeps it, and
sums a moved place's rows again): the table of villages on a region's page reads the region's
own rows as one range of the new index, instead of the country's settlement rows (West
Kazakhstan: 110 ms). The stored rows get their paths here, in SQL that PostgreSQL and SQLite
both run; the index is built after them."""

from django.db import migrations, models

BACKFILL = """UPDATE disclosures_placefigures SET path = (
    SELECT p.path FROM projects_place p WHERE p.id = disclosures_placefigures.place_id
)"""


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0008_listed_places"),
        ("projects", "0007_place_search_trigrams"),
    ]

    operations = [
        migrations.AddField(
            model_name="placefigures",
            name="path",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="placefigures", name="place_figures_direct"),
        migrations.AddIndex(
            model_name="placefigures",
            index=models.Index(
                condition=models.Q(("direct", True)),
                fields=["path", "place", "status", "due_date", "n"],
                name="place_figures_villages",
                opclasses=["varchar_pattern_ops", "int8_ops", "varchar_ops", "date_ops", "int4_ops"],
            ),
        ),
    ]
