"""Content written in Kazakh, Russian and English, stored as `<field>_kk`, `_ru` and `_en`.

A model declares `name = TranslatedField()` beside its `name_kk`/`name_ru`/`name_en` columns;
reading `obj.name` gives the text in the active language, falling back to the other main
language and then English, so a village written only in Russian still shows on the Kazakh page.
"""

import re

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.html import format_html
from django.utils.translation import get_language

from core.formats import place_name

FALLBACKS = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}


def language_order(language=None):
    language = (language or get_language() or "kk")[:2]
    return FALLBACKS.get(language, FALLBACKS["kk"])


def translated(obj, field, language=None):
    code = source_language(obj, field, language)
    return getattr(obj, f"{field}_{code}") if code else ""


def source_language(obj, field, language=None):
    """The language of the text `translated` picks: "ru" when a kk page falls back to Russian."""
    for code in language_order(language):
        if getattr(obj, f"{field}_{code}", ""):
            return code
    return None


LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def script_language(text):
    """A guess for text typed in one field with no language of its own (alt text, recipients):
    Latin letters only → "en"; Cyrillic with a Kazakh letter → "kk"; other Cyrillic → "ru" (a
    short Kazakh phrase may lack the Kazakh letters, so "ru" is only trusted on English pages);
    None when there are no letters."""
    text = str(text or "")
    if CYRILLIC.search(text):
        return "kk" if KAZAKH_LETTERS.search(text) else "ru"
    if LATIN.search(text):
        return "en"
    return None


def lang_attribute(obj, field=None, language=None):
    """` lang="xx"` when text shown on a page is in another language than the page, else "".

    `lang_attribute(hearing, "title")` for a translated field (the fallback decides);
    `lang_attribute(photo.alt_text)` for free text, by its script (see `script_language`).
    Templates: `{% lang_of hearing "title" %}` / `{% lang_of photo.alt_text %}`."""
    page = (language or get_language() or "kk")[:2]
    if field is None:
        code = script_language(obj)
        if code == "ru" and page == "kk":
            code = None  # cannot tell Russian from Kazakh without its letters
    else:
        code = source_language(obj, field, page)
    if code and code != page:
        return format_html(' lang="{}"', code)
    return ""


def translated_expression(field, language=None):
    """The same fallback as a database expression, for ordering and annotating."""
    return Coalesce(
        *(NullIf(F(f"{field}_{code}"), Value("")) for code in language_order(language)),
        Value(""),
    )


class TranslatedField:
    """Read-only attribute giving `<name>_<language>` for the active language, with fallbacks."""

    def __set_name__(self, owner, name):
        self.field = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return translated(obj, self.field)


class PlaceNameField(TranslatedField):
    """A place's name for reading, its KATO abbreviations spelled out (`formats.place_name`) by
    the rules of the language the name is written in."""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return place_name(translated(obj, self.field), source_language(obj, self.field))


def choice_label(choices, value):
    """What `get_FOO_display()` shows for `value` of a field with these `TextChoices`, in one
    lookup: Django's translates every label of the field to find one, and a page of 30
    contribution cards made about 600 such calls (docs/performance.md)."""
    try:
        return choices(value).label
    except ValueError:
        return value
