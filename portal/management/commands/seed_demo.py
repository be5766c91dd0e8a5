from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from projects.models import Place

# Each app may have a `demo` module with `seed(stdout)`; they run in this order because
# disclosures and hearings point at the projects' places, organisations and projects.
DEMO_APPS = ["projects", "hearings", "disclosures"]


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never in production)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like production, and demo users with a published "
                "password must not exist there. Use --force if you really mean it."
            )
        if not Place.objects.exists():
            self.stdout.write("No places yet: importing the KATO classifier first.")
            call_command("import_places", stdout=self.stdout)
        logins = None
        for app in DEMO_APPS:
            if find_spec(f"{app}.demo") is None:
                continue
            result = import_module(f"{app}.demo").seed(stdout=self.stdout)
            if app == "projects":
                logins = result
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Sign in with:"))
        for email in logins["users"]:
            self.stdout.write(f"  {email}")
        self.stdout.write(f"  password for all of them: {logins['password']}")
