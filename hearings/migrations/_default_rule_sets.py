"""The default rule sets of the legal clock as shipped, with what was known of each rule's
source: data of the migrations that install them (0002, texts by 0003, the akimat's answer to the
request by 0009), frozen with them.

From then on the rules are data, kept in the admin: a legal editor ticks `verified` after reading
a rule in the official text, or corrects it. Editing this module changes nothing on a running
site, and would change what an old migration installs on a new one: a change to the shipped
rules is a new data migration with its own values. It imports nothing from the apps.

Nothing here is verified yet (see the project's legal-sources notes): the numbers come from
secondary sources, the ministry portal's records or the site's earlier defaults, and each
rule's note says which. The README's legal-clock table matches this data (a test checks it).
"""

import datetime

RULES_286 = (
    "Rules for conducting public hearings (Order No. 286 of 3 August 2021, MoJ reg. No. 23901)"
)
RULES_286_KK = (
    "Қоғамдық тыңдаулар өткізу қағидалары (2021 жылғы 3 тамыздағы № 286 бұйрық, ӘМ тіркеу № 23901)"
)
RULES_286_RU = (
    "Правила проведения общественных слушаний (приказ № 286 от 3 августа 2021 года, "
    "рег. МЮ № 23901)"
)
RULES_286_URL = "https://adilet.zan.kz/rus/docs/V2100023901"
ECO_CODE = "Ecological Code of the Republic of Kazakhstan"
ECO_CODE_KK = "Қазақстан Республикасының Экологиялық кодексі"
ECO_CODE_RU = "Экологический кодекс Республики Казахстан"
ECO_CODE_URL = "https://adilet.zan.kz/rus/docs/K2100000400"
# The title as the press quotes it (legal-sources, Q5); the earlier shipped title was made up.
ORDER_505 = (
    "Rules for the development, approval and adoption of urban planning projects (general plans "
    "of settlements, detailed plans and development projects), MIID Order No. 505 of 30 "
    "September 2020"
)
ORDER_505_KK = (
    "Қала құрылысы жобаларын (елді мекендердің бас жоспарларын, егжей-тегжейлі жоспарлау "
    "жобаларын және құрылыс салу жобаларын) әзірлеу, келісу және бекіту қағидалары, ҚР ИИДМ "
    "2020 жылғы 30 қыркүйектегі № 505 бұйрығы"
)
ORDER_505_RU = (
    "Правила разработки, согласования и утверждения градостроительных проектов (генеральных "
    "планов населенных пунктов, проектов детальной планировки и проектов застройки), приказ "
    "МИИР РК № 505 от 30 сентября 2020 года"
)
EDITION_2024 = datetime.date(2024, 3, 6)
EDITION_2021 = datetime.date(2021, 8, 3)
IN_FORCE_2024 = datetime.date(2024, 3, 23)

# The text a rule without a known source shows; hearings.models.NO_SOURCE is the same words.
NO_SOURCE = "No source found"

