"""Who may see an uploaded file: the visibility of the record it belongs to.

Files are never served from a public folder. `/media/<name>` finds the record that holds `name`
and answers as its page would: a draft's photo, a hidden disclosure's evidence, a resident's photo
that is pending or rejected, a draft hearing's materials are a 404 for everyone who may not see
the record. A file everyone may see is `public` (cacheable); one seen only thanks to an account
(the organisation's editors, moderators) is `private` and never stored by a shared cache.

Lookups are by the exact stored name; a name no record holds is a 404, whatever is on disk.
"""

from django.db.models import Q

from disclosures.models import Confirmation, Document, Photo, ResidentFeedback
from hearings.models import Hearing, HearingDocument

PUBLIC = "public"
PRIVATE = "private"


def _record_visibility(user, record):
    """A disclosure's or a hearing's files are seen as the record is (`is_visible_to`)."""
    if record.is_published():
        return PUBLIC
    return PRIVATE if record.is_visible_to(user) else None


def _photo(user, name):
    photo = Photo.objects.select_related("disclosure").filter(Q(image=name) | Q(thumbnail=name))
    photo = photo.first()
    return photo and _record_visibility(user, photo.disclosure)


def _document(user, name):
    document = Document.objects.select_related("disclosure").filter(file=name).first()
    return document and _record_visibility(user, document.disclosure)


def _confirmation(user, name):
    confirmation = Confirmation.objects.select_related("disclosure").filter(document=name).first()
    return confirmation and _record_visibility(user, confirmation.disclosure)


def _resident_photo(user, name):
    item = (
        ResidentFeedback.objects.select_related("disclosure")
        .filter(Q(photo=name) | Q(thumbnail=name))
        .first()
    )
    if item is None:
        return None
    if item.moderation_status == ResidentFeedback.Moderation.APPROVED:
        visibility = _record_visibility(user, item.disclosure)
        if visibility:
            return visibility
    # Pending and rejected photos: moderators only.
    return PRIVATE if user.is_authenticated and user.is_staff else None


def _hearing_material(user, name):
    document = HearingDocument.objects.select_related("hearing").filter(file=name).first()
    return document and _record_visibility(user, document.hearing)


def _protocol(user, name):
    hearing = Hearing.objects.filter(protocol=name).first()
    return hearing and _record_visibility(user, hearing)


# Longest prefixes first: resident thumbnails live inside the residents' folder.
OWNERS = [
    ("disclosures/residents/", _resident_photo),
    ("disclosures/photos/", _photo),
    ("disclosures/thumbs/", _photo),
    ("disclosures/documents/", _document),
    ("disclosures/confirmations/", _confirmation),
    ("hearings/materials/", _hearing_material),
    ("hearings/protocols/", _protocol),
]


def visibility(user, name):
    """PUBLIC, PRIVATE or None (not found) for the stored file `name` and this user."""
    for prefix, lookup in OWNERS:
        if name.startswith(prefix):
            return lookup(user, name) or None
    return None
