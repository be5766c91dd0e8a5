"""The read API's representation of places, organisations and projects (field names are stable
English; values are codes, not labels, so that they do not change with the reader's language)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import PlainRows
from core.metadata import absolute, absolute_media, absolute_template
from core.validators import KATO_LENGTH, check_list_size
from projects.models import Organisation, Place, Project

LANGUAGES = ("kk", "ru", "en")


class Translations(serializers.Serializer):
    """A text in Kazakh, Russian and English ("" where it was not given)."""

    kk = serializers.CharField()
    ru = serializers.CharField()
    en = serializers.CharField()

    def __init__(self, base, **kwargs):
        self.base = base
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return texts(instance, self.base)


def texts(row, base):
    """`Translations(base)`: the text in each language, "" where it was not given."""
    return {language: getattr(row, f"{base}_{language}") or "" for language in LANGUAGES}


class TextVersions(serializers.Serializer):
    """A text's versions added in other languages than it was written in (only those added)."""

    kk = serializers.CharField(required=False)
    ru = serializers.CharField(required=False)
    en = serializers.CharField(required=False)


class AddedTranslations(serializers.DictField):
    """The record's texts typed in one language (whose language `language` or
    `<field>_language` gives) in the other languages its author added later:
    {field: {language: text}}, e.g. {"recipient_name": {"kk": "…"}}; {} when none."""

    def __init__(self, **kwargs):
        super().__init__(
            child=TextVersions(),
            read_only=True,
            help_text="Versions added later in other languages: {field: {language: text}}, "
            'e.g. {"recipient_name": {"kk": "…"}}; the field keeps its original.',
            **kwargs,
        )

    def to_representation(self, value):
        """What DictField and TextVersions give, without a serializer's round per text: a
        list page holds hundreds of these."""
        return {
            str(field): None if versions is None else text_versions(versions)
            for field, versions in value.items()
        }


# For rows written by plain functions (`disclosure_row`, `hearing_row`).
ADDED = AddedTranslations()


def text_versions(versions):
    """TextVersions' representation: the languages given, in LANGUAGES' order, as text."""
    if not isinstance(versions, Mapping):
        return {}
    return {
        language: None if versions[language] is None else str(versions[language])
        for language in LANGUAGES
        if language in versions
    }


class LoggedChange(serializers.Serializer):
    """One changed field of a change log entry, as codes; `language` when a translation was
    added (the field's version in that language)."""

    field = serializers.CharField()
    old = serializers.CharField(allow_null=True, required=False)
    new = serializers.CharField(allow_null=True, required=False)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)


def logged_change(change):
    """`LoggedChange`: a change log's entry as text; `language` only where it is given."""
    old, new = change.get("old"), change.get("new")
    written = {
        "field": str(change["field"]),
        "old": None if old is None else str(old),
        "new": None if new is None else str(new),
    }
    if "language" in change:
        written["language"] = change["language"]
    return written


class AbsoluteURL(serializers.URLField):
    """The absolute address of the object's public page (or of a stored file with `file=`), on
    the public site (SITE_URL) whatever host name the request came through, as in the feeds."""

    def __init__(self, file=None, view=None, **kwargs):
        self.file = file
        self.view = view  # the page's view, when its address is `view` with the row's `pk`
        self.templates = {}
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        if self.file:
            return file_url(getattr(instance, self.file))
        if self.view:  # reversed once for a page's rows, not once for each
            language = get_language()
            if language not in self.templates:
                self.templates[language] = absolute_template(self.view, "pk")
            return self.templates[language].format(instance.pk)
        return absolute(instance.get_absolute_url())


def file_url(stored):
    """`AbsoluteURL(file=…)`: a stored file's absolute address, or None."""
    return absolute_media(stored.url) if stored else None


class KatoCodes(serializers.ListField):
    """Places written as a list of KATO codes: at most MAX_PLACES_PER_LIST, checked for length
    before any item is, and looked up in one query for them all."""

    default_error_messages = {"unknown": _("No place has the KATO code %(value)s.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 1)
        super().__init__(child=serializers.CharField(max_length=KATO_LENGTH), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list):
            try:
                check_list_size(data)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages, code="too_many") from error
        codes = list(dict.fromkeys(super().to_internal_value(data)))
        places = {p.kato_code: p for p in Place.objects.filter(kato_code__in=codes)}
        for code in codes:
            if code not in places:
                message = self.error_messages["unknown"] % {"value": code}
                raise serializers.ValidationError(message, code="unknown")
        return [places[code] for code in codes]

    def to_representation(self, value):
        return [place.kato_code for place in value.all()]


class OptionalURL(serializers.URLField):
    """A web address, or null where none was given (never an empty string)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class OptionalEmail(serializers.EmailField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class PlaceSerializer(PlainRows, serializers.ModelSerializer):
    id = serializers.CharField(source="kato_code", read_only=True)
    name = Translations("name")
    parent = serializers.SlugRelatedField(slug_field="kato_code", read_only=True, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    url = AbsoluteURL()

    class Meta:
        model = Place
        fields = ["id", "name", "level", "kind", "parent", "latitude", "longitude", "slug", "url"]


class OrganisationSerializer(PlainRows, serializers.ModelSerializer):
    id = serializers.CharField(source="slug", read_only=True)
    name = Translations("name")
    description = Translations("description")
    owner_countries = serializers.ListField(
        source="owner_country_codes", child=serializers.CharField(), read_only=True
    )
    place = serializers.SlugRelatedField(slug_field="kato_code", read_only=True, allow_null=True)
    website = OptionalURL()
    email = OptionalEmail()
    url = AbsoluteURL()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "bin",
            "name",
            "country",
            "owner_countries",
            "place",
            "website",
            "email",
            "phone",
            "description",
            "url",
        ]


class ProjectSerializer(PlainRows, serializers.ModelSerializer):
    id = serializers.CharField(source="slug", read_only=True)
    name = Translations("name")
    description = Translations("description")
    operator = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    investors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    primary_settlement = serializers.SlugRelatedField(slug_field="kato_code", read_only=True)
    settlements = serializers.SlugRelatedField(slug_field="kato_code", many=True, read_only=True)
    website = OptionalURL()
    url = AbsoluteURL()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "operator",
            "investors",
            "sector",
            "status",
            "primary_settlement",
            "settlements",
            "start_date",
            "commissioning_date",
            "investment_amount",
            "investment_currency",
            "jobs_planned",
            "jobs_created",
            "jobs_local",
            "is_bri",
            "description",
            "website",
            "created_at",
            "updated_at",
            "url",
        ]
