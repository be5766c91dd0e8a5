"""The change log stores codes, not words: convert the rows written before.

Until now `Revision.changes` held values as the writer's page showed them: "орындалды" for a
status changed on a Kazakh page, "1,800,000 KZT", "иә", a project's name in one language. Each
such value is mapped back to its code (a choice key from its label in Kazakh, Russian or
English; "true"/"false"; "1800000 KZT"; "#<id>" for a project or hearing found by its name in
any language). A value that maps to nothing (free text, a renamed record) stays as it is and is
shown as stored. The reverse writes the codes back as words in the site's default language.
"""

import re

from django.conf import settings
from django.db import migrations
from django.utils import translation

LANGUAGES = ("kk", "ru", "en")
OLD_AMOUNT = re.compile(r"^(-?[\d,]+(?:\.\d+)?) ([A-Z]{3})$")
NEW_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?) ([A-Z]{3})$")


def _words(label):
    """A label as each language wrote it, and as written in the source."""
    words = {str(label)}
    for language in LANGUAGES:
        with translation.override(language):
            words.add(str(translation.gettext(str(label))))
    return words


def _maps(Disclosure):
    maps = {}
    for field in Disclosure._meta.get_fields():
        if getattr(field, "choices", None):
            maps[field.name] = {
                word: key for key, label in field.flatchoices for word in _words(label)
            }
    booleans = {word: "true" for word in _words("yes")}
    booleans.update({word: "false" for word in _words("no")})
    maps["is_estimate"] = booleans
    return maps


def _project(apps, value):
    Project = apps.get_model("projects", "Project")
    for column in ("name_kk", "name_ru", "name_en"):
        found = list(Project.objects.filter(**{column: value}).values_list("pk", flat=True)[:2])
        if len(found) == 1:
            return f"#{found[0]}"
    return value


def _hearing(apps, value):
    """A hearing was logged as "<registration number> <title>"."""
    Hearing = apps.get_model("hearings", "Hearing")
    number = value.split(" ", 1)[0]
    found = list(
        Hearing.objects.filter(registration_number=number).values_list("pk", flat=True)[:2]
    )
    return f"#{found[0]}" if len(found) == 1 else value


def to_code(apps, maps, field, value):
    if not value or value.startswith("#"):
        return value
    if field in maps:
        return maps[field].get(value, value)
    if field == "amount" and (match := OLD_AMOUNT.match(value)):
        return f"{match[1].replace(',', '')} {match[2]}"
    if field == "project":
        return _project(apps, value)
    if field == "hearing":
        return _hearing(apps, value)
    return value


def forwards(apps, schema_editor):
    Revision = apps.get_model("disclosures", "Revision")
    maps = _maps(apps.get_model("disclosures", "Disclosure"))
    for revision in Revision.objects.exclude(changes=[]).iterator():
        changes = [
            {
                **change,
                "old": to_code(apps, maps, change.get("field"), change.get("old") or ""),
                "new": to_code(apps, maps, change.get("field"), change.get("new") or ""),
            }
            for change in revision.changes
        ]
        if changes != revision.changes:
            revision.changes = changes
            revision.save(update_fields=["changes"])


def to_words(Disclosure, field, value):
    if not value:
        return value
    choices = {}
    for each in Disclosure._meta.get_fields():
        if each.name == field and getattr(each, "choices", None):
            choices = {key: str(translation.gettext(str(label))) for key, label in each.flatchoices}
    if value in choices:
        return choices[value]
    if field == "is_estimate" and value in ("true", "false"):
        return str(translation.gettext("yes" if value == "true" else "no"))
    if field == "amount" and (match := NEW_AMOUNT.match(value)):
        amount = float(match[1])
        text = f"{amount:,.0f}" if amount.is_integer() else f"{amount:,.2f}"
        return f"{text} {match[2]}"
    return value


def backwards(apps, schema_editor):
    Revision = apps.get_model("disclosures", "Revision")
    Disclosure = apps.get_model("disclosures", "Disclosure")
    with translation.override(settings.LANGUAGE_CODE):
        for revision in Revision.objects.exclude(changes=[]).iterator():
            revision.changes = [
                {
                    **change,
                    "old": to_words(Disclosure, change.get("field"), change.get("old") or ""),
                    "new": to_words(Disclosure, change.get("field"), change.get("new") or ""),
                }
                for change in revision.changes
            ]
            revision.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0007_timeline_index"),
        ("hearings", "0011_change_log_names_documents"),
        ("projects", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