MATERIALS_2024 = {
    "measures": "materials",
    "number": 30,
    "unit": "calendar_days",
    "direction": "before",
    "event": "hearing",
    "source_document": RULES_286,
    "source_document_kk": RULES_286_KK,
    "source_document_ru": RULES_286_RU,
    "source_edition": EDITION_2024,
    "source_url": RULES_286_URL,
    "note": "Secondary sources on the 2024 edition say 'at least 30 days'; whether calendar or "
    "working days is not stated. Counted here in calendar days.",
    "note_kk": "2024 жылғы редакция туралы қосалқы дереккөздерде «кемінде 30 күн бұрын» "
    "делінген; күнтізбелік пе, жұмыс күні ме, айтылмаған. Мұнда күнтізбелік күнмен есептеледі.",
    "note_ru": "Вторичные источники о редакции 2024 года говорят «не менее чем за 30 дней»; "
    "календарные это дни или рабочие, не сказано. Здесь считаются календарные дни.",
}
ANNOUNCEMENT_20 = {
    "measures": "announcement",
    "number": 20,
    "unit": "calendar_days",
    "direction": "before",
    "event": "hearing",
    "source_document": NO_SOURCE,
    "note": "No lead time for environmental hearings was found. The 20 calendar days come from "
    "the general-plan rules (Order No. 505); kept as the site's expectation until checked.",
    "note_kk": "Экологиялық тыңдаулар туралы хабарландырудың мерзімі табылмады. 20 күнтізбелік "
    "күн бас жоспарларды талқылау қағидаларынан (№ 505 бұйрық) алынған; тексерілгенге дейін бұл "
    "заң талабы емес, сайттың күтетіні.",
    "note_ru": "Срок объявления для экологических слушаний не найден. 20 календарных дней взяты "
    "из правил обсуждения генеральных планов (приказ № 505); до проверки это ожидание сайта, а "
    "не требование закона.",
}
COMMENTS_3 = {
    "measures": "comments",
    "number": 3,
    "unit": "calendar_days",
    "direction": "before",
    "event": "hearing",
    "source_document": NO_SOURCE,
    "note": "Announcements under the old 2007 Code took comments until three working days "
    "before; nothing was found in the current Rules.",
    "note_kk": "2007 жылғы ескі Кодекс бойынша хабарландыруларда ескертулер үш жұмыс күні "
    "бұрынға дейін қабылданған; қолданыстағы Қағидаларда мұндай мерзім табылмады.",
    "note_ru": "В объявлениях по старому Кодексу 2007 года замечания принимались не позднее чем "
    "за три рабочих дня; в действующих Правилах такого срока не найдено.",
}
PROTOCOL_7 = {
    "measures": "protocol",
    "number": 7,
    "unit": "calendar_days",
    "direction": "after",
    "event": "hearing_end",
    "source_document": NO_SOURCE,
    "note": "No deadline for publishing the protocol was found in any regime; the site's own "
    "expectation.",
    "note_kk": "Хаттаманы жариялау мерзімі ешбір тәртіпте табылмады; бұл сайттың өз күтетіні.",
    "note_ru": "Срок публикации протокола не найден ни в одном из порядков; это ожидание "
    "самого сайта.",
}
VALIDITY_6 = {
    "measures": "validity",
    "number": 6,
    "unit": "months",
    "direction": "after",
    "event": "protocol_signed",
    "source_document": ECO_CODE,
    "source_document_kk": ECO_CODE_KK,
    "source_document_ru": ECO_CODE_RU,
    "source_article": "Art. 73(1)",
    # No edition date: 19 June 2024 is only the day an unofficial copy was checked.
    "source_url": ECO_CODE_URL,
    "note": "If the hearings end before the ministry's quality assessment of the draft report "
    "on possible impacts starts, the draft must reach the ministry within six months of the "
    "protocol's signing. Read on an unofficial copy (kodeksy-kz.com, checked there on 19 June "
    "2024), not in the official text; the site does not yet record whether the condition "
    "applies.",
    "note_kk": "Тыңдаулар ықтимал әсер ету туралы есеп жобасының сапасын бағалау басталғанға "
    "дейін аяқталса, жоба хаттамаға қол қойылған күннен бастап алты айдан кешіктірілмей "
    "министрлікке жіберілуге тиіс. Ресми мәтіннен емес, бейресми көшірмеден оқылды "
    "(kodeksy-kz.com, онда 2024 жылғы 19 маусымда тексерілген); бұл шарттың орындалатыны сайтқа "
    "әзірге белгісіз.",
    "note_ru": "Если слушания завершились до начала оценки качества проекта отчета о возможных "
    "воздействиях, проект должен поступить в министерство не позднее шести месяцев со дня "
    "подписания протокола. Прочитано в неофициальной копии (kodeksy-kz.com, проверено там "
    "19 июня 2024 года), а не в официальном тексте; сайт пока не знает, выполняется ли это "
    "условие.",
}


REQUEST_ANSWER_5 = {
    "measures": "request_answer",
    "number": 5,
    "unit": "working_days",
    "direction": "after",
    "event": "request_received",
    "source_document": RULES_286,
    "source_document_kk": RULES_286_KK,
    "source_document_ru": RULES_286_RU,
    "source_edition": EDITION_2024,
    "source_url": RULES_286_URL,
    "note": "A secondary source on the 2024 edition (centralasia24) says the authorities answer "
    "the initiator's request letter (places, dates and times of the hearings) within five "
    "working days; the paragraph is not identified.",
    "note_kk": "2024 жылғы редакция туралы қосалқы дереккөзде (centralasia24) бастамашының "
    "хат-сұрауына (тыңдаулардың орны, күні мен уақыты) жергілікті орган бес жұмыс күні ішінде "
    "жауап береді делінген; Қағидалардың тармағы анықталмаған.",
    "note_ru": "Вторичный источник о редакции 2024 года (centralasia24) говорит, что на "
    "письмо-запрос инициатора (места, даты и время слушаний) орган отвечает в течение пяти "
    "рабочих дней; пункт Правил не установлен.",
}


def discussion(number, note, note_kk, note_ru):
    return {
        "measures": "discussion",
        "number": number,
        "unit": "working_days",
        "direction": "after",
        "event": "hearing",
        "source_document": RULES_286,
        "source_document_kk": RULES_286_KK,
        "source_document_ru": RULES_286_RU,
        "source_edition": EDITION_2024,
        "source_url": RULES_286_URL,
        "note": note,
        "note_kk": note_kk,
        "note_ru": note_ru,
    }


