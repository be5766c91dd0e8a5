import functools
import statistics
from collections import Counter
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.caching import public_page
from core.crossorigin import same_origin_form
from core.filters import filter_errors, keyed_page
from core.forms import TranslationForm, moderation_decision, moderation_page, resident_form, saved
from core.lifecycle import MEMBER, available_transitions
from core.models import Compiled, Slot, prepared
from core.ratelimit import ip_hash, record, refusal_message, retry_after
from core.request_limits import MB, body_limit
from core.validators import PDF_MAX_BYTES
from hearings import calendars, clock, services
from hearings.filters import HearingFilter
from hearings.forms import (
    AnswerForm,
    CommentForm,
    DecisionForm,
    DocumentForm,
    FailureForm,
    HearingForm,
    LearnedOfForm,
    OralQuestionForm,
    PromiseForm,
    ReasonForm,
    RecordForm,
    RegistrationForm,
    RescheduleForm,
    SubscribeForm,
)
from hearings.metadata import hearing_data
from hearings.models import (
    AnswerCorrection,
    Hearing,
    HearingComment,
    HearingDocument,
    HearingPromise,
    LearnedOf,
    LegalBasis,
    Rule,
    RuleSet,
    Subscription,
    TransferDecree,
)
from hearings.notifications import absolute
from hearings.working_days import LIBRARY_TRANSFERS_UNTIL
from projects import metadata
from projects.models import Organisation, Place

# Cards on a list page: 20 suit a phone on a slow network (each card is also most of the page's
# rendering cost, docs/performance.md); the pagination shows the rest.
PAGE_SIZE = 20


def _editable(request, pk):
    """The hearing if this user may change it; another akimat's hearing is a 404."""
    return get_object_or_404(
        Hearing.objects.editable_by(request.user).select_related("organiser", "initiator"),
        pk=pk,
    )


def _saved(request, form, save):
    return saved(request, form, save, renames={"territory": "territory_codes"})


def _learned_of_summary(hearing, reports):
    """How early residents really knew: earliest and median days before, and the channels."""
    if not reports:
        return None
    days = [report.days_before() for report in reports]
    channels = Counter(report.get_channel_display() for report in reports)
    # Compared with the announcement rule when it binds (an unverified rule never counts anyone
    # as told too late) and counts calendar days (as these reports do).
    rule = clock.rule(hearing, Rule.Measures.ANNOUNCEMENT)
    counts = rule and rule.binds and rule.unit == Rule.Unit.CALENDAR_DAYS
    required = rule.number if counts else None
    return {
        "count": len(days),
        "earliest": max(days),
        "median": statistics.median(days),
        "late": sum(1 for d in days if d < required) if required else None,
        "channels": channels.most_common(),
        "required": required,
    }


# --- Public pages ------------------------------------------------------------------------


@public_page
def hearing_list(request):
    """Public hearings (never drafts), filterable by place, time, status; open to everyone."""
    filterset = HearingFilter(request.GET, queryset=Hearing.objects.published().for_cards())
    invalid = filter_errors(filterset)
    rows = filterset.queryset.none() if invalid else filterset.qs
    page = keyed_page(rows, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "hearings/hearing_list.html",
        {"filterset": filterset, "page": page, "now": timezone.now()},
        status=400 if invalid else 200,
    )


def _hearing_page_scopes(request, pk):
    return [f"hearing:{pk}"]


def place_scopes(request, kato_code):
    return Place.objects.page_scopes(kato_code=kato_code)


@public_page
def legal_rules(request):
    """Every rule set of the legal clock and each rule: what it says, its source, whether it
    binds (verified) or is guidance, and the history of its legal review."""
    rule_sets = RuleSet.objects.prefetch_related(
        "rules__changes__by", "rules__verified_by"
    ).order_by("regime", "-in_force_from")
    context = {
        "rule_sets": rule_sets,
        "day_off_rule": clock.day_off_rule(),
        "decrees": TransferDecree.objects.all(),
        "library_until": LIBRARY_TRANSFERS_UNTIL,
    }
    return render(request, "hearings/legal_rules.html", context)


