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
from hearings import clock
from hearings.api import HearingViewSet
from hearings.models import (
    Art87Subparagraph,
    DecisionNotice,
    Hearing,
    HearingChange,
    HearingFailure,
    ParticipationForm,
)
from hearings.serializers import HearingSerializer
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingDocumentFactory,
    HearingFactory,
    HearingPromiseFactory,
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


class HearingRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        places = place_tree()
        village, elsewhere = places["village"], places["elsewhere"]
        announced = HearingFactory(
            announced=True,
            territory=[village, elsewhere],
            project=ProjectFactory(),
            languages="kk, ru",
            online_link="https://meet.example.org/h",
            media_url="https://gazeta.example.kz/n/1",
            media_outlet="Газета",
            media_published_on=datetime.date(2026, 1, 5),
            art87_subparagraph=Art87Subparagraph.SP3_8,
            ended_before_assessment=True,
            request_received_on=datetime.date(2026, 1, 2),
            translations={"cancellation_reason": {"kk": "Себеп"}},
        )
        document = HearingDocumentFactory(hearing=announced)
        HearingChange.objects.create(
            hearing=announced,
            action=HearingChange.Action.DOCUMENT_ADDED,
            at=announced.announced_at + datetime.timedelta(days=1, microseconds=120),
            document=document,
            by_staff=True,
        )
        HearingChange.objects.create(
            hearing=announced,
            action=HearingChange.Action.RESCHEDULED,
            at=announced.announced_at + datetime.timedelta(days=2),
            reason="Зал занят.",
            changes=[{"field": "venue", "old": "A", "new": "B", "language": "ru"}],
            old_starts_at=announced.starts_at,
            new_starts_at=announced.starts_at + datetime.timedelta(days=7),
            old_venue="A",
            new_venue="B",
        )
        HearingCommentFactory(
            hearing=announced, answered=True, translations={"text": {"kk": "Сұрақ"}}
        )
        HearingCommentFactory(hearing=announced)  # pending: not public
        HearingFactory(
            announced=True,
            form=ParticipationForm.PUBLIC_DISCUSSION,
            discussion_ends_on=datetime.date(2027, 3, 1),
            art87_subparagraph=Art87Subparagraph.RULES_165,
        )
        recorded = HearingFactory(
            record_published=True,
            video_url="https://video.example.org/v",
            record_summary_ru="Итоги.",
        )
        HearingPromiseFactory(hearing=recorded, translations={"text": {"kk": "Уәде"}})
        DecisionNotice.objects.create(
            hearing=recorded,
            authority="Управление",
            decided_on=datetime.date(2026, 2, 1),
            outcome=DecisionNotice.Outcome.CONDITIONS,
            reasons="Согласовано.",
            language="ru",
            url="https://gov.example.kz/d",
            document=HearingDocumentFactory(hearing=recorded),
        )
        failed = HearingFactory(past=True, status=Hearing.Status.FAILED)
        HearingFailure.objects.create(
            hearing=failed, kind=HearingFailure.Kind.NO_QUORUM, reason="Никто не пришёл."
        )
        HearingFactory(announced=True, repeat_of=failed)
        HearingFactory(repeat_of=failed)  # a draft repeat: not public
        HearingFactory(held=True)
        HearingFactory(cancelled=True)

    def test_rows_are_what_the_fields_say(self):
        """Every kind of public hearing (announced, a public discussion, held, its record with
        promises and the decision, failed with its repeat, cancelled), in each language and in
        two time zones."""
        records = HearingViewSet().represented(Hearing.objects.published()).order_by("pk")
        for zone in ("Asia/Almaty", "UTC"):
            for language in ("kk", "ru", "en"):
                with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
                    hearings = clock.prepare(records)
                    self.assertEqual(len(hearings), 7)
                    page = HearingSerializer(hearings, many=True)
                    expected = [by_fields(page.child, hearing) for hearing in hearings]
                    self.assertEqual(
                        json.dumps(page.data, default=str), json.dumps(expected, default=str)
                    )


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
