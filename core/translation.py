"""Every text has a language: content in Kazakh, Russian and English, and what the page says
when it shows a text in another language than its own.

Translated content is stored as `<field>_kk`, `_ru` and `_en`. A model declares
`name = TranslatedField()` beside its columns; reading `obj.name` gives the text in the active
language, falling back to the other main language and then English, so a village written only in
Russian still shows on the Kazakh page.

Single-language content (a recipient, a photo's description, a resident's question) is stored as
typed, with the language it was written in: the record's `language` (`language_field()`), or
`<field>_language` where one record holds texts by different people (a question and its answer).
The services set it from the form or API input, else by `language_written` (the author's
interface language, unless the letters say otherwise).

Its author (the company, the akimat) may add the other languages later (`add_version`,
through the services, logged): the versions are kept beside the original in the record's
`translations` (`versions_field()`, {field: {language: text}}); the original never changes.

Pages ask `shown_text(obj, field)`: the version in the reader's language where there is one,
else the original. A text in another language than the page carries `lang`
(`{% lang_of obj "field" %}`, `text_language`) and its card or section one short note, "Written
in Russian" (`{% written_in obj "field" ... %}`, `written_in_note`).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.formats import place_name
from core.text import clean_text

FALLBACKS = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}


def page_language(language=None):
    """The language a page (or the person typing in it) reads: kk, ru or en."""
    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in FALLBACKS else settings.LANGUAGE_CODE


def language_order(language=None):
    return FALLBACKS[page_language(language)]


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


def language_field(verbose_name=None):
    """The column holding the language of a record's single-language text ("" while it has
    none)."""
    return models.CharField(
        verbose_name or _("written in"),
        max_length=2,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
    )


def language_written(text, language=None):
    """The language to store for `text` typed by someone reading the site in `language` (the
    active one): their language, unless the letters say otherwise: Latin letters only are
    English, a Kazakh letter is Kazakh, and Cyrillic typed on the English site is Russian."""
    typed_in = page_language(language)
    guess = script_language(text)
    if guess in ("en", "kk") or (guess == "ru" and typed_in == "en"):
        return guess
    return typed_in


def text_language(obj, field, language=None):
    """The language of the text a page in `language` shows for `obj.<field>`, None for none.

    A translated field: the language its fallback picked (`source_language`). A single-language
    one: the language of the version `shown_text` picks."""
    if hasattr(obj, f"{field}_kk"):
        return source_language(obj, field, language)
    return shown_text(obj, field, language)[1]


def original_language(obj, field, language=None):
    """The language a single-language text was written in: the stored `<field>_language`, else
    the record's `language`; for a row stored without one, the letters' guess
    (`guessed_language`, for a page in `language`)."""
    stored = getattr(obj, f"{field}_language", "") or getattr(obj, "language", "")
    return stored or guessed_language(getattr(obj, field, ""), language)


def shown_text(obj, field, language=None):
    """(text, language) a page in `language` shows for a single-language `obj.<field>`: the
    version added in the first language of the page's fallbacks (`language_order`) that has
    one, the original text being its own language's version; ("", None) when it is empty."""
    original = getattr(obj, field, "") or ""
    if not original:
        return "", None
    written = original_language(obj, field, language)
    versions = (getattr(obj, "translations", None) or {}).get(field, {})
    for code in language_order(language):
        if code == written:
            break
        if versions.get(code):
            return versions[code], code
    return original, written


def guessed_language(text, language=None):
    """The letters' guess (`script_language`) for a page in `language`, where it can be
    trusted: Cyrillic without a Kazakh letter may be a short Kazakh phrase, so it is not taken
    for Russian on a Kazakh page."""
    code = script_language(text)
    return None if code == "ru" and page_language(language) == "kk" else code


def lang_attribute(obj, field=None, language=None):
    """` lang="xx"` when text shown on a page is in another language than the page, else "".

    `lang_attribute(disclosure, "title")` for a field of a record (see `text_language`);
    `lang_attribute(text)` for text no record says the language of, by its letters (see
    `script_language`). Templates: `{% lang_of disclosure "recipient_name" %}` /
    `{% lang_of text %}`."""
    page = page_language(language)
    if field is None:
        code = guessed_language(obj, page)
    else:
        code = text_language(obj, field, page)
    if code and code != page:
        return format_html(' lang="{}"', code)
    return ""


