"""The lifecycle table on `Disclosure`: every step allowed and refused, and no second route."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from core.lifecycle import available_transitions
from disclosures import services
from disclosures.models import Disclosure, Revision, Status
from tests.factories import (
    AkimatFactory,
    DisclosureFactory,
    PlaceFactory,
    QuestionFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db

TRAIT = {
    Status.PROMISED: "promised",
    Status.IN_PROGRESS: "in_progress",
    Status.DELIVERED: "delivered",
    Status.CANCELLED: "cancelled",
}
ALLOWED = {
    (Status.PROMISED, Status.IN_PROGRESS),
    (Status.PROMISED, Status.DELIVERED),
    (Status.PROMISED, Status.CANCELLED),
    (Status.IN_PROGRESS, Status.DELIVERED),
    (Status.IN_PROGRESS, Status.CANCELLED),
}


def _disclosure(status, **traits):
    return DisclosureFactory(**{TRAIT[status]: True, "published": True, **traits})


@pytest.mark.parametrize("source,target", list(itertools.product(Status.values, repeat=2)))
def test_every_status_step_allowed_or_refused(source, target):
    """Only promised → in progress → delivered, or → cancelled; delivered and cancelled are
    final, nothing goes back to promised, and a refused step changes nothing."""
    disclosure = _disclosure(source)
    owner = member_of(disclosure.organisation)
    version = disclosure.version
    if (source, target) in ALLOWED:
        services.change_status(
            acting_user=owner,
            disclosure=disclosure,
            status=target,
            date=timezone.localdate(),
            note="Reason given.",
        )
        disclosure.refresh_from_db()
        assert disclosure.status == target
        assert disclosure.version == version + 1
        assert disclosure.status_changes.filter(status=target).exists()
        assert disclosure.revisions.filter(action=Revision.Action.STATUS).exists()
    else:
        with pytest.raises(ValidationError):
            services.change_status(
                acting_user=owner, disclosure=disclosure, status=target, note="Reason given."
            )
        disclosure.refresh_from_db()
        assert disclosure.status == source
        assert disclosure.version == version


def test_cancelling_needs_a_reason_and_delivering_needs_a_past_date():
    disclosure = _disclosure(Status.PROMISED)
    owner = member_of(disclosure.organisation)
    with pytest.raises(ValidationError):
        services.change_status(acting_user=owner, disclosure=disclosure, status=Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.change_status(
            acting_user=owner,
            disclosure=disclosure,
            status=Status.DELIVERED,
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    disclosure.refresh_from_db()
    assert disclosure.status == Status.PROMISED


def test_no_stale_cancel_reason_or_delivered_date():
    """A cancel reason belongs to a cancelled record, a delivered date to a delivered one."""
    place = PlaceFactory()
    disclosure = DisclosureFactory.build(
        organisation=DisclosureFactory().organisation,
        status=Status.IN_PROGRESS,
        due_date=timezone.localdate(),
        delivered_date=timezone.localdate(),
        cancel_reason="Left over from a typo.",
        title_en="Well",
    )
    owner = member_of(disclosure.organisation)
    services.create_disclosure(acting_user=owner, disclosure=disclosure, settlements=[place])
    disclosure.refresh_from_db()
    assert disclosure.cancel_reason == ""
    assert disclosure.delivered_date is None
    services.change_status(
        acting_user=owner, disclosure=disclosure, status=Status.DELIVERED, note="Done."
    )
    disclosure.refresh_from_db()
    assert disclosure.cancel_reason == ""
    assert disclosure.delivered_date == timezone.localdate()


@pytest.mark.parametrize(
    "publication,step,allowed",
    [
        ("draft", "publish", True),
        ("published", "publish", False),
        ("withdrawn", "publish", False),
        ("draft", "withdraw", False),
        ("published", "withdraw", True),
        ("withdrawn", "withdraw", False),
        ("draft", "status", True),
        ("published", "status", True),
        ("withdrawn", "status", False),
        ("draft", "edit", True),
        ("published", "edit", True),
        ("withdrawn", "edit", False),
    ],
)
def test_publication_steps(publication, step, allowed):
    """draft → published → withdrawn; a withdrawn record changes no more."""
    traits = {"draft": {}, "published": {"published": True}, "withdrawn": {"withdrawn": True}}
    disclosure = DisclosureFactory(promised=True, **traits[publication])
    owner = member_of(disclosure.organisation)

    def run():
        if step == "publish":
            services.publish_disclosure(acting_user=owner, disclosure=disclosure)
        elif step == "withdraw":
            services.withdraw_disclosure(acting_user=owner, disclosure=disclosure, reason="Dup.")
        elif step == "status":
            services.change_status(
                acting_user=owner, disclosure=disclosure, status=Status.IN_PROGRESS
            )
        else:
            disclosure.title_en = "Corrected title"
            services.update_disclosure(
                acting_user=owner,
                disclosure=disclosure,
                settlements=list(disclosure.settlements.all()),
                reason="Typo.",
            )

    if allowed:
        run()
    else:
        with pytest.raises(ValidationError):
            run()


def test_hide_and_unhide_are_explicit_steps_logged_as_staff():
    """Hiding twice is refused (no toggle that makes hidden content public again); each step
    needs a reason; the log credits moderators, not the company."""
    disclosure = DisclosureFactory(published=True)
    staff = UserFactory(staff=True)
    services.hide_disclosure(acting_user=staff, disclosure=disclosure, reason="Court order.")
    with pytest.raises(ValidationError):
        services.hide_disclosure(acting_user=staff, disclosure=disclosure, reason="Again.")
    disclosure.refresh_from_db()
    assert disclosure.is_hidden()
    with pytest.raises(ValidationError):
        services.unhide_disclosure(acting_user=staff, disclosure=disclosure, reason="")
    services.unhide_disclosure(acting_user=staff, disclosure=disclosure, reason="Order lifted.")
    with pytest.raises(ValidationError):
        services.unhide_disclosure(acting_user=staff, disclosure=disclosure, reason="Again.")
    disclosure.refresh_from_db()
    assert not disclosure.is_hidden()
    revisions = list(disclosure.revisions.filter(action__in=["hidden", "unhidden"]))
    assert [r.action for r in revisions] == ["hidden", "unhidden"]
    assert all(r.by_staff and r.acting_organisation is None for r in revisions)


def test_posting_the_hide_form_twice_keeps_it_hidden(client):
    disclosure = DisclosureFactory(published=True)
    client.force_login(UserFactory(staff=True))
    url = reverse("disclosures:hide", args=[disclosure.pk])
    for _ in range(2):
        client.post(url, {"reason": "Court order.", "version": Disclosure.objects.get().version})
    disclosure.refresh_from_db()
    assert disclosure.is_hidden()
    assert disclosure.revisions.filter(action="hidden").count() == 1
    assert disclosure.revisions.filter(action="unhidden").count() == 0


def test_staff_cannot_act_in_a_company_name_even_as_a_member():
    """A moderator with a membership row (made around the rules) still cannot withdraw."""
    from projects.models import Membership

    disclosure = DisclosureFactory(published=True)
    staff = UserFactory(staff=True)
    Membership.objects.create(user=staff, organisation=disclosure.organisation)
    with pytest.raises(PermissionDenied):
        services.withdraw_disclosure(acting_user=staff, disclosure=disclosure, reason="x")
    assert not Disclosure.objects.editable_by(staff).exists()


def test_edit_form_has_no_status_route(client):
    """Posting a status to the edit form changes nothing: only the status steps move it."""
    disclosure = DisclosureFactory(published=True, delivered=True)
    client.force_login(member_of(disclosure.organisation))
    response = client.get(reverse("disclosures:edit", args=[disclosure.pk]))
    assert "status" not in response.context["form"].fields
    assert "cancel_reason" not in response.context["form"].fields
    data = _edit_data(disclosure, title_en="Corrected", status="promised", reason="Typo.")
    response = client.post(reverse("disclosures:edit", args=[disclosure.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    disclosure.refresh_from_db()
    assert disclosure.title_en == "Corrected"
    assert disclosure.status == Status.DELIVERED


def _edit_data(disclosure, **changes):
    data = {
        "title_en": disclosure.title_en,
        "title_ru": disclosure.title_ru,
        "category": disclosure.category,
        "currency": disclosure.currency,
        "value_form": disclosure.value_form,
        "basis": disclosure.basis,
        "amount": str(disclosure.amount),
        "delivered_date": disclosure.delivered_date.isoformat()
        if disclosure.delivered_date
        else "",
        "due_date": disclosure.due_date.isoformat() if disclosure.due_date else "",
        "settlement_codes": " ".join(p.kato_code for p in disclosure.settlements.all()),
        "version": disclosure.version,
    }
    data.update(changes)
    return data


def test_a_stale_edit_is_refused_with_what_changed():
    """Two people open the same disclosure; the second save is refused, not a silent revert,
    and the message names what changed meanwhile."""
    disclosure = DisclosureFactory(published=True)
    first, second = member_of(disclosure.organisation), member_of(disclosure.organisation)
    opened = disclosure.version
    settlements = list(disclosure.settlements.all())
    mine = Disclosure.objects.get(pk=disclosure.pk)
    mine.title_en = "First correction"
    services.update_disclosure(
        acting_user=first,
        disclosure=mine,
        settlements=settlements,
        reason="Typo.",
        expected_version=opened,
    )
    theirs = Disclosure.objects.get(pk=disclosure.pk)
    theirs.version = opened
    theirs.amount = 5
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.update_disclosure(
            acting_user=second,
            disclosure=theirs,
            settlements=settlements,
            reason="Amount.",
            expected_version=opened,
        )
    assert "title in English" in " ".join(refused.value.messages)
    disclosure.refresh_from_db()
    assert disclosure.title_en == "First correction"
    assert disclosure.amount != 5
    assert disclosure.revisions.filter(action="edited").count() == 1


def test_stale_edit_form_shows_the_refusal(client):
    disclosure = DisclosureFactory(published=True)
    client.force_login(member_of(disclosure.organisation))
    data = _edit_data(disclosure, title_en="Mine", reason="Typo.")
    Disclosure.objects.filter(pk=disclosure.pk).update(version=disclosure.version + 1)
    with translation.override("en"):
        response = client.post(reverse("disclosures:edit", args=[disclosure.pk]), data)
    assert response.status_code == 200
    assert "Someone else changed this disclosure" in response.content.decode()
    disclosure.refresh_from_db()
    assert disclosure.title_en != "Mine"


def test_buttons_follow_the_table(client):
    """A delivered, published record offers correct/withdraw/evidence, never a status step;
    staff see only hide; a draft offers publish."""
    disclosure = DisclosureFactory(published=True, delivered=True)
    owner = member_of(disclosure.organisation)
    names = {t.name for t in available_transitions(disclosure, owner)}
    assert names == {"edit", "add_evidence", "withdraw"}
    assert {t.name for t in available_transitions(disclosure, UserFactory(staff=True))} == {"hide"}
    client.force_login(owner)
    page = client.get(disclosure.get_absolute_url()).content.decode()
    assert reverse("disclosures:status", args=[disclosure.pk]) not in page
    assert reverse("disclosures:withdraw", args=[disclosure.pk]) in page
    draft = DisclosureFactory(promised=True, organisation=disclosure.organisation)
    names = {t.name for t in available_transitions(draft, owner)}
    assert names == {"start", "deliver", "cancel", "edit", "add_evidence", "publish"}


def test_a_hidden_source_shows_as_hidden_in_funded_from(client):
    places = place_tree()
    akimat = AkimatFactory(place=places["rural"])
    payment = DisclosureFactory(
        published=True,
        settlements=[places["village"]],
        recipient_role="akimat_budget",
        title_en="Secret payment",
    )
    spending = DisclosureFactory(
        published=True, organisation=akimat, settlements=[places["village"]], funded_by=payment
    )
    services.hide_disclosure(
        acting_user=UserFactory(staff=True), disclosure=payment, reason="Court order."
    )
    page = client.get(spending.get_absolute_url()).content.decode()
    assert "Secret payment" not in page
    assert payment.organisation.name_en not in page
    assert payment.get_absolute_url() not in page


def test_funded_from_only_payments_into_the_acting_akimats_budget():
    """An akimat books spending only against a company's payment into an akimat budget whose
    settlements all lie in its jurisdiction."""
    places = place_tree()
    rural = AkimatFactory(place=places["rural"])
    district = AkimatFactory(place=places["district"])
    into_rural = DisclosureFactory(
        published=True, settlements=[places["village"]], recipient_role="akimat_budget"
    )
    into_district = DisclosureFactory(
        published=True,
        settlements=[places["village"], PlaceFactory(parent=places["district"])],
        recipient_role="akimat_budget",
    )
    to_school = DisclosureFactory(
        published=True, settlements=[places["village"]], recipient_role="school"
    )
    elsewhere = DisclosureFactory(
        published=True, settlements=[places["elsewhere"]], recipient_role="akimat_budget"
    )
    assert set(Disclosure.objects.fundable_by(rural)) == {into_rural}
    assert set(Disclosure.objects.fundable_by(district)) == {into_rural, into_district}
    for source in (into_district, to_school, elsewhere):
        spending = DisclosureFactory.build(
            organisation=rural, funded_by=source, title_en="Roof", status=Status.DELIVERED
        )
        spending.delivered_date = timezone.localdate()
        with pytest.raises(ValidationError) as refused:
            services.create_disclosure(
                acting_user=member_of(rural), disclosure=spending, settlements=[places["village"]]
            )
        assert "funded_by" in refused.value.message_dict


def test_a_published_answer_is_corrected_with_a_reason_and_kept(client):
    question = QuestionFactory(answered=True)
    owner = member_of(question.disclosure.organisation)
    with pytest.raises(ValidationError):
        services.answer_question(acting_user=owner, question=question, answer="In October.")
    services.answer_question(
        acting_user=owner, question=question, answer="In October.", reason="The date moved."
    )
    question.refresh_from_db()
    assert question.answer == "In October."
    correction = question.corrections.get()
    assert (correction.old_answer, correction.reason) == ("In September.", "The date moved.")
    page = client.get(question.disclosure.get_absolute_url()).content.decode()
    assert "In September." in page and "The date moved." in page


def test_the_page_shows_each_answers_corrections_oldest_first_under_its_question(client):
    """The corrections of each approved question's answer are shown under their own question,
    oldest first; an uncorrected answer shows none."""
    question = QuestionFactory(answered=True)
    owner = member_of(question.disclosure.organisation)
    QuestionFactory(answered=True, disclosure=question.disclosure, answer="Never corrected.")
    for answer, reason in [("In October.", "The date moved."), ("In May.", "Moved again.")]:
        services.answer_question(acting_user=owner, question=question, answer=answer, reason=reason)
    page = client.get(question.disclosure.get_absolute_url()).content.decode()
    assert page.count('class="answer-history"') == 1
    assert page.index("The date moved.") < page.index("Moved again.")


def test_a_hidden_source_is_not_named_in_the_change_log(client):
    places = place_tree()
    akimat = AkimatFactory(place=places["rural"])
    payment = DisclosureFactory(
        published=True,
        settlements=[places["village"]],
        recipient_role="akimat_budget",
        title_en="Secret payment",
    )
    spending = DisclosureFactory(
        published=True, organisation=akimat, settlements=[places["village"]]
    )
    spending.funded_by = payment
    services.update_disclosure(
        acting_user=member_of(akimat),
        disclosure=spending,
        settlements=[places["village"]],
        reason="Linked the payment.",
    )
    with translation.override("en"):
        url = reverse("disclosures:changes", args=[spending.pk])
        assert "Secret payment" in client.get(url).content.decode()
        services.hide_disclosure(
            acting_user=UserFactory(staff=True), disclosure=payment, reason="Court order."
        )
        page = client.get(url).content.decode()
    assert "Secret payment" not in page
    assert "a contribution hidden by moderators" in page
