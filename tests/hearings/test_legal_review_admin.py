"""The legal editor's way in: the admin verifies, corrects or withdraws a rule only through the
legal review's services, only for a user with `hearings.review_legal_rules`; a verified rule's
period and source are locked everywhere else."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from hearings.models import Rule, RuleChange
from tests.factories import UserFactory, bind_rules

pytestmark = pytest.mark.django_db

RECORD = {
    "number": "7",
    "source_document": "Rules for conducting public hearings (Order No. 286)",
    "source_document_kk": "",
    "source_document_ru": "",
    "source_article": "p. 99",
    "source_edition": "2024-03-06",
    "source_url": "https://adilet.zan.kz/rus/docs/V2100023901",
    "source_text_kk": "Хаттама жеті жұмыс күні ішінде жарияланады.",
    "source_text_ru": "Протокол публикуется в течение семи рабочих дней.",
    "reason": "Read p. 99 on adilet.zan.kz.",
}


def _staff(*codenames):
    user = UserFactory(staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="hearings", codename__in=codenames)
    )
    return user


@pytest.fixture
def rule():
    return Rule.objects.get(rule_set__code="eco-open-meeting-2024", measures="protocol")


@pytest.fixture
def legal_editor():
    return _staff("review_legal_rules", "view_rule", "change_rule")


def _verify_url(rule):
    return reverse("admin:hearings_rule_verify", args=[rule.pk])


def test_a_legal_editor_verifies_a_rule_through_the_review(client, rule, legal_editor):
    client.force_login(legal_editor)
    assert client.get(_verify_url(rule)).status_code == 200
    response = client.post(_verify_url(rule), RECORD)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.binds and rule.verified_by == legal_editor and rule.number == 7
    change = RuleChange.objects.get(rule=rule)
    assert change.action == RuleChange.Action.VERIFIED and change.reason == RECORD["reason"]
    assert change.before["verified"] == "False"


def test_an_incomplete_record_is_refused_in_words(client, rule, legal_editor):
    client.force_login(legal_editor)
    response = client.post(_verify_url(rule), {**RECORD, "source_text_kk": "", "reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors
    rule.refresh_from_db()
    assert not rule.binds and not RuleChange.objects.exists()


@pytest.mark.parametrize(
    "codenames",
    [("view_rule", "change_rule"), ("view_rule",)],
    ids=["rule editor", "viewer"],
)
def test_staff_without_the_legal_permission_cannot_verify_or_withdraw(client, rule, codenames):
    client.force_login(_staff(*codenames))
    assert client.get(_verify_url(rule)).status_code == 403
    assert client.post(_verify_url(rule), RECORD).status_code == 403
    changelist = client.get(reverse("admin:hearings_rule_changelist"))
    assert changelist.status_code == 200
    action_form = changelist.context["action_form"]
    assert action_form is None or "withdraw" not in dict(action_form.fields["action"].choices)
    bind_rules(pk=rule.pk)
    client.post(
        reverse("admin:hearings_rule_changelist"),
        {"action": "withdraw", "_selected_action": [rule.pk], "apply": "1", "reason": "No."},
    )
    rule.refresh_from_db()
    assert rule.binds and not RuleChange.objects.exists()


def test_a_legal_editor_who_is_not_staff_does_not_reach_the_admin(client, rule):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="review_legal_rules"))
    client.force_login(user)
    assert client.post(_verify_url(rule), RECORD).status_code == 302  # to the admin's sign-in
    rule.refresh_from_db()
    assert not rule.binds


def test_a_verified_rules_period_and_source_are_locked_outside_the_review(client, rule):
    """A rule editor's change form no longer edits the number or the article of a verified rule;
    only the review (with a reason, logged) does."""
    editor = _staff("view_rule", "change_rule")
    legal_editor = _staff("review_legal_rules", "view_rule", "change_rule")
    client.force_login(legal_editor)
    client.post(_verify_url(rule), RECORD)
    client.force_login(editor)
    form = client.get(reverse("admin:hearings_rule_change", args=[rule.pk])).context["adminform"]
    assert {"number", "source_article", "unit", "source_text_ru"} <= set(form.readonly_fields)
    client.post(
        reverse("admin:hearings_rule_change", args=[rule.pk]),
        {**RECORD, "number": "3", "source_article": "p. 1", "note": "edited"},
    )
    rule.refresh_from_db()
    assert rule.number == 7 and rule.source_article == "p. 99"


def test_a_legal_editor_corrects_the_number_and_withdraws(client, rule, legal_editor):
    client.force_login(legal_editor)
    client.post(_verify_url(rule), RECORD)
    client.post(_verify_url(rule), {**RECORD, "number": "5", "reason": "Five, not seven."})
    rule.refresh_from_db()
    assert rule.number == 5 and rule.binds
    assert RuleChange.objects.filter(rule=rule).last().before["number"] == "7"
    response = client.post(
        reverse("admin:hearings_rule_changelist"),
        {"action": "withdraw", "_selected_action": [rule.pk], "apply": "1", "reason": "Misread."},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.binds
    assert RuleChange.objects.filter(rule=rule).last().action == RuleChange.Action.WITHDRAWN
