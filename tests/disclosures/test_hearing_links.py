"""A promise made at a public hearing becomes a promised disclosure that links back to it."""

import datetime

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disclosures import services
from disclosures.models import Basis, Disclosure, Status
from hearings.models import Hearing, HearingPromise
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    ProjectFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def promise():
    places = place_tree()
    company = CompanyFactory()
    akimat = AkimatFactory(place=places["district"])
    project = ProjectFactory(operator=company, primary_settlement=places["village"])
    hearing = Hearing.objects.create(
        title_en="Refinery expansion",
        initiator=company,
        organiser=akimat,
        project=project,
        starts_at=timezone.now() - datetime.timedelta(days=30),
        status=Hearing.Status.HELD,
    )
    hearing.territory.set([places["village"], places["neighbour"], places["rural"]])
    return HearingPromise.objects.create(
        hearing=hearing, organisation=company, text="Построить спортивную площадку"
    )


def test_record_promise_from_hearing(promise):
    """The disclosure is promised, based on the hearing, for the hearing's settlements."""
    user = member_of(promise.organisation)
    due = timezone.localdate() + datetime.timedelta(days=200)
    disclosure = services.record_promise_from_hearing(
        acting_user=user, promise=promise, due_date=due, category="culture_sport", publish=True
    )
    assert disclosure.status == Status.PROMISED and disclosure.due_date == due
    assert disclosure.basis == Basis.HEARING
    assert disclosure.hearing == promise.hearing and disclosure.hearing_promise == promise
    assert disclosure.title_ru == "Построить спортивную площадку"
    assert disclosure.project == promise.hearing.project
    assert {p.name_en for p in disclosure.settlements.all()} == {"Lakeside", "Hillside"}
    assert disclosure.is_in_force()
    assert list(promise.disclosures.all()) == [disclosure]
    assert list(promise.hearing.disclosures.all()) == [disclosure]


def test_its_page_names_the_hearing_once_and_another_reference_in_full(client, promise):
    """The basis reference a promise writes (the hearing's number and title) is said by the
    page's link to the hearing, not by that text and the link; a reference of its own stays."""
    user = member_of(promise.organisation)
    due = timezone.localdate() + datetime.timedelta(days=200)
    disclosure = services.record_promise_from_hearing(
        acting_user=user, promise=promise, due_date=due, publish=True
    )
    assert disclosure.basis_reference == str(promise.hearing)
    basis = _basis_row(client.get(f"/en/disclosures/{disclosure.pk}/"))
    assert basis.count("Refinery expansion") == 1
    assert f'<a href="{promise.hearing.get_absolute_url()}">' in basis
    Disclosure.objects.filter(pk=disclosure.pk).update(basis_reference="Minutes of 14.03.2025")
    caches["pages"].clear()  # an update() by hand, not the services: nothing was bumped
    basis = _basis_row(client.get(f"/en/disclosures/{disclosure.pk}/"))
    assert "Minutes of 14.03.2025" in basis and basis.count("Refinery expansion") == 1


def _basis_row(response):
    page = response.content.decode()
    return page[page.index("<dt>Basis</dt>") :].split("</dd>", 1)[0]


def test_only_the_promising_organisation_records_it(promise):
    with pytest.raises(PermissionDenied):
        services.record_promise_from_hearing(
            acting_user=member_of(CompanyFactory()),
            promise=promise,
            due_date=timezone.localdate(),
        )


def test_promise_of_another_organisation_cannot_be_linked(promise):
    """A disclosure links only its own organisation's promise."""
    other = DisclosureFactory()
    other.hearing_promise = promise
    with pytest.raises(ValidationError):
        other.full_clean()


def test_detail_links_the_hearing(client, promise):
    user = member_of(promise.organisation)
    disclosure = services.record_promise_from_hearing(
        acting_user=user,
        promise=promise,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        publish=True,
    )
    response = client.get(disclosure.get_absolute_url())
    assert response.status_code == 200
    url = disclosure.hearing_url()
    if url:  # once the hearings pages are mounted
        assert url in response.content.decode()
