"""Demo hearings: an upcoming open meeting, a moved one and a public discussion (a window of
20 working days) in Zhanatas, and a held one at Nura with its record and signed protocol.

Each carries the official record as the ministry's portal has it: a registration number, the
object's category and its Art. 87 basis, the initiator's representative, the developer and the
authorised body. Those numbers and names are illustrative; the portal link goes to the portal's
list of hearings, not to a made-up record.

Runs after `projects.demo`. Our own wording throughout; the projects and dates are illustrative.
Dates are relative to the day the demo is loaded, so the upcoming hearing is always upcoming.
The hearings go through the same services as the akimat's pages (so the legal clock is checked);
the held hearing's dates are then moved into the past, which no page can do. `seed()` is
idempotent: a hearing with the same organiser and English title is left as it is.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation

from core.translation import language_written
from hearings import concerned, services
from hearings.models import Hearing, HearingChange, HearingComment, HearingFailure, LearnedOf
from hearings.working_days import WorkingCalendar
from projects.models import Organisation, Place, Project

ZHANATAS = "316020100"
NURA = "194069100"
ILYICHEVKA = "596036500"


def demo_pdf(title):
    """A small, valid one-page PDF with `title` on it, written by hand (no PDF library)."""
    text = title.encode("latin-1", "replace").decode("latin-1").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 16 Tf 60 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return SimpleUploadedFile(f"{title[:40]}.pdf", bytes(out), content_type="application/pdf")


def _at(days, hour=11):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _user(email):
    return get_user_model().objects.get(username=email)


PORTAL_LIST = "https://hearings.ndbecology.gov.kz/Public/PubHearings"
AUTHORISED_BODY = (
    "РГП на ПХВ «Информационно-аналитический центр охраны окружающей среды» при МЭПР РК"
)


def _portal_number(sequence, on=None):
    """A number shaped like the portal's: the day of registration (YYMMDD, today unless `on`)
    and a sequence number."""
    return f"{on or timezone.localdate():%y%m%d}{sequence:06d}"


COMMON_ZHANATAS = {
    "initiator": "zhanatas-wind",
    "organiser": "zhanatas-akimat",
    "project": "zhanatas-wind-farm",
    "user": "zhanatas-akimat@demo.ashyq.kz",
    "territory": [ZHANATAS],
    "initiator_contact": "+7 7262 00 00 00, info@zhanatas-wind.example",
    "organiser_contact": "Ержан Сапаров, +7 72634 0 00 00",
    "languages": "kk,ru",
    "paper_copies_kk": "Жаңатас қаласы әкімдігі, 1-қабат, қабылдау бөлмесі, 9:00–18:00",
    "paper_copies_ru": "Акимат города Жанатас, 1 этаж, приёмная, 9:00–18:00",
    "paper_copies_en": "Akimat of Zhanatas, ground floor, reception, 9:00–18:00",
    "comment_instructions_kk": (
        "Жазбаша ескертулер әкімдіктің қабылдау бөлмесінде (1-қабат, 9:00–18:00) қабылданады."
    ),
    "comment_instructions_ru": "Письменные замечания принимаются в приёмной акимата (1 этаж, 9:00–18:00).",
    "comment_instructions_en": "Written comments are taken at the akimat's reception (ground floor, 9:00–18:00).",
}

UPCOMING = {
    **COMMON_ZHANATAS,
    "title_kk": "Жаңатас жел электр станциясын кеңейту: қоршаған ортаға әсер туралы есеп",
    "title_ru": "Расширение Жанатасской ВЭС: отчёт о воздействии на окружающую среду",
    "title_en": "Zhanatas wind farm extension: environmental impact report",
    "subject_kk": "Қаладан оңтүстікке қарай 12 жаңа жел турбинасы мен кіші станция салу.",
    "subject_ru": "Строительство 12 новых ветровых турбин и подстанции к югу от города.",
    "subject_en": "Building 12 more wind turbines and a substation south of the town.",
    "legal_basis": "eia_report",
    "decision_kk": "Қоршаған ортаға әсер туралы есеп бойынша қорытынды",
    "decision_ru": "Заключение по отчёту о возможных воздействиях",
    "decision_en": "Conclusion on the report on possible environmental impacts",
    "decision_authority_kk": "Экология департаменті",
    "decision_authority_ru": "Департамент экологии",
    "decision_authority_en": "Department of Ecology",
    "format": "hybrid",
    "venue_kk": "Жаңатас, Мәдениет үйі, үлкен зал",
    "venue_ru": "Жанатас, Дом культуры, большой зал",
    "venue_en": "Zhanatas, House of Culture, main hall",
    "online_link": "https://meet.example.org/zhanatas-wind",
    "online_instructions_ru": "Ссылка откроется за 15 минут до начала; вопросы можно задать в чате.",
    "online_instructions_kk": "Сілтеме басталуға 15 минут қалғанда ашылады; сұрақтарды чатта қоюға болады.",
    "online_instructions_en": "The link opens 15 minutes before the start; ask questions in the chat.",
    "object_category": "II",
    "art87_subparagraph": "3",
    "initiator_representative": "Асель Нурланова, эколог",
    "document_developer": "ТОО «ЭкоПроект Тараз»",
    "portal_sequence": 1008,
    "days": 35,
    "documents": [
        "Отчёт о возможных воздействиях (краткое изложение)",
        "Карта шума и мерцания теней",
    ],
}

MOVED = {
    **COMMON_ZHANATAS,
    "title_kk": "Жаңатас ЖЭС-ін желіге қосатын 110 кВ желі: жер учаскесін беру",
    "title_ru": "ЛЭП 110 кВ для подключения Жанатасской ВЭС: отвод земельного участка",
    "title_en": "110 kV line connecting the Zhanatas wind farm: land allocation",
    "subject_kk": "Станциядан қалалық кіші станцияға дейін 14 км әуе желісі.",
    "subject_ru": "Воздушная линия 14 км от станции до городской подстанции.",
    "subject_en": "A 14 km overhead line from the wind farm to the town substation.",
    "legal_basis": "land_allocation",
    "format": "in_person",
    "venue_kk": "Жаңатас, №3 мектеп, акт залы",
    "venue_ru": "Жанатас, школа № 3, актовый зал",
    "venue_en": "Zhanatas, School No. 3, assembly hall",
    "object_category": "III",
    "portal_sequence": 1011,
    "days": 40,
    "moved_to": 52,
    "moved_venue": ("Жаңатас, Мәдениет үйі", "Жанатас, Дом культуры", "Zhanatas, House of Culture"),
    "reason": "Актовый зал школы закрыт на ремонт, слушания переносятся в Дом культуры.",
    "documents": ["Трасса линии"],
}

HELD = {
    "initiator": "zhetisu-tungsten",
    "organiser": "sogety-akimat",
    "project": "boguty-tungsten",
    "user": "sogety@demo.ashyq.kz",
    "territory": [NURA],
    "title_kk": "Бөгеті вольфрам кен орны: тау-кен жұмыстарының жоспарына өзгерістер",
    "title_ru": "Месторождение Богуты: изменения плана горных работ",
    "title_en": "Boguty tungsten deposit: changes to the mining plan",
    "subject_kk": "Карьерді шығысқа кеңейту және жаңа үйінді.",
    "subject_ru": "Расширение карьера на восток и новый отвал.",
    "subject_en": "Extending the open pit to the east and a new waste dump.",
    "legal_basis": "environmental_permit",
    "format": "in_person",
    "venue_kk": "Нұра ауылы, клуб",
    "venue_ru": "Село Нура, клуб",
    "venue_en": "Nura village, club house",
    "initiator_contact": "community@zhetisu-tungsten.example",
    "organiser_contact": "Айгүл Омарова, +7 72777 0 00 00",
    "languages": "kk,ru",
    "object_category": "I",
    "art87_subparagraph": "4",
    # The Sogety akimat fills in its notice in Kazakh.
    "initiator_representative": "Ерлан Қасымов, бас инженер",
    "document_developer": "«Казгеоэкология» ЖШС",
    "authorised_body": "ҚР ЭТРМ «Қоршаған ортаны қорғау ақпараттық-талдау орталығы» ШЖҚ РМК",
    "portal_sequence": 904,
    "days_ago": 20,
    "questions": [
        (
            "Карьер ауылға қаншалықты жақындайды?",
            "Шекара ауылдан 3,2 км қашықтықта қалады; санитарлық аймақ сақталады.",
            HearingComment.Outcome.EXPLAINED,
            HearingComment.Source.AT_HEARING,
        ),
        (
            "Будет ли пыль на дороге к селу от самосвалов?",
            "Дорогу будут поливать дважды в день с мая по октябрь; это внесено в план.",
            HearingComment.Outcome.ACCEPTED,
            HearingComment.Source.WRITTEN,
        ),
        (
            "Жаңа үйіндіні жайылымнан алысырақ апаруға бола ма?",
            "Ішінара: үйінді 400 м солтүстікке жылжиды, кірме жол орнында қалады.",
            HearingComment.Outcome.PARTLY,
            HearingComment.Source.AT_HEARING,
        ),
    ],
    "promise": "Проложить водопровод 3 км до школы и амбулатории села Нура до расширения карьера.",
    "attendance": 73,
}


DISCUSSION = {
    **COMMON_ZHANATAS,
    "title_kk": "Жаңатас ЖЭС-і: қоршаған ортаны қорғау бөлімі бар жұмыс жобасы",
    "title_ru": "Жанатасская ВЭС: рабочий проект с разделом охраны окружающей среды",
    "title_en": "Zhanatas wind farm: working project with its environmental protection section",
    "subject_kk": "Кіші станцияға дейінгі кабель трассасы мен қызмет көрсету жолдары.",
    "subject_ru": "Кабельная трасса до подстанции и сервисные дороги.",
    "subject_en": "The cable route to the substation and the service roads.",
    "legal_basis": "environmental_permit",
    "form": "public_discussion",
    "format": "online",
    "object_category": "II",
    "art87_subparagraph": "5",
    "initiator_representative": "Асель Нурланова, эколог",
    "document_developer": "ТОО «ЭкоПроект Тараз»",
    "portal_sequence": 1015,
    "days": 10,
    "working_days": 20,
    "documents": ["Рабочий проект: раздел охраны окружающей среды"],
}

# Held on its day, but too few people came: the akimat records why and announces a repeat.
FAILED = {
    "initiator": "taiynsha-may",
    "organiser": "amandyk-akimat",
    "project": "taiynsha-may-refinery",
    "user": "amandyk@demo.ashyq.kz",
    "territory": [ILYICHEVKA],
    "title_kk": "«Тайынша-Май» зауыты: экстракция цехының қуатын арттыру",
    "title_ru": "Завод «Тайынша-Май»: увеличение мощности экстракционного цеха",
    "title_en": "Taiynsha-May plant: a bigger extraction shop",
    "subject_kk": "Тәулігіне 1 000 тоннаға дейін тұқым өңдеу және жаңа қазандық салу.",
    "subject_ru": "Переработка до 1 000 тонн семян в сутки и новая котельная.",
    "subject_en": "Processing up to 1,000 tonnes of seed a day, and a new boiler house.",
    "legal_basis": "environmental_permit",
    "format": "in_person",
    "venue_kk": "Ильичевка ауылы, мәдениет үйі",
    "venue_ru": "Село Ильичевка, Дом культуры",
    "venue_en": "Ilyichevka village, House of Culture",
    "initiator_contact": "+7 71536 0 00 00, eco@taiynsha-may.example",
    "organiser_contact": "Нургуль Жаксылыкова, +7 71536 0 11 11",
    "languages": "kk,ru",
    "object_category": "II",
    "art87_subparagraph": "4",
    "initiator_representative": "Сергей Ковальчук, главный инженер",
    "document_developer": "ТОО «СКО ЭкоСервис»",
    "portal_sequence": 917,
    "days_ago": 12,
    # Shown after "too few people came:".
    "reason": "6 человек, почти все — работники завода. Акимат проведёт слушания повторно "
    "вечером, после работы.",
    "repeat_in": 38,
    "documents": ["Отчёт о возможных воздействиях: экстракционный цех"],
}


@transaction.atomic
@translation.override("ru")
def seed(stdout=None):
    """The demo's organisers work on the Russian site: what they and residents type is stored
    as Russian unless it has Kazakh letters (`core.translation.language_written`)."""
    write = stdout.write if stdout else (lambda message: None)
    missing = [
        code
        for code in (ZHANATAS, NURA, ILYICHEVKA)
        if not Place.objects.filter(kato_code=code).exists()
    ]
    if missing:
        write(f"Hearings demo skipped: places {', '.join(missing)} not imported.")
        return {}
    created = 0
    entries = (
        (UPCOMING, _upcoming),
        (MOVED, _moved),
        (DISCUSSION, _discussion),
        (HELD, _held),
        (FAILED, _failed_and_repeated),
    )
    for entry, make in entries:
        if Hearing.objects.filter(
            organiser__slug=entry["organiser"], title_en=entry["title_en"]
        ).exists():
            continue
        make(entry)
        created += 1
    total = len(entries) + 1  # the failed hearing's repeat
    write(f"Demo: {created} hearings added ({total} in the demo).")
    return {"hearings": total}


NOT_FIELDS = {
    "initiator", "organiser", "project", "user", "territory", "days", "documents", "moved_to",
    "moved_venue", "reason", "days_ago", "questions", "promise", "attendance", "portal_sequence",
    "working_days", "repeat_in",
}  # fmt: skip


def _draft(entry, starts_at):
    user = _user(entry["user"])
    hearing = Hearing(
        initiator=Organisation.objects.get(slug=entry["initiator"]),
        organiser=Organisation.objects.get(slug=entry["organiser"]),
        project=Project.objects.filter(slug=entry["project"]).first(),
        starts_at=starts_at,
        materials_available_from=timezone.localdate(starts_at) - datetime.timedelta(days=33),
        comments_until=timezone.localdate(starts_at) - datetime.timedelta(days=3),
        portal_number=_portal_number(entry["portal_sequence"]),
        portal_url=PORTAL_LIST,
        **{
            "authorised_body": AUTHORISED_BODY,
            **{k: v for k, v in entry.items() if k not in NOT_FIELDS},
        },
    )
    if hearing.is_public_discussion():
        # A window of exactly the working days the rules ask, counted on Kazakhstan's calendar;
        # comments are taken on the portal during the window, so there is no separate period.
        hearing.discussion_ends_on = WorkingCalendar.load().nth_from(
            timezone.localdate(starts_at), entry["working_days"]
        )
        hearing.comments_until = None
    territory = list(Place.objects.filter(kato_code__in=entry["territory"]))
    services.create_hearing(acting_user=user, hearing=hearing, territory=territory)
    for title in entry.get("documents", []):
        services.add_document(
            acting_user=user, hearing=hearing, upload=demo_pdf(title), title_ru=title
        )
    return user, hearing


def _upcoming(entry):
    user, hearing = _draft(entry, _at(entry["days"]))
    # Materials were put up two days ago (still more than 30 days before the hearing).
    Hearing.objects.filter(pk=hearing.pk).update(
        materials_available_from=timezone.localdate() - datetime.timedelta(days=2)
    )
    hearing.refresh_from_db()
    hearing = services.announce_hearing(acting_user=user, hearing=hearing)
    moderator = _user("moderator@demo.ashyq.kz")
    question = services.submit_comment(
        hearing=hearing,
        text="Турбиналар ауыл шетіндегі жайылымға қаншалықты жақын болады?",
        author_name="Қайрат",
    )
    services.moderate(acting_user=moderator, item=question, approve=True)
    services.answer_comment(
        acting_user=user,
        comment=question,
        answer="Ең жақын турбина жайылымнан 900 м қашықтықта; карта материалдарда бар.",
        outcome=HearingComment.Outcome.EXPLAINED,
    )
    services.submit_comment(
        hearing=hearing,
        kind=HearingComment.Kind.COMMENT,
        text="Просим провести слушания вечером, после работы.",
    )
    report = services.report_learned_of(
        hearing=hearing,
        learned_on=timezone.localdate(),
        channel=LearnedOf.Channel.NOTICE_BOARD,
    )
    services.moderate(acting_user=moderator, item=report, approve=True)


def _discussion(entry):
    user, hearing = _draft(entry, _at(entry["days"], hour=9))
    services.announce_hearing(acting_user=user, hearing=hearing)


def _moved(entry):
    user, hearing = _draft(entry, _at(entry["days"]))
    hearing = services.announce_hearing(acting_user=user, hearing=hearing)
    venue_kk, venue_ru, venue_en = entry["moved_venue"]
    services.reschedule_hearing(
        acting_user=user,
        hearing=hearing,
        starts_at=_at(entry["moved_to"], hour=15),
        reason=entry["reason"],
        venue_kk=venue_kk,
        venue_ru=venue_ru,
        venue_en=venue_en,
    )


def _held(entry):
    """A hearing held `days_ago` days ago: residents' questions answered, a promise, the record."""
    user, hearing = _draft(entry, _at(40))
    hearing = services.announce_hearing(acting_user=user, hearing=hearing)
    start = _move_into_past(hearing, entry["days_ago"])
    moderator = _user("moderator@demo.ashyq.kz")
    _ask_and_answer(entry["questions"], hearing, start, user, moderator)
    services.add_promise(
        acting_user=user,
        hearing=hearing,
        organisation=hearing.initiator,
        text=entry["promise"],
        due_text="до конца 2027 года",
        language="ru",
    )
    services.publish_record(
        acting_user=user,
        hearing=hearing,
        protocol=demo_pdf("Protocol of the public hearing, Nura"),
        attendance=entry["attendance"],
        video_url="https://video.example.org/nura-hearing",
        record_summary_kk="73 адам қатысты; 3 сұрақ қойылды, барлығына жауап берілді.",
        record_summary_ru="Присутствовали 73 человека; задано 3 вопроса, на все даны ответы.",
        record_summary_en="73 people attended; 3 questions were asked and all were answered.",
        protocol_signed_on=timezone.localdate(),
    )
    published = start + datetime.timedelta(days=5)
    Hearing.objects.filter(pk=hearing.pk).update(
        held_at=start,
        record_published_at=published,
        protocol_signed_on=timezone.localdate(start) + datetime.timedelta(days=2),
    )
    hearing.changes.filter(action=HearingChange.Action.RECORD_PUBLISHED).update(at=published)
    for report_days, channel in ((30, LearnedOf.Channel.AKIMAT), (4, LearnedOf.Channel.NEIGHBOURS)):
        report = LearnedOf.objects.create(
            hearing=hearing,
            learned_on=timezone.localdate(start) - datetime.timedelta(days=report_days),
            channel=channel,
        )
        services.moderate(acting_user=moderator, item=report, approve=True)


