"""Drafts are private forever: a record's public history starts at its publication. The steps
a company or an akimat took while it was a draft — a status it then changed, a note, an edit with
its reason — never show on the pages or in the API; the organisation itself still sees them."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosures import services
from disclosures.models import Disclosure, Status
from hearings import services as hearing_services
from hearings.models import Hearing
from tests.factories import CompanyFactory, DisclosureFactory, HearingFactory, member_of

pytestmark = pytest.mark.django_db

DRAFT_NOTE = "Подрядчик ещё не выбран, сумма под вопросом"


@pytest.fixture
def published_after_draft_steps():
    """Recorded as promised, started while still a draft (with a note), published, then
    delivered."""
    company = CompanyFactory()
    user = member_of(company)
    today = timezone.localdate()
    draft = DisclosureFactory(
        organisation=company, promised=True, due_date=today + datetime.timedelta(days=60)
    )
    draft.status_changes.update(date=today - datetime.timedelta(days=90))
    services.change_status(
        acting_user=user,
        disclosure=draft,
        status=Status.IN_PROGRESS,
        date=today - datetime.timedelta(days=20),
        note=DRAFT_NOTE,
    )
    services.publish_disclosure(acting_user=user, disclosure=Disclosure.objects.get(pk=draft.pk))
    services.change_status(
        acting_user=user,
        disclosure=Disclosure.objects.get(pk=draft.pk),
        status=Status.DELIVERED,
        date=today,
    )
    return Disclosure.objects.get(pk=draft.pk), user


def test_the_public_timeline_starts_at_publication(client, published_after_draft_steps):
    disclosure, _ = published_after_draft_steps
    assert disclosure.status_changes.count() == 3
    api = client.get(f"/api/v1/disclosures/{disclosure.pk}/").json()
    assert [step["status"] for step in api["status_history"]] == ["in_progress", "delivered"]
    listed = client.get("/api/v1/disclosures/").json()["results"]
    assert [step["status"] for step in listed[0]["status_history"]] == [
        "in_progress",
        "delivered",
    ]
    page = client.get(disclosure.get_absolute_url()).content.decode()
    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 2
    # The status it was published with stays, with the note it was given.
    assert DRAFT_NOTE in timeline


def test_a_status_left_behind_in_the_draft_is_the_companys_alone(
    client, published_after_draft_steps
):
    disclosure, user = published_after_draft_steps
    first = disclosure.status_changes.order_by("recorded_at").first()
    assert first.status == Status.PROMISED
    day = first.date.isoformat()
    assert day not in client.get(disclosure.get_absolute_url()).content.decode()
    assert day not in str(client.get(f"/api/v1/disclosures/{disclosure.pk}/").json())
    client.force_login(user)
    assert day in client.get(disclosure.get_absolute_url()).content.decode()


def test_a_draft_hearings_edits_stay_private():
    """An edit of a draft hearing, with the reason the akimat typed, is not in its public change
    log once it is announced (page or API); the organiser still sees it."""
    hearing = HearingFactory()
    official = member_of(hearing.organiser)
    hearing.title_ru = "Слушания — черновик для согласования с инициатором"
    hearing_services.update_hearing(
        acting_user=official,
        hearing=hearing,
        territory=list(hearing.territory.all()),
        reason="Инициатор просил убрать сумму компенсации",
    )
    hearing_services.announce_hearing(
        acting_user=official, hearing=Hearing.objects.get(pk=hearing.pk)
    )
    anonymous = Client()
    url = reverse("hearings:detail", args=[hearing.pk])
    assert "сумму компенсации" not in anonymous.get(url).content.decode()
    api = anonymous.get(f"/api/v1/hearings/{hearing.pk}/").json()
    assert [change["action"] for change in api["changes"]] == ["announced"]
    organiser = Client()
    organiser.force_login(official)
    assert "сумму компенсации" in organiser.get(url).content.decode()
