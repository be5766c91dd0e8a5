"""The API's JSON parser, bounded in size and depth (its own module: DRF imports it while
loading its settings, before the viewsets in core/api.py can be imported)."""

import codecs
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """JSON bodies of at most API_JSON_MAX_BYTES, nested at most API_JSON_MAX_DEPTH deep.

    Python's parser gives up on about a thousand nested brackets with a RecursionError, which
    DRF's parser lets escape as a 500; the nesting is counted here before anything is parsed.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("The request body is too large: at most %(limit)s KB of JSON.")
                % {"limit": limit // 1024}
            )
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(_("The request body is not valid JSON.")) from error
        if json_depth(text, stop_at=settings.API_JSON_MAX_DEPTH) > settings.API_JSON_MAX_DEPTH:
            raise ParseError(
                _("The JSON is nested too deeply: at most %(depth)s levels.")
                % {"depth": settings.API_JSON_MAX_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(_("The request body is not valid JSON.")) from error


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text, stop_at=None):
    """The deepest nesting of brackets in JSON `text`, ignoring those inside strings (counting
    stops past `stop_at`)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop_at is not None and deepest > stop_at:
                break
        else:
            depth -= 1
    return deepest
