import contextlib
import fcntl
import os
import shutil
import subprocess
from io import StringIO

import psycopg2
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models.signals import post_migrate
from django.test import override_settings
from django.utils import translation

from core import caching
from tests.demo_places import import_demo_places
from tests.scaleout.servers import current_database_url, pg_bin
from tests.seeds import install_seeded_rows, reseed_after_flush

# Sync Playwright runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    post_migrate.connect(reseed_after_flush, dispatch_uid="tests-seeded-rows")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No API limit while schemathesis and the API tests send hundreds of requests;
    # tests/api/test_throttling.py sets its own rates.
    settings.API_THROTTLE_RATES = {"read": None, "write": None}
    # Each test process keeps its own "shared" cache (scope versions, figures): the file cache
    # would be shared by the parallel workers, whose rolled-back rows reuse primary keys.
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "s"},
    }
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("CI") == "true" and "postgresql" not in engine:
        pytest.exit(
            f"CI=true but the test database is {engine}: the suite must run on PostgreSQL.",
            returncode=1,
        )


def pytest_collection_modifyitems(config, items):
    # The slow modules first: with `--dist loadscope` (scripts/test) each module goes to one
    # worker whole, and one started last would leave the other core idle for minutes. Of those,
    # the ones that need no test database first (the quick start on SQLite, the runbook layout
    # on clusters of its own): they keep both cores busy while the first database test
    # migrates the template (about 19 s of CPU), instead of a worker waiting for it.
    database = {item.path for item in items if _uses_test_database(item)}
    items.sort(
        key=lambda item: (0, item.path in database) if item.get_closest_marker("slow") else (1,)
    )
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: no test restores the database by serialized rollback. After a "
                "transactional test's flush, post_migrate re-creates content types under new "
                "ids, and loading the serialized ones then collides; the flush's post_migrate "
                "puts back the migrations' rows the tests need (tests/seeds.py)."
            )
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; the suite is running on SQLite")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _uses_test_database(item):
    """Whether the test sets up the test database (directly or through a fixture)."""
    return bool(item.get_closest_marker("django_db")) or "django_db_setup" in item.fixturenames


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request, django_db_modify_db_settings_parallel_suffix, django_db_blocker, tmp_path_factory
):
    """Migrate once per run, not once per xdist worker: the first worker migrates a template
    database, and every worker's test database is created from it (Django's `TEST["TEMPLATE"]`,
    PostgreSQL's `CREATE DATABASE ... TEMPLATE`), where `migrate` then finds nothing to apply.
    Once per run is pytest-xdist's recipe: a file lock in the run's shared temporary folder.
    A single process does the same, so that the copies made from the migrated database (the
    demo's, `demo_template`) are made from one nobody is connected to."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    db = connections["default"]
    if db.vendor != "postgresql":
        return
    test_name = db.settings_dict["TEST"]["NAME"] or "test_" + db.settings_dict["NAME"]
    template = (test_name.removesuffix(f"_{worker}") if worker else test_name) + "_template"
    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if worker else shared
    with open(shared / "template-db.lock", "w") as lock, django_db_blocker.unblock():
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "template-db.built").exists():
            _migrate_template(db, template)
            (shared / "template-db.built").touch()
    db.settings_dict["TEST"]["TEMPLATE"] = template


def _migrate_template(db, name):
    """Create and migrate the test database `name` as Django creates any test database, then
    point the connection back at the database it was configured with."""
    configured, test_name = db.settings_dict["NAME"], db.settings_dict["TEST"]["NAME"]
    db.settings_dict["TEST"]["NAME"] = name
    try:
        db.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        db.close()  # PostgreSQL copies a template nobody is connected to
        db.settings_dict["NAME"], db.settings_dict["TEST"]["NAME"] = configured, test_name


@pytest.fixture(scope="session")
def demo_template(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (`seed_demo` on its three districts of the classifier, tests/demo_places.py)
    in a database of its own, loaded once per run by the first process that needs it, and its
    uploaded files: (database name, media folder). Each module that shows the demo works on a
    copy (`demo_database`); `seed_demo` costs about 12 s of CPU, and four modules show the demo.
    Built from the migrated template (`django_db_modify_db_settings`), so it holds the
    migrations' rows and nothing any test left."""
    db = connections["default"]
    if db.vendor != "postgresql":
        return None
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if worker else shared
    source = db.settings_dict["TEST"].get("TEMPLATE") or db.settings_dict["NAME"]
    name = db.settings_dict["NAME"].removesuffix(f"_{worker}") + "_demo"
    media = shared / "demo-media"
    with open(shared / "demo-db.lock", "w") as lock, django_db_blocker.unblock():
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "demo-db.built").exists():
            db.close()  # PostgreSQL copies a database nobody is connected to
            with _database(db, _copy(db, name, source)), override_settings(MEDIA_ROOT=media):
                install_seeded_rows()
                import_demo_places()
                call_command("seed_demo", "--force", stdout=StringIO())
            (shared / "demo-db.built").touch()
    return name, media


