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

from core.lifecycle import REASON, check_transition, require
from core.services import lock_for_write, locked_part, moderate_input, save_versioned
from core.translation import add_version, drop_versions, language_written
from core.validators import validate_pdf
from hearings import clock, notifications
from hearings.models import (
    NO_SOURCE,
    AnswerCorrection,
    AttendanceRegistration,
    DecisionNotice,
    Hearing,
    HearingChange,
    HearingComment,
    HearingDocument,
    HearingFailure,
    HearingPromise,
    LearnedOf,
    OutboxMessage,
    Rule,
    RuleChange,
    Subscription,
    new_token,
)
from projects.models import Organisation

Status = Hearing.Status


def _check_editable(acting_user, hearing):
    if not hearing.is_editable_by(acting_user):
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
    """A row of the change log; a moderator's step is shown as the moderators'."""
    return HearingChange.objects.create(
        hearing=hearing,
        action=action,
        acting_user=acting_user,
        by_staff=bool(acting_user and acting_user.is_authenticated and acting_user.is_staff),
        version=hearing.version,
        reason=reason,
        reason_language=language_written(reason) if reason else "",
        **fields,
    )


def _locked(hearing, expected_version=None):
    """The hearing's row, locked and checked against the form's version
    (`core.services.lock_for_write`); a refusal names the steps taken since."""
    return lock_for_write(
        hearing,
        expected_version,
        refusal=lambda locked: (
            _(
                "Someone else changed this hearing after you opened the form (its status is "
                "now “%(status)s”), so your changes were not saved. Open it again to see the "
                "current notice, then make your change."
            )
            % {"status": locked.get_status_display()}
        ),
        changed_since=lambda locked, seen: [
            change.get_action_display() for change in locked.changes.filter(version__gt=seen)
        ],
    )


_save = save_versioned


# What "Edit" may change: the notice's text. Never the status or the lifecycle's dates; once
# announced, not the schedule (`Hearing.SCHEDULE_FIELDS`, changed by `reschedule_hearing`); never
# the organiser (another akimat announces its own hearing).
NOTICE_FIELDS = (
    "title_kk", "title_ru", "title_en", "subject_kk", "subject_ru", "subject_en", "project_id",
    "legal_basis", "initiator_id", "initiator_contact", "organiser_contact", "decision_kk",
    "decision_ru", "decision_en", "decision_authority_kk", "decision_authority_ru",
    "decision_authority_en", "online_instructions_kk", "online_instructions_ru",
    "online_instructions_en", "duration_minutes", "languages", "materials_available_from",
    "paper_copies_kk", "paper_copies_ru", "paper_copies_en", "comment_instructions_kk",
    "comment_instructions_ru", "comment_instructions_en", "portal_number", "portal_url",
    "object_category", "art87_subparagraph", "initiator_representative", "document_developer",
    "authorised_body", "language", "form", "portal_published_on", "media_outlet",
    "media_published_on", "media_url", "media_scan_id", "request_received_on",
    "request_answered_on", *Hearing.SCHEDULE_FIELDS,
)  # fmt: skip

# What a repeat takes over from the hearing that did not take place: the notice, not the
# publications, the initiator's request or the schedule's clock (each its own for the repeat).
NOT_REPEATED = (
    "portal_number", "portal_url", "portal_published_on", "media_outlet", "media_published_on",
    "media_url", "media_scan_id", "request_received_on", "request_answered_on",
)  # fmt: skip

# What decides which rules apply: fixed once announced, as the rule set recorded then is.
REGIME_FIELDS = ("form", "legal_basis", "art87_subparagraph")


def _require_reason(reason, field="reason"):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give the reason: residents will see it.")})
    return reason


# --- Translations added later ----------------------------------------------------------


