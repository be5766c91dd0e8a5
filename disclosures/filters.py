"""One FilterSet for the public list and its CSV and JSON exports: same URL query, same rows."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosures.models import OVERDUE, Basis, Category, Disclosure, Status, bucket_label
from projects.filters import (
    AreaChoiceFilter,
    CheckboxWidget,
    FilterForm,
    ListFilterSet,
    NumberWidget,
    PlacePickerWidget,
    SelectWidget,
    SlugFilter,
    TextWidget,
)
from projects.models import Organisation, Place, Project


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


# Bounds of what a value can be: beyond them a number is a typo or an attack (`1e131072`).
AMOUNT_DIGITS = 18


class DisclosureFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Text contains"), method="filter_text", widget=TextWidget)
    region = AreaChoiceFilter(label=_("Region"), level=Place.Level.REGION, method="filter_within")
    district = AreaChoiceFilter(
        label=_("District"), level=Place.Level.DISTRICT, method="filter_within"
    )
    place = AreaChoiceFilter(
        label=_("Settlement or area (KATO code)"),
        queryset=Place.objects.all(),
        widget=PlacePickerWidget,
        method="filter_within",
    )
    organisation = SlugFilter(label=_("Organisation"), queryset=Organisation.objects.all())
    project = SlugFilter(label=_("Project"), queryset=Project.objects.all())
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, widget=SelectWidget
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Status.choices, (OVERDUE, bucket_label(OVERDUE))],
        method="filter_status",
        widget=SelectWidget,
    )
    basis = django_filters.ChoiceFilter(
        label=_("Basis"), choices=Basis.choices, widget=SelectWidget
    )
    year = YearFilter(
        label=_("Year"),
        method="filter_year",
        help_text=_("Delivered in, or due in, this year."),
        min_value=1991,
        max_value=2100,
        widget=NumberWidget,
    )
    amount_min = django_filters.NumberFilter(
        label=_("Value from"),
        field_name="amount",
        lookup_expr="gte",
        min_value=0,
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        widget=NumberWidget,
    )
    amount_max = django_filters.NumberFilter(
        label=_("Value up to"),
        field_name="amount",
        lookup_expr="lte",
        min_value=0,
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        widget=NumberWidget,
    )
    hide_withdrawn = django_filters.BooleanFilter(
        label=_("Hide withdrawn and cancelled"),
        method="filter_hide_withdrawn",
        widget=CheckboxWidget,
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("published_at", "published"),
            ("amount", "value"),
            ("due_date", "due"),
            ("delivered_date", "delivered"),
        ),
        # Each direction says what comes first, in words ("Newest first"), not "(descending)":
        # ascending labels are keyed by the model field, descending ones by "-<param>".
        field_labels={
            "published_at": _("Oldest first"),
            "-published": _("Newest first"),
            "amount": _("Least expensive first"),
            "-value": _("Most expensive first"),
            "due_date": _("Due date: soonest first"),
            "-due": _("Due date: latest first"),
            "delivered_date": _("Delivered: earliest first"),
            "-delivered": _("Delivered: most recent first"),
        },
        widget=SelectWidget,
    )

    class Meta:
        model = Disclosure
        fields = []
        form = FilterForm

    def filter_within(self, queryset, name, value):
        """Disclosures for settlements within the chosen place (by KATO code), from the place's
        own `ListedPlace` rows (`listed_in`): every base queryset here is `published()`, which
        those rows list. No query for the place's subtree, and a plan that fits the place:
        `for_place`'s array of its places' ids took PostgreSQL 3-45 ms for some districts and
        a region at scale 0.05, the place's rows under 1 ms (docs/performance.md)."""
        return queryset.listed_in(value)

    def filter_text(self, queryset, name, value):
        words = value.strip()
        if not words:
            return queryset
        condition = Q(recipient_name__icontains=words) | Q(
            beneficiaries_description__icontains=words
        )
        for language in ("kk", "ru", "en"):
            condition |= Q(**{f"title_{language}__icontains": words})
            condition |= Q(**{f"description_{language}__icontains": words})
        return queryset.filter(condition)

    def filter_status(self, queryset, name, value):
        if value == OVERDUE:
            return queryset.overdue()
        return queryset.filter(status=value)

    def filter_hide_withdrawn(self, queryset, name, value):
        """Withdrawn and cancelled records are listed unless this is ticked."""
        return queryset.current() if value else queryset

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(
            Q(delivered_date__year=year)
            | Q(delivered_date__isnull=True, due_date__year=year)
            | Q(delivered_date__isnull=True, due_date__isnull=True, published_at__year=year)
        )

    @property
    def qs(self):
        # Sorting keeps a stable tiebreak so pages never repeat or skip a row.
        queryset = super().qs
        ordering = list(queryset.query.order_by)
        if ordering and "-pk" not in ordering and "pk" not in ordering:
            queryset = queryset.order_by(*ordering, "-pk")
        return queryset
