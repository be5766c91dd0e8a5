"""seed_scale: the country-sized benchmark dataset, reproducible from its seed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from disclosures.models import Disclosure, Revision, StatusChange
from hearings.models import Hearing
from projects.models import Organisation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def seed(*args):
    out = StringIO()
    call_command("seed_scale", "--scale", "0.002", *args, stdout=out)
    return out.getvalue()


def fingerprint():
    return list(
        Disclosure.objects.order_by("pk").values_list("title_en", "category", "status")[:200]
    ), list(Hearing.objects.order_by("pk").values_list("title_en", "status")[:50])


@pytest.fixture(scope="module")
def places(module_transaction, django_db_blocker):
    """The whole classifier, imported once for the module's tests (each runs in a savepoint;
    the test of a database without places is in test_seed_scale_needs_places.py)."""
    with django_db_blocker.unblock():
        call_command("import_places", stdout=StringIO())


def test_fills_every_table_unevenly_and_reproducibly(places):
    with transaction.atomic():
        report = seed("--seed", "7")
        first = fingerprint()
        assert "contributions: 500" in report
        assert Disclosure.objects.count() == 500
        assert Hearing.objects.count() == 50
        assert Organisation.objects.companies().count() == 4
        assert StatusChange.objects.count() >= 500
        assert Revision.objects.count() >= 500
        per_village = sorted(
            (
                row["n"]
                for row in Disclosure.settlements.through.objects.values("place_id").annotate(
                    n=Count("pk")
                )
            ),
            reverse=True,
        )
        # Zipf-like weights; at this tiny scale only six villages, so only a mild skew shows.
        assert per_village[0] > per_village[len(per_village) // 2]
        # As the services write them: the language of what was typed, a reason only on what
        # was withdrawn or hidden (a reason on every record put a "Written in Russian" note
        # on every card of an English page).
        assert not Disclosure.objects.filter(language="").exists()
        assert not Hearing.objects.filter(language="").exists()
        assert not Disclosure.objects.filter(withdrawn_at=None).exclude(withdrawal_reason="")
        assert not Disclosure.objects.filter(hidden_at=None).exclude(hidden_reason="")
        transaction.set_rollback(True)
    with transaction.atomic():
        seed("--seed", "7")
        assert fingerprint() == first
        transaction.set_rollback(True)


def test_reuses_a_database_holding_the_same_seed_and_refuses_others(places):
    seed("--seed", "7")
    assert "already holds seed 7" in seed("--seed", "7", "--if-needed")
    assert Disclosure.objects.count() == 500
    with pytest.raises(CommandError, match="holds seed 7 .* rm -rf its BENCH_DIR"):
        seed("--seed", "8", "--if-needed")