@transaction.atomic
def add_translation(*, acting_user, record, field, language, text):
    """Add the `language` version of a text typed in one language (`TRANSLATABLE`): of the
    hearing (its contacts, the cancellation reason), of a promise made at it, or of the
    organiser's answer to a comment. Whoever may edit the hearing may; the original never
    changes (`core.translation.add_version`), and the step is in the change log."""
    hearing = record if isinstance(record, Hearing) else record.hearing
    _check_editable(acting_user, hearing)
    locked = _locked(hearing)
    target = locked_part(record, locked, "hearing")
    change = add_version(target, field, language, text)
    if target is not locked:
        target.save(update_fields=["translations"])
    _save(locked, ["translations"] if target is locked else [])
    record.translations = target.translations
    _log(locked, HearingChange.Action.TRANSLATED, acting_user, changes=[change])
    return target


# --- The notice ---------------------------------------------------------------------------


@transaction.atomic
def create_hearing(*, acting_user, hearing, territory):
    """An akimat official drafts a hearing for their akimat; drafts are not public."""
    _check_organiser(acting_user, hearing.organiser)
    _check_territory(hearing, territory)
    hearing.status = Status.DRAFT
    hearing.created_by = acting_user if acting_user.is_authenticated else None
    hearing.language = hearing.language or language_written(hearing.written_text())
    hearing.full_clean(exclude=["territory"])
    hearing.save()
    hearing.territory.set(territory)
    _log(hearing, HearingChange.Action.CREATED, acting_user)
    return hearing


def _editable_fields(hearing, locked):
    """The fields "Edit" copies from the form's `hearing` onto the `locked` row: the whole notice
    of a draft; once announced, all but the schedule, and the form may change neither the
    schedule (`reschedule_hearing` does) nor what decides which rules apply."""
    if locked.status == Status.DRAFT:
        return list(NOTICE_FIELDS)
    moved = [f for f in Hearing.SCHEDULE_FIELDS if getattr(hearing, f) != getattr(locked, f)]
    if moved:
        raise ValidationError(
            {
                moved[0]: _(
                    "To change the date, venue, format, online link or comment period of "
                    "an announced hearing, reschedule it: subscribers are then told."
                )
            }
        )
    fixed = [f for f in REGIME_FIELDS if getattr(hearing, f) != getattr(locked, f)]
    if fixed:
        raise ValidationError(
            {
                fixed[0]: _(
                    "The form and the legal basis of an announced hearing decide which rules "
                    "apply, so they cannot change: cancel the hearing and announce a new one."
                )
            }
        )
    return [f for f in NOTICE_FIELDS if f not in Hearing.SCHEDULE_FIELDS]


@transaction.atomic
def update_hearing(*, acting_user, hearing, territory, reason="", expected_version=None):
    """Change the notice. Once announced, a change needs a reason (it shows in the change log)
    and the date, venue, format, online link and comment period change only through
    `reschedule_hearing`, which tells subscribers and restarts the clock.

    `hearing` carries the form's values; only the notice's fields are copied onto the locked row,
    so a form opened before "Announce" cannot turn the hearing back into a draft.
    """
    _check_editable(acting_user, hearing)
    locked = _locked(hearing, expected_version)
    transition = check_transition(locked, "edit", acting_user)
    if hearing.organiser_id != locked.organiser_id:
        raise ValidationError(
            {"organiser": _("The organiser of a hearing cannot change: cancel it instead.")}
        )
    fields = _editable_fields(hearing, locked)
    hearing.language = hearing.language or locked.language
    changed = [f for f in fields if getattr(hearing, f) != getattr(locked, f)]
    for name in fields:
        setattr(locked, name, getattr(hearing, name))
    _check_territory(locked, territory)
    # A corrected text's added translations translate what is no longer shown.
    if drop_versions(locked, [f for f in changed if f in Hearing.TRANSLATABLE]):
        fields.append("translations")
    old_territory = set(locked.territory.values_list("pk", flat=True))
    territory_changed = old_territory != {place.pk for place in territory}
    if not changed and not territory_changed:
        return locked
    reason = require(transition, reason=reason)
    locked.full_clean(exclude=["territory"])
    _save(locked, fields)
    if territory_changed:
        locked.territory.set(territory)
    _log(locked, HearingChange.Action.EDITED, acting_user, reason=reason)
    return locked


