"""Content written in Kazakh, Russian and English, stored as `<field>_kk`, `_ru` and `_en`.

A model declares `name = TranslatedField()` beside its `name_kk`/`name_ru`/`name_en` columns;
reading `obj.name` gives the text in the active language, falling back to the other main
language and then English, so a village written only in Russian still shows on the Kazakh page.
"""

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

CONTENT_LANGUAGES = ("kk", "ru", "en")
FALLBACKS = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}


def language_order(language=None):
    language = (language or get_language() or "kk")[:2]
    return FALLBACKS.get(language, FALLBACKS["kk"])


def translated(obj, field, language=None):
    for code in language_order(language):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
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
