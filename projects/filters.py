from html import escape

import django_filters
from django import forms
from django.db.models import Q
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from projects.forms import PlacePickerInput
from projects.models import Country, Organisation, Place, Project, area_choices


def html_attributes(attrs):
    """A widget's attributes as django/forms/widgets/attrs.html writes them."""
    return format_html_join(
        "",
        " {}{}",
        (
            (key, "" if value is True else format_html('="{}"', value))
            for key, value in attrs.items()
            if value is not False
        ),
    )


# A filter form's widgets are written here rather than through Django's widget templates: an
# include per option cost the lists' district filter (about 230) 70 ms of CPU, half an uncached
# list page, and a template render per widget 6 ms more (docs/performance.md). The same markup
# as Django's django/forms/widgets/select.html (plain options) and input.html; each named
# `<Kind>Widget` so that `BoundField.widget_type` stays Django's ("select", "checkbox",
# "placepicker"...), which templates/includes/_form.html tests.


class SelectWidget(forms.Select):
    """A select of plain options: no groups (a nested choice would be written as its label)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'\n  <option value="{escape(str(option))}"'
            f"{' selected' if str(option) in chosen else ''}>{escape(str(label))}</option>"
            for option, label in self.choices
        )
        attributes = html_attributes(self.build_attrs(self.attrs, attrs))
        return format_html(
            '<select name="{}"{}>{}\n</select>', name, attributes, mark_safe(options)
        )


class PlainInput:
    """Mixin of an <input> widget: `render` without the template."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        shown = "" if shown is None else format_html(' value="{}"', shown)
        attributes = html_attributes(widget["attrs"])
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], name, shown, attributes
        )


class TextWidget(PlainInput, forms.TextInput):
    pass


class NumberWidget(PlainInput, forms.NumberInput):
    pass


class CheckboxWidget(PlainInput, forms.CheckboxInput):
    pass


class PlacePickerWidget(PlainInput, PlacePickerInput):
    """The lists' place filter: one KATO code, typed or picked by name."""

    def __init__(self, attrs=None):
        digits = {"inputmode": "numeric", "pattern": "[0-9]{9}"}
        super().__init__({**digits, **(attrs or {})}, multiple=False)


class FilterBoundField(BoundField):
    """A filter's field whose label is written here rather than through Django's label
    template: a template render per label cost a list page's fourteen labels about 7 ms of CPU
    (docs/performance.md). The same markup as django/forms/label.html for a field with an id."""

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        custom = (contents, attrs, label_suffix, tag) != (None, None, None, None)
        # Django adds no suffix after a label ending in punctuation: such a label, a required
        # field or one without an id goes the template's way.
        ends_in_punctuation = str(self.label)[-1:] in ":?.!"
        if custom or ends_in_punctuation or self.field.required or not self.id_for_label:
            return super().label_tag(contents, attrs, label_suffix, tag)
        suffix = self.field.label_suffix
        suffix = self.form.label_suffix if suffix is None else suffix
        return format_html('<label for="{}">{}{}</label>', self.id_for_label, self.label, suffix)


# A filter's row as templates/includes/_form.html writes it (`FilterForm.__str__`), a checkbox
# before its label.
FILTER_ROW = (
    '\n  <div class="field">\n    '
    "\n      {label}\n      \n      {widget}\n    "
    "\n    {help}\n    \n  </div>\n"
)
CHECKBOX_ROW = (
    '\n  <div class="field">\n    '
    "\n      {widget} {label}\n      \n    "
    "\n    {help}\n    \n  </div>\n"
)
PICKER_SCRIPT = '<script src="{}" defer></script>'


class FilterForm(forms.Form):
    """The form of a list's filters (`Meta.form` of its FilterSet), written as every form is
    by templates/includes/_form.html: `{{ filterset.form }}`. Its region and district selects
    share one read of their options (`AreaOptions`)."""

    bound_field_class = FilterBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = [f for f in self.fields.values() if isinstance(f, AreaChoiceField) and f.level]
        options = AreaOptions()
        for field in areas:
            field.options = options

    def __str__(self):
        """The template's markup, written here for a form of visible fields without errors
        (one with errors, a 400, goes the template's way): the template placing a list's
        fourteen labels, widgets and help texts cost about 1.3 ms of CPU of an uncached list
        page. Held to the template by tests/projects/test_list_selects.py."""
        if self.errors or self.hidden_fields():
            return render_to_string("includes/_form.html", {"form": self})
        fields = self.visible_fields()
        rows = "".join(map(filter_row, fields))
        picker = any(field.widget_type == "placepicker" for field in fields)
        script = format_html(PICKER_SCRIPT, static("js/place-picker.js")) if picker else ""
        return mark_safe(f"\n\n\n{rows}\n{script}\n")

    __html__ = __str__


