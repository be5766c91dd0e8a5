"""`{% load disclosure_cards %}`: contribution cards prepared and marked up in Python.

    {% include "disclosures/includes/_disclosure_cards.html" with cards=page.object_list|cards %}

A card's values (status, amount, dates, the akimat's and residents' word, the language notes)
are worked out here once per record, and the labels every card shares once per list; its
markup (`CARD_HTML`) is filled in by `core.cards.fill`. Per-field includes and tags cost
1.5–2 ms of CPU a card, and the template engine placing the values still 0.2 ms a card, a
tenth of an uncached village page (docs/performance.md). The records come with what a card
shows, from `Disclosure.objects….for_cards()` (`for_cards(photos=True)` where photos are shown).
"""

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from types import SimpleNamespace

from django import template
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import formats
from core.cards import fill, once
from core.metadata import path_template
from core.templatetags.local_formats import text_of
from core.translation import (
    choice_label,
    lang_attribute,
    other_languages,
    page_language,
    shown_text,
    translated,
    written_in_note,
)
from disclosures.images import thumbnail_size
from disclosures.models import Category, Photo, Status, today

register = template.Library()

# Where the photos' thumbnails are stored.
THUMBNAILS = Photo._meta.get_field("thumbnail")

# The fields whose language a card's "Written in ..." note speaks of.
NOTE_FIELDS = ("title", "withdrawal_reason", "cancel_reason")

# A card's markup; `Card.html` fills it in (every value escaped unless marked safe).
CARD_HTML = """<li class="card disclosure-card{withdrawn}">
  {photo}
  <h3><a href="{url}"{title_lang}>{title}</a></h3>
  <p><span class="status status-{status}">{status_label}</span> · {category}{amount}</p>
  {withdrawn_note}
  {note}
  <p class="subtitle">{subtitle}</p>
  <p><small>{when}
  {confirmed}
  {disputes}
  {seen}</small></p>
</li>"""
PHOTO_HTML = (
    '<img class="thumb" src="{url}" alt="{alt}"{alt_lang} width="{width}" height="{height}"'
    ' loading="lazy" decoding="async">'
)


@dataclass(frozen=True)
class Card:
    disclosure: object
    url: str
    title: str
    title_lang: str
    status: str
    status_label: str
    category: str
    amount: str
    greyed: bool
    withdrawn_note: str
    note: str
    subtitle: str
    when: str
    confirmed: str
    disputes: str
    seen: str
    photo: object = None

    def html(self):
        """The card's `<li>`, for `_disclosure_cards.html`."""
        photo = self.photo
        return fill(
            CARD_HTML,
            withdrawn=" is-withdrawn" if self.greyed else "",
            photo=fill(
                PHOTO_HTML,
                url=photo.url,
                alt=photo.alt,
                alt_lang=photo.alt_lang,
                width=photo.width,
                height=photo.height,
            )
            if photo
            else "",
            url=self.url,
            title_lang=self.title_lang,
            title=self.title,
            status=self.status,
            status_label=self.status_label,
            category=self.category,
            amount=fill(" · {amount}", amount=self.amount) if self.amount else "",
            withdrawn_note=self.withdrawn_note,
            note=self.note,
            subtitle=self.subtitle,
            when=self.when,
            confirmed=_voice(' · <span class="voice-akimat">{text}</span>', self.confirmed),
            disputes=_voice(' · <span class="voice-dispute">{text}</span>', self.disputes),
            seen=_voice(" · {text}", self.seen),
        )


@dataclass(frozen=True)
class Thumbnail:
    url: str
    alt: str
    alt_lang: str
    width: int
    height: int


def _withdrawn_note(disclosure, labels):
    """Why a listed contribution is not counted: withdrawn (date and reason) or cancelled
    (reason)."""
    not_counted = labels["not_counted"]
    if disclosure.is_withdrawn():
        # A translation is trusted markup, as `{% blocktranslate %}` takes it; the date is not.
        date = fill("{date}", date=formats.day(disclosure.withdrawn_at, case="on"))
        label = SafeString(_("Withdrawn on %(date)s") % {"date": date})
        return fill(
            '<p class="withdrawn-note"><strong>{label}</strong>: {reason}{not_counted}',
            label=label,
            reason=text_of(disclosure, "withdrawal_reason"),
            not_counted=not_counted,
        )
    if disclosure.status == Status.CANCELLED:
        reason = (
            fill(": {text}", text=text_of(disclosure, "cancel_reason"))
            if disclosure.cancel_reason
            else ""
        )
        return fill(
            '<p class="withdrawn-note"><strong>{label}</strong>{reason}{not_counted}',
            label=_("Cancelled"),
            reason=reason,
            not_counted=not_counted,
        )
    return ""


def _written_in(languages, labels):
    """The card's "Written in ..." note (`written_in_note`), made once a list for each set of
    `languages`: the same for most cards of a list, and made for each it was 6 µs of the 38 of a
    card on an English page."""
    notes, key = labels["notes"], tuple(languages)
    if key not in notes:
        notes[key] = written_in_note(languages)
    return notes[key]