@transaction.atomic
def add_document(*, acting_user, hearing, upload, title_kk="", title_ru="", title_en=""):
    """Add a PDF to the hearing's materials."""
    _check_editable(acting_user, hearing)
    locked = _locked(hearing)
    check_transition(locked, "add_document", acting_user)
    validate_pdf(upload)
    if not (title_kk or title_ru or title_en):
        raise ValidationError(
            {"title_ru": _("Give the document's title in at least one language.")}
        )
    document = HearingDocument(
        hearing=locked, title_kk=title_kk, title_ru=title_ru, title_en=title_en
    )
    # A random name: the uploader's file name may say more than the draft should.
    document.file.save(f"{uuid.uuid4().hex}.pdf", upload, save=False)
    document.save()
    if locked.is_published():
        _log(locked, HearingChange.Action.DOCUMENT_ADDED, acting_user, document=document)
    return document


# --- Lifecycle (`Hearing.TRANSITIONS`) -----------------------------------------------------------


@transaction.atomic
def announce_hearing(*, acting_user, hearing, today=None, expected_version=None):
    """Publish the notice. Refused when the date would break the Rules' notice periods, with a
    message quoting the rule and the earliest lawful date."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing, expected_version)
    check_transition(hearing, "announce", acting_user)
    if problems := clock.announcement_problems(hearing, today=today):
        raise ValidationError(problems)
    # The edition of the rules in force today is recorded: a later edition never re-judges it.
    hearing.rule_set = clock.rule_set_for(hearing, today)
    hearing.status = Status.ANNOUNCED
    hearing.announced_at = timezone.now()
    _save(hearing, ["status", "announced_at", "rule_set"])
    _log(hearing, HearingChange.Action.ANNOUNCED, acting_user, new_starts_at=hearing.starts_at)
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.ANNOUNCED)
    return hearing


def _move(hearing, starts_at, **values):
    """The new schedule onto the locked hearing: its start and each value that is not None; the
    comment period and a discussion's window, unless given, move with the start. Refused when
    nothing changes."""
    before = {name: getattr(hearing, name) for name in Hearing.SCHEDULE_FIELDS}
    shift = timezone.localdate(starts_at) - timezone.localdate(hearing.starts_at)
    hearing.starts_at = starts_at
    for name, value in values.items():
        if value is not None:
            setattr(hearing, name, value)
        elif name in ("comments_until", "discussion_ends_on") and getattr(hearing, name):
            setattr(hearing, name, getattr(hearing, name) + shift)
    if all(getattr(hearing, name) == value for name, value in before.items()):
        raise ValidationError(_("Nothing changes: give a new date, venue, format or link."))


def _check_schedule(hearing, today):
    """A schedule says where residents take part (`Hearing.place_problems`) and keeps the
    Rules' notice periods (`clock`)."""
    if problems := hearing.place_problems():
        raise ValidationError(problems)
    if problems := clock.announcement_problems(hearing, today=today):
        raise ValidationError(problems)


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
    format=None,
    online_link=None,
    comments_until=None,
    discussion_ends_on=None,
    today=None,
    expected_version=None,
):
    """Move an announced hearing: its date, venue, format or online link. Needs a reason; the
    old date and venue stay in the change log; subscribers are told and calendars updated
    (SEQUENCE grows); the notice clock restarts today, so the new date must again be at least
    the full notice period away. `None` keeps a value as it is."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing, expected_version)
    transition = check_transition(hearing, "reschedule", acting_user)
    reason = require(transition, reason=reason, date=starts_at)
    old_starts_at, old_venue = hearing.starts_at, hearing.venue
    _move(hearing, starts_at, venue_kk=venue_kk, venue_ru=venue_ru, venue_en=venue_en,
          format=format, online_link=online_link, comments_until=comments_until,
          discussion_ends_on=discussion_ends_on)  # fmt: skip
    _check_schedule(hearing, today)
    hearing.rescheduled_at = timezone.now()
    hearing.sequence += 1
    hearing.full_clean(exclude=["territory"])
    _save(hearing, [*Hearing.SCHEDULE_FIELDS, "rescheduled_at", "sequence"])
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
def cancel_hearing(*, acting_user, hearing, reason, expected_version=None):
    """Cancel a draft or announced hearing; needs a reason; an announced one stays visible."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing, expected_version)
    transition = check_transition(hearing, "cancel", acting_user)
    reason = require(transition, reason=reason)
    was_announced = hearing.status == Status.ANNOUNCED
    hearing.status = Status.CANCELLED
    hearing.cancelled_at = timezone.now()
    hearing.cancellation_reason = reason
    hearing.cancellation_reason_language = language_written(reason)
    hearing.sequence += 1
    fields = ["status", "cancelled_at", "cancellation_reason", "cancellation_reason_language"]
    _save(hearing, [*fields, "sequence"])
    _log(hearing, HearingChange.Action.CANCELLED, acting_user, reason=reason)
    if was_announced:
        notifications.queue_hearing_news(hearing, OutboxMessage.Kind.CANCELLED)
    return hearing