def _failed_and_repeated(entry):
    """A hearing `days_ago` days ago that did not take place (too few people came), and its
    repeat announced `repeat_in` days ahead, with its own notice and clock."""
    user, hearing = _draft(entry, _at(40))
    hearing = services.announce_hearing(acting_user=user, hearing=hearing)
    _move_into_past(hearing, entry["days_ago"])
    hearing = services.record_failure(
        acting_user=user,
        hearing=hearing,
        kind=HearingFailure.Kind.NO_QUORUM,
        reason=entry["reason"],
    )
    repeat = services.prepare_repeat(acting_user=user, hearing=hearing)
    starts_at = _at(entry["repeat_in"], hour=18)
    Hearing.objects.filter(pk=repeat.pk).update(
        starts_at=starts_at,
        materials_available_from=timezone.localdate(),
        comments_until=timezone.localdate(starts_at) - datetime.timedelta(days=3),
        portal_number=_portal_number(entry["portal_sequence"] + 100),
        portal_url=PORTAL_LIST,
    )
    concerned.rebuild({repeat.pk})  # a raw update sends no signal: the place pages' rows follow
    repeat.refresh_from_db()
    services.announce_hearing(acting_user=user, hearing=repeat)


def _move_into_past(hearing, days_ago):
    """Announced 45 days before a hearing held `days_ago` days ago; returns the start."""
    start = _at(-days_ago)
    announced = start - datetime.timedelta(days=45)
    registered = timezone.localdate(announced) - datetime.timedelta(days=1)
    Hearing.objects.filter(pk=hearing.pk).update(
        starts_at=start,
        announced_at=announced,
        # Registered on the portal the day before, and published there that day.
        portal_number=_portal_number(int(hearing.portal_number[6:]), registered),
        portal_published_on=registered,
        materials_available_from=timezone.localdate(start) - datetime.timedelta(days=50),
        comments_until=timezone.localdate(start) - datetime.timedelta(days=3),
        created_at=announced - datetime.timedelta(days=2),
    )
    hearing.changes.filter(action=HearingChange.Action.CREATED).update(
        at=announced - datetime.timedelta(days=2)
    )
    hearing.changes.filter(action=HearingChange.Action.ANNOUNCED).update(
        at=announced, new_starts_at=start
    )
    concerned.rebuild({hearing.pk})  # a raw update sends no signal: the place pages' rows follow
    hearing.refresh_from_db()
    return start


def _ask_and_answer(questions, hearing, start, user, moderator):
    """Written comments (moderated, answered) and questions recorded at the meeting."""
    for text, answer, outcome, source in questions:
        if source == HearingComment.Source.WRITTEN:
            comment = HearingComment.objects.create(
                hearing=hearing, text=text, language=language_written(text), author_name="Гульнар"
            )
            HearingComment.objects.filter(pk=comment.pk).update(
                submitted_at=start - datetime.timedelta(days=10)
            )
            services.moderate(acting_user=moderator, item=comment, approve=True)
            services.answer_comment(
                acting_user=user, comment=comment, answer=answer, outcome=outcome
            )
        else:
            services.record_question_at_hearing(
                acting_user=user, hearing=hearing, text=text, answer=answer, outcome=outcome
            )
