"""The rows the migrations seed, put back after a flush.

A transactional test (the browser suites, concurrency) flushes the database when it ends, and
the flush takes the migrations' rows with it: which later tests on the same worker still saw
them used to depend on which tests ran first. `install_seeded_rows` installs them all again by
running the seeding migrations' own functions on the current models, so the rows are the ones
the migrations store and this list is their one record. A new seeding migration goes here.
"""

import importlib

from django.apps import apps
from django.db import connection, migrations

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


# The tables those steps fill. Their row counts right after an install are the mark: a test
# adds rows (counts only grow) and a flush empties them, so lower counts mean a flush happened.
SEEDED_MODELS = ("auth.Group", "hearings.RuleSet", "hearings.Rule", "hearings.TransferDecree")
_counts_after_install = None


def _row_counts():
    tables = [
        connection.ops.quote_name(apps.get_model(label)._meta.db_table) for label in SEEDED_MODELS
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in tables))
        return cursor.fetchone()


def ensure_seeded_rows():
    """`install_seeded_rows` when a flush has taken some of them: one query when they are all
    there (nearly every test), instead of the seeding steps' two dozen."""
    global _counts_after_install
    if _counts_after_install is not None and all(
        now >= then for now, then in zip(_row_counts(), _counts_after_install, strict=True)
    ):
        return
    install_seeded_rows()
    _counts_after_install = _row_counts()
