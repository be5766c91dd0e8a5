"""Every form that can be refused opens with a GOV.UK-style error summary: a focusable alert
box headed "There is a problem" that links each error to its field, whose own error is tied to
it with aria-describedby."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingCommentFactory,
    HearingFactory,
    LearnedOfFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Pages in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def _company_editor(client):
    company = CompanyFactory()
    client.force_login(member_of(company))
    return company


def _official(client, hearing):
    client.force_login(member_of(hearing.organiser))


def question(client):
    disclosure = DisclosureFactory(published=True)
    return reverse("disclosures:question", args=[disclosure.pk]), {"text": ""}


def dispute(client):
    disclosure = DisclosureFactory(published=True)
    return reverse("disclosures:feedback", args=[disclosure.pk]), {"comment": "no kind chosen"}


def hearing_comment(client):
    hearing = HearingFactory(announced=True)
    return reverse("hearings:comment", args=[hearing.pk]), {"kind": "question", "text": ""}


def registration(client):
    hearing = HearingFactory(announced=True)
    return reverse("hearings:register", args=[hearing.pk]), {"name": ""}


def subscribe(client):
    return reverse("hearings:subscribe"), {"email": "not an address", "place": "12"}


def disclosure_create(client):
    _company_editor(client)
    return reverse("disclosures:create"), {"settlement_codes": "12345"}


def disclosure_correct(client):
    company = _company_editor(client)
    disclosure = DisclosureFactory(organisation=company)
    return reverse("disclosures:edit", args=[disclosure.pk]), {"settlement_codes": "nowhere-x1"}


def disclosure_withdraw(client):
    company = _company_editor(client)
    disclosure = DisclosureFactory(organisation=company, published=True)
    return reverse("disclosures:withdraw", args=[disclosure.pk]), {"reason": ""}


def hearing_notice(client):
    akimat = AkimatFactory(place=place_tree()["district"])
    client.force_login(member_of(akimat))
    return reverse("hearings:create"), {"territory_codes": "000"}


def protocol(client):
    hearing = HearingFactory(announced=True)
    _official(client, hearing)
    return reverse("hearings:record", args=[hearing.pk]), {"attendance": "-3"}


def project(client):
    _company_editor(client)
    return reverse("projects:project_create"), {"primary_settlement_code": ""}


def disclosure_import(client):
    _company_editor(client)
    return reverse("disclosures:import"), {"organisation": "0"}


def login(client):
    return reverse("login"), {"username": "", "password": ""}


def password_change(client):
    client.force_login(UserFactory())
    return reverse("password_change"), {"old_password": "wrong", "new_password1": "x"}


def _moderator(client):
    client.force_login(UserFactory(staff=True))


def moderation_contribution(client):
    """A rejection without a reason, on a queue with another item waiting."""
    _moderator(client)
    disclosure = DisclosureFactory(published=True)
    QuestionFactory(disclosure=disclosure)
    item = ResidentFeedbackFactory(disclosure=disclosure)
    return reverse("disclosures:moderate", args=["feedback", item.pk]), {"approve": "0"}


def moderation_hearing(client):
    _moderator(client)
    hearing = HearingFactory(announced=True)
    LearnedOfFactory(hearing=hearing)
    comment = HearingCommentFactory(hearing=hearing)
    return reverse("hearings:moderate", args=["comment", comment.pk]), {"approve": "0"}


FORMS = [
    question,
    dispute,
    hearing_comment,
    registration,
    subscribe,
    disclosure_create,
    disclosure_correct,
    disclosure_withdraw,
    hearing_notice,
    protocol,
    project,
    disclosure_import,
    login,
    password_change,
    moderation_contribution,
    moderation_hearing,
]


@pytest.mark.parametrize("make", FORMS, ids=[make.__name__ for make in FORMS])
def test_refused_form_opens_with_an_error_summary_linking_each_field(client, make):
    url, data = make(client)
    response = client.post(url, data)
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    form = response.context["form"]
    assert form.errors, "the case must refuse the form"
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "no error summary"
    assert 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert "There is a problem" in summary.group(1)
    assert "js/forms.js" in html  # the script that focuses the summary
    for name in form.errors:
        if name == "__all__" or form[name].is_hidden:
            continue
        field = form[name]
        target = field.id_for_label or f"{field.auto_id}_0"
        assert f'href="#{target}"' in summary.group(1), name
        assert f'id="{target}"' in html, name  # the link leads somewhere
        assert f'id="{field.auto_id}_error"' in html, name
        if not field.field.widget.use_fieldset:
            assert re.search(
                rf'<[^>]*id="{field.auto_id}"[^>]*aria-describedby="[^"]*{field.auto_id}_error',
                html,
            ) or re.search(
                rf'<[^>]*aria-describedby="[^"]*{field.auto_id}_error[^"]*"[^>]*id="{field.auto_id}"',
                html,
            ), name
    for error in form.non_field_errors():
        assert str(error) in summary.group(1)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_valid_form_shows_no_summary(client):
    response = client.get(reverse("login"))
    assert "error-summary" not in response.content.decode()
    assert "js/forms.js" not in response.content.decode()


def test_refused_hearing_comment_keeps_the_typed_text(client):
    """The resident's words come back in the form, not only the errors."""
    hearing = HearingFactory(announced=True)
    response = client.post(
        reverse("hearings:comment", args=[hearing.pk]),
        {"text": "Will the road be closed in spring?", "author_name": "Aigerim"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Will the road be closed in spring?" in html
    assert 'value="Aigerim"' in html


@pytest.mark.parametrize("make", [moderation_contribution, moderation_hearing])
def test_refused_moderation_comes_back_in_its_place_with_unique_ids(client, make):
    """The decision is shown again where it was, with what was chosen, and the page has one
    error summary (every item's form has ids of its own: checked above)."""
    url, data = make(client)
    response = client.post(url, {**data, "reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    form = response.context["form"]
    assert f'action="{url}"' in html
    assert re.search(
        rf'<input[^>]*value="0"[^>]*id="{form["approve"].auto_id}_1"[^>]*checked', html
    )
    assert html.count("error-summary-list") == 1


@pytest.mark.parametrize(
    "language, ours, stock",
    [("kk", "Бұл жолды толтырыңыз.", "Бұл мән міндетті."), ("ru", "Заполните это поле.", None)],
)
def test_a_missing_field_is_said_in_our_words(client, language, ours, stock):
    """Django's stock "This field is required." is reworded in our catalogue (its Kazakh,
    "Бұл мән міндетті.", reads like a machine's), and the form leaves checking to the server,
    so the page's own summary shows instead of the browser's bubbles."""
    hearing = HearingFactory(announced=True)
    with translation.override(language):
        url = reverse("hearings:comment", args=[hearing.pk])
    response = client.post(url, {"kind": "question", "text": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert ours in html
    if stock:
        assert stock not in html
    assert re.search(r'<form method="post"[^>]*novalidate', html)
