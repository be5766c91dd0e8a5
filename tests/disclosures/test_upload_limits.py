"""Uploads cost little before they are trusted: size caps before the body is read, the rate
limit before any decoding, image dimensions from the header, one decode, PDFs by their start."""

import io
import os

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from core.ratelimit import record
from core.request_limits import QuotaUploadHandler
from core.validators import validate_pdf
from disclosures import images
from disclosures import views as disclosure_views
from disclosures.models import ResidentFeedback
from hearings import services as hearing_services
from tests.factories import AkimatFactory, DisclosureFactory, HearingFactory, member_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(size, mode="1"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def decodes(monkeypatch):
    """Counts pixel decodes: every decode of image data asks Pillow for a decoder."""
    calls = []
    original = Image._getdecoder

    def counting(*args, **kwargs):
        calls.append(args[:2])
        return original(*args, **kwargs)

    monkeypatch.setattr(Image, "_getdecoder", counting)
    return calls


@pytest.fixture
def feedback_url():
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    yield reverse("disclosures:feedback", args=[disclosure.pk])
    cache.clear()


def feedback(photo, **extra):
    return {
        "kind": "seen",
        "comment": "The new well works.",
        "photo": SimpleUploadedFile("p.png", photo, content_type="image/png"),
        "photo_alt": "The well",
        "author_name": "",
        "contact": "",
        **extra,
    }


def test_huge_dimensions_are_refused_from_the_header(client, feedback_url, decodes):
    """A 6,320 × 6,320 PNG (a few KB on the wire, 120 MB decoded) is refused undecoded."""
    bomb = png((6320, 6320))
    assert len(bomb) < 200_000
    response = client.post(feedback_url, feedback(bomb))
    assert response.status_code == 400
    assert not ResidentFeedback.objects.exists()
    assert decodes == []
    with pytest.raises(ValidationError) as caught:
        images.process_image(SimpleUploadedFile("p.png", bomb))
    assert caught.value.code == "image_too_many_pixels"
    assert decodes == []


def test_very_long_narrow_image_is_refused(decodes):
    """A 20,000 × 10 strip is under the pixel bound but over the side bound."""
    with pytest.raises(ValidationError) as caught:
        images.validate_image(SimpleUploadedFile("p.png", png((20_000, 10))))
    assert caught.value.code == "image_too_many_pixels"
    assert decodes == []


def test_a_good_photo_is_decoded_once(client, feedback_url, decodes):
    """Form validation reads the header; the service decodes the pixels exactly once."""
    response = client.post(feedback_url, feedback(jpeg()))
    assert response.status_code == 302
    assert ResidentFeedback.objects.get().photo
    assert len(decodes) == 1


def test_rate_limit_comes_before_any_decoding(client, feedback_url, decodes, monkeypatch):
    """A browser over its limit is refused (429) without the photo even being opened."""
    client.get(feedback_url)  # the browser gets its cookie, as from the page with the form
    opened = []
    monkeypatch.setattr(images.Image, "open", lambda *a, **k: opened.append(a))
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = client.cookies["csrftoken"].value
    for _n in range(5):
        record(request, "disclosure-feedback")
    response = client.post(feedback_url, feedback(jpeg(), comment="Kept text"))
    assert response.status_code == 429
    assert "Kept text" in response.content.decode()
    assert opened == [] and decodes == []
    assert not ResidentFeedback.objects.exists()


def test_declared_body_over_the_view_ceiling_is_refused_unread(client, feedback_url):
    """Content-Length above the view's ceiling: 413 before the body is read."""
    response = client.post(
        feedback_url,
        feedback(jpeg()),
        CONTENT_LENGTH=str(disclosure_views.RESIDENT_PHOTO_BODY + 1),
    )
    assert response.status_code == 413
    assert not ResidentFeedback.objects.exists()


def phone_jpeg():
    """A 12-megapixel JPEG of 5-8 MB, as a phone takes it (fine detail, quality 90)."""
    detail = Image.frombytes("RGB", (2000, 1500), os.urandom(2000 * 1500 * 3))
    buffer = io.BytesIO()
    detail.resize((4000, 3000), Image.Resampling.BILINEAR).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def test_a_phone_photo_of_several_megabytes_is_accepted(client, feedback_url):
    """The form promises 15 MB: a 12 MP phone photo of 5-8 MB used to get a 413 (1 MB)."""
    photo = phone_jpeg()
    assert 5 * 1024 * 1024 <= len(photo) <= 8 * 1024 * 1024
    response = client.post(feedback_url, feedback(photo))
    assert response.status_code == 302
    stored = ResidentFeedback.objects.get()
    assert stored.photo and max(Image.open(stored.photo).size) == images.WEB_SIZE


def test_a_photo_over_the_limit_is_refused_with_the_text_kept(client, feedback_url):
    """A file over 15 MB is dropped as it arrives; the form comes back with the typed text."""
    oversized = os.urandom(images.MAX_BYTES + 1024)
    comment = "Мектептің шатыры әлі ағып тұр."
    response = client.post(feedback_url, feedback(oversized, comment=comment))
    assert response.status_code == 400
    assert comment in response.content.decode()
    assert "15" in str(response.context["form"].errors["photo"])  # the limit, in MB
    assert not ResidentFeedback.objects.exists()


def test_views_without_uploads_take_small_bodies_only(client):
    """A 2 MB question is refused with 413: the default ceiling is 1 MB."""
    disclosure = DisclosureFactory(published=True)
    response = client.post(
        reverse("disclosures:question", args=[disclosure.pk]), {"text": "x" * 2_000_000}
    )
    assert response.status_code == 413


def test_quota_handler_stops_a_stream_longer_than_declared():
    """The upload handler counts streamed bytes and stops past the ceiling."""
    handler = QuotaUploadHandler(RequestFactory().post("/"), max_bytes=10)
    assert handler.receive_data_chunk(b"x" * 8, 0) == b"x" * 8
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 8, 8)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><!-- %PDF-1.4 --><script>alert(1)</script></html>\n%%EOF",
        b'<svg xmlns="http://www.w3.org/2000/svg"><!-- %PDF-1.7 --></svg>%%EOF',
        b"%PDF-1.4\n1 0 obj<<>>endobj\n",  # truncated: no end marker
        b"",
    ],
    ids=["html", "svg", "truncated", "empty"],
)
def test_pdfs_are_recognised_from_their_start_and_end(data):
    with pytest.raises(ValidationError):
        validate_pdf(SimpleUploadedFile("doc.pdf", data))