# The page's queries, each built and compiled once (`core.models.prepared`): built and
# compiled on every request, they cost several times running them (its row with the clock's
# lists: 1.9 ms of CPU through the ORM, 0.6 ms prepared).
@prepared
def _detail_row():
    return Hearing.objects.for_detail().filter(pk=Slot("hearing"))


@prepared
def _comments():
    rows = HearingComment.objects.filter(hearing=Slot("hearing")).annotate(corrected=_corrected())
    return rows.order_by("source", "submitted_at", "pk")


@prepared
def _learned_of():
    return LearnedOf.objects.filter(hearing=Slot("hearing")).approved()


@prepared
def _documents():
    return HearingDocument.objects.filter(hearing=Slot("hearing"))


@prepared
def _promises():
    return HearingPromise.objects.filter(hearing=Slot("hearing")).select_related("organisation")


@public_page(scopes=_hearing_page_scopes)
def hearing_detail(request, pk):
    """The notice, the legal clock, residents' input and, afterwards, the record.

    Open to everyone once announced; a draft only to those who may edit it.
    """
    rows = _detail_row(hearing=pk)
    if not rows:
        raise Http404
    hearing = rows[0]
    clock.prepare_read(hearing)  # the rule sets, their rules and the calendar came with it
    roles = hearing.lifecycle_roles(request.user)
    can_edit = bool(roles)  # the organiser's officials and staff: `editable_by`'s twin
    if hearing.is_draft() and not can_edit:
        raise Http404
    steps = {step.name: step for step in available_transitions(hearing, request.user, roles)}
    is_organiser = MEMBER in roles
    residents_input = _residents_input(hearing)
    documents = _of_hearing(_documents, hearing) if hearing.has_documents else []
    changes = hearing.change_log(documents)
    if not can_edit:
        changes = [change for change in changes if change.is_public()]
    started = hearing.starts_at <= timezone.now()
    comments_open = hearing.comments_open()
    take_part, record_first = _page_lead(hearing, started, comments_open)
    territory = Place.objects.by_path(hearing.territory_paths)
    context = {
        **residents_input,
        "hearing": hearing,
        "can_edit": can_edit,
        "steps": steps,
        "territory": territory,
        "place_label": metadata.places_label(territory),
        "structured_data": hearing_data(hearing, territory, changes)
        if hearing.is_published()
        else None,
        "take_part": take_part,
        "record_first": record_first,
        "moved_from": _moved_from(changes) if hearing.rescheduled_at else None,
        "protocol_rule": clock.rule(hearing, Rule.Measures.PROTOCOL) if record_first else None,
        "protocol_due": clock.protocol_deadline(hearing) if record_first else None,
        "rule_set": clock.rule_set_for(hearing),
        "subscribe_url": _subscribe_url(territory[0], hearing) if territory else None,
        "documents": documents,
        "deadlines": clock.deadlines(hearing),
        "changes": changes,
        # Their follow-ups are the disclosures app's to say ({% followed_up %}).
        "promises": _of_hearing(_promises, hearing) if hearing.has_promises else [],
        "protocol_late": clock.is_protocol_late(hearing),
        "started": started,
        # Links to the forms' own pages, not the forms: no form is built for the page.
        "comments_open": comments_open,
        "registration_open": hearing.registration_open(),
        "learned_of_open": bool(hearing.announced_at),
        "registration_count": hearing.registrations.count() if is_organiser else None,
        "repeats": _repeats(hearing, can_edit),
    }
    return render(request, "hearings/hearing_detail.html", context)


def _repeats(hearing, can_edit):
    """The repeats of a hearing that did not take place: drafts only for those who edit it."""
    if not hearing.is_failed():
        return []
    repeats = hearing.repeats.order_by("starts_at", "pk")
    return list(repeats if can_edit else repeats.published())


