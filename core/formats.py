"""Money, dates, time left, durations and numbers written the way each language writes them.

The one place where a value becomes text for a reader: templates load `local_formats` (the same
functions as filters), e-mails, feeds and exports call these. Django's own `date`,
`floatformat` and `timeuntil` do not know Kazakh ("3 Қаңтар 2027", "1 month қалды") and write
Russian months in the nominative, so nothing else formats a value for people.

    kk  587 700 000 ₸    2027 жылғы 3 қаңтар       1 ай 3 апта қалды        шамамен 2 сағат
    ru  587 700 000 ₸    3 января 2027 г.          через 1 месяц 3 недели   около 2 часов
    en  KZT 587,700,000  3 January 2027            in 1 month, 3 weeks      about 2 hours

The words below are locale data, like Django's `conf/locale/<code>/formats.py`: each language's
grammar (Kazakh suffixes, Russian plural and case forms) is in its table, not in the catalogues,
because a catalogue entry cannot choose "недели" or "недель" by the number. The thousands
separator is the no-break space (U+00A0): every phone font has it and a figure never wraps.
"""

import calendar
import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import get_language

NBSP = "\u00a0"
MINUS = "\u2212"
LANGUAGES = ("kk", "ru", "en")

MONTHS = {
    "kk": (
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ),
    # Russian dates name the month in the genitive: "3 января".
    "ru": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
# Kazakh "until 31 December" puts the month in the dative: "31 желтоқсанға дейін".
KK_MONTHS_DATIVE = (
    "қаңтарға",
    "ақпанға",
    "наурызға",
    "сәуірге",
    "мамырға",
    "маусымға",
    "шілдеге",
    "тамызға",
    "қыркүйекке",
    "қазанға",
    "қарашаға",
    "желтоқсанға",
)
# The locative, for a date a verb follows: "30 сәуірде орындалды", not "30 сәуір орындалды".
KK_MONTHS_LOCATIVE = (
    "қаңтарда",
    "ақпанда",
    "наурызда",
    "сәуірде",
    "мамырда",
    "маусымда",
    "шілдеде",
    "тамызда",
    "қыркүйекте",
    "қазанда",
    "қарашада",
    "желтоқсанда",
)
WEEKDAYS = {
    "kk": ("дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі", "жексенбі"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
CURRENCY_SIGNS = {"KZT": "₸", "RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}

UNITS = ("year", "month", "week", "day", "hour", "minute")
# Kazakh nouns do not change after a number: "2 ай", "5 апта".
KK_UNITS = {
    "year": "жыл",
    "month": "ай",
    "week": "апта",
    "day": "күн",
    "hour": "сағат",
    "minute": "минут",
}
# Russian: (one, few, many) forms; "через" takes the accusative (минуту, неделю).
RU_UNITS_ACCUSATIVE = {
    "year": ("год", "года", "лет"),
    "month": ("месяц", "месяца", "месяцев"),
    "week": ("неделю", "недели", "недель"),
    "day": ("день", "дня", "дней"),
    "hour": ("час", "часа", "часов"),
    "minute": ("минуту", "минуты", "минут"),
}
# "около" takes the genitive: около 1 часа, около 2 часов, около 21 минуты.
RU_UNITS_GENITIVE = {
    "hour": ("часа", "часов", "часов"),
    "minute": ("минуты", "минут", "минут"),
}
# A duration on its own: 1 час 30 минут.
RU_UNITS_NOMINATIVE = {
    "hour": ("час", "часа", "часов"),
    "minute": ("минута", "минуты", "минут"),
}
EN_UNITS = {unit: (unit, unit + "s") for unit in UNITS}


def _language(language=None):
    code = (language or get_language() or "kk")[:2]
    return code if code in LANGUAGES else "en"


def ru_plural(count, forms):
    """The Russian form for `count`: 1, 21 → forms[0]; 2–4, 22 → forms[1]; 5–20, 0 → forms[2]."""
    count = abs(int(count))
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]


# --- Numbers and money --------------------------------------------------------------------------


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value, places=None, language=None):
    """A number with the language's separators: "1 234,5" (kk, ru), "1,234.5" (en).

    `places` fixes the decimals (coordinates use 5); without it decimals show only when the
    value has any, as written (trailing zeros dropped)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    language = _language(language)
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places))
        text = f"{abs(amount):,.{places}f}"
    elif amount == amount.to_integral_value():
        text = f"{abs(amount):,.0f}"
    else:
        text = f"{abs(amount):,f}".rstrip("0")
    if language != "en":
        text = text.replace(",", NBSP).replace(".", ",")
    return (MINUS if amount < 0 else "") + text


def money(amount, currency="KZT", language=None):
    """ "587 700 000 ₸" in kk and ru, "KZT 587,700,000" in en; decimals only when non-zero."""
    value = _decimal(amount)
    whole = value is None or value == value.to_integral_value()
    figure = number(value, places=None if whole else 2, language=language)
    if not figure:
        return ""
    currency = (currency or "KZT").upper()
    if _language(language) == "en":
        return f"{currency}{NBSP}{figure}"
    return f"{figure}{NBSP}{CURRENCY_SIGNS.get(currency, currency)}"


def coordinates(latitude, longitude, language=None):
    """ "43,48370; 78,07515" in kk and ru (a comma would be ambiguous), "43.48370, 78.07515"."""
    if latitude is None or longitude is None:
        return ""
    separator = ", " if _language(language) == "en" else "; "
    return (
        number(latitude, 5, language=language) + separator + number(longitude, 5, language=language)
    )


# --- Dates --------------------------------------------------------------------------------------


def _local(value):
    """A datetime in Kazakhstan time (aware ones converted); a date stays a date."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


KK_BACK_VOWELS = "аоұыуя"
KK_FRONT_VOWELS = "әеөүіиэ"
KK_VOICELESS = "пткқсшфхцчщбвгд"  # б, в, г, д are said voiceless at a word's end


def kk_ablative(word):
    """The Kazakh ablative ("from") of `word`: наурыз → наурыздан, сәуір → сәуірден, қазан →
    қазаннан, қыркүйек → қыркүйектен. The vowel is the word's last vowel's (back а, front е);
    the consonant follows the last letter: н after м, н, ң; т after a voiceless consonant;
    д after a vowel or any other consonant."""
    lower = word.lower()
    vowels = [letter for letter in lower if letter in KK_BACK_VOWELS + KK_FRONT_VOWELS]
    vowel = "е" if vowels and vowels[-1] in KK_FRONT_VOWELS else "а"
    last = lower[-1:]
    if last in "мнң":
        consonant = "н"
    elif last in KK_VOICELESS:
        consonant = "т"
    else:
        consonant = "д"
    return f"{word}{consonant}{vowel}н"


def _kk_month(month, case):
    """The Kazakh month name in the `case` a sentence needs (CASES)."""
    if case == "until":
        return KK_MONTHS_DATIVE[month - 1]
    if case == "from":
        return kk_ablative(MONTHS["kk"][month - 1])
    if case == "on":
        return KK_MONTHS_LOCATIVE[month - 1]
    return MONTHS["kk"][month - 1]


# The Kazakh forms of a date, named by the word that follows it: "until" the dative
# ("31 желтоқсанға", before "дейін"), "from" the ablative ("23 наурыздан", before "бастап"),
# "on" the locative ("31 желтоқсанда", before a verb: "… орындалды"). Russian and English
# sentences keep the one form.
CASES = (None, "until", "from", "on")


def day_month(value, language=None, case=None):
    """ "31 желтоқсан" / "31 декабря" / "31 December"; `case` (CASES) gives the Kazakh form the
    sentence needs."""
    if not value:
        return ""
    value = _local(value)
    language = _language(language)
    if language == "kk":
        month = _kk_month(value.month, case)
    else:
        month = MONTHS[language][value.month - 1]
    return f"{value.day}{NBSP}{month}"


def day(value, language=None, weekday=False, case=None):
    """ "2027 жылғы 3 қаңтар" / "3 января 2027 г." / "3 January 2027" (a datetime is shown on
    its Kazakhstan date). `weekday` adds the day of the week as each language places it;
    `case` gives the Kazakh form the sentence needs (CASES)."""
    if not value:
        return ""
    value = _local(value)
    language = _language(language)
    dm = day_month(value, language, case)
    if language == "kk":
        text = f"{value.year}{NBSP}жылғы {dm}"
    elif language == "ru":
        text = f"{dm} {value.year}{NBSP}г."
    else:
        text = f"{dm} {value.year}"
    if weekday:
        name = WEEKDAYS[language][value.weekday()]
        text = f"{text}, {name}" if language == "kk" else f"{name}, {text}"
    return text


def day_range(first, last, language=None):
    """A window of days, the year written once: "2026 жылғы 1–20 желтоқсан" / "1–20 декабря
    2026 г." / "1–20 December 2026"; across months "25 қараша – 20 желтоқсан"; across years
    both dates whole. Without `last` (or on one day) it is `day(first)`."""
    first, last = _local(first), _local(last)
    if isinstance(first, datetime.datetime):
        first = first.date()
    if isinstance(last, datetime.datetime):
        last = last.date()
    if not last or last == first:
        return day(first, language)
    language = _language(language)
    if first.year != last.year:
        return f"{day(first, language)} – {day(last, language)}"
    if first.month == last.month:
        start = str(first.day)
        dash = "–"
    else:
        start = day_month(first, language)
        dash = " – "
    end = day(last, language)
    if language == "kk":
        # "2026 жылғы 1–20 желтоқсан": the year leads, as in `day`.
        year = f"{last.year}{NBSP}жылғы "
        return f"{year}{start}{dash}{end.removeprefix(year)}"
    return f"{start}{dash}{end}"


def day_time(value, language=None, weekday=False):
    """The date as `day` and the Kazakhstan time: "2027 жылғы 3 қаңтар, 14:00"."""
    if not value:
        return ""
    value = _local(value)
    return f"{day(value, language, weekday=weekday)}, {value:%H:%M}"


def clock(value):
    """The Kazakhstan time of day, "14:00" (the same in the three languages)."""
    if not value:
        return ""
    return f"{_local(value):%H:%M}"


def iso(value):
    """The machine value for `<time datetime>`: ISO 8601 without microseconds."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).replace(microsecond=0).isoformat()
    return value.isoformat()


# --- Time left and durations --------------------------------------------------------------------


def add_months(moment, months):
    """`moment` (a date or datetime) `months` calendar months on (or back, when negative), on
    the same day of the month or the month's last day when it has none: 31 January + 1 month is
    28 (29) February. The one month arithmetic: durations here and the legal clock's periods."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def time_parts(start, end):
    """The largest unit between two moments and the one after it, when not zero: [(1, "month"),
    (3, "week")]; calendar months as Django's `timeuntil` counts them. Empty when not ahead."""
    if isinstance(end, datetime.date) and not isinstance(end, datetime.datetime):
        end = datetime.datetime.combine(end, datetime.time.min)
        if timezone.is_aware(start):
            end = timezone.make_aware(end)
    if timezone.is_aware(end) != timezone.is_aware(start):
        start = timezone.make_aware(start) if timezone.is_aware(end) else timezone.make_naive(start)
    if end <= start:
        return []
    if timezone.is_aware(start):
        start, end = timezone.localtime(start), timezone.localtime(end)
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    rest = end - add_months(start, months)
    weeks, days = divmod(rest.days, 7)
    counts = {
        "year": months // 12,
        "month": months % 12,
        "week": weeks,
        "day": days,
        "hour": rest.seconds // 3600,
        "minute": rest.seconds % 3600 // 60,
    }
    for index, unit in enumerate(UNITS):
        if counts[unit]:
            shown = UNITS[index : index + 2]
            return [(counts[shown_unit], shown_unit) for shown_unit in shown if counts[shown_unit]]
    return []


def _kk(parts):
    return " ".join(f"{count}{NBSP}{KK_UNITS[unit]}" for count, unit in parts)


def _ru(parts, table):
    return " ".join(f"{count}{NBSP}{ru_plural(count, table[unit])}" for count, unit in parts)


def _en(parts, separator=", "):
    return separator.join(f"{count}{NBSP}{EN_UNITS[unit][count != 1]}" for count, unit in parts)


def timeleft(value, now=None, language=None):
    """Time until `value` as a phrase: "1 ай 3 апта қалды" / "через 1 месяц 3 недели" /
    "in 1 month, 3 weeks"; a moment already past (or under a minute away) says so."""
    if not value:
        return ""
    language = _language(language)
    parts = time_parts(now or timezone.now(), value)
    if not parts:
        return {"kk": "уақыты келді", "ru": "уже наступило", "en": "now"}[language]
    if language == "kk":
        return f"{_kk(parts)} қалды"
    if language == "ru":
        return f"через {_ru(parts, RU_UNITS_ACCUSATIVE)}"
    return f"in {_en(parts)}"


def duration(minutes, language=None, about=True):
    """ "шамамен 2 сағат" / "около 2 часов" / "about 2 hours"; hours and minutes when not whole
    ("шамамен 1 сағат 30 минут"). `about=False` drops the "about"."""
    if minutes is None or minutes == "":
        return ""
    minutes = int(minutes)
    language = _language(language)
    hours, rest = divmod(abs(minutes), 60)
    parts = [(count, unit) for count, unit in ((hours, "hour"), (rest, "minute")) if count]
    if not parts:
        parts = [(0, "minute")]
    if language == "kk":
        text = _kk(parts)
        return f"шамамен {text}" if about else text
    if language == "ru":
        if about:
            return f"около {_ru(parts, RU_UNITS_GENITIVE)}"
        return _ru(parts, RU_UNITS_NOMINATIVE)
    text = _en(parts, " ")
    return f"about {text}" if about else text


# --- Place names --------------------------------------------------------------------------------

# The KATO classifier abbreviates the kind of unit inside the name ("Амандық а.о.", "Семей Қ.Ә.",
# "Амандыкский с.о."). Shown to a resident, the kind is spelled out where the grammar is
# certain (a Russian adjective before "сельский округ" agrees already) and otherwise written
# in small letters as Kazakh and Russian usage abbreviates it ("қ.ә.", "г.а.").
PLACE_ABBREVIATIONS = {
    "kk": (
        (re.compile(r"\s+а\.о\.?$"), " ауылдық округі"),
        (re.compile(r"\s+Қ\.Ә\.$"), " қ.ә."),
    ),
    "ru": (
        (re.compile(r"(ий|ый|ой)\s+с\.о\.?$"), r"\1 сельский округ"),
        (re.compile(r"(ая)\s+с\.а\.$"), r"\1 сельская администрация"),
        (re.compile(r"(ая)\s+п\.а\.$"), r"\1 поселковая администрация"),
        (re.compile(r"(ая)\s+г\.а\.$"), r"\1 городская администрация"),
        (re.compile(r"\s+Г\.А\.$"), " г.а."),
    ),
}


# Any of a language's abbreviations, to look for once: most names have none, and five
# substitutions a name cost a list of 230 districts 4 ms (docs/performance.md).
PLACE_ABBREVIATED = {
    language: re.compile("|".join(pattern.pattern for pattern, _spelled in rules))
    for language, rules in PLACE_ABBREVIATIONS.items()
}


def place_name(name, language):
    """A KATO name as a resident reads it: "Амандық ауылдық округі", "Семей қ.ә."."""
    abbreviated = PLACE_ABBREVIATED.get(language)
    if abbreviated is None or not abbreviated.search(name):
        return name
    for pattern, replacement in PLACE_ABBREVIATIONS.get(language, ()):
        name = pattern.sub(replacement, name)
    return name
