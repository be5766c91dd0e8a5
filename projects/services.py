"""Writes that span several models or have side effects (see docs in README, 'Code layout')."""

import datetime
import hashlib
import logging
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import caching
from core.changelog import changed_labels, diff, field_code
from core.formats import day
from core.services import lock_for_write, unique_slug
from core.translation import language_written
from projects.models import (
    ApiToken,
    LinkRequest,
    Membership,
    Organisation,
    Project,
    ProjectChange,
    ProjectSettlement,
)

GROUP_FOR_KIND = {
    Organisation.Kind.COMPANY: "Company representatives",
    Organisation.Kind.AKIMAT: "Akimat officials",
}
MODERATORS_GROUP = "Moderators"

logger = logging.getLogger(__name__)


def _project_snapshot(project, investors, settlement_codes):
    """The project as its history logs it (`ProjectChange`): codes, named when read."""
    values = {}
    for name in Project.TRACKED_FIELDS:
        if name == "investors":
            values[name] = [f"#{pk}" for pk in sorted(o.pk for o in investors)]
        elif name == "primary_settlement":
            values[name] = project.primary_settlement.kato_code
        else:
            values[name] = field_code(
                project, name, money={"investment_amount": "investment_currency"}
            )
    values["settlements"] = sorted(settlement_codes)
    return values


@transaction.atomic
def save_project(*, acting_user, project, settlements, investors=None, reason="", seen_change=None):
    """Create or update a project, its investors and the settlements it affects (its main one
    included), all in one transaction, and log what changed in the project's public history.

    An edit needs a reason (shown with the change); an edit that changes nothing writes
    nothing, so no cached page goes stale for it. `seen_change` is the latest
    change-log row the edit form showed (0 for none): when someone changed the project since,
    the edit is refused and says what changed, instead of putting back the values the stale
    form still held. None (scripts) skips the check.
    """
    _check_may_save(acting_user, project)
    if not project.slug:
        project.slug = unique_slug(Project, project.name_en, project.name_ru, project.name_kk)
    project.full_clean()
    stored, stored_investors, before = _stored(project, seen_change)
    investors = stored_investors if investors is None else list(investors)
    if not all(organisation.is_company for organisation in investors):
        raise ValidationError({"investors": _("Investors must be companies.")})
    # A company named anew waits for its own consent (a LinkRequest), unless it is the operator
    # or the person acting administers it: the link exists only once it accepts.
    asked = [
        o
        for o in investors
        if o not in stored_investors and _needs_consent(acting_user, o, project.operator)
    ]
    investors = [o for o in investors if o not in asked]
    wanted = {place.pk: place for place in [project.primary_settlement, *settlements]}
    changes = diff(
        before, _project_snapshot(project, investors, [p.kato_code for p in wanted.values()])
    )
    if stored is not None and not changes:
        _ask_investors(acting_user, project, asked)
        return project
    reason = (reason or "").strip()
    if stored is not None and not reason:
        raise ValidationError(
            {"reason": _("Say why you change the project: the reason is shown with the change.")}
        )
    project.save()
    if {o.pk for o in investors} != {o.pk for o in stored_investors} or stored is None:
        project.investors.set(investors)
    _set_settlements(project, wanted)
    _log_project_change(acting_user, project, stored, changes, reason)
    _ask_investors(acting_user, project, asked)
    return project


def _check_may_save(acting_user, project):
    """Staff, or a member of the project's operator who may edit the project (when it exists)."""
    if project.pk and not project.is_editable_by(acting_user):
        raise PermissionDenied
    if (
        not acting_user.is_staff
        and not Organisation.objects.of_user(acting_user).filter(pk=project.operator_id).exists()
    ):
        raise PermissionDenied


def _stored(project, seen_change):
    """(the stored row, locked and checked against the change the form showed; its investors;
    its snapshot) of an existing project; (None, [], {}) of a new one."""
    if not project.pk:
        return None, [], {}
    stored = lock_for_write(
        project,
        seen_change,
        version=Project.logged_version,
        refusal=lambda locked: _(
            "Someone else changed this project after you opened the form, so your changes "
            "were not saved. Open it again to see the current values, then make your change."
        ),
        changed_since=lambda locked, seen: changed_labels(locked.history.filter(pk__gt=seen)),
    )
    investors = list(stored.investors.all())
    codes = stored.affected.values_list("place__kato_code", flat=True)
    return stored, investors, _project_snapshot(stored, investors, codes)


