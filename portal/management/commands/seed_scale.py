"""A country-sized synthetic dataset on top of the real places, for `make bench`.

The demo has a dozen contributions and hides every scaling problem. This fills a PostgreSQL
database with what a few years of real use would leave: about 2,000 companies, 5,000 projects,
250,000 contributions with their status histories, confirmations, change logs and photo rows,
25,000 hearings with comments, registrations and records, and 250,000 residents' words — spread
unevenly, as real data is: a few industrial districts and a few villages carry most of it (the
village ranked first has thousands of contributions, most have a handful).

Rows only: photo and document rows point at file names that do not exist, which is enough for
the pages (they render an <img>), not for a photo viewer. The same `--seed` and `--scale` give
the same data; the command records them, and `--if-needed` skips a database that already holds
exactly that dataset (the benchmark reuses its database between runs).
"""

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core import caching
from core.validators import bin_check_digit
from disclosures import figures, listed
from disclosures.models import (
    Basis,
    Category,
    Confirmation,
    Disclosure,
    Photo,
    Question,
    ResidentFeedback,
    Revision,
    Status,
    StatusChange,
    ValueForm,
)
from hearings import concerned
from hearings.models import (
    AttendanceRegistration,
    Hearing,
    HearingChange,
    HearingComment,
    HearingPromise,
)
from projects.models import Organisation, Place, Project, ProjectSettlement

# Bump when the generator changes, so that a saved database made by an older one is rebuilt.
# 2: the languages the services record (Russian), reasons only on what was withdrawn or hidden.
GENERATOR_VERSION = 2
MARKER_TABLE = "ashyq_scale_seed"
BATCH = 5000

SIZES = {
    "companies": 2000,
    "projects": 5000,
    "villages": 3000,
    "disclosures": 250_000,
    "hearings": 25_000,
    "resident_inputs": 250_000,
}

WORDS_KK = ["мектеп", "жол", "құдық", "су құбыры", "спорт алаңы", "емхана", "балабақша", "үй"]
WORDS_RU = ["школа", "дорога", "скважина", "водопровод", "спортплощадка", "поликлиника", "сад"]
WORDS_EN = ["school", "road", "well", "water main", "sports ground", "clinic", "kindergarten"]


def made_up_bin(n):
    """The n-th made-up BIN starting 99 (no real BIN does), with a correct check digit."""
    while True:
        base = f"99{n:09d}"
        check = bin_check_digit(base)
        if check is not None:
            return base + str(check)
        n += 10_000_000


