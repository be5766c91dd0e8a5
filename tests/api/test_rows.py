"""The read API's answers written by faster means say what DRF would: rows written by plain
functions are what DRF's fields, the schema's source, say (the same JSON, key by key and in
order, for every kind of record), and orjson writes DRF's JSON renderer's bytes."""

import datetime
import decimal
import json
import zoneinfo

from django.test import SimpleTestCase, TestCase
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from core.renderers import CompactJSONRenderer
from disclosures.api import DisclosureViewSet
from disclosures.models import Disclosure, Document, Revision
from disclosures.serializers import DisclosureSerializer
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingFactory,
    PhotoFactory,
    ProjectFactory,
    place_tree,
)


def by_fields(serializer, record):
    """DRF's own representation: field by field, from the declared and derived fields."""
    return serializers.Serializer.to_representation(serializer, record)


class DisclosureRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        places = place_tree()
        village, elsewhere = places["village"], places["elsewhere"]
        source = DisclosureFactory(published=True, settlements=[village])
        full = DisclosureFactory(
            published=True,
            settlements=[village, elsewhere],
            project=ProjectFactory(),
            hearing=HearingFactory(announced=True),
            funded_by=source,
            recipient_name="Мектеп",
            language="ru",
            translations={"recipient_name": {"kk": "Мектеп"}, "title": None},
            beneficiaries_count=120,
            reporting_year=2025,
            is_estimate=True,
        )
        PhotoFactory(disclosure=full, translations={"alt_text": {"kk": "Сурет"}})
        PhotoFactory(disclosure=full, thumbnail="")
        Document.objects.create(disclosure=full, title="Act", file="disclosures/d/a.pdf")
        Revision.objects.create(
            disclosure=full,
            action=Revision.Action.EDITED,
            changes=[
                {"field": "amount", "old": "1 KZT", "new": "2 KZT"},
                {"field": "title", "old": None, "new": "Жаңа", "language": "kk"},
                {"field": "beneficiaries_count", "old": 5, "new": None},
                {"field": "photo", "new": "added"},
            ],
            reason="Typo in the amount.",
            after_publication=True,
            version=2,
        )
        akimat = AkimatFactory(place=places["district"])
        ConfirmationFactory(disclosure=full, akimat=akimat, document="disclosures/c/v.pdf")
        ConfirmationFactory(disclosure=full, akimat=akimat, cannot_confirm=True)
        DisclosureFactory(withdrawn=True, settlements=[village], amount=None)
        DisclosureFactory(published=True, overdue=True, settlements=[village])
        DisclosureFactory(published=True, cancelled=True, settlements=[village])
        DisclosureFactory(published=True, in_progress=True, hearing=HearingFactory())
        DisclosureFactory(settlements=[village])  # a draft: its organisation's key reads it

    def assert_rows_as_fields(self, records):
        records = list(records)
        self.assertGreater(len(records), 0)
        page = DisclosureSerializer(records, many=True)
        fields = page.child
        expected = [by_fields(fields, record) for record in records]
        self.assertEqual(json.dumps(page.data), json.dumps(expected))
        for record, row in zip(records, expected, strict=True):
            self.assertEqual(json.dumps(DisclosureSerializer(record).data), json.dumps(row))

    def test_public_rows_are_what_the_fields_say(self):
        """Every kind of public record, in each language and in two time zones (DRF writes an
        instant in the current one, `Z` for UTC)."""
        records = DisclosureViewSet.with_everything(Disclosure.objects.published())
        for zone in ("Asia/Almaty", "UTC"):
            for language in ("kk", "ru", "en"):
                with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
                    self.assert_rows_as_fields(records.order_by("pk"))

    def test_own_rows_drafts_included_are_what_the_fields_say(self):
        records = DisclosureViewSet.with_everything(Disclosure.objects.all(), public=False)
        self.assert_rows_as_fields(records.order_by("pk"))


class CompactJSONRendererTests(SimpleTestCase):
    def test_bytes_are_drfs(self):
        """Every character JSON escapes or DRF escapes (U+2028, U+2029), text in every
        script, and what only DRF's encoder writes (instants, dates, decimals, lazy text)."""
        data = {
            "text": "".join(map(chr, range(0x80))) + "\u2028\u2029\u0085ә Ә ё 😀 \ufeff",
            "numbers": [0, -5, 10**18, True, False, None, 53.12345],
            "instant": datetime.datetime(2026, 12, 6, 10, 30, 15, 123456, tzinfo=datetime.UTC),
            "date": datetime.date(2026, 12, 6),
            "amount": decimal.Decimal("1500000.50"),
            "lazy": gettext_lazy("Give true or false."),
            "nested": [{"a": {}}, [], {"b": [None]}],
        }
        self.assertEqual(CompactJSONRenderer().render(data), JSONRenderer().render(data))
        self.assertEqual(CompactJSONRenderer().render(None), b"")
