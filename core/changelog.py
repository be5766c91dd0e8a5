"""Field-level change logs, shared by contributions (`disclosures.Revision`) and projects
(`projects.ProjectChange`).

A log row's `changes` is a list of {"field", "old", "new"} holding codes, not words: choice
values ("delivered"), "true"/"false", ISO dates, "1800000 KZT", "#<id>" for a linked record.
They become words in the reader's language when the log is read (`ChangeRows.change_rows`), so
a status changed on a Kazakh page reads in Russian on the Russian page. Free text (names,
reasons) is kept as typed.
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import formats
from core.translation import in_language, language_order, page_language, written_in_note

LANGUAGE_NAMES = dict(settings.LANGUAGES)

AMOUNT_CODE = re.compile(r"^(-?\d+(?:\.\d+)?) ([A-Z]{3})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BOOLEAN_CODES = {"true": True, "false": False}


def amount_code(amount, currency):
    """ "1800000 KZT": an amount as the change log stores it, written for people when read."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    text = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"
    return f"{text} {currency}"


def field_code(instance, name, money=None):
    """A field's value as a code for the log. `money` maps an amount field to its currency
    field ({"amount": "currency"}): the amount is logged with its currency."""
    field_ = instance._meta.get_field(name)
    if field_.is_relation:
        # By id: the log names it when read, in the reader's language.
        pk = getattr(instance, field_.attname)
        return f"#{pk}" if pk else ""
    value = getattr(instance, name)
    if money and name in money:
        return amount_code(value, getattr(instance, money[name]))
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def diff(before, after):
    """The log's `changes`: each field of `after` whose code differs from `before`."""
    return [
        {"field": name, "old": before.get(name, ""), "new": after[name]}
        for name in after
        if before.get(name) != after[name]
    ]


def changed_labels(entries):
    """The fields (or, for steps without fields, the steps) that log `entries` changed, each
    once, in the reader's language: what a refused stale form says changed meanwhile."""
    labels = []
    for entry in entries:
        for label, _old, _new in entry.change_rows():
            if str(label) not in labels:
                labels.append(str(label))
        if not entry.changes and str(entry.get_action_display()) not in labels:
            labels.append(str(entry.get_action_display()))
    return labels


def translations_note(entries):
    """The one "Written in Kazakh" note of a log entry (or a list of them) showing translations
    added in another language than the page's."""
    if not hasattr(entries, "__iter__"):
        entries = [entries]
    page = page_language()
    codes = {change.get("language") for entry in entries for change in entry.changes}
    return written_in_note([code for code in language_order(page) if code in codes - {page}])


class ChangeRows:
    """Reading a log row's `changes` (mixed into the log models).

    `logged_model` is the model whose fields are logged; `extra_labels` names logged entries
    that are not its fields; `money_fields` are the fields logged as `amount_code`s.
    """

    logged_model = None
    extra_labels = {}
    money_fields = ()

    def change_rows(self):
        """(label, old, new) for each changed field, labels and values in the reader's language."""
        rows = []
        for change in self.changes:
            name = change["field"]
            label = self.extra_labels.get(name)
            field_ = self._logged_field(name)  # None for a field removed since: show its name
            if label is None:
                label = field_.verbose_name if field_ is not None else name
            old, new = (self.shown(field_, change.get(key) or "") or "—" for key in ("old", "new"))
            if code := change.get("language"):
                # A translation added (`core.translation.add_version`): the text is in `code`.
                label = format_html("{} ({})", label, LANGUAGE_NAMES.get(code, code))
                old, new = (
                    value if value == "—" else in_language(value, code) for value in (old, new)
                )
            rows.append((label, old, new))
        return rows

    def shown(self, field_, value):
        """A stored code as words for the reader; anything else (free text, older rows) as is."""
        if not value or field_ is None:
            return value
        if field_.name in self.money_fields and (match := AMOUNT_CODE.match(value)):
            return formats.money(match[1], match[2])
        if field_.is_relation and value.startswith("#") and value[1:].isdigit():
            return self.linked(field_, int(value[1:])) or value
        if field_.choices:
            return str(dict(field_.flatchoices).get(value, value))
        if isinstance(field_, models.BooleanField) and value in BOOLEAN_CODES:
            return str(_("yes") if BOOLEAN_CODES[value] else _("no"))
        if isinstance(field_, models.DateField) and ISO_DATE.match(value):
            return formats.day(datetime.date.fromisoformat(value))
        return value

    @classmethod
    def attach_linked(cls, entries):
        """Name every record that `entries` log by "#<id>", one query per linked model, so a
        page showing a log costs the same however many changes it shows (`linked` reads it)."""
        wanted = defaultdict(set)
        for entry in entries:
            for change in entry.changes:
                field_ = cls._logged_field(change["field"])
                if field_ is None or not field_.is_relation:
                    continue
                for value in (change.get("old"), change.get("new")):
                    if isinstance(value, str) and value[:1] == "#" and value[1:].isdigit():
                        wanted[field_].add(int(value[1:]))
        names = {}
        for field_, pks in wanted.items():
            for record in cls.linked_records(field_).filter(pk__in=pks):
                names[field_.name, record.pk] = cls.linked_name(field_, record)
        for entry in entries:
            entry.linked_names = names
        return entries

    @classmethod
    def _logged_field(cls, name):
        try:
            return cls.logged_model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    @classmethod
    def linked_records(cls, field_):
        """Where `attach_linked` looks up the records a relation `field_` logs."""
        return field_.related_model._default_manager.all()

    @classmethod
    def linked_name(cls, field_, record):
        """A linked record as the log shows it."""
        return str(record)

    def linked(self, field_, pk):
        """A linked record is logged as "#<id>" and named when the log is read."""
        if not hasattr(self, "linked_names"):
            self.attach_linked([self])
        return self.linked_names.get((field_.name, pk), "")
