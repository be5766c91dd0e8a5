"""Only a verified rule binds: an unverified one is guidance, never a refusal, a red state, an
alert or a "broken" in the API; verifying it through the legal review makes it bind."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hearings import clock, notifications, services
from hearings.models import Hearing, OutboxMessage, Rule, RuleChange, RuleSet
from tests.factories import HearingFactory, UserFactory, bind_rules, member_of

from .conftest import local_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(staff=True)


@pytest.fixture
def legal_editor():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="review_legal_rules"))
    return UserFactory._meta.model.objects.get(pk=user.pk)  # a fresh permission cache


RECORD = {
    "source_document": "Rules for conducting public hearings (Order No. 286)",
    "source_article": "p. 99",
    "source_edition": datetime.date(2024, 3, 6),
    "source_url": "https://adilet.zan.kz/rus/docs/V2100023901",
    "source_text_kk": "Хаттама жеті күн ішінде жарияланады.",
    "source_text_ru": "Протокол публикуется в течение семи дней.",
}


def _verify(user, measures, code="eco-open-meeting-2024"):
    rule = Rule.objects.get(rule_set__code=code, measures=measures)
    return services.verify_rule(
        acting_user=user, rule=rule, reason="Read on adilet.zan.kz.", **RECORD
    )


def test_no_shipped_rule_binds():
    """Nobody has read the paragraphs: every shipped rule is guidance."""
    assert Rule.objects.exists()
    assert not any(rule.binds for rule in Rule.objects.all())


def test_unverified_notice_rules_never_refuse_an_announcement(staff):
    """A hearing 5 days away, materials never dated: the unverified 20- and 30-day rules advise
    but do not refuse; the advice says the source is not confirmed."""
    hearing = HearingFactory(starts_at=local_at(5), materials_available_from=None)
    assert clock.announcement_problems(hearing) == []
    with translation.override("en"):
        advice = " ".join(clock.announcement_guidance(hearing))
    assert "Legal source not confirmed" in advice
    assert "lawful" not in advice
    services.announce_hearing(acting_user=staff, hearing=hearing)
    assert Hearing.objects.get(pk=hearing.pk).status == Hearing.Status.ANNOUNCED


def test_unverified_notice_rule_never_refuses_a_change_of_hall(staff):
    """Eight days before, the hall changes: accepted."""
    hearing = HearingFactory(announced=True, starts_at=local_at(8))
    services.reschedule_hearing(
        acting_user=staff,
        hearing=hearing,
        starts_at=hearing.starts_at,
        venue_ru="Дом культуры, малый зал",
        reason="The big hall is under repair.",
    )
    assert Hearing.objects.get(pk=hearing.pk).venue_ru == "Дом культуры, малый зал"


def test_unverified_protocol_rule_is_not_late_red_alerted_or_broken(client, staff):
    """The 7-day protocol rule (no source) past due: no alert e-mail, not on the dashboard, no
    red or "not met" on the page, no `broken` or `met: false` in the API."""
    hearing = HearingFactory(past=True, starts_at=local_at(-30), announced_at=local_at(-70))
    hearing.organiser.email = "akimat@example.kz"
    hearing.organiser.save()
    member = member_of(hearing.organiser)
    assert not clock.is_protocol_late(hearing)
    assert not clock.late_protocols(Hearing.objects.all()).exists()
    notifications.queue_protocol_late_alerts()
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PROTOCOL_LATE).exists()

    body = client.get("/en" + hearing.get_absolute_url()[3:]).content.decode()
    assert "status-overdue" not in body and "message error" not in body
    assert "not met" not in body and "is not published yet" not in body
    assert "Legal source not confirmed" in body
    assert "later than the site expects" in body

    api = client.get(f"/api/v1/hearings/{hearing.pk}/").json()
    protocol = next(d for d in api["deadlines"] if d["key"] == "protocol")
    assert protocol["state"] == "off_guidance" and protocol["met"] is None
    assert protocol["verified"] is False and protocol["source"] and protocol["note"]
    assert all(d["state"] != "broken" and d["met"] is not False for d in api["deadlines"])

    client.force_login(member)
    dashboard = client.get("/en/hearings/manage/")
    assert dashboard.status_code == 200 and list(dashboard.context["late"]) == []


def test_verifying_through_the_service_makes_a_rule_bind(staff, legal_editor):
    """Verified with its whole record and a reason, logged: the protocol rule now makes the
    akimat late (alert and all), and the announcement rule refuses."""
    hearing = HearingFactory(past=True, starts_at=local_at(-30), announced_at=local_at(-70))
    hearing.organiser.email = "akimat@example.kz"
    hearing.organiser.save()
    _verify(legal_editor, "protocol")
    rule = Rule.objects.get(rule_set__code="eco-open-meeting-2024", measures="protocol")
    assert rule.binds and rule.verified_by == legal_editor
    assert rule.verified_on == timezone.localdate()
    change = RuleChange.objects.get(rule=rule)
    assert change.action == RuleChange.Action.VERIFIED and change.reason
    assert change.before["verified"] == "False"
    assert clock.is_protocol_late(Hearing.objects.get(pk=hearing.pk))
    notifications.queue_protocol_late_alerts()
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.PROTOCOL_LATE).exists()
    state = next(
        d for d in clock.deadlines(Hearing.objects.get(pk=hearing.pk)) if d.key == "protocol"
    )
    assert state.state == clock.BROKEN and state.met is False and state.verified

    _verify(legal_editor, "announcement")
    soon = HearingFactory(starts_at=local_at(5), materials_available_from=timezone.localdate())
    with pytest.raises(ValidationError):
        services.announce_hearing(acting_user=staff, hearing=soon)

    services.withdraw_rule_verification(acting_user=legal_editor, rule=rule, reason="Misread.")
    assert not Rule.objects.get(pk=rule.pk).binds
    assert not clock.is_protocol_late(Hearing.objects.get(pk=hearing.pk))


def test_verification_needs_the_permission_a_reason_and_the_whole_record(staff, legal_editor):
    rule = Rule.objects.get(rule_set__code="eco-open-meeting-2024", measures="protocol")
    with pytest.raises(PermissionDenied):
        services.verify_rule(acting_user=UserFactory(), rule=rule, reason="x", **RECORD)
    with pytest.raises(ValidationError):
        services.verify_rule(acting_user=legal_editor, rule=rule, reason=" ", **RECORD)
    with pytest.raises(ValidationError) as caught:
        services.verify_rule(
            acting_user=legal_editor,
            rule=rule,
            reason="Read it.",
            **{**RECORD, "source_text_kk": ""},
        )
    assert "source_text_kk" in caught.value.message_dict
    assert not Rule.objects.get(pk=rule.pk).binds
    assert not RuleChange.objects.exists()


def test_earliest_lawful_date_after_a_venue_change_matches_the_check(staff):
    """A hearing on 5 Jan 2027, materials up since 1 Dec, its hall changed on 28 Dec 2026: the
    binding 20-calendar-day notice gives 17 Jan 2027 (not 27 Jan from re-counting the 30-day
    materials period from the day of the change), and the check accepts 17 Jan."""
    bind_rules()
    today = datetime.date(2026, 12, 28)
    hearing = HearingFactory(
        announced=True,
        starts_at=timezone.make_aware(datetime.datetime(2027, 1, 5, 11)),
        materials_available_from=datetime.date(2026, 12, 1),
        comments_until=None,
    )
    assert clock.earliest_lawful_start(hearing, today) == datetime.date(2027, 1, 17)
    hearing.starts_at = timezone.make_aware(datetime.datetime(2027, 1, 17, 11))
    assert clock.announcement_problems(hearing, today) == []
    hearing.starts_at = timezone.make_aware(datetime.datetime(2027, 1, 16, 11))
    assert clock.announcement_problems(hearing, today)


@pytest.mark.parametrize(
    ("language", "act", "note", "guidance"),
    [
        (
            "kk",
            "Қоғамдық тыңдаулар өткізу қағидалары",
            "Хаттаманы жариялау мерзімі ешбір тәртіпте табылмады",
            "Құқықтық дереккөзі расталмаған",
        ),
        (
            "ru",
            "Правила проведения общественных слушаний",
            "Срок публикации протокола не найден ни в одном из порядков",
            "Правовой источник не подтверждён",
        ),
    ],
)
def test_kk_and_ru_pages_cite_the_law_in_their_own_language(client, language, act, note, guidance):
    """The legal clock on a kk or ru page: the act, the article, the notes and the guidance
    label in that language, no English citation or note."""
    hearing = HearingFactory(record_published=True, protocol_signed_on=timezone.localdate())
    body = client.get(f"/{language}" + hearing.get_absolute_url()[3:]).content.decode()
    for text in (act, note, guidance):
        assert text in body
    assert {"kk": "73-баптың 1-тармағы", "ru": "п. 1 ст. 73"}[language] in body
    for english in (
        "Rules for conducting public hearings",
        "Ecological Code of the Republic",
        "Art. 73(1)",
        "No source found",
        "site's own expectation",
        "Legal source not confirmed",
    ):
        assert english not in body


def test_the_public_legal_page_lists_every_rule_its_status_and_history(client, legal_editor):
    """/<lang>/legal/: each rule set and rule with its source and status; a verification shows
    with its reason."""
    with translation.override("en"):
        body = client.get("/en/legal/").content.decode()
    for rule_set in RuleSet.objects.all():
        assert str(rule_set.name_en) in body
    assert body.count('<tr id="rule-') == Rule.objects.count()
    assert "verified against the official text</span>" not in body
    _verify(legal_editor, "protocol")
    body = client.get("/en/legal/").content.decode()
    assert "verified against the official text</span>" in body
    assert "Read on adilet.zan.kz." in body
    ru = client.get("/ru/legal/").content.decode()
    assert "Протокол публикуется в течение семи дней." in ru


def test_announcing_through_the_page_gives_guidance_not_a_refusal(client):
    """Ten days ahead: announced; the official reads what the site expects, marked as such."""
    hearing = HearingFactory(starts_at=local_at(10))
    client.force_login(member_of(hearing.organiser))
    with translation.override("en"):
        response = client.post(f"/en/hearings/{hearing.pk}/announce/", follow=True)
    assert Hearing.objects.get(pk=hearing.pk).status == Hearing.Status.ANNOUNCED
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Legal source not confirmed") for m in messages)
