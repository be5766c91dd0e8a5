"""factory_boy factories for every model; traits name the states tests care about."""

import datetime

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches

from core.search import search_key
from core.validators import bin_check_digit
from hearings.models import NO_SOURCE, Rule
from projects.models import Membership, Organisation, Place, Project, ProjectSettlement


def valid_bin(n):
    """The n-th made-up BIN with a correct check digit."""
    # The 11th digit is chosen so that a check digit exists; the first ten stay unique per n.
    for tenth in "0123456789":
        base = f"9{n:09d}{tenth}"
        check = bin_check_digit(base)
        if check is not None:
            return f"{base}{check}"
    raise AssertionError("no valid BIN")


class PlaceFactory(factory.django.DjangoModelFactory):
    """A place; by default a village under its own region, district and rural district."""

    class Meta:
        model = Place
        django_get_or_create = ["kato_code"]

    class Params:
        region = factory.Trait(level=Place.Level.REGION, kind=Place.Kind.REGION, parent=None)
        district = factory.Trait(level=Place.Level.DISTRICT, kind=Place.Kind.DISTRICT)
        rural_district = factory.Trait(
            level=Place.Level.RURAL_DISTRICT, kind=Place.Kind.RURAL_OKRUG
        )
        wintering = factory.Trait(
            kind=Place.Kind.WINTERING_PLACE, prominence=Place.Prominence.MINOR
        )

    kato_code = factory.Sequence(lambda n: f"{700000000 + n * 100}")
    level = Place.Level.SETTLEMENT
    kind = Place.Kind.VILLAGE
    name_kk = factory.Sequence(lambda n: f"Ауыл {n}")
    name_ru = factory.Sequence(lambda n: f"Село {n}")
    name_en = factory.Sequence(lambda n: f"Village {n}")
    parent = factory.LazyAttribute(
        lambda o: None if o.level == Place.Level.REGION else PlaceFactory(region=True)
    )
    slug = factory.LazyAttribute(lambda o: Place.make_slug(o.name_en, o.name_ru, o.kato_code))
    path = factory.LazyAttribute(lambda o: (o.parent.path if o.parent else "/") + f"{o.kato_code}/")
    depth = factory.LazyAttribute(lambda o: o.path.count("/") - 2)
    prominence = factory.LazyAttribute(
        lambda o: (
            Place.Prominence.ADMINISTRATIVE
            if o.level in Place.ADMINISTRATIVE_LEVELS
            else Place.Prominence.POPULATED
        )
    )
    search_key = factory.LazyAttribute(lambda o: search_key(o.name_kk, o.name_ru, o.name_en))


def place_tree():
    """region > district > rural district > two villages, plus a village in another region."""
    region = PlaceFactory(region=True, name_en="North Region")
    district = PlaceFactory(district=True, parent=region, name_en="East District")
    rural = PlaceFactory(rural_district=True, parent=district, name_en="Lake Rural District")
    village = PlaceFactory(parent=rural, name_en="Lakeside")
    neighbour = PlaceFactory(parent=rural, name_en="Hillside")
    elsewhere = PlaceFactory(parent=PlaceFactory(district=True), name_en="Faraway")
    return {
        "region": region,
        "district": district,
        "rural": rural,
        "village": village,
        "neighbour": neighbour,
        "elsewhere": elsewhere,
    }


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    class Params:
        staff = factory.Trait(is_staff=True)

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.COMPANY
    name_ru = factory.Sequence(lambda n: f"ТОО Компания {n}")
    name_en = factory.Sequence(lambda n: f"Company {n} LLP")
    slug = factory.Sequence(lambda n: f"company-{n}")
    bin = factory.Sequence(valid_bin)
    country = "KZ"
    owner_countries = "CN"


class AkimatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.AKIMAT
    name_ru = factory.Sequence(lambda n: f"Акимат {n}")
    name_en = factory.Sequence(lambda n: f"Akimat {n}")
    slug = factory.Sequence(lambda n: f"akimat-{n}")
    place = factory.SubFactory(PlaceFactory, district=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    class Params:
        admin = factory.Trait(role=Membership.Role.ADMINISTRATOR)

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(CompanyFactory)
    role = Membership.Role.EDITOR


def member_of(organisation, **kwargs):
    """A new user who belongs to `organisation`."""
    return MembershipFactory(organisation=organisation, **kwargs).user


def administered_by(user, **kwargs):
    """A company `user` administers too: naming it as an investor needs nobody else's consent."""
    company = CompanyFactory(**kwargs)
    MembershipFactory(organisation=company, user=user, role="administrator")
    return company


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name_ru = factory.Sequence(lambda n: f"Проект {n}")
    name_en = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    operator = factory.SubFactory(CompanyFactory)
    sector = Project.Sector.MINING
    status = Project.Status.OPERATING
    primary_settlement = factory.SubFactory(PlaceFactory)

    @factory.post_generation
    def affected(obj, create, extracted, **kwargs):
        if not create:
            return
        for place in [obj.primary_settlement, *(extracted or [])]:
            ProjectSettlement.objects.get_or_create(project=obj, place=place)


# --- disclosures -------------------------------------------------------------------------------

import datetime as _dt  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from disclosures.models import (  # noqa: E402
    Category,
    Confirmation,
    Disclosure,
    Question,
    ResidentFeedback,
    Revision,
    Status,
    StatusChange,
)


class DisclosureFactory(factory.django.DjangoModelFactory):
    """A draft contribution by a company, delivered last month, for one village.

    Traits: published, withdrawn, hidden, promised, in_progress, overdue, delivered, cancelled.
    Pass `settlements=[place, ...]` to choose the villages (default: one new village).
    """

    class Meta:
        model = Disclosure
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(published_at=factory.LazyFunction(_tz.now))
        withdrawn = factory.Trait(
            published_at=factory.LazyFunction(_tz.now),
            withdrawn_at=factory.LazyFunction(_tz.now),
            withdrawal_reason="Внесено дважды по ошибке.",
            withdrawal_reason_language="ru",
        )
        hidden = factory.Trait(
            hidden_at=factory.LazyFunction(_tz.now), hidden_reason="Court order."
        )
        promised = factory.Trait(
            status=Status.PROMISED,
            delivered_date=None,
            due_date=factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=90)),
        )
        in_progress = factory.Trait(
            status=Status.IN_PROGRESS,
            delivered_date=None,
            due_date=factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=30)),
        )
        overdue = factory.Trait(
            status=Status.PROMISED,
            delivered_date=None,
            due_date=factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=10)),
        )
        delivered = factory.Trait(status=Status.DELIVERED)
        cancelled = factory.Trait(
            status=Status.CANCELLED, delivered_date=None, cancel_reason="The land was not allotted."
        )

    organisation = factory.SubFactory(CompanyFactory)
    title_ru = factory.Sequence(lambda n: f"Вклад {n}")
    title_en = factory.Sequence(lambda n: f"Contribution {n}")
    category = Category.EDUCATION
    status = Status.DELIVERED
    delivered_date = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=30))
    amount = factory.Sequence(lambda n: 1_000_000 + n * 1000)
    currency = "KZT"

    @factory.post_generation
    def settlements(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.settlements.set(extracted if extracted is not None else [PlaceFactory()])
        StatusChange.objects.create(
            disclosure=obj,
            status=obj.status,
            date=obj.delivered_date or _tz.localdate(),
        )


class ConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Confirmation

    class Params:
        cannot_confirm = factory.Trait(
            verdict=Confirmation.Verdict.CANNOT_CONFIRM, note="Not found on inspection."
        )

    disclosure = factory.SubFactory(DisclosureFactory, published=True)
    akimat = factory.SubFactory(AkimatFactory)
    verdict = Confirmation.Verdict.CONFIRMED
    date = factory.LazyFunction(_tz.localdate)


class ResidentFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentFeedback

    class Params:
        approved = factory.Trait(moderation_status=ResidentFeedback.Moderation.APPROVED)
        rejected = factory.Trait(
            moderation_status=ResidentFeedback.Moderation.REJECTED, rejection_reason="Abusive."
        )
        dispute = factory.Trait(kind=ResidentFeedback.Kind.DISPUTED)

    disclosure = factory.SubFactory(DisclosureFactory, published=True)
    kind = ResidentFeedback.Kind.SEEN
    comment = "I walked past it this morning."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    class Params:
        approved = factory.Trait(moderation_status=Question.Moderation.APPROVED)
        answered = factory.Trait(
            moderation_status=Question.Moderation.APPROVED,
            answer="In September.",
            answered_at=factory.LazyFunction(_tz.now),
        )

    disclosure = factory.SubFactory(DisclosureFactory, published=True)
    text = "When will the well be finished?"


class RevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Revision

    disclosure = factory.SubFactory(DisclosureFactory, published=True)
    action = Revision.Action.EDITED
    after_publication = True


# --- hearings ----------------------------------------------------------------------------------

from hearings.models import (  # noqa: E402
    AttendanceRegistration,
    Hearing,
    HearingComment,
    HearingDocument,
    HearingPromise,
    LearnedOf,
    Subscription,
)


def _hearing_day(days):
    return _tz.now().replace(second=0, microsecond=0) + _dt.timedelta(days=days)


class HearingFactory(factory.django.DjangoModelFactory):
    """A draft hearing 40 days ahead, lawful to announce today, on one village in the organiser's
    jurisdiction. Traits: announced, past (started two days ago), held, record_published,
    cancelled. Pass `territory=[place, ...]` to choose the places concerned.
    """

    class Meta:
        model = Hearing
        skip_postgeneration_save = True

    class Params:
        announced = factory.Trait(
            status=Hearing.Status.ANNOUNCED,
            announced_at=factory.LazyFunction(_tz.now),
        )
        past = factory.Trait(
            status=Hearing.Status.ANNOUNCED,
            starts_at=factory.LazyFunction(lambda: _hearing_day(-2)),
            announced_at=factory.LazyFunction(lambda: _hearing_day(-40)),
            materials_available_from=factory.LazyFunction(
                lambda: _tz.localdate() - _dt.timedelta(days=45)
            ),
            comments_until=factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=5)),
        )
        held = factory.Trait(
            past=True, status=Hearing.Status.HELD, held_at=factory.LazyFunction(_tz.now)
        )
        record_published = factory.Trait(
            past=True,
            status=Hearing.Status.RECORD_PUBLISHED,
            held_at=factory.LazyFunction(_tz.now),
            record_published_at=factory.LazyFunction(_tz.now),
            attendance=42,
            protocol=factory.django.FileField(filename="protocol.pdf", data=b"%PDF-1.4\n%%EOF\n"),
        )
        cancelled = factory.Trait(
            status=Hearing.Status.CANCELLED,
            announced_at=factory.LazyFunction(_tz.now),
            cancelled_at=factory.LazyFunction(_tz.now),
            cancellation_reason="Инициатор отозвал заявление.",
            cancellation_reason_language="ru",
        )

    title_ru = factory.Sequence(lambda n: f"Слушания по проекту {n}")
    title_kk = factory.Sequence(lambda n: f"Жоба бойынша тыңдау {n}")
    title_en = factory.Sequence(lambda n: f"Hearing on project {n}")
    initiator = factory.SubFactory(CompanyFactory)
    organiser = factory.SubFactory(AkimatFactory)
    starts_at = factory.LazyFunction(lambda: _hearing_day(40))
    venue_ru = "Дом культуры, ул. Абая 1, зал"
    venue_kk = "Мәдениет үйі, Абай к-сі 1, зал"
    materials_available_from = factory.LazyFunction(_tz.localdate)
    comments_until = factory.LazyAttribute(
        lambda o: _tz.localdate(o.starts_at) - _dt.timedelta(days=3)
    )

    @factory.post_generation
    def territory(obj, create, extracted, **kwargs):
        if not create:
            return
        places = extracted if extracted is not None else [PlaceFactory(parent=obj.organiser.place)]
        obj.territory.set(places)


class HearingCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HearingComment

    class Params:
        approved = factory.Trait(moderation_status=HearingComment.Moderation.APPROVED)
        rejected = factory.Trait(
            moderation_status=HearingComment.Moderation.REJECTED, rejection_reason="Abusive."
        )
        answered = factory.Trait(
            moderation_status=HearingComment.Moderation.APPROVED,
            answer="The dust will be suppressed by watering the road.",
            outcome=HearingComment.Outcome.ACCEPTED,
            answered_at=factory.LazyFunction(_tz.now),
        )

    hearing = factory.SubFactory(HearingFactory, announced=True)
    text = "How much water will the plant take from the river?"


class HearingPromiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HearingPromise

    hearing = factory.SubFactory(HearingFactory, record_published=True)
    organisation = factory.LazyAttribute(lambda o: o.hearing.initiator)
    text = "Repair the road to the school before the construction starts."


class LearnedOfFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearnedOf

    class Params:
        approved = factory.Trait(moderation_status=LearnedOf.Moderation.APPROVED)

    hearing = factory.SubFactory(HearingFactory, announced=True)
    learned_on = factory.LazyFunction(_tz.localdate)
    channel = LearnedOf.Channel.NOTICE_BOARD


class AttendanceRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceRegistration

    hearing = factory.SubFactory(HearingFactory, announced=True)
    name = "Aigerim"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    class Params:
        confirmed = factory.Trait(confirmed_at=factory.LazyFunction(_tz.now))

    email = factory.Sequence(lambda n: f"resident{n}@example.org")
    place = factory.SubFactory(PlaceFactory)
    language = "ru"


class HearingDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HearingDocument

    hearing = factory.SubFactory(HearingFactory, announced=True)
    title_ru = factory.Sequence(lambda n: f"Материал {n}")
    file = factory.django.FileField(filename="material.pdf", data=b"%PDF-1.4\n%%EOF\n")


# --- Village pages -------------------------------------------------------------------------


class PhotoFactory(factory.django.DjangoModelFactory):
    """A processed photo of a contribution (small real JPEG files)."""

    class Meta:
        model = "disclosures.Photo"

    disclosure = factory.SubFactory(DisclosureFactory, published=True)
    image = factory.django.ImageField(filename="web.jpg", width=800, height=600, format="JPEG")
    thumbnail = factory.django.ImageField(
        filename="thumb.jpg", width=400, height=300, format="JPEG"
    )
    width = 800
    height = 600
    alt_text = factory.Sequence(lambda n: f"The finished work, photo {n}")


def bind_rules(**filters):
    """Give the legal clock's rules (all, or those matching `filters`) a whole verification
    record, as `services.verify_rule` would, so that they bind: for tests of what a binding rule
    does (refuse, judge "broken", alert). The shipped rules themselves are not verified."""
    rules = Rule.objects.filter(**filters)
    rules.filter(source_document=NO_SOURCE).update(source_document="A test act")
    rules.filter(source_edition__isnull=True).update(source_edition=datetime.date(2024, 3, 6))
    rules.filter(source_url="").update(source_url="https://adilet.zan.kz/rus/docs/V2100023901")
    rules.filter(source_article="").update(source_article="p. 1")
    rules.update(
        source_text_kk="Сынақ мәтіні.",
        source_text_ru="Текст для проверки.",
        verified=True,
        verified_on=datetime.date(2026, 12, 1),
    )
    for alias in settings.CACHES:  # a bulk update sends no signal to the page cache
        caches[alias].clear()
