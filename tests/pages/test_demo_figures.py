"""The demo's figures add up, and each one is what the rows say (tests/pages/test_figures.py
reads the figures; this module holds the tests that stand on the demo, a copy of the run's demo
database: tests/conftest.py's `demo_database`, in force for the whole module)."""

from decimal import Decimal

import pytest
from django.test import TestCase

from disclosures.models import Disclosure
from projects.models import Organisation, Place, Project
from tests.pages.test_figures import FiguresAddUp


@pytest.mark.usefixtures("demo_database")
class DemoFiguresTests(FiguresAddUp, TestCase):
    """The demo's pages: Nura counts the company's payment once, Ilyichevka's overdue promise
    is not delivered, and every page's figures add up."""

    def test_nura_counts_the_payment_once(self):
        """The akimat's 60 M roof paid out of the company's 150 M is part of the 150 M."""
        nura = Place.objects.get(kato_code="194069100")
        rows, funded = self.check_page(
            nura.get_absolute_url(), Disclosure.objects.published().for_place(nura)
        )
        self.assertEqual(rows["total"][1], {"KZT": Decimal("150000000")})
        self.assertEqual(funded, {"KZT": Decimal("60000000")})

    def test_ilyichevka_keeps_the_overdue_promise_apart(self):
        """The overdue promise is in "overdue", not in "delivered"; the withdrawn record is
        listed, greyed with its reason, and not counted."""
        ilyichevka = Place.objects.get(kato_code="596036500")
        here = Disclosure.objects.published().for_place(ilyichevka)
        rows, _funded = self.check_page(ilyichevka.get_absolute_url(), here)
        late = [d for d in here if d.is_overdue()]
        self.assertEqual(len(late), 1)
        self.assertEqual(rows["overdue"], (1, {"KZT": late[0].amount}))
        delivered = sum(d.amount for d in here if d.status == "delivered" and not d.withdrawn_at)
        self.assertEqual(rows["delivered"][1], {"KZT": delivered})
        response = self.client.get(ilyichevka.get_absolute_url())
        self.assertContains(response, "is-withdrawn")
        self.assertContains(response, "Внесено дважды: инвентарь вошёл в ремонт школы.")
        self.assertContains(response, "≈ ")  # the houses' value is an estimate
        self.assertContains(response, "includes estimates")

    def test_every_demo_page_adds_up(self):
        """Every place with a contribution (and the places above it), every organisation and
        every project: parts add up to totals and match the rows."""
        listed = Disclosure.objects.published()
        places = set()
        for disclosure in listed.prefetch_related("settlements"):
            for settlement in disclosure.settlements.all():
                places.update(settlement.ancestors())
                places.add(settlement)
        for place in places:
            self.check_page(place.get_absolute_url(), listed.for_place(place))
        for organisation in Organisation.objects.all():
            self.check_page(
                organisation.get_absolute_url(), listed.filter(organisation=organisation)
            )
        for project in Project.objects.all():
            self.check_page(project.get_absolute_url(), listed.filter(project=project))
        self.assertEqual(self.client.get("/en/").status_code, 200)