def test_hearing_material_is_stored_under_a_random_pdf_name():
    """The uploader's file name (and extension) never reaches storage."""
    organiser = AkimatFactory()
    hearing = HearingFactory(organiser=organiser)
    document = hearing_services.add_document(
        acting_user=member_of(organiser),
        hearing=hearing,
        upload=SimpleUploadedFile("Secret draft v3 (do not share).html", PDF),
        title_ru="Проект",
    )
    name = document.file.name.rsplit("/", 1)[-1]
    assert name.endswith(".pdf") and "Secret" not in name and len(name) == 36


def test_the_admin_takes_uploads_larger_than_ordinary_forms(client, settings):
    """Staff post large forms in the admin: its ceiling is ADMIN_REQUEST_BODY_MAX_BYTES, not 1 MB.

    (Hearings and disclosures are read-only in the admin; organisations are still edited there.)
    """
    from tests.factories import UserFactory

    client.force_login(UserFactory(staff=True, is_superuser=True))
    url = reverse("admin:projects_organisation_add")
    big_pdf = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2_000_000 + b"\n%%EOF")
    assert client.post(url, {"protocol": big_pdf}).status_code == 200  # the form, with errors
    too_big = str(settings.ADMIN_REQUEST_BODY_MAX_BYTES + 1)
    assert client.post(url, {}, CONTENT_LENGTH=too_big).status_code == 413
