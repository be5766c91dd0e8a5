"""`{% load local_formats %}`: the filters of `core.formats` for templates.

    {{ disclosure.amount|money:disclosure.currency }}   587 700 000 ₸
    {{ hearing.starts_at|day }}                          2027 жылғы 3 қаңтар
    {{ hearing.starts_at|day:"weekday" }}                2027 жылғы 3 қаңтар, жексенбі
    {{ hearing.starts_at|day_range:hearing.discussion_ends_on }}  2026 жылғы 1–20 желтоқсан
    {{ hearing.starts_at|day_time }}                     2027 жылғы 3 қаңтар, 14:00
    {{ hearing.comments_until|day_month:"until" }}       31 желтоқсанға (kk) / 31 декабря
    {{ rule_set.in_force_from|day:"from" }}               2024 жылғы 23 наурыздан (kk)
    {{ hearing.starts_at|timeleft }}                     1 ай 3 апта қалды
    {{ hearing.duration_minutes|duration }}              шамамен 2 сағат
    {{ point.lat|number:5 }}, {% coordinates lat lon %}  43,48370; 78,07515
    <time datetime="{{ value|iso }}">                    2027-01-03T14:00:00+05:00

Format values for people only through these (and `core.formats` in Python).
"""

from django import template
from django.utils.html import format_html

from core import formats
from core.changelog import translations_note
from core.translation import lang_attribute, other_languages, shown_text, written_in_note

register = template.Library()


@register.filter
def money(amount, currency="KZT"):
    return formats.money(amount, currency)


def _case(option):
    """The Kazakh case named among a filter's words (`|day:"weekday until"`), if any."""
    return next((word for word in option.split() if word in formats.CASES), None)


@register.filter
def day(value, option=""):
    return formats.day(value, weekday="weekday" in option.split(), case=_case(option))


@register.filter
def day_range(first, last):
    return formats.day_range(first, last)


@register.filter
def day_time(value, option=""):
    return formats.day_time(value, weekday="weekday" in option)


@register.filter
def clock(value):
    return formats.clock(value)


@register.filter
def day_month(value, option=""):
    return formats.day_month(value, case=_case(option))


@register.filter
def timeleft(value):
    return formats.timeleft(value)


@register.filter
def duration(minutes):
    return formats.duration(minutes)


@register.filter
def number(value, places=None):
    return formats.number(value, None if places in (None, "") else int(places))


@register.filter
def iso(value):
    return formats.iso(value)


@register.simple_tag
def coordinates(latitude, longitude):
    return formats.coordinates(latitude, longitude)


@register.simple_tag
def lang_of(obj, field=None):
    """` lang="ru"` when the text shown is in another language than the page, else nothing:
    `<h1{% lang_of hearing "title" %}>`, `<dd{% lang_of disclosure "recipient_name" %}>` (a
    field of a record), `<li{% lang_of change.reason %}>` (text no record says the language of).
    See `core.translation.lang_attribute`."""
    return lang_attribute(obj, field)


@register.simple_tag
def written_in(records, *fields):
    """The card's or section's one note when some of the fields it shows (of a record, or of a
    list of records) are in another language than the page: `{% written_in question "text"
    "answer" %}` gives `<p class="written-in">Орысша жазылған</p>` on a Kazakh page, else
    nothing."""
    return written_in_note(other_languages(records, fields))


@register.simple_tag
def text_of(obj, field):
    """A record's single-line text as it is shown inline, in a `<span lang>` when it is in
    another language than the page: `{% text_of disclosure "basis_reference" %}`."""
    attribute = lang_attribute(obj, field)
    text = shown_text(obj, field)[0]
    return format_html("<span{}>{}</span>", attribute, text) if attribute else text


@register.simple_tag
def translations_noted(entries):
    """The note of change-log entries that show translations added in another language
    (`core.changelog.translations_note`)."""
    return translations_note(entries)


@register.simple_tag
def shown(obj, field):
    """A record's single-language text in the version the page shows (`shown_text`): the
    reader's language where it was added, else the original. With `lang_of` on its element:
    `<dd{% lang_of disclosure "recipient_name" %}>{% shown disclosure "recipient_name" %}</dd>`,
    or `{% shown question "answer" as answer %}{{ answer|linebreaks }}`."""
    return shown_text(obj, field)[0]
