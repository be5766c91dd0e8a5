"""The pages that gather every app: home, places, organisations, projects, the dashboard, open
data, media, health and errors."""

import functools
import logging
import mimetypes
import sys
from html import escape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.sitemaps import views as sitemap_views
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, OuterRef, Q, Window
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.formats import localize
from django.utils.http import http_date
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe
from django_sendfile import sendfile

from core import opendata, readiness
from core.api import api_error
from core.caching import SITE, cached, public_page
from core.cards import fill
from core.maps import map_data, point
from core.metadata import absolute, path_template
from core.models import Compiled, Slot, kept_queryset, prepared
from core.ratelimit import allow
from core.translation import page_language, translated_columns, translated_place_name
from core.validators import is_kato_code
from disclosures.feeds import place_feed_urls
from disclosures.models import Disclosure, PlaceFigures, published_cards
from hearings.feeds import place_hearing_urls
from hearings.models import Hearing
from portal import downloads, media
from portal.metadata import dataset_data
from projects import metadata
from projects.forms import PlaceSearchForm
from projects.models import (
    LinkRequest,
    Membership,
    Organisation,
    Place,
    Project,
    ProjectChange,
    place_links,
)
from projects.views import (
    CHANGES_SHOWN,
    PAGE_SIZE,
    organisation_page_scopes,
    project_page_scopes,
)

logger = logging.getLogger(__name__)

RECENT_PLACES_COOKIE = "recent_places"


RECENT_PLACES_KEPT = 5


def recent_place_codes(request):
    """KATO codes of the places this browser looked at last (a cookie; no account needed)."""
    codes = request.COOKIES.get(RECENT_PLACES_COOKIE, "").split(".")
    return [code for code in codes if is_kato_code(code)][:RECENT_PLACES_KEPT]


def remember_place(request, response, slug):
    """Put the place (its KATO code ends its slug) first in the recent-places cookie."""
    code = slug.rsplit("-", 1)[-1]
    if not is_kato_code(code):
        return
    codes = [code, *(c for c in recent_place_codes(request) if c != code)]
    value = ".".join(codes[:RECENT_PLACES_KEPT])
    if request.COOKIES.get(RECENT_PLACES_COOKIE) == value:
        return  # already first: no Set-Cookie on every visit to the same village
    response.set_cookie(
        RECENT_PLACES_COOKIE,
        value,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )


@public_page(cookies=[RECENT_PLACES_COOKIE])
def home(request):
    """The front page, open to everyone: village search, upcoming hearings near the places this
    browser looked at (or everywhere), and recently published contributions."""
    recent = list(Place.objects.filter(kato_code__in=recent_place_codes(request)).order_by_name())
    hearings = Hearing.objects.published().forthcoming()
    if recent:
        near = Hearing.objects.none()
        for place in recent:
            near = near | Hearing.objects.concerning(place)
        hearings = hearings.filter(pk__in=near.values("pk"))
    context = {
        "search_form": PlaceSearchForm(),
        "recent_places": recent,
        "upcoming_hearings": hearings.for_cards()[:5],
        "recent_disclosures": Disclosure.objects.published().for_cards()[:6],
    }
    return render(request, "portal/home.html", context)


@require_safe
@public_page
def place_search(request):
    """Village search by any name, spelling or KATO code; open to everyone."""
    form = PlaceSearchForm(request.GET or None)
    page = None
    if form.is_valid():
        # The key and path of every match and whether a published hearing concerns it (one
        # query); whole rows, with their ancestors, for one page only (one more).
        columns = ("pk", "path", _concern())
        query = form.cleaned_data["q"]
        matches = list(Place.objects.search(query, forgive=False).values_list(*columns))
        if not matches:  # nothing as typed: a name one typo away
            matches = list(Place.objects.search(query).values_list(*columns))
        # Contributions counted once for every match (kept figures, one query): for the
        # ranking and the page's own places.
        contributions = PlaceFigures.objects.in_force_counts([pk for pk, *_ in matches])
        ranked = _rank_by_activity(matches, contributions)
        page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
        places = Place.objects.by_path(page.object_list)
        hearings = Hearing.objects.counts_concerning([place.pk for place in places])
        url = path_template("portal:place_detail", "slug")
        labels = {"language": page_language(), "kinds": {}}
        for place in places:
            place.url = url.format(place.slug)
            place.contribution_count = contributions.get(place.pk, 0)
            place.upcoming_hearings, place.past_hearings = hearings.get(place.pk, (0, 0))
            place.activity = _activity(
                place.contribution_count, place.upcoming_hearings, place.past_hearings
            )
            place.result = _search_result(place, labels)
        page.object_list = places
    return render(request, "portal/place_search.html", {"form": form, "page": page})


