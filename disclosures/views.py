import csv
import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.caching import public_page
from core.crossorigin import same_origin_form
from core.filters import bad_filter_response, filter_errors, keyed_page
from core.forms import (
    TranslationForm,
    blank_form,
    moderation_decision,
    moderation_page,
    resident_form,
    saved,
)
from core.lifecycle import available_transitions
from core.metadata import absolute_template
from core.models import Slot, prepared
from core.opendata import batches, csv_lines, export_head, json_row, licence_link
from core.ratelimit import ip_hash
from core.request_limits import MB, body_limit
from core.translation import lang_attribute
from core.validators import PDF_MAX_BYTES
from disclosures import export, images, services
from disclosures.filters import DisclosureFilter
from disclosures.forms import (
    AnswerForm,
    ConfirmationForm,
    DisclosureForm,
    DocumentForm,
    FeedbackForm,
    ImportForm,
    PhotoForm,
    QuestionForm,
    ReasonForm,
    StatusForm,
)
from disclosures.models import (
    Confirmation,
    Disclosure,
    Photo,
    Question,
    ResidentFeedback,
    Revision,
    StatusChange,
)
from projects import metadata
from projects.models import Organisation, Place

logger = logging.getLogger(__name__)

# Cards on a list page: 20 suit a phone on a slow network (each card is also most of the page's
# rendering cost, docs/performance.md); the pagination shows the rest.
PAGE_SIZE = 20
# The list counts its rows this far and no further (core.filters.keyed_page): beyond, "more than
# 10,000" is what a reader can use, and counting a country's contributions one by one was most
# of a list page's cost. The CSV and JSON exports and /data/ give every row.
COUNTED_UP_TO = 10_000
# Request body ceilings of the views that take files: the file's own limit plus the form.
PHOTO_BODY = images.MAX_BYTES + MB
# A resident's photo form is read up to 25 MB (nginx's client_max_body_size in docs/operations.md):
# a photo over its 15 MB is dropped as it arrives and the form comes back with the text typed
# (core/request_limits.py).
RESIDENT_PHOTO_BODY = 25 * MB
PDF_BODY = PDF_MAX_BYTES + MB
CSV_BODY = services.MAX_CSV_BYTES + MB


SERVICE_NAMES = {"settlements": "settlement_codes"}  # the services' names for the form's fields


# --- Public pages ------------------------------------------------------------------------


@public_page
def disclosure_list(request):
    """Published disclosures (withdrawn ones greyed, unless filtered out), filterable and
    sortable, shareable by URL; open to everyone."""
    filterset = DisclosureFilter(request.GET, queryset=Disclosure.objects.published())
    invalid = filter_errors(filterset)
    rows = filterset.queryset.none() if invalid else filterset.qs
    page = keyed_page(
        rows, request.GET.get("page"), PAGE_SIZE, rows.for_cards(), counted_up_to=COUNTED_UP_TO
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "disclosures/disclosure_list.html",
        {"filterset": filterset, "page": page, "query": query.urlencode()},
        status=400 if invalid else 200,
    )


def _export_filterset(request):
    return DisclosureFilter(request.GET, queryset=Disclosure.objects.published())


def _export_rows(request, filterset):
    # Links to the public site (SITE_URL), as in the bulk downloads, but in the reader's language.
    return export.rows(filterset.qs, absolute_template("disclosures:detail", "pk"))


def _export_filename(filterset, extension):
    """'ashyq-auyl-contributions-nura-delivered-2026-11-30.csv': what was filtered, and when."""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if name == "sort" or value in (None, "", [], (), False):
            continue
        parts.append(slugify(getattr(value, "slug", value)))
    stem = "-".join(["ashyq-auyl-contributions", *filter(None, parts)])[:120].rstrip("-")
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def _batched(lines):
    """Join streamed lines into larger pieces: one write to the socket per piece, not per row."""
    return ("".join(batch) for batch in batches(lines))


# A stream cannot change its status once started: an export that fails half-way ends with this
# line (CSV) or trailing text that no JSON parser accepts, never a file that looks complete.
EXPORT_FAILED = "# ERROR: the export failed part-way; this file is incomplete."


