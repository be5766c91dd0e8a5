"""Writes on disclosures: atomic, permission-checked, logged where residents rely on them.

Every function takes `acting_user` and checks it against the querysets' rules itself, so a view
that forgot a check still cannot write what the user may not. After publication nothing changes
without a `Revision` row: the public change log is built from those rows.
"""

import copy
import csv
import io
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core.changelog import changed_labels, diff, field_code
from core.lifecycle import REASON, check_transition, require
from core.opendata import csv_value, record_takedown
from core.services import lock_for_write, locked_part, moderate_input, save_versioned
from core.text import clean_text
from core.translation import (
    add_version,
    drop_versions,
    language_written,
    page_language,
    script_language,
)
from core.validators import EARLIEST_YEAR, LATEST_YEAR, check_list_size, validate_pdf
from disclosures import export, images
from disclosures.models import (
    AnswerCorrection,
    Basis,
    Category,
    Confirmation,
    Disclosure,
    Document,
    Photo,
    Question,
    RecipientRole,
    ResidentFeedback,
    Revision,
    Status,
    StatusChange,
    ValueForm,
    today,
)
from hearings import notifications
from projects.models import Currency, Organisation, Place, Project

logger = logging.getLogger(__name__)


# --- Helpers shared by the writes ----------------------------------------------------------


def _check_organisation(acting_user, organisation):
    if not Organisation.objects.of_user(acting_user).filter(pk=organisation.pk).exists():
        raise PermissionDenied


def _check_editable(acting_user, disclosure):
    if not disclosure.is_editable_by(acting_user):
        raise PermissionDenied


def _check_settlements(disclosure, settlements):
    if not settlements:
        raise ValidationError({"settlements": _("Give at least one settlement that benefits.")})
    for place in settlements:
        if place.level != Place.Level.SETTLEMENT:
            raise ValidationError(
                {"settlements": _("%(place)s is not a settlement.") % {"place": place}}
            )
    organisation = disclosure.organisation
    if organisation.is_akimat:
        outside = [p for p in settlements if not organisation.covers(p)]
        if outside:
            raise ValidationError(
                {
                    "settlements": _("%(place)s is outside your akimat's jurisdiction.")
                    % {"place": outside[0]}
                }
            )


def _snapshot(disclosure, settlements):
    """The tracked fields as codes (`core.changelog`): words are chosen when the log is read,
    in the reader's language."""
    values = {
        name: field_code(disclosure, name, money={"amount": "currency"})
        for name in Disclosure.TRACKED_FIELDS
    }
    values["settlements"] = ", ".join(sorted(str(p.kato_code) for p in settlements))
    return values


def _log(disclosure, action, acting_user, changes=(), reason=""):
    """A row of the change log. A moderator's step is the moderators', never the company's."""
    by_staff = bool(acting_user and acting_user.is_staff)
    return Revision.objects.create(
        disclosure=disclosure,
        action=action,
        changes=list(changes),
        reason=reason,
        reason_language=language_written(reason) if reason else "",
        acting_user=acting_user,
        acting_organisation=None if by_staff else disclosure.organisation,
        by_staff=by_staff,
        version=disclosure.version,
        after_publication=disclosure.published_at is not None,
    )


def _status_date(disclosure):
    if disclosure.status == Status.DELIVERED and disclosure.delivered_date:
        return disclosure.delivered_date
    return today()


def _locked(disclosure, expected_version=None):
    """The disclosure's row, locked and checked against the form's version
    (`core.services.lock_for_write`); a refusal names the fields changed since."""
    return lock_for_write(
        disclosure,
        expected_version,
        refusal=lambda locked: _(
            "Someone else changed this disclosure after you opened the form, so your changes "
            "were not saved. Open it again to see the current values, then make your change."
        ),
        changed_since=lambda locked, seen: changed_labels(
            locked.revisions.filter(version__gt=seen)
        ),
    )


def _save(locked, fields, caller=None):
    """Save only `fields` (and the version) of the locked row; the caller's copy follows."""
    save_versioned(locked, fields)
    if caller is not None and caller is not locked:
        for field_ in Disclosure._meta.concrete_fields:
            setattr(caller, field_.attname, getattr(locked, field_.attname))
    return locked


# Fields an edit (or a correction) may change. The status is not among them: only the steps of
# `Disclosure.TRANSITIONS` move it. The delivered date and the cancel reason belong to their
# states and are corrected only in them.
def _editable_fields(stored):
    names = [name for name in Disclosure.TRACKED_FIELDS if name != "status"]
    if stored.status != Status.DELIVERED:
        names.remove("delivered_date")
    if stored.status != Status.CANCELLED:
        names.remove("cancel_reason")
    return [Disclosure._meta.get_field(name).attname for name in names]


