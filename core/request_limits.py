"""Request body size caps, enforced before Django reads the body.

Django already caps the non-file part of a form (DATA_UPLOAD_MAX_MEMORY_SIZE) and keeps large
files out of memory (FILE_UPLOAD_MAX_MEMORY_SIZE), but it would still write a 300 MB upload to a
temporary file before a form refuses it. Here every view has a ceiling on the whole body: the
declared Content-Length is checked before anything is read (413), and an upload handler counts
the bytes as they stream in, for a client that lies about the length.

Views that take files raise their own ceiling with `@body_limit(bytes)`; the admin gets
ADMIN_REQUEST_BODY_MAX_BYTES; all others REQUEST_BODY_MAX_BYTES. A resident's form also names the
largest file it takes (`file_max_bytes`): a bigger file is dropped as it streams in (never held in
memory or on disk) and the form is refused with what the resident typed (`refuse_dropped_files`),
instead of a bare 413 that loses the text.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.shortcuts import render
from django.utils.translation import gettext as _

MB = 1024 * 1024


def body_limit(max_bytes, *, file_max_bytes=None):
    """Let this view accept a request body of up to `max_bytes` (uploads); with
    `file_max_bytes`, a file over it is dropped as it arrives and noted for the form."""

    def decorate(view):
        view.max_body_bytes = max_bytes
        view.max_file_bytes = file_max_bytes
        return view

    return decorate


def refuse_dropped_files(form, request):
    """Put an error on each file field whose file was dropped for its size (before validation:
    the form then fails with the text as it was typed)."""
    limit = getattr(request, "max_file_bytes", None) or 0
    for html_name in getattr(request, "dropped_files", ()):
        name = html_name.removeprefix(f"{form.prefix}-") if form.prefix else html_name
        form.add_error(
            name if name in form.fields else None,
            _(
                "The file is larger than %(limit)s MB and was not received. Your text is kept: "
                "choose a smaller file, or send the form without it."
            )
            % {"limit": round(limit / MB)},
        )


def limit_for(request, view_func):
    if hasattr(view_func, "max_body_bytes"):
        return view_func.max_body_bytes
    if request.path_info.startswith("/admin/"):
        # Staff upload photos and PDFs through the admin too; it needs a signed-in staff member.
        return settings.ADMIN_REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


class QuotaUploadHandler(FileUploadHandler):
    """Stops reading a multipart body once it passes the view's ceiling."""

    def __init__(self, request, max_bytes, max_file_bytes=None):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.max_file_bytes = max_file_bytes
        self.received = 0
        self.file_received = 0

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.file_received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        self.file_received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.body_too_large = True
            raise StopUpload(connection_reset=True)
        if self.max_file_bytes and self.file_received > self.max_file_bytes:
            dropped = self.request.__dict__.setdefault("dropped_files", [])
            if self.field_name not in dropped:
                dropped.append(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large(request, max_bytes):
    return render(
        request,
        "errors/error.html",
        {
            "status": 413,
            "message": _("The request is too large: at most %(limit)s MB can be sent here.")
            % {"limit": max(1, round(max_bytes / MB))},
        },
        status=413,
    )


class BodySizeLimitMiddleware:
    """Refuse bodies over the view's ceiling with 413, before CSRF or a form reads them.

    Must come before CsrfViewMiddleware: its process_view reads request.POST.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "body_too_large", False) and response.status_code < 400:
            return too_large(request, getattr(request, "max_body_bytes", 0))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        max_bytes = limit_for(request, view_func)
        request.max_body_bytes = max_bytes
        request.max_file_bytes = getattr(view_func, "max_file_bytes", None)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > max_bytes:
            return too_large(request, max_bytes)
        request.upload_handlers.insert(
            0, QuotaUploadHandler(request, max_bytes, request.max_file_bytes)
        )
        return None
