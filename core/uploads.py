"""Files of a refused form are kept, so that nobody has to choose the same photo twice.

A resident on a slow connection who sends a photo with an empty comment should not lose the
photo: the form comes back with the comment's error and "photo.jpg is kept — choose another file
to replace it". The file, which already passed its checks, waits in `KeptUpload` under a random
token that only the browser session which sent it may claim; on the resubmit it goes through the
same field checks again (size, format, pixels) and is used as if it had just been uploaded.

A view calls `restore` before validating, `keep` when the form is refused and `release` after a
successful save (the kept files the form used are deleted). A form refused before it is even
checked (the rate limit) calls `hold` instead: its files are kept unchecked and undecoded, and
checked when the form comes back. `clean_kept_uploads` deletes what
was never claimed.
"""

import mimetypes
import re
import secrets
from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import UploadedFile

from core import ratelimit
from core.models import KeptUpload

OWNER_KEY = "kept_uploads_owner"
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def owner_key(request, create=False):
    """The random key of this browser session that its kept uploads are filed under."""
    owner = request.session.get(OWNER_KEY)
    if owner is None and create:
        owner = secrets.token_urlsafe(24)
        request.session[OWNER_KEY] = owner
    return owner


def token_field(html_name):
    return f"{html_name}__kept"


def remove_field(html_name):
    return f"{html_name}__kept_remove"


def _file_fields(form):
    return [name for name, field in form.fields.items() if isinstance(field, forms.FileField)]


def _offered(form, request, files):
    """(name, html name, kept upload) for each file field whose kept upload, filed under this
    session and not expired, the form sent back the token of. A new file in `files`, or
    "remove" ticked, discards the kept one instead. Another session's token is ignored (and
    the file stays its owner's)."""
    owner = owner_key(request)
    for name in _file_fields(form):
        html_name = form.add_prefix(name)
        token = form.data.get(token_field(html_name))
        if not token or not owner:
            continue
        upload = KeptUpload.objects.fresh().owned_by(owner).filter(token=token).first()
        if upload is None:
            continue
        if form.data.get(remove_field(html_name)) or files.get(html_name):
            upload.discard()
            continue
        yield name, html_name, upload


# Files kept per browser and day (RATELIMIT_SHARED_FACTOR times as many per address): a script
# that keeps resending a refused form, or one over its submission limit, cannot fill the disk.
KEPT_PER_DAY = 5


def _store(value, request):
    """A new KeptUpload holding the uploaded file `value`, filed under this browser session, or
    None when this browser or address already had KEPT_PER_DAY files kept today (the form then
    asks for the file again, as it did before files were kept)."""
    if not ratelimit.allow(request, "kept-upload", limit=KEPT_PER_DAY, period=24 * 3600):
        return None
    original = PurePath(value.name or "upload").name[:200]
    suffix = PurePath(original).suffix.lower()
    value.seek(0)
    upload = KeptUpload(
        token=secrets.token_urlsafe(32),
        owner=owner_key(request, create=True),
        original_name=original,
    )
    # The stored name is ours: a visitor's file name never reaches the disk.
    stored_name = secrets.token_hex(12) + (suffix if _SAFE_SUFFIX.match(suffix) else "")
    upload.file.save(stored_name, value, save=True)
    return upload


def restore(form, request):
    """Before validation: a file field sent empty takes the file kept under the token the form
    sent back (see `_offered`), to be checked like a file just uploaded."""
    form.kept_uploads = {}
    if not form.is_bound:
        return
    for name, html_name, upload in _offered(form, request, form.files):
        files = form.files.copy()
        stored = upload.file.open("rb")
        files[html_name] = UploadedFile(
            file=stored,
            name=upload.original_name,
            content_type=mimetypes.guess_type(upload.original_name)[0],
            size=upload.file.size,
        )
        form.files = files
        form.kept_uploads[name] = upload


def hold(form, request):
    """When a form is refused before it is checked (too many submissions): the files it sent
    are kept as they came, neither opened nor decoded, and those kept earlier stay offered.

    `form` is bound to the text only, so that showing it again decodes nothing; the files are
    read from `request.FILES`. A file kept here passes the field's checks when the form is sent
    again after the wait (`restore`); one that fails them is dropped then (`keep`).
    """
    form.kept_uploads = {
        name: upload for name, _html_name, upload in _offered(form, request, request.FILES)
    }
    for name in _file_fields(form):
        value = request.FILES.get(form.add_prefix(name))
        if value and name not in form.kept_uploads and (upload := _store(value, request)):
            form.kept_uploads[name] = upload


def keep(form, request):
    """After a refusal: keep each file that passed its own checks, to be offered again."""
    if not hasattr(form, "kept_uploads"):
        form.kept_uploads = {}
    cleaned = getattr(form, "cleaned_data", {})
    for name in _file_fields(form):
        value = cleaned.get(name)
        if name in form.errors and name in form.kept_uploads:
            form.kept_uploads.pop(name).discard()  # refused this time: not offered again
        if name in form.errors or not value or name in form.kept_uploads:
            continue
        if upload := _store(value, request):
            form.kept_uploads[name] = upload


def release(form):
    """After a successful save: the kept files the form used are no longer needed."""
    for upload in getattr(form, "kept_uploads", {}).values():
        upload.file.close()
        upload.discard()
    form.kept_uploads = {}
