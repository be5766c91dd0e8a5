"""The small ones from the second attack: IP-literal e-mail addresses, the host name in sitemaps
and robots.txt, the API docs under the site's CSP, HEAD wherever GET works, and company text in
feed descriptions shown as text."""

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from disclosures import services
from hearings.models import Subscription
from tests.factories import AkimatFactory, DisclosureFactory, HearingFactory, member_of, place_tree

pytestmark = pytest.mark.django_db

SITE = "https://ashyq.example"


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("email", ["dana@[127.0.0.1]", "dana@[IPv6:::1]"])
def test_subscriptions_refuse_ip_literal_addresses(client, email):
    village = place_tree()["village"]
    response = client.post(
        reverse("hearings:subscribe"), {"email": email, "place": village.kato_code}
    )
    assert response.status_code in (200, 400)
    assert not Subscription.objects.exists()


def test_robots_and_sitemaps_use_site_url_not_the_requests_host(client):
    places = place_tree()
    DisclosureFactory(published=True, settlements=[places["village"]])
    forged = {"HTTP_HOST": "evil.example"}
    robots = client.get("/robots.txt", **forged).content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in robots
    index = client.get("/sitemap.xml", **forged).content.decode()
    assert f"{SITE}/sitemap-places.xml" in index
    section = client.get("/sitemap-places.xml", **forged).content.decode()
    assert SITE in section
    for body in (robots, index, section):
        assert "evil.example" not in body


def test_the_api_docs_page_has_no_inline_style(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and " style=" not in html
    assert "api-docs.css" in html and finders.find("css/api-docs.css")
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("disclosures:export_csv", {}),
        ("disclosures:export_json", {}),
        ("disclosures:import_template", {}),
        ("portal:place_suggest", {"q": "Lake"}),
        ("portal:place_search", {}),
        ("disclosures:feed", {}),
    ],
)
def test_head_works_wherever_get_does(client, name, query):
    get = client.get(reverse(name), query)
    head = client.head(reverse(name), query)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]


def test_head_on_an_export_does_not_run_it(client, django_assert_max_num_queries):
    DisclosureFactory.create_batch(3, published=True)
    with django_assert_max_num_queries(3):
        response = client.head(reverse("disclosures:export_csv"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""


def test_company_html_in_a_feed_description_reaches_readers_as_text(client):
    places = place_tree()
    DisclosureFactory(
        published=True,
        settlements=[places["village"]],
        description_kk='<img src="x" onerror="alert(1)"> <b>Мектеп</b>',
        description_ru='<img src="x" onerror="alert(1)"> <b>Школа</b>',
        description_en='<img src="x" onerror="alert(1)"> <b>School</b>',
    )
    HearingFactory(
        announced=True,
        territory=[places["village"]],
        subject_kk="<b>Жел</b>",
        subject_ru="<b>Ветер</b>",
        subject_en="<b>Wind</b>",
    )
    for url in (
        reverse("disclosures:feed"),
        reverse("hearings:place_feed", kwargs={"kato_code": places["village"].kato_code}),
    ):
        parsed = feedparser.parse(client.get(url).content)
        assert not parsed.bozo, parsed.bozo_exception
        summaries = " ".join(entry.summary for entry in parsed.entries)
        assert summaries
        assert "<img" not in summaries and "<b>" not in summaries
        assert "&lt;b&gt;" in summaries


def test_the_akimats_same_word_twice_is_refused():
    """A repeated confirmation added a second row each time; a changed word is still taken."""
    places = place_tree()
    akimat = AkimatFactory(place=places["rural"])
    official = member_of(akimat)
    disclosure = DisclosureFactory(published=True, settlements=[places["village"]])
    services.confirm_disclosure(
        acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=True
    )
    with pytest.raises(ValidationError) as caught:
        services.confirm_disclosure(
            acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=True
        )
    assert caught.value.code == "repeated"
    services.confirm_disclosure(
        acting_user=official, disclosure=disclosure, akimat=akimat, confirmed=False, note="Gone"
    )
    assert disclosure.confirmations.count() == 2
