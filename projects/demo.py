"""Demo data: the three projects from the Paperlab study, their companies, akimats and users.

Everything here is our own wording for a demonstration; BINs are made up (with a valid check
digit) and are not the real companies' numbers. `seed()` is idempotent: it updates by slug.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from projects.models import Membership, Organisation, Place, Project, ProjectSettlement
from projects.services import GROUP_FOR_KIND, MODERATORS_GROUP

DEMO_PASSWORD = "ashyq-demo-2026"

COMPANIES = [
    {
        "slug": "taiynsha-may",
        "bin": "050440001239",
        "name_kk": "«Тайынша-Май» ЖШС",
        "name_ru": "ТОО «Тайынша-Май»",
        "name_en": "Taiynsha-May LLP",
        "owner_countries": "CN,KZ",
        "description_kk": "Солтүстік Қазақстан облысы Ильичевка ауылындағы май өңдеу зауытының операторы.",
        "description_ru": "Оператор маслоперерабатывающего завода в селе Ильичевка Северо-Казахстанской области.",
        "description_en": "Operator of the oil refinery in the village of Ilyichevka, North Kazakhstan Region.",
    },
    {
        "slug": "zhetisu-tungsten",
        "bin": "100840004567",
        "name_kk": "«Жетісу Вольфрам» ЖШС",
        "name_ru": "ТОО «Жетысу Вольфрам»",
        "name_en": "Zhetisu Tungsten LLP",
        "owner_countries": "CN",
        "description_kk": "Боғұты кен орнында вольфрам өндіретін және байыту комбинатын салатын компания.",
        "description_ru": "Компания строит горно-обогатительный комбинат на вольфрамовом месторождении Богуты.",
        "description_en": "Builds the mining and processing plant at the Boguty tungsten deposit.",
    },
    {
        "slug": "zhanatas-wind",
        "bin": "151240007899",
        "name_kk": "«Жаңатас жел электр станциясы» ЖШС",
        "name_ru": "ТОО «Жанатасская ветровая электростанция»",
        "name_en": "Zhanatas Wind Power Plant LLP",
        "owner_countries": "CN,KZ",
        "description_kk": "Жаңатас қаласы маңындағы жел электр станциясының операторы.",
        "description_ru": "Оператор ветровой электростанции у города Жанатас.",
        "description_en": "Operator of the wind farm near the town of Zhanatas.",
    },
]

AKIMATS = [
    ("amandyk-akimat", "596036000", "Амандық ауылдық округінің әкімдігі", "Аппарат акима Амандыкского сельского округа", "Akimat of Amandyk rural district"),
    ("taiynsha-district-akimat", "596000000", "Тайынша ауданының әкімдігі", "Акимат Тайыншинского района", "Akimat of Taiynsha district"),
    ("sogety-akimat", "194069000", "Сөгеті ауылдық округінің әкімдігі", "Аппарат акима Согетинского сельского округа", "Akimat of Sogety rural district"),
    ("enbekshikazakh-akimat", "194000000", "Еңбекшіқазақ ауданының әкімдігі", "Акимат Енбекшиказахского района", "Akimat of Enbekshikazakh district"),
    ("zhanatas-akimat", "316020100", "Жаңатас қаласының әкімдігі", "Аппарат акима города Жанатас", "Akimat of the town of Zhanatas"),
    ("sarysu-akimat", "316000000", "Сарысу ауданының әкімдігі", "Акимат Сарысуского района", "Akimat of Sarysu district"),
]  # fmt: skip

USERS = [
    # (e-mail, organisation slug or None, role, staff, superuser)
    ("admin@demo.ashyq.kz", None, None, True, True),
    ("moderator@demo.ashyq.kz", None, None, True, False),
    ("taiynsha-may@demo.ashyq.kz", "taiynsha-may", Membership.Role.ADMINISTRATOR, False, False),
    ("zhetisu@demo.ashyq.kz", "zhetisu-tungsten", Membership.Role.ADMINISTRATOR, False, False),
    ("zhanatas-wind@demo.ashyq.kz", "zhanatas-wind", Membership.Role.ADMINISTRATOR, False, False),
    ("amandyk@demo.ashyq.kz", "amandyk-akimat", Membership.Role.ADMINISTRATOR, False, False),
    ("taiynsha-district@demo.ashyq.kz", "taiynsha-district-akimat", Membership.Role.ADMINISTRATOR, False, False),
    ("sogety@demo.ashyq.kz", "sogety-akimat", Membership.Role.ADMINISTRATOR, False, False),
    ("zhanatas-akimat@demo.ashyq.kz", "zhanatas-akimat", Membership.Role.ADMINISTRATOR, False, False),
]  # fmt: skip

PROJECTS = [
    {
        "slug": "taiynsha-may-refinery",
        "operator": "taiynsha-may",
        "name_kk": "Тайынша май өңдеу зауыты",
        "name_ru": "Тайыншинский маслоперерабатывающий завод",
        "name_en": "Taiynsha-May oil refinery",
        "sector": Project.Sector.AGRICULTURE,
        "status": Project.Status.OPERATING,
        "primary": "596036500",
        "others": ["596036000"],
        "start_date": datetime.date(2019, 5, 1),
        "commissioning_date": datetime.date(2022, 10, 1),
        "investment_amount": Decimal("105000000000"),
        "investment_currency": "KZT",
        "jobs_planned": 450,
        "jobs_created": 420,
        "jobs_local": 160,
        "is_bri": True,
        "description_kk": "Рапс пен күнбағыс тұқымын өңдейтін зауыт. Зауыт Ильичевкада жұмысшылар мен қандастарға үй салды, мектепті жөндеді, ауылға құдық қазды және өрт сөндіру көлігін берді.",
        "description_ru": "Завод по переработке семян рапса и подсолнечника. В Ильичевке завод построил дома для работников и кандасов, отремонтировал школу, пробурил скважину для водоснабжения и передал селу пожарную машину.",
        "description_en": "A plant processing rapeseed and sunflower seed. In Ilyichevka it built houses for workers and qandas, repaired the school, drilled a water well and gave the village a fire truck.",
    },
    {
        "slug": "boguty-tungsten",
        "operator": "zhetisu-tungsten",
        "name_kk": "Боғұты вольфрам кен байыту комбинаты",
        "name_ru": "Горно-обогатительный комбинат на месторождении Богуты",
        "name_en": "Boguty tungsten mining and processing plant",
        "sector": Project.Sector.MINING,
        "status": Project.Status.CONSTRUCTION,
        "primary": "194069100",
        "others": [],
        "start_date": datetime.date(2021, 6, 1),
        "commissioning_date": None,
        "investment_amount": Decimal("1000000000"),
        "investment_currency": "USD",
        "jobs_planned": 1000,
        "jobs_created": 380,
        "jobs_local": 120,
        "is_bri": True,
        "description_kk": "Боғұты тауларының етегіндегі вольфрам кен орнын игеру. Тұрғындар су мен жайылымға әсер етуі туралы алаңдайды.",
        "description_ru": "Освоение вольфрамового месторождения у гор Богуты. Жители обеспокоены влиянием на воду и пастбища.",
        "description_en": "Developing the tungsten deposit by the Boguty mountains. Residents worry about the effect on water and pasture.",
    },
    {
        "slug": "zhanatas-wind-farm",
        "operator": "zhanatas-wind",
        "name_kk": "Жаңатас жел электр станциясы",
        "name_ru": "Жанатасская ветровая электростанция",
        "name_en": "Zhanatas wind farm",
        "sector": Project.Sector.WIND,
        "status": Project.Status.OPERATING,
        "primary": "316020100",
        "others": [],
        "start_date": datetime.date(2019, 7, 1),
        "commissioning_date": datetime.date(2021, 6, 30),
        "investment_amount": Decimal("96000000000"),
        "investment_currency": "KZT",
        "jobs_planned": 60,
        "jobs_created": 55,
        "jobs_local": 40,
        "is_bri": True,
        "description_kk": "Қуаты 100 МВт жел электр станциясы. Тұрғындар «қытай турбиналары» шынымен таза ма деп күмәнданады.",
        "description_ru": "Ветровая электростанция мощностью 100 МВт. Жители сомневаются, что «китайские турбины» действительно экологичны.",
        "description_en": "A 100 MW wind farm. Residents doubt that the 'Chinese turbines' are really green.",
    },
]


def place(code):
    return Place.objects.get(kato_code=code)


@transaction.atomic
def seed(stdout=None):
    write = stdout.write if stdout else (lambda message: None)
    _seed_organisations()
    _seed_users()
    _seed_projects()
    write(f"Demo: {len(COMPANIES)} companies, {len(AKIMATS)} akimats, {len(PROJECTS)} projects.")
    return {"users": [email for email, *_rest in USERS], "password": DEMO_PASSWORD}


def _seed_organisations():
    for data in COMPANIES:
        data = dict(data)
        Organisation.objects.update_or_create(
            slug=data.pop("slug"), defaults={"kind": Organisation.Kind.COMPANY, **data}
        )
    # An akimat's public e-mail (its pages, calendars' ORGANIZER) is its demo account's.
    contacts = {organisation: email for email, organisation, *_rest in USERS if organisation}
    for slug, code, name_kk, name_ru, name_en in AKIMATS:
        Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": Organisation.Kind.AKIMAT,
                "place": place(code),
                "name_kk": name_kk,
                "name_ru": name_ru,
                "name_en": name_en,
                "email": contacts.get(slug, ""),
            },
        )


def _seed_users():
    user_model = get_user_model()
    moderators = Group.objects.get(name=MODERATORS_GROUP)
    for email, org_slug, role, staff, superuser in USERS:
        user, created = user_model.objects.get_or_create(
            username=email, defaults={"email": email, "is_staff": staff, "is_superuser": superuser}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if staff and not superuser:
            user.groups.add(moderators)
        if org_slug:
            organisation = Organisation.objects.get(slug=org_slug)
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
            user.groups.add(Group.objects.get(name=GROUP_FOR_KIND[organisation.kind]))


def _seed_projects():
    for data in PROJECTS:
        data = dict(data)
        primary = place(data.pop("primary"))
        others = [place(code) for code in data.pop("others")]
        operator = Organisation.objects.get(slug=data.pop("operator"))
        project, _created = Project.objects.update_or_create(
            slug=data.pop("slug"),
            defaults={**data, "operator": operator, "primary_settlement": primary},
        )
        for settlement in [primary, *others]:
            if settlement.level == Place.Level.SETTLEMENT:
                ProjectSettlement.objects.get_or_create(project=project, place=settlement)
            else:
                # A whole rural district is affected: every village in it.
                for village in Place.objects.within(settlement).settlements().populated():
                    ProjectSettlement.objects.get_or_create(project=project, place=village)
