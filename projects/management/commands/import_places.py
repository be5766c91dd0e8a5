import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.kato import ImportError_, import_places

DEFAULT_FILE = settings.BASE_DIR / "data" / "kato" / "settlements.csv"


class Command(BaseCommand):
    help = "Import or update the KATO classifier of places (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument(
            "--extra",
            help="settlements_extra.csv with unit types (default: beside FILE, if present)",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = import_places(
                options["file"],
                extra_path=options["extra"],
                progress=lambda message: self.stdout.write(message),
            )
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {exc.filename}") from exc
        except ImportError_ as exc:
            shown = exc.errors[:50]
            lines = [f"line {line}: {message}" for line, message in shown]
            if len(exc.errors) > len(shown):
                lines.append(f"... and {len(exc.errors) - len(shown)} more")
            raise CommandError(
                f"Nothing imported: {len(exc.errors)} problem(s) in {options['file']}:\n"
                + "\n".join(lines)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Places: {result.created:,} created, {result.updated:,} updated, "
                f"{result.unchanged:,} unchanged"
                + (
                    f", {result.not_in_file:,} kept though not in the file"
                    if result.not_in_file
                    else ""
                )
                + f" ({time.monotonic() - started:.1f} s)."
            )
        )
