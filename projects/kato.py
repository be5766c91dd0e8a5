"""Loading the KATO classifier (data/kato/settlements.csv) into `Place`.

The import validates every row before it writes anything and then writes in one transaction, so a
bad file leaves the database as it was. A re-run updates names, types and coordinates in place and
never changes a slug, so every village keeps its address when its name is corrected.
"""

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.caching import invalidate_everything
from core.search import search_key
from projects.models import Place, places_changed

REQUIRED_COLUMNS = ["kato_code", "parent_kato_code", "level", "name_kk", "name_ru", "name_en"]
UPDATABLE = [
    "level",
    "kind",
    "name_kk",
    "name_ru",
    "name_en",
    "latitude",
    "longitude",
    "path",
    "depth",
    "prominence",
    "search_key",
    "kato_edition",
    "parent_id",
]
BATCH = 2000


class ImportError_(Exception):
    """The file cannot be imported; `errors` lists (line number, message)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} bad rows")


@dataclass
class Row:
    line: int
    kato_code: str
    parent_code: str
    level: str
    name_kk: str
    name_ru: str
    name_en: str
    latitude: Decimal | None
    longitude: Decimal | None
    kind: str = ""


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_file: int = 0
    errors: list = field(default_factory=list)


def _decimal(value, lower, upper):
    if not value:
        return None
    number = Decimal(value)
    if not (lower <= number <= upper):
        raise InvalidOperation
    return number.quantize(Decimal("0.00001"))


def read_rows(path, extra_path=None):
    """Parse and check the CSV; raise ImportError_ with every bad row's line number."""
    kinds = _settlement_kinds(Path(path), extra_path)
    errors, rows = [], []
    levels = set(Place.Level.values)
    known_kinds = set(Place.Kind.values)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportError_([(1, f"missing columns: {', '.join(missing)}")])
        seen = set()
        for record in reader:
            line = reader.line_num
            code = (record["kato_code"] or "").strip()
            parent = (record["parent_kato_code"] or "").strip()
            level = (record["level"] or "").strip()
            problems = _code_problems(code, parent, level, seen, levels)
            names = {
                k: " ".join((record[k] or "").split()) for k in ("name_kk", "name_ru", "name_en")
            }
            if not (names["name_kk"] or names["name_ru"]):
                problems.append("no Kazakh or Russian name")
            try:
                latitude = _decimal((record.get("latitude") or "").strip(), -90, 90)
                longitude = _decimal((record.get("longitude") or "").strip(), -180, 180)
            except InvalidOperation:
                problems.append("latitude/longitude are not valid coordinates")
                latitude = longitude = None
            if problems:
                errors.extend((line, problem) for problem in problems)
                continue
            seen.add(code)
            kind = kinds.get(code, "")
            rows.append(
                Row(
                    line, code, parent, level, names["name_kk"] or names["name_ru"],
                    names["name_ru"] or names["name_kk"], names["name_en"], latitude, longitude,
                    kind if kind in known_kinds else "",
                )
            )  # fmt: skip
    return rows, errors


def _settlement_kinds(path, extra_path):
    """{KATO code: unit type} from settlements_extra.csv (beside the classifier by default)."""
    if extra_path is None and (path.parent / "settlements_extra.csv").exists():
        extra_path = path.parent / "settlements_extra.csv"
    if not extra_path:
        return {}
    with open(extra_path, newline="", encoding="utf-8") as handle:
        return {r["kato_code"]: r.get("unit_type", "") for r in csv.DictReader(handle)}


def _code_problems(code, parent, level, seen, levels):
    """What is wrong with a row's code, parent code and level."""
    problems = []
    if not (len(code) == 9 and code.isdigit()):
        problems.append(f"malformed KATO code {code!r} (9 digits expected)")
    elif code in seen:
        problems.append(f"KATO code {code} appears twice")
    if parent and not (len(parent) == 9 and parent.isdigit()):
        problems.append(f"malformed parent code {parent!r}")
    if level not in levels:
        problems.append(f"unknown level {level!r}")
    if level != Place.Level.REGION and not parent:
        problems.append("no parent code (only a region has none)")
    return problems


