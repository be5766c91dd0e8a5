"""Writes on hearings: permission-checked, atomic, each step in the public change log.

Every function takes `acting_user` and checks it against `Hearing.objects.editable_by`, so a view
that forgot a check still cannot write. Notifications to subscribers are written to the outbox in
the same transaction as the change they report (a transactional outbox): if the change rolls back
no message is left behind, and if it commits the message cannot be lost.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Organisation
from projects.services import moderate_input
from projects.validators import validate_pdf

from . import clock, notifications
from .models import (
    AttendanceRegistration,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingPromise,
    LearnedOf,
    OutboxMessage,
    Subscription,
    new_token,
)

Status = Hearing.Status


def _check_editable(acting_user, hearing):
    if not Hearing.objects.editable_by(acting_user).filter(pk=hearing.pk).exists():
        raise PermissionDenied


def _check_organiser(acting_user, organiser):
    if not organiser or not organiser.is_akimat:
        raise ValidationError({"organiser": _("The organiser must be an akimat.")})
    if acting_user.is_staff:
        return
    if not Organisation.objects.of_user(acting_user).filter(pk=organiser.pk).exists():
        raise PermissionDenied


def _check_territory(hearing, territory):
    if not territory:
        raise ValidationError({"territory": _("Name at least one place concerned.")})
    outside = [place for place in territory if not hearing.organiser.covers(place)]
    if outside:
        raise ValidationError(
            {
                "territory": _("%(place)s is outside the organising akimat's jurisdiction.")
                % {"place": outside[0]}
            }
        )


def _log(hearing, action, acting_user, reason="", **fields):
    return HearingChange.objects.create(
        hearing=hearing, action=action, acting_user=acting_user, reason=reason, **fields
    )


def _require_reason(reason, field="reason"):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give the reason: residents will see it.")})
    return reason


# --- The notice ---------------------------------------------------------------------------


@transaction.atomic
def create_hearing(*, acting_user, hearing, territory):
    """An akimat official drafts a hearing for their akimat; drafts are not public."""
    _check_organiser(acting_user, hearing.organiser)
    _check_territory(hearing, territory)
    hearing.status = Status.DRAFT
    hearing.created_by = acting_user if acting_user.is_authenticated else None
    hearing.full_clean(exclude=["territory"])
    hearing.save()
    hearing.territory.set(territory)
    _log(hearing, HearingChange.Action.CREATED, acting_user)
    return hearing


@transaction.atomic
def update_hearing(*, acting_user, hearing, territory, reason=""):
    """Change the notice. Once announced, a change needs a reason (it shows in the change log);
    the date and the venue change only through `reschedule_hearing`, which restarts the clock."""
    _check_editable(acting_user, hearing)
    stored = Hearing.objects.get(pk=hearing.pk)
    if stored.status not in (Status.DRAFT, Status.ANNOUNCED):
        raise ValidationError(_("Only a draft or an announced hearing can be edited."))
    if stored.status == Status.ANNOUNCED:
        reason = _require_reason(reason)
        if hearing.starts_at != stored.starts_at:
            raise ValidationError(
                {"starts_at": _("To change the date of an announced hearing, reschedule it.")}
            )
    if hearing.organiser_id != stored.organiser_id:
        # Handing a hearing to another akimat needs membership of that akimat.
        _check_organiser(acting_user, hearing.organiser)
    _check_territory(hearing, territory)
    hearing.full_clean(exclude=["territory"])
    hearing.save()
    hearing.territory.set(territory)
    _log(hearing, HearingChange.Action.EDITED, acting_user, reason=reason)
    return hearing


@transaction.atomic
def add_document(*, acting_user, hearing, upload, title_kk="", title_ru="", title_en=""):
    """Add a PDF to the hearing's materials."""
    _check_editable(acting_user, hearing)
    validate_pdf(upload)
    if not (title_kk or title_ru or title_en):
        raise ValidationError(
            {"title_ru": _("Give the document's title in at least one language.")}
        )
    document = HearingDocument(
        hearing=hearing, title_kk=title_kk, title_ru=title_ru, title_en=title_en
    )
    # A random name: the uploader's file name may say more than the draft should.
    document.file.save(f"{uuid.uuid4().hex}.pdf", upload, save=False)
    document.save()
    if hearing.is_published():
        _log(hearing, HearingChange.Action.DOCUMENT_ADDED, acting_user, reason=str(document))
    return document