class Progress:
    """One line per step with the rows written and the time taken: enough to see where it is."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.started = time.monotonic()

    def step(self, label, count):
        elapsed = time.monotonic() - self.started
        self.stdout.write(f"  [{elapsed:6.1f} s] {label}: {count:,}")
        self.stdout.flush()


def bulk(model, rows, progress=None, label=None):
    """bulk_create in batches; returns the created objects (with primary keys on PostgreSQL)."""
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH])
    if progress:
        progress.step(label or model._meta.verbose_name_plural, len(created))
    return created


def bulk_places(relation, owner, records, places, progress, label):
    """Link each record to its set of place pks through the many-to-many `relation`."""
    through = relation.through
    links = [
        through(**{f"{owner}_id": record.pk}, place_id=place)
        for record, its_places in zip(records, places, strict=True)
        for place in its_places
    ]
    bulk(through, links, progress, label)


class Command(BaseCommand):
    help = "Fill a PostgreSQL database with a country-sized synthetic dataset (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="fraction of the full size (1.0 = 250,000 contributions; 0.01 for a quick run)",
        )
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="do nothing when the database already holds this seed and scale",
        )

    def handle(self, *args, seed, scale, if_needed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale fills PostgreSQL only (it measures production).")
        if not 0 < scale <= 4:
            raise CommandError("--scale must be between 0 and 4.")
        wanted = (seed, scale, GENERATOR_VERSION)
        done = self.marker()
        if done == wanted and if_needed:
            self.stdout.write(f"The database already holds seed {seed} at scale {scale}.")
            return
        if done is not None and done != wanted:
            raise CommandError(
                f"This database holds seed {done[0]} at scale {done[1]} made by generator "
                f"{done[2]}; seed_scale fills an empty one. For make bench: rm -rf its BENCH_DIR "
                "(/var/tmp/ashyq-bench by default) and run it again."
            )
        if done is not None or Disclosure.objects.exists() or Hearing.objects.exists():
            raise CommandError(
                "This database already has contributions or hearings. seed_scale fills an empty "
                "one (make bench makes its own)."
            )
        if Place.objects.count() < 10_000:
            raise CommandError("Import the places first: python manage.py import_places")
        self.rng = random.Random(seed)
        self.sizes = {name: max(1, round(size * scale)) for name, size in SIZES.items()}
        self.now = timezone.now()
        self.today = timezone.localdate()
        progress = Progress(self.stdout)
        self.stdout.write(f"Seeding seed={seed} scale={scale}: {self.sizes}")
        with transaction.atomic():
            self.seed_all(progress)
            # Rows made in bulk pass no receiver: the places' figures are summed once at the end,
            # each contribution's counts of the akimat's and residents' word and first photo set
            # once, and the places listing each contribution and concerned by each hearing
            # written once.
            progress.step("places' figures", figures.rebuild())
            progress.step("contributions' counts", Disclosure.objects.recount_voices())
            progress.step("contributions' first photos", Disclosure.objects.keep_first_photos())
            progress.step("places listing contributions", listed.rebuild())
            progress.step("places concerned by hearings", concerned.rebuild())
            self.set_marker(wanted)
        caching.bump([caching.EVERYTHING])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        progress.step("done (ANALYZE run)", Disclosure.objects.count())

    # --- the marker: which dataset this database holds ---

    def marker(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT seed, scale, generator FROM {MARKER_TABLE}")  # noqa: S608
            row = cursor.fetchone()
        return (row[0], row[1], row[2]) if row else None

    def set_marker(self, wanted):
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {MARKER_TABLE} (seed integer, scale double precision, "
                "generator integer)"
            )
            cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)", list(wanted))

    # --- the data ---

    def weighted(self, items, offset):
        """Zipf-like weights: the first items carry most of the data."""
        weights = [1 / (rank + offset) for rank in range(len(items))]
        return items, weights

    def seed_all(self, progress):
        path_of = self.choose_villages()
        company_ids, company_weights = self.seed_companies(progress)
        akimat_for = self.seed_akimats(progress, path_of)
        projects_of = self.seed_projects(progress, company_ids, company_weights)
        self.seed_disclosures(progress, company_ids, company_weights, akimat_for, projects_of)
        self.seed_hearings(progress, company_ids, company_weights, akimat_for, projects_of)

    def choose_villages(self):
        """The villages that carry data, most in 40 industrial districts; {pk: path}."""
        rng = self.rng
        populated = list(
            Place.objects.settlements()
            .populated()
            .exclude(parent=None)
            .values_list("pk", "path", "parent_id")
        )
        rng.shuffle(populated)
        districts = sorted({path.split("/")[2] for _, path, _ in populated})
        rng.shuffle(districts)
        industrial = set(districts[:40])
        # Villages in industrial districts first: they carry the most.
        populated.sort(key=lambda row: row[1].split("/")[2] not in industrial)
        villages = populated[: self.sizes["villages"]]
        head = villages[:300]
        rng.shuffle(head)
        villages[:300] = head
        village_ids = [pk for pk, _, _ in villages]
        self.village_ids, self.village_weights = self.weighted(village_ids, 5)
        return {pk: path for pk, path, _ in villages}

    def seed_companies(self, progress):
        """The companies, with Zipf-like weights: (ids, weights)."""
        rng = self.rng
        companies = bulk(
            Organisation,
            [
                Organisation(
                    kind=Organisation.Kind.COMPANY,
                    name_kk=f"Компания {n} ЖШС",
                    name_ru=f"ТОО «Компания {n}»",
                    name_en=f"Company {n} LLP",
                    slug=f"scale-company-{n}",
                    bin=made_up_bin(n),
                    country=rng.choice(["KZ", "KZ", "CN", "RU", "TR", "NL"]),
                    owner_countries=rng.choice(["", "CN", "KZ, CN", "RU", "NL, KZ"]),
                )
                for n in range(self.sizes["companies"])
            ],
            progress,
            "companies",
        )
        return self.weighted([c.pk for c in companies], 3)

    def seed_akimats(self, progress, path_of):
        """An akimat per governed place; returns akimat_for(village pk), the nearest one's pk."""
        rng = self.rng
        # An akimat for every district and rural district that has a village with data.
        codes = sorted(
            {code for path in path_of.values() for code in path.strip("/").split("/")[1:3]}
        )
        governed = Place.objects.filter(kato_code__in=codes).exclude(level=Place.Level.SETTLEMENT)
        akimats = bulk(
            Organisation,
            [
                Organisation(
                    kind=Organisation.Kind.AKIMAT,
                    name_kk=f"{place.name_kk} әкімдігі",
                    name_ru=f"Акимат {place.name_ru}",
                    name_en=f"Akimat of {place.name_en or place.name_ru}",
                    slug=f"scale-akimat-{place.kato_code}",
                    place=place,
                )
                for place in governed
            ],
            progress,
            "akimats",
        )
        akimat_by_code = {a.slug.rsplit("-", 1)[1]: a.pk for a in akimats}
        akimat_ids = list(akimat_by_code.values())

        def akimat_for(village_pk):
            for code in reversed(path_of[village_pk].strip("/").split("/")[:-1]):
                if code in akimat_by_code:
                    return akimat_by_code[code]
            return rng.choice(akimat_ids)

        return akimat_for

    def seed_projects(self, progress, company_ids, company_weights):
        """Projects and their settlements; returns {operator pk: [project pks]}."""
        rng, village_ids = self.rng, self.village_ids
        projects = bulk(
            Project,
            [
                Project(
                    name_kk=f"Жоба {n}",
                    name_ru=f"Проект {n}",
                    name_en=f"Project {n}",
                    slug=f"scale-project-{n}",
                    operator_id=rng.choices(company_ids, company_weights)[0],
                    sector=rng.choice(Project.Sector.values),
                    status=rng.choice(Project.Status.values),
                    primary_settlement_id=rng.choices(village_ids, self.village_weights)[0],
                    investment_amount=Decimal(rng.randrange(10, 5000) * 1_000_000),
                    is_bri=rng.random() < 0.1,
                )
                for n in range(self.sizes["projects"])
            ],
            progress,
            "projects",
        )
        project_settlements = []
        for project in projects:
            places = {project.primary_settlement_id}
            places.update(rng.choices(village_ids, self.village_weights, k=rng.randrange(0, 3)))
            project_settlements += [ProjectSettlement(project=project, place_id=p) for p in places]
        bulk(ProjectSettlement, project_settlements, progress, "project settlements")
        projects_of = {}
        for project in projects:
            projects_of.setdefault(project.operator_id, []).append(project.pk)
        return projects_of

    def seed_disclosures(self, progress, company_ids, company_weights, akimat_for, projects_of):
        rows, places, home = self.disclosure_rows(
            company_ids, company_weights, akimat_for, projects_of
        )
        disclosures = bulk(Disclosure, rows, progress, "contributions")
        bulk_places(
            Disclosure.settlements,
            "disclosure",
            disclosures,
            places,
            progress,
            "contribution settlements",
        )
        village_of = {d.pk: village for d, village in zip(disclosures, home, strict=True)}
        published = [d for d in disclosures if d.published_at]
        self.seed_disclosure_records(progress, disclosures, published, village_of, akimat_for)
        self.seed_residents_word(progress, published)

    def disclosure_rows(self, company_ids, company_weights, akimat_for, projects_of):
        """Unsaved contributions, their settlements and each one's home village."""
        rng = self.rng
        rows, places, home = [], [], []
        for n in range(self.sizes["disclosures"]):
            village = rng.choices(self.village_ids, self.village_weights)[0]
            home.append(village)
            roll = rng.random()
            status = (
                Status.DELIVERED
                if roll < 0.55
                else Status.IN_PROGRESS
                if roll < 0.7
                else Status.PROMISED
                if roll < 0.95
                else Status.CANCELLED
            )
            published = rng.random() < 0.96
            published_at = self.now - datetime.timedelta(days=rng.randrange(1, 2000))
            by_akimat = rng.random() < 0.08
            organisation = (
                akimat_for(village) if by_akimat else rng.choices(company_ids, company_weights)[0]
            )
            rows.append(
                self.new_disclosure(n, organisation, status, published_at, published, projects_of)
            )
            extra = rng.choices(
                self.village_ids, self.village_weights, k=rng.choice([0] * 8 + [1, 2])
            )
            places.append({village, *extra})
        return rows, places, home

    def new_disclosure(self, n, organisation, status, published_at, published, projects_of):
        """Contribution no. `n`, unsaved, with made-up but plausible dates and amounts."""
        rng, today = self.rng, self.today
        word = rng.randrange(len(WORDS_EN))
        return Disclosure(
            # Written in Russian, as the services record what a company types (its reasons too).
            language="ru",
            organisation_id=organisation,
            project_id=(
                rng.choice(projects_of[organisation])
                if organisation in projects_of and rng.random() < 0.7
                else None
            ),
            title_kk=f"{WORDS_KK[word]} №{n}",
            title_ru=f"{WORDS_RU[word]} №{n}",
            title_en=f"{WORDS_EN[word]} no. {n}",
            description_ru="Описание вклада. " * rng.randrange(1, 8),
            category=rng.choice(Category.values),
            status=status,
            due_date=(
                today + datetime.timedelta(days=rng.randrange(-400, 700))
                if status in (Status.PROMISED, Status.IN_PROGRESS)
                else None
            ),
            delivered_date=(
                today - datetime.timedelta(days=rng.randrange(1, 1500))
                if status == Status.DELIVERED
                else None
            ),
            cancel_reason="Отменено по решению собрания" if status == Status.CANCELLED else "",
            cancel_reason_language="ru" if status == Status.CANCELLED else "",
            amount=(Decimal(rng.randrange(1, 50_000) * 10_000) if rng.random() < 0.85 else None),
            value_form=rng.choice(ValueForm.values),
            basis=rng.choice(Basis.values[:4]),
            published_at=published_at if published else None,
            # The same draws in the same order as before, so that the dataset stays the same.
            withdrawn_at=published_at if (withdrawn := published and rng.random() < 0.01) else None,
            withdrawal_reason="Ошибка в записи" if withdrawn else "",
            withdrawal_reason_language="ru" if withdrawn else "",
            hidden_at=published_at if (hidden := published and rng.random() < 0.002) else None,
            hidden_reason="По решению суда" if hidden else "",
        )

    def seed_disclosure_records(self, progress, disclosures, published, village_of, akimat_for):
        """Status history, change log, akimats' confirmations and photos."""
        history, revisions = self.lifecycle_records(disclosures)
        confirmations, corrections, photos = self.published_records(
            published, village_of, akimat_for
        )
        bulk(StatusChange, history, progress, "status changes")
        bulk(Revision, revisions + corrections, progress, "change-log entries")
        bulk(Confirmation, confirmations, progress, "akimat confirmations")
        bulk(Photo, photos, progress, "photo rows")

    def lifecycle_records(self, disclosures):
        """Each record's status history and the change log of its creation and publication."""
        history, revisions = [], []
        for d in disclosures:
            start = (d.published_at or self.now).date() - datetime.timedelta(days=30)
            history.append(StatusChange(disclosure=d, status=Status.PROMISED, date=start))
            if d.status != Status.PROMISED:
                history.append(
                    StatusChange(disclosure=d, status=d.status, date=d.delivered_date or start)
                )
            revisions.append(Revision(disclosure=d, action=Revision.Action.CREATED))
            if d.published_at:
                revisions.append(Revision(disclosure=d, action=Revision.Action.PUBLISHED))
        return history, revisions

    def published_records(self, published, village_of, akimat_for):
        """On some published records: an akimat's verdict, a correction, a photo."""
        confirmations, corrections, photos = [], [], []
        for d in published:
            if self.rng.random() < 0.3:
                confirmations.append(
                    Confirmation(
                        disclosure=d,
                        akimat_id=akimat_for(village_of[d.pk]),
                        verdict="confirmed" if self.rng.random() < 0.85 else "cannot_confirm",
                        date=self.today,
                        note="Не подтверждено: объект не найден",
                    )
                )
            if self.rng.random() < 0.05:
                corrections.append(
                    Revision(
                        disclosure=d,
                        action=Revision.Action.EDITED,
                        after_publication=True,
                        reason="Уточнена сумма по акту",
                        changes=[
                            {"field": "amount", "old": "1 000 000 KZT", "new": "1 200 000 KZT"}
                        ],
                    )
                )
            if self.rng.random() < 0.4:
                photos.append(
                    Photo(
                        disclosure=d,
                        image="disclosures/photos/scale.jpg",
                        thumbnail="disclosures/thumbs/scale.jpg",
                        width=1600,
                        height=1200,
                        alt_text="Фото объекта",
                        language="ru",
                    )
                )
        return confirmations, corrections, photos

    def seed_residents_word(self, progress, published):
        """Residents' feedback and questions, most on the first published contributions."""
        feedback, questions = [], []
        weights = [1 / (rank + 20) for rank in range(len(published))]
        chosen = self.rng.choices(published, weights, k=self.sizes["resident_inputs"])
        for n, d in enumerate(chosen):
            moderation = self.rng.choices(["approved", "pending", "rejected"], [8, 1, 1])[0]
            if n % 5 < 3:
                feedback.append(
                    ResidentFeedback(
                        disclosure=d,
                        kind="seen" if self.rng.random() < 0.8 else "disputed",
                        comment="Видел сам" if n % 2 else "",
                        moderation_status=moderation,
                        author_name="Айгүл" if n % 3 else "",
                    )
                )
            else:
                questions.append(
                    Question(
                        disclosure=d,
                        text="Когда закончат работы?",
                        moderation_status=moderation,
                        answer="В следующем месяце." if n % 2 else "",
                        answered_at=self.now if n % 2 else None,
                    )
                )
        bulk(ResidentFeedback, feedback, progress, "residents' word")
        bulk(Question, questions, progress, "residents' questions")

    def seed_hearings(self, progress, company_ids, company_weights, akimat_for, projects_of):
        rows, territories = self.hearing_rows(company_ids, company_weights, akimat_for, projects_of)
        hearings = bulk(Hearing, rows, progress, "hearings")
        bulk_places(
            Hearing.territory, "hearing", hearings, territories, progress, "hearing territories"
        )
        self.seed_hearing_records(progress, hearings)

    def hearing_rows(self, company_ids, company_weights, akimat_for, projects_of):
        """Unsaved hearings (past ones mostly recorded) and each one's territory."""
        rng = self.rng
        rows, territories = [], []
        for n in range(self.sizes["hearings"]):
            village = rng.choices(self.village_ids, self.village_weights)[0]
            starts_at = self.now + datetime.timedelta(
                days=rng.randrange(-1500, 120), hours=rng.randrange(0, 8)
            )
            past = starts_at < self.now
            roll = rng.random()
            if past:
                status = (
                    "record_published" if roll < 0.7 else "held" if roll < 0.85 else "cancelled"
                )
            else:
                status = "announced" if roll < 0.85 else "cancelled" if roll < 0.9 else "draft"
            initiator = rng.choices(company_ids, company_weights)[0]
            rows.append(
                self.new_hearing(n, village, starts_at, status, initiator, akimat_for, projects_of)
            )
            territories.append({village, *rng.choices(self.village_ids, k=rng.choice([0, 0, 1]))})
        return rows, territories

    def new_hearing(self, n, village, starts_at, status, initiator, akimat_for, projects_of):
        """Hearing no. `n`, unsaved, its dates following its status."""
        rng = self.rng
        return Hearing(
            registration_number=f"PH-S-{n:06d}",
            language="ru",
            title_kk=f"Қоғамдық тыңдау №{n}",
            title_ru=f"Общественные слушания №{n}",
            title_en=f"Public hearing no. {n}",
            subject_ru="Проект отчёта о возможных воздействиях.",
            project_id=(rng.choice(projects_of[initiator]) if initiator in projects_of else None),
            initiator_id=initiator,
            organiser_id=akimat_for(village),
            venue_ru="Дом культуры, ул. Абая, 1",
            venue_kk="Мәдениет үйі, Абай к-сі, 1",
            starts_at=starts_at,
            materials_available_from=(starts_at - datetime.timedelta(days=30)).date(),
            comments_until=(starts_at - datetime.timedelta(days=3)).date(),
            status=status,
            announced_at=(starts_at - datetime.timedelta(days=35) if status != "draft" else None),
            held_at=starts_at if status in ("held", "record_published") else None,
            record_published_at=(
                starts_at + datetime.timedelta(days=5) if status == "record_published" else None
            ),
            cancelled_at=starts_at - datetime.timedelta(days=3) if status == "cancelled" else None,
            cancellation_reason="Перенос по просьбе жителей" if status == "cancelled" else "",
            cancellation_reason_language="ru" if status == "cancelled" else "",
            attendance=rng.randrange(10, 300) if status == "record_published" else None,
            record_summary_ru="Жители задали вопросы о пыли и воде."
            if status == "record_published"
            else "",
        )

    def seed_hearing_records(self, progress, hearings):
        """Change log, residents' comments and registrations, promises of recorded hearings."""
        rng = self.rng
        changes, comments, registrations, promises = [], [], [], []
        for h in hearings:
            changes.append(HearingChange(hearing=h, action="created", at=h.starts_at))
            if h.status == "draft":
                continue
            changes.append(HearingChange(hearing=h, action="announced", at=h.announced_at))
            for k in range(rng.randrange(0, 5)):
                comments.append(
                    HearingComment(
                        hearing=h,
                        text=f"Вопрос {k}: что будет с водой?",
                        moderation_status=rng.choices(["approved", "pending"], [9, 1])[0],
                        answer="Будет мониторинг." if h.status == "record_published" else "",
                        outcome="explained" if h.status == "record_published" else "",
                    )
                )
            for _ in range(rng.randrange(0, 3)):
                registrations.append(
                    AttendanceRegistration(hearing=h, name="Ерлан", contact="+7 700 000 00 00")
                )
            if h.status == "record_published":
                changes.append(
                    HearingChange(hearing=h, action="record_published", at=h.record_published_at)
                )
                if rng.random() < 0.3:
                    promises.append(
                        HearingPromise(
                            hearing=h,
                            organisation_id=h.initiator_id,
                            text="Построить водопровод",
                            due_text="2027",
                        )
                    )
        bulk(HearingChange, changes, progress, "hearing change-log entries")
        bulk(HearingComment, comments, progress, "hearing comments")
        bulk(AttendanceRegistration, registrations, progress, "registrations")
        bulk(HearingPromise, promises, progress, "hearing promises")
