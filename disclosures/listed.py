"""Which places' pages list each contribution (`ListedPlace`), kept in step with every write.

A contribution is listed on the page of each settlement it names and of every place above one
(`DisclosureQuerySet.for_place`), while residents may see it (`published`). These rows give
each place its own contributions in publication order, so that a page's newest few are one
index walk however many (or few) the place has. They follow, in the writer's transaction: the
record's publication and hiding (`post_save`), its settlements (`m2m_changed`, from either
side) and the places (`projects.models.places_changed`: a new place, a moved one, an import of
the classifier). The services are the only write path; the receivers keep the admin, the
factories of the tests and a shell correct too. `rebuild()` writes every row again (the seeds'
bulk rows send no signal).
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save

from disclosures.models import Disclosure, ListedPlace
from projects.models import Place, places_changed, rewrite_rows, rows_following_places

LISTING = {"published_at", "hidden_at"}


def _codes(path):
    return [code for code in path.split("/") if code]


def rows(disclosure_ids):
    """The `ListedPlace` rows of the contributions `disclosure_ids` as they stand now: none
    for a draft or a hidden one (two queries, and one for the places in and above their
    settlements)."""
    published = dict(
        Disclosure.objects.published()
        .filter(pk__in=disclosure_ids)
        .values_list("pk", "published_at")
        .order_by()
    )
    through = Disclosure.settlements.through.objects.filter(disclosure_id__in=list(published))
    settlements = list(through.values_list("disclosure_id", "place__path")) if published else []
    codes = {code for _pk, path in settlements for code in _codes(path)}
    by_code = dict(Place.objects.filter(kato_code__in=codes).values_list("kato_code", "pk"))
    listed = {
        (pk, by_code[code]) for pk, path in settlements for code in _codes(path) if code in by_code
    }
    return [
        ListedPlace(disclosure_id=pk, place_id=place_id, published_at=published[pk])
        for pk, place_id in sorted(listed)
    ]


def rebuild(disclosure_ids=None):
    """Write the rows of `disclosure_ids` (every contribution when None) again; returns how
    many."""
    return rewrite_rows(ListedPlace, "disclosure", disclosure_ids, rows)


# --- Receivers ------------------------------------------------------------------------------


def _disclosure_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """Published, hidden, shown again (or saved whole): its rows follow. A new record has no
    settlements yet; they bring its rows (`m2m_changed`)."""
    if created or raw or (update_fields is not None and not LISTING & set(update_fields)):
        return
    rebuild({instance.pk})


def _places_changed(sender, paths=None, **kwargs):
    """Places were made, moved or imported: the contributions of the settlements in or under
    them (every contribution when `paths` is None) get their rows again."""
    if paths is None:
        rebuild()
        return
    within = Q()
    for path in paths:
        within |= Q(place__path__startswith=path)
    through = Disclosure.settlements.through.objects.filter(within)
    rebuild(set(through.values_list("disclosure_id", flat=True)))


def connect():
    """Called once (disclosures/apps.py)."""
    post_save.connect(_disclosure_saved, sender=Disclosure, dispatch_uid="listed-saved")
    m2m_changed.connect(
        rows_following_places(rebuild, "disclosures"),
        sender=Disclosure.settlements.through,
        weak=False,
        dispatch_uid="listed-m2m",
    )
    places_changed.connect(_places_changed, dispatch_uid="listed-places")
