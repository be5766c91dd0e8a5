"""Public list, detail, exports, residents' word and the dashboard, with bounded queries."""

from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from disclosures.models import Disclosure, Question, ResidentFeedback
from tests.factories import (
    ConfirmationFactory,
    DisclosureFactory,
    ResidentFeedbackFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


def test_detail_shows_three_voices_and_counts_rejected(client):
    """Claim, akimat's word and residents' word side by side; disputes shown, rejected counted."""
    disclosure = DisclosureFactory(published=True)
    ConfirmationFactory(disclosure=disclosure, note="Checked on site.")
    ResidentFeedbackFactory(disclosure=disclosure, dispute=True, approved=True, comment="Only half")
    ResidentFeedbackFactory(disclosure=disclosure, rejected=True, comment="spam spam")
    ResidentFeedbackFactory(
        disclosure=disclosure, comment="pending-comment-xyz", contact="+7 777 000"
    )
    response = client.get(disclosure.get_absolute_url())
    content = response.content.decode()
    assert "Checked on site." in content
    assert "Only half" in content
    assert "spam spam" not in content and "pending-comment-xyz" not in content
    assert "+7 777 000" not in content
    assert response.context["feedback_counts"]["rejected"] == 1


def test_resident_feedback_goes_to_moderation(client):
    """A resident's dispute is stored pending; honeypot and rate limit stop bots."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    url = reverse("disclosures:feedback", args=[disclosure.pk])
    data = {"kind": "disputed", "comment": "The well is dry.", "author_name": "", "contact": ""}
    assert client.post(url, data).status_code == 302
    item = ResidentFeedback.objects.get()
    assert item.moderation_status == "pending" and item.ip_hash
    assert client.post(url, {**data, "website_url": "http://spam"}).status_code == 400
    for _n in range(10):
        client.post(url, data)
    assert ResidentFeedback.objects.count() == 5
    cache.clear()


def test_residents_cannot_comment_on_drafts(client):
    draft = DisclosureFactory()
    response = client.post(reverse("disclosures:question", args=[draft.pk]), {"text": "Hello?"})
    assert response.status_code == 404


def test_question_answered_publicly(client):
    """The organisation answers an approved question; the answer is shown on the page."""
    cache.clear()
    disclosure = DisclosureFactory(published=True)
    client.post(reverse("disclosures:question", args=[disclosure.pk]), {"text": "When?"})
    question = Question.objects.get()
    question.moderation_status = "approved"
    question.save()
    client.force_login(member_of(disclosure.organisation))
    dashboard = client.get(reverse("disclosures:dashboard"))
    assert question in dashboard.context["questions"]
    client.post(reverse("disclosures:question_answer", args=[question.pk]), {"answer": "In May."})
    client.logout()
    assert "In May." in client.get(disclosure.get_absolute_url()).content.decode()
    cache.clear()


def test_dashboard_lists_overdue_and_disputes(client):
    overdue = DisclosureFactory(published=True, overdue=True)
    ResidentFeedbackFactory(disclosure=overdue, dispute=True, approved=True, comment="Nothing")
    client.force_login(member_of(overdue.organisation))
    response = client.get(reverse("disclosures:dashboard"))
    assert list(response.context["overdue"]) == [overdue]
    assert "Nothing" in response.content.decode()


def test_list_filters_render_and_status_overdue(client):
    overdue = DisclosureFactory(published=True, overdue=True)
    DisclosureFactory(published=True)
    response = client.get(reverse("disclosures:list") + "?status=overdue")
    assert list(response.context["page"].object_list) == [overdue]
    response = client.get(reverse("disclosures:list") + "?year=abc&amount_min=x")
    assert response.status_code == 400
    assert list(response.context["page"].object_list) == []


def test_feed_and_place_urls(client):
    """The RSS feed follows the list's filters; place_feed_urls gives a place's addresses."""
    from disclosures.feeds import place_feed_urls

    places = place_tree()
    here = DisclosureFactory(published=True, settlements=[places["village"]])
    there = DisclosureFactory(published=True, settlements=[places["elsewhere"]])
    urls = place_feed_urls(places["village"])
    body = client.get(urls["feed"]).content.decode()
    assert here.title in body and there.title not in body
    for key in ("list", "csv", "json"):
        assert client.get(urls[key]).status_code == 200


def test_csv_export_neutralises_formulas(client):
    """A title starting with = is exported as text, not run as a spreadsheet formula."""
    DisclosureFactory(published=True, title_kk="", title_ru="", title_en='=HYPERLINK("x")')
    response = client.get(reverse("disclosures:export_csv") + "?q=HYPERLINK")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_summary_partial_renders(client):
    """The village-page partial shows the headline figures."""
    from django.template.loader import render_to_string

    from disclosures.feeds import place_feed_urls
    from disclosures.models import Disclosure

    places = place_tree()
    DisclosureFactory(published=True, overdue=True, settlements=[places["village"]])
    html = render_to_string(
        "disclosures/includes/_place_summary.html",
        {
            "summary": Disclosure.objects.in_force().for_place(places["village"]).summary(),
            "feed_urls": place_feed_urls(places["village"]),
        },
    )
    assert "status-overdue" in html and "export.csv?place=" in html


def test_editing_a_published_disclosure_through_the_page_needs_a_reason(client):
    """The edit form refuses a correction without a reason and shows the field's error."""
    disclosure = DisclosureFactory(published=True)
    client.force_login(member_of(disclosure.organisation))
    url = reverse("disclosures:edit", args=[disclosure.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "settlement_codes"
    }
    data["settlement_codes"] = " ".join(p.kato_code for p in disclosure.settlements.all())
    data["title_en"] = "Corrected title"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(url, {**data, "reason": "Spelling."})
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.title_en == "Corrected title"
    assert disclosure.revisions.get(action="edited").reason == "Spelling."


def test_admin_pages_render(client):
    """The admin lists disclosures and residents' input for superusers."""
    from tests.factories import UserFactory

    disclosure = DisclosureFactory(published=True)
    ResidentFeedbackFactory(disclosure=disclosure)
    admin = UserFactory(staff=True, is_superuser=True)
    client.force_login(admin)
    for url in (
        reverse("admin:disclosures_disclosure_changelist"),
        reverse("admin:disclosures_disclosure_change", args=[disclosure.pk]),
        reverse("admin:disclosures_residentfeedback_changelist"),
    ):
        assert client.get(url).status_code == 200


def test_detail_rows_are_built_once_and_read_fresh(client):
    """The page's queryset (`for_detail`) is built once per process and language, as the hearing
    page's is; each request reads its own copy, so a change made between two requests shows."""
    village = place_tree()["village"]
    disclosure = DisclosureFactory(published=True, title_kk="Before", settlements=[village])
    built = mock.Mock(wraps=Disclosure.objects.for_detail)
    with mock.patch.object(Disclosure.objects, "for_detail", built):
        for _n in range(2):
            clear_caches()
            assert "Before" in client.get(disclosure.get_absolute_url()).content.decode()
        Disclosure.objects.filter(pk=disclosure.pk).update(title_kk="After")
        clear_caches()
        page = client.get(disclosure.get_absolute_url()).content.decode()
    assert "After" in page and village.name in page
    assert built.call_count <= 1  # none when an earlier test built it in this process


def clear_caches():
    for each in caches.all():
        each.clear()