@functools.cache
def _concern():
    """`Hearing.objects.concern` of each place, compiled once (`core.models.Compiled`): building
    and compiling it was a third of the matches' query in Python (0.7 of 1.9 ms)."""
    return Compiled(Place, Hearing.objects.concern(OuterRef("pk")))


SUGGESTIONS = 10


SUGGEST_PER_MINUTE = 120  # per browser: a fast typist with a debounce sends about one a second


LABELLED_AT_MOST = 50


@require_safe
def place_suggest(request):
    """Places by name or code for the place picker of company and akimat forms, as JSON; open to
    everyone like the place search it reuses, rate-limited per browser and address.

    `?q=нұра` (optionally `&level=settlement`) suggests up to SUGGESTIONS places; `?codes=…`
    labels the codes a field already holds. Bad input is a 400 with a message, never a 500.
    """
    if not allow(request, "place-suggest", limit=SUGGEST_PER_MINUTE, period=60):
        response = JsonResponse({"error": _("Too many searches: wait a minute.")}, status=429)
        response["Retry-After"] = "60"
        return response
    level = request.GET.get("level", "")
    if level not in ("", Place.Level.SETTLEMENT):
        return JsonResponse({"error": _("Unknown level.")}, status=400)
    if "codes" in request.GET:
        codes = request.GET["codes"].replace(",", " ").split()
        if len(codes) > LABELLED_AT_MOST or not all(is_kato_code(code) for code in codes):
            return JsonResponse({"error": _("Give up to 50 nine-digit KATO codes.")}, status=400)
        places = list(Place.objects.filter(kato_code__in=codes).order_by("kato_code"))
    else:
        form = PlaceSearchForm(request.GET)
        if not form.is_valid():
            return JsonResponse(
                {"error": _("Type at least two letters of the name, or a 9-digit KATO code.")},
                status=400,
            )
        results = Place.objects.search(form.cleaned_data["q"])
        if level:
            results = results.settlements()
        places = list(results[:SUGGESTIONS])
    Place.objects.attach_ancestors(places)
    response = JsonResponse(
        {
            "results": [
                {
                    "code": place.kato_code,
                    "name": str(place.name),
                    "label": place.picker_label(),
                    "level": place.level,
                }
                for place in places
            ]
        }
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def _activity(contributions, upcoming, past):
    """A search result's line of what is recorded there ("3 вклада · 1 прошедшее слушание"), or
    "" when nothing is: written here rather than with three `blocktranslate` tags per result,
    about a fifth of a search page's rendering (docs/performance.md)."""
    counted = (
        (
            contributions,
            ngettext("%(counter)s contribution", "%(counter)s contributions", contributions),
        ),
        (
            upcoming,
            ngettext("%(counter)s upcoming hearing", "%(counter)s upcoming hearings", upcoming),
        ),
        (past, ngettext("%(counter)s past hearing", "%(counter)s past hearings", past)),
    )
    return " · ".join(text % {"counter": localize(n)} for n, text in counted if n)


# A result of the place search (templates/portal/place_search.html), filled in by
# `core.cards.fill`: the template engine placing a result's values, its ancestors' names and
# two translations cost about 0.1 ms a result, a fifth of a search page's CPU.
SEARCH_RESULT = """<li>
        <a href="{url}"><strong>{name}</strong></a>
        <span class="kind">{kind}</span>
        <br><small>{line}</small>
        {activity}
      </li>"""


def _search_result(place, labels):
    """A search result's `<li>`: the place's name and kind, the places above it, its KATO code
    and its `activity` (or that nothing is recorded). `labels`: the page's `language` and the
    kinds' labels, looked up once a page."""
    language = labels["language"]
    kind = (place.kind, place.level)
    if kind not in labels["kinds"]:
        labels["kinds"][kind] = str(place.get_kind_display() or place.get_level_display())
    above = [translated_place_name(a, "name", language) for a in place.ancestor_list]
    code = _("KATO %(code)s") % {"code": escape(place.kato_code)}
    if place.activity:
        activity = fill(
            '\n        <span class="activity">{text}</span>\n        ', text=place.activity
        )
    else:
        activity = fill('<span class="activity none">{text}</span>', text=_("Nothing recorded yet"))
    return fill(
        SEARCH_RESULT,
        url=place.url,
        name=translated_place_name(place, "name", language),
        kind=labels["kinds"][kind],
        line=fill("{above}{code}", above=" · ".join([*above, ""]), code=SafeString(code)),
        activity=activity,
    )


def _rank_by_activity(matches, with_contributions):
    """The paths of the search's matches in its order (`matches`: (pk, path, pk again when a
    published hearing concerns it)), but places with contributions (`with_contributions`, by
    pk) or hearings first: among 17 places called Нұра, the ones with something to show lead."""
    first, rest = [], []
    for pk, path, concerned in matches:
        (first if concerned is not None or pk in with_contributions else rest).append(path)
    return first + rest


# Every list on a page is bounded: a village with 20,000 contributions costs what one with 20
# does; each list links to its full, paginated version. 20 cards, as on the list pages: enough
# for a phone on a slow network, and the cards are most of a place page's rendering cost.
CONTRIBUTIONS_SHOWN = 20


PROJECTS_SHOWN = 20


VILLAGES_PER_PAGE = 50


HEARINGS_SHOWN = 5


# The place page's queries, each built and compiled once (`core.models.prepared`): building
# and compiling them was about 5 ms of a village page's CPU, running them 0.65 ms.


@prepared
def _line():
    return Place.objects.line(Slot("slug"))


@prepared
def _akimats():
    columns = ("slug", *translated_columns("name"))
    return Organisation.objects.covering(Slot("path")).only(*columns)


@prepared
def _upcoming_hearings():
    where = (Slot("place"), Slot("now"), Slot("today"))
    return Hearing.objects.forthcoming_for(*where).for_cards()[:HEARINGS_SHOWN]


@prepared
def _past_hearings():
    where = (Slot("place"), Slot("now"), Slot("today"))
    return Hearing.objects.past_for(*where).for_cards()[:HEARINGS_SHOWN]


@prepared
def _newest_contributions():
    return published_cards(photos=True).newest_for(Slot("place"), CONTRIBUTIONS_SHOWN)


@prepared
def _contributions_timeline():
    listed = published_cards(photos=True).listed_in(Slot("place"))
    return listed.order_by_key_date()[:CONTRIBUTIONS_SHOWN]


@prepared
def _area_project_keys():
    """{pk, total}: an area's first projects by name, and how many there are (a window)."""
    by_name = Project.objects.affecting(Slot("path")).order_by_name()
    return by_name.annotate(total=Window(Count("pk"))).values("pk", "total")[:PROJECTS_SHOWN]


@prepared
def _children_columns():
    return Place.objects.filter(parent=Slot("parent")).order_by_name().link_columns()


@prepared
def _village_project_cards():
    """One more than shown: counted only when there are more."""
    return _project_cards_by_name().affecting(Slot("path"))[: PROJECTS_SHOWN + 1]


def _place_page_scopes(request, slug):
    """The page's scopes, from its place, read here once for the page too with the places above
    it (`request.place_line`, `Place.objects.line`)."""
    request.place_line = _line(slug=slug)
    return request.place_line[-1].page_scopes() if request.place_line else [SITE]


@public_page(scopes=_place_page_scopes, finish=remember_place)
def place_detail(request, slug):
    """Everything that happened in a place; open to everyone.

    Under the name, the answer in one line (delivered, in progress, overdue, the next hearing),
    then every contribution grouped by category (or as a timeline), the headline figures, the
    hearings (above the contributions while one takes comments), projects and akimats; a rural
    district, district or region also lists its villages with their figures.
    """
    # Read with the page's scopes; a signed-in visitor's page, never kept, is asked no scopes.
    line = request.place_line if hasattr(request, "place_line") else _line(slug=slug)
    if not line:
        raise Http404
    *ancestors, place = line
    timeline = request.GET.get("view") == "timeline"
    projects, projects_total = _place_projects(place)
    now = timezone.now()
    when = {"place": place.pk, "now": now, "today": timezone.localdate(now)}
    upcoming_hearings = _upcoming_hearings(**when)
    past_hearings = _past_hearings(**when)
    context = {
        "place": place,
        "place_label": metadata.place_label(place, ancestors),
        "structured_data": metadata.place_data(place, ancestors),
        "projects_total": projects_total,
        "ancestors": ancestors,
        "projects": projects,
        "akimats": _akimats(path=place.path),
        "summary": PlaceFigures.objects.summary(place),
        "feed_urls": place_feed_urls(place),
        "hearing_urls": place_hearing_urls(place),
        "contributions": _place_contributions(place, timeline),
        "timeline": timeline,
        "upcoming_hearings": upcoming_hearings,
        "next_hearing": next((h for h in upcoming_hearings if not h.is_cancelled()), None),
        # Hearings wait under the contributions unless one takes comments now (a public
        # discussion under way is among the past ones: it started).
        "comments_open": any(h.comments_open() for h in [*upcoming_hearings, *past_hearings]),
        "past_hearings": past_hearings,
    }
    points = [point(place, "place", ancestors)]
    if place.level == Place.Level.SETTLEMENT:
        context["children"] = _children(place)
    else:
        villages_page, context["children"] = _villages_page(request, place)
        context["villages"] = villages_page.object_list
        context["villages_page"] = villages_page
        points += _village_points(villages_page.object_list)
    # Projects are drawn only where their settlement has a point of its own: a district's
    # interior point would put a refinery in the middle of the steppe.
    url = path_template("portal:project_detail", "slug")
    points += [
        point(p.primary_settlement, "project", ancestors=[], url=url.format(p.slug), label=p.name)
        for p in projects
    ]
    context["map"] = map_data(points)
    return render(request, "portal/place_detail.html", context)


def _place_projects(place):
    """(up to PROJECTS_SHOWN projects affecting `place`, by name; how many affect it), in one
    query.

    A village's few projects are read as cards at once, one more than shown; they are counted
    only when there are more (two subqueries fewer to build and compile: 6.3 → 4.0 ms of CPU).
    An area's page chooses its few, with the count of all, from the projects' own rows (one
    pass over the projects of its settlements, counted by a window), then reads them as cards:
    sorting every project of West Kazakhstan (2,470) joined to its operator and settlement,
    with a window count over them, took 200 ms; choosing them and counting them in two
    subqueries found the projects under the area twice (3.7 → 1.7 ms of SQL in Karagandy).
    """
    if place.level == Place.Level.SETTLEMENT:
        projects = _village_project_cards(path=place.path)
        if len(projects) <= PROJECTS_SHOWN:
            return projects, len(projects)
        return projects[:PROJECTS_SHOWN], Project.objects.affecting(place.path).count()
    first = _area_project_keys(path=place.path)
    projects = list(_project_cards_by_name().filter(pk__in=[row["pk"] for row in first]))
    return projects, first[0]["total"] if first else 0


def _children(settlement):
    """The places directly under `settlement`, by name, as links; no query under a village with
    nothing under it (`has_children`, read with it), as under most villages. An area's are read
    with its villages (`_villages_page`)."""
    if not settlement.has_children:
        return []
    return place_links(_children_columns(parent=settlement.pk))


@kept_queryset
def _project_cards_by_name():
    """Project cards by name (filtered by a copy)."""
    return Project.objects.for_cards().order_by_name()


def _place_contributions(place, timeline):
    """The newest contributions of `place` (as cards), grouped by category (or in key-date
    order for the timeline).

    The newest first, from the place's own rows in publication order (grouping thousands by
    category before the LIMIT cost 0.4 s in a busy district); the page groups these by
    category. Withdrawn ones stay listed, greyed with their reason; the figures leave them out.
    """
    if timeline:
        return _contributions_timeline(place=place.pk)
    return sorted(_newest_contributions(place=place.pk), key=lambda d: d.category)


# A row of the table of villages (templates/portal/place_detail.html), filled in with the
# village's figures by `core.cards.fill`: the template engine placing six values cost 0.1 ms a
# row, `format_html` a third of the table's Python.
VILLAGE_ROW = (
    '<tr><th scope="row"><a href="{url}">{name}</a></th><td>{delivered}</td>'
    "<td>{in_progress}</td><td>{promised}</td><td>{overdue}</td></tr>"
)


def _villages_page(request, place):
    """(one page of the villages under the area `place`, busiest first; the places directly
    under it, by name, as links). Each village its `pk`, `name`, `url`, `figures`
    (`PlaceFigures.objects.by_settlement`), `latitude`, `longitude` and its table `row`.

    A page at a time: a region has hundreds of villages with contributions. Rows, not model
    instances, of the page's villages only.
    """
    figures = PlaceFigures.objects.by_settlement(place)
    villages_page = Paginator(list(figures), VILLAGES_PER_PAGE).get_page(request.GET.get("page"))
    shown, children = _villages_and_children(place, villages_page.object_list)
    villages = []
    for pk in villages_page.object_list:
        if pk not in shown:
            continue  # deleted since the figures were read
        row, link = shown[pk]
        villages.append(
            SimpleNamespace(
                pk=pk,
                name=link.name,
                url=link.url,
                figures=figures[pk],
                latitude=row.latitude,
                longitude=row.longitude,
                row=fill(VILLAGE_ROW, url=link.url, name=link.name, **figures[pk]),
            )
        )
    villages_page.object_list = villages
    return villages_page, children


def _villages_and_children(area, village_ids):
    """({pk: (row, link)} of the villages `village_ids` and of the places directly under
    `area`; the links of the latter, by name), in one query: the children in a query of their
    own cost 0.9 ms of CPU on a region's page."""
    rows = (
        Place.objects.filter(Q(pk__in=village_ids) | Q(parent=area))
        .order_by_name()
        .link_rows("pk", "parent_id", "latitude", "longitude")
    )
    shown, children = {}, []
    for row, link in rows:
        shown[row.pk] = (row, link)
        if row.parent_id == area.pk:
            children.append(link)
    return shown, children


def _village_points(villages):
    """The map's points of the `villages` (of `_villages_page`) that have a point of their own
    (a village's ancestors' point would say nothing)."""
    return [
        point(Place(latitude=v.latitude, longitude=v.longitude), "place", [], v.url, v.name)
        for v in villages
        if v.latitude is not None and v.longitude is not None
    ]


@public_page(scopes=project_page_scopes)
def project_detail(request, slug):
    """One project with its companies and the settlements it affects; open to everyone."""
    project = get_object_or_404(Project.objects.with_related(), slug=slug)
    settlements = list(project.settlements.order_by_name())
    Place.objects.attach_ancestors(settlements)
    can_edit = project.is_editable_by(request.user)
    listed = Disclosure.objects.published().filter(project=project)
    history = list(project.history.latest_first()[: CHANGES_SHOWN + 1])
    context = {
        "project": project,
        "settlements": settlements,
        "can_edit": can_edit,
        "history": ProjectChange.attach_records(history[:CHANGES_SHOWN]),
        "history_cut": len(history) > CHANGES_SHOWN,
        "summary": cached(
            f"project-figures:{project.pk}", listed.summary, [f"project:{project.pk}"]
        ),
        "contributions": listed.for_cards(photos=True)[:CONTRIBUTIONS_SHOWN],
        "hearings": Hearing.objects.published()
        .filter(project=project)
        .for_cards()
        .order_by("-starts_at")[:10],
    }
    return render(request, "portal/project_detail.html", context)


@public_page(scopes=organisation_page_scopes)
def organisation_detail(request, slug):
    """A company, a state body or an akimat: its projects, everything it disclosed everywhere
    (promises kept and overdue), the hearings it initiated or, for an akimat, organises; open to
    everyone."""
    organisation = get_object_or_404(Organisation.objects.select_related("place"), slug=slug)
    projects = Project.objects.with_related().order_by_name()
    if organisation.is_akimat:
        projects = projects.affecting(organisation.place.path)
        hearings = Hearing.objects.published().filter(organiser=organisation)
    else:  # a company or a state body: what it operates or invests in, what it initiated
        projects = projects.of_organisations([organisation])
        hearings = Hearing.objects.published().filter(initiator=organisation)
    in_force = Disclosure.objects.in_force().filter(organisation=organisation)
    listed = Disclosure.objects.published().filter(organisation=organisation)
    context = {
        "organisation": organisation,
        "projects": projects[:PROJECTS_SHOWN],
        "summary": cached(
            f"organisation-figures:{organisation.pk}",
            listed.summary,
            [f"organisation:{organisation.pk}"],
        ),
        "contributions": listed.for_cards(photos=True)[:CONTRIBUTIONS_SHOWN],
        "overdue": in_force.overdue()
        .for_cards(photos=True)
        .order_by("due_date", "pk")[:CONTRIBUTIONS_SHOWN],
        "overdue_shown": CONTRIBUTIONS_SHOWN,
        "overdue_url": reverse("disclosures:list")
        + f"?organisation={organisation.slug}&status=overdue",
        "disclosures_url": reverse("disclosures:list") + f"?organisation={organisation.slug}",
        "hearings": hearings.for_cards().order_by("-starts_at")[:10],
    }
    return render(request, "portal/organisation_detail.html", context)


@login_required
def dashboard(request):
    """A signed-in person's organisations and what they can work on."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation", "organisation__place")
        .order_by("organisation__pk")
    )
    projects = Project.objects.editable_by(request.user).with_related().order_by_name()
    links_waiting = LinkRequest.objects.answerable_by(request.user).pending().count()
    return render(
        request,
        "portal/dashboard.html",
        {"memberships": memberships, "projects": projects[:50], "links_waiting": links_waiting},
    )


@public_page
def open_data(request):
    """Everyone: how to reuse the data (licence, API, feeds, sitemap) and where it comes from."""
    return render(
        request,
        "portal/open_data.html",
        {
            "licence_url": opendata.LICENCE_URL,
            "geonames_url": opendata.GEONAMES_URL,
            "structured_data": dataset_data(),
        },
    )


def _files_built_at(request):
    manifest = downloads.read_manifest()
    return downloads.generated_at(manifest) if manifest else None


@require_safe
@condition(last_modified_func=_files_built_at)
def data_page(request):
    """Everyone: the bulk downloads, each file with its size, rows and when it was built.

    Not cached as a public page: the files are rebuilt by the worker without a content change,
    and reading the manifest is one small file.
    """
    manifest = downloads.read_manifest()
    withheld = manifest is not None and downloads.is_withheld(manifest)
    if withheld:
        manifest = None
    resources, extras = {}, {}
    for entry in manifest["files"] if manifest else ():
        entry = {
            **entry,
            "url": reverse("data_file", kwargs={"name": entry["name"]}),
            "download_name": downloads.download_name(entry, manifest),
        }
        if "resource" in entry:
            resources.setdefault(entry["resource"], []).append(entry)
        else:
            extras[entry["name"]] = entry
    return render(
        request,
        "portal/data.html",
        {
            "manifest": manifest,
            "withheld": withheld,
            "generated_at": downloads.generated_at(manifest) if manifest else None,
            "content_changed_at": downloads.content_changed_at(manifest) if manifest else None,
            "resources": [
                {"name": name, "rows": files[0]["rows"], "files": files}
                for name, files in resources.items()
            ],
            "datapackage": extras.get(downloads.DATAPACKAGE),
            "readme": extras.get(downloads.README),
            "licence_url": opendata.LICENCE_URL,
            "geonames_url": opendata.GEONAMES_URL,
            "kato_url": opendata.KATO_URL,
        },
    )


@require_safe
def data_redirect(request):
    """/data/ without a language: the page in the visitor's language."""
    return redirect("portal:data")


TEXT_TYPES = {"text/csv", "text/plain", "application/json"}


@require_safe
def data_file(request, name):
    """One file of the last build, at a stable address: ETag and Last-Modified from the build,
    a dated file name, and open to scripts on other sites (CORS). Revalidated at every use
    (`no-cache`), so that a takedown reaches readers as soon as the files are withheld: then
    503, until the worker has rebuilt them."""
    manifest = downloads.read_manifest()
    entry = next((f for f in manifest["files"] if f["name"] == name), None) if manifest else None
    if entry is None:
        raise Http404
    if downloads.is_withheld(manifest):
        response = HttpResponse(
            _("The files are being rebuilt after a record was removed. Try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        response["Cache-Control"] = "no-store"
        return response
    etag = f'"{entry["sha256"][:32]}"'
    modified = downloads.generated_at(manifest).timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = FileResponse(default_storage.open(entry["path"], "rb"))
        response["Content-Length"] = str(entry["bytes"])
    charset = "; charset=utf-8" if entry["mediatype"] in TEXT_TYPES else ""
    response["Content-Type"] = entry["mediatype"] + charset
    disposition = "inline" if name == downloads.DATAPACKAGE else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{downloads.download_name(entry, manifest)}"'
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["Link"] = opendata.licence_link()
    return response


def sitemap_index(request, sitemaps):
    """Django's sitemap index, with each section's address on SITE_URL (Django's index takes
    the host name from the request)."""
    response = sitemap_views.index(request, sitemaps)
    for item in response.context_data["sitemaps"]:
        parts = urlsplit(item.location)
        item.location = absolute(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response


@require_safe
def robots_txt(request):
    """Crawlers may read every public page; accounts and company pages are not for them."""
    lines = ["User-agent: *", "Disallow: /admin/"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/accounts/", f"Disallow: /{code}/dashboard/"]
    lines.append(f"Sitemap: {absolute(reverse('sitemap-index'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Uploaded files are served as inert data: never sniffed into HTML or script, never framed, and
# anything other than an image or a PDF is downloaded rather than shown. The web server sends the
# bytes (X-Accel-Redirect through django-sendfile2 in production; streamed by Django otherwise)
# once the record's visibility allows it (portal/media.py).
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


PUBLIC_MEDIA_MAX_AGE = 60 * 60


@require_safe
def media_file(request, path):
    """An uploaded file, for whoever may see the record it belongs to; 404 for anyone else."""
    seen_as = media.visibility(request.user, path)
    if seen_as is None:
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    if not _storage_is_local():
        return _signed_redirect(path, seen_as, content_type, inline)
    response = sendfile(
        request,
        Path(settings.SENDFILE_ROOT) / path,
        attachment=not inline,
        attachment_filename=Path(path).name,
        mimetype=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if seen_as == media.PUBLIC:
        # Short: a file hidden later must not linger long in shared caches.
        response["Cache-Control"] = f"public, max-age={PUBLIC_MEDIA_MAX_AGE}"
    else:
        response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


def _storage_is_local():
    return isinstance(default_storage, FileSystemStorage)


def _signed_redirect(path, seen_as, content_type, inline):
    """Files in object storage: a redirect to a URL signed for MEDIA_SIGNED_URL_SECONDS, asking
    the storage for the same type and disposition headers Django would send.

    A public file's redirect may be kept by a shared cache (a CDN) for less time than the URL
    lives; a private file's is never stored, so the URL reaches only the person who may see it.
    """
    expire = settings.MEDIA_SIGNED_URL_SECONDS
    name = Path(path).name.replace('"', "")
    parameters = {
        "ResponseContentType": content_type if inline else "application/octet-stream",
        "ResponseContentDisposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
    }
    url = default_storage.signed_url(path, parameters=parameters, expire=expire)
    response = HttpResponseRedirect(url)
    if seen_as == media.PUBLIC:
        response["Cache-Control"] = f"public, max-age={min(PUBLIC_MEDIA_MAX_AGE, expire // 2)}"
    else:
        response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked sign-in: the same for an existing and an unknown e-mail."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


@never_cache
def healthz(request):
    """The process is up: for a load balancer, and the benchmark's trivial view (from outside
    HEALTH_PROBE_NETWORKS it passes the same middleware as every page; it touches neither the
    database nor a template)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Ready for traffic: the primary database, the caches and the uploads' storage answer within
    READYZ_TIMEOUT (core/readiness.py). For a load balancer; never cached; 503 naming each part
    that failed, or while the server shuts down. A replica in trouble is a warning on a second
    line: its readers use the primary."""
    if readiness.shutting_down():
        return HttpResponse("not ready: shutting down", status=503, content_type="text/plain")
    failed, warnings = readiness.report()
    for name, error in failed.items():
        logger.warning("readyz: %s is not reachable", name, exc_info=error)
    for warning in warnings:
        logger.warning("readyz: %s", warning)
    names = [
        f"{name} (no answer)" if isinstance(error, TimeoutError) else name
        for name, error in failed.items()
    ]
    lines = ["not ready: " + ", ".join(names) if failed else "ready"]
    lines += [f"warning: {warning}" for warning in warnings]
    return HttpResponse("\n".join(lines), status=503 if failed else 200, content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "errors/error.html", {"status": 400}, status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/error.html", {"status": 403}, status=403)


def page_not_found(request, exception=None):
    """The 404 page; under /api/ the API's JSON error (an unknown resource or address)."""
    if request.path.startswith("/api/"):
        return api_error(request, 404, _("Not found."))
    return render(request, "errors/error.html", {"status": 404}, status=404)


def server_error(request):
    """The 500 page, or the 503 page when the database cannot be reached.

    Neither may need the database (the failure may be the database): the 503 page is rendered
    without context processors (no session, no user), in the language of the address.
    """
    error = sys.exc_info()[1]
    if _database_unreachable(error):
        language = translation.get_language_from_path(request.path_info) or (settings.LANGUAGE_CODE)
        with translation.override(language):
            body = loader.render_to_string("errors/unavailable.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "60"
        response["Cache-Control"] = "no-store"
        return response
    try:
        return render(request, "errors/error.html", {"status": 500}, status=500)
    except Exception:  # noqa: BLE001 — the error page itself failed: answer without templates
        logger.exception("The error page could not be rendered")
        return HttpResponse(
            "<!doctype html><title>500</title><h1>500</h1>", status=500, content_type="text/html"
        )


def _database_unreachable(error):
    """Connection-level failures (server down, restarting, refusing) rather than a bad query.

    Django wraps the driver's errors, except where the driver raises outside its wrapper (e.g.
    closing a server-side cursor of a connection the server just dropped): both count.
    """
    driver = connection.Database
    return isinstance(
        error,
        OperationalError | InterfaceError | driver.OperationalError | driver.InterfaceError,
    )
