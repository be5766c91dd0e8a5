"""Invalidation by scope (core/caching.py): what changed decides what goes stale, after the
writer's transaction commits, and never for input residents cannot see yet.

The tests here are marked `real_commit`: scopes are bumped in `transaction.on_commit`, as in
production (elsewhere in the suite they are bumped at once, because a TestCase never commits).
"""

import threading
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from core import caching
from disclosures import services
from portal import downloads
from tests.factories import (
    DisclosureFactory,
    ProjectFactory,
    QuestionFactory,
    UserFactory,
    member_of,
    place_tree,
)
from tests.other_connection import in_other_connection


def _page_was_kept(client, url):
    """True when `url` was served from the page cache (no template rendered) to a resident
    without cookies."""
    response = type(client)().get(url)
    assert response.status_code == 200, url
    return response.templates == []


@pytest.mark.real_commit
class WhatGoesStaleTests(TestCase):
    """Village X (under a district and a region) and village Y elsewhere, both with a
    published contribution; every public page involved is in the page cache."""

    @classmethod
    def setUpTestData(cls):
        cls.places = place_tree()
        cls.x, cls.y = cls.places["village"], cls.places["elsewhere"]
        cls.shown = DisclosureFactory(published=True, settlements=[cls.x], title_en="Roof in X")
        cls.company = cls.shown.organisation
        cls.owner = member_of(cls.company)
        cls.in_y = DisclosureFactory(published=True, settlements=[cls.y], title_en="Well in Y")

    def setUp(self):
        for each in caches.all():
            each.clear()
        self.pages = {
            "X": self.x.get_absolute_url(),
            "district": self.places["district"].get_absolute_url(),
            "region": self.places["region"].get_absolute_url(),
            "organisation": self.company.get_absolute_url(),
            "record": self.shown.get_absolute_url(),
            "home": reverse("home"),
            "list": reverse("disclosures:list"),
            "Y": self.y.get_absolute_url(),
            "Y's record": self.in_y.get_absolute_url(),
        }
        for url in self.pages.values():
            self.client_class().get(url)  # a resident without cookies
        self.assertTrue(all(_page_was_kept(self.client, url) for url in self.pages.values()))

    def kept(self):
        return {name for name, url in self.pages.items() if _page_was_kept(self.client, url)}

    def committed(self, write):
        with self.captureOnCommitCallbacks(execute=True):
            write()

    def test_a_draft_leaves_every_page_cached(self):
        """A company's draft (created, then edited) is seen by no resident: nothing goes stale."""

        def draft():
            DisclosureFactory(organisation=self.company, settlements=[self.x], title_en="Draft")

        self.committed(draft)
        self.assertEqual(self.kept(), set(self.pages))
        self.assertNotContains(self.client.get(self.pages["X"]), "Draft")

    def test_a_pending_question_leaves_every_page_cached(self):
        self.committed(lambda: services.ask_question(disclosure=self.shown, text="When?"))
        self.assertEqual(self.kept(), set(self.pages))

    def test_a_publication_in_x_makes_x_and_what_is_above_and_around_it_fresh(self):
        draft = DisclosureFactory(
            organisation=self.company, settlements=[self.x], title_en="Brand new school"
        )
        self.committed(
            lambda: services.publish_disclosure(acting_user=self.owner, disclosure=draft)
        )
        self.assertEqual(self.kept(), {"Y", "Y's record", "record"})
        for name in ("X", "district", "region", "organisation", "home", "list"):
            self.assertContains(
                self.client.get(self.pages[name]), "Brand new school", msg_prefix=name
            )

    def test_a_withdrawal_in_x_makes_its_pages_fresh_and_leaves_y_cached(self):
        self.committed(
            lambda: services.withdraw_disclosure(
                acting_user=self.owner, disclosure=self.shown, reason="Recorded twice."
            )
        )
        self.assertEqual(self.kept(), {"Y", "Y's record"})
        self.assertContains(self.client.get(self.pages["record"]), "Recorded twice.")

    def test_a_record_hidden_by_moderators_leaves_every_page_it_was_on(self):
        staff = UserFactory(staff=True)
        self.committed(
            lambda: services.hide_disclosure(
                acting_user=staff, disclosure=self.shown, reason="Court order."
            )
        )
        record = self.pages.pop("record")  # hidden: a 404 now, not the kept page
        self.assertEqual(self.kept(), {"Y", "Y's record"})
        for name in ("X", "district", "region", "organisation", "home", "list"):
            self.assertNotContains(self.client.get(self.pages[name]), "Roof in X", msg_prefix=name)
        self.assertEqual(self.client.get(record).status_code, 404)

    def test_an_approved_question_makes_the_record_fresh(self):
        question = QuestionFactory(disclosure=self.shown, text="Who pays for the roof?")
        self.assertEqual(self.kept(), set(self.pages))
        question.moderation_status = question.Moderation.APPROVED
        self.committed(question.save)
        self.assertNotIn("record", self.kept())
        self.assertContains(self.client.get(self.pages["record"]), "Who pays for the roof?")

    def test_nothing_goes_stale_before_the_writer_commits(self):
        """Scopes are bumped in `on_commit`: inside the writer's transaction nothing moved."""
        scopes = [caching.SITE, f"place:{self.x.kato_code}"]
        before = caching.versions(scopes)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            services.hide_disclosure(
                acting_user=UserFactory(staff=True), disclosure=self.shown, reason="Court order."
            )
        self.assertEqual(caching.versions(before), before)
        for callback in callbacks:
            callback()
        after = caching.versions(scopes)
        self.assertTrue(all(after[scope] > before[scope] for scope in scopes))


