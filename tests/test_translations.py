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


def test_catalogues_hold_every_string_of_the_code(tmp_path):
    """No string in the code or templates is missing from the catalogues (run `make messages`),
    and none in the catalogues is unknown to the extraction (it would vanish at the next run).

    Extracts the strings again from a copy of the source with Django's makemessages and compares
    the message ids with the committed Kazakh catalogue.
    """
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed")
    root = LOCALE.parent
    for name in [
        "config",
        "core",
        "projects",
        "hearings",
        "disclosures",
        "portal",
        "templates",
        "manage.py",
    ]:
        source = root / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    shutil.copytree(LOCALE / "kk", tmp_path / "locale" / "kk")
    (tmp_path / "static").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "kk", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    fresh = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(tmp_path / "locale/kk/LC_MESSAGES/django.po"))
        if not e.obsolete
    }
    committed = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue("kk", "django"))) if not e.obsolete
    }
    missing = sorted(msgid for _ctx, msgid in fresh - committed)
    assert not missing, f"{len(missing)} strings not in the catalogues: {missing[:10]}"
    # And nothing the catalogue translates is lost by the next `make messages`: a message id
    # handed to gettext in a variable is not found by makemessages, so it would drop it.
    unmarked = sorted(msgid for _ctx, msgid in committed - fresh)
    assert not unmarked, f"{len(unmarked)} strings the code no longer marks: {unmarked[:10]}"
