"""`{% load project_cards %}`: project cards marked up in Python, as the contribution and hearing
cards are (`core.cards.fill`).

    <ul class="cards">{{ projects|project_cards }}</ul>

The template engine placing a card's seven values, a `reverse()` for its address and a tag for
its language cost about 0.3 ms a card: 6.4 ms of the busiest village page, with its 20 projects
(docs/performance.md). The records come from `Project.objects….for_cards()`.
"""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.cards import fill, once
from core.metadata import path_template
from core.translation import choice_label, lang_attribute, page_language, translated
from projects.models import Project

register = template.Library()
CHOICES = {"sector": Project.Sector, "status": Project.Status}

CARD_HTML = """<li class="card">
  <h3><a href="{url}"{name_lang}>{name}</a></h3>
  <p>{operator} · {sector} · <span class="status status-{status}">{status_label}</span>{bri}</p>
</li>"""


@register.filter
def project_cards(projects):
    """The cards of `projects`, in their order: the address pattern, the page's language and
    each sector's and status's label looked up once a list."""
    language, url = page_language(), path_template("portal:project_detail", "slug")
    # As `{% translate "Belt and Road" %}` gives it: a translation is trusted markup.
    bri = SafeString(" · " + _("Belt and Road"))
    labels = {}

    def label(project, kind):
        value = getattr(project, kind)
        return once(labels, (kind, value), choice_label(CHOICES[kind], value))

    return SafeString(
        "".join(
            fill(
                CARD_HTML,
                url=url.format(project.slug),
                name_lang=lang_attribute(project, "name", language),
                name=translated(project, "name", language),
                operator=translated(project.operator, "name", language),
                sector=label(project, "sector"),
                status=project.status,
                status_label=label(project, "status"),
                bri=bri if project.is_bri else "",
            )
            for project in projects
        )
    )