@transaction.atomic
def mark_held(*, acting_user, hearing, attendance=None, expected_version=None):
    """Record that the announced hearing took place (its start has passed)."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing, expected_version)
    check_transition(hearing, "mark_held", acting_user)
    if hearing.starts_at > timezone.now():
        raise ValidationError(_("The hearing has not started yet."))
    hearing.status = Status.HELD
    hearing.held_at = timezone.now()
    if attendance is not None:
        hearing.attendance = attendance
    _save(hearing, ["status", "held_at", "attendance"])
    _log(hearing, HearingChange.Action.HELD, acting_user)
    return hearing


@transaction.atomic
def record_failure(*, acting_user, hearing, kind, reason, expected_version=None):
    """Record that a hearing whose day has come did not take place (too few people came, or it
    was not held), with the reason residents see; subscribers are told. Its repeat is prepared
    with `prepare_repeat`."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing, expected_version)
    transition = check_transition(hearing, "record_failure", acting_user)
    reason = require(transition, reason=reason)
    if hearing.starts_at > timezone.now():
        raise ValidationError(_("The hearing has not started yet: to call it off, cancel it."))
    if kind not in HearingFailure.Kind.values:
        raise ValidationError({"kind": _("Choose what happened.")})
    HearingFailure.objects.create(
        hearing=hearing,
        kind=kind,
        reason=reason,
        language=language_written(reason),
        recorded_by=acting_user,
    )
    hearing.status = Status.FAILED
    hearing.sequence += 1
    _save(hearing, ["status", "sequence"])
    _log(hearing, HearingChange.Action.FAILED, acting_user, reason=reason)
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.FAILED)
    return hearing