@pytest.mark.real_commit
class ApiValidatorsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.shown = DisclosureFactory(published=True)
        cls.owner = member_of(cls.shown.organisation)

    def etag(self):
        response = self.client.get("/api/v1/disclosures/")
        self.assertEqual(response.status_code, 200)
        return response["ETag"]

    def test_the_api_etag_changes_when_and_only_when_something_listed_changes(self):
        first = self.etag()
        with self.captureOnCommitCallbacks(execute=True):
            draft = DisclosureFactory(
                organisation=self.shown.organisation, settlements=self.shown.settlements.all()
            )
            services.ask_question(disclosure=self.shown, text="Pending, not listed")
        self.assertEqual(self.etag(), first)
        with self.captureOnCommitCallbacks(execute=True):
            services.publish_disclosure(acting_user=self.owner, disclosure=draft)
        second = self.etag()
        self.assertNotEqual(second, first)
        with self.captureOnCommitCallbacks(execute=True):
            services.hide_disclosure(
                acting_user=UserFactory(staff=True), disclosure=draft, reason="Court order."
            )
        self.assertNotEqual(self.etag(), second)


@pytest.mark.real_commit
@pytest.mark.django_db
def test_open_data_is_stale_after_a_public_change_or_a_hide_and_not_after_a_draft(
    django_capture_on_commit_callbacks,
):
    shown = DisclosureFactory(published=True)
    manifest = downloads.build()

    def stale():
        return downloads.is_stale(manifest, caching.stamp(caching.versions([caching.SITE])))

    with django_capture_on_commit_callbacks(execute=True):
        DisclosureFactory(organisation=shown.organisation, settlements=shown.settlements.all())
    assert not stale()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_disclosure(
            acting_user=UserFactory(staff=True), disclosure=shown, reason="Court order."
        )
    assert stale()


def test_scopes_never_asked_cost_one_read_and_one_write():
    """Scopes nobody asked for yet (an uncached village page after the caches were emptied
    found seven) get the present instant in one write for all, not one `add` each; later reads
    answer the same, and a bump moves only its own scope."""
    shared = caches["shared"]
    shared.clear()
    scopes = ["place:100", "place:110", "area:110"]
    with (
        mock.patch.object(shared, "get_many", wraps=shared.get_many) as reads,
        mock.patch.object(shared, "set_many", wraps=shared.set_many) as writes,
        mock.patch.object(shared, "add", wraps=shared.add) as adds,
    ):
        first = caching.versions(scopes)
    assert (reads.call_count, writes.call_count, adds.call_count) == (1, 1, 0)
    assert set(first) == {caching.EVERYTHING, *scopes}
    assert caching.versions(scopes) == first
    caching.bump(["place:110"])
    after = caching.versions(scopes)
    assert after["place:110"] > first["place:110"]
    assert {**after, "place:110": None} == {**first, "place:110": None}


@pytest.mark.django_db
def test_a_page_with_cached_figures_reads_its_versions_once(client):
    """The project and organisation pages' figures (`caching.cached`) are kept under the
    versions the page read before it rendered, not under a second read of the same scopes."""
    project = ProjectFactory()
    DisclosureFactory(
        published=True,
        project=project,
        organisation=project.operator,
        settlements=[place_tree()["village"]],
    )
    shared = caches["shared"]
    for url in (project.operator.get_absolute_url(), project.get_absolute_url()):
        for each in caches.all():
            each.clear()
        with mock.patch.object(shared, "get_many", wraps=shared.get_many) as reads:
            response = client.get(url)
        assert response.status_code == 200
        assert "summary" in response.context, url
        assert reads.call_count == 1, url


# --- No public write waits on another organisation's transaction --------------------------------


@pytest.mark.postgres
@pytest.mark.real_commit
@pytest.mark.django_db(transaction=True)
def test_a_publication_held_open_blocks_no_other_organisations_write():
    """Company A's publication transaction stays open; meanwhile a resident's question on
    company B's contribution and B's publication in another village complete (on their own
    connections), and every scope they touched is bumped once each commits."""
    places = place_tree()
    a_draft = DisclosureFactory(settlements=[places["village"]])
    a_owner = member_of(a_draft.organisation)
    b_shown = DisclosureFactory(published=True, settlements=[places["elsewhere"]])
    b_draft = DisclosureFactory(
        organisation=b_shown.organisation, settlements=[places["elsewhere"]]
    )
    b_owner = member_of(b_shown.organisation)
    b_scope = f"place:{places['elsewhere'].kato_code}"
    before = caching.versions([b_scope])

    a_published, release = threading.Event(), threading.Event()

    def company_a():
        with transaction.atomic():
            services.publish_disclosure(acting_user=a_owner, disclosure=a_draft)
            a_published.set()
            release.wait(30)

    a_thread, a_outcome = in_other_connection(company_a)
    try:
        assert a_published.wait(10), a_outcome
        question, asked = in_other_connection(
            lambda: services.ask_question(disclosure=b_shown, text="When is the well done?")
        )
        question.join(timeout=10)
        assert not question.is_alive(), "the resident's question waited on company A"
        publication, published = in_other_connection(
            lambda: services.publish_disclosure(acting_user=b_owner, disclosure=b_draft)
        )
        publication.join(timeout=10)
        assert not publication.is_alive(), "company B's publication waited on company A"
        assert a_thread.is_alive(), "company A's transaction was meant to be still open"
        assert "error" not in asked and "error" not in published, (asked, published)
        assert caching.versions([b_scope])[b_scope] > before[b_scope]
    finally:
        release.set()
        a_thread.join(timeout=10)
    assert "error" not in a_outcome, a_outcome
