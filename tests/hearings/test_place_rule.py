"""Where residents take part: an online or hybrid hearing needs the link to join, one in person
or hybrid its venue (`Hearing.place_problems`), on the akimat's form and when rescheduling."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from hearings import services
from hearings.models import Hearing
from tests.factories import AkimatFactory, CompanyFactory, HearingFactory, PlaceFactory, member_of

from .conftest import local_at

pytestmark = pytest.mark.django_db

LINK = "An online hearing needs the link to join."
VENUE = "Give the venue, down to the building and the room."


@pytest.mark.parametrize(
    "place,refused",
    [
        ({"format": "online"}, [LINK]),
        ({"format": "in_person"}, [VENUE]),
        ({"format": "hybrid"}, [LINK, VENUE]),
        ({"format": "hybrid", "venue_kk": "Әкімдік залы"}, [LINK]),
        ({"format": "hybrid", "online_link": "https://meet.example/a", "venue_en": "Hall"}, []),
    ],
)
def test_the_akimats_form_asks_for_the_link_and_the_venue(client, place, refused):
    organiser = AkimatFactory()
    client.force_login(member_of(organiser))
    start = timezone.localtime(local_at(40))
    data = {
        "title_ru": "Слушания по карьеру",
        "legal_basis": "eia_report",
        "initiator": CompanyFactory().pk,
        "organiser": organiser.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "territory_codes": PlaceFactory(parent=organiser.place).kato_code,
        "language_codes": ["kk", "ru"],
        "materials_available_from": timezone.localdate().isoformat(),
        "comments_until": (start.date() - datetime.timedelta(days=3)).isoformat(),
        **place,
    }
    with translation.override("en"):
        response = client.post(reverse("hearings:create"), data)
    errors = response.context["form"].errors if response.status_code == 200 else {}
    assert errors.get("online_link", []) == ([LINK] if LINK in refused else [])
    assert errors.get("venue_ru", []) == ([VENUE] if VENUE in refused else [])
    assert Hearing.objects.exists() == (not refused)


@pytest.mark.parametrize(
    "place,field",
    [({"format": "online", "online_link": ""}, "online_link"), ({"venue_ru": ""}, "venue_ru")],
)
def test_a_reschedule_without_the_link_or_the_venue_is_refused(place, field):
    hearing = HearingFactory(announced=True, venue_kk="", venue_en="")
    with pytest.raises(ValidationError) as refused:
        services.reschedule_hearing(
            acting_user=member_of(hearing.organiser),
            hearing=hearing,
            starts_at=hearing.starts_at,
            reason="The hall is closed for repairs.",
            **place,
        )
    assert list(refused.value.message_dict) == [field]
    assert Hearing.objects.get(pk=hearing.pk).sequence == 0