@transaction.atomic
def prepare_repeat(*, acting_user, hearing):
    """A draft repeat of a hearing that did not take place: its notice copied, linked to it
    (`repeat_of`), without its publications or request. The official gives the new date and
    announces it; its clock runs on its own from its own notice."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing)
    check_transition(hearing, "announce_repeat", acting_user)
    repeat = Hearing(
        organiser_id=hearing.organiser_id,
        repeat_of=hearing,
        **{
            name: getattr(hearing, name)
            for name in NOTICE_FIELDS
            if name not in NOT_REPEATED and name != "language"
        },
        language=hearing.language,
    )
    return create_hearing(
        acting_user=acting_user, hearing=repeat, territory=list(hearing.territory.all())
    )


@transaction.atomic
def publish_decision(
    *, acting_user, hearing, authority, decided_on, outcome, reasons, url="", document=None
):
    """Publish the decision taken after the hearing, with its reasons (Aarhus Art. 6(9)); the
    place's subscribers are told as of other hearing news. Published once: never changed."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing)
    check_transition(hearing, "record_decision", acting_user)
    if DecisionNotice.objects.filter(hearing=hearing).exists():
        raise ValidationError(_("The decision is already published."))
    if document is not None and document.hearing_id != hearing.pk:
        raise ValidationError({"document": _("Choose one of this hearing's documents.")})
    if decided_on and decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date is in the future.")})
    if decided_on and decided_on < timezone.localdate(hearing.starts_at):
        raise ValidationError({"decided_on": _("The decision cannot be taken before the hearing.")})
    notice = DecisionNotice(
        hearing=hearing,
        authority=(authority or "").strip(),
        decided_on=decided_on,
        outcome=outcome,
        reasons=(reasons or "").strip(),
        url=url,
        document=document,
        published_by=acting_user,
    )
    notice.language = language_written(f"{notice.authority} {notice.reasons}")
    notice.full_clean()
    notice.save()
    _save(hearing, [])
    _log(hearing, HearingChange.Action.DECISION_PUBLISHED, acting_user)
    notifications.queue_hearing_news(hearing, OutboxMessage.Kind.DECISION)
    return notice


RECORD_FIELDS = [
    "protocol",
    "attendance",
    "video_url",
    "record_summary_kk",
    "record_summary_ru",
    "record_summary_en",
    "held_at",
    "status",
    "record_published_at",
    "protocol_signed_on",
    "ended_before_assessment",
    "draft_sent_on",
]


def _put_record(hearing, protocol, protocol_signed_on, **values):
    """The record onto the locked hearing: a new protocol PDF, under a random name (the first
    publication needs one); the day it was signed, when given (neither in the future nor before
    the hearing); the other `values` as given. Whether Art. 73(1) applies, and when the draft
    report went to the ministry, are checked by `Hearing.clean` (the draft report on possible
    impacts only)."""
    if protocol is not None:
        validate_pdf(protocol)
        hearing.protocol.save(f"{uuid.uuid4().hex}.pdf", protocol, save=False)
    elif not hearing.protocol:
        raise ValidationError({"protocol": _("Upload the signed protocol as a PDF.")})
    if protocol_signed_on is not None:
        if protocol_signed_on > timezone.localdate():
            raise ValidationError({"protocol_signed_on": _("This date is in the future.")})
        if protocol_signed_on < timezone.localdate(hearing.starts_at):
            raise ValidationError(
                {"protocol_signed_on": _("The protocol cannot be signed before the hearing.")}
            )
        hearing.protocol_signed_on = protocol_signed_on
    for name, value in values.items():
        setattr(hearing, name, value)


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
    protocol_signed_on=None,
    ended_before_assessment=None,
    draft_sent_on=None,
    reason="",
    expected_version=None,
):
    """Publish (or correct) the record: the signed protocol PDF, the day it was signed (which
    starts the second clock, Art. 73(1)), for the draft report on possible impacts whether the
    hearings ended before the ministry's quality assessment began and when the draft was sent
    to the ministry, attendance, video and summary.

    The first publication needs the protocol; a later correction needs a reason and shows in the
    change log, the earlier protocol file being kept in storage.
    """
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing, expected_version)
    transition = check_transition(hearing, "publish_record", acting_user)
    if hearing.starts_at > timezone.now():
        raise ValidationError(_("The hearing has not taken place yet."))
    correcting = hearing.status == Status.RECORD_PUBLISHED
    if REASON in transition.requires:
        reason = require(transition, reason=reason)
    # Art. 73(1)'s two as given (None: not known, not sent): the record form shows them as stored.
    _put_record(hearing, protocol, protocol_signed_on, attendance=attendance, video_url=video_url,
                record_summary_kk=record_summary_kk, record_summary_ru=record_summary_ru,
                record_summary_en=record_summary_en, draft_sent_on=draft_sent_on,
                ended_before_assessment=ended_before_assessment)  # fmt: skip
    if not hearing.held_at:
        hearing.held_at = timezone.now()
    if not correcting:
        hearing.status = transition.target
        hearing.record_published_at = timezone.now()
    hearing.full_clean(exclude=["territory"])
    _save(hearing, RECORD_FIELDS)
    if correcting:
        _log(hearing, HearingChange.Action.RECORD_CORRECTED, acting_user, reason=reason)
    else:
        _log(hearing, HearingChange.Action.RECORD_PUBLISHED, acting_user)
        notifications.queue_hearing_news(hearing, OutboxMessage.Kind.RECORD)
    return hearing


