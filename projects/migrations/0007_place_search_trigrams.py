from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """The place search's substring match by a trigram index (pg_trgm, shipped with PostgreSQL
    and a trusted extension: the database's owner may create it)."""

    dependencies = [
        ("projects", "0006_change_reason_language"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="place",
            index=GinIndex(
                fields=["search_key"], name="place_search_trigrams", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
