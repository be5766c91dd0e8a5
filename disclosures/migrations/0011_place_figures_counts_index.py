"""The place search counts its matches' contributions from `place_figures_place` alone (an
index-only scan, no parallel workers to start): `n` joins the index's keys. The foreign key's
own index on `place` goes: the new index leads with the same column, and every publication
writes one index fewer."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0010_kept_first_photo"),
        ("projects", "0007_place_search_trigrams"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="placefigures", name="place_figures_place"),
        migrations.AlterField(
            model_name="placefigures",
            name="place",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="projects.place",
            ),
        ),
        migrations.AddIndex(
            model_name="placefigures",
            index=models.Index(fields=["place", "status", "n"], name="place_figures_place"),
        ),
    ]
