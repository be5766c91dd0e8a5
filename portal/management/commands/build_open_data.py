from django.core.management.base import BaseCommand

from portal import downloads


class Command(BaseCommand):
    help = (
        "Build the bulk downloads at /data/ (CSV, JSON, datapackage.json) from the published "
        "data. With --if-stale, only when the content changed since the last build."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="build only if the content version moved since the last build",
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=0,
            help="with --if-stale: seconds the last build must be old (default 0)",
        )

    def handle(self, *args, if_stale, min_age, **options):
        if if_stale:
            manifest = downloads.refresh_if_stale(min_age=min_age)
            if manifest is None:
                self.stdout.write("open data: up to date (or being built by another process)")
                return
        else:
            manifest = downloads.build()
        for entry in manifest["files"]:
            rows = f", {entry['rows']} rows" if "rows" in entry else ""
            self.stdout.write(f"{entry['path']}: {entry['bytes']} bytes{rows}")
        self.stdout.write(f"open data built for content version {manifest['content_version']}")
