"""Services check permissions themselves, so a view that forgot a check still cannot write."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disclosures import services
from disclosures.models import Status
from tests.factories import (
    AkimatFactory,
    DisclosureFactory,
    QuestionFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    places = place_tree()
    disclosure = DisclosureFactory(published=True, settlements=[places["village"]])
    akimat = AkimatFactory(place=places["rural"])
    return {
        "places": places,
        "disclosure": disclosure,
        "akimat": akimat,
        "official": member_of(akimat),
        "owner": member_of(disclosure.organisation),
        "stranger": member_of(DisclosureFactory().organisation),
        "staff": UserFactory(staff=True),
    }


def test_writes_refuse_other_users(setting):
    """Another company's member and staff get PermissionDenied from every organisation write."""
    disclosure = setting["disclosure"]
    for user in (setting["stranger"], setting["staff"], setting["official"]):
        with pytest.raises(PermissionDenied):
            services.publish_disclosure(acting_user=user, disclosure=disclosure)
        with pytest.raises(PermissionDenied):
            services.withdraw_disclosure(acting_user=user, disclosure=disclosure, reason="x")
        with pytest.raises(PermissionDenied):
            services.change_status(
                acting_user=user, disclosure=disclosure, status=Status.IN_PROGRESS
            )
        with pytest.raises(PermissionDenied):
            services.update_disclosure(
                acting_user=user, disclosure=disclosure, settlements=[], reason="x"
            )
        with pytest.raises(PermissionDenied):
            services.answer_question(
                acting_user=user, question=QuestionFactory(disclosure=disclosure), answer="x"
            )
    with pytest.raises(PermissionDenied):
        services.hide_disclosure(acting_user=setting["owner"], disclosure=disclosure, reason="x")


def test_confirmation_rules(setting):
    """Cannot-confirm needs a reason; dates are not in the future; outside akimats are refused."""
    disclosure, akimat, official = setting["disclosure"], setting["akimat"], setting["official"]
    with pytest.raises(ValidationError):
        services.confirm_disclosure(
            acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=False
        )
    with pytest.raises(ValidationError):
        services.confirm_disclosure(
            acting_user=official,
            disclosure=disclosure,
            akimat=akimat,
            confirmed=True,
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    outside = AkimatFactory(place=setting["places"]["elsewhere"].parent)
    with pytest.raises(PermissionDenied):
        services.confirm_disclosure(
            acting_user=member_of(outside), disclosure=disclosure, akimat=outside, confirmed=True
        )
    with pytest.raises(PermissionDenied):  # the official acting for an akimat they are not in
        services.confirm_disclosure(
            acting_user=official, disclosure=disclosure, akimat=outside, confirmed=True
        )
    confirmation = services.confirm_disclosure(
        acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=False, note="Not seen"
    )
    assert not confirmation.is_confirmed()


def test_akimat_does_not_confirm_its_own_disclosure(setting):
    akimat, official = setting["akimat"], setting["official"]
    own = DisclosureFactory(
        published=True, organisation=akimat, settlements=[setting["places"]["village"]]
    )
    with pytest.raises(PermissionDenied):
        services.confirm_disclosure(
            acting_user=official, disclosure=own, akimat=akimat, confirmed=True
        )


def test_drafts_cannot_be_confirmed_or_commented(setting):
    draft = DisclosureFactory(settlements=[setting["places"]["village"]])
    with pytest.raises(PermissionDenied):
        services.confirm_disclosure(
            acting_user=setting["official"],
            disclosure=draft,
            akimat=setting["akimat"],
            confirmed=True,
        )
    with pytest.raises(PermissionDenied):
        services.submit_feedback(disclosure=draft, kind="seen")


def test_cancel_needs_reason_and_is_timelined(setting):
    promise = DisclosureFactory(
        promised=True, published=True, organisation=setting["disclosure"].organisation
    )
    with pytest.raises(ValidationError):
        services.change_status(
            acting_user=setting["owner"], disclosure=promise, status=Status.CANCELLED
        )
    services.change_status(
        acting_user=setting["owner"],
        disclosure=promise,
        status=Status.CANCELLED,
        note="No land was allotted.",
    )
    promise.refresh_from_db()
    assert promise.cancel_reason == "No land was allotted."
    assert not promise.is_overdue()


def test_funded_by_must_be_another_organisations_published_disclosure(setting):
    akimat, official = setting["akimat"], setting["official"]
    draft_payment = DisclosureFactory()
    from disclosures.models import Disclosure

    spending = Disclosure(
        organisation=akimat,
        title_en="Roof",
        category="education",
        status="delivered",
        delivered_date=timezone.localdate(),
        funded_by=draft_payment,
    )
    with pytest.raises(ValidationError):
        services.create_disclosure(
            acting_user=official, disclosure=spending, settlements=[setting["places"]["village"]]
        )
