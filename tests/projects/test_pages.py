"""Public pages answer in all three languages; the language is in the URL."""

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    PlaceFactory,
    ProjectFactory,
    member_of,
    place_tree,
)

LANGUAGES = ["kk", "ru", "en"]


class PublicPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.company = CompanyFactory()
        cls.akimat = AkimatFactory(place=cls.places["district"])
        cls.project = ProjectFactory(
            operator=cls.company,
            primary_settlement=cls.places["village"],
            affected=[cls.places["neighbour"]],
        )

    def urls(self):
        return [
            reverse("home"),
            reverse("portal:place_search"),
            reverse("portal:place_search") + "?q=Village",
            self.places["region"].get_absolute_url(),
            self.places["district"].get_absolute_url(),
            self.places["rural"].get_absolute_url(),
            self.places["village"].get_absolute_url(),
            reverse("projects:project_list"),
            reverse("projects:project_list") + f"?region={self.places['region'].kato_code}",
            self.project.get_absolute_url(),
            self.company.get_absolute_url(),
            self.akimat.get_absolute_url(),
            reverse("login"),
            reverse("password_reset"),
        ]

    def test_every_public_page_answers_in_every_language(self):
        """Each public page is 200 under /kk/, /ru/ and /en/, with the page's lang attribute."""
        for language in LANGUAGES:
            with translation.override(language):
                for url in self.urls():
                    with self.subTest(url=url):
                        response = self.client.get(url)
                        self.assertEqual(response.status_code, 200)
                        self.assertContains(response, f'<html lang="{language}">')

    def test_place_names_follow_the_page_language(self):
        village = self.places["village"]
        with translation.override("ru"):
            self.assertContains(self.client.get(village.get_absolute_url()), village.name_ru)
        with translation.override("en"):
            self.assertContains(self.client.get(village.get_absolute_url()), village.name_en)

    def test_village_page_shows_breadcrumbs_projects_and_akimat(self):
        with translation.override("en"):
            response = self.client.get(self.places["village"].get_absolute_url())
        self.assertContains(response, self.places["district"].name_en)
        self.assertContains(response, self.project.name_en)
        self.assertContains(response, self.akimat.name_en)

    def test_village_page_lists_the_places_under_it_only_when_there_are(self):
        """A settlement with places under it (an okrug's villages under its centre) lists them
        under "Places within"; one with none has no such list."""
        village = self.places["village"]
        with translation.override("en"):
            self.assertNotContains(self.client.get(village.get_absolute_url()), "Places within")
            PlaceFactory(parent=village, name_en="Lakeside Wintering", wintering=True)
            response = self.client.get(village.get_absolute_url())
        self.assertContains(response, "Places within")
        self.assertContains(response, "Lakeside Wintering")

    def test_region_page_lists_projects_below_it(self):
        with translation.override("en"):
            response = self.client.get(self.places["region"].get_absolute_url())
        self.assertContains(response, self.project.name_en)

    def test_project_filters(self):
        """Filtering by region keeps projects inside it; another region's list is empty."""
        other = place_tree()
        with translation.override("en"):
            url = reverse("projects:project_list")
            inside = self.client.get(url, {"region": self.places["region"].kato_code})
            outside = self.client.get(url, {"region": other["region"].kato_code})
            bad = self.client.get(url, {"region": "not-a-code", "status": "nonsense"})
        self.assertContains(inside, self.project.name_en)
        self.assertNotContains(outside, self.project.name_en)
        self.assertContains(bad, "Select a valid choice", status_code=400)
        self.assertNotContains(bad, self.project.name_en, status_code=400)

    def test_unknown_place_is_a_404_page(self):
        response = self.client.get("/en/places/no-such-place/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [("ru-RU,ru;q=0.9", "/ru/"), ("en-GB,en;q=0.8", "/en/"), ("de-DE", "/kk/"), ("", "/kk/")],
)
def test_first_visit_follows_the_browser_then_kazakh(client, accept, expected):
    """Without a language in the URL, the browser's preference decides; otherwise Kazakh."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.django_db
def test_language_switcher_links_to_the_same_page(client):
    response = client.get("/en/projects/?status=operating")
    assert b'href="/kk/projects/?status=operating"' in response.content
    assert b'href="/ru/projects/?status=operating"' in response.content


@pytest.mark.django_db
def test_project_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    """Thirty projects cost no more queries than three."""
    for _ in range(30):
        ProjectFactory()
    with django_assert_max_num_queries(8):
        response = client.get("/en/projects/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_messages_sit_in_a_status_region_around_their_list(client):
    """`role="status"` is not allowed on a list (Nu HTML Checker): the region wraps the list."""
    company = CompanyFactory()
    client.force_login(member_of(company, role="administrator"))
    url = reverse("projects:organisation_members", args=[company.slug])
    response = client.post(url, {"email": "new.member@example.org", "role": "editor"}, follow=True)
    html = response.content.decode()
    assert "The member is added." in html
    assert 'role="status"' in html and '<ul class="messages" role="status">' not in html
    region = html.split('<div role="status">', 1)[1]
    assert region.lstrip().startswith('<ul class="messages">')
