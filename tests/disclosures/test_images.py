"""Every bad upload is refused with a clear message; good photos lose their metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from disclosures import images, services
from disclosures.models import Photo
from tests.factories import DisclosureFactory, member_of

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(800, 600), exif=None, colour=(200, 40, 40)):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.save(buffer, format="JPEG", exif=exif or Image.Exif())
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def exif_with_gps_and_rotation():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (53.0, 51.0, 0.0)
    gps[3] = "E"
    gps[4] = (69.0, 45.0, 0.0)
    return exif


BAD_UPLOADS = {
    "renamed text file": (b"this is not an image, just text\n" * 20, "image_unreadable"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>",
        "image_unreadable",
    ),
    "truncated jpeg": (None, "image_damaged"),
    "gif": (None, "image_format"),
    "decompression bomb": (None, "image_too_many_pixels"),
}


def bad_file(kind):
    data, code = BAD_UPLOADS[kind]
    if kind == "truncated jpeg":
        whole = jpeg_bytes((1200, 900))
        data = whole[: len(whole) // 2]
    elif kind == "gif":
        buffer = io.BytesIO()
        Image.new("P", (20, 20)).save(buffer, format="GIF")
        data = buffer.getvalue()
    elif kind == "decompression bomb":
        # 8000 × 6000 = 48 megapixels of one colour: a few kilobytes as PNG.
        buffer = io.BytesIO()
        Image.new("1", (8000, 6000)).save(buffer, format="PNG")
        data = buffer.getvalue()
    return data, code


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_bad_uploads_are_refused_with_a_clear_message(kind):
    """Renamed text, SVG, truncated JPEG, GIF and >40 MP images are refused, never stored."""
    data, code = bad_file(kind)
    with pytest.raises(ValidationError) as caught:
        images.process_image(upload(data))
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_too_large_file_is_refused_before_decoding():
    """A file over 15 MB is refused by its size."""
    data = jpeg_bytes() + b"\0" * (images.MAX_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        images.process_image(upload(data))
    assert caught.value.code == "image_too_large"


def test_exif_orientation_applied_and_metadata_stripped():
    """The stored photo is upright, has no EXIF (GPS included), and a random name."""
    data = jpeg_bytes((800, 600), exif=exif_with_gps_and_rotation())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    processed = images.process_image(upload(data, name="../../etc/passwd.jpg"))
    for content in (processed.web, processed.thumbnail):
        stored = Image.open(io.BytesIO(content.read()))
        assert not stored.getexif()
        assert "exif" not in stored.info and "icc_profile" not in stored.info
    web = Image.open(io.BytesIO(processed.web.open().read()))
    assert web.size == (600, 800)  # rotated
    assert "passwd" not in processed.web.name and len(processed.web.name) == 36


def test_sizes_are_capped():
    """Web size ≤ 1600 px on the longest side, thumbnail ≤ 400 px."""
    processed = images.process_image(upload(jpeg_bytes((3200, 1000))))
    assert max(Image.open(processed.web).size) == 1600
    assert max(Image.open(processed.thumbnail).size) == 400


def test_png_and_webp_are_accepted():
    for fmt in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        Image.new("RGBA", (50, 40), (0, 128, 0, 128)).save(buffer, format=fmt)
        processed = images.process_image(upload(buffer.getvalue(), name="x.bin"))
        assert processed.width == 50


def test_photo_service_requires_alt_text_and_limits_to_twenty():
    """Alt text is required; the 21st photo of a disclosure is refused."""
    disclosure = DisclosureFactory()
    user = member_of(disclosure.organisation)
    with pytest.raises(ValidationError):
        services.add_photo(
            acting_user=user, disclosure=disclosure, upload=upload(jpeg_bytes()), alt_text=" "
        )
    small = jpeg_bytes((40, 30))
    for n in range(images.MAX_PHOTOS_PER_DISCLOSURE):
        services.add_photo(
            acting_user=user, disclosure=disclosure, upload=upload(small), alt_text=f"view {n}"
        )
    with pytest.raises(ValidationError, match="20"):
        services.add_photo(
            acting_user=user, disclosure=disclosure, upload=upload(small), alt_text="one more"
        )
    assert Photo.objects.filter(disclosure=disclosure).count() == 20


def test_upload_page_shows_the_message(client):
    """Through the page: a renamed text file gives the message, not a 500."""
    disclosure = DisclosureFactory()
    client.force_login(member_of(disclosure.organisation))
    response = client.post(
        reverse("disclosures:photo_create", args=[disclosure.pk]),
        {"photo": upload(b"hello" * 100, name="photo.jpg"), "alt_text": "The school"},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("photo", code="image_unreadable")
    assert not Photo.objects.exists()


def test_document_must_be_a_pdf_by_content(client):
    """A renamed file is refused as a document; a real PDF is stored under a random name."""
    disclosure = DisclosureFactory()
    client.force_login(member_of(disclosure.organisation))
    url = reverse("disclosures:document_create", args=[disclosure.pk])
    response = client.post(
        url, {"file": upload(b"MZ\x90\x00", name="act.pdf"), "title": "Act", "kind": "other"}
    )
    assert response.status_code == 200
    assert not disclosure.documents.exists()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(
        url,
        {"file": upload(pdf, name="<script>.pdf"), "title": "Act", "kind": "acceptance_act"},
    )
    assert response.status_code == 302
    document = disclosure.documents.get()
    assert "script" not in document.file.name
