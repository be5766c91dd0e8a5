"""Every text has a language: single-language fields store the language they were written in
(`core.translation`), and a page in another language marks them with `lang` and one short
"written in" note per card or section."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from core.translation import (
    lang_attribute,
    language_written,
    other_languages,
    text_language,
    written_in_note,
)
from disclosures import services
from disclosures.models import Disclosure, Question
from hearings import services as hearing_services
from tests.factories import (
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    HearingPromiseFactory,
    QuestionFactory,
    member_of,
)

RUSSIAN_RECIPIENT = "КГУ «Ильичевская средняя школа»"


class Record:
    def __init__(self, **values):
        self.__dict__.update(values)


@pytest.mark.parametrize(
    "text, typed_in, expected",
    [
        ("Новая крыша", "kk", "kk"),  # no Kazakh letter: the writer's own language decides
        ("Новая крыша", "ru", "ru"),
        ("Новая крыша", "en", "ru"),  # Cyrillic typed on the English site
        ("Мектептің жаңа шатыры", "ru", "kk"),  # a Kazakh letter is Kazakh
        ("New roof", "kk", "en"),
        ("12 345", "ru", "ru"),
        ("", "kk", "kk"),
    ],
)
def test_the_language_stored_for_typed_text(text, typed_in, expected):
    assert language_written(text, typed_in) == expected


def test_a_stored_language_is_trusted_over_the_letters():
    """Russian text on a Kazakh page is marked, as the record says; the letters' guess could
    not tell it from Kazakh. A record without a stored language falls back to the guess."""
    stored = Record(recipient_name="Новая школа", language="ru")
    assert text_language(stored, "recipient_name") == "ru"
    assert lang_attribute(stored, "recipient_name", "kk") == ' lang="ru"'
    assert lang_attribute(stored, "recipient_name", "ru") == ""
    unknown = Record(recipient_name="Новая школа", language="")
    assert lang_attribute(unknown, "recipient_name", "kk") == ""
    # A field with its own language (an answer by someone else than the asker) uses it.
    question = Record(text="Қашан?", language="kk", answer="В сентябре.", answer_language="ru")
    assert text_language(question, "text") == "kk"
    assert text_language(question, "answer") == "ru"
    assert text_language(Record(text="", language="ru"), "text") is None


def test_one_note_per_card_naming_each_other_language():
    question = Record(text="Когда?", language="ru", answer="Soon.", answer_language="en")
    with translation.override("kk"):
        assert other_languages(question, ["text", "answer"]) == ["ru", "en"]
        note = str(written_in_note(other_languages(question, ["text", "answer"])))
    assert note.count('class="written-in"') == 1
    assert other_languages([question, question], ["text"], "ru") == []
    assert written_in_note([]) == ""


@pytest.mark.django_db
def test_services_store_the_language_of_what_is_typed(tmp_path, settings):
    """A contribution, a question and its answer, written on the Russian and Kazakh sites:
    each keeps its own language, and a language given explicitly wins."""
    settings.MEDIA_ROOT = tmp_path
    company = CompanyFactory()
    user = member_of(company)
    disclosure = Disclosure(
        organisation=company,
        title_ru="Ремонт школы",
        category="education",
        status="delivered",
        delivered_date=DisclosureFactory.build().delivered_date,
        recipient_name=RUSSIAN_RECIPIENT,
    )
    village = DisclosureFactory().settlements.first()
    with translation.override("ru"):
        services.create_disclosure(acting_user=user, disclosure=disclosure, settlements=[village])
    assert disclosure.language == "ru"
    services.publish_disclosure(acting_user=user, disclosure=disclosure)
    with translation.override("kk"):
        question = services.ask_question(disclosure=disclosure, text="Спортзал жөнделе ме?")
        question.moderation_status = Question.Moderation.APPROVED
        question.save()
        services.answer_question(
            acting_user=user, question=question, answer="Летом 2026 года.", language="ru"
        )
    question.refresh_from_db()
    assert (question.language, question.answer_language) == ("kk", "ru")
    with translation.override("kk"):
        document = services.add_document(
            acting_user=user,
            disclosure=disclosure,
            upload=SimpleUploadedFile("act.pdf", b"%PDF-1.4\n%%EOF\n"),
            title="Акт приёмки",
        )
    assert document.language == "kk"  # the Kazakh site, no Kazakh letter: the writer's language


def _page(path):
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def _notes(html):
    return re.findall(r'<p class="written-in">([^<]*)</p>', html)


@pytest.mark.django_db
def test_contribution_page_marks_russian_text_on_the_kazakh_page():
    disclosure = DisclosureFactory(
        published=True,
        title_kk="Мектепті жөндеу",
        title_ru="Ремонт школы",
        recipient_name=RUSSIAN_RECIPIENT,
        in_kind_description="ремонт кровли и окон",
        language="ru",
    )
    QuestionFactory(
        disclosure=disclosure,
        answered=True,
        text="Спортзалды қашан жөндейді?",
        language="kk",
        answer="Летом 2026 года.",
        answer_language="ru",
    )
    kazakh = _page(f"/kk/disclosures/{disclosure.pk}/")
    assert '<dd><span lang="ru">КГУ «Ильичевская средняя школа»</span>' in kazakh
    assert '<dd lang="ru">ремонт кровли и окон</dd>' in kazakh
    assert '<span lang="ru">Летом 2026 года.</span>' in kazakh
    assert 'lang="kk">Спортзалды' not in kazakh  # Kazakh on the Kazakh page: no mark
    # One note for the facts, one for the question's card: not one per field.
    assert _notes(kazakh) == ["Орысша жазылған", "Орысша жазылған"]

    russian = _page(f"/ru/disclosures/{disclosure.pk}/")
    assert "<dd><span" not in russian and 'lang="ru"' not in russian.split("<main", 1)[1]
    assert '<span lang="kk">Спортзалды қашан жөндейді?</span>' in russian
    assert _notes(russian) == ["Написано на казахском"]


@pytest.mark.django_db
def test_a_promise_made_at_a_hearing_keeps_its_language_on_cards():
    """The promise becomes a contribution titled in the promise's language only; on the
    Kazakh page its card says it is written in Russian."""
    promise = HearingPromiseFactory(text="Проложить водопровод до школы", language="ru")
    user = member_of(promise.organisation)
    with translation.override("kk"):
        disclosure = services.record_promise_from_hearing(
            acting_user=user,
            promise=promise,
            due_date=DisclosureFactory.build().delivered_date,
            settlements=[DisclosureFactory().settlements.first()],
            publish=True,
        )
    assert (disclosure.title_ru, disclosure.title_kk, disclosure.language) == (
        "Проложить водопровод до школы",
        "",
        "ru",
    )
    assert promise.hearing.title_ru in disclosure.basis_reference  # the reference in Russian too
    kazakh = _page("/kk/disclosures/")
    card = kazakh.split(f'href="/kk/disclosures/{disclosure.pk}/"', 1)[1].split("</li>", 1)[0]
    assert card.startswith(' lang="ru">Проложить водопровод')
    assert _notes(card) == ["Орысша жазылған"]


@pytest.mark.django_db
def test_hearing_answers_and_cancellation_carry_their_language():
    hearing = HearingFactory(announced=True)
    user = member_of(hearing.organiser)
    with translation.override("ru"):
        comment = hearing_services.submit_comment(hearing=hearing, text="Когда начнут?")
    assert comment.language == "ru"
    with translation.override("kk"):
        hearing_services.cancel_hearing(
            acting_user=user, hearing=hearing, reason="Жер телімі бөлінбеді."
        )
    hearing.refresh_from_db()
    assert hearing.cancellation_reason_language == "kk"
    russian = _page(f"/ru/hearings/{hearing.pk}/")
    assert '<span lang="kk">Жер телімі бөлінбеді.</span>' in russian
    assert "Написано на казахском" in russian
