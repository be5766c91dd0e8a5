"""The migrations' seeded rows (tests/seeds.py) come back whole after a flush, so a page that
shows them looks the same whichever tests ran before it on the worker."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from hearings.models import Rule, RuleSet, TransferDecree
from tests.seeds import install_seeded_rows

RULE_COLUMNS = [f.attname for f in Rule._meta.concrete_fields if f.name not in ("id", "rule_set")]


def _seeded():
    return (
        sorted(Group.objects.values_list("name", flat=True)),
        sorted(RuleSet.objects.values_list("code", "regime", "in_force_from", "document")),
        sorted(
            Rule.objects.values_list("rule_set__code", *RULE_COLUMNS),
            key=lambda row: [str(value) for value in row],
        ),
        list(TransferDecree.objects.values_list("year", "source", "url", "language")),
    )


@pytest.mark.django_db(transaction=True)
def test_a_flush_then_the_seeds_give_back_the_migrated_rows_and_the_legal_page(client):
    before = _seeded()
    assert before[0] and before[1] and before[3]  # roles, rule sets, the 2026 decree

    # A transactional test's teardown: the flush's post_migrate puts them back (tests/seeds.py).
    call_command("flush", interactive=False, verbosity=0)
    assert _seeded() == before

    Rule.objects.all().delete()
    RuleSet.objects.all().delete()
    TransferDecree.objects.all().delete()
    Group.objects.all().delete()
    install_seeded_rows()
    assert _seeded() == before
    page = client.get("/en/legal/").content.decode()
    decree = TransferDecree.objects.get(year=2026)
    assert f'2026: <span lang="ru">{decree.source}</span>' in page
    for rule_set in RuleSet.objects.all():
        assert str(rule_set.document) in page