DEFAULT_RULE_SETS = [
    {
        "code": "eco-open-meeting-2024",
        "regime": "eco_open_meeting",
        "name_en": "Environmental hearing, open meeting (Rules of 2021, edition of 2024)",
        "name_ru": "Экологические слушания, открытое собрание (Правила 2021 г., ред. 2024 г.)",
        "name_kk": "Экологиялық тыңдаулар, ашық жиналыс (2021 ж. Қағидалар, 2024 ж. редакциясы)",
        "in_force_from": IN_FORCE_2024,
        "document": RULES_286,
        "edition": EDITION_2024,
        "url": RULES_286_URL,
        "rules": [
            REQUEST_ANSWER_5,
            MATERIALS_2024,
            ANNOUNCEMENT_20,
            COMMENTS_3,
            PROTOCOL_7,
            VALIDITY_6,
        ],
    },
    {
        "code": "eco-open-meeting-2021",
        "regime": "eco_open_meeting",
        "name_en": "Environmental hearing, open meeting (Rules of 2021, edition before 2024)",
        "name_ru": "Экологические слушания, открытое собрание (Правила 2021 г., ред. до 2024 г.)",
        "name_kk": (
            "Экологиялық тыңдаулар, ашық жиналыс (2021 ж. Қағидалар, 2024 ж. дейінгі редакциясы)"
        ),
        "in_force_from": datetime.date(2021, 8, 6),
        "in_force_until": IN_FORCE_2024 - datetime.timedelta(days=1),
        "document": RULES_286,
        "edition": EDITION_2021,
        "url": RULES_286_URL,
        "rules": [
            {
                **MATERIALS_2024,
                "source_edition": EDITION_2021,
                "note": "The 30 days are known only from summaries of the 2024 edition; assumed "
                "for the earlier edition too.",
                "note_kk": "30 күн тек 2024 жылғы редакцияның шолуларынан белгілі; бұрынғы "
                "редакция үшін бұл болжам.",
                "note_ru": "30 дней известны только из обзоров редакции 2024 года; для прежней "
                "редакции это допущение.",
            },
            ANNOUNCEMENT_20,
            {
                **COMMENTS_3,
                "unit": "working_days",
                "note": "Three working days appear in announcements under the old 2007 Code "
                "(ecokarta.kz, 2019); not found in the 2021 Rules.",
                "note_kk": "Үш жұмыс күні 2007 жылғы ескі Кодекс бойынша хабарландыруларда "
                "кездеседі (ecokarta.kz, 2019); 2021 жылғы Қағидаларда табылмады.",
                "note_ru": "Три рабочих дня встречаются в объявлениях по старому Кодексу 2007 "
                "года (ecokarta.kz, 2019); в Правилах 2021 года не найдены.",
            },
            PROTOCOL_7,
        ],
    },
    {
        "code": "eco-discussion-87-3-8-2024",
        "regime": "eco_discussion_87_3_8",
        "name_en": "Environmental hearing, public discussion, Art. 87 sub-paragraphs 3)–8)",
        "name_ru": "Экологические слушания, публичное обсуждение, подпункты 3)–8) статьи 87",
        "name_kk": "Экологиялық тыңдаулар, жария талқылау, 87-баптың 3)–8) тармақшалары",
        "in_force_from": IN_FORCE_2024,
        "document": RULES_286,
        "edition": EDITION_2024,
        "url": RULES_286_URL,
        "rules": [
            discussion(
                20,
                "The portal's records (hearingId 20778, 21822) ran exactly 20 working days, and "
                "a 2024 notice says 'within 20 working days'; the paragraph is not identified.",
                "Портал жазбалары (hearingId 20778, 21822) дәл 20 жұмыс күнге созылған, ал 2024 "
                "жылғы хабарландыруда «20 жұмыс күні ішінде» делінген; Қағидалардың тармағы "
                "анықталмаған.",
                "Записи портала (hearingId 20778, 21822) длились ровно 20 рабочих дней, и "
                "объявление 2024 года говорит «в течение 20 рабочих дней»; пункт Правил не "
                "установлен.",
            ),
            VALIDITY_6,
        ],
    },
    {
        "code": "eco-discussion-87-2-2024",
        "regime": "eco_discussion_87_2",
        "name_en": "Environmental hearing, public discussion, Art. 87 sub-paragraph 2)",
        "name_ru": "Экологические слушания, публичное обсуждение, подпункт 2) статьи 87",
        "name_kk": "Экологиялық тыңдаулар, жария талқылау, 87-баптың 2) тармақшасы",
        "in_force_from": IN_FORCE_2024,
        "document": RULES_286,
        "edition": EDITION_2024,
        "url": RULES_286_URL,
        "rules": [
            discussion(
                4,
                "The portal's records ran 4 to 6 working days; the shortest seen is used so "
                "that no hearing is called short on an inference.",
                "Портал жазбалары 4–6 жұмыс күнге созылған; болжам негізінде талқылауды қысқа "
                "деп атамау үшін ең қысқа мерзім алынды.",
                "Записи портала длились от 4 до 6 рабочих дней; взят самый короткий срок, чтобы "
                "не называть обсуждение коротким на основании догадки.",
            ),
            VALIDITY_6,
        ],
    },
    {
        "code": "general-plan-2020",
        "regime": "general_plan",
        "name_en": "Discussion of a general plan (urban planning, Order No. 505)",
        "name_ru": "Обсуждение генерального плана (градостроительство, приказ № 505)",
        "name_kk": "Бас жоспарды талқылау (қала құрылысы, № 505 бұйрық)",
        "in_force_from": datetime.date(2020, 10, 1),
        "document": ORDER_505,
        "edition": datetime.date(2020, 9, 30),
        "rules": [
            {
                **ANNOUNCEMENT_20,
                "source_document": ORDER_505,
                "source_document_kk": ORDER_505_KK,
                "source_document_ru": ORDER_505_RU,
                "source_edition": datetime.date(2020, 9, 30),
                "note": "The open meeting is 'not earlier than twenty calendar days' after the "
                "announcement in the media, as quoted by an official in the press (2025).",
                "note_kk": "Ашық жиналыс БАҚ-тағы хабарландырудан кейін «жиырма күнтізбелік "
                "күннен ерте емес» тағайындалады — мұны баспасөзде лауазымды тұлға келтірген "
                "(2025).",
                "note_ru": "Открытое собрание назначается «не ранее двадцати календарных дней» "
                "после объявления в СМИ — так правило цитирует должностное лицо в прессе "
                "(2025).",
            },
        ],
    },
]


