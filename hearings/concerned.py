"""Which places' pages show each hearing (`ConcernedPlace`), kept in step with every write.

A hearing concerns each place of its territory, every place above one and every place under one
(`HearingQuerySet.concerning`). Read from the places' paths, a region's page checked each hearing
of the country against its 1,600 places; these rows give each place its own hearings in date
order. They follow, in the writer's transaction: the territory (`m2m_changed`, from either
side), the hearing's date and discussion window (`post_save`), and the places
(`projects.models.places_changed`: a new place, a moved one, an import of the classifier). The
services are the only write path; the receivers keep the admin, the factories of the tests and
a shell correct too. `rebuild()` writes every row again (the seeds' bulk rows send no signal).
"""

from collections import defaultdict

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save

from hearings.models import ConcernedPlace, Hearing, ParticipationForm
from projects.models import Place, places_changed, rewrite_rows, rows_following_places

BATCH = 500
DATES = {"starts_at", "form", "discussion_ends_on"}


def _codes(path):
    return [code for code in path.split("/") if code]


def _prefixes(path):
    """ "/a/b/" -> "/a/", "/a/b/": the paths of the place and of every place above it."""
    codes = _codes(path)
    return [f"/{'/'.join(codes[: n + 1])}/" for n in range(len(codes))]


def _open_until(form, discussion_ends_on):
    return discussion_ends_on if form == ParticipationForm.PUBLIC_DISCUSSION else None


def rows(hearing_ids):
    """The `ConcernedPlace` rows of the hearings `hearing_ids` as they stand now (two queries
    and one for the places in and above their territories)."""
    through = Hearing.territory.through.objects.filter(hearing_id__in=hearing_ids)
    territory = list(through.values_list("hearing_id", "place__path"))
    if not territory:
        return []
    paths = {path for _pk, path in territory}
    near = Q(kato_code__in={code for path in paths for code in _codes(path)})
    for path in paths:
        near |= Q(path__startswith=path)
    by_code, under = {}, defaultdict(list)
    for pk, code, path in Place.objects.filter(near).values_list("pk", "kato_code", "path"):
        by_code[code] = pk
        for prefix in _prefixes(path):
            if prefix in paths:
                under[prefix].append(pk)
    dates = {
        pk: (starts_at, _open_until(form, ends))
        for pk, starts_at, form, ends in Hearing.objects.filter(pk__in=hearing_ids).values_list(
            "pk", "starts_at", "form", "discussion_ends_on"
        )
    }
    concerned = {
        (place_id, hearing_id)
        for hearing_id, path in territory
        for place_id in [*(by_code[code] for code in _codes(path)), *under[path]]
    }
    return [
        ConcernedPlace(
            place_id=place_id,
            hearing_id=hearing_id,
            starts_at=dates[hearing_id][0],
            open_until=dates[hearing_id][1],
        )
        for place_id, hearing_id in sorted(concerned)
    ]


def rebuild(hearing_ids=None):
    """Write the rows of `hearing_ids` (every hearing when None) again; returns how many."""
    return rewrite_rows(ConcernedPlace, "hearing", hearing_ids, rows, BATCH)


# --- Receivers ------------------------------------------------------------------------------


def _hearing_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """A hearing's date or discussion window may have moved: its rows carry them."""
    if created or raw or (update_fields is not None and not DATES & set(update_fields)):
        return
    ConcernedPlace.objects.filter(hearing=instance).update(
        starts_at=instance.starts_at,
        open_until=_open_until(instance.form, instance.discussion_ends_on),
    )


def _places_changed(sender, paths=None, **kwargs):
    """Places were made, moved or imported: the hearings of the places in or above them (every
    hearing when `paths` is None) get their rows again."""
    if paths is None:
        rebuild()
        return
    near = Q(place__kato_code__in={code for path in paths for code in _codes(path)})
    for path in paths:
        near |= Q(place__path__startswith=path)
    through = Hearing.territory.through.objects.filter(near)
    rebuild(set(through.values_list("hearing_id", flat=True)))


def connect():
    """Called once (hearings/apps.py)."""
    m2m_changed.connect(
        rows_following_places(rebuild, "hearings"),
        sender=Hearing.territory.through,
        weak=False,
        dispatch_uid="concerned-m2m",
    )
    post_save.connect(_hearing_saved, sender=Hearing, dispatch_uid="concerned-dates")
    places_changed.connect(_places_changed, dispatch_uid="concerned-places")
