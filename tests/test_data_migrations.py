"""The data migrations that stored the language of earlier rows run frozen code
(core/migrations/_guessed_languages.py), not the live guess in core/translation.py: these tests
pin what they store, so a change to either shows here; and those that filled a kept column
store what the live code keeps."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from core.migrations._guessed_languages import guess
from disclosures.models import Disclosure, Question, first_photo
from hearings.models import HearingComment, TransferDecree
from tests.factories import HearingCommentFactory, PhotoFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def _data_step(app, migration):
    """The migration's RunPython function, run here on the current models."""
    module = importlib.import_module(f"{app}.migrations.{migration}")
    return module.Migration.operations[-1].code


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Мектепке қашан жөндеу жасалады?", "kk"),
        ("Когда отремонтируют школу?", "ru"),
        ("When will the school be repaired?", "en"),
        ("Школа — school", "ru"),
        ("2026 — 15 %", None),
        ("", None),
    ],
)
def test_the_frozen_guess_reads_letters(text, language):
    assert guess(text) == language


def test_disclosures_0003_fills_a_question_and_its_answer_by_their_letters():
    kazakh = QuestionFactory(text="Мектепке қашан жөндеу жасалады?", answer="In September.")
    russian = QuestionFactory(text="Когда отремонтируют школу?", answer="")
    Question.objects.update(language="", answer_language="")

    _data_step("disclosures", "0003_written_language")(apps, None)

    assert Question.objects.get(pk=kazakh.pk).language == "kk"
    assert Question.objects.get(pk=kazakh.pk).answer_language == "en"
    assert Question.objects.get(pk=russian.pk).language == "ru"
    assert Question.objects.get(pk=russian.pk).answer_language == ""


def test_hearings_0007_and_0008_fill_comments_and_the_2026_decree():
    comment = HearingCommentFactory(text="Шаң болмай ма?", answer="Будем поливать дорогу.")
    HearingComment.objects.update(language="", answer_language="")
    TransferDecree.objects.filter(year=2026).update(language="")

    _data_step("hearings", "0007_written_language")(apps, None)
    _data_step("hearings", "0008_transfer_decree_language")(apps, None)

    comment.refresh_from_db()
    assert (comment.language, comment.answer_language) == ("kk", "ru")
    assert TransferDecree.objects.get(year=2026).language == "ru"


def test_disclosures_0010_fills_each_contributions_first_photo_as_the_receivers_keep_it():
    """The first photo stored for the rows before 0010 is the one `first_photo()` reads (the
    first uploaded, with its alt text's versions); a contribution without photos has none."""
    photo = PhotoFactory(alt_text="Мектеп", translations={"alt_text": {"ru": "Школа"}})
    PhotoFactory(disclosure=photo.disclosure)
    bare = PhotoFactory().disclosure
    bare.photos.all().delete()
    kept = dict(Disclosure.objects.values_list("pk", "first_photo"))
    Disclosure.objects.update(first_photo=None)

    _data_step("disclosures", "0010_kept_first_photo")(apps, None)

    stored = Disclosure.objects.annotate(counted=first_photo()).values_list(
        "pk", "first_photo", "counted"
    )
    assert {pk: value for pk, value, _counted in stored} == kept
    assert all(value == counted for _pk, value, counted in stored)
    assert kept[photo.disclosure_id]["translations"] == {"alt_text": {"ru": "Школа"}}
    assert kept[bare.pk] is None


def _code_imports(path):
    """The project's modules a migration file takes code from (`from x import y`, at any depth).
    `makemigrations` itself writes `import core.validators` for what a field or model refers to
    (a validator, a base class): references by dotted path that Django keeps stable, not code a
    data migration runs."""
    tree = ast.parse(path.read_text())
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return {name for name in names if name and name.split(".")[0] in PROJECT_APPS}


PROJECT_APPS = {"core", "projects", "hearings", "disclosures", "portal", "config"}


@pytest.mark.parametrize(
    "path",
    sorted(Path(settings.BASE_DIR).glob("*/migrations/[0-9]*.py")),
    ids=lambda path: f"{path.parent.parent.name}/{path.stem}",
)
def test_a_migration_runs_frozen_code_not_the_live_apps(path):
    """A migration may import only its apps' frozen migration helpers (`<app>/migrations/_*.py`):
    a live module changes after the migration has landed, and an old migration run on a new
    database would then do what nobody reviewed."""
    live = {
        name for name in _code_imports(path) if not re.fullmatch(r"\w+\.migrations\._\w+", name)
    }
    assert live == set()
