"""Two people at once, on two database connections (PostgreSQL row locks).

In each test the main thread takes a write and holds its transaction open; a second thread (its
own connection) tries the competing write, which must wait on the row lock and then be refused
once it sees the first write, never silently overwrite it.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from disclosures import services as disclosure_services
from disclosures.models import Disclosure
from hearings import services as hearing_services
from hearings.models import Hearing
from projects import services as project_services
from projects.models import Membership
from tests.factories import (
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    MembershipFactory,
    member_of,
)
from tests.other_connection import in_other_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _assert_waits(thread):
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the second write did not wait for the first one's row lock"


def test_the_second_of_two_concurrent_corrections_is_refused():
    disclosure = DisclosureFactory(published=True)
    first, second = member_of(disclosure.organisation), member_of(disclosure.organisation)
    opened = disclosure.version
    settlements = list(disclosure.settlements.all())

    def second_correction():
        theirs = Disclosure.objects.get(pk=disclosure.pk)  # the form they opened
        theirs.amount = 5
        return disclosure_services.update_disclosure(
            acting_user=second,
            disclosure=theirs,
            settlements=settlements,
            reason="The amount was wrong.",
            expected_version=opened,
        )

    with transaction.atomic():
        mine = Disclosure.objects.get(pk=disclosure.pk)
        mine.title_en = "First correction"
        disclosure_services.update_disclosure(
            acting_user=first,
            disclosure=mine,
            settlements=settlements,
            reason="Typo.",
            expected_version=opened,
        )
        thread, outcome = in_other_connection(second_correction)
        _assert_waits(thread)
    thread.join(timeout=30)
    assert isinstance(outcome.get("error"), ValidationError), outcome
    assert outcome["error"].code == "stale"
    disclosure.refresh_from_db()
    assert disclosure.title_en == "First correction"
    assert disclosure.amount != 5
    assert disclosure.version == opened + 1
    assert list(disclosure.revisions.filter(action="edited").values_list("reason", flat=True)) == [
        "Typo."
    ]


def test_an_edit_racing_announce_cannot_unannounce_the_hearing():
    hearing = HearingFactory()
    organiser = member_of(hearing.organiser)
    opened = Hearing.objects.get(pk=hearing.pk).version
    territory = list(hearing.territory.all())

    def edit_from_the_draft_form():
        stale = Hearing.objects.get(pk=hearing.pk)
        stale.title_ru = "Правка черновика"
        return hearing_services.update_hearing(
            acting_user=organiser, hearing=stale, territory=territory, expected_version=opened
        )

    with transaction.atomic():
        hearing_services.announce_hearing(acting_user=organiser, hearing=hearing)
        thread, outcome = in_other_connection(edit_from_the_draft_form)
        _assert_waits(thread)
    thread.join(timeout=30)
    assert isinstance(outcome.get("error"), ValidationError), outcome
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.ANNOUNCED
    assert hearing.announced_at is not None


def test_two_administrators_removing_each_other_leave_one():
    company = CompanyFactory()
    a = MembershipFactory(organisation=company, admin=True)
    b = MembershipFactory(organisation=company, admin=True)

    def b_removes_a():
        return project_services.remove_member(
            acting_user=b.user, membership=Membership.objects.get(pk=a.pk)
        )

    with transaction.atomic():
        project_services.remove_member(acting_user=a.user, membership=b)
        thread, outcome = in_other_connection(b_removes_a)
        _assert_waits(thread)
    thread.join(timeout=30)
    assert "error" in outcome, outcome
    assert list(
        Membership.objects.filter(organisation=company, role="administrator").values_list(
            "pk", flat=True
        )
    ) == [a.pk]
