"""The demo tells the Ilyichevka story and can be loaded twice."""

import pytest

from disclosures import demo, export
from disclosures.models import Confirmation, Disclosure, Photo, ResidentFeedback
from hearings.models import HearingPromise
from projects.models import Place


@pytest.fixture(scope="module")
def seeded(demo_database):
    """The classifier's demo districts and the whole demo, as `make run` loads them: a copy of
    the run's demo database (tests/conftest.py). Each test's rows are rolled back, so the second
    seeding below is undone after its test."""


@pytest.mark.django_db
def test_demo_seeds_the_story_and_is_idempotent(seeded):
    """Photos, the akimat's confirmations, a dispute, an overdue promise and a money chain."""
    demo.seed()
    ilyichevka = Place.objects.get(kato_code="596036500")
    here = Disclosure.objects.in_force().for_place(ilyichevka)
    assert here.count() == 6
    assert Photo.objects.filter(disclosure__in=here).count() >= 5
    summary = here.summary()
    assert summary["confirmed"] >= 3
    assert summary["disputed"] == 1
    assert summary["overdue"] == 1
    assert Confirmation.objects.filter(verdict="cannot_confirm").exists()
    assert ResidentFeedback.objects.approved().filter(kind="disputed").count() == 1
    roof = Disclosure.objects.get(title_en="Roof of the Nura school")
    children, _accounted, unaccounted, share = roof.funded_by.money_trail()
    assert children == [roof] and share == 40
    promise = HearingPromise.objects.get(organisation__slug="zhetisu-tungsten")
    followed = promise.disclosures.get()
    assert followed.is_in_force() and followed.basis == "hearing"
    # The company wrote its promise in Russian, as it would: the title is in that language.
    assert followed.title_ru.startswith("Проложить водопровод 3 км")
    assert followed.category == "water"
    assert Disclosure.objects.count() == len(demo.DISCLOSURES) + 1


@pytest.mark.django_db
def test_demo_pages_render_in_every_language(client, seeded):
    """Every demo disclosure's page, change log, the list and dashboards answer 200."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import translation

    for language in ("kk", "ru", "en"):
        with translation.override(language):
            assert client.get(reverse("disclosures:list")).status_code == 200
            for disclosure in Disclosure.objects.all():
                assert client.get(disclosure.get_absolute_url()).status_code == 200
                assert (
                    client.get(reverse("disclosures:changes", args=[disclosure.pk])).status_code
                    == 200
                )
    school = Disclosure.objects.get(title_en="Repair of the Ilyichevka school")
    with translation.override("en"):
        page = client.get(reverse("disclosures:changes", args=[school.pk])).content.decode()
    assert "from KZT\u00a038,000,000 to KZT\u00a035,000,000" in page
    for email in ("taiynsha-may@demo.ashyq.kz", "amandyk@demo.ashyq.kz", "moderator@demo.ashyq.kz"):
        client.force_login(get_user_model().objects.get(username=email))
        assert client.get(reverse("disclosures:dashboard")).status_code == 200
    assert client.get(reverse("disclosures:moderation")).status_code == 200

    # EITI Requirement 6.1: every demo contribution carries its fields in the export.
    rows = list(export.rows(Disclosure.objects.published(), "/d/{}/"))
    assert len(rows) == Disclosure.objects.published().count()
    for row in rows:
        if row["organisation_kind"] == "company":
            assert row["organisation_bin"], row["id"]
        assert row["value_form"] in {"cash", "in_kind"}
        assert row["obligation"] in {"mandatory", "voluntary"}
        if row["status"] == "delivered":  # what EITI reports: money spent, things given
            assert row["reporting_year"] and row["recipient_name"], row["id"]
        if row["status"] == "delivered" and row["value_form"] == "in_kind":
            assert row["in_kind_description"], row["id"]
    verdicts = {row["akimat_verdict"] for row in rows}
    assert {"confirmed", "cannot_confirm"} <= verdicts
