"""A resident on a phone, without JavaScript, reads a hearing notice and sends a question;
an akimat official announces a hearing and sees the legal clock refuse a date that is too soon."""

import pytest

from tests.factories import HearingFactory, member_of

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
    page.get_by_role("link", name="Send a comment or question").click()
    page.get_by_label("Your comment or question").fill("How loud are the turbines at night?")
    page.locator("main form button[type=submit]").click()
    assert "once a moderator has checked it" in page.inner_text("main")
    context.close()


def test_official_is_told_the_earliest_lawful_date(live_server, browser, settings):
    from tests.hearings.conftest import local_at

    hearing = HearingFactory(starts_at=local_at(10), title_en="Quarry hearing")
    official = member_of(hearing.organiser)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/en/accounts/login/")
    page.get_by_label("E-mail").fill(official.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + f"/en/hearings/{hearing.pk}/")
    page.get_by_role("button", name="Announce").click()
    assert "earliest lawful date" in page.inner_text("main")
    context.close()
