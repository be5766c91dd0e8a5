"""Uploaded files are served only to those who may see their record; public ones may be cached,
private ones never; production hands the bytes to nginx (X-Accel-Redirect)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_sendfile import utils as sendfile_utils
from PIL import Image

from tests.factories import (
    DisclosureFactory,
    HearingDocumentFactory,
    HearingFactory,
    PhotoFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def fetch(client, field):
    response = client.get(field.url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize(
    ("traits", "public"),
    [
        ({"published": True}, True),
        ({"withdrawn": True}, True),  # withdrawn stays visible, marked as such
        ({}, False),  # draft
        ({"published": True, "hidden": True}, False),
    ],
    ids=["published", "withdrawn", "draft", "hidden"],
)
def test_disclosure_photos_follow_the_disclosure(client, traits, public):
    photo = PhotoFactory(disclosure=DisclosureFactory(**traits))
    for field in (photo.image, photo.thumbnail):
        response, body = fetch(client, field)
        if public:
            assert response.status_code == 200
            assert body == field.storage.open(field.name).read()
            assert response["Cache-Control"].startswith("public")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in response["Content-Security-Policy"]
        else:
            assert response.status_code == 404


def test_a_drafts_photo_is_private_for_its_organisation(client):
    """The organisation's editors see their draft's photo, never cached by a shared cache."""
    photo = PhotoFactory(disclosure=DisclosureFactory())
    client.force_login(member_of(photo.disclosure.organisation))
    response, _body = fetch(client, photo.image)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(UserFactory())
    assert fetch(client, photo.image)[0].status_code == 404


@pytest.mark.parametrize(
    ("traits", "anonymous", "staff"),
    [({"approved": True}, 200, 200), ({}, 404, 200), ({"rejected": True}, 404, 200)],
    ids=["approved", "pending", "rejected"],
)
def test_resident_photos_only_once_approved(client, traits, anonymous, staff):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, format="JPEG")
    item = ResidentFeedbackFactory(**traits)
    item.photo.save("resident.jpg", ContentFile(buffer.getvalue()))
    assert fetch(client, item.photo)[0].status_code == anonymous
    client.force_login(UserFactory(staff=True))
    assert fetch(client, item.photo)[0].status_code == staff


def test_evidence_of_a_hidden_disclosure_is_gone(client):
    document = DisclosureFactory(published=True).documents.create(
        title="Act", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="act.pdf")
    )
    response, body = fetch(client, document.file)
    assert response.status_code == 200 and body.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    disclosure = document.disclosure
    disclosure.hidden_at = timezone.now()
    disclosure.hidden_reason = "Court order."
    disclosure.save(update_fields=["hidden_at", "hidden_reason"])
    assert fetch(client, document.file)[0].status_code == 404


def test_draft_hearing_materials_are_private(client):
    material = HearingDocumentFactory(hearing=HearingFactory())
    assert fetch(client, material.file)[0].status_code == 404
    client.force_login(member_of(material.hearing.organiser))
    response, _body = fetch(client, material.file)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    announced = HearingDocumentFactory()
    client.logout()
    assert fetch(client, announced.file)[0].status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/media/../config/settings.py", "/media/disclosures/photos/nothing.jpg", "/media/x%00.jpg"],
)
def test_unknown_or_stray_files_are_404(client, path):
    assert client.get(path).status_code == 404


def test_production_hands_the_file_to_nginx(client, settings):
    """With MEDIA_ACCEL_REDIRECT the response is headers only: nginx sends the bytes."""
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected-media"
    sendfile_utils._get_sendfile.cache_clear()
    try:
        photo = PhotoFactory()
        response = client.get(photo.image.url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
        assert response.content == b""
    finally:
        sendfile_utils._get_sendfile.cache_clear()
