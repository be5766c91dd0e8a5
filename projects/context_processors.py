from urllib.parse import urlsplit

from django.conf import settings
from django.urls import translate_url


def _local(url):
    """Only a path on this site: `//evil.example/…` or `/\\evil.example` would leave it."""
    parts = urlsplit(url)
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
    )


def site(request):
    """Links to the same page in each language, for the language switcher (no JavaScript).

    A path that cannot be translated (a 404 for a made-up address) links to each language's home
    page instead of echoing the address back.
    """
    path = request.get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code) if _local(path) else None
        if not url or not _local(url) or (url == path and not path.startswith(f"/{code}/")):
            url = f"/{code}/"
        links.append((code, name, url))
    return {"language_links": links}
