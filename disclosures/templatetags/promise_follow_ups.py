"""`{% load promise_follow_ups %}`: a hearing's promises with the published contributions that
follow them up.

The hearing's page (`hearings/`, below `disclosures/`) lists its promises; which contributions
follow a promise up is this app's to say (`Disclosure.hearing_promise`), so the page asks here,
by the tag's name, instead of reaching this app's model from the hearings' code."""

from collections import defaultdict

from django import template

from core.models import kept_queryset
from core.translation import translated_columns
from disclosures.models import Disclosure

register = template.Library()


@kept_queryset
def _follow_ups():
    """The published contributions with what the page shows of a follow-up (its title, whether
    it was withdrawn, its address), built once per process: all of a contribution's columns
    took longer to compile than the query to run (0.92 -> 0.54 ms)."""
    columns = ("hearing_promise", *translated_columns("title"), "withdrawn_at")
    return Disclosure.objects.published().only(*columns)


@register.simple_tag
def followed_up(promises):
    """[(promise, its published follow-ups)] for `promises`, in one query. Withdrawn follow-ups
    stay (the page marks them): a promise's record does not lose them; drafts never show."""
    follow_ups = defaultdict(list)
    for disclosure in _follow_ups().filter(hearing_promise__in=promises):
        follow_ups[disclosure.hearing_promise_id].append(disclosure)
    return [(promise, follow_ups[promise.pk]) for promise in promises]
