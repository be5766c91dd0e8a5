"""Rule sets of the legal clock: seeded with sources, chosen by regime and date, recorded at
announcement, applied in calendar or working days, and shown honestly."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from hearings import clock, services
from hearings.migrations._default_rule_sets import DEFAULT_RULE_SETS
from hearings.models import DayTransfer, Hearing, Rule, RuleSet, TransferDecree
from hearings.working_days import WorkingCalendar
from tests.factories import HearingFactory, UserFactory, bind_rules

from .conftest import local_at

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def staff():
    return UserFactory(staff=True)


def at(day, hour=11):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_migration_seeds_every_regime_with_sources_and_nothing_verified():
    """Five sets (four regimes, two editions of the open meeting); every rule names its source
    and none claims to be verified: nobody has checked them against the official text yet."""
    codes = set(RuleSet.objects.values_list("code", flat=True))
    assert {entry["code"] for entry in DEFAULT_RULE_SETS} <= codes
    rules = Rule.objects.filter(rule_set__code__in=[e["code"] for e in DEFAULT_RULE_SETS])
    assert rules.count() == sum(len(e["rules"]) for e in DEFAULT_RULE_SETS)
    assert not rules.filter(verified=True).exists()
    assert not rules.filter(source_document="").exists()
    assert not rules.filter(note="").exists()


@pytest.mark.parametrize(
    "fields, code",
    [
        ({}, "eco-open-meeting-2024"),
        ({"legal_basis": "general_plan"}, "general-plan-2020"),
        ({"form": "public_discussion", "art87_subparagraph": "2"}, "eco-discussion-87-2-2024"),
        ({"form": "public_discussion", "art87_subparagraph": "5"}, "eco-discussion-87-3-8-2024"),
    ],
)
def test_the_regime_chooses_the_rule_set(fields, code):
    if fields.get("form") == "public_discussion":
        fields["discussion_ends_on"] = timezone.localdate() + datetime.timedelta(days=80)
    hearing = HearingFactory(**fields)
    assert clock.rule_set_for(hearing).code == code


def test_hearing_announced_before_23_march_2024_keeps_the_earlier_edition():
    """The 2024 edition is in force from 23 March 2024: an announcement on the 22nd is judged
    by the earlier edition, one on the 23rd by the new one."""
    before = HearingFactory(
        status="announced", announced_at=at(D(2024, 3, 22)), starts_at=at(D(2024, 5, 1))
    )
    after = HearingFactory(
        status="announced", announced_at=at(D(2024, 3, 23)), starts_at=at(D(2024, 5, 1))
    )
    assert clock.rule_set_for(before).code == "eco-open-meeting-2021"
    assert clock.rule_set_for(after).code == "eco-open-meeting-2024"


def test_announcement_records_the_rule_set_and_a_later_edition_does_not_rejudge(staff):
    hearing = services.announce_hearing(acting_user=staff, hearing=HearingFactory())
    assert hearing.rule_set.code == "eco-open-meeting-2024"
    RuleSet.objects.filter(code="eco-open-meeting-2024").update(
        in_force_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    newer = RuleSet.objects.create(
        code="eco-open-meeting-next",
        regime="eco_open_meeting",
        name_en="A later edition",
        in_force_from=timezone.localdate(),
        document="A later order",
    )
    hearing = Hearing.objects.get(pk=hearing.pk)
    assert clock.rule_set_for(hearing).code == "eco-open-meeting-2024"
    assert clock.rule_set_for(HearingFactory()) == newer


@pytest.mark.usefixtures("binding_rules")
def test_refusal_names_rule_source_and_earliest_date(staff):
    """A binding rule refuses, naming itself, its source and the earliest lawful date."""
    hearing = HearingFactory(starts_at=local_at(25), comments_until=None)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.announce_hearing(acting_user=staff, hearing=hearing)
    text = " ".join(caught.value.messages)
    assert "at least 30 calendar days before the hearing" in text
    assert "Order No. 286 of 3 August 2021, MoJ reg. No. 23901" in text
    assert "Not yet verified against the official text." not in text
    earliest = timezone.localdate() + datetime.timedelta(days=30)
    assert str(earliest.year) in text and str(earliest.day) in text


@pytest.mark.usefixtures("binding_rules")
def test_earliest_date_is_counted_in_working_days_when_the_rule_is(staff):
    """Made a 10-working-day rule, the materials period gives the 10th working day after
    today as the earliest lawful date, not today + 10."""
    Rule.objects.filter(rule_set__code="eco-open-meeting-2024", measures="materials").update(
        number=10, unit="working_days"
    )
    Rule.objects.filter(rule_set__code="eco-open-meeting-2024", measures="announcement").update(
        number=1
    )
    today = timezone.localdate()
    hearing = HearingFactory(starts_at=local_at(2), comments_until=None)
    expected = WorkingCalendar.load().shift(today, 10)
    assert clock.earliest_lawful_start(hearing, today) == expected
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.announce_hearing(acting_user=staff, hearing=hearing)
    assert "at least 10 working days before the hearing" in " ".join(caught.value.messages)


def _discussion(first, last, sub="5"):
    return HearingFactory(
        form="public_discussion",
        art87_subparagraph=sub,
        starts_at=at(first, 9),
        discussion_ends_on=last,
        comments_until=None,
        venue_ru="",
        venue_kk="",
    )


@pytest.mark.usefixtures("binding_rules")
def test_public_discussion_of_20_working_days_is_lawful_19_is_not():
    """Sub-paragraphs 3)–8): the portal's 18.12.2025–19.01.2026 window (20 working days)
    passes; ending on 16 January (19 working days) is refused with the lawful last day."""
    today = D(2025, 12, 1)
    assert clock.announcement_problems(_discussion(D(2025, 12, 18), D(2026, 1, 19)), today) == []
    problems = clock.announcement_problems(_discussion(D(2025, 12, 18), D(2026, 1, 16)), today)
    assert len(problems) == 1
    assert "2026" in problems[0] and "19" in problems[0]


def test_public_discussion_needs_its_basis():
    hearing = _discussion(D(2025, 12, 18), D(2026, 1, 19), sub="")
    assert "87" in clock.announcement_problems(hearing, D(2025, 12, 1))[0]


def _deadline(hearing, key, today=None):
    return next(d for d in clock.deadlines(hearing, today=today) if d.key == key)


def test_future_deadline_is_on_track_or_due_never_met():
    hearing = HearingFactory(starts_at=local_at(40), materials_available_from=None)
    materials = _deadline(hearing, "materials")
    assert (materials.state, materials.met) == ("due", None)
    hearing.materials_available_from = timezone.localdate()
    materials = _deadline(hearing, "materials")
    assert (materials.state, materials.met) == ("on_track", None)


def test_broken_deadline_says_by_how_many_days():
    """Materials put up 25 days before a past hearing: the unverified 30-day rule says "later
    than the site expects" by 5 days; once verified it is broken by 5 days."""
    hearing = HearingFactory(past=True)
    hearing.materials_available_from = timezone.localdate(hearing.starts_at) - datetime.timedelta(
        days=25
    )
    materials = _deadline(hearing, "materials")
    assert (materials.state, materials.met, materials.days) == ("off_guidance", None, 5)
    assert "23901" in materials.source and not materials.verified
    bind_rules()
    hearing = Hearing.objects.get(pk=hearing.pk)
    hearing.materials_available_from = timezone.localdate(hearing.starts_at) - datetime.timedelta(
        days=25
    )
    materials = _deadline(hearing, "materials")
    assert (materials.state, materials.met, materials.days) == ("broken", False, 5)
    assert materials.verified


