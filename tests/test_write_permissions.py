"""Who may use every write URL: the matrix is generated from the URLconf, not hand-listed.

Every URL of the three apps is collected from the resolver. Each is either a public page
(`PUBLIC`), a form open to everyone (`OPEN_TO_ALL`: residents need no account), or a write URL
with the actors allowed to use it (`WRITES`); a URL in none of them fails the suite, so a new
write URL cannot ship without its row in the matrix. Each write URL is then requested (GET and
an empty POST) by every actor: an actor outside the row is sent to the login page (anonymous)
or gets 403/404, and nothing public changes (the content version stays as it was).
"""

import datetime

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core import caching
from projects.models import LinkRequest
from projects.services import create_api_token
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingFactory,
    MembershipFactory,
    PlaceFactory,
    ProjectFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    SubscriptionFactory,
    UserFactory,
    member_of,
)

# slow: 418 tests, collected last of all: run first, so that no worker is left running it alone.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NAMESPACES = ("disclosures", "hearings", "projects")
ACTORS = [
    "anonymous",
    "resident",  # signed in, no organisation
    "company_editor",
    "company_admin",
    "other_company",
    "region_akimat",
    "district_akimat",  # organises the hearing; covers the village
    "rural_akimat",  # a lower level covering the village
    "other_akimat",
    "staff",
]
COMPANY = {"company_editor", "company_admin"}
AKIMATS = {"region_akimat", "district_akimat", "rural_akimat", "other_akimat"}
MEMBERS = COMPANY | AKIMATS | {"other_company"}
ORGANISER = {"district_akimat", "staff"}

PUBLIC = {
    "disclosures:list",
    "disclosures:export_csv",
    "disclosures:export_json",
    "disclosures:feed",
    "disclosures:import_template",
    "disclosures:detail",
    "disclosures:changes",
    "hearings:list",
    "hearings:detail",
    "hearings:ics",
    "hearings:notice",
    "hearings:place_calendar",
    "hearings:place_feed",
    "hearings:feed",
    "hearings:calendar",
    "hearings:confirm",
    "portal:place_search",
    "portal:place_suggest",
    "portal:place_detail",
    "projects:project_list",
    "portal:project_detail",
    "projects:project_changes",
    "portal:organisation_detail",
    "portal:open_data",
    "portal:data",
}
OPEN_TO_ALL = {
    "disclosures:feedback",
    "disclosures:question",
    "hearings:comment",
    "hearings:register",
    "hearings:learned_of",
    "hearings:subscribe",
    "hearings:unsubscribe",
}
# Pages for any signed-in person that show only their own work.
SIGNED_IN = {
    "disclosures:dashboard",
    "hearings:dashboard",
    "portal:dashboard",
    "projects:link_requests",
}
WRITES = {
    "disclosures:create": MEMBERS,
    "disclosures:import": MEMBERS,
    "disclosures:edit": COMPANY,
    "disclosures:publish": COMPANY,
    "disclosures:withdraw": COMPANY,
    "disclosures:status": COMPANY,
    "disclosures:photo_create": COMPANY,
    "disclosures:translate": COMPANY,
    "disclosures:document_create": COMPANY,
    "disclosures:question_answer": COMPANY,
    "disclosures:confirm": {"region_akimat", "district_akimat", "rural_akimat"},
    "disclosures:hide": {"staff"},
    "disclosures:unhide": {"staff"},
    "disclosures:moderation": {"staff"},
    "disclosures:moderate": {"staff"},
    "hearings:create": AKIMATS | {"staff"},
    "hearings:edit": ORGANISER,
    "hearings:announce": ORGANISER,
    "hearings:held": ORGANISER,
    "hearings:reschedule": ORGANISER,
    "hearings:cancel": ORGANISER,
    "hearings:record": ORGANISER,
    "hearings:failed": ORGANISER,
    "hearings:repeat": ORGANISER,
    "hearings:decision": ORGANISER,
    "hearings:document_create": ORGANISER,
    "hearings:promise_create": ORGANISER,
    "hearings:translate": ORGANISER,
    "hearings:question_create": ORGANISER,
    "hearings:comment_answer": ORGANISER,
    "hearings:registrations": {"district_akimat"},
    "hearings:moderation": {"staff"},
    "hearings:moderate": {"staff"},
    "projects:project_create": COMPANY | {"other_company", "staff"},
    "projects:project_edit": COMPANY | {"staff"},
    "projects:organisation_members": {"company_admin"},
    "projects:membership_remove": {"company_admin"},
    "projects:organisation_api_keys": {"company_admin"},
    "projects:api_key_revoke": {"company_admin"},
    # Another company names the company as its project's investor: only its administrator answers.
    "projects:link_request_answer": {"company_admin"},
    # The company's own request to another: only its administrator withdraws it.
    "projects:link_request_withdraw": {"company_admin"},
}