def _residents_input(hearing):
    """The page's part on residents' comments (answered or not) and how they learned of it;
    lists asked for only when `Hearing.objects.for_detail` says they have rows. The comments
    in one query, in any state (the approved listed, the others counted), each saying whether
    its answer was ever corrected; the corrections read only when one was."""
    comments, reports, held_back = [], [], {"pending": 0, "rejected": 0}
    if hearing.has_comments:
        for comment in _of_hearing(_comments, hearing):
            if comment.is_approved():
                comments.append(comment)
            else:
                held_back[comment.moderation_status] += 1
        _attach_corrections(comments)
    if hearing.has_learned_of:
        reports = _of_hearing(_learned_of, hearing)
    return {
        "comments": comments,
        "comment_counts": held_back,
        "answered_count": sum(1 for comment in comments if comment.answer),
        "learned": _learned_of_summary(hearing, reports),
    }


def _of_hearing(rows, hearing):
    """The rows of a prepared query of `hearing`'s, each knowing its hearing (as the related
    manager's rows do) without a query."""
    rows = rows(hearing=hearing.pk)
    for row in rows:
        row.hearing = hearing
    return rows


@functools.cache
def _corrected():
    """Whether a comment's answer was ever corrected, compiled once (`core.models.Compiled`)."""
    return Compiled(HearingComment, Exists(AnswerCorrection.objects.filter(comment=OuterRef("pk"))))


def _attach_corrections(comments):
    """Each comment's `answer_corrections` (oldest first), in one query for those corrected."""
    corrections = Prefetch("corrections", to_attr="answer_corrections")
    prefetch_related_objects([comment for comment in comments if comment.corrected], corrections)
    for comment in comments:
        if not comment.corrected:
            comment.answer_corrections = []


def _page_lead(hearing, started, comments_open):
    """What the page leads with: (take part, record first).

    How to take part while that is possible (the meeting under way included: residents can
    still go), the record once held.
    """
    take_part = hearing.status == Hearing.Status.ANNOUNCED and (
        not started or comments_open or hearing.is_running()
    )
    record_first = not take_part and hearing.status in (
        Hearing.Status.ANNOUNCED,
        Hearing.Status.HELD,
        Hearing.Status.RECORD_PUBLISHED,
    )
    return take_part, record_first


def _moved_from(changes):
    """The date the hearing had before its last move, from the change log."""
    moves = [c for c in changes if c.action == c.Action.RESCHEDULED and c.old_starts_at]
    return moves[-1].old_starts_at if moves else None


def _subscribe_url(place, came_from):
    """The subscribe page for `place`, remembering the page the resident came from."""
    query = urlencode({"place": place.kato_code, "next": came_from.get_absolute_url()})
    return f"{reverse('hearings:subscribe')}?{query}"