# --- Lifecycle --------------------------------------------------------------------------------


@transaction.atomic
def announce_hearing(*, acting_user, hearing, today=None):
    """Publish the notice. Refused when the date would break the Rules' notice periods, with a
    message quoting the rule and the earliest lawful date."""
    _check_editable(acting_user, hearing)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    if hearing.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be announced."))
    problems = clock.announcement_problems(hearing, today=today)
    if problems:
        raise ValidationError(problems)
    hearing.status = Status.ANNOUNCED
    hearing.announced_at = timezone.now()
    hearing.save(update_fields=["status", "announced_at", "updated_at"])
    _log(hearing, HearingChange.Action.ANNOUNCED, acting_user, new_starts_at=hearing.starts_at)
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED)
    return hearing


@transaction.atomic
def reschedule_hearing(
    *,
    acting_user,
    hearing,
    starts_at,
    reason,
    venue_kk=None,
    venue_ru=None,
    venue_en=None,
    comments_until=None,
    today=None,
):
    """Move an announced hearing to a new date (and venue). Needs a reason; the old date stays in
    the change log; the notice clock restarts today, so the new date must again be at least the
    full notice period away."""
    _check_editable(acting_user, hearing)
    reason = _require_reason(reason)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    if hearing.status != Status.ANNOUNCED:
        raise ValidationError(_("Only an announced hearing can be rescheduled."))
    old_starts_at, old_venue = hearing.starts_at, hearing.venue
    hearing.starts_at = starts_at
    for name, value in (("venue_kk", venue_kk), ("venue_ru", venue_ru), ("venue_en", venue_en)):
        if value is not None:
            setattr(hearing, name, value)
    if comments_until is not None:
        hearing.comments_until = comments_until
    elif hearing.comments_until:
        # The comment period moves with the hearing, keeping its distance from the date.
        shift = timezone.localdate(starts_at) - timezone.localdate(old_starts_at)
        hearing.comments_until += shift
    problems = clock.announcement_problems(hearing, today=today)
    if problems:
        raise ValidationError(problems)
    hearing.rescheduled_at = timezone.now()
    hearing.sequence += 1
    hearing.full_clean(exclude=["territory"])
    hearing.save()
    _log(
        hearing,
        HearingChange.Action.RESCHEDULED,
        acting_user,
        reason=reason,
        old_starts_at=old_starts_at,
        new_starts_at=hearing.starts_at,
        old_venue=old_venue[:300],
        new_venue=hearing.venue[:300],
    )
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.RESCHEDULED)
    return hearing


@transaction.atomic
def cancel_hearing(*, acting_user, hearing, reason):
    """Cancel a draft or announced hearing; needs a reason; an announced one stays visible."""
    _check_editable(acting_user, hearing)
    reason = _require_reason(reason)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    if hearing.status not in (Status.DRAFT, Status.ANNOUNCED):
        raise ValidationError(_("Only a draft or an announced hearing can be cancelled."))
    was_announced = hearing.status == Status.ANNOUNCED
    hearing.status = Status.CANCELLED
    hearing.cancelled_at = timezone.now()
    hearing.cancellation_reason = reason
    hearing.sequence += 1
    hearing.save(
        update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"]
    )
    _log(hearing, HearingChange.Action.CANCELLED, acting_user, reason=reason)
    if was_announced:
        notifications.queue_hearing_news(hearing, OutboxMessage.Kind.CANCELLED)
    return hearing