def _patterns(resolver=None, namespace=None):
    """(name with namespace, [kwarg names]) of every URL in the three apps."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in NAMESPACES and entry.name:
            yield f"{namespace}:{entry.name}", list(entry.pattern.regex.groupindex)


URLS = sorted(set((name, tuple(params)) for name, params in _patterns()))


def test_every_url_is_in_the_matrix():
    """A URL of the apps that is neither public, open to all, nor in the matrix fails here."""
    names = {name for name, _params in URLS}
    assert names, "no URL collected"
    unclassified = names - PUBLIC - OPEN_TO_ALL - SIGNED_IN - set(WRITES)
    assert not unclassified, f"classify these URLs in the matrix: {sorted(unclassified)}"
    assert not (set(WRITES) - names), "the matrix names URLs that no longer exist"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module's few hundred tests, in a transaction rolled back after the
    last one; each test runs in a savepoint inside it (pytest-django's `db`), so whatever a
    test writes is undone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield _world()
        finally:
            transaction.set_rollback(True)


def _world():
    region = PlaceFactory(region=True)
    district = PlaceFactory(district=True, parent=region)
    rural = PlaceFactory(rural_district=True, parent=district)
    village = PlaceFactory(parent=rural)
    company = CompanyFactory()
    admin = MembershipFactory(organisation=company, admin=True)
    district_akimat = AkimatFactory(place=district)
    disclosure = DisclosureFactory(
        organisation=company, published=True, promised=True, settlements=[village]
    )
    hearing = HearingFactory(organiser=district_akimat, initiator=company, territory=[village])
    hearing.status, hearing.announced_at = "announced", hearing.created_at
    hearing.save(update_fields=["status", "announced_at"])
    users = {
        "anonymous": None,
        "resident": UserFactory(),
        "company_editor": member_of(company),
        "company_admin": admin.user,
        "other_company": member_of(CompanyFactory()),
        "region_akimat": member_of(AkimatFactory(place=region)),
        "district_akimat": member_of(district_akimat),
        "rural_akimat": member_of(AkimatFactory(place=rural)),
        "other_akimat": member_of(AkimatFactory()),
        "staff": UserFactory(staff=True),
    }
    return {
        "users": users,
        "village": village,
        "company": company,
        "project": ProjectFactory(operator=company, primary_settlement=village),
        "disclosure": disclosure,
        "question": QuestionFactory(disclosure=disclosure, approved=True),
        "feedback": ResidentFeedbackFactory(disclosure=disclosure),
        "hearing": hearing,
        "comment": HearingCommentFactory(hearing=hearing, approved=True),
        "pending_comment": HearingCommentFactory(hearing=hearing),
        "victim": MembershipFactory(organisation=company),
        "subscription": SubscriptionFactory(place=village),
        "link_request": LinkRequest.objects.create(
            kind=LinkRequest.Kind.INVESTOR,
            requested_by=(asking := CompanyFactory()),
            project=ProjectFactory(operator=asking, primary_settlement=village),
            organisation=company,
        ),
        "own_link_request": LinkRequest.objects.create(
            kind=LinkRequest.Kind.INVESTOR,
            requested_by=company,
            project=ProjectFactory(operator=company, primary_settlement=village),
            organisation=CompanyFactory(),
        ),
        "api_token": create_api_token(
            acting_user=admin.user,
            organisation=company,
            name="ERP",
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )[0],
    }


def _kwargs(name, params, world):
    namespace, short = name.split(":")
    values = {}
    for param in params:
        if param == "pk":
            special = {
                "disclosures:question_answer": "question",
                "disclosures:moderate": "feedback",
                "hearings:comment_answer": "comment",
                "hearings:moderate": "pending_comment",
                "projects:membership_remove": "victim",
                "projects:api_key_revoke": "api_token",
                "projects:link_request_answer": "link_request",
                "projects:link_request_withdraw": "own_link_request",
            }
            key = (
                special.get(name) or {"disclosures": "disclosure", "hearings": "hearing"}[namespace]
            )
            values[param] = world[key].pk
        elif param == "kind":
            values[param] = "feedback" if namespace == "disclosures" else "comment"
        elif param == "slug":
            if short.startswith("project"):
                values[param] = world["project"].slug
            elif short.startswith("place"):
                values[param] = world["village"].slug
            else:
                values[param] = world["company"].slug
        elif param == "token":
            subscription = world["subscription"]
            # Confirming and unsubscribing take separate tokens.
            unsubscribing = short == "unsubscribe"
            values[param] = subscription.unsubscribe_token if unsubscribing else subscription.token
        elif param == "kato_code":
            values[param] = world["village"].kato_code
        else:
            raise AssertionError(f"no value for {param} in {name}")
    return values


def _denied(response, actor):
    if actor == "anonymous":
        return response.status_code == 302 and "/login" in response["Location"]
    return response.status_code in (403, 404)


WRITE_URLS = [(name, params) for name, params in URLS if name in WRITES]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name,params", WRITE_URLS, ids=[name for name, _p in WRITE_URLS])
def test_write_url_matrix(client, world, name, params, actor):
    url = reverse(name, kwargs=_kwargs(name, params, world))
    user = world["users"][actor]
    if user is not None:
        client.force_login(user)
    version = caching.versions([caching.SITE])
    responses = [client.get(url), client.post(url, {})]
    if actor in WRITES[name]:
        for response in responses:
            assert not _denied(response, actor) or response.status_code == 405, (
                f"{actor} was refused {name}: {response.status_code}"
            )
        assert any(r.status_code != 405 for r in responses)
    else:
        for response in responses:
            assert _denied(response, actor) or response.status_code == 405, (
                f"{actor} reached {name}: {response.status_code}"
            )
        assert caching.versions([caching.SITE]) == version, (
            f"{actor} changed public content via {name}"
        )


@pytest.mark.parametrize("name,params", sorted(n for n in URLS if n[0] in OPEN_TO_ALL))
def test_resident_forms_need_no_account(client, world, name, params):
    response = client.get(reverse(name, kwargs=_kwargs(name, params, world)))
    assert response.status_code in (200, 302)
    assert "/login" not in response.get("Location", "")
