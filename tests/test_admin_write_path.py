"""The admin cannot go around the services; places keep their tree fields; imports bump pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core import caching
from hearings import services as hearing_services
from hearings.models import DecisionNotice, Hearing, HearingChange, HearingFailure
from projects.kato import import_places
from projects.models import Place, Project, ProjectChange
from projects.services import save_project
from tests.factories import (
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    PlaceFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(staff=True, is_superuser=True))
    return client


def test_the_admin_cannot_change_a_published_disclosure(superuser_client):
    """Even a superuser's POST to the change page changes nothing, and delete is refused."""
    disclosure = DisclosureFactory(published=True, delivered=True)
    url = reverse("admin:disclosures_disclosure_change", args=[disclosure.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content
    response = superuser_client.post(url, {"title_en": "Quietly changed", "status": "promised"})
    assert response.status_code == 403
    delete = reverse("admin:disclosures_disclosure_delete", args=[disclosure.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    disclosure.refresh_from_db()
    assert disclosure.title_en != "Quietly changed"
    assert disclosure.status == "delivered"
    add = reverse("admin:disclosures_disclosure_add")
    assert superuser_client.get(add).status_code == 403


def test_the_admin_cannot_change_an_announced_hearing(superuser_client):
    hearing = HearingFactory(announced=True)
    url = reverse("admin:hearings_hearing_change", args=[hearing.pk])
    response = superuser_client.post(url, {"venue_ru": "Другой зал", "status": "draft"})
    assert response.status_code == 403
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.ANNOUNCED and hearing.venue_ru != "Другой зал"


def test_a_hearings_failure_and_decision_show_on_its_admin_page_and_stay_as_published(
    superuser_client,
):
    """A moderator sees why a hearing did not take place and the decision taken after another,
    as their organisers recorded them, and cannot change either from the admin."""
    failed, held = HearingFactory(past=True), HearingFactory(held=True)
    official = UserFactory()
    for hearing in (failed, held):
        member_of(hearing.organiser, user=official)
    hearing_services.record_failure(
        acting_user=official,
        hearing=failed,
        kind=HearingFailure.Kind.NO_QUORUM,
        reason="Пришли 3 человека из 40 зарегистрированных.",
    )
    hearing_services.publish_decision(
        acting_user=official,
        hearing=held,
        authority="Департамент экологии",
        decided_on=timezone.localdate(held.starts_at),
        outcome=DecisionNotice.Outcome.CONDITIONS,
        reasons="Согласовано при условии полива дороги.",
    )
    failed_page = superuser_client.get(reverse("admin:hearings_hearing_change", args=[failed.pk]))
    held_page = superuser_client.get(reverse("admin:hearings_hearing_change", args=[held.pk]))
    assert "Пришли 3 человека" in failed_page.content.decode()
    assert "полива дороги" in held_page.content.decode()
    for page in (failed_page, held_page):
        assert b'name="_save"' not in page.content
    superuser_client.post(
        reverse("admin:hearings_hearing_change", args=[failed.pk]),
        {"failure-0-reason": "Тихо изменено", "failure-0-kind": "other"},
    )
    assert HearingFailure.objects.get(hearing=failed).reason.startswith("Пришли 3")


def test_the_admin_hides_through_the_service(superuser_client):
    """The admin action asks for a reason and calls the service: logged as moderators'."""
    disclosure = DisclosureFactory(published=True)
    url = reverse("admin:disclosures_disclosure_changelist")
    data = {"action": "hide", "_selected_action": [disclosure.pk]}
    page = superuser_client.post(url, data)
    assert page.status_code == 200 and b"reason" in page.content
    superuser_client.post(url, {**data, "apply": "1", "reason": "Court order."})
    disclosure.refresh_from_db()
    assert disclosure.is_hidden() and disclosure.hidden_reason == "Court order."
    revision = disclosure.revisions.get(action="hidden")
    assert revision.by_staff and revision.acting_organisation is None
    # Hiding again is refused by the service, not toggled.
    superuser_client.post(url, {**data, "apply": "1", "reason": "Again."})
    assert disclosure.revisions.filter(action__in=["hidden", "unhidden"]).count() == 1


def test_the_admin_cancels_a_hearing_through_the_service(superuser_client):
    hearing = HearingFactory(announced=True)
    url = reverse("admin:hearings_hearing_changelist")
    superuser_client.post(
        url,
        {"action": "cancel", "_selected_action": [hearing.pk], "apply": "1", "reason": "Fraud."},
    )
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.CANCELLED and hearing.sequence == 1
    assert hearing.changes.get(action=HearingChange.Action.CANCELLED).by_staff


def test_the_admin_cannot_change_a_project_around_its_history(superuser_client):
    """Projects are view-only in the admin, their settlements too: a POST changes nothing and
    logs nothing; the page links to the site's form, which asks for the reason."""
    project = ProjectFactory(name_en="Copper mine", status="operating")
    village = project.primary_settlement
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert reverse("projects:project_edit", args=[project.slug]).encode() in page.content
    response = superuser_client.post(
        url,
        {
            "name_en": "Quietly renamed",
            "status": "closed",
            "affected-TOTAL_FORMS": "0",
            "affected-INITIAL_FORMS": "1",
        },
    )
    assert response.status_code == 403
    delete = reverse("admin:projects_project_delete", args=[project.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert superuser_client.get(reverse("admin:projects_project_add")).status_code == 403
    project.refresh_from_db()
    assert (project.name_en, project.status) == ("Copper mine", "operating")
    assert list(project.settlements.all()) == [village]
    assert not project.history.exists()


def test_a_moderators_edit_on_the_site_is_logged_and_shown_in_the_admin(superuser_client):
    """The admin's link leads to the site's form: the edit goes through `save_project`, is
    logged as the moderators' with its reason, and the admin lists it under the project."""
    project = ProjectFactory(name_en="Copper mine", status="operating")
    edit = reverse("projects:project_edit", args=[project.slug])
    data = {
        "name_ru": project.name_ru,
        "name_en": "Copper mine",
        "operator": project.operator_id,
        "sector": project.sector,
        "status": "closed",
        "investment_currency": "KZT",
        "primary_settlement_code": project.primary_settlement.kato_code,
        "reason": "Duplicate of another project.",
    }
    response = superuser_client.post(edit, data)
    assert response.status_code == 302
    change = project.history.get()
    assert change.by_staff and change.acting_organisation is None
    assert change.changes == [{"field": "status", "old": "operating", "new": "closed"}]
    page = superuser_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert "Duplicate of another project." in page.content.decode()
    with translation.override(page.wsgi_request.LANGUAGE_CODE):  # the admin's language
        shown = f"{Project.Status.OPERATING.label} → {Project.Status.CLOSED.label}"
    assert shown in page.content.decode()


def test_a_company_edit_shows_in_the_admin_as_the_companys(superuser_client):
    project = ProjectFactory(name_en="Copper mine")
    save_project(
        acting_user=member_of(project.operator),
        project=Project.objects.get(pk=project.pk),
        settlements=[project.primary_settlement],
        investors=[project.operator],
        reason="The operator is also an investor.",
    )
    page = superuser_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert "The operator is also an investor." in page.content.decode()


def test_the_admins_project_history_costs_the_same_however_long(superuser_client):
    """The history under a project names its companies and settlements, and who acted, with a
    constant number of queries."""
    project = ProjectFactory()
    url = reverse("admin:projects_project_change", args=[project.pk])

    def log_changes(count):
        for _ in range(count):
            investor = CompanyFactory()
            ProjectChange.objects.create(
                project=project,
                action=ProjectChange.Action.EDITED,
                changes=[{"field": "investors", "old": [], "new": [f"#{investor.pk}"]}],
                reason="Investor added.",
                acting_organisation=project.operator,
                acting_user=UserFactory(),
            )
        with CaptureQueriesContext(connection) as queries:
            page = superuser_client.get(url).content.decode()
        assert str(investor.name) in page
        return len(queries)

    assert log_changes(1) == log_changes(3)


def test_place_save_computes_path_depth_and_search_key_and_moves_descendants():
    old_parent = PlaceFactory(district=True)
    new_parent = PlaceFactory(district=True)
    rural = PlaceFactory(rural_district=True, parent=old_parent)
    village = PlaceFactory(parent=rural, name_en="Lakeside")
    version = caching.versions([])[caching.EVERYTHING]
    rural.parent = new_parent
    rural.name_en = "Renamed"
    rural.save()
    rural.refresh_from_db()
    village.refresh_from_db()
    assert rural.path == f"{new_parent.path}{rural.kato_code}/"
    assert "|renamed|" in rural.search_key
    assert village.path == f"{rural.path}{village.kato_code}/"
    assert village.depth == rural.depth + 1
    assert Place.objects.within(new_parent).filter(pk=village.pk).exists()
    assert not Place.objects.within(old_parent).filter(pk=village.pk).exists()
    assert caching.versions([])[caching.EVERYTHING] > version  # every page under it moved


def test_place_cannot_become_part_of_itself():
    rural = PlaceFactory(rural_district=True)
    village = PlaceFactory(parent=rural)
    rural.parent = village
    with pytest.raises(ValueError):
        rural.save()


def test_the_kato_importer_makes_every_page_stale(settings):
    """A bulk import sends no signals: it bumps `everything` itself, and only when it changed
    something."""
    version = caching.versions([])
    import_places(settings.BASE_DIR / "tests" / "data" / "kato_sample.csv")
    assert caching.versions([])[caching.EVERYTHING] > version[caching.EVERYTHING]
    version = caching.versions([])
    import_places(settings.BASE_DIR / "tests" / "data" / "kato_sample.csv")  # nothing changes
    assert caching.versions([]) == version
