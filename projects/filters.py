from html import escape

import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from projects.models import Country, Organisation, Place, Project


def regions(request):
    return Place.objects.filter(level=Place.Level.REGION).order_by_name()


def districts(request):
    return Place.objects.filter(level=Place.Level.DISTRICT).order_by_name()


class PlainSelect(forms.Select):
    """A select of plain options (no groups), written here rather than through the widget
    templates: an include per option cost the lists' district filter (about 230) 70 ms of
    CPU, half an uncached list page, and each other select of a filter form a template render
    per option (docs/performance.md). The same markup as Django's
    django/forms/widgets/select.html for plain options."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'\n  <option value="{escape(str(option))}"'
            f"{' selected' if str(option) in chosen else ''}>{escape(str(label))}</option>"
            for option, label in self.choices
        )
        attributes = format_html_join(
            "",
            " {}{}",
            (
                (key, "" if value is True else format_html('="{}"', value))
                for key, value in self.build_attrs(self.attrs, attrs).items()
                if value is not False
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', name, attributes, mark_safe(options)
        )


class AreaChoices(ModelChoiceIterator):
    """The options of a `PlainSelect`: (KATO code, label) read as plain rows
    (`PlaceQuerySet.choices`), not as model instances."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.choices()


class AreaChoiceField(ModelChoiceField):
    iterator = AreaChoices


class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """A region or district, chosen by its KATO code from a `PlainSelect`."""

    field_class = AreaChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "kato_code")
        kwargs.setdefault("widget", PlainSelect)
        super().__init__(*args, **kwargs)


class SlugFilter(django_filters.ModelChoiceFilter):
    """An organisation or project by its address name (`?organisation=taiynsha-may`).

    A text box, not a select: at country scale the select listed thousands of companies and
    projects (hundreds of KB of HTML, and a join over every disclosure to build it). People
    arrive here from an organisation's or project's page, whose links fill it in.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocapitalize": "none"}))
        super().__init__(*args, **kwargs)


class PlaceChoiceFilter(AreaChoiceFilter):
    """Narrows to records whose settlements lie within the chosen region or district."""

    def __init__(self, *args, path_field, **kwargs):
        self.path_field = path_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__startswith": value.path}).distinct()


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name contains"), method="filter_text")
    region = PlaceChoiceFilter(label=_("Region"), queryset=regions, path_field="settlements__path")
    district = PlaceChoiceFilter(
        label=_("District"), queryset=districts, path_field="settlements__path"
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Project.Sector.choices, widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Project.Status.choices, widget=PlainSelect
    )
    investor_country = django_filters.ChoiceFilter(
        label=_("Investor country"),
        choices=Country.choices,
        method="filter_investor_country",
        widget=PlainSelect,
    )
    bri = django_filters.BooleanFilter(
        label=_("Belt and Road Initiative"),
        field_name="is_bri",
        widget=PlainSelect(choices=[("", _("any")), ("true", _("yes")), ("false", _("no"))]),
    )

    class Meta:
        model = Project
        fields = []

    def filter_text(self, queryset, name, value):
        words = value.strip()
        if not words:
            return queryset
        return queryset.filter(
            Q(name_kk__icontains=words) | Q(name_ru__icontains=words) | Q(name_en__icontains=words)
        )

    def filter_investor_country(self, queryset, name, value):
        return queryset.filter(
            Q(operator__country=value)
            | Q(operator__owner_countries__contains=value)
            | Q(investors__country=value)
            | Q(investors__owner_countries__contains=value)
        ).distinct()


class PlaceFilter(django_filters.FilterSet):
    """Places of the KATO classifier: by level and kind, or everything within one place."""

    level = django_filters.ChoiceFilter(label=_("Level"), choices=Place.Level.choices)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Place.Kind.choices)
    parent = django_filters.ModelChoiceFilter(
        label=_("Part of (KATO code)"), queryset=Place.objects.all(), to_field_name="kato_code"
    )
    within = django_filters.ModelChoiceFilter(
        label=_("Within (KATO code)"),
        queryset=Place.objects.all(),
        to_field_name="kato_code",
        method="filter_within",
    )

    class Meta:
        model = Place
        fields = []

    def filter_within(self, queryset, name, value):
        return queryset.within(value)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices)
    bin = django_filters.CharFilter(label=_("BIN"))
    country = django_filters.ChoiceFilter(label=_("Country"), choices=Country.choices)

    class Meta:
        model = Organisation
        fields = []
