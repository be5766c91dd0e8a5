"""Rescheduling needs a reason, keeps the old date visible and restarts the notice clock."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearings import clock, services
from hearings.models import HearingChange, OutboxMessage
from tests.factories import HearingFactory, SubscriptionFactory, UserFactory

from .conftest import local_at

# These tests are about what a binding rule does: the rules are verified for them.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("binding_rules")]


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def test_reschedule_needs_a_reason(staff):
    """No reason, no move."""
    hearing = HearingFactory(announced=True)
    with pytest.raises(ValidationError):
        services.reschedule_hearing(
            acting_user=staff, hearing=hearing, starts_at=local_at(45), reason="  "
        )


def test_reschedule_keeps_old_date_in_public_change_log(client, staff):
    """The old and the new date both show on the hearing's page."""
    hearing = HearingFactory(announced=True, starts_at=local_at(40))
    old = hearing.starts_at
    services.reschedule_hearing(
        acting_user=staff,
        hearing=hearing,
        starts_at=local_at(50),
        reason="The hall is being repaired.",
        venue_ru="Школа № 2, спортзал",
    )
    change = hearing.changes.get(action=HearingChange.Action.RESCHEDULED)
    assert change.old_starts_at == old
    assert change.new_starts_at == local_at(50)
    assert change.new_venue.startswith("Школа") or change.new_venue
    response = client.get(reverse("hearings:detail", args=[hearing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "The hall is being repaired." in body
    assert old.astimezone(local_at(0).tzinfo).strftime("%H:%M") in body


def test_reschedule_restarts_the_notice_clock(staff):
    """Announced long ago, the hearing still cannot be moved to less than the notice period away."""
    hearing = HearingFactory(
        past=True, starts_at=local_at(5), announced_at=local_at(-60), comments_until=None
    )
    with pytest.raises(ValidationError) as caught:
        services.reschedule_hearing(
            acting_user=staff, hearing=hearing, starts_at=local_at(15), reason="Snow."
        )
    assert "20" in " ".join(caught.value.messages)
    services.reschedule_hearing(
        acting_user=staff, hearing=hearing, starts_at=local_at(20), reason="Snow."
    )
    hearing.refresh_from_db()
    assert hearing.rescheduled_at is not None
    announcement = next(d for d in clock.deadlines(hearing) if d.key == "announcement")
    # Kept, but its day is today: "on track", never "met" before the day has passed.
    assert announcement.state == "on_track"
    assert announcement.met is None


def test_reschedule_notifies_subscribers_each_time(staff):
    """Each move is news to subscribers; queued once per move."""
    hearing = HearingFactory(announced=True, starts_at=local_at(40))
    village = hearing.territory.get()
    SubscriptionFactory(place=village, confirmed=True)
    services.reschedule_hearing(
        acting_user=staff, hearing=hearing, starts_at=local_at(45), reason="a"
    )
    services.reschedule_hearing(
        acting_user=staff, hearing=hearing, starts_at=local_at(50), reason="b"
    )
    assert OutboxMessage.objects.filter(kind="rescheduled").count() == 2


def test_only_announced_hearings_are_rescheduled(staff):
    """A draft is simply edited; a cancelled one cannot move."""
    for hearing in (HearingFactory(), HearingFactory(cancelled=True)):
        with pytest.raises(ValidationError):
            services.reschedule_hearing(
                acting_user=staff, hearing=hearing, starts_at=local_at(50), reason="x"
            )


def test_cancel_needs_reason_and_stays_visible(client, staff):
    """A cancelled hearing keeps its page, with the reason."""
    hearing = HearingFactory(announced=True)
    with pytest.raises(ValidationError):
        services.cancel_hearing(acting_user=staff, hearing=hearing, reason="")
    services.cancel_hearing(acting_user=staff, hearing=hearing, reason="Application withdrawn.")
    response = client.get(reverse("hearings:detail", args=[hearing.pk]))
    assert response.status_code == 200
    assert "Application withdrawn." in response.content.decode()
    list_page = client.get(reverse("hearings:list"))
    assert hearing.title in list_page.content.decode()
