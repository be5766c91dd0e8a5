"""Template tags for a page's head: its title and description said once, used thrice (`<title>`,
the meta description and Open Graph), and JSON-LD."""

from django import template
from django.utils.safestring import mark_safe

from core.metadata import absolute_media as _absolute_media
from core.metadata import ld_json as _ld_json

register = template.Library()


class CaptureNode(template.Node):
    # Blocks inside are still found by `{% extends %}` (it walks `child_nodelists`), so a page's
    # `{% block title %}` fills the captured text.
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        text = " ".join(self.nodelist.render(context).split())
        context[self.name] = mark_safe(text)  # noqa: S308 — already escaped by the template
        return ""


@register.tag
def capture(parser, token):
    """`{% capture name %}…{% endcapture %}`: render the inside, whitespace folded, into `name`."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture takes one name: {% capture name %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


@register.filter
def ld_json(data):
    """JSON-LD as a `<script type="application/ld+json">` element (see projects/metadata.py)."""
    return _ld_json(data) if data else ""


@register.filter
def absolute_media(url):
    return _absolute_media(url)
