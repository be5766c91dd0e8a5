"""Hostile uploads through the real forms: decompression bombs, huge dimensions, truncated and
polyglot files, wrong types. Each is a clear 4xx (or form error) and nothing is stored."""

import io
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from disclosures.models import Document, Photo, ResidentFeedback
from hearings.models import HearingDocument
from tests.factories import DisclosureFactory, HearingFactory, member_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def png_bomb():
    """A valid PNG header for 30,000 × 30,000 pixels with a tiny zlib stream: 900 MP declared."""
    buffer = io.BytesIO()
    Image.new("L", (30000, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = (30000).to_bytes(4, "big") + (30000).to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = crc.to_bytes(4, "big")
    return bytes(data)


def jpeg_bytes(size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 60, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


BAD_PHOTOS = {
    "png-bomb": png_bomb,
    "huge-jpeg-header": lambda: _jpeg_with_dimensions(60000, 60000),
    "truncated-jpeg": lambda: jpeg_bytes((1600, 1200))[:2000],
    "html-polyglot": lambda: b"<html><script>alert(1)</script></html>" + jpeg_bytes(),
    "pdf-as-photo": lambda: PDF,
    "svg": lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "gif": lambda: _gif(),
    "empty": lambda: b"",
}


def _jpeg_with_dimensions(width, height):
    data = bytearray(jpeg_bytes((16, 16)))
    marker = data.index(b"\xff\xc0")
    data[marker + 5 : marker + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def _gif():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, format="GIF")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", list(BAD_PHOTOS))
def test_bad_resident_photos_are_refused(client, kind):
    disclosure = DisclosureFactory(published=True)
    response = client.post(
        reverse("disclosures:feedback", args=[disclosure.pk]),
        {
            "kind": "seen",
            "comment": "Look.",
            "photo": SimpleUploadedFile("photo.jpg", BAD_PHOTOS[kind](), "image/jpeg"),
            "photo_alt": "A photo",
        },
    )
    assert response.status_code == 400, kind
    assert not ResidentFeedback.objects.exists()


@pytest.mark.parametrize("kind", list(BAD_PHOTOS))
def test_bad_company_photos_are_refused(client, kind):
    disclosure = DisclosureFactory()
    client.force_login(member_of(disclosure.organisation))
    response = client.post(
        reverse("disclosures:photo_create", args=[disclosure.pk]),
        {
            "photo": SimpleUploadedFile("photo.png", BAD_PHOTOS[kind](), "image/png"),
            "alt_text": "x",
        },
    )
    assert response.status_code in (200, 400), kind
    assert "errors" in response.content.decode() or "error" in response.content.decode()
    assert not Photo.objects.exists()


BAD_PDFS = {
    "html-with-signature": b"<html><body>%PDF-1.4</body></html>\n%%EOF",
    "svg-with-signature": b"<svg xmlns='http://www.w3.org/2000/svg'><!--%PDF-1.7--></svg>%%EOF",
    "truncated": PDF[:20],
    "exe": b"MZ\x90\x00" + b"\x00" * 100,
    "empty": b"",
}


@pytest.mark.parametrize("kind", list(BAD_PDFS))
@pytest.mark.parametrize("name", ["report.pdf", "report.html", "report"])
def test_bad_documents_are_refused(client, kind, name):
    disclosure = DisclosureFactory()
    client.force_login(member_of(disclosure.organisation))
    client.post(
        reverse("disclosures:document_create", args=[disclosure.pk]),
        {"file": SimpleUploadedFile(name, BAD_PDFS[kind]), "title": "Act", "kind": "other"},
    )
    assert not Document.objects.exists()
    hearing = HearingFactory()
    client.force_login(member_of(hearing.organiser))
    client.post(
        reverse("hearings:document_create", args=[hearing.pk]),
        {"file": SimpleUploadedFile(name, BAD_PDFS[kind]), "title_ru": "Материал"},
    )
    assert not HearingDocument.objects.exists()


def test_a_real_pdf_named_html_is_stored_as_pdf(client):
    hearing = HearingFactory()
    client.force_login(member_of(hearing.organiser))
    response = client.post(
        reverse("hearings:document_create", args=[hearing.pk]),
        {"file": SimpleUploadedFile("evil.html", PDF), "title_ru": "Материал"},
    )
    assert response.status_code == 302
    assert HearingDocument.objects.get().file.name.endswith(".pdf")


def test_more_files_than_allowed_in_one_request_is_a_400(client):
    disclosure = DisclosureFactory(published=True)
    files = {f"photo{n}": SimpleUploadedFile(f"{n}.jpg", b"x") for n in range(10)}
    response = client.post(
        reverse("disclosures:feedback", args=[disclosure.pk]), {"kind": "seen", **files}
    )
    assert response.status_code == 400
    assert not ResidentFeedback.objects.exists()
