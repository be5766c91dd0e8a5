"""iCalendar (.ics) for one hearing and for every hearing concerning a place.

Each event's UID is stable across reschedules (SEQUENCE grows with each move), so a calendar
that subscribed to the feed moves the event instead of showing two; a cancelled hearing is kept
with STATUS:CANCELLED so that calendars remove it visibly rather than silently.
"""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hearings.notifications import absolute


def _organizer(akimat):
    """ORGANIZER must be a cal-address (RFC 5545 §3.3.3), a mailto: URI: the akimat's public
    e-mail, or else CALENDAR_ORGANIZER_EMAIL under its name when the operator set one. None
    without either: ORGANIZER is optional in a published calendar without METHOD, and an
    address nobody reads is no organiser."""
    email = akimat.email or settings.CALENDAR_ORGANIZER_EMAIL
    if not email:
        return None
    organizer = icalendar.vCalAddress(f"mailto:{email}")
    organizer.params["cn"] = icalendar.vText(akimat.name)
    return organizer


def _event(hearing):
    event = icalendar.Event()
    host = absolute("/").split("//", 1)[-1].strip("/") or "ashyq-auyl"
    event.add("uid", f"hearing-{hearing.pk}@{host}")
    event.add("dtstamp", hearing.updated_at or timezone.now())
    if hearing.is_public_discussion():
        # A window of whole days: an all-day event whose DTEND is the day after the last day.
        event.add("dtstart", timezone.localdate(hearing.starts_at))
        event.add("dtend", hearing.discussion_ends_on + datetime.timedelta(days=1))
        event.add("summary", _("Public discussion: %(title)s") % {"title": hearing.title})
        location = hearing.portal_url or _("online, on the ministry's portal")
    else:
        event.add("dtstart", hearing.starts_at)
        event.add("dtend", hearing.ends_at)
        event.add("summary", _("Public hearing: %(title)s") % {"title": hearing.title})
        location = hearing.venue or hearing.online_link
    url = absolute(hearing.get_absolute_url())
    event.add("url", url)
    if location:
        event.add("location", location)
    lines = [hearing.registration_number]
    if hearing.portal_number:
        lines.append(_("Portal registration: № %(number)s") % {"number": hearing.portal_number})
    if hearing.subject:
        lines.append(hearing.subject)
    if hearing.online_link:
        lines.append(_("Online: %(link)s") % {"link": hearing.online_link})
    lines.append(url)
    # Calendars show DESCRIPTION, not a reason property (RFC 5545 has none): why a hearing is
    # off (cancelled, did not take place), a repeat's first hearing, the decision go first.
    lines[:0] = hearing.fate_lines()
    event.add("description", "\n\n".join(lines))
    if organizer := _organizer(hearing.organiser):
        event.add("organizer", organizer)
    event.add("sequence", hearing.sequence)
    if hearing.is_called_off():
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def calendar_for(hearings, name):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Ashyq Auyl//Public hearings//KK")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Almaty")
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    # An X- property gets no type from icalendar: a vDuration, or it prints "1:00:00".
    calendar.add("x-published-ttl", icalendar.vDuration(datetime.timedelta(hours=1)))
    # RFC 5545 wants at least one component: the time zone is one, so a calendar with no
    # hearing yet is still valid (events themselves are in UTC).
    calendar.add_component(icalendar.Timezone.from_tzid("Asia/Almaty"))
    for hearing in hearings:
        if hearing.is_published():
            calendar.add_component(_event(hearing))
    return calendar.to_ical()
