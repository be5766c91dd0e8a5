"""Consent for links between organisations: a company cannot name another as its project's
investor, nor add another organisation's person as its member (who would then read its drafts
and act in its name), without that organisation's administrators accepting. Until then the link
is nowhere public; the other side is told through the outbox and answers on its own page, which
nobody else can use."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.formats import day
from hearings.models import OutboxMessage
from projects import services
from projects.export import project_rows
from projects.models import LinkRequest, Membership, Project
from tests.factories import CompanyFactory, ProjectFactory, member_of, place_tree

pytestmark = pytest.mark.django_db


def named_as(name):
    return {"name_kk": name, "name_ru": name, "name_en": name}


@pytest.fixture
def named():
    """Steppe Mining names Silk Fund as an investor of its project, unasked."""
    places = place_tree()
    operator = CompanyFactory(**named_as("Steppe Mining"))
    editor = member_of(operator)
    fund = CompanyFactory(**named_as("Silk Fund"), slug="silk-fund")
    fund_admin = member_of(fund, role="administrator")
    project = ProjectFactory(operator=operator, primary_settlement=places["village"])
    _name_investor(project, editor, fund, "A fund joined.")
    return project, fund, fund_admin, editor


def _name_investor(project, editor, fund, reason):
    services.save_project(
        acting_user=editor,
        project=Project.objects.get(pk=project.pk),
        settlements=list(project.settlements.all()),
        investors=[fund],
        reason=reason,
    )


def public_traces(project, fund):
    """Where a resident or a reuser could see that Silk Fund invests in the project."""
    client = Client()
    api = client.get(f"/api/v1/projects/{project.slug}/").json()
    return {
        "api": "silk-fund" in api["investors"],
        "project page": "Silk Fund" in client.get(project.get_absolute_url()).content.decode(),
        "history": "Silk Fund"
        in client.get(reverse("projects:project_changes", args=[project.slug])).content.decode(),
        "fund's page": project.name in client.get(fund.get_absolute_url()).content.decode(),
        "bulk download": "silk-fund" in str(list(project_rows("{}"))),
    }


def test_a_named_investor_waits_for_its_consent_and_nothing_shows(named):
    project, fund, fund_admin, _ = named
    assert not project.investors.exists()
    request = LinkRequest.objects.pending().get()
    assert (request.project, request.organisation) == (project, fund)
    assert not any(public_traces(project, fund).values())
    notice = OutboxMessage.objects.get(kind=OutboxMessage.Kind.LINK_REQUEST)
    assert notice.recipient == fund_admin.email
    assert "Steppe Mining" in notice.body and "/link-requests/" in notice.body


def test_the_investor_accepts_and_the_link_is_public(named):
    project, fund, fund_admin, _ = named
    client = Client()
    client.force_login(fund_admin)
    page = client.get(reverse("projects:link_requests")).content.decode()
    assert project.name in page
    request = LinkRequest.objects.get()
    client.post(reverse("projects:link_request_answer", args=[request.pk]), {"answer": "accept"})
    assert list(project.investors.all()) == [fund]
    traces = public_traces(project, fund)
    assert traces["api"] and traces["project page"] and traces["history"]
    assert project.history.latest("pk").acting_organisation == fund


def test_a_declined_request_links_nothing(named):
    project, fund, fund_admin, _ = named
    client = Client()
    client.force_login(fund_admin)
    request = LinkRequest.objects.get()
    client.post(reverse("projects:link_request_answer", args=[request.pk]), {"answer": "decline"})
    assert LinkRequest.objects.get().status == LinkRequest.Status.DECLINED
    assert not project.investors.exists()


def test_only_the_other_sides_administrators_may_answer(named):
    project, fund, _, editor = named
    request = LinkRequest.objects.get()
    url = reverse("projects:link_request_answer", args=[request.pk])
    for someone in (editor, member_of(fund, role="editor"), member_of(CompanyFactory())):
        client = Client()
        client.force_login(someone)
        assert client.post(url, {"answer": "accept"}).status_code == 404
        assert project.name not in client.get(reverse("projects:link_requests")).content.decode()
    assert not project.investors.exists()


def test_another_organisations_person_joins_only_once_it_accepts():
    """An administrator adds another company's administrator as editor: no membership (so no
    drafts to read), a notice to that company's administrators; accepted, the person joins."""
    company = CompanyFactory(**named_as("Steppe Mining"))
    admin = member_of(company, role="administrator")
    rival = CompanyFactory()
    person = member_of(rival, role="administrator")
    client = Client()
    client.force_login(admin)
    client.post(
        reverse("projects:organisation_members", args=[company.slug]),
        {"email": person.email, "role": "editor"},
    )
    assert not Membership.objects.filter(user=person, organisation=company).exists()
    notice = OutboxMessage.objects.get(kind=OutboxMessage.Kind.LINK_REQUEST)
    assert notice.recipient == person.email
    answering = Client()
    answering.force_login(person)
    request = LinkRequest.objects.get(kind=LinkRequest.Kind.MEMBER)
    answering.post(reverse("projects:link_request_answer", args=[request.pk]), {"answer": "accept"})
    assert Membership.objects.get(user=person, organisation=company).role == "editor"


