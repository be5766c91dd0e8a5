"""The public list's filters; the base queryset is already the public one, filters only narrow."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearings.models import Hearing, LegalBasis
from projects.filters import (
    CheckboxWidget,
    FilterForm,
    ListFilterSet,
    PlacePickerWidget,
    SelectWidget,
    SlugFilter,
)
from projects.models import Organisation, Place, Project


class ConcerningFilter(django_filters.ModelChoiceFilter):
    """Hearings that concern the place with this KATO code (inside it or containing it)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "kato_code")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs.concerning(value) if value else qs


class HearingFilter(ListFilterSet):
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[("upcoming", _("upcoming")), ("past", _("past"))],
        method="filter_when",
        empty_label=_("any time"),
        widget=SelectWidget,
    )
    place = ConcerningFilter(
        label=_("Settlement or area (KATO code)"),
        queryset=Place.objects.all(),
        widget=PlacePickerWidget,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in Hearing.Status.choices if c[0] != "draft"],
        widget=SelectWidget,
    )
    legal_basis = django_filters.ChoiceFilter(
        label=_("Legal basis"), choices=LegalBasis.choices, widget=SelectWidget
    )
    organiser = SlugFilter(label=_("Organising akimat"), queryset=Organisation.objects.akimats())
    project = SlugFilter(label=_("Project"), queryset=Project.objects.all())

    hide_cancelled = django_filters.BooleanFilter(
        label=_("Hide cancelled hearings and those that did not take place"),
        method="filter_hide_cancelled",
        widget=CheckboxWidget,
    )

    class Meta:
        model = Hearing
        fields = []
        form = FilterForm

    def filter_hide_cancelled(self, qs, name, value):
        """Cancelled hearings and those that did not take place are listed, marked, unless this
        is ticked."""
        hidden = [Hearing.Status.CANCELLED, Hearing.Status.FAILED]
        return qs.exclude(status__in=hidden) if value else qs

    def filter_when(self, qs, name, value):
        now = timezone.now()
        if value == "upcoming":
            return qs.upcoming(now)
        if value == "past":
            return qs.past(now)
        return qs
