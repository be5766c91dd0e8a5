"""A refused form keeps every value, its photo too: the file waits in a temporary upload that
only the browser session which sent it may use, and the resubmit saves it."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from core.models import KeptUpload
from core.ratelimit import LIMIT, record
from core.uploads import KEPT_PER_DAY
from disclosures import images
from disclosures.models import Photo, ResidentFeedback
from tests.factories import DisclosureFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Pages in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def jpeg(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def feedback_url(disclosure):
    return reverse("disclosures:feedback", args=[disclosure.pk])


def refuse_with_photo(client, disclosure):
    """No kind chosen: refused, with a comment and a photo that were fine."""
    return client.post(
        feedback_url(disclosure),
        {"comment": "The roof leaks already.", "photo_alt": "A wet ceiling", "photo": jpeg()},
    )


def test_refused_feedback_keeps_text_and_photo_and_the_resubmit_saves_the_photo(client):
    disclosure = DisclosureFactory(published=True)
    response = refuse_with_photo(client, disclosure)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The roof leaks already." in page
    assert "A wet ceiling" in page
    assert "photo.jpg is kept — choose another file to replace it." in page
    kept = KeptUpload.objects.get()
    assert f'name="photo__kept" value="{kept.token}"' in page
    assert not kept.file.name.endswith("photo.jpg")  # stored under a name of ours

    response = client.post(
        feedback_url(disclosure),
        {
            "kind": "disputed",
            "comment": "The roof leaks already.",
            "photo_alt": "A wet ceiling",
            "photo__kept": kept.token,
        },
    )
    assert response.status_code == 302
    item = ResidentFeedback.objects.get()
    assert item.photo and item.thumbnail
    assert not KeptUpload.objects.exists()
    assert not kept.file.storage.exists(kept.file.name)


def test_another_session_cannot_use_the_kept_photo(client):
    """The token alone is not enough: another browser's resubmit gets no photo, and the owner's
    file stays for its owner."""
    disclosure = DisclosureFactory(published=True)
    refuse_with_photo(client, disclosure)
    kept = KeptUpload.objects.get()
    stranger = Client()
    response = stranger.post(
        feedback_url(disclosure),
        {"kind": "seen", "comment": "Mine now?", "photo__kept": kept.token},
    )
    assert response.status_code == 302
    assert not ResidentFeedback.objects.get().photo
    assert KeptUpload.objects.filter(pk=kept.pk).exists()
    # Nor may the stranger discard it.
    stranger.post(
        feedback_url(disclosure),
        {"comment": "", "photo__kept": kept.token, "photo__kept_remove": "1"},
    )
    assert KeptUpload.objects.filter(pk=kept.pk).exists()


def test_remove_discards_the_kept_photo(client):
    disclosure = DisclosureFactory(published=True)
    refuse_with_photo(client, disclosure)
    kept = KeptUpload.objects.get()
    response = client.post(
        feedback_url(disclosure),
        {"kind": "seen", "comment": "ok", "photo__kept": kept.token, "photo__kept_remove": "1"},
    )
    assert response.status_code == 302
    assert not ResidentFeedback.objects.get().photo
    assert not KeptUpload.objects.exists()


def test_a_new_file_replaces_the_kept_one(client):
    disclosure = DisclosureFactory(published=True)
    refuse_with_photo(client, disclosure)
    kept = KeptUpload.objects.get()
    response = client.post(
        feedback_url(disclosure),
        {"comment": "", "photo_alt": "x", "photo": jpeg("other.jpg"), "photo__kept": kept.token},
    )
    assert response.status_code == 400
    assert "other.jpg is kept" in response.content.decode()
    assert list(KeptUpload.objects.values_list("original_name", flat=True)) == ["other.jpg"]


def test_a_refused_file_is_not_kept(client):
    disclosure = DisclosureFactory(published=True)
    bad = SimpleUploadedFile("notes.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(feedback_url(disclosure), {"comment": "x", "photo": bad})
    assert response.status_code == 400
    assert not KeptUpload.objects.exists()
    assert "is kept" not in response.content.decode()


def test_expired_uploads_are_not_offered_and_are_cleaned(client):
    disclosure = DisclosureFactory(published=True)
    refuse_with_photo(client, disclosure)
    kept = KeptUpload.objects.get()
    KeptUpload.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    client.post(
        feedback_url(disclosure), {"kind": "seen", "comment": "x", "photo__kept": kept.token}
    )
    assert not ResidentFeedback.objects.get().photo
    call_command("clean_kept_uploads", stdout=io.StringIO())
    assert not KeptUpload.objects.exists()
    assert not kept.file.storage.exists(kept.file.name)


def test_company_photo_form_keeps_the_photo_when_the_description_is_missing(client):
    disclosure = DisclosureFactory()
    client.force_login(member_of(disclosure.organisation))
    url = reverse("disclosures:photo_create", args=[disclosure.pk])
    response = client.post(url, {"alt_text": "", "photo": jpeg("school.jpg")})
    assert "school.jpg is kept" in response.content.decode()
    kept = KeptUpload.objects.get()
    response = client.post(url, {"alt_text": "The new school", "photo__kept": kept.token})
    assert response.status_code == 302
    assert Photo.objects.filter(disclosure=disclosure).count() == 1
    assert not KeptUpload.objects.exists()


def use_up_the_limit(client, disclosure):
    """This browser has sent its LIMIT submissions this hour."""
    client.get(feedback_url(disclosure))  # the browser's cookie, as from the page with the form
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = client.cookies["csrftoken"].value
    for _n in range(LIMIT):
        record(request, "disclosure-feedback")


def test_a_rate_limited_form_keeps_text_and_photo_undecoded_until_after_the_wait(
    client, monkeypatch
):
    """Refused with 429, the resident loses nothing: the text comes back and the photo is kept
    as it came, unopened; after the wait, the form sent again with the kept photo saves it."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    use_up_the_limit(client, disclosure)
    opened = []
    with monkeypatch.context() as patch:
        patch.setattr(images.Image, "open", lambda *a, **k: opened.append(a))
        response = client.post(
            feedback_url(disclosure),
            {
                "kind": "seen",
                "comment": "The well works.",
                "photo_alt": "The new well",
                "photo": jpeg("well.jpg"),
            },
        )
    assert response.status_code == 429
    assert opened == []
    page = response.content.decode()
    assert "The well works." in page and "The new well" in page
    assert "well.jpg is kept — choose another file to replace it." in page
    kept = KeptUpload.objects.get()
    assert f'name="photo__kept" value="{kept.token}"' in page

    # Still refused a minute later, without choosing the photo again: it stays offered.
    response = client.post(
        feedback_url(disclosure),
        {"kind": "seen", "comment": "The well works.", "photo__kept": kept.token},
    )
    assert response.status_code == 429
    assert f'name="photo__kept" value="{kept.token}"' in response.content.decode()

    cache.clear()  # the hour has passed
    response = client.post(
        feedback_url(disclosure),
        {
            "kind": "seen",
            "comment": "The well works.",
            "photo_alt": "The new well",
            "photo__kept": kept.token,
        },
    )
    assert response.status_code == 302
    item = ResidentFeedback.objects.get()
    assert item.comment == "The well works." and item.photo and item.thumbnail
    assert not KeptUpload.objects.exists()


