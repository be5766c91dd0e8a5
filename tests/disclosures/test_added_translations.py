"""Companies and akimats add the other languages of a text typed in one, later, through the
services: the original never changes, the step is in the public change log, and a page shows
the reader's language where it exists (`core.translation.add_version`, `shown_text`)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.translation import shown_text, text_language
from disclosures import services
from disclosures.models import Revision
from hearings import services as hearing_services
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    QuestionFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages and the addresses in English (the site's default is Kazakh)."""
    with translation.override("en"):
        yield


RECIPIENT_RU = "КГУ «Ильичевская средняя школа»"
RECIPIENT_KK = "Ильичевка орта мектебі"


def _disclosure(**kwargs):
    return DisclosureFactory(published=True, recipient_name=RECIPIENT_RU, language="ru", **kwargs)


def _add(user, record, field="recipient_name", language="kk", text=RECIPIENT_KK):
    return services.add_translation(
        acting_user=user, record=record, field=field, language=language, text=text
    )


def test_a_company_adds_the_kazakh_version_and_the_original_stays():
    disclosure = _disclosure()
    user = member_of(disclosure.organisation)
    _add(user, disclosure)
    disclosure.refresh_from_db()
    assert disclosure.recipient_name == RECIPIENT_RU
    assert disclosure.translations == {"recipient_name": {"kk": RECIPIENT_KK}}
    assert shown_text(disclosure, "recipient_name", "kk") == (RECIPIENT_KK, "kk")
    assert shown_text(disclosure, "recipient_name", "ru") == (RECIPIENT_RU, "ru")
    # English readers fall back to Russian, the original, before the added Kazakh.
    assert shown_text(disclosure, "recipient_name", "en") == (RECIPIENT_RU, "ru")
    revision = disclosure.revisions.get(action=Revision.Action.TRANSLATED)
    assert revision.after_publication and revision.acting_organisation == disclosure.organisation
    assert revision.changes == [
        {"field": "recipient_name", "language": "kk", "old": "", "new": RECIPIENT_KK}
    ]
    # Replacing it keeps the earlier version in the log.
    _add(user, disclosure, text="Ильичевка ауылының орта мектебі")
    latest = disclosure.revisions.filter(action=Revision.Action.TRANSLATED).last()
    assert latest.changes[0]["old"] == RECIPIENT_KK


@pytest.mark.parametrize(
    "field, language, text, message",
    [
        ("recipient_name", "kk", "   ", "Write the translation."),
        ("recipient_name", "kk", "ы" * 256, "at most 255 characters"),
        ("recipient_name", "ru", "Школа", "written in this language"),
        ("recipient_name", "de", "Schule", "Kazakh, Russian or English"),
        ("title_kk", "kk", "Мектеп", "Choose one of the texts"),
        ("basis_reference", "kk", "Шарт", "Choose one of the texts"),  # empty: nothing to add
    ],
)
def test_bad_input_gets_a_clear_message(field, language, text, message):
    disclosure = _disclosure()
    with pytest.raises(ValidationError) as refused:
        _add(member_of(disclosure.organisation), disclosure, field, language, text)
    assert message in " ".join(refused.value.messages)
    disclosure.refresh_from_db()
    assert disclosure.translations == {}


