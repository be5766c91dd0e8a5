from django.core.management.base import BaseCommand

from disclosures import figures
from disclosures.models import PlaceFigures


class Command(BaseCommand):
    help = (
        "Sum every place's headline figures again from the contributions (disclosures/"
        "figures.py): after seeding or a bulk change made outside the services, and daily "
        "from cron to put each write's rows together."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the figures are there"
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and PlaceFigures.objects.exists():
            self.stdout.write("The places' figures are there.")
            return
        self.stdout.write(f"{figures.rebuild():,} rows of the places' figures.")
        figures.vacuum()
