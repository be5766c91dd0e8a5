"""`{% load hearing_cards %}`: hearing cards prepared and marked up in Python.

    {% include "hearings/includes/_hearing_cards.html" with cards=page|hearing_cards %}

A card's values (status, when, the cancellation, the comment window, the language notes) are
worked out here once per record, and the labels and addresses every card shares once per
list; its markup (`CARD_HTML`) is filled in by `core.cards.fill`: per-card includes,
tags and lookups cost about 1.3 ms of CPU a card, and the template engine placing the values
still about 0.2 ms (docs/performance.md). The records come from
`Hearing.objects….for_cards()`.
"""

from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from core import formats
from core.cards import fill, once
from core.metadata import path_template
from core.translation import (
    choice_label,
    lang_attribute,
    other_languages,
    page_language,
    shown_text,
    written_in_note,
)
from hearings.models import Hearing

register = template.Library()

# The fields whose language a card's "Written in ..." note speaks of.
NOTE_FIELDS = ("title", "venue", "cancellation_reason")

# A card's markup; `HearingCard.html` fills it in (every value escaped unless marked safe).
CARD_HTML = """<li class="card hearing-card{cancelled_class}">
  <p><strong><a href="{url}"{title_lang}>{title}</a></strong></p>
  <p><span class="status status-{status}">{status_label}</span>
    · {when}
    · {organiser}</p>
  {cancelled}
  {venue}
  {running}
  {comments}
  {note}
  <p><small>{registration_number}</small></p>
</li>"""


@dataclass(frozen=True)
class HearingCard:
    url: str
    title: str
    title_lang: str
    status: str
    status_label: str
    when: str
    organiser: str
    cancelled: str
    venue: str
    venue_lang: str
    running: str
    comments: str
    note: str
    registration_number: str

    def html(self):
        """The card's `<li>`, for `_hearing_cards.html`."""
        return fill(
            CARD_HTML,
            cancelled_class=" is-cancelled" if self.status == Hearing.Status.CANCELLED else "",
            url=self.url,
            title_lang=self.title_lang,
            title=self.title,
            status=self.status,
            status_label=self.status_label,
            when=self.when,
            organiser=self.organiser,
            cancelled=self.cancelled,
            venue=fill("<p{lang}>{venue}</p>", lang=self.venue_lang, venue=self.venue)
            if self.venue
            else "",
            running=fill("<p><strong>{text}</strong></p>", text=self.running)
            if self.running
            else "",
            comments=self.comments,
            note=self.note,
            registration_number=self.registration_number,
        )


def when(hearing, language=None):
    """When a hearing takes place: a meeting's day and hour, or a public discussion's window of
    days (it is no one-off meeting)."""
    if hearing.is_public_discussion():
        window = formats.day_range(hearing.starts_at, hearing.discussion_ends_on, language)
        return fill("{text}", text=_("online discussion, %(window)s") % {"window": window})
    return fill(
        '<time datetime="{iso}">{text}</time>',
        iso=formats.iso(hearing.starts_at),
        text=formats.day_time(hearing.starts_at, language),
    )


def _cancelled(hearing, language):
    """The cancellation note: when, and why in the reason's own language."""
    if hearing.status != Hearing.Status.CANCELLED:
        return ""
    if hearing.cancelled_at:
        date = formats.day(hearing.cancelled_at, language, case="on")
        label = _("Cancelled on %(date)s") % {"date": date}
    else:
        label = _("Cancelled")
    reason = ""
    if hearing.cancellation_reason:
        attribute = lang_attribute(hearing, "cancellation_reason", language)
        text = shown_text(hearing, "cancellation_reason", language)[0]
        shown = fill("<span{lang}>{text}</span>", lang=attribute, text=text) if attribute else text
        reason = fill(": {text}", text=shown)
    return fill(
        '<p class="withdrawn-note"><strong>{label}</strong>{reason}</p>', label=label, reason=reason
    )


def _comments(hearing, urls, moment, language):
    """An announced hearing's time left, its comment window and the calendar link."""
    if hearing.status != Hearing.Status.ANNOUNCED:
        return ""
    upcoming = hearing.is_upcoming(moment)
    comments_open = hearing.comments_open(timezone.localdate(moment))
    url = urls["detail"].format(hearing.pk)
    calendar = fill(
        '\n    · <a href="{url}">{text}</a></p>',
        url=urls["ics"].format(hearing.pk),
        text=_("Add to calendar"),
    )
    if hearing.is_public_discussion():
        if not (upcoming or comments_open):
            return ""
        close = _("Comments close on %(date)s") % {
            "date": formats.day_month(hearing.discussion_ends_on, language, case="until")
        }
        left = (
            fill("{text} · ", text=formats.timeleft(hearing.starts_at, language=language))
            if upcoming
            else ""
        )
        link = fill('<a href="{url}#comments-heading">{text}</a>', url=url, text=close)
        return fill("<p>{left}{link}{calendar}", left=left, link=link, calendar=calendar)
    if not upcoming:
        return ""
    link = ""
    if comments_open:
        close = _("Comments close on %(date)s") % {
            "date": formats.day_month(hearing.comments_until, language, case="until")
        }
        link = fill(' · <a href="{url}#comments-heading">{text}</a>', url=url, text=close)
    return fill(
        "<p>{left}\n    {link}{calendar}",
        left=formats.timeleft(hearing.starts_at, language=language),
        link=link,
        calendar=calendar,
    )


def card(hearing, urls, moment, labels):
    """One card; `labels` holds what every card of the list shares: the page's `language`
    and the status labels, looked up once rather than by each field."""
    language = labels["language"]
    running = ""
    if hearing.is_running(moment):
        running = _("Taking place now, until about %(end)s.") % {
            "end": formats.clock(hearing.ends_at)
        }
    return HearingCard(
        url=urls["detail"].format(hearing.pk),
        title=hearing.title,
        title_lang=lang_attribute(hearing, "title", language),
        status=hearing.status,
        status_label=_status_label(hearing, labels),
        when=when(hearing, language),
        organiser=hearing.organiser_name,
        cancelled=_cancelled(hearing, language),
        venue=hearing.venue,
        venue_lang=lang_attribute(hearing, "venue", language),
        running=running,
        comments=_comments(hearing, urls, moment, language),
        note=written_in_note(other_languages(hearing, NOTE_FIELDS, language)),
        registration_number=hearing.registration_number,
    )


@register.filter
def hearing_cards(hearings):
    """The cards of `hearings`, in their order."""
    urls = {
        "detail": path_template("hearings:detail", "pk"),
        "ics": path_template("hearings:ics", "pk"),
    }
    moment = timezone.now()
    labels = {"language": page_language(), "status": {}}
    return [card(hearing, urls, moment, labels) for hearing in hearings]


def _status_label(hearing, labels):
    """A status's label as plain text, translated once a list."""
    return once(labels["status"], hearing.status, choice_label(Hearing.Status, hearing.status))


@register.simple_tag
def hearing_when(hearing):
    """`{% hearing_when hearing %}`: `when` outside a card (the place's next hearing)."""
    return when(hearing)