@transaction.atomic
def mark_held(*, acting_user, hearing, attendance=None):
    """Record that the announced hearing took place (its start has passed)."""
    _check_editable(acting_user, hearing)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    if hearing.status != Status.ANNOUNCED:
        raise ValidationError(_("Only an announced hearing can be marked as held."))
    if hearing.starts_at > timezone.now():
        raise ValidationError(_("The hearing has not started yet."))
    hearing.status = Status.HELD
    hearing.held_at = timezone.now()
    if attendance is not None:
        hearing.attendance = attendance
    hearing.save(update_fields=["status", "held_at", "attendance", "updated_at"])
    _log(hearing, HearingChange.Action.HELD, acting_user)
    return hearing


@transaction.atomic
def publish_record(
    *,
    acting_user,
    hearing,
    protocol=None,
    attendance=None,
    video_url="",
    record_summary_kk="",
    record_summary_ru="",
    record_summary_en="",
    reason="",
):
    """Publish (or correct) the record: the signed protocol PDF, attendance, video and summary.

    The first publication needs the protocol; a later correction needs a reason and shows in the
    change log, the earlier protocol file being kept in storage.
    """
    _check_editable(acting_user, hearing)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    if hearing.status not in (Status.ANNOUNCED, Status.HELD, Status.RECORD_PUBLISHED):
        raise ValidationError(_("The record can be published only for a hearing that took place."))
    if hearing.starts_at > timezone.now():
        raise ValidationError(_("The hearing has not taken place yet."))
    correcting = hearing.status == Status.RECORD_PUBLISHED
    if correcting:
        reason = _require_reason(reason)
    if protocol is not None:
        validate_pdf(protocol)
        hearing.protocol.save(f"{uuid.uuid4().hex}.pdf", protocol, save=False)
    elif not hearing.protocol:
        raise ValidationError({"protocol": _("Upload the signed protocol as a PDF.")})
    hearing.attendance = attendance
    hearing.video_url = video_url
    hearing.record_summary_kk = record_summary_kk
    hearing.record_summary_ru = record_summary_ru
    hearing.record_summary_en = record_summary_en
    if not hearing.held_at:
        hearing.held_at = timezone.now()
    if not correcting:
        hearing.status = Status.RECORD_PUBLISHED
        hearing.record_published_at = timezone.now()
    hearing.full_clean(exclude=["territory"])
    hearing.save()
    if correcting:
        _log(hearing, HearingChange.Action.RECORD_CORRECTED, acting_user, reason=reason)
    else:
        _log(hearing, HearingChange.Action.RECORD_PUBLISHED, acting_user)
        notifications.queue_hearing_news(hearing, OutboxMessage.Kind.RECORD)
    return hearing


@transaction.atomic
def add_promise(*, acting_user, hearing, organisation, text, due_text=""):
    """Record a promise made at the hearing, by whom; it can then become a promised disclosure."""
    _check_editable(acting_user, hearing)
    if not hearing.is_published() or hearing.is_cancelled():
        raise ValidationError(_("Promises are recorded for hearings that took place."))
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what was promised.")})
    promise = HearingPromise.objects.create(
        hearing=hearing,
        organisation=organisation,
        text=text.strip(),
        due_text=due_text,
        created_by=acting_user,
    )
    _log(hearing, HearingChange.Action.PROMISE_ADDED, acting_user, reason=text[:300])
    return promise


# --- Residents' input and the organiser's answers --------------------------------------------