# --- Create, correct, publish, withdraw, hide -------------------------------------------------


@transaction.atomic
def create_disclosure(*, acting_user, disclosure, settlements):
    """A member of the organisation records a contribution or promise, as a draft.

    Its starting status is chosen freely (a contribution may be recorded once delivered);
    after that only the lifecycle's steps move it.
    """
    _check_organisation(acting_user, disclosure.organisation)
    disclosure.created_by = acting_user
    disclosure.published_at = None
    disclosure.clear_fields_of_other_states()
    disclosure.language = disclosure.language or language_written(disclosure.written_text())
    disclosure.full_clean()
    _check_settlements(disclosure, settlements)
    disclosure.save()
    disclosure.settlements.set(settlements)
    StatusChange.objects.create(
        disclosure=disclosure,
        status=disclosure.status,
        date=_status_date(disclosure),
        recorded_by=acting_user,
    )
    _log(disclosure, Revision.Action.CREATED, acting_user)
    return disclosure


@transaction.atomic
def update_disclosure(*, acting_user, disclosure, settlements, reason="", expected_version=None):
    """Save an edit; after publication a reason is required and every changed field is logged.

    `disclosure` carries the form's values; only the fields an edit owns are copied onto the
    locked row and saved, so a stale form can never put back a status, a publication or a
    hiding. `expected_version` is the version the form was opened at (see `_locked`).
    """
    _check_editable(acting_user, disclosure)
    locked = _locked(disclosure, expected_version)
    transition = check_transition(locked, "edit", acting_user)
    stored_settlements = list(locked.settlements.all())
    # A language not given (a row stored before languages were, an edit that leaves it out)
    # is the one the text suggests, before and after: filling it in alone is no correction.
    locked.language = locked.language or language_written(locked.written_text())
    before = _snapshot(locked, stored_settlements)
    fields = _editable_fields(locked)
    for attname in fields:
        setattr(locked, attname, getattr(disclosure, attname))
    locked.language = locked.language or language_written(locked.written_text())
    locked.full_clean()
    _check_settlements(locked, settlements)
    changes = diff(before, _snapshot(locked, settlements))
    if not changes:
        return locked
    reason = (reason or "").strip()
    if REASON in transition.requires and not reason:
        raise ValidationError({"reason": _("Say why you correct a published disclosure.")})
    _save(locked, fields, caller=disclosure)
    if {p.pk for p in stored_settlements} != {p.pk for p in settlements}:
        locked.settlements.set(settlements)
    # A corrected text's added translations translate what is no longer shown.
    if drop_versions(locked, [c["field"] for c in changes]):
        _save(locked, ["translations"], caller=disclosure)
    _log(locked, Revision.Action.EDITED, acting_user, changes, reason)
    return locked


STEP_FOR_STATUS = {
    Status.IN_PROGRESS: "start",
    Status.DELIVERED: "deliver",
    Status.CANCELLED: "cancel",
}


@transaction.atomic
def change_status(
    *,
    acting_user,
    disclosure,
    status,
    date=None,
    note="",
    cancel_reason="",
    reason="",
    expected_version=None,
):
    """Take one step of the status lifecycle: started, delivered (dated) or cancelled (with a
    reason). Delivered and cancelled are final; nothing goes back to "promised"."""
    _check_editable(acting_user, disclosure)
    locked = _locked(disclosure, expected_version)
    transition = check_transition(locked, STEP_FOR_STATUS.get(status, "promise"), acting_user)
    date = date or today()
    cancel_reason = (cancel_reason or note or reason or "").strip()
    require(transition, reason=cancel_reason, date=date, today=today())
    settlements = list(locked.settlements.all())
    before = _snapshot(locked, settlements)
    locked.status = transition.target
    if locked.status == Status.DELIVERED:
        locked.delivered_date = date
    if locked.status == Status.CANCELLED:
        locked.cancel_reason = cancel_reason[:500]
        locked.cancel_reason_language = language_written(cancel_reason)
    locked.clear_fields_of_other_states()
    locked.full_clean()
    changes = diff(before, _snapshot(locked, settlements))
    fields = ["status", "delivered_date", "cancel_reason", "cancel_reason_language"]
    _save(locked, fields, caller=disclosure)
    StatusChange.objects.create(
        disclosure=locked,
        status=locked.status,
        date=date,
        note=note,
        note_language=language_written(note) if note else "",
        recorded_by=acting_user,
    )
    _log(locked, Revision.Action.STATUS, acting_user, changes, reason or note)
    return locked


