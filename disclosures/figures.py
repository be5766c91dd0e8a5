"""The places' headline figures (`PlaceFigures`) and each contribution's counts of the akimat's
and residents' word, kept in step with every write.

A place's figures summed at read time cost a district page half a second at country scale. So
each write that can move them adds, in its own transaction and after its own rows, the
difference it makes to the figures of every place it concerns: receivers here read the records
it touches before the write (`pre_save`, `pre_delete`, `m2m_changed` "pre_*") and after it, and
insert the difference as rows (`PlaceFigures`). Rows are only ever inserted, so two writers in
the same district never wait on each other; `rebuild_place_figures` sums them up again.

What moves a contribution's figures: the contribution itself (published, hidden, withdrawn, its
status, due date, value, currency, settlements, funder), an akimat's confirmation and an approved
"this is not what was done", and, for the contributions paid out of it (`funded_by`), whether it
is still a counted payment in each place. The services are the only write path for all of them;
the receivers keep the admin, the factories of the tests and a shell correct too. A place made or
moved, or an import of the classifier (`projects.models.places_changed`, as for the rows of
disclosures/listed.py and hearings/concerned.py), has the figures of the places it concerns
summed again (`rows`): each row carries its place's path, which the table of villages reads.

A contribution's own counts (`Disclosure.confirmed_count`, `unconfirmed_count`, `seen_count`,
`dispute_count`, which its cards show) move with each confirmation and each resident's word that
is approved, rejected after approval or deleted: an `UPDATE … SET n = n + 1` of that one row in
the writer's transaction. It waits only on another writer of the same contribution (its
company's edit, another word on it); a word that waits for a moderator counts nowhere and writes
nothing.

A contribution's kept first photo (`Disclosure.first_photo`, its cards' thumbnail) is set again
from its photos after each photo's write (`keep_first_photos`), in the writer's transaction.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from disclosures.models import (
    OPEN_STATUSES,
    Confirmation,
    Disclosure,
    Photo,
    PlaceFigures,
    ResidentFeedback,
)
from projects.models import Place, places_changed, rewrite_rows

COUNTS = ("n", "valued", "value", "estimates", "confirmed", "disputed")
BATCH = 5000


def contribution(ids=None):
    """{(place_id, path, direct, status, currency, inside, due_date): [n, valued, value,
    estimates, confirmed, disputed]} of the records `ids` (every record when None) as they stand
    now (`path`: the place's)."""
    records = Disclosure.objects.published().order_by()
    if ids is not None:
        records = records.filter(pk__in=ids)
    records = list(
        records.values_list(
            "pk",
            "status",
            "withdrawn_at",
            "due_date",
            "currency",
            "amount",
            "is_estimate",
            "funded_by_id",
        )  # fmt: skip
    )
    if not records:
        return {}
    shown = None if ids is None else [row[0] for row in records]
    paths = _settlement_paths(shown)
    funders = {row[7] for row in records if row[7]}
    counted = Disclosure.objects.in_force().current().filter(amount__isnull=False)
    counted_funders = set(counted.filter(pk__in=funders).values_list("pk", flat=True))
    funder_paths = _settlement_paths(counted_funders)
    places = _places({code for path_list in paths.values() for p in path_list for code in p})
    confirmed = _with(Confirmation.objects.filter(verdict=Confirmation.Verdict.CONFIRMED), shown)
    disputed = _with(
        ResidentFeedback.objects.approved().filter(kind=ResidentFeedback.Kind.DISPUTED), shown
    )
    result = defaultdict(lambda: [0, 0, Decimal("0"), 0, 0, 0])
    for pk, status, withdrawn_at, due, currency, amount, estimate, funder in records:
        status = "withdrawn" if withdrawn_at else status
        due = due if status in OPEN_STATUSES else None
        named = {codes[-1] for codes in paths.get(pk, ())}
        within = {code for codes in paths.get(pk, ()) for code in codes}
        funder_within = {code for codes in funder_paths.get(funder, ()) for code in codes}
        for code in within & places.keys():
            inside = funder in counted_funders and code in funder_within
            cell = result[(*places[code], code in named, status, currency, inside, due)]
            cell[0] += 1
            if amount is not None:
                cell[1] += 1
                cell[2] += amount
                cell[3] += estimate
            cell[4] += pk in confirmed
            cell[5] += pk in disputed
    return result


def _settlement_paths(ids):
    """{record pk: [codes of each settlement's path]} for the records `ids` (all when None)."""
    through = Disclosure.settlements.through.objects.order_by()
    if ids is not None:
        if not ids:
            return {}
        through = through.filter(disclosure_id__in=ids)
    paths = defaultdict(list)
    for pk, path in through.values_list("disclosure_id", "place__path").iterator(BATCH):
        paths[pk].append([code for code in path.split("/") if code])
    return paths


def _places(codes):
    """{code: (pk, path)} of the places `codes`."""
    rows = Place.objects.filter(kato_code__in=codes).values_list("kato_code", "pk", "path")
    return {code: (pk, path) for code, pk, path in rows}


def _with(queryset, ids):
    if ids is not None:
        queryset = queryset.filter(disclosure_id__in=ids)
    return set(queryset.values_list("disclosure_id", flat=True))


def add_difference(before, after):
    """Insert the rows that take the figures from `before` to `after` (see `contribution`)."""
    PlaceFigures.objects.bulk_create(differences(before, after), batch_size=BATCH)


def differences(before, after):
    """The rows (unsaved) that take the figures from `before` to `after`."""
    rows = []
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        change = [b - a for a, b in zip(old or [0] * 6, new or [0] * 6, strict=True)]
        if any(change):
            place_id, path, direct, status, currency, inside, due = key
            rows.append(
                PlaceFigures(
                    place_id=place_id,
                    path=path,
                    direct=direct,
                    status=status,
                    currency=currency,
                    inside=inside,
                    due_date=due,
                    **dict(zip(COUNTS, change, strict=True)),
                )  # fmt: skip
            )
    return rows


def _lock():
    """Lock the figures until the transaction ends (writers of contributions wait, readers do
    not): no difference is added to rows being summed again from the records."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {PlaceFigures._meta.db_table} IN EXCLUSIVE MODE")


@transaction.atomic
def rebuild():
    """Every place's figures summed again from the records: one row per place and sum.

    The table is locked meanwhile: for the seeds, after a bulk import, or to put the rows of
    many small differences together."""
    _lock()
    PlaceFigures.objects.all().delete()
    add_difference({}, contribution())
    return PlaceFigures.objects.count()


def vacuum():
    """VACUUM (ANALYZE) the figures after `rebuild` committed, on PostgreSQL: the rebuild wrote
    every row anew, and until the table is vacuumed an index-only scan of it (the search's
    counts, `place_figures_place`) reads the table's rows too, and the planner keeps the old
    statistics. VACUUM cannot run in a transaction: there (a test's) it is left out."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {PlaceFigures._meta.db_table}")


def rows(place_ids):
    """The figures of the places `place_ids` summed from the records within them as they stand
    now, as unsaved rows (one per place and sum)."""
    within = Q()
    for path in _outermost(Place.objects.filter(pk__in=place_ids).values_list("path", flat=True)):
        within |= Q(place__path__startswith=path)
    if not within:
        return []
    through = Disclosure.settlements.through.objects.filter(within)
    place_ids = set(place_ids)
    sums = contribution(set(through.values_list("disclosure_id", flat=True)))
    return differences({}, {key: cell for key, cell in sums.items() if key[0] in place_ids})


def _outermost(paths):
    """`paths` less those under another of them."""
    outermost = []
    for path in sorted(paths):  # a path sorts before the paths under it
        if not outermost or not path.startswith(outermost[-1]):
            outermost.append(path)
    return outermost


# --- Receivers ------------------------------------------------------------------------------


@transaction.atomic
def _places_changed(sender, paths=None, **kwargs):
    """Places were made, moved or imported (`projects.models.places_changed`): the figures of
    the places in or under `paths` (their rows carry the path) and of the places above some of
    them but not all (a moved place leaves the one and enters the other; an area above both
    keeps its figures) are summed again; every place's after an import (`paths` None)."""
    if paths is None:
        rebuild()
        return
    if len(paths) < 2:
        return  # a new place: nothing names it yet, nor anything under it
    codes = [{code for code in path.split("/") if code} for path in paths]
    changed = Q(kato_code__in=set.union(*codes) - set.intersection(*codes))
    for path in paths:
        changed |= Q(path__startswith=path)
    _lock()
    place_ids = set(Place.objects.filter(changed).values_list("pk", flat=True))
    rewrite_rows(PlaceFigures, "place", place_ids, rows)


def _touched(disclosure_ids):
    """The records whose figures a change of `disclosure_ids` can move: those and the ones paid
    out of them (whether their payment is counted in a place decides their `inside`)."""
    funded = Disclosure.objects.filter(funded_by_id__in=disclosure_ids).values_list("pk", flat=True)
    return {*disclosure_ids, *funded}


def _before(holder, disclosure_ids):
    ids = _touched(disclosure_ids)
    holder._figures_before = (ids, contribution(ids))


def _after(holder):
    ids, before = holder.__dict__.pop("_figures_before", (None, None))
    if ids is not None:
        add_difference(before, contribution(ids))


def _disclosure_saving(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding:
        return  # a new record is a draft: it has no figures yet
    if instance.was_or_is_visible():
        _before(instance, {instance.pk})


def _disclosure_saved(sender, instance, raw=False, created=False, **kwargs):
    if created and instance.visible_to_residents() and not raw:
        instance._figures_before = ({instance.pk}, {})  # published as made (imports, tests)
    _after(instance)


def _disclosure_deleting(sender, instance, **kwargs):
    _before(instance, {instance.pk})


def _settlements_changing(sender, instance, action, reverse, pk_set, **kwargs):
    """A record's settlements (or a place's records) are about to change, or just did."""
    ids = set(pk_set or ()) if reverse else {instance.pk}
    if reverse and action == "pre_clear":
        ids = set(
            Disclosure.settlements.through.objects.filter(place=instance).values_list(
                "disclosure_id", flat=True
            )
        )
    if action.startswith("pre_"):
        _before(instance, ids)
    else:
        _after(instance)


def _word_changing(sender, instance, raw=False, origin=None, **kwargs):
    """An akimat's confirmation or a resident's word: its record's figures may move (unless
    the record itself is being deleted, which takes its figures away whole)."""
    if not raw and instance.disclosure_id and not _deleting_records(origin):
        _before(instance, {instance.disclosure_id})


def _deleting_records(origin):
    return isinstance(origin, Disclosure) or getattr(origin, "model", None) is Disclosure


# --- Each contribution's first photo ---------------------------------------------------------


def _photo_changed(sender, instance, raw=False, origin=None, **kwargs):
    if raw or _deleting_records(origin):
        return  # a record deleted takes its photos away whole
    Disclosure.objects.filter(pk=instance.disclosure_id).keep_first_photos()


# --- Each contribution's counts of the akimat's and residents' word -------------------------


def _counted_before(sender, instance, raw=False, origin=None, **kwargs):
    """The kept count a word is in as stored, read under a lock in the writer's transaction (two
    moderators approving one word at once count it once). A new word is in none."""
    if raw or _deleting_records(origin):
        return  # a record deleted takes its counts away whole
    stored = None
    if not instance._state.adding:
        rows = sender.objects.filter(pk=instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        stored = rows.first()
    instance._counted_before = stored.counted_as() if stored else None


def _counted_after(sender, instance, signal, **kwargs):
    if "_counted_before" not in instance.__dict__:
        return
    before, after = instance.__dict__.pop("_counted_before"), None
    if signal is post_save:
        after = instance.counted_as()
    if before == after:
        return
    change = {}
    if before:
        change[before] = F(before) - 1
    if after:
        change[after] = F(after) + 1
    Disclosure.objects.filter(pk=instance.disclosure_id).update(**change)


def connect():
    """Called once (disclosures/apps.py)."""
    pre_save.connect(_disclosure_saving, sender=Disclosure, dispatch_uid="figures-d-pre")
    post_save.connect(_disclosure_saved, sender=Disclosure, dispatch_uid="figures-d-post")
    pre_delete.connect(_disclosure_deleting, sender=Disclosure, dispatch_uid="figures-d-pre-del")
    post_delete.connect(
        lambda instance, **kwargs: _after(instance), sender=Disclosure, weak=False,
        dispatch_uid="figures-d-post-del",
    )  # fmt: skip
    m2m_changed.connect(
        _settlements_changing, sender=Disclosure.settlements.through, dispatch_uid="figures-m2m"
    )
    places_changed.connect(_places_changed, dispatch_uid="figures-places")
    for signal in (post_save, post_delete):
        signal.connect(_photo_changed, sender=Photo, dispatch_uid=f"first-photo-{signal}")
    for model in (Confirmation, ResidentFeedback):
        for signal in (pre_save, pre_delete):
            signal.connect(_word_changing, sender=model, dispatch_uid=f"figures-{model}-{signal}")
        for signal in (post_save, post_delete):
            signal.connect(
                lambda instance, **kwargs: _after(instance), sender=model, weak=False,
                dispatch_uid=f"figures-{model}-{signal}-after",
            )  # fmt: skip
        for signal in (pre_save, pre_delete):
            signal.connect(_counted_before, sender=model, dispatch_uid=f"voices-{model}-{signal}")
        for signal in (post_save, post_delete):
            signal.connect(
                _counted_after, sender=model, dispatch_uid=f"voices-{model}-{signal}-after"
            )
