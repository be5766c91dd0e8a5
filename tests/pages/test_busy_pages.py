"""A village, district or region page with ten times the demo's records costs no more queries
than an empty one. The records are made once for the module (`busy`); each level's test reads
them in a savepoint inside the module's transaction."""

import pytest

from disclosures.models import Category
from tests.factories import (
    AkimatFactory,
    ConfirmationFactory,
    DisclosureFactory,
    HearingFactory,
    PhotoFactory,
    ProjectFactory,
    ResidentFeedbackFactory,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def busy(module_media, module_transaction):
    """Sixty contributions with photos and voices over two villages, twenty hearings and ten
    projects."""
    places = place_tree()
    akimat = AkimatFactory(place=places["district"])
    villages = [places["village"], places["neighbour"]]
    for n in range(60):
        disclosure = DisclosureFactory(
            published=True, settlements=[villages[n % 2]], category=list(Category)[n % 10]
        )
        PhotoFactory(disclosure=disclosure)
        ResidentFeedbackFactory(disclosure=disclosure, kind="seen", moderation_status="approved")
        if n % 3 == 0:
            ConfirmationFactory(disclosure=disclosure, akimat=akimat)
    for _ in range(10):
        HearingFactory(announced=True, organiser=akimat, territory=[places["village"]])
        HearingFactory(record_published=True, organiser=akimat, territory=[places["village"]])
    for _ in range(10):
        ProjectFactory(primary_settlement=places["village"])
    return places


@pytest.mark.parametrize("level", ["village", "district", "region"])
def test_query_count_is_constant(client, busy, django_assert_max_num_queries, level):
    """A page with 10 times the demo's records costs no more queries than an empty one."""
    with django_assert_max_num_queries(25):
        response = client.get(busy[level].get_absolute_url())
    assert response.status_code == 200