def _voice(markup, text):
    return fill(markup, text=text) if text else ""


def _amount(disclosure, labels):
    if disclosure.amount is None:
        return ""
    money = formats.money(disclosure.amount, disclosure.currency, labels["language"])
    return f"≈ {money} ({labels['estimate']})" if disclosure.is_estimate else money


def _when(disclosure, labels):
    """The key date: delivered on, else due on; none for a withdrawn one (its note says it)."""
    if disclosure.is_withdrawn():
        return ""
    language = labels["language"]
    if disclosure.status == Status.DELIVERED and disclosure.delivered_date:
        # Kazakh puts a date a verb follows in the locative: "30 сәуірде орындалды".
        date = formats.day(disclosure.delivered_date, language, case="on")
        return labels["delivered"] % {"date": date}
    if disclosure.due_date:
        return labels["due"] % {"date": formats.day(disclosure.due_date, language)}
    return ""


def _voices(disclosure):
    disputes = getattr(disclosure, "dispute_count", 0) or 0
    seen = getattr(disclosure, "seen_count", 0) or 0
    return (
        ngettext("%(counter)s resident disputes it", "%(counter)s residents dispute it", disputes)
        % {"counter": disputes}
        if disputes
        else "",
        ngettext("%(counter)s resident saw it", "%(counter)s residents saw it", seen)
        % {"counter": seen}
        if seen
        else "",
    )


def _thumbnail(disclosure, language):
    """The kept first photo's thumbnail, read from the kept fields as they are: a `Photo` built
    for each card was 13 µs of its 42."""
    if not disclosure.first_photo:
        return None
    photo = SimpleNamespace(**disclosure.first_photo)
    width, height = thumbnail_size(photo.width, photo.height)
    return Thumbnail(
        url=THUMBNAILS.storage.url(photo.thumbnail),
        alt=shown_text(photo, "alt_text", language)[0],
        alt_lang=lang_attribute(photo, "alt_text", language),
        width=width,
        height=height,
    )


def card(disclosure, labels, photos=False):
    """One card; `labels` holds what every card of the list shares (its words, the address
    pattern and the page's `language`, looked up once rather than by each field)."""
    language = labels["language"]
    status, status_label = disclosure.display_status(labels["today"])
    disputes, seen = _voices(disclosure)
    greyed = not disclosure.is_current()
    places = ", ".join(disclosure.settlement_names)
    subtitle = disclosure.organisation_name + (f" → {places}" if places else "")
    return Card(
        disclosure=disclosure,
        url=labels["url"].format(disclosure.pk),
        title=translated(disclosure, "title", language),
        title_lang=lang_attribute(disclosure, "title", language),
        status=status,
        # Plain text, translated once a list: a lazy label is translated again at each use, and
        # `{% regroup %}` compares and the template prints each one several times.
        status_label=once(labels["translated"], ("status", status), status_label),
        category=once(
            labels["translated"],
            ("category", disclosure.category),
            choice_label(Category, disclosure.category),
        ),
        amount=_amount(disclosure, labels),
        greyed=greyed,
        withdrawn_note=_withdrawn_note(disclosure, labels) if greyed else "",
        note=_written_in(other_languages(disclosure, NOTE_FIELDS, language), labels),
        subtitle=subtitle,
        when=_when(disclosure, labels),
        confirmed=labels["confirmed"] if getattr(disclosure, "confirmed_count", 0) else "",
        disputes=disputes,
        seen=seen,
        photo=_thumbnail(disclosure, language) if photos else None,
    )


# A category's cards on a place page (`by_category`).
GROUPS_HTML = '<div class="category-groups">{groups}</div>'
GROUP_HTML = """
      <div class="category-group"><h3>{label}</h3>
      <ul class="cards">{cards}
</ul></div>
    """


@register.filter
def by_category(cards):
    """`cards` (in category order) under one heading a category, as `_contributions.html`
    shows them on a place page: a `{% regroup %}` and an include of the cards a category cost
    about a tenth of the cards' rendering."""
    groups = (
        fill(
            GROUP_HTML,
            label=capfirst(label),
            cards=SafeString("".join(card.html() for card in group)),
        )
        for label, group in groupby(cards, key=attrgetter("category"))
    )
    return fill(GROUPS_HTML, groups=SafeString("".join(groups)))


@register.filter
def cards(disclosures, option=""):
    """The cards of `disclosures`, in their order; `|cards:"photos"` adds each one's first
    photo as a thumbnail."""
    labels = {
        "estimate": _("estimate"),
        "confirmed": _("confirmed by the akimat"),
        "delivered": _("delivered %(date)s"),
        "due": _("due %(date)s"),
        "url": path_template("disclosures:detail", "pk"),
        "language": page_language(),
        "today": today(),
        "translated": {},
        "notes": {},
        "not_counted": fill(
            ' <span class="not-counted">({text})</span></p>\n',
            text=_("not counted in the figures"),
        ),
    }
    return [card(d, labels, photos=option == "photos") for d in disclosures]