@transaction.atomic
def publish_disclosure(*, acting_user, disclosure, expected_version=None):
    """Make a draft public."""
    _check_editable(acting_user, disclosure)
    locked = _locked(disclosure, expected_version)
    check_transition(locked, "publish", acting_user)
    locked.full_clean()
    if not locked.settlements.exists():
        raise ValidationError(_("Give at least one settlement that benefits."))
    locked.published_at = timezone.now()
    _save(locked, ["published_at"], caller=disclosure)
    _log(locked, Revision.Action.PUBLISHED, acting_user)
    return locked


@transaction.atomic
def withdraw_disclosure(*, acting_user, disclosure, reason, expected_version=None):
    """Withdraw a published disclosure; it stays visible, marked withdrawn, with the reason."""
    _check_editable(acting_user, disclosure)
    locked = _locked(disclosure, expected_version)
    transition = check_transition(locked, "withdraw", acting_user)
    reason = require(transition, reason=reason)
    locked.withdrawn_at = timezone.now()
    locked.withdrawal_reason = reason[:500]
    locked.withdrawal_reason_language = language_written(reason)
    _save(
        locked,
        ["withdrawn_at", "withdrawal_reason", "withdrawal_reason_language"],
        caller=disclosure,
    )
    _log(locked, Revision.Action.WITHDRAWN, acting_user, reason=reason)
    # Still public, marked; the downloads that show it in force are withheld until rebuilt.
    record_takedown()
    return locked


@transaction.atomic
def hide_disclosure(*, acting_user, disclosure, reason, hide=True, expected_version=None):
    """Staff only: hide a disclosure for legal reasons (`hide=False`: show it again).

    Each is its own step with its own reason, so submitting "hide" twice never shows it again.
    Logged as the moderators', never as the company's.
    """
    locked = _locked(disclosure, expected_version)
    transition = check_transition(locked, "hide" if hide else "unhide", acting_user)
    reason = require(transition, reason=reason)
    if hide:
        locked.hidden_at = timezone.now()
        locked.hidden_reason = reason[:500]
        locked.hidden_by = acting_user
    else:
        locked.hidden_at = None
        locked.hidden_reason = ""
        locked.hidden_by = None
    _save(locked, ["hidden_at", "hidden_reason", "hidden_by"], caller=disclosure)
    revision = _log(
        locked, Revision.Action.HIDDEN if hide else Revision.Action.UNHIDDEN, acting_user,
        reason=reason,
    )  # fmt: skip
    logger.warning(
        "Disclosure %s %s by staff user %s: %s",
        locked.pk,
        "hidden" if hide else "shown again",
        acting_user.pk,
        reason,
    )
    return revision


def unhide_disclosure(*, acting_user, disclosure, reason, expected_version=None):
    """Staff only: show a hidden disclosure again, with a reason."""
    return hide_disclosure(
        acting_user=acting_user,
        disclosure=disclosure,
        reason=reason,
        hide=False,
        expected_version=expected_version,
    )


# --- Translations added later ----------------------------------------------------------


@transaction.atomic
def add_translation(*, acting_user, record, field, language, text):
    """Add the `language` version of a text typed in one language (`TRANSLATABLE`): of the
    contribution, of its photo's description or document's title, or of its company's answer
    to a question. Whoever may correct the contribution may; the original never changes
    (`core.translation.add_version`), and the step is in the change log."""
    disclosure = record if isinstance(record, Disclosure) else record.disclosure
    _check_editable(acting_user, disclosure)
    locked = _locked(disclosure)
    target = locked_part(record, locked, "disclosure")
    change = add_version(target, field, language, text)
    if target is not locked:
        target.save(update_fields=["translations"])
    _save(locked, ["translations"] if target is locked else [], caller=disclosure)
    record.translations = target.translations
    _log(locked, Revision.Action.TRANSLATED, acting_user, [change])
    return target


# --- Evidence ---------------------------------------------------------------------------


