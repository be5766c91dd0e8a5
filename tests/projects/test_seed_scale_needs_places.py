"""seed_scale on a database without the classifier (test_seed_scale.py imports it for its
tests)."""

import pytest
from django.core.management.base import CommandError

from projects.models import Place
from tests.projects.test_seed_scale import seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_refuses_a_database_without_the_places():
    assert not Place.objects.exists()
    with pytest.raises(CommandError, match="Import the places first"):
        seed()