@public_page(scopes=_hearing_page_scopes)
def hearing_ics(request, pk):
    """One hearing as an .ics file to add to a phone's calendar."""
    hearing = get_object_or_404(
        Hearing.objects.published().with_fate().select_related("organiser"), pk=pk
    )
    body = calendars.calendar_for([hearing], hearing.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hearing-{hearing.pk}.ics"'
    return response


@public_page
def all_calendar(request):
    """An iCalendar feed of every published hearing, the latest 200."""
    hearings = Hearing.objects.published().with_fate().select_related("organiser")
    hearings = hearings.order_by("-starts_at", "pk")[:200]
    body = calendars.calendar_for(hearings, _("Public hearings"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@public_page(scopes=place_scopes)
def place_calendar(request, kato_code):
    """An iCalendar feed of the hearings concerning a settlement, district or region."""
    place = get_object_or_404(Place, kato_code=kato_code)
    hearings = Hearing.objects.published().concerning(place).with_fate().select_related("organiser")
    hearings = hearings.order_by("-starts_at", "pk")[:200]
    body = calendars.calendar_for(hearings, _("Public hearings: %(place)s") % {"place": place.name})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@public_page(scopes=_hearing_page_scopes)
def hearing_notice(request, pk):
    """A printable A4 notice, Kazakh and Russian side by side, with a QR code to the page.

    The link and the QR code carry SITE_URL, never the host the request came by: the sheet is
    printed and pinned up, and the page is cached for everyone. On paper the ways to comment are
    paper ones (in writing to the organiser, at the meeting) and the page's address.
    """
    hearing = get_object_or_404(Hearing.objects.published().with_related(), pk=pk)
    territory = list(hearing.territory.all())
    columns = []
    for code in ("kk", "ru"):
        with translation.override(code):
            url = absolute(reverse("hearings:detail", kwargs={"pk": hearing.pk}))
            short = url.split("//", 1)[-1]
            html = render_to_string(
                "hearings/includes/_notice_column.html",
                {"hearing": hearing, "territory": territory, "short": short},
                request=request,
            )
            columns.append({"code": code, "url": url, "short": short, "html": html})
    qr = segno.make(columns[0]["url"], error="m").svg_inline(scale=4, title="QR")
    return render(
        request,
        "hearings/hearing_notice.html",
        {"hearing": hearing, "columns": columns, "qr": qr},
    )


def _resident_step(request, hearing, form_class, save, success, heading):
    """A resident's form on a published hearing (`core.forms.resident_form`), its rate limit's
    scope named after `save`."""
    return resident_form(
        request,
        hearing,
        form_class,
        save,
        scope=f"hearing-{save.__name__}",
        success=success,
        template="hearings/hearing_action_form.html",
        context={"hearing": hearing, "heading": heading, "public": True},
    )


def comment_create(request, pk):
    """A resident sends a written comment or question during the comment period."""
    hearing = get_object_or_404(Hearing.objects.published(), pk=pk)
    if not hearing.comments_open():
        messages.info(request, _("Written comments on this hearing are not being accepted now."))
        return redirect(hearing)

    def comment(data):
        services.submit_comment(
            hearing=hearing,
            kind=data["kind"],
            text=data["text"],
            author_name=data["author_name"],
            contact=data["contact"],
            ip_hash=ip_hash(request),
        )

    return _resident_step(
        request,
        hearing,
        CommentForm,
        comment,
        _("Thank you. Your message will appear once a moderator has checked it."),
        _("Send a comment or question"),
    )


def register(request, pk):
    """A resident says they plan to come; only the akimat sees the names."""
    hearing = get_object_or_404(Hearing.objects.published(), pk=pk)

    def registration(data):
        services.register_attendance(
            hearing=hearing,
            name=data["name"],
            contact=data["contact"],
            people=data["people"],
            needs=data["needs"],
            ip_hash=ip_hash(request),
        )

    return _resident_step(
        request,
        hearing,
        RegistrationForm,
        registration,
        _("Thank you: the akimat knows you are coming."),
        _("Register to attend"),
    )


def learned_of(request, pk):
    """A resident records when and how they first heard of the hearing."""
    hearing = get_object_or_404(Hearing.objects.published(), pk=pk)

    def report(data):
        services.report_learned_of(
            hearing=hearing,
            learned_on=data["learned_on"],
            channel=data["channel"],
            author_name=data["author_name"],
            ip_hash=ip_hash(request),
        )

    return _resident_step(
        request,
        hearing,
        LearnedOfForm,
        report,
        _("Thank you. Your answer will count once a moderator has checked it."),
        _("When did you learn of this hearing?"),
    )


def _safe_next(request, value):
    """`value` if it is a path on this site (where the resident came from), else ""."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//"):
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value


def mask_email(email):
    """'aigerim@mail.kz' → 'ai•••••@mail.kz': enough to spot a typo, not to read the address
    over a shoulder. The domain stays whole: a misspelt one is the commonest mistake."""
    local, _at, domain = email.partition("@")
    keep = 2 if len(local) > 3 else 1
    return f"{local[:keep]}{'•' * max(len(local) - keep, 1)}@{domain}"


def _ways_back(place, next_url=""):
    """Links that end every subscription page: the page the resident came from, the place."""
    links = []
    if next_url:
        links.append((next_url, _("Back to the page you came from")))
    if place is not None:
        links.append(
            (
                f"{reverse('hearings:list')}?{urlencode({'place': place.kato_code})}",
                _("Public hearings concerning %(place)s") % {"place": place.name},
            )
        )
        links.append((place.get_absolute_url(), _("The page of %(place)s") % {"place": place.name}))
    else:
        links.append((reverse("hearings:list"), _("All public hearings")))
    return links


@same_origin_form
def subscribe(request):
    """Subscribe an e-mail address to a place's hearings; a confirmation link is sent first.

    Anyone may use it. `next` (a path on this site, checked) is where the resident came from:
    the pages that follow, and the link in the confirmation e-mail, lead back there.
    """
    form = SubscribeForm(request.POST or None, initial={"place": request.GET.get("place", "")})
    code = request.GET.get("place") or request.POST.get("place") or ""
    place = Place.objects.filter(kato_code=code).first() if code.isdigit() else None
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    status = 400 if form.is_bound else 200
    if request.method == "POST":
        if (wait := retry_after(request, "hearing-subscribe")) is not None:
            form.add_error(None, refusal_message(wait))
            status = 429
        elif form.is_valid():
            record(request, "hearing-subscribe")
            email = form.cleaned_data["email"]
            services.subscribe(
                email=email,
                place=form.cleaned_data["place"],
                language=translation.get_language()[:2],
                ip_hash=ip_hash(request),
                next_path=next_url,
            )
            return render(
                request,
                "hearings/subscription_sent.html",
                {
                    "email": email,
                    "masked": mask_email(email),
                    "place": form.cleaned_data["place"],
                    "next_url": next_url,
                    "links": _ways_back(form.cleaned_data["place"], next_url),
                },
            )
    return render(
        request,
        "hearings/subscription_form.html",
        {
            "form": form,
            "place": place,
            "next_url": next_url,
            "links": _ways_back(place, next_url),
        },
        status=status,
    )


def confirm(request, token):
    """The double opt-in link from the confirmation e-mail: a page with a button (mail scanners
    that open links confirm nothing); the POST confirms and retires the link."""
    pending = Subscription.objects.filter(token=token).select_related("place").first()
    if pending is None:
        raise Http404
    next_url = _safe_next(request, request.GET.get("next"))
    if request.method != "POST":
        return render(
            request,
            "hearings/subscription_action.html",
            {
                "heading": _("Confirm your subscription"),
                "text": _(
                    "Press the button to get e-mails about public hearings concerning %(place)s."
                )
                % {"place": pending.place.name},
                "button": _("Confirm"),
                "links": _ways_back(pending.place, next_url),
            },
        )
    subscription = services.confirm_subscription(token=token)
    if subscription is None:
        raise Http404
    return render(
        request,
        "hearings/subscription_message.html",
        {
            "heading": _("Subscription confirmed"),
            "text": _("You will get an e-mail about public hearings concerning %(place)s.")
            % {"place": subscription.place.name},
            "subscription": subscription,
            "links": _ways_back(subscription.place, next_url),
        },
    )


@csrf_exempt
def unsubscribe(request, token):
    """The unsubscribe link: a page with a button, whose POST unsubscribes; a mail program's
    one-click POST (RFC 8058 List-Unsubscribe-Post) does the same without a page or CSRF token.
    A GET changes nothing, so link-checking mail scanners cannot unsubscribe anyone."""
    pending = Subscription.objects.filter(unsubscribe_token=token).select_related("place").first()
    if pending is None:
        raise Http404
    if request.method != "POST":
        return render(
            request,
            "hearings/subscription_action.html",
            {
                "heading": _("Unsubscribe"),
                "text": _(
                    "Press the button to stop the e-mails about public hearings concerning "
                    "%(place)s."
                )
                % {"place": pending.place.name},
                "button": _("Unsubscribe"),
                "links": _ways_back(pending.place),
            },
        )
    subscription = services.unsubscribe(token=token)
    if subscription is None:
        raise Http404
    if "List-Unsubscribe" in request.POST:
        return HttpResponse(status=204)
    place = subscription.place
    return render(
        request,
        "hearings/subscription_message.html",
        {
            "heading": _("You are unsubscribed"),
            "text": _("You will get no more e-mails about hearings concerning %(place)s.")
            % {"place": place.name},
            "links": [
                (
                    f"{reverse('hearings:subscribe')}?{urlencode({'place': place.kato_code})}",
                    _("Subscribe again"),
                ),
                *_ways_back(place),
            ],
        },
    )


# --- The akimat's work -------------------------------------------------------------------


@login_required
def dashboard(request):
    """The hearings this user may manage, drafts included, late protocols first."""
    hearings = (
        Hearing.objects.editable_by(request.user)
        .select_related("organiser", "initiator")
        .annotate(
            pending=Count(
                "comments",
                filter=Q(comments__moderation_status=HearingComment.Moderation.PENDING),
            )
        )
        .order_by("-starts_at", "pk")
    )
    page = Paginator(hearings, PAGE_SIZE).get_page(request.GET.get("page"))
    late = clock.late_protocols(Hearing.objects.editable_by(request.user))
    late = late.select_related("organiser", "rule_set").prefetch_related("rule_set__rules")
    return render(
        request,
        "hearings/hearing_dashboard.html",
        {
            "page": page,
            "late": [(h, clock.protocol_deadline(h)) for h in late],
        },
    )


def _akimat_step(request, hearing, form, service, heading, success):
    """The shape of most of the akimat's forms on a hearing: a valid POST goes to `service`,
    whose arguments the form's fields are named after (`version` is its `expected_version`),
    then back to the hearing with the `success` message; anything else shows the form."""

    def save(data):
        arguments = {"expected_version" if k == "version" else k: v for k, v in data.items()}
        service(acting_user=request.user, hearing=hearing, **arguments)

    if _saved(request, form, save):
        messages.success(request, success)
        return redirect(hearing)
    return _akimat_form(request, hearing, form, heading)


def _akimat_form(request, hearing, form, heading, **context):
    return render(
        request,
        "hearings/hearing_action_form.html",
        {
            "hearing": hearing,
            "form": form,
            "heading": heading,
            "multipart": form.is_multipart(),
            "public": False,
            **context,
        },
    )


def _refused(request, error):
    for text in error.messages:
        messages.error(request, text)


@login_required
def hearing_create(request):
    """An akimat official drafts a hearing for their akimat."""
    form = HearingForm(request.POST or None, user=request.user)
    if not form.fields["organiser"].queryset.exists():
        raise PermissionDenied

    def create(data):
        services.create_hearing(
            acting_user=request.user,
            hearing=form.save(commit=False),
            territory=data["territory_codes"],
        )

    if _saved(request, form, create):
        messages.success(request, _("Draft saved. Announce it when the notice is complete."))
        return redirect(form.instance)
    return render(request, "hearings/hearing_form.html", {"form": form, "hearing": None})


@login_required
def hearing_edit(request, pk):
    """Edit the notice (draft, or announced with a reason)."""
    hearing = _editable(request, pk)
    form = HearingForm(request.POST or None, instance=hearing, user=request.user)

    def update(data):
        services.update_hearing(
            acting_user=request.user,
            hearing=form.save(commit=False),
            territory=data["territory_codes"],
            reason=data.get("reason", ""),
            expected_version=data.get("version"),
        )

    if _saved(request, form, update):
        messages.success(request, _("Saved."))
        return redirect(hearing)
    return render(request, "hearings/hearing_form.html", {"form": form, "hearing": hearing})


@login_required
@require_POST
def hearing_announce(request, pk):
    """Publish the notice, if the dates keep to the Rules."""
    hearing = _editable(request, pk)
    try:
        services.announce_hearing(acting_user=request.user, hearing=hearing)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The hearing is announced; subscribers will be told."))
        for text in clock.announcement_guidance(hearing):  # advice, never a refusal
            messages.info(request, text)
    return redirect(hearing)


@login_required
@require_POST
def hearing_held(request, pk):
    """Record that the hearing took place (before the record is ready)."""
    hearing = _editable(request, pk)
    try:
        services.mark_held(acting_user=request.user, hearing=hearing)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("Marked as held. Publish the record when the protocol is signed.")
        )
    return redirect(hearing)


@login_required
def hearing_reschedule(request, pk):
    """Move an announced hearing, with a reason; the notice clock restarts."""
    hearing = _editable(request, pk)
    kept_when_empty = ("venue_kk", "venue_ru", "venue_en", "format", "online_link")
    initial = {name: getattr(hearing, name) for name in (*kept_when_empty, "comments_until")}
    initial.update(starts_at=timezone.localtime(hearing.starts_at), version=hearing.version)
    form = RescheduleForm(request.POST or None, initial=initial)

    def reschedule(data):
        # An empty field keeps what the notice says.
        keeps = {name: data[name] or None for name in kept_when_empty}
        services.reschedule_hearing(
            acting_user=request.user,
            hearing=hearing,
            starts_at=data["starts_at"],
            reason=data["reason"],
            comments_until=data["comments_until"],
            discussion_ends_on=data["discussion_ends_on"],
            expected_version=data["version"],
            **keeps,
        )

    if _saved(request, form, reschedule):
        messages.success(request, _("The hearing is moved; subscribers will be told."))
        for text in clock.announcement_guidance(hearing):  # advice, never a refusal
            messages.info(request, text)
        return redirect(hearing)
    return _akimat_form(request, hearing, form, _("Reschedule the hearing"))


@login_required
def hearing_cancel(request, pk):
    """Cancel a hearing, with a reason shown publicly."""
    hearing = _editable(request, pk)
    form = ReasonForm(request.POST or None, initial={"version": hearing.version})
    return _akimat_step(
        request,
        hearing,
        form,
        services.cancel_hearing,
        _("Cancel the hearing"),
        _("The hearing is cancelled."),
    )


@login_required
def hearing_failed(request, pk):
    """Record that the hearing did not take place, with what happened and why."""
    hearing = _editable(request, pk)
    form = FailureForm(request.POST or None, initial={"version": hearing.version})
    return _akimat_step(
        request,
        hearing,
        form,
        services.record_failure,
        _("The hearing did not take place"),
        _("Recorded: the hearing did not take place. Prepare its repeat."),
    )


@login_required
@require_POST
def hearing_repeat(request, pk):
    """A draft repeat of a hearing that did not take place, opened for its new date."""
    hearing = _editable(request, pk)
    try:
        repeat = services.prepare_repeat(acting_user=request.user, hearing=hearing)
    except ValidationError as error:
        _refused(request, error)
        return redirect(hearing)
    messages.success(request, _("A draft repeat is ready: give its new date, then announce it."))
    return redirect("hearings:edit", pk=repeat.pk)


@login_required
def hearing_decision(request, pk):
    """Publish the decision taken after the hearing, with its reasons."""
    hearing = _editable(request, pk)
    return _akimat_step(
        request,
        hearing,
        DecisionForm(request.POST or None, hearing=hearing),
        services.publish_decision,
        _("The decision taken after the hearing"),
        _("The decision is published; subscribers will be told."),
    )


@body_limit(PDF_MAX_BYTES + MB)
@login_required
def hearing_record(request, pk):
    """Publish or correct the record: protocol, attendance, video, summary."""
    hearing = _editable(request, pk)
    shown = ["attendance", "video_url", "record_summary_kk", "record_summary_ru"]
    shown += ["record_summary_en", "ended_before_assessment", "draft_sent_on", "version"]
    initial = {name: getattr(hearing, name) for name in shown}
    form = RecordForm(request.POST or None, request.FILES or None, initial=initial)
    if hearing.legal_basis != LegalBasis.EIA_REPORT:  # Art. 73(1) concerns only that report
        del form.fields["ended_before_assessment"], form.fields["draft_sent_on"]
    return _akimat_step(
        request,
        hearing,
        form,
        services.publish_record,
        _("The record of the hearing"),
        _("The record is published."),
    )


@body_limit(PDF_MAX_BYTES + MB)
@login_required
def document_create(request, pk):
    """Add a PDF to the materials."""
    hearing = _editable(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)

    def add(data):
        titles = {name: data[name] for name in ("title_kk", "title_ru", "title_en")}
        services.add_document(
            acting_user=request.user, hearing=hearing, upload=data["file"], **titles
        )

    if _saved(request, form, add):
        messages.success(request, _("The document is added."))
        return redirect(hearing)
    return _akimat_form(request, hearing, form, _("Add a document"))


@login_required
def hearing_translate(request, pk):
    """The organiser adds another language of a text typed in one: the contacts, the names of
    the official record, the cancellation reason, a promise, an answer to a comment."""
    hearing = _editable(request, pk)
    records = [("", hearing)]
    records += [(f"promise-{p.pk}-", p) for p in hearing.promises.all()]
    records += [(f"comment-{c.pk}-", c) for c in hearing.comments.approved().exclude(answer="")]
    form = TranslationForm(request.POST or None, records=records)
    if not form.targets:
        messages.info(request, _("This hearing has no text written in one language to translate."))
        return redirect(hearing)

    def translate(_data):
        services.add_translation(acting_user=request.user, **form.translation())

    if _saved(request, form, translate):
        messages.success(request, _("The translation is added."))
        return redirect(hearing)
    return _akimat_form(request, hearing, form, _("Add a translation"))


@login_required
def promise_create(request, pk):
    """Record a promise made at the hearing."""
    hearing = _editable(request, pk)
    return _akimat_step(
        request,
        hearing,
        PromiseForm(request.POST or None, hearing=hearing),
        services.add_promise,
        _("Record a promise"),
        _("The promise is recorded."),
    )


@login_required
def question_create(request, pk):
    """Enter a question or comment raised aloud at the hearing, with the answer."""
    hearing = _editable(request, pk)
    return _akimat_step(
        request,
        hearing,
        OralQuestionForm(request.POST or None),
        services.record_question_at_hearing,
        _("Add a question raised at the hearing"),
        _("Saved."),
    )


@login_required
def comment_answer(request, pk):
    """The organiser answers a comment publicly and says how it was taken into account."""
    comment = get_object_or_404(
        HearingComment.objects.filter(hearing__in=Hearing.objects.editable_by(request.user))
        .exclude(moderation_status=HearingComment.Moderation.REJECTED)
        .select_related("hearing"),
        pk=pk,
    )
    # The form edits a copy: the service compares with the stored answer to log a correction.
    form = AnswerForm(request.POST or None, instance=HearingComment.objects.get(pk=comment.pk))

    def answer(data):
        services.answer_comment(acting_user=request.user, comment=comment, **data)

    if _saved(request, form, answer):
        messages.success(request, _("The answer is published."))
        return redirect(comment.hearing)
    return _akimat_form(request, comment.hearing, form, _("Answer"), quote=comment.text)


def _organised(request, pk):
    """The hearing if this user is an official of its organising akimat (not staff, not another
    akimat): names and phone numbers of residents are for the organiser only."""
    return get_object_or_404(
        Hearing.objects.filter(organiser__in=Organisation.objects.of_user(request.user)),
        pk=pk,
    )


@login_required
def registrations(request, pk):
    """Who registered to attend, with how to reach them: the organising akimat only."""
    hearing = _organised(request, pk)
    return render(
        request,
        "hearings/registration_list.html",
        {"hearing": hearing, "registrations": hearing.registrations.all()},
    )


# --- Moderation (staff) --------------------------------------------------------------------


def _moderation_page(request, refused=None):
    queues = {
        "comments": ("comment", HearingComment.objects.pending().select_related("hearing")[:100]),
        "reports": ("report", LearnedOf.objects.pending().select_related("hearing")[:100]),
    }
    return moderation_page(request, "hearings/moderation_queue.html", queues, refused)


@login_required
def moderation_queue(request):
    """Comments and 'learned of' reports awaiting a moderator; staff only."""
    return _moderation_page(request)


@login_required
@require_POST
def moderate(request, kind, pk):
    """Approve or reject one item; staff only; rejection needs a reason. A refused decision
    comes back on the queue, in the item's place, with the error summary."""
    if not request.user.is_staff:
        raise PermissionDenied
    model = {"comment": HearingComment, "report": LearnedOf}.get(kind)
    if model is None:
        raise Http404
    item = get_object_or_404(model.objects.pending(), pk=pk)
    return moderation_decision(
        request, kind, item, services.moderate, _moderation_page, _("Done."), "hearings:moderation"
    )
