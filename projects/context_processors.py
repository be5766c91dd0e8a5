from django.conf import settings
from django.urls import translate_url


def site(request):
    """Links to the same page in each language, for the language switcher (no JavaScript)."""
    path = request.get_full_path()
    return {
        "language_links": [
            (code, name, translate_url(path, code)) for code, name in settings.LANGUAGES
        ],
    }