@pytest.fixture(scope="module")
def demo_database(request, demo_template, django_db_blocker, tmp_path_factory):
    """This module's tests see the demo: the connection points at a copy of `demo_template`
    (PostgreSQL's `CREATE DATABASE ... TEMPLATE`, about a second), dropped after the module,
    and uploaded files go to a copy of the demo's. The module's own rows go in transactions
    rolled back as anywhere else (`module_transaction`, `db`), or stay until the copy is
    dropped. On SQLite the demo is loaded into the test database and flushed after."""
    media = tmp_path_factory.mktemp("demo-media")
    with override_settings(MEDIA_ROOT=media, SENDFILE_ROOT=str(media)):
        if demo_template is None:
            with django_db_blocker.unblock():
                import_demo_places()
                call_command("seed_demo", "--force", stdout=StringIO())
            yield media
            with django_db_blocker.unblock():
                call_command("flush", interactive=False, verbosity=0)
            return
        name, demo_media = demo_template
        if demo_media.exists():
            shutil.copytree(demo_media, media, dirs_exist_ok=True)
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        db = connections["default"]
        with django_db_blocker.unblock(), _database(db, _copy(db, f"{name}_{worker}", name)):
            yield media
        with django_db_blocker.unblock():
            _maintenance(db, f'DROP DATABASE IF EXISTS "{name}_{worker}" WITH (FORCE)')


def _copy(db, name, template):
    """Create the database `name` as a copy of `template`; return `name`."""
    _maintenance(db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _maintenance(db, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def _maintenance(db, sql):
    """Run `sql` outside any transaction, from PostgreSQL's maintenance database."""
    params = {**db.get_connection_params(), "dbname": "postgres"}
    params.pop("cursor_factory", None)
    conn = psycopg2.connect(**params)
    try:
        conn.autocommit = True
        conn.cursor().execute(sql)
    finally:
        conn.close()


@contextlib.contextmanager
def _database(db, name):
    """The connection points at the database `name` inside the block."""
    configured = db.settings_dict["NAME"]
    _point(db, name)
    try:
        yield
    finally:
        _point(db, configured)


def _point(db, name):
    """Content types are cached per process by id, and a flushed test database numbers them
    anew: the cache is emptied with each change of database."""
    db.close()
    db.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def migrated_database(django_db_setup, tmp_path_factory):
    """This process's test database dumped once, as migrated (every test rolls its rows back
    or flushes them): a PostgreSQL cluster of a test's own restores it (`Cluster.restore`) in
    about a second, instead of running `manage.py migrate` again (15 s of CPU). The test using
    it is marked `django_db`, so that the test database exists."""
    if connection.vendor != "postgresql" or pg_bin() is None:
        pytest.skip("needs PostgreSQL and its binaries")
    assert connection.settings_dict["NAME"].startswith("test_"), (
        "mark the test django_db: only then is the test database set up"
    )
    dump = tmp_path_factory.mktemp("migrated") / "migrated.dump"
    subprocess.run(
        [str(pg_bin() / "pg_dump"), "--format=custom", "--no-owner", "-f", str(dump)]
        + [current_database_url()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return dump


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction open for a whole module, rolled back after its last test; each test runs
    in a savepoint inside it (pytest-django's `db`). A module fixture that asks for it builds
    its rows once for all the module's tests, in this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    """The uploaded files of a module fixture's rows, in a folder kept for the module's tests."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media, SENDFILE_ROOT=str(media)):
        yield media


@pytest.fixture(autouse=True)
def _media_root(request, tmp_path, settings):
    """Uploaded files go to a per-test folder (or the module's, see `module_media`), never into
    the working tree."""
    if {"module_media", "demo_database"} & set(request.fixturenames):
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SENDFILE_ROOT = str(settings.MEDIA_ROOT)


# The foundation's tests (these folders of tests/) read English messages.
ENGLISH_FOLDERS = {"pages", "projects"}


@pytest.fixture(autouse=True)
def _default_language(request):
    """Each test starts in the site's default language (Kazakh), or English in
    `ENGLISH_FOLDERS`, whatever the last one left, and with an empty cache: rolled-back
    transactions reuse content-version numbers."""
    for each in caches.all(initialized_only=True):
        each.clear()
    english = request.path.parent.name in ENGLISH_FOLDERS
    translation.activate("en" if english else settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _invalidate_at_once(request, monkeypatch):
    """A TestCase runs each test in a transaction that never commits, so `on_commit` callbacks
    never run there: cache scopes are bumped at once instead. Tests marked `real_commit`
    (tests/pages/test_invalidation.py) keep invalidation after commit, as in production."""
    if request.node.get_closest_marker("real_commit"):
        return
    monkeypatch.setattr(caching, "invalidate", lambda *scopes: scopes and caching.bump(scopes))


@pytest.fixture(autouse=True)
def _page_hour_of_the_test(request, monkeypatch):
    """Page keys carry the local hour (core.caching.local_hour), so a test that runs across the
    hour would see its kept pages vanish: each test keeps the hour it started in. Tests marked
    `real_clock` see the clock move."""
    if request.node.get_closest_marker("real_clock"):
        return
    hour = caching.local_hour()
    monkeypatch.setattr(caching, "local_hour", lambda: hour)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
