"""A company publishing contributions while the load test runs (a separate process).

Usage: python -m tests.hostile.load_publisher RECORDS. Needs DATABASE_URL; prints the village's
slug and KATO code first, waits for a line on its input (the clients are running), then
publishes RECORDS contributions, printing the id of each, one per line, flushed as it goes.
"""

import datetime
import os
import sys

import django


def main(records):
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
    sys.stdin.readline()
    for number in range(1, records + 1):
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


if __name__ == "__main__":
    main(int(sys.argv[1]))
