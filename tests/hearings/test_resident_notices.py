"""A resident who leaves an e-mail address hears, once, when their question is answered or their
word published (issue 22, item 8); a phone number, a rejection or no address: nothing is sent."""

import pytest
from django.core import mail

from disclosures import services as disclosure_services
from hearings import notifications, services
from hearings.models import HearingComment, OutboxMessage
from tests.factories import (
    HearingCommentFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

RESIDENT = "aigul@mail.kz"


@pytest.fixture
def moderator():
    return UserFactory(staff=True)


def notices():
    return list(OutboxMessage.objects.filter(kind=OutboxMessage.Kind.RESIDENT))


def test_an_answered_question_is_told_to_its_author(settings, moderator):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    question = QuestionFactory(contact=f" {RESIDENT} ")
    company_user = member_of(question.disclosure.organisation)
    disclosure_services.answer_question(
        acting_user=company_user, question=question, answer="В сентябре."
    )
    assert notices() == []  # not published yet: nothing to read
    question.refresh_from_db()
    disclosure_services.moderate(acting_user=moderator, item=question, approve=True)
    (notice,) = notices()
    assert notice.recipient == RESIDENT
    assert "В сентябре." in notice.body and question.disclosure.get_absolute_url() in notice.body
    assert "жауап" in notice.subject and "ответ" in notice.subject
    disclosure_services.answer_question(
        acting_user=company_user, question=question, answer="В октябре.", reason="Moved."
    )
    assert len(notices()) == 2  # a corrected answer is news again
    assert notifications.send_due().sent == 2
    assert [m.to for m in mail.outbox] == [[RESIDENT], [RESIDENT]]


def test_a_published_word_is_told_once_and_a_phone_or_rejection_gets_nothing(moderator):
    feedback = ResidentFeedbackFactory(contact=RESIDENT)
    disclosure_services.moderate(acting_user=moderator, item=feedback, approve=True)
    disclosure_services.moderate(acting_user=moderator, item=feedback, approve=True)
    assert len(notices()) == 1 and "I walked past it" in notices()[0].body
    by_phone = ResidentFeedbackFactory(contact="+7 701 123 45 67")
    disclosure_services.moderate(acting_user=moderator, item=by_phone, approve=True)
    rejected = QuestionFactory(contact="other@mail.kz")
    disclosure_services.moderate(
        acting_user=moderator, item=rejected, approve=False, reason="Abusive."
    )
    ip_literal = QuestionFactory(contact="someone@[127.0.0.1]")
    disclosure_services.moderate(acting_user=moderator, item=ip_literal, approve=True)
    assert len(notices()) == 1


def test_an_answered_hearing_comment_is_told_in_kazakh_and_russian(moderator):
    comment = HearingCommentFactory(contact=RESIDENT)
    services.moderate(acting_user=moderator, item=comment, approve=True)
    services.answer_comment(
        acting_user=member_of(comment.hearing.organiser),
        comment=comment,
        answer="Жол суарылады.",
        outcome=HearingComment.Outcome.ACCEPTED,
    )
    published, answered = notices()
    assert published.hearing == comment.hearing and answered.hearing == comment.hearing
    assert "Жол суарылады." in answered.body
    assert " / " in answered.subject  # Kazakh, then Russian
