"""Cross-origin protection without a token, for anonymous forms that act on no one's authority.

A CSRF token in a form makes every page carrying it personal: each visitor needs their own token
(and a cookie), so the page cannot be served as the same compressed bytes to everyone. The
subscribe box on every place page is such a form, and it needs no token: it signs nobody in,
reads no session or account, and changes nothing until the address's owner confirms by e-mail.
What a forged cross-site submission could still do — spend the victim's rate-limit allowance —
is refused here from the browser's own word: `Sec-Fetch-Site` (every current browser) or else
`Origin`. A request with neither (an old browser, a script) carries no ambient authority, so it
is treated as any direct request is: rate-limited and confirmed by e-mail.

A resident's feedback and question on a contribution page are the same kind of form: anonymous,
held for a moderator, rate-limited per browser and address. They read the session only as the
owner of files kept from a refused form (core/uploads.py), claimed by a random token that only
the form sent back carries, so a forged submission could at most offer its own file back to
itself. Without a token the contribution page is the same bytes for everyone and can be cached
(core/caching.py).
"""

from functools import wraps

from django.conf import settings
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

ALLOWED_FETCH_SITES = {"same-origin", "none"}  # "none": typed, bookmarked, opened from mail


def is_cross_origin(request):
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site not in ALLOWED_FETCH_SITES
    origin = request.headers.get("Origin")
    if not origin:
        return False
    own = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
    return origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS


def same_origin_form(view):
    """Exempt `view` from Django's CSRF token and refuse cross-origin POSTs instead (see above).
    Only for views that act on no one's authority: never the signed-in user, and the session
    at most as the owner of kept uploads."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and is_cross_origin(request):
            failure = get_callable(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason="cross-origin form submission")
        return view(request, *args, **kwargs)

    return wrapper
