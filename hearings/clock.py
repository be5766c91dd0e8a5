"""The legal clock of a public hearing: which deadlines apply, and whether each was met.

The periods come from settings (see the "Public hearings" section of config/settings.py, where
each default and its source is written down), so that a change of the Rules is a settings change:

- HEARING_MATERIALS_DAYS: materials available at least N days before the hearing;
- HEARING_ANNOUNCEMENT_DAYS: the announcement published at least M days before;
- HEARING_COMMENTS_CLOSE_DAYS: written comments accepted until no earlier than K days before;
- HEARING_PROTOCOL_DAYS: the protocol published within P days after.

All periods are counted in calendar days on Kazakhstan dates (TIME_ZONE). When a hearing is
moved the announcement clock restarts from the day it was moved: residents must get the whole
notice period before the new date, not what was left of the old one.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def materials_days():
    return int(getattr(settings, "HEARING_MATERIALS_DAYS", 30))


def announcement_days():
    return int(getattr(settings, "HEARING_ANNOUNCEMENT_DAYS", 20))


def comments_close_days():
    return int(getattr(settings, "HEARING_COMMENTS_CLOSE_DAYS", 3))


def protocol_days():
    return int(getattr(settings, "HEARING_PROTOCOL_DAYS", 7))


@dataclass
class Deadline:
    """One rule as it applies to one hearing: `met` is True, False, or None while still open."""

    key: str
    label: str
    rule: str
    due: datetime.date
    done: datetime.date | None
    met: bool | None


def notice_start(hearing):
    """The day the notice clock started: the announcement, or the last move if it was moved."""
    instant = hearing.rescheduled_at or hearing.announced_at
    return timezone.localdate(instant) if instant else None


def deadlines(hearing, today=None):
    today = today or timezone.localdate()
    day = timezone.localdate(hearing.starts_at)
    result = []

    due = day - datetime.timedelta(days=materials_days())
    done = hearing.materials_available_from
    result.append(
        Deadline(
            "materials",
            _("Materials available"),
            _("at least %(days)s days before the hearing") % {"days": materials_days()},
            due,
            done,
            (done <= due) if done else (False if today > due else None),
        )
    )

    due = day - datetime.timedelta(days=announcement_days())
    done = notice_start(hearing)
    result.append(
        Deadline(
            "announcement",
            _("Announcement published"),
            _("at least %(days)s days before the hearing") % {"days": announcement_days()},
            due,
            done,
            (done <= due) if done else (False if today > due else None),
        )
    )

    due = day - datetime.timedelta(days=comments_close_days())
    done = hearing.comments_until
    result.append(
        Deadline(
            "comments",
            _("Written comments accepted"),
            _("until no earlier than %(days)s days before the hearing")
            % {"days": comments_close_days()},
            due,
            done,
            (done >= due) if done else None,
        )
    )

    due = day + datetime.timedelta(days=protocol_days())
    done = timezone.localdate(hearing.record_published_at) if hearing.record_published_at else None
    if hearing.is_cancelled():
        met = None
    elif done:
        met = done <= due
    else:
        met = False if today > due else None
    result.append(
        Deadline(
            "protocol",
            _("Protocol published"),
            _("within %(days)s days after the hearing") % {"days": protocol_days()},
            due,
            done,
            met,
        )
    )
    return result


def earliest_lawful_start(hearing, today=None):
    """The first day the hearing may take place if it is announced today."""
    today = today or timezone.localdate()
    earliest = today + datetime.timedelta(days=announcement_days())
    if hearing.materials_available_from:
        earliest = max(
            earliest,
            hearing.materials_available_from + datetime.timedelta(days=materials_days()),
        )
    else:
        earliest = max(earliest, today + datetime.timedelta(days=materials_days()))
    return earliest


def announcement_problems(hearing, today=None):
    """Why announcing (or moving) `hearing` today would break the Rules; empty when lawful."""
    today = today or timezone.localdate()
    day = timezone.localdate(hearing.starts_at)
    problems = []
    earliest = date_format(earliest_lawful_start(hearing, today), "DATE_FORMAT")
    if day < today + datetime.timedelta(days=announcement_days()):
        problems.append(
            _(
                "The Rules for public hearings require the announcement to be published at least "
                "%(days)s days before the hearing. The earliest lawful date is %(earliest)s."
            )
            % {"days": announcement_days(), "earliest": earliest}
        )
    if not hearing.materials_available_from:
        problems.append(
            _("Say from which day the materials are available before announcing the hearing.")
        )
    elif hearing.materials_available_from > day - datetime.timedelta(days=materials_days()):
        problems.append(
            _(
                "The Rules for public hearings require the materials to be available at least "
                "%(days)s days before the hearing. The earliest lawful date is %(earliest)s."
            )
            % {"days": materials_days(), "earliest": earliest}
        )
    if hearing.comments_until and hearing.comments_until < day - datetime.timedelta(
        days=comments_close_days()
    ):
        problems.append(
            _(
                "Written comments must be accepted until no earlier than %(days)s days before "
                "the hearing (%(date)s)."
            )
            % {
                "days": comments_close_days(),
                "date": date_format(
                    day - datetime.timedelta(days=comments_close_days()), "DATE_FORMAT"
                ),
            }
        )
    return problems
