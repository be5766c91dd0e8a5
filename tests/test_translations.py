"""Kazakh and Russian catalogues are complete, and the compiled catalogues match them."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
MAIN_LANGUAGES = ["kk", "ru"]
DOMAINS = ["django"]


def catalogue(language, domain):
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize("language", MAIN_LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated(language, domain):
    """No untranslated or fuzzy entry: residents read the whole site in Kazakh or Russian."""
    po = polib.pofile(str(catalogue(language, domain)))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", [*MAIN_LANGUAGES, "en"])
@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogue_is_up_to_date(language, domain):
    """The .mo file holds exactly the .po file's translations (run `make messages`)."""
    po = polib.pofile(str(catalogue(language, domain)))
    mo = polib.mofile(str(catalogue(language, domain).with_suffix(".mo")))

    def key(e):
        return (e.msgctxt, e.msgid, e.msgid_plural or "")

    def value(e):
        return (e.msgstr, tuple(sorted((int(k), v) for k, v in e.msgstr_plural.items())))

    compiled = {key(e): value(e) for e in mo if e.msgid}
    source = {key(e): value(e) for e in po if e.translated() and not e.obsolete}
    assert source == compiled


def test_placeholders_survive_translation():
    """A translation keeps every %(name)s and {{ var }} placeholder of its source."""
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")
    problems = []
    for language in MAIN_LANGUAGES:
        for entry in polib.pofile(str(catalogue(language, "django"))):
            if not entry.translated():
                continue
            sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
            wanted = sorted(set(pattern.findall(" ".join(sources))))
            targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            for target in targets:
                if sorted(set(pattern.findall(target))) != wanted:
                    problems.append((language, entry.msgid, target))
    assert not problems, problems[:5]