def test_validity_is_a_second_clock_from_the_protocol_signing():
    """Art. 73(1): six months from the signing; running until then, expired after, when the
    hearings are recorded as ended before the ministry's quality assessment began."""
    hearing = HearingFactory(
        record_published=True, protocol_signed_on=D(2026, 1, 31), ended_before_assessment=True
    )
    validity = _deadline(hearing, "validity", today=D(2026, 7, 1))
    assert validity.due == D(2026, 7, 31)
    assert (validity.state, validity.days) == ("running", 30)
    assert _deadline(hearing, "validity", today=D(2026, 8, 2)).state == "off_guidance"
    bind_rules()
    hearing = Hearing.objects.get(pk=hearing.pk)
    assert _deadline(hearing, "validity", today=D(2026, 8, 2)).state == "broken"


def test_page_shows_rule_source_and_unverified(client):
    hearing = HearingFactory(announced=True)
    body = client.get("/en" + hearing.get_absolute_url()[3:]).content.decode()
    assert "Order No. 286" in body
    assert "Legal source not confirmed — the site" in body
    assert "adilet.zan.kz/rus/docs/V2100023901" in body
    assert ">met<" not in body


def test_editing_a_rule_shows_on_the_cached_page_at_once(client):
    """Rules are watched by the page cache: a staff edit is not hidden behind a stale page."""
    hearing = HearingFactory(announced=True)
    url = "/en" + hearing.get_absolute_url()[3:]
    assert "at least 30 calendar days" in client.get(url).content.decode()
    rule = Rule.objects.get(rule_set__code="eco-open-meeting-2024", measures="materials")
    rule.number = 31
    rule.save()
    assert "at least 31 calendar days" in client.get(url).content.decode()


