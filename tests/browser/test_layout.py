"""Every page looked at as a person does: each public and account page, on a 360 px phone and a
1280 px screen in Kazakh and Russian, and on the phone in English: the wide layout is checked
with the two longer languages, English (the third) where text breaks first, at 360 px. A
full-page screenshot of each goes to build/screenshots/<lang>-<width>-<name>.png (CI keeps
them), and the page fails on layout
breakage a program can see: text boxes narrower than 8 characters, words broken inside,
sideways overflow, a deadlines table that does not fit its box, overlapping boxes, images
without a size (the rules are in layout_check.js); and the printed notice of a hearing must fit
one A4 page in Kazakh and Russian.

Data: the demo (seed_demo on its three districts of the KATO classifier) plus the few states it
lacks (a withdrawn contribution, a cancelled and a past hearing, items waiting for moderation),
made with factories.
Each test is one language at one width in one browser context; accounts are switched by swapping
a session cookie made on the server, so no test logs in through the form.
"""

import base64
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from disclosures.models import Disclosure, Question
from hearings.models import (
    DecisionNotice,
    Hearing,
    ParticipationForm,
)
from projects.models import LinkRequest, Organisation, Place
from tests.factories import (
    DisclosureFactory,
    HearingCommentFactory,
    HearingFactory,
    QuestionFactory,
    ResidentFeedbackFactory,
    SubscriptionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECK = (Path(__file__).resolve().parent / "layout_check.js").read_text()
SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"
LANGUAGES = ["kk", "ru", "en"]
WIDTHS = [360, 1280]
VIEWS = [
    (language, width)
    for language in LANGUAGES
    for width in WIDTHS
    if (language, width) != ("en", 1280)
]

# Pages that answer with an error on purpose; every other page must answer 200.
STATUS = {"error-404": 404, "error-400": 400, "contributions-bad-filter": 400}
# Result pages, reached by filling in the page's form: field, value.
SUBMIT = {"subscribe-sent": ("main input[type=email]", "resident@example.org")}
COMPANY = "taiynsha-may@demo.ashyq.kz"
AKIMAT = "zhanatas-akimat@demo.ashyq.kz"
VILLAGE_AKIMAT = "amandyk@demo.ashyq.kz"
MODERATOR = "moderator@demo.ashyq.kz"


def _demo_with_missing_states():
    """Add what the demo lacks; return the pages as (name, path, account) with `{lang}` in
    each path."""
    ilyichevka = Place.objects.get(kato_code="596036500")
    zhanatas = Place.objects.get(kato_code="316020100")
    company = Organisation.objects.get(slug="taiynsha-may")
    wind = Organisation.objects.get(slug="zhanatas-wind")
    akimat = Organisation.objects.get(slug="zhanatas-akimat")
    withdrawn = DisclosureFactory(
        withdrawn=True,
        organisation=company,
        settlements=[ilyichevka],
        title_kk="Ауылдық клубқа арналған музыкалық аспаптар",
        title_ru="Музыкальные инструменты для сельского клуба",
        title_en="Musical instruments for the village club",
    )
    cancelled = HearingFactory(
        cancelled=True,
        organiser=akimat,
        initiator=wind,
        territory=[zhanatas],
        title_kk="Жаңатас жел электр станциясының қосалқы станциясы",
        title_ru="Подстанция Жанатасской ветровой электростанции",
        title_en="Substation of the Zhanatas wind farm",
    )
    past = HearingFactory(
        past=True,
        organiser=akimat,
        initiator=wind,
        territory=[zhanatas],
        title_kk="Жаңатас жел электр станциясының шуын өлшеу",
        title_ru="Замеры шума Жанатасской ветровой электростанции",
        title_en="Noise measurements at the Zhanatas wind farm",
    )
    failed = Hearing.objects.get(status=Hearing.Status.FAILED)  # the demo's, at Ilyichevka
    # Items waiting for the moderators, so the queues show a row each.
    school = Disclosure.objects.get(title_en="Repair of the Ilyichevka school")
    ResidentFeedbackFactory(disclosure=school, comment="Терезелер жаңа, бірақ спорт залы ескі.")
    QuestionFactory(disclosure=school, text="Когда отремонтируют спортзал?")
    upcoming = Hearing.objects.filter(organiser=akimat, status=Hearing.Status.ANNOUNCED)
    upcoming = upcoming.exclude(pk=past.pk).order_by("starts_at")
    open_meeting = upcoming.filter(form=ParticipationForm.OPEN_MEETING).first()
    discussion = Hearing.objects.filter(form=ParticipationForm.PUBLIC_DISCUSSION).first()
    HearingCommentFactory(hearing=open_meeting, text="Турбиналар қанша шу шығарады?")
    record = Hearing.objects.get(status=Hearing.Status.RECORD_PUBLISHED)
    DecisionNotice.objects.create(
        hearing=record,
        authority="Қарағанды облысының табиғи ресурстар басқармасы",
        decided_on=timezone.localdate(record.starts_at),
        outcome=DecisionNotice.Outcome.CONDITIONS,
        reasons="Жолды суару және шуды өлшеу шартымен келісілді; тұрғындардың ескертулері "
        "хаттамада көрсетілгендей ескерілді.",
        language="kk",
    )
    subscription = SubscriptionFactory(place=zhanatas)
    question = Question.objects.filter(disclosure=school, answer__gt="").first()
    overdue = next(d for d in Disclosure.objects.in_force() if d.is_overdue())
    promise = Disclosure.objects.in_force().filter(status="promised").exclude(pk=overdue.pk)[0]
    unfinished = Disclosure.objects.filter(organisation=company, status="promised").first()
    nura_budget = Disclosure.objects.get(title_en__startswith="2024 contribution to the Sogety")
    houses = Disclosure.objects.get(title_en__startswith="12 houses")
    empty_village = Place.objects.get(kato_code="596036100")  # Amandyk: nothing recorded there
    # The company's request, still waiting, that it may withdraw.
    LinkRequest.objects.create(
        kind=LinkRequest.Kind.INVESTOR,
        requested_by=company,
        project=houses.project,
        organisation=wind,
    )

    def at(obj):
        return obj.get_absolute_url().replace(f"/{settings.LANGUAGE_CODE}/", "/{lang}/", 1)

    d, h = "/{lang}/disclosures", "/{lang}/hearings"
    public = [
        ("home", "/{lang}/"),
        ("place-search", "/{lang}/places/?q=Нұра"),
        ("place-search-none", "/{lang}/places/?q=Жоқауыл"),
        ("village-busy", at(ilyichevka)),
        ("village-empty", at(empty_village)),
        ("district", at(ilyichevka.parent.parent)),
        ("region", at(ilyichevka.parent.parent.parent)),
        ("contributions", d + "/"),
        ("contributions-filtered", d + "/?status=delivered&category=education"),
        ("contributions-bad-filter", d + "/?status=nonsense"),
        ("contribution-delivered", at(school)),
        ("contribution-photos", at(houses)),
        ("contribution-budget", at(nura_budget)),
        ("contribution-promise", at(promise)),
        ("contribution-overdue", at(overdue)),
        ("contribution-withdrawn", at(withdrawn)),
        ("revisions", d + f"/{school.pk}/changes/"),
        ("projects", "/{lang}/projects/"),
        ("project", at(houses.project)),
        ("company", at(company)),
        ("akimat", at(akimat)),
        ("hearings", h + "/"),
        ("hearing-upcoming", at(open_meeting)),
        ("hearing-discussion", at(discussion)),
        ("hearing-past", at(past)),
        ("hearing-record", at(record)),
        ("hearing-cancelled", at(cancelled)),
        ("hearing-failed", at(failed)),
        ("hearing-notice", h + f"/{open_meeting.pk}/notice/"),
        ("hearing-comment-form", h + f"/{open_meeting.pk}/comment/"),
        ("subscribe", h + f"/subscribe/?place={zhanatas.kato_code}"),
        ("subscribe-sent", h + f"/subscribe/?place={zhanatas.kato_code}"),
        ("subscribe-confirm", h + f"/subscribe/confirm/{subscription.token}/"),
        ("unsubscribe", h + f"/unsubscribe/{subscription.unsubscribe_token}/"),
        ("open-data", "/{lang}/open-data/"),
        ("legal-rules", "/{lang}/legal/"),
        ("error-404", "/{lang}/no-such-page/"),
        ("error-400", d + "/?" + "&".join(f"f{n}=1" for n in range(1200))),
        ("login", "/{lang}/accounts/login/"),
        ("password-reset", "/{lang}/accounts/password_reset/"),
        ("password-reset-done", "/{lang}/accounts/password_reset/done/"),
        ("password-reset-bad-link", "/{lang}/accounts/reset/MQ/set-password-x/"),
    ]
    company_pages = [
        ("company-dashboard", "/{lang}/dashboard/"),
        ("company-disclosures", d + "/dashboard/"),
        ("disclosure-create", d + "/new/"),
        ("disclosure-correct", d + f"/{school.pk}/edit/"),
        ("disclosure-withdraw", d + f"/{school.pk}/withdraw/"),
        ("disclosure-status", d + f"/{unfinished.pk}/status/?step=delivered"),
        ("disclosure-photo", d + f"/{school.pk}/photos/new/"),
        ("disclosure-answer", d + f"/questions/{question.pk}/answer/"),
        ("disclosure-import", d + "/import/"),
        ("project-create", "/{lang}/projects/new/"),
        ("project-edit", "/{lang}/projects/" + houses.project.slug + "/edit/"),
        ("api-keys", f"/{{lang}}/organisations/{company.slug}/api-keys/"),
        ("members", f"/{{lang}}/organisations/{company.slug}/members/"),
        ("link-requests", "/{lang}/link-requests/"),
        ("password-change", "/{lang}/accounts/password_change/"),
    ]
    akimat_pages = [
        ("akimat-dashboard", "/{lang}/dashboard/"),
        ("akimat-hearings", h + "/manage/"),
        ("hearing-create", h + "/new/"),
        ("hearing-edit", h + f"/{open_meeting.pk}/edit/"),
        ("hearing-reschedule", h + f"/{open_meeting.pk}/reschedule/"),
        ("hearing-cancel", h + f"/{open_meeting.pk}/cancel/"),
        ("hearing-protocol", h + f"/{past.pk}/record/"),
        ("hearing-failed-form", h + f"/{past.pk}/failed/"),
        ("hearing-decision-form", h + f"/{past.pk}/decision/"),
        ("hearing-registrations", h + f"/{open_meeting.pk}/registrations/"),
    ]
    village_akimat_pages = [("disclosure-confirm", d + f"/{school.pk}/confirm/")]
    moderator_pages = [
        ("moderation-contributions", d + "/moderation/"),
        ("moderation-hearings", h + "/moderation/"),
    ]
    return (
        [(name, path, None) for name, path in public]
        + [(name, path, COMPANY) for name, path in company_pages]
        + [(name, path, AKIMAT) for name, path in akimat_pages]
        + [(name, path, VILLAGE_AKIMAT) for name, path in village_akimat_pages]
        + [(name, path, MODERATOR) for name, path in moderator_pages]
    )


@pytest.fixture(scope="module")
def site(live_server, demo_database, django_db_blocker):
    """The demo on the live server (a copy of the run's demo database, dropped after the
    module: tests/conftest.py's `demo_database`) with the states it lacks, made once per test
    process for the five tests, and the session cookies of the accounts."""
    with django_db_blocker.unblock():
        live_server._live_server_modified_settings.enable()
        try:
            pages = _demo_with_missing_states()
            accounts = {account for _name, _path, account in pages if account}
            cookies = {account: _session_cookie(account, live_server.url) for account in accounts}
            yield live_server.url, pages, cookies
        finally:
            live_server._live_server_modified_settings.disable()


@pytest.fixture(autouse=True)
def _live_server_helper():
    """pytest-django's helper of this name makes every test that uses the live server
    transactional, flushing the database after each: here the demo is loaded once per module
    instead (see `site`), so the helper is replaced by this no-op."""


def _session_cookie(email, url):
    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": url}


def _full_page_png(devtools, path):
    """A full-page screenshot, as Playwright's `full_page=True` takes it (the whole document
    beyond the viewport), with Chromium's PNG encoder set for speed: a quarter larger a file,
    made in about half the time (the encoding was half of this suite's time)."""
    size = devtools.send("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = devtools.send(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True, "clip": clip},
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def _printed_pages(page, path):
    """The page printed to A4 by Chromium (its print style sheet): how many pages."""
    pdf = page.pdf(path=str(path), format="A4")
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize(("language", "width"), VIEWS)
def test_every_page_lays_out(browser, site, language, width):
    """No page, signed in or not, shows layout breakage in this language at this width."""
    base_url, site_pages, cookies = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=language)
    page = context.new_page()
    page.set_default_timeout(15000)
    devtools = context.new_cdp_session(page)
    signed_in_as = None
    failures = []
    try:
        for name, path, account in site_pages:
            if account != signed_in_as:
                context.clear_cookies()
                if account:
                    context.add_cookies([cookies[account]])
                signed_in_as = account
            where = f"{name} [{language}, {width} px] {path.format(lang=language)[:80]}"
            response = page.goto(base_url + path.format(lang=language), wait_until="load")
            if name in SUBMIT:
                # A result page: the form above, filled in and sent.
                page.locator(SUBMIT[name][0]).fill(SUBMIT[name][1])
                with page.expect_navigation(wait_until="load") as navigation:
                    page.locator("main form button[type=submit]").click()
                response = navigation.value
            expected = STATUS.get(name, 200)
            if response.status != expected:
                failures.append(f"{where}: HTTP {response.status}, expected {expected}")
                continue
            # The check loads the lazy images first, so the screenshot shows them.
            problems = page.evaluate(CHECK, None)
            shot = SCREENSHOTS / f"{language}-{width}-{name}.png"
            _full_page_png(devtools, shot)
            if name == "hearing-notice" and language != "en" and width == WIDTHS[-1]:
                pages = _printed_pages(page, SCREENSHOTS / f"{language}-{name}.pdf")
                if pages != 1:
                    failures.append(f"{where}: prints on {pages} A4 pages, not one")
            for problem in problems:
                failures.append(
                    f"{where}: {problem['check']}: {problem['element']}"
                    f" «{problem['text']}»: {problem['detail']}"
                )
    finally:
        context.close()
    if failures:
        pytest.fail(f"{len(failures)} layout problems:\n" + "\n".join(failures), pytrace=False)


DOT = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"  # 1×1 GIF
CAUGHT = """<!doctype html><html lang="kk"><head><style>
  body { margin: 0; font: 16px/1.5 sans-serif; overflow-wrap: anywhere; }
  .squeezed { display: grid; grid-template-columns: max-content 1fr; width: 20rem; }
  .wide { width: 900px; }
  .pulled { margin-top: -30px; }
</style></head><body>
  <dl class="squeezed"><dt>Мерзімі өткен уәделер туралы</dt><dd>жарықтандырылмаған көшелер</dd></dl>
  <div class="wide">sideways</div>
  <div style="overflow-x: auto"><table class="deadlines" style="width: 900px"><tr><td>Мәртебе</td>
    </tr></table></div>
  <p>first paragraph</p><p class="pulled">second paragraph</p>
  <img src="DOT" alt="dot">
  <p class="unmarked">Новая крыша сельской школы</p>
  <section><p class="unnoted" lang="ru">Новая крыша сельской школы</p></section>
</body></html>""".replace("DOT", DOT)

CLEAN = """<!doctype html><html lang="kk"><head><style>
  body { margin: 0; font: 16px/1.5 sans-serif; overflow-wrap: break-word; }
  .table-scroll { overflow-x: auto; position: relative; }
  .hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style></head><body>
  <p><span class="status">КАТО</span> 596036500 · <a href="#">Тайынша-Май</a></p>
  <div class="table-scroll"><table style="width: 900px"><tr><th>Атауы</th>
    <th><span class="hidden">Әрекеттер</span></th></tr></table></div>
  <p>https://ashyq-auyl.example.kz/kk/hearings/13/notice/?with=a-very-long-query-string</p>
  <img src="DOT" width="1" height="1" alt="dot">
  <section><p lang="ru">Новая крыша сельской школы</p><p>Дереккөзі: CSV, JSON, KZT</p>
    <p class="written-in">Орысша жазылған</p></section>
</body></html>""".replace("DOT", DOT)


def test_the_check_catches_each_kind_of_breakage(browser):
    """The page check itself: a page with each breakage reports each, and a page with the
    allowed cases (a short badge, a wide table in a scroll wrapper, a visually hidden label in
    it, a URL breaking in a wide box, a sized image, Russian text marked and noted, codes in
    capitals) reports nothing."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_content(CAUGHT)
    found = {
        (problem["check"], problem["element"].split(" > ")[-1])
        for problem in page.evaluate(CHECK, None)
    }
    assert ("narrow", "dd") in found
    assert ("broken-word", "dd") in found
    assert ("overflow", "div.wide") in found
    assert ("overflow", "html") in found
    assert ("overlap", "p") in found
    assert ("image", "img") in found
    assert ("clipped", "table.deadlines") in found
    assert ("language", "p.unmarked") in found  # Russian on a Kazakh page without lang
    assert ("language", "p.unnoted") in found  # lang="ru" without a "written in" note
    page.set_content(CLEAN)
    assert page.evaluate(CHECK, None) == []
    context.close()
