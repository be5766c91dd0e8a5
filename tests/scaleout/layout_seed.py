"""Rows for the checks on the runbook's layout (tests/scaleout/test_runbook_layout.py), made
with the suite's factories on the layout's database: `python -m tests.scaleout.layout_seed` with
the layout's environment. Prints one JSON line of what the checks need."""

import datetime
import json

import django

PASSWORD = "two-servers-one-truth"  # noqa: S105


def seed():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.utils import timezone

    from disclosures import services
    from disclosures.models import Category, Disclosure, Status
    from tests.factories import (
        CompanyFactory,
        DisclosureFactory,
        HearingFactory,
        PlaceFactory,
        member_of,
    )
    from tests.scaleout.test_redis_down import district_with_contributions

    company = CompanyFactory()
    user = member_of(company)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "scaleoutsalt")
    user.save(update_fields=["password"])

    def draft(title, village):
        return services.create_disclosure(
            acting_user=user,
            disclosure=Disclosure(
                organisation=company,
                title_ru="Новая скважина",
                title_en=title,
                category=Category.WATER,
                status=Status.DELIVERED,
                delivered_date=timezone.localdate() - datetime.timedelta(days=1),
                amount=1_000_000,
                currency="KZT",
            ),
            settlements=[village],
        )

    shared, lagging, known = PlaceFactory(), PlaceFactory(), PlaceFactory()
    DisclosureFactory(published=True, settlements=[known], title_en="A well the replica knows")
    district = district_with_contributions()
    hearing = HearingFactory(announced=True)
    return {
        "username": user.username,
        "password": PASSWORD,
        "shared_village": f"/en/places/{shared.slug}/",
        "shared_draft": draft("A new well for two servers", shared).pk,
        "lagging_village": f"/en/places/{lagging.slug}/",
        "lagging_draft": draft("Committed while replay waits", lagging).pk,
        "known_village": f"/en/places/{known.slug}/",
        "district": district.get_absolute_url(),
        "district_places": [
            place.get_absolute_url()
            for place in type(district).objects.filter(path__startswith=district.path)
        ],
        "hearing": hearing.pk,
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed()))
