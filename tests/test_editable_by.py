"""Who may edit what, one rule for the three kinds of record (`core.lifecycle.editable`).

A record may be changed by the members of the organisation it belongs to; moderators (staff)
may change a hearing and a project, never a disclosure (an organisation's own claim, which they
only hide); nobody else, whatever their jurisdiction. Each queryset's `editable_by(user)` and
its twin `is_editable_by(user)` on the record are checked together, for every actor.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from disclosures.models import Disclosure
from hearings.models import Hearing
from projects.models import Project
from tests.factories import (
    AkimatFactory,
    CompanyFactory,
    DisclosureFactory,
    HearingFactory,
    ProjectFactory,
    UserFactory,
    member_of,
    place_tree,
)

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_company", "owner", "akimat_in", "akimat_out", "staff"]
EDITORS = {
    Disclosure: {"owner"},
    Hearing: {"owner", "staff"},
    Project: {"owner", "staff"},
}


@pytest.fixture
def world():
    places = place_tree()
    company = CompanyFactory()
    organiser = AkimatFactory(place=places["district"])
    village = places["village"]
    users = {
        "anonymous": AnonymousUser(),
        "other_company": member_of(CompanyFactory()),
        "akimat_in": member_of(AkimatFactory(place=places["rural"])),
        "akimat_out": member_of(AkimatFactory(place=places["elsewhere"].parent)),
        "staff": UserFactory(staff=True),
    }
    records = {
        Disclosure: (
            DisclosureFactory(organisation=company, published=True, settlements=[village]),
            member_of(company),
        ),
        Hearing: (
            HearingFactory(organiser=organiser, initiator=company, territory=[village]),
            member_of(organiser),
        ),
        Project: (ProjectFactory(operator=company, primary_settlement=village), member_of(company)),
    }
    return users, records


@pytest.mark.parametrize("model", [Disclosure, Hearing, Project], ids=lambda m: m.__name__)
@pytest.mark.parametrize("actor", ACTORS)
def test_editable_by_and_its_twin(world, model, actor):
    """The owner's members edit; staff edit hearings and projects only; nobody else does."""
    users, records = world
    record, owner = records[model]
    user = owner if actor == "owner" else users[actor]
    allowed = actor in EDITORS[model]
    assert model.objects.editable_by(user).filter(pk=record.pk).exists() is allowed
    assert record.is_editable_by(user) is allowed


def test_editors_are_declared_where_the_lifecycle_uses_them():
    """The roles that edit a disclosure or a hearing are those of its lifecycle's edit step."""
    for model in (Disclosure, Hearing):
        edit_steps = [t for t in model.TRANSITIONS if t.name == "edit"]
        assert edit_steps and all(t.roles == model.EDITORS for t in edit_steps)