def _set_settlements(project, wanted):
    """The project affects exactly the places `wanted` (by pk)."""
    ProjectSettlement.objects.filter(project=project).exclude(place_id__in=wanted).delete()
    existing = set(project.affected.values_list("place_id", flat=True))
    ProjectSettlement.objects.bulk_create(
        [ProjectSettlement(project=project, place_id=pk) for pk in wanted.keys() - existing]
    )
    # A bulk insert sends no signal: the villages it now affects go stale too.
    caching.invalidate(*project.cache_scopes())


def _log_project_change(acting_user, project, stored, changes, reason):
    """The project's public history: a creation lists the values given, an edit what changed."""
    by_staff = acting_user.is_staff
    ProjectChange.objects.create(
        project=project,
        action=ProjectChange.Action.EDITED if stored else ProjectChange.Action.CREATED,
        changes=[c for c in changes if c["new"] not in ("", [])] if stored is None else changes,
        reason=reason[:500],
        reason_language=language_written(reason) if reason else "",
        acting_user=acting_user,
        acting_organisation=None if by_staff else (stored or project).operator,
        by_staff=by_staff,
    )


def _needs_consent(acting_user, organisation, own):
    """Whether linking `organisation` to a record of `own` needs its administrators' consent:
    yes, unless it is `own` or the person acting administers it."""
    if organisation.pk == own.pk:
        return False
    return not Organisation.objects.administered_by(acting_user).filter(pk=organisation.pk).exists()


def _ask_investors(acting_user, project, companies):
    for organisation in companies:
        _ask(
            LinkRequest.Kind.INVESTOR,
            acting_user,
            project.operator,
            project=project,
            organisation=organisation,
        )


def _ask(kind, acting_user, requested_by, **link):
    """A pending request (one per link: asking twice changes nothing). Its notice to the other
    side's administrators is queued by the outbox's receiver (hearings.notifications). A link
    declined lately is refused (`LinkRequest.ASK_AGAIN_AFTER_DAYS`), with the day it may be
    asked again."""
    same = LinkRequest.objects.filter(kind=kind, requested_by=requested_by, **link)
    declined = same.declined_lately().order_by("-decided_at").first()
    if declined:
        again = declined.decided_at + datetime.timedelta(days=LinkRequest.ASK_AGAIN_AFTER_DAYS)
        raise ValidationError(
            {
                "investors" if kind == LinkRequest.Kind.INVESTOR else "email": _(
                    "%(asked)s declined this link on %(declined)s. So that it is not asked "
                    "over and over, the link can be asked for again from %(again)s."
                )
                % {
                    "asked": ", ".join(o.name for o in declined.answering_organisations()),
                    "declined": day(declined.decided_at),
                    "again": day(again),
                }
            }
        )
    if not same.pending().exists():
        request = LinkRequest(kind=kind, requested_by=requested_by, asked_by=acting_user, **link)
        request.full_clean()
        request.save()


def _sync_groups(user):
    """Keep the coarse role Groups in step with the user's memberships."""
    kinds = set(user.memberships.values_list("organisation__kind", flat=True))
    for kind, group_name in GROUP_FOR_KIND.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        if kind in kinds:
            user.groups.add(group)
        else:
            user.groups.remove(group)


@transaction.atomic
def add_member(*, acting_user, organisation, email, role, request=None):
    """Add a person to an organisation; a new account gets an e-mail to set its password.

    A person who already belongs to another organisation is only asked for (a LinkRequest, None
    returned) until that organisation's administrators accept."""
    if not Organisation.objects.administered_by(acting_user).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = user_model(username=email, email=email)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    elsewhere = Organisation.objects.filter(memberships__user=user).exclude(pk=organisation.pk)
    if any(_needs_consent(acting_user, other, organisation) for other in elsewhere):
        # A person who works for another organisation joins only once it agrees.
        _ask(LinkRequest.Kind.MEMBER, acting_user, organisation, user=user, role=role)
        return None
    membership.save()
    _sync_groups(user)
    if created:
        form = PasswordResetForm({"email": email})
        if form.is_valid():
            # Unusable passwords are skipped by the reset form; give the new account a usable one
            # nobody knows, so the "set your password" link works.
            user.set_password(secrets.token_urlsafe(32))
            user.save(update_fields=["password"])
            transaction.on_commit(
                lambda: form.save(
                    request=request,
                    use_https=bool(request and request.is_secure()),
                    subject_template_name="registration/welcome_subject.txt",
                    email_template_name="registration/welcome_email.txt",
                    extra_email_context={"organisation": organisation},
                )
            )
    return membership


