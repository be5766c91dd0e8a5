import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing under CI: scripts/install-chromium should install it")
        pytest.skip("chromium is not installed (scripts/install-chromium installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A phone-sized page (360 px wide), as most residents see the site."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def audit_page(browser):
    """The phone-sized page for axe-core audits: the audit injects its script inline, which the
    site's Content-Security-Policy rightly refuses, so only this page bypasses the policy."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="ru-RU", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page, base_url, user):
    """Sign in through the form, as a person does, and wait until the site has let them in: a
    click only starts the navigation, and a `goto` right after it could cut the sign-in short."""
    page.goto(base_url + "/en/accounts/login/")
    page.get_by_label("E-mail").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