@transaction.atomic
def add_photo(*, acting_user, disclosure, upload, alt_text, language=None):
    """Attach a photo: checked and stripped of metadata by `images`, at most 20 per disclosure.
    `language` is the description's (else see `language_written`)."""
    _check_editable(acting_user, disclosure)
    if not (alt_text or "").strip():
        raise ValidationError({"alt_text": _("Describe what the photo shows.")})
    locked = _locked(disclosure)
    check_transition(locked, "add_evidence", acting_user)
    if locked.photos.count() >= images.MAX_PHOTOS_PER_DISCLOSURE:
        raise ValidationError(
            _("A disclosure can have at most %(limit)s photos.")
            % {"limit": images.MAX_PHOTOS_PER_DISCLOSURE}
        )
    processed = images.process_image(upload)
    photo = Photo(
        disclosure=locked,
        alt_text=alt_text.strip(),
        language=language or language_written(alt_text),
        width=processed.width,
        height=processed.height,
        uploaded_by=acting_user,
    )
    photo.image.save(processed.web.name, processed.web, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    photo.save()
    if locked.published_at:
        _log(
            locked,
            Revision.Action.EVIDENCE,
            acting_user,
            [{"field": "photo", "old": "", "new": photo.alt_text}],
        )
    return photo


def _pdf_content(upload):
    validate_pdf(upload)
    upload.seek(0)
    return ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.pdf")


@transaction.atomic
def add_document(
    *, acting_user, disclosure, upload, title, kind=Document.Kind.OTHER, language=None
):
    """Attach a PDF (recognised by content, at most 20 MB), stored under a random name.
    `language` is the title's (else see `language_written`)."""
    _check_editable(acting_user, disclosure)
    locked = _locked(disclosure)
    check_transition(locked, "add_evidence", acting_user)
    content = _pdf_content(upload)
    document = Document(
        disclosure=locked,
        title=title,
        language=language or language_written(title),
        kind=kind,
        uploaded_by=acting_user,
    )
    document.file.save(content.name, content, save=False)
    document.full_clean()
    document.save()
    if locked.published_at:
        _log(
            locked,
            Revision.Action.EVIDENCE,
            acting_user,
            [{"field": "document", "old": "", "new": title}],
        )
    return document


# --- The akimat's word ----------------------------------------------------------------------


@transaction.atomic
def confirm_disclosure(
    *, acting_user, disclosure, akimat, confirmed, date=None, note="", document=None, language=None
):
    """An akimat whose jurisdiction covers one of the settlements confirms, or cannot confirm.
    `language` is the note's (else see `language_written`)."""
    if not akimat.is_akimat:
        raise PermissionDenied
    _check_organisation(acting_user, akimat)
    if not Disclosure.objects.confirmable_by(acting_user).filter(pk=disclosure.pk).exists():
        raise PermissionDenied
    if not any(akimat.covers(place) for place in disclosure.settlements.all()):
        raise PermissionDenied
    verdict = Confirmation.Verdict.CONFIRMED if confirmed else Confirmation.Verdict.CANNOT_CONFIRM
    # The akimat's word counts once: the same verdict again is refused (it may change its word).
    # The record's row is locked so that two submissions at once cannot both pass the check.
    Disclosure.objects.select_for_update().filter(pk=disclosure.pk).first()
    latest = (
        Confirmation.objects.filter(disclosure=disclosure, akimat=akimat)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is not None and latest.verdict == verdict:
        raise ValidationError(
            _("Your akimat has already given this word on this contribution."), code="repeated"
        )
    confirmation = Confirmation(
        disclosure=disclosure,
        akimat=akimat,
        verdict=verdict,
        date=date or today(),
        note=(note or "").strip(),
        language=language or language_written(note),
        created_by=acting_user,
    )
    if not confirmed and not confirmation.note:
        raise ValidationError({"note": _("Say why the akimat cannot confirm it.")})
    if confirmation.date > today():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if document:
        content = _pdf_content(document)
        confirmation.document.save(content.name, content, save=False)
    confirmation.full_clean()
    confirmation.save()
    return confirmation


# --- Residents' word -------------------------------------------------------------------------


def _check_public(disclosure):
    if not Disclosure.objects.in_force().filter(pk=disclosure.pk).exists():
        raise PermissionDenied


@transaction.atomic
def submit_feedback(
    *,
    disclosure,
    kind,
    comment="",
    photo=None,
    photo_alt="",
    author_name="",
    contact="",
    ip_hash="",
    language=None,
):
    """A resident's "I saw this" or "this is not what was done"; waits for moderation.
    `language` is the comment's (else see `language_written`)."""
    _check_public(disclosure)
    item = ResidentFeedback(
        disclosure=disclosure,
        kind=kind,
        comment=comment,
        photo_alt=photo_alt.strip(),
        language=language or language_written(f"{comment} {photo_alt}"),
        author_name=author_name,
        contact=contact,
        ip_hash=ip_hash,
    )
    if photo:
        if not item.photo_alt:
            raise ValidationError({"photo_alt": _("Describe what the photo shows.")})
        processed = images.process_image(photo)
        item.photo.save(processed.web.name, processed.web, save=False)
        item.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def ask_question(*, disclosure, text, author_name="", contact="", ip_hash="", language=None):
    """A resident asks the organisation; shown with the answer once a moderator approves it.
    `language` is the question's (else see `language_written`)."""
    _check_public(disclosure)
    question = Question(
        disclosure=disclosure,
        text=text,
        language=language or language_written(text),
        author_name=author_name,
        contact=contact,
        ip_hash=ip_hash,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def moderate(*, acting_user, item, approve, reason=""):
    """Staff approve or reject a resident's question or word (`core.services.moderate_input`);
    a resident who left an e-mail address hears when it is published."""
    item = moderate_input(acting_user=acting_user, item=item, approve=approve, reason=reason)
    notifications.queue_resident_notice(item, item.disclosure.get_absolute_url())
    return item


@transaction.atomic
def answer_question(*, acting_user, question, answer, reason="", language=None):
    """The organisation answers a question on its disclosure; the answer is public.

    A published answer is never overwritten silently: changing it is a correction with a reason,
    and the earlier answer stays in the question's public history (`AnswerCorrection`).
    """
    _check_editable(acting_user, question.disclosure)
    question = Question.objects.select_for_update().get(pk=question.pk)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    previous = question.answer
    if previous and answer == previous:
        return question
    reason = (reason or "").strip()
    if previous and not reason:
        raise ValidationError(
            {"reason": _("Say why you correct a published answer: residents will see it.")}
        )
    question.answer = answer
    question.answer_language = language or language_written(answer)
    question.answered_at = timezone.now()
    question.answered_by = acting_user
    drop_versions(question, ["answer"])
    question.save(
        update_fields=["answer", "answer_language", "answered_at", "answered_by", "translations"]
    )
    notifications.queue_resident_notice(question, question.disclosure.get_absolute_url())
    if previous:
        AnswerCorrection.objects.create(
            question=question, old_answer=previous, reason=reason[:500], acting_user=acting_user
        )
    return question


# --- From a public hearing --------------------------------------------------------------


def _promised_disclosure(promise, **fields):
    """The promised disclosure, unsaved, that a promise made at a hearing becomes: the promise's
    text in its language, the hearing as its basis, and the hearing's project unless the company
    that promised does not run it."""
    hearing = promise.hearing
    text = promise.text.strip()
    # Its stored language; for a promise stored without one, the letters' (Cyrillic without a
    # Kazakh letter: Russian, as a title in the Kazakh column would be the worse mistake).
    language = promise.language or script_language(text) or page_language()
    disclosure = Disclosure(
        organisation=promise.organisation,
        project=hearing.project if hearing.project_id else None,
        status=Status.PROMISED,
        basis=Basis.HEARING,
        basis_reference=Disclosure.hearing_reference(hearing, language),
        language=language,
        hearing=hearing,
        hearing_promise=promise,
        **fields,
    )
    setattr(disclosure, f"title_{language}", text if len(text) <= 255 else text[:254] + "…")
    setattr(disclosure, f"description_{language}", text)
    if promise.organisation.is_company and disclosure.project:
        own_projects = Project.objects.of_organisations([promise.organisation_id])
        if not own_projects.filter(pk=disclosure.project_id).exists():
            disclosure.project = None
    return disclosure


@transaction.atomic
def record_promise_from_hearing(
    *,
    acting_user,
    promise,
    due_date,
    category=Category.OTHER,
    settlements=None,
    amount=None,
    currency=Currency.KZT,
    publish=False,
):
    """Create a promised disclosure from a promise made at a public hearing.

    The disclosure belongs to the promise's organisation (`acting_user` must be its member),
    has the hearing as its basis and links both the hearing and the promise. Settlements default
    to the settlements of the hearing's territory, else the project's main settlement.
    """
    hearing = promise.hearing
    if settlements is None:
        settlements = list(hearing.territory.settlements())
        if not settlements and hearing.project_id:
            settlements = [hearing.project.primary_settlement]
    disclosure = _promised_disclosure(
        promise, category=category, due_date=due_date, amount=amount, currency=currency
    )
    create_disclosure(acting_user=acting_user, disclosure=disclosure, settlements=settlements)
    if publish:
        publish_disclosure(acting_user=acting_user, disclosure=disclosure)
    return disclosure


# --- Bulk upload from CSV ---------------------------------------------------------------------

# The template's columns are the export's writable ones (disclosures/export.py), so an export
# can be uploaded again as it is: its other columns (the page, the organisation, the akimat's
# verdict...) are read-only and ignored; `id` says which record a row corrects and `reason` why.
CSV_COLUMNS = export.WRITABLE
REASON_COLUMNS = ("reason", "correction_reason")
KNOWN_COLUMNS = {*export.FIELDS, "version", *REASON_COLUMNS}
CSV_EXAMPLE = {
    "title_kk": "Мектеп шатырын жөндеу",
    "title_ru": "Ремонт крыши школы",
    "title_en": "School roof repair",
    "category": Category.EDUCATION,
    "settlements": "596036500",
    "recipient_name": "Ilyichevka secondary school",
    "recipient_role": RecipientRole.SCHOOL,
    "status": Status.DELIVERED,
    "delivered_date": "2025-08-20",
    "amount": "12500000",
    "currency": Currency.KZT,
    "value_form": ValueForm.IN_KIND,
    "in_kind_description": "roofing works on the school building",
    "is_estimate": "no",
    "basis": Basis.VOLUNTARY,
    "reporting_year": "2025",
    "beneficiaries_count": "240",
    "beneficiaries_description": "pupils and teachers",
}
MAX_CSV_ROWS = 1000
MAX_CSV_BYTES = 2 * 1024 * 1024


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    corrected: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)  # row numbers
    errors: list = field(default_factory=list)  # (row number, column, message)

    @property
    def ok(self):
        return not self.errors


def _parse_bool(value):
    value = value.strip().lower()
    if value in ("", "no", "false", "0", "жоқ", "нет"):
        return False
    if value in ("yes", "true", "1", "иә", "да"):
        return True
    raise ValueError


def read_csv_upload(upload):
    """(text, None) for an uploaded CSV file, or (None, message) saying what is wrong with it.

    UTF-8 with or without a byte-order mark is read. Excel's plain "CSV" in a Russian or Kazakh
    Windows is Windows-1251, which is not UTF-8: that gets a message saying how to save it.
    """
    if upload.size > MAX_CSV_BYTES:
        return None, _("The file is too large: at most 2 MB.")
    data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _(
            "The file is not in UTF-8. Excel's plain “CSV” is saved in Windows-1251: in Excel "
            "choose File → Save As → “CSV UTF-8 (comma delimited)” and upload that file."
        )
    if "\x00" in text:
        return None, _("The file contains NUL characters: save it again as CSV (UTF-8).")
    return text, None


def _delimiter(text):
    """';' for files from Excel in a Russian or Kazakh locale, else ','; read off the header."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def import_csv(*, acting_user, organisation, upload=None, text=None, apply=True):
    """Create drafts and correct the organisation's own records from a CSV file: all or none.

    A row without an `id` is a new record (a draft). A row with the `id` of one of the
    organisation's records corrects it through `update_disclosure` (a published one needs a
    `reason`); a row that changes nothing is counted as unchanged. Every row is validated (the
    same model validation as the form); errors come back as (row, column, message) with row 2
    being the first data row, as spreadsheets count. With `apply=False` the whole import runs
    and is rolled back: the preview shows exactly what applying would do.
    """
    _check_organisation(acting_user, organisation)
    result = ImportResult()
    if text is None:
        text, problem = read_csv_upload(upload)
        if problem:
            result.errors.append((0, "", problem))
            return result
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        with transaction.atomic():
            _import_rows(acting_user, organisation, reader, result)
            if result.errors or not apply:
                transaction.set_rollback(True)
    except csv.Error:
        # A cell over the csv module's 128 KB limit, or a broken quote: name the line.
        result.errors.append(
            (reader.line_num, "", _("This line cannot be read as CSV (a cell too long?).")),
        )
    return result


MAX_CSV_CELL = 128 * 1024  # the csv module's default field size limit


def _import_rows(acting_user, organisation, reader, result):
    columns = [c for c in (reader.fieldnames or []) if c]
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        result.errors.append((1, ", ".join(unknown), _("Unknown columns; use the template.")))
        return
    missing = [c for c in ("category", "settlements", "status") if c not in columns]
    if missing and "id" not in columns:
        result.errors.append(
            (1, ", ".join(missing), _("These columns are missing; use the template."))
        )
        return
    projects = {p.slug: p for p in Project.objects.of_organisations([organisation])}
    rows = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            result.errors.append((number, "", _("At most 1000 rows per file.")))
            break
        # Our own limit, whatever the csv module's process-wide one is (a library may raise it).
        if any(len(value) > MAX_CSV_CELL for value in row.values() if isinstance(value, str)):
            raise csv.Error("cell over MAX_CSV_CELL")
        # The spreadsheet's escape comes off first, then the text rule (line breaks kept here;
        # the model's clean() keeps them only in multi-line fields, as for every write).
        row = {
            key: clean_text(csv_value(value or ""), multiline=True)
            for key, value in row.items()
            if key and isinstance(value, str | None)
        }
        if any(row.values()):
            rows.append((number, row))
    if not rows and not result.errors:
        result.errors.append((2, "", _("The file has no rows.")))
    own = _own_records(organisation, rows, result)
    for number, row in rows:
        if row.get("id"):
            _correct_row(acting_user, organisation, projects, own, number, row, result)
        else:
            _create_row(acting_user, organisation, projects, number, row, result)


def _own_records(organisation, rows, result):
    """{id: disclosure} of the organisation's records the rows name; other ids are refused."""
    ids = {}
    for number, row in rows:
        if not row.get("id"):
            continue
        if not row["id"].isdigit() or len(row["id"]) > 12:
            result.errors.append((number, "id", _("The id must be a record's number.")))
            continue
        ids[number] = int(row["id"])
    own = Disclosure.objects.filter(organisation=organisation, pk__in=ids.values())
    own = {d.pk: d for d in own.select_for_update()}
    existing = set(Disclosure.objects.filter(pk__in=ids.values()).values_list("pk", flat=True))
    for number, pk in ids.items():
        if pk in own:
            continue
        if pk in existing:
            message = _(
                "Record %(id)s belongs to another organisation: it cannot be changed from this "
                "file."
            )
        else:
            message = _("No disclosure has the id %(id)s.")
        result.errors.append((number, "id", message % {"id": pk}))
        row = dict(rows)[number]
        row["id"] = ""  # reported; not to be created as a new record either
        row["_refused"] = True
    return own


def _record_errors(result, number, error):
    """A service's ValidationError as (row, column, message) lines."""
    if not hasattr(error, "error_dict"):
        result.errors.extend((number, "", message) for message in error.messages)
        return
    for column, messages in error.message_dict.items():
        column = "" if column == "__all__" else column
        result.errors.extend((number, column, message) for message in messages)


def _create_row(acting_user, organisation, projects, number, row, result):
    if row.get("_refused"):
        return
    disclosure, settlements, errors = _row_to_disclosure(row, organisation, projects)
    result.errors.extend((number, column, message) for column, message in errors)
    if errors:
        return
    try:
        result.created.append(
            create_disclosure(
                acting_user=acting_user, disclosure=disclosure, settlements=settlements
            )
        )
    except ValidationError as error:
        _record_errors(result, number, error)


def _changed_fields(stored, stored_settlements, candidate, settlements):
    """The fields an edit may change (and the settlements) that the row changes."""
    editable = set(_editable_fields(stored))
    before, after = _snapshot(stored, stored_settlements), _snapshot(candidate, settlements)
    return [
        name
        for name in after
        if before[name] != after[name]
        and (name == "settlements" or Disclosure._meta.get_field(name).attname in editable)
    ]


def _correct_row(acting_user, organisation, projects, own, number, row, result):
    stored = own[int(row["id"])]
    stored_settlements = list(stored.settlements.all())
    candidate, settlements, errors = _row_to_disclosure(
        row, organisation, projects, base=stored, base_settlements=stored_settlements
    )
    result.errors.extend((number, column, message) for column, message in errors)
    if errors:
        return
    if candidate.status != stored.status:
        result.errors.append(
            (
                number,
                "status",
                _("A status changes with the steps on the record's page, not from a file."),
            )
        )
        return
    if not _changed_fields(stored, stored_settlements, candidate, settlements):
        result.unchanged.append(number)
        return
    if stored.is_withdrawn():
        result.errors.append((number, "id", _("A withdrawn disclosure cannot be changed.")))
        return
    reason = next((row[c] for c in REASON_COLUMNS if row.get(c)), "")
    if stored.published_at and not reason:
        result.errors.append((number, "reason", _("Say why you correct a published disclosure.")))
        return
    version = row.get("version", "")
    try:
        corrected = update_disclosure(
            acting_user=acting_user,
            disclosure=candidate,
            settlements=settlements,
            reason=reason,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as error:
        _record_errors(result, number, error)
        return
    # What the change log says, read now: a preview's rows are rolled back afterwards.
    revision = corrected.revisions.order_by("-pk").first()
    corrected.import_changes = [
        (str(label), old, new) for label, old, new in revision.change_rows()
    ]
    result.corrected.append(corrected)


TEXT_COLUMNS = (
    "title_kk",
    "title_ru",
    "title_en",
    "description_kk",
    "description_ru",
    "description_en",
    "recipient_name",
    "recipient_role",
    "cancel_reason",
    "in_kind_description",
    "basis_reference",
    "beneficiaries_description",
    "language",
)
CODE_DEFAULTS = (
    ("category", ""),
    ("status", ""),
    ("currency", Currency.KZT),
    ("value_form", ValueForm.IN_KIND),
    ("basis", Basis.VOLUNTARY),
)


def _row_to_disclosure(row, organisation, projects, base=None, base_settlements=None):
    """A disclosure with the row's values: a new one, or a copy of `base` with the columns the
    row has (a column left out of the file keeps the stored value)."""
    errors = []
    if base is None:
        disclosure = Disclosure(organisation=organisation)
        given = lambda name: True  # noqa: E731 - a new record takes every column or its default
    else:
        disclosure = copy.copy(base)
        given = row.__contains__
    for name in TEXT_COLUMNS:
        if given(name):
            setattr(disclosure, name, row.get(name, ""))
    for name, default in CODE_DEFAULTS:
        if given(name):
            setattr(disclosure, name, row.get(name) or default)
    for name in ("due_date", "delivered_date"):
        if given(name):
            setattr(disclosure, name, _row_date(name, row.get(name, ""), errors))
    _set_row_numbers(disclosure, row, given, errors)
    if given("project"):
        disclosure.project = None
        if row.get("project"):
            disclosure.project = projects.get(row["project"])
            if base is not None and base.project_id and base.project.slug == row["project"]:
                disclosure.project = base.project  # kept as it is, even if not one of yours
            if disclosure.project is None:
                errors.append(("project", _("No project of yours has this address (slug).")))
    if given("settlements"):
        settlements = _row_settlements(row, organisation, errors)
    else:
        settlements = list(base_settlements or [])
    failed_fields = {column for column, _message in errors}
    try:
        disclosure.full_clean(exclude=[f for f in failed_fields if f != "settlements"])
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            column = "title_ru" if column == "__all__" else column
            errors.extend((column, message) for message in messages)
    return disclosure, settlements, errors


def _row_date(name, value, errors):
    """The date written in `value` (None for an empty cell); None and an error if unreadable."""
    if not value:
        return None
    parsed = None
    try:
        parsed = parse_date(value)
    except ValueError:
        pass
    if parsed is None:
        errors.append((name, _("Write the date as YYYY-MM-DD, e.g. 2025-05-03.")))
    elif not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        errors.append(
            (
                name,
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            )
        )
        parsed = None
    return parsed


def _set_row_numbers(disclosure, row, given, errors):
    """The amount, the counts and the estimate flag, from the columns the row has."""
    if given("amount"):
        disclosure.amount = None
        if row.get("amount"):
            try:
                disclosure.amount = Decimal(row["amount"].replace(" ", "").replace(",", "."))
            except InvalidOperation:
                errors.append(("amount", _("Write the value as a number, e.g. 1800000.")))
    for name in ("beneficiaries_count", "reporting_year"):
        if given(name):
            setattr(disclosure, name, None)
            if row.get(name):
                try:
                    setattr(disclosure, name, int(row[name]))
                except ValueError:
                    errors.append((name, _("Write a whole number.")))
    if given("is_estimate"):
        try:
            disclosure.is_estimate = _parse_bool(row.get("is_estimate", ""))
        except ValueError:
            errors.append(("is_estimate", _("Write yes or no.")))


def _row_settlements(row, organisation, errors):
    codes = [code for code in row.get("settlements", "").replace(",", " ").split() if code]
    try:
        check_list_size(codes)
    except ValidationError as error:
        errors.extend(("settlements", message) for message in error.messages)
        return []
    places = {
        p.kato_code: p
        for p in Place.objects.filter(kato_code__in=[c for c in codes if c.isdigit()])
    }
    settlements = []
    if not codes:
        errors.append(("settlements", _("Give at least one settlement's KATO code.")))
    for code in codes:
        place = places.get(code)
        if place is None:
            errors.append(("settlements", _("No settlement has the KATO code %s.") % code))
        elif place.level != Place.Level.SETTLEMENT:
            errors.append(
                ("settlements", _("%s is a region or district, not a settlement.") % code)
            )
        elif organisation.is_akimat and not organisation.covers(place):
            errors.append(("settlements", _("%s is outside your akimat's jurisdiction.") % code))
        else:
            settlements.append(place)
    return settlements
