from django.core.management.base import BaseCommand

from core.models import KEPT_UPLOAD_HOURS, KeptUpload


class Command(BaseCommand):
    help = (
        f"Delete files kept from refused forms after {KEPT_UPLOAD_HOURS} hours (run it daily "
        "from cron); the forms stop offering them at that age anyway."
    )

    def handle(self, *args, **options):
        count = 0
        for upload in KeptUpload.objects.expired().iterator():
            upload.discard()
            count += 1
        self.stdout.write(f"{count} kept upload(s) deleted.")
