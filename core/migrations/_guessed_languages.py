"""The language guess of the data migrations that added `language` columns
(disclosures/0003_written_language and 0004_added_translations_reason_languages,
hearings/0007_written_language, 0008_transfer_decree_language and
0010_added_translations_reason_languages, projects/0006_change_reason_language), frozen here as they ran: a later change to the live
guess (`core.translation.script_language`) must not change what an old migration stores.
Django's migration loader skips modules whose names start with "_"."""

import re

LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def guess(text):
    """Latin letters only → "en"; Cyrillic with a Kazakh letter → "kk"; other Cyrillic → "ru";
    None when there are no letters."""
    if CYRILLIC.search(text):
        return "kk" if KAZAKH_LETTERS.search(text) else "ru"
    if LATIN.search(text):
        return "en"
    return None


def store_guessed_languages(app_label, columns):
    """The RunPython function: for the rows stored before, the letters' guess of their texts.
    `columns` is {model: {language column: (text fields, ...)}}."""

    def store(apps, _schema_editor):
        for model_name, languages in columns.items():
            model = apps.get_model(app_label, model_name)
            for language, texts in languages.items():
                _store(model, language, texts)

    return store


def _store(model, language, texts):
    changed = []
    for row in model.objects.only("pk", *texts).iterator(chunk_size=2000):
        code = guess(" ".join(getattr(row, name) or "" for name in texts))
        if code:
            setattr(row, language, code)
            changed.append(row)
        if len(changed) >= 2000:
            model.objects.bulk_update(changed, [language])
            changed = []
    model.objects.bulk_update(changed, [language])
