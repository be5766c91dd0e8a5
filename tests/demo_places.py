"""The part of the KATO classifier the demo stands on, for the tests that load the demo."""

import tempfile
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

KATO = Path(settings.BASE_DIR) / "data" / "kato"
DEMO_DISTRICTS = {"5960", "1940", "3160"}  # Taiynsha, Enbekshikazakh, Sarysu
DEMO_REGIONS = {"590000000", "190000000", "310000000"}


def import_demo_places():
    """Import the demo's three districts whole, with their regions: a tenth of the country's
    15,594 places, for a load ten times faster (tests/projects/test_places.py imports them
    all)."""
    with open(KATO / "settlements.csv", encoding="utf-8") as source:
        rows = source.readlines()
    kept = [rows[0]] + [
        row for row in rows[1:] if row[:4] in DEMO_DISTRICTS or row[:9] in DEMO_REGIONS
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-places.csv"
        path.write_text("".join(kept), encoding="utf-8")
        call_command(
            "import_places",
            str(path),
            "--extra",
            str(KATO / "settlements_extra.csv"),
            stdout=StringIO(),
        )
