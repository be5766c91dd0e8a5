"""The lifecycle table on `Hearing`: every step allowed and refused, and no way around it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from core.lifecycle import available_transitions
from hearings import services
from hearings.models import Hearing, HearingChange, OutboxMessage
from tests.factories import (
    AkimatFactory,
    AttendanceRegistrationFactory,
    HearingCommentFactory,
    HearingFactory,
    PlaceFactory,
    SubscriptionFactory,
    UserFactory,
    member_of,
)

from .conftest import local_at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
S = Hearing.Status
STATES = {
    S.DRAFT: {},
    S.ANNOUNCED: {"announced": True},
    S.HELD: {"held": True},
    S.RECORD_PUBLISHED: {"record_published": True},
    S.CANCELLED: {"cancelled": True},
}


def _step(name, hearing, user):
    if name == "announce":
        return services.announce_hearing(acting_user=user, hearing=hearing)
    if name == "reschedule":
        return services.reschedule_hearing(
            acting_user=user, hearing=hearing, starts_at=local_at(55), reason="Hall repairs."
        )
    if name == "cancel":
        return services.cancel_hearing(acting_user=user, hearing=hearing, reason="Withdrawn.")
    if name == "mark_held":
        return services.mark_held(acting_user=user, hearing=hearing)
    if name == "publish_record":
        return services.publish_record(
            acting_user=user,
            hearing=hearing,
            protocol=SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf"),
            attendance=10,
            reason="Protocol re-signed.",
        )
    raise AssertionError(name)


# (state, step) → state after; absent pairs are refused.
ALLOWED = {
    (S.DRAFT, "announce"): S.ANNOUNCED,
    (S.DRAFT, "cancel"): S.CANCELLED,
    (S.ANNOUNCED, "reschedule"): S.ANNOUNCED,
    (S.ANNOUNCED, "cancel"): S.CANCELLED,
    (S.ANNOUNCED, "mark_held"): S.HELD,
    (S.ANNOUNCED, "publish_record"): S.RECORD_PUBLISHED,
    (S.HELD, "publish_record"): S.RECORD_PUBLISHED,
    (S.RECORD_PUBLISHED, "publish_record"): S.RECORD_PUBLISHED,
}
STEPS = ["announce", "reschedule", "cancel", "mark_held", "publish_record"]


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("step", STEPS)
def test_every_step_allowed_or_refused(state, step):
    """Each step of the table from each state, taken by the organiser: allowed ones move the
    hearing and log it; refused ones change nothing."""
    traits = dict(STATES[state])
    past = step in ("mark_held", "publish_record")
    if past and state == S.ANNOUNCED:
        traits = {"past": True}
    hearing = HearingFactory(**traits)
    organiser = member_of(hearing.organiser)
    version = Hearing.objects.get(pk=hearing.pk).version
    if (state, step) in ALLOWED:
        _step(step, hearing, organiser)
        hearing.refresh_from_db()
        assert hearing.status == ALLOWED[(state, step)]
        assert hearing.version == version + 1
        assert hearing.changes.exists()
    else:
        with pytest.raises(ValidationError):
            _step(step, hearing, organiser)
        hearing.refresh_from_db()
        assert hearing.status == state
        assert hearing.version == version


@pytest.mark.parametrize("who", ["covering_above", "lower", "initiator", "anonymous_like"])
def test_only_the_organiser_and_staff_take_steps(who):
    """A covering akimat above or below the organiser, or the initiating company, may not."""
    region = PlaceFactory(region=True)
    district = PlaceFactory(district=True, parent=region)
    rural = PlaceFactory(rural_district=True, parent=district)
    village = PlaceFactory(parent=rural)
    hearing = HearingFactory(
        announced=True, organiser=AkimatFactory(place=district), territory=[village]
    )
    user = {
        "covering_above": lambda: member_of(AkimatFactory(place=region)),
        "lower": lambda: member_of(AkimatFactory(place=rural)),
        "initiator": lambda: member_of(hearing.initiator),
        "anonymous_like": UserFactory,
    }[who]()
    assert available_transitions(hearing, user) == []
    with pytest.raises(PermissionDenied):
        services.cancel_hearing(acting_user=user, hearing=hearing, reason="x")


def test_staff_steps_are_logged_as_staff():
    hearing = HearingFactory(announced=True)
    services.cancel_hearing(acting_user=UserFactory(staff=True), hearing=hearing, reason="Fraud.")
    change = hearing.changes.get(action=HearingChange.Action.CANCELLED)
    assert change.by_staff


def _edit_data(hearing, **changes):
    data = {
        "title_ru": hearing.title_ru,
        "legal_basis": hearing.legal_basis,
        "initiator": hearing.initiator_id,
        "organiser": hearing.organiser_id,
        "format": hearing.format,
        "venue_ru": hearing.venue_ru,
        "venue_kk": hearing.venue_kk,
        "starts_at": timezone.localtime(hearing.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "120",
        "materials_available_from": hearing.materials_available_from.isoformat(),
        "comments_until": hearing.comments_until.isoformat(),
        "territory_codes": " ".join(p.kato_code for p in hearing.territory.all()),
        "language_codes": ["kk", "ru"],
        "version": hearing.version,
    }
    data.update(changes)
    return data


def test_a_form_opened_before_announce_cannot_unannounce(client):
    """The edit form was opened on the draft; the hearing is announced meanwhile; saving the
    form is refused and the hearing stays announced, its e-mails queued once."""
    hearing = HearingFactory()
    organiser = member_of(hearing.organiser)
    client.force_login(organiser)
    data = _edit_data(hearing, title_ru="Новое", reason="")
    SubscriptionFactory(confirmed=True, place=hearing.territory.get())
    services.announce_hearing(acting_user=organiser, hearing=hearing)
    with translation.override("en"):
        response = client.post(reverse("hearings:edit", args=[hearing.pk]), data)
        page = response.content.decode()
        assert "Someone else changed this hearing" in page
        assert "Changed meanwhile: announced." in page
    hearing.refresh_from_db()
    assert hearing.status == S.ANNOUNCED
    assert hearing.announced_at is not None
    assert hearing.title_ru != "Новое"


def test_even_without_a_version_an_edit_never_touches_the_status():
    hearing = HearingFactory()
    organiser = member_of(hearing.organiser)
    stale = Hearing.objects.get(pk=hearing.pk)
    services.announce_hearing(acting_user=organiser, hearing=hearing)
    stale.title_ru = "Уточнённое название"
    services.update_hearing(
        acting_user=organiser,
        hearing=stale,
        territory=list(hearing.territory.all()),
        reason="Typo in the title.",
    )
    hearing.refresh_from_db()
    assert hearing.status == S.ANNOUNCED and hearing.announced_at is not None
    assert hearing.title_ru == "Уточнённое название"


@pytest.mark.parametrize(
    "field,value",
    [
        ("venue_ru", "Другой зал"),
        ("format", "online"),
        ("online_link", "https://meet.example/x"),
        ("starts_at", local_at(60)),
    ],
)
def test_after_announcement_the_schedule_changes_only_by_rescheduling(field, value):
    hearing = HearingFactory(announced=True)
    organiser = member_of(hearing.organiser)
    edited = Hearing.objects.get(pk=hearing.pk)
    setattr(edited, field, value)
    with pytest.raises(ValidationError):
        services.update_hearing(
            acting_user=organiser,
            hearing=edited,
            territory=list(hearing.territory.all()),
            reason="Moving it quietly.",
        )
    assert getattr(Hearing.objects.get(pk=hearing.pk), field) == getattr(hearing, field)


def test_the_edit_form_ignores_schedule_fields_once_announced(client):
    hearing = HearingFactory(announced=True)
    client.force_login(member_of(hearing.organiser))
    data = _edit_data(
        hearing,
        venue_ru="Тайный зал",
        format="online",
        online_link="https://meet.example/x",
        organiser=AkimatFactory().pk,
        title_ru="Уточнено",
        reason="Typo.",
    )
    response = client.post(reverse("hearings:edit", args=[hearing.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    hearing.refresh_from_db()
    assert hearing.title_ru == "Уточнено"
    assert hearing.venue_ru != "Тайный зал" and hearing.format == "in_person"
    assert hearing.online_link == ""
    assert hearing.sequence == 0


def test_reschedule_changes_format_and_link_tells_subscribers_and_bumps_sequence():
    hearing = HearingFactory(announced=True)
    SubscriptionFactory(confirmed=True, place=hearing.territory.get())
    services.reschedule_hearing(
        acting_user=member_of(hearing.organiser),
        hearing=hearing,
        starts_at=hearing.starts_at,
        format="online",
        online_link="https://meet.example/hearing",
        reason="The hall is closed for repairs.",
    )
    hearing.refresh_from_db()
    assert hearing.format == "online" and hearing.online_link.startswith("https://meet")
    assert hearing.sequence == 1
    assert hearing.changes.filter(action=HearingChange.Action.RESCHEDULED).exists()
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.RESCHEDULED).count() == 1


def test_reschedule_that_changes_nothing_is_refused():
    hearing = HearingFactory(announced=True)
    with pytest.raises(ValidationError):
        services.reschedule_hearing(
            acting_user=member_of(hearing.organiser),
            hearing=hearing,
            starts_at=hearing.starts_at,
            reason="No reason.",
        )


@pytest.mark.parametrize(
    "who,status",
    [("organiser", 200), ("covering", 404), ("lower", 404), ("staff", 404), ("company", 404)],
)
def test_registrations_are_for_the_organiser_only(client, who, status):
    region = PlaceFactory(region=True)
    district = PlaceFactory(district=True, parent=region)
    rural = PlaceFactory(rural_district=True, parent=district)
    hearing = HearingFactory(
        announced=True,
        organiser=AkimatFactory(place=district),
        territory=[PlaceFactory(parent=rural)],
    )
    AttendanceRegistrationFactory(hearing=hearing, name="Aigerim", contact="+7 701 000 00 00")
    user = {
        "organiser": lambda: member_of(hearing.organiser),
        "covering": lambda: member_of(AkimatFactory(place=region)),
        "lower": lambda: member_of(AkimatFactory(place=rural)),
        "staff": lambda: UserFactory(staff=True),
        "company": lambda: member_of(hearing.initiator),
    }[who]()
    client.force_login(user)
    response = client.get(reverse("hearings:registrations", args=[hearing.pk]))
    assert response.status_code == status
    page = client.get(hearing.get_absolute_url()).content.decode()
    assert ("+7 701 000 00 00" in response.content.decode()) == (status == 200)
    assert (reverse("hearings:registrations", args=[hearing.pk]) in page) == (status == 200)


def test_a_published_answer_to_a_comment_is_corrected_with_a_reason(client):
    comment = HearingCommentFactory(answered=True)
    organiser = member_of(comment.hearing.organiser)
    with pytest.raises(ValidationError):
        services.answer_comment(
            acting_user=organiser, comment=comment, answer="No watering.", outcome="rejected"
        )
    services.answer_comment(
        acting_user=organiser,
        comment=comment,
        answer="The road will be paved instead.",
        outcome="partly",
        reason="The plan changed.",
    )
    correction = comment.corrections.get()
    assert correction.old_answer.startswith("The dust will be suppressed")
    assert correction.old_outcome == "accepted"
    page = client.get(comment.hearing.get_absolute_url()).content.decode()
    assert "The plan changed." in page and "The dust will be suppressed" in page
