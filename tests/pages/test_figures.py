"""The figures on a page add up, and each one is what the rows say.

Every page with headline figures (village, rural district, district, region, company, akimat,
project) is read as a person reads it: the four sums (delivered, in progress, promised, overdue)
must add up to the total shown, per currency, and each sum must equal a recomputation in plain
Python from the disclosures themselves. Money paid out of a payment in the same set (`funded_by`)
is counted once, as part of the payment.
"""

import random
import re
from decimal import Decimal

from django.core.cache import caches
from django.test import TestCase
from django.utils import timezone

from disclosures.models import COUNTED_BUCKETS, Disclosure, PlaceFigures, Status
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    ProjectFactory,
    place_tree,
)

ROW = re.compile(r'<tr class="figure-\w+" data-figure="(\w+)">(.*?)</tr>', re.S)
COUNT = re.compile(r"<span data-count>(\d+)</span>")
MONEY = re.compile(r'data-currency="(\w+)" data-amount="([0-9.]+)"')
NOTE = re.compile(r'<li data-figure="(\w+)">(.*?)</li>', re.S)


def shown_figures(html):
    """{row: (count, {currency: amount})} as the page shows them, and the notes' amounts."""
    rows = {}
    for key, body in ROW.findall(html):
        count = int(COUNT.search(body).group(1))
        rows[key] = (count, {code: Decimal(amount) for code, amount in MONEY.findall(body)})
    notes = {key: body for key, body in NOTE.findall(html)}
    funded = {code: Decimal(amount) for code, amount in MONEY.findall(notes.get("funded", ""))}
    return rows, funded, notes


def recompute(disclosures, on):
    """The figures from the rows, in plain Python: what the page must show."""
    live = [d for d in disclosures if d.withdrawn_at is None]
    valued = {d.pk for d in live if d.status != Status.CANCELLED and d.amount is not None}
    counts = dict.fromkeys(COUNTED_BUCKETS, 0)
    sums = {key: {} for key in COUNTED_BUCKETS}
    funded = {}
    cancelled = 0
    for d in live:
        if d.status == Status.CANCELLED:
            cancelled += 1
            continue
        key = "overdue" if d.is_overdue(on) else d.status
        counts[key] += 1
        if d.amount is None:
            continue
        target = funded if d.funded_by_id in valued else sums[key]
        target[d.currency] = target.get(d.currency, Decimal("0")) + d.amount
    return {
        "counts": counts,
        "sums": sums,
        "funded": funded,
        "cancelled": cancelled,
        "withdrawn": len(disclosures) - len(live),
    }


class FiguresAddUp:
    """Mixin: check one page's figures against its rows."""

    def setUp(self):
        for cache in caches.all():
            cache.clear()

    def check_page(self, url, disclosures):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        html = response.content.decode()
        rows, funded, notes = shown_figures(html)
        self.assertEqual(set(rows), {*COUNTED_BUCKETS, "total"}, url)
        expected = recompute(list(disclosures), timezone.localdate())
        # The parts add up to the total, count and money, each currency on its own.
        total_count, total_money = rows["total"]
        self.assertEqual(sum(rows[key][0] for key in COUNTED_BUCKETS), total_count, url)
        added = {}
        for key in COUNTED_BUCKETS:
            for code, amount in rows[key][1].items():
                added[code] = added.get(code, Decimal("0")) + amount
        self.assertEqual(added, total_money, url)
        # Each figure is what the rows say.
        for key in COUNTED_BUCKETS:
            self.assertEqual(rows[key][0], expected["counts"][key], (url, key))
            self.assertEqual(rows[key][1], expected["sums"][key], (url, key))
        self.assertEqual(funded, expected["funded"], url)
        for key in ("cancelled", "withdrawn"):
            if expected[key]:
                self.assertIn(f"{expected[key]} {key}, not counted", notes[key], url)
            else:
                self.assertNotIn(key, notes, url)
        return rows, funded