def submit_comment(
    *, hearing, text, kind=HearingComment.Kind.QUESTION, author_name="", contact="", ip_hash=""
):
    """A resident sends a written comment or question while the comment period is open; it
    waits for a moderator before it shows."""
    if not hearing.comments_open():
        raise ValidationError(_("Written comments on this hearing are not being accepted now."))
    comment = HearingComment(
        hearing=hearing,
        kind=kind,
        text=text,
        author_name=author_name,
        contact=contact,
        ip_hash=ip_hash,
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def record_question_at_hearing(
    *,
    acting_user,
    hearing,
    text,
    kind=HearingComment.Kind.QUESTION,
    author_name="",
    answer="",
    outcome="",
):
    """The organiser enters a question or comment raised aloud at the hearing, with its answer.

    It comes from the protocol, so it needs no moderation.
    """
    _check_editable(acting_user, hearing)
    comment = HearingComment(
        hearing=hearing,
        kind=kind,
        source=HearingComment.Source.AT_HEARING,
        text=text,
        author_name=author_name,
        answer=answer,
        outcome=outcome,
        moderation_status=HearingComment.Moderation.APPROVED,
        moderated_by=acting_user,
        moderated_at=timezone.now(),
    )
    if answer:
        comment.answered_by = acting_user
        comment.answered_at = timezone.now()
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def answer_comment(*, acting_user, comment, answer, outcome):
    """The organiser answers publicly and says how the comment was taken into account."""
    _check_editable(acting_user, comment.hearing)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    if comment.moderation_status == HearingComment.Moderation.REJECTED:
        raise ValidationError(_("A rejected comment cannot be answered."))
    comment.answer = answer.strip()
    comment.outcome = outcome
    comment.answered_by = acting_user
    comment.answered_at = timezone.now()
    comment.full_clean()
    comment.save(update_fields=["answer", "outcome", "answered_by", "answered_at"])
    return comment


def moderate(*, acting_user, item, approve, reason=""):
    """Staff approve or reject a comment or a 'learned of' report (see projects.services)."""
    return moderate_input(acting_user=acting_user, item=item, approve=approve, reason=reason)


def register_attendance(*, hearing, name, contact="", people=1, needs="", ip_hash=""):
    """A resident says they plan to come. Only for upcoming hearings."""
    if not hearing.registration_open():
        raise ValidationError(_("Registration is open only before an announced hearing."))
    registration = AttendanceRegistration(
        hearing=hearing, name=name, contact=contact, people=people, needs=needs, ip_hash=ip_hash
    )
    registration.full_clean()
    registration.save()
    return registration


def report_learned_of(*, hearing, learned_on, channel, author_name="", contact="", ip_hash=""):
    """'I learned of this hearing on … from …', moderated like any resident input."""
    if not hearing.is_published():
        raise ValidationError(_("This hearing is not public."))
    if learned_on > timezone.localdate():
        raise ValidationError({"learned_on": _("This date is in the future.")})
    if hearing.announced_at is None:
        raise ValidationError(_("This hearing was never announced."))
    report = LearnedOf(
        hearing=hearing,
        learned_on=learned_on,
        channel=channel,
        author_name=author_name,
        contact=contact,
        ip_hash=ip_hash,
    )
    report.full_clean()
    report.save()
    return report


# --- Subscriptions ----------------------------------------------------------------------------


@transaction.atomic
def subscribe(*, email, place, language="kk", ip_hash=""):
    """Start a subscription and queue the confirmation e-mail (double opt-in).

    Asking again for an address already subscribed sends nothing new; one that unsubscribed gets
    a fresh confirmation.
    """
    email = email.strip().lower()
    subscription, created = Subscription.objects.get_or_create(
        email=email, place=place, defaults={"language": language, "ip_hash": ip_hash}
    )
    if subscription.is_active():
        return subscription
    if subscription.unsubscribed_at:
        subscription.unsubscribed_at = None
        subscription.confirmed_at = None
        subscription.language = language
        subscription.save(update_fields=["unsubscribed_at", "confirmed_at", "language"])
    notifications.queue_confirmation(subscription)
    return subscription


def confirm_subscription(*, token):
    """Confirm with the link from the confirmation e-mail; the link then stops working, so an old
    e-mail cannot subscribe an address again after it unsubscribed."""
    subscription = Subscription.objects.filter(token=token).first()
    if subscription is None:
        return None
    subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    subscription.token = new_token()
    subscription.save(update_fields=["confirmed_at", "unsubscribed_at", "token"])
    return subscription


def unsubscribe(*, token):
    """One click: the subscription stops at once; pending messages to it are not sent."""
    subscription = Subscription.objects.filter(unsubscribe_token=token).first()
    if subscription is None:
        return None
    if not subscription.unsubscribed_at:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription
