"""Writes every app shares: the locked and versioned write, unique slugs and moderators'
decisions on residents' input."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.search import fold


def lock_for_write(record, seen=None, *, refusal, changed_since, version=None):
    """`record`'s row, locked (`select_for_update`) until the transaction ends; refused when
    the form that sent the write was opened at another version than the row's.

    The one locked-and-versioned write: the services of disclosures, hearings and projects
    call it before changing a record, so two writers never interleave and a form opened before
    someone else's change never puts the old values back. `seen` is the version the form was
    opened at; None (scripts, the demo) locks without checking. `version(locked)` is the row's
    version now (default: its `version` field). A refusal is a ValidationError with code
    "stale" (the API answers 409): the sentence `refusal(locked)`, then the names of what
    changed since, `changed_since(locked, seen)`.
    """
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    current = locked.version if version is None else version(locked)
    if seen is None or int(seen) == current:
        return locked
    message = str(refusal(locked))
    if names := list(dict.fromkeys(str(name) for name in changed_since(locked, int(seen)))):
        message += " " + _("Changed meanwhile: %(fields)s.") % {"fields": ", ".join(names)}
    raise ValidationError(message, code="stale")


def save_versioned(locked, fields):
    """Save only `fields` of a row from `lock_for_write`, its version one higher."""
    locked.version += 1
    locked.save(update_fields=[*dict.fromkeys([*fields, "version", "updated_at"])])
    return locked


def locked_part(record, locked, parent):
    """`record` to write once its `parent` record's row is `locked`: that row when `record` is
    the parent, else `record`'s own row, locked, if it still belongs to it (a photo of the
    contribution, an answered question of the hearing)."""
    if type(record) is type(locked) and record.pk == locked.pk:
        return locked
    return type(record).objects.select_for_update().get(pk=record.pk, **{parent: locked})


def unique_slug(model, *names, fallback="item"):
    base = ""
    for name in names:
        base = slugify(name) or slugify(fold(name))
        if base:
            break
    base = (base or fallback)[:120]
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def moderate_input(*, acting_user, item, approve, reason=""):
    """A moderator (staff) approves or rejects a resident's submission; rejection needs a reason.

    Works for every `ResidentInput` subclass. The item is kept either way, so rejected items can
    be counted publicly.
    """
    if not acting_user.is_staff:
        raise PermissionDenied
    if not approve and not reason.strip():
        raise ValueError("a rejection needs a reason")
    item.moderation_status = item.Moderation.APPROVED if approve else item.Moderation.REJECTED
    item.rejection_reason = "" if approve else reason.strip()
    item.moderated_by = acting_user
    item.moderated_at = timezone.now()
    item.save(
        update_fields=["moderation_status", "rejection_reason", "moderated_by", "moderated_at"]
    )
    return item
