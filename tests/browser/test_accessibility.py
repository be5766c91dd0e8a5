"""WCAG 2.2 AA checks with axe-core on the public pages, on a phone-sized screen, in Kazakh and
Russian: landmarks, one h1, labels, contrast, names of links and buttons, no sideways scrolling."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import AkimatFactory, CompanyFactory, ProjectFactory, place_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def audit(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


@pytest.fixture
def public_urls():
    places = place_tree()
    company = CompanyFactory()
    project = ProjectFactory(operator=company, primary_settlement=places["village"])
    akimat = AkimatFactory(place=places["district"])
    return [
        "/{lang}/",
        "/{lang}/places/?q=Village",
        places["village"].get_absolute_url().replace("/en/", "/{lang}/"),
        places["district"].get_absolute_url().replace("/en/", "/{lang}/"),
        "/{lang}/projects/",
        project.get_absolute_url().replace("/en/", "/{lang}/"),
        company.get_absolute_url().replace("/en/", "/{lang}/"),
        akimat.get_absolute_url().replace("/en/", "/{lang}/"),
        reverse("login").replace("/en/", "/{lang}/"),
    ]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_public_pages_pass_axe(live_server, audit_page, public_urls, language):
    page = audit_page
    problems = {}
    for template in public_urls:
        url = live_server.url + template.format(lang=language)
        page.goto(url)
        found = audit(page)
        if page.locator("h1").count() != 1:
            found.append("the page must have exactly one h1")
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            found.append("the page scrolls sideways on a 360 px screen")
        if found:
            problems[url] = found
    assert not problems, problems


def test_skip_link_moves_focus_to_the_content(live_server, page):
    page.goto(live_server.url + "/ru/projects/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    # Following an in-page link is a navigation the page reports when it has happened: wait
    # for it (Playwright's retrying assertion) rather than read the address at once.
    expect(page).to_have_url(re.compile(r"#main$"))
