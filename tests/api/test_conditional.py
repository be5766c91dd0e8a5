"""Every kind of public resource answers a conditional request with 304: the ETag it sent, in
If-None-Match, or the exact Last-Modified it sent, in If-Modified-Since (whole seconds, RFC
9110) — API lists, details and index, pages, feeds, calendars and the /data/ downloads."""

import pytest

from portal import downloads
from tests.factories import DisclosureFactory, HearingFactory, ProjectFactory, place_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls():
    places = place_tree()
    project = ProjectFactory(primary_settlement=places["village"])
    disclosure = DisclosureFactory(
        published=True, organisation=project.operator, settlements=[places["village"]]
    )
    hearing = HearingFactory(announced=True, territory=[places["village"]])
    downloads.build()
    village = places["village"].kato_code
    return [
        "/api/v1/",
        "/api/v1/places/",
        f"/api/v1/places/{village}/",
        f"/api/v1/projects/{project.slug}/",
        f"/api/v1/disclosures/{disclosure.pk}/",
        "/api/v1/hearings/",
        "/en/",
        disclosure.get_absolute_url(),
        "/en/disclosures/feed/",
        "/en/hearings/calendar.ics",
        f"/en/hearings/{hearing.pk}/calendar.ics",
        "/en/data/",
        "/data/datapackage.json",
        "/data/disclosures.csv",
    ]


def test_if_none_match_and_if_modified_since_get_304(client, urls):
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.has_header("ETag") and first.has_header("Last-Modified"), url
        by_tag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert by_tag.status_code == 304, url
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert by_date.status_code == 304, url
        assert by_date.content == b"", url


def test_an_older_if_modified_since_gets_the_content(client, urls):
    """A date a second before the Last-Modified is not a match: the content is sent."""
    response = client.get("/api/v1/places/", HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2024 00:00:00 GMT")
    assert response.status_code == 200
