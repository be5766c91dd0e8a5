"""Text from outside is cleaned of control characters before it is stored.

A single vertical tab in a title makes every XML feed that contains it unserialisable, and a
newline in a subject is refused by the e-mail library; neither has any business in a form. Tabs
and line breaks stay in multi-line text (they are how paragraphs are written) and become spaces
in single-line fields.

`clean_text` is the one rule for text a person typed, whichever way it came: the forms
(`core.forms.SafeInputMixin`), the write API and the CSV import all end in the model's `clean()`,
which applies it to every text field (`clean_text_fields`), so that a value stored by one path is
read back unchanged by another (export, then import, is a no-op).
"""

import re

from django.db import models
from django.utils.html import escape

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
LINE_BREAKS = re.compile(r"[\t\r\n]+")


def strip_control_characters(value, multiline=False):
    """`value` without control characters; line breaks kept only when `multiline`."""
    value = CONTROL.sub("", value)
    if not multiline:
        value = LINE_BREAKS.sub(" ", value)
    return value


def clean_text(value, multiline=False):
    """Text as it is stored: without control characters, line breaks kept only when
    `multiline`, without the spaces around it (as Django's and DRF's fields strip them).
    Idempotent: clean text comes out unchanged."""
    return strip_control_characters(value, multiline=multiline).strip()


def clean_text_fields(instance):
    """`clean_text` on every free-text field of a model instance; a TextField is multi-line.
    Fields with choices hold codes, which validation checks instead."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(
                    instance,
                    field.attname,
                    clean_text(value, multiline=isinstance(field, models.TextField)),
                )


def one_line(value):
    """For XML, iCalendar and e-mail headers built from stored text (older rows included)."""
    return clean_text(str(value))


def xml_safe(value):
    """For XML bodies: line breaks may stay, nothing XML 1.0 forbids does."""
    return strip_control_characters(str(value), multiline=True)


def feed_text(value):
    """Plain text for a feed item's description, which feed readers show as HTML: escaped as
    HTML here (the feed's XML escaping comes on top), so a company's `<img onerror=...>` reaches
    the reader as text, never as markup."""
    return escape(xml_safe(value))