@transaction.atomic
def add_promise(*, acting_user, hearing, organisation, text, due_text="", language=None):
    """Record a promise made at the hearing, by whom; it can then become a promised disclosure.
    `language` is the one it was written in (else see `language_written`)."""
    _check_editable(acting_user, hearing)
    hearing = _locked(hearing)
    try:
        check_transition(hearing, "record_outcome", acting_user)
    except ValidationError:
        raise ValidationError(_("Promises are recorded for hearings that took place.")) from None
    if not (text or "").strip():
        raise ValidationError({"text": _("Write what was promised.")})
    promise = HearingPromise.objects.create(
        hearing=hearing,
        organisation=organisation,
        text=text.strip(),
        due_text=due_text,
        language=language or language_written(f"{text} {due_text}"),
        created_by=acting_user,
    )
    _log(hearing, HearingChange.Action.PROMISE_ADDED, acting_user, reason=text[:300])
    return promise


# --- Residents' input and the organiser's answers --------------------------------------------


def submit_comment(
    *,
    hearing,
    text,
    kind=HearingComment.Kind.QUESTION,
    author_name="",
    contact="",
    ip_hash="",
    language=None,
):
    """A resident sends a written comment or question while the comment period is open; it
    waits for a moderator before it shows. `language`: see `language_written`."""
    if not hearing.comments_open():
        raise ValidationError(_("Written comments on this hearing are not being accepted now."))
    comment = HearingComment(
        hearing=hearing,
        kind=kind,
        text=text,
        language=language or language_written(text),
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
    language=None,
):
    """The organiser enters a question or comment raised aloud at the hearing, with its answer.

    It comes from the protocol, so it needs no moderation. Both are in the protocol's
    `language` (else see `language_written`).
    """
    _check_editable(acting_user, hearing)
    check_transition(_locked(hearing), "record_outcome", acting_user)
    comment = HearingComment(
        hearing=hearing,
        kind=kind,
        source=HearingComment.Source.AT_HEARING,
        text=text,
        language=language or language_written(text),
        author_name=author_name,
        answer=answer,
        answer_language=language or language_written(answer) if answer else "",
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
def answer_comment(*, acting_user, comment, answer, outcome, reason="", language=None):
    """The organiser answers publicly and says how the comment was taken into account.

    A published answer is never overwritten silently: changing it is a correction with a reason,
    and the earlier answer stays in the comment's public history (`AnswerCorrection`).
    """
    _check_editable(acting_user, comment.hearing)
    comment = HearingComment.objects.select_for_update().get(pk=comment.pk)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    if comment.moderation_status == HearingComment.Moderation.REJECTED:
        raise ValidationError(_("A rejected comment cannot be answered."))
    answer = answer.strip()
    previous_answer, previous_outcome = comment.answer, comment.outcome
    correcting = bool(previous_answer)
    if correcting and (answer, outcome) == (previous_answer, previous_outcome):
        return comment
    reason = (reason or "").strip()
    if correcting and not reason:
        raise ValidationError(
            {"reason": _("Say why you correct a published answer: residents will see it.")}
        )
    comment.answer = answer
    comment.answer_language = language or language_written(answer)
    comment.outcome = outcome
    comment.answered_by = acting_user
    comment.answered_at = timezone.now()
    comment.full_clean()
    drop_versions(comment, ["answer"])
    comment.save(
        update_fields=[
            "answer", "answer_language", "outcome", "answered_by", "answered_at", "translations"
        ]
    )  # fmt: skip
    notifications.queue_resident_notice(comment, comment.hearing.get_absolute_url())
    if correcting:
        AnswerCorrection.objects.create(
            comment=comment,
            old_answer=previous_answer,
            old_outcome=previous_outcome,
            reason=reason,
            acting_user=acting_user,
            by_staff=acting_user.is_staff,
        )
    return comment


@transaction.atomic
def moderate(*, acting_user, item, approve, reason=""):
    """Staff approve or reject a comment or a 'learned of' report (see core.services); a
    resident who left an e-mail address with a comment hears when it is published."""
    item = moderate_input(acting_user=acting_user, item=item, approve=approve, reason=reason)
    if isinstance(item, HearingComment):
        notifications.queue_resident_notice(item, item.hearing.get_absolute_url())
    return item


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
def subscribe(*, email, place, language="kk", ip_hash="", next_path=""):
    """Start a subscription and queue the confirmation e-mail (double opt-in).

    Asking again for an address already subscribed sends nothing new; one that unsubscribed gets
    a fresh confirmation. `next_path` (a checked path on this site) is where the confirmed page
    leads back to: the hearing or place the resident subscribed from.
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
    notifications.queue_confirmation(subscription, next_path=next_path)
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


# --- The legal review of the clock's rules -------------------------------------------------------

VERIFICATION_RECORD = (
    "number",
    "source_document",
    "source_document_kk",
    "source_document_ru",
    "source_article",
    "source_edition",
    "source_url",
    "source_text_kk",
    "source_text_ru",
)


def _check_legal_editor(acting_user):
    if not (acting_user and acting_user.has_perm("hearings.review_legal_rules")):
        raise PermissionDenied


def _rule_record(rule):
    fields = (*VERIFICATION_RECORD, "verified", "verified_on", "verified_by_id")
    return {
        name: str(value) if value is not None else None
        for name, value in ((name, getattr(rule, name)) for name in fields)
    }


@transaction.atomic
def verify_rule(*, acting_user, rule, reason, today=None, **record):
    """A legal editor read the rule in the official text: record (or correct) its number, the
    act, edition in force, article or paragraph, the words in Kazakh and Russian and the
    official link; from now on the rule binds (`Rule.binds`). Needs the whole record and a
    reason; logged publicly."""
    _check_legal_editor(acting_user)
    reason = _require_reason(reason)
    unknown = set(record) - set(VERIFICATION_RECORD)
    if unknown:
        raise TypeError(f"not part of a rule's verification record: {sorted(unknown)}")
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = _rule_record(rule)
    for name, value in record.items():
        setattr(rule, name, value.strip() if isinstance(value, str) else value)
    missing = [
        name
        for name in (
            "source_article",
            "source_edition",
            "source_url",
            "source_text_kk",
            "source_text_ru",
        )
        if not getattr(rule, name)
    ]
    if rule.source_document == NO_SOURCE or not rule.source_document:
        missing.insert(0, "source_document")
    if missing:
        raise ValidationError(
            {
                name: _("A rule is verified only with its whole source: give this.")
                for name in missing
            }
        )
    rule.verified = True
    rule.verified_on = today or timezone.localdate()
    rule.verified_by = acting_user
    rule.full_clean()
    rule.save()
    RuleChange.objects.create(
        rule=rule, action=RuleChange.Action.VERIFIED, by=acting_user, reason=reason, before=before
    )
    return rule


@transaction.atomic
def withdraw_rule_verification(*, acting_user, rule, reason):
    """The rule no longer binds (a wrong reading, a new edition): it becomes guidance again."""
    _check_legal_editor(acting_user)
    reason = _require_reason(reason)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = _rule_record(rule)
    rule.verified = False
    rule.verified_on = None
    rule.verified_by = None
    rule.save(update_fields=["verified", "verified_on", "verified_by"])
    RuleChange.objects.create(
        rule=rule, action=RuleChange.Action.WITHDRAWN, by=acting_user, reason=reason, before=before
    )
    return rule