def in_language(text, code, language=None):
    """`text` written in `code`, in a `<span lang>` when that is not the page's language."""
    if code and code != page_language(language):
        return format_html('<span lang="{}">{}</span>', code, text)
    return text


WRITTEN_IN = {
    "kk": _("Written in Kazakh"),
    "ru": _("Written in Russian"),
    "en": _("Written in English"),
}


def other_languages(records, fields, language=None):
    """The languages, other than the page's, of the texts a record (or a list of records)
    shows in `fields`, in the page's order of fallbacks."""
    page = page_language(language)
    if not hasattr(records, "__iter__"):
        records = [records]
    found = {text_language(record, field, page) for record in records for field in fields}
    return [code for code in language_order(page) if code != page and code in found]


def written_in_note(languages):
    """The one short note a card or section carries when it shows text in another language:
    "Written in Russian" in the page's language, or "" when all its text is the page's."""
    if not languages:
        return ""
    return format_html(
        '<p class="written-in">{}</p>', " · ".join(str(WRITTEN_IN[code]) for code in languages)
    )


def versions_field():
    """The column holding the versions of a record's single-language texts added later in
    other languages: {field: {language: text}} (`add_version`)."""
    return models.JSONField(_("added translations"), default=dict, blank=True, editable=False)


# The longest version of a multi-line text (an answer, a reason); a one-line field's version is
# bounded by its column.
MAX_VERSION_LENGTH = 4000


def add_version(obj, field, language, text):
    """Add (or replace) the `language` version of `obj.<field>`, a text of its `TRANSLATABLE`
    fields, in `obj.translations` (not saved). Returns the change for the log,
    {"field", "language", "old", "new"}; raises ValidationError with a message for the writer
    when the text or language cannot be taken."""
    if field not in obj.TRANSLATABLE or not getattr(obj, field, ""):
        raise ValidationError({"field": _("Choose one of the texts shown here.")})
    if language not in FALLBACKS:
        raise ValidationError({"language": _("Choose Kazakh, Russian or English.")})
    if language == original_language(obj, field):
        raise ValidationError(
            {"language": _("The text is written in this language: choose another one.")}
        )
    model_field = obj._meta.get_field(field)
    multiline = isinstance(model_field, models.TextField)
    text = clean_text(str(text or ""), multiline=multiline)
    limit = model_field.max_length or MAX_VERSION_LENGTH
    if not text:
        raise ValidationError({"text": _("Write the translation.")})
    if len(text) > limit:
        raise ValidationError(
            {
                "text": _("The translation is too long: at most %(limit)s characters.")
                % {"limit": limit}
            }
        )
    versions = dict(obj.translations or {})
    old = versions.get(field, {}).get(language, "")
    versions[field] = {**versions.get(field, {}), language: text}
    obj.translations = versions
    return {"field": field, "language": language, "old": old, "new": text}


def drop_versions(obj, fields):
    """Forget the versions of `fields` whose original was corrected: they translate a text no
    longer shown. Returns the fields whose versions were dropped."""
    versions = dict(obj.translations or {})
    dropped = [name for name in fields if versions.pop(name, None)]
    obj.translations = versions
    return dropped


def translatable_texts(obj):
    """(field, original text, versions) for each non-empty text of `obj.TRANSLATABLE`."""
    versions = obj.translations or {}
    return [
        (field, getattr(obj, field), versions.get(field, {}))
        for field in obj.TRANSLATABLE
        if getattr(obj, field, "")
    ]


def translated_columns(field):
    """The columns of a translated field, one a language: `name_kk`, `name_ru`, `name_en`
    (for `.only()`: a translated field shown reads every one of them, for its fallback)."""
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES]


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
        return translated_place_name(obj, self.field)


def translated_place_name(obj, field, language=None):
    """`PlaceNameField`'s reading of any object with the `<field>_<language>` attributes (a
    model or a plain row), the page's language found once: a list of 230 districts spent
    most of its 5 ms of names finding it (docs/performance.md)."""
    code = source_language(obj, field, language)
    return place_name(getattr(obj, f"{field}_{code}"), code) if code else ""


def choice_label(choices, value):
    """What `get_FOO_display()` shows for `value` of a field with these `TextChoices`, in one
    lookup: Django's translates every label of the field to find one, and a page of 30
    contribution cards made about 600 such calls (docs/performance.md)."""
    try:
        return choices(value).label
    except ValueError:
        return value
