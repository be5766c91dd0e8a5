"""Writes every app shares: unique slugs and moderators' decisions on residents' input."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.search import fold


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