def test_a_photo_kept_unchecked_is_checked_when_reused(client):
    """What a rate-limited form kept unopened goes through the photo checks on the resubmit."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    use_up_the_limit(client, disclosure)
    bad = SimpleUploadedFile("notes.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(feedback_url(disclosure), {"kind": "seen", "comment": "x", "photo": bad})
    assert response.status_code == 429
    kept = KeptUpload.objects.get()
    cache.clear()
    response = client.post(
        feedback_url(disclosure),
        {"kind": "seen", "comment": "x", "photo_alt": "x", "photo__kept": kept.token},
    )
    assert response.status_code == 400
    assert "photo" in response.context["form"].errors
    assert not ResidentFeedback.objects.exists()
    assert not KeptUpload.objects.exists()  # refused: not offered again


def test_a_browser_gets_a_few_files_kept_a_day_not_a_disk_full(client):
    """A script resending a refused form with a new file each time gets KEPT_PER_DAY files kept,
    then the form asks for the file again instead of storing more."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    for _ in range(KEPT_PER_DAY):
        refuse_with_photo(client, disclosure)
    assert KeptUpload.objects.count() == KEPT_PER_DAY
    response = refuse_with_photo(client, disclosure)
    assert response.status_code == 400
    assert "The roof leaks already." in response.content.decode()
    assert KeptUpload.objects.count() == KEPT_PER_DAY