def test_admin_lists_rule_sets_and_day_transfers(client):
    client.force_login(UserFactory(staff=True, is_superuser=True))
    assert client.get(reverse("admin:hearings_ruleset_changelist")).status_code == 200
    rule_set = RuleSet.objects.get(code="eco-open-meeting-2024")
    assert (
        client.get(reverse("admin:hearings_ruleset_change", args=[rule_set.pk])).status_code == 200
    )
    assert client.get(reverse("admin:hearings_daytransfer_add")).status_code == 200


@pytest.mark.usefixtures("binding_rules")
def test_protocol_late_reads_the_rules_once_not_per_hearing(django_assert_max_num_queries):
    """The overdue-protocol check (the dashboard, the alerts) does not query per hearing."""
    staff = UserFactory(staff=True)
    for _ in range(6):
        hearing = services.announce_hearing(acting_user=staff, hearing=HearingFactory())
        Hearing.objects.filter(pk=hearing.pk).update(starts_at=local_at(-20))
    with django_assert_max_num_queries(5):
        late = list(clock.late_protocols(Hearing.objects.all()))
    assert len(late) == 6


def test_prepare_builds_the_rules_of_the_sets_it_uses_only(django_assert_num_queries):
    """The rule sets come with their rules' rows in one query (`clock.prepare`); a set's rules
    become model instances when a hearing's clock reads them, the same as a query gives, and
    the sets no hearing of the page uses are never built."""
    sets, _calendar = clock.rule_sets_and_calendar()
    assert len(sets) > 1
    assert not any("ordered_rules" in each.__dict__ for each in sets)
    with django_assert_num_queries(0):
        read = [(rule.pk, rule.measures, rule.number) for rule in sets[0].ordered_rules]
    assert not any("ordered_rules" in each.__dict__ for each in sets[1:])
    queried = RuleSet.objects.get(pk=sets[0].pk).ordered_rules
    assert read == [(rule.pk, rule.measures, rule.number) for rule in queried]


def test_a_hearings_page_reads_its_clock_with_its_row(staff, django_assert_num_queries):
    """`clock.prepare_read`, on a hearing read `for_detail` (every rule set, rule and row of
    the calendar on its row), gives it the rule set, rules, calendar and deadlines
    `clock.prepare` gives, with no query: a set recorded at announcement, each regime's
    choice by date, no set for a regime without one."""
    DayTransfer.objects.create(
        date=D(2026, 11, 7), kind=DayTransfer.Kind.WORKING_DAY, source="Test decree"
    )
    TransferDecree.objects.create(year=2027, source="Test decree")
    window = {"discussion_ends_on": timezone.localdate() + datetime.timedelta(days=80)}
    hearings = [
        services.announce_hearing(acting_user=staff, hearing=HearingFactory()),
        HearingFactory(
            status="announced", announced_at=at(D(2024, 3, 22)), starts_at=at(D(2024, 5, 1))
        ),
        HearingFactory(legal_basis="general_plan"),
        HearingFactory(form="public_discussion", art87_subparagraph="2", **window),
        HearingFactory(form="public_discussion", **window),
    ]
    for hearing in hearings:
        row = Hearing.objects.for_detail().get(pk=hearing.pk)
        with django_assert_num_queries(0):
            clock.prepare_read(row)
            rule_set, deadlines = clock.rule_set_for(row), clock.deadlines(row)
            rules = (
                [(rule.pk, rule.number, rule.verified_on) for rule in rule_set.rules_in_order()]
                if rule_set
                else []
            )
        queried = clock.prepare([Hearing.objects.get(pk=hearing.pk)])[0]
        expected = clock.rule_set_for(queried)
        assert rule_set == expected and (rule_set is None) == (hearing is hearings[-1])
        if expected:
            assert rules == [(r.pk, r.number, r.verified_on) for r in expected.rules_in_order()]
            names = [field.attname for field in RuleSet._meta.concrete_fields]
            assert [getattr(rule_set, n) for n in names] == [getattr(expected, n) for n in names]
        assert deadlines == clock.deadlines(queried)
        read, calendar = clock.calendar_of(row), clock.calendar_of(queried)
        assert (read.transfers, read.decree_years) == (calendar.transfers, calendar.decree_years)