def test_no_consent_needed_from_oneself():
    """A person without another organisation joins at once; an administrator of both companies
    names one as the other's investor at once."""
    company = CompanyFactory()
    admin = member_of(company, role="administrator")
    assert services.add_member(
        acting_user=admin, organisation=company, email="new@example.kz", role="editor"
    )
    holding = CompanyFactory()
    Membership.objects.create(user=admin, organisation=holding, role="administrator")
    project = ProjectFactory(operator=company)
    services.save_project(
        acting_user=admin,
        project=Project.objects.get(pk=project.pk),
        settlements=list(project.settlements.all()),
        investors=[holding],
        reason="The holding invests.",
    )
    assert list(project.investors.all()) == [holding]
    assert not LinkRequest.objects.exists()


def test_the_asking_side_cannot_answer_its_own_request():
    """The person also belongs to a holding the asking administrator administers: the other
    company is still asked, and the asking administrator cannot accept in its place."""
    company, holding, rival = CompanyFactory(), CompanyFactory(), CompanyFactory()
    admin = member_of(company, role="administrator")
    Membership.objects.create(user=admin, organisation=holding, role="administrator")
    person = member_of(rival)
    Membership.objects.create(user=person, organisation=holding, role="editor")
    services.add_member(acting_user=admin, organisation=company, email=person.email, role="editor")
    request = LinkRequest.objects.pending().get()
    client = Client()
    client.force_login(admin)
    url = reverse("projects:link_request_answer", args=[request.pk])
    assert client.post(url, {"answer": "accept"}).status_code == 404
    assert not Membership.objects.filter(user=person, organisation=company).exists()


def test_the_asking_side_withdraws_a_waiting_request(named):
    """An administrator of the asking company takes the request back: it is kept, marked
    withdrawn with who and when, and the other side can no longer accept it."""
    project, fund, fund_admin, _ = named
    operator_admin = member_of(project.operator, role="administrator")
    request = LinkRequest.objects.get()
    client = Client()
    client.force_login(operator_admin)
    page = client.get(reverse("projects:link_requests")).content.decode()
    assert reverse("projects:link_request_withdraw", args=[request.pk]) in page
    response = client.post(reverse("projects:link_request_withdraw", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == LinkRequest.Status.WITHDRAWN
    assert request.decided_by == operator_admin and request.decided_at
    answering = Client()
    answering.force_login(fund_admin)
    url = reverse("projects:link_request_answer", args=[request.pk])
    assert answering.post(url, {"answer": "accept"}).status_code == 404
    assert not project.investors.exists()


def test_only_the_asking_sides_administrators_may_withdraw(named):
    project, fund, fund_admin, editor = named
    request = LinkRequest.objects.get()
    url = reverse("projects:link_request_withdraw", args=[request.pk])
    for someone in (editor, fund_admin, member_of(CompanyFactory(), role="administrator")):
        client = Client()
        client.force_login(someone)
        assert client.post(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.withdraw_link_request(acting_user=fund_admin, link_request=request)
    assert LinkRequest.objects.get().status == LinkRequest.Status.PENDING


def test_a_declined_link_is_asked_again_only_after_the_waiting_days(named):
    """Declined, the same investor cannot be named again for 30 days (the refusal says from
    which day); after them it can, once more."""
    project, fund, fund_admin, editor = named
    declined = services.answer_link_request(
        acting_user=fund_admin, link_request=LinkRequest.objects.get(), accept=False
    )
    with pytest.raises(ValidationError) as refused:
        _name_investor(project, editor, fund, "Asked again.")
    again = day(declined.decided_at + timedelta(days=LinkRequest.ASK_AGAIN_AFTER_DAYS))
    refusal = " ".join(refused.value.messages)
    assert "Silk Fund" in refusal and again in refusal
    assert not LinkRequest.objects.pending().exists()

    LinkRequest.objects.update(decided_at=timezone.now() - timedelta(days=31))
    _name_investor(project, editor, fund, "Asked again.")
    assert LinkRequest.objects.pending().get().organisation == fund


def test_a_declined_member_request_is_refused_on_the_form_not_with_an_error_page():
    company = CompanyFactory()
    admin = member_of(company, role="administrator")
    person = member_of(CompanyFactory(**named_as("Rival Mining")), role="administrator")
    services.add_member(acting_user=admin, organisation=company, email=person.email, role="editor")
    declined = services.answer_link_request(
        acting_user=person, link_request=LinkRequest.objects.get(), accept=False
    )
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("projects:organisation_members", args=[company.slug]),
        {"email": person.email, "role": "editor"},
    )
    assert response.status_code == 200
    again = day(declined.decided_at + timedelta(days=LinkRequest.ASK_AGAIN_AFTER_DAYS))
    assert "Rival Mining" in response.content.decode() and again in response.content.decode()
    assert LinkRequest.objects.count() == 1
