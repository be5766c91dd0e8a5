"""A company publishing contributions while the load test runs (a separate process).

Usage: python -m tests.hostile.load_publisher SECONDS. Needs DATABASE_URL; prints the village's
slug first, then the id of every disclosure it published, one per line, flushed as it goes.
"""

import datetime
import os
import sys
import time

import django


def main(seconds):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.utils import timezone

    from disclosures import services
    from disclosures.models import Category, Disclosure, Status
    from tests.factories import CompanyFactory, PlaceFactory, member_of

    village = PlaceFactory()
    company = CompanyFactory()
    user = member_of(company)
    print(village.slug, village.kato_code, flush=True)
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        number += 1
        disclosure = services.create_disclosure(
            acting_user=user,
            disclosure=Disclosure(
                organisation=company,
                title_ru=f"Вклад под нагрузкой {number}",
                title_en=f"Contribution under load {number}",
                category=Category.WATER,
                status=Status.DELIVERED,
                delivered_date=timezone.localdate() - datetime.timedelta(days=1),
                amount=1000 * number,
                currency="KZT",
            ),
            settlements=[village],
        )
        services.publish_disclosure(acting_user=user, disclosure=disclosure)
        print(disclosure.pk, flush=True)
        time.sleep(0.5)


if __name__ == "__main__":
    main(float(sys.argv[1]))
