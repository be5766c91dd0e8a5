"""`{% load place_figures %}`: a place's headline figures (`_place_summary.html`) marked up in
Python, as the cards are (`core.cards.fill`): the template engine placing the table's few values,
labels and links cost about 2 ms of an uncached village page (docs/performance.md)."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core import formats
from core.cards import fill
from disclosures.models import OVERDUE, bucket_label

register = template.Library()

SECTION_HTML = """<section class="disclosure-summary" aria-labelledby="disclosure-summary-heading">
  <h2 id="disclosure-summary-heading">{heading}</h2>
  <div class="table-scroll">
  <table class="figures">
    <caption class="visually-hidden">{caption}</caption>
    <thead><tr><th scope="col">{status}</th><th scope="col" class="num">{value}</th></tr></thead>
    <tbody>
    {rows}
    </tbody>
    <tfoot>
      <tr class="figure-total" data-figure="total">
        <th scope="row">{total_label} {counted}</th>
        <td class="num">{totals}</td>
      </tr>
    </tfoot>
  </table>
  </div>
  <ul class="figure-notes">
    {funded}
    {currencies}
    {cancelled}
    {withdrawn}
    <li>{confirmed_label}: {confirmed} · {disputed_label}: {disputed}</li>
  </ul>
  {links}
</section>"""
COUNT_HTML = '<span class="count">(<span data-count>{count}</span>)</span>'
ROW_HTML = """
      <tr class="figure-{key}" data-figure="{key}">
        <th scope="row">{label} {count}</th>
        <td class="num">{amounts}</td>
      </tr>
    """
MONEY_HTML = (
    '<span class="money" data-currency="{currency}" data-amount="{amount}">'
    "{about}{money}{note}</span>"
)
LINKS_HTML = (
    '<p><a href="{list}">{all}</a> · <a href="{feed}">{rss}</a> · <a href="{csv}">{csv_label}</a>'
    ' · <a href="{json}">{json_label}</a></p>'
)


def _money(cell, note=""):
    return fill(
        MONEY_HTML,
        currency=cell["currency"],
        amount=floatformat(cell["amount"], "2u"),
        about="≈ " if cell["estimated"] else "",
        money=formats.money(cell["amount"], cell["currency"]),
        note=note if cell["estimated"] else "",
    )


def _amounts(cells, note):
    """A cell's sums, one per currency, or a dash."""
    if not cells:
        return "—"
    return SafeString("<br>".join(_money(cell, note) for cell in cells))


def _trusted(text):
    """A translation as `{% translate "…" %}` gives it: trusted markup, not escaped."""
    return SafeString(text)


def _label(key, count):
    if key == OVERDUE:
        return fill(
            '<span class="{overdue}">{label}</span>',
            overdue="status-overdue" if count else "",
            label=bucket_label(key),
        )
    return bucket_label(key)


def _note(count, field, text):
    """`text` (translated with the count: `ngettext` at the call, where makemessages finds its
    literal message ids) as a note of `count` records."""
    if not count:
        return ""
    text %= {"counter": localize(count)}
    return fill('<li data-figure="{field}">{text}</li>', field=field, text=SafeString(text))


@register.simple_tag(takes_context=True)
def figures_section(context):
    """The section of the context's `summary` (`PlaceFigures.objects.summary(place)`), with
    the links of its `feed_urls` (`disclosures.feeds.place_feed_urls(place)`) when given. The
    four sums are disjoint and add up to the total; see `DisclosureQuerySet.summary`."""
    summary, feed_urls = context["summary"], context.get("feed_urls")
    note = fill(
        '<small class="estimate-note">{text}</small>', text=_trusted(_("includes estimates"))
    )
    rows = (
        fill(
            ROW_HTML,
            key=row["key"],
            label=_label(row["key"], row["count"]),
            count=fill(COUNT_HTML, count=localize(row["count"])),
            amounts=_amounts(row["amounts"], note),
        )
        for row in summary["sums"]
    )
    funded = summary["funded"]
    return fill(
        SECTION_HTML,
        heading=_trusted(_("What was done here")),
        caption=_trusted(_("Contributions by status: how many and their value")),
        status=_trusted(_("Status (number)")),
        value=_trusted(_("Value")),
        rows=SafeString("".join(rows)),
        total_label=_trusted(
            pgettext("sum of delivered, in progress, promised and overdue", "all disclosed")
        ),
        counted=fill(COUNT_HTML, count=localize(summary["counted"])),
        totals=_amounts(summary["totals"], note),
        funded=fill(
            '<li data-figure="funded">{text} {sums}</li>',
            text=_trusted(
                _(
                    "Of these sums, spent by akimats out of companies' payments (shown as part"
                    " of those payments, not added to them):"
                )
            ),
            sums=SafeString("; ".join(_money(cell) for cell in funded)),
        )
        if funded
        else "",
        currencies=fill(
            "<li>{text}</li>",
            text=_trusted(_("Each currency is summed on its own; they are never added together.")),
        )
        if len(summary["totals"]) > 1
        else "",
        cancelled=_note(
            summary["cancelled"],
            "cancelled",
            ngettext(
                "%(counter)s cancelled, not counted",
                "%(counter)s cancelled, not counted",
                summary["cancelled"],
            ),
        ),
        withdrawn=_note(
            summary["withdrawn"],
            "withdrawn",
            ngettext(
                "%(counter)s withdrawn, not counted",
                "%(counter)s withdrawn, not counted",
                summary["withdrawn"],
            ),
        ),
        confirmed_label=_trusted(_("confirmed by the akimat")),
        confirmed=localize(summary["confirmed"]),
        disputed_label=_trusted(_("disputed by residents")),
        disputed=localize(summary["disputed"]),
        links=fill(
            LINKS_HTML,
            **feed_urls,
            all=_trusted(_("All contributions here")),
            rss=_trusted(_("RSS feed")),
            csv_label=_trusted(_("Download CSV")),
            json_label=_trusted(_("Download JSON")),
        )
        if feed_urls
        else "",
    )
