"""Demo disclosures: what Taiynsha-May did for Ilyichevka, a followed-money chain at Nura, Zhanatas.

Runs after `projects.demo` (and `hearings.demo`). Our own wording throughout; amounts and dates are
illustrative. Photos are drawn with Pillow at seed time and go through the same processing as any
upload. `seed()` is idempotent: a disclosure that exists (same organisation and English title) is
left as it is.
"""

import datetime
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation
from PIL import Image, ImageDraw, ImageFont

from core.services import moderate_input
from disclosures import services
from disclosures.models import Basis, Category, Disclosure, RecipientRole, Status, ValueForm
from hearings.models import HearingPromise
from projects.models import Organisation, Place, Project

D = datetime.date

# Each entry: organisation slug, user, fields, settlements, then the story after creation.
DISCLOSURES = [
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Зауыт жұмысшылары мен қандастарға арналған 12 үй",
        "title_ru": "12 домов для работников завода и кандасов",
        "title_en": "12 houses for plant workers and qandas",
        "description_kk": "Ильичевкада екі пәтерлі алты үй салынып, 12 отбасыға тегін берілді.",
        "description_ru": "В Ильичевке построены шесть двухквартирных домов; 12 семей получили жильё бесплатно.",
        "description_en": "Six semi-detached houses built in Ilyichevka; 12 families moved in free of charge.",
        "category": Category.HOUSING,
        "recipient_name": "12 семей",
        "recipient_role": RecipientRole.HOUSEHOLDS,
        "amount": Decimal("480000000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "шесть двухквартирных домов (12 квартир), переданы с ключами",
        "is_estimate": True,
        "basis": Basis.VOLUNTARY,
        "beneficiaries_count": 12,
        "beneficiaries_description": "семьи работников завода и кандасов",
        "story": [("promised", D(2023, 5, 10), D(2024, 9, 30)), ("in_progress", D(2023, 8, 1)), ("delivered", D(2024, 9, 15))],
        "photos": [("Новые дома на восточной улице", (176, 120, 80)), ("Вручение ключей семьям", (90, 140, 190))],
        "confirm": ("amandyk-akimat", True, D(2024, 10, 2), "Комиссия выезжала на место; дома оформлены на семьи."),
        "feedback": [("seen", "Айгерим", "Көршілерім күзден бері сол үйлерде тұрады.")],
    },
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Ильичевка мектебін жөндеу",
        "title_ru": "Ремонт школы в Ильичевке",
        "title_en": "Repair of the Ilyichevka school",
        "description_kk": "Шатыр, терезелер және жылу жүйесі жөнделді.",
        "description_ru": "Заменены кровля, окна и система отопления.",
        "description_en": "New roof, windows and heating system.",
        "category": Category.EDUCATION,
        "recipient_name": "КГУ «Ильичевская средняя школа»",
        "recipient_role": RecipientRole.SCHOOL,
        "amount": Decimal("38000000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "ремонт здания школы: кровля, окна, отопление",
        "basis": Basis.MEMORANDUM,
        "basis_reference": "Меморандум с акиматом Амандыкского сельского округа № 14 от 12.02.2025",
        "beneficiaries_count": 240,
        "beneficiaries_description": "ученики и учителя",
        "story": [("delivered", D(2025, 8, 20))],
        "correction": ({"amount": Decimal("35000000")}, "По акту приёмки 35 млн тенге; 38 млн была предварительная оценка."),
        "photos": [("Школа с новой кровлей", (60, 120, 70))],
        "confirm": ("amandyk-akimat", True, D(2025, 9, 1), "Работы приняты комиссией акимата."),
        "question": ("Спорт залы да жөнделе ме?", "Ремонт спортзала запланирован на лето 2026 года; опубликуем его здесь как обещание."),
        # Added later by the company, for its Kazakh readers (`services.add_translation`).
        "translations": {
            "recipient_name": {"kk": "Ильичевка орта мектебі (КММ)"},
            "in_kind_description": {"kk": "мектеп ғимаратын жөндеу: шатыр, терезелер, жылу жүйесі"},
            "beneficiaries_description": {"kk": "оқушылар мен мұғалімдер"},
        },
    },
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Қыста оқушыларды мектепке тасымалдау",
        "title_ru": "Подвоз школьников зимой",
        "title_en": "Winter school transport",
        "description_kk": "Қараша–наурыз айларында автобус балаларды шеткі көшелерден мектепке жеткізді.",
        "description_ru": "С ноября по март автобус возил детей с дальних улиц в школу.",
        "description_en": "From November to March a bus took children from the outlying streets to school.",
        "category": Category.SCHOOL_TRANSPORT,
        "recipient_name": "КГУ «Ильичевская средняя школа»",
        "recipient_role": RecipientRole.SCHOOL,
        "amount": Decimal("6500000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "арендованный автобус с водителем для подвоза учеников зимой",
        "basis": Basis.VOLUNTARY,
        "beneficiaries_count": 46,
        "beneficiaries_description": "ученики с отдалённых улиц",
        "story": [("in_progress", D(2024, 11, 1)), ("delivered", D(2025, 3, 31))],
        "photos": [("Школьный автобус на остановке", (230, 190, 40))],
        "feedback": [("seen", "", "Автобус күн сайын таңертең келді, боранда да.")],
    },
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Ауыз су ұңғымасы",
        "title_ru": "Скважина питьевой воды",
        "title_en": "Drinking water well",
        "description_kk": "Ауылдың солтүстігінде 80 метрлік ұңғыма бұрғыланды.",
        "description_ru": "На севере села пробурена скважина глубиной 80 метров.",
        "description_en": "An 80-metre well drilled at the north end of the village.",
        "recipient_name": "Водопроводная служба акимата Амандыкского сельского округа",
        "category": Category.WATER,
        "amount": Decimal("9200000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "пробурённая скважина с насосом и павильоном",
        "basis": Basis.VOLUNTARY,
        "beneficiaries_description": "дворы северной части села",
        "story": [("delivered", D(2025, 6, 10))],
        "photos": [("Оголовок скважины и насосная", (70, 110, 160))],
        "confirm": ("amandyk-akimat", False, D(2025, 7, 1), "Скважина есть, но санитарный анализ воды ещё не проведён."),
        "feedback": [("disputed", "Серік", "Суы ащы, оны ешкім ішпейді; бұл ауыз су емес.")],
    },
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Өрт сөндіру көлігі",
        "title_ru": "Пожарная машина",
        "title_en": "Fire truck",
        "description_kk": "Ауылдық өрт бекетіне жаңа өрт сөндіру көлігі берілді.",
        "description_ru": "Сельскому пожарному посту передана новая пожарная машина.",
        "description_en": "A new fire truck handed to the village fire post.",
        "category": Category.FIRE_SAFETY,
        "recipient_name": "Пожарный пост села Ильичевка",
        "recipient_role": RecipientRole.ORGANISATION,
        "amount": Decimal("42000000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "пожарная машина, передана селу",
        "basis": Basis.VOLUNTARY,
        "story": [("delivered", D(2024, 12, 1))],
        "photos": [("Пожарная машина у поста", (200, 30, 30))],
        "confirm": ("amandyk-akimat", True, D(2024, 12, 10), "Машина поставлена на учёт пожарного поста."),
    },
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Балалар ойын алаңы мен спорт алаңы",
        "title_ru": "Детская и спортивная площадка",
        "title_en": "Playground and sports ground",
        "description_kk": "Қоғамдық тыңдауда уәде етілген.",
        "description_ru": "Обещано на общественных слушаниях.",
        "description_en": "Promised at the public hearing on the plant's expansion.",
        "recipient_name": "жители села Ильичевка",
        "category": Category.CULTURE_SPORT,
        "amount": Decimal("15000000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "оборудование детской площадки и огороженная спортплощадка",
        "is_estimate": True,
        "basis": Basis.HEARING,
        "basis_reference": "Протокол общественных слушаний от 14.03.2025",
        "story": [("promised", D(2025, 3, 14), D(2025, 10, 1))],
    },
    {
        "organisation": "zhetisu-tungsten",
        "user": "zhetisu@demo.ashyq.kz",
        "project": "boguty-tungsten",
        "settlements": ["194069100"],
        "title_kk": "Сөгеті ауылдық округінің бюджетіне 2024 жылғы жарна",
        "title_ru": "Взнос 2024 года в бюджет Согетинского сельского округа",
        "title_en": "2024 contribution to the Sogety rural district budget",
        "description_kk": "Жер қойнауын пайдалану келісімшарты бойынша әлеуметтік-экономикалық дамуға төлем.",
        "description_ru": "Платёж на социально-экономическое развитие по контракту на недропользование.",
        "description_en": "Payment for social and economic development under the subsoil-use contract.",
        "category": Category.OTHER,
        "recipient_name": "Бюджет Согетинского сельского округа",
        "recipient_role": RecipientRole.AKIMAT_BUDGET,
        "amount": Decimal("150000000"),
        "value_form": ValueForm.CASH,
        "basis": Basis.SUBSOIL_CONTRACT,
        "basis_reference": "Контракт на недропользование, социальные обязательства, 2024 г.",
        "story": [("delivered", D(2024, 12, 20))],
    },
    {
        "organisation": "sogety-akimat",
        "user": "sogety@demo.ashyq.kz",
        "settlements": ["194069100"],
        "title_kk": "Нұра мектебінің шатыры",
        "title_ru": "Кровля школы в Нуре",
        "title_en": "Roof of the Nura school",
        "description_kk": "Жетісу Вольфрамның 2024 жылғы жарнасынан қаржыландырылды.",
        "description_ru": "Профинансировано из взноса «Жетысу Вольфрам» за 2024 год.",
        "description_en": "Paid from Zhetisu Tungsten's 2024 contribution.",
        "category": Category.EDUCATION,
        "recipient_name": "Нұра орта мектебі",
        "recipient_role": RecipientRole.SCHOOL,
        "amount": Decimal("60000000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "мектеп ғимаратының шатырын жөндеу",
        "basis": Basis.SUBSOIL_CONTRACT,
        "funded_by": ("zhetisu-tungsten", "2024 contribution to the Sogety rural district budget"),
        "story": [("in_progress", D(2025, 5, 5)), ("delivered", D(2025, 7, 15))],
        "photos": [("Жөндеуден кейінгі Нұра мектебінің шатыры", (120, 60, 140))],
    },
    {
        "organisation": "taiynsha-may",
        "user": "taiynsha-may@demo.ashyq.kz",
        "project": "taiynsha-may-refinery",
        "settlements": ["596036500"],
        "title_kk": "Мектепке арналған спорт құралдары",
        "title_ru": "Спортивный инвентарь для школы",
        "title_en": "Sports equipment for the school",
        "description_kk": "Мектептің спорт залына арналған құралдар.",
        "description_ru": "Инвентарь для спортивного зала школы.",
        "description_en": "Equipment for the school gym.",
        "category": Category.CULTURE_SPORT,
        "recipient_name": "КГУ «Ильичевская средняя школа»",
        "recipient_role": RecipientRole.SCHOOL,
        "amount": Decimal("3500000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "спортинвентарь: маты, шведские стенки, мячи",
        "basis": Basis.VOLUNTARY,
        "story": [("delivered", D(2024, 8, 20))],
        # Withdrawn, not deleted: residents still see it, greyed with the reason, outside the sums.
        "withdraw": "Внесено дважды: инвентарь вошёл в ремонт школы.",
    },
    {
        "organisation": "zhanatas-wind",
        "user": "zhanatas-wind@demo.ashyq.kz",
        "project": "zhanatas-wind-farm",
        "settlements": ["316020100"],
        "title_kk": "Көшелерді жарықтандыру",
        "title_ru": "Уличное освещение",
        "title_en": "Street lighting",
        "description_kk": "Үш көшеге күн панельді 120 шам орнатылды.",
        "description_ru": "На трёх улицах установлены 120 фонарей на солнечных панелях.",
        "description_en": "120 solar street lamps on three streets.",
        "recipient_name": "Акимат города Жанатас",
        "category": Category.UTILITIES,
        "amount": Decimal("18000000"),
        "value_form": ValueForm.IN_KIND,
        "in_kind_description": "светодиодные уличные фонари с установкой",
        "basis": Basis.MEMORANDUM,
        "basis_reference": "Меморандум с акиматом города Жанатас, 2024 г.",
        "story": [("delivered", D(2025, 4, 30))],
        "photos": [("Уличные фонари в сумерках", (30, 40, 90))],
        "confirm": ("zhanatas-akimat", True, D(2025, 5, 20), "Шамдар орнатылды, жұмыс істеп тұр."),
    },
    {
        "organisation": "zhanatas-wind",
        "user": "zhanatas-wind@demo.ashyq.kz",
        "project": "zhanatas-wind-farm",
        "settlements": ["316020100"],
        "title_kk": "Жастарға арналған электр техниктерін оқыту",
        "title_ru": "Обучение молодёжи на электротехников",
        "title_en": "Training young people as electrical technicians",
        "description_kk": "20 жас жел станциясында жұмыс істеуге оқытылады.",
        "description_ru": "20 молодых жителей пройдут обучение для работы на ветростанции.",
        "description_en": "20 young residents to be trained to work at the wind farm.",
        "recipient_name": "молодёжь Жанатаса",
        "category": Category.JOBS,
        "amount": Decimal("8000000"),
        "value_form": ValueForm.CASH,
        "basis": Basis.VOLUNTARY,
        "beneficiaries_count": 20,
        "beneficiaries_description": "молодые жители Жанатаса",
        "story": [("promised", D(2025, 9, 1), D(2027, 6, 30))],
    },
]  # fmt: skip


def demo_photo(caption, colour):
    """A small real JPEG: a coloured scene with the caption drawn on it."""
    image = Image.new("RGB", (1200, 800), colour)
    draw = ImageDraw.Draw(image)
    r, g, b = colour
    for band in range(8):
        shade = (min(255, r + band * 12), min(255, g + band * 12), min(255, b + band * 12))
        draw.rectangle([0, 500 + band * 38, 1200, 538 + band * 38], fill=shade)
    draw.rectangle([380, 260, 820, 520], fill=(240, 240, 235), outline=(40, 40, 40), width=6)
    draw.polygon([(350, 270), (600, 120), (850, 270)], fill=(150, 40, 40))
    try:  # the captions are Kazakh and Russian: a font with Cyrillic, where the system has one
        font = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        try:
            font = ImageFont.load_default(size=44)
        except TypeError:  # Pillow without scalable default font
            font = ImageFont.load_default()
    draw.rectangle([0, 690, 1200, 800], fill=(0, 0, 0))
    draw.text((40, 715), caption, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _user(email):
    return get_user_model().objects.get(username=email)


@transaction.atomic
@translation.override("ru")
def seed(stdout=None):
    """The demo's companies and akimats work on the Russian site: what they and residents type
    is stored as Russian unless it has Kazakh letters (`core.translation.language_written`)."""
    write = stdout.write if stdout else (lambda message: None)
    missing = [
        code
        for code in ("596036500", "194069100", "316020100")
        if not Place.objects.filter(kato_code=code).exists()
    ]
    if missing:
        write(f"Disclosures demo skipped: places {', '.join(missing)} not imported.")
        return {}
    moderator = _user("moderator@demo.ashyq.kz")
    created = 0
    for entry in DISCLOSURES:
        organisation = Organisation.objects.get(slug=entry["organisation"])
        if Disclosure.objects.filter(
            organisation=organisation, title_en=entry["title_en"]
        ).exists():
            continue
        created += 1
        _seed_one(entry, organisation, moderator)
    created += _seed_hearing_promises()
    write(f"Demo: {created} disclosures added ({len(DISCLOSURES)} in the demo).")
    return {"disclosures": len(DISCLOSURES)}


def _seed_one(entry, organisation, moderator):
    """Create, publish and take one demo contribution through its story and residents' word."""
    user = _user(entry["user"])
    disclosure = _new_disclosure(entry, organisation)
    first = entry["story"][0]
    settlements = list(Place.objects.filter(kato_code__in=entry["settlements"]))
    services.create_disclosure(acting_user=user, disclosure=disclosure, settlements=settlements)
    disclosure.status_changes.update(date=first[1])
    for caption, colour in entry.get("photos", []):
        services.add_photo(
            acting_user=user,
            disclosure=disclosure,
            upload=demo_photo(caption, colour),
            alt_text=caption,
        )
    services.publish_disclosure(acting_user=user, disclosure=disclosure)
    for status, date, *_rest in entry["story"][1:]:
        services.change_status(acting_user=user, disclosure=disclosure, status=status, date=date)
    if entry.get("correction"):
        changes, reason = entry["correction"]
        for name, value in changes.items():
            setattr(disclosure, name, value)
        services.update_disclosure(
            acting_user=user, disclosure=disclosure, settlements=settlements, reason=reason
        )
    if entry.get("withdraw"):
        services.withdraw_disclosure(
            acting_user=user, disclosure=disclosure, reason=entry["withdraw"]
        )
    for field, versions in entry.get("translations", {}).items():
        for language, text in versions.items():
            services.add_translation(
                acting_user=user, record=disclosure, field=field, language=language, text=text
            )
    _residents_and_akimat(entry, disclosure, user, moderator)


def _new_disclosure(entry, organisation):
    """The entry's contribution, unsaved, as it stood at the first step of its story."""
    fields = {
        key: value
        for key, value in entry.items()
        if key
        not in {
            "organisation", "user", "project", "settlements", "story", "photos", "confirm",
            "feedback", "question", "correction", "funded_by", "withdraw", "translations",
        }
    }  # fmt: skip
    first = entry["story"][0]
    disclosure = Disclosure(organisation=organisation, **fields)
    if entry.get("project"):
        disclosure.project = Project.objects.get(slug=entry["project"])
    if entry.get("funded_by"):
        slug, title_en = entry["funded_by"]
        disclosure.funded_by = Disclosure.objects.get(organisation__slug=slug, title_en=title_en)
    disclosure.status = first[0]
    # The report that includes it: the year it was delivered, else the year it was promised.
    disclosure.reporting_year = entry["story"][-1][1].year
    if first[0] == Status.PROMISED:
        disclosure.due_date = first[2]
    if first[0] == Status.DELIVERED:
        disclosure.delivered_date = first[1]
    if disclosure.basis == Basis.HEARING:
        # Link the promise made at the demo hearing, when the hearings demo has made one.
        promise = (
            HearingPromise.objects.filter(organisation=organisation, disclosures__isnull=True)
            .select_related("hearing")
            .order_by("pk")
            .first()
        )
        if promise:
            disclosure.hearing, disclosure.hearing_promise = promise.hearing, promise
    return disclosure


def _residents_and_akimat(entry, disclosure, user, moderator):
    """The akimat's confirmation, residents' feedback and question (approved, answered)."""
    if entry.get("confirm"):
        akimat_slug, confirmed, date, note = entry["confirm"]
        akimat = Organisation.objects.get(slug=akimat_slug)
        official = akimat.memberships.select_related("user").first().user
        services.confirm_disclosure(
            acting_user=official,
            disclosure=disclosure,
            akimat=akimat,
            confirmed=confirmed,
            date=date,
            note=note,
        )
    for kind, author, comment in entry.get("feedback", []):
        item = services.submit_feedback(
            disclosure=disclosure, kind=kind, comment=comment, author_name=author, ip_hash="demo"
        )
        moderate_input(acting_user=moderator, item=item, approve=True)
    if entry.get("question"):
        text, answer = entry["question"]
        question = services.ask_question(disclosure=disclosure, text=text, ip_hash="demo")
        moderate_input(acting_user=moderator, item=question, approve=True)
        services.answer_question(acting_user=user, question=question, answer=answer)


def _seed_hearing_promises():
    """Record the hearings demo's promises (e.g. Zhetisu Tungsten's water pipe at Nura)."""
    created = 0
    promises = HearingPromise.objects.filter(
        disclosures__isnull=True, organisation__memberships__isnull=False
    ).select_related("hearing", "organisation")
    for promise in promises.distinct():
        member = promise.organisation.memberships.select_related("user").first().user
        services.record_promise_from_hearing(
            acting_user=member,
            promise=promise,
            due_date=datetime.date(2027, 12, 31),
            category=Category.WATER if "водопровод" in promise.text.lower() else Category.OTHER,
            publish=True,
        )
        created += 1
    return created
