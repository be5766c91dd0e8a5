"""Residents take part: moderated comments, registration, 'I learned of this on … from …'."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hearings import services
from hearings.models import AttendanceRegistration, HearingComment, LearnedOf
from tests.factories import (
    HearingCommentFactory,
    HearingFactory,
    LearnedOfFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def _comment(client, hearing, **extra):
    data = {"kind": "question", "text": "Will the wind turbines be noisy at night?", **extra}
    return client.post(reverse("hearings:comment", args=[hearing.pk]), data)


def test_comment_waits_for_moderation_then_shows_with_answer(client):
    """A written question is hidden until approved; then shown with the organiser's answer,
    and the resident's contact is never shown."""
    hearing = HearingFactory(announced=True)
    response = _comment(client, hearing, author_name="Serik", contact="+7 701 000 00 00")
    assert response.status_code == 302
    comment = HearingComment.objects.get()
    assert comment.moderation_status == HearingComment.Moderation.PENDING
    page = client.get(hearing.get_absolute_url()).content.decode()
    assert "noisy at night" not in page

    services.moderate(acting_user=UserFactory(staff=True), item=comment, approve=True)
    official = member_of(hearing.organiser)
    services.answer_comment(
        acting_user=official,
        comment=comment,
        answer="Turbines stand at least 1 km from houses.",
        outcome=HearingComment.Outcome.EXPLAINED,
    )
    page = client.get(hearing.get_absolute_url()).content.decode()
    assert "noisy at night" in page
    assert "at least 1 km" in page
    assert "Serik" in page
    assert "701 000" not in page


def test_rejected_comment_is_counted_not_shown(client):
    """Rejection needs a reason; the rejected text stays off the page, the count shows."""
    hearing = HearingFactory(announced=True)
    comment = HearingCommentFactory(hearing=hearing, text="rude words")
    staff = UserFactory(staff=True)
    with pytest.raises(ValueError):
        services.moderate(acting_user=staff, item=comment, approve=False, reason="")
    services.moderate(acting_user=staff, item=comment, approve=False, reason="Insults.")
    with translation.override("en"):
        page = client.get(hearing.get_absolute_url()).content.decode()
    assert "rude words" not in page


def test_honeypot_rejects_bots(client):
    """A filled hidden field means a bot: nothing is saved."""
    hearing = HearingFactory(announced=True)
    response = _comment(client, hearing, website_url="http://spam.example")
    assert response.status_code == 400
    assert not HearingComment.objects.exists()


def test_rate_limit_stops_floods(client):
    """Five submissions per hour per browser; the sixth is refused with 429, the typed text kept
    and the wait given."""
    hearing = HearingFactory(announced=True)
    for n in range(5):
        _comment(client, hearing, text=f"Question number {n}")
    response = _comment(client, hearing, text="One too many")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "One too many" in response.content.decode()
    assert HearingComment.objects.count() == 5


def test_comments_refused_outside_the_period(client):
    """After the comment deadline the form is closed and the service refuses."""
    hearing = HearingFactory(
        announced=True, comments_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = _comment(client, hearing)
    assert response.status_code in (200, 302)
    assert not HearingComment.objects.exists()
    draft = HearingFactory()
    assert _comment(client, draft).status_code == 404


def test_moderation_queue_is_staff_only(client):
    """The queue lists pending items for staff; officials get 403."""
    comment = HearingCommentFactory(text="pending question")
    url = reverse("hearings:moderation")
    client.force_login(member_of(comment.hearing.organiser))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(staff=True))
    assert "pending question" in client.get(url).content.decode()


def test_register_to_attend_is_private(client):
    """The registration is saved; the name is shown to the organiser, not the public."""
    hearing = HearingFactory(announced=True)
    response = client.post(
        reverse("hearings:register", args=[hearing.pk]),
        {"name": "Aizhan Bekova", "contact": "a@example.org", "people": "2", "needs": ""},
    )
    assert response.status_code == 302
    assert AttendanceRegistration.objects.get().people == 2
    assert "Aizhan Bekova" not in client.get(hearing.get_absolute_url()).content.decode()
    url = reverse("hearings:registrations", args=[hearing.pk])
    assert client.get(url).status_code == 302  # to login
    client.force_login(member_of(hearing.organiser))
    assert "Aizhan Bekova" in client.get(url).content.decode()


def _learned_of_page(client):
    hearing = HearingFactory(past=True)
    day = timezone.localdate(hearing.starts_at)
    for days in (30, 10, 2):
        LearnedOfFactory(
            hearing=hearing, approved=True, learned_on=day - datetime.timedelta(days=days)
        )
    LearnedOfFactory(hearing=hearing, learned_on=day)  # pending: not counted
    with translation.override("en"):
        return client.get(hearing.get_absolute_url()).content.decode()


def test_learned_of_reports_show_how_early_residents_knew(client):
    """Approved reports give the earliest and median days before; while the announcement rule is
    not verified, nobody is counted as told too late (an unverified rule never accuses)."""
    page = _learned_of_page(client)
    assert "3 residents said when they learned of this hearing" in page
    assert "the earliest 30 days before it, the median 10 days" in page
    assert "learned of it less than" not in page


@pytest.mark.usefixtures("binding_rules")
def test_learned_of_reports_count_late_learners_by_a_binding_rule(client):
    assert "2 learned of it less than 20 days before" in _learned_of_page(client)


def test_learned_of_form(client):
    """A resident posts the date and the channel; it waits for moderation."""
    hearing = HearingFactory(announced=True)
    response = client.post(
        reverse("hearings:learned_of", args=[hearing.pk]),
        {"learned_on": timezone.localdate().isoformat(), "channel": "notice_board"},
    )
    assert response.status_code == 302
    assert LearnedOf.objects.get().moderation_status == LearnedOf.Moderation.PENDING
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("hearings:learned_of", args=[hearing.pk]),
        {"learned_on": future, "channel": "notice_board"},
    )
    assert response.status_code == 400
    assert LearnedOf.objects.count() == 1