def filter_row(field):
    """A field's row of `FilterForm.__str__`: its label, its widget and its help text."""
    row = CHECKBOX_ROW if field.widget_type == "checkbox" else FILTER_ROW
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<p class="help" id="{}_helptext">{}</p>', field.auto_id, field.help_text
        )
    return row.format(label=field.label_tag(), widget=field, help=help_text)


# {(FilterSet class, language): its form class}: a few classes per process.
_FORM_CLASSES = {}


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose form class is built once per process and language, not on every
    request: django-filter's `get_form_class` built every filter's form field and a new form
    class each time, about 3 ms of an uncached list page (docs/performance.md). The class
    holds no data and no request (each form deep-copies its fields); the language is in the
    key because a place select orders its options by the name in the page's language."""

    def get_form_class(self):
        key = (type(self), get_language())
        if key not in _FORM_CLASSES:
            _FORM_CLASSES[key] = super().get_form_class()
        return _FORM_CLASSES[key]


class AreaOptions:
    """The options of a form's region and district selects, {level: [(KATO code, label)]}, read
    in one query (`projects.models.area_choices`) when the first select is rendered, never
    when the form is not (an export): a query per select cost an uncached list page about
    2 ms (docs/performance.md)."""

    @cached_property
    def by_level(self):
        return area_choices()


class AreaChoices(ModelChoiceIterator):
    """The options of a `SelectWidget`: (KATO code, label) read as plain rows, not as model
    instances."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        options = self.field.options or AreaOptions()
        yield from options.by_level.get(self.field.level, [])


class AreaChoiceField(ModelChoiceField):
    """A place of one level by its KATO code; its options come from the form's `AreaOptions`."""

    iterator = AreaChoices
    options = None  # outside a `FilterForm`, its own query

    def __init__(self, *args, level=None, **kwargs):
        self.level = level
        super().__init__(*args, **kwargs)


class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """A place by its KATO code: a region or district (`level`) from a `SelectWidget`, or any
    place of `queryset`."""

    field_class = AreaChoiceField

    def __init__(self, *args, level=None, **kwargs):
        kwargs.setdefault("to_field_name", "kato_code")
        kwargs.setdefault("widget", SelectWidget)
        if level:
            kwargs["queryset"] = Place.objects.filter(level=level)
        super().__init__(*args, level=level, **kwargs)


class SlugFilter(django_filters.ModelChoiceFilter):
    """An organisation or project by its address name (`?organisation=taiynsha-may`).

    A text box, not a select: at country scale the select listed thousands of companies and
    projects (hundreds of KB of HTML, and a join over every disclosure to build it). People
    arrive here from an organisation's or project's page, whose links fill it in.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", TextWidget(attrs={"autocapitalize": "none"}))
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


class ProjectFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Name contains"), method="filter_text", widget=TextWidget)
    region = PlaceChoiceFilter(
        label=_("Region"), level=Place.Level.REGION, path_field="settlements__path"
    )
    district = PlaceChoiceFilter(
        label=_("District"), level=Place.Level.DISTRICT, path_field="settlements__path"
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Project.Sector.choices, widget=SelectWidget
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Project.Status.choices, widget=SelectWidget
    )
    investor_country = django_filters.ChoiceFilter(
        label=_("Investor country"),
        choices=Country.choices,
        method="filter_investor_country",
        widget=SelectWidget,
    )
    bri = django_filters.BooleanFilter(
        label=_("Belt and Road Initiative"),
        field_name="is_bri",
        widget=SelectWidget(choices=[("", _("any")), ("true", _("yes")), ("false", _("no"))]),
    )

    class Meta:
        model = Project
        fields = []
        form = FilterForm

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
