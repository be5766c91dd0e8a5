"""Local formats (`core.formats` and `{% load local_formats %}`): each value written the way
a Kazakh, Russian or English reader writes it."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import timezone, translation

from core import formats
from core.translation import choice_label, lang_attribute, script_language
from disclosures.models import Category, Disclosure, Status
from hearings.models import Hearing

NB = "\u00a0"
NOW = timezone.make_aware(datetime.datetime(2026, 11, 10, 12, 0))


def plain(text):
    return str(text).replace(NB, " ")


@pytest.mark.parametrize(
    "language, amount, currency, expected",
    [
        ("kk", 587700000, "KZT", "587 700 000 ₸"),
        ("ru", 587700000, "KZT", "587 700 000 ₸"),
        ("en", 587700000, "KZT", "KZT 587,700,000"),
        ("kk", Decimal("8000000.00"), "KZT", "8 000 000 ₸"),
        ("ru", Decimal("1234.5"), "USD", "1 234,50 $"),
        ("en", Decimal("1234.5"), "USD", "USD 1,234.50"),
        ("ru", 0, "KZT", "0 ₸"),
        ("kk", -1500, "KZT", "\u22121 500 ₸"),
        ("en", -1500, "EUR", "EUR \u22121,500"),
        ("ru", 10, "XYZ", "10 XYZ"),
    ],
)
def test_money(language, amount, currency, expected):
    """Thousands by a no-break space and the sign after it in kk/ru, the code first in English;
    decimals only when there are any."""
    assert plain(formats.money(amount, currency, language)) == expected


def test_money_never_wraps_and_none_is_empty():
    """No ordinary space inside a figure (it would wrap on a 360 px phone); None shows nothing."""
    assert " " not in formats.money(587700000, "KZT", "kk")
    assert formats.money(None, "KZT", "kk") == ""
    assert formats.money("", "KZT", "ru") == ""


@pytest.mark.parametrize(
    "language, expected, with_weekday",
    [
        ("kk", "2027 жылғы 3 қаңтар", "2027 жылғы 3 қаңтар, жексенбі"),
        ("ru", "3 января 2027 г.", "воскресенье, 3 января 2027 г."),
        ("en", "3 January 2027", "Sunday, 3 January 2027"),
    ],
)
def test_day(language, expected, with_weekday):
    value = datetime.date(2027, 1, 3)
    assert plain(formats.day(value, language)) == expected
    assert plain(formats.day(value, language, weekday=True)) == with_weekday
    assert formats.day(None, language) == ""


@pytest.mark.parametrize(
    "language, expected",
    [
        ("kk", "2027 жылғы 3 қаңтар, 14:00"),
        ("ru", "3 января 2027 г., 14:00"),
        ("en", "3 January 2027, 14:00"),
    ],
)
def test_day_time_in_kazakhstan_time(language, expected):
    """An instant stored in UTC is shown on its Kazakhstan date and time."""
    utc = timezone.localtime(
        timezone.make_aware(datetime.datetime(2027, 1, 3, 14, 0)), datetime.UTC
    )
    assert plain(formats.day_time(utc, language)) == expected


@pytest.mark.parametrize(
    "language, expected, until",
    [
        ("kk", "31 желтоқсан", "31 желтоқсанға"),
        ("ru", "31 декабря", "31 декабря"),
        ("en", "31 December", "31 December"),
    ],
)
def test_day_month(language, expected, until):
    value = datetime.date(2026, 12, 31)
    assert plain(formats.day_month(value, language)) == expected
    assert plain(formats.day_month(value, language, case="until")) == until


def test_kazakh_ablative_follows_the_last_vowel_and_consonant():
    """ "from 23 March" in Kazakh: "23 наурыздан бастап", every month as a reader writes it."""
    months = [
        plain(formats.day_month(datetime.date(2024, m, 23), "kk", case="from"))
        for m in range(1, 13)
    ]
    assert months == [
        "23 қаңтардан",
        "23 ақпаннан",
        "23 наурыздан",
        "23 сәуірден",
        "23 мамырдан",
        "23 маусымнан",
        "23 шілдеден",
        "23 тамыздан",
        "23 қыркүйектен",
        "23 қазаннан",
        "23 қарашадан",
        "23 желтоқсаннан",
    ]
    assert [formats.kk_ablative(word) for word in ("Ақтау", "Нұра", "Жаңатас", "Шымкент")] == [
        "Ақтаудан",
        "Нұрадан",
        "Жаңатастан",
        "Шымкенттен",
    ]
    assert plain(formats.day(datetime.date(2024, 3, 23), "kk", case="from")) == (
        "2024 жылғы 23 наурыздан"
    )
    assert plain(formats.day(datetime.date(2024, 3, 23), "ru", case="from")) == "23 марта 2024 г."


def test_kazakh_dative_months_follow_vowel_harmony():
    assert [
        plain(formats.day_month(datetime.date(2027, m, 1), "kk", case="until")) for m in (4, 7, 9)
    ] == [
        "1 сәуірге",
        "1 шілдеге",
        "1 қыркүйекке",
    ]


def test_a_kazakh_date_a_verb_follows_takes_the_locative():
    """ "2025 жылғы 30 сәуірде орындалды", not "30 сәуір орындалды" (wording.md, Kazakh #1)."""
    dates = [datetime.date(2025, m, 30 if m != 2 else 3) for m in (2, 4, 7, 9, 12)]
    assert [plain(formats.day(d, "kk", case="on")) for d in dates] == [
        "2025 жылғы 3 ақпанда",
        "2025 жылғы 30 сәуірде",
        "2025 жылғы 30 шілдеде",
        "2025 жылғы 30 қыркүйекте",
        "2025 жылғы 30 желтоқсанда",
    ]
    assert plain(formats.day(dates[1], "ru", case="on")) == "30 апреля 2025 г."


@pytest.mark.parametrize(
    "delta, kk, ru, en",
    [
        (
            datetime.timedelta(days=38),
            "1 ай 1 апта қалды",
            "через 1 месяц 1 неделю",
            "in 1 month, 1 week",
        ),
        (
            datetime.timedelta(days=52),
            "1 ай 3 апта қалды",
            "через 1 месяц 3 недели",
            "in 1 month, 3 weeks",
        ),
        (datetime.timedelta(days=2), "2 күн қалды", "через 2 дня", "in 2 days"),
        (datetime.timedelta(days=5), "5 күн қалды", "через 5 дней", "in 5 days"),
        (datetime.timedelta(days=21), "3 апта қалды", "через 3 недели", "in 3 weeks"),
        (datetime.timedelta(hours=21), "21 сағат қалды", "через 21 час", "in 21 hours"),
        (datetime.timedelta(minutes=1), "1 минут қалды", "через 1 минуту", "in 1 minute"),
        (datetime.timedelta(minutes=22), "22 минут қалды", "через 22 минуты", "in 22 minutes"),
        (datetime.timedelta(minutes=11), "11 минут қалды", "через 11 минут", "in 11 minutes"),
        (
            datetime.timedelta(days=1, hours=3),
            "1 күн 3 сағат қалды",
            "через 1 день 3 часа",
            "in 1 day, 3 hours",
        ),
    ],
)
def test_timeleft(delta, kk, ru, en):
    """The largest unit and the next, in each language's grammar (ru plural forms for 1, 2, 5,
    11, 21, 22; Kazakh nouns unchanged after a number); never English words on a kk page."""
    assert plain(formats.timeleft(NOW + delta, now=NOW, language="kk")) == kk
    assert plain(formats.timeleft(NOW + delta, now=NOW, language="ru")) == ru
    assert plain(formats.timeleft(NOW + delta, now=NOW, language="en")) == en


def test_timeleft_past_zero_and_none():
    for language in ("kk", "ru", "en"):
        assert formats.timeleft(NOW, now=NOW, language=language)
        assert "-" not in formats.timeleft(
            NOW - datetime.timedelta(days=3), now=NOW, language=language
        )
        assert formats.timeleft(None, now=NOW, language=language) == ""
    assert (
        formats.timeleft(NOW - datetime.timedelta(days=3), now=NOW, language="ru")
        == "уже наступило"
    )


def test_timeleft_counts_calendar_months_and_years():
    start = timezone.make_aware(datetime.datetime(2026, 1, 31, 12, 0))
    assert plain(
        formats.timeleft(start + datetime.timedelta(days=400), now=start, language="ru")
    ) == ("через 1 год 1 месяц")
    assert plain(formats.timeleft(datetime.date(2026, 3, 31), now=start, language="en")) == (
        "in 1 month, 4 weeks"
    )


@pytest.mark.parametrize(
    "minutes, kk, ru, en",
    [
        (120, "шамамен 2 сағат", "около 2 часов", "about 2 hours"),
        (60, "шамамен 1 сағат", "около 1 часа", "about 1 hour"),
        (90, "шамамен 1 сағат 30 минут", "около 1 часа 30 минут", "about 1 hour 30 minutes"),
        (300, "шамамен 5 сағат", "около 5 часов", "about 5 hours"),
        (21, "шамамен 21 минут", "около 21 минуты", "about 21 minutes"),
        (0, "шамамен 0 минут", "около 0 минут", "about 0 minutes"),
    ],
)
def test_duration(minutes, kk, ru, en):
    assert plain(formats.duration(minutes, "kk")) == kk
    assert plain(formats.duration(minutes, "ru")) == ru
    assert plain(formats.duration(minutes, "en")) == en
    assert formats.duration(None, "kk") == ""


def test_numbers_and_coordinates():
    """A semicolon between coordinates in kk and ru, where the comma is the decimal mark."""
    assert formats.coordinates(43.4837, 78.07515, "ru") == "43,48370; 78,07515"
    assert formats.coordinates(43.4837, 78.07515, "kk") == "43,48370; 78,07515"
    assert formats.coordinates(43.4837, 78.07515, "en") == "43.48370, 78.07515"
    assert formats.coordinates(None, 78, "en") == ""
    assert plain(formats.number(Decimal("-1234.5"), language="ru")) == "\u22121 234,5"
    assert formats.number(17, language="kk") == "17"


def test_iso_has_no_microseconds():
    value = timezone.make_aware(datetime.datetime(2027, 1, 3, 14, 0, 5, 123456))
    assert formats.iso(value) == "2027-01-03T14:00:05+05:00"
    assert formats.iso(datetime.date(2027, 1, 3)) == "2027-01-03"


def test_template_filters_use_the_page_language():
    template = Template(
        "{% load local_formats %}{{ amount|money:'KZT' }}|{{ when|day }}"
        "|{{ until|day_month:'until' }}|{{ minutes|duration }}|{% coordinates 43.4837 78.07515 %}"
    )
    context = Context(
        {
            "amount": 587700000,
            "when": datetime.date(2027, 1, 3),
            "until": datetime.date(2026, 12, 31),
            "minutes": 120,
        }
    )
    with translation.override("kk"):
        assert plain(template.render(context)) == (
            "587 700 000 ₸|2027 жылғы 3 қаңтар|31 желтоқсанға|шамамен 2 сағат|43,48370; 78,07515"
        )
    with translation.override("en"):
        assert plain(template.render(context)) == (
            "KZT 587,700,000|3 January 2027|31 December|about 2 hours|43.48370, 78.07515"
        )


class Named:
    def __init__(self, **values):
        self.__dict__.update(values)


def test_lang_attribute_marks_fallback_text():
    """Text shown in another language than the page (a fallback, or typed in English) carries
    its `lang`; text in the page's language carries none."""
    only_russian = Named(title_kk="", title_ru="Школа", title_en="")
    assert lang_attribute(only_russian, "title", "kk") == ' lang="ru"'
    assert lang_attribute(only_russian, "title", "ru") == ""
    both = Named(title_kk="Мектеп", title_ru="Школа", title_en="")
    assert lang_attribute(both, "title", "kk") == ""
    assert lang_attribute(both, "title", "en") == ' lang="ru"'
    assert lang_attribute(Named(title_kk="", title_ru="", title_en=""), "title", "kk") == ""
    assert lang_attribute("New roof of the school", None, "kk") == ' lang="en"'
    assert lang_attribute("Мектептің жаңа шатыры", None, "ru") == ' lang="kk"'
    assert lang_attribute("Новая крыша", None, "kk") == ""  # Kazakh or Russian: cannot tell
    assert lang_attribute("Новая крыша", None, "en") == ' lang="ru"'
    assert script_language("12 345") is None


@pytest.mark.parametrize(
    "name, language, shown",
    [
        ("Амандық а.о.", "kk", "Амандық ауылдық округі"),
        ("Жиенәлі а.о", "kk", "Жиенәлі ауылдық округі"),
        ("Семей Қ.Ә.", "kk", "Семей қ.ә."),
        ("Амандыкский с.о.", "ru", "Амандыкский сельский округ"),
        ("Карабулакская с.а.", "ru", "Карабулакская сельская администрация"),
        ("Семей Г.А.", "ru", "Семей г.а."),
        ("с.о.Кабанбай батыра", "ru", "с.о.Кабанбай батыра"),  # no certain grammar: as written
        ("Нұра", "kk", "Нұра"),
    ],
)
def test_place_names_spell_out_kato_abbreviations(name, language, shown):
    assert formats.place_name(name, language) == shown


@pytest.mark.parametrize(
    "first, last, language, shown",
    [
        ((2026, 12, 1), (2026, 12, 20), "kk", "2026\u00a0жылғы 1–20\u00a0желтоқсан"),
        ((2026, 12, 1), (2026, 12, 20), "ru", "1–20\u00a0декабря 2026\u00a0г."),
        (
            (2026, 11, 25),
            (2026, 12, 20),
            "kk",
            "2026\u00a0жылғы 25\u00a0қараша – 20\u00a0желтоқсан",
        ),
        ((2026, 11, 25), (2026, 12, 20), "ru", "25\u00a0ноября – 20\u00a0декабря 2026\u00a0г."),
        ((2026, 12, 25), (2027, 1, 20), "en", "25\u00a0December 2026 – 20\u00a0January 2027"),
        ((2026, 12, 1), None, "en", "1\u00a0December 2026"),
    ],
)
def test_a_window_of_days_writes_the_year_once(first, last, language, shown):
    """A public discussion's window: one year, one month where they are shared."""
    last = datetime.date(*last) if last else None
    assert formats.day_range(datetime.date(*first), last, language) == shown


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_choice_label_is_what_django_displays(language):
    """`choice_label` (behind the cards' status and category) shows what Django's
    `get_FOO_display` does, in the page's language, and an unknown value as it is."""
    with translation.override(language):
        for status in Status.values:
            shown = Disclosure(status=status)
            assert shown.get_status_display() == Status(status).label
            assert shown.get_status_display() == shown._get_FIELD_display(
                Disclosure._meta.get_field("status")
            )
        for category in Category.values:
            assert Disclosure(category=category).get_category_display() == Category(category).label
        for status in Hearing.Status.values:
            assert Hearing(status=status).get_status_display() == Hearing.Status(status).label
        assert choice_label(Status, "no-such-status") == "no-such-status"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_get_foo_display_of_ours_is_djangos(language):
    """Each `get_FOO_display` a model writes with `choice_label` (one lookup, where Django's
    translates every label of the field) shows what Django's would, for every value, an empty
    one and an unknown one."""
    overridden = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.choices
        and f"get_{field.name}_display" in vars(model)
        and callable(vars(model)[f"get_{field.name}_display"])
    ]
    assert len(overridden) >= 15
    with translation.override(language):
        for model, field in overridden:
            for value in [*dict(field.flatchoices), "", "no-such-value"]:
                row = model(**{field.attname: value})
                shown = getattr(row, f"get_{field.name}_display")()
                assert shown == row._get_FIELD_display(field), (model, field.name, value)