def _prominence(row):
    if row.level in Place.ADMINISTRATIVE_LEVELS:
        return Place.Prominence.ADMINISTRATIVE
    if row.kind in Place.POPULATED_KINDS or not row.kind:
        return Place.Prominence.POPULATED
    return Place.Prominence.MINOR


def import_places(path, *, progress=None, extra_path=None):
    """Import or update the classifier from `path`. Returns a Result; raises ImportError_."""
    progress = progress or (lambda message: None)
    rows, errors = read_rows(path, extra_path)
    existing = {p.kato_code: p for p in Place.objects.all()}
    by_code = {row.kato_code: row for row in rows}
    paths = _resolve_paths(rows, by_code, existing, errors)
    if errors:
        raise ImportError_(sorted(set(errors)))

    result = Result()
    edition = settings.KATO_EDITION
    rows.sort(key=lambda r: (paths[r.kato_code].count("/"), r.kato_code))
    with transaction.atomic():
        ids = {code: place.pk for code, place in existing.items()}
        to_update, to_create, depth_now = [], [], None
        for index, row in enumerate(rows, 1):
            path_value = paths[row.kato_code]
            depth = path_value.count("/") - 2
            if depth != depth_now:
                _flush(to_create, ids)
                depth_now = depth
            values = _place_values(row, path_value, depth, ids, edition)
            place = existing.get(row.kato_code)
            if place is None:
                to_create.append(_new_place(row, values))
                result.created += 1
            elif any(getattr(place, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(place, key, value)
                to_update.append(place)
                result.updated += 1
            else:
                result.unchanged += 1
            if index % 5000 == 0:
                progress(f"{index:,} of {len(rows):,} rows read")
        _flush(to_create, ids)
        if to_update:
            Place.objects.bulk_update(to_update, UPDATABLE, batch_size=500)
        if result.created or result.updated:
            # Bulk writes send no signals: every cached page goes stale once the import commits.
            invalidate_everything()
            places_changed.send(Place, paths=None)
        result.not_in_file = len(set(existing) - set(by_code))
    progress(f"{len(rows):,} of {len(rows):,} rows done")
    return result


def _resolve_paths(rows, by_code, existing, errors):
    """{KATO code: path} for every row; a parent must be in the file or already stored.

    A row whose parent is unknown, or whose parents loop, gets None and an error.
    """
    paths = {}

    def resolve(row, trail=()):
        if row.kato_code in paths:
            return paths[row.kato_code]
        if not row.parent_code:
            paths[row.kato_code] = f"/{row.kato_code}/"
            return paths[row.kato_code]
        if row.kato_code in trail:
            raise ValueError("cycle")
        parent_row = by_code.get(row.parent_code)
        if parent_row is not None:
            parent_path = resolve(parent_row, (*trail, row.kato_code))
        elif row.parent_code in existing:
            parent_path = existing[row.parent_code].path
        else:
            raise LookupError(row.parent_code)
        if parent_path is None:
            raise LookupError(row.parent_code)
        paths[row.kato_code] = f"{parent_path}{row.kato_code}/"
        return paths[row.kato_code]

    for row in rows:
        try:
            resolve(row)
        except LookupError as exc:
            errors.append((row.line, f"unknown parent code {exc.args[0]}"))
            paths[row.kato_code] = None
        except (ValueError, RecursionError):
            errors.append((row.line, "the parent chain loops back on itself"))
            paths[row.kato_code] = None
    return paths


def _place_values(row, path_value, depth, ids, edition):
    """The stored fields of the row's place (the parent's id from `ids`, places created so far)."""
    return {
        "level": row.level,
        "kind": row.kind,
        "name_kk": row.name_kk,
        "name_ru": row.name_ru,
        "name_en": row.name_en,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "path": path_value,
        "depth": depth,
        "prominence": _prominence(row),
        "search_key": search_key(row.name_kk, row.name_ru, row.name_en),
        "kato_edition": edition,
        "parent_id": ids.get(row.parent_code) if row.parent_code else None,
    }


def _new_place(row, values):
    return Place(
        kato_code=row.kato_code,
        slug=Place.make_slug(row.name_en, row.name_ru, row.kato_code),
        **values,
    )


def _flush(to_create, ids):
    if to_create:
        for place in Place.objects.bulk_create(to_create, batch_size=BATCH):
            ids[place.kato_code] = place.pk
        to_create.clear()
