"""What every list does with a filter it cannot apply (a 400 naming the bad parameter), and how
it reads one page of its rows."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext


def filter_errors(filterset):
    """The filters' errors as {field: [messages]}, or None when every filter is valid.

    django-filter silently drops an invalid filter and returns everything; a list, an export or a
    feed asked for `?year=1e30` must say it cannot answer that instead (400).
    """
    if filterset.is_bound and not filterset.is_valid():
        return {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
    return None


def bad_filter_response(errors, content_type="application/json"):
    """A 400 for an export or feed asked with invalid filters, listing the errors."""
    if content_type == "application/json":
        body = json.dumps({"errors": errors}, ensure_ascii=False)
    else:
        lines = [gettext("The filters are not valid:")]
        lines += [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
        body = "\n".join(lines) + "\n"
        content_type = "text/plain"
    return HttpResponse(body, status=400, content_type=f"{content_type}; charset=utf-8")


class CountedUpTo(Paginator):
    """A paginator that counts the rows only up to `limit` (and one beyond): whether there are
    more than `limit` is all a reader learns then (`capped`), and the last page is not known.
    Without a limit it counts them all, as Django's."""

    def __init__(self, object_list, per_page, limit=None):
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def count(self):
        if self.limit is None:
            return super().count
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def capped(self):
        return self.limit is not None and self.count > self.limit


def keyed_page(rows, number, size, cards=None, counted_up_to=None):
    """Page `number` of `rows`, its rows read by their keys from `cards` (default: `rows`).

    The COUNT and the page's keys come from `rows` alone; only the page's rows are then read
    with what a card shows. PostgreSQL computes the SELECT list of every row an OFFSET skips:
    the word counts of a contribution card cost 1.5 s on page 380, and the hearings' wide
    rows 10 ms a page of 1,250 hearings (docs/performance.md).

    With `counted_up_to`, a page within the first that many rows counts the rows no further
    (`CountedUpTo`): at country scale the COUNT of every contribution was most of a list
    page's cost. A page beyond them counts them all, so that it is found, or the last one.
    """
    limit = None
    if counted_up_to is not None and _ends_within(number, size, counted_up_to):
        limit = counted_up_to
    page = CountedUpTo(rows, size, limit).get_page(number)
    page.object_list = (rows if cards is None else cards).filter(
        pk__in=page.object_list.values("pk")
    )
    return page


def _ends_within(number, size, rows):
    """Whether page `number` ends within the first `rows` rows, as `Paginator.get_page` reads
    the number: 1 when it is not a number, the last page (unknown yet) when it is below 1."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    return 1 <= number and number * size <= rows
