"""Who may do what: the whole matrix, through the views (the lookup decides) and the services."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hearings import services
from hearings.models import Hearing, HearingComment
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    HearingCommentFactory,
    HearingFactory,
    PlaceFactory,
    UserFactory,
    member_of,
)

from .conftest import local_at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACTORS = ["anonymous", "company", "organiser", "covering", "lower", "outsider", "staff"]
# Only the organising akimat and moderators manage a hearing; an akimat whose jurisdiction
# covers the territory (the region above, or a rural district below) sees it like the public.
EDITORS = {"organiser", "staff"}


@pytest.fixture
def world():
    region = PlaceFactory(region=True)
    district = PlaceFactory(district=True, parent=region)
    rural = PlaceFactory(rural_district=True, parent=district)
    village = PlaceFactory(parent=rural)
    organiser = AkimatFactory(place=district)
    company = CompanyFactory()
    users = {
        "anonymous": None,
        "company": member_of(company),
        "organiser": member_of(organiser),
        "covering": member_of(AkimatFactory(place=region)),
        "lower": member_of(AkimatFactory(place=rural)),
        "outsider": member_of(AkimatFactory()),
        "staff": UserFactory(staff=True),
    }
    return {"village": village, "organiser": organiser, "company": company, "users": users}


def _hearing(world, **traits):
    return HearingFactory(
        organiser=world["organiser"],
        initiator=world["company"],
        territory=[world["village"]],
        **traits,
    )


def _login(client, world, actor):
    user = world["users"][actor]
    if user:
        client.force_login(user)
    return user


def _denied(response, actor):
    if actor == "anonymous":
        return response.status_code == 302 and "/login" in response["Location"]
    return response.status_code in (403, 404)


@pytest.mark.parametrize("actor", ACTORS)
def test_edit_page(client, world, actor):
    """The edit form opens for the organiser, a covering akimat and staff; others get 404."""
    hearing = _hearing(world)
    _login(client, world, actor)
    response = client.get(reverse("hearings:edit", args=[hearing.pk]))
    if actor in EDITORS:
        assert response.status_code == 200
    else:
        assert _denied(response, actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_announce(client, world, actor):
    """Only editors can announce."""
    hearing = _hearing(world)
    _login(client, world, actor)
    response = client.post(reverse("hearings:announce", args=[hearing.pk]))
    hearing.refresh_from_db()
    if actor in EDITORS:
        assert hearing.status == Hearing.Status.ANNOUNCED
    else:
        assert _denied(response, actor)
        assert hearing.status == Hearing.Status.DRAFT


@pytest.mark.parametrize("actor", ACTORS)
def test_reschedule(client, world, actor):
    """Only editors can move a hearing."""
    hearing = _hearing(world, announced=True)
    _login(client, world, actor)
    new = timezone.localtime(local_at(50))
    response = client.post(
        reverse("hearings:reschedule", args=[hearing.pk]),
        {"starts_at": new.strftime("%Y-%m-%dT%H:%M"), "reason": "The hall is closed."},
    )
    hearing.refresh_from_db()
    if actor in EDITORS:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert hearing.starts_at == local_at(50)
    else:
        assert _denied(response, actor)
        assert hearing.starts_at != local_at(50)


@pytest.mark.parametrize("actor", ACTORS)
def test_cancel(client, world, actor):
    """Only editors can cancel."""
    hearing = _hearing(world, announced=True)
    _login(client, world, actor)
    response = client.post(
        reverse("hearings:cancel", args=[hearing.pk]), {"reason": "Withdrawn by the company."}
    )
    hearing.refresh_from_db()
    if actor in EDITORS:
        assert hearing.status == Hearing.Status.CANCELLED
    else:
        assert _denied(response, actor)
        assert hearing.status == Hearing.Status.ANNOUNCED


@pytest.mark.parametrize("actor", ACTORS)
def test_publish_record(client, world, actor):
    """Only editors can publish the record."""
    hearing = _hearing(world, held=True)
    _login(client, world, actor)
    response = client.post(
        reverse("hearings:record", args=[hearing.pk]),
        {
            "protocol": SimpleUploadedFile("p.pdf", PDF, "application/pdf"),
            "attendance": "35",
        },
    )
    hearing.refresh_from_db()
    if actor in EDITORS:
        assert hearing.status == Hearing.Status.RECORD_PUBLISHED, response.content.decode()[:2000]
        assert hearing.attendance == 35
    else:
        assert _denied(response, actor)
        assert hearing.status == Hearing.Status.HELD


@pytest.mark.parametrize("actor", ACTORS)
def test_moderate(client, world, actor):
    """Only staff moderate residents' input."""
    comment = HearingCommentFactory(hearing=_hearing(world, announced=True))
    _login(client, world, actor)
    response = client.post(
        reverse("hearings:moderate", args=["comment", comment.pk]), {"approve": "1"}
    )
    comment.refresh_from_db()
    if actor == "staff":
        assert comment.moderation_status == HearingComment.Moderation.APPROVED
    else:
        assert _denied(response, actor)
        assert comment.moderation_status == HearingComment.Moderation.PENDING