def _marking_failure(request, pieces, label, newline):
    """`pieces` as they come; if they fail part-way, the error is logged and the file ends
    with EXPORT_FAILED on a line of its own instead of whatever would have closed it."""
    try:
        yield from pieces
    except Exception:
        logger.exception(
            "%s export failed part-way", label, extra={"query": request.GET.urlencode()}
        )
        yield newline + EXPORT_FAILED + newline


@require_safe
def export_csv(request):
    """The filtered list as CSV (same query string as the list), streamed; open to everyone.

    The columns are those the import reads back (`disclosures/export.py`), so an unmodified
    export can be uploaded again. Invalid filters answer 400 with the errors, as plain text.
    """
    filterset = _export_filterset(request)
    if errors := filter_errors(filterset):
        return bad_filter_response(errors, "text/plain")

    lines = csv_lines(export.COLUMNS, _export_rows(request, filterset))
    response = StreamingHttpResponse(
        _batched(_marking_failure(request, lines, "CSV", "\r\n")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(filterset, "csv")}"'
    response["Link"] = licence_link()
    return _headers_only_for_head(request, response)


@require_safe
def export_json(request):
    """The filtered list as JSON (same query string as the list), streamed: an object with the
    licence, the attribution and `data`, the rows, as the bulk files at /data/.

    Invalid filters answer 400 with {"errors": {field: [messages]}}.
    """
    filterset = _export_filterset(request)
    if errors := filter_errors(filterset):
        return bad_filter_response(errors)

    def pieces():
        yield export_head()[:-1] + ', "data": ['
        for number, row in enumerate(_export_rows(request, filterset)):
            yield ("," if number else "") + "\n" + json_row(row)
        yield "]}\n"

    response = StreamingHttpResponse(
        _batched(_marking_failure(request, pieces(), "JSON", "\n")),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{_export_filename(filterset, "json")}"'
    response["Link"] = licence_link()
    return _headers_only_for_head(request, response)


def _headers_only_for_head(request, response):
    """HEAD answers an export's headers without running it (the stream is never started)."""
    if request.method == "HEAD":
        response.streaming_content = ()
    return response


def _public_disclosure(request, pk):
    """A public disclosure; members of its organisation and staff also see drafts and hidden."""
    return _shown_to(request.user, get_object_or_404(Disclosure.objects.with_related(), pk=pk))


def _shown_to(user, disclosure):
    """`disclosure`, if `user` may see it (`is_visible_to`); else the page is not found."""
    if disclosure is None or not disclosure.is_visible_to(user):
        raise Http404
    return disclosure


def _disclosure_page_scopes(request, pk):
    return [f"disclosure:{pk}"]


def _history(disclosure, user):
    """The change log this user may read: everything for the organisation and moderators, from
    publication on for everyone else (drafts are private forever); and whether this user reads
    the whole of it."""
    revisions = disclosure.revisions.all()
    if disclosure.lifecycle_roles(user):
        return revisions, True
    return revisions.public(), False


def _timeline(disclosure, whole):
    """The timeline: whole (`_history`) or its public part (`StatusChangeQuerySet.public`)."""
    if whole:
        return list(disclosure.status_changes.all())
    return _public_timeline(disclosure=disclosure.pk)


def _listed(present, rows):
    """The rows `rows()` gives, as a list, asked for (and built) only when the page's own row
    says there are some."""
    return list(rows()) if present else []


def _feedback_counts(disclosure):
    """Residents' word on this disclosure by kind and moderation; no query when nobody wrote."""
    nobody = {"seen": 0, "disputed": 0, "rejected": 0, "pending": 0}
    if not disclosure.has_feedback:
        return nobody
    return next(iter(_counted_feedback(disclosure=disclosure.pk)), nobody)


def _residents_word(disclosure):
    """The residents' part of the page: approved feedback and questions, and the counts of what
    moderators rejected or have not read yet; no query when nobody wrote."""
    feedback_counts = _feedback_counts(disclosure)
    return {
        "feedback": _listed(
            feedback_counts["seen"] or feedback_counts["disputed"],
            lambda: _feedback(disclosure=disclosure.pk),
        ),
        "feedback_counts": feedback_counts,
        "questions": _listed(disclosure.has_questions, lambda: _questions(disclosure.pk)),
        "questions_rejected": sum(
            row["count"] for row in _rejected_questions(disclosure=disclosure.pk)
        )
        if disclosure.has_questions
        else 0,
    }


# The page's queries, each built and compiled once (`core.models.prepared`): built and
# compiled on every request, they cost several times running them (its row: 1.8 ms of CPU
# through the ORM, 0.16 ms prepared).
@prepared
def _detail_row():
    return Disclosure.objects.for_detail().filter(pk=Slot("disclosure"))


@prepared
def _settlements():
    return Place.objects.filter(disclosures=Slot("disclosure")).order_by("kato_code")


@prepared
def _public_timeline():
    return StatusChange.objects.filter(disclosure=Slot("disclosure")).public()


@prepared
def _photos():
    return Photo.objects.filter(disclosure=Slot("disclosure"))


@prepared
def _confirmations():
    rows = Confirmation.objects.filter(disclosure=Slot("disclosure")).select_related("akimat")
    return rows.order_by("-date", "-pk")


@prepared
def _counted_feedback():
    return ResidentFeedback.objects.filter(disclosure=Slot("disclosure")).counts()


@prepared
def _rejected_questions():
    rows = Question.objects.filter(disclosure=Slot("disclosure")).rejected().order_by()
    return rows.values("disclosure").annotate(count=Count("pk")).values("count")


@prepared
def _feedback():
    return (
        ResidentFeedback.objects.filter(disclosure=Slot("disclosure"))
        .approved()
        .order_by("-submitted_at")
    )


@prepared
def _approved_questions():
    rows = Question.objects.filter(disclosure=Slot("disclosure")).approved()
    return rows.order_by("-submitted_at")


def _questions(pk):
    """The approved questions, each with the corrections of its answer (`answer_corrections`,
    oldest first), read in one query when there are questions."""
    questions = _approved_questions(disclosure=pk)
    corrections = Prefetch("corrections", to_attr="answer_corrections")
    prefetch_related_objects(questions, corrections)
    return questions


@public_page(scopes=_disclosure_page_scopes)
def disclosure_detail(request, pk):
    """One disclosure with the three voices side by side; open to everyone once published.

    `for_detail` says on the disclosure's own row which lists have rows: an empty list costs no
    query."""
    user = request.user
    rows = _detail_row(disclosure=pk)
    disclosure = _shown_to(user, rows[0] if rows else None)
    can_edit = disclosure.is_editable_by(user)
    revisions, whole = _history(disclosure, user)
    steps = {step.name: step for step in available_transitions(disclosure, user)}
    children, accounted, unaccounted, share = disclosure.money_trail(disclosure.has_funded)
    settlements = Place.objects.attach_ancestors(_settlements(disclosure=pk))
    context = {
        **_residents_word(disclosure),
        "disclosure": disclosure,
        "photos": _listed(disclosure.has_photos, lambda: _photos(disclosure=pk)),
        "documents": _listed(disclosure.has_documents, disclosure.documents.all),
        "timeline": _timeline(disclosure, whole),
        "confirmations": _listed(
            disclosure.has_confirmations, lambda: _confirmations(disclosure=pk)
        ),
        "revision_count": revisions.count() if whole else disclosure.public_revisions,
        "money_children": children,
        "money_accounted": accounted,
        "money_unaccounted": unaccounted,
        "money_share": share,
        "can_edit": can_edit,
        "steps": steps,
        "status_steps": [steps[name] for name in ("start", "deliver", "cancel") if name in steps],
        "can_confirm": Disclosure.objects.confirmable_by(user).filter(pk=pk).exists(),
        "feedback_form": blank_form(FeedbackForm, "feedback_%s"),
        "question_form": blank_form(QuestionForm, "question_%s"),
        "settlements": settlements,
        "place_label": metadata.places_label(settlements),
    }
    return render(request, "disclosures/disclosure_detail.html", context)


@public_page(scopes=_disclosure_page_scopes)
def disclosure_changes(request, pk):
    """The public change log: every correction after publication, with old/new values. Drafts
    are private forever: what a record said before it was published is shown only to its
    organisation and moderators."""
    disclosure = _public_disclosure(request, pk)
    revisions = _history(disclosure, request.user)[0]
    revisions = revisions.select_related("acting_organisation").order_by("-created_at", "-pk")
    return render(
        request,
        "disclosures/revision_list.html",
        {"disclosure": disclosure, "revisions": Revision.attach_linked(list(revisions))},
    )


# --- Residents ---------------------------------------------------------------------------


def _resident_form(request, pk, form_class, scope, submit, heading):
    disclosure = get_object_or_404(Disclosure.objects.in_force(), pk=pk)
    hashed_ip = ip_hash(request)
    return resident_form(
        request,
        disclosure,
        form_class,
        lambda data: submit(disclosure, data, hashed_ip),
        scope=scope,
        success=_("Thank you. A moderator will check it before it is shown."),
        template="disclosures/disclosure_action_form.html",
        context={"disclosure": disclosure, "heading": heading, "multipart": True, "public": True},
        renames=SERVICE_NAMES,
    )


@same_origin_form
@body_limit(RESIDENT_PHOTO_BODY, file_max_bytes=images.MAX_BYTES)
def feedback_create(request, pk):
    """Anyone, without an account: "I saw this" or "this is not what was done"."""

    def submit(disclosure, data, hashed_ip):
        services.submit_feedback(
            disclosure=disclosure,
            kind=data["kind"],
            comment=data["comment"],
            photo=data.get("photo"),
            photo_alt=data.get("photo_alt", ""),
            author_name=data["author_name"],
            contact=data["contact"],
            ip_hash=hashed_ip,
        )

    return _resident_form(
        request, pk, FeedbackForm, "disclosure-feedback", submit, _("Your word on this")
    )


@same_origin_form
def question_create(request, pk):
    """Anyone, without an account, asks the organisation a question."""

    def submit(disclosure, data, hashed_ip):
        services.ask_question(
            disclosure=disclosure,
            text=data["text"],
            author_name=data["author_name"],
            contact=data["contact"],
            ip_hash=hashed_ip,
        )

    return _resident_form(
        request, pk, QuestionForm, "disclosure-question", submit, _("Ask a question")
    )


# --- Organisations ------------------------------------------------------------------------


@login_required
def dashboard(request):
    """A company or akimat member: their disclosures, open questions, disputes, overdue promises;
    for akimats also what awaits their confirmation."""
    user = request.user
    own = Disclosure.objects.editable_by(user)
    akimat_queue = (
        Disclosure.objects.confirmable_by(user)
        .in_force()
        .exclude(confirmations__akimat__memberships__user=user)
        .with_related()
        .order_by("-published_at")[:50]
    )
    context = {
        "organisations": Organisation.objects.of_user(user).order_by_name(),
        "disclosures": own.with_related().order_by("-updated_at")[:100],
        "overdue": own.in_force().overdue().for_cards().order_by("due_date"),
        "questions": Question.objects.approved()
        .filter(disclosure__in=own, answered_at__isnull=True)
        .select_related("disclosure"),
        "disputes": ResidentFeedback.objects.approved()
        .filter(disclosure__in=own, kind=ResidentFeedback.Kind.DISPUTED)
        .select_related("disclosure")
        .order_by("-submitted_at")[:50],
        "akimat_queue": akimat_queue,
        "today": timezone.localdate(),
    }
    return render(request, "disclosures/disclosure_dashboard.html", context)


@login_required
def disclosure_create(request):
    """A member of a company or akimat records a contribution or promise (as a draft)."""
    if not Organisation.objects.of_user(request.user).exists():
        raise PermissionDenied
    return _disclosure_form(request, Disclosure())


@login_required
def disclosure_edit(request, pk):
    """A member of the disclosing organisation corrects it; after publication, with a reason."""
    disclosure = get_object_or_404(Disclosure.objects.editable_by(request.user), pk=pk)
    if disclosure.is_withdrawn():
        messages.error(request, _("A withdrawn disclosure cannot be changed."))
        return redirect(disclosure)
    return _disclosure_form(request, disclosure)


def _disclosure_form(request, disclosure):
    form = DisclosureForm(request.POST or None, instance=disclosure, user=request.user)

    def save(data):
        common = dict(
            acting_user=request.user,
            disclosure=form.save(commit=False),
            settlements=form.settlements(),
        )
        if disclosure.pk:
            reason, version = data.get("reason", ""), data["version"]
            services.update_disclosure(**common, reason=reason, expected_version=version)
        else:
            services.create_disclosure(**common)  # saves `disclosure`, the form's instance

    if saved(request, form, save, renames=SERVICE_NAMES):
        messages.success(request, _("The disclosure is saved."))
        return redirect(disclosure)
    return render(
        request, "disclosures/disclosure_form.html", {"form": form, "disclosure": disclosure}
    )


@login_required
@require_POST
def disclosure_publish(request, pk):
    """A member of the disclosing organisation publishes a draft."""
    disclosure = get_object_or_404(Disclosure.objects.editable_by(request.user), pk=pk)
    try:
        services.publish_disclosure(acting_user=request.user, disclosure=disclosure)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The disclosure is published."))
    return redirect(disclosure)


def _action(request, disclosure, form, heading, run, success, question=None):
    if saved(request, form, run, renames=SERVICE_NAMES):
        messages.success(request, success)
        return redirect(disclosure)
    return render(
        request,
        "disclosures/disclosure_action_form.html",
        {
            "disclosure": disclosure,
            "form": form,
            "heading": heading,
            "multipart": form.is_multipart(),
            "question": question,  # the one answered, whose language the heading notes
        },
    )


@login_required
def disclosure_withdraw(request, pk):
    """A member of the disclosing organisation withdraws it, with a public reason."""
    disclosure = get_object_or_404(
        Disclosure.objects.editable_by(request.user).out_of_draft(), pk=pk
    )
    return _action(
        request,
        disclosure,
        ReasonForm(request.POST or None, initial={"version": disclosure.version}),
        _("Withdraw this disclosure"),
        lambda data: services.withdraw_disclosure(
            acting_user=request.user,
            disclosure=disclosure,
            reason=data["reason"],
            expected_version=data["version"],
        ),
        _("The disclosure is withdrawn; it stays visible, marked as withdrawn."),
    )


STATUS_STEPS = ("start", "deliver", "cancel")


@login_required
def disclosure_status(request, pk):
    """A member of the disclosing organisation takes a step of the status lifecycle: started,
    delivered or cancelled, as `Disclosure.TRANSITIONS` allows from the current status."""
    disclosure = get_object_or_404(Disclosure.objects.editable_by(request.user), pk=pk)
    steps = [
        step
        for step in available_transitions(disclosure, request.user)
        if step.name in STATUS_STEPS
    ]
    if not steps:
        messages.error(request, _("The status of this disclosure cannot change any more."))
        return redirect(disclosure)
    chosen = request.GET.get("step")
    form = StatusForm(
        request.POST or None,
        steps=steps,
        initial={
            "date": timezone.localdate(),
            "step": chosen if chosen in {s.name for s in steps} else steps[0].name,
            "version": disclosure.version,
        },
    )
    return _action(
        request,
        disclosure,
        form,
        _("Change the status"),
        lambda data: services.change_status(
            acting_user=request.user,
            disclosure=disclosure,
            status=form.target_status(),
            date=data["date"],
            note=data["note"],
            cancel_reason=data["note"],
            expected_version=data["version"],
        ),
        _("The status is changed."),
    )


@login_required
def disclosure_translate(request, pk):
    """A member of the disclosing organisation adds another language of a text typed in one:
    the contribution's, a photo's description, a document's title, an answer to a question."""
    disclosure = get_object_or_404(Disclosure.objects.editable_by(request.user), pk=pk)
    records = [("", disclosure)]
    records += [(f"photo-{p.pk}-", p) for p in disclosure.photos.all()]
    records += [(f"document-{d.pk}-", d) for d in disclosure.documents.all()]
    records += [
        (f"question-{q.pk}-", q) for q in disclosure.questions.approved().exclude(answer="")
    ]
    form = TranslationForm(request.POST or None, records=records)
    if not form.targets:
        messages.info(request, _("This contribution has no text written in one language."))
        return redirect(disclosure)

    def run(_data):
        services.add_translation(acting_user=request.user, **form.translation())

    return _action(
        request, disclosure, form, _("Add a translation"), run, _("The translation is added.")
    )


@body_limit(PHOTO_BODY)
@login_required
def photo_create(request, pk):
    """A member of the disclosing organisation adds a photo (processed, metadata removed)."""
    disclosure = get_object_or_404(Disclosure.objects.editable_by(request.user), pk=pk)
    return _action(
        request,
        disclosure,
        PhotoForm(request.POST or None, request.FILES or None),
        _("Add a photo"),
        lambda data: services.add_photo(
            acting_user=request.user,
            disclosure=disclosure,
            upload=data["photo"],
            alt_text=data["alt_text"],
        ),
        _("The photo is added."),
    )


@body_limit(PDF_BODY)
@login_required
def document_create(request, pk):
    """A member of the disclosing organisation adds a PDF document."""
    disclosure = get_object_or_404(Disclosure.objects.editable_by(request.user), pk=pk)
    return _action(
        request,
        disclosure,
        DocumentForm(request.POST or None, request.FILES or None),
        _("Add a document"),
        lambda data: services.add_document(
            acting_user=request.user,
            disclosure=disclosure,
            upload=data["file"],
            title=data["title"],
            kind=data["kind"],
        ),
        _("The document is added."),
    )


@body_limit(PDF_BODY)
@login_required
def disclosure_confirm(request, pk):
    """An official of an akimat covering one of the settlements confirms or cannot confirm."""
    disclosure = get_object_or_404(Disclosure.objects.confirmable_by(request.user), pk=pk)
    settlements = list(disclosure.settlements.all())
    akimats = Organisation.objects.of_user(request.user).akimats().select_related("place")
    covering = [a.pk for a in akimats if any(a.covers(p) for p in settlements)]
    form = ConfirmationForm(
        request.POST or None,
        request.FILES or None,
        akimats=akimats.filter(pk__in=covering),
        initial={"date": timezone.localdate()},
    )
    return _action(
        request,
        disclosure,
        form,
        _("The akimat's word"),
        lambda data: services.confirm_disclosure(
            acting_user=request.user,
            disclosure=disclosure,
            akimat=data["akimat"],
            confirmed=data["verdict"] == "confirmed",
            date=data["date"],
            note=data["note"],
            document=data.get("document"),
        ),
        _("The akimat's word is recorded."),
    )


def _hide_or_unhide(request, pk, hide):
    if not request.user.is_staff:
        raise PermissionDenied
    disclosure = get_object_or_404(Disclosure, pk=pk)
    if disclosure.is_hidden() == hide:
        messages.info(
            request,
            _("This disclosure is already hidden.")
            if hide
            else _("This disclosure is not hidden."),
        )
        return redirect(disclosure)
    return _action(
        request,
        disclosure,
        ReasonForm(request.POST or None, initial={"version": disclosure.version}),
        _("Hide this disclosure") if hide else _("Show this disclosure again"),
        lambda data: services.hide_disclosure(
            acting_user=request.user,
            disclosure=disclosure,
            reason=data["reason"],
            hide=hide,
            expected_version=data["version"],
        ),
        _("Done; the reason is kept in the log."),
    )


@login_required
def disclosure_hide(request, pk):
    """Staff only: hide a disclosure for legal reasons, with a reason; logged as staff."""
    return _hide_or_unhide(request, pk, hide=True)


@login_required
def disclosure_unhide(request, pk):
    """Staff only: show a hidden disclosure again, with a reason; logged as staff."""
    return _hide_or_unhide(request, pk, hide=False)


@login_required
def question_answer(request, pk):
    """A member of the disclosing organisation answers an approved question publicly."""
    question = get_object_or_404(
        Question.objects.approved()
        .filter(disclosure__in=Disclosure.objects.editable_by(request.user))
        .select_related("disclosure"),
        pk=pk,
    )
    form = AnswerForm(request.POST or None, initial={"answer": question.answer})
    return _action(
        request,
        question.disclosure,
        form,
        # The question in its own language; the heading is HTML (the page strips it in <title>).
        mark_safe(  # noqa: S308 - a catalogue string around an escaped question
            _("Answer: %(question)s")
            % {
                "question": format_html(
                    "<span{}>{}</span>", lang_attribute(question, "text"), question.text[:80]
                )
            }
        ),
        lambda data: services.answer_question(
            acting_user=request.user,
            question=question,
            answer=data["answer"],
            reason=data["reason"],
        ),
        _("The answer is published."),
        question=question,
    )


# --- Moderation -------------------------------------------------------------------------

MODERATED = {"feedback": ResidentFeedback, "question": Question}


def _moderation_page(request, refused=None):
    queues = {
        "feedback": ("feedback", ResidentFeedback.objects.pending().select_related("disclosure")),
        "questions": ("question", Question.objects.pending().select_related("disclosure")),
    }
    return moderation_page(request, "disclosures/moderation_queue.html", queues, refused)


@login_required
def moderation_queue(request):
    """Staff: residents' submissions waiting for a decision, oldest first."""
    return _moderation_page(request)


@login_required
@require_POST
def moderate(request, kind, pk):
    """Staff approve or reject one submission; a rejection needs a reason. A refused decision
    comes back on the queue, in the item's place, with the error summary."""
    if not request.user.is_staff or kind not in MODERATED:
        raise PermissionDenied
    item = get_object_or_404(MODERATED[kind], pk=pk)
    return moderation_decision(
        request,
        kind,
        item,
        services.moderate,
        _moderation_page,
        _("Decision recorded."),
        "disclosures:moderation",
    )


# --- Bulk upload ----------------------------------------------------------------------------


PENDING_IMPORT = "disclosure-import"


@body_limit(CSV_BODY)
@login_required
def import_csv(request):
    """A member of an organisation uploads many disclosures at once: new ones become drafts,
    rows with the id of one of the organisation's records correct it. All rows or none.

    Uploading shows a preview (the import run and rolled back); the file waits in the session
    until the member applies it, and is checked again then.
    """
    if not Organisation.objects.of_user(request.user).exists():
        raise PermissionDenied
    if request.method == "POST" and "apply" in request.POST:
        return _apply_import(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        text, problem = services.read_csv_upload(form.cleaned_data["file"])
        if problem:
            result = services.ImportResult(errors=[(0, "", problem)])
        else:
            result = services.import_csv(
                acting_user=request.user, organisation=organisation, text=text, apply=False
            )
        if result.ok:
            digest = hashlib.sha256(text.encode()).hexdigest()
            request.session[PENDING_IMPORT] = {
                "organisation": organisation.pk,
                "text": text,
                "digest": digest,
            }
            return render(
                request,
                "disclosures/disclosure_import.html",
                {"form": form, "result": result, "preview": digest, "organisation": organisation},
            )
    return render(
        request,
        "disclosures/disclosure_import.html",
        {"form": form, "result": result},
        status=400 if result and not result.ok else 200,
    )


def _apply_import(request):
    pending = request.session.get(PENDING_IMPORT) or {}
    organisation = Organisation.objects.of_user(request.user).filter(pk=pending.get("organisation"))
    if pending.get("digest") != request.POST.get("apply") or not organisation.exists():
        messages.error(request, _("This upload has expired: upload the file again."))
        return redirect("disclosures:import")
    result = services.import_csv(
        acting_user=request.user, organisation=organisation.get(), text=pending["text"]
    )
    if not result.ok:  # something changed since the preview
        return render(
            request,
            "disclosures/disclosure_import.html",
            {"form": ImportForm(user=request.user), "result": result},
            status=400,
        )
    del request.session[PENDING_IMPORT]
    messages.success(
        request,
        _("Imported: %(created)s new drafts, %(corrected)s corrected, %(unchanged)s unchanged.")
        % {
            "created": len(result.created),
            "corrected": len(result.corrected),
            "unchanged": len(result.unchanged),
        },
    )
    return redirect("disclosures:dashboard")


@require_safe
def import_template(request):
    """The CSV template with one example row; open to everyone."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="disclosures-template.csv"'
    response.write("\ufeff")
    writer = csv.DictWriter(response, fieldnames=services.CSV_COLUMNS)
    writer.writeheader()
    writer.writerow(services.CSV_EXAMPLE)
    return response