def _known(model, values):
    """Only the fields the (historical) model has: an older migration installs what it knew."""
    names = {field.name for field in model._meta.get_fields()}
    return {key: value for key, value in values.items() if key in names}


def install_default_rule_sets(RuleSet, Rule):  # noqa: N803 (the migration passes its models)
    """Create the default rule sets that do not exist yet (by code); idempotent."""
    for entry in DEFAULT_RULE_SETS:
        fields = {key: value for key, value in entry.items() if key not in ("code", "rules")}
        rule_set, created = RuleSet.objects.get_or_create(
            code=entry["code"], defaults=_known(RuleSet, fields)
        )
        if created:
            for rule in entry["rules"]:
                Rule.objects.create(rule_set=rule_set, **_known(Rule, rule))


def add_missing_default_rules(RuleSet, Rule):  # noqa: N803
    """Add the shipped rules a default rule set lacks (by what they measure): a rule added to
    `DEFAULT_RULE_SETS` after the set was installed, e.g. the akimat's answer to the request."""
    for entry in DEFAULT_RULE_SETS:
        rule_set = RuleSet.objects.filter(code=entry["code"]).first()
        if rule_set is None:
            continue
        present = set(Rule.objects.filter(rule_set=rule_set).values_list("measures", flat=True))
        for rule in entry["rules"]:
            if rule["measures"] not in present:
                Rule.objects.create(rule_set=rule_set, **_known(Rule, rule))


# What `update_default_rule_texts` rewrites on a shipped rule nobody has verified yet.
TEXT_FIELDS = (
    "source_document",
    "source_document_kk",
    "source_document_ru",
    "source_edition",
    "note",
    "note_kk",
    "note_ru",
)


def update_default_rule_texts(RuleSet, Rule):  # noqa: N803
    """Give the shipped, unverified rules their Kazakh and Russian notes and act titles, the
    corrected title of Order No. 505 and no made-up edition date for Art. 73(1)."""
    for entry in DEFAULT_RULE_SETS:
        for rule in entry["rules"]:
            values = {name: rule.get(name) for name in TEXT_FIELDS}
            values = {
                name: value if value is not None or name == "source_edition" else ""
                for name, value in values.items()
            }
            Rule.objects.filter(
                rule_set__code=entry["code"], measures=rule["measures"], verified=False
            ).update(**values)
        RuleSet.objects.filter(code=entry["code"]).update(document=entry["document"])


def remove_default_rule_sets(RuleSet, Rule):  # noqa: N803
    codes = [entry["code"] for entry in DEFAULT_RULE_SETS]
    Rule.objects.filter(rule_set__code__in=codes).delete()
    RuleSet.objects.filter(code__in=codes, hearings__isnull=True).delete()
