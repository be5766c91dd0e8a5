"""Lifecycles as small explicit tables: which step leads where, who may take it, what it needs.

A model declares its steps once (`TRANSITIONS`, a tuple of `Transition`) and says, for a user,
which roles that user holds on one object (`lifecycle_roles(user)`). Services check a step with
`check_transition` before writing; forms and templates ask `available_transitions` which steps
(and so which buttons) to show. There is no other route: a field that a step owns is not in any
edit form.

A model may have several independent axes of state (a disclosure's status, its publication and
whether moderators hid it); each transition names the axis it moves, and `when` may require a
state on other axes (no status change on a withdrawn disclosure).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

# Who may take a step. The model's `lifecycle_roles(user)` returns the set the user holds.
MEMBER = "member"  # a member of the organisation that owns the record (never staff)
STAFF = "staff"  # a moderator, acting as staff and logged as such

# What a step needs from the person taking it.
REASON = "reason"  # shown publicly in the change log
DATE = "date"  # the date the step happened (not in the future)


@dataclass(frozen=True)
class Transition:
    name: str
    axis: str
    sources: tuple
    target: str
    roles: frozenset
    label: object
    requires: frozenset = frozenset()
    # Other axes' states this step is allowed in, e.g. {"publication": ("draft", "published")}.
    when: dict = field(default_factory=dict, hash=False, compare=False)

    def applies_to(self, obj):
        if obj.lifecycle_state(self.axis) not in self.sources:
            return False
        return all(obj.lifecycle_state(axis) in states for axis, states in self.when.items())


# --- Who may edit what: one rule for every model ---
#
# A record may be changed by the members of the organisation it belongs to (MEMBER), never by
# anyone anonymous. Moderators (STAFF) may change it too where the model counts them among its
# `EDITORS`: a hearing (a procedure the site keeps for residents) and a project (the register),
# each change logged as the moderators'. Not a disclosure: it is an organisation's own claim,
# which moderators may only hide (the lifecycle's STAFF steps). Staff are never members
# (`Organisation.objects.of_user`). Each model's `editable_by(user)` queryset method calls
# `editable`; `Editable.is_editable_by(user)` is its twin on one record.


def editable(queryset, user, owned):
    """`queryset` narrowed to what `user` may change: `owned` (the records of the organisations
    the user is a member of), every record for staff where STAFF is among the model's
    `EDITORS`, none for anyone else."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_staff:
        return queryset.all() if STAFF in queryset.model.EDITORS else queryset.none()
    return owned


class Editable:
    """A model whose queryset has `editable_by(user)` (see `editable`)."""

    def is_editable_by(self, user):
        """Twin of `editable_by`: may `user` change this record?"""
        return type(self)._default_manager.editable_by(user).filter(pk=self.pk).exists()


class Publishable(Editable):
    """An `Editable` model with `is_published()` (what residents may see)."""

    def is_visible_to(self, user):
        """Residents see it once published; its editors and moderators (who hide and show
        records again) see it always: its drafts, and for a disclosure also when hidden."""
        return self.is_published() or user.is_staff or self.is_editable_by(user)


def transitions_named(model, name):
    return [t for t in model.TRANSITIONS if t.name == name]


def available_transitions(obj, user, roles=None):
    """The steps `user` (holding `roles`, when already known) may take on `obj` now, in the
    table's order."""
    roles = obj.lifecycle_roles(user) if roles is None else roles
    return [t for t in obj.TRANSITIONS if t.roles & roles and t.applies_to(obj)]


def check_transition(obj, name, user, *, target=None):
    """The transition `name` (to `target`, where a step has several) if `user` may take it now.

    Raises PermissionDenied when the user holds none of the step's roles, ValidationError when
    the object's state does not allow it.
    """
    candidates = [
        t for t in transitions_named(type(obj), name) if target is None or t.target == target
    ]
    if not candidates:
        raise ValidationError(_("This change is not possible."))
    roles = obj.lifecycle_roles(user)
    allowed = [t for t in candidates if t.roles & roles]
    if not allowed:
        raise PermissionDenied
    for transition in allowed:
        if transition.applies_to(obj):
            return transition
    raise ValidationError(
        _("This change is not possible now: the record is “%(state)s”.")
        % {"state": obj.lifecycle_state_display(allowed[0].axis)}
    )


def require(transition, *, reason="", date=None, today=None):
    """Check what the step requires; returns the reason stripped."""
    reason = (reason or "").strip()
    errors = {}
    if REASON in transition.requires and not reason:
        errors["reason"] = _("Give the reason: residents will see it.")
    if DATE in transition.requires:
        if date is None:
            errors["date"] = _("Give the date.")
        elif today is not None and date > today:
            errors["date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return reason
