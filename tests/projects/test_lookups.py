"""`field__any`: the same rows as `field__in`, with the ids sent as one array on PostgreSQL."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from disclosures.models import Disclosure
from tests.factories import DisclosureFactory, PlaceFactory


class AnyOfTests(TestCase):
    def test_the_same_rows_as_in_with_one_parameter(self):
        places = PlaceFactory.create_batch(3)
        items = [DisclosureFactory(settlements=[place]) for place in places]
        ids = [item.pk for item in items[:2]] + [10**9]
        links = Disclosure.settlements.through.objects
        with CaptureQueriesContext(connection) as queries:
            found = sorted(
                links.filter(disclosure_id__any=ids).values_list("disclosure_id", "place_id")
            )
        self.assertEqual(
            found,
            sorted(links.filter(disclosure_id__in=ids).values_list("disclosure_id", "place_id")),
        )
        self.assertEqual(len(found), 2)
        if connection.vendor == "postgresql":
            self.assertIn("= ANY(", queries[0]["sql"])
        self.assertEqual(list(Disclosure.objects.filter(pk__any=[])), [])
