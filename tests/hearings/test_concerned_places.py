"""The places whose pages show a hearing (`ConcernedPlace`) follow every write: its territory,
its date, a new place, a moved place; and `rebuild()` writes the same rows again."""

import pytest

from hearings import concerned, services
from hearings.models import ConcernedPlace, Hearing
from tests.factories import HearingFactory, PlaceFactory, UserFactory, place_tree

from .conftest import local_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("binding_rules")]


def shown(place):
    """(upcoming, past) hearings on the place's page, as the page reads them."""
    return (
        list(Hearing.objects.forthcoming_for(place)),
        list(Hearing.objects.past_for(place)),
    )


def kept_rows():
    return set(ConcernedPlace.objects.values_list("place", "hearing", "starts_at", "open_until"))


def test_a_hearing_shows_in_above_and_under_its_territory_only():
    places = place_tree()
    village_hearing = HearingFactory(announced=True, territory=[places["village"]])
    district_hearing = HearingFactory(announced=True, territory=[places["district"]])
    for name in ("region", "district", "rural", "village"):
        assert village_hearing in shown(places[name])[0], name
    assert village_hearing not in shown(places["neighbour"])[0]
    assert district_hearing in shown(places["neighbour"])[0]  # under the district
    assert shown(places["elsewhere"]) == ([], [])


def test_a_draft_is_on_no_page_until_announced():
    places = place_tree()
    hearing = HearingFactory(territory=[places["village"]])
    assert shown(places["district"]) == ([], [])
    hearing.status = Hearing.Status.ANNOUNCED
    hearing.save()
    assert shown(places["district"]) == ([hearing], [])


def test_the_rows_follow_the_territory():
    places = place_tree()
    hearing = HearingFactory(announced=True, territory=[places["village"]])
    hearing.territory.set([places["elsewhere"]])
    assert shown(places["district"]) == ([], [])
    assert shown(places["elsewhere"].parent) == ([hearing], [])
    places["district"].hearings.add(hearing)  # from the place's side
    assert shown(places["village"]) == ([hearing], [])
    places["district"].hearings.clear()
    assert shown(places["village"]) == ([], [])


def test_the_rows_follow_the_date_past_and_forthcoming_in_date_order():
    places = place_tree()
    later = HearingFactory(announced=True, starts_at=local_at(50), territory=[places["village"]])
    sooner = HearingFactory(announced=True, starts_at=local_at(45), territory=[places["village"]])
    assert shown(places["region"])[0] == [sooner, later]
    services.reschedule_hearing(
        acting_user=UserFactory(staff=True),
        hearing=later,
        starts_at=local_at(40),
        reason="The hall is being repaired.",
    )
    assert shown(places["region"])[0] == [later, sooner]
    held = HearingFactory(held=True, territory=[places["village"]])
    older = HearingFactory(held=True, starts_at=local_at(-30), territory=[places["village"]])
    assert shown(places["district"])[1] == [held, older]
    older.starts_at = local_at(-1)  # a corrected date (the admin)
    older.save()
    assert shown(places["district"])[1] == [older, held]


def test_a_cancelled_hearing_stays_where_its_notice_was():
    places = place_tree()
    hearing = HearingFactory(announced=True, territory=[places["village"]])
    services.cancel_hearing(
        acting_user=UserFactory(staff=True), hearing=hearing, reason="The project was dropped."
    )
    assert shown(places["district"])[0] == [hearing]


def test_the_rows_follow_a_moved_place_and_a_new_one():
    places = place_tree()
    hearing = HearingFactory(announced=True, territory=[places["rural"]])
    other_district = places["elsewhere"].parent
    places["rural"].parent = other_district
    places["rural"].save()
    assert shown(places["district"]) == ([], [])
    assert shown(other_district) == ([hearing], [])
    assert shown(places["village"]) == ([hearing], [])  # still under the rural district
    newcomer = PlaceFactory(parent=places["rural"], name_en="Newtown")
    assert shown(newcomer) == ([hearing], [])


def test_rebuild_writes_the_rows_the_receivers_kept():
    places = place_tree()
    HearingFactory(announced=True, territory=[places["village"], places["elsewhere"]])
    HearingFactory(held=True, territory=[places["district"]])
    kept = kept_rows()
    # The village and the three above it, Faraway and the two above it; the district, the region
    # above it and the three places under it.
    assert len(kept) == 4 + 3 + 5
    ConcernedPlace.objects.all().delete()
    assert concerned.rebuild() == len(kept)
    assert kept_rows() == kept