class GeneratedFiguresTests(FiguresAddUp, TestCase):
    """Random (seeded) data with every twist: payments spent by akimats, chains of them,
    withdrawn and cancelled records, overdue promises, estimates, several currencies, hidden
    records and drafts. Every page's figures add up and match the rows."""

    @classmethod
    def setUpTestData(cls):
        rng = random.Random(20261130)
        cls.places = place_tree()
        settlements = [cls.places["village"], cls.places["neighbour"], cls.places["elsewhere"]]
        cls.companies = [CompanyFactory(), CompanyFactory()]
        cls.akimat = AkimatFactory(place=cls.places["rural"])
        cls.projects = [ProjectFactory(operator=company) for company in cls.companies]
        traits = ["delivered", "delivered", "in_progress", "promised", "overdue", "cancelled"]
        made = []
        for _ in range(80):
            organisation = rng.choice([*cls.companies, cls.akimat])
            kwargs = {
                rng.choice(traits): True,
                "organisation": organisation,
                "settlements": rng.sample(settlements, rng.randint(1, 2)),
                "currency": rng.choice(["KZT", "KZT", "KZT", "USD", "EUR"]),
                "amount": None if rng.random() < 0.15 else Decimal(rng.randint(1, 900) * 10_000),
                "is_estimate": rng.random() < 0.25,
            }
            if organisation in cls.companies and rng.random() < 0.5:
                kwargs["project"] = cls.projects[cls.companies.index(organisation)]
            if made and rng.random() < 0.35:  # paid out of an earlier one: chains happen
                kwargs["funded_by"] = rng.choice(made)
            visibility = rng.random()
            if visibility < 0.12:
                kwargs["withdrawn"] = True
            elif visibility < 0.17:
                kwargs.update(published=True, hidden=True)
            elif visibility < 0.22:
                pass  # a draft
            else:
                kwargs["published"] = True
            made.append(DisclosureFactory(**kwargs))
        cls.made = made

    def test_generated_data_has_every_twist(self):
        listed = Disclosure.objects.published()
        self.assertTrue(listed.filter(withdrawn_at__isnull=False).exists())
        self.assertTrue(listed.filter(status=Status.CANCELLED).exists())
        self.assertTrue(listed.overdue().exists())
        self.assertTrue(listed.filter(funded_by__funded_by__isnull=False).exists())  # chains
        self.assertGreater(listed.values("currency").distinct().count(), 1)

    def test_every_page_adds_up(self):
        listed = Disclosure.objects.published()
        for name in ("village", "neighbour", "rural", "district", "region", "elsewhere"):
            place = self.places[name]
            self.check_page(place.get_absolute_url(), listed.for_place(place))
        for organisation in [*self.companies, self.akimat]:
            self.check_page(
                organisation.get_absolute_url(), listed.filter(organisation=organisation)
            )
        for project in self.projects:
            self.check_page(project.get_absolute_url(), listed.filter(project=project))

    def test_summary_is_one_query(self):
        """However many rows, funders and currencies: one query (the place's ids are read once
        per place, before)."""
        region = self.places["region"]
        region.within_ids()
        with self.assertNumQueries(1):
            Disclosure.objects.published().for_place(region).summary()


class CountedOnceTests(FiguresAddUp, TestCase):
    """The rule on the smallest example."""

    def test_spending_out_of_a_payment_is_part_of_it(self):
        places = place_tree()
        village = places["village"]
        payment = DisclosureFactory(published=True, settlements=[village], amount=Decimal("150"))
        akimat = AkimatFactory(place=places["rural"])
        DisclosureFactory(
            published=True,
            in_progress=True,
            organisation=akimat,
            funded_by=payment,
            settlements=[village],
            amount=Decimal("60"),
        )
        summary = Disclosure.objects.published().for_place(village).summary()
        self.assertEqual(summary["totals"][0]["amount"], Decimal("150"))
        self.assertEqual(summary["funded"][0]["amount"], Decimal("60"))
        self.assertEqual((summary["delivered"], summary["in_progress"]), (1, 1))

    def test_spending_counts_where_the_payment_is_not_in_the_set(self):
        """On the akimat's own page the payment is not there: its spending is counted."""
        places = place_tree()
        payment = DisclosureFactory(published=True, settlements=[places["village"]])
        akimat = AkimatFactory(place=places["rural"])
        DisclosureFactory(
            published=True, organisation=akimat, funded_by=payment, amount=Decimal("60")
        )
        summary = Disclosure.objects.published().filter(organisation=akimat).summary()
        self.assertEqual(summary["totals"][0]["amount"], Decimal("60"))
        self.assertEqual(summary["funded"], [])

    def test_spending_out_of_a_withdrawn_payment_counts_itself(self):
        places = place_tree()
        village = places["village"]
        payment = DisclosureFactory(withdrawn=True, settlements=[village], amount=Decimal("150"))
        DisclosureFactory(
            published=True,
            organisation=AkimatFactory(place=places["rural"]),
            funded_by=payment,
            settlements=[village],
            amount=Decimal("60"),
        )
        summary = Disclosure.objects.published().for_place(village).summary()
        self.assertEqual(summary["totals"][0]["amount"], Decimal("60"))
        self.assertEqual(summary["withdrawn"], 1)

    def test_currencies_are_never_added(self):
        village = place_tree()["village"]
        DisclosureFactory(published=True, settlements=[village], amount=Decimal("10"))
        DisclosureFactory(
            published=True, settlements=[village], amount=Decimal("3"), currency="USD"
        )
        summary = Disclosure.objects.published().for_place(village).summary()
        self.assertEqual(
            [(row["currency"], row["amount"]) for row in summary["totals"]],
            [("KZT", Decimal("10")), ("USD", Decimal("3"))],
        )
        response = self.client.get(village.get_absolute_url())
        self.assertContains(response, "Each currency is summed on its own")

    def test_villages_table_sums_are_disjoint(self):
        """A district's table of villages: an overdue promise is "overdue" only, and the four
        columns add up to the village's counted contributions."""
        places = place_tree()
        village = places["village"]
        DisclosureFactory(published=True, overdue=True, settlements=[village])
        DisclosureFactory(published=True, promised=True, settlements=[village])
        DisclosureFactory(published=True, settlements=[village])
        DisclosureFactory(published=True, cancelled=True, settlements=[village])
        DisclosureFactory(withdrawn=True, settlements=[village])
        district = places["district"]
        figures = PlaceFigures.objects.by_settlement(district)[village.pk]
        self.assertEqual(
            (figures["delivered"], figures["in_progress"], figures["promised"], figures["overdue"]),
            (1, 0, 1, 1),
        )
        self.assertEqual(figures["total"], 4)  # the cancelled one too; never the withdrawn
