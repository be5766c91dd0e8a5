import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.caching import public_page
from core.filters import filter_errors
from core.forms import saved
from projects import services
from projects.filters import ProjectFilter
from projects.forms import ApiTokenForm, MemberForm, ProjectForm
from projects.models import ApiToken, LinkRequest, Organisation, Project, ProjectChange

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


# The project page lists its latest changes; the whole history has its own page.
CHANGES_SHOWN = 10


@public_page
def project_list(request):
    """All projects, filterable by place, sector, status and investor country; open to all."""
    filterset = ProjectFilter(
        request.GET, queryset=Project.objects.with_related().order_by_name(), request=request
    )
    invalid = filter_errors(filterset)
    rows = filterset.queryset.none() if invalid else filterset.qs
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {"filterset": filterset, "page": page},
        status=400 if invalid else 200,
    )


def project_page_scopes(request, slug):
    """The cache scope of the project page at `slug` (core/caching.py)."""
    return [
        f"project:{pk}" for pk in Project.objects.filter(slug=slug).values_list("pk", flat=True)
    ]


def organisation_page_scopes(request, slug):
    """The cache scope of the organisation page at `slug`."""
    organisations = Organisation.objects.filter(slug=slug).values_list("pk", flat=True)
    return [f"organisation:{pk}" for pk in organisations]


@public_page(scopes=project_page_scopes)
def project_changes(request, slug):
    """A project's whole public history, newest first, paginated; open to everyone."""
    project = get_object_or_404(Project.objects.select_related("operator"), slug=slug)
    page = Paginator(project.history.latest_first(), PAGE_SIZE).get_page(request.GET.get("page"))
    history = ProjectChange.attach_records(list(page.object_list))
    return render(
        request,
        "projects/projectchange_list.html",
        {"project": project, "page": page, "history": history},
    )


@login_required
def project_create(request):
    """A company member records a project their company operates; staff for any company."""
    if not (
        request.user.is_staff or Organisation.objects.of_user(request.user).companies().exists()
    ):
        raise PermissionDenied
    return _project_form(request, Project())


@login_required
def project_edit(request, slug):
    """A member of the operating company (or staff) edits the project."""
    project = get_object_or_404(Project.objects.editable_by(request.user), slug=slug)
    return _project_form(request, project)


def _project_form(request, project):
    form = ProjectForm(request.POST or None, instance=project, user=request.user)

    def save(data):
        services.save_project(  # saves `project`, the form's instance
            acting_user=request.user,
            project=form.save(commit=False),
            settlements=form.settlements(),
            investors=data["investors"],
            reason=data.get("reason", ""),
            seen_change=data.get("seen_change"),
        )

    if saved(request, form, save):
        messages.success(request, _("The project is saved."))
        waiting = project.link_requests.pending().select_related("organisation")
        if waiting:
            names = ", ".join(str(link.organisation) for link in waiting)
            messages.info(
                request,
                _("Investors shown once they accept (they are asked by e-mail): %(names)s")
                % {"names": names},
            )
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def organisation_members(request, slug):
    """An organisation's administrator (or staff) sees and adds members."""
    organisation = get_object_or_404(
        Organisation.objects.administered_by(request.user).distinct(), slug=slug
    )
    form = MemberForm(request.POST or None, organisation=organisation)

    def add(data):  # refused for a link declined lately
        added = services.add_member(
            acting_user=request.user,
            organisation=organisation,
            email=data["email"],
            role=data["role"],
            request=request,
        )
        if added:
            messages.success(request, _("The member is added."))
        else:
            messages.info(
                request,
                _(
                    "This person works with another organisation: they join once its "
                    "administrators accept (they are asked by e-mail)."
                ),
            )

    if saved(request, form, add):
        return redirect("projects:organisation_members", slug=organisation.slug)
    memberships = organisation.memberships.select_related("user").order_by("user__email")
    return render(
        request,
        "projects/organisation_members.html",
        {"organisation": organisation, "memberships": memberships, "form": form},
    )


@login_required
@require_POST
def membership_remove(request, slug, pk):
    """An organisation's administrator removes a member, never the last administrator."""
    organisation = get_object_or_404(
        Organisation.objects.administered_by(request.user).distinct(), slug=slug
    )
    membership = get_object_or_404(organisation.memberships, pk=pk)
    try:
        services.remove_member(acting_user=request.user, membership=membership)
    except ValueError:
        messages.error(request, _("An organisation needs at least one administrator."))
    else:
        messages.success(request, _("The member is removed."))
    return redirect("projects:organisation_members", slug=organisation.slug)


@login_required
@never_cache
def organisation_api_keys(request, slug):
    """An organisation's administrator makes and revokes keys for the write API.

    A new key is shown once, on the answer to the form, and never stored: only its hash is.
    """
    organisation = get_object_or_404(
        Organisation.objects.administered_by(request.user).distinct(), slug=slug
    )
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if form.is_valid():
        expires_at = timezone.now() + datetime.timedelta(days=form.cleaned_data["valid_for"])
        _token, new_key = services.create_api_token(
            acting_user=request.user,
            organisation=organisation,
            name=form.cleaned_data["name"],
            expires_at=expires_at,
        )
        form = ApiTokenForm()
    tokens = organisation.api_tokens.select_related("created_by")
    return render(
        request,
        "projects/organisation_api_keys.html",
        {"organisation": organisation, "tokens": tokens, "form": form, "new_key": new_key},
    )


@login_required
@require_POST
def api_key_revoke(request, slug, pk):
    """An organisation's administrator revokes one of its keys; it stops working at once."""
    organisation = get_object_or_404(
        Organisation.objects.administered_by(request.user).distinct(), slug=slug
    )
    token = get_object_or_404(ApiToken.objects.filter(organisation=organisation), pk=pk)
    services.revoke_api_token(acting_user=request.user, token=token)
    messages.success(request, _("The key is revoked."))
    return redirect("projects:organisation_api_keys", slug=organisation.slug)


@login_required
@never_cache
def link_requests(request):
    """An organisation's administrator: links other organisations ask it to accept (naming it
    as investor, adding one of its people), and those its own organisations still wait for."""
    incoming = LinkRequest.objects.answerable_by(request.user).pending()
    outgoing = LinkRequest.objects.withdrawable_by(request.user)
    related = ("requested_by", "organisation", "project", "user")
    return render(
        request,
        "projects/link_requests.html",
        {
            "incoming": incoming.select_related(*related),
            "outgoing": outgoing.select_related(*related),
            "ask_again_after": LinkRequest.ASK_AGAIN_AFTER_DAYS,
        },
    )


@login_required
@require_POST
def link_request_answer(request, pk):
    """Accept or decline one request; only the other side's administrators find it (404)."""
    link = get_object_or_404(LinkRequest.objects.answerable_by(request.user).pending(), pk=pk)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        return HttpResponseBadRequest(_("Choose to accept or to decline."))
    services.answer_link_request(
        acting_user=request.user, link_request=link, accept=answer == "accept"
    )
    messages.success(
        request, _("Accepted: the link is public now.") if answer == "accept" else _("Declined.")
    )
    return redirect("projects:link_requests")


@login_required
@require_POST
def link_request_withdraw(request, pk):
    """The asking organisation's administrator withdraws a request still waiting; nobody else
    finds it (404)."""
    link = get_object_or_404(LinkRequest.objects.withdrawable_by(request.user), pk=pk)
    services.withdraw_link_request(acting_user=request.user, link_request=link)
    messages.success(request, _("Withdrawn: the other organisation is no longer asked."))
    return redirect("projects:link_requests")
