"""The rows the migrations seed, put back after a flush.

A transactional test (the browser suites, concurrency) flushes the database when it ends, and
the flush takes the migrations' rows with it: which later tests on the same worker still saw
them used to depend on which tests ran first. `install_seeded_rows` installs them all again by
running the seeding migrations' own functions on the current models, so the rows are the ones
the migrations store and this list is their one record. A new seeding migration goes here.
"""

import importlib

from django.apps import apps
from django.db import migrations

SEEDING_MIGRATIONS = (
    ("projects", "0002_roles"),  # the role groups
    ("hearings", "0002_default_rule_sets"),  # the legal clock's rule sets (legal_rules.py)
    ("hearings", "0006_notice_publications_draft_sent_transfer_decrees"),  # 2026: no transfers
    ("hearings", "0008_transfer_decree_language"),  # ... written in Russian
    ("hearings", "0009_basis_groups_request_answer_failures_decisions"),  # request_answer rule
)


def install_seeded_rows():
    """Idempotent: each seeding step creates only what is missing."""
    for app, name in SEEDING_MIGRATIONS:
        module = importlib.import_module(f"{app}.migrations.{name}")
        for operation in module.Migration.operations:
            if isinstance(operation, migrations.RunPython):
                operation.code(apps, None)


def reseed_after_flush(sender, using, **kwargs):
    """`post_migrate` receiver (tests/conftest.py). A transactional test ends with a flush, and
    the flush sends post_migrate, without a migration plan, after emptying every table: the
    seeded rows come back there, as Django's content types and permissions do, so every later
    test on the worker finds them whatever ran before. Once per flush: on the last app's signal,
    when every app's permissions exist again (the roles hold some)."""
    if "plan" in kwargs or using != "default":
        return  # a migrate (the migrations seed the rows themselves), or another database
    if sender is [app for app in apps.get_app_configs() if app.models_module][-1]:
        install_seeded_rows()
