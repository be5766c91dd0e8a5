"""HTTP caching and server-side caching of public pages, invalidated by any public change.

Every save or delete of a model residents can see bumps `ContentVersion` (one row). Public pages
get an ETag and Last-Modified from it, so a repeat visit on a slow connection costs a 304 with no
body; expensive parts of pages are cached under a key that includes the version, so an edit is
visible on the very next request.

Pages carry a CSRF token (the resident forms) and may carry a flash message, so the ETag also
depends on the visitor's CSRF cookie, message cookie and signed-in user, and responses are
`private`: a shared proxy never serves one visitor's page to another.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from .models import ContentVersion

SERVER_CACHE_SECONDS = 60
VARYING_COOKIES = ("csrftoken", "messages", "sessionid")


def current():
    """(version, changed_at) of the public content."""
    row = ContentVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    return row or (0, None)


def bump(**kwargs):
    """Signal receiver: something public changed."""
    updated = ContentVersion.objects.filter(pk=1).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        ContentVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def watch(*models):
    """Bump the version whenever one of `models` is saved, deleted or has its m2m changed."""
    for model in models:
        uid = f"content-version-{model._meta.label_lower}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                bump, sender=through, dispatch_uid=f"{uid}-{field.name}", weak=False
            )


def cached(key, compute, version=None):
    """`compute()` cached under `key` for the current content version and day (a minute at most).

    Cached values may depend on today's date (overdue promises), so the local date is in the key.
    """
    version = current()[0] if version is None else version
    day = timezone.localdate().isoformat()
    return cache.get_or_set(f"page:{key}:v{version}:{day}", compute, SERVER_CACHE_SECONDS)


def public_page(view=None, *, cookies=()):
    """ETag/Last-Modified from the content version; `private, max-age=0, must-revalidate`.

    `cookies` names further cookies the page depends on (the home page's recent places).
    """
    if view is None:
        return lambda view: public_page(view, cookies=cookies)
    varying = (*VARYING_COOKIES, *cookies)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version, changed_at = current()
        request.content_version = version
        # The hour is part of the tag: "days left", "overdue" and upcoming/past depend on the
        # clock as well as on edits, so no page is reused across an hour boundary.
        seed = "|".join(
            [
                str(version),
                timezone.localtime().strftime("%Y-%m-%d %H"),
                get_language() or "",
                request.get_full_path(),
                str(request.user.pk or 0) if hasattr(request, "user") else "0",
                *(request.COOKIES.get(name, "") for name in varying),
            ]
        )
        etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                response["ETag"] = etag
                if last_modified:
                    response["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
        return response

    return wrapper
