"""A resident on a phone, without JavaScript, reads a hearing notice and sends a question;
an akimat official announces a hearing and sees the legal clock refuse a date that is too soon."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import HearingFactory, bind_rules, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_sends_a_question_on_a_phone(live_server, browser):
    hearing = HearingFactory(announced=True, title_en="Wind farm extension")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + f"/en/hearings/{hearing.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Wind farm extension"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("link", name="Add to my calendar").is_visible()
    page.screenshot(path="/tmp/hearing-phone.png", full_page=True)
    page.get_by_role("link", name="Send a comment or question").first.click()
    page.get_by_label("Your comment or question").fill("How loud are the turbines at night?")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("once a moderator has checked it")
    context.close()


def test_official_is_told_the_earliest_lawful_date(live_server, browser, settings):
    """With verified (binding) rules, announcing too late is refused with the earliest lawful
    date; unverified rules only guide (tests/hearings/test_honest_clock.py)."""
    from tests.hearings.conftest import local_at

    bind_rules()

    hearing = HearingFactory(starts_at=local_at(10), title_en="Quarry hearing")
    official = member_of(hearing.organiser)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, official)
    page.goto(live_server.url + f"/en/hearings/{hearing.pk}/")
    page.get_by_role("button", name="Announce").click()
    expect(page.locator("main")).to_contain_text("earliest lawful date")
    context.close()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_how_to_take_part_is_on_the_first_screen_of_a_phone(live_server, page, language):
    """At 360 × 740 the box starts within the first screen and the page's first action
    link (a button-styled link in the main content) is inside it."""
    hearing = HearingFactory(announced=True, title_en="Wind farm extension")
    page.goto(live_server.url + f"/{language}/hearings/{hearing.pk}/")
    box = page.locator(".take-part").bounding_box()
    assert box is not None and box["y"] < 740, box
    first_action = page.locator("main a.button").first
    assert first_action.evaluate("link => link.closest('.take-part') !== null")
    assert first_action.bounding_box()["y"] < 740
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=f"/tmp/hearing-take-part-{language}.png")


def test_subscribe_from_a_hearing_confirm_and_come_back(live_server, page):
    """From the hearing's box to the subscribe form, the "check your e-mail" page, the link in
    the confirmation e-mail, the confirmed page, and back to the hearing."""
    from urllib.parse import urlsplit

    from hearings.models import OutboxMessage

    hearing = HearingFactory(announced=True, title_en="Wind farm extension")
    page.goto(live_server.url + f"/en/hearings/{hearing.pk}/")
    page.get_by_role("link", name="Get e-mails about hearings in this place").click()
    page.get_by_label("Your e-mail").fill("aigerim@mail.kz")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".masked-email")).to_have_text("ai•••••@mail.kz")
    expect(page.locator("main")).to_contain_text("Check your e-mail")
    expect(page.get_by_role("link", name="Back to the page you came from")).to_be_visible()

    message = OutboxMessage.objects.get(recipient="aigerim@mail.kz")
    link = next(word for word in message.body.split() if "/subscribe/confirm/" in word)
    parts = urlsplit(link)
    page.goto(f"{live_server.url}{parts.path}?{parts.query}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("main")).to_contain_text("Subscription confirmed")
    page.get_by_role("link", name="Back to the page you came from").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wind farm extension")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_hearing_pages_and_check_your_email_pass_axe(live_server, audit_page, language):
    """The take-part box, the record lead, the cancellation and the "check your e-mail" page
    keep the WCAG checks the other public pages pass."""
    from tests.browser.test_accessibility import audit

    upcoming = HearingFactory(announced=True)
    held = HearingFactory(record_published=True)
    cancelled = HearingFactory(cancelled=True)
    problems = {}
    for hearing in (upcoming, held, cancelled):
        audit_page.goto(live_server.url + f"/{language}/hearings/{hearing.pk}/")
        if found := audit(audit_page):
            problems[hearing.pk] = found
    audit_page.goto(live_server.url + f"/{language}/hearings/{upcoming.pk}/")
    audit_page.locator(".take-part-actions a").last.click()
    audit_page.locator("main input[type=email]").fill("dana@example.org")
    audit_page.locator("main form button[type=submit]").first.click()
    expect(audit_page.locator(".masked-email")).to_be_visible()
    if found := audit(audit_page):
        problems["check your e-mail"] = found
    assert not problems, problems