@pytest.mark.parametrize("actor", ACTORS)
def test_create(client, world, actor):
    """A hearing can be created for an akimat only by its officials (or staff)."""
    _login(client, world, actor)
    data = {
        "title_ru": "Новые слушания",
        "legal_basis": "eia_report",
        "initiator": world["company"].pk,
        "organiser": world["organiser"].pk,
        "format": "in_person",
        "venue_ru": "Клуб, ул. Ленина 5",
        "starts_at": timezone.localtime(local_at(45)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "territory_codes": world["village"].kato_code,
        "language_codes": ["kk", "ru"],
    }
    response = client.post(reverse("hearings:create"), data)
    created = Hearing.objects.filter(title_ru="Новые слушания").exists()
    if actor in ("organiser", "staff"):
        assert created, response.content.decode()[:3000]
    else:
        assert not created
        if actor == "anonymous":
            assert _denied(response, actor)


def test_draft_is_invisible_to_the_public_and_other_akimats(client, world):
    """A draft is a 404 for anyone who may not edit it."""
    hearing = _hearing(world)
    url = reverse("hearings:detail", args=[hearing.pk])
    assert client.get(url).status_code == 404
    client.force_login(world["users"]["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world["users"]["organiser"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("actor", ["company", "outsider", "covering", "lower"])
def test_services_refuse_outsiders(world, actor):
    """The services check permissions themselves, whatever the view did."""
    user = world["users"][actor]
    hearing = _hearing(world, announced=True)
    with pytest.raises(PermissionDenied):
        services.cancel_hearing(acting_user=user, hearing=hearing, reason="x")
    with pytest.raises(PermissionDenied):
        services.reschedule_hearing(
            acting_user=user, hearing=hearing, starts_at=local_at(60), reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.moderate(
            acting_user=user, item=HearingCommentFactory(hearing=hearing), approve=True
        )


def test_organiser_cannot_put_territory_outside_its_jurisdiction(world):
    """An akimat's hearing covers only places in its jurisdiction."""
    from django.core.exceptions import ValidationError

    hearing = Hearing(
        title_ru="x",
        organiser=world["organiser"],
        initiator=world["company"],
        starts_at=local_at(40),
    )
    with pytest.raises(ValidationError):
        services.create_hearing(
            acting_user=world["users"]["organiser"], hearing=hearing, territory=[PlaceFactory()]
        )


@pytest.mark.parametrize("actor", ["organiser", "staff"])
def test_editors_can_save_the_edit_form(client, world, actor):
    """The organiser's officials and moderators can save the notice."""
    hearing = _hearing(world)
    _login(client, world, actor)
    data = {
        "title_ru": "Новое название",
        "legal_basis": "eia_report",
        "initiator": world["company"].pk,
        "organiser": world["organiser"].pk,
        "format": "in_person",
        "venue_ru": "Клуб",
        "starts_at": timezone.localtime(hearing.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "territory_codes": world["village"].kato_code,
        "language_codes": ["kk"],
    }
    response = client.post(reverse("hearings:edit", args=[hearing.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    hearing.refresh_from_db()
    assert hearing.title_ru == "Новое название"
