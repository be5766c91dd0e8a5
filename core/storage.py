"""Uploads in a private S3-compatible bucket (django-storages).

Pages link to a file as `/media/<name>`, as with files on disk, so every view of a file passes
the visibility check in `portal.views.media_file`; only that view asks for a signed URL
(`signed_url`), after the check, and redirects to it. A signed URL in a page would skip the check
and expire while the page is cached.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateMediaStorage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def signed_url(self, name, *, parameters=None, expire=None):
        """A URL of the object itself, signed for `expire` seconds."""
        return super().url(name, parameters=parameters, expire=expire)