@pytest.mark.parametrize("who", ["other company", "akimat of another place", "anonymous"])
def test_only_those_who_may_edit_the_record_add_a_translation(who):
    disclosure = _disclosure()
    user = {
        "other company": lambda: member_of(CompanyFactory()),
        "akimat of another place": lambda: member_of(AkimatFactory()),
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(PermissionDenied):
        _add(user, disclosure)
    disclosure.refresh_from_db()
    assert disclosure.translations == {}


def test_an_answer_in_russian_gets_its_kazakh_version_until_corrected():
    question = QuestionFactory(
        disclosure=_disclosure(), answered=True, answer="В сентябре.", answer_language="ru"
    )
    user = member_of(question.disclosure.organisation)
    _add(user, question, "answer", "kk", "Қыркүйекте.")
    question.refresh_from_db()
    assert shown_text(question, "answer", "kk") == ("Қыркүйекте.", "kk")
    assert text_language(question, "answer", "kk") == "kk"
    # A corrected answer's translation no longer translates it: it is dropped.
    services.answer_question(
        acting_user=user, question=question, answer="В октябре.", reason="Перенесли.", language="ru"
    )
    question.refresh_from_db()
    assert question.translations == {}
    assert shown_text(question, "answer", "kk") == ("В октябре.", "ru")


def test_pages_show_the_readers_language_and_mark_the_rest():
    disclosure = _disclosure()
    _add(member_of(disclosure.organisation), disclosure)
    client = Client()
    kk = client.get(f"/kk/disclosures/{disclosure.pk}/").content.decode()
    assert RECIPIENT_KK in kk and RECIPIENT_RU not in kk
    en = client.get(f"/en/disclosures/{disclosure.pk}/").content.decode()
    assert f'<span lang="ru">{RECIPIENT_RU.replace("«", "«")}</span>' in en
    assert "Written in Russian" in en
    # The change log shows what was added, in its language, with a note.
    log = client.get(f"/ru/disclosures/{disclosure.pk}/changes/").content.decode()
    assert f'<span lang="kk">{RECIPIENT_KK}</span>' in log
    assert "Написано на казахском" in log


def test_the_form_adds_a_translation_and_refuses_bad_input_with_words():
    disclosure = _disclosure()
    client = Client()
    client.force_login(member_of(disclosure.organisation))
    url = reverse("disclosures:translate", kwargs={"pk": disclosure.pk})
    page = client.get(url)
    assert page.status_code == 200 and RECIPIENT_RU[:20] in page.content.decode()
    refused = client.post(url, {"target": "recipient_name", "language": "ru", "text": "Школа"})
    assert refused.status_code == 200
    assert "The text is written in this language" in refused.content.decode()
    done = client.post(url, {"target": "recipient_name", "language": "kk", "text": RECIPIENT_KK})
    assert done.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.translations["recipient_name"]["kk"] == RECIPIENT_KK


def test_an_akimat_adds_the_kazakh_version_of_a_hearings_contacts():
    akimat = AkimatFactory()
    hearing = HearingFactory(
        organiser=akimat,
        announced=True,
        organiser_contact="Приёмная акимата, тел. 8 716 00 00 00",
        language="ru",
    )
    user = member_of(akimat)
    hearing_services.add_translation(
        acting_user=user,
        record=hearing,
        field="organiser_contact",
        language="kk",
        text="Әкімдік қабылдау бөлмесі, тел. 8 716 00 00 00",
    )
    hearing.refresh_from_db()
    assert hearing.organiser_contact.startswith("Приёмная")
    assert shown_text(hearing, "organiser_contact", "kk")[1] == "kk"
    change = hearing.changes.get(action="translated")
    assert change.changes[0]["field"] == "organiser_contact"
    with pytest.raises(PermissionDenied):
        hearing_services.add_translation(
            acting_user=member_of(AkimatFactory()),
            record=hearing,
            field="organiser_contact",
            language="kk",
            text="Әкімдік",
        )
    with pytest.raises(PermissionDenied):
        hearing_services.add_translation(
            acting_user=member_of(hearing.initiator),
            record=hearing,
            field="organiser_contact",
            language="kk",
            text="Әкімдік",
        )
    page = Client().get(f"/kk/hearings/{hearing.pk}/").content.decode()
    assert "Әкімдік қабылдау бөлмесі" in page and "Приёмная акимата" not in page


def test_a_reason_given_later_stores_its_own_language():
    disclosure = _disclosure()
    user = member_of(disclosure.organisation)
    services.withdraw_disclosure(
        acting_user=user, disclosure=disclosure, reason="Қате енгізілген, екі рет жазылды."
    )
    disclosure.refresh_from_db()
    assert disclosure.language == "ru" and disclosure.withdrawal_reason_language == "kk"
    assert text_language(disclosure, "withdrawal_reason", "ru") == "kk"
    revision = disclosure.revisions.get(action=Revision.Action.WITHDRAWN)
    assert revision.reason_language == "kk"


def test_the_api_and_the_csv_carry_every_version_with_its_language():
    disclosure = _disclosure()
    _add(member_of(disclosure.organisation), disclosure)
    client = Client()
    data = client.get(f"/api/v1/disclosures/{disclosure.pk}/").json()
    assert data["recipient_name"] == RECIPIENT_RU and data["language"] == "ru"
    assert data["translations"] == {"recipient_name": {"kk": RECIPIENT_KK}}
    added = [r for r in data["revisions"] if r["action"] == "translated"]
    assert added[0]["changes"][0]["language"] == "kk"
    response = client.get("/en/disclosures/export.csv")
    csv_text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert "translations" in header.split(",")
    assert '{""recipient_name"": {""kk"": ""' + RECIPIENT_KK + '""}}' in row


def test_the_hearings_form_adds_the_kazakh_version_of_its_contacts():
    akimat = AkimatFactory()
    hearing = HearingFactory(
        organiser=akimat,
        announced=True,
        organiser_contact="Приёмная акимата, тел. 8 716 00 00 00",
        language="ru",
    )
    client = Client()
    client.force_login(member_of(akimat))
    url = reverse("hearings:translate", kwargs={"pk": hearing.pk})
    assert client.get(url).status_code == 200
    kazakh = "Әкімдік қабылдау бөлмесі, тел. 8 716 00 00 00"
    done = client.post(url, {"target": "organiser_contact", "language": "kk", "text": kazakh})
    assert done.status_code == 302
    hearing.refresh_from_db()
    assert hearing.translations["organiser_contact"]["kk"] == kazakh
    assert hearing.organiser_contact.startswith("Приёмная")
