from django.conf import settings
from django.urls import translate_url


def site(request):
    """Links to the same page in each language: the language switcher (no JavaScript), and
    the canonical and hreflang links that tell search engines the versions are one page."""
    path = request.get_full_path()
    links = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
    return {
        "language_links": links,
        "canonical_url": request.build_absolute_uri(request.path),
        "alternate_links": [(code, request.build_absolute_uri(url)) for code, _n, url in links],
        "default_language_url": request.build_absolute_uri(
            translate_url(path, settings.LANGUAGE_CODE)
        ),
    }
