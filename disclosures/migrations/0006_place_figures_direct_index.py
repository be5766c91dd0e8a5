from django.db import migrations, models


class Migration(migrations.Migration):
    """The table of villages on a district's or region's page reads the kept figures of the
    settlements under it from this covering partial index alone (PostgreSQL; SQLite goes
    without it): a scan of every place's rows took 110 ms at the country's scale."""

    dependencies = [
        ("disclosures", "0005_public_order_index"),
        ("projects", "0007_place_search_trigrams"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="placefigures",
            index=models.Index(
                condition=models.Q(("direct", True)),
                fields=["place"],
                include=("status", "n", "due_date"),
                name="place_figures_direct",
            ),
        ),
    ]
