"""The default rule sets of the legal clock, with what is known of each rule's source.

Installed by the data migration `0010_default_rule_sets` and kept in the admin from then on:
staff tick `verified` after reading a rule in the official text, or correct it. Changing this
module later does not change a running site's rules; write a data migration for that.

Nothing here is verified yet (see the project's legal-sources notes): the numbers come from
secondary sources, the ministry portal's records or the site's earlier defaults, and each
rule's note says which. The README's legal-clock table matches this data (a test checks it).
"""

import datetime

RULES_286 = (
    "Rules for conducting public hearings (Order No. 286 of 3 August 2021, MoJ reg. No. 23901)"
)
RULES_286_URL = "https://adilet.zan.kz/rus/docs/V2100023901"
ECO_CODE = "Ecological Code of the Republic of Kazakhstan"
ECO_CODE_URL = "https://adilet.zan.kz/rus/docs/K2100000400"
ORDER_505 = (
    "Rules of public discussion of urban planning projects "
    "(MIID Order No. 505 of 30 September 2020)"
)
EDITION_2024 = datetime.date(2024, 3, 6)
EDITION_2021 = datetime.date(2021, 8, 3)
IN_FORCE_2024 = datetime.date(2024, 3, 23)

NO_SOURCE = "No source found"

MATERIALS_2024 = {
    "measures": "materials",
    "number": 30,
    "unit": "calendar_days",
    "direction": "before",
    "event": "hearing",
    "source_document": RULES_286,
    "source_edition": EDITION_2024,
    "source_url": RULES_286_URL,
    "note": "Secondary sources on the 2024 edition say 'at least 30 days'; whether calendar or "
    "working days is not stated. Counted here in calendar days.",
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
}
VALIDITY_6 = {
    "measures": "validity",
    "number": 6,
    "unit": "months",
    "direction": "after",
    "event": "protocol_signed",
    "source_document": ECO_CODE,
    "source_article": "Art. 73(1)",
    "source_edition": datetime.date(2024, 6, 19),
    "source_url": ECO_CODE_URL,
    "note": "If the hearings end before the ministry's review starts, the draft must reach the "
    "ministry within six months of the protocol's signing. Read on an unofficial copy of the "
    "2024 text.",
}


def discussion(number, note):
    return {
        "measures": "discussion",
        "number": number,
        "unit": "working_days",
        "direction": "after",
        "event": "hearing",
        "source_document": RULES_286,
        "source_edition": EDITION_2024,
        "source_url": RULES_286_URL,
        "note": note,
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
        "rules": [MATERIALS_2024, ANNOUNCEMENT_20, COMMENTS_3, PROTOCOL_7, VALIDITY_6],
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
            },
            ANNOUNCEMENT_20,
            {
                **COMMENTS_3,
                "unit": "working_days",
                "note": "Three working days appear in announcements under the old 2007 Code "
                "(ecokarta.kz, 2019); not found in the 2021 Rules.",
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
                "source_edition": datetime.date(2020, 9, 30),
                "note": "The open meeting is 'not earlier than twenty calendar days' after the "
                "announcement in the media, as quoted by an official in the press (2025).",
            },
        ],
    },
]


def install_default_rule_sets(RuleSet, Rule):  # noqa: N803 (the migration passes its models)
    """Create the default rule sets that do not exist yet (by code); idempotent."""
    for entry in DEFAULT_RULE_SETS:
        fields = {key: value for key, value in entry.items() if key not in ("code", "rules")}
        rule_set, created = RuleSet.objects.get_or_create(code=entry["code"], defaults=fields)
        if created:
            for rule in entry["rules"]:
                Rule.objects.create(rule_set=rule_set, **rule)


def remove_default_rule_sets(RuleSet, Rule):  # noqa: N803
    codes = [entry["code"] for entry in DEFAULT_RULE_SETS]
    Rule.objects.filter(rule_set__code__in=codes).delete()
    RuleSet.objects.filter(code__in=codes, hearings__isnull=True).delete()
