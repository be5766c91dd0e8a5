"""Uploads in an S3-compatible bucket (a real moto server on loopback, never a mocked API):
saved through Django's storage, served after the same visibility check as on disk, then by a
short-lived signed URL."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.storage import default_storage

from disclosures import services
from tests.disclosures.test_images import jpeg_bytes, upload
from tests.factories import CompanyFactory, DisclosureFactory, member_of

from .servers import s3_storage_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_s3(settings, new_bucket):
    endpoint, bucket = new_bucket()
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings(endpoint, bucket)}
    settings.MEDIA_SIGNED_URL_SECONDS = 300
    return f"{endpoint}/{bucket}"


def photo_of(disclosure):
    user = member_of(disclosure.organisation)
    photo = services.add_photo(
        acting_user=user, disclosure=disclosure, upload=upload(jpeg_bytes()), alt_text="A well"
    )
    return user, photo


def test_photo_is_stored_in_the_bucket_not_on_disk(in_s3, settings):
    """Saving goes through the storage: both sizes are objects in the bucket, no local file."""
    _user, photo = photo_of(DisclosureFactory(published=True))
    assert default_storage.exists(photo.image.name)
    assert default_storage.exists(photo.thumbnail.name)
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_public_photo_redirects_to_a_signed_url_that_serves_it(client, in_s3):
    """Anyone: a redirect to a URL signed for MEDIA_SIGNED_URL_SECONDS, cacheable for less; the
    URL serves the very bytes, as an inline JPEG."""
    _user, photo = photo_of(DisclosureFactory(published=True))
    response = client.get(f"/media/{photo.thumbnail.name}")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(in_s3 + "/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert response["Cache-Control"] == "public, max-age=150"
    served = requests.get(location, timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.content == default_storage.open(photo.thumbnail.name).read()


def test_draft_photo_is_a_404_before_any_url_is_signed(client, in_s3):
    """The visibility check comes first: a stranger gets a 404, never a signed URL."""
    _user, photo = photo_of(DisclosureFactory())
    response = client.get(f"/media/{photo.image.name}")
    assert response.status_code == 404
    assert "Location" not in response
    other = member_of(CompanyFactory())
    client.force_login(other)
    assert client.get(f"/media/{photo.image.name}").status_code == 404


def test_private_photo_for_its_editor_only_never_stored(client, in_s3):
    """The organisation's editor gets a signed URL that no cache may keep."""
    user, photo = photo_of(DisclosureFactory())
    client.force_login(user)
    response = client.get(f"/media/{photo.image.name}")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert requests.get(response["Location"], timeout=10).status_code == 200


def test_signed_url_lives_as_long_as_configured(client, in_s3, settings):
    """A leaked URL is worth little: it is signed for MEDIA_SIGNED_URL_SECONDS. (moto does not
    enforce signatures or expiry, so the test checks what was signed; S3 and MinIO enforce it.)"""
    settings.MEDIA_SIGNED_URL_SECONDS = 60
    user, photo = photo_of(DisclosureFactory())
    client.force_login(user)
    location = client.get(f"/media/{photo.image.name}")["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query


def test_unknown_name_is_a_404_even_if_the_object_exists(client, in_s3):
    """Lookups stay by the names records hold: an object nobody references is not served."""
    from django.core.files.base import ContentFile

    name = default_storage.save("stray/file.jpg", ContentFile(jpeg_bytes()))
    assert client.get(f"/media/{name}").status_code == 404


def test_pages_link_to_media_through_the_check_and_allow_the_bucket_for_images(client, in_s3):
    """A page links to /media/<name> (the visibility check), never to a signed bucket URL that
    would skip it and expire while the page is cached."""
    _user, photo = photo_of(DisclosureFactory(published=True))
    assert photo.thumbnail.url == f"/media/{photo.thumbnail.name}"
    page = client.get(photo.disclosure.get_absolute_url())
    assert f'src="/media/{photo.thumbnail.name}"' in page.content.decode()
    assert "X-Amz-Signature" not in page.content.decode()


def test_content_security_policy_allows_images_from_the_bucket():
    """Browsers follow /media/'s redirect to the bucket; img-src must allow its origin."""
    import json
    import subprocess
    import sys

    from .servers import ROOT

    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
        "AWS_STORAGE_BUCKET_NAME": "ashyq",
        "AWS_S3_ENDPOINT_URL": "https://storage.example.kz:9000",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "https://storage.example.kz:9000" in json.loads(out.stdout)