@transaction.atomic
def answer_link_request(*, acting_user, link_request, accept):
    """The other side's administrator accepts (the link is made) or declines a request. A
    request already answered is left as it is."""
    locked = (
        LinkRequest.objects.select_for_update()
        .filter(pk=link_request.pk, status=LinkRequest.Status.PENDING)
        .first()
    )
    if locked is None:
        return link_request
    if not LinkRequest.objects.answerable_by(acting_user).filter(pk=locked.pk).exists():
        raise PermissionDenied
    locked.status = LinkRequest.Status.ACCEPTED if accept else LinkRequest.Status.DECLINED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    if accept and locked.kind == LinkRequest.Kind.INVESTOR:
        _add_investor(acting_user, locked.project, locked.organisation)
    elif accept:
        Membership.objects.get_or_create(
            user=locked.user, organisation=locked.requested_by, defaults={"role": locked.role}
        )
        _sync_groups(locked.user)
    return locked


@transaction.atomic
def withdraw_link_request(*, acting_user, link_request):
    """The asking organisation's administrator takes back a request still waiting: it is kept,
    marked withdrawn, with who withdrew it and when. One already answered is left as it is."""
    locked = LinkRequest.objects.select_for_update().pending().filter(pk=link_request.pk).first()
    if locked is None:
        return link_request
    if not LinkRequest.objects.withdrawable_by(acting_user).filter(pk=locked.pk).exists():
        raise PermissionDenied
    locked.status = LinkRequest.Status.WITHDRAWN
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    logger.info("link request %s withdrawn by user %s", locked.pk, acting_user.pk)
    return locked


def _add_investor(acting_user, project, organisation):
    """The accepted investor joins the project, logged in its public history as the investor's
    own step. The project's row is locked, as an edit locks it (`save_project`)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    stored = list(project.investors.all())
    if organisation in stored:
        return
    codes = project.affected.values_list("place__kato_code", flat=True)
    before = _project_snapshot(project, stored, codes)
    project.investors.add(organisation)
    ProjectChange.objects.create(
        project=project,
        action=ProjectChange.Action.EDITED,
        changes=diff(before, _project_snapshot(project, [*stored, organisation], codes)),
        acting_user=acting_user,
        acting_organisation=organisation,
    )
    caching.invalidate(*project.cache_scopes(), *organisation.cache_scopes())


@transaction.atomic
def remove_member(*, acting_user, membership):
    """Remove a membership; an organisation always keeps at least one administrator.

    The organisation's administrator rows are locked first, so two administrators removed at
    the same moment (each by the other, or twice by one) cannot both pass the count and leave
    the organisation with none: the second removal waits, then counts again.
    """
    organisation = membership.organisation
    if not Organisation.objects.administered_by(acting_user).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Membership.Role.ADMINISTRATOR)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    membership = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None:
        return
    if membership.role == Membership.Role.ADMINISTRATOR and admins == [membership.pk]:
        raise ValueError("last administrator")
    user = membership.user
    membership.delete()
    _sync_groups(user)


# --- API keys ----------------------------------------------------------------------------------

API_KEY_PREFIX = "aa_"


def hash_api_key(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, acting_user, organisation, name, expires_at):
    """An administrator of `organisation` creates a key for it: returns (token, the key).

    The key itself is returned only here, to be shown once; only its hash is stored.
    """
    if not Organisation.objects.administered_by(acting_user).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation,
        name=name.strip(),
        prefix=raw[:10],
        key_hash=hash_api_key(raw),
        created_by=acting_user,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def revoke_api_token(*, acting_user, token):
    """An administrator of the token's organisation revokes it; it stops working at once."""
    administered = Organisation.objects.administered_by(acting_user)
    if not administered.filter(pk=token.organisation_id).exists():
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_api_key(raw):
    """The active token for `raw`, if its creator still administers its organisation; else None."""
    if not raw or not raw.startswith(API_KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("organisation", "created_by")
        .filter(key_hash=hash_api_key(raw))
        .first()
    )
    if token is None or not token.created_by.is_active:
        return None
    administered = Organisation.objects.administered_by(token.created_by)
    if not administered.filter(pk=token.organisation_id).exists():
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
