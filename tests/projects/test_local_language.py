"""Pages as a Kazakh or Russian reader sees them: local dates, money and time left; Django's own
sign-in and password messages in Kazakh; change logs that read in the reader's language; and
`lang` on text shown in another language than the page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from disclosures import services
from disclosures.models import Revision, Status
from hearings import services as hearing_services
from hearings.models import HearingChange
from tests.factories import (
    DisclosureFactory,
    HearingFactory,
    PlaceFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def text_of(response):
    """The page's visible text: tags, scripts and attributes dropped."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ")


def test_hearing_card_in_kazakh(client):
    """A kk hearing card says "2027 жылғы …", "… қалды" and "… дейін қабылданады", never
    "month", "weeks" or "3 Қаңтар"."""
    hearing = HearingFactory(announced=True)
    with translation.override("kk"):
        page = text_of(client.get(reverse("hearings:list")))
    year = timezone.localdate(hearing.starts_at).year
    assert f"{year} жылғы" in page
    assert "қалды" in page
    assert "Ұсыныс-ескертулер" in page and "дейін қабылданады" in page
    for english in ("month", "week", "day", "hour", "KZT"):
        assert english not in page


def test_contribution_page_in_kazakh_and_russian(client):
    """Money as "587 700 000 ₸" and dates as "… жылғы …" / "… г."; no "KZT"."""
    disclosure = DisclosureFactory(
        published=True,
        amount=Decimal("587700000"),
        delivered_date=datetime.date(2026, 6, 1),
        settlements=[PlaceFactory()],
    )
    with translation.override("kk"):
        kk = text_of(client.get(disclosure.get_absolute_url()))
    with translation.override("ru"):
        ru = text_of(client.get(disclosure.get_absolute_url()))
    assert "587 700 000 ₸" in kk and "587 700 000 ₸" in ru
    assert "2026 жылғы 1 маусым" in kk
    assert "1 июня 2026 г." in ru and "г.." not in ru
    assert "KZT" not in kk and "KZT" not in ru


def test_login_error_in_kazakh(client):
    """A wrong password on the Kazakh page gets a Kazakh error, asks for the e-mail, and no
    English word of Django's shows."""
    UserFactory(username="aigul@example.org")
    url = reverse("login")
    with translation.override("kk"):
        url = reverse("login")
    response = client.post(url, {"username": "aigul@example.org", "password": "wrong-one"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Электрондық пошта немесе құпиясөз қате" in page
    assert "Username" not in page and "Please enter" not in page
    main = page.split("Ashyq Auyl")[1] if "Ashyq Auyl" in page else page
    assert not [w for w in ENGLISH_WORD.findall(main) if w not in {"Ashyq", "Auyl", "RSS"}]


def test_password_rules_in_kazakh():
    """Django's password rules and their help text, in Kazakh (Django's kk catalogue lacks them:
    `core/django_messages.py` keeps ours)."""
    with translation.override("kk"):
        try:
            password_validation.validate_password("12345")
        except ValidationError as error:
            messages = error.messages
        help_texts = password_validation.password_validators_help_texts()
    assert len(messages) >= 2
    for text in [*messages, *help_texts]:
        assert not ENGLISH_WORD.search(text), text
    assert any("құпиясөз" in text.lower() for text in messages)


def test_change_log_stores_codes_and_reads_in_the_readers_language(client):
    """A status change logged while the page was Kazakh reads in Russian on the Russian page."""
    places = place_tree()
    disclosure = DisclosureFactory(
        published=True,
        promised=True,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        settlements=[places["village"]],
    )
    user = member_of(disclosure.organisation)
    with translation.override("kk"):
        services.change_status(acting_user=user, disclosure=disclosure, status=Status.IN_PROGRESS)
    revision = disclosure.revisions.get(action=Revision.Action.STATUS)
    assert {"field": "status", "old": "promised", "new": "in_progress"} in revision.changes
    with translation.override("ru"):
        ru = text_of(client.get(reverse("disclosures:changes", args=[disclosure.pk])))
    assert "обещано" in ru.lower() or "обещание" in ru.lower()
    assert "выполняется" in ru
    assert "орындалуда" not in ru and "уәде" not in ru


def test_fallback_text_carries_its_lang(client):
    """A hearing written only in Russian shows its title and venue on the Kazakh page with
    lang="ru"; an added document's title is named in the change log in the reader's language."""
    hearing = HearingFactory(announced=True, title_kk="", title_ru="Слушания по карьеру")
    user = member_of(hearing.organiser)
    from django.core.files.uploadedfile import SimpleUploadedFile

    hearing_services.add_document(
        acting_user=user,
        hearing=hearing,
        upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        title_kk="",
        title_ru="",
        title_en="Environmental impact report",
    )
    change = HearingChange.objects.get(hearing=hearing, action=HearingChange.Action.DOCUMENT_ADDED)
    assert change.document is not None and change.reason == ""
    with translation.override("kk"):
        html = client.get(hearing.get_absolute_url()).content.decode()
    assert re.search(r'<h1 lang="ru">Слушания по карьеру</h1>', html)
    assert '<span lang="en">Environmental impact report</span>' in html
    with translation.override("en"):
        html = client.get(hearing.get_absolute_url()).content.decode()
    assert "<h1>Hearing on project" in html or "<h1>" in html
    assert '<span lang="en">' not in html


def test_sort_labels_say_what_comes_first(client):
    """Each direction has its own words: "Құны: қымбаты алдымен", not "Құны (descending)"."""
    with translation.override("kk"):
        kk = client.get(reverse("disclosures:list")).content.decode()
    with translation.override("ru"):
        ru = client.get(reverse("disclosures:list")).content.decode()
    assert '<option value="-value">Құны: қымбаты алдымен</option>' in kk
    assert '<option value="-published">Дата публикации: сначала новые</option>' in ru
    assert "descending" not in kk and "descending" not in ru
